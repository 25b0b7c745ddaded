"""What the content endpoints take and return.

In: unknown fields are refused (marshmallow's RAISE), text is NFC-normalised, sizes are capped,
URLs are absolute (covers https only). The article body is sanitised by the service
(content/sanitize.py), not refused: comms staff paste from word processors. Out: the staff's
full view (state, versions, who did what) and the readers' view (published content only).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates, validates_schema

from api.auth.service import staff_name
from api.fields import VietnamDateTime, computed
from api.policy import STAFF_ROLES, current_principal
from api.text import nfc, nfc_lines
from content.announcements import audience_label
from content.models import (
    AUDIENCE_PROVINCE,
    AUDIENCE_SCOPES,
    AUDIENCE_WARDS,
    CATEGORIES,
    IMPORTANCE_NAMES,
    IMPORTANCES,
    NORMAL,
    STATUS_NAMES,
    STATUSES,
)
from content.service import (
    ACTIONS,
    FAQ_KEY_PATTERN,
    SLUG_PATTERN,
    allowed_actions,
    audience_of,
    unsafe_character,
    unsafe_character_message,
)

BODY_MAX_CHARS = 200_000  # before sanitising; a long article with tables is ~50 000
ANSWER_MAX_CHARS = 4_000  # a chat bubble, not an article
QUESTION_MAX_CHARS = 300
MAX_QUESTIONS = 200
MAX_WARDS = 200
ANNOUNCEMENT_TITLE_MAX = 200
ANNOUNCEMENT_BODY_MAX = 5_000  # a notice to colleagues, not an article


def _length(minimum: int | None = None, maximum: int | None = None) -> validate.Length:
    error = f"Độ dài phải từ {minimum} đến {maximum} ký tự." if minimum else f"Tối đa {maximum} ký tự."
    return validate.Length(min=minimum, max=maximum, error=error)


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(list(choices), error=f"Chọn một trong: {', '.join(choices)}.")


def _nfc_strings(data, keys):
    if not isinstance(data, dict):
        return data
    return {key: nfc(v) if key in keys and isinstance(v, str) else v for key, v in data.items()}


_CATEGORY = {
    "validate": _one_of(CATEGORIES),
    "metadata": {"description": "mã chủ đề, xem /content/categories"},
}


class HttpsUrl(fields.Url):
    default_error_messages = {"invalid": "Địa chỉ phải là URL https đầy đủ, ví dụ https://…/anh.jpg."}

    def __init__(self, **kwargs):
        super().__init__(schemes={"https"}, require_tld=False, **kwargs)


# ---- in: articles -----------------------------------------------------------------------------


class AudienceSchema(Schema):
    scope = fields.String(
        required=True,
        validate=_one_of(AUDIENCE_SCOPES),
        metadata={"description": "all: mọi người; province: một tỉnh; wards: các phường/xã"},
    )
    province_code = fields.String(validate=_length(1, 3), metadata={"description": "khi scope = province"})
    ward_codes = fields.List(
        fields.String(validate=_length(1, 6)),
        validate=validate.Length(max=MAX_WARDS, error=f"Tối đa {MAX_WARDS} phường/xã."),
        metadata={"description": "khi scope = wards"},
    )
    age_min = fields.Integer(strict=True, validate=validate.Range(0, 120, error="Tuổi từ 0 đến 120."))
    age_max = fields.Integer(strict=True, validate=validate.Range(0, 120, error="Tuổi từ 0 đến 120."))

    @validates_schema
    def consistent(self, data, **kwargs):
        scope = data.get("scope")
        if scope == AUDIENCE_PROVINCE and not data.get("province_code"):
            raise ValidationError({"province_code": ["Chọn tỉnh/thành phố của đối tượng nhận tin."]})
        if scope == AUDIENCE_WARDS and not data.get("ward_codes"):
            raise ValidationError({"ward_codes": ["Chọn ít nhất một phường/xã."]})
        if scope != AUDIENCE_PROVINCE and data.get("province_code"):
            raise ValidationError({"province_code": ["Chỉ dùng khi scope = province."]})
        if scope != AUDIENCE_WARDS and data.get("ward_codes"):
            raise ValidationError({"ward_codes": ["Chỉ dùng khi scope = wards."]})
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            raise ValidationError({"age_max": ["Tuổi tối đa phải không nhỏ hơn tuổi tối thiểu."]})


class ArticleFieldsSchema(Schema):
    title = fields.String(validate=_length(5, 200))
    summary = fields.String(validate=_length(10, 500), metadata={"description": "tóm tắt, văn bản thuần"})
    body_html = fields.String(
        validate=_length(1, BODY_MAX_CHARS),
        metadata={
            "description": "HTML; được làm sạch: chỉ giữ định dạng cơ bản, liên kết http(s), ảnh https"
        },
    )
    category = fields.String(**_CATEGORY)
    cover_image_url = HttpsUrl(allow_none=True, validate=_length(maximum=500))
    audience = fields.Nested(AudienceSchema)
    slug = fields.String(
        validate=[
            _length(3, 80),
            validate.Regexp(SLUG_PATTERN, error="Chỉ chữ thường không dấu, số và dấu gạch ngang."),
        ],
        metadata={"description": "đường dẫn của bài; mặc định sinh từ tiêu đề"},
    )

    @pre_load
    def normalise(self, data, **kwargs):
        return _nfc_strings(data, ("title", "summary", "slug"))


class ArticleCreateSchema(ArticleFieldsSchema):
    def on_bind_field(self, field_name, field_obj):
        if field_name in ("title", "summary", "body_html", "category"):
            field_obj.required = True


class ArticleEditSchema(ArticleFieldsSchema):
    """The fields to change; the version edited is named by If-Match (the ETag of the GET)."""

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("Không có trường nào để sửa.", "_schema")


class ArticleActionSchema(Schema):
    action = fields.String(
        required=True, validate=_one_of(ACTIONS), metadata={"description": " | ".join(ACTIONS)}
    )
    note = fields.String(validate=_length(maximum=1000), metadata={"description": "bắt buộc khi trả lại"})


class StaffArticleQuerySchema(Schema):
    status = fields.String(validate=_one_of(STATUSES))
    category = fields.String(**_CATEGORY)
    q = fields.String(validate=_length(maximum=200), metadata={"description": "tìm không dấu"})


class PublicArticleQuerySchema(Schema):
    category = fields.String(**_CATEGORY)
    q = fields.String(validate=_length(maximum=200), metadata={"description": 'tìm không dấu: "de an 06"'})


# ---- in: FAQ ----------------------------------------------------------------------------------


class Question(fields.String):
    """One way of asking: one line, NFC; no [ ] (Rasa reads them as entity annotations)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = nfc(super()._deserialize(value, attr, data, **kwargs))
        if len(text) < 3:
            raise ValidationError("Câu hỏi quá ngắn (ít nhất 3 ký tự).")
        if len(text) > QUESTION_MAX_CHARS:
            raise ValidationError(f"Câu hỏi tối đa {QUESTION_MAX_CHARS} ký tự.")
        if "[" in text or "]" in text:
            raise ValidationError("Câu hỏi không được chứa dấu [ ] (trợ lý ảo hiểu đó là đánh dấu thực thể).")
        code_point = unsafe_character(text)  # a line break too: a question is one line of the file
        if code_point:
            raise ValidationError(unsafe_character_message("Câu hỏi", code_point))
        return text


