"""The cleaning rules (làm sạch) every record from a connector goes through before it is stored.

The national systems are the source of truth for the records, the population registry (the
`citizens` table) for who a person is. A row is stored only when it names a person the registry
knows, by a valid CCCD, with the same date of birth and the same name (compared without accents
or case: "NGUYEN VAN AN" is "Nguyễn Văn An"); otherwise it is rejected with a reason code and a
Vietnamese message for the official who runs the import. Each rule is a small function that
returns the cleaned value or raises `Rejection`; `clean_row` applies them to one row of a record
type, and `match_people` checks the people it names against the registry.

Rows are never repaired by guessing: a date in an unknown format, a name in a broken encoding or
a ward that no longer exists is sent back to the source to fix, not stored half-right.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from api.citizens import cccd as cccd_rules
from api.records.models import (
    CONDITION,
    HEALTH,
    HEALTH_KINDS,
    INSURANCE_CARD,
    LABOUR,
    LAND,
    LAND_STATUSES,
    VACCINATION,
    VISIT,
)
from api.text import fold, nfc
from api.units import service as units

# ---- rejections -------------------------------------------------------------------------------

# Stable reason codes of the reject report, with what the official reads.
REASONS: dict[str, str] = {
    "missing_field": "Thiếu trường bắt buộc",
    "unknown_field": "Trường không được phép",
    "invalid_value": "Giá trị không hợp lệ",
    "bad_date": "Ngày không đúng định dạng (YYYY-MM-DD hoặc DD/MM/YYYY) hoặc không tồn tại",
    "broken_encoding": "Văn bản bị lỗi mã hoá ký tự",
    "invalid_cccd": "Số căn cước không hợp lệ",
    "cccd_birth_mismatch": "Số căn cước không khớp với ngày sinh",
    "citizen_not_found": "Không có người mang số căn cước này trong cơ sở dữ liệu dân cư",
    "birth_date_mismatch": "Ngày sinh khác với cơ sở dữ liệu dân cư",
    "name_mismatch": "Họ tên khác với cơ sở dữ liệu dân cư",
    "unknown_ward": "Mã phường/xã không có trong danh mục đơn vị hành chính",
    "duplicate_row": "Trùng mã bản ghi với một dòng trước đó trong tệp",
    "bad_line": "Dòng không đọc được",
}


class Rejection(Exception):
    """Why a row cannot be stored: a stable `code`, the Vietnamese `message`, the `field` at fault."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


# ---- text -------------------------------------------------------------------------------------

# Every character Python counts as whitespace (str.isspace: NBSP, the ideographic space...): `nfc`
# collapses and strips them. Spelled out so that the PostgreSQL import (api/records/bulk.py) uses
# the same set: its regex `\s` and btrim know only ASCII spaces.
WHITESPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
# U+FFFD is what a decoder leaves for bytes that were not UTF-8 (the file connector decodes with
# errors="replace" so that one bad line is rejected instead of the whole file). The SQL rule uses
# BROKEN_SQL: PostgreSQL text cannot hold U+0000 at all.
BROKEN_SQL = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]"  # control characters, U+FFFD
_BROKEN = re.compile("\x00|[\ud800-\udfff]|" + BROKEN_SQL)  # and lone surrogates (from JSON escapes)
# Mojibake: UTF-8 that was once decoded as Windows-1252 or Latin-1 ("Nguyá»…n" for "Nguyễn").
# Each byte of a multi-byte UTF-8 sequence became one character: a lead byte 0xC2-0xF4 is one of
# "Â".."ô", a continuation byte 0x80-0xBF is U+0080-U+00BF (Latin-1) or one of cp1252's
# € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ. The rule looks for a lead followed by
# as many continuations as it announces. One regex, shared by the Python rule and the SQL one
# (bulk.py), so both engines judge a name alike. Genuine Vietnamese does not match: its accented
# capitals (Â, Ê, Ô, Ă...) and small letters are followed by letters or spaces, never by "»"
# or "…".
_CONTINUATION = "[\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]"
MOJIBAKE = (
    f"[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}|[\u00f0-\u00f4]{_CONTINUATION}{{3}}"
)
_MOJIBAKE = re.compile(MOJIBAKE)
# Whitespace `nfc` would change: runs, tabs and newlines, leading or trailing.
_UNTIDY_SPACE = re.compile(r"\s\s|[^\S ]|^\s|\s$")


