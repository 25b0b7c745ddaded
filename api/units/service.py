"""Administrative units after the 1 July 2025 reform: 34 provinces and cities, then wards,
communes and special zones, served from the `vietnam-provinces` package held in memory.

Codes are strings: provinces 2 digits ("66"), wards 5 digits ("24133"), zero-padded as the
General Statistics Office writes them and as the database stores them. Names are NFC with
single spaces (the package has a few double spaces). Search folds accents on both sides,
ignores the type word ("Phường", "Tỉnh"...) and also matches the names in use before the
reform (api/units/former_names.py), saying so in `note`.

Other domains call `get_ward`, `validate_ward_code`, `get_province` and
`province_for_former_code`; nothing here touches the database or the request.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from vietnam_provinces import Province, Ward
from vietnam_provinces.base import VietNamDivisionType

from api.errors import ApiError
from api.text import fold, match_score, nfc
from api.units.former_names import FORMER_PROVINCES, FORMER_WARDS, FormerUnit

# Division type -> (stable key for clients, the word written before the name).
_TYPES: dict[VietNamDivisionType, tuple[str, str]] = {
    VietNamDivisionType.TINH: ("tinh", "Tỉnh"),
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: ("thanh_pho", "Thành phố"),
    VietNamDivisionType.PHUONG: ("phuong", "Phường"),
    VietNamDivisionType.XA: ("xa", "Xã"),
    VietNamDivisionType.DAC_KHU: ("dac_khu", "Đặc khu"),
}

# Short forms people type for the largest city; matched whole, never as a substring.
_ALIASES: dict[str, tuple[str, ...]] = {"79": ("hcm", "tphcm")}

# Type words citizens put before a name, the pre-2025 district-level ones included ("huyện
# Côn Đảo"). Matching ignores them; stripped only when a name follows.
_TYPE_WORDS = re.compile(r"^(thanh pho|thi xa|thi tran|dac khu|tinh|phuong|huyen|quan|xa|tp|tx|p)\s+(?=\S)")
_TYPE_WORD_UNIT = {
    "thanh pho": "thanh_pho",
    "tp": "thanh_pho",
    "tinh": "tinh",
    "phuong": "phuong",
    "p": "phuong",
    "xa": "xa",
    "dac khu": "dac_khu",
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ProvinceInfo:
    code: str
    name: str  # "Tỉnh Đắk Lắk", "Thành phố Hà Nội"
    short_name: str  # "Đắk Lắk", "Hà Nội"
    type: str
    type_name: str
    ward_count: int
    former_names: tuple[FormerUnit, ...] = ()
    note: str | None = None  # set on search hits found through a former name


@dataclass(frozen=True)
class WardInfo:
    code: str
    name: str  # "Phường Buôn Ma Thuột"
    short_name: str  # "Buôn Ma Thuột"
    type: str
    type_name: str
    province: ProvinceInfo
    former_names: tuple[FormerUnit, ...] = ()
    note: str | None = None

    @property
    def full_name(self) -> str:
        """How an address ends: "Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"."""
        return f"{self.name}, {self.province.name}"


@dataclass(frozen=True)
class _Entry:
    """A unit with the folded keys search compares against."""

    unit: ProvinceInfo | WardInfo
    key: str
    aliases: tuple[str, ...]
    former: tuple[tuple[str, FormerUnit], ...]


@dataclass(frozen=True)
class _Catalogue:
    provinces: dict[str, ProvinceInfo]
    wards: dict[str, WardInfo]
    province_entries: tuple[_Entry, ...]
    ward_entries: tuple[_Entry, ...]
    wards_by_province: dict[str, tuple[_Entry, ...]]
    former_provinces: dict[str, FormerUnit]


def _search_key(text: str) -> str:
    """Folded, punctuation as spaces: "Bà Rịa - Vũng Tàu" -> "ba ria vung tau"."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def _short_name(name: str, type_name: str) -> str:
    return name[len(type_name) :].strip() if name.startswith(type_name + " ") else name


def _former_keys(former: Iterable[FormerUnit], current_key: str) -> tuple[tuple[str, FormerUnit], ...]:
    # A province that kept its name ("Đắk Lắk" absorbing Phú Yên) needs no note for that name.
    return tuple((key, f) for f in former if (key := _search_key(f.name)) != current_key)


