"""Chat with the city: the citizen's messages through the chatbot, and the agents' handoff queue.

A citizen's message is stored before it goes to Rasa, so it survives Rasa being down: then the
citizen gets the hotline, and the message waits for an agent in the handoff queue. Rasa acts
for a signed-in citizen with a delegated read-only token of theirs (api/auth/tokens.py), so
its actions see that citizen's data and nobody else's. When the bot hands over (the citizen
asks for a human, or it failed twice in a row), Rasa pauses the conversation and the handoff
waits here; the agent's reply reaches the app through the conversation's messages, and
closing the handoff resumes the bot.

Every change that stores a message or changes the conversation's status asks for a wake-up
(`live.publish_on_commit`): once the unit of work commits it, the app's open event stream
(api/chat/live.py) is woken in whichever process holds it; one that changes the agents' queue or
a handed-over conversation also wakes the agents' streams. The service never commits (see
api/unit_of_work.py), except once before each call to Rasa (`_stored_before_rasa`).

When an agent closes a handoff, the citizen is asked how satisfied they were (1–5, once, through
`rate`, never through Rasa); `agent_figures` counts what each agent handled, how long citizens
waited and were helped, and what they answered.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
import statistics
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.auth import service as auth
from api.auth.tokens import delegated_access_token
from api.chat import live, rasa
from api.chat.models import AgentPresence, ChatMessage, Conversation, Handoff
from api.chat.workflow import ACTIVE, CLOSED, HANDOFFS, OPEN_STATUSES, WAITING
from api.citizens import service as citizens
from api.concurrency import compare_and_set
from api.config import ConfigurationError
from api.dbtypes import new_uuid, utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.policy import Principal
from api.unit_of_work import checkpoint
from api.workdays import VIETNAM, is_working_day, moments_of

HOTLINE = "1900 0368"
RATING_QUESTION = "Bạn có hài lòng với cuộc trò chuyện này không?"
RATING_NAMES = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}
RATING_BUTTONS = [{"title": title, "payload": str(score)} for score, title in RATING_NAMES.items()]
HANDOFF_REASONS = {
    "request_human": "Công dân yêu cầu gặp tổng đài viên",
    "fallback": "Trợ lý ảo không hiểu hai lần liên tiếp",
    "bot_unavailable": "Trợ lý ảo gián đoạn, tin nhắn được giữ lại",
}


@dataclass
class Exchange:
    """One message and what came back: the bot's replies, or a system note when it could not answer."""

    conversation: Conversation
    replies: list[ChatMessage]
    bot_available: bool
    # Given once, when an anonymous conversation begins: the app sends it back to continue.
    conversation_key: str | None = None

    @property
    def status(self) -> str:
        return status_of(self.conversation)


# ---- the citizen's side ---------------------------------------------------------------------


def send(
    principal: Principal | None, conversation_id: uuid.UUID | None, text: str, key: str | None = None
) -> Exchange:
    """Store the citizen's message, pass it to the bot and store the bot's replies.

    A signed-in citizen's conversation is theirs; an anonymous one is opened by the key given
    when it began (`key`), because its id alone travels too widely to keep anyone's words private.
    """
    citizen_id = _citizen_of(principal)
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise ApiError(422, "empty_message", "Tin nhắn không được để trống.", errors={"message": ["Trống."]})
    new_key = None
    if conversation_id is None:
        conversation = Conversation(id=new_uuid(), citizen_id=citizen_id)
        if citizen_id is None:
            new_key = secrets.token_urlsafe(24)
            conversation.access_key_hash = _key_hash(new_key)
        db.session.add(conversation)
        db.session.flush()  # before its first message, which refers to it
    else:
        conversation = conversation_for(principal, conversation_id, key)
    exchange = _exchange(principal, conversation, text)
    exchange.conversation_key = new_key
    return exchange


