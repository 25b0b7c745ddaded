"""Administration of staff accounts (api/auth/admin.py): who may, what it changes, what it cuts off."""

from __future__ import annotations

import pyotp
import pytest

from api.audit import AuditEntry
from api.auth import service
from api.auth.models import StaffUser
from api.extensions import db
from tests.conftest import DEMO_WARD, STAFF_PASSWORD, assert_problem

NEW_OFFICER = {
    "username": "Nv.Hoa",
    "full_name": "Nguyễn Thị Hoà",  # decomposed "à" (NFD) as some keyboards send it
    "role": "officer",
    "ward_code": DEMO_WARD,
    "password": "Mat-khau-ban-dau-2025",
}


@pytest.fixture
def admin(staff_headers):
    headers, user = staff_headers("admin")
    return {"headers": headers, **user}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client, username: str, password: str = STAFF_PASSWORD, **extra):
    return client.post("/auth/staff/login", json={"username": username, "password": password, **extra})


def audit_of(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


def test_every_route_refuses_officers_and_anonymous_callers(client, staff_headers, make_staff):
    officer, _ = staff_headers("officer")
    target = make_staff("police")["id"]
    calls = [
        ("get", "/admin/staff", None),
        ("post", "/admin/staff", NEW_OFFICER),
        ("get", f"/admin/staff/{target}", None),
        ("patch", f"/admin/staff/{target}", {"full_name": "Tên mới"}),
        ("post", f"/admin/staff/{target}/deactivate", None),
        ("post", f"/admin/staff/{target}/activate", None),
        ("post", f"/admin/staff/{target}/totp-reset", None),
        ("get", "/admin/service-accounts", None),
    ]
    for method, path, body in calls:
        assert_problem(getattr(client, method)(path, json=body), 401, "token_missing")
        assert_problem(getattr(client, method)(path, json=body, headers=officer), 403, "forbidden")


def test_admin_creates_an_officer_who_can_then_sign_in(app, client, admin):
    response = client.post("/admin/staff", headers=admin["headers"], json=NEW_OFFICER)

    assert response.status_code == 201, response.json
    created = response.json
    assert created["username"] == "nv.hoa"
    assert created["full_name"] == "Nguyễn Thị Hoà"  # stored NFC, as typed on other keyboards
    assert created["role_name"] == "Cán bộ một cửa"
    assert created["ward_name"] == "Phường Buôn Ma Thuột"
    assert created["active"] is True and created["totp_enabled"] is False
    assert created["generated_password"] is None  # the admin chose it: not echoed back
    assert sign_in(client, "nv.hoa", NEW_OFFICER["password"]).status_code == 200
    [entry] = audit_of(app, "staff.created")
    assert entry.actor == f"staff:{admin['id']}"
    assert entry.target == f"staff:{created['id']}"
    assert NEW_OFFICER["password"] not in str(entry.detail)


def test_without_a_password_one_is_generated_and_shown_once(client, admin):
    body = {key: value for key, value in NEW_OFFICER.items() if key != "password"}
    created = client.post("/admin/staff", headers=admin["headers"], json={**body, "ward_code": None})

    assert created.status_code == 201
    password = created.json["generated_password"]
    assert len(password) >= service.MIN_PASSWORD_LENGTH
    assert created.json["ward_code"] is None and created.json["ward_name"] is None  # province level
    assert sign_in(client, "nv.hoa", password).status_code == 200
    shown_again = client.get(f"/admin/staff/{created.json['id']}", headers=admin["headers"])
    assert "generated_password" not in shown_again.json


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"role": "mayor"}, 422, "validation_failed", "role"),
        ({"username": "có dấu"}, 422, "validation_failed", "username"),
        ({"ward_code": "1"}, 422, "validation_failed", "ward_code"),
        ({"ward_code": "99999"}, 422, "unknown_ward", "ward_code"),
        ({"password": "ngan"}, 422, "weak_password", "password"),
        ({"full_name": ""}, 422, "validation_failed", "full_name"),
        ({"full_name": "Nguyễn\u0000An"}, 422, "validation_failed", "full_name"),
        ({"is_admin": True}, 422, "validation_failed", "is_admin"),
    ],
)
def test_bad_input_is_refused_field_by_field(app, client, admin, change, status, code, field):
    response = client.post("/admin/staff", headers=admin["headers"], json={**NEW_OFFICER, **change})

    body = assert_problem(response, status, code)
    assert field in {error["field"] for error in body["errors"]}
    with app.app_context():
        assert service.staff_by_username("nv.hoa") is None


