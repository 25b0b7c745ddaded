"""Dossiers (hồ sơ), their attachments and their status history.

The procedure catalogue's tables live in api/dossiers/catalogue/models.py.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.dossiers.workflow import OPEN_STATUSES
from api.extensions import db

if TYPE_CHECKING:
    from api.dossiers.catalogue.models import Procedure


OPEN_STATUSES_SQL = f"status IN ({', '.join(str(s) for s in sorted(OPEN_STATUSES))})"


class Dossier(db.Model):
    __tablename__ = "dossiers"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    # Human-readable and unique, the only identifier in URLs: see api/dossiers/codes.py.
    code: Mapped[str] = mapped_column(String(24), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(32), ForeignKey("procedures.code"), index=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    # Who decides it: a ward or commune people's committee / police, or a province department.
    authority: Mapped[str] = mapped_column(String(8))  # "ward" | "province"
    province_code: Mapped[str] = mapped_column(String(2))
    ward_code: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[int] = mapped_column(SmallInteger, default=1)  # national codes 1..10
    payment_status: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0 unpaid, 1 paid
    fee_vnd: Mapped[int | None] = mapped_column(Integer)
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_online: Mapped[bool] = mapped_column(Boolean, default=True)
    # Interconnected procedures (liên thông): the sub-dossiers point at the first one.
    group_code: Mapped[str | None] = mapped_column(String(32))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("dossiers.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_date: Mapped[date] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: two officers acting on one dossier cannot both win; the ETag is built on it.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The officers' queue: open dossiers of one authority, read in due-date order a page at a
        # time, so the page costs the same however many closed dossiers pile up behind it.
        Index(
            "ix_dossiers_open_queue",
            "authority",
            "province_code",
            "ward_code",
            "due_date",
            "code",
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        # The queue filtered by one status, and the statistics by status.
        Index("ix_dossiers_by_status", "authority", "province_code", "ward_code", "status", "due_date"),
    )

    attachments: Mapped[list[DossierAttachment]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierAttachment.added_at"
    )
    history: Mapped[list[DossierTransition]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierTransition.at"
    )
    # In the group's order: each was created after the one whose result it depends on.
    linked: Mapped[list[Dossier]] = relationship(back_populates="parent", order_by="Dossier.submitted_at")
    parent: Mapped[Dossier | None] = relationship(back_populates="linked", remote_side=[id])
    # Read with every dossier: its name and processing time are shown and used everywhere.
    procedure: Mapped[Procedure] = relationship(lazy="joined", viewonly=True)
    # The applicant is another domain's row: reached by `citizen_id` through the citizens service
    # (service.applicant), never by a relationship across domains.


class DossierAttachment(db.Model):
    """A document of the citizen's personal store (M4) attached to a dossier."""

    __tablename__ = "dossier_attachments"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    dossier_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("dossiers.id"), index=True)
    document_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("personal_documents.id"), index=True)
    requirement: Mapped[str] = mapped_column(String(300))  # which required document it provides
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_in_status: Mapped[int] = mapped_column(SmallInteger)

    dossier: Mapped[Dossier] = relationship(back_populates="attachments")


class DossierTransition(db.Model):
    """One step of a dossier's life: who moved it from which status to which, when, and why."""

    __tablename__ = "dossier_transitions"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    dossier_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("dossiers.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[int | None] = mapped_column(SmallInteger)
    to_status: Mapped[int] = mapped_column(SmallInteger)
    actor: Mapped[str] = mapped_column(String(64))  # "citizen:<uuid>" | "staff:<uuid>"
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="history")
