"""Staff sign-in with argon2 passwords and optional TOTP; password change; audit trail."""

from __future__ import annotations

import pyotp

from api.audit import AuditEntry
from api.auth.models import StaffUser
from api.extensions import db
from tests.conftest import STAFF_PASSWORD


def audit_actions(app, outcome=None):
    with app.app_context():
        statement = db.select(AuditEntry.action, AuditEntry.outcome).order_by(AuditEntry.at)
        return [(a, o) for a, o in db.session.execute(statement) if outcome in (None, o)]


def test_password_is_stored_as_argon2(app, make_staff):
    user = make_staff("police")
    with app.app_context():
        stored = db.session.get(StaffUser, user["id"]).password_hash
    assert stored.startswith("$argon2id$")
    assert STAFF_PASSWORD not in stored


def test_sign_in_gives_a_token_with_the_role(client, make_staff):
    user = make_staff("police")
    response = client.post(
        "/auth/staff/login", json={"username": user["username"], "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200
    whoami = client.get("/auth/whoami", headers={"Authorization": f"Bearer {response.json['access_token']}"})
    assert whoami.json == {
        "kind": "staff",
        "id": str(user["id"]),
        "role": "police",
        "identity_level": None,
        "scopes": [],
        # Named by name and unit, so no screen shows `staff:<id>`.
        "display_name": "Cán bộ police",
        "ward_code": "24133",
        "ward_name": "Phường Buôn Ma Thuột",
    }


def test_username_is_case_insensitive(client, make_staff):
    user = make_staff("agent", username="tongdaivien01")
    response = client.post(
        "/auth/staff/login", json={"username": "TongDaiVien01", "password": user["password"]}
    )
    assert response.status_code == 200


def test_wrong_password_and_unknown_user_look_the_same_and_are_audited(app, client, make_staff):
    user = make_staff("officer")
    wrong = client.post(
        "/auth/staff/login", json={"username": user["username"], "password": "sai-mat-khau-123"}
    )
    unknown = client.post(
        "/auth/staff/login", json={"username": "khong-ton-tai", "password": "sai-mat-khau-123"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["code"] == unknown.json["code"] == "invalid_credentials"
    assert wrong.json["detail"] == unknown.json["detail"]
    assert audit_actions(app, "denied") == [("auth.staff_sign_in", "denied")] * 2


def test_disabled_account_cannot_sign_in(app, client, make_staff):
    user = make_staff("comms")
    with app.app_context():
        db.session.get(StaffUser, user["id"]).active = False
        db.session.commit()
    response = client.post(
        "/auth/staff/login", json={"username": user["username"], "password": STAFF_PASSWORD}
    )
    assert response.status_code == 401


def test_totp_enrolment_then_required_at_sign_in(app, client, staff_headers):
    headers, user = staff_headers("admin")
    enrolment = client.post("/auth/staff/totp", headers=headers)
    assert enrolment.status_code == 201
    secret = enrolment.json["secret"]
    assert enrolment.json["otpauth_uri"].startswith("otpauth://totp/")

    # Not active until confirmed: a wrong code leaves sign-in without a second factor.
    bad = client.post("/auth/staff/totp/confirm", headers=headers, json={"code": "000000"})
    assert bad.status_code == 422 and bad.json["code"] == "invalid_totp"
    credentials = {"username": user["username"], "password": user["password"]}
    assert client.post("/auth/staff/login", json=credentials).status_code == 200

    confirm = client.post(
        "/auth/staff/totp/confirm", headers=headers, json={"code": pyotp.TOTP(secret).now()}
    )
    assert confirm.status_code == 204

    missing = client.post("/auth/staff/login", json=credentials)
    assert missing.status_code == 401 and missing.json["code"] == "totp_required"
    wrong = client.post("/auth/staff/login", json={**credentials, "totp": "123456"})
    if pyotp.TOTP(secret).verify("123456", valid_window=1):  # pragma: no cover - one in ~300000
        return
    assert wrong.status_code == 401 and wrong.json["code"] == "invalid_totp"
    right = client.post("/auth/staff/login", json={**credentials, "totp": pyotp.TOTP(secret).now()})
    assert right.status_code == 200
    assert ("auth.totp_enabled", "success") in audit_actions(app)


def test_totp_code_must_be_six_digits(client, make_staff):
    user = make_staff("admin")
    response = client.post(
        "/auth/staff/login", json={"username": user["username"], "password": user["password"], "totp": "12ab"}
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "totp"


def test_password_change_revokes_every_session(client, staff_headers):
    headers, user = staff_headers("officer")
    other = client.post(
        "/auth/staff/login", json={"username": user["username"], "password": user["password"]}
    )
    other_headers = {"Authorization": f"Bearer {other.json['access_token']}"}
    new_password = "Mat-khau-moi-2026-rat-dai"

    response = client.post(
        "/auth/staff/password",
        headers=headers,
        json={"current_password": user["password"], "new_password": new_password},
    )
    assert response.status_code == 204
    for h in (headers, other_headers):
        assert client.get("/auth/whoami", headers=h).json["code"] == "token_revoked"
    refresh = client.post("/auth/refresh", headers={"Authorization": f"Bearer {other.json['refresh_token']}"})
    assert refresh.status_code == 401
    old = client.post("/auth/staff/login", json={"username": user["username"], "password": user["password"]})
    assert old.status_code == 401
    new = client.post("/auth/staff/login", json={"username": user["username"], "password": new_password})
    assert new.status_code == 200


def test_password_change_refuses_weak_or_wrong_current(app, client, staff_headers):
    headers, user = staff_headers("officer")
    with app.app_context():
        before = db.session.get(StaffUser, user["id"]).password_hash
    weak = client.post(
        "/auth/staff/password",
        headers=headers,
        json={"current_password": user["password"], "new_password": "1234"},
    )
    assert weak.status_code == 422 and weak.json["code"] == "weak_password"
    wrong = client.post(
        "/auth/staff/password",
        headers=headers,
        json={"current_password": "khong-dung-123", "new_password": "Mat-khau-moi-2026-rat-dai"},
    )
    assert wrong.status_code == 403
    with app.app_context():
        assert db.session.get(StaffUser, user["id"]).password_hash == before
    assert client.get("/auth/whoami", headers=headers).status_code == 200


def test_citizen_cannot_use_staff_routes(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.post("/auth/staff/totp", headers=headers)
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"
    assert client.get("/admin/audit", headers=headers).status_code == 403


def test_only_admins_read_the_audit_log(client, staff_headers):
    officer, _ = staff_headers("officer")
    admin, _ = staff_headers("admin")
    assert client.get("/admin/audit", headers=officer).status_code == 403
    listing = client.get("/admin/audit?action=auth.staff_sign_in", headers=admin)
    assert listing.status_code == 200
    assert {entry["action"] for entry in listing.json} == {"auth.staff_sign_in"}
    assert len(listing.json) == 2


def test_the_audit_log_is_searched_by_the_days_it_happened_in_vietnam(app, client, staff_headers):
    from datetime import UTC, datetime

    from api.audit import AuditEntry
    from api.extensions import db

    admin, _ = staff_headers("admin")
    with app.app_context():
        # 16:59 and 17:00 UTC on 1 March: the last minute of 1 March and the first of 2 March here.
        for minute, target in ((59, "report:late-on-the-1st"), (0, "report:early-on-the-2nd")):
            hour = 16 if minute else 17
            db.session.add(
                AuditEntry(
                    action="report.read", target=target, at=datetime(2026, 3, 1, hour, minute, tzinfo=UTC)
                )
            )
        db.session.commit()

    def targets(query: str) -> list[str]:
        response = client.get(f"/admin/audit?action=report.read&{query}", headers=admin)
        assert response.status_code == 200, response.json
        return [entry["target"] for entry in response.json]

    assert targets("from=2026-03-01&to=2026-03-01") == ["report:late-on-the-1st"]
    assert targets("from=2026-03-02") == ["report:early-on-the-2nd"]
    assert targets("to=2026-03-01") == ["report:late-on-the-1st"]
    assert targets("target=report:early-on-the-2nd") == ["report:early-on-the-2nd"]
    backwards = client.get("/admin/audit?from=2026-03-02&to=2026-03-01", headers=admin)
    assert backwards.status_code == 422
    assert [error["field"] for error in backwards.json["errors"]] == ["query.from"]
    assert client.get("/admin/audit?from=1-3-2026", headers=admin).status_code == 422


def test_staff_unit_must_be_a_real_ward(app):
    from api.auth import service
    from api.errors import ApiError

    with app.app_context():
        try:
            service.create_staff_user("canbo.x", "Cán bộ X", "officer", STAFF_PASSWORD, ward_code="99999")
        except ApiError as error:
            assert error.code == "unknown_ward"
        else:
            raise AssertionError("an unknown ward was accepted")
        db.session.rollback()
        assert db.session.scalar(db.select(StaffUser).where(StaffUser.username == "canbo.x")) is None
