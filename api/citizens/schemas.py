"""What the citizen's own endpoints (/me) take and give."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.citizens.phone import InvalidPhone, normalise_mobile
from api.text import nfc
from api.units.schemas import ProvinceRefSchema


class VietnameseMobile(fields.String):
    """A Vietnamese mobile number, loaded in its normal form "0912345678"."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_mobile(text)
        except InvalidPhone as exc:
            raise ValidationError(str(exc)) from exc


class NfcString(fields.String):
    """Text as citizens type it, NFC-normalised with single spaces (api.text.nfc)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return nfc(super()._deserialize(value, attr, data, **kwargs))


# ---- out ----------------------------------------------------------------------------------------


class WardRefSchema(Schema):
    code = fields.String(metadata={"example": "24133"})
    name = fields.String(allow_none=True, metadata={"example": "Phường Buôn Ma Thuột"})
    province = fields.Nested(ProvinceRefSchema, allow_none=True)


class DigitalAssetSchema(Schema):
    key = fields.String(
        metadata={"description": "vneid | e_payment_account | digital_address | digital_signature"}
    )
    name = fields.String(metadata={"example": "Tài khoản định danh điện tử VNeID"})
    status = fields.String(metadata={"description": "present | missing"})
    detail = fields.String()
    how_to_obtain = fields.String(
        allow_none=True, metadata={"description": "cách có được (hoặc nâng cấp) tài sản này"}
    )
    link = fields.String(allow_none=True)
    level = fields.Integer(allow_none=True, metadata={"description": "mức định danh, chỉ với VNeID"})


class CompletenessSchema(Schema):
    present = fields.Integer()
    total = fields.Integer()


class ProfileSchema(Schema):
    id = fields.UUID()
    full_name = fields.String()
    cccd = fields.String()
    date_of_birth = fields.Date()
    sex = fields.String(metadata={"description": "male | female"})
    phone = fields.String(allow_none=True)
    ward = fields.Nested(WardRefSchema, allow_none=True, metadata={"description": "nơi thường trú"})
    identity_level = fields.Integer()
    assets = fields.List(
        fields.Nested(DigitalAssetSchema),
        metadata={"description": "bốn điều kiện công dân số (mô hình 23, Đề án 06)"},
    )
    missing = fields.List(fields.String(), metadata={"description": "khóa của các tài sản còn thiếu"})
    completeness = fields.Nested(CompletenessSchema)


class DigitalAddressSchema(Schema):
    street = fields.String(metadata={"example": "12 Lê Duẩn"})
    ward = fields.Nested(WardRefSchema)
    full_address = fields.String(metadata={"example": "12 Lê Duẩn, Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"})
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    updated_at = fields.AwareDateTime()


# ---- in -----------------------------------------------------------------------------------------


class ProfilePatchSchema(Schema):
    phone = VietnameseMobile(required=True, metadata={"example": "0912345678"})


class DigitalAddressInputSchema(Schema):
    street = NfcString(
        required=True,
        validate=validate.Length(
            min=1, max=200, error="Số nhà, tên đường cần từ 1 đến 200 ký tự (sau khi bỏ khoảng trắng thừa)."
        ),
        metadata={"example": "12 Lê Duẩn"},
    )
    ward_code = fields.String(
        required=True,
        validate=validate.Length(max=10, error="Mã phường/xã không hợp lệ."),
        metadata={"description": "mã phường, xã, đặc khu (5 chữ số, từ 01/7/2025)", "example": "24133"},
    )
    latitude = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(-90, 90, error="Vĩ độ phải nằm trong khoảng -90 đến 90."),
        metadata={"description": "trong lãnh thổ Việt Nam: 8,1–23,4 (Hoàng Sa, Trường Sa theo đặc khu)"},
    )
    longitude = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(-180, 180, error="Kinh độ phải nằm trong khoảng -180 đến 180."),
        metadata={"description": "trong lãnh thổ Việt Nam: 102,1–109,5 (Hoàng Sa, Trường Sa theo đặc khu)"},
    )

    @validates_schema
    def both_coordinates_or_neither(self, data, **kwargs):
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            raise ValidationError("Cần gửi cả vĩ độ và kinh độ, hoặc không gửi cả hai.", missing)
