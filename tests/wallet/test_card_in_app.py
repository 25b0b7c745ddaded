"""Paying by card in the app: the API creates the intent, Stripe.js confirms it, the app refreshes.

Against the real localstripe (wallet/localstripe_server.py). What the page's
`stripe.confirmCardPayment(client_secret, {payment_method: {card}})` sends is made here with
httpx, request for request as the Stripe.js stand-in served at `<localstripe>/js.stripe.com/v3/`
makes it (a plain-text JSON body, the publishable key and the client secret, no secret key); the
last test runs that script in Chromium to show the two agree.
"""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from sqlalchemy import select

from api.dossiers.models import Dossier
from api.extensions import db
from tests.browser import chromium_browser  # noqa: F401 (fixture)
from tests.conftest import assert_problem
from tests.fines.conftest import issue, owner, police, stranger  # noqa: F401 (fixtures used here)
from tests.wallet.conftest import FEE, SECRET_KEY, THREE_D_SECURE_CARD, count, events
from tests.wallet.test_webhooks import deliver, event_of
from wallet import service
from wallet.models import Payment, ProviderEvent, Receipt

FINE = 18_000_000  # oto-vuot-den-do in tests.fines.conftest.notice_body
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"  # Stripe's generic decline
APP_ORIGIN = "http://127.0.0.1:8000"  # the page's origin: the stand-in's requests are cross-origin


def start(client, headers, purpose, reference, amount, key=None, **extra):
    """The app's "Pay by card" button: POST /me/payments with method card_in_app."""
    body = {
        "purpose": purpose,
        "reference": reference,
        "amount_vnd": amount,
        "method": "card_in_app",
        **extra,
    }
    return client.post(
        "/me/payments", headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())}, json=body
    )


def refresh(client, headers, payment_id):
    return client.post(f"/me/payments/{payment_id}/refresh", headers=headers)


def browser_settings(client) -> dict:
    response = client.get("/payments/client-config")
    assert response.status_code == 200
    return response.json


