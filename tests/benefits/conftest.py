"""Fixtures of the benefits tests: officers, beneficiaries, programmes, snapshots of what is stored.

Linking an e-payment account goes through the provider, so the cashless tests use the wallet's
real localstripe (`payments`, `card`) and link the card as the app does (PUT /me/payment-account).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.benefits.models import Beneficiary, BenefitPayment, BenefitProgramme, BenefitSchedule
from api.events import OutboxEvent
from api.extensions import db
from tests.conftest import assert_problem  # noqa: F401 (the package's tests import it from here)
from tests.wallet.conftest import card, localstripe, make_card, payments  # noqa: F401 (fixtures)
from wallet.models import Payout

PROGRAMME = {
    "code": "TCXH",
    "name": "Trợ cấp xã hội hằng tháng",
    "legal_basis": "Nghị định 20/2021/NĐ-CP",
    "monthly_amount_vnd": 500_000,
}


@pytest.fixture
def officer(staff_headers):
    return staff_headers("officer")[0]


@pytest.fixture
def person(citizen):
    """A beneficiary-to-be: the signed-in, level-2 citizen of tests/conftest.py."""
    return citizen


@pytest.fixture
def other_person(other_citizen):
    """A second citizen of the registry."""
    return other_citizen


@pytest.fixture
def programme(client, officer):
    """The monthly social allowance, 500.000 đồng, created by an officer."""
    response = client.post("/staff/benefits/programmes", headers=officer, json=PROGRAMME)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def enrol(client, officer):
    def enrol(cccd: str, programme: str = "TCXH", **extra):
        body = {"cccd": cccd, "programme": programme, "starts_on": "2025-01-01", **extra}
        response = client.post("/staff/benefits/beneficiaries", headers=officer, json=body)
        assert response.status_code == 201, response.json
        return response.json

    return enrol


def schedule(client, headers, period: str):
    return client.post(f"/staff/benefits/periods/{period}/schedule", headers=headers)


def pay(client, headers, period: str):
    return client.post(f"/staff/benefits/periods/{period}/pay", headers=headers)


def settle(client, headers, payment_id, status: str, **extra):
    return client.post(
        f"/staff/benefits/payments/{payment_id}/settle", headers=headers, json={"status": status, **extra}
    )


def link_account(client, headers, card_id: str) -> None:
    response = client.put("/me/payment-account", headers=headers, json={"payment_method": card_id})
    assert response.status_code == 200, response.json


def payments_of(app, citizen_id=None) -> list[BenefitPayment]:
    with app.app_context():
        statement = select(BenefitPayment).order_by(BenefitPayment.period)
        if citizen_id is not None:
            statement = statement.where(BenefitPayment.citizen_id == citizen_id)
        found = list(db.session.scalars(statement))
        db.session.expunge_all()
        return found


def events(app, event_type: str | None = None) -> list[OutboxEvent]:
    with app.app_context():
        statement = select(OutboxEvent).where(OutboxEvent.aggregate_type == "benefit_payment")
        if event_type:
            statement = statement.where(OutboxEvent.event_type == event_type)
        found = list(db.session.scalars(statement.order_by(OutboxEvent.created_at)))
        db.session.expunge_all()
        return found


def payout(app, payout_id) -> Payout:
    with app.app_context():
        found = db.session.get(Payout, payout_id)
        db.session.expunge_all()
        return found


def snapshot(app) -> dict:
    """What a refused request must leave as it was: every benefit row, payouts, events, audit."""
    with app.app_context():

        def count(model, *where):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        state = {
            "programmes": count(BenefitProgramme),
            "beneficiaries": count(Beneficiary),
            "schedules": count(BenefitSchedule),
            "payments": [
                tuple(row)
                for row in db.session.execute(
                    select(
                        BenefitPayment.id,
                        BenefitPayment.status,
                        BenefitPayment.sent_at,
                        BenefitPayment.failure_reason,
                    ).order_by(BenefitPayment.id)
                )
            ],
            "payouts": [tuple(row) for row in db.session.execute(select(Payout.id, Payout.status))],
            "events": count(OutboxEvent),
            "audit": count(AuditEntry, AuditEntry.action.like("benefit.%")),
        }
        db.session.remove()
        return state
