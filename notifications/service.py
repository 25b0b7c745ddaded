"""The in-app inbox (delivering messages, the citizen's reading of them) and the citizen's devices.

Plain functions over the Flask-SQLAlchemy session, no `flask.request`: the outbox dispatcher
(scheduler process) calls `deliver`, the routes call the rest with the signed-in citizen's id.
Every query filters by that id, so one citizen can never read or change another's messages;
someone else's message id answers exactly like a non-existent one (404); the same for devices.

Device hygiene: a token FCM reports dead (UNREGISTERED, or INVALID_ARGUMENT about the token) is
deleted by whoever sent to it (`delete_dead_tokens`); a token whose app has not checked in for
PUSH_DEVICE_STALE_DAYS (30) is dropped by the scheduler (`drop_stale_devices`): FCM itself
considers such tokens stale, and pushing to them only wastes the campaign's quota.

Topics. Each token is subscribed to its citizen's FCM topics (fcm.py: everybody, province, ward,
identity level) for urgent broadcasts (`fcm.send_to_topic`). Registering, moving (another
citizen signs in, or the citizen moved ward) and deleting a device write the subscription
changes (`PushTopicChange`) in the same transaction, then tell FCM right after the commit, best
effort: FCM down never fails a registration. What FCM did not confirm stays queued and is sent
again at the device's next refresh and by the daily `notifications.stale_devices` job.
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.text import nfc
from api.unit_of_work import checkpoint, rollback
from notifications import fcm
from notifications.models import Device, InboxMessage, PushTopicChange

log = logging.getLogger(__name__)


def _by_event(source_event_id: uuid.UUID) -> InboxMessage | None:
    return db.session.scalar(select(InboxMessage).where(InboxMessage.source_event_id == source_event_id))


def deliver(
    citizen_id: uuid.UUID,
    title: str,
    body: str,
    category: str,
    deep_link: str | None = None,
    source_event_id: uuid.UUID | None = None,
) -> InboxMessage:
    """Put a message in a citizen's inbox; at most one message per `source_event_id`.

    Not committed: the dispatcher commits the message together with `mark_dispatched`, so a
    crash between the two re-delivers, and this function then returns the existing message.
    """
    title = nfc(title)
    if not title:
        raise ValueError("an inbox message needs a title")
    if not category or len(category) > 32:
        raise ValueError("category must be 1 to 32 characters")
    if source_event_id is not None:
        source_event_id = uuid.UUID(str(source_event_id))
        existing = _by_event(source_event_id)
        if existing is not None:
            return existing
    message = InboxMessage(
        citizen_id=uuid.UUID(str(citizen_id)),
        title=title[:200],
        # Only NFC for the body: its line breaks are the sender's layout.
        body=unicodedata.normalize("NFC", body).strip(),
        category=category,
        deep_link=deep_link,
        source_event_id=source_event_id,
        created_at=utcnow(),
    )
    if source_event_id is None:
        db.session.add(message)
        db.session.flush()
        return message
    # Two dispatchers racing on one event: the unique constraint lets one insert win; the
    # loser's savepoint is rolled back without disturbing the rest of its transaction.
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        existing = _by_event(source_event_id)
        if existing is None:
            raise
        return existing
    return message


def list_messages(citizen_id: uuid.UUID, unread_only: bool = False) -> Select:
    """The citizen's messages, newest first, as a select() for `SelectPage`."""
    statement = (
        select(InboxMessage)
        .where(InboxMessage.citizen_id == citizen_id)
        .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
    )
    if unread_only:
        statement = statement.where(InboxMessage.read_at.is_(None))
    return statement


def mark_read(citizen_id: uuid.UUID, message_id: uuid.UUID) -> InboxMessage:
    """Mark one of the citizen's messages read (idempotent); 404 for anyone else's."""
    message = db.session.scalar(
        select(InboxMessage).where(InboxMessage.id == message_id, InboxMessage.citizen_id == citizen_id)
    )
    if message is None:
        raise ApiError(404, "message_not_found", "Không tìm thấy thông báo này trong hộp thư của bạn.")
    if message.read_at is None:  # keep the first read time
        message.read_at = utcnow()
    return message


