"""Campaign rules: composing, the four-eyes approval, scheduling, cancelling, opens.

Plain functions over the Flask-SQLAlchemy session; the routes pass the staff member as
`actor` ("staff:<uuid>"). Every staff action is audited in the same transaction as the change.
Who a campaign reaches is in notifications/campaigns/audience.py; sending it, in
notifications/campaigns/sending.py.

Quiet hours. A non-urgent campaign may not be scheduled between 22:00 and 06:00 (Vietnam time):
scheduling one there is refused with `quiet_hours` and a message naming 06:00, rather than
moved silently, so the comms officer sees exactly when it goes and can mark a real warning
urgent. The sending job also holds non-urgent campaigns during quiet hours (a job that starts
late or a large campaign still sending at 22:00 continues at 06:00); urgent ones go at any time.

Transitions (approve, schedule, edit, cancel) are conditional UPDATEs (`WHERE status IN ...`):
a cancel racing a schedule cannot end "scheduled", an approval racing a cancel cannot revive the
campaign. The approver sends back the `version` they read; an edit in between answers 409
`campaign_changed`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.workdays import VIETNAM
from notifications import fcm

# The module, not its functions: tests replace `audience_size` there to stage a race.
from notifications.campaigns import audience as campaign_audience
from notifications.campaigns.models import (
    APPROVED,
    CANCELLED,
    DRAFT,
    SCHEDULED,
    SENDING,
    Campaign,
    CampaignOpen,
)

QUIET_START, QUIET_END = clock(22, 0), clock(6, 0)
EDITABLE_FIELDS = ("title", "body", "image_url", "deep_link", "audience", "urgent", "keep_in_inbox")


# ---- lookups --------------------------------------------------------------------------------


def _not_found() -> ApiError:
    return ApiError(404, "campaign_not_found", "Không tìm thấy chiến dịch thông báo này.")


def get_campaign(campaign_id: uuid.UUID) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise _not_found()
    return campaign


def list_campaigns(status: str | None = None) -> Select:
    """Campaigns, newest first, with their figures (a select() for `SelectPage`)."""
    statement = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if status:
        statement = statement.where(Campaign.status == status)
    return statement


def _conflict(campaign: Campaign, action: str) -> ApiError:
    return ApiError(
        409,
        "campaign_state_conflict",
        f"Không thể {action} chiến dịch đang ở trạng thái '{campaign.status_name}'.",
        status_now=campaign.status,
    )


def _changed(campaign: Campaign) -> ApiError:
    return ApiError(
        409,
        "campaign_changed",
        "Chiến dịch vừa được sửa sau khi bạn mở. Hãy đọc lại nội dung mới rồi duyệt.",
        version_now=campaign.version,
    )


def _transition(
    campaign_id: uuid.UUID,
    from_statuses: tuple[str, ...],
    values: dict[str, Any],
    action: str,
    *,
    version: int | None = None,
) -> None:
    """One conditional UPDATE: the change happens only if the campaign is still in one of
    `from_statuses` (and at `version`), whatever another request did since it was read; else
    409 with the state found. Not committed (the caller audits in the same transaction)."""
    statement = update(Campaign).where(Campaign.id == campaign_id, Campaign.status.in_(from_statuses))
    if version is not None:
        statement = statement.where(Campaign.version == version)
    changed = db.session.execute(
        statement.values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if changed == 1:
        return
    db.session.rollback()
    current = get_campaign(campaign_id)
    if current.status not in from_statuses:
        raise _conflict(current, action)
    raise _changed(current)


# ---- composing ------------------------------------------------------------------------------


def _checked_content(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["title"], data["body"] = fcm.validate_text(data["title"], data["body"])
    data["audience"] = campaign_audience.check_audience(data["audience"])
    return data


def create_campaign(data: dict[str, Any], *, actor: str) -> Campaign:
    data = _checked_content(data)
    campaign = Campaign(
        **{key: data.get(key) for key in EDITABLE_FIELDS},
        status=DRAFT,
        created_by=actor,
        created_at=utcnow(),
        version=1,
        failure_codes={},
    )
    db.session.add(campaign)
    db.session.flush()
    record_audit(
        "campaign.created",
        actor=actor,
        target=f"campaign:{campaign.id}",
        audience=campaign.audience,
        urgent=campaign.urgent,
    )
    db.session.commit()
    return campaign


def update_campaign(campaign_id: uuid.UUID, changes: dict[str, Any], *, actor: str) -> Campaign:
    """Edit a draft; an approved campaign must be cancelled and composed again (the approver
    approved what they read). Every edit adds one to `version`; an edit made from a version
    another edit has replaced meanwhile answers 409 `campaign_changed`."""
    campaign = get_campaign(campaign_id)
    if campaign.status != DRAFT:
        raise _conflict(campaign, "sửa")
    read_version = campaign.version
    merged = {key: getattr(campaign, key) for key in EDITABLE_FIELDS}
    merged.update(changes)
    merged = _checked_content(merged)
    values = {key: merged[key] for key in changes}
    _transition(
        campaign_id,
        (DRAFT,),
        {**values, "version": Campaign.version + 1, "updated_at": utcnow()},
        "sửa",
        version=read_version,
    )
    record_audit(
        "campaign.updated",
        actor=actor,
        target=f"campaign:{campaign_id}",
        fields=sorted(changes),
        version=read_version + 1,
    )
    db.session.commit()
    return get_campaign(campaign_id)


def preview_audience(audience: dict[str, Any]) -> dict[str, int]:
    return campaign_audience.audience_size(campaign_audience.check_audience(audience))


# ---- the workflow ---------------------------------------------------------------------------


def approve(campaign_id: uuid.UUID, *, version: int, actor: str) -> Campaign:
    """A second comms officer (or an admin) approves what the author wrote: never the author,
    and only the `version` they read (409 `campaign_changed` after an edit)."""
    campaign = get_campaign(campaign_id)
    if campaign.status != DRAFT:
        raise _conflict(campaign, "duyệt")
    if campaign.created_by == actor:
        record_audit("campaign.approved", actor=actor, target=f"campaign:{campaign.id}", outcome="denied")
        db.session.commit()
        raise ApiError(
            403,
            "campaign_self_approval",
            "Bạn không thể tự duyệt chiến dịch do chính mình soạn. Hãy nhờ một cán bộ truyền thông "
            "khác hoặc quản trị viên duyệt.",
        )
    if campaign.version != version:
        raise _changed(campaign)
    size = campaign_audience.require_reachable(campaign)
    _transition(
        campaign_id,
        (DRAFT,),
        {"status": APPROVED, "approved_by": actor, "approved_at": utcnow(), **size},
        "duyệt",
        version=version,
    )
    record_audit(
        "campaign.approved",
        actor=actor,
        target=f"campaign:{campaign_id}",
        citizens=size["targeted_citizens"],
        version=version,
    )
    db.session.commit()
    return get_campaign(campaign_id)


def in_quiet_hours(moment: datetime) -> bool:
    local = moment.astimezone(VIETNAM).time()
    return local >= QUIET_START or local < QUIET_END


def schedule(
    campaign_id: uuid.UUID, send_at: datetime, *, actor: str, now: datetime | None = None
) -> Campaign:
    """Set (or move) the send time of an approved campaign."""
    now = now or utcnow()
    campaign = get_campaign(campaign_id)
    if campaign.status not in (APPROVED, SCHEDULED):
        raise _conflict(campaign, "lên lịch")
    if send_at <= now:
        raise ApiError(
            422,
            "schedule_in_past",
            "Thời điểm gửi phải ở tương lai. Hãy chọn một thời điểm sau thời điểm hiện tại.",
            errors={"send_at": ["Thời điểm gửi đã qua."]},
        )
    if send_at > now + timedelta(days=365):
        raise ApiError(
            422,
            "schedule_too_far",
            "Chỉ lên lịch gửi trong vòng 12 tháng tới.",
            errors={"send_at": ["Quá 12 tháng kể từ hôm nay."]},
        )
    if not campaign.urgent and in_quiet_hours(send_at):
        local = send_at.astimezone(VIETNAM)
        raise ApiError(
            422,
            "quiet_hours",
            f"Không gửi thông báo thường trong giờ yên tĩnh 22:00–06:00 (bạn chọn "
            f"{local:%H:%M} ngày {local:%d/%m/%Y}). Hãy chọn từ 06:00, hoặc đánh dấu khẩn cấp "
            "nếu đây là cảnh báo cần gửi ngay.",
            errors={"send_at": ["Trong giờ yên tĩnh 22:00–06:00."]},
        )
    size = campaign_audience.require_reachable(campaign, now)
    _transition(
        campaign_id,
        (APPROVED, SCHEDULED),
        {"status": SCHEDULED, "scheduled_by": actor, "send_at": send_at, **size},
        "lên lịch",
    )
    record_audit(
        "campaign.scheduled", actor=actor, target=f"campaign:{campaign_id}", send_at=send_at.isoformat()
    )
    db.session.commit()
    return get_campaign(campaign_id)


def cancel(campaign_id: uuid.UUID, *, actor: str) -> Campaign:
    """Cancel before or while sending; a sending job stops after the batches in flight."""
    campaign = get_campaign(campaign_id)
    result = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status.in_((DRAFT, APPROVED, SCHEDULED, SENDING)))
        .values(status=CANCELLED, cancelled_by=actor, cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise _conflict(get_campaign(campaign_id), "hủy")
    record_audit("campaign.cancelled", actor=actor, target=f"campaign:{campaign.id}")
    db.session.commit()
    db.session.refresh(campaign)
    return campaign


# ---- opens (reported by the app) ------------------------------------------------------------


def record_open(campaign_id: uuid.UUID, citizen_id: uuid.UUID) -> CampaignOpen:
    """The citizen opened the campaign's notification; once per citizen, the first time kept.

    Only for a campaign that reached this citizen: its message is in their inbox, or one of
    their devices was among those the push phase went through (in the audience, registered
    before the campaign finished, at or before the push cursor). Anything else answers 404, so
    the app cannot inflate the figures or learn about campaigns not sent to it.
    """
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.started_at is None:
        raise _not_found()
    if not campaign_audience.reached(campaign, citizen_id):
        raise _not_found()
    existing = db.session.scalar(
        select(CampaignOpen).where(
            CampaignOpen.campaign_id == campaign_id, CampaignOpen.citizen_id == citizen_id
        )
    )
    if existing is not None:
        return existing
    opened = CampaignOpen(campaign_id=campaign_id, citizen_id=citizen_id, opened_at=utcnow())
    try:
        with db.session.begin_nested():  # two taps racing: the unique constraint keeps one
            db.session.add(opened)
    except IntegrityError:
        db.session.rollback()
        return db.session.scalars(
            select(CampaignOpen).where(
                CampaignOpen.campaign_id == campaign_id, CampaignOpen.citizen_id == citizen_id
            )
        ).one()
    db.session.commit()
    return opened
