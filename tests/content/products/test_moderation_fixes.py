"""What staff approve is what they saw; what the public sees of a seller is what the seller
published; a CCCD leaves the registry only on the audited read; units keep their accents."""

from __future__ import annotations

import contextlib
import threading
import uuid

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.extensions import db
from content.products import service
from content.products.catalogue import unit_for
from content.products.models import Product, ProductImage, ProductSeller
from tests.content.products.conftest import (
    KRONG_NANG,
    assert_problem,
    audit_entries,
    decide_product,
    decide_seller,
    jpeg_bytes,
    png_bytes,
    product_body,
    seller_body,
    snapshot,
    upload,
)


def create(client, owner, **overrides):
    response = client.post("/me/seller/products", headers=owner["headers"], json=product_body(**overrides))
    assert response.status_code == 201, response.json
    return response.json


# ---- staff approve the version they saw ----------------------------------------------------------


def test_a_photo_added_after_staff_looked_makes_their_approval_stale(app, client, seller, moderator):
    product = create(client, seller)  # pending: nobody has approved anything yet
    seen = client.get(f"/staff/products/{product['id']}", headers=moderator)
    assert seen.json["images"] == []

    added = upload(client, f"/me/seller/products/{product['id']}/images", seller["headers"], jpeg_bytes())
    assert added.status_code == 201

    before = snapshot(app)
    assert_problem(decide_product(client, moderator, seen), 412, "precondition_failed")
    assert snapshot(app) == before
    assert client.get(f"/products/{product['id']}").status_code == 404  # the photo is not public

    again = client.get(f"/staff/products/{product['id']}", headers=moderator)
    assert len(again.json["images"]) == 1 and again.json["version"] > seen.json["version"]
    assert decide_product(client, moderator, again).status_code == 200


def test_a_photo_removed_after_staff_looked_makes_their_approval_stale_too(app, client, seller, moderator):
    product = create(client, seller)
    url = f"/me/seller/products/{product['id']}/images"
    image = upload(client, url, seller["headers"], jpeg_bytes()).json
    seen = client.get(f"/staff/products/{product['id']}", headers=moderator)
    assert client.delete(f"{url}/{image['id']}", headers=seller["headers"]).status_code == 204
    assert_problem(decide_product(client, moderator, seen), 412, "precondition_failed")


def test_a_decision_needs_the_version_seen_as_if_match(app, client, seller, moderator):
    product = create(client, seller)
    url = f"/staff/products/{product['id']}/decision"
    before = snapshot(app)
    assert_problem(
        client.post(url, headers=moderator, json={"decision": "approve"}), 428, "precondition_required"
    )
    seen = client.get(f"/staff/products/{product['id']}", headers=moderator)
    # The version seen is the If-Match header: a body `version` is an unknown field.
    with_version = {"decision": "approve", "version": product["version"]}
    assert_problem(
        client.post(url, headers={**moderator, "If-Match": seen.headers["ETag"]}, json=with_version),
        422,
        "validation_failed",
    )
    assert snapshot(app) == before
    approved = decide_product(client, moderator, seen)
    assert approved.status_code == 200, approved.json
    # The answer is the staff view after the decision, with its ETag.
    assert (
        approved.headers["ETag"]
        == client.get(f"/staff/products/{product['id']}", headers=moderator).headers["ETag"]
    )


@contextlib.contextmanager
def _lands_while_deciding(change):
    """While the decision's write is about to go out (its If-Match already checked), `change` is
    made and committed by another request."""
    done: dict = {}

    def the_other_request_commits_first(session, *_):
        deciding = any(isinstance(row, (Product, ProductSeller)) for row in session.dirty)
        if done or not deciding:
            return
        done["started"] = True
        thread = threading.Thread(target=lambda: done.setdefault("response", change()))
        thread.start()
        thread.join()

    event.listen(Session, "before_flush", the_other_request_commits_first)
    try:
        yield done
    finally:
        event.remove(Session, "before_flush", the_other_request_commits_first)


