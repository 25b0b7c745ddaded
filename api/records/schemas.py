"""What the records endpoints take and return.

Every record shown carries where it came from (`source`, `source_name`) and when it was synced
(`synced_at`, in Vietnam's time). Co-owners of a certificate are shown by name only.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.fields import VietnamDateTime
from api.records.models import RECORD_TYPES
from api.records.service import MIN_PURPOSE_LENGTH
from api.units.schemas import ProvinceRefSchema

ORIGIN_DESCRIPTION = "nguồn dữ liệu của loại hồ sơ này, nêu cả khi công dân chưa có bản ghi nào"


class RecordProvenanceSchema(Schema):
    source = fields.String(metadata={"description": "tên kết nối nguồn"})
    source_name = fields.String(metadata={"description": "hệ thống nguồn, để hiển thị"})
    synced_at = VietnamDateTime(metadata={"description": "lần đồng bộ gần nhất"})


class RecordSourceCountSchema(RecordProvenanceSchema):
    count = fields.Integer()


class RecordSummarySchema(Schema):
    type = fields.String()
    name = fields.String()
    origin = fields.String(metadata={"description": ORIGIN_DESCRIPTION})
    count = fields.Integer()
    last_synced_at = VietnamDateTime(allow_none=True)
    sources = fields.List(fields.Nested(RecordSourceCountSchema))


class RecordWardSchema(Schema):
    code = fields.String()
    name = fields.String(allow_none=True)
    province = fields.Nested(ProvinceRefSchema, allow_none=True)


class CertificateOwnerSchema(Schema):
    full_name = fields.String()
    is_me = fields.Boolean()


class CertificateSchema(RecordProvenanceSchema):
    certificate_number = fields.String()
    parcel_number = fields.String(metadata={"description": "thửa đất số"})
    map_sheet = fields.String(metadata={"description": "tờ bản đồ số"})
    area_m2 = fields.Decimal(as_string=True, metadata={"description": "diện tích, m²"})
    land_use_purpose = fields.String()
    address = fields.String()
    ward = fields.Nested(RecordWardSchema, allow_none=True)
    status = fields.String()
    status_name = fields.String()
    issued_on = fields.Date()
    owners = fields.List(fields.Nested(CertificateOwnerSchema))


class LandRecordsSchema(Schema):
    certificates = fields.List(fields.Nested(CertificateSchema))
    sources = fields.List(fields.Nested(RecordProvenanceSchema))
    origin = fields.String(metadata={"description": ORIGIN_DESCRIPTION})


class InsuranceCardSchema(RecordProvenanceSchema):
    card_number = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date()
    facility = fields.String(metadata={"description": "nơi đăng ký khám chữa bệnh ban đầu"})
    in_force = fields.Boolean()


class ChronicConditionSchema(RecordProvenanceSchema):
    description = fields.String()
    icd10_code = fields.String(allow_none=True)
    on = fields.Date(allow_none=True, metadata={"description": "ngày chẩn đoán"})


class HealthVisitSchema(RecordProvenanceSchema):
    on = fields.Date()
    facility = fields.String()
    description = fields.String(metadata={"description": "chẩn đoán"})
    icd10_code = fields.String(allow_none=True)


class VaccinationSchema(RecordProvenanceSchema):
    on = fields.Date()
    description = fields.String(metadata={"description": "vắc xin"})
    dose = fields.Integer(metadata={"description": "mũi thứ"})
    facility = fields.String(metadata={"description": "nơi tiêm"})


class HealthBookSchema(Schema):
    insurance_card = fields.Nested(InsuranceCardSchema, allow_none=True)
    chronic_conditions = fields.List(fields.Nested(ChronicConditionSchema))
    visits = fields.List(fields.Nested(HealthVisitSchema))
    vaccinations = fields.List(fields.Nested(VaccinationSchema))
    sources = fields.List(fields.Nested(RecordProvenanceSchema))
    origin = fields.String(metadata={"description": ORIGIN_DESCRIPTION})


class EmploymentSchema(RecordProvenanceSchema):
    employer = fields.String()
    employer_tax_code = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    contribution_months = fields.Integer()


class LabourBookSchema(Schema):
    social_insurance_number = fields.String(allow_none=True, metadata={"description": "mã số BHXH"})
    current_employer = fields.String(allow_none=True)
    contribution_months = fields.Integer(metadata={"description": "tổng số tháng đóng BHXH"})
    employment_periods = fields.List(fields.Nested(EmploymentSchema))
    sources = fields.List(fields.Nested(RecordProvenanceSchema))
    origin = fields.String(metadata={"description": ORIGIN_DESCRIPTION})


class RecordAccessSchema(Schema):
    accessor = fields.String(metadata={"description": "staff:<id>, service:<id> hoặc connector:<tên>"})
    accessor_name = fields.String()
    purpose = fields.String()
    record_type = fields.String()
    at = VietnamDateTime()


class StaffReadSchema(Schema):
    cccd = fields.String(
        required=True, validate=validate.Regexp(r"^\d{12}$", error="Số căn cước phải gồm 12 chữ số.")
    )
    # Checked by the service (`purpose_required`), so a missing and a too-short purpose answer alike.
    purpose = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": f"vì sao cần xem (ít nhất {MIN_PURPOSE_LENGTH} ký tự); công dân đọc được"},
    )
    record_types = fields.List(
        fields.String(validate=validate.OneOf(RECORD_TYPES)),
        validate=validate.Length(min=1),
        metadata={"description": "mặc định: tất cả"},
    )


class RecordCitizenSchema(Schema):
    full_name = fields.String()
    cccd = fields.String()
    date_of_birth = fields.Date()


class StaffRecordsSchema(Schema):
    citizen = fields.Nested(RecordCitizenSchema)
    purpose = fields.String()
    land = fields.Nested(LandRecordsSchema)
    health = fields.Nested(HealthBookSchema)
    labour = fields.Nested(LabourBookSchema)
