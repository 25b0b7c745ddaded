"""Reports, their media, comments and history.

Informant protection shapes the `reports` table: for a crime report nothing in it names the
reporter in clear. `reporter_key` is a keyed HMAC of the citizen's id (so the citizen can list
their own reports, and a leaked table cannot be joined back to `citizens`), and `identity` is
the reporter's name, CCCD and phone encrypted with Fernet, readable only through the police's
audited endpoint. An anonymous report has neither; it is followed with a tracking token whose
SHA-256 alone is kept. Field (non-crime) reports keep `citizen_id` in clear. A field report that
came through Open311 has no citizen: its tracking token follows it, and the contact the client
sent (if any) is kept encrypted in `identity` like an informant's.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db
from api.reports.workflow import RECEIVED


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        # The desk's queue: one unit's reports by deadline.
        Index("ix_reports_unit_queue", "unit_kind", "unit_ward_code", "status", "deadline"),
        # The duplicate check: a bounding box on coordinates, then haversine in Python.
        Index("ix_reports_location", "category_code", "latitude", "longitude"),
    )

    # The public id: opaque, in every citizen-facing URL.
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    category_code: Mapped[str] = mapped_column(String(40))
    is_crime: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    ward_code: Mapped[str] = mapped_column(String(5), index=True)  # where it happened
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    incident_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    deadline: Mapped[date] = mapped_column(Date)
    # The unit handling it now: "police" | "ward", in a ward (changes on reassignment).
    unit_kind: Mapped[str] = mapped_column(String(8))
    unit_ward_code: Mapped[str] = mapped_column(String(5))
    assignee: Mapped[str | None] = mapped_column(String(64))  # "staff:<uuid>"
    status: Mapped[str] = mapped_column(String(12), default=RECEIVED)

    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # How it arrived: "app" (the citizen's app), "chat" (the chatbot), "open311" (a GeoReport client).
    channel: Mapped[str] = mapped_column(String(8), default="app", server_default="app")
    # Field reports only: crime reports never hold the reporter's id in clear.
    citizen_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    reporter_key: Mapped[str | None] = mapped_column(String(64), index=True)
    identity: Mapped[str | None] = mapped_column(Text)  # Fernet token; crime reports only
    tracking_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolution_media_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("reports.id"), index=True)
    # "Số người cùng phản ánh": this report and every report merged into it.
    affected_count: Mapped[int] = mapped_column(Integer, default=1)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: of two officers moving one report, the second flush fails (409).
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    media: Mapped[list[ReportMedia]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportMedia.created_at"
    )
    comments: Mapped[list[ReportComment]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportComment.at"
    )
    history: Mapped[list[ReportTransition]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportTransition.at"
    )


class ReportMedia(db.Model):
    """A photo or video: the citizen's evidence, or the officer's photo of the fix."""

    __tablename__ = "report_media"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    report_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("reports.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(8))  # "citizen" | "staff"
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="media")


class ReportComment(db.Model):
    """A comment the citizen reads, or an internal note of the desk (`internal`) they never see."""

    __tablename__ = "report_comments"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    report_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("reports.id"), index=True)
    author_kind: Mapped[str] = mapped_column(String(8))  # "citizen" | "staff"
    # "staff:<uuid>"; for the reporter just "citizen": a crime report's thread must not name them.
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="comments")


class ReportTransition(db.Model):
    __tablename__ = "report_transitions"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    report_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("reports.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(64))  # "staff:<uuid>" | "citizen" | "system"
    note: Mapped[str | None] = mapped_column(Text)
    note_public: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="history")
