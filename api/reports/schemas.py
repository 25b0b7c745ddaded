"""What the report endpoints take and give.

The citizen's view never carries internal notes, the assignee or the reporter's identity; the
desk's view carries notes but never the identity (that has its own audited endpoint).
"""

from __future__ import annotations

from marshmallow import Schema, fields, pre_load, validate
from marshmallow.validate import Length, OneOf, Range

from api.auth.service import staff_name
from api.fields import VietnamDateTime, computed
from api.reports.categories import CATEGORIES, UNIT_NAMES, get_category
from api.reports.service import COMMENT_MAX, DESCRIPTION_MAX, UNIT_ROLES
from api.reports.workflow import DESK_ACTIONS, OPEN_STATUSES, RESOLVED, STATUS_NAMES, STATUSES
from api.text import nfc
from api.units import service as units
from api.workdays import VIETNAM, local_date


class StrictFloat(fields.Float):
    """A JSON number: "16.5" as a string or true is a client bug, not a coordinate."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._validated(value)


def _nfc_strings(data, keys):
    if not isinstance(data, dict):
        return data
    return {k: nfc(v) if k in keys and isinstance(v, str) else v for k, v in data.items()}


# ---- in -------------------------------------------------------------------------------------


class ReportInSchema(Schema):
    """A new report. Unknown fields are refused (flask-smorest's default RAISE)."""

    category = fields.String(
        required=True,
        validate=Length(max=40),
        metadata={"description": "mã lĩnh vực: " + ", ".join(c.code for c in CATEGORIES)},
    )
    description = fields.String(required=True, validate=Length(max=DESCRIPTION_MAX))
    latitude = StrictFloat(allow_nan=False, validate=Range(-90, 90), metadata={"example": 12.6667})
    longitude = StrictFloat(allow_nan=False, validate=Range(-180, 180), metadata={"example": 108.05})
    address = fields.String(validate=Length(max=300), metadata={"description": "số nhà, đường, thôn"})
    ward_code = fields.String(
        validate=validate.Regexp(r"^\d{5}$", error="Mã phường/xã gồm 5 chữ số."),
        metadata={"description": "phường, xã nơi xảy ra sự việc (bắt buộc)"},
    )
    incident_at = fields.AwareDateTime(
        default_timezone=VIETNAM,
        metadata={"description": "thời điểm xảy ra (ISO 8601); mặc định lúc gửi; không ở tương lai"},
    )
    anonymous = fields.Boolean(
        load_default=False, metadata={"description": "gửi ẩn danh; chỉ với tố giác tội phạm"}
    )

    @pre_load
    def normalise(self, data, **kwargs):
        # Not the description: `service.submit` normalises it keeping its line breaks (nfc_lines).
        return _nfc_strings(data, {"category", "address"})


class ChatReportInSchema(ReportInSchema):
    """A report the chatbot files: the citizen's fields, and for whom.

    `on_behalf_of` is the short-lived token the API gave the chat for a signed-in citizen (the
    message metadata's `cds_token`); the API checks it itself. Without it, only an anonymous
    crime report is accepted.
    """

    on_behalf_of = fields.String(
        validate=Length(min=1, max=4096),
        load_default=None,
        metadata={"description": "mã ủy quyền của công dân đã đăng nhập (cds_token của tin nhắn)"},
    )


class ReportActionSchema(Schema):
    action = fields.String(required=True, validate=OneOf(DESK_ACTIONS))
    note = fields.String(
        validate=Length(max=COMMENT_MAX),
        metadata={"description": "bắt buộc khi từ chối (lý do), xử lý xong (kết quả), chuyển đơn vị"},
    )
    assignee = fields.UUID(metadata={"description": "assign: cán bộ được giao; mặc định người thao tác"})
    unit_kind = fields.String(
        validate=OneOf(tuple(UNIT_ROLES)), metadata={"description": "reassign: police | ward"}
    )
    ward_code = fields.String(
        validate=validate.Regexp(r"^\d{5}$", error="Mã phường/xã gồm 5 chữ số."),
        metadata={"description": "reassign: phường, xã của đơn vị nhận; mặc định giữ nguyên"},
    )
    evidence_media_id = fields.UUID(metadata={"description": "resolve: mã ảnh kết quả đã tải lên"})


class ReportMergeSchema(Schema):
    into = fields.UUID(required=True, metadata={"description": "phản ánh chính được giữ lại"})
    note = fields.String(validate=Length(max=COMMENT_MAX))


class ReportCommentInSchema(Schema):
    body = fields.String(required=True, validate=Length(max=COMMENT_MAX))


class ReportStaffCommentInSchema(ReportCommentInSchema):
    internal = fields.Boolean(
        load_default=False, metadata={"description": "ghi chú nội bộ: người phản ánh không thấy"}
    )


class ReportRatingSchema(Schema):
    score = fields.Integer(required=True, strict=True, validate=Range(1, 5, error="Điểm từ 1 đến 5."))
    comment = fields.String(validate=Length(max=COMMENT_MAX))


class ReporterIdentityReadSchema(Schema):
    reason = fields.String(
        required=True,
        validate=Length(max=500),
        metadata={"description": "mục đích xem (ghi vào nhật ký kiểm toán), ví dụ số hồ sơ vụ việc"},
    )


class ReportListQuerySchema(Schema):
    status = fields.String(validate=OneOf(STATUSES))


class ReportQueueQuerySchema(Schema):
    status = fields.String(validate=OneOf(STATUSES))
    category = fields.String(validate=Length(max=40))
    overdue = fields.Boolean(metadata={"description": "chỉ phản ánh quá hạn"})


class ReportMediaUploadSchema(Schema):
    """multipart/form-data with one `file` part, read by the view."""


# ---- out ------------------------------------------------------------------------------------


class ReportEmergencySchema(Schema):
    number = fields.String()
    name = fields.String()
    message = fields.String()


class ReportCategoryKeywordsSchema(Schema):
    """How the chatbot recognises the category in what a citizen types (api/law/data/
    report_categories.yaml)."""

    precedence = fields.Integer(
        metadata={"description": "khi tin nhắn khớp nhiều lĩnh vực, lĩnh vực có số nhỏ nhất được chọn"}
    )
    phrases = fields.List(
        fields.String(),
        metadata={
            "description": "cụm từ viết có dấu; khớp theo từ, kể cả khi tin nhắn gõ không dấu (so sánh sau khi bỏ dấu)"
        },
    )
    accented_only = fields.List(
        fields.String(),
        metadata={
            "description": "cụm từ chỉ khớp khi tin nhắn gõ có dấu, vì bỏ dấu sẽ trùng từ khác (cháy/chạy, ồn/ổn)"
        },
    )


class ReportCategorySchema(Schema):
    code = fields.String()
    name = fields.String()
    description = fields.String()
    group = fields.String()
    group_name = fields.String()
    is_crime = fields.Boolean()
    anonymous_allowed = computed(lambda c: c.is_crime, fields.Boolean())
    unit = fields.String(metadata={"description": "police: Công an phường, xã; ward: UBND phường, xã"})
    unit_name = fields.String()
    response_days = fields.Integer(metadata={"description": "thời hạn phản hồi, ngày làm việc"})
    emergency = fields.Nested(ReportEmergencySchema, allow_none=True)
    keywords = fields.Nested(
        ReportCategoryKeywordsSchema,
        metadata={"description": "từ khoá nhận biết lĩnh vực trong tin nhắn (trợ lý ảo dùng)"},
    )


class ReportMediaSchema(Schema):
    id = fields.UUID()
    uploaded_by = fields.String(metadata={"description": "citizen | staff (ảnh kết quả xử lý)"})
    content_type = fields.String()
    size_bytes = fields.Integer()
    created_at = VietnamDateTime()


class ReportCommentSchema(Schema):
    id = fields.UUID()
    author_kind = fields.String()
    body = fields.String()
    at = VietnamDateTime()


class ReportStaffCommentSchema(ReportCommentSchema):
    author = fields.String()
    author_name = computed(
        lambda c: staff_name(c.author),
        fields.String(allow_none=True),
        metadata={"description": "tên cán bộ viết (null với người phản ánh)"},
    )
    internal = fields.Boolean()


def _history(report, *, staff: bool) -> list[dict]:
    from api.reports.workflow import ACTIONS

    steps = []
    for step in report.history:
        action = ACTIONS.get(step.action)
        item = {
            "action": step.action,
            "label": action.label if action else "Đã gửi phản ánh",
            "status": step.to_status,
            "status_name": STATUS_NAMES[step.to_status],
            "at": step.at,
            "note": step.note if (staff or step.note_public) else None,
        }
        if staff:
            item["actor"] = step.actor
            item["actor_name"] = staff_name(step.actor)
        steps.append(item)
    return steps


class ReportHistorySchema(Schema):
    action = fields.String()
    label = fields.String()
    status = fields.String()
    status_name = fields.String()
    at = VietnamDateTime()
    note = fields.String(allow_none=True)
    actor = fields.String()
    actor_name = fields.String(allow_none=True, metadata={"description": "tên cán bộ thao tác"})


class ReportStepSchema(ReportHistorySchema):
    """A step as the reporter sees it: not who acted."""

    class Meta:
        exclude = ("actor", "actor_name")


class ReportWardSchema(Schema):
    code = fields.String()
    name = fields.String()


class ReportCategoryBriefSchema(Schema):
    code = fields.String()
    name = fields.String()
    group = fields.String(allow_none=True)
    is_crime = fields.Boolean()


class ReportCategoryNameSchema(Schema):
    code = fields.String()
    name = fields.String()


def _ward(code):
    ward = units.get_ward(code)
    return {"code": code, "name": ward.full_name if ward else code}


def _is_overdue(report) -> bool:
    from api.dbtypes import utcnow

    return report.status in OPEN_STATUSES and report.deadline < local_date(utcnow())


class ReportSchema(Schema):
    """The reporter's view."""

    id = fields.UUID(metadata={"description": "mã phản ánh công khai"})
    category = computed("_category", fields.Nested(ReportCategoryBriefSchema))
    description = fields.String()
    address = fields.String(allow_none=True)
    ward = computed(lambda r: _ward(r.ward_code), fields.Nested(ReportWardSchema))
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    incident_at = VietnamDateTime()
    submitted_at = VietnamDateTime()
    deadline = fields.Date(metadata={"description": "hạn phản hồi (ngày làm việc từ lúc gửi)"})
    overdue = computed(_is_overdue, fields.Boolean())
    status = fields.String()
    status_name = computed(lambda r: STATUS_NAMES[r.status], fields.String())
    unit_name = computed(lambda r: UNIT_NAMES[r.unit_kind], fields.String())
    anonymous = fields.Boolean()
    affected_count = fields.Integer(metadata={"description": "số người cùng phản ánh"})
    merged_into = fields.UUID(attribute="merged_into_id", allow_none=True)
    resolution_note = fields.String(allow_none=True)
    resolution_media_id = fields.UUID(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    rating = fields.Integer(allow_none=True)
    can_confirm = computed(lambda r: r.status == RESOLVED and not r.anonymous, fields.Boolean())
    can_rate = computed(
        lambda r: r.status in (RESOLVED, "closed") and r.rating is None and not r.anonymous, fields.Boolean()
    )
    media = fields.List(fields.Nested(ReportMediaSchema))
    comments = computed("_comments", fields.List(fields.Nested(ReportCommentSchema)))
    history = computed("_history", fields.List(fields.Nested(ReportStepSchema)))

    def _category(self, report):
        category = get_category(report.category_code)
        return {
            "code": report.category_code,
            "name": category.name if category else report.category_code,
            "group": category.group if category else None,
            "is_crime": report.is_crime,
        }

    def _comments(self, report):
        return ReportCommentSchema(many=True).dump([c for c in report.comments if not c.internal])

    def _history(self, report):
        return ReportStepSchema(many=True).dump(_history(report, staff=False))


class ReportDuplicateSchema(Schema):
    """A similar report nearby, as another citizen may see it: only what anyone passing by could
    know (what, where roughly, when, how far along, how many people). Never the other reporter's
    words (description, address) or photos: they reach the desk, not other citizens."""

    id = fields.UUID(attribute="report.id")
    category = computed(
        lambda item: {"code": item["report"].category_code, "name": _category_name(item["report"])},
        fields.Nested(ReportCategoryNameSchema),
    )
    distance_m = fields.Float()
    status = fields.String(attribute="report.status")
    status_name = computed(lambda item: STATUS_NAMES[item["report"].status], fields.String())
    affected_count = fields.Integer(attribute="report.affected_count")
    submitted_at = VietnamDateTime(attribute="report.submitted_at")


def _category_name(report) -> str:
    category = get_category(report.category_code)
    return category.name if category else report.category_code


class SubmittedSchema(Schema):
    report = fields.Nested(ReportSchema)
    emergency = fields.Nested(ReportEmergencySchema, allow_none=True)
    tracking_token = fields.String(
        allow_none=True,
        metadata={"description": "chỉ với tố giác ẩn danh, hiện một lần: lưu lại để theo dõi"},
    )
    possible_duplicates = fields.List(
        fields.Nested(ReportDuplicateSchema),
        metadata={"description": "phản ánh cùng lĩnh vực trong bán kính 50 m, 7 ngày gần đây"},
    )


class TrackedSchema(ReportSchema):
    """What the holder of an anonymous report's tracking token sees."""

    class Meta:
        exclude = ("can_confirm", "can_rate", "rating")


class StaffReportSchema(ReportSchema):
    """The desk's view: internal notes and who acted, never the reporter's identity."""

    unit_kind = fields.String()
    unit_ward = computed(lambda r: _ward(r.unit_ward_code), fields.Nested(ReportWardSchema))
    assignee = fields.String(allow_none=True)
    assignee_name = computed(
        lambda r: staff_name(r.assignee),
        fields.String(allow_none=True),
        metadata={"description": "tên cán bộ được giao"},
    )
    channel = fields.String(metadata={"description": "app | chat | open311"})
    has_identity = computed(
        lambda r: r.identity is not None,
        fields.Boolean(),
        metadata={"description": "có thông tin người tố giác (mã hoá)"},
    )
    field_reporter = fields.UUID(attribute="citizen_id", allow_none=True)
    rating_comment = fields.String(allow_none=True)
    version = fields.Integer()
    comments = computed("_comments", fields.List(fields.Nested(ReportStaffCommentSchema)))
    history = computed("_history", fields.List(fields.Nested(ReportHistorySchema)))

    def _comments(self, report):
        return ReportStaffCommentSchema(many=True).dump(report.comments)

    def _history(self, report):
        return ReportHistorySchema(many=True).dump(_history(report, staff=True))


class ReportQueueItemSchema(Schema):
    id = fields.UUID()
    category = fields.String(attribute="category_code")
    category_name = computed(
        lambda r: c.name if (c := get_category(r.category_code)) else r.category_code, fields.String()
    )
    is_crime = fields.Boolean()
    ward_code = fields.String()
    address = fields.String(allow_none=True)
    status = fields.String()
    status_name = computed(lambda r: STATUS_NAMES[r.status], fields.String())
    submitted_at = VietnamDateTime()
    deadline = fields.Date()
    overdue = computed(_is_overdue, fields.Boolean())
    assignee = fields.String(allow_none=True)
    assignee_name = computed(
        lambda r: staff_name(r.assignee),
        fields.String(allow_none=True),
        metadata={"description": "tên cán bộ được giao"},
    )
    affected_count = fields.Integer()
    urgent = computed(lambda r: bool((c := get_category(r.category_code)) and c.urgent), fields.Boolean())


class ReporterIdentitySchema(Schema):
    report_id = fields.UUID()
    full_name = fields.String(allow_none=True)
    cccd = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True, metadata={"description": "liên hệ do ứng dụng Open311 gửi"})


class _Count(Schema):
    count = fields.Integer()


class ReportStatusCountSchema(_Count):
    status = fields.String()
    status_name = fields.String()


class ReportCategoryCountSchema(_Count):
    category = fields.String()
    name = fields.String()


class ReportWardCountSchema(_Count):
    ward_code = fields.String()
    name = fields.String()


class ReportStatisticsSchema(Schema):
    total = fields.Integer()
    overdue_open = fields.Integer()
    average_rating = fields.Float(allow_none=True)
    by_status = fields.List(fields.Nested(ReportStatusCountSchema))
    by_category = fields.List(fields.Nested(ReportCategoryCountSchema))
    by_ward = fields.List(fields.Nested(ReportWardCountSchema))


class AssigneeSchema(Schema):
    """A colleague the report may be given to, by name."""

    id = fields.UUID(required=True)
    display_name = fields.String(required=True, attribute="full_name")
