"""A household business's registration number, as sellers write it, checked and normalised.

Three forms are in use, depending on when the household business (hộ kinh doanh) registered:

- its tax code (mã số thuế): 10 digits whose last is a check digit, or 13 as `0123456789-001`
  for a business location registered under the same code. The check digit is
  10 - (31·d1 + 29·d2 + 23·d3 + 19·d4 + 17·d5 + 13·d6 + 7·d7 + 5·d8 + 3·d9) mod 11; a code where
  that is 10 is never issued. A typo in one digit therefore fails the check;
- since 1 July 2025 (Nghị định 168/2025/NĐ-CP, Thông tư 86/2024/TT-BTC) the household business's
  code is its owner's personal identification number, the 12-digit CCCD: accepted only when it
  is the registering citizen's own number (read from the registry, never typed separately);
- certificates issued before the national system numbered them from the district's register:
  2 digits (province register), a letter (district), `8` (household business), 6 digits, such
  as `40A8012345`.

`normalise` answers the stored form or raises `InvalidRegistrationNumber` with a Vietnamese
message that tells the seller which form was expected.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.]")
_TAX_CODE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")
_PERSONAL_NUMBER = re.compile(r"^\d{12}$")
_DISTRICT_CERTIFICATE = re.compile(r"^\d{2}[A-Z]8\d{6}$")
_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)

EXPECTED = (
    "Số đăng ký hộ kinh doanh là mã số thuế của hộ (10 chữ số, hoặc 13 chữ số dạng 0123456789-001), "
    "số định danh cá nhân 12 chữ số của chủ hộ, hoặc số giấy chứng nhận cũ dạng 40A8012345."
)


class InvalidRegistrationNumber(ValueError):
    """Carries a Vietnamese explanation fit to show the seller."""


def tax_code_check_digit(first_nine: str) -> int | None:
    """The 10th digit of a tax code starting with these nine, or None when no code can."""
    digit = 10 - sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True)) % 11
    return None if digit == 10 else digit


def normalise(raw: str, *, owner_cccd: str) -> str:
    number = _SEPARATORS.sub("", raw or "").upper()
    if not number:
        raise InvalidRegistrationNumber("Hãy nhập số đăng ký hộ kinh doanh. " + EXPECTED)
    if _PERSONAL_NUMBER.match(number):
        if number != owner_cccd:
            raise InvalidRegistrationNumber(
                "Số 12 chữ số phải là số định danh cá nhân (CCCD) của chính bạn, chủ hộ kinh doanh. "
                "Nếu hộ kinh doanh đứng tên người khác, người đó cần tự đăng ký."
            )
        return number
    tax = _TAX_CODE.match(number)
    if tax:
        code, branch = tax.groups()
        if tax_code_check_digit(code[:9]) != int(code[9]):
            raise InvalidRegistrationNumber(
                f"Mã số thuế {code} không hợp lệ (sai chữ số kiểm tra): hãy kiểm tra lại từng chữ số "
                "trên giấy chứng nhận đăng ký hộ kinh doanh hoặc thông báo mã số thuế."
            )
        if branch == "000":
            raise InvalidRegistrationNumber(f"Mã số thuế {code}-000 không hợp lệ: phần đuôi bắt đầu từ 001.")
        return f"{code}-{branch}" if branch else code
    if _DISTRICT_CERTIFICATE.match(number):
        return number
    raise InvalidRegistrationNumber(
        f"Số đăng ký hộ kinh doanh '{raw.strip()}' không đúng định dạng. {EXPECTED}"
    )
