"""The provider's webhooks: signed, applied once, in any order; delivered for real by localstripe."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from api.config import DEV_PAYMENT_WEBHOOK_SECRET
from api.extensions import db
from tests.conftest import serving
from tests.wallet.conftest import FEE, SECRET_KEY, THREE_D_SECURE_CARD, count, events, pay
from wallet.models import Payment, ProviderEvent, Receipt
from wallet.webhooks import sign

WEBHOOK_SECRET = "whsec_tests_only"


@pytest.fixture
def awaiting_3ds(client, applicant, fee_due, payments, make_card):
    """A payment whose card asks for 3-D Secure: the webhook will tell how it ended."""
    response = pay(client, applicant["headers"], fee_due, make_card(THREE_D_SECURE_CARD))
    assert response.status_code == 201 and response.json["status"] == "requires_action"
    return response.json


def authenticate(localstripe, app, payment) -> dict:
    """What the citizen does in the bank's 3-D Secure page; returns the intent afterwards."""
    intent_id = _intent_id(app, payment["id"])
    response = httpx.post(
        f"{localstripe.url}/v1/payment_intents/{intent_id}/_authenticate",
        data={"client_secret": payment["client_secret"], "success": "true"},
        auth=(SECRET_KEY, ""),
    )
    response.raise_for_status()
    return response.json()


def _intent_id(app, payment_id) -> str:
    with app.app_context():
        return db.session.get(Payment, uuid.UUID(payment_id)).provider_payment_id


def event_of(intent: dict, event_type: str, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:16]}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": intent},
        }
    ).encode()


def deliver(client, body: bytes, signature: str | None = None, secret: str = DEV_PAYMENT_WEBHOOK_SECRET):
    headers = {"Content-Type": "application/json"}
    headers["Stripe-Signature"] = signature if signature is not None else sign(body, secret)
    return client.post("/payments/webhook", data=body, headers=headers)


def status_of(app, payment_id) -> str:
    with app.app_context():
        return db.session.get(Payment, uuid.UUID(payment_id)).status


def test_localstripe_delivers_a_signed_webhook_that_settles_3d_secure(
    app, make_app, applicant, fee_due, payments, make_card
):
    with serving(
        make_app,
        PAYMENT_API_URL=payments.url,
        PAYMENT_SECRET_KEY=SECRET_KEY,
        PAYMENT_WEBHOOK_SECRET=WEBHOOK_SECRET,
    ) as base_url:
        httpx.post(
            f"{payments.url}/_config/webhooks/congdanso-tests",
            data={"url": f"{base_url}/payments/webhook", "secret": WEBHOOK_SECRET},
        ).raise_for_status()
        body = {
            "purpose": "dossier_fee",
            "reference": fee_due,
            "amount_vnd": FEE,
            "payment_method": make_card(THREE_D_SECURE_CARD),
        }
        started = httpx.post(
            f"{base_url}/me/payments", json=body, headers={**applicant["headers"], "Idempotency-Key": "3ds"}
        ).json()
        assert started["status"] == "requires_action"

        authenticate(payments, app, started)
        deadline = time.monotonic() + 15
        while status_of(app, started["id"]) != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.2)
    assert status_of(app, started["id"]) == "succeeded"
    with app.app_context():
        handled = db.session.scalars(
            select(ProviderEvent.event_type).where(ProviderEvent.outcome == "applied")
        ).all()
    assert "payment_intent.succeeded" in handled
    assert count(app, Receipt) == 1


def test_a_verified_event_settles_the_payment_once(app, client, awaiting_3ds, payments):
    intent = authenticate(payments, app, awaiting_3ds)
    body = event_of(intent, "payment_intent.succeeded", "evt_settles_once")

    first, replayed = deliver(client, body), deliver(client, body)

    assert first.status_code == 200 and first.json == {"received": True, "outcome": "applied"}
    assert replayed.status_code == 200 and replayed.json["outcome"] == "duplicate"
    assert status_of(app, awaiting_3ds["id"]) == "succeeded"
    assert count(app, Receipt) == 1 and len(events(app, "payment.succeeded")) == 1
    assert count(app, ProviderEvent) == 1