_UNPRINTABLE = re.compile("[\x00\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` for a report: U+0000 and lone surrogates (from JSON escapes) as U+FFFD. Neither can be
    stored in PostgreSQL text nor written as UTF-8; the SQL import sees U+FFFD in their place
    (bulk_staging._jsonb_text), so both engines word the reject alike."""
    return _UNPRINTABLE.sub("\ufffd", text)


def as_text(value: Any) -> str:
    """A raw value as a message quotes it: text as is, anything else as JSON ("true", ["x"], 12),
    which is how PostgreSQL's `->>` prints it; a float as Python prints it ("1000.0"), which is
    what the SQL import stages for a JSON fraction or exponent (bulk_staging.Stager)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, float):
        return repr(value)
    return printable(json.dumps(_jsonb_order(value), ensure_ascii=False, default=str))


def _jsonb_order(value: Any) -> Any:
    """An object's keys in jsonb's order (shorter first, then bytewise), nested values alike."""
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: (len(str(k).encode()), str(k).encode()))
        return {k: _jsonb_order(value[k]) for k in keys}
    if isinstance(value, list | tuple):
        return [_jsonb_order(v) for v in value]
    return value


def looks_mojibake(text: str) -> bool:
    """UTF-8 text that was once decoded as Windows-1252 or Latin-1: "Nguyá»…n" for "Nguyễn"."""
    return not text.isascii() and _MOJIBAKE.search(text) is not None


def clean_text(value: Any, field: str, *, max_length: int, required: bool = True) -> str | None:
    """NFC, one space between words, no broken encoding, within `max_length`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Rejection("missing_field", f"Thiếu {field}.", field)
        return None
    # A JSON number is taken as its digits ("12"); true/false and fractions are not text.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Rejection("invalid_value", f"{field} phải là chuỗi ký tự.", field)
    text = str(value)
    if _BROKEN.search(text) or looks_mojibake(text):
        raise Rejection(
            "broken_encoding",
            f"{field} bị lỗi mã hoá ký tự ('{printable(text[:40])}'); hãy xuất lại tệp với bảng mã UTF-8.",
            field,
        )
    # Most rows are already clean: checking is much cheaper than normalising (imports of millions).
    if not unicodedata.is_normalized("NFC", text) or _UNTIDY_SPACE.search(text):
        text = nfc(text)
    if len(text) > max_length:
        raise Rejection("invalid_value", f"{field} dài quá {max_length} ký tự.", field)
    return text


def clean_name(value: Any, field: str = "full_name") -> str:
    """A person's name as the registry would write it: NFC, single spaces, letters only."""
    name = clean_text(value, field, max_length=120)
    # ASCII digits, as the SQL rule (`~ '[0-9]'`): "Hoa ²" is a name the registry then refuses.
    if _ASCII_DIGIT.search(name):
        raise Rejection("invalid_value", f"Họ tên '{name}' có chữ số.", field)
    return name


_ASCII_DIGIT = re.compile("[0-9]")


def same_name(a: str, b: str) -> bool:
    """Names agree when they do without accents, case or spacing ("NGUYEN VAN AN" = "Nguyễn Văn An")."""
    return fold(a) == fold(b)


# ---- dates and numbers ------------------------------------------------------------------------

# ASCII digits only (re.ASCII), as the SQL rules: a full-width "２０１５-０３-２０" is refused on both.
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_VN_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$", re.ASCII)
# What PostgreSQL's numeric input takes (bulk.py uses this pattern too): no "1_000", "NaN",
# "inf" or non-ASCII digits, all of which Python's Decimal would take.
NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,4})?$"
_NUMBER = re.compile(NUMBER)
# The SQL rule casts at most nine digits to int: longer is out of range there ("0000000000012").
MAX_INT_DIGITS = 9


_today_cache: tuple[float, date] = (0.0, date.min)


def _today() -> date:
    """Today, read at most once a minute (`date.today()` costs more than parsing a date)."""
    global _today_cache
    if time.monotonic() - _today_cache[0] > 60:
        _today_cache = (time.monotonic(), date.today())
    return _today_cache[1]