def _exchange(principal: Principal | None, conversation: Conversation, text: str) -> Exchange:
    message = _add_message(conversation, "citizen", text)
    handoff = open_handoff(conversation.id)
    if handoff is not None and not conversation.bot_paused:
        # An agent took this chat while the bot was down: the bot stays out of it.
        message.delivered_to_bot = False
        _publish(conversation.id, queue=True)
        return Exchange(conversation, [], bot_available=True)
    # A handed-over conversation's words are the agent's news too (transcript, queue's last words).
    _publish(conversation.id, queue=handoff is not None)
    _stored_before_rasa()

    try:
        if conversation.bot_paused and handoff is None:
            rasa.resume(str(conversation.id))  # the close that should have done it could not reach Rasa
            conversation.bot_paused = False
        metadata = {"cds_token": _chat_token(principal)} if conversation.citizen_id else {}
        bot_replies = rasa.send_message(str(conversation.id), text, metadata)
    except rasa.RasaUnavailable:
        return _keep_for_agent(conversation, message)

    message.delivered_to_bot = True
    replies = [
        _add_message(conversation, "bot", reply["text"], buttons=reply.get("buttons") or None)
        for reply in bot_replies
        if reply.get("text")
    ]
    _publish(conversation.id)
    return Exchange(conversation, replies, bot_available=True)


def conversation_for(
    principal: Principal | None, conversation_id: uuid.UUID, key: str | None = None
) -> Conversation:
    """The caller's conversation: a citizen's own, or an anonymous one opened with its key.

    Anything else (another citizen's, an anonymous one without its key or begun before keys
    existed) answers 404 like a conversation that does not exist.
    """
    conversation = db.session.get(Conversation, conversation_id)
    if (
        conversation is None
        or conversation.citizen_id != _citizen_of(principal)
        or (conversation.citizen_id is None and not _key_opens(conversation, key))
    ):
        raise ApiError(404, "conversation_not_found", "Không tìm thấy cuộc trò chuyện này.")
    return conversation


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _key_opens(conversation: Conversation, key: str | None) -> bool:
    return bool(key and conversation.access_key_hash) and hmac.compare_digest(
        _key_hash(key), conversation.access_key_hash
    )


def messages_after(conversation: Conversation, after_id: int, limit: int = 100) -> list[ChatMessage]:
    """What the app has not shown yet: agents' replies arrive here, not in the answer to a send."""
    return list(
        db.session.scalars(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation.id, ChatMessage.id > after_id)
            .order_by(ChatMessage.id)
            .limit(limit)
        )
    )


def status_of(conversation: Conversation) -> str:
    """ "bot" (the assistant answers), "waiting" (for an agent) or "with_agent"."""
    handoff = open_handoff(conversation.id)
    if handoff is None:
        return "bot"
    return "with_agent" if handoff.status == ACTIVE else "waiting"


