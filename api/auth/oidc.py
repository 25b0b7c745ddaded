"""Citizens sign in with VNeID: OpenID Connect authorization code flow with PKCE (S256).

    GET /auth/vneid/login     302 to VNeID's authorize endpoint, with state, nonce and a PKCE
                              challenge; their secrets stay in the Flask session (a signed cookie)
    GET /auth/vneid/callback  VNeID sends the browser back here with a code; the code is
                              exchanged over HTTP at VNeID's token endpoint, the id_token checked
                              against VNeID's published keys (signature, issuer, audience, expiry,
                              nonce), the citizen created or refreshed from its claims, and the
                              API's own token pair returned

authlib does the protocol. The issuer is OIDC_ISSUER; when that is empty (development, tests)
the development provider in api/auth/dev_idp is mounted at PUBLIC_BASE_URL + "/dev-idp" and
used instead, over the same HTTP hops. Failures are problem details with stable codes:
`sso_state_mismatch`, `sso_denied`, `sso_failed` (502: VNeID unreachable or answering
nonsense) and `invalid_identity` (422: claims the citizen rules reject).
"""

from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session
from flask.views import MethodView
from joserfc.errors import JoseError
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.auth import dev_idp
from api.auth import service as auth_service
from api.auth.dev_idp import models as _dev_idp_models  # noqa: F401  (tables exist everywhere)
from api.auth.policy import PUBLIC, allow
from api.auth.schemas import TokenPairSchema
from api.citizens import cccd as cccd_rules
from api.citizens import service as citizens
from api.errors import ApiError
from api.extensions import api, db, limiter, sign_in_limit
from api.http import Blueprint

log = logging.getLogger(__name__)

VNEID = "vneid"
CALLBACK_PATH = "/auth/vneid/callback"
SCOPE = "openid profile"
HTTP_TIMEOUT = 10  # seconds for each call to VNeID; a hung issuer must not hang a worker
_OAUTH_EXTENSION = "authlib.integrations.flask_client"
_STATE_KEY_PREFIX = f"_state_{VNEID}_"  # how authlib names its per-attempt session entries

blp = Blueprint("vneid", __name__, url_prefix="/auth/vneid", description="Đăng nhập công dân bằng VNeID")


def issuer_url(config) -> str:
    return (config.get("OIDC_ISSUER") or "").rstrip("/") or config["PUBLIC_BASE_URL"] + dev_idp.PREFIX


def callback_url(config=None) -> str:
    """The redirect URI registered with VNeID: built from PUBLIC_BASE_URL, never from the
    request's Host header, which a client chooses."""
    config = config or current_app.config
    return config["PUBLIC_BASE_URL"] + CALLBACK_PATH


def init_app(app: Flask) -> None:
    if dev_idp.should_mount(app.config):
        dev_idp.init_app(app)
    # One registry per app: each app (each test's live server) has its own issuer.
    oauth = OAuth(app)
    oauth.register(
        VNEID,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer_url(app.config) + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": HTTP_TIMEOUT},
    )
    api.register_blueprint(blp)


def _vneid():
    return current_app.extensions[_OAUTH_EXTENSION].create_client(VNEID)


# ---- the flow -------------------------------------------------------------------------------

# VNeID unreachable, or answering with something that is not a usable OpenID response.
_UPSTREAM_FAILURES = (requests.RequestException, JoseError, RuntimeError, ValueError)


def begin_sign_in():
    """The redirect to VNeID's sign-in page; state, nonce and PKCE verifier go in the session."""
    # Only the latest attempt stays valid. authlib keeps each attempt's secrets (and the whole
    # authorize URL) in the cookie session for an hour; a citizen tapping "Đăng nhập" again and
    # again would otherwise grow the cookie past the 4 KB browsers keep, and lose the session.
    for key in [key for key in session if key.startswith(_STATE_KEY_PREFIX)]:
        session.pop(key)
    try:
        return _vneid().authorize_redirect(callback_url())
    except _UPSTREAM_FAILURES as exc:
        # Nobody has tried to sign in yet, so there is nothing to audit: an outage, logged.
        raise _failure("issuer_unreachable", exc, audit=False) from exc


def finish_sign_in() -> dict:
    """Exchange the code VNeID sent back for verified claims, then sign the citizen in."""
    try:
        token = _vneid().authorize_access_token()
    except MismatchingStateError as exc:
        raise _refusal(
            400,
            "sso_state_mismatch",
            "Phiên đăng nhập VNeID không khớp hoặc đã hết hạn. Vui lòng đăng nhập lại từ đầu.",
        ) from exc
    except OAuthError as exc:
        if exc.error == "access_denied":
            raise _refusal(
                401, "sso_denied", "Bạn đã hủy đăng nhập bằng VNeID hoặc VNeID không xác nhận danh tính."
            ) from exc
        raise _failure(f"oauth_error:{exc.error}", exc) from exc
    except _UPSTREAM_FAILURES as exc:
        raise _failure("token_exchange", exc) from exc
    claims = token.get("userinfo")
    if not claims:
        raise _failure("no_id_token", None)
    try:
        citizen = _citizen_from_claims(dict(claims))
    except cccd_rules.InvalidCCCD as exc:
        db.session.rollback()
        raise _refusal(422, "invalid_identity", f"Thông tin định danh từ VNeID không hợp lệ: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        db.session.rollback()
        raise _refusal(
            422,
            "invalid_identity",
            "Thông tin định danh từ VNeID thiếu hoặc sai định dạng (số định danh, họ tên, ngày sinh).",
        ) from exc
    return auth_service.sign_in_citizen(citizen)


def _citizen_from_claims(claims: dict):
    """Create or refresh the citizen; flushed, so one created just now has the id tokens need.

    Two first sign-ins of the same person can race (two devices, a double tap): the loser's
    insert hits the unique CCCD, and its second try finds and refreshes the winner's row.
    """
    try:
        with db.session.begin_nested():
            citizen = citizens.upsert_from_identity_provider(claims)
            db.session.flush()
        return citizen
    except IntegrityError:
        citizen = citizens.upsert_from_identity_provider(claims)
        db.session.flush()
        return citizen


def _refusal(status: int, code: str, detail: str, *, reason: str | None = None) -> ApiError:
    record_audit("auth.citizen_sign_in", outcome="denied", reason=reason or code, via=VNEID)
    db.session.commit()
    return ApiError(status, code, detail)


_SSO_FAILED = "Không kết nối được với VNeID hoặc VNeID trả lời không hợp lệ. Vui lòng thử lại sau ít phút."


def _failure(reason: str, exc: Exception | None, *, audit: bool = True) -> ApiError:
    # The exception's type only: its text may carry claims (personal data) or tokens.
    log.warning("VNeID sign-in failed (%s): %s", reason, type(exc).__name__ if exc else "-")
    if not audit:
        return ApiError(502, "sso_failed", _SSO_FAILED)
    return _refusal(502, "sso_failed", _SSO_FAILED, reason=reason)


# ---- routes ---------------------------------------------------------------------------------


@blp.route("/login")
class VNeIDLogin(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(PUBLIC)
    @blp.alt_response(302, description="Chuyển tới trang đăng nhập của VNeID.", success=True)
    def get(self):
        """Start signing in with VNeID (open in a browser): redirects to VNeID's sign-in page."""
        return begin_sign_in()


@blp.route("/callback")
class VNeIDCallback(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(PUBLIC)
    @blp.response(200, TokenPairSchema)
    def get(self):
        """Where VNeID sends the browser back: returns the API's access and refresh tokens."""
        return finish_sign_in()
