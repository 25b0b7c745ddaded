"""What the inbox endpoints take and return."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.fields import VietnamDateTime


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