def conversation_news(
    conversation_id: uuid.UUID, after_id: int, limit: int
) -> tuple[list[ChatMessage], str] | None:
    """What a live stream has not sent yet: the messages after `after_id` and the status now;
    None once the conversation is gone (its citizen deleted their account)."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    return messages_after(conversation, after_id, limit), status_of(conversation)


def _citizen_of(principal: Principal | None) -> uuid.UUID | None:
    if principal is None:
        return None
    if principal.kind != "citizen":
        raise ApiError(403, "chat_citizens_only", "Kênh trò chuyện dành cho công dân.")
    return uuid.UUID(principal.id)


def _chat_token(principal: Principal) -> str:
    return delegated_access_token(
        f"citizen:{principal.id}",
        {"sid": principal.session_id, "lvl": principal.identity_level},
        via="chatbot",
        lifetime=timedelta(seconds=current_app.config["CHAT_TOKEN_SECONDS"]),
    )


def _publish(conversation_id: uuid.UUID, *, queue: bool = False) -> None:
    """Once committed: wake the conversation's streams, and the agents' when `queue`."""
    live.publish_on_commit(conversation_id, queue=queue)


def _stored_before_rasa() -> None:
    """Make what was staged durable before a call to Rasa, which may take RASA_TIMEOUT_SECONDS."""
    checkpoint(
        "stored before the call to Rasa: a citizen's message is kept whatever happens to Rasa, the "
        "streams see it at once, and no database lock is held while Rasa (and its actions, which call "
        "back into this API) works"
    )


def _add_message(conversation: Conversation, sender: str, text: str, **fields) -> ChatMessage:
    message = ChatMessage(conversation_id=conversation.id, sender=sender, text=text, **fields)
    conversation.last_message_at = utcnow()
    db.session.add(message)
    db.session.flush()  # its id (and time): the answer carries them, the app resumes after them
    return message


def _keep_for_agent(conversation: Conversation, message: ChatMessage) -> Exchange:
    """Rasa is down: the message waits for an agent, and the citizen learns how to get help now."""
    message.delivered_to_bot = False
    if open_handoff(conversation.id) is None:
        db.session.add(Handoff(conversation_id=conversation.id, reason="bot_unavailable"))
        record_event(
            "chat.handoff_requested",
            aggregate_type="chat_conversation",
            aggregate_id=conversation.id,
            payload={"reason": "bot_unavailable"},
            recipient=conversation.citizen_id,
        )
    note = _add_message(
        conversation,
        "system",
        "Trợ lý ảo đang tạm gián đoạn. Tin nhắn của bạn đã được lưu lại và tổng đài viên sẽ trả lời "
        f"trong giờ làm việc ({describe_agent_hours()}). Nếu cần hỗ trợ ngay, vui lòng gọi tổng đài "
        f"{HOTLINE}; trường hợp khẩn cấp gọi 113 (Công an), 114 (Cứu hỏa), 115 (Cấp cứu).",
    )
    _publish(conversation.id, queue=True)
    return Exchange(conversation, [note], bot_available=False)


# ---- the chatbot asks for a human -----------------------------------------------------------


def request_handoff(conversation_id: uuid.UUID, reason: str) -> dict:
    """Queue the conversation for an agent, or say why nobody can take it (then: the hotline)."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise ApiError(404, "conversation_not_found", "Không tìm thấy cuộc trò chuyện này.")
    handoff = open_handoff(conversation.id)
    if handoff is None:
        unavailable = agents_unavailable(utcnow())
        if unavailable:
            return {
                "queued": False,
                "reason": unavailable,
                "hotline": HOTLINE,
                "message": _no_agent(unavailable),
            }
        try:
            with db.session.begin_nested():  # a savepoint: only this request's handoff is undone
                handoff = Handoff(conversation_id=conversation.id, reason=reason)
                db.session.add(handoff)
                conversation.bot_paused = True  # the action that called us pauses Rasa next
                record_event(
                    "chat.handoff_requested",
                    aggregate_type="chat_conversation",
                    aggregate_id=conversation.id,
                    payload={"reason": reason},
                    recipient=conversation.citizen_id,
                )
        except IntegrityError:  # asked twice at once: the other request queued it
            handoff = open_handoff(conversation_id)
            if handoff is None:
                raise
        else:
            _publish(conversation.id, queue=True)
    ahead = queue_position(handoff)
    waiting = f"Trước bạn có {ahead} người đang chờ. " if ahead else ""
    return {
        "queued": True,
        "handoff_id": handoff.id,
        "position": ahead + 1,
        "reason": None,
        "hotline": HOTLINE,
        "message": "Tôi đã chuyển cuộc trò chuyện tới tổng đài viên, bạn vui lòng chờ trong giây lát. "
        f"{waiting}Tổng đài viên sẽ trả lời ngay tại đây; bạn cũng có thể gọi {HOTLINE}.",
    }


def open_handoff(conversation_id: uuid.UUID) -> Handoff | None:
    return db.session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
    )


def queue_position(handoff: Handoff) -> int:
    """How many conversations have waited longer than this one."""
    if handoff.status != WAITING:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(Handoff.status == WAITING, Handoff.requested_at < handoff.requested_at)
    )


def agents_unavailable(now: datetime) -> str | None:
    """None when an agent can take a chat now; else "out_of_hours" or "no_agent_on_duty"."""
    config = current_app.config
    local = now.astimezone(VIETNAM)
    if config["CHAT_AGENT_WORKING_DAYS_ONLY"] and not is_working_day(local.date()):
        return "out_of_hours"
    if not any(start <= local.time() < end for start, end in _agent_hours(config["CHAT_AGENT_HOURS"])):
        return "out_of_hours"
    since = now - timedelta(seconds=config["CHAT_AGENT_PRESENCE_SECONDS"])
    on_duty = db.session.scalar(
        select(func.count()).select_from(AgentPresence).where(AgentPresence.last_seen_at >= since)
    )
    return None if on_duty else "no_agent_on_duty"


