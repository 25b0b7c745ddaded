"""FAQ entries: comms staff manage them, versioned and audited; bad input changes nothing."""

from __future__ import annotations

from content.models import FaqEntry, FaqVersion
from tests.conftest import assert_problem
from tests.content.conftest import audit_count, if_match, rows

ENTRY = {
    "key": "vneid_otp",
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

    url = "/staff/content/faq/vneid_otp"
    edited = client.patch(
        url,
        headers=if_match(reviewer["headers"], url, 1),
        json={"questions": [*ENTRY["questions"], "vneid không gửi mã OTP"]},
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["version"] == 2 and len(edited.json["questions"]) == 3

    stale = client.patch(url, headers=if_match(writer["headers"], url, 1), json={"answer": "Câu trả lời cũ."})
    assert stale.status_code == 412 and stale.json["code"] == "precondition_failed"
    assert client.get(url, headers=writer["headers"]).json["answer"] == ENTRY["answer"]

    versions = client.get(f"{url}/versions", headers=writer["headers"]).json
    assert [(v["version"], v["change"]) for v in versions] == [(2, "edited"), (1, "created")]
    assert versions[1]["content"]["questions"] == ENTRY["questions"]
    assert audit_count(app, "content.faq_created") == 1 and audit_count(app, "content.faq_edited") == 1

    deactivated = client.patch(url, headers=if_match(writer["headers"], url, 2), json={"active": False})
    assert deactivated.json["active"] is False
    assert client.get("/content/faq").json == []
    assert [
        e["key"] for e in client.get("/staff/content/faq?active=false", headers=writer["headers"]).json
    ] == ["vneid_otp"]


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
    assert [e["key"] for e in everything] == ["hotline_hours", "vneid_otp"]
    assert everything[1]["question"] == ENTRY["questions"][0]
    assert [e["key"] for e in client.get("/content/faq?q=TỔNG ĐÀI").json] == ["hotline_hours"]
    assert [e["key"] for e in client.get("/content/faq?category=vneid").json] == ["vneid_otp"]


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
    assert asked_elsewhere.json["code"] == "duplicate_question" and asked_elsewhere.json["key"] == "vneid_otp"
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
                "/staff/content/faq/vneid_otp",
                headers=if_match(headers, "/staff/content/faq/vneid_otp", 1),
                json={"active": False},
            ).status_code
            == 403
        )
    assert client.get("/staff/content/faq/khong_co", headers=writer["headers"]).status_code == 404


def test_control_and_invisible_characters_are_refused(app, client, writer):
    """They would make `faq-export` write training data Rasa cannot read."""
    for fields, field in (
        ({"questions": ["kích hoạt\x07 VNeID", "kich hoat vneid"]}, "questions.0"),
        ({"questions": ["kích hoạt VNeID", "kich hoat\x1b vneid"]}, "questions.1"),
        ({"questions": ["kích hoạt\u200b VNeID", "kich hoat vneid"]}, "questions.0"),  # zero width
        ({"answer": "Mở ứng dụng\u2029VNeID."}, "answer"),  # a line break to YAML
        ({"answer": "Mở ứng dụng\x07 VNeID."}, "answer"),
        ({"answer": "Mở ứng dụng\x1b[31m VNeID."}, "answer"),
        ({"answer": "Mở\ufeff ứng dụng VNeID."}, "answer"),
    ):
        body = assert_problem(_create(client, writer, **fields), 422, "validation_failed")
        messages = {error["field"]: error["messages"] for error in body["errors"]}
        assert field in messages and "ký tự điều khiển" in messages[field][0], body
    assert rows(app, FaqEntry) == 0

    # Line breaks (paragraphs) and a pasted Windows line end in an answer are fine.
    created = _create(client, writer, answer="Dòng một.\r\nDòng hai.\n\n\tDòng ba.")
    assert created.status_code == 201, created.json
    assert created.json["answer"] == "Dòng một.\nDòng hai.\n\nDòng ba."
    edited = client.patch(
        "/staff/content/faq/vneid_otp",
        headers=if_match(writer["headers"], "/staff/content/faq/vneid_otp", 1),
        json={"answer": "Mới\x00."},
    )
    assert_problem(edited, 422, "validation_failed")
    assert client.get("/staff/content/faq/vneid_otp", headers=writer["headers"]).json["version"] == 1


def test_a_key_the_chatbots_tests_need_cannot_be_deactivated(app, client, writer):
    required = _create(client, writer, key="hotline_hours", category="khac")
    assert required.status_code == 201
    url = "/staff/content/faq/hotline_hours"
    refused = client.patch(url, headers=if_match(writer["headers"], url, 1), json={"active": False})
    body = assert_problem(refused, 409, "faq_key_required")
    assert "hotline_hours" in body["detail"] and "trợ lý ảo" in body["detail"]
    kept = client.get(url, headers=writer["headers"]).json
    assert kept["active"] is True and kept["version"] == 1
    assert audit_count(app, "content.faq_edited") == 0
    # It can still be corrected.
    edited = client.patch(
        url, headers=if_match(writer["headers"], url, 1), json={"answer": "Tổng đài 1900 0368."}
    )
    assert edited.status_code == 200 and edited.json["version"] == 2