def confirm_card_payment(client, client_secret, number, *, authenticate=True) -> httpx.Response:
    """`stripe.confirmCardPayment(client_secret, {payment_method: {card}})` after the citizen typed
    `number`, 12 / 30, CVC 123 and postal code 63000 into the stand-in's card field.

    The card goes to the intent's confirm; if the intent then asks for 3-D Secure, the stand-in
    shows its modal and sends the citizen's answer ("Complete authentication": `authenticate`).
    """
    settings = browser_settings(client)
    base_url = settings["js_url"].removesuffix(service.LOCALSTRIPE_JS_PATH)
    intent_id = re.match(r"^(pi_\w+)_secret_", client_secret)[1]
    # fetch() with a string body and no headers: text/plain, so no CORS preflight.
    headers = {"Content-Type": "text/plain;charset=UTF-8", "Origin": APP_ORIGIN}
    page_sends = {
        "key": settings["publishable_key"],
        "client_secret": client_secret,
        "payment_method_data": {
            "type": "card",
            "card": {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
            "billing_details": {"address": {"postal_code": "63000"}},
        },
    }
    confirmed = httpx.post(
        f"{base_url}/v1/payment_intents/{intent_id}/confirm", content=json.dumps(page_sends), headers=headers
    )
    if confirmed.status_code != 200 or confirmed.json()["status"] != "requires_action":
        return confirmed
    return httpx.post(
        f"{base_url}/v1/payment_intents/{intent_id}/_authenticate?success={str(authenticate).lower()}",
        content=json.dumps({"key": settings["publishable_key"], "client_secret": client_secret}),
        headers=headers,
    )


def intent_of(app, payment_id) -> dict:
    with app.app_context():
        intent_id = db.session.get(Payment, uuid.UUID(payment_id)).provider_payment_id
    return httpx.get(f"{_provider_url(app)}/v1/payment_intents/{intent_id}", auth=(SECRET_KEY, "")).json()


def _provider_url(app) -> str:
    return app.config["PAYMENT_API_URL"]


@pytest.fixture
def fine(client, owner, issue):  # noqa: F811
    """A fine the owner has confirmed and may pay."""
    issued = issue()
    response = client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    assert response.status_code == 200 and response.json["can_pay"], response.json
    return issued


def fine_of(client, owner, fine) -> dict:  # noqa: F811
    return client.get(f"/me/fines/{fine['id']}", headers=owner["headers"]).json


# ---- a fine paid by card in the app ----------------------------------------------------------------


def test_a_fine_paid_by_card_in_the_app(app, client, owner, fine, payments):  # noqa: F811
    started = start(client, owner["headers"], "fine", fine["id"], FINE)

    assert started.status_code == 201, started.json
    waiting = started.json
    assert waiting["status"] == "requires_action" and waiting["status_label"] == "Chờ hoàn tất thanh toán"
    assert waiting["client_secret"].startswith("pi_") and waiting["amount_vnd"] == FINE
    assert started.headers["Location"] == f"/me/payments/{waiting['id']}"
    assert fine_of(client, owner, fine)["status"] != "paid"  # nothing is charged before the card
    intent = intent_of(app, waiting["id"])
    assert (intent["status"], intent["amount"], intent["currency"]) == (
        "requires_payment_method",
        FINE,
        "vnd",
    )

    confirmed = confirm_card_payment(client, waiting["client_secret"], GOOD_CARD)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded", confirmed.text
    assert confirmed.headers["Access-Control-Allow-Origin"] == APP_ORIGIN

    paid = refresh(client, owner["headers"], waiting["id"])
    assert paid.status_code == 200, paid.json
    assert paid.json["status"] == "succeeded" and paid.json["receipt_number"]
    assert paid.json["client_secret"] is None and paid.json["failure_reason"] is None
    detail = fine_of(client, owner, fine)
    assert detail["status"] == "paid" and detail["payment_id"] == waiting["id"] and not detail["can_pay"]
    receipt = client.get(f"/me/payments/{waiting['id']}/receipt", headers=owner["headers"])
    assert receipt.status_code == 200 and receipt.json["amount_text"] == "18.000.000 đồng"
    assert receipt.json["number"] == paid.json["receipt_number"] and receipt.json["purpose"] == "fine"

    again = refresh(client, owner["headers"], waiting["id"])  # the app asks once more: nothing new
    assert again.status_code == 200 and again.json["receipt_number"] == paid.json["receipt_number"]
    assert count(app, Receipt) == 1 and len(events(app, "payment.succeeded")) == 1
    assert len(events(app, "fine.paid")) == 1
    second = start(client, owner["headers"], "fine", fine["id"], FINE)
    assert_problem(second, 409, "fine_already_paid")


def test_a_declined_card_fails_in_vietnamese_and_the_fine_stays_payable(
    app,
    client,
    owner,  # noqa: F811
    fine,
    payments,
):
    first = start(client, owner["headers"], "fine", fine["id"], FINE).json

    declined = confirm_card_payment(client, first["client_secret"], DECLINED_CARD)
    assert declined.status_code == 402 and declined.json()["error"]["code"] == "card_declined"

    failed = refresh(client, owner["headers"], first["id"])
    assert failed.status_code == 200, failed.json
    assert (failed.json["status"], failed.json["status_label"]) == ("failed", "Thanh toán không thành công")
    assert failed.json["failure_code"] == "card_declined"
    assert failed.json["failure_reason"] == "Ngân hàng phát hành thẻ đã từ chối giao dịch."
    assert failed.json["client_secret"] is None
    detail = fine_of(client, owner, fine)
    assert detail["status"] != "paid" and detail["can_pay"]
    receipt = client.get(f"/me/payments/{first['id']}/receipt", headers=owner["headers"])
    assert_problem(receipt, 409, "receipt_not_issued")
    # The declined intent is closed at the provider: its secret can no longer pay behind our back.
    assert intent_of(app, first["id"])["status"] == "canceled"
    late = confirm_card_payment(client, first["client_secret"], GOOD_CARD)
    assert late.status_code == 400

    retried = start(client, owner["headers"], "fine", fine["id"], FINE)
    assert retried.status_code == 201 and retried.json["id"] != first["id"]
    assert retried.json["status"] == "requires_action"
    assert confirm_card_payment(client, retried.json["client_secret"], GOOD_CARD).status_code == 200
    paid = refresh(client, owner["headers"], retried.json["id"]).json
    assert paid["status"] == "succeeded"
    assert fine_of(client, owner, fine)["status"] == "paid"
    assert count(app, Receipt) == 1
    still_failed = client.get(f"/me/payments/{first['id']}", headers=owner["headers"]).json
    assert still_failed["status"] == "failed"


@pytest.mark.parametrize(
    "completes, status, reason",
    [
        (True, "succeeded", None),
        (False, "failed", "Xác thực giao dịch (3-D Secure) không thành công."),
    ],
)
def test_a_card_asking_for_3d_secure(
    app,
    client,
    owner,  # noqa: F811
    fine,
    payments,
    completes,
    status,
    reason,
):
    waiting = start(client, owner["headers"], "fine", fine["id"], FINE).json

    confirmed = confirm_card_payment(
        client, waiting["client_secret"], THREE_D_SECURE_CARD, authenticate=completes
    )

    assert confirmed.status_code == 200, confirmed.text
    settled = refresh(client, owner["headers"], waiting["id"]).json
    assert (settled["status"], settled["failure_reason"]) == (status, reason)
    assert (fine_of(client, owner, fine)["status"] == "paid") is completes


def test_refreshing_before_the_card_is_confirmed_changes_nothing(app, client, owner, fine, payments):  # noqa: F811
    waiting = start(client, owner["headers"], "fine", fine["id"], FINE).json
    unchanged = refresh(client, owner["headers"], waiting["id"])
    assert unchanged.status_code == 200
    assert unchanged.json["status"] == "requires_action"
    assert unchanged.json["client_secret"] == waiting["client_secret"]  # the app may still confirm it
    assert count(app, Receipt) == 0


# ---- a dossier's fee, the same way; with the webhook --------------------------------------------------


@pytest.mark.parametrize("webhook_first", [True, False], ids=["webhook-then-refresh", "refresh-then-webhook"])
def test_the_webhook_and_the_refresh_settle_a_dossier_fee_once(
    app, client, applicant, fee_due, payments, webhook_first
):
    waiting = client.get("/me/payments", headers=applicant["headers"]).json[0]  # opened by status 6
    started = start(client, applicant["headers"], "dossier_fee", fee_due, FEE).json
    assert started["id"] == waiting["id"] and started["status"] == "requires_action"
    assert confirm_card_payment(client, started["client_secret"], GOOD_CARD).status_code == 200
    webhook = event_of(intent_of(app, started["id"]), "payment_intent.succeeded")

    if webhook_first:
        assert deliver(client, webhook).json["outcome"] == "applied"
        answer = refresh(client, applicant["headers"], started["id"])
    else:
        answer = refresh(client, applicant["headers"], started["id"])
        assert deliver(client, webhook).json["outcome"] == "applied"
    assert deliver(client, webhook).json["outcome"] == "duplicate"

    assert answer.status_code == 200 and answer.json["status"] == "succeeded"
    assert count(app, Receipt) == 1 and count(app, ProviderEvent) == 1
    assert len(events(app, "payment.succeeded")) == 1
    dossier = client.get(f"/me/dossiers/{fee_due}", headers=applicant["headers"]).json
    assert (dossier["status"], dossier["payment_status"]) == (4, 1)
    assert [entry["action"] for entry in dossier["history"]].count("confirm_payment") == 1
    with app.app_context():
        assert db.session.scalar(select(Dossier.status).where(Dossier.code == fee_due)) == 4


# ---- one payment per tap, one per payable; the same checks as ever --------------------------------------


def test_a_retried_tap_gets_the_same_payment_and_secret(app, client, applicant, fee_due, payments):
    first = start(client, applicant["headers"], "dossier_fee", fee_due, FEE, key="tap-1")
    replayed = start(client, applicant["headers"], "dossier_fee", fee_due, FEE, key="tap-1")
    other_device = start(client, applicant["headers"], "dossier_fee", fee_due, FEE, key="tap-2")

    assert first.status_code == replayed.status_code == other_device.status_code == 201
    assert first.json["id"] == replayed.json["id"] == other_device.json["id"]
    assert first.json["client_secret"] == replayed.json["client_secret"] == other_device.json["client_secret"]
    assert count(app, Payment) == 1
    listed = httpx.get(
        f"{_provider_url(app)}/v1/payment_intents", params={"limit": 100}, auth=(SECRET_KEY, "")
    ).json()["data"]
    assert [i["metadata"].get("payment_id") for i in listed].count(first.json["id"]) == 1


def test_amount_purpose_and_reference_are_checked_as_before(app, client, owner, fine, payments):  # noqa: F811
    stale = start(client, owner["headers"], "fine", fine["id"], FINE - 1)
    assert assert_problem(stale, 409, "amount_mismatch")["amount_due_vnd"] == FINE
    unknown = start(client, owner["headers"], "fine", str(uuid.uuid4()), FINE)
    assert_problem(unknown, 404, "fine_not_found")
    purpose = start(client, owner["headers"], "parking", fine["id"], FINE)
    assert_problem(purpose, 422, "unknown_payment_purpose")
    with_a_card = start(client, owner["headers"], "fine", fine["id"], FINE, payment_method="pm_card_visa")
    body = assert_problem(with_a_card, 422, "validation_failed")
    assert [error["field"] for error in body["errors"]] == ["payment_method"]
    mode = client.post(
        "/me/payments",
        headers={**owner["headers"], "Idempotency-Key": "bad-mode"},
        json={"purpose": "fine", "reference": fine["id"], "amount_vnd": FINE, "method": "cash"},
    )
    assert [error["field"] for error in assert_problem(mode, 422, "validation_failed")["errors"]] == [
        "method"
    ]
    no_key = client.post(
        "/me/payments",
        headers=owner["headers"],
        json={"purpose": "fine", "reference": fine["id"], "amount_vnd": FINE, "method": "card_in_app"},
    )
    assert_problem(no_key, 400, "idempotency_key_required")
    assert count(app, Payment) == 0


# ---- only the payer ------------------------------------------------------------------------------------


def test_another_citizen_cannot_refresh_or_see_the_client_secret(
    app,
    client,
    owner,  # noqa: F811
    stranger,  # noqa: F811
    fine,
    payments,
    staff_headers,
):
    waiting = start(client, owner["headers"], "fine", fine["id"], FINE).json

    for answer in (
        refresh(client, stranger["headers"], waiting["id"]),
        client.get(f"/me/payments/{waiting['id']}", headers=stranger["headers"]),
        refresh(client, owner["headers"], uuid.uuid4()),
    ):
        assert_problem(answer, 404, "payment_not_found")
    assert client.get("/me/payments", headers=stranger["headers"]).json == []
    assert_problem(start(client, stranger["headers"], "fine", fine["id"], FINE), 404, "fine_not_found")
    assert client.post(f"/me/payments/{waiting['id']}/refresh").status_code == 401
    finance, _ = staff_headers("admin")
    staff_view = client.get(f"/staff/payments/{waiting['id']}", headers=finance)
    assert staff_view.status_code == 200 and "client_secret" not in staff_view.json
    assert waiting["client_secret"] not in staff_view.get_data(as_text=True)
    assert client.get(f"/me/payments/{waiting['id']}", headers=owner["headers"]).json["client_secret"]


# ---- the provider down -------------------------------------------------------------------------------


def test_the_provider_down_leaves_the_payment_waiting_and_a_retry_starts_it(
    app, client, applicant, fee_due, payments
):
    payments.stop()
    try:
        down = start(client, applicant["headers"], "dossier_fee", fee_due, FEE, key="while-down")
        assert assert_problem(down, 503, "payment_provider_unavailable")["detail"].endswith("ít phút.")
        waiting = client.get("/me/payments", headers=applicant["headers"]).json[0]
        assert waiting["status"] == "created"  # nothing can be charged without the card
    finally:
        payments.start()
    retried = start(client, applicant["headers"], "dossier_fee", fee_due, FEE, key="while-down")
    assert retried.status_code == 201 and retried.json["id"] == waiting["id"]
    assert retried.json["status"] == "requires_action" and retried.json["client_secret"]


# ---- what the app loads ---------------------------------------------------------------------------------


def test_the_app_gets_stripe_js_and_its_key_without_signing_in(app, client, payments):
    settings = browser_settings(client)

    assert settings["js_url"] == f"{payments.url}/js.stripe.com/v3/"
    assert settings["publishable_key"].startswith("pk_test_")
    assert settings["csp_sources"] == {
        "script_src": [payments.url],
        "connect_src": [payments.url],
        "frame_src": [payments.url],
    }
    with app.app_context():
        assert service.browser_payment_settings() == settings
    script = httpx.get(settings["js_url"])
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert "/v1/payment_intents/${intentId}/confirm" in script.text  # the card-confirming addition


def test_stripes_own_script_with_stripe_or_when_configured(app):
    saved = {key: app.config[key] for key in ("PAYMENT_API_URL", "PAYMENT_JS_URL", "CDS_ENV")}
    try:
        with app.app_context():
            app.config.update(PAYMENT_API_URL="https://api.stripe.com")
            stripe = service.browser_payment_settings()
            assert stripe["js_url"] == "https://js.stripe.com/v3/"
            assert stripe["csp_sources"]["connect_src"] == ["https://api.stripe.com"]
            assert "https://hooks.stripe.com" in stripe["csp_sources"]["frame_src"]
            app.config.update(PAYMENT_API_URL="http://127.0.0.1:8420", CDS_ENV="production")
            assert service.browser_payment_settings()["js_url"] == "https://js.stripe.com/v3/"
            app.config.update(PAYMENT_JS_URL="https://pay.example.vn/stripe/v3/", CDS_ENV="testing")
            chosen = service.browser_payment_settings()
            assert chosen["js_url"] == "https://pay.example.vn/stripe/v3/"
            assert chosen["csp_sources"]["script_src"] == ["https://pay.example.vn"]
    finally:
        app.config.update(saved)


def test_the_document_describes_card_payments_in_the_app(client):
    document = client.get("/openapi.json").json
    refresh_operation = document["paths"]["/me/payments/{payment_id}/refresh"]["post"]
    assert {"200", "404", "503"} <= set(refresh_operation["responses"])
    assert "application/problem+json" in refresh_operation["responses"]["404"]["content"]
    schemas = document["components"]["schemas"]
    assert "card_in_app" in json.dumps(schemas["PayRequest"]["properties"]["method"])
    assert {"client_secret", "failure_reason"} <= set(schemas["Payment"]["properties"])
    assert "client_secret" not in schemas["StaffPayment"]["properties"]
    config = document["paths"]["/payments/client-config"]["get"]
    assert not config.get("security")  # public
    assert set(schemas["PaymentClientConfig"]["properties"]) == {"js_url", "publishable_key", "csp_sources"}


# ---- the stand-in itself, in Chromium ----------------------------------------------------------------------

CARD_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Thanh toán bằng thẻ</title>
<script src="{js_url}"></script></head>
<body><main><h1>Thanh toán bằng thẻ</h1><form><div id="card"></div></form></main></body></html>"""


@pytest.mark.parametrize("number", [GOOD_CARD, THREE_D_SECURE_CARD], ids=["card", "card-with-3d-secure"])
def test_the_stand_in_confirms_the_card_typed_in_the_page(
    app, client, browser, applicant, fee_due, payments, number
):
    settings = browser_settings(client)
    waiting = start(client, applicant["headers"], "dossier_fee", fee_due, FEE).json
    # A page of the provider's origin: the app's own CSP is the app's tests' business.
    page_url = f"{payments.url}/__tests__/pay.html"
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.route(
            page_url,
            lambda route: route.fulfill(
                body=CARD_PAGE.format(js_url=settings["js_url"]), content_type="text/html; charset=utf-8"
            ),
        )
        page.goto(page_url)
        page.evaluate(
            """(key) => {
                window.stripe = Stripe(key);
                window.card = stripe.elements().create("card");
                card.mount("#card");
            }""",
            settings["publishable_key"],
        )
        fields = {"Số thẻ": number, "Tháng hết hạn (MM)": "12", "Năm hết hạn (YY)": "30", "Mã CVC": "123"}
        for label, value in fields.items():
            page.get_by_label(label).fill(value)
        page.get_by_label("Mã bưu chính").fill("63000")
        # Kept on the page, not awaited: a card asking for 3-D Secure waits for the modal's button.
        page.evaluate(
            """(secret) => {
                window.confirming = stripe.confirmCardPayment(secret, {payment_method: {card}});
            }""",
            waiting["client_secret"],
        )
        if number == THREE_D_SECURE_CARD:
            page.get_by_role("button", name="Complete authentication").click()
        result = page.evaluate("() => window.confirming")
    finally:
        page.close()

    assert errors == []
    assert "error" not in result and result["paymentIntent"]["status"] == "succeeded", result
    settled = refresh(client, applicant["headers"], waiting["id"]).json
    assert settled["status"] == "succeeded" and settled["receipt_number"]