@cache
def _catalogue() -> _Catalogue:
    former_by_province: dict[str, list[FormerUnit]] = defaultdict(list)
    for former in FORMER_PROVINCES:
        former_by_province[former.current_code].append(former)
    former_by_ward: dict[str, list[FormerUnit]] = defaultdict(list)
    for former in FORMER_WARDS:
        former_by_ward[former.current_code].append(former)

    raw_wards = sorted(Ward.iter_all(), key=lambda w: int(w.code))
    ward_counts: dict[int, int] = defaultdict(int)
    for ward in raw_wards:
        ward_counts[int(ward.province_code)] += 1

    provinces: dict[str, ProvinceInfo] = {}
    province_entries = []
    for raw in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        code = f"{int(raw.code):02d}"
        type_key, type_name = _TYPES[raw.division_type]
        short = _short_name(nfc(raw.name), type_name)
        key = _search_key(short)
        former = _former_keys(former_by_province[code], key)
        info = ProvinceInfo(
            code=code,
            name=f"{type_name} {short}",
            short_name=short,
            type=type_key,
            type_name=type_name,
            ward_count=ward_counts[int(raw.code)],
            former_names=tuple(f for _, f in former),
        )
        provinces[code] = info
        province_entries.append(_Entry(info, key, _ALIASES.get(code, ()), former))

    wards: dict[str, WardInfo] = {}
    ward_entries = []
    by_province: dict[str, list[_Entry]] = defaultdict(list)
    for raw in raw_wards:
        code = f"{int(raw.code):05d}"
        type_key, type_name = _TYPES[raw.division_type]
        name = nfc(raw.name)
        short = _short_name(name, type_name)
        key = _search_key(short)
        former = tuple((_search_key(f.name), f) for f in former_by_ward[code])
        province = provinces[f"{int(raw.province_code):02d}"]
        info = WardInfo(
            code=code,
            name=name,
            short_name=short,
            type=type_key,
            type_name=type_name,
            province=province,
            former_names=tuple(f for _, f in former),
        )
        wards[code] = info
        entry = _Entry(info, key, (), former)
        ward_entries.append(entry)
        by_province[province.code].append(entry)

    return _Catalogue(
        provinces=provinces,
        wards=wards,
        province_entries=tuple(province_entries),
        ward_entries=tuple(ward_entries),
        wards_by_province={code: tuple(entries) for code, entries in by_province.items()},
        former_provinces={f.code: f for f in FORMER_PROVINCES if f.code},
    )


def _code(code: str | int | None, width: int) -> str | None:
    """ "66", "066", 66 -> "66" (width 2); anything that is not a short run of digits -> None.

    ASCII digits only: str.isdigit() also says yes to "²", which int() then refuses (a 500 on
    GET /units/wards/², a records import stopped mid-file).
    """
    text = str(code).strip() if code is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > width + 1:
        return None
    return f"{int(text):0{width}d}"


# ---- lookups other domains call -----------------------------------------------------------------


def get_province(code: str | int | None) -> ProvinceInfo | None:
    key = _code(code, 2)
    return _catalogue().provinces.get(key) if key else None


def get_ward(code: str | int | None) -> WardInfo | None:
    key = _code(code, 5)
    if key is None or len(key) != 5:
        return None
    return _catalogue().wards.get(key)


def validate_ward_code(code: str | int | None, *, field: str = "ward_code") -> WardInfo:
    """The ward for `code`, or a 422 problem naming `field`: for services storing a ward code."""
    ward = get_ward(code)
    if ward is None:
        message = (
            f"Mã phường/xã '{code}' không tồn tại trong danh mục đơn vị hành chính từ ngày "
            "01/7/2025. Hãy chọn lại phường, xã hoặc đặc khu từ danh sách."
        )
        raise ApiError(422, "unknown_ward", message, errors={field: [message]})
    return ward


def former_province(code: str | int | None) -> FormerUnit | None:
    """A pre-2025 province by its code: "54" or the CCCD form "054" -> tỉnh Phú Yên."""
    key = _code(code, 2)
    return _catalogue().former_provinces.get(key) if key else None


