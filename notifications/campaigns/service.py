"""Campaign rules: composing, the four-eyes approval, scheduling, the audience, sending, figures.

Plain functions over the Flask-SQLAlchemy session; the routes pass the staff member as
`actor` ("staff:<uuid>"). Every staff action is audited in the same transaction as the change.

Quiet hours. A non-urgent campaign may not be scheduled between 22:00 and 06:00 (Vietnam time):
scheduling one there is refused with `quiet_hours` and a message naming 06:00, rather than
moved silently, so the comms officer sees exactly when it goes and can mark a real warning
urgent. The job also holds non-urgent campaigns during quiet hours (a job that starts late or a
large campaign still sending at 22:00 continues at 06:00); urgent ones go at any time.

Sending (`run_due_campaigns`, the scheduler's `campaigns.send` job). A due campaign is claimed
(scheduled -> sending), its audience counted, then two phases walk the audience in primary-key
order, keyset-paginated, so memory stays the same for a thousand citizens or a million:

1. inbox: one inbox message per targeted citizen, inserted in batches (executemany) *in the same
   transaction* as the cursor, so each citizen gets exactly one, whatever stops the job;
2. push: the audience's devices in batches of 500 (FCM's batch size), sent through
   notifications.fcm.send_batch by a few worker threads while the next batch is read. Results are
   committed in the order the batches were read, each commit moving the cursor past its batch,
   so a resumed job never re-sends a committed batch. Tokens FCM calls dead are deleted.

A run stops cleanly (every batch in flight is finished and committed) when its time budget is
spent, when the campaign is cancelled, when quiet hours begin, or when FCM is unavailable (every
message of a batch still refused as "try later" after retries). Devices FCM refused as "try
later" are kept in `campaign_retries` and sent first on the next run, in committed batches of
500 that check the budget like the others; while they are still refused as a whole, no new
batch is taken. They count as failed only when the retry set has seen no successful send for
CAMPAIGN_RETRY_GIVE_UP_SECONDS (any success restarts that clock), so an outage of a few minutes
delays a campaign and fails nobody. A broken credentials file pauses the push phase
(`fcm_credentials`) without raising, so the job does not crash every 30 s.

One runner per campaign: a run takes the campaign's lease (a conditional UPDATE of
`lease_until`, renewed after every batch, released at the end) and leaves alone a campaign whose
lease another runner holds; the unique index on inbox_messages (campaign_id, citizen_id) makes
a second insert fail rather than double an inbox. Only a hard kill of the process between a send
and its commit can repeat a send: at most the batches in flight (concurrency x 500).

Transitions (approve, schedule, edit, cancel) are conditional UPDATEs (`WHERE status IN ...`):
a cancel racing a schedule cannot end "scheduled", an approval racing a cancel cannot revive the
campaign. The approver sends back the `version` they read; an edit in between answers 409
`campaign_changed`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import time
import uuid
from collections import Counter, deque
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Select, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.benefits.service import active_beneficiary_citizen_ids
from api.citizens.models import Citizen
from api.citizens.service import audience_conditions
from api.dbtypes import new_uuid, utcnow
from api.errors import ApiError
from api.extensions import db
from api.units.service import get_province, search_wards, validate_ward_code
from api.workdays import VIETNAM
from notifications import fcm
from notifications.campaigns.models import (
    APPROVED,
    CANCELLED,
    DRAFT,
    PHASE_DONE,
    PHASE_INBOX,
    PHASE_PUSH,
    ROLE_BENEFICIARY,
    ROLE_UNVERIFIED,
    ROLE_VERIFIED,
    SCHEDULED,
    SENDING,
    SENT,
    Campaign,
    CampaignOpen,
    CampaignRetry,
)
from notifications.models import Device, InboxMessage

log = logging.getLogger(__name__)

INBOX_CATEGORY = "campaign"
QUIET_START, QUIET_END = clock(22, 0), clock(6, 0)
# A runner renews its lease after every batch; one batch (3 attempts of 10 s requests with
# backoff) takes well under this, so only a dead runner's lease runs out.
LEASE_SECONDS = 300
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


# ---- the audience ---------------------------------------------------------------------------


def check_audience(audience: dict[str, Any]) -> dict[str, Any]:
    """The audience with its unit codes checked against the catalogue (422 `unknown_*`)."""
    audience = dict(audience)
    if audience["kind"] == "province" and get_province(audience["province_code"]) is None:
        search_wards(None, province_code=audience["province_code"])  # raises unknown_province
    if audience["kind"] == "ward":
        codes = list(dict.fromkeys(audience["ward_codes"]))  # keep order, drop repeats
        for index, code in enumerate(codes):
            validate_ward_code(code, field=f"audience.ward_codes.{index}")
        audience["ward_codes"] = codes
    if audience["kind"] == "age":
        audience.setdefault("min_age", None)
        audience.setdefault("max_age", None)
    return audience


def citizen_conditions(audience: dict[str, Any], today: date) -> list:
    """SQL conditions on `citizens` selecting the audience; empty for everybody."""
    kind = audience["kind"]
    if kind == "province":
        return audience_conditions(today=today, province_code=audience["province_code"])
    if kind == "ward":
        return audience_conditions(today=today, ward_codes=audience["ward_codes"])
    if kind == "role":
        role = audience["role"]
        if role == ROLE_VERIFIED:
            return [Citizen.identity_level >= 2]
        if role == ROLE_UNVERIFIED:
            return [Citizen.identity_level < 2]
        if role == ROLE_BENEFICIARY:
            # The benefits domain's own list of who is paid now (one subquery).
            return [Citizen.id.in_(active_beneficiary_citizen_ids())]
    if kind == "age":
        return audience_conditions(
            today=today, min_age=audience.get("min_age"), max_age=audience.get("max_age")
        )
    return []


def _today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(VIETNAM).date()


def _device_query(conditions: list) -> Select:
    statement = select(Device.id, Device.token)
    if conditions:
        statement = statement.join(Citizen, Citizen.id == Device.citizen_id).where(*conditions)
    return statement


def audience_size(audience: dict[str, Any], now: datetime | None = None) -> dict[str, int]:
    """How many citizens, and how many of their devices, the audience matches now."""
    conditions = citizen_conditions(audience, _today(now))
    citizens = db.session.scalar(select(func.count()).select_from(Citizen).where(*conditions))
    devices = db.session.scalar(select(func.count()).select_from(_device_query(conditions).subquery()))
    return {"citizens": citizens or 0, "devices": devices or 0}


def _require_reachable(campaign: Campaign, now: datetime | None = None) -> dict[str, int]:
    size = audience_size(campaign.audience, now)
    reachable = size["citizens"] if campaign.keep_in_inbox else size["devices"]
    if reachable == 0:
        detail = (
            "Nhóm người nhận không có công dân nào. Hãy chọn lại phường, xã, tỉnh, "
            "nhóm đối tượng hoặc độ tuổi."
            if size["citizens"] == 0
            else "Không công dân nào trong nhóm này đã đăng ký nhận thông báo đẩy trên thiết bị. "
            "Hãy bật 'lưu vào hộp thư' hoặc chọn nhóm khác."
        )
        raise ApiError(422, "audience_empty", detail, audience=campaign.audience)
    return {"targeted_citizens": size["citizens"], "targeted_devices": size["devices"]}


# ---- composing ------------------------------------------------------------------------------


def _checked_content(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["title"], data["body"] = fcm.validate_text(data["title"], data["body"])
    data["audience"] = check_audience(data["audience"])
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
    return audience_size(check_audience(audience))


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
    size = _require_reachable(campaign)
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
    size = _require_reachable(campaign, now)
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
    if not _reached(campaign, citizen_id):
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


def _reached(campaign: Campaign, citizen_id: uuid.UUID) -> bool:
    in_inbox = db.session.scalar(
        select(InboxMessage.id)
        .where(InboxMessage.campaign_id == campaign.id, InboxMessage.citizen_id == citizen_id)
        .limit(1)
    )
    if in_inbox is not None:
        return True
    if not campaign.push_cursor:  # the push phase has not sent anything yet
        return False
    device = db.session.scalar(
        _device_query(citizen_conditions(campaign.audience, _today(campaign.started_at)))
        .where(
            Device.citizen_id == citizen_id,
            Device.id <= _id_type(campaign.push_cursor),
            Device.created_at <= (campaign.finished_at or utcnow()),
        )
        .limit(1)
    )
    return device is not None


# ---- sending --------------------------------------------------------------------------------


@dataclass
class _Settings:
    batch_size: int
    inbox_batch_size: int
    concurrency: int
    attempts: int
    backoff: float
    budget: float
    processes: int = 0
    give_up: float = 3600.0

    @classmethod
    def from_config(cls, **overrides: Any) -> _Settings:
        config = current_app.config
        values = {
            "batch_size": min(int(config.get("CAMPAIGN_BATCH_SIZE") or fcm.MAX_BATCH), fcm.MAX_BATCH),
            "inbox_batch_size": int(config.get("CAMPAIGN_INBOX_BATCH_SIZE") or 2000),
            "concurrency": max(1, int(config.get("CAMPAIGN_SEND_CONCURRENCY") or 4)),
            "attempts": max(1, int(config.get("CAMPAIGN_SEND_ATTEMPTS") or 3)),
            "backoff": float(config.get("CAMPAIGN_RETRY_BACKOFF_SECONDS", 1.0)),
            "budget": float(config.get("CAMPAIGN_RUN_SECONDS") or 240),
            "processes": max(0, int(config.get("CAMPAIGN_SEND_PROCESSES") or 0)),
            "give_up": float(config.get("CAMPAIGN_RETRY_GIVE_UP_SECONDS") or 3600),
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)


@dataclass
class _Outcome:
    """What one batch's sending came to."""

    sent: int = 0
    failed: Counter = field(default_factory=Counter)
    dead_ids: list = field(default_factory=list)
    retry_ids: list = field(default_factory=list)

    @property
    def unavailable(self) -> bool:
        # Nothing got through and everything may later: FCM is down or throttling us.
        return self.sent == 0 and not self.failed and bool(self.retry_ids)