def parse_date(value: Any, field: str, *, required: bool = True) -> date | None:
    """Strictly "YYYY-MM-DD" or "DD/MM/YYYY" (how Vietnamese documents write dates), a real day.

    Anything else ("5/3/90", "2024-02-30", "20240101", "03-05-1990") is refused rather than
    guessed: 03/05 is 3 May here and 5 March elsewhere.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Rejection("missing_field", f"Thiếu {field}.", field)
        return None
    text = as_text(value).strip()
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _VN_DATE.match(text):
        day, month, year = match.groups()
    else:
        raise Rejection(
            "bad_date", f"{field} '{text[:20]}' không đúng dạng YYYY-MM-DD hoặc DD/MM/YYYY.", field
        )
    try:
        parsed = date(int(year), int(month), int(day))
    except ValueError:
        raise Rejection("bad_date", f"{field} '{text}' không phải một ngày có thật.", field) from None
    if parsed.year < 1900 or parsed > _today():
        raise Rejection("bad_date", f"{field} '{text}' nằm ngoài khoảng hợp lý.", field)
    return parsed


def parse_decimal(value: Any, field: str, *, places: int) -> Decimal:
    """A positive number with at most `places` decimals; "120,5" (Vietnamese comma) is 120.5."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Rejection("missing_field", f"Thiếu {field}.", field)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Rejection("invalid_value", f"{field} phải là số.", field)
    text = as_text(value).strip().replace(",", ".")
    try:
        if not _NUMBER.match(text):
            raise InvalidOperation
        number = Decimal(text)
    except InvalidOperation:
        raise Rejection("invalid_value", f"{field} '{text[:20]}' không phải là số.", field) from None
    if not number.is_finite() or number <= 0 or number >= Decimal(10) ** 10:
        raise Rejection("invalid_value", f"{field} phải là số dương.", field)
    if -number.as_tuple().exponent > places:
        raise Rejection("invalid_value", f"{field} có nhiều hơn {places} chữ số thập phân.", field)
    return number.quantize(Decimal(1).scaleb(-places))


def parse_int(value: Any, field: str, *, low: int, high: int, required: bool = True) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Rejection("missing_field", f"Thiếu {field}.", field)
        return None
    # ASCII digits only: str.isdigit() also says yes to "²" or "١٢", which int() then refuses or
    # reads, and the SQL rule refuses. No sign, no "_".
    text = value.strip() if isinstance(value, str) else None
    if isinstance(value, bool) or not (
        isinstance(value, int) or (text is not None and text.isascii() and text.isdigit())
    ):
        raise Rejection("invalid_value", f"{field} phải là số nguyên.", field)
    # As the SQL rule: more than nine digits is out of range, leading zeros included.
    number = int(value) if text is None or len(text) <= MAX_INT_DIGITS else None
    if number is None or not low <= number <= high:
        raise Rejection("invalid_value", f"{field} phải từ {low} đến {high}.", field)
    return number


def match_pattern(
    value: Any, field: str, pattern: re.Pattern, what: str, *, required: bool = True
) -> str | None:
    text = clean_text(value, field, max_length=40, required=required)
    if text is None:
        return None
    text = text.upper()  # codes: "j06.9" is J06.9
    if not pattern.match(text):
        raise Rejection("invalid_value", f"{field} '{text}' không đúng dạng {what}.", field)
    return text


# ---- the person a row is about -----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Who a row names, as the source wrote it; `field` locates it in the row for the report."""

    cccd: str
    full_name: str
    date_of_birth: date
    field: str = ""


_CCCD_DIGITS = re.compile("^[0-9]{12}$")


def clean_cccd(value: Any, date_of_birth: date, field: str = "cccd") -> str:
    """A well-formed CCCD whose century and year digits agree with the date of birth."""
    number = clean_text(value, field, max_length=20)
    # cccd_rules.parse reads any Unicode digit; the SQL rule ASCII ones: "０６６..." is not 12 digits.
    if not _CCCD_DIGITS.match(number.replace(" ", "")):
        raise Rejection("invalid_cccd", f"{field}: Số căn cước phải gồm đúng 12 chữ số.", field)
    try:
        info = cccd_rules.parse(number)
    except cccd_rules.InvalidCCCD as error:
        raise Rejection("invalid_cccd", f"{field}: {error}", field) from None
    try:
        cccd_rules.validate(info.number, date_of_birth=date_of_birth)
    except cccd_rules.InvalidCCCD as error:
        raise Rejection("cccd_birth_mismatch", f"{field}: {error}", field) from None
    return info.number


def clean_person(data: Mapping[str, Any], prefix: str = "") -> Person:
    """The CCCD, name and date of birth of a row (or of one owner in it), each checked on its own."""
    name = clean_name(data.get("full_name"), f"{prefix}full_name")
    born = parse_date(data.get("date_of_birth"), f"{prefix}date_of_birth")
    number = clean_cccd(data.get("cccd"), born, f"{prefix}cccd")
    return Person(number, name, born, prefix)