class FaqFieldsSchema(Schema):
    questions = fields.List(
        Question(),
        validate=validate.Length(
            min=2, max=MAX_QUESTIONS, error=f"Cần từ 2 đến {MAX_QUESTIONS} cách hỏi khác nhau."
        ),
        metadata={"description": "các cách người dân hỏi (ít nhất 2): dữ liệu huấn luyện trợ lý ảo"},
    )
    answer = fields.String(
        validate=_length(1, ANSWER_MAX_CHARS),
        metadata={"description": "văn bản thuần, giữ xuống dòng"},
    )
    category = fields.String(**_CATEGORY)
    active = fields.Boolean(metadata={"description": "false: không còn dùng cho trợ lý ảo và ứng dụng"})

    @validates("answer")
    def answer_not_blank(self, value, **kwargs):
        if not value.strip():
            raise ValidationError("Câu trả lời không được để trống.")
        code_point = unsafe_character(value, multiline=True)
        if code_point:
            raise ValidationError(unsafe_character_message("Câu trả lời", code_point))


class FaqCreateSchema(FaqFieldsSchema):
    key = fields.String(
        required=True,
        validate=validate.Regexp(
            FAQ_KEY_PATTERN, error="Mã gồm 2–63 chữ thường không dấu, số, dấu _; bắt đầu bằng chữ."
        ),
        metadata={"description": "mã mục, ví dụ vneid_activation (faq/<mã> của trợ lý ảo); không đổi được"},
    )

    def on_bind_field(self, field_name, field_obj):
        if field_name in ("questions", "answer", "category"):
            field_obj.required = True


class FaqEditSchema(FaqFieldsSchema):
    """The fields to change; the version edited is named by If-Match (the ETag of the GET)."""

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("Không có trường nào để sửa.", "_schema")


class FaqQuerySchema(Schema):
    category = fields.String(**_CATEGORY)
    active = fields.Boolean()
    q = fields.String(validate=_length(maximum=200))


class PublicFaqQuerySchema(Schema):
    category = fields.String(**_CATEGORY)
    q = fields.String(validate=_length(maximum=200))


