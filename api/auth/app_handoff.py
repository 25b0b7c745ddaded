"""A VNeID sign-in that ends in the app: OAuth 2.0 for native apps (RFC 8252) with PKCE (RFC 7636).

The citizen PWA (/app/) and the native apps open `GET /auth/vneid/login` with a registered
`redirect_uri`, a PKCE `code_challenge` (S256) and a `state` of their own. The VNeID flow runs
as for any sign-in (api/auth/oidc.py); at its callback, instead of answering the token pair in
the browser tab, the API stores a one-time code and sends the browser on to

    <redirect_uri>?code=<one-time code>&state=<the app's state>

or, when the sign-in failed, `?error=<stable code>&error_description=<Vietnamese>&state=...`.
The app then trades the code and its PKCE verifier for the token pair at `POST /auth/app/token`.
No token ever travels in a URL (browser history, proxies' and servers' logs, Referer), and a
code caught on the way is useless without the verifier that never left the app.

Only registered redirect URIs are ever redirected to, compared exactly (RFC 8252 §8.4; no open
redirect): config APP_REDIRECT_URIS. Codes live 60 seconds, are single-use (a compare-and-set in
the database, so two workers cannot both honour one), and a code presented after it was used
revokes the session it bought (RFC 6749 §4.1.2). These functions take values, not the request:
the routes and the Flask session are oidc.py's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask_jwt_extended import decode_token
from sqlalchemy import delete, select, update

from api.audit import record_audit
from api.auth import service as auth_service
from api.auth import tokens
from api.auth.models import AppSignInCode
from api.citizens import service as citizens
from api.config import app_redirect_uris
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.unit_of_work import checkpoint, rollback

# Long enough for the redirect and one request from the app, short enough to be useless later.
CODE_LIFETIME = timedelta(seconds=60)
# Used and expired codes are kept this long, so that a late replay is still recognised.
KEEP_USED = timedelta(days=1)
CODE_BYTES = 32  # 43 URL-safe characters
MAX_APP_STATE = 256
PKCE_METHOD = "S256"
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")  # base64url, no padding (RFC 7636 §4.2)
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1

INVALID_GRANT = "Mã đăng nhập không hợp lệ, đã được dùng hoặc đã hết hạn. Vui lòng đăng nhập lại."


@dataclass(frozen=True)
class Handoff:
    """Where and how an app asked its sign-in to end; kept in the Flask session meanwhile."""

    redirect_uri: str
    code_challenge: str
    state: str | None = None

    def as_session_value(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session_value(cls, value: dict) -> Handoff:
        return cls(value["redirect_uri"], value["code_challenge"], value.get("state"))


# ---- starting: what the app asked for -------------------------------------------------------


def requested_handoff(arguments: dict, config) -> Handoff | None:
    """The hand-off an app asks for at `GET /auth/vneid/login`, checked; None for the old flow.

    Refusals are 400 problems answered in the browser, never a redirect: until the redirect
    URI is known to be registered, sending the browser there would make the API an open
    redirect.
    """
    redirect_uri = arguments.get("redirect_uri")
    if redirect_uri is None:
        if any(
            arguments.get(name) is not None for name in ("code_challenge", "code_challenge_method", "state")
        ):
            # A client sending PKCE expects the code to come back to it; answering the tokens
            # in the browser tab instead would quietly defeat what it asked for.
            raise ApiError(
                400,
                "redirect_uri_required",
                "Thiếu redirect_uri: mã PKCE và state chỉ dùng khi đăng nhập từ ứng dụng.",
            )
        return None
    if redirect_uri not in app_redirect_uris(config):
        raise ApiError(
            400,
            "redirect_uri_not_registered",
            "Địa chỉ chuyển hướng của ứng dụng (redirect_uri) chưa được đăng ký với Công dân số.",
        )
    method = arguments.get("code_challenge_method")
    if method is not None and method != PKCE_METHOD:
        raise _pkce_method_unsupported()
    challenge = arguments.get("code_challenge")
    if not challenge or not _CHALLENGE.fullmatch(challenge):
        raise ApiError(
            400,
            "pkce_required",
            "Thiếu mã PKCE (code_challenge) hoặc mã sai định dạng: cần 43–128 ký tự base64url "
            "của SHA-256 (S256).",
        )
    if method is None:
        # RFC 7636 §4.3: no method means `plain`, which is not accepted.
        raise _pkce_method_unsupported()
    return Handoff(redirect_uri, challenge, arguments.get("state"))


def _pkce_method_unsupported() -> ApiError:
    return ApiError(
        400,
        "pkce_method_unsupported",
        "Chỉ hỗ trợ PKCE với code_challenge_method=S256.",
    )


def still_registered(handoff: Handoff, config) -> bool:
    """Whether the hand-off's URI is still registered (the setting may change mid-attempt)."""
    return handoff.redirect_uri in app_redirect_uris(config)


