"""Paying through the API against a real localstripe: a dossier's fee (status 6) is the payable."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from api.dbtypes import utcnow
from api.dossiers.models import Dossier
from api.extensions import db
from api.unit_of_work import transaction
from tests.conftest import serving
from tests.dossiers.test_dossiers import apply, desk
from tests.wallet.conftest import DECLINED_CARD, FEE, SECRET_KEY, THREE_D_SECURE_CARD, count, events, pay
from wallet import service
from wallet.models import Payment, Receipt

# ---- the whole life of a payment ------------------------------------------------------------------


def test_status_6_opens_a_payment_and_paying_it_moves_the_dossier_on(
    app, client, applicant, fee_due, payments, card
):
    waiting = client.get("/me/payments", headers=applicant["headers"]).json
    assert [(p["status"], p["amount_vnd"], p["reference"]) for p in waiting] == [("created", FEE, fee_due)]

    response = pay(client, applicant["headers"], fee_due, card)

    assert response.status_code == 201, response.json
    payment = response.json
    assert payment["id"] == waiting[0]["id"]  # the payment status 6 opened, now paid
    assert (payment["status"], payment["status_label"]) == ("succeeded", "Thanh toán thành công")
    assert payment["receipt_number"].startswith(f"BL-{utcnow().year}-")
    dossier = client.get(f"/me/dossiers/{fee_due}", headers=applicant["headers"]).json
    assert (dossier["status"], dossier["payment_status"]) == (4, 1)
    assert dossier["history"][-1]["action"] == "confirm_payment"

    receipt = client.get(f"/me/payments/{payment['id']}/receipt", headers=applicant["headers"]).json
    assert receipt["number"] == payment["receipt_number"]
    assert receipt["amount_vnd"] == FEE and receipt["amount_text"] == "15.000 đồng"
    assert receipt["payer_name"] == "Nguyễn Thị Hoa" and fee_due in receipt["description"]
    assert [e.recipient for e in events(app, "payment.succeeded")] == [applicant["id"]]

    # The provider agrees: one intent, paid, for the amount.
    intent = httpx.get(
        f"{payments.url}/v1/payment_intents/{_provider_id(app, payment['id'])}", auth=(SECRET_KEY, "")
    ).json()
    assert (intent["status"], intent["amount"], intent["currency"]) == ("succeeded", FEE, "vnd")


def test_receipt_numbers_are_unique_and_consecutive(app, client, applicant, officer, payments, make_card):
    numbers = []
    for _ in range(3):
        code = apply(client, applicant["headers"]).json["code"]
        desk(client, officer, code, "accept")
        desk(client, officer, code, "request_payment", fee_vnd=FEE)
        numbers.append(pay(client, applicant["headers"], code, make_card()).json["receipt_number"])
    sequence = [int(number.rsplit("-", 1)[1]) for number in numbers]
    assert len(set(numbers)) == 3 and sequence == [sequence[0], sequence[0] + 1, sequence[0] + 2]


def test_another_citizens_payment_and_receipt_are_not_found(
    client, citizen_headers, applicant, fee_due, payments, card
):
    paid = pay(client, applicant["headers"], fee_due, card).json
    stranger, _, _ = citizen_headers()
    for path in (f"/me/payments/{paid['id']}", f"/me/payments/{paid['id']}/receipt"):
        response = client.get(path, headers=stranger)
        assert response.status_code == 404 and response.json["code"] == "payment_not_found"
    assert client.get("/me/payments", headers=stranger).json == []
    # Nor can they pay someone else's fee.
    response = pay(client, stranger, fee_due, card)
    assert response.status_code == 404 and response.json["code"] == "dossier_not_found"


def test_a_receipt_before_success_is_refused(client, applicant, fee_due):
    waiting = client.get("/me/payments", headers=applicant["headers"]).json[0]
    response = client.get(f"/me/payments/{waiting['id']}/receipt", headers=applicant["headers"])
    assert response.status_code == 409 and response.json["code"] == "receipt_not_issued"


def test_a_declined_card_fails_and_another_card_then_pays(
    app, client, applicant, fee_due, payments, make_card
):
    declined = pay(client, applicant["headers"], fee_due, make_card(DECLINED_CARD))
    assert declined.status_code == 402, declined.json
    assert declined.json["code"] == "payment_declined" and "từ chối" in declined.json["detail"]
    assert client.get(f"/me/payments/{declined.json['payment_id']}", headers=applicant["headers"]).json[
        "status"
    ] == ("failed")
    assert client.get(f"/me/dossiers/{fee_due}", headers=applicant["headers"]).json["status"] == 6

    retried = pay(client, applicant["headers"], fee_due, make_card())
    assert retried.status_code == 201 and retried.json["status"] == "succeeded"
    assert retried.json["id"] != declined.json["payment_id"]
    assert count(app, Receipt) == 1


def test_paying_twice_is_refused_once_paid(app, client, applicant, fee_due, payments, card):
    assert pay(client, applicant["headers"], fee_due, card).status_code == 201
    again = pay(client, applicant["headers"], fee_due, card)
    assert again.status_code == 409 and again.json["code"] == "no_fee_due"
    assert count(app, Payment) == 1


# ---- bad input: a clear problem, nothing written -----------------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"amount_vnd": 0}, "amount_vnd"),
        ({"amount_vnd": -15000}, "amount_vnd"),
        ({"amount_vnd": 15000.5}, "amount_vnd"),
        ({"amount_vnd": 15000.0}, "amount_vnd"),
        ({"amount_vnd": "15000"}, "amount_vnd"),
        ({"amount_vnd": True}, "amount_vnd"),
        ({"payment_method": "tai-khoan-cua-toi"}, "payment_method"),
        ({"currency": "usd"}, "currency"),
    ],
)
def test_malformed_payments_change_nothing(app, client, applicant, fee_due, change, field):
    body = {"purpose": "dossier_fee", "reference": fee_due, "amount_vnd": FEE, **change}
    response = client.post(
        "/me/payments", headers={**applicant["headers"], "Idempotency-Key": "k1"}, json=body
    )
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json["errors"]}
    assert count(app, Payment, Payment.status != "created") == 0


def test_a_stale_amount_an_unknown_purpose_and_a_missing_key_are_refused(
    app, client, applicant, fee_due, card
):
    stale = pay(client, applicant["headers"], fee_due, card, amount=10_000)
    assert stale.status_code == 409 and stale.json["code"] == "amount_mismatch"
    assert stale.json["amount_due_vnd"] == FEE and "15.000 đồng" in stale.json["detail"]

    unknown = pay(client, applicant["headers"], fee_due, card, purpose="tip")
    assert unknown.status_code == 422 and unknown.json["code"] == "unknown_payment_purpose"

    no_key = client.post(
        "/me/payments",
        headers=applicant["headers"],
        json={"purpose": "dossier_fee", "reference": fee_due, "amount_vnd": FEE},
    )
    assert no_key.status_code == 400 and no_key.json["code"] == "idempotency_key_required"
    assert count(app, Payment) == 1 and count(app, Payment, Payment.status == "created") == 1


def test_paying_needs_a_method_when_no_account_is_linked(client, applicant, fee_due, payments):
    response = pay(client, applicant["headers"], fee_due)
    assert response.status_code == 422 and response.json["code"] == "payment_method_required"


def test_staff_and_anonymous_callers_cannot_pay(client, staff_headers, fee_due, card):
    officer, _ = staff_headers("officer")
    assert pay(client, officer, fee_due, card).status_code == 403
    assert pay(client, {}, fee_due, card).status_code == 401


# ---- idempotency --------------------------------------------------------------------------------------


def test_the_same_key_and_body_replay_the_stored_answer(app, client, applicant, fee_due, payments, card):
    first = pay(client, applicant["headers"], fee_due, card, key="tap-1")
    again = pay(client, applicant["headers"], fee_due, card, key="tap-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]

    reused = pay(client, applicant["headers"], fee_due, card, key="tap-1", amount=FEE + 1)
    assert reused.status_code == 409 and reused.json["code"] == "idempotency_key_reused"
    assert count(app, Payment) == 1 and count(app, Receipt) == 1


def test_a_key_is_forgotten_after_24_hours(app, client, applicant, fee_due, payments, card):
    from api.idempotency import IdempotencyRecord, purge_expired

    assert pay(client, applicant["headers"], fee_due, card, key="yesterday").status_code == 201
    with app.app_context(), transaction():  # as the scheduler runs the job: one unit of work
        assert purge_expired(now=utcnow() + timedelta(hours=23)) == 0
        assert purge_expired(now=utcnow() + timedelta(hours=25)) == 1
    assert count(app, IdempotencyRecord) == 0
    # The same key is now a new request: the fee is paid, so it is refused rather than replayed.
    again = pay(client, applicant["headers"], fee_due, card, key="yesterday")
    assert again.status_code == 409 and "Idempotent-Replayed" not in again.headers


def test_keys_belong_to_their_caller(client, citizen_headers, applicant, fee_due, payments, card):
    """Another citizen's request with the same key is theirs, not a replay of someone's payment."""
    assert pay(client, applicant["headers"], fee_due, card, key="shared").status_code == 201
    stranger, _, _ = citizen_headers()
    response = pay(client, stranger, fee_due, card, key="shared")
    assert response.status_code == 404 and "Idempotent-Replayed" not in response.headers


def test_parallel_identical_requests_make_one_payment(app, make_app, applicant, fee_due, payments, card):
    """Eight copies of one tap, sent at once to a real threaded server: one charge, one answer."""
    before = _intents_of(payments, fee_due)  # localstripe keeps earlier tests' intents
    with serving(make_app, PAYMENT_API_URL=payments.url, PAYMENT_SECRET_KEY=SECRET_KEY) as base_url:
        body = {"purpose": "dossier_fee", "reference": fee_due, "amount_vnd": FEE, "payment_method": card}
        headers = {**applicant["headers"], "Idempotency-Key": "double-tap"}
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(
                    lambda _: httpx.post(f"{base_url}/me/payments", json=body, headers=headers, timeout=60),
                    range(8),
                )
            )
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert count(app, Payment) == 1 and count(app, Receipt) == 1
    assert len(_intents_of(payments, fee_due) - before) == 1


def _intents_of(localstripe, reference) -> set[str]:
    listed = httpx.get(f"{localstripe.url}/v1/payment_intents?limit=1000", auth=(SECRET_KEY, "")).json()[
        "data"
    ]
    return {intent["id"] for intent in listed if intent["metadata"].get("reference") == reference}


def test_parallel_requests_with_different_keys_still_charge_once(
    app, make_app, applicant, fee_due, payments, make_card
):
    cards = [make_card() for _ in range(4)]
    with serving(make_app, PAYMENT_API_URL=payments.url, PAYMENT_SECRET_KEY=SECRET_KEY) as base_url:

        def tap(card_id):
            body = {
                "purpose": "dossier_fee",
                "reference": fee_due,
                "amount_vnd": FEE,
                "payment_method": card_id,
            }
            headers = {**applicant["headers"], "Idempotency-Key": str(uuid.uuid4())}
            return httpx.post(f"{base_url}/me/payments", json=body, headers=headers, timeout=60)

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(tap, cards))
    succeeded = [a for a in answers if a.status_code == 201 and a.json()["status"] == "succeeded"]
    refused = [a for a in answers if a.status_code == 409]
    assert len(succeeded) >= 1 and len(succeeded) + len(refused) == 4, [a.json() for a in answers]
    assert {a.json()["code"] for a in refused} <= {"payment_in_progress", "no_fee_due", "already_paid"}
    assert count(app, Receipt) == 1
    assert count(app, Payment, Payment.status == "succeeded") == 1


# ---- the provider down --------------------------------------------------------------------------------


def test_a_hung_provider_leaves_the_payment_pending_until_reconciliation(
    app, client, applicant, fee_due, payments, card
):
    payments.pause()
    try:
        response = pay(client, applicant["headers"], fee_due, card, key="during-outage")
    finally:
        payments.resume()
    assert response.status_code == 503, response.json
    assert response.json["code"] == "payment_provider_unavailable" and response.headers["Retry-After"]
    payment_id = response.json["payment_id"]
    mine = client.get(f"/me/payments/{payment_id}", headers=applicant["headers"]).json
    assert mine["status"] == "processing"
    assert client.get(f"/me/dossiers/{fee_due}", headers=applicant["headers"]).json["status"] == 6

    with app.app_context():
        report = service.reconcile(now=utcnow() + timedelta(minutes=5))
    assert (report.checked, report.settled) == (1, 1)
    assert (
        client.get(f"/me/payments/{payment_id}", headers=applicant["headers"]).json["status"] == "succeeded"
    )
    assert client.get(f"/me/dossiers/{fee_due}", headers=applicant["headers"]).json["status"] == 4
    # The citizen's retry with the same key now learns the outcome, and nothing is charged again.
    retry = pay(client, applicant["headers"], fee_due, card, key="during-outage")
    assert retry.status_code == 409 and retry.json["code"] == "no_fee_due"
    assert count(app, Receipt) == 1


def test_a_retry_after_the_outage_resumes_the_same_payment(app, client, applicant, fee_due, payments, card):
    payments.pause()
    try:
        first = pay(client, applicant["headers"], fee_due, card, key="retry-me")
    finally:
        payments.resume()
    assert first.status_code == 503
    retry = pay(client, applicant["headers"], fee_due, card, key="retry-me")
    assert retry.status_code == 201 and retry.json["status"] == "succeeded"
    assert retry.json["id"] == first.json["payment_id"]
    assert count(app, Payment) == 1


def test_a_killed_and_restarted_provider_is_reconciled(app, client, applicant, fee_due, payments, card):
    """The provider killed: the payment made meanwhile is never lost; it waits in processing, and
    reconciliation settles it once the provider is back."""
    payments.stop()
    try:
        response = pay(client, applicant["headers"], fee_due, card)
        assert response.status_code == 503
        with app.app_context():
            still_down = service.reconcile(now=utcnow() + timedelta(minutes=5))
        assert (still_down.checked, still_down.still_pending) == (1, 1)
    finally:
        payments.start()
    payment_id = response.json["payment_id"]
    assert (
        client.get(f"/me/payments/{payment_id}", headers=applicant["headers"]).json["status"] == "processing"
    )

    with app.app_context():
        report = service.reconcile(now=utcnow() + timedelta(minutes=5))
    assert report.settled == 1
    settled = client.get(f"/me/payments/{payment_id}", headers=applicant["headers"]).json
    assert settled["status"] == "succeeded" and settled["receipt_number"]
    assert client.get(f"/me/dossiers/{fee_due}", headers=applicant["headers"]).json["status"] == 4


# ---- expiry -----------------------------------------------------------------------------------------------


def test_unfinished_payments_expire_after_90_minutes(app, client, applicant, fee_due, payments, make_card):
    authenticating = pay(client, applicant["headers"], fee_due, make_card(THREE_D_SECURE_CARD))
    assert authenticating.status_code == 201 and authenticating.json["status"] == "requires_action"
    assert authenticating.json["client_secret"]
    with app.app_context():
        assert service.expire_stale(now=utcnow() + timedelta(minutes=89)) == 0
        assert service.expire_stale(now=utcnow() + timedelta(minutes=91)) == 1
    expired = client.get(f"/me/payments/{authenticating.json['id']}", headers=applicant["headers"]).json
    assert (expired["status"], expired["status_label"]) == ("expired", "Quá hạn thanh toán")
    intent = httpx.get(
        f"{payments.url}/v1/payment_intents/{_provider_id(app, expired['id'])}", auth=(SECRET_KEY, "")
    ).json()
    assert intent["status"] == "canceled"  # it can no longer be paid behind our back
    assert [e.payload["status"] for e in events(app, "payment.expired")] == ["expired"]

    again = pay(client, applicant["headers"], fee_due, make_card())
    assert again.status_code == 201 and again.json["status"] == "succeeded"


def _provider_id(app, payment_id) -> str:
    with app.app_context():
        return db.session.get(Payment, uuid.UUID(str(payment_id))).provider_payment_id


def test_dossier_stays_in_status_6_until_paid(app, fee_due):
    with app.app_context():
        assert db.session.scalar(select(Dossier.status).where(Dossier.code == fee_due)) == 6
