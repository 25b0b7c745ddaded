"""What the procedure-catalogue endpoints take and give."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from api.fields import computed


class ProcedureQuerySchema(Schema):
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={
            "description": "tên hoặc cách gọi thường dùng, có hoặc không dấu",
            "example": "lam giay khai sinh",
        },
    )
    field = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "lĩnh vực, có hoặc không dấu", "example": "Hộ tịch"},
    )
    online = fields.String(
        validate=validate.OneOf(("full", "partial")),
        metadata={"description": "mức trực tuyến: full = toàn trình, partial = một phần"},
    )
    authority = fields.String(
        validate=validate.OneOf(("ward", "province")),
        metadata={"description": "cấp giải quyết: ward = cấp xã, province = cấp tỉnh"},
    )


class ProcedureDocumentSchema(Schema):
    name = fields.String(metadata={"example": "Giấy chứng sinh"})
    note = fields.String(allow_none=True)
    required = fields.Boolean(metadata={"description": "bắt buộc trong mọi trường hợp"})


class ProcedureGroupRefSchema(Schema):
    code = fields.String(metadata={"example": "lien-thong-khai-sinh"})
    name = fields.String()


class ProcedureSummarySchema(Schema):
    code = fields.String(metadata={"example": "khai-sinh"})
    name = fields.String(metadata={"example": "Đăng ký khai sinh"})
    field = fields.String(metadata={"description": "lĩnh vực", "example": "Hộ tịch"})
    online_level = fields.String(metadata={"description": "full | partial"})
    online_level_name = fields.String(metadata={"example": "Toàn trình"})
    authority = fields.String(metadata={"description": "ward | province"})
    authority_level_name = fields.String(metadata={"example": "Cấp xã"})
    authority_name = fields.String(metadata={"example": "UBND cấp xã nơi cư trú của cha hoặc mẹ"})
    fee_vnd = fields.Integer(
        allow_none=True, metadata={"description": "thu khi nộp trực tuyến (VND); null: không thu khi nộp"}
    )
    fee_varies = fields.Boolean(metadata={"description": "lệ phí tùy trường hợp, cán bộ thông báo sau"})
    fee_text = fields.String(metadata={"example": "10.000 đồng"})
    processing_days = fields.Integer(metadata={"description": "số ngày làm việc tối đa"})
    processing_text = fields.String(metadata={"example": "7 ngày làm việc"})


class RoutingSchema(Schema):
    to = fields.String(metadata={"description": "ward | province: cấp của cơ quan nhận hồ sơ"})
    ward_from = fields.List(
        fields.String(),
        metadata={
            "description": "phường/xã nhận hồ sơ lấy từ đâu, theo thứ tự: form.<trường> (tờ khai ghi), "
            "chosen (người nộp chọn bằng ward_code khi nộp), residence (nơi cư trú theo VNeID)",
            "example": ["form.ward_code"],
        },
    )
    check_in_province = fields.List(
        fields.String(), metadata={"description": "phường/xã trong tờ khai phải thuộc tỉnh (thửa đất...)"}
    )
    applicant_may_choose = fields.Boolean(
        metadata={"description": "người nộp được chọn phường/xã (ward_code) vì luật cho nhiều nơi"}
    )
    reason = fields.String(metadata={"description": "căn cứ pháp lý của nơi nhận hồ sơ"})


def with_field_order(node: Any) -> Any:
    """The form schema with `x-order` (the order of `properties`) beside every `properties`.

    JSON answers are written with sorted keys, which loses the order the form's fields were
    written in (the child's name before the parents', the people before the address); clients
    that draw the form read it from `x-order`, an annotation validators ignore."""
    if isinstance(node, list):
        return [with_field_order(item) for item in node]
    if not isinstance(node, dict):
        return node
    ordered: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            ordered[key] = {name: with_field_order(schema) for name, schema in value.items()}
            ordered["x-order"] = list(value)
        else:
            ordered[key] = with_field_order(value)
    return ordered


class ProcedureSchema(ProcedureSummarySchema):
    description = fields.String(allow_none=True)
    documents = fields.List(fields.Nested(ProcedureDocumentSchema))
    form_schema = computed(
        lambda procedure: with_field_order(procedure.form_schema),
        fields.Dict(
            metadata={
                "description": "tờ khai: JSON Schema draft 2020-12; `x-order` bên cạnh mỗi `properties` "
                "cho biết thứ tự các trường (các khóa của câu trả lời JSON được sắp theo bảng chữ cái)"
            }
        ),
    )
    fee_note = fields.String(allow_none=True)
    processing_note = fields.String(allow_none=True)
    legal_basis = fields.String()
    routing = fields.Nested(
        RoutingSchema, attribute="routing_rule", metadata={"description": "nơi nhận hồ sơ và căn cứ"}
    )
    keywords = fields.List(fields.String())
    note = fields.String(allow_none=True, metadata={"description": "lưu ý, điều chưa chắc chắn"})
    group = fields.Nested(
        ProcedureGroupRefSchema, allow_none=True, metadata={"description": "nhóm liên thông"}
    )


class ProcedureGroupSchema(Schema):
    code = fields.String(metadata={"example": "lien-thong-khai-sinh"})
    name = fields.String()
    description = fields.String(allow_none=True)
    legal_basis = fields.String()
    processing_days = fields.Integer(allow_none=True, metadata={"description": "cả nhóm, nếu đã công bố"})
    note = fields.String(allow_none=True)
    procedure_codes = fields.List(fields.String(), metadata={"description": "theo thứ tự giải quyết"})
    procedures = fields.List(fields.Nested(ProcedureSummarySchema))


class EssentialServiceSchema(Schema):
    number = fields.Integer(metadata={"description": "số thứ tự trong danh sách 53 dịch vụ thiết yếu"})
    name = fields.String(metadata={"example": "Cấp hộ chiếu phổ thông ở trong nước"})
    code = fields.String(metadata={"description": "mã thủ tục, nhóm liên thông hoặc mã thông tin"})
    offered_online = fields.Boolean(
        metadata={
            "description": "true: nộp trong ứng dụng (xem procedure_code hoặc group_code); false: chỉ thông tin"
        }
    )
    procedure_code = fields.String(allow_none=True, metadata={"description": "GET /procedures/<mã>"})
    group_code = fields.String(allow_none=True, metadata={"description": "GET /procedure-groups/<mã>"})
    field = fields.String(allow_none=True, metadata={"description": "lĩnh vực (dịch vụ chỉ thông tin)"})
    authority = fields.String(allow_none=True, metadata={"description": "ward | province"})
    authority_name = fields.String(allow_none=True)
    legal_basis = fields.String(allow_none=True, metadata={"description": "điều đã biết, chưa đối chiếu"})
    verified = fields.Boolean(metadata={"description": "thông tin đã được đối chiếu với văn bản pháp luật"})
    source = fields.String(metadata={"description": "văn bản nêu dịch vụ trong danh sách thiết yếu"})
    note = fields.String(
        allow_none=True, metadata={"description": "lưu ý cho người dân (dịch vụ chỉ thông tin)"}
    )
