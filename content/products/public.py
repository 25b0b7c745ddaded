"""What the public sees of local products: approved products of verified sellers, and search.

The folded search columns are written here too (`index_product`), so that search reads what it
wrote: sellers.py and service.py call it whenever a product, its seller or its ward changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, case, func, select

from api.extensions import db
from api.units import service as units
from content.products.catalogue import CATEGORY_BY_CODE, KIND_BY_CODE, words
from content.products.checks import home_ward, invalid, product_not_found
from content.products.models import APPROVED, VERIFIED, Product, ProductSeller

SEARCH_WORDS_MAX = 8


def index_product(product: Product) -> None:
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
        raise invalid("price_range_invalid", "price_max", "Giá đến phải lớn hơn hoặc bằng giá từ.")
    if query.get("ward_code"):
        home_ward(query["ward_code"])
