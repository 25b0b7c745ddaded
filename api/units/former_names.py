"""Names in use before the 2025 reform, so citizens who still say "Phú Yên" find Đắk Lắk.

Provinces: Nghị quyết 202/2025/QH15 (in force 01/7/2025) merged the 63 provinces and cities
into 34. Every one of the 63 is listed below with the 2-digit code it had (the code CCCD numbers
still carry, zero-padded to 3 digits) and the current province it is now part of. A current
province's code is always the former code of one of its members, so an old code never points
to a different province than the same current code does (tests/units check this).

Thừa Thiên Huế became the centrally-run Thành phố Huế on 01/01/2025 (Nghị quyết
1314/NQ-UBTVQH15), before the merger; it kept its territory in July.

Wards: only the 13 special zones (đặc khu) are listed. Each was made from one whole former
island district (Phú Quốc without xã Thổ Châu, which became Đặc khu Thổ Châu), so the mapping is
certain. Ordinary wards and communes were redrawn from parts of several former units; we do
not guess those, a wrong "formerly" would send a citizen to the wrong office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MERGER_DATE = date(2025, 7, 1)
HUE_CITY_DATE = date(2025, 1, 1)


@dataclass(frozen=True)
class FormerUnit:
    code: str | None  # the former administrative code, 2 digits for provinces; None for wards
    kind: str  # "tỉnh", "thành phố", "huyện", "xã": lower case, as written mid-sentence
    name: str  # without the kind: "Phú Yên"
    current_code: str  # the province (2 digits) or ward (5 digits) it now belongs to
    until: date = MERGER_DATE
    parent: str | None = None  # where it sat, for wards: "tỉnh Kiên Giang"

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}" + (f", {self.parent}" if self.parent else "")

    @property
    def note(self) -> str:
        return f"trước {vietnamese_date(self.until)}: {self.full_name}"


def vietnamese_date(day: date) -> str:
    """As official texts write dates (Nghị định 30/2020/NĐ-CP): a 0 before days under 10 and
    before months 1 and 2 only: "01/7/2025", "01/01/2025"."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def _province(code: str, kind: str, name: str, current_code: str, until: date = MERGER_DATE) -> FormerUnit:
    return FormerUnit(code, kind, name, current_code, until)


TINH, THANH_PHO = "tỉnh", "thành phố"

