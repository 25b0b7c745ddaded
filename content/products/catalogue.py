"""The fixed lists of local products (M22): categories, product kinds, selling units.

Categories follow the six product groups of the national OCOP programme (Quyết định
148/2023/QĐ-TTg: thực phẩm, đồ uống, thảo dược, vải và may mặc, lưu niệm – nội thất – trang trí,
dịch vụ du lịch cộng đồng), with food split the way sellers and buyers speak of it (fresh
produce, processed food, specialities).

Kinds are what a buyer asks for ("cà phê", "sầu riêng"): the keys are exactly the values of the
chatbot's `product_category` entity (nlu_data/synonyms.yml, nlu_data/lookups/product_category.yml),
so the bot's entity becomes the search's `kind` filter unchanged. tests/content/products checks
the two lists stay in step. A product's kind is given by the seller or recognised from its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.text import fold, nfc


@dataclass(frozen=True)
class Category:
    code: str
    name: str


CATEGORIES = (
    Category("nong_san", "Nông sản"),
    Category("thuc_pham_che_bien", "Thực phẩm chế biến"),
    Category("dac_san", "Đặc sản vùng miền"),
    Category("do_uong", "Đồ uống"),
    Category("duoc_lieu", "Dược liệu, thảo dược"),
    Category("thu_cong_my_nghe", "Thủ công mỹ nghệ"),
    Category("det_may_tho_cam", "Vải, thổ cẩm và may mặc"),
    Category("du_lich_cong_dong", "Du lịch cộng đồng, sinh thái"),
)
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}


@dataclass(frozen=True)
class Kind:
    code: str
    name: str
    # Folded words that name it in a product's name (the first match wins, longest first).
    keywords: tuple[str, ...]


KINDS = (
    Kind("coffee", "Cà phê", ("ca phe", "cafe", "ca fe", "coffee", "robusta", "arabica")),
    Kind("honey", "Mật ong", ("mat ong", "honey")),
    Kind("durian", "Sầu riêng", ("sau rieng", "durian")),
    Kind("pepper", "Hồ tiêu", ("ho tieu", "hat tieu", "tieu den", "tieu so", "pepper")),
    Kind("avocado", "Bơ", ("bo sap", "bo booth", "trai bo", "qua bo", "avocado")),
    Kind("cocoa", "Ca cao", ("ca cao", "cacao", "socola", "chocolate")),
    Kind("macadamia", "Mắc ca", ("mac ca", "macca", "macadamia")),
    Kind("rice_wine", "Rượu cần", ("ruou can", "ruou ghe")),
    Kind("brocade", "Thổ cẩm", ("tho cam", "brocade")),
    Kind("cashew", "Hạt điều", ("hat dieu", "dieu rang", "cashew")),
    Kind("tuna", "Cá ngừ", ("ca ngu", "tuna")),
    Kind("rice_paper", "Bánh tráng", ("banh trang",)),
)
KIND_BY_CODE = {k.code: k for k in KINDS}

# What a product is sold by. Stored as written here; "Hộp" or "hop" is accepted as "hộp", but
# "bo" is refused: it could be "bó" (a bunch) or "bộ" (a set).
UNITS = (
    "kg",
    "g",
    "tạ",
    "tấn",
    "gói",
    "hộp",
    "hũ",
    "lọ",
    "chai",
    "can",
    "túi",
    "thùng",
    "bó",
    "quả",
    "cái",
    "chiếc",
    "bộ",
    "tấm",
    "mét",
    "lít",
    "vé",
    "suất",
    "người",
    "tour",
    "đêm",
)
_UNIT_BY_TEXT = {u: u for u in UNITS}
_UNIT_BY_FOLD: dict[str, str | None] = {}
for _unit in UNITS:
    # Two units that fold alike ("bó", "bộ") are both dropped: without its accent, neither is meant.
    _UNIT_BY_FOLD[fold(_unit)] = None if fold(_unit) in _UNIT_BY_FOLD else _unit

_WORDS = re.compile(r"[^a-z0-9]+")


def words(text: str | None) -> str:
    """Folded, punctuation as spaces: "Cà phê Buôn Ma Thuột (500g)" -> "ca phe buon ma thuot 500g"."""
    return _WORDS.sub(" ", fold(text or "")).strip()


def unit_for(text: str) -> str | None:
    """The unit as written exactly (NFC, any case); else its accent-free spelling when only one
    unit has it; else None."""
    written = nfc(text or "").strip().lower()
    return _UNIT_BY_TEXT.get(written) or _UNIT_BY_FOLD.get(fold(written))


def ambiguous_units(text: str) -> list[str]:
    """The units an accent-free spelling could mean when it is more than one ("bo": bó, bộ)."""
    folded = fold(text or "")
    if _UNIT_BY_FOLD.get(folded, "") is not None:
        return []
    return [u for u in UNITS if fold(u) == folded]


def infer_kind(name: str) -> str | None:
    """The kind a product's name says ("Cà phê bột nguyên chất" -> coffee), or None."""
    padded = f" {words(name)} "
    found = [
        (padded.index(f" {keyword} "), kind.code)
        for kind in KINDS
        for keyword in kind.keywords
        if f" {keyword} " in padded
    ]
    # The earliest mention names the product: "Mật ong hoa cà phê" is honey, not coffee.
    return min(found)[1] if found else None
