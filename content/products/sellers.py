"""Sellers of local products: a signed-in citizen's household business, verified by staff.

Its owner's CCCD is the citizen's own, from the registry; the registration number is checked
(registration.py) and one number has one live claim. Staff verify or reject it, with a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.unit_of_work import rollback
from content.products import registration
from content.products.checks import (
    bounded_text,
    changed_meanwhile,
    check_reason,
    contact_phone,
    flush_change,
    home_ward,
    invalid,
    seller_not_found,
    seller_not_registered,
)
from content.products.models import PENDING, REJECTED, VERIFIED, ProductSeller
from content.products.public import index_product
from content.products.workflow import SELLERS

if TYPE_CHECKING:
    from api.citizens.models import Citizen

# ---- sellers ----------------------------------------------------------------------------------------


def seller_of(citizen_id: uuid.UUID) -> ProductSeller | None:
    return db.session.scalar(select(ProductSeller).where(ProductSeller.citizen_id == citizen_id))


def my_seller(citizen_id: uuid.UUID) -> ProductSeller:
    seller = seller_of(citizen_id)
    if seller is None:
        raise seller_not_registered()
    return seller


def _registration_number(raw: Any, citizen: Citizen) -> str:
    try:
        return registration.normalise(str(raw or ""), owner_cccd=citizen.cccd)
    except registration.InvalidRegistrationNumber as exc:
        raise invalid("invalid_registration_number", "registration_number", str(exc)) from None


def _check_number_free(number: str, seller_id: uuid.UUID | None) -> None:
    statement = select(ProductSeller.id).where(
        ProductSeller.registration_number == number, ProductSeller.status != REJECTED
    )
    if seller_id is not None:
        statement = statement.where(ProductSeller.id != seller_id)
    if db.session.scalar(statement) is not None:
        raise _number_taken()


def masked_registration_number(number: str) -> str:
    """Since July 2025 the number may be the owner's CCCD: shown whole only on the audited detail."""
    if number.isdigit() and len(number) == 12:
        return "********" + number[-4:]
    return number


def _number_taken() -> ApiError:
    return invalid(
        "registration_number_taken",
        "registration_number",
        "Số đăng ký hộ kinh doanh này đã được một tài khoản khác đăng ký bán hàng. Nếu đây là hộ "
        "kinh doanh của bạn, hãy liên hệ UBND phường, xã hoặc tổng đài 1900 0368 để được hỗ trợ.",
        status=409,
    )


def _already_registered() -> ApiError:
    return ApiError(
        409,
        "seller_exists",
        "Bạn đã đăng ký bán hàng rồi. Hãy xem hoặc sửa thông tin người bán của bạn.",
    )


def register_seller(citizen: Citizen, data: Mapping[str, Any]) -> ProductSeller:
    """A citizen's household business, pending staff verification. One per citizen."""
    if seller_of(citizen.id) is not None:
        raise _already_registered()
    seller = ProductSeller(
        id=uuid.uuid4(),
        citizen_id=citizen.id,
        business_name=bounded_text(data.get("business_name"), "business_name", 3, 200, "Tên hộ kinh doanh"),
        registration_number=_registration_number(data.get("registration_number"), citizen),
        ward_code=home_ward(data.get("ward_code")),
        phone=contact_phone(data.get("phone"), "phone"),
        status=PENDING,
    )
    _check_number_free(seller.registration_number, None)
    db.session.add(seller)
    try:
        db.session.flush()
    except IntegrityError:
        rollback()  # the failed flush left the session unusable; the request fails anyway
        # Which unique key refused it: this citizen's own (a double click; the first request
        # registered them) or the number's live claim (someone else registered it meanwhile).
        if seller_of(citizen.id) is not None:
            raise _already_registered() from None
        raise _number_taken() from None
    return seller


def update_seller(citizen: Citizen, data: Mapping[str, Any]) -> ProductSeller:
    """Change the business's details. A new name, number or ward needs verifying again (its
    products leave the public list until then); a new phone does not. A rejected seller who
    changes anything is pending again: that is how they answer the reason given."""
    seller = my_seller(citizen.id)
    needs_review = False
    if "business_name" in data:
        name = bounded_text(data["business_name"], "business_name", 3, 200, "Tên hộ kinh doanh")
        needs_review |= name != seller.business_name
        seller.business_name = name
    if "registration_number" in data:
        number = _registration_number(data["registration_number"], citizen)
        if number != seller.registration_number:
            _check_number_free(number, seller.id)
            needs_review = True
        seller.registration_number = number
    if "ward_code" in data:
        ward_code = home_ward(data["ward_code"])
        needs_review |= ward_code != seller.ward_code
        seller.ward_code = ward_code
    if "phone" in data:
        seller.phone = contact_phone(data["phone"], "phone")
    if needs_review or (seller.status == REJECTED and data):
        seller.status = SELLERS.next_status("resubmit", seller.status)
        seller.reject_reason = None
        seller.decided_by = seller.decided_at = None
    for product in seller.products:
        index_product(product)  # the seller's name is part of every product's search text
    try:
        flush_change("seller")
    except IntegrityError:  # the request is rolled back
        raise _number_taken() from None
    return seller


def seller_queue(status: str | None) -> Select:
    statement = select(ProductSeller)
    if status:
        statement = statement.where(ProductSeller.status == status)
    # Oldest waiting first: they have waited longest.
    return statement.order_by(ProductSeller.created_at, ProductSeller.id)


def find_seller(seller_id: uuid.UUID) -> ProductSeller:
    """A seller by id, not audited: shows nobody anything (the decision's If-Match check, the
    decision itself). Staff reading the owner's identity go through `staff_seller`."""
    seller = db.session.get(ProductSeller, seller_id)
    if seller is None:
        raise seller_not_found()
    return seller


def staff_seller(seller_id: uuid.UUID, actor: str) -> ProductSeller:
    """A seller with the owner's identity from the registry: an audited read of personal data."""
    seller = find_seller(seller_id)
    record_audit("product_seller.read", actor=actor, target=f"product_seller:{seller.id}")
    return seller


def owner_of(seller: ProductSeller) -> Citizen | None:
    return citizens.get_citizen(seller.citizen_id)


def decide_seller(
    seller_id: uuid.UUID, actor: str, decision: str, version: int, reason: str | None
) -> ProductSeller:
    """`actor` is "staff:<uuid>" (or "demo" for the demo data); `version` the one they read (the
    route checked If-Match against it). The UPDATE is conditional on it (`version_id_col`): an
    edit committed meanwhile makes the decision fail with 409 `seller_changed`."""
    seller = find_seller(seller_id)
    if seller.version != version:
        raise changed_meanwhile("seller")
    reject_reason = check_reason(reason) if decision == "reject" else None
    status = SELLERS.next_status(decision, seller.status)
    now = utcnow()
    seller.status = status
    seller.reject_reason = reject_reason
    seller.decided_by = actor
    seller.decided_at = now
    record_audit(
        f"product_seller.{'verified' if status == VERIFIED else 'rejected'}",
        actor=seller.decided_by,
        target=f"product_seller:{seller.id}",
        # The audit log is read more widely than the registry: a CCCD goes in masked.
        registration_number=masked_registration_number(seller.registration_number),
        reason=reject_reason,
    )
    record_event(
        f"product_seller.{'verified' if status == VERIFIED else 'rejected'}",
        aggregate_type="product_seller",
        aggregate_id=seller.id,
        recipient=seller.citizen_id,
        payload={"seller_id": str(seller.id), "business_name": seller.business_name, "reason": reject_reason},
    )
    flush_change("seller")
    return seller
