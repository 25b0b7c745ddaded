"""Deadline reminders: one event per unpaid notice due within two days, and only once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from api.extensions import db
from api.fines import service
from api.unit_of_work import transaction
from api.workdays import VIETNAM
from tests.fines.conftest import events


def _decided(days_ago: int) -> dict:
    """Decided `days_ago` days ago, an hour after the violation."""
    decided = datetime.now(UTC) - timedelta(days=days_ago)
    return {"decided_at": decided.isoformat(), "violated_at": (decided - timedelta(hours=1)).isoformat()}


def test_unpaid_notices_due_soon_are_reminded_once(app, client, police, owner, issue):
    due_in_2 = issue(**_decided(8))
    due_today_confirmed = issue(**_decided(10))
    client.post(f"/me/fines/{due_today_confirmed['id']}/confirm", headers=owner["headers"])
    issue(**_decided(5))  # due in 5 days: not yet
    issue(**_decided(12))  # already overdue: shown as overdue instead
    paid = issue(**_decided(9))
    client.post(f"/me/fines/{paid['id']}/confirm", headers=owner["headers"])
    cancelled = issue(**_decided(9))
    client.post(f"/police/fines/{cancelled['id']}/cancel", headers=police, json={"reason": "Nhầm"})
    with app.app_context():
        service.mark_fine_paid(paid["id"], uuid.uuid4())
        db.session.commit()

        # each run is a job: one unit of work (the scheduler's transaction)
        with transaction():
            assert service.send_deadline_reminders() == 2
        with transaction():
            assert service.send_deadline_reminders() == 0  # idempotent
    reminders = events(app, "fine.deadline_approaching")
    assert {e.aggregate_id for e in reminders} == {due_in_2["id"], due_today_confirmed["id"]}
    days = {e.aggregate_id: e.payload["days_left"] for e in reminders}
    assert days == {due_in_2["id"]: 2, due_today_confirmed["id"]: 0}
    assert all(str(e.recipient) == str(owner["id"]) for e in reminders)


def test_reminders_follow_the_clock_they_are_given(app, issue):
    issued = issue(**_decided(0))
    now = datetime.now(VIETNAM)
    with app.app_context():
        for days, sent in ((7, 0), (8, 1), (9, 0)):
            with transaction():
                assert service.send_deadline_reminders(now + timedelta(days=days)) == sent
    [reminder] = events(app, "fine.deadline_approaching")
    assert reminder.aggregate_id == issued["id"]


def test_the_remind_command(app, issue):
    issue(**_decided(9))
    result = app.test_cli_runner().invoke(args=["fines", "remind"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo 1 nhắc nhở" in result.output