def describe_agent_hours() -> str:
    config = current_app.config
    spans = " và ".join(
        f"{start:%H:%M}–{'24:00' if end == time.max else f'{end:%H:%M}'}"
        for start, end in _agent_hours(config["CHAT_AGENT_HOURS"])
    )
    return f"{spans}, các ngày làm việc" if config["CHAT_AGENT_WORKING_DAYS_ONLY"] else f"{spans}, hằng ngày"


_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@lru_cache(maxsize=8)
def _agent_hours(setting: str) -> tuple[tuple[time, time], ...]:
    """ "07:30-11:30,13:30-17:00" as time spans; "24:00" ends at midnight."""
    spans = []
    for part in setting.split(","):
        match = _SPAN.match(part)
        if not match:
            raise ConfigurationError(f"CHAT_AGENT_HOURS: cannot read {part!r}; expected HH:MM-HH:MM")
        h1, m1, h2, m2 = map(int, match.groups())
        end = time.max if (h2, m2) == (24, 0) else time(h2, m2)
        spans.append((time(h1, m1), end))
    return tuple(spans)


def _no_agent(reason: str) -> str:
    if reason == "out_of_hours":
        return (
            f"Hiện đã ngoài giờ làm việc của tổng đài viên ({describe_agent_hours()}). "
            f"Bạn vui lòng gọi tổng đài {HOTLINE} hoặc nhắn lại trong giờ làm việc; trợ lý ảo vẫn hỗ trợ "
            "bạn 24/7. Trường hợp khẩn cấp gọi 113, 114 hoặc 115."
        )
    return (
        f"Hiện chưa có tổng đài viên trực kênh trò chuyện. Bạn vui lòng gọi tổng đài {HOTLINE} để được "
        "hỗ trợ ngay. Trường hợp khẩn cấp gọi 113, 114 hoặc 115."
    )


# ---- the agents' console --------------------------------------------------------------------


def queue() -> list[Handoff]:
    """Open handoffs, longest waiting first, those still waiting before those being handled."""
    return list(
        db.session.scalars(
            select(Handoff)
            .where(Handoff.status.in_(OPEN_STATUSES))
            .order_by(Handoff.status.desc(), Handoff.requested_at)  # "waiting" > "active"
        )
    )


def get_handoff(handoff_id: uuid.UUID) -> Handoff:
    handoff = db.session.get(Handoff, handoff_id)
    if handoff is None:
        raise ApiError(404, "handoff_not_found", "Không tìm thấy yêu cầu hỗ trợ này.")
    return handoff


def transcript(handoff: Handoff) -> tuple[list[dict], str]:
    """The conversation as Rasa's tracker has it, plus the messages Rasa never received.

    Reading a citizen's conversation is audited. Without Rasa the API's own copy is shown.
    """
    conversation_id = str(handoff.conversation_id)
    kept = db.session.scalars(
        select(ChatMessage)
        .where(ChatMessage.conversation_id == handoff.conversation_id)
        .order_by(ChatMessage.id)
    ).all()
    try:
        turns = rasa.transcript(conversation_id)
    except rasa.RasaUnavailable:
        turns = None
    # Written after the call to Rasa, so that no write (and no lock) is pending while it runs;
    # the request's unit of work commits it with the answer.
    record_audit("chat.transcript_read", target=f"conversation:{handoff.conversation_id}")
    if turns is None:
        return [_turn(message) for message in kept], "api"
    turns = [
        {
            "sender": turn["sender"],
            "text": turn["text"],
            "at": datetime.fromtimestamp(turn["timestamp"], VIETNAM),
        }
        for turn in turns
        if turn.get("timestamp") is not None
    ]
    # What Rasa never saw (it was down), and system notes: merged in by time.
    turns += [_turn(m) for m in kept if m.delivered_to_bot is False or m.sender == "system"]
    return sorted(turns, key=lambda turn: turn["at"]), "rasa"


