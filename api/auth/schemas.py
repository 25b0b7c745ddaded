"""What goes in and out of the sign-in endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String()
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "giây"})
    scope = fields.String()


class StaffSignInSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    totp = fields.String(validate=validate.Regexp(r"^\d{6}$", error="Mã xác thực gồm 6 chữ số."))


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TotpEnrolmentSchema(Schema):
    secret = fields.String(required=True)
    otpauth_uri = fields.String(required=True)


class TotpConfirmSchema(Schema):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^\d{6}$", error="Mã xác thực gồm 6 chữ số.")
    )


class ServiceTokenRequestSchema(Schema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    client_secret = fields.String(required=True, validate=validate.Length(min=1, max=256))
    scope = fields.String(metadata={"description": "các quyền cần, cách nhau bởi dấu cách; mặc định: tất cả"})


class WhoAmISchema(Schema):
    kind = fields.String(required=True)
    id = fields.String(required=True)
    role = fields.String(allow_none=True)
    identity_level = fields.Integer(allow_none=True)
    scopes = fields.List(fields.String())


# ---- a VNeID sign-in that ends in an app (api/auth/app_handoff.py) ----------------------------

_BASE64URL_43_128 = r"^[A-Za-z0-9_-]{43,128}$"


class VNeIDLoginQuerySchema(Schema):
    """`GET /auth/vneid/login`: without `redirect_uri`, the callback answers the token pair
    itself (API clients, scripts); with it, the sign-in ends in that app (RFC 8252, PKCE).

    The PKCE fields are checked by the API, not here, so that a missing or malformed
    challenge is the 400 `pkce_required` an app can act on rather than a generic 422.
    """

    redirect_uri = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={
            "description": "địa chỉ ứng dụng nhận mã đăng nhập; phải trùng khớp một địa chỉ đã đăng ký "
            "(`APP_REDIRECT_URIS`), nếu không: 400 `redirect_uri_not_registered`",
            "example": "https://congdanso.daklak.gov.vn/app/signed-in",
        },
    )
    code_challenge = fields.String(
        metadata={
            "description": "PKCE (RFC 7636): base64url(SHA-256(code_verifier)), 43–128 ký tự; bắt buộc "
            "khi có `redirect_uri` (400 `pkce_required`)",
            "pattern": _BASE64URL_43_128,
            "minLength": 43,
            "maxLength": 128,
        }
    )
    code_challenge_method = fields.String(
        metadata={
            "description": "chỉ `S256` (400 `pkce_method_unsupported`)",
            "enum": ["S256"],
        }
    )
    state = fields.String(
        validate=validate.Length(min=1, max=256),
        metadata={"description": "giá trị của ứng dụng, trả lại nguyên vẹn kèm mã hoặc lỗi"},
    )


class AppTokenRequestSchema(Schema):
    """`POST /auth/app/token`: the one-time code an app received, with its PKCE verifier."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=256))
    code_verifier = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "PKCE verifier (RFC 7636 §4.1): 43–128 ký tự [A-Za-z0-9-._~]"},
    )
    redirect_uri = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "đúng địa chỉ đã gửi khi bắt đầu đăng nhập"},
    )
