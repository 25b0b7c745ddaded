"""The scheduler process: one APScheduler running every domain's periodic jobs.

It registers the jobs and owns none of their logic: each job is a plain function of its domain
(`wallet.service.reconcile`, …) that takes an optional `now` and does its own commits. Jobs are
kept in the database (APScheduler's SQLAlchemy job store, table `scheduler_jobs`), so a restart
keeps their next run times, and run in this one process: two schedulers would settle the same
payment twice as often, not twice as well. Jobs run one at a time on the default worker, except
`campaigns.send`, which has a worker of its own: a campaign sends for minutes at a time and must
not hold back the outbox dispatcher (every 5 s) meanwhile. Start it with
`flask --app api:create_app scheduler run` (the Procfile's `scheduler`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import column, select, table
from sqlalchemy.exc import SQLAlchemyError

from api.extensions import db
from api.workdays import VIETNAM

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_jobs"  # APScheduler's own table, outside the Alembic-managed schema


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    function: str  # "module:function", imported when the job runs
    every_seconds: int
    purpose: str
    executor: str = "default"  # the APScheduler executor (worker) the job runs on


JOBS = (
    ScheduledJob(
        "wallet.reconcile", "wallet.service:reconcile", 60, "settle payments and refunds left pending"
    ),
    ScheduledJob(
        "wallet.expire", "wallet.service:expire_stale", 300, "expire payments unfinished after 90 minutes"
    ),
    ScheduledJob(
        "fines.reminders", "api.fines.service:send_deadline_reminders", 3600, "remind owners of deadlines"
    ),
    ScheduledJob(
        "reports.auto_close",
        "api.reports.service:close_resolved_reports",
        3600,
        "close resolved reports the citizen did not confirm in time",
    ),
    ScheduledJob(
        "benefits.schedule",
        "api.benefits.service:schedule_current_month",
        86400,
        "this month's benefit payments for every active beneficiary, once each",
    ),
    ScheduledJob(
        "notifications.dispatch",
        "notifications.dispatcher:dispatch",
        5,
        "outbox events into inbox messages and pushes, with retries",
    ),
    ScheduledJob(
        "notifications.stale_devices",
        "notifications.service:drop_stale_devices",
        86400,
        "drop push tokens not seen for 30 days; send topic subscriptions FCM has not confirmed",
    ),
    ScheduledJob(
        "notifications.purge",
        "notifications.dispatcher:purge",
        86400,
        "forget settled push deliveries and dispatched outbox events after 30 days",
    ),
    ScheduledJob(
        "idempotency.purge", "api.idempotency:purge_expired", 3600, "forget idempotency keys after 24 h"
    ),
    ScheduledJob(
        "campaigns.send",
        "notifications.campaigns.service:run_due_campaigns",
        30,
        "start due push campaigns and resume those sending (bounded by CAMPAIGN_RUN_SECONDS)",
        executor="campaigns",
    ),
    ScheduledJob(
        "dashboard.periodic_reports",
        "api.dashboard.service:make_periodic_reports",
        3600,
        "last week's and last month's reports for leaders, once each",
    ),
)
JOBS_BY_NAME = {job.name: job for job in JOBS}

# Whether the scheduler runs, as seen from another process (`/ready`, the home page): a running
# scheduler keeps this job's stored next run time seconds ahead (it runs every 5 s); one that
# stopped leaves it in the past.
HEARTBEAT_JOB = "notifications.dispatch"
STALE_AFTER_SECONDS = 60

# The app the jobs run in, set once by `build_scheduler` in this process.
_app: Flask | None = None


def run_job(name: str) -> Any:
    """Run one job in an app context (APScheduler calls this by reference, with the job's name)."""
    job = JOBS_BY_NAME[name]
    module_name, _, function_name = job.function.partition(":")
    function = getattr(import_module(module_name), function_name)
    assert _app is not None, "build_scheduler() sets the app before any job runs"
    with _app.app_context():
        try:
            result = function()
            log.info("job %s: %s", name, result)
            return result
        finally:
            db.session.remove()


def build_scheduler(app: Flask, *, background: bool = False) -> BaseScheduler:
    """The process's scheduler with every job registered (replacing stored definitions)."""
    global _app
    _app = app
    scheduler_class = BackgroundScheduler if background else BlockingScheduler
    scheduler = scheduler_class(
        jobstores={
            "default": SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"], tablename=JOB_TABLE)
        },
        executors={
            "default": ThreadPoolExecutor(max_workers=1),
            # campaigns.send holds its worker for up to CAMPAIGN_RUN_SECONDS: not the default one.
            "campaigns": ThreadPoolExecutor(max_workers=1),
        },
        # A job missed while the process was down runs once when it comes back, not once per miss.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        timezone=VIETNAM,
    )
    for job in JOBS:
        scheduler.add_job(
            run_job,
            "interval",
            seconds=job.every_seconds,
            args=[job.name],
            id=job.name,
            name=job.purpose,
            executor=job.executor,
            replace_existing=True,
        )
    return scheduler


def readiness() -> tuple[str, str]:
    """The scheduler process's state for `/ready`: reported, never making the API unready."""
    try:
        next_run = db.session.scalar(
            select(column("next_run_time")).select_from(table(JOB_TABLE)).where(column("id") == HEARTBEAT_JOB)
        )
    except SQLAlchemyError:  # no job table yet: the scheduler never ran on this database
        db.session.rollback()
        next_run = None
    if next_run is None:
        return "off", "bộ lập lịch chưa chạy lần nào trên cơ sở dữ liệu này"
    late = time.time() - float(next_run)
    if late > STALE_AFTER_SECONDS:
        return "down", (
            f"bộ lập lịch không chạy: việc định kỳ đã trễ {int(late)} giây; thông báo, đối soát "
            "thanh toán và nhắc hạn chờ đến khi nó chạy lại"
        )
    return "ok", "bộ lập lịch đang chạy các việc định kỳ"


scheduler_cli = AppGroup("scheduler", help="The scheduler process: periodic jobs of every domain.")


@scheduler_cli.command("run")
def run_command() -> None:
    """Run the scheduler in the foreground until stopped (the Procfile's `scheduler`)."""
    scheduler = build_scheduler(current_app._get_current_object())
    click.echo("Lịch chạy: " + ", ".join(f"{job.name} mỗi {job.every_seconds} s" for job in JOBS))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


@scheduler_cli.command("run-once")
@click.argument("name", type=click.Choice(sorted(JOBS_BY_NAME)))
def run_once_command(name: str) -> None:
    """Run one job now, in this process (operations, debugging)."""
    global _app
    _app = current_app._get_current_object()
    click.echo(f"{name}: {run_job(name)}")
