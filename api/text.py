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
