"""CCCD (căn cước công dân) numbers: 12 digits, checked against the holder's birth data.

Layout (Thông tư 59/2021/TT-BCA, carried into the 2023 Law on Identification):
    PPP G YY NNNNNN
    PPP    code of the province where the birth was registered: one of the 63 codes in use
           before the July 2025 merger (001 Hà Nội … 066 Đắk Lắk … 096 Cà Mau); numbers
           issued earlier keep them for life
    G      sex and century of birth: 0/1 male/female born 1900-1999, 2/3 2000-2099,
           4/5 2100-2199, 6/7 2200-2299, 8/9 2300-2399
    YY     last two digits of the year of birth
    NNNNNN sequence
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# The 63 pre-2025 province codes and names, as used in CCCD numbers.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Gender/century digit -> (first year of the century, sex).
_CENTURY_SEX = {
    "0": (1900, "male"),
    "1": (1900, "female"),
    "2": (2000, "male"),
    "3": (2000, "female"),
    "4": (2100, "male"),
    "5": (2100, "female"),
    "6": (2200, "male"),
    "7": (2200, "female"),
    "8": (2300, "male"),
    "9": (2300, "female"),
}
_CENTURY_DIGIT = {(century, sex): digit for digit, (century, sex) in _CENTURY_SEX.items()}
_TWELVE_DIGITS = re.compile(r"^\d{12}$")


class InvalidCCCD(ValueError):
    """Carries a Vietnamese explanation fit to show the citizen."""


@dataclass(frozen=True)
class CCCDInfo:
    number: str
    province_code: str
    province_name: str
    sex: str
    birth_year: int


def parse(number: str) -> CCCDInfo:
    """Check the number's own structure and decode it."""
    number = (number or "").strip().replace(" ", "")
    if not _TWELVE_DIGITS.match(number):
        raise InvalidCCCD("Số căn cước phải gồm đúng 12 chữ số.")
    province = number[:3]
    if province not in PROVINCE_CODES:
        raise InvalidCCCD(f"Mã tỉnh nơi đăng ký khai sinh '{province}' không tồn tại.")
    century, sex = _CENTURY_SEX[number[3]]
    return CCCDInfo(number, province, PROVINCE_CODES[province], sex, century + int(number[4:6]))


def validate(number: str, *, date_of_birth: date | None = None, sex: str | None = None) -> CCCDInfo:
    """Parse the number and check it against the holder's date of birth and sex when known."""
    info = parse(number)
    if date_of_birth is not None and info.birth_year != date_of_birth.year:
        raise InvalidCCCD(
            f"Số căn cước cho biết năm sinh {info.birth_year}, không khớp với ngày sinh "
            f"{date_of_birth.strftime('%d/%m/%Y')}."
        )
    if sex is not None and info.sex != sex:
        raise InvalidCCCD("Chữ số giới tính trong số căn cước không khớp với giới tính đã khai.")
    return info


def build(province_code: str, sex: str, date_of_birth: date, sequence: int) -> str:
    """Compose a valid number (demo data and tests)."""
    century = date_of_birth.year - date_of_birth.year % 100
    digit = _CENTURY_DIGIT[(century, sex)]
    return f"{province_code}{digit}{date_of_birth.year % 100:02d}{sequence:06d}"
