"""What the chat endpoints take and return."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.fields import MAX_INT32, VietnamDateTime, computed

MESSAGE_MAX = 1000


class ChatRequestSchema(Schema):
    message = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MESSAGE_MAX, error="Tin nhắn dài từ 1 đến {max} ký tự."),
        metadata={"example": "hồ sơ 66.24133-261122-0007 của tôi đến đâu rồi"},
    )
    conversation_id = fields.UUID(
        load_default=None,
        metadata={"description": "bỏ trống ở tin nhắn đầu tiên; sau đó gửi lại mã nhận được"},
    )


class ConversationKeySchema(Schema):
    """The key of an anonymous conversation, in a header so that it stays out of URLs and logs."""

    conversation_key = fields.String(
        data_key="X-Conversation-Key",
        load_default=None,
        validate=validate.Length(max=64),
        metadata={
            "description": "chỉ với cuộc trò chuyện ẩn danh: khóa `conversation_key` nhận được ở tin nhắn "
            "đầu tiên; thiếu hoặc sai thì cuộc trò chuyện không mở được (404)"
        },
    )


class EventStreamHeadersSchema(ConversationKeySchema):
    """The headers of the events stream: the anonymous conversation's key, and where to resume."""

    last_event_id = fields.Integer(
        data_key="Last-Event-ID",
        load_default=None,
        validate=validate.Range(min=0, max=MAX_INT32),
        metadata={
            "description": "khi kết nối lại: `id` của sự kiện `message` cuối cùng ứng dụng đã nhận; luồng "
            "tiếp tục từ tin nhắn sau đó (ưu tiên hơn `after`)"
        },
    )


class ButtonSchema(Schema):
    title = fields.String()
    payload = fields.String()


class ChatMessageSchema(Schema):
    id = fields.Integer(metadata={"description": "tăng dần; dùng làm `after` khi hỏi tin mới"})
    sender = fields.String(metadata={"description": "citizen | bot | agent | system"})
    text = fields.String()
    buttons = fields.List(fields.Nested(ButtonSchema), allow_none=True)
    kind = fields.String(
        allow_none=True,
        metadata={
            "description": "null: tin nhắn thường. `rating_request` (tin `system`): câu hỏi mức độ hài lòng "
            'khi tổng đài viên kết thúc hỗ trợ; `buttons` (payload "1"…"5") được trả lời bằng '
            "`POST /chat/conversations/{id}/rating`, không gửi qua `POST /chat`. `rating_thanks`: lời cảm ơn "
            "sau khi công dân đã đánh giá (câu hỏi trước đó đã được trả lời)."
        },
    )
    created_at = VietnamDateTime()


class ExchangeSchema(Schema):
    conversation_id = computed(lambda exchange: str(exchange.conversation.id), fields.UUID())
    status = fields.String(metadata={"description": "bot | waiting (chờ tổng đài viên) | with_agent"})
    bot_available = fields.Boolean(
        metadata={"description": "false: trợ lý ảo gián đoạn, tin nhắn được giữ lại"}
    )
    replies = fields.List(fields.Nested(ChatMessageSchema))
    conversation_key = fields.String(
        allow_none=True,
        metadata={
            "description": "chỉ ở tin nhắn đầu tiên của cuộc trò chuyện ẩn danh, một lần: ứng dụng giữ lại và "
            "gửi trong tiêu đề X-Conversation-Key để nhắn tiếp và đọc tin mới"
        },
    )


class MessagesQuerySchema(Schema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_INT32),
        metadata={"description": "mã (`id`) tin nhắn cuối ứng dụng đã có; 0: từ đầu"},
    )


class ConversationMessagesSchema(Schema):
    conversation_id = fields.UUID()
    status = fields.String()
    messages = fields.List(fields.Nested(ChatMessageSchema))


class HandoffRequestSchema(Schema):
    conversation_id = fields.UUID(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(["request_human", "fallback"]))


class HandoffDecisionSchema(Schema):
    queued = fields.Boolean(metadata={"description": "true: đã vào hàng chờ tổng đài viên"})
    handoff_id = fields.UUID(allow_none=True)
    position = fields.Integer(allow_none=True, metadata={"description": "thứ tự trong hàng chờ"})
    reason = fields.String(allow_none=True, metadata={"description": "out_of_hours | no_agent_on_duty"})
    hotline = fields.String()
    message = fields.String(metadata={"description": "câu trả lời cho công dân"})


