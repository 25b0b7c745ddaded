"""Citizens sign in with VNeID: OpenID Connect authorization code flow with PKCE (S256).

    GET /auth/vneid/login     302 to VNeID's authorize endpoint, with state, nonce and a PKCE
                              challenge; their secrets stay in the Flask session (a signed cookie)
    GET /auth/vneid/callback  VNeID sends the browser back here with a code; the code is
                              exchanged over HTTP at VNeID's token endpoint, the id_token checked
                              against VNeID's published keys (signature, issuer, audience, expiry,
                              nonce), the citizen created or refreshed from its claims, and the
                              API's own token pair returned
    POST /auth/app/token      for a sign-in an app started (login with `redirect_uri` and PKCE),
                              the callback sends the browser on to the app with a one-time code
                              instead; the app trades it here for the token pair
                              (api/auth/app_handoff.py)

authlib does the protocol. The issuer is OIDC_ISSUER; when that is empty (development, tests)
the development provider in api/auth/dev_idp is mounted at PUBLIC_BASE_URL + "/dev-idp" and
used instead, over the same HTTP hops. Failures are problem details with stable codes:
`sso_state_mismatch`, `sso_denied`, `sso_failed` (502: VNeID unreachable or answering
nonsense) and `invalid_identity` (422: claims the citizen rules reject). For a sign-in an app
started, the same failures go back to the app as `?error=<code>&error_description=...`.
"""

from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, redirect, request, session
from flask.views import MethodView
from joserfc.errors import JoseError
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.auth import app_handoff, dev_idp
from api.auth import service as auth_service
from api.auth.dev_idp import models as _dev_idp_models  # noqa: F401  (on the metadata: tests create them)
from api.auth.schemas import AppTokenRequestSchema, TokenPairSchema, VNeIDLoginQuerySchema
from api.citizens import cccd as cccd_rules
from api.citizens import service as citizens
from api.errors import ApiError
from api.extensions import api, db, limiter, sign_in_limit
from api.http import Blueprint
from api.policy import PUBLIC, allow
from api.unit_of_work import checkpoint, rollback

log = logging.getLogger(__name__)

VNEID = "vneid"
CALLBACK_PATH = auth_service.VNEID_CALLBACK_PATH
SCOPE = "openid profile"
HTTP_TIMEOUT = 10  # seconds for each call to VNeID; a hung issuer must not hang a worker
_OAUTH_EXTENSION = "authlib.integrations.flask_client"
_STATE_KEY_PREFIX = f"_state_{VNEID}_"  # how authlib names its per-attempt session entries
# The app hand-off of the attempt under way, next to authlib's entry, with that entry's state.
_HANDOFF_KEY = f"_app_handoff_{VNEID}"
# Answers that carry a one-time code or tokens must not be kept by a browser or a proxy.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

blp = Blueprint("vneid", __name__, url_prefix="/auth/vneid", description="Đăng nhập công dân bằng VNeID")
app_blp = Blueprint(
    "app_sign_in",
    __name__,
    url_prefix="/auth/app",
    description="Đăng nhập bằng VNeID kết thúc trong ứng dụng (PWA, ứng dụng di động)",
)


def issuer_url(config) -> str:
    return (config.get("OIDC_ISSUER") or "").rstrip("/") or config["PUBLIC_BASE_URL"] + dev_idp.PREFIX


def callback_url(config=None) -> str:
    return auth_service.vneid_callback_url(config or current_app.config)


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
    api.register_blueprint(app_blp)


def _vneid():
    return current_app.extensions[_OAUTH_EXTENSION].create_client(VNEID)


# ---- the flow -------------------------------------------------------------------------------

# VNeID unreachable, or answering with something that is not a usable OpenID response.
_UPSTREAM_FAILURES = (requests.RequestException, JoseError, RuntimeError, ValueError)


