"""Local products (M22): sellers register, staff verify them, products are moderated, anyone searches.

Plain functions on the Flask-SQLAlchemy session and the configured storage; no `flask.request`.

- A seller is a signed-in citizen's household business. Its owner's CCCD is the citizen's own,
  from the registry; the registration number is checked (content/products/registration.py) and
  one number has one live claim. Staff (officer, comms, admin) verify or reject it, with a reason.
- Only a verified seller adds products. A new product, an edited one and one given a new image
  are pending until staff approve them again: the public never sees content nobody has looked at.
  Staff decide on the version they read (`version`); an edit in between answers 409.
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
from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.audit import record_audit
from api.citizens import service as citizens
from api.citizens.models import Citizen
from api.citizens.phone import InvalidPhone, normalise_mobile
from api.dbtypes import utcnow
from api.documents.files import JPEG, PNG, check_claims, check_size, detect, sanitise_filename, verify_image
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.storage import StorageError, get_storage
from api.text import nfc
from api.units import service as units
from api.workdays import local_date
from content.products import registration
from content.products.catalogue import (
    CATEGORIES,
    CATEGORY_BY_CODE,
    KIND_BY_CODE,
    KINDS,
    UNITS,
    ambiguous_units,
    infer_kind,
    unit_for,
    words,
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

log = logging.getLogger(__name__)

NAME_MIN, NAME_MAX = 3, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 4000
REASON_MIN = 5
# A price above this is a typo (an extra zero or two), not a product of a household business:
# a tonne of green coffee or a week's community-tourism tour costs well under it.
PRICE_MAX_VND = 1_000_000_000
# The national OCOP programme (Quyết định 490/QĐ-TTg) began rating products in 2018.
OCOP_FIRST_YEAR = 2018
OCOP_STARS = (3, 4, 5)
SEARCH_WORDS_MAX = 8

IMAGE_TYPE_NAMES = {JPEG: "JPEG", PNG: "PNG"}
IMAGE_EXTENSIONS = {"jpg": JPEG, "jpeg": JPEG, "jpe": JPEG, "jfif": JPEG, "png": PNG}
IMAGE_DECLARED = {JPEG: {JPEG, "image/jpg", "image/pjpeg"}, PNG: {PNG, "image/x-png"}}
IMAGE_LABEL = "ảnh JPEG hoặc PNG"

STAFF_DECISIONS_SELLER = ("verify", "reject")
STAFF_DECISIONS_PRODUCT = ("approve", "reject")


# ---- errors -------------------------------------------------------------------------------------


def _invalid(code: str, field_name: str, message: str, status: int = 422) -> ApiError:
    return ApiError(status, code, message, errors={field_name: [message]})


def seller_not_registered() -> ApiError:
    return ApiError(
        404,
        "seller_not_registered",
        "Bạn chưa đăng ký bán hàng. Hãy đăng ký hộ kinh doanh của bạn (tên, số đăng ký, phường/xã, "
        "số điện thoại) để được cán bộ xác minh.",
    )


def seller_not_found() -> ApiError:
    return ApiError(404, "seller_not_found", "Không tìm thấy người bán này.")


def product_not_found() -> ApiError:
    return ApiError(404, "product_not_found", "Không tìm thấy sản phẩm này.")


def _changed(what: str) -> ApiError:
    return ApiError(
        409,
        f"{what}_changed",
        "Nội dung vừa được người bán sửa hoặc cán bộ khác xử lý sau khi bạn mở. "
        "Hãy tải lại, xem bản mới nhất rồi quyết định.",
    )


def _storage_unavailable() -> ApiError:
    return ApiError(
        503, "storage_unavailable", "Kho lưu trữ tệp tạm thời không truy cập được. Vui lòng thử lại sau."
    )


def _commit(what: str) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise _changed(what) from None


# ---- the fixed lists ------------------------------------------------------------------------------


def catalogue() -> dict[str, Any]:
    return {
        "categories": [{"code": c.code, "name": c.name} for c in CATEGORIES],
        "kinds": [{"code": k.code, "name": k.name} for k in KINDS],
        "units": list(UNITS),
        "ocop_stars": list(OCOP_STARS),
        "price_max_vnd": PRICE_MAX_VND,
    }


# ---- shared checks ------------------------------------------------------------------------------


def _home_ward(code: Any, field_name: str = "ward_code") -> str:
    ward = units.validate_ward_code(code, field=field_name)
    if ward.province.code != current_app.config["HOME_PROVINCE_CODE"]:
        home = units.get_province(current_app.config["HOME_PROVINCE_CODE"])
        raise _invalid(
            "ward_outside_province",
            field_name,
            f"{ward.full_name} không thuộc {home.name if home else 'tỉnh'}: ứng dụng chỉ giới thiệu "
            "sản phẩm của các phường, xã trong tỉnh.",
        )
    return ward.code


def _phone(raw: Any, field_name: str) -> str:
    """A mobile (10 digits, 03/05/07/08/09) or a landline (11 digits from 02): how buyers call."""
    text = str(raw or "")
    try:
        return normalise_mobile(text)
    except InvalidPhone:
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits.startswith("84") and len(digits) == 11 + 1:
            digits = "0" + digits[2:]
        if len(digits) == 11 and digits.startswith("02"):
            return digits
    raise _invalid(
        "invalid_phone",
        field_name,
        "Số điện thoại liên hệ không hợp lệ: số di động 10 chữ số (ví dụ 0912345678) "
        "hoặc số cố định 11 chữ số bắt đầu bằng 02 (ví dụ 02623812345).",
    )


def _text(raw: Any, field_name: str, low: int, high: int, label: str) -> str:
    value = nfc(raw or "")
    if len(value) < low:
        raise _invalid(f"{field_name}_too_short", field_name, f"{label} cần ít nhất {low} ký tự.")
    if len(value) > high:
        raise _invalid(f"{field_name}_too_long", field_name, f"{label} tối đa {high} ký tự.")
    return value


def _reason(raw: Any) -> str:
    reason = nfc(raw or "")
    if len(reason) < REASON_MIN:
        raise _invalid(
            "reason_required",
            "reason",
            "Hãy ghi lý do từ chối (ít nhất 5 ký tự) để người bán biết cần sửa gì.",
        )
    return reason


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
        raise _invalid("invalid_registration_number", "registration_number", str(exc)) from None


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
    return _invalid(
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
        business_name=_text(data.get("business_name"), "business_name", 3, 200, "Tên hộ kinh doanh"),
        registration_number=_registration_number(data.get("registration_number"), citizen),
        ward_code=_home_ward(data.get("ward_code")),
        phone=_phone(data.get("phone"), "phone"),
        status=PENDING,
    )
    _check_number_free(seller.registration_number, None)
    db.session.add(seller)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
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
        name = _text(data["business_name"], "business_name", 3, 200, "Tên hộ kinh doanh")
        needs_review |= name != seller.business_name
        seller.business_name = name
    if "registration_number" in data:
        number = _registration_number(data["registration_number"], citizen)
        if number != seller.registration_number:
            _check_number_free(number, seller.id)
            needs_review = True
        seller.registration_number = number
    if "ward_code" in data:
        ward_code = _home_ward(data["ward_code"])
        needs_review |= ward_code != seller.ward_code
        seller.ward_code = ward_code
    if "phone" in data:
        seller.phone = _phone(data["phone"], "phone")
    if needs_review or (seller.status == REJECTED and data):
        seller.status = PENDING
        seller.reject_reason = None
        seller.decided_by = seller.decided_at = None
    for product in seller.products:
        _index(product)  # the seller's name is part of every product's search text
    try:
        _commit("seller")
    except IntegrityError:
        db.session.rollback()
        raise _number_taken() from None
    return seller


def seller_queue(status: str | None) -> Select:
    statement = select(ProductSeller)
    if status:
        statement = statement.where(ProductSeller.status == status)
    # Oldest waiting first: they have waited longest.
    return statement.order_by(ProductSeller.created_at, ProductSeller.id)


def staff_seller(seller_id: uuid.UUID, actor: str) -> ProductSeller:
    """A seller with the owner's identity from the registry: an audited read of personal data."""
    seller = db.session.get(ProductSeller, seller_id)
    if seller is None:
        raise seller_not_found()
    record_audit("product_seller.read", actor=actor, target=f"product_seller:{seller.id}")
    db.session.commit()
    return seller


