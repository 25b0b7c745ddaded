"""An ended enrolment: paid for the months it covered, the months after it cancelled, and a new
decision re-enrols the citizen. A suspension committed while a period is being paid is heeded."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import event, select, update

from api.audit import AuditEntry
from api.benefits import service
from api.benefits.models import SUSPENDED, Beneficiary
from api.extensions import db
from tests.benefits.conftest import assert_problem, pay, payments_of, schedule, settle, snapshot

DECISION = "Quyết định số 12/QĐ-UBND: đã có lương hưu"
SEPTEMBER, OCTOBER, NOVEMBER = "2026-09", "2026-10", "2026-11"


def end(client, headers, beneficiary_id, ends_on):
    return client.post(
        f"/staff/benefits/beneficiaries/{beneficiary_id}/status",
        headers=headers,
        json={"status": "ended", "reason": DECISION, "ends_on": ends_on},
    )


def by_period(app, citizen_id) -> dict:
    return {p.period: p for p in payments_of(app, citizen_id)}


def test_an_ended_beneficiary_is_paid_up_to_the_end_and_the_months_after_are_cancelled(
    app, client, officer, programme, enrol, person
):
    enrolled = enrol(person["cccd"])
    for period in (SEPTEMBER, OCTOBER):
        schedule(client, officer, period)
    assert end(client, officer, enrolled["id"], "2026-09-30").status_code == 200

    september = pay(client, officer, SEPTEMBER).json  # covered by the enrolment: owed, sent
    assert (september["sent"], september["held"], september["cancelled"]) == (1, 0, 0)
    october = pay(client, officer, OCTOBER).json  # after the end: never sent
    assert (october["sent"], october["held"], october["cancelled"]) == (0, 0, 1)
    payments = by_period(app, person["id"])
    assert payments[SEPTEMBER].sent_at is not None
    cancelled = payments[OCTOBER]
    assert (cancelled.status, cancelled.sent_at) == ("cancelled", None)
    assert cancelled.failure_reason.startswith("Đã thôi hưởng từ ngày 01/10/2026 (Quyết định số 12/QĐ-UBND")

    # the citizen sees it, with the reason; so do the statistics
    [latest, _] = client.get("/me/benefits", headers=person["headers"]).json["latest_payments"]
    assert (latest["period"], latest["status"], latest["status_name"]) == (OCTOBER, "cancelled", "Đã huỷ")
    assert latest["failure_reason"] == cancelled.failure_reason
    mine = client.get(f"/me/benefits/payments/{cancelled.id}", headers=person["headers"]).json
    assert mine["status_name"] == "Đã huỷ"
    stats = client.get("/staff/benefits/statistics", headers=officer, query_string={"period": OCTOBER}).json
    assert stats["total"]["cancelled"] == {"count": 1, "amount_vnd": 500_000}
    assert stats["total"]["waiting"] == {"count": 0, "amount_vnd": 0}

    # a cancelled payment is settled by nobody, and paying the month again changes nothing
    before = snapshot(app)
    assert_problem(settle(client, officer, cancelled.id, "paid"), 409, "illegal_status_change")
    assert pay(client, officer, OCTOBER).json["cancelled"] == 0
    after = snapshot(app)
    assert after["payments"] == before["payments"] and after["payouts"] == before["payouts"]
    with app.app_context():
        audits = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "benefit.pay").order_by(AuditEntry.at)
        ).all()
        assert [a.detail["cancelled"] for a in audits] == [0, 1, 0]


def test_an_end_after_today_is_refused(app, client, officer, programme, enrol, person):
    """A later end would make the status "ended" now and leave the months before it unpaid."""
    enrolled = enrol(person["cccd"])
    before = snapshot(app)
    later = (date.today() + timedelta(days=2)).isoformat()
    body = assert_problem(end(client, officer, enrolled["id"], later), 422, "ends_on_in_future")
    assert body["errors"][0]["field"] == "ends_on"
    assert snapshot(app) == before


def test_a_new_decision_re_enrols_an_ended_citizen_and_takes_over_the_unsent_months(
    app, client, officer, programme, enrol, person
):
    enrolled = enrol(person["cccd"])
    for period in (OCTOBER, NOVEMBER):
        schedule(client, officer, period)
    end(client, officer, enrolled["id"], "2026-09-30")
    assert pay(client, officer, OCTOBER).json["cancelled"] == 1

    # the new decision may not overlap the old enrolment
    before = snapshot(app)
    body = {"cccd": person["cccd"], "programme": "TCXH", "starts_on": "2026-09-01"}
    refused = client.post("/staff/benefits/beneficiaries", headers=officer, json=body)
    assert_problem(refused, 422, "invalid_dates")
    assert snapshot(app) == before

    again = client.post(
        "/staff/benefits/beneficiaries",
        headers=officer,
        json={**body, "starts_on": "2026-10-01", "monthly_amount_vnd": 750_000, "channel": "bank"},
    )
    assert again.status_code == 201, again.json
    assert again.json["id"] == enrolled["id"]  # the same enrolment, its history kept
    assert (again.json["status"], again.json["starts_on"], again.json["ends_on"]) == (
        "active",
        "2026-10-01",
        None,
    )
    assert again.json["status_reason"] is None and again.json["monthly_amount_vnd"] == 750_000

    # October (cancelled) and November (still scheduled) are the new decision's months
    payments = by_period(app, person["id"])
    assert {p: (x.status, x.amount_vnd, x.channel, x.failure_reason) for p, x in payments.items()} == {
        OCTOBER: ("scheduled", 750_000, "bank", None),
        NOVEMBER: ("scheduled", 750_000, "bank", None),
    }
    assert pay(client, officer, OCTOBER).json["sent"] == 1
    with app.app_context():
        [audit] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "benefit.re_enrol")).all()
        assert audit.target == f"benefit_beneficiary:{enrolled['id']}"
        assert audit.detail["previous"]["status_reason"] == DECISION
        assert audit.detail["previous"]["ends_on"] == "2026-09-30"
        assert (audit.detail["payments_rescheduled"], audit.detail["payments_cancelled"]) == (2, 0)

    # enrolled again while active (or suspended): 409, as before
    assert_problem(
        client.post("/staff/benefits/beneficiaries", headers=officer, json=body), 409, "already_enrolled"
    )


def test_a_re_enrolment_from_a_later_month_cancels_the_months_between(
    app, client, officer, programme, enrol, person
):
    enrolled = enrol(person["cccd"])
    for period in (OCTOBER, NOVEMBER):
        schedule(client, officer, period)
    end(client, officer, enrolled["id"], "2026-09-30")
    body = {"cccd": person["cccd"], "programme": "TCXH", "starts_on": "2026-12-01"}
    assert client.post("/staff/benefits/beneficiaries", headers=officer, json=body).status_code == 201
    payments = by_period(app, person["id"])
    assert {p: x.status for p, x in payments.items()} == {OCTOBER: "cancelled", NOVEMBER: "cancelled"}
    assert payments[NOVEMBER].failure_reason.startswith("Đã thôi hưởng từ ngày 01/10/2026")
    report = pay(client, officer, OCTOBER).json
    assert (report["sent"], report["cancelled"]) == (0, 0)


def test_a_suspension_committed_just_before_the_claim_is_heeded(
    app, client, officer, programme, enrol, person
):
    """The officer's suspension commits after the payment run looked at the beneficiary but
    before it claimed the payment: the claim itself checks the status, so nothing is sent."""
    enrolled = enrol(person["cccd"])
    schedule(client, officer, OCTOBER)
    suspended: list[str] = []

    def suspend_first(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE benefit_payments SET sent_at") and not suspended:
            suspended.append(statement)
            with db.engine.begin() as other:  # another officer, another connection
                other.execute(
                    update(Beneficiary)
                    .where(Beneficiary.id == uuid.UUID(enrolled["id"]))
                    .values(status=SUSPENDED, status_reason=DECISION)
                )

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", suspend_first)
        try:
            report = service.pay_period(OCTOBER, actor="staff:test")
        finally:
            event.remove(db.engine, "before_cursor_execute", suspend_first)
            db.session.remove()
    assert suspended
    assert (report.sent, report.held) == (0, 1)
    assert payments_of(app, person["id"])[0].sent_at is None