@pytest.mark.parametrize("what", ["product", "seller"])
def test_an_edit_committed_while_staff_decide_still_refuses_the_decision(
    app, client, register, moderator, what
):
    """The edit lands between the If-Match check and the decision's write: the write is
    conditional on the version checked, so the decision is refused (409) and nothing of it stays."""
    made = register()
    if what == "seller":
        seen = client.get(f"/staff/products/sellers/{made['seller']['id']}", headers=moderator)
        edit = {"url": "/me/seller", "json": {"ward_code": KRONG_NANG}}
    else:
        assert decide_seller(client, moderator, made["seller"]).status_code == 200
        product = create(client, made)
        seen = client.get(f"/staff/products/{product['id']}", headers=moderator)
        edit = {"url": f"/me/seller/products/{product['id']}", "json": {"price_vnd": 190_000}}
    before = snapshot(app)
    decide = decide_seller if what == "seller" else decide_product
    with _lands_while_deciding(
        lambda: client.patch(edit["url"], headers=made["headers"], json=edit["json"])
    ) as edited:
        assert_problem(decide(client, moderator, seen), 409, f"{what}_changed")
    assert edited["response"].status_code == 200, edited["response"].json
    after = snapshot(app)
    # Only the edit is there: its new version, no decision, no audit entry or event of one.
    assert (after["audit"], after["events"]) == (before["audit"], before["events"])
    assert after[f"{what}s"] != before[f"{what}s"]
    assert [row[1] for row in after[f"{what}s"]] == [row[1] for row in before[f"{what}s"]]


def test_two_uploads_at_once_do_not_pass_the_photo_limit(app, client, seller):
    """The second upload counts the photos while the first is being stored: exactly one of the
    two is kept and the other refused (409), and the product never holds more than the limit."""
    product = create(client, seller)
    url = f"/me/seller/products/{product['id']}/images"
    assert upload(client, url, seller["headers"], jpeg_bytes()).status_code == 201
    app.config["PRODUCT_IMAGE_MAX_FILES"] = 2
    other: dict = {}
    competitor = threading.Thread(
        target=lambda: other.setdefault(
            "response", upload(client, url, seller["headers"], png_bytes(), "anh.png", "image/png")
        )
    )

    def count_then_let_the_other_upload_in(state):
        if competitor.ident is not None or not any(m.class_ is ProductImage for m in state.all_mappers):
            return None
        result = state.invoke_statement()  # this upload has counted one photo
        competitor.start()
        # Where rows are locked (PostgreSQL) the other upload waits for this one to finish; let
        # it run on its own, and go on.
        competitor.join(timeout=3)
        return result

    try:
        with app.test_request_context():
            event.listen(db.session(), "do_orm_execute", count_then_let_the_other_upload_in)
            try:
                service.add_image(
                    uuid.UUID(str(seller["person"]["id"])),
                    uuid.UUID(product["id"]),
                    filename="anh.jpg",
                    data=jpeg_bytes((70, 50)),
                    declared_type="image/jpeg",
                )
                db.session.commit()  # the test is this upload's edge: it commits, as a request would
                mine = 201
            except ApiError as refused:
                assert refused.code in ("product_changed", "too_many_images")
                mine = refused.status
            db.session.remove()
        competitor.join()
    finally:
        app.config["PRODUCT_IMAGE_MAX_FILES"] = 6
    assert sorted([mine, other["response"].status_code]) == [201, 409]
    assert (
        len(client.get(f"/me/seller/products/{product['id']}", headers=seller["headers"]).json["images"]) == 2
    )


def test_an_empty_edit_is_refused_and_an_approved_product_stays_public(app, client, seller, publish):
    product = publish(seller)
    before = snapshot(app)
    body = assert_problem(
        client.patch(f"/me/seller/products/{product['id']}", headers=seller["headers"], json={}),
        422,
        "validation_failed",
    )
    assert "Không có trường nào để sửa" in str(body["errors"])
    assert snapshot(app) == before
    assert client.get(f"/products/{product['id']}").status_code == 200


