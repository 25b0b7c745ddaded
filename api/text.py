"""Vietnamese text: NFC normalisation on the way in, and accent folding for search.

Citizens type "dang ky khai sinh" and expect to find "Đăng ký khai sinh"; every search in
the project folds both sides with `fold`.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# "Đ"/"đ" are letters of their own, not "D" with a combining mark, so NFD does not strip them.
# U+00D0 "Ð" (Icelandic eth) is what some keyboards and OCR produce instead of "Đ".
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})


def nfc(text: str) -> str:
    """NFC-normalise, and collapse runs of whitespace into one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


_LINE_ENDINGS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"})
# Control characters a person does not type (tab and line feed are handled as spaces and lines);
# XML 1.0 cannot even carry most of them.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f]")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def nfc_lines(text: str) -> str:
    """`nfc` for text whose line breaks mean something, such as a report's description
    (FixMyStreet sends title, detail and link on lines of their own): every line ending becomes
    "\\n", other control characters are dropped, spaces and tabs inside a line collapse into one
    space, each line is trimmed and there is at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").translate(_LINE_ENDINGS)
    lines = (_LINE_SPACES.sub(" ", line).strip() for line in _CONTROLS.sub("", text).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces: the key every search compares."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def match_score(key: str, query: str) -> int | None:
    """How well a folded search key matches a folded query: lower is better, None is no match.

    0 the whole key, 1 its beginning, 2 the beginning of a later word ("khai sinh" in
    "dang ky khai sinh"), 3 anywhere inside. Every catalogue search ranks with it.
    """
    if key == query:
        return 0
    if key.startswith(query):
        return 1
    if f" {query}" in f" {key}":
        return 2
    if query in key:
        return 3
    return None


def format_vnd(amount: int) -> str:
    """50000 -> "50.000 đồng": Vietnamese groups thousands with dots."""
    return f"{amount:,}".replace(",", ".") + " đồng"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine digits or more, maybe grouped by single spaces, dots or dashes, maybe after "+" or a
# "(+84)": mobile and landline numbers (10-11 digits, 9 after +84), CCCD (12), old CMND (9).
# Shorter numbers (house numbers, amounts, dates, 113) are left alone.
_LONG_NUMBER = re.compile(r"(?:\(\+?\d{1,3}\)[\s.-]?|\+)?(?<!\d)\d(?:[\s.-]?\d){8,}(?!\d)")
REDACTED = "[đã ẩn]"


def redact_contacts(text: str) -> str:
    """Hide e-mail addresses and long numbers (phones, CCCD) in free text meant for the public.

    Citizens write their own number into a report's description ("gọi tôi: 0912 345 678");
    published as it is, it would be on every open-data feed. It errs on the side of hiding:
    a long number that is not a phone (an account number, a date written with a time) is
    hidden too, which costs a reader little and never leaks a contact.
    """
    return _LONG_NUMBER.sub(REDACTED, _EMAIL.sub(REDACTED, text))
