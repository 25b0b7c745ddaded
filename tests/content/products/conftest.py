"""Fixtures of the local-product tests: sellers at each stage, products, staff, snapshots."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.events import OutboxEvent
from api.extensions import db
from content.products.models import Product, ProductImage, ProductSeller
from content.products.registration import tax_code_check_digit
from tests.conftest import (
    DEMO_WARD,
    assert_problem,  # noqa: F401 (the package's tests import it from here)
    count_stored_files,
)

OTHER_PROVINCE_WARD = "00004"  # Phường Ba Đình, Hà Nội
KRONG_NANG = "24343"  # Xã Krông Năng, Đắk Lắk


def tax_code(first_nine: str) -> str:
    """A valid 10-digit tax code starting with these nine digits."""
    digit = tax_code_check_digit(first_nine)
    assert digit is not None, first_nine
    return first_nine + str(digit)


def wrong_check_digit(code: str) -> str:
    return code[:9] + str((int(code[9]) + 1) % 10)


_numbers = iter(range(100_001, 999_999, 7))


def fresh_tax_code() -> str:
    while True:
        first = f"600{next(_numbers):06d}"
        if tax_code_check_digit(first) is not None:
            return tax_code(first)


def seller_body(**overrides) -> dict:
    body = {
        "business_name": "Hộ kinh doanh Cà phê Ea Tam",
        "registration_number": fresh_tax_code(),
        "ward_code": DEMO_WARD,
        "phone": "0905 123 456",
    }
    body.update(overrides)
    return body


def product_body(**overrides) -> dict:
    body = {
        "name": "Cà phê Buôn Ma Thuột rang mộc",
        "description": "Cà phê Robusta hái chín, phơi giàn, rang mộc không tẩm hương liệu. Gói 500 g.",
        "category": "thuc_pham_che_bien",
        "price_vnd": 180_000,
        "unit": "gói",
    }
    body.update(overrides)
    return body


def jpeg_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 70, 20)).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, url, headers, data, filename="anh.jpg", content_type="image/jpeg"):
    return client.post(
        url,
        headers=headers,
        data={"file": (io.BytesIO(data), filename, content_type)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def moderator(staff_headers):
    headers, _ = staff_headers("comms")
    return headers


@pytest.fixture
def register(client, citizen_headers):
    """A level-2 citizen registered as a seller: {headers, person, seller}."""

    def register(**overrides):
        headers, person, _ = citizen_headers(
            **{k: overrides.pop(k) for k in ("full_name",) if k in overrides}
        )
        response = client.post("/me/seller", headers=headers, json=seller_body(**overrides))
        assert response.status_code == 201, response.json
        return {"headers": headers, "person": person, "seller": response.json}

    return register


def _decide(client, moderator, view_url: str, seen, body: dict):
    """POST `body` to the decision on what the moderator saw: `seen` is the staff view's response
    (its ETag goes in If-Match, as a console sends it), or the seller or product as a dict: then
    the moderator opens the staff view now (audited for a seller) and decides on that."""
    if isinstance(seen, dict):
        url = view_url.format(id=seen["id"])
        seen = client.get(url, headers=moderator)
    else:
        url = view_url.format(id=seen.json["id"])
    etag = seen.headers.get("ETag")  # none when the caller may not read the view (403)
    return client.post(
        f"{url}/decision", headers={**moderator, **({"If-Match": etag} if etag else {})}, json=body
    )


def decide_seller(client, moderator, seen, decision="verify", **fields):
    return _decide(client, moderator, "/staff/products/sellers/{id}", seen, {"decision": decision, **fields})


def decide_product(client, moderator, seen, decision="approve", **fields):
    return _decide(client, moderator, "/staff/products/{id}", seen, {"decision": decision, **fields})


@pytest.fixture
def verified_seller(client, register, moderator):
    """A verified seller: {headers, person, seller}, as a factory."""

    def make(**overrides):
        made = register(**overrides)
        response = decide_seller(client, moderator, made["seller"])
        assert response.status_code == 200, response.json
        made["seller"] = client.get("/me/seller", headers=made["headers"]).json
        return made

    return make


@pytest.fixture
def seller(verified_seller):
    return verified_seller()


@pytest.fixture
def publish(client, moderator):
    """Create a product as `owner` and have staff approve it; returns the public view."""

    def publish(owner: dict, **overrides) -> dict:
        created = client.post("/me/seller/products", headers=owner["headers"], json=product_body(**overrides))
        assert created.status_code == 201, created.json
        approved = decide_product(client, moderator, created.json)
        assert approved.status_code == 200, approved.json
        return approved.json

    return publish


def stored_files(app, product_id: str | None = None) -> int:
    """Files in storage: of one product, or of all products."""
    return count_stored_files(app, "products", *([product_id] if product_id else []))


def snapshot(app) -> dict:
    """What a refused request must leave as it was."""
    with app.app_context():
        state = {
            "sellers": [
                tuple(row)
                for row in db.session.execute(
                    select(ProductSeller.id, ProductSeller.status, ProductSeller.version).order_by(
                        ProductSeller.id
                    )
                )
            ],
            "products": [
                tuple(row)
                for row in db.session.execute(
                    select(Product.id, Product.status, Product.version, Product.price_vnd).order_by(
                        Product.id
                    )
                )
            ],
            "images": db.session.scalar(select(func.count()).select_from(ProductImage)),
            "events": db.session.scalar(select(func.count()).select_from(OutboxEvent)),
            "audit": db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("product%"))
            ),
            "files": stored_files(app),
        }
        db.session.remove()
        return state


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return found


def events(app, event_type: str) -> list[OutboxEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type)))
        db.session.expunge_all()
        return found