class QueuedCitizenSchema(Schema):
    full_name = fields.String()
    identity_level = fields.Integer()


class HandoffSchema(Schema):
    id = fields.UUID()
    conversation_id = fields.UUID()
    reason = fields.String()
    reason_name = fields.String()
    status = fields.String(metadata={"description": "waiting | active | closed"})
    requested_at = VietnamDateTime()
    waiting_seconds = fields.Integer()
    accepted_at = VietnamDateTime(allow_none=True)
    agent_name = fields.String(allow_none=True)
    citizen = fields.Nested(
        QueuedCitizenSchema, allow_none=True, metadata={"description": "null: khách ẩn danh"}
    )
    last_message = fields.String(allow_none=True)
    allowed_actions = fields.List(
        fields.String(validate=validate.OneOf(["accept", "reply", "close"])),
        metadata={
            "description": "việc tổng đài viên đang gọi được làm lúc này: accept, reply, close; rỗng khi "
            "cuộc trò chuyện do người khác hỗ trợ hoặc đã kết thúc"
        },
    )


class TurnSchema(Schema):
    sender = fields.String(metadata={"description": "citizen | bot | agent | system"})
    text = fields.String()
    at = VietnamDateTime()


class HandoffDetailSchema(HandoffSchema):
    transcript = fields.List(fields.Nested(TurnSchema))
    transcript_source = fields.String(metadata={"description": "rasa | api (khi trợ lý ảo gián đoạn)"})
    last_message_id = fields.Integer(
        metadata={
            "description": "mã tin nhắn mới nhất lúc đọc: luồng `GET /agent/events` mở với `after` bằng số "
            "này để nhận các tin nhắn đến sau"
        }
    )


class AgentReplySchema(Schema):
    text = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MESSAGE_MAX, error="Tin nhắn dài từ 1 đến {max} ký tự."),
    )


class PresenceSchema(Schema):
    on_duty = fields.Boolean(required=True)


class PresenceStateSchema(Schema):
    on_duty = fields.Boolean()
    agents_unavailable = fields.String(
        allow_none=True, metadata={"description": "null: công dân được chuyển tới tổng đài viên"}
    )


class ChatRatingRequestSchema(Schema):
    rating = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=5, error="Mức đánh giá từ {min} đến {max}."),
        metadata={"description": "1 rất không hài lòng … 5 rất hài lòng"},
    )
    comment = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500, error="Góp ý dài tối đa {max} ký tự."),
    )


class ChatRatingSchema(Schema):
    rating = fields.Integer(required=True)
    comment = fields.String(required=True, allow_none=True, attribute="rating_comment")
    rated_at = VietnamDateTime(required=True)


class AgentEventsQuerySchema(MessagesQuerySchema):
    handoff = fields.UUID(
        load_default=None,
        metadata={
            "description": "yêu cầu hỗ trợ tổng đài viên đang mở: luồng gửi kèm tin nhắn mới của cuộc trò chuyện "
            "đó (sau `after`, thường là `last_message_id` của `GET /agent/handoffs/{id}`)"
        },
    )


class AgentEventsHeadersSchema(Schema):
    last_event_id = fields.Integer(
        data_key="Last-Event-ID",
        load_default=None,
        validate=validate.Range(min=0, max=MAX_INT32),
        metadata={"description": "khi kết nối lại: `id` của sự kiện `message` cuối cùng đã nhận"},
    )


class AgentFiguresSchema(Schema):
    agent_id = fields.UUID(required=True)
    display_name = fields.String(required=True)
    handled = fields.Integer(
        required=True, metadata={"description": "số yêu cầu hỗ trợ tổng đài viên đã kết thúc trong kỳ"}
    )
    median_wait_seconds = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "trung vị thời gian công dân chờ, từ lúc yêu cầu đến lúc được nhận (hoặc kết thúc "
            "ngay từ hàng chờ); null khi không có"
        },
    )
    median_handling_seconds = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "trung vị thời gian hỗ trợ, từ lúc nhận đến lúc kết thúc; null khi không có"
        },
    )
    satisfaction_average = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "điểm hài lòng trung bình (1–5) của các đánh giá; null khi chưa có"},
    )
    satisfaction_responses = fields.Integer(required=True, metadata={"description": "số lượt đánh giá"})
