"""The outbox dispatcher: domain events become inbox messages and pushes (scheduler job).

One run (`dispatch`, every few seconds in the scheduler process) takes one batch of due outbox
events, oldest first, locked with FOR UPDATE SKIP LOCKED on PostgreSQL, and for each:

1. renders it (notifications/messages.py); an event without a recipient, of an unknown type or
   with nothing to tell the citizen is marked dispatched without a message;
2. puts the message in the recipient's inbox (idempotent: one message per event id);
3. when push is configured and the recipient has devices, claims one `PushDelivery` row per
   device not yet pushed for this event (status `sending`), and COMMITS: inbox message and claims
   are durable before FCM is called. Without pushes to make, the event is marked dispatched in
   this same transaction as its inbox message;
4. sends the claimed pushes in batches of PUSH_BATCH_SIZE (500; notifications/fcm.py) and records each outcome,
   committing after every batch: `sent`; `dead` (the device is deleted); `retry`; `failed`;
5. marks the event dispatched when none of its pushes is left to retry; otherwise records the
   failure with the next try time (`mark_failed`): exponential backoff from PUSH_RETRY_BASE
   seconds, doubling up to PUSH_RETRY_MAX, or later when FCM said Retry-After. After
   PUSH_MAX_ATTEMPTS the remaining pushes are `failed` and the event is dispatched: the inbox
   holds the message anyway.

Restarts. Nothing is lost: an event stays pending until step 5, and its inbox message is made
again or found (unique per event). Nothing is pushed twice: a retry sends only the deliveries
in `retry`, never a `sent` one; a dispatcher killed after claiming leaves `sending` rows, which
the next run (once they are older than SENDING_STALE, longer than any FCM call can take) turns
into `unknown` and does not send again, because the push may have left before the kill. That
window loses at most the pushes of one batch; their messages are in the inbox.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from api.dbtypes import utcnow
from api.events import OutboxEvent, mark_dispatched, mark_failed
from api.extensions import db
from notifications import fcm, messages, service
from notifications.models import (
    DEAD,
    FAILED,
    RETRY,
    SENDING,
    SENT,
    UNKNOWN,
    PushDelivery,
)

log = logging.getLogger(__name__)

BATCH_EVENTS = 200  # events per run; a run every 5 s drains 2,400 events a minute
PUSH_RETRY_BASE = timedelta(seconds=30)
PUSH_RETRY_MAX = timedelta(hours=1)
PUSH_MAX_ATTEMPTS = 10  # 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: about 4 hours in all
# A claim older than this belongs to a dispatcher that died: the FCM call (timeout 10 s per
# request, 500 requests in parallel) cannot take this long.
SENDING_STALE = timedelta(minutes=2)


@dataclass
class DispatchReport:
    events: int = 0
    delivered: int = 0  # inbox messages made (or found, on a retry)
    skipped: int = 0  # dispatched without a message
    pushed: int = 0
    dead_tokens: int = 0
    retrying: int = 0  # events left pending for a later try
    deferred: int = 0  # events another (or a dead) dispatcher is still sending
    failures: dict[str, int] = field(default_factory=dict)


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Delay before try number `attempts + 1`: 30 s doubling, at most an hour, >= Retry-After."""
    delay = min(PUSH_RETRY_BASE * (2 ** max(attempts - 1, 0)), PUSH_RETRY_MAX)
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def _due(now: datetime, limit: int) -> list[OutboxEvent]:
    statement = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None), OutboxEvent.available_at <= now)
        .order_by(OutboxEvent.created_at, OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(statement))


def _claim(event: OutboxEvent, now: datetime) -> tuple[list[PushDelivery], bool]:
    """Claim the event's pushes still to make: (claimed deliveries, another run still busy)."""
    devices = {device.id: device for device in service.devices_of(event.recipient)}
    existing = {
        delivery.device_id: delivery
        for delivery in db.session.scalars(select(PushDelivery).where(PushDelivery.event_id == event.id))
    }
    claimed: list[PushDelivery] = []
    busy = False
    for delivery in existing.values():
        if delivery.status == SENDING:
            if now - delivery.updated_at >= SENDING_STALE:
                delivery.status, delivery.updated_at = UNKNOWN, now  # its dispatcher died
            else:
                busy = True
        elif delivery.status == RETRY:
            if delivery.device_id not in devices:  # signed out or dropped since: not any more
                delivery.status, delivery.error_code, delivery.updated_at = FAILED, "DEVICE_GONE", now
                continue
            delivery.status, delivery.updated_at = SENDING, now
            delivery.attempts += 1
            claimed.append(delivery)
    for device_id, device in devices.items():
        if device_id in existing:
            continue
        delivery = PushDelivery(
            event_id=event.id,
            device_id=device_id,
            token=device.token,
            status=SENDING,
            attempts=1,
            created_at=now,
            updated_at=now,
        )
        db.session.add(delivery)
        claimed.append(delivery)
    return claimed, busy