def _turn(message: ChatMessage) -> dict:
    return {"sender": message.sender, "text": message.text, "at": message.created_at}


def accept(handoff_id: uuid.UUID, agent_id: uuid.UUID) -> Handoff:
    """Take a waiting conversation. Compare-and-set: two agents clicking at once, one wins."""
    handoff = get_handoff(handoff_id)
    taken = compare_and_set(
        handoff,
        HANDOFFS.from_condition(Handoff.status, "accept"),
        status=HANDOFFS["accept"].to_status,
        agent_id=agent_id,
        accepted_at=utcnow(),
    )
    if not taken:
        _check_handled_by(handoff, agent_id)
        return handoff
    record_audit("chat.handoff_accepted", target=f"handoff:{handoff.id}")
    _publish(handoff.conversation_id, queue=True)
    return handoff


def reply(handoff_id: uuid.UUID, agent_id: uuid.UUID, text: str) -> ChatMessage:
    """An agent's message to the citizen: in the app's chat, and in Rasa's transcript."""
    handoff = accept(handoff_id, agent_id)  # replying to a waiting chat takes it
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise ApiError(422, "empty_message", "Tin nhắn không được để trống.", errors={"text": ["Trống."]})
    conversation = db.session.get(Conversation, handoff.conversation_id)
    message = _add_message(conversation, "agent", text, agent_id=agent_id)
    record_audit("chat.agent_replied", target=f"handoff:{handoff.id}")
    record_event(
        "chat.agent_replied",
        aggregate_type="chat_conversation",
        aggregate_id=conversation.id,
        payload={"handoff_id": str(handoff.id)},
        recipient=conversation.citizen_id,
    )
    _publish(conversation.id, queue=True)
    if conversation.bot_paused:
        _stored_before_rasa()
        # Without Rasa its transcript misses this line; the API's copy, which the app reads, has it.
        with contextlib.suppress(rasa.RasaUnavailable):
            rasa.append_agent_message(str(conversation.id), text, _agent_name(agent_id))
    return message


def close(handoff_id: uuid.UUID, agent_id: uuid.UUID) -> Handoff:
    """End the agent's part; the bot answers again (now, or at the next message if Rasa is down)."""
    handoff = get_handoff(handoff_id)
    while True:
        if handoff.status == CLOSED:
            raise ApiError(409, "handoff_closed", "Yêu cầu hỗ trợ này đã kết thúc.")
        if handoff.status == ACTIVE:
            _check_handled_by(handoff, agent_id)
        read = handoff.status
        if compare_and_set(
            handoff,
            Handoff.status == read,  # as checked above; else look again (taken or closed meanwhile)
            status=HANDOFFS.next_status("close", read),
            closed_at=utcnow(),
            agent_id=handoff.agent_id or agent_id,
        ):
            break
    conversation = db.session.get(Conversation, handoff.conversation_id)
    _add_message(
        conversation,
        "system",
        "Tổng đài viên đã kết thúc phiên hỗ trợ. Trợ lý ảo tiếp tục hỗ trợ bạn; khi cần, hãy nhắn "
        f'"gặp tổng đài viên" hoặc gọi {HOTLINE}.',
    )
    # Asked of every closed handoff, even one closed from the queue: a citizen left waiting has
    # an opinion too. The buttons answer through `rate`; Rasa never sees them.
    _add_message(
        conversation,
        "system",
        RATING_QUESTION,
        kind="rating_request",
        buttons=RATING_BUTTONS,
    )
    record_audit("chat.handoff_closed", target=f"handoff:{handoff.id}")
    _publish(conversation.id, queue=True)
    if conversation.bot_paused:
        _stored_before_rasa()
        try:
            rasa.resume(str(conversation.id))
            conversation.bot_paused = False
        except rasa.RasaUnavailable:
            pass  # still marked paused: the citizen's next message resumes the bot first
    return handoff


