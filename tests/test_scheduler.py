"""The scheduler process: every domain's job registered, stored in the database, runnable."""

from __future__ import annotations

import sqlalchemy as sa

from api.scheduler import JOB_TABLE, JOBS, build_scheduler, run_job
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
