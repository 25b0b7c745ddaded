"""The monthly schedule (once per beneficiary and month) and paying it: cashless through the
wallet when the citizen has linked an e-payment account, otherwise the beneficiary's channel."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from api.audit import AuditEntry
from api.benefits import service
from api.benefits.models import SUSPENDED, Beneficiary
from api.extensions import db
from api.scheduler import build_scheduler, run_job
from tests.benefits.conftest import (
    assert_problem,
    link_account,
    pay,
    payments_of,
    payout,
    schedule,
    snapshot,
)

PERIOD = "2026-06"


def test_the_schedule_is_generated_once_per_beneficiary_and_month(
    app, client, officer, programme, enrol, person, other_person
):
    enrol(person["cccd"], monthly_amount_vnd=750_000)
    first = schedule(client, officer, PERIOD)
    assert first.status_code == 200, first.json
    assert first.json == {
        "period": PERIOD,
        "created": 1,
        "already_scheduled": 0,
        "amount_vnd": 750_000,
        "by_programme": {"TCXH": 1},
    }
    enrol(other_person["cccd"])  # enrolled after the list was made: added by the next run
    second = schedule(client, officer, PERIOD)
    assert second.json["created"] == 1 and second.json["already_scheduled"] == 1
    third = schedule(client, officer, PERIOD)
    assert third.json["created"] == 0 and third.json["already_scheduled"] == 2

    [payment] = payments_of(app, person["id"])
    assert (payment.period, payment.amount_vnd, payment.status) == (PERIOD, 750_000, "scheduled")
    # The 10th of June 2026 is a Wednesday, a working day.
    assert payment.planned_on.isoformat() == "2026-06-10"
    assert len(payments_of(app)) == 2
    with app.app_context():
        assert (
            len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "benefit.schedule")).all())
            == 3
        )


def test_only_beneficiaries_active_in_the_month_are_scheduled(
    app, client, officer, programme, enrol, citizen_headers
):
    people = [citizen_headers()[1] for _ in range(4)]
    enrol(people[0]["cccd"], starts_on="2026-07-01")  # starts the month after
    enrol(people[1]["cccd"], ends_on="2026-05-31")  # ended the month before
    enrol(people[2]["cccd"], ends_on="2026-06-15")  # ends during the month: paid for it
    suspended = enrol(people[3]["cccd"])
    with app.app_context():
        db.session.execute(
            update(Beneficiary).where(Beneficiary.id == uuid.UUID(suspended["id"])).values(status=SUSPENDED)
        )
        db.session.commit()
    assert schedule(client, officer, PERIOD).json["created"] == 1
    assert [p.citizen_id for p in payments_of(app)] == [people[2]["id"]]


def test_a_planned_day_on_a_weekend_moves_to_the_next_working_day(
    app, client, officer, programme, enrol, person
):
    enrol(person["cccd"])
    schedule(client, officer, "2026-10")  # 10 October 2026 is a Saturday
    assert payments_of(app)[0].planned_on.isoformat() == "2026-10-12"


def test_the_scheduler_job_schedules_this_month(app, client, programme, enrol, person):
    enrol(person["cccd"])
    build_scheduler(app, background=True)
    report = run_job("benefits.schedule")
    this_month = str(service.current_period())
    assert report.period == this_month and report.created == 1
    assert run_job("benefits.schedule").created == 0
    assert [p.period for p in payments_of(app)] == [this_month]


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ("2026-13", "invalid_period"),
        ("2026-6", "invalid_period"),
        ("06-2026", "invalid_period"),
        ("1999-12", "invalid_period"),
        ("tháng-6", "invalid_period"),
        ("2099-01", "period_too_far"),
    ],
)
def test_a_malformed_or_far_period_is_refused(app, client, officer, programme, enrol, person, period, code):
    enrol(person["cccd"])
    before = snapshot(app)
    assert_problem(schedule(client, officer, period), 422, code)
    assert_problem(pay(client, officer, period), 422, code)
    assert_problem(client.get(f"/staff/benefits/statistics?period={period}", headers=officer), 422, code)
    assert snapshot(app) == before


def test_next_month_may_be_prepared_but_not_the_one_after(app, client, officer, programme, enrol, person):
    enrol(person["cccd"])
    this_month = service.current_period()
    assert schedule(client, officer, str(this_month.plus(1))).status_code == 200
    assert_problem(schedule(client, officer, str(this_month.plus(2))), 422, "period_too_far")


def test_paying_a_month_without_a_schedule_is_refused(app, client, officer, programme):
    before = snapshot(app)
    assert_problem(pay(client, officer, PERIOD), 409, "schedule_not_generated")
    assert snapshot(app) == before


def test_without_a_linked_account_the_beneficiary_channel_is_used(
    app, client, officer, programme, enrol, person, other_person, citizen_headers
):
    enrol(person["cccd"], channel="cash", channel_detail="Bưu điện Phường Buôn Ma Thuột")
    enrol(other_person["cccd"], channel="telecom_money")
    # Asked for the e-wallet but never linked an account: the post office pays in cash.
    third = citizen_headers()[1]
    enrol(third["cccd"], channel="e_wallet")
    schedule(client, officer, PERIOD)
    response = pay(client, officer, PERIOD)
    assert response.status_code == 200, response.json
    assert response.json == {
        "period": PERIOD,
        "sent": 3,
        "amount_vnd": 1_500_000,
        "by_channel": {"cash": 2, "telecom_money": 1},
        "held": 0,
        "cancelled": 0,
    }
    channels = {p.citizen_id: (p.channel, p.payout_id, p.sent_at is not None) for p in payments_of(app)}
    assert channels == {
        person["id"]: ("cash", None, True),
        other_person["id"]: ("telecom_money", None, True),
        third["id"]: ("cash", None, True),
    }
    again = pay(client, officer, PERIOD)
    assert again.json["sent"] == 0  # nothing is sent twice


def test_a_beneficiary_suspended_after_scheduling_is_held(app, client, officer, programme, enrol, person):
    enrolled = enrol(person["cccd"])
    schedule(client, officer, PERIOD)
    with app.app_context():
        db.session.execute(
            update(Beneficiary).where(Beneficiary.id == uuid.UUID(enrolled["id"])).values(status=SUSPENDED)
        )
        db.session.commit()
    report = pay(client, officer, PERIOD).json
    assert report["sent"] == 0 and report["held"] == 1
    assert payments_of(app)[0].sent_at is None


def test_a_linked_account_is_paid_cashless_through_the_wallet(
    app, client, officer, programme, enrol, person, other_person, payments, card
):
    link_account(client, person["headers"], card)
    enrol(person["cccd"], channel="cash", monthly_amount_vnd=750_000)
    enrol(other_person["cccd"], channel="bank")
    schedule(client, officer, PERIOD)
    report = pay(client, officer, PERIOD).json
    assert report["by_channel"] == {"e_wallet": 1, "bank": 1}

    [paid_to_wallet] = payments_of(app, person["id"])
    assert paid_to_wallet.channel == "e_wallet" and paid_to_wallet.payout_id is not None
    sent = payout(app, paid_to_wallet.payout_id)
    assert sent.purpose == "benefit" and sent.reference == str(paid_to_wallet.id)
    assert sent.amount_vnd == 750_000 and sent.status == "pending" and sent.destination == card
    assert sent.description == "Trợ cấp xã hội hằng tháng tháng 06/2026"
    # The citizen sees it among the money paid to them, in the wallet too.
    payouts = client.get("/me/payouts", headers=person["headers"]).json
    assert [(p["id"], p["amount_vnd"], p["status"]) for p in payouts] == [(str(sent.id), 750_000, "pending")]
    [bank] = payments_of(app, other_person["id"])
    assert bank.channel == "bank" and bank.payout_id is None

    assert pay(client, officer, PERIOD).json["sent"] == 0
    assert len(client.get("/me/payouts", headers=person["headers"]).json) == 1
