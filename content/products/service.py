"""Local products (M22): sellers register, staff verify them, products are moderated, anyone searches.

Plain functions on the Flask-SQLAlchemy session and the configured storage; no `flask.request`.

- A seller is a signed-in citizen's household business. Its owner's CCCD is the citizen's own,
  from the registry; the registration number is checked (content/products/registration.py) and
  one number has one live claim. Staff (officer, comms, admin) verify or reject it, with a reason.
- Only a verified seller adds products. A new product, an edited one and one given a new image
  are pending until staff approve them again: the public never sees content nobody has looked at.
  Staff decide on the version they read: their decision carries the ETag of the staff view
  (If-Match; 412 after an edit), and is written only on that version (409 for an edit
  committed while deciding).
- The public sees approved products of verified sellers, nothing else; a seller reaches only their
  own products, and another's answers 404 like a product that does not exist.
- Every staff decision writes an audit entry and an outbox event to the seller, in the same
  transaction.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from api.audit import record_audit
from api.dbtypes import utcnow
from api.documents.files import JPEG, PNG, check_claims, check_size, detect, sanitise_filename, verify_image
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.storage import StorageError, get_storage
from api.text import nfc
from api.unit_of_work import after_commit
from api.workdays import local_date
from content.products.catalogue import (
    CATEGORIES,
    CATEGORY_BY_CODE,
    KIND_BY_CODE,
    UNITS,
    ambiguous_units,
    infer_kind,
    unit_for,
)
from content.products.checks import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    NAME_MAX,
    NAME_MIN,
    OCOP_FIRST_YEAR,
    OCOP_STARS,
    PRICE_MAX_VND,
    REASON_MIN,
    STAFF_DECISIONS_PRODUCT,
    STAFF_DECISIONS_SELLER,
    bounded_text,
    catalogue,
    changed_meanwhile,
    check_reason,
    contact_phone,
    flush_change,
    home_ward,
    invalid,
    product_not_found,
    seller_not_found,
    seller_not_registered,
    storage_unavailable,
)
from content.products.models import (
    APPROVED,
    PENDING,
    REJECTED,
    VERIFIED,
    Product,
    ProductImage,
    ProductSeller,
)
from content.products.public import SEARCH_WORDS_MAX, check_search, index_product, public_product, search
from content.products.sellers import (
    decide_seller,
    find_seller,
    masked_registration_number,
    my_seller,
    owner_of,
    register_seller,
    seller_of,
    seller_queue,
    staff_seller,
    update_seller,
)
from content.products.workflow import PRODUCTS

# The names routes, demo data, schemas and tests call, wherever they now live.
__all__ = [
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "IMAGE_DECLARED",
    "IMAGE_EXTENSIONS",
    "IMAGE_LABEL",
    "IMAGE_TYPE_NAMES",
    "NAME_MAX",
    "NAME_MIN",
    "OCOP_FIRST_YEAR",
    "OCOP_STARS",
    "PRICE_MAX_VND",
    "REASON_MIN",
    "SEARCH_WORDS_MAX",
    "STAFF_DECISIONS_PRODUCT",
    "STAFF_DECISIONS_SELLER",
    "add_image",
    "catalogue",
    "check_image",
    "check_search",
    "create_product",
    "decide_product",
    "decide_seller",
    "delete_image",
    "delete_product",
    "find_seller",
    "image_of",
    "masked_registration_number",
    "my_product",
    "my_products",
    "my_seller",
    "owner_of",
    "product_not_found",
    "product_queue",
    "public_product",
    "read_image",
    "register_seller",
    "search",
    "seller_not_found",
    "seller_not_registered",
    "seller_of",
    "seller_queue",
    "staff_product",
    "staff_seller",
    "update_product",
    "update_seller",
]

log = logging.getLogger(__name__)

IMAGE_TYPE_NAMES = {JPEG: "JPEG", PNG: "PNG"}
IMAGE_EXTENSIONS = {"jpg": JPEG, "jpeg": JPEG, "jpe": JPEG, "jfif": JPEG, "png": PNG}
IMAGE_DECLARED = {JPEG: {JPEG, "image/jpg", "image/pjpeg"}, PNG: {PNG, "image/x-png"}}
IMAGE_LABEL = "ảnh JPEG hoặc PNG"


# ---- products: the seller's side --------------------------------------------------------------------


def _check_ocop(
    stars: Any, certificate: Any, year: Any, now: datetime
) -> tuple[int | None, str | None, int | None]:
    certificate = nfc(certificate or "") or None
    if stars is None:
        if certificate is not None or year is not None:
            raise invalid(
                "ocop_stars_required",
                "ocop_stars",
                "Đã có giấy chứng nhận OCOP thì hãy chọn hạng sao (3, 4 hoặc 5 sao) ghi trên giấy; "
                "sản phẩm chưa được chứng nhận thì để trống cả số giấy và năm.",
            )
        return None, None, None
    if stars not in OCOP_STARS:
        raise invalid(
            "ocop_stars_invalid",
            "ocop_stars",
            "Sản phẩm OCOP được công nhận từ 3 đến 5 sao; sản phẩm dưới 3 sao chưa đạt chứng nhận "
            "OCOP nên không ghi hạng sao.",
        )
    if certificate is None or year is None:
        raise invalid(
            "ocop_certificate_required",
            "ocop_certificate_number" if certificate is None else "ocop_year",
            "Sản phẩm ghi hạng sao OCOP cần số và năm của giấy chứng nhận OCOP do UBND tỉnh cấp.",
        )
    this_year = local_date(now).year
    if not OCOP_FIRST_YEAR <= year <= this_year:
        raise invalid(
            "ocop_year_invalid",
            "ocop_year",
            f"Năm chứng nhận OCOP phải từ {OCOP_FIRST_YEAR} đến {this_year}.",
        )
    if len(certificate) > 60:
        raise invalid(
            "ocop_certificate_too_long", "ocop_certificate_number", "Số giấy chứng nhận tối đa 60 ký tự."
        )
    return stars, certificate, year


def _check_price(price: Any) -> int:
    if price > PRICE_MAX_VND:
        raise invalid(
            "price_too_high",
            "price_vnd",
            f"Giá tối đa {PRICE_MAX_VND:,} đồng cho một đơn vị bán; hãy kiểm tra lại số chữ số 0.".replace(
                ",", "."
            ),
        )
    return price


_FIELDS = (
    "name",
    "description",
    "category",
    "kind",
    "ocop_stars",
    "ocop_certificate_number",
    "ocop_year",
    "price_vnd",
    "unit",
    "ward_code",
    "contact_phone",
)


def _apply(product: Product, seller: ProductSeller, data: Mapping[str, Any], now: datetime) -> None:
    """Validate the product as it will be (stored values, overridden by `data`) and set it."""
    merged = {name: getattr(product, name) for name in _FIELDS}
    merged.update({k: v for k, v in data.items() if k in _FIELDS})
    product.name = bounded_text(merged["name"], "name", NAME_MIN, NAME_MAX, "Tên sản phẩm")
    product.description = bounded_text(
        merged["description"], "description", DESCRIPTION_MIN, DESCRIPTION_MAX, "Mô tả sản phẩm"
    )
    if merged["category"] not in CATEGORY_BY_CODE:
        raise invalid(
            "unknown_category",
            "category",
            f"Không có nhóm sản phẩm '{merged['category']}'. Hãy chọn một trong: "
            + ", ".join(f"{c.code} ({c.name})" for c in CATEGORIES)
            + ".",
        )
    product.category = merged["category"]
    kind = merged["kind"]
    if kind is not None and kind not in KIND_BY_CODE:
        raise invalid(
            "unknown_kind",
            "kind",
            f"Không có loại sản phẩm '{kind}'. Hãy chọn một trong: "
            + ", ".join(KIND_BY_CODE)
            + ", hoặc để trống.",
        )
    # A kind the seller leaves out is read from the name, so "Cà phê bột" is found when a buyer
    # asks the chatbot for coffee; one they give wins.
    if data.get("kind") is not None:
        product.kind = kind
    else:
        product.kind = infer_kind(product.name) or (None if "kind" in data else product.kind)
    product.ocop_stars, product.ocop_certificate_number, product.ocop_year = _check_ocop(
        merged["ocop_stars"], merged["ocop_certificate_number"], merged["ocop_year"], now
    )
    product.price_vnd = _check_price(merged["price_vnd"])
    unit = unit_for(merged["unit"] or "")
    if unit is None and ambiguous_units(merged["unit"] or ""):
        raise invalid(
            "unknown_unit",
            "unit",
            f"Đơn vị bán '{merged['unit']}' không rõ: hãy viết có dấu, "
            + " hay ".join(f"'{u}'" for u in ambiguous_units(merged["unit"]))
            + ".",
        )
    if unit is None:
        raise invalid(
            "unknown_unit",
            "unit",
            f"Đơn vị bán '{merged['unit']}' không có trong danh sách: {', '.join(UNITS)}.",
        )
    product.unit = unit
    product.ward_code = home_ward(merged["ward_code"] or seller.ward_code)
    phone = merged["contact_phone"]
    product.contact_phone = contact_phone(phone, "contact_phone") if phone else None


def _require_verified(seller: ProductSeller) -> None:
    if seller.status != VERIFIED:
        detail = {
            PENDING: "Hộ kinh doanh của bạn đang chờ cán bộ xác minh; bạn đăng sản phẩm được sau khi được xác minh.",
            REJECTED: "Đăng ký bán hàng của bạn bị từ chối"
            + (f" ({seller.reject_reason})" if seller.reject_reason else "")
            + ". Hãy sửa thông tin theo lý do nêu trên để được xác minh lại.",
        }[seller.status]
        raise ApiError(409, "seller_not_verified", detail, seller_status=seller.status)


def create_product(citizen_id: uuid.UUID, data: Mapping[str, Any]) -> Product:
    seller = my_seller(citizen_id)
    _require_verified(seller)
    now = utcnow()
    product = Product(id=uuid.uuid4(), status=PENDING, created_at=now)
    product.seller = seller
    for name in _FIELDS:
        setattr(product, name, None)
    _apply(product, seller, data, now)
    index_product(product)
    db.session.add(product)
    db.session.flush()
    return product


def my_products(citizen_id: uuid.UUID, status: str | None) -> Select:
    seller = my_seller(citizen_id)
    statement = select(Product).where(Product.seller_id == seller.id)
    if status:
        statement = statement.where(Product.status == status)
    return statement.order_by(Product.created_at.desc(), Product.id)


def my_product(citizen_id: uuid.UUID, product_id: uuid.UUID) -> Product:
    """One of the citizen's own products; anyone else's answers 404, like a missing one."""
    seller = seller_of(citizen_id)
    product = db.session.get(Product, product_id)
    if seller is None or product is None or product.seller_id != seller.id:
        raise product_not_found()
    return product


def _new_version(product: Product) -> None:
    """A change staff must see before they decide: the product's row is updated whatever else
    changed, so its version moves on (`version_id_col`) and a decision on the version staff read
    before it answers 409. Adding or removing a photo changes no column of the product by itself."""
    product.updated_at = utcnow()


def _back_to_review(product: Product) -> None:
    product.status = PRODUCTS.next_status("resubmit", product.status)
    product.reject_reason = None
    product.decided_by = product.decided_at = None
    _new_version(product)


def update_product(citizen_id: uuid.UUID, product_id: uuid.UUID, data: Mapping[str, Any]) -> Product:
    """Edit a product: it waits for approval again (leaving the public list until then)."""
    product = my_product(citizen_id, product_id)
    _require_verified(product.seller)
    _apply(product, product.seller, data, utcnow())
    index_product(product)
    _back_to_review(product)
    flush_change("product")
    return product


def delete_product(citizen_id: uuid.UUID, product_id: uuid.UUID) -> None:
    product = my_product(citizen_id, product_id)
    keys = [image.storage_key for image in product.images]
    db.session.delete(product)
    after_commit(lambda: _delete_stored(keys))  # the photos leave the storage once the row is gone for good


def _delete_stored(keys: list[str]) -> None:
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
        except StorageError:
            log.warning("orphan product image %s left in storage", key)


# ---- images ----------------------------------------------------------------------------------------


def _refuse_image(detail: str) -> ApiError:
    return ApiError(415, "unsupported_file_type", detail, accepted=sorted(IMAGE_TYPE_NAMES.values()))


def check_image(data: bytes, *, filename: str | None, declared_type: str | None, max_bytes: int) -> str:
    """The content type of an acceptable product photo, decided by its bytes (JPEG or PNG, whole,
    within the limit); a file whose name or declared type says otherwise is refused."""
    check_size(data, max_bytes)
    kind = detect(data)
    if kind not in IMAGE_TYPE_NAMES:
        raise _refuse_image(f"Chỉ nhận {IMAGE_LABEL}. Nội dung tệp bạn gửi không phải ảnh JPEG hay PNG.")
    verify_image(data, kind)
    check_claims(
        kind,
        sanitise_filename(filename),
        declared_type,
        extensions=IMAGE_EXTENSIONS,
        declared_aliases=IMAGE_DECLARED,
        type_names=IMAGE_TYPE_NAMES,
        accepted_label=IMAGE_LABEL,
        refuse=_refuse_image,
    )
    return kind


def add_image(
    citizen_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    filename: str | None,
    data: bytes,
    declared_type: str | None,
) -> ProductImage:
    """Check and store a photo; the product waits for approval again. Nothing is kept on refusal."""
    product = my_product(citizen_id, product_id)
    _require_verified(product.seller)
    config = current_app.config
    limit = config["PRODUCT_IMAGE_MAX_FILES"]
    # Count under the product row's lock (PostgreSQL): of two uploads at once, the second counts
    # after the first has committed. Where rows are not locked (SQLite), both may count the same
    # number, but the second's commit finds the version moved on and answers 409.
    db.session.refresh(product, with_for_update=True)
    db.session.expire(product, ["images"])
    if len(product.images) >= limit:
        raise ApiError(409, "too_many_images", f"Mỗi sản phẩm có tối đa {limit} ảnh.", max_files=limit)
    content_type = check_image(
        data, filename=filename, declared_type=declared_type, max_bytes=config["PRODUCT_IMAGE_MAX_BYTES"]
    )
    image_id = uuid.uuid4()
    key = f"products/{product.id}/{image_id}"
    storage = get_storage()
    try:
        storage.put(key, data, content_type)
    except StorageError:
        log.exception("storing a product image failed")
        raise storage_unavailable() from None
    image = ProductImage(
        id=image_id,
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        created_at=utcnow(),
    )
    product.images.append(image)
    _back_to_review(product)
    try:
        flush_change("product")
    except BaseException:
        _delete_stored([key])  # the request is rolled back: the stored photo must go too
        raise
    return image


def delete_image(citizen_id: uuid.UUID, product_id: uuid.UUID, image_id: uuid.UUID) -> Product:
    product = my_product(citizen_id, product_id)
    image = image_of(product, image_id)
    product.images.remove(image)
    # Removing a photo shows nothing new: the product keeps its status. Staff deciding on the
    # version they read (with the photo) must look again, though.
    _new_version(product)
    flush_change("product")
    # The file leaves the storage once the photo is gone from the product for good.
    key = image.storage_key
    after_commit(lambda: _delete_stored([key]))
    return product


def image_of(product: Product, image_id: uuid.UUID) -> ProductImage:
    for image in product.images:
        if image.id == image_id:
            return image
    raise ApiError(404, "image_not_found", "Không tìm thấy ảnh này của sản phẩm.")


def read_image(image: ProductImage) -> bytes:
    try:
        return get_storage().get(image.storage_key)
    except StorageError:
        log.exception("reading a product image failed")
        raise storage_unavailable() from None


# ---- staff moderation ---------------------------------------------------------------------------------


def product_queue(status: str | None, category: str | None) -> Select:
    statement = select(Product)
    if status:
        statement = statement.where(Product.status == status)
    if category:
        statement = statement.where(Product.category == category)
    return statement.order_by(Product.updated_at, Product.id)


def staff_product(product_id: uuid.UUID) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise product_not_found()
    return product


def decide_product(
    product_id: uuid.UUID, actor: str, decision: str, version: int, reason: str | None
) -> Product:
    """`actor` is "staff:<uuid>" (or "demo" for the demo data); `version` the one they read (the
    route checked If-Match against it). The UPDATE is conditional on it (`version_id_col`): an
    edit committed meanwhile makes the decision fail with 409 `product_changed`."""
    product = staff_product(product_id)
    if product.version != version:
        raise changed_meanwhile("product")
    reject_reason = check_reason(reason) if decision == "reject" else None
    now = utcnow()
    product.status = PRODUCTS.next_status(decision, product.status)
    product.reject_reason = reject_reason
    product.decided_by = actor
    product.decided_at = now
    if product.status == APPROVED:
        product.approved_at = now
    what = "approved" if product.status == APPROVED else "rejected"
    record_audit(
        f"product.{what}",
        actor=product.decided_by,
        target=f"product:{product.id}",
        version=version,
        reason=reject_reason,
    )
    record_event(
        f"product.{what}",
        aggregate_type="product",
        aggregate_id=product.id,
        recipient=product.seller.citizen_id,
        payload={"product_id": str(product.id), "name": product.name, "reason": reject_reason},
    )
    flush_change("product")
    return product
