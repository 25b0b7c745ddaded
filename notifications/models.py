"""The in-app inbox: messages a citizen reads in the app's "Thông báo" tab."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# The inbox is fed from the outbox; importing it here also registers `outbox_events` with the
# metadata whenever the notifications package is loaded (the app factory always loads it).
import api.events  # noqa: F401
from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db


class InboxMessage(db.Model):
    __tablename__ = "inbox_messages"
    __table_args__ = (
        # Listing is always "this citizen's messages, newest first"; unread counts filter on read_at.
        Index("ix_inbox_messages_citizen_created", "citizen_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    # Where tapping the message leads in the app, e.g. "congdanso://dossiers/HS-2025-000123".
    deep_link: Mapped[str | None] = mapped_column(String(500))
    # The outbox event this message was made from. Unique: delivery is at least once, so a
    # retried dispatch must find the message already there instead of adding a second one.
    # Not a foreign key, so delivered outbox rows can be pruned without touching inboxes.
    source_event_id: Mapped[uuid.UUID | None] = mapped_column(UUID, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
