"""The in-app inbox: delivering messages and the citizen's reading of them.

Plain functions over the Flask-SQLAlchemy session, no `flask.request`: the outbox dispatcher
(scheduler process) calls `deliver`, the routes call the rest with the signed-in citizen's id.
Every query filters by that id, so one citizen can never read or change another's messages;
someone else's message id answers exactly like a non-existent one (404).
"""

from __future__ import annotations

import unicodedata
import uuid

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.text import nfc
from notifications.models import InboxMessage


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
