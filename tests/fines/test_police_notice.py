"""The police's page of one notice (audited), with who issued and cancelled it by name."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.auth import service as auth
from api.extensions import db
from tests.conftest import DEMO_WARD, STAFF_PASSWORD
from tests.fines.conftest import assert_problem, notice_body


def test_the_police_open_one_notice_and_the_read_is_audited(app, client, police, owner, issue):
    issued = issue()
    response = client.get(f"/police/fines/{issued['id']}", headers=police)
    assert response.status_code == 200, response.json
    notice = response.json
    assert (notice["id"], notice["owner_cccd"], notice["status_name"]) == (
        issued["id"],
        owner["cccd"],
        "Chờ xác nhận",
    )
    assert [item["url"] for item in notice["evidence"]] == [
        f"/police/fines/{issued['id']}/evidence/{item['id']}" for item in notice["evidence"]
    ]
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "fine.read")).all()
        assert entry.target == f"fine:{issued['id']}" and entry.actor.startswith("staff:")
    assert_problem(client.get(f"/police/fines/{uuid.uuid4()}", headers=police), 404, "fine_not_found")


@pytest.mark.parametrize("role", ["officer", "admin", "agent"])
def test_only_the_police_open_a_notice(client, staff_headers, issue, owner, role):
    issued = issue()
    headers, _ = staff_headers(role)
    assert_problem(client.get(f"/police/fines/{issued['id']}", headers=headers), 403, "forbidden")
    assert_problem(client.get(f"/police/fines/{issued['id']}", headers=owner["headers"]), 403, "forbidden")
    assert_problem(client.get(f"/police/fines/{issued['id']}"), 401, "token_missing")


def test_issuer_and_canceller_are_named_and_the_feed_is_not(app, client, owner, feed):
    with app.app_context():
        auth.create_staff_user("csgt-names", "Trần Văn Bình", "police", STAFF_PASSWORD, DEMO_WARD)
        db.session.commit()
    login = client.post("/auth/staff/login", json={"username": "csgt-names", "password": STAFF_PASSWORD})
    police = {"Authorization": f"Bearer {login.json['access_token']}"}

    issued = client.post("/police/fines", headers=police, json=notice_body(owner["cccd"]))
    assert issued.status_code == 201, issued.json
    assert (issued.json["issued_by_name"], issued.json["cancelled_by_name"]) == ("Trần Văn Bình", None)
    cancelled = client.post(
        f"/police/fines/{issued.json['id']}/cancel", headers=police, json={"reason": "Nhầm biển số"}
    )
    assert cancelled.json["cancelled_by_name"] == "Trần Văn Bình"

    from_camera = client.post("/police/fines", headers=feed, json=notice_body(owner["cccd"]))
    assert from_camera.status_code == 201, from_camera.json
    listed = {f["id"]: f for f in client.get("/police/fines", headers=police).json}
    assert listed[from_camera.json["id"]]["issued_by_name"] is None
    assert listed[issued.json["id"]]["issued_by_name"] == "Trần Văn Bình"
    # The owner's view carries no staff names.
    mine = client.get(f"/me/fines/{issued.json['id']}", headers=owner["headers"]).json
    assert "issued_by_name" not in mine and "Trần Văn Bình" not in str(mine)
