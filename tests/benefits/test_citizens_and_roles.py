"""A citizen sees their own benefits only (identity level 2, the chatbot's delegated token reads
them); staff routes are for officers and admins."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.auth import service as auth
from api.auth.tokens import delegated_access_token
from api.citizens.service import get_citizen
from api.extensions import db
from tests.benefits.conftest import (
    PROGRAMME,
    assert_problem,
    link_account,
    pay,
    payments_of,
    schedule,
    settle,
)


@pytest.fixture
def history(app, client, officer, programme, enrol, person, other_person):
    """Both people enrolled since January; April to June scheduled, April and May paid in cash."""
    enrol(person["cccd"], channel="cash", channel_detail="Bưu điện Phường Buôn Ma Thuột")
    enrol(other_person["cccd"])
    for period in ("2026-04", "2026-05", "2026-06"):
        schedule(client, officer, period)
    for period in ("2026-04", "2026-05"):
        pay(client, officer, period)
        for payment in payments_of(app):
            if payment.period == period:
                settle(client, officer, payment.id, "paid")


def test_my_benefits_show_programmes_and_latest_payments(client, person, history):
    response = client.get("/me/benefits", headers=person["headers"])
    assert response.status_code == 200, response.json
    mine = response.json
    [enrolment] = mine["programmes"]
    assert enrolment["programme"] == {
        "code": "TCXH",
        "name": "Trợ cấp xã hội hằng tháng",
        "legal_basis": "Nghị định 20/2021/NĐ-CP",
    }
    assert enrolment["monthly_amount_vnd"] == 500_000 and enrolment["status_name"] == "Đang hưởng"
    assert enrolment["channel_detail"] == "Bưu điện Phường Buôn Ma Thuột"
    assert [(p["period"], p["status"], p["channel"], p["amount_vnd"]) for p in mine["latest_payments"]] == [
        ("2026-06", "scheduled", "cash", 500_000),
        ("2026-05", "paid", "cash", 500_000),
        ("2026-04", "paid", "cash", 500_000),
    ]
    june = mine["latest_payments"][0]
    assert (
        june["status_name"] == "Chờ chi trả"
        and june["planned_on"] == "2026-06-10"
        and june["paid_at"] is None
    )
    assert mine["latest_payments"][1]["paid_at"] is not None
    assert "cccd" not in enrolment
    assert mine["e_payment_account_linked"] is False
    assert "Liên kết tài khoản thanh toán điện tử" in mine["cashless_hint"]


def test_the_hint_goes_once_an_account_is_linked(client, person, history, payments, card):
    link_account(client, person["headers"], card)
    mine = client.get("/me/benefits", headers=person["headers"]).json
    assert mine["e_payment_account_linked"] is True and mine["cashless_hint"] is None


def test_no_benefits_is_an_empty_answer(client, citizen_headers):
    headers, _, _ = citizen_headers()
    mine = client.get("/me/benefits", headers=headers).json
    assert mine["programmes"] == [] and mine["latest_payments"] == [] and mine["cashless_hint"] is None


def test_my_payments_are_paginated_and_filtered_by_period(client, person, history):
    response = client.get("/me/benefits/payments?page_size=2", headers=person["headers"])
    assert response.status_code == 200
    assert [p["period"] for p in response.json] == ["2026-06", "2026-05"]
    assert '"total": 3' in response.headers["X-Pagination"]
    may = client.get("/me/benefits/payments?period=2026-05", headers=person["headers"]).json
    assert [(p["period"], p["status"]) for p in may] == [("2026-05", "paid")]
    assert_problem(
        client.get("/me/benefits/payments?period=05-2026", headers=person["headers"]), 422, "invalid_period"
    )


def test_another_citizens_payment_is_404(app, client, person, other_person, history):
    theirs = payments_of(app, other_person["id"])[0]
    mine = payments_of(app, person["id"])[0]
    assert client.get(f"/me/benefits/payments/{mine.id}", headers=person["headers"]).status_code == 200
    response = client.get(f"/me/benefits/payments/{theirs.id}", headers=person["headers"])
    assert_problem(response, 404, "benefit_payment_not_found")
    listed = client.get("/me/benefits/payments", headers=person["headers"]).json
    assert {p["id"] for p in listed} == {str(p.id) for p in payments_of(app, person["id"])}


def test_level_one_accounts_are_told_to_get_level_two(client, citizen_headers):
    headers, _, _ = citizen_headers(identity_level=1)
    for path in ("/me/benefits", "/me/benefits/payments"):
        body = assert_problem(client.get(path, headers=headers), 403, "identity_level_required")
        assert "mức 2" in body["detail"]


def test_the_chatbot_reads_with_the_citizens_delegated_token(app, client, person, history):
    with app.test_request_context():
        pair = auth.sign_in_citizen(get_citizen(person["id"]))
        db.session.commit()  # the test is the edge (api/unit_of_work.py)
        from flask_jwt_extended import decode_token

        claims = decode_token(pair["access_token"])
        token = delegated_access_token(
            f"citizen:{person['id']}",
            {"sid": claims["sid"], "lvl": claims["lvl"]},
            via="chatbot",
            lifetime=timedelta(minutes=5),
        )
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/me/benefits", headers=headers)
    assert response.status_code == 200 and len(response.json["latest_payments"]) == 3


STAFF_ROUTES = [
    ("get", "/staff/benefits/programmes", None),
    ("post", "/staff/benefits/programmes", PROGRAMME),
    ("get", "/staff/benefits/beneficiaries", None),
    ("post", "/staff/benefits/beneficiaries", {"cccd": "066190000001", "programme": "TCXH"}),
    (
        "post",
        "/staff/benefits/beneficiaries/8d0d3c2e-8f38-4c39-9a52-6b1d8c3b0f11/status",
        {"status": "suspended", "reason": "Quyết định số 12/QĐ-UBND"},
    ),
    ("post", "/staff/benefits/periods/2026-06/schedule", None),
    ("post", "/staff/benefits/periods/2026-06/pay", None),
    ("post", "/staff/benefits/payments/8d0d3c2e-8f38-4c39-9a52-6b1d8c3b0f11/settle", {"status": "paid"}),
    ("get", "/staff/benefits/statistics?period=2026-06", None),
]


@pytest.mark.parametrize("role", ["comms", "agent", "police", "citizen", "anonymous"])
def test_only_officers_and_admins_use_the_staff_routes(client, staff_headers, citizen_headers, role):
    if role == "citizen":
        headers = citizen_headers()[0]
    elif role == "anonymous":
        headers = {}
    else:
        headers = staff_headers(role)[0]
    for method, path, body in STAFF_ROUTES:
        response = getattr(client, method)(path, headers=headers, json=body)
        expected = 401 if role == "anonymous" else 403
        assert response.status_code == expected, (method, path, response.json)


def test_admins_use_the_staff_routes(client, staff_headers):
    admin = staff_headers("admin")[0]
    assert client.get("/staff/benefits/programmes", headers=admin).status_code == 200
    assert client.post("/staff/benefits/programmes", headers=admin, json=PROGRAMME).status_code == 201


def test_staff_cannot_use_the_citizen_routes(client, officer):
    assert client.get("/me/benefits", headers=officer).status_code == 403
    assert client.get("/me/benefits/payments", headers=officer).status_code == 403
    assert client.get("/me/benefits").status_code == 401
