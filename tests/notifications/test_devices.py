"""Devices: a citizen registers, lists and deletes only their own phones' tokens; hygiene."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.dbtypes import utcnow
from api.extensions import db
from api.scheduler import JOBS_BY_NAME
from notifications import service
from notifications.models import Device
from tests.notifications.conftest import token


def _count(app, **filters) -> int:
    with app.app_context():
        statement = select(func.count()).select_from(Device)
        for key, value in filters.items():
            statement = statement.where(getattr(Device, key) == value)
        return db.session.scalar(statement)


def test_put_registers_then_refreshes_the_same_device(app, client, citizen_headers):
    headers, _, _ = citizen_headers(identity_level=1)
    value = token()
    first = client.put(
        "/me/devices", json={"token": value, "platform": "android", "app_version": "2.4.1"}, headers=headers
    )
    assert first.status_code == 201, first.json
    assert first.json["token_hint"] == "…" + value[-6:] and value not in first.get_data(as_text=True)
    again = client.put(
        "/me/devices", json={"token": value, "platform": "android", "app_version": "2.5.0"}, headers=headers
    )
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert again.json["app_version"] == "2.5.0"
    listed = client.get("/me/devices", headers=headers).json
    assert [d["id"] for d in listed] == [first.json["id"]]
    assert _count(app) == 1
    with app.app_context():
        device = db.session.scalar(select(Device))
        # Area copied from the citizen's ward (Phường Buôn Ma Thuột, Đắk Lắk), for its topics.
        assert (device.province_code, device.ward_code) == ("66", "24133")
        assert device.topics == []  # push is off here: nothing to subscribe (tests/.../test_topics.py)


def test_a_token_moves_to_the_citizen_who_signed_in_last(app, client, citizen_headers):
    first_headers, _, _ = citizen_headers()
    second_headers, second, _ = citizen_headers()
    value = token()
    client.put("/me/devices", json={"token": value, "platform": "ios"}, headers=first_headers)
    moved = client.put("/me/devices", json={"token": value, "platform": "ios"}, headers=second_headers)
    assert moved.status_code == 200
    assert client.get("/me/devices", headers=first_headers).json == []
    assert len(client.get("/me/devices", headers=second_headers).json) == 1
    assert _count(app, citizen_id=second["id"]) == 1 and _count(app) == 1


def test_delete_own_device_and_not_someone_elses(app, client, citizen_headers):
    mine, _, _ = citizen_headers()
    theirs, _, _ = citizen_headers()
    my_id = client.put("/me/devices", json={"token": token(), "platform": "web"}, headers=mine).json["id"]
    their_id = client.put("/me/devices", json={"token": token(), "platform": "android"}, headers=theirs).json[
        "id"
    ]
    refused = client.delete(f"/me/devices/{their_id}", headers=mine)
    assert refused.status_code == 404 and refused.json["code"] == "device_not_found"
    assert _count(app) == 2
    assert client.delete(f"/me/devices/{uuid.uuid4()}", headers=mine).status_code == 404
    assert client.delete(f"/me/devices/{my_id}", headers=mine).status_code == 204
    assert client.get("/me/devices", headers=mine).json == []
    assert len(client.get("/me/devices", headers=theirs).json) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "android"},
        {"token": token(), "platform": "blackberry"},
        {"token": "short", "platform": "android"},
        {"token": "có dấu và khoảng trắng " * 3, "platform": "android"},
        {"token": "a" * 513, "platform": "android"},
        {"token": 12345678901234567890123, "platform": "android"},
        {"token": token(), "platform": "android", "app_version": "<script>"},
        {"token": token(), "platform": "android", "locale": "vietnamese"},
        {"token": token(), "platform": "android", "citizen_id": str(uuid.uuid4())},
    ],
)
def test_bad_device_input_is_refused_and_changes_nothing(app, client, citizen_headers, body):
    headers, _, _ = citizen_headers()
    response = client.put("/me/devices", json=body, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json" and response.json["code"]
    assert _count(app) == 0


def test_devices_need_a_signed_in_citizen(client, staff_headers):
    assert client.get("/me/devices").status_code == 401
    assert client.put("/me/devices", json={"token": token(), "platform": "android"}).status_code == 401
    headers, _ = staff_headers("comms")
    assert (
        client.put("/me/devices", json={"token": token(), "platform": "android"}, headers=headers).status_code
        == 403
    )


def test_huge_body_is_refused(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    body = '{"token": "' + "a" * (2 * 1024 * 1024) + '", "platform": "android"}'
    response = client.put("/me/devices", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 413
    assert _count(app) == 0


def test_stale_devices_are_dropped_by_the_scheduler_job(app, make_citizen):
    person = make_citizen()
    now = utcnow()
    with app.app_context():
        fresh, _ = service.register_device(
            person["id"], token("fresh"), "android", now=now - timedelta(days=29)
        )
        service.register_device(person["id"], token("stale"), "ios", now=now - timedelta(days=31))
        fresh_id = fresh.id
        assert service.drop_stale_devices(now=now) == 1
        assert [d.id for d in service.list_devices(person["id"])] == [fresh_id]
    assert JOBS_BY_NAME["notifications.stale_devices"].function == "notifications.service:drop_stale_devices"
