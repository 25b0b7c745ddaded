"""Settling payments: paid, failed with a reason, returned; the wallet payout follows; the citizen
hears about it through the outbox; illegal moves change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from tests.benefits.conftest import (
    assert_problem,
    events,
    link_account,
    pay,
    payments_of,
    payout,
    schedule,
    settle,
    snapshot,
)

PERIOD = "2026-06"


@pytest.fixture
def sent_cash(app, client, officer, programme, enrol, person):
    """The person's June payment, sent to the post office (cash)."""
    enrol(person["cccd"], channel="cash")
    schedule(client, officer, PERIOD)
    pay(client, officer, PERIOD)
    return payments_of(app, person["id"])[0]


@pytest.fixture
def sent_cashless(app, client, officer, programme, enrol, person, payments, card):
    """The person's June payment, sent to their linked e-payment account."""
    link_account(client, person["headers"], card)
    enrol(person["cccd"])
    schedule(client, officer, PERIOD)
    pay(client, officer, PERIOD)
    payment = payments_of(app, person["id"])[0]
    assert payment.channel == "e_wallet"
    return payment


def test_a_cash_payment_is_paid_and_the_citizen_told(app, client, officer, person, sent_cash):
    response = settle(client, officer, sent_cash.id, "paid", paid_at="2026-06-10T09:30:00")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "paid" and response.json["status_name"] == "Đã chi trả"
    assert response.json["paid_at"] == "2026-06-10T09:30:00+07:00"  # no offset: Vietnam's time
    assert response.json["settled_by"].startswith("staff:")
    [event] = events(app)
    assert event.event_type == "benefit.payment_paid" and event.recipient == person["id"]
    assert event.payload["amount_vnd"] == 500_000 and event.payload["amount"] == "500.000 đồng"
    assert event.payload["period"] == PERIOD and event.payload["channel"] == "cash"
    assert event.payload["programme"] == "Trợ cấp xã hội hằng tháng"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "benefit.payment_settle"))
        assert entry.target == f"benefit_payment:{sent_cash.id}" and entry.detail["status"] == "paid"


def test_a_paid_payment_can_come_back(app, client, officer, person, sent_cash):
    settle(client, officer, sent_cash.id, "paid")
    returned = settle(client, officer, sent_cash.id, "returned", reason="Quá hạn nhận tiền mặt tại bưu điện")
    assert returned.status_code == 200, returned.json
    assert returned.json["status"] == "returned"
    assert returned.json["failure_reason"] == "Quá hạn nhận tiền mặt tại bưu điện"
    assert [e.event_type for e in events(app)] == ["benefit.payment_paid", "benefit.payment_returned"]
    assert events(app)[1].payload["reason"] == "Quá hạn nhận tiền mặt tại bưu điện"


def test_a_cashless_payment_settles_its_wallet_payout(app, client, officer, person, sent_cashless):
    response = settle(client, officer, sent_cashless.id, "paid")
    assert response.status_code == 200, response.json
    assert response.json["cashless"] is True
    assert response.json["payout_id"] == str(sent_cashless.payout_id)
    assert payout(app, sent_cashless.payout_id).status == "paid"
    assert [e.event_type for e in events(app)] == ["benefit.payment_paid"]

    settle(client, officer, sent_cashless.id, "returned", reason="Tài khoản nhận đã bị khoá")
    returned = payout(app, sent_cashless.payout_id)
    assert (returned.status, returned.failure_message) == ("returned", "Tài khoản nhận đã bị khoá")
    shown = client.get("/me/payouts", headers=person["headers"]).json
    assert [p["status"] for p in shown] == ["returned"]


def test_a_failed_cashless_payment_fails_its_payout(app, client, officer, person, sent_cashless):
    response = settle(client, officer, sent_cashless.id, "failed", reason="Ví điện tử từ chối giao dịch")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "failed"
    failed = payout(app, sent_cashless.payout_id)
    assert (failed.status, failed.failure_message) == ("failed", "Ví điện tử từ chối giao dịch")
    [event] = events(app)
    assert event.event_type == "benefit.payment_failed" and event.recipient == person["id"]
    assert event.payload["reason"] == "Ví điện tử từ chối giao dịch"


@pytest.mark.parametrize(
    ("first", "then", "code"),
    [
        ("paid", "paid", "payment_already_settled"),
        ("failed", "failed", "payment_already_settled"),
        ("failed", "paid", "illegal_status_change"),
        ("failed", "returned", "illegal_status_change"),
        (None, "returned", "illegal_status_change"),
    ],
)
def test_settling_twice_or_illegally_is_a_conflict(app, client, officer, sent_cash, first, then, code):
    if first:
        assert (
            settle(client, officer, sent_cash.id, first, reason="Sai thông tin người nhận").status_code == 200
        )
    before = snapshot(app)
    assert_problem(settle(client, officer, sent_cash.id, then, reason="Lần hai"), 409, code)
    assert snapshot(app) == before


def test_a_payment_not_yet_sent_cannot_be_settled(app, client, officer, programme, enrol, person):
    enrol(person["cccd"])
    schedule(client, officer, PERIOD)
    [payment] = payments_of(app)
    before = snapshot(app)
    assert_problem(settle(client, officer, payment.id, "paid"), 409, "payment_not_sent")
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"status": "failed"}, "reason_required"),
        ({"status": "returned", "reason": "   "}, "reason_required"),
        ({"status": "scheduled"}, "validation_failed"),
        ({"status": "lost"}, "validation_failed"),
        ({}, "validation_failed"),
        ({"status": "paid", "amount_vnd": 1}, "validation_failed"),
        ({"status": "paid", "paid_at": "2099-01-01T00:00:00+07:00"}, "validation_failed"),
        ({"status": "failed", "reason": "x", "paid_at": "2026-06-10T09:00:00+07:00"}, "validation_failed"),
    ],
)
def test_a_bad_settlement_changes_nothing(app, client, officer, sent_cash, body, code):
    before = snapshot(app)
    response = client.post(f"/staff/benefits/payments/{sent_cash.id}/settle", headers=officer, json=body)
    assert_problem(response, 422, code)
    assert snapshot(app) == before


def test_an_unknown_payment_is_404(client, officer):
    response = settle(client, officer, "8d0d3c2e-8f38-4c39-9a52-6b1d8c3b0f11", "paid")
    assert_problem(response, 404, "benefit_payment_not_found")
