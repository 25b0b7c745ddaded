"""The transactional outbox: domain events written in the same transaction as the change.

A state change someone must hear about ("your dossier was approved", "your fine was paid")
must not be lost when push delivery is down, and must not be announced when the change itself
is rolled back. Sending from the request would break one promise or the other, so a domain
records the event as a row of `outbox_events` in the *same* database transaction:

    dossier.status = "approved"
    record_event(
        "dossier.status_changed",
        aggregate_type="dossier",
        aggregate_id=dossier.code,
        payload={"from": "in_review", "to": "approved"},
        recipient=dossier.citizen_id,
    )
    # no commit here: the unit of work (api/unit_of_work.py) commits the change and its event
    # together, or neither

`record_event` only adds the row to the current session; it never commits. Delivery happens
later, in the scheduler process: the dispatcher reads `pending_events`, hands each event to its
channels (in-app inbox, push), and calls `mark_dispatched` or, when a channel is down,
`mark_failed` with the time of the next try. Delivery is therefore *at least once*: a
dispatcher that crashes after delivering but before committing delivers again, so every
consumer must be idempotent on the event id (the inbox keeps one message per `source_event_id`).

Domains import this module; it imports no domain. `notifications` reads the outbox, it is never
imported by the domains that write events (docs: DESIGN.md, "Imports flow one way").
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

# "dossier.status_changed", "payment.succeeded": a dotted, lower-case name that consumers
# switch on. A typo'd type would be delivered to nobody, so the shape is checked at write time.
_EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# Errors come from third parties (FCM, the PSP) and can be long; keep enough to diagnose.
_MAX_ERROR_CHARS = 2000


class OutboxEvent(db.Model):
    __tablename__ = "outbox_events"
    __table_args__ = (
        # The dispatcher's query: undispatched rows that are due, oldest first.
        Index("ix_outbox_events_pending", "dispatched_at", "available_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    event_type: Mapped[str] = mapped_column(String(80), index=True)
    aggregate_type: Mapped[str] = mapped_column(String(40))
    # A string so that aggregates keyed by human codes (dossier codes) fit as well as UUIDs.
    aggregate_id: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The citizen who should hear about the event, when there is one. Not a foreign key: the
    # outbox is the floor every domain writes to and must not depend on any domain's tables.
    recipient: Mapped[uuid.UUID | None] = mapped_column(UUID, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Not before this time: now for a fresh event, the next retry time after a failure.
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OutboxEvent {self.event_type} {self.aggregate_type}:{self.aggregate_id} {self.id}>"


def _json_payload(payload: Any) -> dict[str, Any]:
    """The payload as it will read back from the database, or TypeError now.

    Failing here, inside the request that caused the event, rolls the change back with a clear
    stack trace; failing at flush or in the dispatcher would lose the event or the context.
    The round trip also makes the in-memory value equal the stored one (tuples become lists).
    """
    if not isinstance(payload, Mapping):
        raise TypeError(f"event payload must be a JSON object (a mapping), not {type(payload).__name__}")
    try:
        # allow_nan=False: NaN and Infinity are not JSON, and PostgreSQL refuses them.
        text = json.dumps(payload, allow_nan=False)
    except ValueError as exc:  # NaN / Infinity, or a circular reference
        raise TypeError(f"event payload is not JSON-serialisable: {exc}") from exc
    except TypeError as exc:  # datetime, Decimal, UUID, a model object...
        raise TypeError(
            f"event payload is not JSON-serialisable: {exc} (convert values to str/int/list/dict first)"
        ) from exc
    return json.loads(text)


def record_event(
    event_type: str,
    *,
    aggregate_type: str,
    aggregate_id: Any,
    payload: Mapping[str, Any],
    recipient: uuid.UUID | str | None = None,
    available_at: datetime | None = None,
) -> OutboxEvent:
    """Add an event to the current session; the caller's commit makes it durable.

    Never commits: the event must share the fate of the change that caused it. `available_at`
    delays delivery (a reminder for tomorrow); by default the event is due at once.
    Raises TypeError for a payload that is not a JSON object, ValueError for a malformed type.
    """
    if not _EVENT_TYPE.match(event_type or ""):
        raise ValueError(f"event type must look like 'aggregate.what_happened', got {event_type!r}")
    if not aggregate_type:
        raise ValueError("aggregate_type is required")
    if aggregate_id is None or str(aggregate_id) == "":
        raise ValueError("aggregate_id is required")
    now = utcnow()
    event = OutboxEvent(
        id=new_uuid(),
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=_json_payload(payload),
        recipient=uuid.UUID(str(recipient)) if recipient is not None else None,
        created_at=now,
        available_at=available_at or now,
        attempts=0,
    )
    db.session.add(event)
    return event


def pending_events(limit: int = 100) -> list[OutboxEvent]:
    """Events due for delivery, oldest first, at most `limit`.

    On PostgreSQL the rows are locked with SKIP LOCKED until the caller's transaction ends, so
    a second dispatcher (a restarted scheduler overlapping the old one) takes other rows
    instead of delivering the same ones twice. SQLite has no row locks; it needs none, having a
    single writer.
    """
    statement = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None), OutboxEvent.available_at <= utcnow())
        .order_by(OutboxEvent.created_at, OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(statement))


def _event(event_id: uuid.UUID | str) -> OutboxEvent:
    event = db.session.get(OutboxEvent, uuid.UUID(str(event_id)))
    if event is None:
        raise LookupError(f"no outbox event {event_id}")
    return event


def mark_dispatched(event_id: uuid.UUID | str) -> OutboxEvent:
    """Record a successful delivery (not committed: commit it with what the delivery wrote)."""
    event = _event(event_id)
    if event.dispatched_at is None:  # a repeated call keeps the first delivery time
        event.dispatched_at = utcnow()
        event.attempts = (event.attempts or 0) + 1
    return event


def mark_failed(event_id: uuid.UUID | str, error: str, retry_at: datetime) -> OutboxEvent:
    """Record a failed attempt and when to try again (not committed).

    The backoff policy (how far `retry_at` lies ahead, when to give up) is the dispatcher's.
    """
    if retry_at.tzinfo is None:
        raise ValueError("retry_at must be timezone-aware")
    event = _event(event_id)
    event.attempts = (event.attempts or 0) + 1
    event.last_error = str(error)[:_MAX_ERROR_CHARS]
    event.available_at = retry_at
    return event