def owner_of(seller: ProductSeller) -> Citizen | None:
    return citizens.get_citizen(seller.citizen_id)


def decide_seller(
    seller_id: uuid.UUID, actor: str, decision: str, version: int, reason: str | None
) -> ProductSeller:
    """`actor` is "staff:<uuid>" (or "demo" for the demo data); `version` the one they read."""
    seller = db.session.get(ProductSeller, seller_id)
    if seller is None:
        raise seller_not_found()
    if seller.version != version:
        raise _changed("seller")
    reject_reason = _reason(reason) if decision == "reject" else None
    status = VERIFIED if decision == "verify" else REJECTED
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
    _commit("seller")
    return seller


# ---- products: the seller's side --------------------------------------------------------------------


def _check_ocop(
    stars: Any, certificate: Any, year: Any, now: datetime
) -> tuple[int | None, str | None, int | None]:
    certificate = nfc(certificate or "") or None
    if stars is None:
        if certificate is not None or year is not None:
            raise _invalid(
                "ocop_stars_required",
                "ocop_stars",
                "Đã có giấy chứng nhận OCOP thì hãy chọn hạng sao (3, 4 hoặc 5 sao) ghi trên giấy; "
                "sản phẩm chưa được chứng nhận thì để trống cả số giấy và năm.",
            )
        return None, None, None
    if stars not in OCOP_STARS:
        raise _invalid(
            "ocop_stars_invalid",
            "ocop_stars",
            "Sản phẩm OCOP được công nhận từ 3 đến 5 sao; sản phẩm dưới 3 sao chưa đạt chứng nhận "
            "OCOP nên không ghi hạng sao.",
        )
    if certificate is None or year is None:
        raise _invalid(
            "ocop_certificate_required",
            "ocop_certificate_number" if certificate is None else "ocop_year",
            "Sản phẩm ghi hạng sao OCOP cần số và năm của giấy chứng nhận OCOP do UBND tỉnh cấp.",
        )
    this_year = local_date(now).year
    if not OCOP_FIRST_YEAR <= year <= this_year:
        raise _invalid(
            "ocop_year_invalid",
            "ocop_year",
            f"Năm chứng nhận OCOP phải từ {OCOP_FIRST_YEAR} đến {this_year}.",
        )
    if len(certificate) > 60:
        raise _invalid(
            "ocop_certificate_too_long", "ocop_certificate_number", "Số giấy chứng nhận tối đa 60 ký tự."
        )
    return stars, certificate, year


