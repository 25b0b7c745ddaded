"""Local products: the limits, the errors and the checks that sellers, products and search share."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from api.citizens.phone import InvalidPhone, normalise_mobile
from api.errors import ApiError
from api.extensions import db
from api.text import nfc
from api.units import service as units
from content.products.catalogue import CATEGORIES, KINDS, UNITS
from content.products.workflow import PRODUCTS, SELLERS, STAFF

NAME_MIN, NAME_MAX = 3, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 4000
REASON_MIN = 5
# A price above this is a typo (an extra zero or two), not a product of a household business:
# a tonne of green coffee or a week's community-tourism tour costs well under it.
PRICE_MAX_VND = 1_000_000_000
# The national OCOP programme (Quyết định 490/QĐ-TTg) began rating products in 2018.
OCOP_FIRST_YEAR = 2018
OCOP_STARS = (3, 4, 5)

STAFF_DECISIONS_SELLER = SELLERS.names(STAFF)
STAFF_DECISIONS_PRODUCT = PRODUCTS.names(STAFF)


# ---- errors -------------------------------------------------------------------------------------


def invalid(code: str, field_name: str, message: str, status: int = 422) -> ApiError:
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


def changed_meanwhile(what: str) -> ApiError:
    return ApiError(
        409,
        f"{what}_changed",
        "Nội dung vừa được người bán sửa hoặc cán bộ khác xử lý sau khi bạn mở. "
        "Hãy tải lại, xem bản mới nhất rồi quyết định.",
    )


def storage_unavailable() -> ApiError:
    return ApiError(
        503, "storage_unavailable", "Kho lưu trữ tệp tạm thời không truy cập được. Vui lòng thử lại sau."
    )


def flush_change(what: str) -> None:
    """Write the change now (not committed: the edge commits): the row's version moved on since
    it was read (`version_id_col`) answers 409 `<what>_changed`, and the request is rolled back."""
    try:
        db.session.flush()
    except StaleDataError:
        raise changed_meanwhile(what) from None


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


def home_ward(code: Any, field_name: str = "ward_code") -> str:
    ward = units.validate_ward_code(code, field=field_name)
    if ward.province.code != current_app.config["HOME_PROVINCE_CODE"]:
        home = units.get_province(current_app.config["HOME_PROVINCE_CODE"])
        raise invalid(
            "ward_outside_province",
            field_name,
            f"{ward.full_name} không thuộc {home.name if home else 'tỉnh'}: ứng dụng chỉ giới thiệu "
            "sản phẩm của các phường, xã trong tỉnh.",
        )
    return ward.code


def contact_phone(raw: Any, field_name: str) -> str:
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
    raise invalid(
        "invalid_phone",
        field_name,
        "Số điện thoại liên hệ không hợp lệ: số di động 10 chữ số (ví dụ 0912345678) "
        "hoặc số cố định 11 chữ số bắt đầu bằng 02 (ví dụ 02623812345).",
    )


def bounded_text(raw: Any, field_name: str, low: int, high: int, label: str) -> str:
    value = nfc(raw or "")
    if len(value) < low:
        raise invalid(f"{field_name}_too_short", field_name, f"{label} cần ít nhất {low} ký tự.")
    if len(value) > high:
        raise invalid(f"{field_name}_too_long", field_name, f"{label} tối đa {high} ký tự.")
    return value


def check_reason(raw: Any) -> str:
    reason = nfc(raw or "")
    if len(reason) < REASON_MIN:
        raise invalid(
            "reason_required",
            "reason",
            "Hãy ghi lý do từ chối (ít nhất 5 ký tự) để người bán biết cần sửa gì.",
        )
    return reason
