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

A broken credentials file (push configured, firebase-admin cannot load it) is found before
anything is claimed (`fcm.check()`): the inbox still gets its messages, the events wait with the
usual backoff, and no delivery is left `sending`. Pushes carry `Rendered.push_body`: never an
officer's free-text reason, which stays in the inbox (a lock screen is not private).

Housekeeping (`purge`, the `notifications.purge` job, daily): settled push deliveries older than
PUSH_DELIVERY_RETENTION_DAYS and dispatched outbox events older than OUTBOX_RETENTION_DAYS are
deleted in chunks; pending events and deliveries still to retry are never touched.

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
from sqlalchemy import delete, select, update

from api.dbtypes import utcnow
from api.events import OutboxEvent, mark_dispatched, mark_failed
from api.extensions import db
from api.unit_of_work import checkpoint
from notifications import fcm, messages, service
from notifications.models import (
    DEAD,
    DELIVERY_FINAL,
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
    """Claim the event's pushes still to make: (claimed deliveries, another run still busy).

    While another run is sending (a fresh `sending` row), nothing is changed: its retries stay
    `retry` and new devices get no row, so the later look at the event claims them itself."""
    existing = {
        delivery.device_id: delivery
        for delivery in db.session.scalars(select(PushDelivery).where(PushDelivery.event_id == event.id))
    }
    if any(
        delivery.status == SENDING and now - delivery.updated_at < SENDING_STALE
        for delivery in existing.values()
    ):
        return [], True
    devices = {device.id: device for device in service.devices_of(event.recipient)}
    claimed: list[PushDelivery] = []
    for delivery in existing.values():
        if delivery.status == SENDING:  # stale: its dispatcher died after claiming
            delivery.status, delivery.updated_at = UNKNOWN, now
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
    return claimed, False


@dataclass(frozen=True)
class _Push:
    """A claimed push, as plain values: the session's objects expire at every commit."""

    event_id: uuid.UUID
    delivery_id: uuid.UUID
    item: fcm.PushItem


def dispatch(now: datetime | None = None, limit: int = BATCH_EVENTS) -> DispatchReport:
    """One run: a batch of due events into inboxes and pushes; returns what it did. Run in a
    `transaction()` (the scheduler's job); the claims and each batch's outcomes are checkpoints."""
    now = now or utcnow()
    report = DispatchReport()
    push_on = fcm.push_enabled()
    push_broken: str | None = None
    if push_on:
        try:
            fcm.check()  # before any claim: a credentials failure must leave nothing `sending`
        except fcm.PushConfigError as error:
            push_broken = f"push: FCM credentials unusable ({error})"
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
        if push_broken:
            # Retryable, like FCM being down: the inbox has the message, the push waits for
            # the fix with the usual backoff (and gives up after PUSH_MAX_ATTEMPTS).
            _wait_for_push(event, push_broken, report)
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
            _Push(
                event.id, delivery.id, fcm.PushItem(delivery.token, rendered.title, rendered.push_body, data)
            )
            for delivery in claimed
        )
    if not pushes:
        return report
    checkpoint("inbox messages and push claims are durable before any push leaves for FCM")

    retry_after: dict[uuid.UUID, float] = {}
    batch_size = min(int(current_app.config.get("PUSH_BATCH_SIZE") or fcm.MAX_BATCH), fcm.MAX_BATCH)
    for start in range(0, len(pushes), batch_size):
        chunk = pushes[start : start + batch_size]
        try:
            results = fcm.send_batch([push.item for push in chunk])
        except Exception:  # nothing of this batch left: retry it, never leave it `sending`
            log.exception("push batch failed before sending; its deliveries will be retried")
            results = [fcm.PushResult(push.item.token, False, "UNKNOWN", True) for push in chunk]
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
        checkpoint("this batch's push outcomes are durable: a restart will not send them again")

    for event_id in dict.fromkeys(push.event_id for push in pushes):
        _settle(event_id, retry_after.get(event_id), report)
    return report


def _wait_for_push(event: OutboxEvent, error: str, report: DispatchReport) -> None:
    attempts = (event.attempts or 0) + 1
    if attempts >= current_app.config.get("PUSH_MAX_ATTEMPTS", PUSH_MAX_ATTEMPTS):
        event.last_error = f"{error}; gave up after {attempts} attempts"
        mark_dispatched(event.id)
        return
    mark_failed(event.id, error, utcnow() + backoff(attempts))
    report.retrying += 1


PURGE_CHUNK = 5000


def _purge_chunks(model, *conditions) -> int:
    """Delete matching rows a chunk at a time (short transactions, whatever the backlog)."""
    deleted = 0
    while True:
        ids = db.session.scalars(select(model.id).where(*conditions).limit(PURGE_CHUNK)).all()
        if not ids:
            return deleted
        deleted += db.session.execute(
            delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False)
        ).rowcount
        checkpoint("one short transaction per chunk deleted, whatever the backlog")


def purge(now: datetime | None = None) -> dict[str, int]:
    """Scheduler job: forget settled push deliveries and dispatched outbox events past their
    retention. Inbox messages stay (they do not reference either by foreign key)."""
    now = now or utcnow()
    config = current_app.config
    deliveries_before = now - timedelta(days=int(config.get("PUSH_DELIVERY_RETENTION_DAYS") or 30))
    events_before = now - timedelta(days=int(config.get("OUTBOX_RETENTION_DAYS") or 30))
    return {
        "push_deliveries": _purge_chunks(
            PushDelivery, PushDelivery.status.in_(DELIVERY_FINAL), PushDelivery.updated_at < deliveries_before
        ),
        "outbox_events": _purge_chunks(
            OutboxEvent, OutboxEvent.dispatched_at.is_not(None), OutboxEvent.dispatched_at < events_before
        ),
    }


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