@dataclass
class RunReport:
    campaigns: int = 0
    inbox: int = 0
    sent: int = 0
    failed: int = 0
    finished: list[str] = field(default_factory=list)
    paused: dict[str, str] = field(default_factory=dict)
    phase_seconds: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaigns": self.campaigns,
            "inbox": self.inbox,
            "sent": self.sent,
            "failed": self.failed,
            "finished": self.finished,
            "paused": self.paused,
            "phase_seconds": {phase: round(seconds, 3) for phase, seconds in self.phase_seconds.items()},
        }


def _items(campaign: Campaign, rows) -> list[fcm.PushItem]:
    data = {"kind": "campaign", "campaign_id": str(campaign.id)}
    if campaign.deep_link:
        data["deep_link"] = campaign.deep_link
    return [
        fcm.PushItem(
            token=row.token, title=campaign.title, body=campaign.body, data=data, image_url=campaign.image_url
        )
        for row in rows
    ]


# ---- sender processes -----------------------------------------------------------------------
# firebase-admin spends about 0.8 ms of CPU per message (encoding, requests, one thread each),
# so one Python process tops out near 1,200 messages/s whatever the number of threads: the GIL.
# With CAMPAIGN_SEND_PROCESSES > 0 the batches are sent by that many worker processes (started
# with forkserver: the scheduler process has threads and database connections that must not be
# forked); this process still reads the audience and commits every result in order.
_FCM_SETTINGS = ("FCM_ENDPOINT", "FCM_PROJECT_ID", "GOOGLE_APPLICATION_CREDENTIALS", "FCM_TIMEOUT_SECONDS")
_worker_app: Flask | None = None


