"""Spans of a message that word segmentation must never cut into or glue to a neighbour.

underthesea groups syllables into words statistically, and on text without diacritics it often
groups across what is really an entity boundary: "so 66.24133" + "-" + "261122" for a dossier
code, "bi trom" (bị trộm), "tiêu Cư" (hồ tiêu | Cư M’gar). Its `fixed_words` option does not help:
it keeps a listed phrase together but still glues it to the word before ("so 66.24133-261122-0007")
and ignores single-syllable entries. So the tokenizer cuts the message itself, before
underthesea sees it:

- around regex matches (the patterns of nlu_data/regexes.yml, the ones the RegexEntityExtractor
  uses, matched on the original text with its flags): each match becomes ONE token;
- at both ends of every lexicon match (lookup tables, synonym surface forms and annotated
  entity texts of the training data, compared folded: no case, no diacritics). Overlapping and
  nested matches all cut ("lam giay khai sinh", "giay khai sinh" and "khai sinh" are all entries),
  so whichever of them is the entity, its ends are token boundaries; underthesea segments each
  piece between two cuts on its own.

Everything is in ORIGINAL message coordinates; Rasa-free so it can be unit-tested on its own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from components.vietnamese_text import Piece, align, fold, normalise_with_map

# Apostrophes citizens type in names like Cư M’gar, Ea H'leo.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
# The units a lexicon entry and a message are compared by: words, and single punctuation marks.
_UNIT = re.compile(r"\w+|[^\w\s]")
_END = ""  # trie key marking the end of an entry (no unit is empty)


def fold_char(ch: str) -> str:
    """One character folded to exactly one character, so folded text keeps every offset."""
    folded = fold(ch).translate(_APOSTROPHES)
    return folded if len(folded) == 1 else ch


def fold_phrase(text: str) -> str:
    """A lexicon entry as it is compared: folded, apostrophes unified, single spaces."""
    return " ".join("".join(fold_char(ch) for ch in text).split())


@dataclass(frozen=True)
class Span:
    start: int  # in the original message
    end: int
    name: str  # the regex's name ("dossier_code"), "" for a lexicon match


class SpanGuard:
    """Finds the protected spans of a message; empty (no regex, no lexicon) protects nothing."""

    def __init__(
        self,
        regexes: Iterable[dict[str, str]] = (),
        lexicon: Iterable[str] = (),
        case_sensitive: bool = False,
    ) -> None:
        flags = 0 if case_sensitive else re.IGNORECASE  # as RegexEntityExtractor(case_sensitive=False)
        self.regexes = [(item["name"], re.compile(item["pattern"], flags)) for item in regexes]
        self.lexicon = sorted({phrase for entry in lexicon if len(phrase := fold_phrase(entry)) >= 2})
        self._trie: dict = {}
        for entry in self.lexicon:
            node = self._trie
            for unit in _UNIT.findall(entry):
                node = node.setdefault(unit, {})
            node[_END] = True

    def __bool__(self) -> bool:
        return bool(self.regexes or self.lexicon)

    def regex_spans(self, text: str) -> list[Span]:
        """Non-overlapping regex matches, longest first then leftmost, in order of position."""
        found = [
            Span(match.start(), match.end(), name)
            for name, pattern in self.regexes
            for match in pattern.finditer(text)
            if match.end() > match.start()
        ]
        kept: list[Span] = []
        for span in sorted(found, key=lambda s: (-(s.end - s.start), s.start)):
            if not any(span.start < other.end and other.start < span.end for other in kept):
                kept.append(span)
        return sorted(kept, key=lambda span: span.start)

    def lexicon_spans(self, text: str) -> list[Span]:
        """Every lexicon match, overlapping and nested ones included, in original coordinates."""
        if not self._trie:
            return []
        normalised, spans = normalise_with_map(text)
        folded = "".join(fold_char(ch) for ch in normalised)
        units = [(match.start(), match.end(), match.group()) for match in _UNIT.finditer(folded)]
        found = []
        for first, (start, _, _) in enumerate(units):
            node = self._trie
            for _, end, unit in units[first:]:
                node = node.get(unit)
                if node is None:
                    break
                if _END in node:
                    found.append(Span(spans[start][0], spans[end - 1][1], ""))
        return found

    def cuts(self, text: str) -> tuple[list[Span], set[int]]:
        """The regex spans, and every position where a token must start or end."""
        regex = self.regex_spans(text)
        cuts = {position for span in regex for position in (span.start, span.end)}
        for span in self.lexicon_spans(text):
            if not any(span.start < other.end and other.start < span.end for other in regex):
                cuts.update((span.start, span.end))
        return regex, cuts


@dataclass(frozen=True)
class GuardedPiece(Piece):
    regex: str = ""  # the regex's name when the piece is a whole regex match


def segment(text: str, word_tokenize: Callable[[str], list[str]], guard: SpanGuard) -> list[GuardedPiece]:
    """Tokens of `text` with offsets into it: one per regex match, underthesea's words between the
    cuts; no token crosses a cut."""
    regex, cuts = guard.cuts(text) if guard else ([], set())
    by_start = {span.start: span for span in regex}
    bounds = sorted(cuts | {0, len(text)})
    pieces: list[GuardedPiece] = []
    for start, end in itertools.pairwise(bounds):
        span = by_start.get(start)
        if span is not None and span.end == end:
            pieces.append(GuardedPiece(text[start:end], start, end, text[start:end], span.name))
        else:
            pieces.extend(_tokenize_region(text, start, end, word_tokenize))
    return pieces


def _tokenize_region(
    text: str, start: int, end: int, word_tokenize: Callable[[str], list[str]]
) -> list[GuardedPiece]:
    region = text[start:end]
    if not region.strip():
        return []
    normalised, _ = normalise_with_map(region)
    return [
        GuardedPiece(piece.text, piece.start + start, piece.end + start, piece.word)
        for piece in align(region, word_tokenize(normalised))
    ]
