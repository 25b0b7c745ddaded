"""Paying a fine through the wallet: the payable hooks the wallet calls, tested directly.

The wallet asks `resolve(citizen_id, reference)` before charging, and calls
`on_succeeded(reference, payment_id)` inside the transaction that records the payment.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.errors import ApiError
from api.extensions import db
from api.fines.models import FineNotice
from tests.fines.conftest import events
from wallet.payables import payable_kind, purposes


@pytest.fixture
def fine_kind(app):
    return payable_kind("fine")


def _resolve_error(app, fine_kind, citizen_id, reference) -> ApiError:
    with app.app_context():
        with pytest.raises(ApiError) as refused:
            fine_kind.resolve(citizen_id, reference)
        return refused.value


def test_fines_are_a_payable_kind_of_the_wallet(app, fine_kind):
    assert "fine" in purposes()
    assert fine_kind.label == "Nộp phạt vi phạm hành chính"


def test_a_confirmed_fine_resolves_to_its_amount_for_its_owner(app, client, owner, issue, fine_kind):
    issued = issue(plate="47a12345")
    client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    with app.app_context():
        payable = fine_kind.resolve(owner["id"], issued["id"])
    assert payable.purpose == "fine"
    assert payable.reference == issued["id"]
    assert payable.citizen_id == owner["id"]
    assert payable.amount_vnd == 18_000_000 and isinstance(payable.amount_vnd, int)
    assert issued["notice_number"] in payable.description and "47A-123.45" in payable.description


def test_an_unconfirmed_fine_must_be_confirmed_first(app, owner, issue, fine_kind):
    issued = issue()
    error = _resolve_error(app, fine_kind, owner["id"], issued["id"])
    assert (error.status, error.code) == (409, "fine_not_confirmed")
    assert error.detail == "Hãy xác nhận hành vi vi phạm trước khi nộp phạt."


def test_someone_elses_or_an_unknown_fine_is_not_found(app, client, owner, stranger, issue, fine_kind):
    issued = issue()
    client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    for citizen_id, reference in [
        (stranger["id"], issued["id"]),
        (owner["id"], str(uuid.uuid4())),
        (owner["id"], "not-a-uuid"),
        (uuid.uuid4(), issued["id"]),
    ]:
        error = _resolve_error(app, fine_kind, citizen_id, reference)
        assert (error.status, error.code) == (404, "fine_not_found")


def test_paid_and_cancelled_fines_are_not_paid_again(app, client, police, owner, issue, fine_kind):
    paid, cancelled = issue(), issue()
    for fine in (paid, cancelled):
        client.post(f"/me/fines/{fine['id']}/confirm", headers=owner["headers"])
    client.post(f"/police/fines/{cancelled['id']}/cancel", headers=police, json={"reason": "Nhầm"})
    with app.app_context():
        fine_kind.on_succeeded(paid["id"], uuid.uuid4())
        db.session.commit()
    assert _resolve_error(app, fine_kind, owner["id"], paid["id"]).code == "fine_already_paid"
    assert _resolve_error(app, fine_kind, owner["id"], cancelled["id"]).code == "fine_cancelled"


def test_a_succeeded_payment_marks_the_fine_paid_once(app, client, owner, issue, fine_kind):
    issued = issue()
    client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    payment_id = uuid.uuid4()
    with app.app_context():
        fine_kind.on_succeeded(issued["id"], payment_id)
        db.session.commit()
        fine_kind.on_succeeded(issued["id"], payment_id)  # a webhook delivered twice
        db.session.commit()
    mine = client.get(f"/me/fines/{issued['id']}", headers=owner["headers"]).json
    assert (mine["status"], mine["status_name"]) == ("paid", "Đã nộp phạt")
    assert mine["payment_id"] == str(payment_id) and mine["paid_at"]
    assert (mine["can_pay"], mine["payment"], mine["days_left"], mine["overdue"]) == (
        False,
        None,
        None,
        False,
    )
    [event] = events(app, "fine.paid")
    assert str(event.recipient) == str(owner["id"]) and event.payload["payment_id"] == str(payment_id)
    # The public sees it paid too.
    public = client.get("/fines/lookup?plate=47A12345").json["fines"][0]
    assert public["status_name"] == "Đã nộp phạt"


def test_the_hook_never_commits(app, client, owner, issue, fine_kind):
    """The fine becomes paid with the wallet's payment or not at all."""
    issued = issue()
    client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    with app.app_context():
        fine_kind.on_succeeded(issued["id"], uuid.uuid4())
        db.session.rollback()  # the wallet's transaction failed
        assert db.session.get(FineNotice, uuid.UUID(issued["id"])).status == "confirmed"
    assert events(app, "fine.paid") == []


def test_money_for_a_cancelled_fine_is_flagged_for_a_refund(app, client, police, owner, issue, fine_kind):
    issued = issue()
    client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    client.post(f"/police/fines/{issued['id']}/cancel", headers=police, json={"reason": "Nhầm"})
    payment_id = uuid.uuid4()
    with app.app_context():
        fine_kind.on_succeeded(issued["id"], payment_id)
        db.session.commit()
        fine = db.session.get(FineNotice, uuid.UUID(issued["id"]))
        assert fine.status == "cancelled" and fine.payment_id is None
        flagged = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "fine.payment_after_cancellation")
        )
        assert flagged.detail["payment_id"] == str(payment_id)
    assert events(app, "fine.paid") == []


def test_a_second_payment_for_a_paid_fine_is_flagged(app, client, owner, issue, fine_kind):
    issued = issue()
    client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    first, second = uuid.uuid4(), uuid.uuid4()
    with app.app_context():
        fine_kind.on_succeeded(issued["id"], first)
        fine_kind.on_succeeded(issued["id"], second)
        db.session.commit()
        assert db.session.get(FineNotice, uuid.UUID(issued["id"])).payment_id == first
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "fine.payment_duplicate"))
    assert len(events(app, "fine.paid")) == 1
