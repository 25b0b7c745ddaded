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

The campaign's moves are one table, `MACHINE` (api/state_machine.py):

    draft ─approve→ approved ─schedule→ scheduled ─start (the job)→ sending ─finish→ sent
    draft, approved, scheduled, sending ─cancel→ cancelled;   edit: draft → draft

Each move is a conditional UPDATE (`WHERE status IN <the move's from-statuses>`): a cancel racing
a schedule cannot end "scheduled", an approval racing a cancel cannot revive the campaign. The
approver answers with If-Match the ETag of the campaign they read (the routes check it); the
approval is then applied only at the `version` that was checked, so an edit committed in between
answers 409 `campaign_changed`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.concurrency import compare_and_set
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.state_machine import StateMachine, move
from api.unit_of_work import checkpoint
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
    SENT,
    STATUSES,
    Campaign,
    CampaignOpen,
)

QUIET_START, QUIET_END = clock(22, 0), clock(6, 0)
EDITABLE_FIELDS = ("title", "body", "image_url", "deep_link", "audience", "urgent", "keep_in_inbox")

# Every move of a campaign; `verb` is how the refusal names it ("Không thể duyệt chiến dịch...").
MACHINE = StateMachine(
    STATUSES,
    [
        move("edit", "staff", {DRAFT}, DRAFT, label="Sửa nội dung", verb="sửa"),
        move("approve", "staff", {DRAFT}, APPROVED, label="Duyệt", verb="duyệt"),
        move("schedule", "staff", {APPROVED, SCHEDULED}, SCHEDULED, label="Lên lịch gửi", verb="lên lịch"),
        move("start", "system", {SCHEDULED}, SENDING, label="Bắt đầu gửi", verb="gửi"),
        move("finish", "system", {SENDING}, SENT, label="Đã gửi xong", verb="kết thúc"),
        move("cancel", "staff", {DRAFT, APPROVED, SCHEDULED, SENDING}, CANCELLED, label="Hủy", verb="hủy"),
    ],
    final={SENT, CANCELLED},
)


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


def _conflict(campaign: Campaign, name: str) -> ApiError:
    return ApiError(
        409,
        "campaign_state_conflict",
        f"Không thể {MACHINE[name].verb} chiến dịch đang ở trạng thái '{campaign.status_name}'.",
        status_now=campaign.status,
    )


def _changed(campaign: Campaign) -> ApiError:
    return ApiError(
        409,
        "campaign_changed",
        "Chiến dịch vừa được sửa sau khi bạn mở. Hãy đọc lại nội dung mới rồi duyệt.",
        version_now=campaign.version,
    )


def _require_move(campaign: Campaign, name: str) -> None:
    """The machine allows `name` from the campaign's status as read; else 409."""
    if not MACHINE.can(name, campaign.status):
        raise _conflict(campaign, name)


def _move(campaign: Campaign, name: str, values: dict[str, Any], *, version: int | None = None) -> None:
    """Take the move `name` as one conditional UPDATE: only if the campaign is still in one of
    the move's from-statuses (and at `version`), whatever another request did since it was read;
    else 409 with the state found. `campaign` is re-read either way. Not committed (the caller
    audits in the same unit of work)."""
    still = [MACHINE.from_condition(Campaign.status, name)]
    if version is not None:
        still.append(Campaign.version == version)
    to_status = MACHINE[name].to_status
    if compare_and_set(campaign, *still, **{"status": to_status, **values}):
        return
    _require_move(campaign, name)
    raise _changed(campaign)


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
    return campaign


def update_campaign(campaign_id: uuid.UUID, changes: dict[str, Any], *, actor: str) -> Campaign:
    """Edit a draft; an approved campaign must be cancelled and composed again (the approver
    approved what they read). Every edit adds one to `version`; an edit made from a version
    another edit has replaced meanwhile answers 409 `campaign_changed`."""
    campaign = get_campaign(campaign_id)
    _require_move(campaign, "edit")
    read_version = campaign.version
    merged = {key: getattr(campaign, key) for key in EDITABLE_FIELDS}
    merged.update(changes)
    merged = _checked_content(merged)
    values = {key: merged[key] for key in changes}
    _move(
        campaign,
        "edit",
        {**values, "version": Campaign.version + 1, "updated_at": utcnow()},
        version=read_version,
    )
    record_audit(
        "campaign.updated",
        actor=actor,
        target=f"campaign:{campaign_id}",
        fields=sorted(changes),
        version=read_version + 1,
    )
    return campaign


def preview_audience(audience: dict[str, Any]) -> dict[str, int]:
    return campaign_audience.audience_size(campaign_audience.check_audience(audience))


# ---- the workflow ---------------------------------------------------------------------------


def approve(campaign_id: uuid.UUID, *, version: int, actor: str) -> Campaign:
    """A second comms officer (or an admin) approves what the author wrote: never the author,
    and only at the `version` they read (409 `campaign_changed` after an edit)."""
    campaign = get_campaign(campaign_id)
    _require_move(campaign, "approve")
    if campaign.created_by == actor:
        record_audit("campaign.approved", actor=actor, target=f"campaign:{campaign.id}", outcome="denied")
        checkpoint("a refused self-approval stays in the audit log although the request fails")
        raise ApiError(
            403,
            "campaign_self_approval",
            "Bạn không thể tự duyệt chiến dịch do chính mình soạn. Hãy nhờ một cán bộ truyền thông "
            "khác hoặc quản trị viên duyệt.",
        )
    if campaign.version != version:
        raise _changed(campaign)
    size = campaign_audience.require_reachable(campaign)
    _move(campaign, "approve", {"approved_by": actor, "approved_at": utcnow(), **size}, version=version)
    record_audit(
        "campaign.approved",
        actor=actor,
        target=f"campaign:{campaign_id}",
        citizens=size["targeted_citizens"],
        version=version,
    )
    return campaign


def in_quiet_hours(moment: datetime) -> bool:
    local = moment.astimezone(VIETNAM).time()
    return local >= QUIET_START or local < QUIET_END


def schedule(
    campaign_id: uuid.UUID, send_at: datetime, *, actor: str, now: datetime | None = None
) -> Campaign:
    """Set (or move) the send time of an approved campaign."""
    now = now or utcnow()
    campaign = get_campaign(campaign_id)
    _require_move(campaign, "schedule")
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
    _move(campaign, "schedule", {"scheduled_by": actor, "send_at": send_at, **size})
    record_audit(
        "campaign.scheduled", actor=actor, target=f"campaign:{campaign_id}", send_at=send_at.isoformat()
    )
    return campaign


def cancel(campaign_id: uuid.UUID, *, actor: str) -> Campaign:
    """Cancel before or while sending; a sending job stops after the batches in flight."""
    campaign = get_campaign(campaign_id)
    _move(campaign, "cancel", {"cancelled_by": actor, "cancelled_at": utcnow()})
    record_audit("campaign.cancelled", actor=actor, target=f"campaign:{campaign.id}")
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
    except IntegrityError:  # the savepoint is rolled back; the other tap's row is the one kept
        return db.session.scalars(
            select(CampaignOpen).where(
                CampaignOpen.campaign_id == campaign_id, CampaignOpen.citizen_id == citizen_id
            )
        ).one()
    return opened