def begin_sign_in(handoff: app_handoff.Handoff | None = None):
    """The redirect to VNeID's sign-in page; state, nonce and PKCE verifier go in the session,
    and so does the app hand-off when an app started the sign-in."""
    # Only the latest attempt stays valid. authlib keeps each attempt's secrets (and the whole
    # authorize URL) in the cookie session for an hour; a citizen tapping "Đăng nhập" again and
    # again would otherwise grow the cookie past the 4 KB browsers keep, and lose the session.
    for key in [key for key in session if key.startswith(_STATE_KEY_PREFIX)]:
        session.pop(key)
    session.pop(_HANDOFF_KEY, None)
    try:
        # authlib's `authorize_redirect`, in its two steps, to learn the attempt's state.
        vneid = _vneid()
        authorization = vneid.create_authorization_url(callback_url())
        vneid.save_authorize_data(redirect_uri=callback_url(), **authorization)
    except _UPSTREAM_FAILURES as exc:
        # Nobody has tried to sign in yet, so there is nothing to audit: an outage, logged.
        failure = _failure("issuer_unreachable", exc, audit=False)
        if handoff is None:
            raise failure from exc
        return _to_app(app_handoff.error_location(handoff, failure.code, failure.detail))
    if handoff is not None:
        session[_HANDOFF_KEY] = {"attempt": authorization["state"], **handoff.as_session_value()}
    return redirect(authorization["url"])


def finish_sign_in() -> dict:
    """Exchange the code VNeID sent back for verified claims, then sign the citizen in."""
    return auth_service.sign_in_citizen(_verified_citizen())


def finish_app_sign_in(pending: dict):
    """The end of a sign-in an app started: the browser goes on to the app, with a one-time
    code or with the reason it failed. No token is made here: the app trades the code for them."""
    handoff = app_handoff.Handoff.from_session_value(pending)
    if not app_handoff.still_registered(handoff, current_app.config):
        session.pop(_HANDOFF_KEY, None)
        raise _refusal(
            400,
            "redirect_uri_not_registered",
            "Địa chỉ chuyển hướng của ứng dụng không còn được đăng ký. Vui lòng đăng nhập lại từ ứng dụng.",
        )
    try:
        if request.args.get("state") != pending["attempt"]:
            # Not this attempt's answer (tampered, or another attempt's): refused, and the
            # attempt kept, so that its own answer still ends in the app.
            raise _state_mismatch()
        session.pop(_HANDOFF_KEY, None)
        citizen = _verified_citizen()
        code = app_handoff.issue_code(citizen.id, handoff)
    except ApiError as refusal:  # audited already, as for every sign-in
        # The answer is a redirect (a success to the unit of work): nothing the failed attempt
        # staged may be committed with it. The refusal's audit entry is already durable.
        rollback()
        return _to_app(app_handoff.error_location(handoff, refusal.code, refusal.detail))
    return _to_app(app_handoff.success_location(handoff, code))


def _to_app(location: str):
    response = redirect(location)
    response.headers.update(_NO_STORE)
    return response


def _state_mismatch() -> ApiError:
    return _refusal(
        400,
        "sso_state_mismatch",
        "Phiên đăng nhập VNeID không khớp hoặc đã hết hạn. Vui lòng đăng nhập lại từ đầu.",
    )


