"""Refunds against a stale view, the e-payment account shown in /me, and payouts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.citizens.service import get_citizen
from api.extensions import db
from tests.conftest import serving
from tests.wallet.conftest import FEE, SECRET_KEY, UNATTACHABLE_CARD, count, events, pay
from wallet import service
from wallet.models import Payout, Refund


@pytest.fixture
def paid(client, applicant, fee_due, payments, card):
    response = pay(client, applicant["headers"], fee_due, card)
    assert response.status_code == 201 and response.json["status"] == "succeeded"
    return response.json


@pytest.fixture
def finance(staff_headers):
    return staff_headers("admin")[0]


def refund(client, headers, payment_id, amount, etag=None, reason="Nộp thừa phí"):
    extra = {"If-Match": etag} if etag else {}
    return client.post(
        f"/staff/payments/{payment_id}/refunds",
        headers={**headers, **extra},
        json={"amount_vnd": amount, "reason": reason},
    )


def test_a_partial_refund_then_the_rest_then_nothing_more(app, client, paid, finance, payments):
    viewed = client.get(f"/staff/payments/{paid['id']}", headers=finance)
    assert viewed.json["refundable_vnd"] == FEE

    first = refund(client, finance, paid["id"], 5_000, viewed.headers["ETag"])
    assert first.status_code == 201, first.json
    assert first.json["status"] == "succeeded" and first.json["amount_vnd"] == 5_000

    stale = refund(client, finance, paid["id"], 5_000, viewed.headers["ETag"])
    assert stale.status_code == 412 and stale.json["code"] == "precondition_failed"

    fresh = client.get(f"/staff/payments/{paid['id']}", headers=finance)
    assert fresh.json["refunded_vnd"] == 5_000 and fresh.json["refundable_vnd"] == 10_000
    too_much = refund(client, finance, paid["id"], 10_001, fresh.headers["ETag"])
    assert too_much.status_code == 422 and too_much.json["code"] == "refund_exceeds_available"
    assert too_much.json["available_vnd"] == 10_000
    rest = refund(client, finance, paid["id"], 10_000, fresh.headers["ETag"])
    assert rest.status_code == 201

    with app.app_context():
        provider_ids = db.session.scalars(select(Refund.provider_refund_id)).all()
        audited = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "payment.refund")
        ).all()
    at_provider = [
        httpx.get(f"{payments.url}/v1/refunds/{refund_id}", auth=(SECRET_KEY, "")).json()
        for refund_id in provider_ids
    ]
    assert sorted(r["amount"] for r in at_provider) == [5_000, 10_000]
    assert len(audited) == 2 and len(events(app, "payment.refunded")) == 2


def test_two_refunds_from_the_same_view_at_once_refund_once(app, make_app, paid, finance, payments):
    with serving(make_app, PAYMENT_API_URL=payments.url, PAYMENT_SECRET_KEY=SECRET_KEY) as base_url:
        etag = httpx.get(f"{base_url}/staff/payments/{paid['id']}", headers=finance).headers["ETag"]

        def ask(_):
            return httpx.post(
                f"{base_url}/staff/payments/{paid['id']}/refunds",
                headers={**finance, "If-Match": etag},
                json={"amount_vnd": FEE, "reason": "Huỷ hồ sơ"},
                timeout=30,
            )

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(ask, range(4)))
    assert sorted(answer.status_code for answer in answers) == [201, 412, 412, 412]
    assert count(app, Refund) == 1


def test_refund_guards(client, applicant, fee_due, paid, finance, staff_headers):
    no_precondition = refund(client, finance, paid["id"], 1_000)
    assert no_precondition.status_code == 428
    officer_headers, _ = staff_headers("officer")
    assert refund(client, officer_headers, paid["id"], 1_000, "*").status_code == 403
    assert refund(client, applicant["headers"], paid["id"], 1_000, "*").status_code == 403
    etag = client.get(f"/staff/payments/{paid['id']}", headers=finance).headers["ETag"]
    for amount in (0, -1, 1.5, "1000"):
        response = refund(client, finance, paid["id"], amount, etag)
        assert response.status_code == 422 and response.json["errors"][0]["field"] == "amount_vnd"
    assert refund(client, finance, paid["id"], 1_000, etag, reason="").status_code == 422


def test_an_unpaid_payment_cannot_be_refunded(client, applicant, fee_due, finance):
    waiting = client.get("/me/payments", headers=applicant["headers"]).json[0]
    etag = client.get(f"/staff/payments/{waiting['id']}", headers=finance).headers["ETag"]
    response = refund(client, finance, waiting["id"], 1_000, etag)
    assert response.status_code == 409 and response.json["code"] == "payment_not_refundable"


# ---- the e-payment account (M23) -----------------------------------------------------------------


def asset(client, headers) -> dict:
    profile = client.get("/me", headers=headers).json
    return next(a for a in profile["assets"] if a["key"] == "e_payment_account")


def test_linking_an_account_completes_the_asset_and_pays_without_a_card(
    app, client, applicant, fee_due, payments, card
):
    assert asset(client, applicant["headers"])["status"] == "missing"

    linked = client.put("/me/payment-account", headers=applicant["headers"], json={"payment_method": card})
    assert linked.status_code == 200, linked.json
    assert (linked.json["brand"], linked.json["last4"]) == ("visa", "4242")
    shown = asset(client, applicant["headers"])
    assert shown["status"] == "present" and "•••• 4242" in shown["detail"]
    assert "e_payment_account" not in client.get("/me", headers=applicant["headers"]).json["missing"]

    paid = pay(client, applicant["headers"], fee_due)  # no card given: the linked account pays
    assert paid.status_code == 201 and paid.json["status"] == "succeeded"

    assert client.delete("/me/payment-account", headers=applicant["headers"]).status_code == 204
    assert asset(client, applicant["headers"])["status"] == "missing"
    assert client.get("/me/payment-account", headers=applicant["headers"]).status_code == 404
    assert [e.event_type for e in events(app, "payment_account.linked")] == ["payment_account.linked"]


def test_a_card_the_bank_refuses_is_not_linked(client, applicant, payments, make_card):
    response = client.put(
        "/me/payment-account",
        headers=applicant["headers"],
        json={"payment_method": make_card(UNATTACHABLE_CARD)},
    )
    assert response.status_code == 422 and response.json["code"] == "payment_method_rejected"
    assert asset(client, applicant["headers"])["status"] == "missing"


def test_linking_while_the_provider_is_down_is_a_503(client, applicant, card):
    response = client.put("/me/payment-account", headers=applicant["headers"], json={"payment_method": card})
    assert response.status_code == 503 and response.json["code"] == "payment_provider_unavailable"


# ---- payouts (social benefits, used by the benefits domain) --------------------------------------------


def test_payouts_go_to_the_linked_account_once_and_show_their_status(app, client, applicant, payments, card):
    client.put("/me/payment-account", headers=applicant["headers"], json={"payment_method": card})
    with app.app_context():
        payout = service.record_payout(
            applicant["id"],
            amount_vnd=500_000,
            purpose="benefit",
            reference="BTXH-2026-11-0001",
            description="Trợ cấp xã hội hằng tháng 11/2026",
        )
        again = service.record_payout(
            applicant["id"],
            amount_vnd=500_000,
            purpose="benefit",
            reference="BTXH-2026-11-0001",
            description="x",
        )
        assert again is payout and payout.destination == card
        db.session.commit()
        service.settle_payout(payout, "paid")
        db.session.commit()
    shown = client.get("/me/payouts", headers=applicant["headers"]).json
    assert [(p["amount_vnd"], p["status"], p["status_label"]) for p in shown] == [
        (500_000, "paid", "Đã nhận")
    ]
    assert len(events(app, "payout.paid")) == 1


def test_a_payout_needs_a_linked_account(app, applicant):
    from api.errors import ApiError

    with app.app_context():
        assert get_citizen(applicant["id"]) is not None
        with pytest.raises(ApiError) as refused:
            service.record_payout(
                applicant["id"], amount_vnd=1, purpose="benefit", reference="B-1", description="Trợ cấp"
            )
        assert refused.value.code == "payment_account_not_linked"
    assert count(app, Payout) == 0


def test_ready_reports_the_provider_without_depending_on_it(client):
    down = client.get("/ready")  # the suite's provider address has nobody listening
    assert down.status_code == 200 and down.json["dependencies"]["payments"]["state"] == "down"


def test_ready_reports_the_provider_up(client, payments):
    assert client.get("/ready").json["dependencies"]["payments"]["state"] == "ok"


def test_the_account_and_payout_routes_are_the_citizens_own(client, staff_headers):
    officer, _ = staff_headers("officer")
    assert (
        client.put(
            "/me/payment-account", headers=officer, json={"payment_method": "pm_1234567890"}
        ).status_code
        == 403
    )
    assert client.get("/me/payment-account", headers=officer).status_code == 403
    assert client.get("/me/payouts", headers=officer).status_code == 403
    assert client.get("/me/payouts").status_code == 401
