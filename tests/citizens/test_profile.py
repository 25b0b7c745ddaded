"""GET/PATCH /me: the citizen's own profile, the four digital-citizen assets, safe updates."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from api.audit import AuditEntry
from api.citizens import service
from api.citizens.models import Citizen
from api.extensions import db

PROBLEM = "application/problem+json"
ASSET_KEYS = ["vneid", "e_payment_account", "digital_address", "digital_signature"]


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert response.json["code"] == code
    return response.json


def field_errors(body) -> dict[str, list[str]]:
    return {error["field"]: error["messages"] for error in body.get("errors", [])}


def test_profile_shape(client, citizen_headers):
    headers, person, _ = citizen_headers(identity_level=2)
    response = client.get("/me", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body["id"] == str(person["id"])
    assert body["cccd"] == person["cccd"]
    assert body["full_name"] == "Nguyễn Thị Hoa"
    assert body["date_of_birth"] == "1990-05-17"
    assert body["sex"] == "female"
    assert body["phone"] == "0912345678"
    assert body["identity_level"] == 2
    assert body["ward"] == {
        "code": "24133",
        "name": "Phường Buôn Ma Thuột",
        "province": {"code": "66", "name": "Tỉnh Đắk Lắk"},
    }
    assert response.headers["ETag"]


def test_the_four_assets_and_what_is_missing(client, citizen_headers):
    headers, _, _ = citizen_headers(identity_level=2)
    body = client.get("/me", headers=headers).json
    assets = {asset["key"]: asset for asset in body["assets"]}
    assert [asset["key"] for asset in body["assets"]] == ASSET_KEYS
    for asset in body["assets"]:
        assert set(asset) == {"key", "name", "status", "detail", "how_to_obtain", "link", "level"}
        assert asset["status"] in ("present", "missing")
        if asset["status"] == "missing":
            assert asset["how_to_obtain"], f"{asset['key']} says how to get it"

    assert assets["vneid"]["status"] == "present"
    assert assets["vneid"]["level"] == 2
    assert assets["vneid"]["how_to_obtain"] is None
    assert assets["e_payment_account"]["status"] == "missing"
    assert assets["digital_address"]["status"] == "missing"
    assert assets["digital_signature"]["status"] == "missing"
    assert "VNeID" in assets["digital_signature"]["how_to_obtain"]
    assert "chữ ký số công cộng" in assets["digital_signature"]["how_to_obtain"]
    assert body["missing"] == ["e_payment_account", "digital_address", "digital_signature"]
    assert body["completeness"] == {"present": 1, "total": 4}


def test_level_1_account_is_told_how_to_reach_level_2(client, citizen_headers):
    headers, _, _ = citizen_headers(identity_level=1)
    body = client.get("/me", headers=headers).json
    vneid = body["assets"][0]
    assert vneid["key"] == "vneid" and vneid["status"] == "present" and vneid["level"] == 1
    assert "mức 2" in vneid["how_to_obtain"]
    assert "Công an" in vneid["how_to_obtain"]
    assert "vneid" not in body["missing"]


def test_a_later_domain_can_plug_in_its_asset(client, citizen_headers):
    headers, _, _ = citizen_headers()
    original = service._asset_providers["e_payment_account"]

    def wallet_linked(citizen):
        return service.DigitalAsset(
            key="e_payment_account", name="Tài khoản thanh toán điện tử", status="present", detail="Ví X"
        )

    service.register_asset_provider("e_payment_account", wallet_linked)
    try:
        body = client.get("/me", headers=headers).json
    finally:
        service.register_asset_provider("e_payment_account", original)
    assert "e_payment_account" not in body["missing"]
    assert body["completeness"] == {"present": 2, "total": 4}


def test_unknown_residence_ward_is_shown_not_hidden(client, citizen_headers):
    headers, _, _ = citizen_headers(ward_code=None)
    assert client.get("/me", headers=headers).json["ward"] is None


def test_etag_answers_304_when_unchanged(client, citizen_headers):
    headers, _, _ = citizen_headers()
    etag = client.get("/me", headers=headers).headers["ETag"]
    assert client.get("/me", headers={**headers, "If-None-Match": etag}).status_code == 304


# ---- who may call ---------------------------------------------------------------------------------


def test_no_token_is_401(client):
    problem(client.get("/me"), 401, "token_missing")


def test_staff_token_is_403(client, staff_headers):
    headers, _ = staff_headers("officer")
    problem(client.get("/me"), 401, "token_missing")
    problem(client.get("/me", headers=headers), 403, "forbidden")
    problem(client.get("/me/digital-address", headers=headers), 403, "forbidden")


def test_each_citizen_sees_only_their_own_data(client, citizen_headers):
    hoa_headers, hoa, _ = citizen_headers(full_name="Nguyễn Thị Hoa")
    nam_headers, nam, _ = citizen_headers(full_name="Trần Văn Nam", sex="male")
    assert hoa["cccd"] != nam["cccd"]
    hoa_body = client.get("/me", headers=hoa_headers).json
    nam_body = client.get("/me", headers=nam_headers).json
    assert (hoa_body["cccd"], hoa_body["full_name"]) == (hoa["cccd"], "Nguyễn Thị Hoa")
    assert (nam_body["cccd"], nam_body["full_name"]) == (nam["cccd"], "Trần Văn Nam")
    # One's digital address is not the other's.
    client.put("/me/digital-address", headers=hoa_headers, json={"street": "1 Lê Duẩn", "ward_code": "24133"})
    assert client.get("/me/digital-address", headers=nam_headers).status_code == 404


# ---- PATCH /me ------------------------------------------------------------------------------------


def _etag(client, headers) -> str:
    return client.get("/me", headers=headers).headers["ETag"]


def test_patch_phone_with_if_match(app, client, citizen_headers):
    headers, person, _ = citizen_headers()
    etag = _etag(client, headers)
    response = client.patch("/me", headers={**headers, "If-Match": etag}, json={"phone": "+84 987 654 321"})
    assert response.status_code == 200, response.json
    assert response.json["phone"] == "0987654321"
    assert response.headers["ETag"] != etag
    assert client.get("/me", headers=headers).json["phone"] == "0987654321"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "citizen.phone_changed"))
        assert entry.target == f"citizen:{person['id']}"
        assert entry.detail == {"old": "091****678", "new": "098****321"}  # never the full number


def test_patch_without_if_match_is_428(client, citizen_headers):
    headers, _, _ = citizen_headers()
    problem(client.patch("/me", headers=headers, json={"phone": "0987654321"}), 428, "precondition_required")
    assert client.get("/me", headers=headers).json["phone"] == "0912345678"


def test_patch_with_stale_etag_is_412(client, citizen_headers):
    headers, _, _ = citizen_headers()
    stale = _etag(client, headers)
    fresh = client.patch("/me", headers={**headers, "If-Match": stale}, json={"phone": "0987654321"})
    assert fresh.status_code == 200
    response = client.patch("/me", headers={**headers, "If-Match": stale}, json={"phone": "0333333333"})
    problem(response, 412, "precondition_failed")
    assert client.get("/me", headers=headers).json["phone"] == "0987654321"


def test_patch_bad_phone_is_422_on_the_field(client, citizen_headers):
    headers, _, _ = citizen_headers()
    for bad in ("12345", "0212345678", "+1 650 555 0100"):
        body = problem(
            client.patch("/me", headers={**headers, "If-Match": _etag(client, headers)}, json={"phone": bad}),
            422,
            "validation_failed",
        )
        assert "di động" in field_errors(body)["phone"][0]


def test_patch_unknown_field_is_422(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.patch(
        "/me",
        headers={**headers, "If-Match": _etag(client, headers)},
        json={"phone": "0987654321", "full_name": "Tên khác"},
    )
    body = problem(response, 422, "validation_failed")
    assert field_errors(body) == {"full_name": ["Trường này không được phép."]}
    assert client.get("/me", headers=headers).json["full_name"] == "Nguyễn Thị Hoa"


def test_deleted_account_is_404(app, client, citizen_headers):
    headers, person, _ = citizen_headers()
    with app.app_context():
        db.session.delete(db.session.get(Citizen, uuid.UUID(str(person["id"]))))
        db.session.commit()
    problem(client.get("/me", headers=headers), 404, "citizen_not_found")
