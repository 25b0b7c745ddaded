"""Sellers (household businesses): registration by a level-2 citizen, checks of the registration
number and the ward, verification by staff with an audit trail."""

from __future__ import annotations

from api.citizens import cccd as cccd_rules
from tests.content.products.conftest import (
    KRONG_NANG,
    OTHER_PROVINCE_WARD,
    assert_problem,
    audit_entries,
    decide_seller,
    events,
    fresh_tax_code,
    product_body,
    seller_body,
    snapshot,
    tax_code,
    wrong_check_digit,
)


def test_a_level_two_citizen_registers_with_their_own_identity(client, citizen_headers):
    headers, person, _ = citizen_headers()
    number = fresh_tax_code()
    response = client.post(
        "/me/seller",
        headers=headers,
        json=seller_body(registration_number=f"{number[:4]} {number[4:]}", phone="+84 905 123 456"),
    )
    assert response.status_code == 201, response.json
    seller = response.json
    assert seller["status"] == "pending" and seller["status_name"] == "Chờ xác minh"
    assert seller["registration_number"] == number  # spaces dropped
    assert seller["phone"] == "0905123456"
    assert seller["ward"]["name"] == "Phường Buôn Ma Thuột"
    assert response.headers["Location"].endswith("/me/seller")
    # The CCCD is the account's, never typed and never echoed back to the app.
    assert person["cccd"] not in response.get_data(as_text=True)
    assert client.get("/me/seller", headers=headers).json["id"] == seller["id"]


