"""The scheduler process runs `campaigns.send` on a worker of its own: while a campaign holds
its worker, the outbox dispatcher still runs. The real APScheduler (api/scheduler.py), with the
two jobs' functions replaced by ones that report when they run."""

from __future__ import annotations

import threading
from datetime import datetime

from api.scheduler import JOBS_BY_NAME, build_scheduler
from api.workdays import VIETNAM


def test_the_dispatcher_runs_while_a_campaign_is_sending(app, monkeypatch):
    sending, release, dispatched = threading.Event(), threading.Event(), threading.Event()

    def campaign_that_sends_for_minutes():
        sending.set()
        release.wait(60)  # holds its worker, as a 240 s run does
        return {}

    def dispatch():
        dispatched.set()

    monkeypatch.setattr("notifications.campaigns.service.run_due_campaigns", campaign_that_sends_for_minutes)
    monkeypatch.setattr("notifications.dispatcher.dispatch", dispatch)
    scheduler = build_scheduler(app, background=True)
    for job in scheduler.get_jobs():
        if job.id not in ("campaigns.send", "notifications.dispatch"):
            scheduler.remove_job(job.id)
    scheduler.start()
    try:
        scheduler.modify_job("campaigns.send", next_run_time=datetime.now(VIETNAM))
        assert sending.wait(30), "the campaign job did not start"
        scheduler.modify_job("notifications.dispatch", next_run_time=datetime.now(VIETNAM))
        # With one worker for every job this waits for the campaign run to end: it never ends
        # here before `release`, so the dispatcher would not run.
        assert dispatched.wait(30), "the outbox dispatcher was held back by the campaign job"
    finally:
        release.set()
        scheduler.shutdown(wait=True)
        for name in list(JOBS_BY_NAME):
            if scheduler.get_job(name):
                scheduler.remove_job(name)
    assert JOBS_BY_NAME["campaigns.send"].executor != JOBS_BY_NAME["notifications.dispatch"].executor
