"""The weekly and monthly reports the scheduler makes for leaders: made once each, frozen,
delivered unread to every active province-level leader, read per leader.

"Now" is pinned by the job's own `now` parameter, as every scheduler job of the project takes it:
Wednesday 9 December 2026, 10:00 in Vietnam. The last full week is then Monday 30 November to
Sunday 6 December, the last full month November 2026.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from api.auth import service as auth
from api.citizens.service import get_citizen
from api.dashboard import service
from api.dashboard.models import LeaderReport, LeaderReportDelivery
from api.extensions import db
from api.reports import service as reports
from api.scheduler import JOBS_BY_NAME
from api.unit_of_work import transaction
from api.workdays import VIETNAM
from tests.dashboard.conftest import DEMO_WARD, assert_problem, sign_in

NOW = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Vietnam
WEEK = (date(2026, 11, 30), date(2026, 12, 6))
MONTH = (date(2026, 11, 1), date(2026, 11, 30))


def vn(year, month, day, hour=9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=VIETNAM)


def make_reports(app, now=NOW) -> int:
    with app.app_context():
        try:
            with transaction():  # as the scheduler runs every job (api/scheduler.py)
                return service.make_periodic_reports(now)
        finally:
            db.session.remove()


def stored_reports(app) -> list[tuple[str, date, date, str]]:
    with app.app_context():
        return [
            (r.kind, r.period_from, r.period_to, r.title)
            for r in db.session.scalars(
                select(LeaderReport).order_by(LeaderReport.period_from, LeaderReport.kind)
            )
        ]


def delivered_to(app) -> set[uuid.UUID]:
    with app.app_context():
        return set(db.session.scalars(select(LeaderReportDelivery.staff_id).distinct()))


@pytest.fixture
def seeded(app, file_dossier, make_citizen):
    """A dossier filed in the week (2 December) and a report sent in the month (15 November)."""
    person = make_citizen()["id"]
    file_dossier(person, "khai-sinh", vn(2026, 12, 2))
    with app.app_context():
        reports.submit(
            get_citizen(person),
            {
                "category": "o-ga",
                "description": "Ổ gà lớn giữa đường, xe máy dễ ngã.",
                "address": "45 Y Wang",
                "ward_code": DEMO_WARD,
            },
            now=vn(2026, 11, 15, 10),
        )
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
        db.session.remove()
    return person


def test_the_job_is_scheduled_hourly():
    job = JOBS_BY_NAME["dashboard.periodic_reports"]
    assert job.function == "api.dashboard.service:make_periodic_reports"
    assert job.every_seconds == 3600


def test_last_week_and_last_month_are_made_once(app, leader, make_staff):
    second = make_staff("leader", ward_code=None)
    make_staff("leader", ward_code=DEMO_WARD)  # ward-bound: a province-wide report is not theirs
    make_staff("officer")
    gone = make_staff("leader", ward_code=None)
    admin = make_staff("admin", ward_code=None)
    with app.app_context():
        auth.deactivate_staff_account(admin["id"], auth.require_staff(gone["id"]))
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
        db.session.remove()

    assert make_reports(app) == 2
    assert make_reports(app) == 0  # the hourly job runs again: nothing new
    assert stored_reports(app) == [
        ("monthly", *MONTH, "Báo cáo tháng 11/2026"),
        ("weekly", *WEEK, "Báo cáo tuần 30/11–06/12/2026"),
    ]
    assert delivered_to(app) == {leader["id"], second["id"]}

    # The next week: one more weekly report, November's stays the only monthly one.
    assert make_reports(app, datetime(2026, 12, 15, 3, 0, tzinfo=UTC)) == 1
    assert [report[:3] for report in stored_reports(app)] == [
        ("monthly", *MONTH),
        ("weekly", *WEEK),
        ("weekly", date(2026, 12, 7), date(2026, 12, 13)),
    ]
    # A new month: December's report (and the week of 28 December that spans two years).
    assert make_reports(app, datetime(2027, 1, 5, 3, 0, tzinfo=UTC)) == 2
    titles = [report[3] for report in stored_reports(app)]
    assert "Báo cáo tháng 12/2026" in titles
    assert "Báo cáo tuần 28/12/2026–03/01/2027" in titles


def test_a_report_keeps_its_figures_as_they_were(app, client, leader, seeded, file_dossier):
    make_reports(app)
    listed = client.get("/leader/reports", headers=leader["headers"])
    weekly_id = next(item["id"] for item in listed.json if item["kind"] == "weekly")
    monthly_id = next(item["id"] for item in listed.json if item["kind"] == "monthly")

    weekly = client.get(f"/leader/reports/{weekly_id}", headers=leader["headers"]).json
    assert weekly["figures"]["period"] == {
        "from": "2026-11-30",
        "to": "2026-12-06",
        "ward_code": None,
        "ward_name": None,
    }
    assert weekly["figures"]["dossiers"]["received"] == 1
    assert weekly["figures"]["reports"]["received"] == 0
    monthly = client.get(f"/leader/reports/{monthly_id}", headers=leader["headers"]).json
    assert monthly["figures"]["reports"]["received"] == 1
    assert monthly["figures"]["reports"]["by_category"] == [
        {"code": "o-ga", "name": "Ổ gà, hư hỏng mặt đường", "count": 1}
    ]
    assert len(monthly["figures"]["dossiers"]["by_day"]) == 30

    # A dossier of that week entered late: the dashboard counts it, the report does not.
    file_dossier(seeded, "khai-sinh", vn(2026, 12, 3))
    live = client.get("/leader/dashboard?from=2026-11-30&to=2026-12-06", headers=leader["headers"]).json
    assert live["dossiers"]["received"] == 2
    again = client.get(f"/leader/reports/{weekly_id}", headers=leader["headers"]).json
    assert again["figures"]["dossiers"]["received"] == 1

    exported = client.get(f"/leader/reports/{weekly_id}/export?format=csv", headers=leader["headers"])
    assert exported.status_code == 200
    assert (
        exported.headers["Content-Disposition"] == 'attachment; filename="bao-cao-2026-11-30-2026-12-06.csv"'
    )
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert ["Hồ sơ thủ tục hành chính", "Hồ sơ tiếp nhận", "1"] in rows
    xlsx = client.get(f"/leader/reports/{weekly_id}/export?format=xlsx", headers=leader["headers"])
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")  # a zip: the xlsx container


def test_unread_and_read_are_per_leader(app, client, leader, make_staff, staff_headers):
    other = make_staff("leader", ward_code=None)
    other_headers = sign_in(client, other)
    make_reports(app)

    def unread(headers) -> int:
        answer = client.get("/leader/reports/unread", headers=headers)
        assert answer.status_code == 200
        return answer.json["unread"]

    listed = client.get("/leader/reports", headers=leader["headers"])
    assert listed.status_code == 200
    assert [(item["kind"], item["period_to"], item["read"]) for item in listed.json] == [
        ("weekly", "2026-12-06", False),
        ("monthly", "2026-11-30", False),
    ]
    assert listed.json[0]["title"] == "Báo cáo tuần 30/11–06/12/2026"
    assert listed.json[0]["generated_at"].endswith("+07:00")
    assert '"total": 2' in listed.headers["X-Pagination"]
    assert unread(leader["headers"]) == unread(other_headers) == 2

    opened = client.get(f"/leader/reports/{listed.json[0]['id']}", headers=leader["headers"])
    assert opened.status_code == 200 and opened.json["read"] is True
    assert unread(leader["headers"]) == 1
    assert unread(other_headers) == 2  # the other leader has read nothing
    relisted = client.get("/leader/reports", headers=leader["headers"]).json
    assert [item["read"] for item in relisted] == [True, False]
    client.get(f"/leader/reports/{listed.json[0]['id']}", headers=leader["headers"])  # twice: still one
    assert unread(leader["headers"]) == 1

    # An admin was delivered nothing: nothing is unread, every report can be opened.
    admin, _ = staff_headers("admin")
    assert unread(admin) == 0
    assert [item["read"] for item in client.get("/leader/reports", headers=admin).json] == [True, True]
    assert client.get(f"/leader/reports/{listed.json[1]['id']}", headers=admin).status_code == 200
    assert unread(other_headers) == 2


def test_a_ward_leader_gets_no_province_wide_report(app, client, ward_leader, leader):
    make_reports(app)
    report_id = client.get("/leader/reports", headers=leader["headers"]).json[0]["id"]
    assert client.get("/leader/reports", headers=ward_leader["headers"]).json == []
    assert client.get("/leader/reports/unread", headers=ward_leader["headers"]).json == {"unread": 0}
    for url in (f"/leader/reports/{report_id}", f"/leader/reports/{report_id}/export?format=csv"):
        assert_problem(client.get(url, headers=ward_leader["headers"]), 403, "ward_forbidden")


def test_unknown_reports_and_formats_are_refused(app, client, leader):
    make_reports(app)
    report_id = client.get("/leader/reports", headers=leader["headers"]).json[0]["id"]
    missing = uuid.uuid4()
    assert_problem(
        client.get(f"/leader/reports/{missing}", headers=leader["headers"]), 404, "report_not_found"
    )
    assert_problem(
        client.get(f"/leader/reports/{missing}/export?format=csv", headers=leader["headers"]),
        404,
        "report_not_found",
    )
    assert_problem(
        client.get(f"/leader/reports/{report_id}/export?format=docx", headers=leader["headers"]),
        422,
        "bad_format",
    )
    # Refusals read nothing: the report is still unread.
    assert client.get("/leader/reports/unread", headers=leader["headers"]).json == {"unread": 2}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LeaderReport)) == 2
