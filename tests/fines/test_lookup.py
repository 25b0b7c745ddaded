"""The public plate lookup: anyone may ask, and learns only what is safe to tell a stranger."""

from __future__ import annotations

import pytest

from tests.fines.conftest import assert_problem, notice_body


@pytest.fixture
def three_notices(client, police, owner, issue):
    speeding = issue(
        plate="47A-123.45",
        violation_code="oto-qua-toc-do-10-20",
        amount_vnd=5_000_000,
        violated_at="2025-06-01T08:30:00+07:00",
        decided_at="2025-06-02T09:00:00+07:00",
    )
    red_light = issue(plate="47A12345")
    cancelled = issue(plate="47a 123 45", violation_code="oto-do-xe-noi-cam", amount_vnd=900_000)
    assert (
        client.post(
            f"/police/fines/{cancelled['id']}/cancel", headers=police, json={"reason": "Nhầm biển số"}
        ).status_code
        == 200
    )
    issue(plate="47B1-123.45", violation_code="xe-may-vuot-den-do", amount_vnd=4_000_000)  # another vehicle
    return speeding, red_light, cancelled


@pytest.mark.parametrize("typed", ["47A-123.45", "47a12345", "47A 123 45", "47a-123.45"])
def test_anyone_finds_a_plates_fines_however_they_type_it(client, three_notices, typed):
    response = client.get("/fines/lookup", query_string={"plate": typed})
    assert response.status_code == 200
    result = response.json
    assert result["plate"] == "47A-123.45"
    assert result["count"] == 2  # the cancelled one and the motorbike's are not shown
    by_violation = {fine["violation_code"]: fine for fine in result["fines"]}
    assert set(by_violation) == {"oto-qua-toc-do-10-20", "oto-vuot-den-do"}
    first = by_violation["oto-qua-toc-do-10-20"]
    assert first["violation"] == "Chạy quá tốc độ quy định từ 10 km/h đến 20 km/h"
    assert first["violated_on"] == "2025-06-01"
    assert first["area"] == "Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"
    assert first["amount_vnd"] == 5_000_000
    assert first["status_name"] == "Chờ xác nhận"
    assert first["deadline"] == "2025-06-12" and first["overdue"] is True
    assert first["source_name"].startswith("Cảnh sát")
    assert first["synced_at"]
    assert "VNeID" in result["note"]


def test_the_lookup_tells_a_stranger_nothing_personal(client, owner, three_notices):
    speeding, _, _ = three_notices
    response = client.get("/fines/lookup?plate=47A12345")
    text = response.get_data(as_text=True)
    assert owner["cccd"] not in text
    assert str(owner["id"]) not in text
    assert speeding["id"] not in text
    assert speeding["notice_number"] not in text
    assert "camera.congan" not in text and "fines/evidence" not in text  # evidence images
    assert "Lê Duẩn" not in text  # the exact place
    assert "08:30" not in text  # the exact time
    [fine] = [f for f in response.json["fines"] if f["violation_code"] == "oto-qua-toc-do-10-20"]
    assert set(fine) == {
        "notice_number",
        "plate",
        "vehicle_kind",
        "vehicle_kind_name",
        "violation_code",
        "violation",
        "violated_on",
        "area",
        "amount_vnd",
        "status",
        "status_name",
        "deadline",
        "overdue",
        "source",
        "source_name",
        "synced_at",
    }
    # The number is masked: enough for the owner to recognise their paper.
    sequence, suffix = speeding["notice_number"].split("/", 1)
    assert fine["notice_number"] == f"***{sequence[-2:]}/{suffix}"


def test_a_plate_without_fines_answers_an_empty_list(client):
    response = client.get("/fines/lookup?plate=47A-999.99")
    assert response.status_code == 200
    assert response.json["count"] == 0 and response.json["fines"] == []


@pytest.mark.parametrize("typed", ["47-A", "ABC", "10A-123.45", "47I-123.45", "x" * 31])
def test_a_malformed_plate_is_a_problem_with_a_stable_code(client, typed):
    problem = client.get("/fines/lookup", query_string={"plate": typed})
    if len(typed) > 30:
        assert_problem(problem, 422, "validation_failed")
        return
    body = assert_problem(problem, 422, "invalid_plate")
    assert body["errors"][0]["field"] == "plate"
    assert "47A-123.45" in body["detail"] or "Mã tỉnh" in body["detail"] or "sê-ri" in body["detail"].lower()


def test_the_plate_is_required(client):
    body = assert_problem(client.get("/fines/lookup"), 422, "validation_failed")
    assert body["errors"][0]["field"] == "query.plate"


def test_the_lookup_is_rate_limited_per_address(make_app, owner):
    limited = make_app(RATELIMIT_PUBLIC_LOOKUP="3 per minute")
    client = limited.test_client()
    statuses = [client.get("/fines/lookup?plate=47A12345").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/fines/lookup?plate=47A12345")
    assert_problem(refused, 429, "rate_limited")
    assert int(refused.headers["Retry-After"]) > 0
    # Per address: someone else is still served.
    other = client.get("/fines/lookup?plate=47A12345", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_the_owner_sees_the_full_notice_only_through_their_account(client, owner, three_notices):
    _, red_light, _ = three_notices
    response = client.get(f"/me/fines/{red_light['id']}", headers=owner["headers"])
    assert response.status_code == 200
    assert len(response.json["evidence"]) == len(notice_body(owner["cccd"])["evidence"])