# ---- units --------------------------------------------------------------------------------------


def test_units_are_matched_exactly_before_accents_are_dropped():
    assert unit_for("bó") == "bó" and unit_for("bộ") == "bộ"  # fold() makes both "bo"
    assert unit_for("Bó") == "bó" and unit_for("BỘ") == "bộ"
    assert unit_for("bo\u0301") == "bó"  # typed decomposed (NFD)
    assert unit_for("bo") is None  # could be either
    assert unit_for("hop") == "hộp" and unit_for("Hộp") == "hộp"  # unambiguous without accents


def test_a_seller_selling_by_the_bunch_is_not_turned_into_a_set(client, seller):
    assert create(client, seller, unit="bó")["unit"] == "bó"
    assert create(client, seller, unit="bộ")["unit"] == "bộ"
    refused = client.post("/me/seller/products", headers=seller["headers"], json=product_body(unit="bo"))
    body = assert_problem(refused, 422, "unknown_unit")
    assert "'bó' hay 'bộ'" in body["detail"]


# ---- privacy ------------------------------------------------------------------------------------


def test_the_sellers_own_phone_is_public_only_when_the_product_has_no_contact(client, seller, publish):
    own = seller["seller"]["phone"]
    with_contact = client.get(f"/products/{publish(seller, contact_phone='0987654321')['id']}").json
    assert with_contact["contact_phone"] == "0987654321"
    assert with_contact["seller"]["phone"] is None
    assert own not in str(with_contact)
    without = client.get(f"/products/{publish(seller)['id']}").json
    assert without["contact_phone"] == own and without["seller"]["phone"] == own
    listed = client.get("/products").json
    assert [p["seller"]["phone"] for p in listed if p["id"] == with_contact["id"]] == [None]


def test_a_decision_does_not_hand_out_the_owners_cccd(app, client, citizen_headers, moderator):
    headers, person, _ = citizen_headers()
    registered = client.post(
        "/me/seller", headers=headers, json=seller_body(registration_number=person["cccd"])
    )
    assert registered.status_code == 201
    decided = decide_seller(client, moderator, registered.json)
    assert decided.status_code == 200
    masked = "********" + person["cccd"][-4:]
    assert decided.json["owner"]["cccd"] == masked and decided.json["registration_number"] == masked
    assert person["cccd"] not in decided.get_data(as_text=True)
    [entry] = audit_entries(app, "product_seller.verified")
    assert entry.detail["registration_number"] == masked
    # The audited detail view still shows it whole, for checking against the registry.
    detail = client.get(f"/staff/products/sellers/{registered.json['id']}", headers=moderator).json
    assert detail["owner"]["cccd"] == person["cccd"]


def test_a_tax_code_stays_whole_in_the_audit(app, client, register, moderator):
    made = register()
    assert decide_seller(client, moderator, made["seller"]).status_code == 200
    [entry] = audit_entries(app, "product_seller.verified")
    assert entry.detail["registration_number"] == made["seller"]["registration_number"]


def test_a_double_click_on_registration_says_already_registered(app, client, citizen_headers):
    headers, person, _ = citizen_headers()
    first_click: dict = {}

    def the_first_click_lands_first(*_):
        thread = threading.Thread(
            target=lambda: first_click.setdefault(
                "response", client.post("/me/seller", headers=headers, json=body)
            )
        )
        thread.start()
        thread.join()

    body = seller_body()
    from api.citizens.service import get_citizen

    with app.test_request_context():
        citizen = get_citizen(person["id"])
        # This click checked that the citizen has no seller yet; the other one commits first.
        event.listen(db.session(), "before_flush", the_first_click_lands_first, once=True)
        with pytest.raises(ApiError) as refused:
            service.register_seller(
                citizen, {**body, "registration_number": seller_body()["registration_number"]}
            )
        db.session.remove()
    assert first_click["response"].status_code == 201
    assert (refused.value.status, refused.value.code) == (409, "seller_exists")
