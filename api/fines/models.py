"""Traffic and public-order fine notices (M18): what the police decided, and where it stands.

A notice comes from a traffic camera (phạt nguội, through the police's violation feed) or from an
officer on the road. Its owner is the person whose CCCD the police recorded; the citizen account
is linked when known and, failing that, when that person first looks at their fines.

    issued (chờ xác nhận) ─confirm→ confirmed (đã xác nhận) ─pay→ paid (đã nộp phạt)
    issued, confirmed ─cancel (police)→ cancelled (đã huỷ)

The moves, who takes them and from where, are the table of workflow.py.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

ISSUED, CONFIRMED, PAID, CANCELLED = "issued", "confirmed", "paid", "cancelled"
STATUSES = (ISSUED, CONFIRMED, PAID, CANCELLED)
OPEN_STATUSES = (ISSUED, CONFIRMED)  # still to be paid
STATUS_NAMES = {
    ISSUED: "Chờ xác nhận",
    CONFIRMED: "Đã xác nhận vi phạm",
    PAID: "Đã nộp phạt",
    CANCELLED: "Đã huỷ",
}

# The kind of payable a fine is to the wallet (wallet/payables.py).
PAYMENT_PURPOSE = "fine"

CAMERA, POLICE = "camera", "police"
SOURCES = (CAMERA, POLICE)
SOURCE_NAMES = {
    CAMERA: "Hệ thống camera giám sát giao thông (phạt nguội)",
    POLICE: "Cảnh sát giao thông lập biên bản",
}


# Where evidence photos live in the app's storage. A notice may name a stored photo only under
# this prefix: the same storage holds citizens' documents and report photos, which must never be
# served to a notice's owner, whatever a feed or an officer wrote.
EVIDENCE_KEY_PREFIX = "fines/evidence/"


def evidence_id(reference: str) -> str:
    """The opaque, stable id clients reach an evidence photo by (api/fines/evidence.py): a digest
    of its reference, so the reference stays inside and the same photo keeps its URL when a feed
    re-sends the notice with its photos in another order."""
    return hashlib.sha256(reference.encode()).hexdigest()[:16]


class FineNotice(db.Model):
    __tablename__ = "fine_notices"
    __table_args__ = (
        # The reminder job's query: unpaid notices by deadline.
        Index("ix_fine_notices_status_deadline", "status", "deadline"),
    )

    # Opaque: a citizen's fines are reached by id in URLs, never by a guessable number.
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    # Số quyết định xử phạt / biên bản, as printed on the police's paper.
    notice_number: Mapped[str] = mapped_column(String(40), unique=True)
    source: Mapped[str] = mapped_column(String(8))  # "camera" | "police"
    # The sender's own id of the record: a re-sent feed updates the notice instead of doubling it.
    source_ref: Mapped[str] = mapped_column(String(80), unique=True)
    plate: Mapped[str] = mapped_column(String(16))  # canonical, "47A-123.45"
    plate_key: Mapped[str] = mapped_column(String(12), index=True)  # compact, "47A12345"
    vehicle_kind: Mapped[str] = mapped_column(String(10))  # "car" | "motorbike"
    owner_cccd: Mapped[str] = mapped_column(String(12), index=True)
    owner_citizen_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    violated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300))
    ward_code: Mapped[str | None] = mapped_column(String(5))
    violation_code: Mapped[str] = mapped_column(String(40))
    amount_vnd: Mapped[int] = mapped_column(Integer)
    # Image URLs or storage keys of the camera's or officer's evidence (served by evidence.py).
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Pay within 10 days of the decision (Luật Xử lý vi phạm hành chính, Điều 73): counted in
    # calendar days, not working days, from the decision's date in Vietnam.
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ISSUED)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The wallet's payment (no foreign key: the wallet owns its tables, see wallet/payables.py).
    payment_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(64))  # "staff:<uuid>"
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by: Mapped[str] = mapped_column(String(64))  # "staff:<uuid>", "service:<uuid>", "cli"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the police's data was last written here: shown with the notice ("cập nhật lúc").
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Status changes are moves of workflow.py applied as compare-and-set updates on `status`
    # (service.py: `_move`), so two requests racing (confirm and cancel, pay and cancel) cannot
    # both win; no version needed.

    @property
    def evidence_ids(self) -> list[str]:
        """The notice's photos by opaque id, in the police's order, each once."""
        return list(dict.fromkeys(evidence_id(reference) for reference in self.evidence or ()))