def province_for_former_code(code: str | int | None) -> ProvinceInfo | None:
    """The current province a pre-2025 code now belongs to ("054" -> Đắk Lắk)."""
    former = former_province(code)
    return get_province(former.current_code) if former else None


# ---- search -------------------------------------------------------------------------------------


def _queries(q: str) -> tuple[tuple[str, ...], str | None]:
    """The query as typed and without a leading type word ("phuong tan an" -> "tan an"), and
    the unit type that word names, if any."""
    typed = _search_key(q)
    match = _TYPE_WORDS.match(typed)
    if match is None:
        return (typed,), None
    return (typed, typed[match.end() :]), _TYPE_WORD_UNIT.get(match.group(1))


def _rank(entry: _Entry, queries: tuple[str, ...]) -> tuple[int, int, str | None] | None:
    """(score, 0 for the current name / 1 for a former one, note), best over the query forms."""
    best: tuple[int, int, str | None] | None = None
    for query in queries:
        candidates: list[tuple[int, int, str | None]] = []
        if query.isdigit() and query.lstrip("0") == entry.unit.code.lstrip("0"):
            candidates.append((0, 0, None))
        if query in entry.aliases:
            candidates.append((0, 0, None))
        if (score := match_score(entry.key, query)) is not None:
            candidates.append((score, 0, None))
        for key, former in entry.former:
            if (score := match_score(key, query)) is not None:
                candidates.append((score, 1, former.note))
        for candidate in candidates:
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    return best


def _search(entries: Iterable[_Entry], q: str | None) -> list:
    if not q or not _search_key(q):
        return [entry.unit for entry in entries]
    queries, wanted_type = _queries(q)
    hits = []
    for position, entry in enumerate(entries):
        ranked = _rank(entry, queries)
        if ranked is not None:
            score, via_former, note = ranked
            # "phuong tan an": Phường Tân An before Xã Tân An, both still found.
            other_type = int(wanted_type is not None and entry.unit.type != wanted_type)
            unit = replace(entry.unit, note=note) if note else entry.unit
            hits.append((score, via_former, other_type, position, unit))
    hits.sort(key=lambda hit: hit[:4])
    return [hit[4] for hit in hits]


def search_provinces(q: str | None = None) -> list[ProvinceInfo]:
    """All 34 provinces in code order, or those matching `q`, best match first."""
    return _search(_catalogue().province_entries, q)


def search_wards(q: str | None = None, province_code: str | int | None = None) -> list[WardInfo]:
    """Wards, communes and special zones in code order, or those matching `q`, best first.

    Raises a 422 problem when `province_code` is not one of the 34 current provinces; for a
    pre-2025 code the message names the province it is now part of.
    """
    catalogue = _catalogue()
    entries: Iterable[_Entry] = catalogue.ward_entries
    if province_code not in (None, ""):
        province = get_province(province_code)
        if province is None:
            raise _unknown_province(province_code, field="province")
        entries = catalogue.wards_by_province.get(province.code, ())
    return _search(entries, q)


def _unknown_province(code: str | int, *, field: str) -> ApiError:
    message = f"Mã tỉnh/thành phố '{code}' không tồn tại từ ngày 01/7/2025."
    current = province_for_former_code(code)
    former = former_province(code)
    if current is not None and former is not None:
        message += (
            f" Đây là mã của {former.kind} {former.name} cũ, nay thuộc {current.name} (mã {current.code})."
        )
    return ApiError(422, "unknown_province", message, errors={field: [message]})


def province_not_found(code: str) -> ApiError:
    """404 for /units/provinces/<code>, pointing a former code at its current province."""
    detail = f"Không có tỉnh/thành phố mã '{code}' trong danh mục từ ngày 01/7/2025."
    current = province_for_former_code(code)
    former = former_province(code)
    extra = {}
    if current is not None and former is not None:
        detail += f" Mã này là của {former.kind} {former.name} cũ, nay thuộc {current.name}."
        extra["current_code"] = current.code
    return ApiError(404, "province_not_found", detail, **extra)


def ward_not_found(code: str) -> ApiError:
    return ApiError(
        404,
        "ward_not_found",
        f"Không có phường, xã hoặc đặc khu mã '{code}' trong danh mục từ ngày 01/7/2025.",
    )
