"""`action_find_local_products`: local specialities and OCOP products (M22), from the API's live
search (`GET /products`), never from memory.

What the question says becomes the search's filters: the `product_category` entity (coffee,
honey, durian… the API's product kinds, content/products/catalogue.py) is `kind`; a `ward`
entity is looked up among the province's wards (`GET /units/wards`, as the reports form does)
and becomes `ward_code` when it names one, or search words when it names several ("Tuy An": four
communes); "4 sao" asks for OCOP 4 stars and up, "OCOP" alone for any OCOP product.

The citizen reads up to five products (name, price per unit, OCOP stars, the seller and their
ward, the contact phone) and where to see the rest in the app. Nothing found in the ward or at
that OCOP rating: the same kind in the whole province is offered instead, and said so; nothing at
all: said so, with what else to ask. The API down: an apology and where else to look.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.api_client import ApiRefused, ApiUnavailable, api
from actions.conversation import entity_values
from actions.report_api import best_ward, find_wards, ward_query
from components.vietnamese_text import fold

log = logging.getLogger(__name__)

PRODUCT_CATEGORY = "product_category"  # the entity (CHATBOT.md)
WARD = "ward"
LIST_LIMIT = 5

# The API's product kinds as a citizen names them. The keys are the entity's values in
# nlu_data/synonyms.yml; chatbot/tests/test_products_actions_unit.py keeps the two in step.
KIND_NAMES = {
    "coffee": "cà phê",
    "honey": "mật ong",
    "durian": "sầu riêng",
    "pepper": "hồ tiêu",
    "avocado": "bơ",
    "cocoa": "ca cao",
    "macadamia": "mắc ca",
    "rice_wine": "rượu cần",
    "brocade": "thổ cẩm",
    "cashew": "hạt điều",
    "tuna": "cá ngừ",
    "rice_paper": "bánh tráng",
}

APP_SECTION = "mục Sản phẩm địa phương của ứng dụng Công dân số"
UNAVAILABLE = (
    "Xin lỗi, hệ thống tra cứu đang tạm gián đoạn nên tôi chưa tìm được sản phẩm địa phương lúc này. "
    f"Bạn vui lòng thử lại sau ít phút, xem trực tiếp trong {APP_SECTION}, hoặc gọi tổng đài "
    f"{texts.HOTLINE} (giờ hành chính)."
)
NOTHING = (
    "Hiện chưa có {what} nào đang được giới thiệu trên ứng dụng. Bạn có thể hỏi loại sản phẩm khác "
    '(cà phê, mật ong, sầu riêng, mắc ca, thổ cẩm…), hỏi rộng hơn như "đặc sản Đắk Lắk có gì", '
    f"hoặc xem tất cả trong {APP_SECTION}."
)
NOT_HERE = "Chưa có {what} {where}. {instead}"
INSTEAD_SAME_KIND = "Sản phẩm {kind} khác trong toàn tỉnh:"
INSTEAD_ANY = "Một số sản phẩm địa phương khác của tỉnh:"
MORE = "Còn {more} sản phẩm khác; xem thêm ảnh, mô tả và tất cả sản phẩm trong " + APP_SECTION + "."
DETAILS = "Xem ảnh, mô tả và đặt mua trong " + APP_SECTION + ": người bán đều đã được xác minh."

_STARS = re.compile(r"\b([1-5])\s*(?:sao|\*|★)")


def ocop_minimum(text: str) -> int | None:
    """ "OCOP 4 sao" -> 4; "sản phẩm OCOP" -> 3 (any OCOP product: 3 stars is the lowest rating)."""
    folded = fold(text or "")
    stars = _STARS.search(folded)
    if stars:
        return max(int(stars.group(1)), 3)
    return 3 if "ocop" in folded else None


def kinds_asked(values: list[str]) -> list[str]:
    return [value for value in values if value in KIND_NAMES]


def what_text(kind: str | None, ocop_min: int | None) -> str:
    """ "sản phẩm cà phê OCOP từ 4 sao", "sản phẩm địa phương"… for the sentences around the list."""
    text = f"sản phẩm {KIND_NAMES[kind]}" if kind else "sản phẩm địa phương"
    if ocop_min and ocop_min > 3:
        text += f" OCOP từ {ocop_min} sao"
    elif ocop_min:
        text += " OCOP"
    return text


def describe_product(product: dict[str, Any]) -> str:
    """• Cà phê Robusta rang mộc – 180.000 đồng/gói, OCOP 4 sao; Hộ kinh doanh X (Phường Y), liên hệ 0905…"""
    name = product.get("name") or "Sản phẩm"
    price = texts.vnd(product.get("price_vnd"))
    unit = product.get("unit")
    line = f"• {name}"
    if price:
        line += f" – {price}" + (f"/{unit}" if unit else "")
    stars = product.get("ocop_stars")
    if isinstance(stars, int) and not isinstance(stars, bool) and stars:
        line += f", OCOP {stars} sao"
    seller = product.get("seller") if isinstance(product.get("seller"), dict) else {}
    ward = product.get("ward") if isinstance(product.get("ward"), dict) else {}
    who = seller.get("business_name")
    where = ward.get("name")
    if who or where:
        line += "; " + (who or "người bán") + (f" ({where})" if where else "")
    phone = product.get("contact_phone") or seller.get("phone")
    if phone:
        line += f", liên hệ {phone}"
    return line + "."


def describe_found(products: list[dict[str, Any]], total: int, header: str) -> str:
    lines = [header, *(describe_product(p) for p in products[:LIST_LIMIT])]
    shown = min(len(products), LIST_LIMIT)
    lines.append(MORE.format(more=total - shown) if total > shown else DETAILS)
    return "\n".join(lines)


def found_header(kind: str | None, ocop_min: int | None, where: str | None, count: int) -> str:
    what = what_text(kind, ocop_min)
    place = f" ở {where}" if where else " của tỉnh"
    return f"Một số {what}{place} đang được giới thiệu trên ứng dụng:" if count > 1 else f"Có {what}{place}:"


async def search(params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    response = await api().get_public("/products", {**params, "page_size": LIST_LIMIT})
    data = response.data if isinstance(response.data, list) else []
    products = [p for p in data if isinstance(p, dict)]
    return products, _total(response.headers.get("X-Pagination"), len(products))


def _total(header: str | None, default: int) -> int:
    """The number of matches from the API's `X-Pagination` header; `default` when unreadable."""
    try:
        pagination = json.loads(header or "{}")
    except ValueError:
        return default
    total = pagination.get("total") if isinstance(pagination, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) and total >= default else default


