"""notifications/fcm.py: firebase-admin's real send_each against a local FCM v1 endpoint."""

from __future__ import annotations

import re
import unicodedata

import pytest

from api.errors import ApiError
from notifications import fcm as push
from tests.conftest import free_port
from tests.notifications.conftest import token


def _items(*tokens, **kwargs):
    return [
        push.PushItem(t, "Hồ sơ đã được duyệt", "Hồ sơ HS-01 đã được phê duyệt.", **kwargs) for t in tokens
    ]


def test_each_fcm_answer_becomes_a_result_in_order(app, fcm):
    ok, gone, bad, quota, unavailable, internal, mismatch = (token(x) for x in "abcdefg")
    fcm.script(gone, "unregistered")
    fcm.script(bad, "invalid_token")
    fcm.script(quota, "quota")
    fcm.script(unavailable, "unavailable")
    fcm.script(internal, "internal")
    fcm.script(mismatch, "sender_mismatch")
    with app.app_context():
        results = push.send_batch(_items(ok, gone, bad, quota, unavailable, internal, mismatch))
    summary = [(r.token, r.ok, r.error_code, r.retryable, r.token_dead) for r in results]
    assert summary == [
        (ok, True, None, False, False),
        (gone, False, "UNREGISTERED", False, True),
        (bad, False, "INVALID_TOKEN", False, True),
        (quota, False, "QUOTA_EXCEEDED", True, False),
        (unavailable, False, "UNAVAILABLE", True, False),
        (internal, False, "INTERNAL", True, False),
        # Keeps the token: a wrong project id must not delete every citizen's token.
        (mismatch, False, "SENDER_ID_MISMATCH", False, False),
    ]
    # FCM's Retry-After reaches the caller for its backoff.
    assert results[3].retry_after == fcm.retry_after
    # One request per message; 5xx is not retried inside the call (the outbox retries).
    assert fcm.counts["internal"] == 1 and fcm.counts["unavailable"] == 1


def test_the_message_carries_text_data_and_bearer_token(app, fcm):
    target = token()
    with app.app_context():
        [result] = push.send_batch(
            _items(target, data={"deep_link": "congdanso://dossiers/HS-01"}, image_url="https://x.vn/a.png")
        )
    assert result.ok
    [received] = fcm.received
    message = received["message"]
    assert message["token"] == target
    assert message["notification"] == {
        "title": "Hồ sơ đã được duyệt",
        "body": "Hồ sơ HS-01 đã được phê duyệt.",
        "image": "https://x.vn/a.png",
    }
    assert message["data"] == {"deep_link": "congdanso://dossiers/HS-01"}


def test_endpoint_down_is_retryable_for_every_item(app):
    port = free_port()  # nobody listens: connection refused
    app.config.update(FCM_ENDPOINT=f"http://127.0.0.1:{port}", FCM_PROJECT_ID="congdanso-test")
    try:
        with app.app_context():
            results = push.send_batch(_items(token(), token()))
    finally:
        app.config.update(FCM_ENDPOINT="", FCM_PROJECT_ID="")
    assert [(r.ok, r.error_code, r.retryable) for r in results] == [(False, "UNAVAILABLE", True)] * 2


def test_oversized_payload_and_empty_token_are_refused_before_sending(app, fcm):
    with app.app_context():
        results = push.send_batch(
            [push.PushItem(token(), "Tiêu đề", "x", data={"blob": "ạ" * 2000}), push.PushItem("", "a", "b")]
        )
    assert [(r.ok, r.error_code, r.retryable) for r in results] == [
        (False, "PAYLOAD_TOO_LARGE", False),
        (False, "INVALID_TOKEN", False),
    ]
    assert fcm.received == []


def test_more_than_500_items_is_a_programming_error(app, fcm):
    with app.app_context(), pytest.raises(ValueError):
        push.send_batch(_items(*[token() for _ in range(501)]))


def test_push_is_off_without_credentials_and_ready_says_so(app, client, tmp_path):
    with app.app_context():
        assert push.push_enabled() is False
    body = client.get("/ready").json
    assert client.get("/ready").status_code == 200
    assert body["dependencies"]["push"]["state"] == "off"
    assert body["dependencies"]["push"]["required"] is False
    app.config["GOOGLE_APPLICATION_CREDENTIALS"] = str(tmp_path / "missing.json")
    try:
        with app.app_context():
            assert push.push_enabled() is False
        assert client.get("/ready").json["dependencies"]["push"]["state"] == "off"
    finally:
        app.config["GOOGLE_APPLICATION_CREDENTIALS"] = ""


def test_ready_reports_push_on_with_the_endpoint(client, fcm):
    state = client.get("/ready").json["dependencies"]["push"]
    assert state["state"] == "ok" and fcm.url in state["detail"]


@pytest.mark.parametrize(
    ("title", "body", "code"),
    [
        ("", "Nội dung", "notification_title_required"),
        ("   ", "Nội dung", "notification_title_required"),
        ("Tiêu đề", "", "notification_body_required"),
        ("Đ" * 66, "Nội dung", "notification_title_too_long"),
        ("Tiêu đề", "ư" * 241, "notification_body_too_long"),
        (None, "Nội dung", "notification_title_required"),
        (12, "Nội dung", "notification_title_required"),
    ],
)
def test_validate_text_refuses_empty_and_oversized_text(title, body, code):
    with pytest.raises(ApiError) as caught:
        push.validate_text(title, body)
    assert caught.value.status == 422 and caught.value.code == code
    assert any(ch in caught.value.detail for ch in "ếốữạ")  # Vietnamese message


def test_validate_text_normalises_and_accepts_the_limits():
    title, body = push.validate_text("  Đ" + "a" * 64 + " ", "ư" * 240)
    assert len(title) == 65 and len(body) == 240
    assert push.validate_text(unicodedata.normalize("NFD", "Thông báo"), "b")[0] == "Thông báo"


def test_topic_names_are_valid_fcm_topics():
    names = [
        push.province_topic("66"),
        push.ward_topic("24133"),
        push.role_topic("citizen"),
        push.role_topic("verified"),
        push.ward_topic("24 133+"),
    ]
    assert names == ["province-66", "ward-24133", "role-citizen", "role-verified", "ward-24_133_"]
    assert all(re.fullmatch(r"[a-zA-Z0-9\-_.~%]+", name) for name in names)
