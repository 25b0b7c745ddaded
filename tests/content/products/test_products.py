"""Products of a verified seller: what they may say (OCOP, price, unit, ward), moderation before
anything is public, ownership, and photos checked by content."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from tests.content.products.conftest import (
    KRONG_NANG,
    OTHER_PROVINCE_WARD,
    assert_problem,
    audit_entries,
    decide_product,
    events,
    jpeg_bytes,
    png_bytes,
    product_body,
    snapshot,
    stored_files,
    upload,
)

OCOP = {"ocop_stars": 4, "ocop_certificate_number": "125/QĐ-UBND", "ocop_year": 2023}


def create(client, owner, **overrides):
    return client.post("/me/seller/products", headers=owner["headers"], json=product_body(**overrides))


def test_a_new_product_waits_for_approval_then_is_public(app, client, seller, moderator):
    response = create(client, seller, **OCOP)
    assert response.status_code == 201, response.json
    product = response.json
    assert product["status"] == "pending" and product["status_name"] == "Chờ duyệt"
    assert product["kind"] == {"code": "coffee", "name": "Cà phê"}  # read from the name
    assert product["price_text"] == "180.000 đồng/gói"
    assert product["ward"]["code"] == seller["seller"]["ward"]["code"]  # the seller's by default
    assert product["contact_phone"] == seller["seller"]["phone"]
    assert response.headers["Location"].endswith(f"/me/seller/products/{product['id']}")

    assert_problem(client.get(f"/products/{product['id']}"), 404, "product_not_found")
    assert client.get("/products").json == []

    queue = client.get("/staff/products?status=pending", headers=moderator).json
    assert [p["id"] for p in queue] == [product["id"]]
    approved = decide_product(client, moderator, queue[0])
    assert approved.status_code == 200, approved.json
    public = client.get(f"/products/{product['id']}").json
    assert public["ocop"] == {"stars": 4, "certificate_number": "125/QĐ-UBND", "year": 2023}
    assert public["seller"]["business_name"] == "Hộ kinh doanh Cà phê Ea Tam"
    assert "status" not in public and "version" not in public
    assert seller["person"]["cccd"] not in client.get("/products").get_data(as_text=True)
    [entry] = audit_entries(app, "product.approved")
    assert entry.target == f"product:{product['id']}"
    [event] = events(app, "product.approved")
    assert str(event.recipient) == str(seller["person"]["id"])


def test_rejection_needs_a_reason_and_keeps_the_product_hidden(app, client, seller, moderator):
    product = create(client, seller).json
    before = snapshot(app)
    assert_problem(decide_product(client, moderator, product, "reject"), 422, "reason_required")
    assert snapshot(app) == before
    reason = "Ảnh và mô tả chưa đúng sản phẩm thật"
    assert decide_product(client, moderator, product, "reject", reason=reason).status_code == 200
    mine = client.get(f"/me/seller/products/{product['id']}", headers=seller["headers"]).json
    assert mine["status"] == "rejected" and mine["reject_reason"] == reason
    assert_problem(client.get(f"/products/{product['id']}"), 404, "product_not_found")
    assert len(audit_entries(app, "product.rejected")) == 1


def test_an_edit_goes_back_to_review_and_a_stale_approval_is_refused(app, client, seller, moderator, publish):
    product = publish(seller)
    seen = client.get(f"/staff/products/{product['id']}", headers=moderator)
    edited = client.patch(
        f"/me/seller/products/{product['id']}",
        headers=seller["headers"],
        json={"description": "Cà phê trộn 30% bơ và hương liệu, rang đậm, đóng gói 500 g."},
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["status"] == "pending"
    assert edited.json["name"] == product["name"]  # what was not sent stays
    assert_problem(client.get(f"/products/{product['id']}"), 404, "product_not_found")
    before = snapshot(app)
    # Staff approving what they read before the edit would publish text nobody has read.
    assert_problem(decide_product(client, moderator, seen), 412, "precondition_failed")
    assert snapshot(app) == before
    assert decide_product(client, moderator, edited.json).status_code == 200
    assert client.get(f"/products/{product['id']}").status_code == 200


def test_another_sellers_product_is_not_found(app, client, seller, verified_seller, publish):
    product = publish(seller)
    other = verified_seller(business_name="Hộ kinh doanh Mật ong Ea Súp")
    before = snapshot(app)
    url = f"/me/seller/products/{product['id']}"
    assert_problem(client.get(url, headers=other["headers"]), 404, "product_not_found")
    assert_problem(
        client.patch(url, headers=other["headers"], json={"price_vnd": 1000}), 404, "product_not_found"
    )
    assert_problem(client.delete(url, headers=other["headers"]), 404, "product_not_found")
    assert_problem(upload(client, f"{url}/images", other["headers"], jpeg_bytes()), 404, "product_not_found")
    assert client.get("/me/seller/products", headers=other["headers"]).json == []
    assert snapshot(app) == before


def test_a_citizen_who_is_not_a_seller_cannot_list_products(client, citizen_headers):
    headers, _, _ = citizen_headers()
    assert_problem(
        client.post("/me/seller/products", headers=headers, json=product_body()), 404, "seller_not_registered"
    )
    level1, _, _ = citizen_headers(identity_level=1)
    assert_problem(
        client.post("/me/seller/products", headers=level1, json=product_body()),
        403,
        "identity_level_required",
    )


def test_a_pending_seller_cannot_list_products(app, client, register):
    made = register()
    before = snapshot(app)
    body = assert_problem(create(client, made), 409, "seller_not_verified")
    assert "chờ cán bộ xác minh" in body["detail"]
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        (
            {"ocop_stars": 2, "ocop_certificate_number": "12/QĐ", "ocop_year": 2022},
            "ocop_stars_invalid",
            "ocop_stars",
        ),
        (
            {"ocop_stars": 6, "ocop_certificate_number": "12/QĐ", "ocop_year": 2022},
            "ocop_stars_invalid",
            "ocop_stars",
        ),
        ({"ocop_stars": 4}, "ocop_certificate_required", "ocop_certificate_number"),
        ({"ocop_stars": 4, "ocop_certificate_number": "12/QĐ"}, "ocop_certificate_required", "ocop_year"),
        ({"ocop_certificate_number": "12/QĐ", "ocop_year": 2022}, "ocop_stars_required", "ocop_stars"),
        (
            {"ocop_stars": 3, "ocop_certificate_number": "12/QĐ", "ocop_year": 2016},
            "ocop_year_invalid",
            "ocop_year",
        ),
        (
            {"ocop_stars": 3, "ocop_certificate_number": "12/QĐ", "ocop_year": date.today().year + 2},
            "ocop_year_invalid",
            "ocop_year",
        ),
    ],
)
def test_ocop_stars_only_when_certified(app, client, seller, fields, code, field):
    before = snapshot(app)
    body = assert_problem(create(client, seller, **fields), 422, code)
    assert body["errors"][0]["field"] == field
    assert snapshot(app) == before


def test_an_uncertified_product_has_no_ocop(client, seller):
    product = create(client, seller, ocop_stars=None).json
    assert product["ocop"] is None and product["ocop_stars"] is None


@pytest.mark.parametrize(
    ("price", "code"),
    [
        (0, "validation_failed"),
        (-5000, "validation_failed"),
        (180000.5, "validation_failed"),
        (180000.0, "validation_failed"),
        ("180000", "validation_failed"),
        (True, "validation_failed"),
        (1_000_000_001, "price_too_high"),
    ],
)
def test_price_is_whole_dong_above_zero_and_sane(app, client, seller, price, code):
    before = snapshot(app)
    assert_problem(create(client, seller, price_vnd=price), 422, code)
    assert snapshot(app) == before


def test_the_other_fields_are_checked(app, client, seller):
    before = snapshot(app)
    for fields, code in (
        ({"category": "vang_bac"}, "unknown_category"),
        ({"kind": "wine"}, "unknown_kind"),
        ({"unit": "thùng container"}, "validation_failed"),
        ({"unit": "xe"}, "unknown_unit"),
        ({"ward_code": OTHER_PROVINCE_WARD}, "ward_outside_province"),
        ({"ward_code": "99999"}, "unknown_ward"),
        ({"contact_phone": "113"}, "invalid_phone"),
        ({"name": "CF"}, "name_too_short"),
        ({"description": "Ngon."}, "description_too_short"),
        ({"status": "approved"}, "validation_failed"),
        ({"ocop_stars": "4"}, "validation_failed"),
    ):
        assert_problem(create(client, seller, **fields), 422, code)
    assert snapshot(app) == before


def test_units_and_kinds_as_sellers_type_them(client, seller):
    product = create(
        client,
        seller,
        name="Mật ong hoa cà phê nguyên chất",
        unit="Chai",
        ward_code=KRONG_NANG,
        contact_phone="0262 381 2345",
    ).json
    assert product["unit"] == "chai"
    assert product["kind"]["code"] == "honey"  # the first thing the name says
    assert product["ward"]["name"] == "Xã Krông Năng"
    assert product["contact_phone"] == "02623812345"
    chosen = create(client, seller, name="Quà Tết Tây Nguyên", kind="macadamia", unit="hop").json
    assert chosen["kind"]["code"] == "macadamia" and chosen["unit"] == "hộp"


def test_photos_are_checked_by_content_and_send_the_product_back_to_review(
    app, client, seller, moderator, publish
):
    product = publish(seller)
    url = f"/me/seller/products/{product['id']}/images"
    added = upload(client, url, seller["headers"], png_bytes(), "ca-phe.png", "image/png")
    assert added.status_code == 201, added.json
    assert added.json["content_type"] == "image/png" and added.json["product_status"] == "pending"
    assert stored_files(app, product["id"]) == 1
    assert_problem(client.get(f"/products/{product['id']}"), 404, "product_not_found")
    own = client.get(f"{url}/{added.json['id']}", headers=seller["headers"])
    assert own.status_code == 200 and own.mimetype == "image/png"
    assert own.headers["Cache-Control"] == "private, no-store"

    staff_view = client.get(f"/staff/products/{product['id']}", headers=moderator).json
    assert client.get(staff_view["images"][0]["url"], headers=moderator).data == png_bytes()
    decide_product(client, moderator, staff_view)
    public = client.get(f"/products/{product['id']}").json
    photo = client.get(public["images"][0]["url"])
    assert photo.status_code == 200 and photo.data == png_bytes()
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.headers["Cache-Control"] == "public, max-age=3600"
    # The app's cache asks again with the ETag: nothing is sent twice.
    again = client.get(public["images"][0]["url"], headers={"If-None-Match": photo.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_disguised_and_broken_files_are_refused_and_nothing_is_stored(app, client, seller):
    product = create(client, seller).json
    url = f"/me/seller/products/{product['id']}/images"
    before = snapshot(app)
    cases = (
        (b"<html><script>alert(1)</script></html>", "anh.jpg", "image/jpeg", 415, "unsupported_file_type"),
        (b"%PDF-1.7\n...\n%%EOF", "anh.pdf", "application/pdf", 415, "unsupported_file_type"),
        (png_bytes(), "anh.jpg", "image/jpeg", 415, "unsupported_file_type"),  # a PNG named .jpg
        (jpeg_bytes(), "anh.jpg", "image/png", 415, "unsupported_file_type"),  # declared otherwise
        (jpeg_bytes(), "anh.html", "image/jpeg", 415, "unsupported_file_type"),
        (jpeg_bytes()[:200], "anh.jpg", "image/jpeg", 422, "file_corrupt"),  # cut off
        (b"", "anh.jpg", "image/jpeg", 422, "file_missing"),
    )
    for data, name, declared, status, code in cases:
        assert_problem(upload(client, url, seller["headers"], data, name, declared), status, code)
    assert_problem(
        client.post(url, headers=seller["headers"], data={}, content_type="multipart/form-data"),
        422,
        "file_missing",
    )
    assert snapshot(app) == before


def test_photo_size_and_count_limits(make_app, app, client, seller):
    product = create(client, seller).json
    url = f"/me/seller/products/{product['id']}/images"
    app.config["PRODUCT_IMAGE_MAX_BYTES"] = 2000
    try:
        before = snapshot(app)
        body = assert_problem(
            upload(client, url, seller["headers"], jpeg_bytes((400, 400))), 413, "file_too_large"
        )
        assert "MB" in body["detail"] or "KB" in body["detail"]
        assert snapshot(app) == before
    finally:
        app.config["PRODUCT_IMAGE_MAX_BYTES"] = 5 * 1024 * 1024
    app.config["PRODUCT_IMAGE_MAX_FILES"] = 2
    try:
        for _ in range(2):
            assert upload(client, url, seller["headers"], jpeg_bytes()).status_code == 201
        assert_problem(upload(client, url, seller["headers"], jpeg_bytes()), 409, "too_many_images")
    finally:
        app.config["PRODUCT_IMAGE_MAX_FILES"] = 6


def test_deleting_a_product_removes_its_photos(app, client, seller):
    product = create(client, seller).json
    url = f"/me/seller/products/{product['id']}"
    image = upload(client, f"{url}/images", seller["headers"], jpeg_bytes()).json
    assert stored_files(app, product["id"]) == 1
    assert client.delete(f"{url}/images/{image['id']}", headers=seller["headers"]).status_code == 204
    assert stored_files(app, product["id"]) == 0
    upload(client, f"{url}/images", seller["headers"], jpeg_bytes())
    assert client.delete(url, headers=seller["headers"]).status_code == 204
    assert stored_files(app, product["id"]) == 0
    assert_problem(client.get(url, headers=seller["headers"]), 404, "product_not_found")


def test_unknown_ids_and_staff_only_views(client, seller, citizen_headers):
    missing = uuid.uuid4()
    assert_problem(client.get(f"/products/{missing}"), 404, "product_not_found")
    assert_problem(
        client.get(f"/me/seller/products/{missing}", headers=seller["headers"]), 404, "product_not_found"
    )
    assert client.get("/me/seller/products/not-a-uuid", headers=seller["headers"]).status_code == 404
    headers, _, _ = citizen_headers()
    assert_problem(client.get("/staff/products", headers=headers), 403, "forbidden")
    assert_problem(client.get("/staff/products"), 401, "token_missing")