def test_a_username_is_taken_once_whatever_its_case(client, admin, make_staff):
    make_staff("police", username="nv.hoa")
    response = client.post("/admin/staff", headers=admin["headers"], json=NEW_OFFICER)
    body = assert_problem(response, 409, "username_taken")
    assert body["errors"][0]["field"] == "username"


def test_the_list_pages_filters_and_searches_without_accents(client, admin, app):
    with app.app_context():
        people = [("Trần Văn Đức", "police"), ("Lê Thị Hương", "officer"), ("Đỗ Minh Khoa", "police")]
        for number, (name, role) in enumerate(people):
            service.create_staff_user(f"canbo{number}", name, role, STAFF_PASSWORD)
        db.session.commit()
    headers = admin["headers"]

    police = client.get("/admin/staff?role=police", headers=headers)
    assert [row["full_name"] for row in police.json] == ["Trần Văn Đức", "Đỗ Minh Khoa"]
    found = client.get("/admin/staff?q=duc", headers=headers)
    assert [row["full_name"] for row in found.json] == ["Trần Văn Đức"]
    assert [r["full_name"] for r in client.get("/admin/staff?q=HUONG", headers=headers).json] == [
        "Lê Thị Hương"
    ]
    first = client.get("/admin/staff?page_size=2", headers=headers)
    assert len(first.json) == 2
    assert '"total": 4' in first.headers["X-Pagination"]  # the three and the admin
    by_id = client.get(f"/admin/staff?id={admin['id']}", headers=headers)
    assert [row["id"] for row in by_id.json] == [str(admin["id"])]
    assert_problem(client.get("/admin/staff?role=mayor", headers=headers), 422, "validation_failed")


def test_unknown_account_is_404(client, admin):
    missing = "00000000-0000-0000-0000-000000000000"
    assert_problem(client.get(f"/admin/staff/{missing}", headers=admin["headers"]), 404, "staff_not_found")
    deactivate = client.post(f"/admin/staff/{missing}/deactivate", headers=admin["headers"])
    assert_problem(deactivate, 404, "staff_not_found")


def test_edit_needs_the_current_etag(app, client, admin, make_staff):
    target = make_staff("officer")["id"]
    read = client.get(f"/admin/staff/{target}", headers=admin["headers"])
    etag = read.headers["ETag"]

    without = client.patch(f"/admin/staff/{target}", headers=admin["headers"], json={"ward_code": None})
    assert_problem(without, 428, "precondition_required")
    edited = client.patch(
        f"/admin/staff/{target}",
        headers={**admin["headers"], "If-Match": etag},
        json={"full_name": "Phạm Quốc Bảo", "ward_code": None},
    )
    assert edited.status_code == 200
    assert edited.json["full_name"] == "Phạm Quốc Bảo" and edited.json["ward_code"] is None
    stale = client.patch(
        f"/admin/staff/{target}", headers={**admin["headers"], "If-Match": etag}, json={"full_name": "Cũ"}
    )
    assert_problem(stale, 412, "precondition_failed")
    [entry] = audit_of(app, "staff.updated")
    assert entry.detail["changes"]["ward_code"] == [DEMO_WARD, None]


def test_an_empty_edit_is_refused(client, admin, make_staff):
    target = make_staff("officer")["id"]
    etag = client.get(f"/admin/staff/{target}", headers=admin["headers"]).headers["ETag"]
    response = client.patch(f"/admin/staff/{target}", headers={**admin["headers"], "If-Match": etag}, json={})
    assert_problem(response, 422, "validation_failed")


def test_a_new_role_ends_the_persons_sessions(client, admin, make_staff):
    user = make_staff("officer")
    token = sign_in(client, user["username"]).json["access_token"]
    etag = client.get(f"/admin/staff/{user['id']}", headers=admin["headers"]).headers["ETag"]

    response = client.patch(
        f"/admin/staff/{user['id']}", headers={**admin["headers"], "If-Match": etag}, json={"role": "police"}
    )

    assert response.json["role"] == "police"
    assert_problem(client.get("/auth/whoami", headers=bearer(token)), 401, "token_revoked")
    again = sign_in(client, user["username"]).json["access_token"]
    assert client.get("/auth/whoami", headers=bearer(again)).json["role"] == "police"