@dataclass(frozen=True)
class RegistryEntry:
    citizen_id: uuid.UUID
    full_name: str
    date_of_birth: date


def match_person(person: Person, registry: Mapping[str, RegistryEntry]) -> uuid.UUID:
    """The registry's citizen for `person`: same CCCD, same date of birth, same name (folded)."""
    entry = registry.get(person.cccd)
    where = f"{person.field}cccd"
    if entry is None:
        raise Rejection(
            "citizen_not_found",
            f"Không có người mang số căn cước {mask_cccd(person.cccd)} trong cơ sở dữ liệu dân cư.",
            where,
        )
    if entry.date_of_birth != person.date_of_birth:
        raise Rejection(
            "birth_date_mismatch",
            f"Ngày sinh {person.date_of_birth:%d/%m/%Y} khác với cơ sở dữ liệu dân cư của số căn cước "
            f"{mask_cccd(person.cccd)}.",
            f"{person.field}date_of_birth",
        )
    if not same_name(entry.full_name, person.full_name):
        raise Rejection(
            "name_mismatch",
            f"Họ tên '{person.full_name}' khác với cơ sở dữ liệu dân cư của số căn cước {mask_cccd(person.cccd)}.",
            f"{person.field}full_name",
        )
    return entry.citizen_id


def mask_cccd(number: str) -> str:
    """For reports that officials forward by e-mail: "066190000123" -> "066******123"."""
    return number[:3] + "******" + number[-3:]


# ---- places -----------------------------------------------------------------------------------


def clean_ward(value: Any, field: str = "ward_code") -> str:
    """A ward, commune or special zone code of the post-July-2025 catalogue."""
    text = clean_text(value, field, max_length=40)
    ward = units.get_ward(text)
    if ward is None:
        raise Rejection(
            "unknown_ward",
            f"Mã phường/xã '{text}' không có trong danh mục đơn vị hành chính từ ngày 01/7/2025.",
            field,
        )
    return ward.code


# ---- one row of each record type -------------------------------------------------------------


@dataclass
class CleanRow:
    """A row ready to store: its parent columns, its children, the people to match."""

    source_id: str
    values: dict[str, Any]
    people: list[Person]
    children: list[dict[str, Any]] = field(default_factory=list)
    # Which column of `values` (or of each child) takes the matched citizen's id.
    citizen_field: str = "citizen_id"
    record_type: str = LAND

    def digest(self) -> str:
        """What an import compares to tell a changed row: the synced values, owners included.

        The same text on both engines (bulk.py builds it in SQL from the same columns): the
        values in DIGEST_COLUMNS order, then each person's CCCD, name and date of birth, joined
        by U+001F, an empty value as U+001E (neither can be in a cleaned value), then MD5.
        """
        parts = [_digest_text(self.values.get(name)) for name in DIGEST_COLUMNS[self.record_type]]
        for person in self.people:
            parts += [person.cccd, person.full_name, person.date_of_birth.isoformat()]
        return hashlib.md5("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def _digest_text(value: Any) -> str:
    if value is None:
        return "\x1e"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # text, a Decimal quantized to its places ("120.5"), an int


_SOURCE_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._:/-]{0,79}$")


def clean_source_id(value: Any) -> str:
    text = clean_text(value, "source_id", max_length=80)
    if not _SOURCE_ID.match(text):
        raise Rejection(
            "invalid_value", f"source_id '{text[:40]}' chỉ được gồm chữ, số và . _ : / -.", "source_id"
        )
    return text