def _check_handled_by(handoff: Handoff, agent_id: uuid.UUID) -> None:
    if handoff.status == CLOSED:
        raise ApiError(409, "handoff_closed", "Yêu cầu hỗ trợ này đã kết thúc.")
    if handoff.agent_id != agent_id:
        raise ApiError(
            409,
            "handoff_taken",
            "Cuộc trò chuyện này đang do một tổng đài viên khác hỗ trợ.",
            agent=_agent_name(handoff.agent_id),
        )


def _agent_name(agent_id: uuid.UUID | None) -> str | None:
    agent = auth.get_staff(agent_id) if agent_id else None
    return agent.full_name if agent else None


def set_presence(agent_id: uuid.UUID, on_duty: bool) -> None:
    """The console reports while the agent is on duty; going off duty removes them at once."""
    presence = db.session.get(AgentPresence, agent_id)
    if on_duty:
        if presence is None:
            db.session.add(AgentPresence(staff_id=agent_id, last_seen_at=utcnow()))
        else:
            presence.last_seen_at = utcnow()
    elif presence is not None:
        db.session.delete(presence)


def allowed_actions(handoff: Handoff, agent_id: uuid.UUID) -> list[str]:
    """What this agent may do with the handoff now (the console offers only these): a waiting
    conversation is any agent's to take, answer (answering takes it) or close; one being handled
    only its agent's (the others get 409 `handoff_taken`); a closed one nobody's."""
    if handoff.status == WAITING:
        return ["accept", "reply", "close"]
    if handoff.status == ACTIVE and handoff.agent_id == agent_id:
        return ["reply", "close"]
    return []


def handoff_view(handoff: Handoff, agent_id: uuid.UUID) -> dict:
    """What an agent sees of one queued conversation: who, why, since when, the last words, and
    what they may do with it."""
    conversation = db.session.get(Conversation, handoff.conversation_id)
    citizen = citizens.get_citizen(conversation.citizen_id) if conversation.citizen_id else None
    last = db.session.scalar(
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation.id, ChatMessage.sender == "citizen")
        .order_by(ChatMessage.id.desc())
        .limit(1)
    )
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "reason": handoff.reason,
        "reason_name": HANDOFF_REASONS[handoff.reason],
        "status": handoff.status,
        "requested_at": handoff.requested_at,
        "waiting_seconds": int((utcnow() - handoff.requested_at).total_seconds()),
        "accepted_at": handoff.accepted_at,
        "agent_name": _agent_name(handoff.agent_id),
        "citizen": (
            {"full_name": citizen.full_name, "identity_level": citizen.identity_level} if citizen else None
        ),
        "last_message": last.text if last else None,
        "allowed_actions": allowed_actions(handoff, agent_id),
    }


def last_message_id(conversation_id: uuid.UUID) -> int:
    """The newest message of the conversation (0: none): where an agent's stream starts after the
    transcript they were just given."""
    return (
        db.session.scalar(
            select(func.max(ChatMessage.id)).where(ChatMessage.conversation_id == conversation_id)
        )
        or 0
    )


def queue_version() -> str:
    """A short fingerprint of the queue as agents see it: which handoffs are open, their status
    and agent, and the citizens' last words in them. It changes exactly when the queue's list
    would, so the agents' stream tells the panel to reload it only then."""
    rows = db.session.execute(
        select(Handoff.id, Handoff.status, Handoff.agent_id, Handoff.conversation_id)
        .where(Handoff.status.in_(OPEN_STATUSES))
        .order_by(Handoff.requested_at, Handoff.id)
    ).all()
    latest = (
        db.session.scalar(
            select(func.max(ChatMessage.id)).where(
                ChatMessage.conversation_id.in_([row.conversation_id for row in rows]),
                ChatMessage.sender == "citizen",
            )
        )
        if rows
        else None
    )
    seen = "|".join(f"{row.id}:{row.status}:{row.agent_id}" for row in rows) + f"|{latest}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def agent_news(conversation_id: uuid.UUID | None, after_id: int, limit: int) -> tuple[list[ChatMessage], str]:
    """What an agent's stream has not sent yet: the open conversation's messages after `after_id`
    (none when no conversation is open) and the queue's fingerprint now."""
    messages: list[ChatMessage] = []
    if conversation_id is not None:
        messages = list(
            db.session.scalars(
                select(ChatMessage)
                .where(ChatMessage.conversation_id == conversation_id, ChatMessage.id > after_id)
                .order_by(ChatMessage.id)
                .limit(limit)
            )
        )
    return messages, queue_version()


