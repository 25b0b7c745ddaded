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
