"""Sending campaigns: the scheduler's `campaigns.send` job (`run_due_campaigns`).

A due campaign is claimed (scheduled -> sending), its audience counted, then two phases walk the
audience in primary-key order, keyset-paginated, so memory stays the same for a thousand
citizens or a million:

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
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.citizens import service as citizens
from api.dbtypes import new_uuid, utcnow
from api.extensions import db
from api.unit_of_work import checkpoint, rollback
from notifications import fcm
from notifications.campaigns import audience as campaign_audience
from notifications.campaigns.audience import cursor_id, device_query, registry_audience, today_in_vietnam
from notifications.campaigns.models import (
    PHASE_DONE,
    PHASE_INBOX,
    PHASE_PUSH,
    SENDING,
    Campaign,
    CampaignRetry,
)
from notifications.campaigns.workflow import MACHINE, in_quiet_hours
from notifications.models import Device, InboxMessage

log = logging.getLogger(__name__)

INBOX_CATEGORY = "campaign"
# A runner renews its lease after every batch; one batch (3 attempts of 10 s requests with
# backoff) takes well under this, so only a dead runner's lease runs out.
LEASE_SECONDS = 300


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
        self.audience = registry_audience(campaign.audience, today_in_vietnam(campaign.started_at))
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
        checkpoint(
            "the renewed lease is durable at once: a cancel from the console never waits on this runner"
        )
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
            after = cursor_id(campaign.inbox_cursor) if campaign.inbox_cursor else None
            ids = citizens.audience_citizen_ids_after(self.audience, after, self.settings.inbox_batch_size)
            if not ids:
                campaign.phase = PHASE_PUSH
                checkpoint("the inbox phase is done: a resumed run goes straight to the push phase")
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
                # nothing of this batch is kept (all before it is checkpointed, so only the batch
                # is rolled back); the next run continues from the stored cursor.
                rollback()
                log.error("campaign %s: inbox messages already written by another runner", self.id)
                return "concurrent_run"
            # Same transaction as the messages: a crash loses both or keeps both.
            campaign.inbox_cursor = str(ids[-1])
            campaign.inbox_delivered = (campaign.inbox_delivered or 0) + len(ids)
            checkpoint("an inbox batch is durable with its cursor: a crash keeps both or neither")
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
        checkpoint(
            "a push batch's outcome and the cursor past it are durable: a resumed run never resends it"
        )
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
                    statement = device_query(self.audience).order_by(Device.id)
                    if position:
                        statement = statement.where(Device.id > cursor_id(position))
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
    checkpoint("the lease is taken durably before sending: another runner sees it and stays away")
    return taken == 1


def _release_lease(campaign_id: uuid.UUID, owner: str) -> None:
    """Not committed: with the campaign's last batch (or its `sent` mark) by the next checkpoint
    or the job's transaction; after a failed run, by the caller's checkpoint."""
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def _claim_due(now: datetime) -> None:
    """scheduled -> sending for every due campaign (one UPDATE per campaign, so a second
    scheduler would find nothing to claim) and count what it targets."""
    due = db.session.scalars(
        select(Campaign.id)
        .where(MACHINE.from_condition(Campaign.status, "start"), Campaign.send_at <= now)
        .order_by(Campaign.send_at)
    ).all()
    for campaign_id in due:
        claimed = db.session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, MACHINE.from_condition(Campaign.status, "start"))
            .values(status=MACHINE["start"].to_status, started_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue  # another scheduler claimed it first
        campaign = db.session.get(Campaign, campaign_id)
        db.session.refresh(campaign)
        size = campaign_audience.audience_size(campaign.audience, now)
        campaign.targeted_citizens, campaign.targeted_devices = size["citizens"], size["devices"]
        campaign.phase = PHASE_INBOX if campaign.keep_in_inbox else PHASE_PUSH
        checkpoint("each claim is durable on its own: a failure counting the next audience does not undo it")


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
        except BaseException:
            rollback()  # whatever the failed run left half-done (every finished batch is durable)
            _release_lease(campaign_id, owner)
            checkpoint("a failed run's lease is released at once: the next run need not wait for it")
            raise
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
        .where(
            Campaign.id == campaign.id,
            MACHINE.from_condition(Campaign.status, "finish"),
            Campaign.lease_owner == owner,
        )
        .values(status=MACHINE["finish"].to_status, phase=PHASE_DONE, finished_at=utcnow())
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
    return None
