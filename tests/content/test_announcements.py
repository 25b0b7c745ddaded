"""Internal announcements: comms write to staff by role and ward; staff read what was addressed to
them; comms see how many have read it. Refusals and bad input change nothing."""

from __future__ import annotations

import json
import uuid

import pytest

from api.auth import service as auth
from api.extensions import db
from content.models import Announcement, AnnouncementRecipient
from tests.content.conftest import OTHER_WARD_SAME_PROVINCE, audit_count, rows

NOTICE = {
    "title": "Lịch trực Tết Nguyên đán",
    "body": "Bộ phận một cửa trực từ 8:00 đến 11:00 các ngày mùng 4 và mùng 5.\nCán bộ đăng ký ca trực trước thứ Sáu.",
}


@pytest.fixture
def sign_in(client, make_staff):
    """A staff account of `role` (at `ward_code`), signed in: {id, headers}."""

    def factory(role: str, ward_code: str = "24133"):
        user = make_staff(role, ward_code=ward_code)
        response = client.post(
            "/auth/staff/login", json={"username": user["username"], "password": user["password"]}
        )
        assert response.status_code == 200, response.json
        return {
            "id": str(user["id"]),
            "headers": {"Authorization": f"Bearer {response.json['access_token']}"},
        }

    return factory


def publish(client, comms, **fields):
    response = client.post("/comms/announcements", headers=comms["headers"], json={**NOTICE, **fields})
    assert response.status_code == 201, response.json
    return response.json


def inbox(client, who, query: str = ""):
    response = client.get(f"/staff/announcements{query}", headers=who["headers"])
    assert response.status_code == 200, response.json
    return response.json


def unread(client, who) -> dict:
    response = client.get("/staff/announcements/unread", headers=who["headers"])
    assert response.status_code == 200, response.json
    return response.json


def test_an_announcement_to_officers_reaches_them_only_and_comms_see_it_read(app, client, sign_in):
    comms = sign_in("comms")
    officers = [sign_in("officer"), sign_in("officer")]
    police = sign_in("police")

    sent = publish(client, comms, roles=["officer"])
    assert sent["recipients"] == 2
    assert sent["read"] == 0
    assert sent["audience"] == {"roles": ["officer"], "ward_code": None, "label": "Cán bộ một cửa"}
    assert sent["importance"] == "normal"
    assert sent["created_by_name"] == "Cán bộ comms"
    assert audit_count(app, "announcement.published") == 1

    # Each officer has it, unread, with the text as written (line break kept).
    for officer in officers:
        assert unread(client, officer) == {"unread": 1, "important": 0}
        [item] = inbox(client, officer)
        assert item["id"] == sent["id"]
        assert item["body"] == NOTICE["body"]
        assert item["read"] is False
        assert item["read_at"] is None
        assert item["author_name"] == "Cán bộ comms"

    # The police officer and the author are not in the audience: nothing listed, 404 by id.
    for outsider in (police, comms):
        assert inbox(client, outsider) == []
        assert unread(client, outsider) == {"unread": 0, "important": 0}
        for method, path in (("get", ""), ("post", "/read")):
            response = getattr(client, method)(
                f"/staff/announcements/{sent['id']}{path}", headers=outsider["headers"]
            )
            assert response.status_code == 404
            assert response.json["code"] == "announcement_not_found"

    # Reading it (GET) does not count; opening it (POST …/read) does, once.
    first = officers[0]
    assert client.get(f"/staff/announcements/{sent['id']}", headers=first["headers"]).json["read"] is False
    opened = client.post(f"/staff/announcements/{sent['id']}/read", headers=first["headers"])
    assert opened.status_code == 200
    assert opened.json["read"] is True
    again = client.post(f"/staff/announcements/{sent['id']}/read", headers=first["headers"])
    assert again.json["read_at"] == opened.json["read_at"]
    assert unread(client, first) == {"unread": 0, "important": 0}
    assert unread(client, officers[1]) == {"unread": 1, "important": 0}

    # Comms see that one of the two has read it, in the list and on its own.
    [listed] = client.get("/comms/announcements", headers=comms["headers"]).json
    assert (listed["recipients"], listed["read"]) == (2, 1)
    one = client.get(f"/comms/announcements/{sent['id']}", headers=comms["headers"]).json
    assert (one["recipients"], one["read"]) == (2, 1)


