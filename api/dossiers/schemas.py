"""What the dossier endpoints take and return.

Citizens and staff see different shapes of the same dossier: the staff view adds the
applicant's identity and who did each step; the public tracking view has no personal data.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.dossiers import service
from api.dossiers.workflow import (
    CITIZEN_ACTIONS,
    OFFICER_ACTIONS,
    PAY_FEE,
    RATE,
    STATUS_NAMES,
    citizen_actions,
    is_overdue,
    step_label,
)
from api.fields import VietnamDateTime, computed

_WARD_CODE = validate.Regexp(r"^\d{5}$", error="Mã phường/xã gồm 5 chữ số.")
_NOTE = validate.Length(max=2000)


class AttachmentInSchema(Schema):
    document_id = fields.UUID(required=True, metadata={"description": "id giấy tờ trong kho giấy tờ cá nhân"})
    requirement = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"description": "thành phần hồ sơ mà giấy tờ này đáp ứng"},
    )


class ApplicationSchema(Schema):
    """One procedure (`procedure_code` + `form`) or an interconnected group (`group_code` + `forms`)."""

    procedure_code = fields.String(validate=validate.Length(min=1, max=32))
    form = fields.Dict(keys=fields.String(), metadata={"description": "tờ khai theo form_schema của thủ tục"})
    group_code = fields.String(validate=validate.Length(min=1, max=32))
    forms = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String()),
        metadata={"description": "nhóm liên thông: tờ khai của từng thủ tục, theo mã thủ tục"},
    )
    ward_code = fields.String(
        validate=_WARD_CODE,
        metadata={
            "description": "phường/xã người nộp chọn, chỉ với thủ tục có routing.applicant_may_choose "
            "(luật cho chọn nơi cư trú của cha hoặc mẹ, của một trong hai bên...); thủ tục khác nộp theo "
            "nơi luật định (tờ khai, nơi cư trú) và bỏ qua trường này"
        },
    )
    attachments = fields.List(
        fields.Nested(AttachmentInSchema), load_default=list, validate=validate.Length(max=30)
    )

    @validates_schema
    def one_kind_of_application(self, data, **kwargs):
        single = "procedure_code" in data or "form" in data
        group = "group_code" in data or "forms" in data
        if single == group:
            raise ValidationError(
                "Nộp một thủ tục (procedure_code, form) hoặc một nhóm liên thông (group_code, forms)."
            )
        if single and ("procedure_code" not in data or "form" not in data):
            missing = "form" if "procedure_code" in data else "procedure_code"
            raise ValidationError("Trường này là bắt buộc.", missing)
        if group and ("group_code" not in data or "forms" not in data):
            missing = "forms" if "group_code" in data else "group_code"
            raise ValidationError("Trường này là bắt buộc.", missing)


class CitizenActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(CITIZEN_ACTIONS))
    note = fields.String(validate=_NOTE)
    attachments = fields.List(
        fields.Nested(AttachmentInSchema), load_default=list, validate=validate.Length(max=30)
    )


class OfficerActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(OFFICER_ACTIONS))
    note = fields.String(validate=_NOTE)
    fee_vnd = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=1_000_000_000),
        metadata={"description": "số tiền phí, lệ phí (VND) khi yêu cầu nộp phí"},
    )


class RatingSchema(Schema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(validate=validate.Length(max=1000))


class QueueQuerySchema(Schema):
    status = fields.Integer(validate=validate.OneOf(list(STATUS_NAMES)))
    overdue = fields.Boolean(load_default=False, metadata={"description": "chỉ hồ sơ quá hạn"})
    procedure = fields.String(validate=validate.Length(max=32))


class CitizenListQuerySchema(Schema):
    status = fields.Integer(validate=validate.OneOf(list(STATUS_NAMES)))


class StatisticsQuerySchema(Schema):
    since = fields.Date(metadata={"description": "từ ngày nộp (YYYY-MM-DD)"})
    until = fields.Date(metadata={"description": "đến ngày nộp (YYYY-MM-DD)"})


class TrackingQuerySchema(Schema):
    cccd_last4 = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}$", error="Nhập đúng 4 chữ số cuối của số căn cước người nộp."),
    )


# ---- out ------------------------------------------------------------------------------------


def _status_name(obj) -> str:
    return STATUS_NAMES[obj.status if hasattr(obj, "status") else obj["status"]]


class AttachmentSchema(Schema):
    document_id = fields.UUID()
    requirement = fields.String()
    added_at = VietnamDateTime()
    added_in_status = fields.Integer()


class StepSchema(Schema):
    action = fields.String()
    from_status = fields.Integer(allow_none=True)
    to_status = fields.Integer()
    status_name = computed(lambda step: STATUS_NAMES[step.to_status], fields.String())
    label = computed(
        lambda step: step_label(step.action),
        fields.String(metadata={"description": "bước này, như công dân đọc trong lịch sử hồ sơ"}),
    )
    note = fields.String(allow_none=True)
    at = VietnamDateTime()
    by = computed(
        lambda step: "citizen" if step.actor.startswith("citizen:") else "staff",
        fields.String(validate=validate.OneOf(["citizen", "staff"])),
    )


class StaffStepSchema(StepSchema):
    actor = fields.String()
    actor_name = computed(
        lambda step: service.actor_name(step.actor),
        fields.String(
            metadata={"description": "người thực hiện bước này: họ tên cán bộ, hoặc người nộp hồ sơ"}
        ),
    )


class StaffAttachmentSchema(AttachmentSchema):
    """An attachment as the desk sees it: enough to preview it (GET …/attachments/<id>/content)."""

    title = computed(lambda item: service.attachment_document(item).title, fields.String())
    filename = computed(lambda item: service.attachment_document(item).filename, fields.String())
    content_type = computed(
        lambda item: service.attachment_document(item).content_type,
        fields.String(metadata={"description": "application/pdf, image/jpeg hoặc image/png"}),
    )
    size_bytes = computed(lambda item: service.attachment_document(item).size_bytes, fields.Integer())


class LinkedDossierSchema(Schema):
    code = fields.String()
    procedure_code = fields.String()
    procedure_name = computed(lambda dossier: dossier.procedure.name, fields.String())
    status = fields.Integer()
    status_name = computed(_status_name, fields.String())


class DossierSummarySchema(Schema):
    code = fields.String()
    procedure_code = fields.String()
    procedure_name = computed(lambda dossier: dossier.procedure.name, fields.String())
    status = fields.Integer()
    status_name = computed(_status_name, fields.String())
    payment_status = fields.Integer()
    submitted_at = VietnamDateTime()
    due_date = fields.Date()
    overdue = computed(is_overdue, fields.Boolean())
    authority = fields.String()
    ward_code = fields.String(allow_none=True)


class DossierSchema(DossierSummarySchema):
    fee_vnd = fields.Integer(allow_none=True)
    form_data = fields.Dict()
    submitted_online = fields.Boolean()
    accepted_at = VietnamDateTime(allow_none=True)
    completed_at = VietnamDateTime(allow_none=True)
    returned_at = VietnamDateTime(allow_none=True)
    group_code = fields.String(allow_none=True)
    parent_code = computed(
        lambda dossier: dossier.parent.code if dossier.parent else None, fields.String(allow_none=True)
    )
    linked = fields.List(fields.Nested(LinkedDossierSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))
    history = fields.List(fields.Nested(StepSchema))
    rating = fields.Integer(allow_none=True)
    rating_comment = fields.String(allow_none=True)
    citizen_actions = computed(
        citizen_actions,
        fields.List(
            fields.String(validate=validate.OneOf([*CITIZEN_ACTIONS, PAY_FEE, RATE])),
            metadata={
                "description": "việc người nộp làm được lúc này: supply_supplement, withdraw (POST "
                "/me/dossiers/<code>/actions), pay_fee (nộp phí qua ví, mục đích dossier_fee), rate "
                "(POST /me/dossiers/<code>/rating)"
            },
        ),
    )


class ApplicantSchema(Schema):
    full_name = fields.String()
    cccd = fields.String()
    phone = fields.String(allow_none=True)


class StaffDossierSchema(DossierSchema):
    applicant = fields.Nested(ApplicantSchema)
    history = fields.List(fields.Nested(StaffStepSchema))
    attachments = fields.List(fields.Nested(StaffAttachmentSchema))

    def get_attribute(self, obj, attr, default):
        # The applicant is the citizens domain's record, asked of its service by the dossier's
        # `citizen_id` (no relationship across domains); kept a plain Nested field so the
        # OpenAPI document describes it as before.
        if attr == "applicant":
            return service.applicant(obj)
        return super().get_attribute(obj, attr, default)


class TrackingSchema(Schema):
    """Public: what the code holder may know, nothing personal."""

    code = fields.String()
    procedure_name = computed(lambda dossier: dossier.procedure.name, fields.String())
    status = fields.Integer()
    status_name = computed(_status_name, fields.String())
    submitted_at = VietnamDateTime()
    due_date = fields.Date()
    overdue = computed(is_overdue, fields.Boolean())
    payment_status = fields.Integer()


class StatusCountSchema(Schema):
    status = fields.Integer()
    status_name = fields.String()
    count = fields.Integer()


class ProcedureCountSchema(Schema):
    procedure_code = fields.String()
    count = fields.Integer()


class StatisticsSchema(Schema):
    total = fields.Integer()
    by_status = fields.List(fields.Nested(StatusCountSchema))
    by_procedure = fields.List(fields.Nested(ProcedureCountSchema))
    completed = fields.Integer()
    on_time_ratio = fields.Float(allow_none=True)
    online_ratio = fields.Float(allow_none=True)
    average_processing_working_days = fields.Float(allow_none=True)
    overdue_open = fields.Integer()