def _check_price(price: Any) -> int:
    if price > PRICE_MAX_VND:
        raise _invalid(
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
    product.name = _text(merged["name"], "name", NAME_MIN, NAME_MAX, "Tên sản phẩm")
    product.description = _text(
        merged["description"], "description", DESCRIPTION_MIN, DESCRIPTION_MAX, "Mô tả sản phẩm"
    )
    if merged["category"] not in CATEGORY_BY_CODE:
        raise _invalid(
            "unknown_category",
            "category",
            f"Không có nhóm sản phẩm '{merged['category']}'. Hãy chọn một trong: "
            + ", ".join(f"{c.code} ({c.name})" for c in CATEGORIES)
            + ".",
        )
    product.category = merged["category"]
    kind = merged["kind"]
    if kind is not None and kind not in KIND_BY_CODE:
        raise _invalid(
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
        raise _invalid(
            "unknown_unit",
            "unit",
            f"Đơn vị bán '{merged['unit']}' không rõ: hãy viết có dấu, "
            + " hay ".join(f"'{u}'" for u in ambiguous_units(merged["unit"]))
            + ".",
        )
    if unit is None:
        raise _invalid(
            "unknown_unit",
            "unit",
            f"Đơn vị bán '{merged['unit']}' không có trong danh sách: {', '.join(UNITS)}.",
        )
    product.unit = unit
    product.ward_code = _home_ward(merged["ward_code"] or seller.ward_code)
    phone = merged["contact_phone"]
    product.contact_phone = _phone(phone, "contact_phone") if phone else None


def _require_verified(seller: ProductSeller) -> None:
    if seller.status != VERIFIED:
        detail = {
            PENDING: "Hộ kinh doanh của bạn đang chờ cán bộ xác minh; bạn đăng sản phẩm được sau khi được xác minh.",
            REJECTED: "Đăng ký bán hàng của bạn bị từ chối"
            + (f" ({seller.reject_reason})" if seller.reject_reason else "")
            + ". Hãy sửa thông tin theo lý do nêu trên để được xác minh lại.",
        }[seller.status]
        raise ApiError(409, "seller_not_verified", detail, seller_status=seller.status)


def _index(product: Product) -> None:
    """Rewrite the folded search columns from the product, its seller and its ward."""
    category = CATEGORY_BY_CODE.get(product.category)
    kind = KIND_BY_CODE.get(product.kind or "")
    ward = units.get_ward(product.ward_code)
    parts = [
        product.name,
        product.description,
        category.name if category else "",
        kind.name if kind else "",
        product.seller.business_name if product.seller else "",
        ward.name if ward else "",
        *(former.name for former in (ward.former_names if ward else ())),
        "OCOP" if product.ocop_stars else "",
    ]
    product.search_name = f" {words(product.name)} "
    product.search_text = f" {' '.join(w for w in (words(p) for p in parts) if w)} "


def create_product(citizen_id: uuid.UUID, data: Mapping[str, Any]) -> Product:
    seller = my_seller(citizen_id)
    _require_verified(seller)
    now = utcnow()
    product = Product(id=uuid.uuid4(), status=PENDING, created_at=now)
    product.seller = seller
    for name in _FIELDS:
        setattr(product, name, None)
    _apply(product, seller, data, now)
    _index(product)
    db.session.add(product)
    db.session.commit()
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
    product.status = PENDING
    product.reject_reason = None
    product.decided_by = product.decided_at = None
    _new_version(product)


def update_product(citizen_id: uuid.UUID, product_id: uuid.UUID, data: Mapping[str, Any]) -> Product:
    """Edit a product: it waits for approval again (leaving the public list until then)."""
    product = my_product(citizen_id, product_id)
    _require_verified(product.seller)
    _apply(product, product.seller, data, utcnow())
    _index(product)
    _back_to_review(product)
    _commit("product")
    return product


def delete_product(citizen_id: uuid.UUID, product_id: uuid.UUID) -> None:
    product = my_product(citizen_id, product_id)
    keys = [image.storage_key for image in product.images]
    db.session.delete(product)
    db.session.commit()
    _delete_stored(keys)


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
        raise _storage_unavailable() from None
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
        _commit("product")
    except BaseException:
        db.session.rollback()
        _delete_stored([key])
        raise
    return image


def delete_image(citizen_id: uuid.UUID, product_id: uuid.UUID, image_id: uuid.UUID) -> Product:
    product = my_product(citizen_id, product_id)
    image = image_of(product, image_id)
    product.images.remove(image)
    # Removing a photo shows nothing new: the product keeps its status. Staff deciding on the
    # version they read (with the photo) must look again, though.
    _new_version(product)
    _commit("product")
    _delete_stored([image.storage_key])
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
        raise _storage_unavailable() from None


# ---- the public ------------------------------------------------------------------------------------


def _public() -> Select:
    return (
        select(Product)
        .join(ProductSeller, Product.seller_id == ProductSeller.id)
        .where(Product.status == APPROVED, ProductSeller.status == VERIFIED)
    )


def public_product(product_id: uuid.UUID) -> Product:
    product = db.session.scalar(_public().where(Product.id == product_id))
    if product is None:
        raise product_not_found()
    return product


def search(
    *,
    q: str | None = None,
    ward_code: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    ocop_min: int | None = None,
    price_min: int | None = None,
    price_max: int | None = None,
) -> Select:
    """Approved products of verified sellers matching every word of `q` (accents and case
    ignored, a word matching the start of a word: "ca phe buon ma thuot" finds "Cà phê Buôn Ma
    Thuột"), and the filters. Best first: the phrase in the name, then anywhere; then more OCOP
    stars; then the most recently approved."""
    statement = _public()
    order = []
    query_words = words(q).split()[:SEARCH_WORDS_MAX]
    if query_words:
        for word in query_words:
            statement = statement.where(Product.search_text.like(f"% {word}%"))
        phrase = " ".join(query_words)
        order.append(
            case(
                (Product.search_name.like(f"% {phrase} %"), 0),
                (Product.search_name.like(f"% {phrase}%"), 1),
                (Product.search_text.like(f"% {phrase}%"), 2),
                else_=3,
            )
        )
    if ward_code:
        statement = statement.where(Product.ward_code == ward_code)
    if category:
        statement = statement.where(Product.category == category)
    if kind:
        statement = statement.where(Product.kind == kind)
    if ocop_min:
        statement = statement.where(Product.ocop_stars >= ocop_min)
    if price_min is not None:
        statement = statement.where(Product.price_vnd >= price_min)
    if price_max is not None:
        statement = statement.where(Product.price_vnd <= price_max)
    order += [func.coalesce(Product.ocop_stars, 0).desc(), Product.approved_at.desc(), Product.id]
    return statement.order_by(*order)


def check_search(query: Mapping[str, Any]) -> None:
    """Filters that cannot both hold are a mistake to point out, not an empty page."""
    low, high = query.get("price_min"), query.get("price_max")
    if low is not None and high is not None and low > high:
        raise _invalid("price_range_invalid", "price_max", "Giá đến phải lớn hơn hoặc bằng giá từ.")
    if query.get("ward_code"):
        _home_ward(query["ward_code"])


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
    """`actor` is "staff:<uuid>" (or "demo" for the demo data); `version` the one they read."""
    product = staff_product(product_id)
    if product.version != version:
        raise _changed("product")
    reject_reason = _reason(reason) if decision == "reject" else None
    now = utcnow()
    product.status = APPROVED if decision == "approve" else REJECTED
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
    _commit("product")
    return product