# ---- the callback: a code for the app -------------------------------------------------------


def issue_code(citizen_id, handoff: Handoff) -> str:
    """Store a one-time code for the citizen VNeID has just vouched for (not committed)."""
    now = utcnow()
    # Opportunistic sweep: nothing can use these any more, and a replay a day late is noise.
    db.session.execute(delete(AppSignInCode).where(AppSignInCode.expires_at < now - KEEP_USED))
    code = secrets.token_urlsafe(CODE_BYTES)
    db.session.add(
        AppSignInCode(
            code_hash=_digest(code),
            citizen_id=citizen_id,
            redirect_uri=handoff.redirect_uri,
            code_challenge=handoff.code_challenge,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    return code


def success_location(handoff: Handoff, code: str) -> str:
    return _with_query(handoff.redirect_uri, code=code, state=handoff.state)


def error_location(handoff: Handoff, code: str, description: str) -> str:
    """The app's redirect URI with an error it can show (RFC 6749 §4.1.2.1's parameters)."""
    return _with_query(handoff.redirect_uri, error=code, error_description=description, state=handoff.state)


def _with_query(uri: str, **params: str | None) -> str:
    # A registered URI may carry a query of its own; it is kept (RFC 6749 §3.1.2).
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(name, value) for name, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


# ---- the exchange: tokens for the code ------------------------------------------------------


def exchange_code(code: str, code_verifier: str, redirect_uri: str) -> dict:
    """The token pair for a one-time code, its PKCE verifier and the redirect URI it went to.

    Every refusal is the same 400 `invalid_grant` (RFC 6749 §5.2): the caller learns nothing
    about which part was wrong; the audit log says.
    """
    row = db.session.scalar(select(AppSignInCode).where(AppSignInCode.code_hash == _digest(code)))
    if row is None:
        raise _refuse("unknown_code")
    if row.used_at is not None:
        raise _replayed(row)
    now = utcnow()
    if row.expires_at <= now:
        raise _refuse("code_expired", row)
    if not _verifier_matches(code_verifier, row.code_challenge):
        raise _refuse("pkce_mismatch", row)
    if not hmac.compare_digest(redirect_uri.encode(), row.redirect_uri.encode()):
        raise _refuse("redirect_uri_mismatch", row)
    # Compare-and-set: of two exchanges of one code at the same moment, one claims it; the
    # other's update finds it used (PostgreSQL waits for the winner's commit; SQLite has one
    # writer at a time) and is treated as the replay it is.
    claimed = db.session.execute(
        update(AppSignInCode)
        .where(AppSignInCode.id == row.id, AppSignInCode.used_at.is_(None), AppSignInCode.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        rollback()  # re-read the code as the winner of the race left it
        row = db.session.get(AppSignInCode, row.id, populate_existing=True)
        if row is not None and row.used_at is not None:
            raise _replayed(row)
        raise _refuse("code_expired", row)
    citizen = citizens.get_citizen(row.citizen_id)
    if citizen is None:  # pragma: no cover - the row goes with its citizen (ON DELETE CASCADE)
        rollback()
        raise _refuse("citizen_gone", row)
    pair = auth_service.sign_in_citizen(citizen, via="app")
    # The session is remembered on the code in the same transaction, so that a replay, which
    # can only see the code used once this commits, always finds the session to revoke.
    row.used_at = now
    row.session_id = _session_id(pair)
    return pair


def _verifier_matches(code_verifier: str, code_challenge: str) -> bool:
    if not _VERIFIER.fullmatch(code_verifier):
        return False
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=")
    return hmac.compare_digest(computed, code_challenge.encode("ascii"))


def _replayed(row: AppSignInCode) -> ApiError:
    """A used code presented again has leaked (or the app retried): the tokens it bought go too."""
    if row.session_id is not None:
        tokens.revoke_session_by_id(str(row.session_id), "code_reused")
    return _refuse("code_reused", row, session=str(row.session_id) if row.session_id else None)


def _refuse(reason: str, row: AppSignInCode | None = None, **detail) -> ApiError:
    record_audit(
        "auth.citizen_sign_in",
        target=f"citizen:{row.citizen_id}" if row is not None else None,
        outcome="denied",
        reason=reason,
        via="app",
        **{key: value for key, value in detail.items() if value is not None},
    )
    checkpoint("a refused code exchange stays on the audit log (and a replayed code's session revoked)")
    return ApiError(400, "invalid_grant", INVALID_GRANT)


def _session_id(pair: dict) -> uuid.UUID:
    return uuid.UUID(decode_token(pair["access_token"])["sid"])


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