def test_deactivation_ends_a_live_session_and_blocks_sign_in(app, client, admin, make_staff):
    user = make_staff("officer")
    pair = sign_in(client, user["username"]).json
    assert client.get("/auth/whoami", headers=bearer(pair["access_token"])).status_code == 200

    response = client.post(f"/admin/staff/{user['id']}/deactivate", headers=admin["headers"])

    assert response.status_code == 200 and response.json["active"] is False
    assert_problem(client.get("/auth/whoami", headers=bearer(pair["access_token"])), 401, "token_revoked")
    assert client.post("/auth/refresh", headers=bearer(pair["refresh_token"])).status_code == 401
    assert_problem(sign_in(client, user["username"]), 401, "invalid_credentials")
    [entry] = audit_of(app, "staff.deactivated")
    assert entry.target == f"staff:{user['id']}" and entry.detail["sessions_revoked"] == 1

    # Twice is as once: no second entry.
    assert client.post(f"/admin/staff/{user['id']}/deactivate", headers=admin["headers"]).status_code == 200
    assert len(audit_of(app, "staff.deactivated")) == 1

    reactivated = client.post(f"/admin/staff/{user['id']}/activate", headers=admin["headers"])
    assert reactivated.json["active"] is True
    assert sign_in(client, user["username"]).status_code == 200
    assert len(audit_of(app, "staff.activated")) == 1


def test_an_admin_cannot_lock_or_demote_themself(app, client, admin):
    headers = admin["headers"]
    own = f"/admin/staff/{admin['id']}"

    assert_problem(client.post(f"{own}/deactivate", headers=headers), 403, "own_account")
    etag = client.get(own, headers=headers).headers["ETag"]
    demote = client.patch(own, headers={**headers, "If-Match": etag}, json={"role": "officer"})
    assert_problem(demote, 403, "own_account")

    assert client.get("/auth/whoami", headers=headers).json["role"] == "admin"
    renamed = client.patch(own, headers={**headers, "If-Match": etag}, json={"full_name": "Quản trị Tỉnh"})
    assert renamed.status_code == 200  # their own name they may change
    assert audit_of(app, "staff.deactivated") == []


def test_totp_reset_lets_the_person_enrol_again(app, client, admin, make_staff):
    user = make_staff("police")
    token = sign_in(client, user["username"]).json["access_token"]
    secret = client.post("/auth/staff/totp", headers=bearer(token)).json["secret"]
    code = pyotp.TOTP(secret).now()
    assert (
        client.post("/auth/staff/totp/confirm", headers=bearer(token), json={"code": code}).status_code == 204
    )
    assert_problem(sign_in(client, user["username"]), 401, "totp_required")

    reset = client.post(f"/admin/staff/{user['id']}/totp-reset", headers=admin["headers"])

    assert reset.status_code == 200 and reset.json["totp_enabled"] is False
    assert_problem(client.get("/auth/whoami", headers=bearer(token)), 401, "token_revoked")
    fresh = sign_in(client, user["username"])  # the lost phone is no longer needed
    assert fresh.status_code == 200
    assert client.post("/auth/staff/totp", headers=bearer(fresh.json["access_token"])).status_code == 201
    assert len(audit_of(app, "staff.totp_reset")) == 1
    again = client.post(f"/admin/staff/{user['id']}/totp-reset", headers=admin["headers"])
    assert_problem(again, 409, "totp_not_enabled")
    with app.app_context():
        assert db.session.get(StaffUser, user["id"]).active is True


def test_service_accounts_are_listed_without_secrets(app, client, admin):
    with app.app_context():
        _, secret = service.create_service_account("camera-feed", "Camera giao thông", ["fines:import"])
        db.session.commit()

    response = client.get("/admin/service-accounts", headers=admin["headers"])

    assert response.status_code == 200
    [account] = response.json
    assert account["client_id"] == "camera-feed" and account["scopes"] == ["fines:import"]
    assert account["active"] is True
    assert secret not in response.get_data(as_text=True) and "secret" not in str(sorted(account))


def test_the_audit_log_shows_the_admins_actions(client, admin, make_staff):
    user = make_staff("agent")
    client.post(f"/admin/staff/{user['id']}/deactivate", headers=admin["headers"])

    log = client.get(f"/admin/audit?actor=staff:{admin['id']}", headers=admin["headers"])

    actions = [entry["action"] for entry in log.json]
    assert actions[0] == "staff.deactivated"
    assert log.json[0]["target"] == f"staff:{user['id']}"
