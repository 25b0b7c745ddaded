"""Submitting a report: location, time, category, anonymity rules, media by content, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.workdays import add_working_days, local_date
from tests.conftest import DEMO_WARD
from tests.reports.conftest import (
    assert_problem,
    events,
    jpeg_bytes,
    mp4_bytes,
    png_bytes,
    report_body,
    snapshot,
    stored_files,
    upload,
)


def test_categories_are_public_with_unit_deadline_and_emergency_number(client):
    response = client.get("/reports/categories")
    assert response.status_code == 200
    by_code = {c["code"]: c for c in response.json}
    assert by_code["ma-tuy"]["is_crime"] and by_code["ma-tuy"]["unit"] == "police"
    assert by_code["ma-tuy"]["emergency"]["number"] == "113"
    assert by_code["den-duong-hong"]["unit"] == "ward" and by_code["den-duong-hong"]["emergency"] is None
    assert by_code["den-duong-hong"]["anonymous_allowed"] is False
    assert {c["group"] for c in response.json} == {
        "an_ninh",
        "giao_thong",
        "moi_truong",
        "ha_tang",
        "trat_tu",
    }


def test_a_field_report_is_received_with_a_working_day_deadline(client, app, reporter):
    response = client.post("/me/reports", headers=reporter["headers"], json=report_body())
    assert response.status_code == 201, response.json
    report = response.json["report"]
    assert report["status"] == "received" and report["status_name"] == "Đã tiếp nhận"
    assert report["deadline"] == add_working_days(local_date(datetime.now(UTC)), 7).isoformat()
    assert report["category"]["code"] == "o-ga" and report["ward"]["code"] == DEMO_WARD
    assert response.json["emergency"] is None and response.json["tracking_token"] is None
    assert response.headers["Location"].endswith(report["id"])
    mine = client.get("/me/reports", headers=reporter["headers"]).json
    assert [r["id"] for r in mine] == [report["id"]]
    [event] = events(app, "report.received")
    assert str(event.recipient) == str(reporter["id"])


def test_an_urgent_category_answers_with_the_emergency_number(client, reporter):
    response = client.post(
        "/me/reports",
        headers=reporter["headers"],
        json=report_body(
            category="co-y-gay-thuong-tich", description="Có nhóm người đang đánh nhau trước quán."
        ),
    )
    assert response.status_code == 201
    emergency = response.json["emergency"]
    assert emergency["number"] == "113"
    assert "Nếu đang nguy hiểm, hãy gọi ngay 113" in emergency["message"]


def test_an_address_and_ward_without_coordinates_is_enough(client, reporter):
    response = client.post(
        "/me/reports", headers=reporter["headers"], json=report_body(latitude=None, longitude=None)
    )
    assert response.status_code == 201
    assert response.json["report"]["latitude"] is None


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"latitude": 35.68, "longitude": 139.69}, 422, "outside_vietnam"),
        ({"latitude": None, "longitude": None, "address": None}, 422, "location_required"),
        ({"latitude": 12.6, "longitude": None}, 422, "coordinates_incomplete"),
        ({"ward_code": None}, 422, "ward_required"),
        ({"ward_code": "99999"}, 422, "unknown_ward"),
        ({"category": "bay-ufo"}, 422, "unknown_category"),
        ({"incident_at": (datetime.now(UTC) + timedelta(hours=3)).isoformat()}, 422, "incident_in_future"),
        ({"anonymous": True}, 422, "anonymity_not_allowed"),
        ({"description": "hỏng"}, 422, "description_too_short"),
        ({"password": "x"}, 422, "validation_failed"),
        ({"latitude": "12.6"}, 422, "validation_failed"),
        ({"anonymous": "maybe"}, 422, "validation_failed"),
        ({"description": 42}, 422, "validation_failed"),
    ],
)
def test_bad_submissions_are_refused_and_nothing_is_written(client, app, reporter, overrides, status, code):
    before = snapshot(app)
    body = report_body(**overrides)
    if overrides.get("latitude", 0) is None:
        body.pop("latitude", None)
    response = client.post("/me/reports", headers=reporter["headers"], json=body)
    assert_problem(response, status, code)
    assert snapshot(app) == before


def test_the_body_size_is_limited(client, app, reporter):
    before = snapshot(app)
    response = client.post(
        "/me/reports", headers=reporter["headers"], json=report_body(description="x" * 2_000_000)
    )
    assert response.status_code == 413
    assert snapshot(app) == before


def test_vietnamese_text_is_stored_nfc(client, reporter):
    decomposed = "Đèn đường hỏng ở ngõ nhỏ".encode().decode()
    import unicodedata

    nfd = unicodedata.normalize("NFD", decomposed)
    response = client.post("/me/reports", headers=reporter["headers"], json=report_body(description=nfd))
    assert response.json["report"]["description"] == unicodedata.normalize("NFC", nfd)


def test_only_a_citizen_may_submit(client, officer):
    assert_problem(client.post("/me/reports", json=report_body()), 401, "token_missing")
    assert client.post("/me/reports", headers=officer, json=report_body()).status_code == 403


# ---- media --------------------------------------------------------------------------------


def test_photos_and_a_video_are_accepted_by_content(client, app, reporter, submit):
    report = submit()["report"]
    files_before = stored_files(app)
    url = f"/me/reports/{report['id']}/media"
    jpeg = upload(client, url, reporter["headers"], jpeg_bytes())
    png = upload(client, url, reporter["headers"], png_bytes(), "anh.png", "image/png")
    video = upload(client, url, reporter["headers"], mp4_bytes(), "clip.mp4", "video/mp4")
    assert (jpeg.status_code, png.status_code, video.status_code) == (201, 201, 201), video.json
    assert [jpeg.json["content_type"], png.json["content_type"], video.json["content_type"]] == [
        "image/jpeg",
        "image/png",
        "video/mp4",
    ]
    shown = client.get(f"/me/reports/{report['id']}", headers=reporter["headers"]).json
    assert len(shown["media"]) == 3
    content = client.get(f"{url}/{jpeg.json['id']}", headers=reporter["headers"])
    assert content.status_code == 200 and content.data == jpeg_bytes()
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert stored_files(app) == files_before + 3


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "status", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "anh.jpg", "image/jpeg", 415, "unsupported_file_type"),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "clip.mp4", "video/mp4", 415, "unsupported_file_type"),
        (jpeg_bytes(), "anh.png", "image/png", 415, "unsupported_file_type"),
        (png_bytes(), "anh.png", "video/mp4", 415, "unsupported_file_type"),
        (jpeg_bytes()[:60], "anh.jpg", "image/jpeg", 422, "file_corrupt"),
        (mp4_bytes()[:40], "clip.mp4", "video/mp4", 422, "file_corrupt"),
        (b"", "anh.jpg", "image/jpeg", 422, "file_missing"),
    ],
)
def test_disguised_or_broken_files_are_refused_with_nothing_written(
    client, app, reporter, submit, data, filename, content_type, status, code
):
    report = submit()["report"]
    before = snapshot(app)
    response = upload(
        client, f"/me/reports/{report['id']}/media", reporter["headers"], data, filename, content_type
    )
    assert_problem(response, status, code)
    assert snapshot(app) == before


def test_an_oversized_file_is_refused_with_nothing_written(client, app, reporter, submit):
    report = submit()["report"]
    app.config["REPORT_MEDIA_MAX_BYTES"] = 4096
    try:
        before = snapshot(app)
        big = jpeg_bytes(size=(800, 600)) + bytes(10_000)
        response = upload(client, f"/me/reports/{report['id']}/media", reporter["headers"], big)
        assert_problem(response, 413, "file_too_large")
        assert snapshot(app) == before
    finally:
        app.config["REPORT_MEDIA_MAX_BYTES"] = 20 * 1024 * 1024


def test_at_most_n_files_per_report(client, app, reporter, submit):
    report = submit()["report"]
    app.config["REPORT_MEDIA_MAX_FILES"] = 2
    try:
        url = f"/me/reports/{report['id']}/media"
        for color in ((1, 2, 3), (4, 5, 6)):
            assert upload(client, url, reporter["headers"], jpeg_bytes(color=color)).status_code == 201
        before = snapshot(app)
        assert_problem(upload(client, url, reporter["headers"], jpeg_bytes()), 409, "too_many_media")
        assert snapshot(app) == before
    finally:
        app.config["REPORT_MEDIA_MAX_FILES"] = 5


def test_another_citizens_report_is_not_found(client, app, submit, stranger):
    report = submit()["report"]
    assert_problem(
        client.get(f"/me/reports/{report['id']}", headers=stranger["headers"]), 404, "report_not_found"
    )
    before = snapshot(app)
    response = upload(client, f"/me/reports/{report['id']}/media", stranger["headers"], jpeg_bytes())
    assert_problem(response, 404, "report_not_found")
    assert snapshot(app) == before
    assert client.get("/me/reports", headers=stranger["headers"]).json == []
