"""The personal document store's one table: metadata of each stored file; the bytes are in storage."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db


class StoredDocument(db.Model):
    __tablename__ = "personal_documents"
    __table_args__ = (
        # "Keep documents once": the same bytes uploaded again by the same citizen are the same
        # document. The constraint, not a prior lookup, settles two uploads racing.
        UniqueConstraint("citizen_id", "sha256", name="uq_personal_documents_citizen_sha256"),
        # Listing is always "this citizen's documents, newest first".
        Index("ix_personal_documents_citizen_created", "citizen_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(32))
    # The name the citizen's file had, cleaned; shown and used for downloads only, never a path.
    filename: Mapped[str] = mapped_column(String(128))
    # Detected from the content, never taken from the client.
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Made by the server from the ids; unique because two rows must never share (and so
    # delete) one blob.
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