@dataclass(frozen=True)
class _Push:
    """A claimed push, as plain values: the session's objects expire at every commit."""

    event_id: uuid.UUID
    delivery_id: uuid.UUID
    item: fcm.PushItem


def dispatch(now: datetime | None = None, limit: int = BATCH_EVENTS) -> DispatchReport:
    """One run: a batch of due events into inboxes and pushes. Commits; returns what it did."""
    now = now or utcnow()
    report = DispatchReport()
    push_on = fcm.push_enabled()
    events = _due(now, limit)
    report.events = len(events)
    pushes: list[_Push] = []
    for event in events:
        rendered = messages.render(event.event_type, event.aggregate_id, event.payload)
        if event.recipient is None or rendered is None:
            mark_dispatched(event.id)
            report.skipped += 1
            continue
        message = service.deliver(
            event.recipient,
            rendered.title,
            rendered.body,
            rendered.category,
            deep_link=rendered.deep_link,
            source_event_id=event.id,
        )
        report.delivered += 1
        if not push_on:
            mark_dispatched(event.id)
            continue
        claimed, busy = _claim(event, now)
        if busy:
            # Another dispatcher is sending this event's pushes: look again after it is done.
            event.available_at = now + SENDING_STALE
            report.deferred += 1
            continue
        if not claimed:
            mark_dispatched(event.id)
            continue
        db.session.flush()  # the new deliveries' ids
        data = {
            "category": rendered.category,
            "deep_link": rendered.deep_link or "",
            "inbox_message_id": str(message.id),
        }
        pushes.extend(
            _Push(event.id, delivery.id, fcm.PushItem(delivery.token, rendered.title, rendered.body, data))
            for delivery in claimed
        )
    # Inbox messages and claims are durable before any push leaves (see the module docstring).
    db.session.commit()
    if not pushes:
        return report

    retry_after: dict[uuid.UUID, float] = {}
    batch_size = min(int(current_app.config.get("PUSH_BATCH_SIZE") or fcm.MAX_BATCH), fcm.MAX_BATCH)
    for start in range(0, len(pushes), batch_size):
        chunk = pushes[start : start + batch_size]
        results = fcm.send_batch([push.item for push in chunk])
        recorded_at = utcnow()
        dead: list[str] = []
        for push, result in zip(chunk, results, strict=True):
            if result.ok:
                status = SENT
                report.pushed += 1
            else:
                code = result.error_code or "UNKNOWN"
                report.failures[code] = report.failures.get(code, 0) + 1
                if result.token_dead:
                    status = DEAD
                    dead.append(result.token)
                elif result.retryable:
                    status = RETRY
                    if result.retry_after:
                        retry_after[push.event_id] = max(
                            retry_after.get(push.event_id, 0), result.retry_after
                        )
                else:
                    status = FAILED
            db.session.execute(
                update(PushDelivery)
                .where(PushDelivery.id == push.delivery_id)
                .values(status=status, error_code=result.error_code, updated_at=recorded_at)
            )
        report.dead_tokens += service.delete_dead_tokens(dead)
        db.session.commit()  # this batch's outcomes: a restart will not send them again

    for event_id in dict.fromkeys(push.event_id for push in pushes):
        _settle(event_id, retry_after.get(event_id), report)
    db.session.commit()
    return report


def _settle(event_id: uuid.UUID, retry_after: float | None, report: DispatchReport) -> None:
    """Dispatched when no push of the event is left to retry; else the next try, or give up."""
    event = db.session.get(OutboxEvent, event_id)
    deliveries = list(db.session.scalars(select(PushDelivery).where(PushDelivery.event_id == event_id)))
    retrying = [delivery for delivery in deliveries if delivery.status == RETRY]
    if not retrying:
        mark_dispatched(event_id)
        return
    codes = sorted({delivery.error_code or "UNKNOWN" for delivery in retrying})
    error = f"push: {len(retrying)} of {len(deliveries)} device(s) to retry ({', '.join(codes)})"
    attempts = (event.attempts or 0) + 1
    if attempts >= current_app.config.get("PUSH_MAX_ATTEMPTS", PUSH_MAX_ATTEMPTS):
        for delivery in retrying:
            delivery.status = FAILED
        event.last_error = f"{error}; gave up after {attempts} attempts"
        mark_dispatched(event_id)  # counts this attempt
        log.warning("outbox event %s: push given up after %d attempts", event_id, attempts)
        return
    mark_failed(event_id, error, utcnow() + backoff(attempts, retry_after))
    report.retrying += 1
