"""The procedure catalogue's tables: procedures, and groups of interconnected procedures.

Conventions the columns keep (other domains rely on them):

- `code` is a short, stable, URL-safe slug ("khai-sinh"): dossiers store it and citizens' links
  carry it, so it never changes once published. At most 32 characters.
- `processing_days` is the statutory time limit in Vietnamese *working* days, the number
  dossiers add to the day of receipt to get the due date. Procedures the law settles "ngay
  trong ngày" (birth, death, marriage registration) store 1, not 0: the same texts allow the
  next working day when a file arrives after 15:00, so one working day is the legal upper
  bound; `processing_note` says how it really runs.
- `fee_vnd` is what is collected with an online application, in integer VND; None means
  nothing is collected with the application. `fee_varies` marks procedures whose fee depends on
  the case (vehicle value, province resolutions...): the officer asks for it later (dossier
  status 6). `fee_note` explains exemptions and the direct-submission rate.
- `authority` is the level that decides: "ward" for commune-level bodies (UBND cấp xã, Công an
  cấp xã), "province" for provincial departments and the provincial or regional offices of
  central agencies (Công an tỉnh, Sở, BHXH). `authority_name` says which body.
- `routing` is the rule that picks the receiving ward (the form's place of stay, the applicant's
  choice, their residence...) with its legal reason; shape and checks in routing.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.dossiers.catalogue import routing as routing_rules
from api.extensions import db
from api.text import format_vnd

ONLINE_LEVELS = {"full": "Toàn trình", "partial": "Một phần"}
AUTHORITY_LEVELS = {"ward": "Cấp xã", "province": "Cấp tỉnh"}


class Procedure(db.Model):
    __tablename__ = "procedures"
    __table_args__ = (
        CheckConstraint("online_level IN ('full', 'partial')", name="online_level"),
        CheckConstraint("authority IN ('ward', 'province')", name="authority"),
        CheckConstraint("processing_days >= 1", name="processing_days"),
        CheckConstraint("fee_vnd IS NULL OR fee_vnd >= 0", name="fee_vnd"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # What search compares: name, field, keywords and code, folded (see service.search_text).
    name_folded: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(100), index=True)  # lĩnh vực
    description: Mapped[str | None] = mapped_column(Text)  # who it is for, what one gets
    online_level: Mapped[str] = mapped_column(String(8))
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    form_schema: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fee_vnd: Mapped[int | None] = mapped_column(Integer)
    fee_varies: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_note: Mapped[str | None] = mapped_column(Text)
    processing_days: Mapped[int] = mapped_column(Integer)
    processing_note: Mapped[str | None] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(8))
    authority_name: Mapped[str] = mapped_column(String(200))
    routing: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    legal_basis: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What the catalogue is not sure of, or what changed with the 2025 reforms: shown to
    # citizens rather than hidden, so nobody relies on a guess.
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[ProcedureGroupMember]] = relationship(back_populates="procedure")

    @property
    def online_level_name(self) -> str:
        return ONLINE_LEVELS.get(self.online_level, self.online_level)

    @property
    def authority_level_name(self) -> str:
        return AUTHORITY_LEVELS.get(self.authority, self.authority)

    @property
    def routing_rule(self) -> routing_rules.Routing:
        return routing_rules.parse(self.routing)

    @property
    def fee_text(self) -> str:
        if self.fee_vnd:
            return format_vnd(self.fee_vnd)
        if self.fee_varies:
            return "Tùy trường hợp (xem ghi chú lệ phí)"
        return "Miễn phí"

    @property
    def processing_text(self) -> str:
        return f"{self.processing_days} ngày làm việc"

    @property
    def group(self) -> ProcedureGroup | None:
        """The interconnected group this procedure belongs to (the first by code if several)."""
        groups = sorted((m.group for m in self.memberships if m.group.active), key=lambda g: g.code)
        return groups[0] if groups else None

    def __repr__(self) -> str:
        return f"<Procedure {self.code}>"


class ProcedureGroup(db.Model):
    """Procedures applied for together, each decided by its own authority in order (liên thông)."""

    __tablename__ = "procedure_groups"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    # Time for the whole group when published (working days); None when the catalogue does not know.
    processing_days: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    members: Mapped[list[ProcedureGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="ProcedureGroupMember.position"
    )

    @property
    def procedures(self) -> list[Procedure]:
        return [member.procedure for member in self.members]

    @property
    def procedure_codes(self) -> list[str]:
        """Member codes in the order they are decided: the first one's result feeds the next."""
        return [member.procedure.code for member in self.members]

    def __repr__(self) -> str:
        return f"<ProcedureGroup {self.code}>"


class ProcedureGroupMember(db.Model):
    """A procedure's place in a group: a table rather than a JSON list of codes, so a group can
    never name a procedure that does not exist."""

    __tablename__ = "procedure_group_members"
    __table_args__ = (UniqueConstraint("group_id", "position", name="uq_procedure_group_members_position"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("procedure_groups.id", ondelete="CASCADE"), primary_key=True
    )
    procedure_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("procedures.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)

    group: Mapped[ProcedureGroup] = relationship(back_populates="members")
    procedure: Mapped[Procedure] = relationship(back_populates="memberships", lazy="joined")
