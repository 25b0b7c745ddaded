"""Vietnamese mobile numbers: accepted as people write them, stored as 10 digits from 0.

Since the 2018 renumbering every mobile number is 0 + 9 digits, and the digit after the 0 is
3, 5, 7, 8 or 9 (landlines start with 02 and have 11 digits). Citizens type "0912 345 678",
"0912.345.678", "+84 912 345 678" or "84912345678"; all become "0912345678".
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"^0[35789]\d{8}$")

INVALID_MESSAGE = (
    "Số điện thoại di động không hợp lệ: cần 10 chữ số bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
    "(ví dụ 0912345678), hoặc dạng +84912345678."
)


class InvalidPhone(ValueError):
    """Carries a Vietnamese explanation fit to show the citizen."""


def normalise_mobile(raw: str) -> str:
    number = _SEPARATORS.sub("", raw or "")
    for country_prefix in ("+84", "0084", "84"):
        # "84..." without the plus is a country code only at full international length.
        if number.startswith(country_prefix) and (country_prefix != "84" or len(number) == 11):
            national = number[len(country_prefix) :]
            # "+84 (0) 912 345 678": the trunk 0 written after the country code.
            number = national if national.startswith("0") else "0" + national
            break
    if not _MOBILE.match(number):
        raise InvalidPhone(INVALID_MESSAGE)
    return number


def mask(phone: str | None) -> str | None:
    """For logs and audit entries: "0912345678" -> "091****678"."""
    if not phone:
        return phone
    return phone[:3] + "*" * max(len(phone) - 6, 0) + phone[-3:]
