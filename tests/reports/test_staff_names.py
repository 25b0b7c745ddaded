"""The desk reads colleagues by name: who is assigned, who acted, who wrote a note.

The citizen's view still never says who acted (only what happened).
"""

from __future__ import annotations

from api.auth import service as auth
from api.extensions import db
from tests.conftest import DEMO_WARD, STAFF_PASSWORD
from tests.reports.conftest import act


def _sign_in(client, app, full_name: str, role: str = "officer") -> dict:
    with app.app_context():
        auth.create_staff_user(f"{role}-names", full_name, role, STAFF_PASSWORD, DEMO_WARD)
        db.session.commit()
    response = client.post(
        "/auth/staff/login", json={"username": f"{role}-names", "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_the_desk_names_the_assignee_the_actor_and_the_note_writer(client, app, reporter, submit):
    officer = _sign_in(client, app, "Nguyễn Thị Hạnh")
    report = submit()["report"]
    assert act(client, officer, report["id"], "assign").status_code == 200
    note = client.post(
        f"/staff/reports/{report['id']}/comments",
        headers=officer,
        json={"body": "Đã liên hệ đội duy tu.", "internal": True},
    )
    assert note.status_code == 201 and note.json["author_name"] == "Nguyễn Thị Hạnh"

    desk = client.get(f"/staff/reports/{report['id']}", headers=officer).json
    assert desk["assignee_name"] == "Nguyễn Thị Hạnh"
    assigned = [step for step in desk["history"] if step["action"] == "assign"]
    assert [step["actor_name"] for step in assigned] == ["Nguyễn Thị Hạnh"]
    # The submission step was the citizen's: no staff name.
    assert desk["history"][0]["actor_name"] is None
    assert [c["author_name"] for c in desk["comments"]] == ["Nguyễn Thị Hạnh"]

    [queued] = client.get("/staff/reports", headers=officer).json
    assert queued["assignee_name"] == "Nguyễn Thị Hạnh"

    # The reporter still does not learn who handled it.
    mine = client.get(f"/me/reports/{report['id']}", headers=reporter["headers"]).json
    assert "Nguyễn Thị Hạnh" not in str(mine)
    assert all("actor_name" not in step for step in mine["history"])


def test_a_report_is_given_to_a_colleague_of_its_unit_and_to_nobody_else(
    client, app, reporter, submit, make_staff
):
    officer = _sign_in(client, app, "Nguyễn Thị Hạnh")
    colleague = make_staff("officer", full_name="Bùi Văn Khoa")
    elsewhere = make_staff("officer", full_name="Hồ Thị Lan", ward_code="24163")
    police = make_staff("police", full_name="Đặng Quốc Bảo")
    report = submit()["report"]  # a ward report of DEMO_WARD

    offered = client.get(f"/staff/reports/{report['id']}/assignees", headers=officer)
    assert offered.status_code == 200
    assert [person["display_name"] for person in offered.json] == ["Bùi Văn Khoa", "Nguyễn Thị Hạnh"]

    for stranger in (elsewhere, police):
        refused = act(client, officer, report["id"], "assign", assignee=str(stranger["id"]))
        assert refused.status_code == 422 and refused.json["code"] == "unknown_assignee"
    assert client.get(f"/staff/reports/{report['id']}", headers=officer).json["status"] == "received"

    given = act(client, officer, report["id"], "assign", assignee=str(colleague["id"]))
    assert given.status_code == 200
    assert given.json["assignee_name"] == "Bùi Văn Khoa"