def _init_sender_process(config: dict[str, Any]) -> None:
    global _worker_app
    _worker_app = Flask("campaign-sender")
    _worker_app.config.update(config)


def _send_in_process(items: list[fcm.PushItem], ids: list, settings: _Settings) -> _Outcome:
    assert _worker_app is not None, "the pool's initializer sets the app"
    return _send(_worker_app, items, ids, settings)


def _sender_pool(app: Flask, settings: _Settings) -> tuple[Executor, Any]:
    """The executor sending batches, and the function it runs with (items, ids, settings)."""
    if settings.processes:
        pool = ProcessPoolExecutor(
            settings.processes,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_init_sender_process,
            initargs=({key: app.config.get(key) for key in _FCM_SETTINGS},),
        )
        return pool, _send_in_process
    pool = ThreadPoolExecutor(settings.concurrency, thread_name_prefix="campaign-push")
    return pool, lambda items, ids, settings: _send(app, items, ids, settings)


def _send(app, items: list[fcm.PushItem], ids: list, settings: _Settings) -> _Outcome:
    """Send one batch (in a worker); retry what FCM says may work later, with backoff."""
    outcome = _Outcome()
    pending = list(zip(items, ids, strict=True))
    with app.app_context():
        for attempt in range(settings.attempts):
            try:
                results = fcm.send_batch([item for item, _ in pending])
            except fcm.PushConfigError:
                break  # our credentials, not FCM: nothing sent, all of it to try later
            again, wait = [], 0.0
            for (item, device_id), result in zip(pending, results, strict=True):
                if result.ok:
                    outcome.sent += 1
                elif result.retryable:
                    again.append((item, device_id))
                    wait = max(wait, result.retry_after or 0.0)
                else:
                    outcome.failed[result.error_code or "UNKNOWN"] += 1
                    if result.token_dead:
                        outcome.dead_ids.append(device_id)
            pending = again
            if not pending or attempt == settings.attempts - 1:
                break
            time.sleep(min(max(wait, settings.backoff * 2**attempt), 30.0) if settings.backoff else 0)
    outcome.retry_ids = [device_id for _, device_id in pending]
    return outcome


