"""FAQ entries: comms staff manage them, versioned and audited; bad input changes nothing."""

from __future__ import annotations

from content.models import FaqEntry, FaqVersion
from tests.content.conftest import audit_count, rows

ENTRY = {
    "key": "vneid_activation",
    "questions": ["kích hoạt tài khoản VNeID như thế nào", "kich hoat vneid kieu gi"],
    "answer": "Mở ứng dụng VNeID, chọn kích hoạt tài khoản.\nNhập số định danh cá nhân và số điện thoại.",
    "category": "vneid",
}


def _create(client, who, **fields):
    return client.post("/staff/content/faq", headers=who["headers"], json={**ENTRY, **fields})


def test_create_read_edit_and_versions(app, client, writer, reviewer):
    created = _create(client, writer)
    assert created.status_code == 201, created.json
    assert created.json["version"] == 1 and created.json["active"] is True
    assert created.json["answer"].split("\n")[1] == "Nhập số định danh cá nhân và số điện thoại."

    url = "/staff/content/faq/vneid_activation"
    edited = client.patch(
        url,
        headers=reviewer["headers"],
        json={"questions": [*ENTRY["questions"], "vneid không gửi mã OTP"], "version": 1},
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["version"] == 2 and len(edited.json["questions"]) == 3

    stale = client.patch(url, headers=writer["headers"], json={"answer": "Câu trả lời cũ.", "version": 1})
    assert stale.status_code == 409 and stale.json["code"] == "version_conflict"
    assert client.get(url, headers=writer["headers"]).json["answer"] == ENTRY["answer"]

    versions = client.get(f"{url}/versions", headers=writer["headers"]).json
    assert [(v["version"], v["change"]) for v in versions] == [(2, "edited"), (1, "created")]
    assert versions[1]["content"]["questions"] == ENTRY["questions"]
    assert audit_count(app, "content.faq_created") == 1 and audit_count(app, "content.faq_edited") == 1

    deactivated = client.patch(url, headers=writer["headers"], json={"active": False, "version": 2})
    assert deactivated.json["active"] is False
    assert client.get("/content/faq").json == []
    assert [
        e["key"] for e in client.get("/staff/content/faq?active=false", headers=writer["headers"]).json
    ] == ["vneid_activation"]


def test_the_public_faq_shows_active_entries_with_accent_insensitive_search(client, writer):
    _create(client, writer)
    _create(
        client,
        writer,
        key="hotline_hours",
        questions=["số tổng đài hỗ trợ là gì", "tong dai lam viec may gio"],
        answer="Tổng đài 1900 0368.",
        category="khac",
    )
    everything = client.get("/content/faq").json
    assert [e["key"] for e in everything] == ["hotline_hours", "vneid_activation"]
    assert everything[1]["question"] == ENTRY["questions"][0]
    assert [e["key"] for e in client.get("/content/faq?q=TỔNG ĐÀI").json] == ["hotline_hours"]
    assert [e["key"] for e in client.get("/content/faq?category=vneid").json] == ["vneid_activation"]


def test_bad_entries_are_refused_and_change_nothing(app, client, writer):
    cases = [
        ({"questions": ["chỉ một cách hỏi"]}, "questions", "validation_failed"),
        ({"questions": ["câu hỏi giống nhau", "Câu hỏi giống nhau"]}, "questions.1", "duplicate_question"),
        ({"answer": "   "}, "answer", "validation_failed"),
        ({"answer": ""}, "answer", "validation_failed"),
        ({"answer": "x" * 4001}, "answer", "validation_failed"),
        ({"questions": ["y" * 301, "câu thứ hai"]}, "questions.0", "validation_failed"),
        ({"questions": ["[VNeID](app) là gì", "câu thứ hai"]}, "questions.0", "validation_failed"),
        ({"key": "Kích hoạt"}, "key", "validation_failed"),
        ({"category": "thoi-tiet"}, "category", "validation_failed"),
        ({"questions": "không phải danh sách"}, "questions", "validation_failed"),
        ({"surprise": True}, "surprise", "validation_failed"),
    ]
    for fields, field, code in cases:
        response = _create(client, writer, **fields)
        assert response.status_code == 422, (fields, response.json)
        assert response.json["code"] == code, response.json
        assert field in [e["field"] for e in response.json["errors"]], response.json
    assert rows(app, FaqEntry) == rows(app, FaqVersion) == 0

    assert _create(client, writer).status_code == 201
    duplicate = _create(client, writer)
    assert duplicate.status_code == 409 and duplicate.json["code"] == "faq_key_taken"
    asked_elsewhere = _create(
        client, writer, key="other_key", questions=["KICH HOAT VNeID kiểu gì", "câu khác hẳn"]
    )
    assert asked_elsewhere.status_code == 422
    assert (
        asked_elsewhere.json["code"] == "duplicate_question"
        and asked_elsewhere.json["key"] == "vneid_activation"
    )
    assert rows(app, FaqEntry) == 1


def test_only_comms_staff_manage_the_faq(client, staff_headers, citizen_headers, writer):
    _create(client, writer)
    officer, _ = staff_headers("officer")
    citizen, _, _ = citizen_headers()
    for headers in (officer, citizen):
        assert (
            client.post("/staff/content/faq", headers=headers, json={**ENTRY, "key": "x_key"}).status_code
            == 403
        )
        assert (
            client.patch(
                "/staff/content/faq/vneid_activation", headers=headers, json={"active": False, "version": 1}
            ).status_code
            == 403
        )
    assert client.get("/staff/content/faq/khong_co", headers=writer["headers"]).status_code == 404
