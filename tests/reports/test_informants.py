"""Informant protection: encrypted identity, police-only audited reads, anonymous reports."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text

from api.extensions import db
from api.reports.models import Report
from tests.reports.conftest import (
    assert_problem,
    audit_entries,
    events,
    jpeg_bytes,
    report_body,
    snapshot,
    upload,
)

CRIME = {"category": "ma-tuy", "description": "Có người bán ma tuý ở quán nước đầu hẻm vào buổi tối."}


def _raw_row(app, report_id: str) -> dict:
    with app.app_context():
        row = (
            db.session.execute(text("SELECT * FROM reports WHERE id = :id"), {"id": uuid.UUID(report_id).hex})
            .mappings()
            .first()
        )
        if row is None:  # PostgreSQL stores UUIDs natively
            row = (
                db.session.execute(text("SELECT * FROM reports WHERE id = :id"), {"id": uuid.UUID(report_id)})
                .mappings()
                .first()
            )
        db.session.remove()
        return dict(row)


def test_a_crime_report_keeps_no_reporter_in_clear(client, app, reporter):
    response = client.post("/me/reports", headers=reporter["headers"], json=report_body(**CRIME))
    assert response.status_code == 201
    report_id = response.json["report"]["id"]
    row = _raw_row(app, report_id)
    assert row["citizen_id"] is None
    flat = " ".join(str(value) for value in row.values())
    assert reporter["cccd"] not in flat and "Nguyễn Thị Hoa" not in flat and str(reporter["id"]) not in flat
    assert row["identity"] and row["reporter_key"]
    # The reporter still finds and follows it.
    assert [r["id"] for r in client.get("/me/reports", headers=reporter["headers"]).json] == [report_id]
    assert client.get(f"/me/reports/{report_id}", headers=reporter["headers"]).status_code == 200
    # And is told about it (the outbox must know whom to notify), without what was reported.
    [event] = events(app, "report.received")
    assert str(event.recipient) == str(reporter["id"])
    assert "ma tuý ở quán" not in str(event.payload)


def test_the_police_read_the_identity_and_each_read_is_audited(client, app, reporter, police):
    report_id = client.post("/me/reports", headers=reporter["headers"], json=report_body(**CRIME)).json[
        "report"
    ]["id"]
    detail = client.get(f"/staff/reports/{report_id}", headers=police).json
    assert detail["has_identity"] is True and reporter["cccd"] not in str(detail)
    response = client.post(
        f"/staff/reports/{report_id}/identity",
        headers=police,
        json={"reason": "Xác minh tin báo, vụ việc số 12/2025"},
    )
    assert response.status_code == 200, response.json
    assert response.json["cccd"] == reporter["cccd"] and response.json["full_name"] == "Nguyễn Thị Hoa"
    [entry] = audit_entries(app, "report.identity_read")
    assert entry.target == f"report:{report_id}" and entry.detail["reason"].startswith("Xác minh")


def test_identity_reads_need_a_reason_and_the_police_role(client, app, reporter, police, officer, admin):
    report_id = client.post("/me/reports", headers=reporter["headers"], json=report_body(**CRIME)).json[
        "report"
    ]["id"]
    before = snapshot(app)
    url = f"/staff/reports/{report_id}/identity"
    assert_problem(client.post(url, headers=police, json={"reason": "xem"}), 422, "reason_required")
    assert_problem(client.post(url, headers=police, json={}), 422, "validation_failed")
    assert_problem(
        client.post(url, headers=officer, json={"reason": "Xác minh tin báo số 1"}), 403, "forbidden"
    )
    assert_problem(
        client.post(url, headers=admin, json={"reason": "Xác minh tin báo số 1"}), 403, "forbidden"
    )
    assert snapshot(app) == before
    assert audit_entries(app, "report.identity_read") == []


def test_an_anonymous_report_stores_no_identity_and_is_followed_by_its_token(client, app, reporter):
    response = client.post(
        "/me/reports", headers=reporter["headers"], json=report_body(anonymous=True, **CRIME)
    )
    assert response.status_code == 201
    token = response.json["tracking_token"]
    report_id = response.json["report"]["id"]
    assert token and "Location" not in response.headers
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.id == uuid.UUID(report_id)))
        assert (report.identity, report.citizen_id, report.reporter_key) == (None, None, None)
        assert token not in (report.tracking_token_hash or "")
        db.session.remove()
    assert all(event.recipient is None for event in events(app))
    assert client.get("/me/reports", headers=reporter["headers"]).json == []
    tracked = client.get(f"/reports/track/{token}")
    assert (
        tracked.status_code == 200 and tracked.json["id"] == report_id and tracked.json["anonymous"] is True
    )
    assert_problem(client.get("/reports/track/not-the-token"), 404, "report_not_found")
    # Evidence can still be added, with the token standing for ownership.
    media = upload(client, f"/reports/track/{token}/media", reporter["headers"], jpeg_bytes())
    assert media.status_code == 201


def test_the_police_cannot_read_an_anonymous_reporter(client, app, reporter, police):
    body = report_body(anonymous=True, **CRIME)
    report_id = client.post("/me/reports", headers=reporter["headers"], json=body).json["report"]["id"]
    response = client.post(
        f"/staff/reports/{report_id}/identity", headers=police, json={"reason": "Xác minh tin báo số 7"}
    )
    assert_problem(response, 404, "identity_not_available")
    assert audit_entries(app, "report.identity_read") == []


def test_the_tracking_lookup_is_rate_limited(client, app, reporter):
    app.config["RATELIMIT_PUBLIC_LOOKUP"] = "3 per minute"
    try:
        statuses = [client.get(f"/reports/track/guess-number-{n}").status_code for n in range(5)]
    finally:
        app.config["RATELIMIT_PUBLIC_LOOKUP"] = "1000 per minute"
    assert statuses[:3] == [404, 404, 404] and statuses[-1] == 429
