"""The dispatcher when another run is mid-send, when the credentials file is broken, what a
lock screen shows, and the purge of old deliveries and events. Real firebase-admin against
tests/fcm_server.py; time moved by `now`."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update

from api.dbtypes import utcnow
from api.events import OutboxEvent, record_event
from api.extensions import db
from notifications.dispatcher import SENDING_STALE, purge
from notifications.models import PushDelivery
from tests.notifications.test_dispatcher import _dossier_event, _events, _run, _state


def test_a_run_that_finds_another_sending_changes_nothing_and_sends_everything_later(
    app, fcm, make_citizen, add_device
):
    person = make_citizen()
    phone, tablet = add_device(person["id"], "phone"), add_device(person["id"], "tablet")
    fcm.script(phone, "unavailable")
    _events(app, lambda: _dossier_event(person["id"]))
    _run(app)
    events, _, deliveries, _ = _state(app)
    assert deliveries == {phone: "retry", tablet: "sent"}
    later = events[0].available_at
    # Another dispatcher is pushing the tablet right now (a fresh `sending` row), and the
    # citizen has just added a laptop.
    with app.app_context():
        db.session.execute(
            update(PushDelivery)
            .where(PushDelivery.token == tablet)
            .values(status="sending", updated_at=later - timedelta(seconds=10))
        )
        db.session.commit()
    laptop = add_device(person["id"], "laptop", "web")
    fcm.script(phone, "ok")
    report = _run(app, now=later)
    assert report.deferred == 1 and report.pushed == 0
    events, _, deliveries, _ = _state(app)
    # Nothing claimed behind the other run's back: the retry is still a retry, no laptop row.
    assert deliveries == {phone: "retry", tablet: "sending"}
    assert events[0].available_at == later + SENDING_STALE

    # The other run died: its claim turns `unknown`; the phone and the laptop get their push.
    report = _run(app, now=later + SENDING_STALE)
    events, _, deliveries, _ = _state(app)
    assert deliveries == {phone: "sent", tablet: "unknown", laptop: "sent"}
    assert events[0].dispatched_at is not None
    assert sorted(fcm.delivered_tokens()) == sorted([tablet, phone, laptop])


def test_a_broken_credentials_file_claims_nothing_and_the_event_waits(
    app, client, fcm, make_citizen, add_device, tmp_path
):
    person = make_citizen()
    phone = add_device(person["id"])
    bad = tmp_path / "service-account.json"
    bad.write_text("not json at all")
    app.config["GOOGLE_APPLICATION_CREDENTIALS"] = str(bad)
    try:
        ready = client.get("/ready").json["dependencies"]["push"]
        assert ready["state"] == "down" and "khoá dịch vụ" in ready["detail"]
        assert client.get("/ready").status_code == 200  # push is optional: the API stays ready
        _events(app, lambda: _dossier_event(person["id"]))
        report = _run(app)
        assert report.retrying == 1 and report.delivered == 1
        events, inbox, deliveries, _ = _state(app)
        assert len(inbox) == 1 and deliveries == {}  # inbox delivered, no delivery half-claimed
        assert events[0].dispatched_at is None and "credentials" in events[0].last_error
        retry_at = events[0].available_at
    finally:
        app.config["GOOGLE_APPLICATION_CREDENTIALS"] = ""
    assert client.get("/ready").json["dependencies"]["push"]["state"] == "ok"
    _run(app, now=retry_at)
    events, inbox, deliveries, _ = _state(app)
    assert deliveries == {phone: "sent"} and events[0].dispatched_at is not None and len(inbox) == 1
    assert fcm.delivered_tokens() == [phone]


def test_an_officers_reason_reaches_the_inbox_but_not_the_lock_screen(app, fcm, make_citizen, add_device):
    person = make_citizen()
    add_device(person["id"])
    reason = "Hộ gia đình đã thoát nghèo theo rà soát năm 2025"
    _events(
        app,
        lambda: record_event(
            "benefit.beneficiary_status_changed",
            aggregate_type="benefit",
            aggregate_id="b-1",
            recipient=person["id"],
            payload={"programme": "Trợ cấp xã hội hằng tháng", "status_name": "Thôi hưởng", "reason": reason},
        ),
    )
    _run(app)
    _, [message], _, _ = _state(app)
    assert reason in message.body
    [pushed] = fcm.delivered
    body = pushed["message"]["notification"]["body"]
    assert reason not in body and "Thôi hưởng" in body and "Mở ứng dụng để xem chi tiết." in body


def test_purge_forgets_old_settled_rows_and_keeps_anything_pending(app):
    now = utcnow()
    old, recent = now - timedelta(days=31), now - timedelta(days=2)
    with app.app_context():
        events = {}
        for name, dispatched_at, created_at in (
            ("old_done", old, old),
            ("recent_done", recent, recent),
            ("old_pending", None, old),
        ):
            event = record_event(
                "dossier.status_changed", aggregate_type="dossier", aggregate_id=name, payload={}
            )
            event.created_at, event.dispatched_at = created_at, dispatched_at
            events[name] = event.id
        for status, updated_at in (("sent", old), ("failed", old), ("retry", old), ("sent", recent)):
            db.session.add(
                PushDelivery(
                    event_id=uuid.uuid4(),
                    device_id=uuid.uuid4(),
                    token=f"t-{uuid.uuid4().hex}",
                    status=status,
                    created_at=updated_at,
                    updated_at=updated_at,
                )
            )
        db.session.commit()
        assert purge(now=now) == {"push_deliveries": 2, "outbox_events": 1}
        left = set(db.session.scalars(select(OutboxEvent.aggregate_id)))
        assert left == {"recent_done", "old_pending"}
        statuses = sorted(db.session.scalars(select(PushDelivery.status)))
        assert statuses == ["retry", "sent"]
        db.session.remove()


def test_purge_is_a_scheduler_job():
    from api.scheduler import JOBS_BY_NAME

    job = JOBS_BY_NAME["notifications.purge"]
    assert job.function == "notifications.dispatcher:purge" and job.every_seconds == 86400
