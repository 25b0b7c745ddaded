"""The API's own tokens: short-lived JWT access tokens and rotating refresh tokens.

Every sign-in (citizen by VNeID, staff by password, machine by client secret) starts an
`AuthSession`. Access tokens name their session (`sid`), and every request checks that the
session is alive, so logout and password change take effect at once, not when the access
token expires. Refresh tokens rotate: each use returns a new pair and retires the old
refresh token; a retired one presented again revokes the session (RFC 6819 §5.2.2.3).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import jwt as pyjwt
from flask import Flask, current_app, has_request_context, request
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from sqlalchemy import update

from api.audit import record_audit
from api.auth.models import AuthSession
from api.dbtypes import utcnow
from api.errors import ApiError, problem_response
from api.extensions import db, jwt
from api.unit_of_work import checkpoint, rollback


def start_session(subject: str, claims: dict, *, with_refresh: bool = True) -> dict:
    """Open a session for `subject` and return its first token pair (not yet committed)."""
    session = AuthSession(
        subject=subject,
        expires_at=utcnow() + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
        ip=request.remote_addr if has_request_context() else None,
        user_agent=(request.user_agent.string[:200] or None) if has_request_context() else None,
    )
    db.session.add(session)
    db.session.flush()
    return _issue(session, claims, with_refresh=with_refresh)


def _issue(session: AuthSession, claims: dict, *, with_refresh: bool) -> dict:
    token_claims = {"sid": str(session.id), **claims}
    pair = {
        "access_token": create_access_token(identity=session.subject, additional_claims=token_claims),
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }
    if with_refresh:
        refresh = create_refresh_token(identity=session.subject, additional_claims={"sid": str(session.id)})
        session.current_refresh_jti = decode_token(refresh)["jti"]
        pair["refresh_token"] = refresh
    return pair


def delegated_access_token(subject: str, claims: dict, *, via: str, lifetime: timedelta) -> str:
    """A short-lived, read-only access token of `subject` for a component acting for them.

    The chatbot's actions read a citizen's dossiers with it, as that citizen and nobody else.
    It names the caller's own session (`sid` in `claims`), so signing out revokes it too, and
    the policy refuses it on anything but GET (`via` marks it): it can look, never change.
    """
    return create_access_token(
        identity=subject, additional_claims={**claims, "via": via}, expires_delta=lifetime
    )


def delegated_subject(token: str, *, via: str) -> str:
    """The subject (`citizen:<id>`) of a delegated token that `via` holds and presents for them.

    The component acting for a citizen (the chatbot's action server, as a machine account)
    hands over the token it was given; this checks it as the API checks its own tokens: the
    signature and expiry (flask-jwt-extended), an access token, delegated to `via` (a citizen's
    own app token is refused: only the short-lived token made for the chat may travel through
    the bot), and its session still alive (signing out ends it, as for every request). Any
    failure is a 401 problem whose code starts with `delegated_token_`, so the caller can tell
    it from a refusal of its own machine token.
    """
    try:
        claims = decode_token(token)
    except pyjwt.ExpiredSignatureError as exc:
        raise ApiError(
            401,
            "delegated_token_expired",
            "Phiên đăng nhập của công dân đã hết hạn. Công dân cần đăng nhập lại bằng VNeID.",
        ) from exc
    except (pyjwt.PyJWTError, JWTExtendedException, ValueError) as exc:
        raise _not_delegated() from exc
    if claims.get("type") != "access" or claims.get("via") != via or not str(claims.get("sub", "")).strip():
        raise _not_delegated()
    session = _session_by_id(claims.get("sid"))
    if session is None or not is_alive(session) or session.subject != claims["sub"]:
        raise ApiError(
            401,
            "delegated_token_revoked",
            "Phiên đăng nhập của công dân đã kết thúc. Công dân cần đăng nhập lại bằng VNeID.",
        )
    return str(claims["sub"])


def _not_delegated() -> ApiError:
    return ApiError(401, "delegated_token_invalid", "Mã ủy quyền của công dân không hợp lệ.")


def rotate(refresh_claims: dict, claims_for_subject) -> dict:
    """Exchange a refresh token for a new pair; a replayed refresh token revokes its session.

    `claims_for_subject(subject)` re-reads the account (role, identity level, still active?)
    so a change made since sign-in shows up in the new access token.
    """
    session = _live_session(refresh_claims.get("sid"))
    new_claims = claims_for_subject(session.subject)
    if new_claims is None:
        revoke_session(session, "account_disabled")
        checkpoint("the session of a disabled account stays revoked although the refresh is refused")
        raise ApiError(401, "account_disabled", "Tài khoản đã bị khóa hoặc không còn tồn tại.")
    # Compare-and-set, so two concurrent refreshes with one token cannot both succeed.
    new_refresh = create_refresh_token(identity=session.subject, additional_claims={"sid": str(session.id)})
    new_jti = decode_token(new_refresh)["jti"]
    swapped = db.session.execute(
        update(AuthSession)
        .where(
            AuthSession.id == session.id,
            AuthSession.current_refresh_jti == refresh_claims["jti"],
            AuthSession.revoked_at.is_(None),
        )
        .values(current_refresh_jti=new_jti)
        .execution_options(synchronize_session=False)
    ).rowcount
    if swapped != 1:
        rollback()  # re-read the session as the winner of the race left it
        session = db.session.get(AuthSession, session.id)
        revoke_session(session, "refresh_reuse")
        record_audit(
            "auth.refresh_reuse", actor=session.subject, target=f"session:{session.id}", outcome="denied"
        )
        checkpoint("a replayed refresh token's session stays revoked although the request is refused")
        raise ApiError(
            401,
            "refresh_token_reused",
            "Mã làm mới đã được dùng trước đó; phiên đăng nhập đã bị thu hồi để bảo vệ tài khoản. "
            "Vui lòng đăng nhập lại.",
        )
    return {
        "access_token": create_access_token(
            identity=session.subject, additional_claims={"sid": str(session.id), **new_claims}
        ),
        "refresh_token": new_refresh,
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()),
    }


def _live_session(sid: str | None) -> AuthSession:
    session = _session_by_id(sid)
    if session is None or not is_alive(session):
        raise ApiError(401, "token_revoked", "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.")
    return session


def _session_by_id(sid: str | None) -> AuthSession | None:
    try:
        return db.session.get(AuthSession, uuid.UUID(str(sid)))
    except ValueError:
        return None


def is_alive(session: AuthSession, now: datetime | None = None) -> bool:
    return session.revoked_at is None and session.expires_at > (now or utcnow())


def revoke_session(session: AuthSession, reason: str) -> None:
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        session.revoked_reason = reason


def revoke_session_by_id(sid: str, reason: str) -> None:
    session = _session_by_id(sid)
    if session is not None:
        revoke_session(session, reason)


def revoke_all_sessions(subject: str, reason: str) -> int:
    result = db.session.execute(
        update(AuthSession)
        .where(AuthSession.subject == subject, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def init_token_checks(app: Flask) -> None:
    """Session liveness on every token, and problem details for every token failure."""

    @jwt.token_in_blocklist_loader
    def session_is_gone(jwt_header, jwt_payload) -> bool:
        session = _session_by_id(jwt_payload.get("sid"))
        return session is None or not is_alive(session)

    @jwt.expired_token_loader
    def expired(jwt_header, jwt_payload):
        return problem_response(
            401, "token_expired", "Phiên đăng nhập đã hết hạn. Vui lòng làm mới hoặc đăng nhập lại."
        )

    @jwt.invalid_token_loader
    def invalid(reason: str):
        return problem_response(401, "token_invalid", "Mã truy cập không hợp lệ.")

    @jwt.unauthorized_loader
    def missing(reason: str):
        return problem_response(401, "token_missing", "Bạn cần đăng nhập để thực hiện thao tác này.")

    @jwt.revoked_token_loader
    def revoked(jwt_header, jwt_payload):
        return problem_response(401, "token_revoked", "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại.")

    @jwt.user_lookup_error_loader
    def account_gone(jwt_header, jwt_payload):  # pragma: no cover - no user loader is registered
        return problem_response(401, "account_disabled", "Tài khoản không còn tồn tại.")
