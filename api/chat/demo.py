"""Demo chats for `flask seed-demo`: two citizens' questions waiting for a call-centre agent, so the
call centre has a queue from the first `make run` without a trained bot, and one answered and
rated chat for the call centre's figures.

They are what the API keeps when Rasa cannot be reached (service._keep_for_agent): the
citizen's messages, marked as never delivered to the bot, the system's note with the hotline, and
a `bot_unavailable` handoff, so the console shows them from the API's own copy whether Rasa runs
or not. Idempotent: a citizen who already has a conversation is left as they are.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from api.chat.models import ChatMessage, Conversation, Handoff
from api.chat.service import HOTLINE, RATING_BUTTONS, RATING_NAMES, RATING_QUESTION
from api.dbtypes import new_uuid, utcnow
from api.events import record_event
from api.extensions import db

QUESTIONS = (
    (
        "Cho tôi hỏi mẹ tôi 78 tuổi, không có lương hưu thì được nhận trợ cấp người cao tuổi ở đâu ạ?",
        "Hồ sơ cần những giấy tờ gì, có phải lên phường không?",
    ),
    ("Tôi thuê trọ ở phường Buôn Ma Thuột, đăng ký tạm trú online rồi mà 3 ngày chưa thấy phản hồi.",),
)
_NOTE = (
    "Trợ lý ảo đang tạm gián đoạn. Tin nhắn của bạn đã được lưu lại và tổng đài viên sẽ trả lời trong "
    f"giờ làm việc. Nếu cần hỗ trợ ngay, vui lòng gọi tổng đài {HOTLINE}; trường hợp khẩn cấp gọi 113 "
    "(Công an), 114 (Cứu hỏa), 115 (Cấp cứu)."
)


def seed_demo_handoffs(citizen_ids: list) -> int:
    """A waiting handoff for each of the citizens (one per question set) without a conversation."""
    talked = set(
        db.session.scalars(select(Conversation.citizen_id).where(Conversation.citizen_id.in_(citizen_ids)))
    )
    now = utcnow()
    added = 0
    for number, (citizen_id, questions) in enumerate(zip(citizen_ids, QUESTIONS, strict=False)):
        if citizen_id in talked:
            continue
        began = now - timedelta(minutes=25 - number * 10)
        conversation = Conversation(
            id=new_uuid(), citizen_id=citizen_id, created_at=began, last_message_at=began
        )
        db.session.add(conversation)
        db.session.flush()
        for turn, text in enumerate(questions):
            at = began + timedelta(minutes=turn * 2)
            db.session.add(
                ChatMessage(
                    conversation_id=conversation.id,
                    sender="citizen",
                    text=text,
                    delivered_to_bot=False,
                    created_at=at,
                )
            )
            conversation.last_message_at = at
        db.session.add(
            ChatMessage(conversation_id=conversation.id, sender="system", text=_NOTE, created_at=began)
        )
        db.session.add(Handoff(conversation_id=conversation.id, reason="bot_unavailable", requested_at=began))
        record_event(
            "chat.handoff_requested",
            aggregate_type="chat_conversation",
            aggregate_id=conversation.id,
            payload={"reason": "bot_unavailable"},
            recipient=citizen_id,
        )
        added += 1
    return added


# A chat the agent answered three days ago and the citizen rated: the call centre's figures (the
# leaders' dashboard, "Số liệu tổng đài") have something to show from the first `make run`.
ANSWERED = (
    "Thẻ căn cước của tôi bị sai ngày sinh, giờ muốn làm lại thì làm ở đâu ạ?",
    "Chào anh, anh mang thẻ căn cước và bản sao giấy khai sinh đến Công an phường nơi cư trú để "
    "điều chỉnh thông tin trên thẻ; thủ tục không mất lệ phí khi sai sót do cơ quan cấp thẻ.",
    "Tổng đài viên hướng dẫn rất rõ, cảm ơn!",
)


def seed_demo_answered_chat(citizen_id, agent_id) -> int:
    """The answered and rated chat, once (a citizen who already has a conversation is left as is)."""
    if db.session.scalar(select(Conversation.id).where(Conversation.citizen_id == citizen_id).limit(1)):
        return 0
    question, answer, comment = ANSWERED
    asked = utcnow() - timedelta(days=3)
    taken, closed = asked + timedelta(minutes=3), asked + timedelta(minutes=11)
    conversation = Conversation(
        id=new_uuid(), citizen_id=citizen_id, created_at=asked, last_message_at=closed
    )
    db.session.add(conversation)
    db.session.flush()
    for sender, text, at, extra in (
        ("citizen", question, asked, {"delivered_to_bot": True}),
        ("agent", answer, taken + timedelta(minutes=2), {"agent_id": agent_id}),
        ("system", RATING_QUESTION, closed, {"kind": "rating_request", "buttons": RATING_BUTTONS}),
        ("system", f"Cảm ơn bạn đã đánh giá: {RATING_NAMES[5]} (5/5).", closed, {"kind": "rating_thanks"}),
    ):
        db.session.add(
            ChatMessage(conversation_id=conversation.id, sender=sender, text=text, created_at=at, **extra)
        )
    db.session.add(
        Handoff(
            conversation_id=conversation.id,
            reason="request_human",
            status="closed",
            requested_at=asked,
            agent_id=agent_id,
            accepted_at=taken,
            closed_at=closed,
            rating=5,
            rating_comment=comment,
            rated_at=closed + timedelta(minutes=1),
        )
    )
    return 1
