"""The in-app inbox (messages a citizen reads in the app's "Thông báo" tab), the citizen's
devices that receive push notifications, and what the outbox dispatcher pushed to which device."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
    # The push campaign this message belongs to (notifications/campaigns), for its "read in the
    # inbox" figure; indexed with read_at there. Not a foreign key, like source_event_id.
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


PLATFORMS = ("android", "ios", "web")


class Device(db.Model):
    """A phone (or browser) of a citizen that receives pushes: its FCM registration token.

    The token is unique: it belongs to the app installation, not to an account, so when another
    citizen signs in on the same phone the row moves to them. Province and ward are copied from
    the citizen when the token is registered (and again at every refresh), to choose the FCM
    topics the token is subscribed to (`topics`). Campaign audiences do NOT read them: they join
    the citizens' registry, which is current when a citizen moves between two app starts.
    """

    __tablename__ = "push_devices"
    __table_args__ = (
        # The hygiene job scans by last_seen_at.
        Index("ix_push_devices_last_seen", "last_seen_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    # FCM tokens are about 160 characters today; Google documents no maximum, so leave room.
    token: Mapped[str] = mapped_column(String(512), unique=True)
    platform: Mapped[str] = mapped_column(String(10))
    app_version: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(16), default="vi")
    province_code: Mapped[str | None] = mapped_column(String(2))
    ward_code: Mapped[str | None] = mapped_column(String(5))
    # The FCM topics this token should be subscribed to ("citizens", "province-66", ...), as of
    # the last registration; what FCM still has to be told is in `push_topic_changes`.
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushTopicChange(db.Model):
    """A topic subscription FCM has not confirmed yet: (token, topic, subscribe or unsubscribe).

    Written in the transaction that registers, moves or deletes the device, sent to FCM right
    after the commit (best effort: a failure never fails the registration), and deleted once FCM
    confirms. What FCM refused or could not be reached for stays here and is sent again by the
    `notifications.stale_devices` job or the device's next refresh. One row per (token, topic):
    the latest wish wins.
    """

    __tablename__ = "push_topic_changes"
    __table_args__ = (UniqueConstraint("token", "topic", name="uq_push_topic_changes_token_topic"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    # Not a foreign key: an unsubscription outlives the deleted device.
    token: Mapped[str] = mapped_column(String(512))
    topic: Mapped[str] = mapped_column(String(100))
    subscribe: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# PushDelivery.status
SENDING = "sending"  # claimed by a dispatcher run; the FCM call may or may not have happened
SENT = "sent"
RETRY = "retry"  # a retryable failure: sent again when the event's retry time comes
DEAD = "dead"  # the token was unregistered or invalid; the device is deleted
FAILED = "failed"  # refused for good, or retries exhausted
UNKNOWN = "unknown"  # a dispatcher died between claiming and recording: never sent again
DELIVERY_FINAL = (SENT, DEAD, FAILED, UNKNOWN)


class PushDelivery(db.Model):
    """One push of one outbox event to one device: how a restarted dispatcher knows what it sent.

    A row is written (status `sending`) and committed *before* the FCM call, and updated with the
    outcome after it. A dispatcher that dies in between leaves `sending`; the next run turns a
    stale `sending` into `unknown` and does not push it again: the message may have reached the
    phone, and a duplicate push is worse than a missing one when the inbox already holds it.
    Unique per (event, device), so two dispatchers cannot both claim the same push.
    """

    __tablename__ = "push_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "device_id", name="uq_push_deliveries_event_device"),
        # The purge job deletes settled rows by age.
        Index("ix_push_deliveries_updated_at", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    # Neither is a foreign key: outbox rows are pruned, dead devices deleted, the record stays.
    event_id: Mapped[uuid.UUID] = mapped_column(UUID, index=True)
    device_id: Mapped[uuid.UUID] = mapped_column(UUID)
    token: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(10), default=SENDING)
    error_code: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
