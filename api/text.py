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