async def resolve_ward(named: str) -> tuple[dict[str, Any], str]:
    """Search filters for a ward the citizen named, and how to say it: one ward → its code; several
    (or none known) → its name as search words, so products of every such ward are found."""
    try:
        wards = await find_wards(ward_query(named))
    except ApiRefused as exc:
        log.warning("ward search refused: %s", exc)
        wards = []
    ward = best_ward(named, wards)
    if ward is not None:
        return {"ward_code": ward["code"]}, ward.get("name") or named
    return {"q": ward_query(named)}, named


class ActionFindLocalProducts(Action):
    def name(self) -> str:
        return "action_find_local_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text")
        text = text if isinstance(text, str) else ""
        kinds = kinds_asked(entity_values(tracker, PRODUCT_CATEGORY))
        kind = kinds[0] if kinds else None
        wards = entity_values(tracker, WARD)
        ocop_min = ocop_minimum(text)
        try:
            answer = await self._answer(kind, wards[0] if wards else None, ocop_min)
        except ApiUnavailable:
            answer = UNAVAILABLE
        except ApiRefused as exc:
            log.warning("product search refused: %s", exc)
            answer = UNAVAILABLE
        dispatcher.utter_message(text=answer)
        return []

    @staticmethod
    async def _answer(kind: str | None, ward_named: str | None, ocop_min: int | None) -> str:
        params: dict[str, Any] = {}
        if kind:
            params["kind"] = kind
        if ocop_min:
            params["ocop_min"] = ocop_min
        where = None
        if ward_named:
            ward_params, where = await resolve_ward(ward_named)
            params.update(ward_params)
        products, total = await search(params)
        if products:
            return describe_found(products, total, found_header(kind, ocop_min, where, total))
        narrowed = where is not None or ocop_min is not None
        if narrowed:
            # Nothing there: the same kind anywhere in the province, said as such.
            broader, broader_total = await search({"kind": kind} if kind else {})
            if broader:
                place = f"ở {where}" if where else "đạt hạng OCOP bạn hỏi"
                instead = INSTEAD_SAME_KIND.format(kind=KIND_NAMES[kind]) if kind else INSTEAD_ANY
                header = NOT_HERE.format(
                    what=what_text(kind, ocop_min if where else None), where=place, instead=instead
                )
                return describe_found(broader, broader_total, header)
        return NOTHING.format(what=what_text(kind, ocop_min))
