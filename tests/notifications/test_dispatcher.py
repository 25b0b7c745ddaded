"""The outbox dispatcher: events into inbox messages and pushes; retries; restarts.

Pushes go through firebase-admin's real sending code to tests/fcm_server.py (`fcm`). Time is
moved by passing `now` to the dispatcher (the next try's time), never by sleeping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.dbtypes import utcnow
from api.events import OutboxEvent, record_event
from api.extensions import db
from api.scheduler import JOBS_BY_NAME
from api.unit_of_work import transaction
from notifications.dispatcher import SENDING_STALE, dispatch
from notifications.models import Device, InboxMessage, PushDelivery

ROOT = Path(__file__).resolve().parents[2]


def _dossier_event(citizen_id, code="66.24133-251120-0001", to_status=2):
    record_event(
        "dossier.status_changed",
        aggregate_type="dossier",
        aggregate_id=code,
        recipient=citizen_id,
        payload={
            "code": code,
            "procedure_code": "1.001",
            "action": "accept",
            "from_status": 1,
            "to_status": to_status,
            "status_name": "Được tiếp nhận",
            "due_date": "2025-12-01",
            "note": None,
        },
    )


def _fine_event(citizen_id):
    record_event(
        "fine.issued",
        aggregate_type="fine",
        aggregate_id="f-1",
        recipient=citizen_id,
        payload={
            "fine_id": "f-1",
            "notice_number": "QĐ-123",
            "plate": "47A-123.45",
            "violation": "Vượt đèn đỏ",
            "amount_vnd": 4000000,
            "deadline": "2025-12-10",
        },
    )


def _events(app, *makers):
    with app.app_context():
        for make in makers:
            make()
        db.session.commit()


def _run(app, **kwargs):
    with app.app_context():
        try:
            with transaction():  # as the scheduler runs every job
                return dispatch(**kwargs)
        finally:
            db.session.remove()


def _state(app):
    with app.app_context():
        events = list(db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.created_at)))
        inbox = list(db.session.scalars(select(InboxMessage).order_by(InboxMessage.created_at)))
        deliveries = {d.token: d.status for d in db.session.scalars(select(PushDelivery))}
        devices = set(db.session.scalars(select(Device.token)))
        db.session.expunge_all()
        return events, inbox, deliveries, devices


def test_push_off_still_fills_the_inbox_and_dispatches(app, make_citizen, add_device):
    person = make_citizen()
    add_device(person["id"])
    _events(
        app,
        lambda: _dossier_event(person["id"]),
        lambda: record_event(
            "dossier.status_changed", aggregate_type="dossier", aggregate_id="x", payload={}
        ),
        lambda: record_event(
            "weather.changed", aggregate_type="w", aggregate_id="1", payload={}, recipient=person["id"]
        ),
    )
    report = _run(app)
    assert (report.events, report.delivered, report.skipped, report.pushed) == (3, 1, 2, 0)
    events, inbox, deliveries, _ = _state(app)
    assert all(event.dispatched_at is not None for event in events)
    [message] = inbox
    assert message.citizen_id == person["id"] and message.category == "dossier"
    assert message.title == "Hồ sơ 66.24133-251120-0001: Được tiếp nhận"
    assert "Hẹn trả kết quả: 01/12/2025" in message.body
    assert message.deep_link == "congdanso://dossiers/66.24133-251120-0001"
    assert deliveries == {}
    assert _run(app).events == 0  # nothing left


def test_each_device_of_the_recipient_gets_one_push(app, fcm, make_citizen, add_device):
    person, other = make_citizen(), make_citizen()
    phone, tablet = add_device(person["id"], "phone"), add_device(person["id"], "tablet", "ios")
    other_phone = add_device(other["id"], "other")
    _events(app, lambda: _dossier_event(person["id"]))
    report = _run(app)
    assert report.pushed == 2
    assert sorted(fcm.delivered_tokens()) == sorted([phone, tablet])
    assert other_phone not in fcm.delivered_tokens()
    events, inbox, deliveries, _ = _state(app)
    assert events[0].dispatched_at is not None and len(inbox) == 1
    pushed = fcm.delivered[0]["message"]
    assert pushed["notification"]["title"] == inbox[0].title
    assert pushed["data"] == {
        "category": "dossier",
        "deep_link": "congdanso://dossiers/66.24133-251120-0001",
        "inbox_message_id": str(inbox[0].id),
    }
    assert deliveries == {phone: "sent", tablet: "sent"}
    _run(app, now=utcnow() + timedelta(hours=1))
    assert len(fcm.received) == 2  # never again


def test_unregistered_token_is_deleted_and_the_event_completes(app, fcm, make_citizen, add_device):
    person = make_citizen()
    alive, gone, invalid = (add_device(person["id"], x) for x in ("alive", "gone", "invalid"))
    fcm.script(gone, "unregistered")
    fcm.script(invalid, "invalid_token")
    _events(app, lambda: _fine_event(person["id"]))
    report = _run(app)
    assert report.dead_tokens == 2 and report.pushed == 1
    events, inbox, deliveries, devices = _state(app)
    assert devices == {alive}
    assert deliveries == {alive: "sent", gone: "dead", invalid: "dead"}
    assert events[0].dispatched_at is not None
    assert inbox[0].title == "Quyết định xử phạt xe 47A-123.45"
    assert "4.000.000 đồng" in inbox[0].body and "10/12/2025" in inbox[0].body


def test_quota_and_5xx_retry_with_backoff_without_duplicating(app, fcm, make_citizen, add_device):
    person = make_citizen()
    good, throttled = add_device(person["id"], "good"), add_device(person["id"], "throttled")
    fcm.retry_after = 120
    fcm.script(throttled, "quota")
    _events(app, lambda: _dossier_event(person["id"]))
    before = utcnow()
    report = _run(app)
    assert report.retrying == 1 and report.failures == {"QUOTA_EXCEEDED": 1}
    events, inbox, deliveries, _ = _state(app)
    event = events[0]
    assert event.dispatched_at is None and event.attempts == 1 and "QUOTA_EXCEEDED" in event.last_error
    # FCM asked for 120 s: more than the first backoff step (30 s).
    assert event.available_at >= before + timedelta(seconds=120)
    assert len(inbox) == 1 and deliveries == {good: "sent", throttled: "retry"}
    # Not due yet: a run now does nothing.
    assert _run(app).events == 0

    fcm.script(throttled, "internal")  # next try: a 500
    report = _run(app, now=event.available_at)
    events, _, deliveries, _ = _state(app)
    second = events[0]
    assert second.attempts == 2 and second.dispatched_at is None
    # Exponential: the second wait is at least twice the first step.
    assert second.available_at - utcnow() >= timedelta(seconds=55)

    fcm.script(throttled, "ok")
    _run(app, now=second.available_at)
    events, inbox, deliveries, _ = _state(app)
    assert events[0].dispatched_at is not None
    assert len(inbox) == 1  # the inbox message was not duplicated by the retries
    assert deliveries == {good: "sent", throttled: "sent"}
    assert fcm.delivered_tokens().count(good) == 1  # the good device was never pushed again
    assert fcm.delivered_tokens().count(throttled) == 1


def test_fcm_down_keeps_the_event_pending_and_the_inbox_delivered(app, fcm, make_citizen, add_device):
    person = make_citizen()
    phone = add_device(person["id"])
    fcm.down()
    _events(app, lambda: _dossier_event(person["id"]))
    report = _run(app)
    assert report.failures == {"UNAVAILABLE": 1}
    events, inbox, deliveries, devices = _state(app)
    assert events[0].dispatched_at is None and len(inbox) == 1
    assert deliveries == {phone: "retry"} and devices == {phone}
    fcm.up()  # same port
    _run(app, now=events[0].available_at)
    events, inbox, deliveries, _ = _state(app)
    assert events[0].dispatched_at is not None and len(inbox) == 1
    assert fcm.delivered_tokens() == [phone]


def test_pushes_are_given_up_after_the_last_attempt_but_the_inbox_keeps_the_message(
    app, fcm, make_citizen, add_device
):
    person = make_citizen()
    phone = add_device(person["id"])
    fcm.default = "unavailable"
    app.config["PUSH_MAX_ATTEMPTS"] = 3
    try:
        _events(app, lambda: _dossier_event(person["id"]))
        now = utcnow()
        for _ in range(3):
            now += timedelta(hours=2)
            _run(app, now=now)
    finally:
        app.config["PUSH_MAX_ATTEMPTS"] = 10
    events, inbox, deliveries, _ = _state(app)
    assert events[0].dispatched_at is not None and "gave up after 3 attempts" in events[0].last_error
    assert deliveries == {phone: "failed"} and len(inbox) == 1
    assert fcm.counts["unavailable"] == 3


def test_the_dispatcher_is_a_scheduler_job():
    job = JOBS_BY_NAME["notifications.dispatch"]
    assert job.function == "notifications.dispatcher:dispatch" and job.every_seconds <= 10


def _start_dispatcher(database_url, fcm, tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FCM_ENDPOINT": fcm.url,
        "FCM_PROJECT_ID": fcm.project,
        "PUSH_BATCH_SIZE": "1",  # one push per FCM call: the kill lands between calls
        "CDS_INSTANCE_PATH": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "flask", "--app", "api:create_app"]
    command += ["scheduler", "run-once", "notifications.dispatch"]
    # A fixed command line of our own (the scheduler's run-once), not input.
    return subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _wait_for(condition, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"dispatcher exited early: {process.stdout.read().decode(errors='replace')}")
        time.sleep(0.05)
    pytest.fail("the dispatcher did not reach the held push in time")


def test_a_dispatcher_killed_mid_batch_neither_loses_nor_repeats(
    app, fcm, database_url, make_citizen, add_device, tmp_path
):
    first, second = make_citizen(), make_citizen()
    first_phone, first_tablet = add_device(first["id"], "p1"), add_device(first["id"], "t1")
    second_phone = add_device(second["id"], "p2")
    _events(app, lambda: _dossier_event(first["id"], "66.24133-251120-0001"))
    _events(app, lambda: _fine_event(second["id"]))
    # The second event's push reaches FCM, but the dispatcher dies before hearing the answer.
    fcm.hold(second_phone)
    process = _start_dispatcher(database_url, fcm, tmp_path)
    try:
        _wait_for(lambda: any(m["token"] == second_phone for m in fcm.received), process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        fcm.release()

    events, inbox, deliveries, _ = _state(app)
    assert all(event.dispatched_at is None for event in events)  # killed before settling
    assert len(inbox) == 2
    assert deliveries == {first_phone: "sent", first_tablet: "sent", second_phone: "sending"}

    # Restarted at once: the first event completes without pushing again; the second is left
    # alone while its claim could still belong to a live dispatcher.
    report = _run(app)
    assert report.pushed == 0 and report.deferred == 1
    # Later the claim is stale: its push may have left, so it is not sent again.
    _run(app, now=utcnow() + SENDING_STALE + timedelta(seconds=5))
    events, inbox, deliveries, _ = _state(app)
    assert all(event.dispatched_at is not None for event in events)
    assert len(inbox) == 2  # one message per event, despite three runs
    assert deliveries == {first_phone: "sent", first_tablet: "sent", second_phone: "unknown"}
    received = [m["token"] for m in fcm.received]
    assert sorted(received) == sorted([first_phone, first_tablet, second_phone])  # each exactly once
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InboxMessage)) == 2
