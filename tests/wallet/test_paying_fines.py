"""Fines end to end: the police issue, the owner confirms and pays online, and gets the receipt (M18)."""

from __future__ import annotations

import pytest

from tests.fines.conftest import issue, owner, police, stranger  # noqa: F401 (fixtures used here)
from tests.wallet.conftest import count, events
from wallet.models import Payment

AMOUNT = 18_000_000  # oto-vuot-den-do in tests.fines.conftest.notice_body


def pay_fine(client, headers, fine_id, card=None, amount=AMOUNT, key=None):
    body = {"purpose": "fine", "reference": fine_id, "amount_vnd": amount}
    if card:
        body["payment_method"] = card
    return client.post(
        "/me/payments", headers={**headers, "Idempotency-Key": key or f"fine-{fine_id}"}, json=body
    )


@pytest.fixture
def confirmed(client, owner, issue):  # noqa: F811
    fine = issue()
    response = client.post(f"/me/fines/{fine['id']}/confirm", headers=owner["headers"])
    assert response.status_code == 200 and response.json["can_pay"], response.json
    return fine


def test_the_owner_confirms_pays_and_gets_the_receipt(app, client, owner, issue, payments, card):  # noqa: F811
    fine = issue()
    unconfirmed = pay_fine(client, owner["headers"], fine["id"], card, key="before-confirming")
    assert unconfirmed.status_code == 409 and unconfirmed.json["code"] == "fine_not_confirmed"

    assert client.post(f"/me/fines/{fine['id']}/confirm", headers=owner["headers"]).status_code == 200
    paid = pay_fine(client, owner["headers"], fine["id"], card)

    assert paid.status_code == 201, paid.json
    assert paid.json["status"] == "succeeded" and paid.json["amount_vnd"] == AMOUNT
    detail = client.get(f"/me/fines/{fine['id']}", headers=owner["headers"]).json
    assert detail["status"] == "paid" and detail["payment_id"] == paid.json["id"]
    assert not detail["can_pay"]
    receipt = client.get(f"/me/payments/{paid.json['id']}/receipt", headers=owner["headers"]).json
    assert receipt["amount_text"] == "18.000.000 đồng" and receipt["purpose"] == "fine"
    assert "47A-123.45" in receipt["description"]
    assert len(events(app, "fine.paid")) == 1 and len(events(app, "payment.succeeded")) == 1

    again = pay_fine(client, owner["headers"], fine["id"], card, key="second-time")
    assert again.status_code == 409 and again.json["code"] == "fine_already_paid"
    assert count(app, Payment) == 1


def test_another_citizens_fine_cannot_be_paid(app, client, stranger, confirmed, payments, card):  # noqa: F811
    response = pay_fine(client, stranger["headers"], confirmed["id"], card)
    assert response.status_code == 404 and response.json["code"] == "fine_not_found"
    assert count(app, Payment) == 0


def test_a_cancelled_fine_cannot_be_paid(app, client, owner, police, confirmed, payments, card):  # noqa: F811
    cancelled = client.post(
        f"/police/fines/{confirmed['id']}/cancel",
        headers=police,
        json={"reason": "Sai biển số do camera đọc nhầm"},
    )
    assert cancelled.status_code == 200, cancelled.json
    response = pay_fine(client, owner["headers"], confirmed["id"], card)
    assert response.status_code == 409 and response.json["code"] == "fine_cancelled"
    assert count(app, Payment) == 0


def test_a_stale_or_malformed_amount_is_refused(app, client, owner, confirmed, payments, card):  # noqa: F811
    stale = pay_fine(client, owner["headers"], confirmed["id"], card, amount=AMOUNT - 1, key="k-stale")
    assert stale.status_code == 409 and stale.json["code"] == "amount_mismatch"
    for amount in (0, -AMOUNT, 18_000_000.5, "18000000"):
        response = pay_fine(client, owner["headers"], confirmed["id"], card, amount=amount, key=f"k-{amount}")
        assert response.status_code == 422 and response.json["errors"][0]["field"] == "amount_vnd"
    assert count(app, Payment) == 0


def test_the_police_cannot_cancel_a_paid_fine(client, owner, police, confirmed, payments, card):  # noqa: F811
    assert pay_fine(client, owner["headers"], confirmed["id"], card).status_code == 201
    response = client.post(f"/police/fines/{confirmed['id']}/cancel", headers=police, json={"reason": "Nhầm"})
    assert response.status_code == 409 and response.json["code"] == "fine_already_paid"
