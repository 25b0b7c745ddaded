"""The scheduler process: every domain's job registered, stored in the database, runnable."""

from __future__ import annotations

import time

import sqlalchemy as sa

from api.scheduler import HEARTBEAT_JOB, JOB_TABLE, JOBS, build_scheduler, run_job
from wallet.service import ReconcileReport


def test_every_job_is_stored_in_the_database_job_store(app):
    scheduler = build_scheduler(app, background=True)
    scheduler.start(paused=True)
    try:
        assert {job.id for job in scheduler.get_jobs()} == {job.name for job in JOBS}
    finally:
        scheduler.shutdown(wait=False)
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as connection:
        stored = set(
            connection.execute(sa.select(sa.column("id")).select_from(sa.table(JOB_TABLE))).scalars()
        )
    engine.dispose()
    # A restarted scheduler finds its jobs (and their next run times) where it left them.
    assert stored == {job.name for job in JOBS}


def test_jobs_run_in_an_app_context(app):
    build_scheduler(app, background=True)  # sets the app the jobs run in
    assert isinstance(run_job("wallet.reconcile"), ReconcileReport)
    assert run_job("wallet.expire") == 0
    assert run_job("idempotency.purge") == 0


def _ready_scheduler(client) -> dict:
    return client.get("/ready").json["dependencies"]["scheduler"]


def test_ready_says_whether_the_scheduler_runs(app, client):
    scheduler = build_scheduler(app, background=True)
    scheduler.start(paused=True)  # stores every job with its next run time, seconds ahead
    try:
        running = _ready_scheduler(client)
        assert running["state"] == "ok" and running["required"] is False
    finally:
        scheduler.shutdown(wait=False)

    # Stopped for minutes: its heartbeat job's next run time stays in the past.
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    jobs = sa.table(JOB_TABLE, sa.column("id"), sa.column("next_run_time"))
    try:
        with engine.begin() as connection:
            connection.execute(
                jobs.update().where(jobs.c.id == HEARTBEAT_JOB).values(next_run_time=time.time() - 600)
            )
        stopped = _ready_scheduler(client)
        assert stopped["state"] == "down" and "không chạy" in stopped["detail"]
        assert client.get("/ready").status_code == 200  # reported, never making the API unready

        with engine.begin() as connection:
            connection.execute(jobs.delete())
        assert _ready_scheduler(client)["state"] == "off"
    finally:
        engine.dispose()