# ---- out --------------------------------------------------------------------------------------


class CategorySchema(Schema):
    slug = fields.String()
    name = fields.String()


class AudienceOutSchema(Schema):
    scope = fields.String()
    province_code = fields.String(allow_none=True)
    ward_codes = fields.List(fields.String())
    age_min = fields.Integer(allow_none=True)
    age_max = fields.Integer(allow_none=True)


def _category_name(obj):
    return CATEGORIES.get(obj.category)


_CATEGORY_NAME = fields.String(
    allow_none=True, metadata={"description": "tên lĩnh vực; null nếu lĩnh vực đã bỏ"}
)


class PublicArticleSummarySchema(Schema):
    id = fields.UUID()
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    category = fields.String()
    category_name = computed(_category_name, _CATEGORY_NAME)
    cover_image_url = fields.String(allow_none=True)
    published_at = VietnamDateTime()


class PublicArticleSchema(PublicArticleSummarySchema):
    body_html = fields.String(metadata={"description": "HTML đã làm sạch"})


class StaffArticleSchema(Schema):
    id = fields.UUID()
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    body_html = fields.String()
    category = fields.String()
    category_name = computed(_category_name, _CATEGORY_NAME)
    cover_image_url = fields.String(allow_none=True)
    audience = computed(lambda a: AudienceOutSchema().dump(audience_of(a)), fields.Nested(AudienceOutSchema))
    status = fields.String()
    status_name = computed(lambda a: STATUS_NAMES[a.status], fields.String())
    version = fields.Integer()
    created_at = VietnamDateTime()
    created_by = fields.String()
    updated_at = VietnamDateTime()
    updated_by = fields.String()
    submitted_by = fields.String(allow_none=True)
    published_at = VietnamDateTime(allow_none=True)
    published_by = fields.String(allow_none=True)
    # Staff read each other by name, never `staff:<id>` (the workspace shows these).
    created_by_name = computed(lambda a: staff_name(a.created_by), fields.String(allow_none=True))
    updated_by_name = computed(lambda a: staff_name(a.updated_by), fields.String(allow_none=True))
    published_by_name = computed(lambda a: staff_name(a.published_by), fields.String(allow_none=True))


def _allowed_for_caller(article) -> list[str]:
    principal = current_principal()
    return allowed_actions(article, f"{principal.kind}:{principal.id}") if principal else []


class StaffArticleDetailSchema(StaffArticleSchema):
    """One article as a comms user opens it: with what that user may do with it now."""

    allowed_actions = computed(
        _allowed_for_caller,
        fields.List(fields.String()),
        metadata={
            "description": "việc người gọi được làm lúc này: edit và các thao tác duyệt (submit, return, "
            "publish, unpublish, archive, restore); publish chỉ có với cán bộ khác người gửi duyệt và "
            "người sửa nội dung sau cùng"
        },
    )


class ArticleVersionSchema(Schema):
    version = fields.Integer()
    change = fields.String(
        metadata={"description": "created, edited, hoặc thao tác duyệt (submit, publish…)"}
    )
    status = fields.String()
    at = VietnamDateTime()
    by = fields.String()
    note = fields.String(allow_none=True)
    content = fields.Dict()


class DayStatisticsSchema(Schema):
    day = fields.Date()
    reads = fields.Integer()
    anonymous_views = fields.Integer()


class ArticleStatisticsSchema(Schema):
    article_id = fields.UUID()
    status = fields.String()
    published_at = VietnamDateTime(allow_none=True)
    reach = fields.Integer(metadata={"description": "số công dân thuộc đối tượng của bài (hiện tại)"})
    readers = fields.Integer(metadata={"description": "số công dân khác nhau đã đọc"})
    reads = fields.Integer(metadata={"description": "lượt đọc, mỗi công dân tối đa một lượt mỗi ngày"})
    anonymous_views = fields.Integer(metadata={"description": "lượt xem khi chưa đăng nhập"})
    read_rate = fields.Float(allow_none=True, metadata={"description": "readers / reach"})
    by_day = fields.List(fields.Nested(DayStatisticsSchema))


class FaqSchema(Schema):
    id = fields.UUID()
    key = fields.String()
    questions = fields.List(fields.String())
    answer = fields.String()
    category = fields.String()
    category_name = computed(_category_name, _CATEGORY_NAME)
    active = fields.Boolean()
    version = fields.Integer()
    created_at = VietnamDateTime()
    created_by = fields.String()
    updated_at = VietnamDateTime()
    updated_by = fields.String()
    updated_by_name = computed(lambda e: staff_name(e.updated_by), fields.String(allow_none=True))


class FaqVersionSchema(Schema):
    version = fields.Integer()
    change = fields.String()
    at = VietnamDateTime()
    by = fields.String()
    content = fields.Dict()


