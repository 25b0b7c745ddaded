"""GET/PUT/DELETE /me/digital-address: checked ward and coordinates, safe replacement."""

from __future__ import annotations

from sqlalchemy import func, select

from api.citizens.models import DigitalAddress
from api.extensions import db

PROBLEM = "application/problem+json"
ADDRESS = {"street": "12  Lê Duẩn", "ward_code": "24133", "latitude": 12.6667, "longitude": 108.05}


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    assert response.json["code"] == code
    return response.json


def field_errors(body) -> dict[str, list[str]]:
    return {error["field"]: error["messages"] for error in body.get("errors", [])}


def stored_addresses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DigitalAddress))


def test_create_then_me_shows_it_present(client, citizen_headers):
    headers, _, _ = citizen_headers()
    assert client.get("/me/digital-address", headers=headers).json["code"] == "digital_address_not_found"

    response = client.put("/me/digital-address", headers=headers, json=ADDRESS)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["street"] == "12 Lê Duẩn"  # NFC, single spaces
    assert body["ward"] == {
        "code": "24133",
        "name": "Phường Buôn Ma Thuột",
        "province": {"code": "66", "name": "Tỉnh Đắk Lắk"},
    }
    assert body["full_address"] == "12 Lê Duẩn, Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"
    assert (body["latitude"], body["longitude"]) == (12.6667, 108.05)
    assert response.headers["ETag"]

    got = client.get("/me/digital-address", headers=headers)
    assert got.json == body
    assert got.headers["ETag"] == response.headers["ETag"]

    me = client.get("/me", headers=headers).json
    asset = next(a for a in me["assets"] if a["key"] == "digital_address")
    assert asset["status"] == "present"
    assert asset["detail"] == body["full_address"]
    assert "digital_address" not in me["missing"]
    assert me["completeness"] == {"present": 2, "total": 4}
    # The digital address is not the residence: the ward of residence is untouched.
    assert me["ward"]["code"] == "24133"


def test_decomposed_vietnamese_is_stored_nfc(client, citizen_headers):
    headers, _, _ = citizen_headers()
    decomposed = "12 Le\u0302 Dua\u0302\u0309n"  # "Lê Duẩn" typed with combining marks
    body = client.put(
        "/me/digital-address", headers=headers, json={"street": decomposed, "ward_code": "24133"}
    ).json
    assert body["street"] == "12 Lê Duẩn"
    assert (body["latitude"], body["longitude"]) == (None, None)


def test_unknown_ward_is_422_and_nothing_is_written(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.put("/me/digital-address", headers=headers, json={**ADDRESS, "ward_code": "99999"})
    body = problem(response, 422, "unknown_ward")
    assert "ward_code" in field_errors(body)
    assert stored_addresses(app) == 0


def test_unknown_ward_does_not_touch_an_existing_address(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    etag = client.put("/me/digital-address", headers=headers, json=ADDRESS).headers["ETag"]
    response = client.put(
        "/me/digital-address", headers={**headers, "If-Match": etag}, json={**ADDRESS, "ward_code": "00000"}
    )
    problem(response, 422, "unknown_ward")
    assert client.get("/me/digital-address", headers=headers).json["ward"]["code"] == "24133"


def test_coordinates_outside_vietnam_are_422(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    for latitude, longitude in ((13.75, 100.5), (35.68, 139.69), (7.0, 105.0), (12.67, 110.5)):
        response = client.put(
            "/me/digital-address",
            headers=headers,
            json={**ADDRESS, "latitude": latitude, "longitude": longitude},
        )
        body = problem(response, 422, "outside_vietnam")
        assert set(field_errors(body)) == {"latitude", "longitude"}
    assert stored_addresses(app) == 0


def test_archipelago_coordinates_are_accepted_for_their_special_zone_only(client, citizen_headers):
    headers, _, _ = citizen_headers()
    truong_sa = {"street": "Thị trấn Trường Sa", "ward_code": "22736", "latitude": 8.645, "longitude": 111.92}
    assert client.put("/me/digital-address", headers=headers, json=truong_sa).status_code == 201
    other_headers, _, _ = citizen_headers()
    response = client.put(
        "/me/digital-address", headers=other_headers, json={**truong_sa, "ward_code": "24133"}
    )
    problem(response, 422, "outside_vietnam")


def test_one_coordinate_alone_is_422(client, citizen_headers):
    headers, _, _ = citizen_headers()
    body = problem(
        client.put(
            "/me/digital-address",
            headers=headers,
            json={"street": "1 A", "ward_code": "24133", "latitude": 12.6},
        ),
        422,
        "validation_failed",
    )
    assert "longitude" in field_errors(body)


def test_bad_bodies_are_422_with_field_paths(client, citizen_headers):
    headers, _, _ = citizen_headers()
    cases = [
        ({"ward_code": "24133"}, "street"),
        ({"street": "   ", "ward_code": "24133"}, "street"),
        ({"street": "1 A"}, "ward_code"),
        ({**ADDRESS, "latitude": "bắc"}, "latitude"),
        ({**ADDRESS, "city": "Buôn Ma Thuột"}, "city"),
    ]
    for payload, field in cases:
        body = problem(
            client.put("/me/digital-address", headers=headers, json=payload), 422, "validation_failed"
        )
        assert field in field_errors(body), (payload, body)


def test_replacing_needs_if_match(client, citizen_headers):
    headers, _, _ = citizen_headers()
    etag = client.put("/me/digital-address", headers=headers, json=ADDRESS).headers["ETag"]
    moved = {"street": "5 Nguyễn Tất Thành", "ward_code": "24133"}

    problem(client.put("/me/digital-address", headers=headers, json=moved), 428, "precondition_required")
    problem(
        client.put("/me/digital-address", headers={**headers, "If-Match": '"stale"'}, json=moved),
        412,
        "precondition_failed",
    )
    response = client.put("/me/digital-address", headers={**headers, "If-Match": etag}, json=moved)
    assert response.status_code == 200
    assert response.json["street"] == "5 Nguyễn Tất Thành"
    assert response.json["latitude"] is None
    # The old ETag no longer works.
    problem(
        client.put("/me/digital-address", headers={**headers, "If-Match": etag}, json=ADDRESS),
        412,
        "precondition_failed",
    )


def test_if_match_on_a_missing_address_fails(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.put("/me/digital-address", headers={**headers, "If-Match": '"abc"'}, json=ADDRESS)
    problem(response, 412, "precondition_failed")


def test_delete_needs_if_match_and_then_the_asset_is_missing_again(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    etag = client.put("/me/digital-address", headers=headers, json=ADDRESS).headers["ETag"]
    problem(client.delete("/me/digital-address", headers=headers), 428, "precondition_required")
    problem(
        client.delete("/me/digital-address", headers={**headers, "If-Match": '"x"'}),
        412,
        "precondition_failed",
    )
    assert client.delete("/me/digital-address", headers={**headers, "If-Match": etag}).status_code == 204
    assert stored_addresses(app) == 0
    me = client.get("/me", headers=headers).json
    assert "digital_address" in me["missing"]
    problem(
        client.delete("/me/digital-address", headers={**headers, "If-Match": etag}),
        404,
        "digital_address_not_found",
    )
