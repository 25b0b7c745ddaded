"""An officer's decision suspends, resumes or ends an enrolment: the citizen is told why, no new
payment is scheduled or sent meanwhile, and an end is final. Paying a period commits payment by
payment, so one that cannot be sent leaves the others sent and is sent by the next run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.benefits import payments, service
from api.events import OutboxEvent
from api.extensions import db
from tests.benefits.conftest import assert_problem, pay, payments_of, schedule, snapshot

PERIOD = "2026-06"
DECISION = "Quyết định số 12/QĐ-UBND: đã có lương hưu"


def change(client, headers, beneficiary_id, **body):
    return client.post(f"/staff/benefits/beneficiaries/{beneficiary_id}/status", headers=headers, json=body)


def status_events(app) -> list[OutboxEvent]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.event_type == service.EVENT_BENEFICIARY_STATUS)
                .order_by(OutboxEvent.created_at)
            )
        )
        db.session.expunge_all()
        return found


def test_a_suspension_stops_scheduling_and_the_citizen_is_told_why(
    app, client, officer, programme, enrol, person
):
    enrolled = enrol(person["cccd"])
    response = change(client, officer, enrolled["id"], status="suspended", reason=DECISION)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "suspended" and response.json["status_name"] == "Tạm dừng hưởng"

    assert schedule(client, officer, PERIOD).json["created"] == 0
    mine = client.get("/me/benefits", headers=person["headers"]).json
    [enrolment] = mine["programmes"]
    assert (enrolment["status_name"], enrolment["status_reason"]) == ("Tạm dừng hưởng", DECISION)

    [event] = status_events(app)
    assert event.recipient == person["id"]
    assert (event.payload["status"], event.payload["reason"]) == ("suspended", DECISION)
    with app.app_context():
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "benefit.beneficiary_status")
        ).one()
        assert audit.target == f"benefit_beneficiary:{enrolled['id']}"


def test_payments_scheduled_before_a_suspension_are_held_until_it_is_lifted(
    app, client, officer, programme, enrol, person
):
    enrolled = enrol(person["cccd"])
    schedule(client, officer, PERIOD)
    change(client, officer, enrolled["id"], status="suspended", reason=DECISION)
    held = pay(client, officer, PERIOD).json
    assert (held["sent"], held["held"]) == (0, 1)

    resumed = change(
        client, officer, enrolled["id"], status="active", reason="Quyết định số 15/QĐ-UBND hưởng lại"
    )
    assert resumed.status_code == 200, resumed.json
    assert pay(client, officer, PERIOD).json["sent"] == 1
    assert payments_of(app)[0].sent_at is not None


def test_an_end_is_final_and_records_the_last_day(app, client, officer, programme, enrol, person):
    enrolled = enrol(person["cccd"])
    ended = change(client, officer, enrolled["id"], status="ended", reason=DECISION, ends_on="2026-05-31")
    assert ended.status_code == 200, ended.json
    assert (ended.json["status"], ended.json["ends_on"]) == ("ended", "2026-05-31")
    before = snapshot(app)
    for status in ("active", "suspended", "ended"):
        body = assert_problem(
            change(client, officer, enrolled["id"], status=status, reason=DECISION),
            409,
            "illegal_status_change",
        )
        assert "Thôi hưởng" in body["detail"]
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"status": "suspended"}, "validation_failed"),
        ({"status": "suspended", "reason": "vì sao"}, "reason_required"),
        ({"status": "suspended", "reason": "   \n  "}, "reason_required"),
        ({"status": "paused", "reason": DECISION}, "validation_failed"),
        ({"status": "suspended", "reason": DECISION, "ends_on": "2026-05-31"}, "validation_failed"),
        ({"status": "ended", "reason": DECISION, "ends_on": "2024-12-31"}, "invalid_dates"),
        ({"status": "suspended", "reason": DECISION, "by": "me"}, "validation_failed"),
        ({"status": "suspended", "reason": 12345678901}, "validation_failed"),
    ],
)
def test_bad_decisions_are_refused_and_change_nothing(
    app, client, officer, programme, enrol, person, body, code
):
    enrolled = enrol(person["cccd"])  # starts 2025-01-01
    before = snapshot(app)
    assert_problem(change(client, officer, enrolled["id"], **body), 422, code)
    assert snapshot(app) == before


def test_an_unknown_beneficiary_is_404(client, officer, programme):
    response = change(
        client, officer, "8d0d3c2e-8f38-4c39-9a52-6b1d8c3b0f11", status="suspended", reason=DECISION
    )
    assert_problem(response, 404, "beneficiary_not_found")


def test_a_payment_that_cannot_be_sent_leaves_the_others_sent(
    app, client, officer, programme, enrol, citizen_headers, monkeypatch
):
    people = [citizen_headers()[1] for _ in range(3)]
    for person in people:
        enrol(person["cccd"])
    schedule(client, officer, PERIOD)
    real_send, calls = payments._send, []

    def send_fails_on_the_second(payment, beneficiary):
        calls.append(payment.id)
        if len(calls) == 2:
            raise RuntimeError("the channel's connection dropped")
        return real_send(payment, beneficiary)

    monkeypatch.setattr(payments, "_send", send_fails_on_the_second)
    with app.app_context(), pytest.raises(RuntimeError):
        service.pay_period(PERIOD, actor="staff:test")
    sent = [p for p in payments_of(app) if p.sent_at is not None]
    assert len(sent) == 1 and sent[0].id == calls[0]  # the first stayed sent, the second is not half-sent
    with app.app_context():
        interrupted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "benefit.pay")).one()
        assert interrupted.detail["interrupted"] is True and interrupted.detail["sent"] == 1

    monkeypatch.setattr(payments, "_send", real_send)
    report = pay(client, officer, PERIOD).json
    assert report["sent"] == 2  # the rest, never the first again
    assert all(p.sent_at is not None for p in payments_of(app))