def mark_all_read(citizen_id: uuid.UUID) -> int:
    """Mark every unread message of the citizen read; returns how many changed."""
    changed = db.session.execute(
        update(InboxMessage)
        .where(InboxMessage.citizen_id == citizen_id, InboxMessage.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed


def unread_count(citizen_id: uuid.UUID) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(InboxMessage)
        .where(InboxMessage.citizen_id == citizen_id, InboxMessage.read_at.is_(None))
    )


# ---- devices ---------------------------------------------------------------------------------


def _citizen_area(citizen_id: uuid.UUID) -> tuple[str | None, str | None, bool]:
    """(province code, ward code, identity level 2) of the citizen, from the owning domains."""
    from api.citizens.service import get_citizen
    from api.units.service import get_ward

    citizen = get_citizen(citizen_id)
    ward_code = citizen.ward_code if citizen is not None else None
    ward = get_ward(ward_code) if ward_code else None
    verified = citizen is not None and (citizen.identity_level or 1) >= 2
    return (ward.province.code if ward else None), ward_code, verified


def topics_for(province_code: str | None, ward_code: str | None, verified: bool) -> list[str]:
    """The FCM topics of a device: everybody, the identity level, the province, the ward."""
    topics = [fcm.role_topic("citizen"), fcm.role_topic("verified" if verified else "unverified")]
    if province_code:
        topics.append(fcm.province_topic(province_code))
    if ward_code:
        topics.append(fcm.ward_topic(ward_code))
    return topics


def _queue_topic_change(token: str, topic: str, subscribe: bool, now: datetime) -> None:
    """One wish per (token, topic): a newer one replaces an unconfirmed older one."""
    for _ in range(2):  # a second try only when a concurrent registration queued it meanwhile
        change = db.session.scalar(
            select(PushTopicChange).where(PushTopicChange.token == token, PushTopicChange.topic == topic)
        )
        if change is not None:
            change.subscribe, change.attempts, change.last_error, change.created_at = subscribe, 0, None, now
            return
        try:
            with db.session.begin_nested():
                db.session.add(PushTopicChange(token=token, topic=topic, subscribe=subscribe, created_at=now))
            return
        except IntegrityError:
            continue


def _retopic(device: Device, wanted: list[str], now: datetime) -> None:
    """Queue the subscriptions that take the token from its topics to `wanted` (not committed)."""
    current = list(device.topics or [])
    for topic in wanted:
        if topic not in current:
            _queue_topic_change(device.token, topic, True, now)
    for topic in current:
        if topic not in wanted:
            _queue_topic_change(device.token, topic, False, now)
    device.topics = list(wanted)


def register_device(
    citizen_id: uuid.UUID,
    token: str,
    platform: str,
    app_version: str | None = None,
    locale: str = "vi",
    now: datetime | None = None,
) -> tuple[Device, bool]:
    """Register or refresh the phone's token for this citizen; returns (device, created).

    Idempotent: the app calls it at every start. A token registered by another citizen moves to
    this one (the token is the phone's; whoever signed in last receives its pushes), so a
    citizen who hands on a phone stops receiving pushes on it. Its topic subscriptions follow
    the citizen it now belongs to (best effort, see the module docstring).
    """
    now = now or utcnow()
    province_code, ward_code, verified = _citizen_area(citizen_id)
    values = {
        "citizen_id": citizen_id,
        "platform": platform,
        "app_version": app_version,
        "locale": locale or "vi",
        "province_code": province_code,
        "ward_code": ward_code,
        "last_seen_at": now,
    }
    # With push off nothing can be subscribed: the topics stay as they are, and the first
    # refresh after push is configured queues them all.
    wanted = topics_for(province_code, ward_code, verified) if fcm.push_enabled() else None
    for _ in range(2):  # a second try only when another request inserted the same token meanwhile
        device = db.session.scalar(select(Device).where(Device.token == token))
        created = device is None
        if created:
            device = Device(token=token, created_at=now, topics=[], **values)
            try:
                with db.session.begin_nested():
                    db.session.add(device)
            except IntegrityError:
                continue
        else:
            for key, value in values.items():
                setattr(device, key, value)
        if wanted is not None:
            _retopic(device, wanted, now)
        checkpoint("the device and its queued topic changes are stored before FCM is called")
        flush_topic_changes(tokens=[token])
        return device, created
    raise RuntimeError("device token registration raced twice")  # pragma: no cover


def list_devices(citizen_id: uuid.UUID) -> list[Device]:
    return list(
        db.session.scalars(
            select(Device).where(Device.citizen_id == citizen_id).order_by(Device.last_seen_at.desc())
        )
    )


def delete_device(citizen_id: uuid.UUID, device_id: uuid.UUID) -> None:
    """Forget one of the citizen's devices (sign-out on that phone); 404 for anyone else's.
    The token leaves its topics too: a signed-out phone hears no more broadcasts."""
    device = db.session.scalar(select(Device).where(Device.id == device_id, Device.citizen_id == citizen_id))
    if device is None:
        raise ApiError(404, "device_not_found", "Không tìm thấy thiết bị này trong tài khoản của bạn.")
    token = device.token
    _retopic(device, [], utcnow())
    db.session.delete(device)
    checkpoint("the device is gone and its unsubscriptions queued before FCM is called")
    flush_topic_changes(tokens=[token])


def devices_of(citizen_id: uuid.UUID) -> list[Device]:
    return list(db.session.scalars(select(Device).where(Device.citizen_id == citizen_id)))


def delete_dead_tokens(tokens: Iterable[str]) -> int:
    """Delete devices whose tokens FCM reported dead (not committed: the sender's transaction).
    FCM forgets a dead token's subscriptions itself: its queued changes go too."""
    tokens = [token for token in set(tokens) if token]
    if not tokens:
        return 0
    db.session.execute(
        delete(PushTopicChange)
        .where(PushTopicChange.token.in_(tokens))
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(
        delete(Device).where(Device.token.in_(tokens)).execution_options(synchronize_session=False)
    ).rowcount


STALE_CHUNK = 1000


def drop_stale_devices(now: datetime | None = None) -> int:
    """Scheduler job: drop devices not seen for PUSH_DEVICE_STALE_DAYS, unsubscribing their
    tokens from their topics (as FCM advises for stale tokens); then send the topic changes
    still queued. Returns how many devices were dropped."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config.get("PUSH_DEVICE_STALE_DAYS", 30))
    dropped = 0
    while True:  # in chunks: one transaction per thousand devices, however many went stale
        devices = db.session.scalars(
            select(Device).where(Device.last_seen_at < cutoff).order_by(Device.id).limit(STALE_CHUNK)
        ).all()
        if not devices:
            break
        for device in devices:
            if device.topics:
                _retopic(device, [], now)
        db.session.execute(
            delete(Device)
            .where(Device.id.in_([device.id for device in devices]))
            .execution_options(synchronize_session=False)
        )
        checkpoint("one short transaction per chunk of stale devices, however many went stale")
        dropped += len(devices)
    flush_topic_changes()
    return dropped


def flush_topic_changes(tokens: list[str] | None = None, limit: int = 20_000) -> int:
    """Tell FCM the queued topic subscriptions (of these tokens, or the oldest `limit`); delete
    what FCM confirmed or no longer knows (a dead token). Best effort: never raises, so a
    registration does not fail because FCM is down. Returns how many FCM confirmed."""
    if not fcm.push_enabled():
        return 0
    try:
        fcm.check()
        statement = select(PushTopicChange).order_by(PushTopicChange.created_at).limit(limit)
        if tokens is not None:
            statement = statement.where(PushTopicChange.token.in_(tokens))
        groups: dict[tuple[str, bool], list[PushTopicChange]] = defaultdict(list)
        for change in db.session.scalars(statement):
            groups[(change.topic, change.subscribe)].append(change)
        confirmed = 0
        for (topic, subscribe), changes in groups.items():
            for start in range(0, len(changes), fcm.MAX_TOPIC_TOKENS):
                chunk = changes[start : start + fcm.MAX_TOPIC_TOKENS]
                call = fcm.subscribe if subscribe else fcm.unsubscribe
                results = call([change.token for change in chunk], topic)
                done = []
                for change, result in zip(chunk, results, strict=True):
                    if result.ok or result.token_gone:
                        done.append(change.id)
                        confirmed += result.ok
                    else:
                        change.attempts = (change.attempts or 0) + 1
                        change.last_error = (result.error_code or "UNKNOWN")[:60]
                if done:
                    # Only if the wish did not change meanwhile (a newer registration flipped it).
                    db.session.execute(
                        delete(PushTopicChange)
                        .where(PushTopicChange.id.in_(done), PushTopicChange.subscribe == subscribe)
                        .execution_options(synchronize_session=False)
                    )
                checkpoint("what FCM confirmed is forgotten at once: a later failure does not resend it")
        return confirmed
    except Exception:  # best effort by design: log, keep the queue, never fail the caller
        log.warning("FCM topic subscriptions not sent; kept for a later try", exc_info=True)
        # Callers checkpoint before calling: only this attempt's bookkeeping is forgotten.
        rollback()
        return 0