def test_a_ward_narrows_the_audience_and_no_roles_means_every_staff_member(app, client, sign_in):
    comms = sign_in("comms")
    here = sign_in("officer")
    elsewhere = sign_in("officer", ward_code=OTHER_WARD_SAME_PROVINCE)
    police_here = sign_in("police")
    province_admin = sign_in("admin", ward_code=None)
    locked = sign_in("agent")
    with app.app_context():
        user = auth.get_staff(uuid.UUID(locked["id"]))
        user.active = False
        db.session.commit()

    ward_notice = publish(
        client, comms, title="Họp giao ban phường", roles=["officer", "police"], ward_code="24133"
    )
    assert ward_notice["recipients"] == 2
    assert ward_notice["audience"]["label"] == "Cán bộ một cửa, Công an · Phường Buôn Ma Thuột"
    assert [item["title"] for item in inbox(client, here)] == ["Họp giao ban phường"]
    assert [item["title"] for item in inbox(client, police_here)] == ["Họp giao ban phường"]
    assert inbox(client, elsewhere) == []
    assert inbox(client, province_admin) == []

    everyone = publish(client, comms, title="Bảo trì hệ thống tối thứ Bảy", importance="important")
    # Every active account, the author's own included; the locked one is not addressed.
    assert everyone["recipients"] == 5
    assert everyone["audience"] == {"roles": None, "ward_code": None, "label": "Mọi cán bộ"}
    with app.app_context():
        addressed = set(
            db.session.scalars(
                db.select(AnnouncementRecipient.staff_id).where(
                    AnnouncementRecipient.announcement_id == uuid.UUID(everyone["id"])
                )
            )
        )
    assert uuid.UUID(locked["id"]) not in addressed
    # Newest first; the important one counted apart and found by the filters.
    assert [item["title"] for item in inbox(client, here)] == [
        "Bảo trì hệ thống tối thứ Bảy",
        "Họp giao ban phường",
    ]
    assert unread(client, here) == {"unread": 2, "important": 1}
    important = inbox(client, here, "?unread=true&importance=important")
    assert [item["importance_name"] for item in important] == ["Quan trọng"]
    client.post(f"/staff/announcements/{everyone['id']}/read", headers=here["headers"])
    assert inbox(client, here, "?unread=true&importance=important") == []
    assert [item["title"] for item in inbox(client, here, "?unread=false")] == [
        "Bảo trì hệ thống tối thứ Bảy"
    ]


def test_the_lists_are_paged(client, sign_in):
    comms = sign_in("comms")
    officer = sign_in("officer")
    for n in range(3):
        publish(client, comms, title=f"Thông báo số {n + 1}", roles=["officer"])
    response = client.get("/staff/announcements?page_size=2", headers=officer["headers"])
    assert [item["title"] for item in response.json] == ["Thông báo số 3", "Thông báo số 2"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    response = client.get("/comms/announcements?page_size=2&page=2", headers=comms["headers"])
    assert [item["title"] for item in response.json] == ["Thông báo số 1"]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": "   "}, "title", "validation_failed"),
        ({"title": ""}, "title", "validation_failed"),
        ({"body": "x" * 5001}, "body", "validation_failed"),
        ({"body": "Có ký tự ẩn\u200b ở đây"}, "body", "validation_failed"),
        ({"roles": ["officer", "mayor"]}, "roles.1", "validation_failed"),
        ({"roles": []}, "roles", "validation_failed"),
        ({"importance": "urgent"}, "importance", "validation_failed"),
        ({"ward_code": "2413"}, "ward_code", "validation_failed"),
        ({"send_to": "everyone"}, "send_to", "validation_failed"),
        ({"ward_code": "99999"}, "ward_code", "unknown_ward"),
        ({"roles": ["leader"]}, "roles", "audience_empty"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_saved(app, client, sign_in, fields, field, code):
    comms = sign_in("comms")
    sign_in("officer")
    response = client.post("/comms/announcements", headers=comms["headers"], json={**NOTICE, **fields})
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json["code"] == code
    assert field in {error["field"] for error in response.json["errors"]}, response.json
    assert rows(app, Announcement) == 0
    assert rows(app, AnnouncementRecipient) == 0
    assert audit_count(app, "announcement.published") == 0


def test_who_may_do_what(client, sign_in, citizen_headers):
    comms = sign_in("comms")
    admin = sign_in("admin")
    officer = sign_in("officer")
    # An admin may write to staff too.
    sent = publish(client, admin, roles=["comms"])
    assert sent["recipients"] == 1
    assert client.get("/comms/announcements", headers=comms["headers"]).status_code == 200

    # Other staff neither write nor see what was sent and who read it.
    refused = client.post("/comms/announcements", headers=officer["headers"], json=NOTICE)
    assert refused.status_code == 403
    assert refused.json["code"] == "forbidden"
    assert client.get("/comms/announcements", headers=officer["headers"]).status_code == 403
    assert client.get(f"/comms/announcements/{sent['id']}", headers=officer["headers"]).status_code == 403

    # Citizens have no staff inbox; nobody signed out does.
    citizen, _, _ = citizen_headers()
    assert client.get("/staff/announcements", headers=citizen).status_code == 403
    assert client.post("/comms/announcements", headers=citizen, json=NOTICE).status_code == 403
    assert client.get("/staff/announcements/unread").status_code == 401
    assert client.get(f"/comms/announcements/{uuid.uuid4()}", headers=comms["headers"]).status_code == 404


def test_the_old_console_address_leads_to_the_workspace(client):
    for path in ("/comms/console", "/comms/console/", "/comms/console/console.js"):
        response = client.get(path)
        assert response.status_code == 308
        assert response.headers["Location"].endswith("/workspace/comms")
