"""The periodic reports made for leaders, and who each one was delivered to and has read.

A report keeps its figures frozen as they were when it was made (the dashboard's JSON): a
report of last week says what was known on Monday, whatever the desks correct afterwards.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

WEEKLY, MONTHLY = "weekly", "monthly"
KINDS = (WEEKLY, MONTHLY)


class LeaderReport(db.Model):
    __tablename__ = "leader_reports"
    __table_args__ = (
        # Made once per period, however often (and by however many schedulers) the job runs.
        UniqueConstraint("kind", "period_from"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    kind: Mapped[str] = mapped_column(String(8))  # "weekly" | "monthly"
    title: Mapped[str] = mapped_column(String(120))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    # The dashboard's JSON for the period, province-wide, as computed when the report was made.
    figures: Mapped[dict] = mapped_column(JSON)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LeaderReportDelivery(db.Model):
    """A report delivered to one leader: unread until they open it."""

    __tablename__ = "leader_report_deliveries"

    report_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("leader_reports.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own: the unread count asks by leader, not by report.
    staff_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
