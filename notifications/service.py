"""The in-app inbox (delivering messages, the citizen's reading of them) and the citizen's devices.

Plain functions over the Flask-SQLAlchemy session, no `flask.request`: the outbox dispatcher
(scheduler process) calls `deliver`, the routes call the rest with the signed-in citizen's id.
Every query filters by that id, so one citizen can never read or change another's messages;
someone else's message id answers exactly like a non-existent one (404); the same for devices.

Device hygiene: a token FCM reports dead (UNREGISTERED, or INVALID_ARGUMENT about the token) is
deleted by whoever sent to it (`delete_dead_tokens`); a token whose app has not checked in for
PUSH_DEVICE_STALE_DAYS (30) is dropped by the scheduler (`drop_stale_devices`): FCM itself
considers such tokens stale, and pushing to them only wastes the campaign's quota.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.text import nfc
from notifications import fcm
from notifications.models import Device, InboxMessage


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
        db.session.commit()
    return message


def mark_all_read(citizen_id: uuid.UUID) -> int:
    """Mark every unread message of the citizen read; returns how many changed."""
    changed = db.session.execute(
        update(InboxMessage)
        .where(InboxMessage.citizen_id == citizen_id, InboxMessage.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return changed


def unread_count(citizen_id: uuid.UUID) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(InboxMessage)
        .where(InboxMessage.citizen_id == citizen_id, InboxMessage.read_at.is_(None))
    )


# ---- devices ---------------------------------------------------------------------------------


def _area(citizen_id: uuid.UUID) -> tuple[str | None, str | None]:
    """(province code, ward code) of the citizen's residence, for topics and audiences."""
    from api.citizens.models import Citizen
    from api.units.service import get_ward

    ward_code = db.session.scalar(select(Citizen.ward_code).where(Citizen.id == citizen_id))
    ward = get_ward(ward_code) if ward_code else None
    return (ward.province.code if ward else None), ward_code


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
    citizen who hands on a phone stops receiving pushes on it.
    """
    now = now or utcnow()
    province_code, ward_code = _area(citizen_id)
    values = {
        "citizen_id": citizen_id,
        "platform": platform,
        "app_version": app_version,
        "locale": locale or "vi",
        "province_code": province_code,
        "ward_code": ward_code,
        "last_seen_at": now,
    }
    for _ in range(2):  # a second try only when another request inserted the same token meanwhile
        device = db.session.scalar(select(Device).where(Device.token == token))
        if device is not None:
            for key, value in values.items():
                setattr(device, key, value)
            db.session.commit()
            return device, False
        device = Device(token=token, created_at=now, **values)
        try:
            with db.session.begin_nested():
                db.session.add(device)
        except IntegrityError:
            continue
        db.session.commit()
        return device, True
    raise RuntimeError("device token registration raced twice")  # pragma: no cover


def list_devices(citizen_id: uuid.UUID) -> list[Device]:
    return list(
        db.session.scalars(
            select(Device).where(Device.citizen_id == citizen_id).order_by(Device.last_seen_at.desc())
        )
    )


def delete_device(citizen_id: uuid.UUID, device_id: uuid.UUID) -> None:
    """Forget one of the citizen's devices (sign-out on that phone); 404 for anyone else's."""
    device = db.session.scalar(select(Device).where(Device.id == device_id, Device.citizen_id == citizen_id))
    if device is None:
        raise ApiError(404, "device_not_found", "Không tìm thấy thiết bị này trong tài khoản của bạn.")
    db.session.delete(device)
    db.session.commit()


def devices_of(citizen_id: uuid.UUID) -> list[Device]:
    return list(db.session.scalars(select(Device).where(Device.citizen_id == citizen_id)))


def delete_dead_tokens(tokens: Iterable[str]) -> int:
    """Delete devices whose tokens FCM reported dead (not committed: the sender's transaction)."""
    tokens = [token for token in set(tokens) if token]
    if not tokens:
        return 0
    return db.session.execute(
        delete(Device).where(Device.token.in_(tokens)).execution_options(synchronize_session=False)
    ).rowcount


def drop_stale_devices(now: datetime | None = None) -> int:
    """Scheduler job: drop devices not seen for PUSH_DEVICE_STALE_DAYS; returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config.get("PUSH_DEVICE_STALE_DAYS", 30))
    dropped = db.session.execute(
        delete(Device).where(Device.last_seen_at < cutoff).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return dropped


def device_topics(device: Device, *, age_band: str | None = None) -> list[str]:
    """The FCM topics a device belongs to: its province, its ward, the citizens' audience.

    For clients that subscribe to topics; campaigns do not send to topics (notifications/fcm.py).
    """
    topics = [fcm.role_topic("citizen")]
    if device.province_code:
        topics.append(fcm.province_topic(device.province_code))
    if device.ward_code:
        topics.append(fcm.ward_topic(device.ward_code))
    if age_band:
        topics.append(fcm.age_topic(age_band))
    return topics
