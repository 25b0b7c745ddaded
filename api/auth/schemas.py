"""What goes in and out of the sign-in endpoints."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.fields import VietnamDateTime, computed
from api.text import nfc
from api.units import service as units


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
    display_name = fields.String(
        allow_none=True, metadata={"description": "họ tên (cán bộ, công dân); tên tài khoản máy"}
    )
    ward_code = fields.String(allow_none=True, metadata={"description": "đơn vị của cán bộ (phường, xã)"})
    ward_name = fields.String(allow_none=True)


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


# ---- staff account administration (api/auth/admin.py) ------------------------------------------

STAFF_ROLE_NAMES = {
    "officer": "Cán bộ một cửa",
    "police": "Công an",
    "comms": "Truyền thông",
    "agent": "Tổng đài viên",
    "leader": "Lãnh đạo",
    "admin": "Quản trị viên",
}
_ROLE = validate.OneOf(list(STAFF_ROLE_NAMES), error="Vai trò phải là một trong: {choices}.")
_WARD_CODE = validate.Regexp(r"^\d{5}$", error="Mã phường/xã gồm 5 chữ số.")
_USERNAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$",
    error="Tên đăng nhập dài 3–64 ký tự, chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.",
)


_NOT_IN_A_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class _NfcName(fields.String):
    """A person's name as typed, NFC-normalised with single spaces (api.text.nfc). Control
    characters and lone surrogates are refused: PostgreSQL cannot store a NUL, and no name has one."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if _NOT_IN_A_NAME.search(text):
            raise ValidationError("Họ tên có ký tự không hợp lệ.")
        return nfc(text)


class StaffAccountSchema(Schema):
    id = fields.UUID(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": list(STAFF_ROLE_NAMES)})
    role_name = computed(
        lambda user: STAFF_ROLE_NAMES.get(user.role, user.role),
        fields.String(),
        metadata={"example": "Công an"},
    )
    ward_code = fields.String(allow_none=True, metadata={"description": "đơn vị; null: cấp tỉnh"})
    ward_name = computed(
        lambda user: ward.name if (ward := units.get_ward(user.ward_code)) else None,
        fields.String(allow_none=True),
    )
    active = fields.Boolean(required=True, metadata={"description": "false: đã khóa, không đăng nhập được"})
    totp_enabled = fields.Boolean(required=True, metadata={"description": "đã bật xác thực hai lớp"})
    created_at = VietnamDateTime(required=True)
    password_changed_at = VietnamDateTime(required=True)


class StaffCreatedSchema(StaffAccountSchema):
    generated_password = fields.String(
        allow_none=True,
        metadata={
            "description": "mật khẩu khởi tạo do hệ thống sinh, chỉ hiện lần này; null khi quản trị viên "
            "tự đặt mật khẩu"
        },
    )


class StaffListQuerySchema(Schema):
    role = fields.String(validate=_ROLE, metadata={"description": "chỉ vai trò này"})
    active = fields.Boolean(metadata={"description": "true: đang hoạt động; false: đã khóa"})
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "tìm theo họ tên hoặc tên đăng nhập, có hoặc không dấu",
            "example": "nguyen an",
        },
    )
    id = fields.List(
        fields.UUID(),
        validate=validate.Length(max=100),
        metadata={
            "description": "chỉ các tài khoản có mã này (lặp lại tham số; để hiện tên người trong nhật ký)"
        },
    )


class StaffCreateSchema(Schema):
    username = fields.String(required=True, validate=_USERNAME, metadata={"example": "nv.an"})
    full_name = _NfcName(required=True, validate=validate.Length(min=2, max=120))
    role = fields.String(required=True, validate=_ROLE)
    ward_code = fields.String(
        allow_none=True, validate=_WARD_CODE, metadata={"description": "đơn vị; bỏ trống: cấp tỉnh"}
    )
    password = fields.String(
        validate=validate.Length(min=1, max=256),
        metadata={"description": "mật khẩu khởi tạo; bỏ trống thì hệ thống sinh và trả về một lần"},
    )


class StaffPatchSchema(Schema):
    full_name = _NfcName(validate=validate.Length(min=2, max=120))
    role = fields.String(validate=_ROLE, metadata={"description": "đổi vai trò thu hồi mọi phiên đăng nhập"})
    ward_code = fields.String(
        allow_none=True, validate=_WARD_CODE, metadata={"description": "null: cấp tỉnh"}
    )

    @validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Hãy gửi ít nhất một trường cần sửa.", field_name="_schema")


class ServiceAccountViewSchema(Schema):
    id = fields.UUID(required=True)
    client_id = fields.String(required=True)
    name = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    created_at = VietnamDateTime(required=True)
