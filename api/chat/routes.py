"""Chat endpoints: the app's chat with the bot, the citizen's satisfaction with an agent's help,
the bot's handoff requests, and what the call centre's panel of the staff workspace
(/workspace/agent) calls: the queue, the conversations, the agents' live stream and figures.

Thin: parse, authorise (`@allow`), call api/chat/service.py. The old agent console's addresses
redirect to the workspace.
"""

from __future__ import annotations

import uuid

from flask import redirect
from flask.views import MethodView
from flask_jwt_extended import get_jwt

from api.chat import live, rasa, service
from api.chat.schemas import (
    AgentEventsHeadersSchema,
    AgentEventsQuerySchema,
    AgentFiguresSchema,
    AgentReplySchema,
    ChatMessageSchema,
    ChatRatingRequestSchema,
    ChatRatingSchema,
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
from api.periods import PERIOD_ERRORS, PeriodQuerySchema, resolve_period
from api.policy import PUBLIC, Service, Staff, allow, current_principal, require_principal

chat_blp = Blueprint("chat", __name__, url_prefix="/chat", description="Trò chuyện với trợ lý ảo")
agent_blp = Blueprint("agent", __name__, url_prefix="/agent", description="Tổng đài viên")
# The agent console's old addresses, kept as redirects into the workspace for bookmarks.
console = Blueprint("agent_console", __name__)
chat_blp.record_once(lambda state: register_readiness_check(state.app, "chatbot", rasa.readiness))

AGENTS = Staff("agent", "admin")
# The figures are a team board: every agent sees the whole team's rows (see README, call centre),
# and leaders read them as the call centre's results.
FIGURES_READERS = Staff("agent", "leader", "admin")
WORKSPACE_PANEL = "/workspace/agent"


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


# What both live streams (the citizen's and the agents') document: the stream itself, and the
# refusal when this process already holds all the streams it may (api/chat/live.py).
STREAM_BUSY = {
    "description": "`chat_stream_busy`: máy chủ đã đủ kết nối trực tiếp; thử lại sau `Retry-After` giây",
    "headers": {
        "Retry-After": {
            "description": "số giây nên chờ trước khi mở lại luồng",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


# One event of the stream, as OpenAPI documents server-sent events (the fields of the HTML
# standard's event-stream format; `data` is JSON text): before 3.2, the media type's `schema`
# describes each event.
SSE_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "description": "tên sự kiện, ví dụ `message`, `queue`"},
        "data": {"type": "string", "description": "nội dung sự kiện, là JSON"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}


def event_stream_doc(description: str) -> dict:
    return {
        "description": description,
        "responses": {
            "200": {
                "description": "Luồng sự kiện (server-sent events), mở đến khi tự kết thúc",
                "content": {"text/event-stream": {"schema": SSE_EVENT}},
            }
        },
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
    @chat_blp.alt_response(503, **STREAM_BUSY)
    @chat_blp.doc(
        summary="Luồng sự kiện trực tiếp của cuộc trò chuyện", **event_stream_doc(EVENTS_DESCRIPTION)
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


@chat_blp.route("/conversations/<uuid:conversation_id>/rating")
class ConversationRating(ChatView):
    @allow(PUBLIC)
    @chat_blp.arguments(ChatRatingRequestSchema)
    @chat_blp.arguments(ConversationKeySchema, location="headers")
    @chat_blp.response(200, ChatRatingSchema)
    @chat_blp.alt_response(
        404, description="`conversation_not_found`: không có, hoặc không phải của người gọi"
    )
    @chat_blp.alt_response(
        409,
        description="`nothing_to_rate`: chưa có phiên hỗ trợ nào của tổng đài viên kết thúc; "
        "`already_rated`: phiên hỗ trợ gần nhất đã được đánh giá",
    )
    @chat_blp.alt_response(403, description="`chat_citizens_only`: cán bộ không dùng kênh trò chuyện")
    @chat_blp.doc(
        summary="Đánh giá mức độ hài lòng với tổng đài viên",
        description="Trả lời câu hỏi (tin nhắn `kind` = `rating_request`) gửi khi tổng đài viên kết thúc hỗ "
        "trợ: đánh giá phiên hỗ trợ gần nhất đã kết thúc của cuộc trò chuyện, một lần. Chỉ chủ cuộc trò "
        "chuyện (công dân đã đăng nhập, hoặc khách ẩn danh với `X-Conversation-Key`). Không chuyển tới trợ "
        "lý ảo; lời cảm ơn (`rating_thanks`) đến qua luồng sự kiện như mọi tin nhắn.",
    )
    def post(self, body, headers, conversation_id: uuid.UUID):
        return service.rate(
            current_principal(),
            conversation_id,
            headers["conversation_key"],
            body["rating"],
            body["comment"],
        )


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


# ---- the call centre (the workspace's agent panel) ---------------------------------------------


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
        # Read before the transcript: a message stored meanwhile comes again on the stream, and
        # the panel shows each message id once.
        last_message_id = service.last_message_id(handoff.conversation_id)
        turns, source = service.transcript(handoff)
        return {
            **service.handoff_view(handoff, _agent_id()),
            "transcript": turns,
            "transcript_source": source,
            "last_message_id": last_message_id,
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


AGENT_EVENTS_DESCRIPTION = """Luồng [server-sent events](https://html.spec.whatwg.org/multipage/server-sent-events.html)
của bảng tổng đài viên trong không gian làm việc: một luồng cho mỗi tổng đài viên, thay cho việc hỏi
định kỳ. Đọc bằng `fetch()` với Bearer (EventSource không gửi được tiêu đề).

- `queue`: hàng chờ vừa thay đổi (có yêu cầu mới, được nhận, kết thúc, công dân nhắn thêm); gửi khi mở
  luồng và mỗi khi đổi. `data`: `{"version": "…"}`; bảng tải lại `GET /agent/handoffs`.
- `message`: với `?handoff=<id>`, mỗi tin nhắn mới của cuộc trò chuyện đó sau `after` (hoặc
  `Last-Event-ID`), cùng dạng `ChatMessage` như ứng dụng nhận; `id:` là mã tin nhắn.
- dòng chú thích `: heartbeat` khi lâu không có gì để gửi.

Luồng tự kết thúc sau vài phút (hoặc khi mã truy cập hết hạn) với dòng `retry:`; bảng kết nối lại.
Khi máy chủ đã đủ kết nối trực tiếp: 503 `chat_stream_busy` với `Retry-After`."""


@agent_blp.route("/events")
class AgentEvents(MethodView):
    @allow(AGENTS)
    @agent_blp.arguments(AgentEventsQuerySchema, location="query")
    @agent_blp.arguments(AgentEventsHeadersSchema, location="headers")
    @agent_blp.alt_response(404, description="`handoff_not_found`: không có yêu cầu hỗ trợ này")
    @agent_blp.alt_response(503, **STREAM_BUSY)
    @agent_blp.doc(
        summary="Luồng sự kiện trực tiếp của tổng đài viên", **event_stream_doc(AGENT_EVENTS_DESCRIPTION)
    )
    def get(self, query, headers):
        conversation_id = None
        if query["handoff"] is not None:
            conversation_id = service.get_handoff(query["handoff"]).conversation_id  # or 404
        after = headers["last_event_id"] if headers["last_event_id"] is not None else query["after"]
        token_expires_at = get_jwt().get("exp")

        def read(after_id: int, limit: int):
            messages, version = service.agent_news(conversation_id, after_id, limit)
            return ChatMessageSchema(many=True).dump(messages), version

        return live.event_stream(
            conversation_id,
            after,
            read,
            token_expires_at,
            watch=live.QUEUE,
            state_event=lambda version: ("queue", {"version": version}),
        )


@agent_blp.route("/figures")
class Figures(MethodView):
    @allow(FIGURES_READERS)
    @agent_blp.arguments(PeriodQuerySchema, location="query")
    @agent_blp.response(200, AgentFiguresSchema(many=True))
    @agent_blp.alt_response(422, description=PERIOD_ERRORS)
    @agent_blp.doc(
        summary="Số liệu tổng đài theo tổng đài viên",
        description="Các yêu cầu hỗ trợ kết thúc trong kỳ (ngày giờ Việt Nam, gồm cả hai đầu; mặc định 30 ngày "
        "gần nhất), theo từng tổng đài viên: số cuộc, trung vị thời gian chờ và thời gian hỗ trợ (giây), điểm "
        "hài lòng trung bình và số lượt đánh giá. Mọi tổng đài viên đang làm việc đều có một dòng.",
    )
    def get(self, query):
        return service.agent_figures(*resolve_period(query.get("period_from"), query.get("period_to")))


@console.get("/agent/console", strict_slashes=False)
@console.get("/agent/console/<path:filename>")
@allow(PUBLIC)
def console_moved(filename: str | None = None):
    """The console moved into the staff workspace (issue 17): old bookmarks land on its panel."""
    return redirect(WORKSPACE_PANEL, code=308)
