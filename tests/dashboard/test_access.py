"""Who may see the dashboard, which ward they see, and the periods it refuses.

Leaders and admins only; a leader bound to a ward sees that ward and is refused another; a bad
period or ward is a 422 problem with a stable code, and nothing is written (no audit entry).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.extensions import db
from tests.dashboard.conftest import DEMO_WARD, OTHER_WARD, OUTSIDE_WARD, assert_problem, today

URLS = (
    "/leader/dashboard",
    "/leader/dashboard/export?format=csv",
    "/leader/reports",
    "/leader/reports/unread",
)


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


@pytest.mark.parametrize("url", URLS)
def test_citizens_and_other_staff_are_refused(client, citizen, staff_headers, url):
    assert_problem(client.get(url), 401, "token_missing")
    assert_problem(client.get(url, headers=citizen["headers"]), 403, "forbidden")
    for role in ("officer", "police", "comms", "agent"):
        headers, _ = staff_headers(role)
        assert_problem(client.get(url, headers=headers), 403, "forbidden")


@pytest.mark.parametrize("url", URLS)
def test_leaders_and_admins_are_let_in(client, leader, staff_headers, url):
    admin, _ = staff_headers("admin")
    for headers in (leader["headers"], admin):
        assert client.get(url, headers=headers).status_code == 200


def test_the_default_period_is_the_last_30_days_province_wide(client, leader):
    body = client.get("/leader/dashboard", headers=leader["headers"]).json
    assert body["period"] == {
        "from": (today() - timedelta(days=29)).isoformat(),
        "to": today().isoformat(),
        "ward_code": None,
        "ward_name": None,
    }
    assert len(body["dossiers"]["by_day"]) == 30
    assert {day["received"] for day in body["dossiers"]["by_day"]} == {0}
    # Nothing to divide by: ratios are null, not 0.
    assert body["dossiers"]["on_time_ratio"] is None
    assert body["fines"]["paid_share"] is None
    assert body["call_centre"]["median_wait_seconds"] is None


def test_a_province_leader_chooses_a_ward(dashboard):
    body = dashboard(today(), today(), OTHER_WARD)
    assert body["period"]["ward_code"] == OTHER_WARD
    assert body["period"]["ward_name"] == "Phường Tân Lập"


def test_a_ward_leader_sees_only_their_ward(app, client, ward_leader):
    own = client.get("/leader/dashboard", headers=ward_leader["headers"])
    assert own.status_code == 200
    assert own.json["period"]["ward_code"] == DEMO_WARD
    assert own.json["period"]["ward_name"] == "Phường Buôn Ma Thuột"
    same = client.get(f"/leader/dashboard?ward={DEMO_WARD}", headers=ward_leader["headers"])
    assert same.json["period"]["ward_code"] == DEMO_WARD

    before = audit_count(app)
    for url in (
        f"/leader/dashboard?ward={OTHER_WARD}",
        f"/leader/dashboard/export?format=xlsx&ward={OTHER_WARD}",
    ):
        body = assert_problem(client.get(url, headers=ward_leader["headers"]), 403, "ward_forbidden")
        assert "Phường Buôn Ma Thuột" in body["detail"]
    assert audit_count(app) == before


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, 422, "bad_period"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, 422, "period_too_long"),  # 367 days
        ({"from": "2026-02-30"}, 422, "validation_failed"),
        ({"from": "hôm qua"}, 422, "validation_failed"),
        ({"to": "0001-01-05"}, 422, "validation_failed"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, 422, "validation_failed"),
        ({"ward": "99999"}, 422, "unknown_ward"),
        ({"ward": OUTSIDE_WARD}, 422, "ward_outside_province"),
        ({"ward": "24 133"}, 422, "validation_failed"),
    ],
)
def test_bad_periods_and_wards_are_refused_and_change_nothing(app, client, leader, query, status, code):
    before = audit_count(app)
    for url in ("/leader/dashboard", "/leader/dashboard/export"):
        body = assert_problem(client.get(url, query_string=query, headers=leader["headers"]), status, code)
        assert body["detail"]
    assert audit_count(app) == before


def test_a_period_of_366_days_is_answered(client, leader):
    answer = client.get("/leader/dashboard?from=2025-01-01&to=2026-01-01", headers=leader["headers"])
    assert answer.status_code == 200
    assert len(answer.json["dossiers"]["by_day"]) == 366


def test_an_unknown_export_format_is_refused(app, client, leader):
    before = audit_count(app)
    body = assert_problem(
        client.get("/leader/dashboard/export?format=pdf", headers=leader["headers"]), 422, "bad_format"
    )
    assert "csv" in body["detail"] and "xlsx" in body["detail"]
    assert audit_count(app) == before
