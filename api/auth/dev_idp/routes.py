"""The development VNeID's endpoints, under /dev-idp.

A plain Flask blueprint, not part of the API's OpenAPI contract: it stands in for an outside
system, and its own discovery document (/.well-known/openid-configuration) describes it.
Token, userinfo and protocol errors answer in OAuth's own JSON shape, as VNeID would; the
sign-in page answers in HTML.
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from flask import current_app, jsonify, render_template, request

from api.auth.dev_idp import ensure_tables, service
from api.extensions import limiter, sign_in_limit
from api.http import Blueprint, accepts
from api.policy import PUBLIC, PUBLIC_FOREIGN_TOKEN, allow

FORM = "application/x-www-form-urlencoded"
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

bp = Blueprint("dev_idp", __name__, url_prefix=service.PREFIX, template_folder="templates")
# Before each of its requests (two look-ups, development only), not once: a `flask db upgrade` run
# while the server runs drops them, and the next sign-in creates them again.
bp.before_request(ensure_tables)

BAD_CREDENTIALS = "Số định danh cá nhân hoặc mã xác thực không đúng."
BAD_REQUEST = (
    "Yêu cầu đăng nhập không hợp lệ: ứng dụng gửi yêu cầu chưa được đăng ký, hoặc địa chỉ quay về "
    "không khớp với địa chỉ đã đăng ký."
)


def _server():
    return current_app.extensions["dev_idp"]["server"]


def _page(*, error: str | None = None, status: int = 200, cccd: str = "", broken: bool = False):
    html = render_template("dev_idp/authorize.html", error=error, cccd=cccd, broken=broken)
    # The page takes a secret: nobody may frame it, cache it, or load anything into it.
    return (
        html,
        status,
        {
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


@bp.get("/.well-known/openid-configuration")
@allow(PUBLIC)
def discovery():
    return jsonify(service.provider_metadata())


@bp.get("/jwks")
@allow(PUBLIC)
def jwks():
    return jsonify(service.public_jwks())


@bp.route("/authorize", methods=["GET", "POST"])
@allow(PUBLIC)
@accepts(FORM)
@limiter.limit(sign_in_limit, methods=["POST"])
def authorize():
    """GET shows the sign-in page; POST checks CCCD and passcode and sends the code back."""
    server = _server()
    try:
        grant = server.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        if error.redirect_uri:  # the client and its redirect URI are verified: tell the client
            return server.handle_error_response(None, error)
        return _page(error=BAD_REQUEST, status=400, broken=True)
    if request.method == "GET":
        return _page()
    if request.form.get("action") == "cancel":
        return server.create_authorization_response(grant_user=None, grant=grant)
    cccd = request.form.get("cccd", "")
    claims = service.authenticate(cccd, request.form.get("passcode", ""))
    if claims is None:
        return _page(error=BAD_CREDENTIALS, status=401, cccd=cccd[:20])
    return server.create_authorization_response(grant_user=claims, grant=grant)


@bp.post("/token")
@allow(PUBLIC)
@accepts(FORM)
def token():
    return _server().create_token_response()


@bp.route("/userinfo", methods=["GET", "POST"])
@allow(PUBLIC_FOREIGN_TOKEN)  # the bearer token is this provider's, not the API's
@accepts(FORM)
def userinfo():
    return _server().create_endpoint_response("userinfo")