def _id_type(value: str):
    """A stored cursor back to the key type of `devices.id` / `citizens.id`."""
    return uuid.UUID(value)


class _Run:
    """One job run over one campaign: the inbox then the push phase, within a time budget, under
    the campaign's lease (`owner`)."""

    def __init__(
        self,
        campaign: Campaign,
        settings: _Settings,
        report: RunReport,
        now: datetime | None,
        deadline,
        owner,
    ):
        self.campaign = campaign
        self.id = campaign.id
        self.settings = settings
        self.report = report
        self.now = now
        self.deadline = deadline
        self.owner = owner
        self.conditions = citizen_conditions(campaign.audience, _today(campaign.started_at))
        self.max_batches: int | None = None

    def _clock(self) -> datetime:
        """The business clock (quiet hours, the retry give-up): `now` in tests, else the time."""
        return self.now or utcnow()

    def _should_stop(self) -> str | None:
        """Between batches: the budget, a cancel, quiet hours; and the lease is renewed (and
        committed at once, so a cancel from the console never waits on this runner)."""
        if time.monotonic() >= self.deadline:
            return "time_budget"
        renewed = db.session.execute(
            update(Campaign)
            .where(Campaign.id == self.id, Campaign.status == SENDING, Campaign.lease_owner == self.owner)
            .values(lease_until=utcnow() + timedelta(seconds=LEASE_SECONDS))
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if renewed != 1:
            status = db.session.scalar(select(Campaign.status).where(Campaign.id == self.id))
            return "cancelled" if status != SENDING else "lease_lost"
        if not self.campaign.urgent and in_quiet_hours(self._clock()):
            return "quiet_hours"
        return None

    # -- phase 1: inbox
    def inbox(self) -> str | None:
        campaign = self.campaign
        while True:
            reason = self._should_stop()
            if reason:
                return reason
            statement = select(Citizen.id).where(*self.conditions).order_by(Citizen.id)
            if campaign.inbox_cursor:
                statement = statement.where(Citizen.id > _id_type(campaign.inbox_cursor))
            ids = db.session.scalars(statement.limit(self.settings.inbox_batch_size)).all()
            if not ids:
                campaign.phase = PHASE_PUSH
                db.session.commit()
                return None
            created = utcnow()
            try:
                db.session.execute(
                    insert(InboxMessage),
                    [
                        {
                            "id": new_uuid(),
                            "citizen_id": citizen_id,
                            "title": campaign.title,
                            "body": campaign.body,
                            "category": INBOX_CATEGORY,
                            "deep_link": campaign.deep_link,
                            "campaign_id": campaign.id,
                            "created_at": created,
                        }
                        for citizen_id in ids
                    ],
                )
            except IntegrityError:
                # Another runner wrote these messages (its lease ran out while it was alive):
                # nothing of this batch is kept; the next run continues from the stored cursor.
                db.session.rollback()
                log.error("campaign %s: inbox messages already written by another runner", self.id)
                return "concurrent_run"
            # Same transaction as the messages: a crash loses both or keeps both.
            campaign.inbox_cursor = str(ids[-1])
            campaign.inbox_delivered = (campaign.inbox_delivered or 0) + len(ids)
            db.session.commit()
            self.report.inbox += len(ids)

    # -- phase 2: push
    def _has_retries(self) -> bool:
        first = db.session.scalar(
            select(CampaignRetry.device_id).where(CampaignRetry.campaign_id == self.id).limit(1)
        )
        return first is not None

    def _apply(self, outcome: _Outcome, cursor: str | None, retried: list | None = None) -> None:
        """Record one batch's outcome and move the cursor, in one commit. `retried`: the device
        ids of a batch of the retry set (taken out of it; those still refused go back in)."""
        campaign = self.campaign
        failed = Counter(outcome.failed)
        retry_ids = list(outcome.retry_ids)
        now = self._clock()
        if retried is not None:
            db.session.execute(
                delete(CampaignRetry)
                .where(CampaignRetry.campaign_id == self.id, CampaignRetry.device_id.in_(retried))
                .execution_options(synchronize_session=False)
            )
        if outcome.sent:
            campaign.retry_since = None  # FCM takes messages again: the give-up clock restarts
        refused_since = campaign.retry_since if retried is not None else None
        if retry_ids and refused_since and (now - refused_since).total_seconds() >= self.settings.give_up:
            failed["RETRIES_EXHAUSTED"] += len(retry_ids)  # refused all that time: give up
            retry_ids = []
        if retry_ids:
            db.session.execute(
                insert(CampaignRetry),
                [{"campaign_id": self.id, "device_id": device_id} for device_id in retry_ids],
            )
            if campaign.retry_since is None:
                campaign.retry_since = now
        if outcome.dead_ids:
            db.session.execute(
                delete(Device)
                .where(Device.id.in_(outcome.dead_ids))
                .execution_options(synchronize_session=False)
            )
        campaign.sent_count = (campaign.sent_count or 0) + outcome.sent
        campaign.failed_count = (campaign.failed_count or 0) + sum(failed.values())
        campaign.tokens_removed = (campaign.tokens_removed or 0) + len(outcome.dead_ids)
        codes = Counter(campaign.failure_codes or {})
        codes.update(failed)
        campaign.failure_codes = dict(codes)
        if not retry_ids and campaign.retry_since is not None and not self._has_retries():
            campaign.retry_since = None
        if cursor is not None:
            campaign.push_cursor = cursor
        db.session.commit()
        self.report.sent += outcome.sent
        self.report.failed += sum(failed.values())

    def _retry_earlier(self, app) -> str | None:
        """Send first what FCM refused as "try later" before: the retry set in batches of FCM's
        size, each committed with its outcome and followed by the same checks as a new batch.
        While FCM still refuses a whole batch, stop: no other batch is taken."""
        last = None
        while True:
            statement = (
                select(CampaignRetry.device_id)
                .where(CampaignRetry.campaign_id == self.id)
                .order_by(CampaignRetry.device_id)
                .limit(self.settings.batch_size)
            )
            if last is not None:  # past what this pass put back
                statement = statement.where(CampaignRetry.device_id > last)
            ids = db.session.scalars(statement).all()
            if not ids:
                return None
            last = ids[-1]
            rows = db.session.execute(select(Device.id, Device.token).where(Device.id.in_(ids))).all()
            outcome = (
                _send(app, _items(self.campaign, rows), [row.id for row in rows], self.settings)
                if rows
                else _Outcome()  # every device of the batch is gone since: nothing to send
            )
            self._apply(outcome, None, retried=ids)
            if outcome.unavailable:
                return "fcm_unavailable"
            reason = self._should_stop()
            if reason:
                return reason

    def push(self) -> str | None:
        campaign = self.campaign
        if not fcm.push_enabled():
            # Push is off: the inbox phase already delivered; the devices are counted as missed.
            self._apply(_Outcome(failed=Counter({"PUSH_OFF": campaign.targeted_devices})), None)
            return None
        try:
            fcm.check()
        except fcm.PushConfigError:
            # Our configuration, not the audience's: wait for the fix (/ready says push "down"),
            # nothing counted as failed, and no exception for the scheduler to log every 30 s.
            return "fcm_credentials"
        app = current_app._get_current_object()
        reason = self._should_stop() or self._retry_earlier(app)
        if reason:
            return reason
        in_flight: deque[tuple[Future, str]] = deque()
        position = campaign.push_cursor
        exhausted, stop, batches = False, None, 0
        pool, send = _sender_pool(app, self.settings)
        with pool:
            while True:
                while not (exhausted or stop) and len(in_flight) < self.settings.concurrency:
                    statement = _device_query(self.conditions).order_by(Device.id)
                    if position:
                        statement = statement.where(Device.id > _id_type(position))
                    rows = db.session.execute(statement.limit(self.settings.batch_size)).all()
                    if not rows:
                        exhausted = True
                        break
                    position = str(rows[-1].id)
                    ids = [row.id for row in rows]
                    in_flight.append(
                        (pool.submit(send, _items(campaign, rows), ids, self.settings), position)
                    )
                    batches += 1
                    if self.max_batches is not None and batches >= self.max_batches:
                        stop = "batch_limit"
                if not in_flight:
                    break
                future, cursor = in_flight.popleft()
                outcome = future.result()
                # Committed in reading order: the cursor only ever moves past finished batches.
                self._apply(outcome, cursor)
                if outcome.unavailable:
                    stop = stop or "fcm_unavailable"
                stop = stop or self._should_stop()
        if stop:
            return stop
        if self._has_retries():
            return "retry_later"
        return None


def _take_lease(campaign_id: uuid.UUID, owner: str) -> bool:
    """The campaign's sending lease for this runner, if nobody holds a live one (committed)."""
    wall = utcnow()  # the real time, also in tests: a lease is about processes, not the plan
    taken = db.session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            Campaign.status == SENDING,
            or_(Campaign.lease_until.is_(None), Campaign.lease_until < wall),
        )
        .values(lease_owner=owner, lease_until=wall + timedelta(seconds=LEASE_SECONDS))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def _release_lease(campaign_id: uuid.UUID, owner: str) -> None:
    db.session.rollback()  # whatever a failed run left half-done
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _claim_due(now: datetime) -> None:
    """scheduled -> sending for every due campaign (one UPDATE per campaign, so a second
    scheduler would find nothing to claim) and count what it targets."""
    due = db.session.scalars(
        select(Campaign.id)
        .where(Campaign.status == SCHEDULED, Campaign.send_at <= now)
        .order_by(Campaign.send_at)
    ).all()
    for campaign_id in due:
        claimed = db.session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == SCHEDULED)
            .values(status=SENDING, started_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        campaign = db.session.get(Campaign, campaign_id)
        db.session.refresh(campaign)
        size = audience_size(campaign.audience, now)
        campaign.targeted_citizens, campaign.targeted_devices = size["citizens"], size["devices"]
        campaign.phase = PHASE_INBOX if campaign.keep_in_inbox else PHASE_PUSH
        db.session.commit()


def run_due_campaigns(
    now: datetime | None = None,
    *,
    time_budget: float | None = None,
    max_batches: int | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """The scheduler job: start due campaigns and carry on with those sending.

    `time_budget` (seconds, default CAMPAIGN_RUN_SECONDS) bounds one run; the next run resumes.
    (The job has its own scheduler worker, so the outbox dispatcher runs meanwhile.) `max_batches`
    stops the push phase after that many batches (tests and operations use it to interrupt a
    send at a known point). `now` is for tests; quiet hours are then judged at `now`.
    """
    settings = _Settings.from_config(budget=time_budget, **overrides)
    moment = now or utcnow()
    deadline = time.monotonic() + settings.budget
    report = RunReport()
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[-64:]
    _claim_due(moment)
    sending = db.session.scalars(
        select(Campaign.id).where(Campaign.status == SENDING).order_by(Campaign.started_at, Campaign.id)
    ).all()
    for campaign_id in sending:
        campaign = db.session.get(Campaign, campaign_id)
        if not campaign.urgent and in_quiet_hours(moment):
            report.paused[str(campaign_id)] = "quiet_hours"
            continue
        if time.monotonic() >= deadline:
            report.paused[str(campaign_id)] = "time_budget"
            continue
        if not _take_lease(campaign_id, owner):
            report.paused[str(campaign_id)] = "leased"  # another runner is sending it
            continue
        try:
            reason = _run_one(campaign, settings, report, now, deadline, owner, max_batches)
        finally:
            _release_lease(campaign_id, owner)
        if reason is not None:
            report.paused[str(campaign_id)] = reason
    return report.as_dict()


def _run_one(campaign, settings, report, now, deadline, owner, max_batches) -> str | None:
    """The phases of one leased campaign; None when it is finished (then marked sent)."""
    report.campaigns += 1
    run = _Run(campaign, settings, report, now, deadline, owner)
    run.max_batches = max_batches
    reason = None
    if campaign.phase == PHASE_INBOX:
        started = time.monotonic()
        reason = run.inbox()
        report.phase_seconds[PHASE_INBOX] += time.monotonic() - started
    if reason is None and campaign.phase == PHASE_PUSH:
        started = time.monotonic()
        reason = run.push()
        report.phase_seconds[PHASE_PUSH] += time.monotonic() - started
    if reason is not None:
        return reason
    finished = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == SENDING, Campaign.lease_owner == owner)
        .values(status=SENT, phase=PHASE_DONE, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if finished:
        record_audit(
            "campaign.sent",
            actor="system:scheduler",
            target=f"campaign:{campaign.id}",
            sent=campaign.sent_count,
            failed=campaign.failed_count,
            inbox=campaign.inbox_delivered,
        )
        report.finished.append(str(campaign.id))
    db.session.commit()
    return None