def _verified_citizen():
    """The citizen VNeID vouched for at this callback, created or refreshed from its claims."""
    try:
        token = _vneid().authorize_access_token()
    except MismatchingStateError as exc:
        raise _state_mismatch() from exc
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
        rollback()
        raise _refusal(422, "invalid_identity", f"Thông tin định danh từ VNeID không hợp lệ: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        rollback()
        raise _refusal(
            422,
            "invalid_identity",
            "Thông tin định danh từ VNeID thiếu hoặc sai định dạng (số định danh, họ tên, ngày sinh).",
        ) from exc
    return citizen


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
    checkpoint("a refused sign-in stays on the audit log although the request fails")
    return ApiError(status, code, detail)


_SSO_FAILED = "Không kết nối được với VNeID hoặc VNeID trả lời không hợp lệ. Vui lòng thử lại sau ít phút."


def _failure(reason: str, exc: Exception | None, *, audit: bool = True) -> ApiError:
    # The exception's type only: its text may carry claims (personal data) or tokens.
    log.warning("VNeID sign-in failed (%s): %s", reason, type(exc).__name__ if exc else "-")
    if not audit:
        return ApiError(502, "sso_failed", _SSO_FAILED)
    return _refusal(502, "sso_failed", _SSO_FAILED, reason=reason)


# ---- routes ---------------------------------------------------------------------------------


_LOCATION = {
    "Location": {"description": "địa chỉ chuyển tới", "schema": {"type": "string"}, "required": True}
}
_APP_LOCATION = {
    "Location": {
        "description": "`redirect_uri` của ứng dụng, kèm `code` và `state` khi thành công, hoặc `error`, "
        "`error_description` và `state` khi thất bại",
        "schema": {"type": "string"},
        "required": True,
    }
}


@blp.route("/login")
class VNeIDLogin(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(PUBLIC)
    @blp.arguments(VNeIDLoginQuerySchema, location="query")
    @blp.alt_response(
        302,
        description="Chuyển tới trang đăng nhập của VNeID (hoặc, khi ứng dụng bắt đầu và VNeID không trả "
        "lời, về `redirect_uri` của ứng dụng với `error=sso_failed`).",
        headers=_LOCATION,
        success=True,
    )
    @blp.alt_response(
        400,
        description="`redirect_uri_not_registered` (không chuyển hướng), `pkce_required`, "
        "`pkce_method_unsupported`, `redirect_uri_required` (có PKCE hoặc state mà thiếu redirect_uri)",
    )
    @blp.alt_response(502, description="`sso_failed`: VNeID không trả lời")
    def get(self, arguments):
        """Start signing in with VNeID (open in a browser): redirects to VNeID's sign-in page.

        An app (the PWA, a native app) adds its registered `redirect_uri`, a PKCE
        `code_challenge` (S256) and its `state`: the sign-in then ends at that URI with a one-time
        `code` to trade at `POST /auth/app/token`, never with tokens in a URL.
        """
        return begin_sign_in(app_handoff.requested_handoff(arguments, current_app.config))


@blp.route("/callback")
class VNeIDCallback(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(PUBLIC)
    @blp.response(200, TokenPairSchema, description="Đăng nhập không qua ứng dụng: cặp mã truy cập")
    @blp.alt_response(
        302,
        description="Đăng nhập do ứng dụng bắt đầu: chuyển về `redirect_uri` của ứng dụng với mã dùng một lần "
        "(hoặc lỗi); không có mã truy cập nào trong địa chỉ.",
        headers=_APP_LOCATION,
        success=True,
    )
    @blp.alt_response(400, description="`sso_state_mismatch`, `redirect_uri_not_registered`")
    @blp.alt_response(401, description="`sso_denied`: người dùng hủy hoặc VNeID từ chối")
    @blp.alt_response(422, description="`invalid_identity`: thông tin định danh không hợp lệ")
    @blp.alt_response(502, description="`sso_failed`: VNeID không trả lời hoặc trả lời sai")
    def get(self):
        """Where VNeID sends the browser back: returns the API's access and refresh tokens, or,
        for a sign-in an app started, sends the browser on to the app with a one-time code."""
        pending = session.get(_HANDOFF_KEY)
        if pending is not None:
            return finish_app_sign_in(pending)
        return finish_sign_in()


@app_blp.route("/token")
class AppToken(MethodView):
    decorators = [limiter.limit(sign_in_limit)]

    @allow(PUBLIC)
    @app_blp.arguments(AppTokenRequestSchema)
    @app_blp.response(200, TokenPairSchema)
    @app_blp.alt_response(
        400,
        description="`invalid_grant`: mã không đúng, đã dùng (phiên mua bằng mã bị thu hồi), hết hạn, "
        "code_verifier hoặc redirect_uri không khớp",
    )
    def post(self, body):
        """Trade the one-time code an app received (with its PKCE verifier) for the token pair.

        The code is good once, for 60 seconds; presented again, the session it opened is revoked.
        """
        pair = app_handoff.exchange_code(body["code"], body["code_verifier"], body["redirect_uri"])
        return pair, 200, _NO_STORE
