"""The scheduler process: one APScheduler running every domain's periodic jobs.

It runs the jobs and owns none of their logic: each job is a plain function of its domain
(`wallet.service.reconcile`, …), listed with its period in `api/wiring.py`, that takes an
optional `now` and does its own commits. Jobs are kept in the database (APScheduler's SQLAlchemy job store, table `scheduler_jobs`), so a restart
keeps their next run times, and run in this one process: two schedulers would settle the same
payment twice as often, not twice as well. Jobs run one at a time on the default worker, except
`campaigns.send`, which has a worker of its own: a campaign sends for minutes at a time and must
not hold back the outbox dispatcher (every 5 s) meanwhile. Start it with
`flask --app api:create_app scheduler run` (the Procfile's `scheduler`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from sqlalchemy import column, select, table
from sqlalchemy.exc import SQLAlchemyError

from api.extensions import db
from api.unit_of_work import CommandGroup, transaction
from api.wiring import JOBS, JOBS_BY_NAME
from api.workdays import VIETNAM

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_jobs"  # APScheduler's own table, outside the Alembic-managed schema


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
    function = job.resolve()
    assert _app is not None, "build_scheduler() sets the app before any job runs"
    with _app.app_context():
        try:
            with transaction():  # the job is one unit of work (api/unit_of_work.py)
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


scheduler_cli = CommandGroup("scheduler", help="The scheduler process: periodic jobs of every domain.")


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
