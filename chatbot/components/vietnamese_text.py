"""Vietnamese text for the chatbot, free of Rasa so it can be tested on its own.

Three jobs:
- `normalise_with_map`: NFC and the look-alike letters keyboards and OCR produce (U+00D0 "Ð"
  for "Đ"), keeping for each normalised character the span of the original it came from;
- `align`: find where each of underthesea's tokens lies in the ORIGINAL message. underthesea
  rewrites characters (it turns "Ð" into "Đ", moves tone marks: "baỏ" → "bảo"), so its token
  strings are not always substrings of the message, and Rasa's own offset lookup fails on
  them. Characters are compared folded (no case, no diacritics), which survives those rewrites;
- `lemma`: the form the classifiers see: teencode and abbreviations expanded ("ko" → "không",
  "đc" → "được", "cccd" → "căn cước công dân"), folded, words joined by "_";
- `strip_diacritics`: the diacritic-free twin of a training example. NFC Vietnamese letters
  are single code points, so stripping keeps every offset and entity spans stay valid.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters that look Vietnamese but are not the Vietnamese code points.
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ"})
_FOLD = str.maketrans({"đ": "d", "Đ": "d"})

# What citizens type instead of the word (DOMAIN.md: ko, k, dc, đc, j, cccd, gplx, bhyt, bhxh).
# Keys are folded; spellings that differ only by diacritics need no entry, `lemma` folds anyway.
ABBREVIATIONS: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "hok": "không",
    "hem": "không",
    "dc": "được",
    "đc": "được",
    "j": "gì",
    "bn": "bao nhiêu",
    "mk": "mình",
    "mn": "mọi người",
    "ng": "người",
    "nc": "nước",
    "vs": "với",
    "ns": "nói",
    "ntn": "như thế nào",
    "hs": "hồ sơ",
    "ad": "admin",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "gplx": "giấy phép lái xe",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "ubnd": "ủy ban nhân dân",
    "tthc": "thủ tục hành chính",
    "dvc": "dịch vụ công",
    "tks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "oke": "ok",
    "okie": "ok",
    "uk": "ừ",
    "uh": "ừ",
    "um": "ừ",
}


def fold(text: str) -> str:
    """Lower case without diacritics: what two spellings of one word have in common."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LOOKALIKES).translate(_FOLD))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()


def strip_diacritics(text: str) -> str:
    """Same length as `text` when `text` is NFC: one output character per input character."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d" if ch == "đ" else "D")
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


def _clusters(text: str):
    """(start, end) of each base character with the combining marks that follow it."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or unicodedata.category(text[index]) != "Mn":
            yield start, index
            start = index


def normalise_with_map(original: str) -> tuple[str, list[tuple[int, int]]]:
    """NFC + look-alikes; `spans[i]` is the slice of `original` that normalised char i came from."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    for start, end in _clusters(original):
        piece = unicodedata.normalize("NFC", original[start:end]).translate(_LOOKALIKES)
        for ch in piece:
            out.append(ch)
            spans.append((start, end))
    return "".join(out), spans


@dataclass(frozen=True)
class Piece:
    text: str  # exactly original[start:end]
    start: int
    end: int
    word: str  # the token as the tokenizer produced it, spaces inside multi-word tokens


def align(original: str, words: list[str]) -> list[Piece]:
    """Place each tokenizer word on the original message; words that cannot be placed are dropped."""
    normalised, spans = normalise_with_map(original)
    folded = [fold(ch) for ch in normalised]
    cursor = 0
    pieces: list[Piece] = []
    for word in words:
        wanted = [fold(ch) for ch in word if not ch.isspace()]
        wanted = [ch for ch in wanted if ch]
        if not wanted:
            continue
        position = _find(folded, normalised, wanted, cursor)
        if position is None:
            continue
        first, last = position
        start, end = spans[first][0], spans[last][1]
        pieces.append(Piece(original[start:end], start, end, word))
        cursor = last + 1
    return pieces


def _find(folded: list[str], normalised: str, wanted: list[str], cursor: int) -> tuple[int, int] | None:
    """First index range from `cursor` whose non-space characters fold to `wanted`."""
    for begin in range(cursor, len(folded)):
        if normalised[begin].isspace() or folded[begin] != wanted[0]:
            continue
        index, matched, last = begin, 0, begin
        while index < len(folded) and matched < len(wanted):
            if normalised[index].isspace():
                index += 1
                continue
            if folded[index] != wanted[matched]:
                break
            last = index
            matched += 1
            index += 1
        if matched == len(wanted):
            return begin, last
    return None


_WORD_CHARS = re.compile(r"\w", re.UNICODE)


def lemma(word: str) -> str:
    """What the featurizers see: abbreviations expanded, folded, multi-word joined by '_'."""
    parts = []
    for part in word.split():
        expanded = ABBREVIATIONS.get(fold(part)) if _WORD_CHARS.search(part) else None
        parts.append(fold(expanded or part))
    return "_".join(" ".join(parts).split())
