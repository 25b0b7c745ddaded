"""The outbox: events commit and roll back with the change that caused them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Blueprint
from sqlalchemy import func, select

from api.citizens.models import Citizen
from api.dbtypes import utcnow
from api.events import OutboxEvent, mark_dispatched, mark_failed, pending_events, record_event
from api.extensions import db
from api.policy import PUBLIC, allow


def _event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEvent))


def _change_phone_and_record(citizen_id: uuid.UUID, phone: str) -> OutboxEvent:
    """What a domain service does: change state and announce it, without committing."""
    citizen = db.session.get(Citizen, citizen_id)
    citizen.phone = phone
    return record_event(
        "citizen.phone_changed",
        aggregate_type="citizen",
        aggregate_id=citizen.id,
        payload={"phone_last_digits": phone[-3:]},
        recipient=citizen.id,
    )


def test_change_and_event_commit_together(app, make_citizen):
    person = make_citizen(phone="0912345678")
    with app.app_context():
        event = _change_phone_and_record(person["id"], "0987654321")
        event_id = event.id
        db.session.commit()
        db.session.remove()

    with app.app_context():
        assert db.session.get(Citizen, person["id"]).phone == "0987654321"
        stored = db.session.get(OutboxEvent, event_id)
        assert stored.event_type == "citizen.phone_changed"
        assert stored.aggregate_type == "citizen"
        assert stored.aggregate_id == str(person["id"])
        assert stored.payload == {"phone_last_digits": "321"}
        assert stored.recipient == person["id"]
        assert stored.dispatched_at is None
        assert stored.attempts == 0
        assert stored.last_error is None
        assert stored.available_at <= utcnow()


def test_rolled_back_change_leaves_no_event(app, make_citizen):
    person = make_citizen(phone="0912345678")
    with app.app_context():
        with pytest.raises(RuntimeError):
            try:
                _change_phone_and_record(person["id"], "0987654321")
                db.session.flush()  # both rows really reached the database before the failure
                assert _event_count() == 1
                raise RuntimeError("the payment provider refused")
            except RuntimeError:
                db.session.rollback()
                raise
        db.session.remove()

    with app.app_context():
        assert db.session.get(Citizen, person["id"]).phone == "0912345678"
        assert _event_count() == 0


def test_failed_request_leaves_neither_change_nor_event(make_app, make_citizen):
    """A view that changes state, records an event and then fails: the 500 discards both."""
    app = make_app()
    extra = Blueprint("failing_change", __name__)
    person = make_citizen(phone="0912345678")

    @extra.post("/test-only/change-then-fail")
    @allow(PUBLIC)
    def change_then_fail():
        _change_phone_and_record(person["id"], "0987654321")
        db.session.flush()
        raise RuntimeError("boom after the change")

    app.register_blueprint(extra)
    response = app.test_client().post("/test-only/change-then-fail")
    assert response.status_code == 500

    with app.app_context():
        assert db.session.get(Citizen, person["id"]).phone == "0912345678"
        assert _event_count() == 0
        db.session.remove()


@pytest.mark.parametrize(
    "payload",
    [
        {"at": utcnow()},
        {"amount": Decimal("10000")},
        {"id": uuid.uuid4()},
        {"ratio": float("nan")},
        ["not", "an", "object"],
        "text",
    ],
    ids=["datetime", "decimal", "uuid", "nan", "list", "string"],
)
def test_non_json_payload_is_refused_at_write_time(app_context, payload):
    with pytest.raises(TypeError):
        record_event("citizen.updated", aggregate_type="citizen", aggregate_id="x", payload=payload)
    assert not any(isinstance(obj, OutboxEvent) for obj in db.session.new)


def test_payload_reads_back_as_written(app_context):
    event = record_event(
        "dossier.status_changed",
        aggregate_type="dossier",
        aggregate_id="HS-2025-000123",
        payload={"from": "in_review", "to": "approved", "steps": ("a", "b"), "tên": "Khai sinh"},
    )
    db.session.commit()
    assert event.payload["steps"] == ["a", "b"]  # the in-memory value is what JSON stores
    db.session.expire_all()
    assert db.session.get(OutboxEvent, event.id).payload["tên"] == "Khai sinh"


@pytest.mark.parametrize("event_type", ["", "statuschanged", "Dossier.Changed", "dossier."])
def test_malformed_event_type_is_refused(app_context, event_type):
    with pytest.raises(ValueError):
        record_event(event_type, aggregate_type="dossier", aggregate_id="1", payload={})


def test_record_event_does_not_commit(app, app_context):
    record_event("dossier.created", aggregate_type="dossier", aggregate_id="HS-1", payload={})
    db.session.rollback()
    assert _event_count() == 0


def _record(name: str, created_offset_s: int, **kwargs) -> uuid.UUID:
    event = record_event(name, aggregate_type="dossier", aggregate_id=name, payload={}, **kwargs)
    event.created_at = utcnow() + timedelta(seconds=created_offset_s)
    return event.id


def test_pending_events_oldest_first_and_only_due(app_context):
    now = utcnow()
    second = _record("dossier.second", -10)
    first = _record("dossier.first", -20)
    later = _record("dossier.later", -30, available_at=now + timedelta(hours=1))
    done = _record("dossier.done", -40)
    db.session.commit()
    mark_dispatched(done)
    db.session.commit()

    pending = [event.id for event in pending_events(limit=10)]
    assert pending == [first, second]  # oldest first; not yet due and dispatched ones left out
    assert later not in pending
    assert [event.id for event in pending_events(limit=1)] == [first]


def test_mark_dispatched_removes_from_pending_and_is_idempotent(app_context):
    event_id = _record("dossier.created", 0)
    db.session.commit()
    event = mark_dispatched(event_id)
    db.session.commit()
    first_time = event.dispatched_at
    assert first_time is not None and event.attempts == 1
    assert pending_events(10) == []

    mark_dispatched(event_id)
    db.session.commit()
    assert db.session.get(OutboxEvent, event_id).dispatched_at == first_time
    assert db.session.get(OutboxEvent, event_id).attempts == 1


def test_mark_failed_delays_the_retry(app_context):
    event_id = _record("dossier.created", 0)
    db.session.commit()
    retry_at = utcnow() + timedelta(minutes=5)
    mark_failed(event_id, "FCM unavailable: " + "x" * 5000, retry_at)
    db.session.commit()

    event = db.session.get(OutboxEvent, event_id)
    assert event.attempts == 1
    assert event.last_error.startswith("FCM unavailable")
    assert len(event.last_error) <= 2000
    assert event.available_at == retry_at
    assert event.dispatched_at is None
    assert pending_events(10) == []  # not before retry_at

    mark_failed(event_id, "still down", utcnow() - timedelta(seconds=1))
    db.session.commit()
    assert [e.id for e in pending_events(10)] == [event_id]
    assert db.session.get(OutboxEvent, event_id).attempts == 2


def test_unknown_event_id_is_an_error(app_context):
    with pytest.raises(LookupError):
        mark_dispatched(uuid.uuid4())
    with pytest.raises(LookupError):
        mark_failed(uuid.uuid4(), "x", utcnow())


@pytest.mark.postgres_only
def test_concurrent_dispatchers_take_different_events(app):
    """Rows handed to one dispatcher stay locked until it commits; another skips them."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks (SKIP LOCKED) exist on PostgreSQL only")
        first = _record("dossier.first", -20)
        second = _record("dossier.second", -10)
        db.session.commit()

        assert [e.id for e in pending_events(limit=1)] == [first]  # dispatcher A holds `first`
        with app.app_context():  # dispatcher B: another app context, another session
            assert [e.id for e in pending_events(limit=10)] == [second]
            db.session.rollback()
        mark_dispatched(first)
        db.session.commit()
        db.session.remove()
