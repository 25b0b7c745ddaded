"""Issuing notices: an officer, the camera feed one record at a time or in batches; bad input changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from api.fines.models import FineNotice
from api.workdays import VIETNAM
from tests.fines.conftest import assert_problem, events, notice_body, snapshot


def test_police_issue_a_notice_the_owner_hears_about(app, client, police, owner):
    body = notice_body(owner["cccd"], plate="47a 123 45", source_ref=None)
    response = client.post("/police/fines", headers=police, json=body)
    assert response.status_code == 201, response.json
    fine = response.json
    assert fine["plate"] == "47A-123.45"
    assert fine["status"] == "issued" and fine["status_name"] == "Chờ xác nhận"
    assert fine["source"] == "police"
    assert fine["source_ref"] == f"police:{body['notice_number']}"
    assert fine["owner_cccd"] == owner["cccd"]
    assert fine["owner_citizen_id"] == str(owner["id"])
    assert fine["violation"]["legal_reference"] == "Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP"
    assert fine["issued_by"].startswith("staff:")
    # 10 calendar days from the decision (today, in Vietnam).
    today = datetime.now(VIETNAM).date()
    assert fine["deadline"] == (today + timedelta(days=10)).isoformat()
    assert fine["days_left"] == 10 and fine["overdue"] is False
    [event] = events(app, "fine.issued")
    assert str(event.recipient) == str(owner["id"])
    assert event.payload["plate"] == "47A-123.45" and event.payload["amount_vnd"] == 18_000_000
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "fine.issue")
        ).actor.startswith("staff:")


def test_the_camera_feed_sends_notices_with_its_machine_account(app, client, feed, owner):
    body = notice_body(
        owner["cccd"], violated_at="2025-06-01T08:30:00", decided_at="2025-06-03T09:00:00+07:00"
    )
    response = client.post("/police/fines", headers=feed, json=body)
    assert response.status_code == 201, response.json
    assert response.json["source"] == "camera"
    assert response.json["issued_by"].startswith("service:")
    # A time without an offset is Vietnam's time.
    assert response.json["violated_at"] == "2025-06-01T08:30:00+07:00"
    assert response.json["deadline"] == "2025-06-13"
    assert response.json["overdue"] is True

    again = client.post("/police/fines", headers=feed, json=body)
    assert again.status_code == 200
    assert again.json["id"] == response.json["id"]
    assert len(events(app, "fine.issued")) == 1


def test_an_owner_without_an_account_yet_gets_one_when_they_first_look(app, client, police, make_citizen):
    from api.citizens import cccd

    future_number = cccd.build("066", "male", date(1985, 3, 2), 424242)
    response = client.post("/police/fines", headers=police, json=notice_body(future_number))
    assert response.status_code == 201
    assert response.json["owner_citizen_id"] is None
    [event] = events(app, "fine.issued")
    assert event.recipient is None


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [("officer", 403, "forbidden"), ("agent", 403, "forbidden"), ("admin", 403, "forbidden")],
)
def test_only_police_issue(app, client, staff_headers, owner, role, status, code):
    headers, _ = staff_headers(role)
    before = snapshot(app)
    assert_problem(
        client.post("/police/fines", headers=headers, json=notice_body(owner["cccd"])), status, code
    )
    assert snapshot(app) == before


def test_citizens_and_other_machines_cannot_issue(app, client, owner):
    from api.auth import service

    with app.app_context():
        service.create_service_account("chatbot", "Chatbot", ["fines:read"], "secret-of-the-chatbot-0123")
        db.session.commit()
    token = client.post(
        "/auth/service/token", json={"client_id": "chatbot", "client_secret": "secret-of-the-chatbot-0123"}
    )
    chatbot = {"Authorization": f"Bearer {token.json['access_token']}"}
    before = snapshot(app)
    assert_problem(
        client.post("/police/fines", headers=owner["headers"], json=notice_body(owner["cccd"])),
        403,
        "forbidden",
    )
    assert_problem(
        client.post("/police/fines", headers=chatbot, json=notice_body(owner["cccd"])), 403, "forbidden"
    )
    assert_problem(client.post("/police/fines", json=notice_body(owner["cccd"])), 401, "token_missing")
    assert snapshot(app) == before


def _future() -> str:
    return (datetime.now(UTC) + timedelta(hours=2)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"amount_vnd": 18_000_000.0}, "amount_vnd", "số nguyên"),
        ({"amount_vnd": 18_000_000.5}, "amount_vnd", "số nguyên"),
        ({"amount_vnd": True}, "amount_vnd", "số nguyên"),
        ({"amount_vnd": "18000000"}, "amount_vnd", "số nguyên"),
        ({"amount_vnd": -5}, "amount_vnd", "lớn hơn 0"),
        ({"amount_vnd": 0}, "amount_vnd", "lớn hơn 0"),
        ({"amount_vnd": 1_000_000}, "amount_vnd", "ngoài khung phạt"),
        ({"amount_vnd": 25_000_000}, "amount_vnd", "ngoài khung phạt"),
        ({"violation_code": "vuot-den-vang"}, "violation_code", "không có trong danh mục"),
        ({"plate": "47-A"}, "plate", "không đúng dạng"),
        ({"plate": "47B1-123.45"}, "plate", "biển xe mô tô"),
        ({"vehicle_kind": "motorbike"}, "vehicle_kind", "dành cho ô tô"),
        ({"owner_cccd": "12345"}, "owner_cccd", "12 chữ số"),
        ({"owner_cccd": "999090123456"}, "owner_cccd", "không tồn tại"),
        ({"violated_at": "hôm qua"}, "violated_at", "ISO 8601"),
        ({"violated_at": None}, "violated_at", "bắt buộc"),
        ({"place": ""}, "place", "Độ dài phải từ 1"),
        ({"ward_code": "99999"}, "ward_code", "không có trong danh mục"),
        ({"evidence": ["javascript:alert(1)"]}, "evidence.0", "http(s)"),
        ({"evidence": ["../../etc/passwd"]}, "evidence.0", "http(s)"),
        ({"evidence": ["documents/ai-do/giay-to.jpg"]}, "evidence.0", "fines/evidence/"),
        ({"evidence": [f"fines/evidence/{i}.jpg" for i in range(11)]}, "evidence", "Tối đa 10"),
        ({"notice_number": "<script>"}, "notice_number", "chỉ gồm"),
        ({"source": "facebook"}, "source", "camera, police"),
        ({"ghi_chu": "thêm"}, "ghi_chu", "không được phép"),
    ],
)
def test_bad_notices_are_refused_field_by_field_and_change_nothing(
    app, client, police, owner, overrides, field, says
):
    body = notice_body(owner["cccd"])
    body.update(overrides)
    body = {key: value for key, value in body.items() if value is not None}
    before = snapshot(app)
    problem = assert_problem(
        client.post("/police/fines", headers=police, json=body), 422, "validation_failed"
    )
    messages = {error["field"]: " ".join(error["messages"]) for error in problem["errors"]}
    assert field in messages, problem
    if says:
        assert says in messages[field]
    assert snapshot(app) == before


def test_violations_in_the_future_are_refused(app, client, police, owner):
    before = snapshot(app)
    problem = assert_problem(
        client.post("/police/fines", headers=police, json=notice_body(owner["cccd"], violated_at=_future())),
        422,
        "validation_failed",
    )
    assert problem["errors"][0]["field"] == "violated_at"
    assert "tương lai" in problem["errors"][0]["messages"][0]
    late_decision = notice_body(
        owner["cccd"], violated_at="2025-06-02T08:00:00+07:00", decided_at="2025-06-01T08:00:00+07:00"
    )
    problem = assert_problem(
        client.post("/police/fines", headers=police, json=late_decision), 422, "validation_failed"
    )
    assert problem["errors"][0]["field"] == "decided_at"
    assert snapshot(app) == before


def test_a_notice_number_is_used_once(app, client, police, owner, issue):
    first = issue()
    before = snapshot(app)
    clash = notice_body(owner["cccd"], notice_number=first["notice_number"], source_ref="other-system-1")
    problem = assert_problem(
        client.post("/police/fines", headers=police, json=clash), 409, "notice_number_taken"
    )
    assert problem["errors"][0]["field"] == "notice_number"
    assert snapshot(app) == before


def test_a_resent_notice_updates_it_only_while_the_citizen_has_not_acted(app, client, police, owner):
    body = notice_body(owner["cccd"])
    first = client.post("/police/fines", headers=police, json=body).json
    corrected = client.post("/police/fines", headers=police, json={**body, "amount_vnd": 19_000_000})
    assert corrected.status_code == 200
    assert corrected.json["amount_vnd"] == 19_000_000 and corrected.json["id"] == first["id"]

    assert client.post(f"/me/fines/{first['id']}/confirm", headers=owner["headers"]).status_code == 200
    before = snapshot(app)
    problem = assert_problem(
        client.post("/police/fines", headers=police, json={**body, "amount_vnd": 20_000_000}),
        409,
        "fine_locked",
    )
    assert "huỷ" in problem["detail"]
    assert snapshot(app) == before
    # Sending exactly what is stored is still fine: the feed may repeat itself.
    assert (
        client.post("/police/fines", headers=police, json={**body, "amount_vnd": 19_000_000}).status_code
        == 200
    )


def test_malformed_bodies_are_problems(app, client, police):
    before = snapshot(app)
    response = client.post(
        "/police/fines", headers={**police, "Content-Type": "application/json"}, data="{not json"
    )
    assert_problem(response, 400, "malformed_json")
    assert_problem(
        client.post("/police/fines", headers=police, data="x=1", content_type="text/plain"),
        415,
        "unsupported_media_type",
    )
    assert snapshot(app) == before


# ---- the batch endpoint -------------------------------------------------------------------------


def test_a_batch_stores_the_good_rows_and_explains_the_bad_ones(app, client, feed, owner):
    good = [notice_body(owner["cccd"]) for _ in range(3)]
    bad_amount = notice_body(owner["cccd"], amount_vnd=1)
    bad_plate = notice_body(owner["cccd"], plate="ABC")
    rows = [good[0], bad_amount, good[1], bad_plate, "không phải đối tượng", good[2]]
    # A list element that is not an object makes the request itself malformed.
    before = snapshot(app)
    response = client.post("/police/fines/batch", headers=feed, json=rows)
    assert_problem(response, 422, "validation_failed")
    assert snapshot(app) == before

    rows = [good[0], bad_amount, good[1], bad_plate, good[2]]
    report = client.post("/police/fines/batch", headers=feed, json=rows)
    assert report.status_code == 200, report.json
    assert {k: report.json[k] for k in ("received", "created", "updated", "unchanged", "rejected")} == {
        "received": 5,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
    }
    rejects = {r["row"]: r for r in report.json["rejects"]}
    assert set(rejects) == {2, 4}
    assert rejects[2]["source_ref"] == bad_amount["source_ref"]
    assert rejects[2]["errors"][0]["field"] == "amount_vnd"
    assert "ngoài khung phạt" in rejects[2]["errors"][0]["messages"][0]
    assert rejects[4]["errors"][0]["field"] == "plate"
    assert len(events(app, "fine.issued")) == 3
    with app.app_context():
        assert {f.source for f in db.session.scalars(select(FineNotice))} == {"camera"}


def test_sending_the_same_batch_twice_adds_nothing(app, client, feed, owner):
    rows = [notice_body(owner["cccd"]) for _ in range(4)]
    first = client.post("/police/fines/batch", headers=feed, json=rows).json
    assert first["created"] == 4
    second = client.post("/police/fines/batch", headers=feed, json=rows).json
    assert (second["created"], second["unchanged"], second["rejected"]) == (0, 4, 0)
    rows[0]["amount_vnd"] = 19_500_000
    third = client.post("/police/fines/batch", headers=feed, json=rows).json
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 3)
    with app.app_context():
        assert len(db.session.scalars(select(FineNotice)).all()) == 4
    assert len(events(app, "fine.issued")) == 4


def test_a_batch_repeating_one_record_stores_it_once(app, client, feed, owner):
    row = notice_body(owner["cccd"])
    report = client.post("/police/fines/batch", headers=feed, json=[row, row]).json
    assert (report["created"], report["unchanged"]) == (1, 1)


def test_a_batch_must_be_a_list_of_reasonable_size(app, client, feed, owner, monkeypatch):
    from api.fines import service

    assert_problem(
        client.post("/police/fines/batch", headers=feed, json={"rows": []}), 422, "validation_failed"
    )
    monkeypatch.setattr(service, "MAX_BATCH_ROWS", 2)
    rows = [notice_body(owner["cccd"]) for _ in range(3)]
    before = snapshot(app)
    assert_problem(client.post("/police/fines/batch", headers=feed, json=rows), 413, "batch_too_large")
    assert snapshot(app) == before
    empty = client.post("/police/fines/batch", headers=feed, json=[])
    assert empty.status_code == 200 and empty.json["received"] == 0
