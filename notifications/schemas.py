"""What the inbox endpoints take and return."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.fields import VietnamDateTime, computed
from notifications.models import PLATFORMS


class InboxMessageSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True, metadata={"description": "tiêu đề thông báo"})
    body = fields.String(required=True, metadata={"description": "nội dung thông báo"})
    category = fields.String(
        required=True, metadata={"description": "nhóm thông báo, ví dụ dossier, payment, fine"}
    )
    deep_link = fields.String(
        allow_none=True, metadata={"description": "đường dẫn mở màn hình liên quan trong ứng dụng"}
    )
    created_at = VietnamDateTime(required=True, metadata={"description": "thời điểm gửi (giờ Việt Nam)"})
    read_at = VietnamDateTime(
        allow_none=True, metadata={"description": "thời điểm đã đọc; null nếu chưa đọc"}
    )
    is_read = fields.Boolean(required=True, metadata={"description": "đã đọc hay chưa"})


class InboxQuerySchema(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "true: chỉ các thông báo chưa đọc"})


class UnreadCountSchema(Schema):
    unread = fields.Integer(required=True, metadata={"description": "số thông báo chưa đọc"})


class ReadAllResultSchema(Schema):
    marked = fields.Integer(required=True, metadata={"description": "số thông báo vừa được đánh dấu đã đọc"})
    unread = fields.Integer(required=True, metadata={"description": "số thông báo chưa đọc còn lại (0)"})


# ---- devices ---------------------------------------------------------------------------------

# FCM registration tokens: letters, digits and - _ : (no spaces, no other punctuation).
_TOKEN = r"^[A-Za-z0-9_:\-]+$"  # noqa: S105 (a pattern)


class DeviceInSchema(Schema):
    """The phone's FCM token, registered at every app start. Unknown fields are refused."""

    token = fields.String(
        required=True,
        validate=[
            validate.Length(min=20, max=512, error="Mã thiết bị (FCM token) phải dài từ 20 đến 512 ký tự."),
            validate.Regexp(_TOKEN, error="Mã thiết bị (FCM token) chứa ký tự không hợp lệ."),
        ],
        metadata={"description": "FCM registration token của ứng dụng trên thiết bị"},
    )
    platform = fields.String(
        required=True,
        validate=validate.OneOf(PLATFORMS, error=f"Chọn một trong: {', '.join(PLATFORMS)}."),
        metadata={"description": "android, ios hoặc web"},
    )
    app_version = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[0-9A-Za-z.+\-]{1,32}$", error="Phiên bản ứng dụng không hợp lệ."),
        metadata={"description": "phiên bản ứng dụng, ví dụ 2.4.1"},
    )
    locale = fields.String(
        load_default="vi",
        validate=validate.Regexp(r"^[a-z]{2}(-[A-Z]{2})?$", error="Ngôn ngữ dạng vi hoặc vi-VN."),
        metadata={"description": "ngôn ngữ của thiết bị, mặc định vi"},
    )


class DeviceSchema(Schema):
    id = fields.UUID(required=True)
    platform = fields.String(required=True)
    app_version = fields.String(allow_none=True)
    locale = fields.String(required=True)
    # The token is not echoed in full: the app knows its own, and a list of tokens is of no use
    # to anyone else. The tail tells the citizen's phones apart.
    token_hint = computed(
        lambda device: "…" + device.token[-6:],
        fields.String(),
        metadata={"description": "6 ký tự cuối của mã thiết bị"},
    )
    last_seen_at = VietnamDateTime(required=True, metadata={"description": "lần cuối ứng dụng báo danh"})
    created_at = VietnamDateTime(required=True)
