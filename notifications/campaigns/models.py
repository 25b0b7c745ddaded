"""Push campaigns: comms staff broadcast a message to an audience and see whether it landed.

A campaign moves through

    draft ─approve (another comms user or an admin)→ approved ─schedule→ scheduled
        ─the scheduler job, when due→ sending ─→ sent
    draft, approved, scheduled, sending ─cancel→ cancelled

Sending is a resumable job (service.run_due_campaigns): the inbox phase then the push phase,
each walking the audience in primary-key order (keyset pagination) and committing its cursor
with every batch, so a job that stops (time budget, FCM unavailable, process restart) resumes
where it left off instead of starting again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db
from notifications.models import InboxMessage

DRAFT, APPROVED, SCHEDULED, SENDING, SENT, CANCELLED = (
    "draft",
    "approved",
    "scheduled",
    "sending",
    "sent",
    "cancelled",
)
STATUSES = (DRAFT, APPROVED, SCHEDULED, SENDING, SENT, CANCELLED)
STATUS_NAMES = {
    DRAFT: "Bản nháp",
    APPROVED: "Đã duyệt",
    SCHEDULED: "Đã lên lịch",
    SENDING: "Đang gửi",
    SENT: "Đã gửi",
    CANCELLED: "Đã hủy",
}

# Audience kinds and the citizen "roles" a campaign can address (computed from the registry).
AUDIENCE_KINDS = ("all", "province", "ward", "role", "age")
ROLE_VERIFIED, ROLE_UNVERIFIED, ROLE_BENEFICIARY = "verified", "unverified", "beneficiary"
ROLES = (ROLE_VERIFIED, ROLE_UNVERIFIED, ROLE_BENEFICIARY)
ROLE_NAMES = {
    ROLE_VERIFIED: "Công dân đã định danh mức 2",
    ROLE_UNVERIFIED: "Công dân mới định danh mức 1",
    ROLE_BENEFICIARY: "Người đang hưởng trợ cấp xã hội",
}

# Sending phases, in order.
PHASE_INBOX, PHASE_PUSH, PHASE_DONE = "inbox", "push", "done"


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        # The job's query: scheduled campaigns that are due, and sending ones to resume.
        Index("ix_campaigns_status_send_at", "status", "send_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(500))
    deep_link: Mapped[str | None] = mapped_column(String(500))
    # {"kind": "all"} | {"kind": "province", "province_code": "66"}
    # | {"kind": "ward", "ward_codes": ["24133"]} | {"kind": "role", "role": "verified"}
    # | {"kind": "age", "min_age": 60, "max_age": null}
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Also leave the message in every targeted citizen's inbox (with or without a device).
    keep_in_inbox: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    # The text's version: every edit adds one. The approver sends back (If-Match) the ETag of what
    # they read and the approval is applied at that version only, so an edit between their
    # reading and their approval is refused (412, or 409 in a race), not approved.
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    created_by: Mapped[str] = mapped_column(String(64))  # "staff:<uuid>"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_by: Mapped[str | None] = mapped_column(String(64))
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Progress of the sending job, committed with every batch (restart safety).
    phase: Mapped[str | None] = mapped_column(String(8))
    inbox_cursor: Mapped[str | None] = mapped_column(String(64))  # last citizen id done
    push_cursor: Mapped[str | None] = mapped_column(String(64))  # last device id done
    # Devices FCM answered "try later" (quota, 5xx) are kept in `campaign_retries` and sent first
    # on the next run. `retry_since`: since when the retry set has not seen a single send
    # succeed; when that lasts CAMPAIGN_RETRY_GIVE_UP_SECONDS the devices still refused count as
    # failed. Reset by any successful send, so an outage of a few minutes costs nothing.
    retry_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sending job's lease: one runner at a time per campaign (a second scheduler, or a run
    # started by hand, finds it taken and leaves the campaign alone until it expires).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Figures. The audience sizes are counted at approval and scheduling (a preview) and again
    # when sending starts (what was actually targeted).
    targeted_citizens: Mapped[int] = mapped_column(Integer, default=0)
    targeted_devices: Mapped[int] = mapped_column(Integer, default=0)
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    tokens_removed: Mapped[int] = mapped_column(Integer, default=0)
    inbox_delivered: Mapped[int] = mapped_column(Integer, default=0)
    # {"UNREGISTERED": 12, "QUOTA_EXCEEDED": 3}: why sends failed, for the comms console.
    failure_codes: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def audience_label(self) -> str:
        return audience_label(self.audience)

    @property
    def figures(self) -> dict[str, Any]:
        return {
            "targeted_citizens": self.targeted_citizens,
            "targeted_devices": self.targeted_devices,
            "sent": self.sent_count,
            "failed": self.failed_count,
            "tokens_removed": self.tokens_removed,
            "failure_codes": dict(self.failure_codes or {}),
            "inbox_delivered": self.inbox_delivered,
            "inbox_read": self.inbox_read or 0,
            "opened": self.opened or 0,
        }


def audience_label(audience: dict[str, Any]) -> str:
    """The audience in words, as the comms console shows it."""
    from api.units.service import get_province, get_ward

    kind = audience.get("kind")
    if kind == "province":
        province = get_province(audience.get("province_code"))
        return f"Công dân {province.name if province else audience.get('province_code')}"
    if kind == "ward":
        names = []
        for code in audience.get("ward_codes") or ():
            ward = get_ward(code)
            names.append(ward.name if ward else code)
        return "Công dân " + ", ".join(names)
    if kind == "role":
        return ROLE_NAMES.get(audience.get("role"), str(audience.get("role")))
    if kind == "age":
        low, high = audience.get("min_age"), audience.get("max_age")
        if high is None:
            return f"Công dân từ {low} tuổi trở lên"
        if low is None:
            return f"Công dân đến {high} tuổi"
        return f"Công dân từ {low} đến {high} tuổi"
    return "Tất cả công dân"


class CampaignRetry(db.Model):
    """A device of a campaign to send again: FCM said "try later". Read and settled in batches
    of FCM's size, each batch committed with its outcome, so the set never has to fit in one
    transaction or one row however many devices a long throttling leaves behind."""

    __tablename__ = "campaign_retries"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    # Not a foreign key: a device deleted meanwhile is simply not sent again.
    device_id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)


class CampaignOpen(db.Model):
    """A citizen opened the campaign's notification in the app (reported by the app, once)."""

    __tablename__ = "campaign_opens"
    __table_args__ = (UniqueConstraint("campaign_id", "citizen_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    campaign_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("campaigns.id", ondelete="CASCADE"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id", ondelete="CASCADE"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# "Read in the inbox" counts a campaign's inbox messages with a read time: this index lets that
# count touch only the read rows, not the million messages of a large campaign. Declared here,
# on the inbox's table, because only campaigns need it.
Index("ix_inbox_messages_campaign_read", InboxMessage.campaign_id, InboxMessage.read_at)
# One campaign message per citizen, whatever runs the job: the sending lease keeps runners apart,
# this index makes a second insert fail instead of doubling a citizen's inbox.
Index(
    "uq_inbox_messages_campaign_citizen",
    InboxMessage.campaign_id,
    InboxMessage.citizen_id,
    unique=True,
    sqlite_where=InboxMessage.campaign_id.is_not(None),
    postgresql_where=InboxMessage.campaign_id.is_not(None),
)


# The two figures the app reports after sending, counted where they are recorded, in the same
# query that loads the campaign (a page of the console's list is one query).
Campaign.opened = column_property(
    select(func.count(CampaignOpen.id))
    .where(CampaignOpen.campaign_id == Campaign.id)
    .correlate_except(CampaignOpen)
    .scalar_subquery()
)
Campaign.inbox_read = column_property(
    select(func.count(InboxMessage.id))
    .where(InboxMessage.campaign_id == Campaign.id, InboxMessage.read_at.is_not(None))
    .correlate_except(InboxMessage)
    .scalar_subquery()
)
