"""What the administrative-unit endpoints take and give."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class FormerNameSchema(Schema):
    code = fields.String(allow_none=True, metadata={"description": "mã cũ (tỉnh), nếu có"})
    name = fields.String(attribute="full_name", metadata={"example": "tỉnh Phú Yên"})
    until = fields.Date(metadata={"description": "ngày tên này thôi được dùng"})
    note = fields.String(metadata={"example": "trước 01/7/2025: tỉnh Phú Yên"})


class ProvinceRefSchema(Schema):
    code = fields.String(metadata={"example": "66"})
    name = fields.String(metadata={"example": "Tỉnh Đắk Lắk"})


class ProvinceSchema(ProvinceRefSchema):
    short_name = fields.String(metadata={"example": "Đắk Lắk"})
    type = fields.String(metadata={"description": "tinh | thanh_pho"})
    type_name = fields.String(metadata={"example": "Tỉnh"})
    ward_count = fields.Integer(metadata={"description": "số phường, xã, đặc khu"})
    former_names = fields.List(fields.Nested(FormerNameSchema))
    note = fields.String(
        allow_none=True,
        metadata={"description": "khi tìm thấy qua tên cũ: tên cũ nào, dùng đến ngày nào"},
    )


class WardSchema(Schema):
    code = fields.String(metadata={"example": "24133"})
    name = fields.String(metadata={"example": "Phường Buôn Ma Thuột"})
    short_name = fields.String(metadata={"example": "Buôn Ma Thuột"})
    type = fields.String(metadata={"description": "phuong | xa | dac_khu"})
    type_name = fields.String(metadata={"example": "Phường"})
    full_name = fields.String(metadata={"example": "Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"})
    province = fields.Nested(ProvinceRefSchema)
    former_names = fields.List(fields.Nested(FormerNameSchema))
    note = fields.String(allow_none=True)


class ProvinceQuerySchema(Schema):
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "tên (có hoặc không dấu), kể cả tên trước 01/7/2025", "example": "phu yen"},
    )


class WardQuerySchema(Schema):
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "tên hoặc mã (có hoặc không dấu)", "example": "buon ma thuot"},
    )
    province = fields.String(
        validate=validate.Length(max=3),
        metadata={"description": "chỉ trong tỉnh/thành phố có mã này", "example": "66"},
    )
