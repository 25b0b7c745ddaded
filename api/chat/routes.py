"""Chat endpoints: the app's chat with the bot, the bot's handoff requests, the agents' console.

Thin: parse, authorise (`@allow`), call api/chat/service.py.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import Blueprint as FlaskBlueprint
from flask import send_from_directory
from flask.views import MethodView
from flask_jwt_extended import get_jwt

from api.auth.policy import PUBLIC, Service, Staff, allow, current_principal, require_principal
from api.chat import live, rasa, service
from api.chat.schemas import (
    AgentReplySchema,
    ChatMessageSchema,
    ChatRequestSchema,
    ConversationKeySchema,
    ConversationMessagesSchema,
    EventStreamHeadersSchema,
    ExchangeSchema,
    HandoffDecisionSchema,
    HandoffDetailSchema,
    HandoffRequestSchema,
    HandoffSchema,
    MessagesQuerySchema,
    PresenceSchema,
    PresenceStateSchema,
)
from api.dbtypes import utcnow
from api.extensions import chat_limit, limiter
from api.health import register_readiness_check
from api.http import Blueprint

chat_blp = Blueprint("chat", __name__, url_prefix="/chat", description="Trò chuyện với trợ lý ảo")
agent_blp = Blueprint("agent", __name__, url_prefix="/agent", description="Tổng đài viên")
console = FlaskBlueprint("agent_console", __name__)
chat_blp.record_once(lambda state: register_readiness_check(state.app, "chatbot", rasa.readiness))

AGENTS = Staff("agent", "admin")
CONSOLE_FILES = Path(__file__).parent / "console"


class ChatView(MethodView):
    decorators = [limiter.limit(chat_limit)]


@chat_blp.route("")
class Chat(ChatView):
    @allow(PUBLIC)
    @chat_blp.arguments(ChatRequestSchema)
    @chat_blp.arguments(ConversationKeySchema, location="headers")
    @chat_blp.response(200, ExchangeSchema)
    @chat_blp.alt_response(
        202, schema=ExchangeSchema, description="Trợ lý ảo gián đoạn: tin nhắn được giữ lại"
    )
    @chat_blp.doc(
        summary="Gửi tin nhắn cho trợ lý ảo",
        description="Công dân đã đăng nhập được trợ lý ảo tra cứu dữ liệu của chính mình; khách ẩn danh "
        "nhận thông tin công khai. Khi trợ lý ảo gián đoạn, tin nhắn được lưu và chuyển tổng đài viên (202).",
    )
    def post(self, body, headers):
        exchange = service.send(
            current_principal(), body["conversation_id"], body["message"], headers["conversation_key"]
        )
        return exchange, 200 if exchange.bot_available else 202


@chat_blp.route("/conversations/<uuid:conversation_id>/messages")
class ConversationMessages(ChatView):
    @allow(PUBLIC)
    @chat_blp.arguments(MessagesQuerySchema, location="query")
    @chat_blp.arguments(ConversationKeySchema, location="headers")
    @chat_blp.response(200, ConversationMessagesSchema)
    @chat_blp.doc(
        summary="Tin nhắn mới của cuộc trò chuyện",
        description="Tin nhắn sau `after` (mã tin nhắn cuối ứng dụng đã có), khi mở lại cuộc trò chuyện hoặc "
        "khi luồng sự kiện `/events` không dùng được (503 `chat_stream_busy`). Trả lời của tổng đài viên "
        "đến ngay qua luồng sự kiện: ứng dụng không hỏi định kỳ.",
    )
    def get(self, query, headers, conversation_id: uuid.UUID):
        conversation = service.conversation_for(
            current_principal(), conversation_id, headers["conversation_key"]
        )
        return {
            "conversation_id": conversation.id,
            "status": service.status_of(conversation),
            "messages": service.messages_after(conversation, query["after"]),
        }


EVENTS_DESCRIPTION = """Luồng [server-sent events](https://html.spec.whatwg.org/multipage/server-sent-events.html)
(`text/event-stream`, UTF-8) của một cuộc trò chuyện: trả lời của tổng đài viên và trợ lý ảo đến
ngay khi được lưu, không cần hỏi định kỳ. Quyền như `GET …/messages`: công dân chủ cuộc trò chuyện
(Bearer), hoặc khách ẩn danh gửi `X-Conversation-Key`; cuộc trò chuyện của người khác: 404.
Trình duyệt đọc bằng `fetch()` (EventSource không gửi được tiêu đề).

Các sự kiện, mỗi sự kiện kết thúc bằng một dòng trống:

- `message`: một tin nhắn, của bất kỳ bên nào (citizen, bot, agent, system), theo thứ tự `id` tăng dần.
  `id:` là mã tin nhắn, `data:` là JSON như một phần tử `messages` của `GET …/messages` (`ChatMessage`):
  ```
  id: 42
  event: message
  data: {"buttons": null, "created_at": "2026-11-23T09:15:02+07:00", "id": 42, "sender": "agent", "text": "Chào anh, tôi là tổng đài viên."}
  ```
- `status`: trạng thái cuộc trò chuyện, gửi khi mở luồng (sau các tin nhắn còn thiếu) và mỗi khi đổi:
  `bot` (trợ lý ảo trả lời), `waiting` (chờ tổng đài viên), `with_agent` (tổng đài viên đã nhận);
  khi tổng đài viên kết thúc hỗ trợ, trạng thái trở lại `bot` (kèm tin nhắn `system`):
  ```
  event: status
  data: {"conversation_id": "…", "status": "with_agent"}
  ```
- dòng chú thích `: heartbeat` khi 15 giây không có gì để gửi, để proxy không cắt kết nối.

Luồng tự kết thúc sau khoảng 5 phút (hoặc khi mã truy cập hết hạn) với dòng `retry:` (số mili giây
chờ trước khi kết nối lại). Ứng dụng kết nối lại với tiêu đề `Last-Event-ID` = `id` của tin nhắn cuối
đã nhận (hoặc `?after=`): nhận đúng các tin nhắn sau đó, không thiếu, không trùng. Khi máy chủ đã đủ
kết nối trực tiếp: 503 `chat_stream_busy` với `Retry-After`; trong lúc đó ứng dụng tải tin nhắn bằng
`GET …/messages` khi người dùng mở lại cuộc trò chuyện."""


@chat_blp.route("/conversations/<uuid:conversation_id>/events")
class ConversationEvents(ChatView):
    @allow(PUBLIC)
    @chat_blp.arguments(MessagesQuerySchema, location="query")
    @chat_blp.arguments(EventStreamHeadersSchema, location="headers")
    @chat_blp.alt_response(
        404, description="`conversation_not_found`: không có, hoặc không phải của người gọi"
    )
    @chat_blp.alt_response(403, description="`chat_citizens_only`: cán bộ không dùng kênh trò chuyện")
    @chat_blp.alt_response(
        503,
        description="`chat_stream_busy`: máy chủ đã đủ kết nối trực tiếp; thử lại sau `Retry-After` giây",
        headers={
            "Retry-After": {
                "description": "số giây nên chờ trước khi mở lại luồng",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            }
        },
    )
    @chat_blp.doc(
        summary="Luồng sự kiện trực tiếp của cuộc trò chuyện",
        description=EVENTS_DESCRIPTION,
        responses={
            "200": {
                "description": "Luồng sự kiện (server-sent events), mở đến khi tự kết thúc",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            }
        },
    )
    def get(self, query, headers, conversation_id: uuid.UUID):
        principal = current_principal()
        service.conversation_for(principal, conversation_id, headers["conversation_key"])  # or 404
        after = headers["last_event_id"] if headers["last_event_id"] is not None else query["after"]
        # A stream outlives no sign-in: it ends when the access token does, and the app reconnects
        # with a fresh one (a signed-out session is refused then).
        token_expires_at = get_jwt().get("exp") if principal is not None else None

        def read(after_id: int, limit: int):
            news = service.conversation_news(conversation_id, after_id, limit)
            if news is None:
                return None
            messages, status = news
            return ChatMessageSchema(many=True).dump(messages), status

        return live.event_stream(conversation_id, after, read, token_expires_at)


@chat_blp.route("/handoffs")
class HandoffRequest(MethodView):
    @allow(Service("chat:handoff"))
    @chat_blp.arguments(HandoffRequestSchema)
    @chat_blp.response(200, HandoffDecisionSchema)
    @chat_blp.doc(
        summary="Trợ lý ảo chuyển cuộc trò chuyện cho tổng đài viên",
        description="Ngoài giờ hoặc không có tổng đài viên trực: `queued` = false kèm số tổng đài.",
    )
    def post(self, body):
        return service.request_handoff(body["conversation_id"], body["reason"])


# ---- the agents' console --------------------------------------------------------------------


def _agent_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


@agent_blp.route("/handoffs")
class Queue(MethodView):
    @allow(AGENTS)
    @agent_blp.response(200, HandoffSchema(many=True))
    @agent_blp.doc(
        summary="Hàng chờ", description="Đang chờ trước, chờ lâu nhất trước; rồi các cuộc đang hỗ trợ."
    )
    def get(self):
        return [service.handoff_view(handoff, _agent_id()) for handoff in service.queue()]


@agent_blp.route("/handoffs/<uuid:handoff_id>")
class HandoffDetail(MethodView):
    @allow(AGENTS)
    @agent_blp.response(200, HandoffDetailSchema)
    @agent_blp.doc(
        summary="Chi tiết và toàn bộ cuộc trò chuyện (lấy từ trợ lý ảo; việc xem được ghi nhật ký)"
    )
    def get(self, handoff_id: uuid.UUID):
        handoff = service.get_handoff(handoff_id)
        turns, source = service.transcript(handoff)
        return {
            **service.handoff_view(handoff, _agent_id()),
            "transcript": turns,
            "transcript_source": source,
        }


@agent_blp.route("/handoffs/<uuid:handoff_id>/accept")
class HandoffAccept(MethodView):
    @allow(AGENTS)
    @agent_blp.response(200, HandoffSchema)
    @agent_blp.doc(summary="Nhận hỗ trợ cuộc trò chuyện")
    def post(self, handoff_id: uuid.UUID):
        return service.handoff_view(service.accept(handoff_id, _agent_id()), _agent_id())


@agent_blp.route("/handoffs/<uuid:handoff_id>/messages")
class HandoffReply(MethodView):
    @allow(AGENTS)
    @agent_blp.arguments(AgentReplySchema)
    @agent_blp.response(201, ChatMessageSchema)
    @agent_blp.doc(
        summary="Trả lời công dân", description="Tin nhắn hiện trong khung trò chuyện của ứng dụng."
    )
    def post(self, body, handoff_id: uuid.UUID):
        return service.reply(handoff_id, _agent_id(), body["text"])


@agent_blp.route("/handoffs/<uuid:handoff_id>/close")
class HandoffClose(MethodView):
    @allow(AGENTS)
    @agent_blp.response(200, HandoffSchema)
    @agent_blp.doc(summary="Kết thúc hỗ trợ", description="Trợ lý ảo tiếp tục trả lời công dân.")
    def post(self, handoff_id: uuid.UUID):
        return service.handoff_view(service.close(handoff_id, _agent_id()), _agent_id())


@agent_blp.route("/presence")
class Presence(MethodView):
    @allow(AGENTS)
    @agent_blp.arguments(PresenceSchema)
    @agent_blp.response(200, PresenceStateSchema)
    @agent_blp.doc(
        summary="Báo đang trực",
        description="Bảng điều khiển gửi mỗi 30 giây khi tổng đài viên đang trực; `on_duty` = false khi nghỉ.",
    )
    def put(self, body):
        service.set_presence(_agent_id(), body["on_duty"])
        return {"on_duty": body["on_duty"], "agents_unavailable": service.agents_unavailable(utcnow())}


@console.get("/agent/console")
@allow(PUBLIC)
def console_page():
    """The page holds no data: it signs the agent in and calls the endpoints above."""
    response = send_from_directory(CONSOLE_FILES, "index.html", max_age=0)
    # Only the console's own script runs: a citizen's message can never become markup here.
    response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    return response


@console.get("/agent/console/<path:filename>")
@allow(PUBLIC)
def console_asset(filename: str):
    return send_from_directory(CONSOLE_FILES, filename, max_age=300)
