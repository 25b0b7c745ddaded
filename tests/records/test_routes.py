"""The citizen's records (identity level 2, own records only) and staff reads with a purpose."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from tests.records.conftest import (
    assert_problem,
    health_row,
    labour_row,
    land_row,
    person,
    run_import,
    write_jsonl,
)


def _import(app, tmp_path, record_type, rows):
    path = tmp_path / f"{record_type}.jsonl"
    write_jsonl(path, rows)
    result = run_import(app, record_type, path)
    assert result.exit_code == 0, result.output


def _seed(app, tmp_path, make_citizen, owner):
    co_owner = make_citizen(full_name="Lê Văn Nam", sex="male", date_of_birth=date(1988, 1, 2))
    _import(
        app,
        tmp_path,
        "land",
        [
            land_row(
                [person(owner["cccd"]), person(co_owner["cccd"], "Lê Văn Nam", "1988-01-02")],
                issued_on="2020-01-01",
            ),
            land_row([person(co_owner["cccd"], "Lê Văn Nam", "1988-01-02")]),  # not hers
        ],
    )
    _import(
        app,
        tmp_path,
        "health",
        [health_row(owner["cccd"], kind) for kind in ("visit", "vaccination", "condition", "insurance_card")],
    )
    _import(
        app,
        tmp_path,
        "labour",
        [
            labour_row(owner["cccd"]),
            labour_row(
                owner["cccd"],
                started_on="2023-01-01",
                ended_on=None,
                contribution_months="30",
                employer="Sở Y tế tỉnh Đắk Lắk",
            ),
        ],
    )
    return co_owner


def test_the_owner_sees_each_record_type_with_its_source_and_sync_time(
    app, client, make_citizen, owner, tmp_path
):
    _seed(app, tmp_path, make_citizen, owner)
    headers = owner["headers"]

    summary = client.get("/me/records", headers=headers)
    assert summary.status_code == 200
    by_type = {item["type"]: item for item in summary.json}
    assert {t: by_type[t]["count"] for t in by_type} == {"land": 1, "health": 4, "labour": 2}
    assert by_type["land"]["sources"][0]["source_name"].startswith("Văn phòng Đăng ký đất đai")
    assert by_type["health"]["last_synced_at"].endswith("+07:00")

    land = client.get("/me/records/land", headers=headers).json
    [certificate] = land["certificates"]
    assert certificate["area_m2"] == "120.5" and certificate["status_name"] == "Còn hiệu lực"
    assert certificate["ward"]["code"] == "24133"
    assert certificate["owners"] == [
        {"full_name": "Nguyễn Thị Hoa", "is_me": True},
        {"full_name": "Lê Văn Nam", "is_me": False},
    ]
    assert certificate["source"] == "land-registry" and certificate["synced_at"]
    assert "cccd" not in str(land)  # co-owners' numbers are theirs

    health = client.get("/me/records/health", headers=headers).json
    assert (
        health["insurance_card"]["card_number"] == "GD4660123456789" and health["insurance_card"]["in_force"]
    )
    assert health["visits"][0]["icd10_code"] == "J02.9"
    assert health["vaccinations"][0]["dose"] == 2
    assert health["chronic_conditions"][0]["description"] == "Tăng huyết áp vô căn"
    assert health["sources"][0]["source"] == "health-book"

    labour = client.get("/me/records/labour", headers=headers).json
    assert labour["current_employer"] == "Sở Y tế tỉnh Đắk Lắk"
    assert labour["contribution_months"] == 84
    assert labour["social_insurance_number"] == "6621234567"
    assert [p["started_on"] for p in labour["employment_periods"]] == ["2023-01-01", "2018-07-01"]
    assert labour["employment_periods"][0]["source_name"] == "Bảo hiểm xã hội Việt Nam (VssID)"


def test_an_empty_record_book_is_not_an_error(client, owner):
    assert client.get("/me/records/land", headers=owner["headers"]).json == {
        "certificates": [],
        "sources": [],
        # Named even with nothing synced yet, so the app and the bot can say where data will come from.
        "origin": "Văn phòng Đăng ký đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai)",
    }
    health = client.get("/me/records/health", headers=owner["headers"]).json
    assert health["insurance_card"] is None and health["origin"] == "Hệ thống Sổ sức khỏe điện tử (Bộ Y tế)"
    labour = client.get("/me/records/labour", headers=owner["headers"]).json
    assert labour["current_employer"] is None and labour["origin"] == "Bảo hiểm xã hội Việt Nam (VssID)"
    summary = client.get("/me/records", headers=owner["headers"]).json
    assert [(item["type"], item["count"], bool(item["origin"])) for item in summary] == [
        ("land", 0, True),
        ("health", 0, True),
        ("labour", 0, True),
    ]


def test_level_one_citizens_are_told_how_to_reach_level_two_and_anonymous_callers_must_sign_in(
    client, citizen_headers
):
    level1, _, _ = citizen_headers(identity_level=1)
    for path in (
        "/me/records",
        "/me/records/land",
        "/me/records/health",
        "/me/records/labour",
        "/me/records/access-log",
    ):
        body = assert_problem(client.get(path, headers=level1), 403, "identity_level_required")
        assert "mức 2" in body["detail"] and "sinh trắc học" in body["detail"] and "Công an" in body["detail"]
        assert body["required_level"] == 2
        assert client.get(path).status_code == 401


def test_another_citizen_sees_only_their_own_records(app, client, make_citizen, owner, stranger, tmp_path):
    _seed(app, tmp_path, make_citizen, owner)
    assert client.get("/me/records/land", headers=stranger["headers"]).json["certificates"] == []
    assert client.get("/me/records/health", headers=stranger["headers"]).json["visits"] == []
    assert {item["count"] for item in client.get("/me/records", headers=stranger["headers"]).json} == {0}
    # And the citizen's own reads are not accesses by others.
    assert client.get("/me/records/access-log", headers=owner["headers"]).json == []


def test_a_staff_read_needs_a_purpose_and_shows_in_the_citizens_access_log_and_the_audit_log(
    app, client, make_citizen, owner, staff_headers, tmp_path
):
    _seed(app, tmp_path, make_citizen, owner)
    officer, officer_user = staff_headers("officer")
    for purpose in (None, "xem", "          a"):
        body = {"cccd": owner["cccd"]} | ({"purpose": purpose} if purpose is not None else {})
        assert_problem(
            client.post("/staff/records/search", headers=officer, json=body), 422, "purpose_required"
        )
    assert client.get("/me/records/access-log", headers=owner["headers"]).json == []

    purpose = "Giải quyết hồ sơ chuyển nhượng quyền sử dụng đất số 000.00.12.H12-250101-0001"
    read = client.post(
        "/staff/records/search",
        headers=officer,
        json={"cccd": owner["cccd"], "purpose": purpose, "record_types": ["land"]},
    )
    assert read.status_code == 200, read.json
    assert read.json["citizen"]["full_name"] == "Nguyễn Thị Hoa"
    assert len(read.json["land"]["certificates"]) == 1 and "health" not in read.json
    everything = client.post(
        "/staff/records/search", headers=officer, json={"cccd": owner["cccd"], "purpose": purpose}
    )
    assert set(everything.json) >= {"land", "health", "labour"}

    log = client.get("/me/records/access-log", headers=owner["headers"])
    assert log.status_code == 200
    # One entry per record type read: land, then land, health and labour.
    assert sorted(entry["record_type"] for entry in log.json) == ["health", "labour", "land", "land"]
    assert {entry["accessor"] for entry in log.json} == {f"staff:{officer_user['id']}"}
    assert log.json[0]["accessor_name"].startswith("Cán bộ ") and log.json[0]["purpose"] == purpose
    assert log.json[0]["at"] >= log.json[-1]["at"]  # newest first
    assert "X-Pagination" in log.headers
    with app.app_context():
        audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "records.read")).all()
        assert len(audits) == 2 and {a.actor for a in audits} == {f"staff:{officer_user['id']}"}
        assert audits[0].detail["purpose"] == purpose


def test_the_access_log_is_paginated(app, client, owner, staff_headers):
    officer, _ = staff_headers("officer")
    for number in range(3):
        body = {
            "cccd": owner["cccd"],
            "purpose": f"Kiểm tra hồ sơ đề nghị trợ cấp số {number}",
            "record_types": ["labour"],
        }
        assert client.post("/staff/records/search", headers=officer, json=body).status_code == 200
    page = client.get("/me/records/access-log?page=1&page_size=2", headers=owner["headers"])
    assert len(page.json) == 2
    assert page.json[0]["purpose"].endswith("số 2")


def test_an_unknown_cccd_is_a_404_and_still_audited(app, client, staff_headers):
    officer, _ = staff_headers("admin")
    response = client.post(
        "/staff/records/search",
        headers=officer,
        json={"cccd": "066190999999", "purpose": "Kiểm tra hồ sơ đất đai"},
    )
    assert_problem(response, 404, "citizen_not_found")
    with app.app_context():
        [audit] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "records.read")).all()
        assert audit.outcome == "not_found" and "066190999999" not in (audit.target or "")


def test_citizens_and_staff_without_the_right_role_cannot_use_the_staff_route(client, owner, staff_headers):
    body = {"cccd": owner["cccd"], "purpose": "Tò mò muốn xem hồ sơ của người khác"}
    assert_problem(
        client.post("/staff/records/search", headers=owner["headers"], json=body), 403, "forbidden"
    )
    for role in ("police", "comms", "agent"):
        headers, _ = staff_headers(role)
        assert_problem(client.post("/staff/records/search", headers=headers, json=body), 403, "forbidden")
    assert client.post("/staff/records/search", json=body).status_code == 401
    assert client.get("/me/records/access-log", headers=owner["headers"]).json == []


def test_staff_cannot_use_the_citizens_views(client, staff_headers):
    officer, _ = staff_headers("officer")
    assert client.get("/me/records", headers=officer).status_code == 403
