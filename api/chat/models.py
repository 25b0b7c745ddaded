"""Chat with the city (model M30): conversations, their messages, and handoffs to agents.

The chatbot (Rasa) keeps its own tracker of each conversation; the API keeps what the citizen's
app and the call centre need even when Rasa is down: every message the citizen sent (so none is
lost), the bot's and the agents' answers, and the queue of conversations waiting for a human.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

OPEN_HANDOFF_SQL = "status IN ('waiting', 'active')"


class Conversation(db.Model):
    __tablename__ = "chat_conversations"

    # Also the conversation's id in Rasa (its sender_id). Not a secret: agents, Rasa's tracker,
    # the outbox, the audit log and the logs all carry it.
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    # None for an anonymous chat: it gets public information and guidance only.
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID, ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    # An anonymous chat is continued and read only with the key its app was given when it began
    # (SHA-256 here, the key itself nowhere): knowing the id is not enough to read someone's words.
    access_key_hash: Mapped[str | None] = mapped_column(String(64))
    # Rasa was told to stay silent (a handoff); the next message resumes it if closing could not.
    bot_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatMessage(db.Model):
    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_conversation_id_id", "conversation_id", "id"),)

    # An increasing integer: the app polls "messages after the last one I have".
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("chat_conversations.id", ondelete="CASCADE")
    )
    sender: Mapped[str] = mapped_column(String(8))  # citizen | bot | agent | system
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list | None] = mapped_column(JSON)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("staff_users.id"))
    # For a citizen's message: did Rasa receive it? False means Rasa was down: the message was
    # kept here and an agent answers it (and the transcript shows it beside Rasa's).
    delivered_to_bot: Mapped[bool | None] = mapped_column(Boolean)
    # What a system message is for the app beyond its text: "rating_request" (the satisfaction
    # question asked when an agent closes a handoff; its buttons answer through the rating route,
    # never through Rasa) or "rating_thanks" (the question was answered). None: an ordinary message.
    kind: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Handoff(db.Model):
    """A conversation waiting for, or being handled by, a call-centre agent."""

    __tablename__ = "chat_handoffs"
    __table_args__ = (
        # At most one open handoff per conversation: asking twice keeps one place in the queue.
        Index(
            "uq_chat_handoffs_open_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=text(OPEN_HANDOFF_SQL),
            sqlite_where=text(OPEN_HANDOFF_SQL),
        ),
        Index("ix_chat_handoffs_status_requested_at", "status", "requested_at"),
        # The call centre's figures read the handoffs closed in a period.
        Index("ix_chat_handoffs_closed_at", "closed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("chat_conversations.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(String(16))  # request_human | fallback | bot_unavailable
    status: Mapped[str] = mapped_column(String(8), default="waiting")  # waiting | active | closed
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agent_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("staff_users.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The citizen's answer to the question asked when the chat with the agent ends: 1 (very
    # unhappy) to 5 (very happy), once; what the call centre's satisfaction figures count.
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(String(500))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgentPresence(db.Model):
    """An agent with the console open: it reports every half minute while they are on duty."""

    __tablename__ = "chat_agent_presence"

    staff_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
