"""Programmes and enrolment by officers: valid input stored and audited, bad input changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.citizens import cccd
from api.extensions import db
from tests.benefits.conftest import PROGRAMME, assert_problem, snapshot


def test_an_officer_creates_a_programme_and_lists_it(app, client, officer):
    created = client.post(
        "/staff/benefits/programmes",
        headers=officer,
        json={**PROGRAMME, "code": "ncc", "name": "Người có công  với cách mạng", "payment_day": 5},
    )
    assert created.status_code == 201, created.json
    assert created.json["code"] == "NCC" and created.json["name"] == "Người có công với cách mạng"
    assert created.json["monthly_amount_vnd"] == 500_000 and created.json["currency"] == "vnd"
    listed = client.get("/staff/benefits/programmes", headers=officer)
    assert [p["code"] for p in listed.json] == ["NCC"]
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "benefit.programme_create"))
        assert entry.actor.startswith("staff:") and entry.target == "benefit_programme:NCC"


def test_a_programme_code_is_taken_once(app, client, officer, programme):
    before = snapshot(app)
    again = client.post("/staff/benefits/programmes", headers=officer, json=PROGRAMME)
    assert_problem(again, 409, "programme_code_taken")
    assert snapshot(app) == before


@pytest.mark.parametrize("amount", [500_000.0, 1.5, "500000", True, 0, -1, None])
def test_programme_amounts_are_whole_positive_dong(app, client, officer, amount):
    before = snapshot(app)
    response = client.post(
        "/staff/benefits/programmes", headers=officer, json={**PROGRAMME, "monthly_amount_vnd": amount}
    )
    body = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["monthly_amount_vnd"]
    assert snapshot(app) == before


def test_unknown_fields_are_refused(app, client, officer, programme, person):
    before = snapshot(app)
    response = client.post(
        "/staff/benefits/programmes", headers=officer, json={**PROGRAMME, "code": "X1", "is_admin": True}
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"] == [{"field": "is_admin", "messages": ["Trường này không được phép."]}]
    response = client.post(
        "/staff/benefits/beneficiaries",
        headers=officer,
        json={"cccd": person["cccd"], "programme": "TCXH", "bonus_vnd": 1},
    )
    assert_problem(response, 422, "validation_failed")
    assert snapshot(app) == before


def test_enrolling_a_citizen_by_cccd(app, client, officer, programme, person):
    response = client.post(
        "/staff/benefits/beneficiaries",
        headers=officer,
        json={
            "cccd": person["cccd"],
            "programme": "tcxh",
            "monthly_amount_vnd": 750_000,
            "starts_on": "2025-03-15",
            "channel": "cash",
            "channel_detail": "Bưu điện Phường Buôn Ma Thuột",
        },
    )
    assert response.status_code == 201, response.json
    enrolled = response.json
    assert enrolled["citizen_id"] == str(person["id"]) and enrolled["cccd"] == person["cccd"]
    assert enrolled["programme"]["code"] == "TCXH"
    assert enrolled["programme"]["legal_basis"] == "Nghị định 20/2021/NĐ-CP"
    assert enrolled["monthly_amount_vnd"] == 750_000
    assert enrolled["starts_on"] == "2025-03-01"  # paid by whole months
    assert enrolled["status"] == "active" and enrolled["status_name"] == "Đang hưởng"
    assert enrolled["channel_name"].startswith("Tiền mặt")
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "benefit.enrol"))
        assert entry.target == f"benefit_beneficiary:{enrolled['id']}"

    default = client.post(
        "/staff/benefits/beneficiaries", headers=officer, json={"cccd": person["cccd"], "programme": "TCXH"}
    )
    assert_problem(default, 409, "already_enrolled")


def test_the_programme_amount_is_the_default(client, enrol, programme, person):
    assert enrol(person["cccd"])["monthly_amount_vnd"] == 500_000


@pytest.mark.parametrize(
    ("cccd_value", "message"),
    [
        ("12345", "Số căn cước phải gồm đúng 12 chữ số."),
        ("06619000012a", "Số căn cước phải gồm đúng 12 chữ số."),
        ("999190000123", "Mã tỉnh nơi đăng ký khai sinh '999' không tồn tại."),
    ],
)
def test_an_invalid_cccd_is_refused(app, client, officer, programme, cccd_value, message):
    before = snapshot(app)
    response = client.post(
        "/staff/benefits/beneficiaries", headers=officer, json={"cccd": cccd_value, "programme": "TCXH"}
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"] == [{"field": "cccd", "messages": [message]}]
    assert snapshot(app) == before


def test_a_cccd_nobody_holds_is_refused(app, client, officer, programme):
    from datetime import date

    nobody = cccd.build("066", "male", date(1950, 2, 1), 777777)
    before = snapshot(app)
    response = client.post(
        "/staff/benefits/beneficiaries", headers=officer, json={"cccd": nobody, "programme": "TCXH"}
    )
    body = assert_problem(response, 422, "citizen_not_found")
    assert body["errors"][0]["field"] == "cccd"
    assert snapshot(app) == before


def test_an_unknown_programme_is_refused(app, client, officer, programme, person):
    before = snapshot(app)
    response = client.post(
        "/staff/benefits/beneficiaries",
        headers=officer,
        json={"cccd": person["cccd"], "programme": "KHONGCO"},
    )
    assert_problem(response, 422, "programme_not_found")
    response = client.post(
        "/staff/benefits/beneficiaries",
        headers=officer,
        json={
            "cccd": person["cccd"],
            "programme": "TCXH",
            "starts_on": "2025-05-01",
            "ends_on": "2025-04-30",
        },
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["field"] == "ends_on"
    response = client.post(
        "/staff/benefits/beneficiaries",
        headers=officer,
        json={"cccd": person["cccd"], "programme": "TCXH", "channel": "gold_bars"},
    )
    assert_problem(response, 422, "validation_failed")
    assert snapshot(app) == before


@pytest.mark.parametrize("amount", [1.5, "750000", False, 0, -500_000])
def test_an_enrolment_amount_is_whole_positive_dong(app, client, officer, programme, person, amount):
    before = snapshot(app)
    response = client.post(
        "/staff/benefits/beneficiaries",
        headers=officer,
        json={"cccd": person["cccd"], "programme": "TCXH", "monthly_amount_vnd": amount},
    )
    assert_problem(response, 422, "validation_failed")
    assert snapshot(app) == before


def test_officers_list_beneficiaries_by_programme_audited(
    app, client, officer, programme, enrol, person, other_person
):
    client.post("/staff/benefits/programmes", headers=officer, json={**PROGRAMME, "code": "NKT"})
    enrol(person["cccd"])
    enrol(other_person["cccd"], programme="NKT")
    listed = client.get("/staff/benefits/beneficiaries?programme=TCXH", headers=officer)
    assert listed.status_code == 200
    assert [b["cccd"] for b in listed.json] == [person["cccd"]]
    assert "X-Pagination" in listed.headers
    everyone = client.get("/staff/benefits/beneficiaries", headers=officer)
    assert {b["cccd"] for b in everyone.json} == {person["cccd"], other_person["cccd"]}
    assert_problem(
        client.get("/staff/benefits/beneficiaries?programme=KHONGCO", headers=officer),
        422,
        "programme_not_found",
    )
    with app.app_context():
        searches = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "benefit.beneficiary_search")
        ).all()
        assert len(searches) == 2