def test_events_out_of_order_never_take_a_payment_back(app, client, awaiting_3ds, payments):
    intent = authenticate(payments, app, awaiting_3ds)
    older = {**intent, "status": "processing"}  # sent earlier by the provider, delivered later
    assert deliver(client, event_of(intent, "payment_intent.succeeded")).json["outcome"] == "applied"
    assert deliver(client, event_of(older, "payment_intent.processing")).json["outcome"] == "applied"
    assert status_of(app, awaiting_3ds["id"]) == "succeeded"
    assert count(app, Receipt) == 1


def test_a_failed_authentication_fails_the_payment(app, client, applicant, awaiting_3ds, payments):
    intent_id = _intent_id(app, awaiting_3ds["id"])
    httpx.post(
        f"{payments.url}/v1/payment_intents/{intent_id}/_authenticate",
        data={"client_secret": awaiting_3ds["client_secret"], "success": "false"},
        auth=(SECRET_KEY, ""),
    )
    intent = httpx.get(f"{payments.url}/v1/payment_intents/{intent_id}", auth=(SECRET_KEY, "")).json()
    assert deliver(client, event_of(intent, "payment_intent.payment_failed")).status_code == 200
    failed = client.get(f"/me/payments/{awaiting_3ds['id']}", headers=applicant["headers"]).json
    assert failed["status"] == "failed" and failed["failure_code"] == "payment_intent_authentication_failure"


@pytest.mark.parametrize(
    "signature, code",
    [
        ("", "webhook_signature_missing"),
        ("t=abc,v1=00", "webhook_signature_invalid"),
        ("v1=deadbeef", "webhook_signature_invalid"),
        (None, "webhook_signature_invalid"),  # signed with another secret
        ("expired", "webhook_signature_expired"),
    ],
)
def test_unsigned_forged_or_stale_webhooks_change_nothing(
    app, client, awaiting_3ds, payments, signature, code
):
    intent = authenticate(payments, app, awaiting_3ds)
    body = event_of(intent, "payment_intent.succeeded")
    if signature is None:
        signature = sign(body, "whsec_someone_else")
    elif signature == "expired":  # a genuine delivery captured and replayed six minutes later
        signature = sign(body, DEV_PAYMENT_WEBHOOK_SECRET, timestamp=int(time.time()) - 360)
    response = deliver(client, body, signature=signature)
    assert response.status_code == 400 and response.json["code"] == code
    assert response.headers["Content-Type"] == "application/problem+json"
    assert status_of(app, awaiting_3ds["id"]) == "requires_action"
    assert count(app, ProviderEvent) == 0 and count(app, Receipt) == 0


def test_a_tampered_body_fails_its_signature(app, client, awaiting_3ds, payments):
    intent = authenticate(payments, app, awaiting_3ds)
    signed = event_of({**intent, "status": "canceled"}, "payment_intent.canceled", "evt_tampered")
    signature = sign(signed, DEV_PAYMENT_WEBHOOK_SECRET)
    tampered = signed.replace(b'"canceled"', b'"succeeded"')
    response = deliver(client, tampered, signature=signature)
    assert response.status_code == 400 and response.json["code"] == "webhook_signature_invalid"
    assert status_of(app, awaiting_3ds["id"]) == "requires_action"


def test_malformed_and_unrelated_events(client):
    broken = deliver(client, b"{not json")
    assert broken.status_code == 400 and broken.json["code"] == "webhook_payload_invalid"
    shapeless = deliver(client, json.dumps({"id": "evt_1", "type": "x"}).encode())
    assert shapeless.status_code == 400 and shapeless.json["code"] == "webhook_payload_invalid"
    unknown = deliver(client, event_of({"id": "pi_nobody", "metadata": {}}, "payment_intent.succeeded"))
    assert unknown.status_code == 200 and unknown.json["outcome"] == "ignored"
    other = deliver(client, event_of({"id": "cus_1"}, "customer.created"))
    assert other.status_code == 200 and other.json["outcome"] == "ignored"