# Former code, kind and name (as in api/citizens/cccd.py PROVINCE_CODES) -> current province code.
FORMER_PROVINCES: tuple[FormerUnit, ...] = (
    _province("01", THANH_PHO, "Hà Nội", "01"),
    _province("02", TINH, "Hà Giang", "08"),
    _province("04", TINH, "Cao Bằng", "04"),
    _province("06", TINH, "Bắc Kạn", "19"),
    _province("08", TINH, "Tuyên Quang", "08"),
    _province("10", TINH, "Lào Cai", "15"),
    _province("11", TINH, "Điện Biên", "11"),
    _province("12", TINH, "Lai Châu", "12"),
    _province("14", TINH, "Sơn La", "14"),
    _province("15", TINH, "Yên Bái", "15"),
    _province("17", TINH, "Hòa Bình", "25"),
    _province("19", TINH, "Thái Nguyên", "19"),
    _province("20", TINH, "Lạng Sơn", "20"),
    _province("22", TINH, "Quảng Ninh", "22"),
    _province("24", TINH, "Bắc Giang", "24"),
    _province("25", TINH, "Phú Thọ", "25"),
    _province("26", TINH, "Vĩnh Phúc", "25"),
    _province("27", TINH, "Bắc Ninh", "24"),
    _province("30", TINH, "Hải Dương", "31"),
    _province("31", THANH_PHO, "Hải Phòng", "31"),
    _province("33", TINH, "Hưng Yên", "33"),
    _province("34", TINH, "Thái Bình", "33"),
    _province("35", TINH, "Hà Nam", "37"),
    _province("36", TINH, "Nam Định", "37"),
    _province("37", TINH, "Ninh Bình", "37"),
    _province("38", TINH, "Thanh Hóa", "38"),
    _province("40", TINH, "Nghệ An", "40"),
    _province("42", TINH, "Hà Tĩnh", "42"),
    _province("44", TINH, "Quảng Bình", "44"),
    _province("45", TINH, "Quảng Trị", "44"),
    _province("46", TINH, "Thừa Thiên Huế", "46", HUE_CITY_DATE),
    _province("48", THANH_PHO, "Đà Nẵng", "48"),
    _province("49", TINH, "Quảng Nam", "48"),
    _province("51", TINH, "Quảng Ngãi", "51"),
    _province("52", TINH, "Bình Định", "52"),
    _province("54", TINH, "Phú Yên", "66"),
    _province("56", TINH, "Khánh Hòa", "56"),
    _province("58", TINH, "Ninh Thuận", "56"),
    _province("60", TINH, "Bình Thuận", "68"),
    _province("62", TINH, "Kon Tum", "51"),
    _province("64", TINH, "Gia Lai", "52"),
    _province("66", TINH, "Đắk Lắk", "66"),
    _province("67", TINH, "Đắk Nông", "68"),
    _province("68", TINH, "Lâm Đồng", "68"),
    _province("70", TINH, "Bình Phước", "75"),
    _province("72", TINH, "Tây Ninh", "80"),
    _province("74", TINH, "Bình Dương", "79"),
    _province("75", TINH, "Đồng Nai", "75"),
    _province("77", TINH, "Bà Rịa - Vũng Tàu", "79"),
    _province("79", THANH_PHO, "Hồ Chí Minh", "79"),
    _province("80", TINH, "Long An", "80"),
    _province("82", TINH, "Tiền Giang", "82"),
    _province("83", TINH, "Bến Tre", "86"),
    _province("84", TINH, "Trà Vinh", "86"),
    _province("86", TINH, "Vĩnh Long", "86"),
    _province("87", TINH, "Đồng Tháp", "82"),
    _province("89", TINH, "An Giang", "91"),
    _province("91", TINH, "Kiên Giang", "91"),
    _province("92", THANH_PHO, "Cần Thơ", "92"),
    _province("93", TINH, "Hậu Giang", "92"),
    _province("94", TINH, "Sóc Trăng", "92"),
    _province("95", TINH, "Bạc Liêu", "96"),
    _province("96", TINH, "Cà Mau", "96"),
)


def _special_zone(current_code: str, kind: str, name: str, parent: str) -> FormerUnit:
    return FormerUnit(None, kind, name, current_code, MERGER_DATE, parent)


# Current special-zone code -> the former unit it was made from. The tests check each code still
# names the expected special zone in the installed vietnam-provinces data.
FORMER_WARDS: tuple[FormerUnit, ...] = (
    _special_zone("06994", "huyện", "Vân Đồn", "tỉnh Quảng Ninh"),
    _special_zone("07192", "huyện", "Cô Tô", "tỉnh Quảng Ninh"),
    _special_zone("11914", "huyện", "Cát Hải", "thành phố Hải Phòng"),
    _special_zone("11948", "huyện", "Bạch Long Vĩ", "thành phố Hải Phòng"),
    _special_zone("19742", "huyện", "Cồn Cỏ", "tỉnh Quảng Trị"),
    _special_zone("20333", "huyện", "Hoàng Sa", "thành phố Đà Nẵng"),
    _special_zone("21548", "huyện", "Lý Sơn", "tỉnh Quảng Ngãi"),
    _special_zone("22736", "huyện", "Trường Sa", "tỉnh Khánh Hòa"),
    _special_zone("23272", "huyện", "Phú Quý", "tỉnh Bình Thuận"),
    _special_zone("26732", "huyện", "Côn Đảo", "tỉnh Bà Rịa - Vũng Tàu"),
    _special_zone("31078", "thành phố", "Phú Quốc", "tỉnh Kiên Giang"),
    _special_zone("31105", "xã", "Thổ Châu", "thành phố Phú Quốc, tỉnh Kiên Giang"),
    _special_zone("31108", "huyện", "Kiên Hải", "tỉnh Kiên Giang"),
)
