"""Internal announcements: the comms team (and admins) tell staff something, and see it landed.

An announcement is published when it is written (there is nothing to review: it goes to
colleagues, not to citizens in the province's name). Its audience is every staff role or some of
them, optionally narrowed to the staff of one ward; it is resolved into recipients at that moment
(content/models.py says why), and an audience that reaches nobody is refused, nothing saved.

Staff read what was addressed to them, newest first; opening one records the read (once), which
is what comms sees as "n/m đã đọc". An announcement not addressed to the caller answers 404,
exactly like one that does not exist. Publishing is audited; reading is the receipt itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, undefer

from api.audit import record_audit
from api.auth import service as auth
from api.auth.schemas import STAFF_ROLE_NAMES
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.units import service as units
from content.models import IMPORTANT, NORMAL, Announcement, AnnouncementRecipient

NOT_FOUND = ("announcement_not_found", "Không có thông báo nội bộ này.")


def _staff_ref(staff_id: uuid.UUID) -> str:
    return f"staff:{staff_id}"


def _recipients(roles: list[str] | None, ward_code: str | None) -> list[uuid.UUID]:
    """The active staff the audience names now. A province has hundreds of staff accounts, so
    the filter on role and ward runs over auth's own listing rather than reaching into its table."""
    wanted = set(roles) if roles else None
    return [
        user.id
        for user in db.session.scalars(auth.staff_accounts(active=True))
        if (wanted is None or user.role in wanted) and (ward_code is None or user.ward_code == ward_code)
    ]


def publish(data: Mapping[str, Any], author_id: uuid.UUID) -> Announcement:
    """Publish to the audience now. 422 `unknown_ward` for a ward not in the catalogue, 422
    `audience_empty` when nobody is addressed; nothing is saved then. Audited."""
    roles = sorted(set(data["roles"]), key=list(STAFF_ROLE_NAMES).index) if data.get("roles") else None
    ward_code = data.get("ward_code") or None
    if ward_code is not None:
        units.validate_ward_code(ward_code)
    recipients = _recipients(roles, ward_code)
    if not recipients:
        message = (
            "Không có cán bộ nào đang hoạt động thuộc đối tượng này. Hãy chọn lại vai trò hoặc phường/xã."
        )
        raise ApiError(422, "audience_empty", message, errors={"roles": [message]})
    announcement = Announcement(
        id=uuid.uuid4(),
        title=data["title"],
        body=data["body"],
        audience_roles=roles,
        audience_ward_code=ward_code,
        importance=data.get("importance", NORMAL),
        published_at=utcnow(),
        created_by=_staff_ref(author_id),
    )
    db.session.add(announcement)
    db.session.flush()
    db.session.add_all(
        AnnouncementRecipient(announcement_id=announcement.id, staff_id=staff_id) for staff_id in recipients
    )
    record_audit(
        "announcement.published",
        target=f"announcement:{announcement.id}",
        roles=roles,
        ward_code=ward_code,
        importance=announcement.importance,
        recipients=len(recipients),
    )
    return get_sent(announcement.id)


# ---- what comms sent ----------------------------------------------------------------------------


def sent() -> Select:
    """Every announcement, newest first, with how many were addressed and have read it."""
    return (
        select(Announcement)
        .options(undefer(Announcement.recipient_count), undefer(Announcement.read_count))
        .order_by(Announcement.published_at.desc(), Announcement.id)
    )


def get_sent(announcement_id: uuid.UUID) -> Announcement:
    found = db.session.scalar(sent().where(Announcement.id == announcement_id))
    if found is None:
        raise ApiError(404, *NOT_FOUND)
    return found


def audience_label(announcement: Announcement) -> str:
    """ "Cán bộ một cửa, Công an · Phường Buôn Ma Thuột" or "Mọi cán bộ"."""
    roles = announcement.audience_roles
    who = ", ".join(STAFF_ROLE_NAMES.get(role, role) for role in roles) if roles else "Mọi cán bộ"
    if announcement.audience_ward_code:
        ward = units.get_ward(announcement.audience_ward_code)
        who += f" · {ward.name if ward else announcement.audience_ward_code}"
    return who


# ---- what staff read ----------------------------------------------------------------------------


def inbox(staff_id: uuid.UUID, *, unread: bool | None = None, importance: str | None = None) -> Select:
    """The announcements addressed to this staff member, newest first (their receipts, each with
    its announcement)."""
    statement = (
        select(AnnouncementRecipient)
        .join(AnnouncementRecipient.announcement)
        .options(contains_eager(AnnouncementRecipient.announcement))
        .where(AnnouncementRecipient.staff_id == staff_id)
        .order_by(Announcement.published_at.desc(), Announcement.id)
    )
    if unread is not None:
        statement = statement.where(
            AnnouncementRecipient.read_at.is_(None) if unread else AnnouncementRecipient.read_at.is_not(None)
        )
    if importance is not None:
        statement = statement.where(Announcement.importance == importance)
    return statement


def received(staff_id: uuid.UUID, announcement_id: uuid.UUID) -> AnnouncementRecipient:
    """One announcement as this staff member received it; 404 when it was not addressed to them."""
    found = db.session.scalar(inbox(staff_id).where(AnnouncementRecipient.announcement_id == announcement_id))
    if found is None:
        raise ApiError(404, *NOT_FOUND)
    return found


def mark_read(staff_id: uuid.UUID, announcement_id: uuid.UUID) -> AnnouncementRecipient:
    """Record that they opened it; the first time counts, later ones change nothing."""
    receipt = received(staff_id, announcement_id)
    if receipt.read_at is None:
        # Only a receipt still unread is stamped, in SQL: two tabs opening it at once keep the first time.
        db.session.execute(
            AnnouncementRecipient.__table__.update()
            .where(
                AnnouncementRecipient.announcement_id == announcement_id,
                AnnouncementRecipient.staff_id == staff_id,
                AnnouncementRecipient.read_at.is_(None),
            )
            .values(read_at=utcnow())
        )
        db.session.refresh(receipt)
    return receipt


def unread_counts(staff_id: uuid.UUID) -> dict[str, int]:
    """How many addressed to them they have not opened, and how many of those are important."""
    rows = db.session.execute(
        select(Announcement.importance, func.count())
        .join(AnnouncementRecipient, AnnouncementRecipient.announcement_id == Announcement.id)
        .where(AnnouncementRecipient.staff_id == staff_id, AnnouncementRecipient.read_at.is_(None))
        .group_by(Announcement.importance)
    ).all()
    counts = dict(rows)
    return {"unread": sum(counts.values()), "important": counts.get(IMPORTANT, 0)}