# ---- the citizen's satisfaction ---------------------------------------------------------------


def rate(
    principal: Principal | None,
    conversation_id: uuid.UUID,
    key: str | None,
    rating: int,
    comment: str | None,
) -> Handoff:
    """The citizen's answer to the question asked when the agent closed their chat: it rates the
    conversation's last closed handoff, once. Only the conversation's owner (404 for anyone
    else, as the other chat routes); 409 `nothing_to_rate` before any handoff was closed,
    409 `already_rated` the second time."""
    conversation = conversation_for(principal, conversation_id, key)
    handoff = db.session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation.id, Handoff.status == CLOSED)
        .order_by(Handoff.closed_at.desc(), Handoff.requested_at.desc())
        .limit(1)
    )
    if handoff is None:
        raise ApiError(
            409,
            "nothing_to_rate",
            "Chưa có phiên hỗ trợ nào của tổng đài viên kết thúc trong cuộc trò chuyện này để đánh giá.",
        )
    comment = unicodedata.normalize("NFC", comment or "").strip() or None
    # Compare-and-set: two taps at once (two tabs, a double click) rate once.
    rated = db.session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.rating.is_(None))
        .values(rating=rating, rating_comment=comment, rated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not rated:
        raise ApiError(409, "already_rated", "Bạn đã đánh giá phiên hỗ trợ này rồi. Cảm ơn bạn!")
    _add_message(
        conversation,
        "system",
        f"Cảm ơn bạn đã đánh giá: {RATING_NAMES[rating]} ({rating}/5). Ý kiến của bạn giúp tổng đài "
        "phục vụ tốt hơn.",
        kind="rating_thanks",
    )
    _publish(conversation.id, queue=True)
    db.session.refresh(handoff)
    return handoff


# ---- the call centre's figures ------------------------------------------------------------------


def _median_seconds(durations: list[timedelta]) -> int | None:
    return round(statistics.median(d.total_seconds() for d in durations)) if durations else None


def agent_figures(since: date, until: date) -> list[dict]:
    """Per agent, the handoffs they closed in the period (Vietnamese days, both included): how
    many, the median wait (from the request until an agent took it, or closed it from the queue),
    the median handling time (from taking it until closing it), and the citizens' satisfaction.

    Every active agent has a row (a quiet day shows as 0, not as a missing colleague), and so has
    anyone else who closed handoffs in the period (an admin standing in, an agent since gone)."""
    start, end = moments_of(since, until)
    closed = db.session.execute(
        select(
            Handoff.agent_id,
            Handoff.requested_at,
            Handoff.accepted_at,
            Handoff.closed_at,
            Handoff.rating,
        ).where(
            Handoff.status == CLOSED,
            Handoff.agent_id.is_not(None),
            Handoff.closed_at >= start,
            Handoff.closed_at < end,
        )
    ).all()
    agents = db.session.scalars(auth.staff_accounts(role="agent", active=True))
    by_agent: dict[uuid.UUID, list] = {agent.id: [] for agent in agents}
    for row in closed:
        by_agent.setdefault(row.agent_id, []).append(row)
    rows = []
    for agent_id, handled in by_agent.items():
        ratings = [row.rating for row in handled if row.rating is not None]
        rows.append(
            {
                "agent_id": agent_id,
                "display_name": _agent_name(agent_id) or "Cán bộ đã bị xóa",
                "handled": len(handled),
                "median_wait_seconds": _median_seconds(
                    [(row.accepted_at or row.closed_at) - row.requested_at for row in handled]
                ),
                "median_handling_seconds": _median_seconds(
                    [row.closed_at - row.accepted_at for row in handled if row.accepted_at]
                ),
                "satisfaction_average": round(statistics.fmean(ratings), 2) if ratings else None,
                "satisfaction_responses": len(ratings),
            }
        )
    return sorted(rows, key=lambda row: (row["display_name"], str(row["agent_id"])))