class PublicFaqSchema(Schema):
    key = fields.String()
    question = computed(lambda e: e.questions[0], fields.String())
    answer = fields.String()
    category = fields.String()
    category_name = computed(_category_name, _CATEGORY_NAME)


# ---- internal announcements to staff ----------------------------------------------------------


class PlainText(fields.String):
    """Text shown as it is typed: NFC, line breaks kept, no control or invisible characters."""

    def __init__(self, what: str, maximum: int, multiline: bool, **kwargs):
        super().__init__(validate=_length(1, maximum), **kwargs)
        self.what, self.multiline = what, multiline

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        text = nfc_lines(raw) if self.multiline else nfc(raw)
        if not text:
            raise ValidationError(f"{self.what} không được để trống.")
        code_point = unsafe_character(text, multiline=self.multiline)
        if code_point:
            raise ValidationError(unsafe_character_message(self.what, code_point))
        return text


class AnnouncementInSchema(Schema):
    title = PlainText("Tiêu đề", ANNOUNCEMENT_TITLE_MAX, False, required=True)
    body = PlainText(
        "Nội dung",
        ANNOUNCEMENT_BODY_MAX,
        True,
        required=True,
        metadata={"description": f"văn bản thuần, giữ xuống dòng; tối đa {ANNOUNCEMENT_BODY_MAX} ký tự"},
    )
    roles = fields.List(
        fields.String(validate=_one_of(STAFF_ROLES)),
        allow_none=True,
        validate=validate.Length(min=1, error="Chọn ít nhất một vai trò, hoặc bỏ trống để gửi mọi cán bộ."),
        metadata={"description": "các vai trò nhận; bỏ trống hoặc null: mọi cán bộ"},
    )
    ward_code = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^\d{5}$", error="Mã phường/xã gồm 5 chữ số."),
        metadata={"description": "chỉ cán bộ của phường/xã này; bỏ trống: mọi đơn vị"},
    )
    importance = fields.String(
        load_default=NORMAL,
        validate=_one_of(IMPORTANCES),
        metadata={"description": "important: hiện thành dải thông báo nổi bật cho tới khi người nhận mở"},
    )


class AnnouncementQuerySchema(Schema):
    unread = fields.Boolean(metadata={"description": "true: chỉ thông báo chưa đọc; false: đã đọc"})
    importance = fields.String(validate=_one_of(IMPORTANCES))


class AnnouncementAudienceSchema(Schema):
    roles = fields.List(fields.String(), allow_none=True, metadata={"description": "null: mọi cán bộ"})
    ward_code = fields.String(allow_none=True)
    label = fields.String(metadata={"description": "đối tượng nhận, bằng lời"})


def _audience(announcement) -> dict:
    return {
        "roles": announcement.audience_roles,
        "ward_code": announcement.audience_ward_code,
        "label": audience_label(announcement),
    }


class SentAnnouncementSchema(Schema):
    """An announcement as comms sees it: to whom, and whether it landed."""

    id = fields.UUID()
    title = fields.String()
    body = fields.String()
    audience = computed(_audience, fields.Nested(AnnouncementAudienceSchema))
    importance = fields.String()
    importance_name = computed(lambda a: IMPORTANCE_NAMES[a.importance], fields.String())
    published_at = VietnamDateTime()
    created_by = fields.String()
    created_by_name = computed(lambda a: staff_name(a.created_by), fields.String(allow_none=True))
    recipients = fields.Integer(attribute="recipient_count", metadata={"description": "số cán bộ nhận"})
    read = fields.Integer(attribute="read_count", metadata={"description": "số cán bộ đã mở đọc"})


class ReceivedAnnouncementSchema(Schema):
    """An announcement as its recipient reads it, with whether they have opened it."""

    id = fields.UUID(attribute="announcement.id")
    title = fields.String(attribute="announcement.title")
    body = fields.String(attribute="announcement.body")
    importance = fields.String(attribute="announcement.importance")
    importance_name = computed(lambda r: IMPORTANCE_NAMES[r.announcement.importance], fields.String())
    published_at = VietnamDateTime(attribute="announcement.published_at")
    author_name = computed(
        lambda r: staff_name(r.announcement.created_by),
        fields.String(allow_none=True),
        metadata={"description": "người gửi; null nếu tài khoản không còn"},
    )
    read = computed(lambda r: r.read_at is not None, fields.Boolean())
    read_at = VietnamDateTime(allow_none=True)


class UnreadAnnouncementsSchema(Schema):
    unread = fields.Integer(required=True, metadata={"description": "số thông báo chưa đọc"})
    important = fields.Integer(required=True, metadata={"description": "trong đó, số thông báo quan trọng"})
