"""FCM topics: each device token follows its citizen's topics (everybody, identity level,
province, ward) through firebase-admin's subscribe_to_topic / unsubscribe_from_topic, against
tests/fcm_server.py, which keeps the subscriptions; urgent broadcasts go to a topic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from notifications import fcm as push
from notifications import service
from notifications.models import Device, PushTopicChange
from tests.notifications.conftest import token

OTHER_WARD = "24121"  # another ward of Đắk Lắk (province 66)
HOME = {"role-citizen", "role-verified", "province-66", "ward-24133"}


def _pending(app, value=None):
    with app.app_context():
        statement = select(PushTopicChange.topic, PushTopicChange.subscribe)
        if value:
            statement = statement.where(PushTopicChange.token == value)
        return sorted(db.session.execute(statement).all())


def test_a_registered_device_is_subscribed_to_its_citizens_topics(app, client, fcm, citizen_headers):
    headers, _, _ = citizen_headers()
    value = token()
    response = client.put("/me/devices", headers=headers, json={"token": value, "platform": "android"})
    assert response.status_code == 201
    assert fcm.subscribed(value) == HOME
    assert _pending(app) == []  # FCM confirmed everything
    with app.app_context():
        assert set(db.session.scalar(select(Device.topics))) == HOME
    # A refresh with nothing changed asks FCM nothing more.
    before = len(fcm.topic_requests)
    client.put("/me/devices", headers=headers, json={"token": value, "platform": "android"})
    assert len(fcm.topic_requests) == before


def test_a_phone_handed_to_a_citizen_of_another_ward_moves_topics(app, client, fcm, citizen_headers):
    first, _, _ = citizen_headers()
    second, _, _ = citizen_headers(ward_code=OTHER_WARD, identity_level=1)
    value = token()
    client.put("/me/devices", headers=first, json={"token": value, "platform": "ios"})
    client.put("/me/devices", headers=second, json={"token": value, "platform": "ios"})
    assert fcm.subscribed(value) == {"role-citizen", "role-unverified", "province-66", f"ward-{OTHER_WARD}"}


def test_a_deleted_device_leaves_its_topics(app, client, fcm, citizen_headers):
    headers, _, _ = citizen_headers()
    value = token()
    device = client.put("/me/devices", headers=headers, json={"token": value, "platform": "web"}).json
    assert client.delete(f"/me/devices/{device['id']}", headers=headers).status_code == 204
    assert fcm.subscribed(value) == set() and _pending(app) == []


def test_fcm_down_does_not_fail_a_registration_and_the_job_subscribes_later(
    app, client, fcm, citizen_headers
):
    headers, _, _ = citizen_headers()
    value = token()
    fcm.topics_default = "unavailable"
    response = client.put("/me/devices", headers=headers, json={"token": value, "platform": "android"})
    assert response.status_code == 201  # registered all the same: pushes to the token work
    assert fcm.subscribed(value) == set()
    assert {topic for topic, subscribe in _pending(app, value) if subscribe} == HOME
    fcm.topics_default = "ok"
    with app.app_context():
        assert service.drop_stale_devices() == 0  # the daily job sends what is still queued
        db.session.remove()
    assert fcm.subscribed(value) == HOME and _pending(app) == []


def test_a_stale_device_is_unsubscribed_and_dropped(app, fcm, make_citizen):
    person = make_citizen()
    value = token("stale")
    now = utcnow()
    with app.app_context():
        service.register_device(person["id"], value, "android", now=now - timedelta(days=31))
        assert fcm.subscribed(value) == HOME
        assert service.drop_stale_devices(now=now) == 1
        db.session.remove()
    assert fcm.subscribed(value) == set() and _pending(app) == []


def test_an_uninstalled_apps_token_is_not_kept_in_the_queue(app, client, fcm, citizen_headers):
    headers, _, _ = citizen_headers()
    value = token()
    fcm.script(value, "unregistered")  # FCM no longer knows the token
    assert (
        client.put("/me/devices", headers=headers, json={"token": value, "platform": "ios"}).status_code
        == 201
    )
    assert _pending(app, value) == []


def test_an_urgent_broadcast_goes_to_a_wards_topic(app, client, fcm, citizen_headers):
    inside = [citizen_headers()[0] for _ in range(2)]
    outside, _, _ = citizen_headers(ward_code=OTHER_WARD)
    tokens = []
    for headers in inside:
        tokens.append(token())
        client.put("/me/devices", headers=headers, json={"token": tokens[-1], "platform": "android"})
    client.put("/me/devices", headers=outside, json={"token": token("out"), "platform": "android"})
    with app.app_context():
        result = push.send_to_topic(
            push.ward_topic("24133"),
            "Cảnh báo lũ quét",
            "Mưa lớn trong đêm: người dân ven suối di chuyển lên vùng cao.",
            data={"deep_link": "congdanso://news/canh-bao-lu"},
        )
        assert result.ok
        with pytest.raises(ApiError):  # the same text limits as every push
            push.send_to_topic(push.ward_topic("24133"), "x" * 66, "Nội dung")
    [sent] = fcm.topic_messages
    assert sent["topic"] == "ward-24133" and sorted(sent["reached"]) == sorted(tokens)
    assert sent["message"]["notification"]["title"] == "Cảnh báo lũ quét"
