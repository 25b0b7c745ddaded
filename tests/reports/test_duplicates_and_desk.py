"""Duplicates and merging; the desk's queue, overdue flags and statistics."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from api.dbtypes import utcnow
from api.extensions import db
from api.reports.models import Report
from tests.reports.conftest import LAT, LON, OTHER_WARD, act, assert_problem, offset, snapshot


def _set(app, report_id, **values):
    with app.app_context():
        report = db.session.get(Report, uuid.UUID(report_id))
        for name, value in values.items():
            setattr(report, name, value)
        db.session.commit()
        db.session.remove()


def test_a_field_report_within_50_m_is_offered_as_a_duplicate(client, app, submit, citizen_headers):
    first = submit()["report"]
    neighbour, _, _ = citizen_headers(full_name="Lê Văn Cường", sex="male")
    lat, lon = offset(LAT, LON, 49)
    second = submit(headers=neighbour, latitude=lat, longitude=lon)
    [duplicate] = second["possible_duplicates"]
    assert duplicate["id"] == first["id"] and 48 <= duplicate["distance_m"] <= 50


def test_60_m_away_is_not_a_duplicate(client, submit):
    submit()
    lat, lon = offset(LAT, LON, 60)
    assert submit(latitude=lat, longitude=lon)["possible_duplicates"] == []


def test_an_eight_day_old_report_or_another_category_is_not_a_duplicate(client, app, submit):
    old = submit()["report"]["id"]
    _set(app, old, submitted_at=utcnow() - timedelta(days=8))
    assert submit()["possible_duplicates"] == []
    lat, lon = offset(LAT, LON, 10)
    other = submit(
        category="den-duong-hong", description="Đèn đường tắt cả tuần nay.", latitude=lat, longitude=lon
    )
    assert other["possible_duplicates"] == []


def test_crime_reports_are_never_offered_as_duplicates(client, submit):
    crime = {"category": "trom-cap", "description": "Trộm xe máy trước cửa hàng tạp hoá."}
    submit(**crime)
    assert submit(**crime)["possible_duplicates"] == []


def test_merging_folds_a_duplicate_and_counts_the_people_affected(client, app, officer, reporter, submit):
    kept = submit()["report"]["id"]
    duplicate = submit(latitude=LAT + 0.0001)["report"]["id"]
    response = client.post(f"/staff/reports/{duplicate}/merge", headers=officer, json={"into": kept})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "merged" and response.json["merged_into"] == kept
    shown = client.get(f"/me/reports/{kept}", headers=reporter["headers"]).json
    assert shown["affected_count"] == 2
    before = snapshot(app)
    again = client.post(f"/staff/reports/{duplicate}/merge", headers=officer, json={"into": kept})
    assert_problem(again, 409, "illegal_transition")
    assert_problem(
        client.post(f"/staff/reports/{kept}/merge", headers=officer, json={"into": kept}),
        422,
        "merge_target_not_found",
    )
    assert snapshot(app) == before


def test_merging_refuses_crime_and_other_categories(client, app, officer, police, submit):
    kept = submit()["report"]["id"]
    other = submit(category="rac-thai", description="Rác đổ trộm ở góc đường nhiều ngày.")["report"]["id"]
    before = snapshot(app)
    assert_problem(
        client.post(f"/staff/reports/{other}/merge", headers=officer, json={"into": kept}),
        422,
        "merge_not_allowed",
    )
    assert snapshot(app) == before


def test_the_queue_is_the_units_open_reports_by_deadline_with_overdue_flags(
    client, app, officer, officer_elsewhere, submit
):
    late = submit(category="ngap-ung", description="Ngập sâu sau mưa ở đường Y Jút.")["report"]["id"]
    soon = submit()["report"]["id"]
    submit(category="trom-cap", description="Mất trộm điện thoại ở chợ trung tâm.")  # the police's
    submit(ward_code=OTHER_WARD, latitude=12.69)  # another ward's
    _set(app, late, deadline=date.today() - timedelta(days=3))
    queue = client.get("/staff/reports", headers=officer)
    assert queue.status_code == 200
    assert [item["id"] for item in queue.json] == [late, soon]
    assert [item["overdue"] for item in queue.json] == [True, False]
    assert [i["id"] for i in client.get("/staff/reports?overdue=true", headers=officer).json] == [late]
    assert [i["id"] for i in client.get("/staff/reports?category=o-ga", headers=officer).json] == [soon]
    assert len(client.get("/staff/reports", headers=officer_elsewhere).json) == 1
    assert_problem(client.get("/staff/reports?status=lost", headers=officer), 422, "validation_failed")


def test_statistics_by_status_category_and_ward(client, app, officer, admin, submit):
    first = submit()["report"]["id"]
    submit(category="tieng-on", description="Karaoke ồn ào sau 23 giờ.")
    submit(ward_code=OTHER_WARD, latitude=12.69)
    act(client, officer, first, "reject", note="Đã được xử lý trước đó.")
    stats = client.get("/staff/reports/statistics", headers=officer).json
    assert stats["total"] == 2
    assert {s["status"]: s["count"] for s in stats["by_status"]}["rejected"] == 1
    assert {c["category"]: c["count"] for c in stats["by_category"]} == {"o-ga": 1, "tieng-on": 1}
    everywhere = client.get("/staff/reports/statistics", headers=admin).json
    assert {w["ward_code"] for w in everywhere["by_ward"]} == {"24133", OTHER_WARD}


def test_comms_staff_have_no_desk(client, staff_headers):
    headers, _ = staff_headers("comms")
    assert_problem(client.get("/staff/reports", headers=headers), 403, "forbidden")
