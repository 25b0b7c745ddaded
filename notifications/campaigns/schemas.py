"""What the campaign endpoints take and return.

In: a campaign (title and body are checked against FCM's limits by the service, with
notifications.fcm.validate_text, so the composer and the sender share one rule), its audience,
a send time. Unknown fields are refused. Out: the campaign with its status and figures.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from api.fields import VietnamDateTime
from api.workdays import VIETNAM
from notifications.campaigns.models import AUDIENCE_KINDS, ROLES, STATUSES

# congdanso://dossiers/HS-2025-000123, congdanso://news?id=…: the app's own scheme, then the
# characters RFC 3986 allows in a URI (no spaces, quotes or angle brackets).
_DEEP_LINK = re.compile(r"^congdanso://[A-Za-z0-9\-._~!$&'()*+,;=:@/?%#]+$")
MAX_WARDS = 100  # a province has at most a few hundred wards; more is a province campaign


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(choices, error=f"Chọn một trong: {', '.join(choices)}.")


def _https_url(value: str) -> None:
    validate.URL(
        schemes={"https"},
        require_tld=True,
        error="Địa chỉ ảnh phải là đường dẫn https:// hợp lệ.",
    )(value)


def _deep_link(value: str) -> None:
    if _DEEP_LINK.match(value):
        return
    try:
        validate.URL(schemes={"https"}, require_tld=True)(value)
    except ValidationError:
        raise ValidationError(
            "Liên kết phải bắt đầu bằng congdanso:// (màn hình trong ứng dụng) hoặc https://."
        ) from None


class CampaignAudienceSchema(Schema):
    kind = fields.String(
        required=True,
        validate=_one_of(AUDIENCE_KINDS),
        metadata={"description": "all: mọi công dân; province, ward, role, age: một nhóm"},
    )
    province_code = fields.String(
        validate=validate.Regexp(r"^\d{2}$", error="Mã tỉnh gồm 2 chữ số, ví dụ 66."),
        metadata={"description": "kind=province: mã tỉnh/thành phố (sau 01/7/2025)"},
    )
    ward_codes = fields.List(
        fields.String(validate=validate.Regexp(r"^\d{5}$", error="Mã phường/xã gồm 5 chữ số.")),
        validate=validate.Length(1, MAX_WARDS, error=f"Chọn từ 1 đến {MAX_WARDS} phường, xã."),
        metadata={"description": "kind=ward: mã các phường, xã, đặc khu"},
    )
    role = fields.String(
        validate=_one_of(ROLES),
        metadata={"description": "kind=role: verified (định danh mức 2), unverified, beneficiary"},
    )
    min_age = fields.Integer(
        strict=True,
        validate=validate.Range(0, 120, error="Tuổi từ 0 đến 120."),
        metadata={"description": "kind=age: từ tuổi này (tính theo ngày sinh trong CSDL dân cư)"},
    )
    max_age = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(0, 120, error="Tuổi từ 0 đến 120."),
        metadata={"description": "kind=age: đến hết tuổi này; bỏ trống nếu không giới hạn"},
    )

    _PARAMS = {
        "all": (),
        "province": ("province_code",),
        "ward": ("ward_codes",),
        "role": ("role",),
        "age": ("min_age", "max_age"),
    }

    @validates_schema
    def parameters_of_kind(self, data, **kwargs):
        kind = data.get("kind")
        if "kind" not in data:
            # Also when the campaign's PATCH loads this schema with partial=True, which marshmallow
            # passes down to nested schemas: an audience is never partial.
            raise ValidationError({"kind": ["Cần chọn nhóm người nhận (kind)."]})
        if kind not in self._PARAMS:
            return
        allowed = self._PARAMS[kind]
        errors = {
            key: [f"Không dùng cho nhóm người nhận '{kind}'."]
            for key in data
            if key != "kind" and key not in allowed
        }
        if kind in ("province", "ward", "role") and allowed[0] not in data:
            errors[allowed[0]] = ["Trường này là bắt buộc với nhóm người nhận đã chọn."]
        if kind == "age":
            if data.get("min_age") is None and data.get("max_age") is None:
                errors["min_age"] = ["Cần ít nhất một giới hạn tuổi (min_age hoặc max_age)."]
            elif (
                data.get("min_age") is not None
                and data.get("max_age") is not None
                and data["max_age"] < data["min_age"]
            ):
                errors["max_age"] = ["Tuổi tối đa không thể nhỏ hơn tuổi tối thiểu."]
        if errors:
            raise ValidationError(errors)


class CampaignInSchema(Schema):
    title = fields.String(
        required=True, metadata={"description": "tiêu đề thông báo, 1–65 ký tự (giới hạn FCM)"}
    )
    body = fields.String(required=True, metadata={"description": "nội dung, 1–240 ký tự (giới hạn FCM)"})
    image_url = fields.String(
        allow_none=True,
        validate=[validate.Length(max=500, error="Tối đa 500 ký tự."), _https_url],
        metadata={"description": "ảnh kèm thông báo, chỉ https://"},
    )
    deep_link = fields.String(
        allow_none=True,
        validate=[validate.Length(max=500, error="Tối đa 500 ký tự."), _deep_link],
        metadata={"description": "màn hình mở khi chạm: congdanso://… hoặc https://…"},
    )
    audience = fields.Nested(CampaignAudienceSchema, required=True)
    urgent = fields.Boolean(
        load_default=False,
        metadata={"description": "khẩn cấp (cảnh báo thiên tai, an ninh): được gửi cả trong giờ yên tĩnh"},
    )
    keep_in_inbox = fields.Boolean(
        load_default=True, metadata={"description": "đồng thời lưu vào hộp thư của từng công dân"}
    )

    @pre_load
    def normalise(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {
            key: value.strip() if key in ("image_url", "deep_link") and isinstance(value, str) else value
            for key, value in data.items()
        }


class CampaignPatchSchema(CampaignInSchema):
    """Every field optional (used with partial=True): a draft is edited piece by piece."""

    urgent = fields.Boolean()
    keep_in_inbox = fields.Boolean()


class AudiencePreviewInSchema(Schema):
    audience = fields.Nested(CampaignAudienceSchema, required=True)


class AudiencePreviewSchema(Schema):
    citizens = fields.Integer(required=True, metadata={"description": "số công dân thuộc nhóm"})
    devices = fields.Integer(required=True, metadata={"description": "số thiết bị đã đăng ký nhận push"})


class CampaignScheduleSchema(Schema):
    send_at = fields.AwareDateTime(
        required=True,
        default_timezone=VIETNAM,
        metadata={"description": "thời điểm gửi, ISO 8601; không ghi múi giờ thì hiểu là giờ Việt Nam"},
    )


class CampaignQuerySchema(Schema):
    status = fields.String(validate=_one_of(STATUSES), metadata={"description": "lọc theo trạng thái"})


class CampaignFiguresSchema(Schema):
    targeted_citizens = fields.Integer(metadata={"description": "công dân thuộc nhóm người nhận"})
    targeted_devices = fields.Integer(metadata={"description": "thiết bị thuộc nhóm người nhận"})
    sent = fields.Integer(metadata={"description": "push FCM đã nhận"})
    failed = fields.Integer(metadata={"description": "push không gửi được"})
    tokens_removed = fields.Integer(metadata={"description": "thiết bị đã gỡ ứng dụng (token bị xoá)"})
    failure_codes = fields.Dict(keys=fields.String(), values=fields.Integer())
    inbox_delivered = fields.Integer(metadata={"description": "thông báo đã vào hộp thư"})
    inbox_read = fields.Integer(metadata={"description": "thông báo đã đọc trong hộp thư"})
    opened = fields.Integer(metadata={"description": "công dân đã mở thông báo (ứng dụng báo về)"})


class CampaignSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    image_url = fields.String(allow_none=True)
    deep_link = fields.String(allow_none=True)
    audience = fields.Nested(CampaignAudienceSchema, required=True)
    audience_label = fields.String(metadata={"description": "nhóm người nhận, bằng lời"})
    urgent = fields.Boolean(required=True)
    keep_in_inbox = fields.Boolean(required=True)
    status = fields.String(required=True)
    status_name = fields.String(required=True)
    version = fields.Integer(
        required=True,
        metadata={
            "description": "phiên bản nội dung (mỗi lần sửa tăng 1); khi duyệt, gửi If-Match với ETag đã đọc"
        },
    )
    created_by = fields.String()
    created_at = VietnamDateTime()
    approved_by = fields.String(allow_none=True)
    approved_at = VietnamDateTime(allow_none=True)
    send_at = VietnamDateTime(allow_none=True)
    started_at = VietnamDateTime(allow_none=True)
    finished_at = VietnamDateTime(allow_none=True)
    cancelled_at = VietnamDateTime(allow_none=True)
    figures = fields.Nested(CampaignFiguresSchema)


class CampaignOpenedSchema(Schema):
    campaign_id = fields.UUID(required=True)
    opened_at = VietnamDateTime(required=True, metadata={"description": "lần mở đầu tiên"})