def test_the_cccd_cannot_be_typed(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.post("/me/seller", headers=headers, json=seller_body(cccd="066190012345"))
    body = assert_problem(response, 422, "validation_failed")
    assert any(e["field"].endswith("cccd") for e in body["errors"])


def test_a_level_one_account_is_told_how_to_reach_level_two(app, client, citizen_headers):
    headers, _, _ = citizen_headers(identity_level=1)
    before = snapshot(app)
    response = client.post("/me/seller", headers=headers, json=seller_body())
    body = assert_problem(response, 403, "identity_level_required")
    assert "mức 2" in body["detail"] and "Công an" in body["detail"]
    assert_problem(client.get("/me/seller", headers=headers), 403, "identity_level_required")
    assert snapshot(app) == before


def test_anonymous_and_staff_cannot_register(client, moderator):
    assert_problem(client.post("/me/seller", json=seller_body()), 401, "token_missing")
    assert_problem(client.post("/me/seller", headers=moderator, json=seller_body()), 403, "forbidden")


def test_no_seller_yet_says_how_to_register(client, citizen_headers):
    headers, _, _ = citizen_headers()
    body = assert_problem(client.get("/me/seller", headers=headers), 404, "seller_not_registered")
    assert "đăng ký" in body["detail"]


def test_bad_registration_numbers_are_refused_with_the_expected_forms(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    _, someone_else, _ = citizen_headers()
    good = fresh_tax_code()
    before = snapshot(app)
    for number, hint in (
        (wrong_check_digit(good), "chữ số kiểm tra"),
        ("12345", "định dạng"),
        ("60012345678", "định dạng"),  # 11 digits
        ("ABCDEFGHIJ", "định dạng"),
        (someone_else["cccd"], "của chính bạn"),
        (f"{good}-000", "001"),
        ("", "Hãy nhập"),
    ):
        response = client.post("/me/seller", headers=headers, json=seller_body(registration_number=number))
        body = assert_problem(response, 422, "invalid_registration_number")
        assert hint in body["detail"], (number, body["detail"])
        assert body["errors"][0]["field"] == "registration_number"
    assert snapshot(app) == before


def test_accepted_forms_of_the_registration_number(client, citizen_headers):
    code = fresh_tax_code()
    for typed, stored in (
        (f"{code}001", f"{code}-001"),  # a business location under the same tax code
        (f"{code}-002", f"{code}-002"),
        ("40a8012345", "40A8012345"),  # a certificate numbered by the district's register
        ("0100.109.106", tax_code("010010910")),  # a real, published tax code, typed with dots
    ):
        headers, _, _ = citizen_headers()
        response = client.post("/me/seller", headers=headers, json=seller_body(registration_number=typed))
        assert response.status_code == 201, (typed, response.json)
        assert response.json["registration_number"] == stored


def test_the_owners_own_personal_number_is_accepted_and_masked_in_the_queue(
    client, citizen_headers, moderator
):
    headers, person, _ = citizen_headers()
    cccd_rules.parse(person["cccd"])
    response = client.post(
        "/me/seller", headers=headers, json=seller_body(registration_number=person["cccd"])
    )
    assert response.status_code == 201, response.json
    assert response.json["registration_number"] == person["cccd"]
    queue = client.get("/staff/products/sellers", headers=moderator)
    assert queue.json[0]["registration_number"] == "********" + person["cccd"][-4:]
    assert person["cccd"] not in queue.get_data(as_text=True)


def test_the_ward_must_be_in_the_home_province(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    before = snapshot(app)
    body = assert_problem(
        client.post("/me/seller", headers=headers, json=seller_body(ward_code=OTHER_PROVINCE_WARD)),
        422,
        "ward_outside_province",
    )
    assert "Đắk Lắk" in body["detail"] and "Hà Nội" in body["detail"]
    assert_problem(
        client.post("/me/seller", headers=headers, json=seller_body(ward_code="99999")), 422, "unknown_ward"
    )
    assert_problem(
        client.post("/me/seller", headers=headers, json=seller_body(ward_code="24 133")),
        422,
        "validation_failed",
    )
    assert snapshot(app) == before


def test_bad_phone_wrong_types_and_unknown_fields(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    before = snapshot(app)
    assert_problem(
        client.post("/me/seller", headers=headers, json=seller_body(phone="0123")), 422, "invalid_phone"
    )
    assert_problem(
        client.post("/me/seller", headers=headers, json=seller_body(business_name=123)),
        422,
        "validation_failed",
    )
    assert_problem(
        client.post("/me/seller", headers=headers, json=seller_body(status="verified")),
        422,
        "validation_failed",
    )
    assert_problem(
        client.post("/me/seller", headers=headers, json=seller_body(business_name="A ")),
        422,
        "business_name_too_short",
    )
    assert_problem(
        client.post("/me/seller", headers=headers, data="{", content_type="application/json"),
        400,
        "malformed_json",
    )
    huge = client.post("/me/seller", headers=headers, json=seller_body(business_name="x" * 2_000_000))
    assert huge.status_code == 413
    assert snapshot(app) == before


def test_a_landline_is_a_valid_contact(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.post("/me/seller", headers=headers, json=seller_body(phone="0262 381 2345"))
    assert response.status_code == 201, response.json
    assert response.json["phone"] == "02623812345"


def test_one_seller_per_citizen_and_one_live_claim_per_number(
    app, client, register, moderator, citizen_headers
):
    first = register()
    number = first["seller"]["registration_number"]
    assert_problem(
        client.post("/me/seller", headers=first["headers"], json=seller_body()), 409, "seller_exists"
    )
    other, _, _ = citizen_headers()
    assert_problem(
        client.post("/me/seller", headers=other, json=seller_body(registration_number=number)),
        409,
        "registration_number_taken",
    )
    # Staff reject the first claim: the number is free for its rightful owner.
    assert (
        decide_seller(
            client, moderator, first["seller"], "reject", reason="Số đăng ký không khớp tên hộ"
        ).status_code
        == 200
    )
    response = client.post("/me/seller", headers=other, json=seller_body(registration_number=number))
    assert response.status_code == 201, response.json


def test_staff_verify_with_an_audit_entry_and_the_seller_hears_of_it(app, client, register, moderator):
    made = register()
    queue = client.get("/staff/products/sellers?status=pending", headers=moderator)
    assert queue.status_code == 200
    line = next(s for s in queue.json if s["id"] == made["seller"]["id"])
    assert line["owner_name"] == "Nguyễn Thị Hoa"
    assert made["person"]["cccd"] not in queue.get_data(as_text=True)  # only on the audited detail

    detail = client.get(f"/staff/products/sellers/{made['seller']['id']}", headers=moderator)
    assert detail.json["owner"]["cccd"] == made["person"]["cccd"]
    assert detail.json["owner"]["identity_level"] == 2
    assert len(audit_entries(app, "product_seller.read")) == 1

    response = decide_seller(client, moderator, detail)
    assert response.status_code == 200, response.json
    # Checking the decision's If-Match against the seller shows nobody anything: not a read.
    assert len(audit_entries(app, "product_seller.read")) == 1
    assert response.json["status"] == "verified"
    assert client.get("/me/seller", headers=made["headers"]).json["status_name"] == "Đã xác minh"
    [entry] = audit_entries(app, "product_seller.verified")
    assert entry.actor.startswith("staff:") and entry.target == f"product_seller:{made['seller']['id']}"
    [event] = events(app, "product_seller.verified")
    assert str(event.recipient) == str(made["person"]["id"])


def test_rejecting_needs_a_reason_the_seller_reads(app, client, register, moderator):
    made = register()
    seen = client.get(f"/staff/products/sellers/{made['seller']['id']}", headers=moderator)
    before = snapshot(app)
    assert_problem(decide_seller(client, moderator, seen, "reject"), 422, "reason_required")
    assert_problem(decide_seller(client, moderator, seen, "reject", reason="  "), 422, "reason_required")
    assert snapshot(app) == before
    reason = "Tên hộ kinh doanh không khớp giấy chứng nhận"
    assert decide_seller(client, moderator, seen, "reject", reason=reason).status_code == 200
    mine = client.get("/me/seller", headers=made["headers"]).json
    assert mine["status"] == "rejected" and mine["reject_reason"] == reason
    body = assert_problem(
        client.post("/me/seller/products", headers=made["headers"], json=product_body()),
        409,
        "seller_not_verified",
    )
    assert reason in body["detail"]
    assert len(audit_entries(app, "product_seller.rejected")) == 1
    # Answering the reason: any change puts the seller back in the queue.
    fixed = client.patch(
        "/me/seller", headers=made["headers"], json={"business_name": "Hộ kinh doanh Ea Tam"}
    )
    assert fixed.json["status"] == "pending" and fixed.json["reject_reason"] is None


def test_a_decision_on_a_stale_version_is_refused(app, client, register, moderator):
    made = register()
    seen = client.get(f"/staff/products/sellers/{made['seller']['id']}", headers=moderator)
    client.patch("/me/seller", headers=made["headers"], json={"ward_code": KRONG_NANG})
    before = snapshot(app)
    assert_problem(decide_seller(client, moderator, seen), 412, "precondition_failed")
    assert snapshot(app) == before


def test_a_decision_names_the_version_it_was_made_on(app, client, register, moderator):
    made = register()
    url = f"/staff/products/sellers/{made['seller']['id']}"
    seen = client.get(url, headers=moderator)
    before = snapshot(app)
    assert_problem(
        client.post(f"{url}/decision", headers=moderator, json={"decision": "verify"}),
        428,
        "precondition_required",
    )
    assert snapshot(app) == before
    decided = decide_seller(client, moderator, seen)
    assert decided.status_code == 200, decided.json
    # The answer carries the detail view's ETag (not that of its masked body): a second
    # decision on what the moderator now has in front of them needs no other read.
    assert decided.headers["ETag"] == client.get(url, headers=moderator).headers["ETag"]
    assert decide_seller(client, moderator, decided, "reject", reason="Hồ sơ chưa khớp").status_code == 200
    assert client.get("/me/seller", headers=made["headers"]).json["status"] == "rejected"


def test_only_moderating_roles_decide(client, register, staff_headers, citizen_headers):
    made = register()
    for role in ("agent", "police"):
        headers, _ = staff_headers(role)
        assert_problem(decide_seller(client, headers, made["seller"]), 403, "forbidden")
        assert_problem(client.get("/staff/products/sellers", headers=headers), 403, "forbidden")
    citizen, _, _ = citizen_headers()
    assert_problem(decide_seller(client, citizen, made["seller"]), 403, "forbidden")
    for role in ("officer", "admin"):
        headers, _ = staff_headers(role)
        assert client.get("/staff/products/sellers", headers=headers).status_code == 200


def test_decision_input_is_checked(app, client, register, moderator):
    made = register()
    url = f"/staff/products/sellers/{made['seller']['id']}"
    headers = {**moderator, "If-Match": client.get(url, headers=moderator).headers["ETag"]}
    before = snapshot(app)
    for body in (
        {"decision": "approve"},
        {},
        {"decision": "verify", "note": "x"},
        # The version seen is the If-Match header: a body `version` is an unknown field.
        {"decision": "verify", "version": made["seller"]["version"]},
    ):
        assert_problem(client.post(f"{url}/decision", headers=headers, json=body), 422, "validation_failed")
    assert_problem(
        client.post(
            "/staff/products/sellers/8d6f7f59-0d3e-4a5e-9a57-1d2a3b4c5d6e/decision",
            headers=headers,
            json={"decision": "verify"},
        ),
        404,
        "seller_not_found",
    )
    assert snapshot(app) == before


def test_renaming_a_verified_business_needs_verifying_again(client, seller, publish):
    product = publish(seller)
    assert client.get(f"/products/{product['id']}").status_code == 200
    changed = client.patch("/me/seller", headers=seller["headers"], json={"phone": "0987654321"})
    assert changed.json["status"] == "verified"  # a new phone needs no new check
    renamed = client.patch(
        "/me/seller", headers=seller["headers"], json={"business_name": "HTX Cà phê Ea Tu"}
    )
    assert renamed.json["status"] == "pending"
    assert_problem(client.get(f"/products/{product['id']}"), 404, "product_not_found")