def _check_fields(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(printable(str(name)) for name in set(data) - set(allowed))
    if unknown:
        raise Rejection("unknown_field", f"Trường không được phép: {', '.join(unknown)}.", unknown[0])


LAND_FIELDS = (
    "source_id",
    "certificate_number",
    "parcel_number",
    "map_sheet",
    "area_m2",
    "land_use_purpose",
    "address",
    "ward_code",
    "status",
    "issued_on",
    "owners",
)
PERSON_FIELDS = ("cccd", "full_name", "date_of_birth")
MAX_OWNERS = 20
_STATUS_ALIASES = {
    "valid": "valid",
    "con hieu luc": "valid",
    "mortgaged": "mortgaged",
    "dang the chap": "mortgaged",
    "the chap": "mortgaged",
    "revoked": "revoked",
    "da thu hoi": "revoked",
    "thu hoi": "revoked",
}


def clean_land(data: Mapping[str, Any]) -> CleanRow:
    _check_fields(data, LAND_FIELDS)
    status_text = clean_text(data.get("status"), "status", max_length=30)
    status = _STATUS_ALIASES.get(fold(status_text))
    if status not in LAND_STATUSES:
        raise Rejection(
            "invalid_value",
            f"Tình trạng '{status_text}' không thuộc: còn hiệu lực, đang thế chấp, đã thu hồi.",
            "status",
        )
    owners = data.get("owners")
    if not isinstance(owners, list) or not owners:
        raise Rejection(
            "missing_field", "Giấy chứng nhận phải có ít nhất một chủ sử dụng (owners).", "owners"
        )
    if len(owners) > MAX_OWNERS:
        raise Rejection("invalid_value", f"Quá {MAX_OWNERS} chủ sử dụng.", "owners")
    people = []
    for position, owner in enumerate(owners):
        if not isinstance(owner, Mapping):
            raise Rejection("invalid_value", "Mỗi chủ sử dụng phải là một đối tượng.", f"owners.{position}")
        _check_fields(owner, PERSON_FIELDS)
        people.append(clean_person(owner, f"owners.{position}."))
    if len({p.cccd for p in people}) != len(people):
        raise Rejection("invalid_value", "Một người được ghi hai lần trong danh sách chủ sử dụng.", "owners")
    values = {
        "certificate_number": clean_text(data.get("certificate_number"), "certificate_number", max_length=40),
        "parcel_number": clean_text(data.get("parcel_number"), "parcel_number", max_length=20),
        "map_sheet": clean_text(data.get("map_sheet"), "map_sheet", max_length=20),
        "area_m2": parse_decimal(data.get("area_m2"), "area_m2", places=1),
        "land_use_purpose": clean_text(data.get("land_use_purpose"), "land_use_purpose", max_length=200),
        "address": clean_text(data.get("address"), "address", max_length=300),
        "ward_code": clean_ward(data.get("ward_code")),
        "status": status,
        "issued_on": parse_date(data.get("issued_on"), "issued_on"),
    }
    children = [{"position": i, "full_name": p.full_name} for i, p in enumerate(people)]
    return CleanRow(clean_source_id(data.get("source_id")), values, people, children, record_type=LAND)


HEALTH_FIELDS = (
    "source_id",
    "kind",
    *PERSON_FIELDS,
    "on",
    "facility",
    "description",
    "icd10_code",
    "dose",
    "card_number",
    "valid_from",
    "valid_to",
)
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
# Mã thẻ BHYT: 2 letters (đối tượng), 1 digit (mức hưởng), 2 digits (province), 10 digits (mã BHXH).
_INSURANCE_CARD = re.compile(r"^[A-Z]{2}[1-5][0-9]{12}$")


def clean_health(data: Mapping[str, Any]) -> CleanRow:
    _check_fields(data, HEALTH_FIELDS)
    kind = clean_text(data.get("kind"), "kind", max_length=20)
    if kind not in HEALTH_KINDS:
        raise Rejection(
            "invalid_value", f"kind '{kind}' phải là một trong: {', '.join(HEALTH_KINDS)}.", "kind"
        )
    person = clean_person(data)
    values: dict[str, Any] = dict.fromkeys(
        ("on", "facility", "description", "icd10_code", "dose", "card_number", "valid_from", "valid_to")
    )
    values["kind"] = kind
    if kind == VISIT:
        values["on"] = parse_date(data.get("on"), "on")
        values["facility"] = clean_text(data.get("facility"), "facility", max_length=200)
        values["description"] = clean_text(data.get("description"), "description", max_length=2000)
        values["icd10_code"] = match_pattern(
            data.get("icd10_code"), "icd10_code", _ICD10, "mã ICD-10 (J06.9)", required=False
        )
    elif kind == VACCINATION:
        values["on"] = parse_date(data.get("on"), "on")
        values["facility"] = clean_text(data.get("facility"), "facility", max_length=200)
        values["description"] = clean_text(data.get("description"), "description", max_length=200)
        values["dose"] = parse_int(data.get("dose"), "dose", low=1, high=10)
    elif kind == CONDITION:
        values["on"] = parse_date(data.get("on"), "on", required=False)
        values["description"] = clean_text(data.get("description"), "description", max_length=500)
        values["icd10_code"] = match_pattern(
            data.get("icd10_code"), "icd10_code", _ICD10, "mã ICD-10 (E11)", required=False
        )
    elif kind == INSURANCE_CARD:
        values["card_number"] = match_pattern(
            data.get("card_number"),
            "card_number",
            _INSURANCE_CARD,
            "mã thẻ BHYT (15 ký tự, ví dụ DN4660123456789)",
        )
        values["valid_from"] = parse_date(data.get("valid_from"), "valid_from")
        values["valid_to"] = _future_ok_date(data.get("valid_to"), "valid_to")
        values["facility"] = clean_text(data.get("facility"), "facility", max_length=200)
        if values["valid_to"] < values["valid_from"]:
            raise Rejection("invalid_value", "Thẻ BHYT hết hạn trước ngày bắt đầu.", "valid_to")
    return CleanRow(clean_source_id(data.get("source_id")), values, [person], record_type=HEALTH)


def _future_ok_date(value: Any, field: str) -> date:
    """An expiry date: the same strict formats, and it may lie in the future."""
    text = clean_text(value, field, max_length=20)
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _VN_DATE.match(text):
        day, month, year = match.groups()
    else:
        raise Rejection("bad_date", f"{field} '{text}' không đúng dạng YYYY-MM-DD hoặc DD/MM/YYYY.", field)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise Rejection("bad_date", f"{field} '{text}' không phải một ngày có thật.", field) from None


LABOUR_FIELDS = (
    "source_id",
    *PERSON_FIELDS,
    "social_insurance_number",
    "employer",
    "employer_tax_code",
    "position",
    "started_on",
    "ended_on",
    "contribution_months",
)
_SOCIAL_INSURANCE_NUMBER = re.compile(r"^[0-9]{10}$")
_TAX_CODE = re.compile(r"^[0-9]{10}(-[0-9]{3})?$")


def clean_labour(data: Mapping[str, Any]) -> CleanRow:
    _check_fields(data, LABOUR_FIELDS)
    person = clean_person(data)
    started = parse_date(data.get("started_on"), "started_on")
    ended = parse_date(data.get("ended_on"), "ended_on", required=False)
    if ended is not None and ended < started:
        raise Rejection("invalid_value", "Ngày kết thúc trước ngày bắt đầu làm việc.", "ended_on")
    values = {
        "social_insurance_number": match_pattern(
            data.get("social_insurance_number"),
            "social_insurance_number",
            _SOCIAL_INSURANCE_NUMBER,
            "mã số BHXH (10 chữ số)",
        ),
        "employer": clean_text(data.get("employer"), "employer", max_length=200),
        "employer_tax_code": match_pattern(
            data.get("employer_tax_code"), "employer_tax_code", _TAX_CODE, "mã số thuế", required=False
        ),
        "position": clean_text(data.get("position"), "position", max_length=120, required=False),
        "started_on": started,
        "ended_on": ended,
        "contribution_months": parse_int(
            data.get("contribution_months"), "contribution_months", low=0, high=600
        ),
    }
    return CleanRow(clean_source_id(data.get("source_id")), values, [person], record_type=LABOUR)


# The stored values a row's digest covers, in order (both engines): a row's own fields, without
# its source id and the people it names (those are covered as the matched people).
_NOT_DIGESTED = {"source_id", "owners", *PERSON_FIELDS}
DIGEST_COLUMNS: dict[str, tuple[str, ...]] = {
    record_type: tuple(name for name in fields if name not in _NOT_DIGESTED)
    for record_type, fields in ((LAND, LAND_FIELDS), (HEALTH, HEALTH_FIELDS), (LABOUR, LABOUR_FIELDS))
}


CLEANERS: dict[str, Callable[[Mapping[str, Any]], CleanRow]] = {
    LAND: clean_land,
    HEALTH: clean_health,
    LABOUR: clean_labour,
}


def clean_row(record_type: str, data: Any) -> CleanRow:
    """Apply the rules of `record_type` to one row as a connector gave it; raises Rejection."""
    if not isinstance(data, Mapping):
        raise Rejection("bad_line", "Mỗi bản ghi phải là một đối tượng JSON.")
    return CLEANERS[record_type](data)


def match_people(row: CleanRow, registry: Mapping[str, RegistryEntry]) -> list[uuid.UUID]:
    """The citizen of each person the row names, in order; raises Rejection at the first mismatch."""
    return [match_person(person, registry) for person in row.people]
