"""Vietnamese vehicle plates: one canonical spelling for however a citizen types one.

A plate reads `47A-123.45`: the 2-digit code of the registering province (Đắk Lắk is 47), a
series, then the number. Cars have a one-letter series (`47A`) or two letters (`29LD`);
motorbikes a letter and a digit (`47B1`, `59X3`). Numbers have 5 digits, shown `123.45`; older
plates still on the road have 4, shown as they are (`47A-1234`).

People type `47a12345`, `47A 123 45`, `47a-123.45`, `47 A1 12345`. `parse` accepts all of them
and gives the canonical form and a compact key (`47A12345`) that the database indexes.

One compact spelling has two readings: `47B11234` is a car `47B-112.34` or an old motorbike
`47B1-1234`. A separator typed after the series (`47B1 1234`) decides; without one the modern
5-digit reading wins. Lookups compare compact keys, so whoever types the compact form sees the
notices of both plates, rather than missing their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.text import nfc

# Province codes on plates run from 11 (Cao Bằng) to 99 (Bắc Ninh). A few numbers in that range
# are unassigned, but plates come from the police's own registry, so only the range is checked.
PROVINCE_CODES = range(11, 100)
# Series letters: the Latin alphabet without I, J, O, Q, W, which plates never use (I, O and Q
# are too easily read as 1 and 0).
SERIES_LETTERS = frozenset("ABCDEFGHKLMNPRSTUVXYZ")
_UNUSED_LETTERS = "I, J, O, Q, W"
# What people put between the parts: spaces, dashes (hyphen, en and em dash), dots, middle dots.
_SEPARATORS = re.compile(r"[\s\-.\u2013\u2014\u00b7_]+")
_ALLOWED = re.compile(r"^[0-9A-Z\s\-.\u2013\u2014\u00b7_]+$")
EXAMPLES = "47A-123.45 (ô tô) hoặc 47B1-123.45 (xe máy)"


class InvalidPlate(ValueError):
    """The text is not a Vietnamese plate; the message (Vietnamese) says why and shows the form."""


@dataclass(frozen=True)
class Plate:
    province: str  # "47"
    series: str  # "A", "LD", "B1"
    number: str  # "12345" or "1234"

    @property
    def canonical(self) -> str:
        """`47A-123.45`, `47B1-123.45`, `47A-1234`: how the plate is printed and stored."""
        number = f"{self.number[:3]}.{self.number[3:]}" if len(self.number) == 5 else self.number
        return f"{self.province}{self.series}-{number}"

    @property
    def key(self) -> str:
        """`47A12345`: letters and digits only, the indexed lookup key."""
        return f"{self.province}{self.series}{self.number}"

    @property
    def kind(self) -> str | None:
        """ "motorbike" for a letter-and-digit series, "car" for one letter, None when two letters
        (both cars and newer motorbike series use them)."""
        if len(self.series) == 2 and self.series[1].isdigit():
            return "motorbike"
        if len(self.series) == 1:
            return "car"
        return None

    def __str__(self) -> str:
        return self.canonical


def _shape_error(raw: str) -> InvalidPlate:
    return InvalidPlate(
        f"Biển số '{raw}' không đúng dạng: 2 chữ số mã tỉnh, sê-ri (một chữ cái, có thể kèm một "
        f"chữ cái hoặc chữ số) rồi 4 hoặc 5 chữ số, ví dụ {EXAMPLES}."
    )


def parse(text: str | None) -> Plate:
    """Read a plate typed any usual way; raises `InvalidPlate` with a Vietnamese explanation."""
    raw = nfc(text or "")
    if not raw:
        raise InvalidPlate(f"Hãy nhập biển số xe, ví dụ {EXAMPLES}.")
    shown = raw[:20]
    upper = raw.upper()
    if len(upper) > 20:
        raise InvalidPlate(f"Biển số '{shown}…' quá dài; hãy nhập đúng biển số, ví dụ {EXAMPLES}.")
    if not _ALLOWED.match(upper):
        raise InvalidPlate(
            f"Biển số '{shown}' có ký tự không hợp lệ: biển số chỉ gồm chữ cái không dấu, chữ số "
            f"và dấu gạch ngang, dấu chấm hoặc dấu cách, ví dụ {EXAMPLES}."
        )
    parts = [part for part in _SEPARATORS.split(upper) if part]
    compact = "".join(parts)
    # Where the person put a separator, as positions in the compact text: it tells an old
    # motorbike number (`47B1 1234`) from a car's (`47B 112.34`).
    breaks, position = set(), 0
    for part in parts[:-1]:
        position += len(part)
        breaks.add(position)

    if len(compact) < 7 or not compact[:2].isdigit() or not compact[2].isalpha():
        raise _shape_error(shown)
    province, rest = compact[:2], compact[2:]
    if rest[1:2].isalpha():
        series, number = rest[:2], rest[2:]
    else:
        # A letter then digits: the series is the letter alone or the letter and one digit. A
        # separator typed right after one of them decides; otherwise the digit count does.
        if 3 in breaks and 4 not in breaks:
            series_length = 1
        elif 4 in breaks and 3 not in breaks:
            series_length = 2
        else:
            series_length = 2 if len(rest) - 1 == 6 else 1
        series, number = rest[:series_length], rest[series_length:]
    if not number.isdigit() or len(number) not in (4, 5):
        raise _shape_error(shown)
    if int(province) not in PROVINCE_CODES:
        raise InvalidPlate(
            f"Mã tỉnh '{province}' trên biển số '{shown}' không tồn tại: mã tỉnh trên biển số "
            "từ 11 đến 99 (Đắk Lắk là 47)."
        )
    letters = [ch for ch in series if ch.isalpha()]
    if any(ch not in SERIES_LETTERS for ch in letters):
        raise InvalidPlate(
            f"Sê-ri '{series}' của biển số '{shown}' không hợp lệ: biển số không dùng các chữ "
            f"{_UNUSED_LETTERS}. Có thể bạn đã gõ nhầm chữ O thành số 0 hoặc chữ I thành số 1?"
        )
    if set(number) == {"0"}:
        raise InvalidPlate(f"Biển số '{shown}' không hợp lệ: số thứ tự đăng ký không thể toàn chữ số 0.")
    return Plate(province, series, number)


def normalise(text: str | None) -> str:
    """The canonical form of a typed plate (`47a12345` -> `47A-123.45`)."""
    return parse(text).canonical


def compact_key(text: str | None) -> str:
    """The compact lookup key of a typed plate (`47A 123 45` -> `47A12345`)."""
    return parse(text).key
