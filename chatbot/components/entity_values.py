"""Canonical values of the code-like entities (CHATBOT.md), free of Rasa so they can be tested alone.

- `normalise_plate`: a Vietnamese licence plate however it was typed ("47a12345", "47A 123 45",
  "47A-123.45", "47-B1 12345") as the app stores it: `47A-123.45`, `47B1-123.45`, old 4-digit
  `47L-1234`; None when it is not a plate.
- `normalise_dossier_code`: the project's dossier code `66.24133-261122-0007` (province . ward
  - YYMMDD - sequence) without the spaces citizens put around the separators; None when invalid.
- `normalise_cccd`: a 12-digit citizen ID whose first three digits are the code of a real
  province and whose century/birth-year digits are possible; None otherwise.

Each returns None rather than guessing: an entity the bot cannot use is dropped.
"""

from __future__ import annotations

import datetime as dt
import re

# Province codes of the citizen ID number: the 63 provinces before the July 2025 merger (numbers
# already issued keep them for life). The same list as api/citizens/cccd.py, which the chatbot's
# environment cannot import; tests/test_vietnamese_entity_values.py checks they stay equal.
CCCD_PROVINCE_CODES = frozenset(
    f"{code:03d}"
    for code in (
        1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36,
        37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74,
        75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
    )
)  # fmt: skip

_PLATE = re.compile(r"(\d{2})([A-Z]{1,2})(\d{4,6})")
# The series ends with a digit when the citizen separated it from the number: "47B1 2345".
_SERIES_DIGIT_TYPED = re.compile(r"\d{2}\W*[A-Za-z]{1,2}\d[\s.\-]")
_DOSSIER_GROUPS = (2, 5, 6)  # then a sequence of 4 to 6 digits


def normalise_plate(text: str) -> str | None:
    """`47A-123.45`, `47B1-123.45`, `47LD-123.45` or old `47L-1234`; None if not a plate.

    Typed without separators, a letter followed by five digits is read as the modern
    1-letter series with a 5-digit number ("47a12345" → 47A-123.45), six digits as a
    letter+digit series ("47b155566" → 47B1-555.66).
    """
    compact = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    match = _PLATE.fullmatch(compact)
    if not match:
        return None
    province, series, digits = match.groups()
    if not 11 <= int(province) <= 99:
        return None
    if len(digits) == 6 or (len(digits) == 5 and _SERIES_DIGIT_TYPED.match(text.strip())):
        series, digits = series + digits[0], digits[1:]
    if len(digits) == 5:
        return f"{province}{series}-{digits[:3]}.{digits[3:]}"
    if len(digits) == 4:
        return f"{province}{series}-{digits}"
    return None


def normalise_dossier_code(text: str) -> str | None:
    """`66.24133-261122-0007` from "66.24133 - 261122 - 0007" (or any separators); None if invalid."""
    groups = re.findall(r"\d+", text)
    if len(groups) != 4 or re.search(r"[^\d\s.\-/_,]", text):
        return None
    if tuple(len(group) for group in groups[:3]) != _DOSSIER_GROUPS or not 4 <= len(groups[3]) <= 6:
        return None
    try:
        dt.datetime.strptime(groups[2], "%y%m%d")  # the day the dossier was received
    except ValueError:
        return None
    return f"{groups[0]}.{groups[1]}-{groups[2]}-{groups[3]}"


def normalise_cccd(text: str, today: dt.date | None = None) -> str | None:
    """The 12 digits of a valid citizen ID, spaces and dots removed; None if it cannot be one.

    Digits 1-3: province code; digit 4: sex and century (0/1 born 1900-1999, 2/3 born 2000-2099;
    later centuries are not born yet); digits 5-6: the last two digits of the birth year.
    """
    if re.search(r"[^\d\s.\-]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) != 12 or digits[:3] not in CCCD_PROVINCE_CODES:
        return None
    century = int(digits[3])
    if century > 3:
        return None
    year = (1900 if century < 2 else 2000) + int(digits[4:6])
    if year > (today or dt.date.today()).year:
        return None
    return digits


NORMALISERS = {
    "license_plate": normalise_plate,
    "dossier_code": normalise_dossier_code,
    "cccd": normalise_cccd,
}


def combine(entities: list[dict], text: str, authority: str = "RegexEntityExtractor") -> list[dict]:
    """The one list of entities the bot acts on, from every extractor's output.

    - dossier_code, license_plate and cccd get their canonical value from the text they cover;
      one that is not valid (a partial code, an impossible CCCD) is dropped;
    - entities never overlap: for those three types the regex extractor (`authority`) wins,
      otherwise the longer span wins; duplicates (the same span found twice) collapse.

    Returns new dicts, sorted by position; `changed` is set on those whose value was rewritten.
    """
    candidates = []
    for entity in entities:
        entity = dict(entity)
        normalise = NORMALISERS.get(entity.get("entity"))
        if normalise is not None:
            covered = text[entity["start"] : entity["end"]] if "start" in entity else str(entity.get("value"))
            value = normalise(covered)
            if value is None:
                continue
            if value != entity.get("value"):
                entity["value"], entity["changed"] = value, True
        candidates.append(entity)

    def priority(entity: dict) -> tuple:
        authoritative = entity.get("entity") in NORMALISERS and entity.get("extractor") == authority
        return (0 if authoritative else 1, -(entity["end"] - entity["start"]), entity["start"])

    kept: list[dict] = [entity for entity in candidates if "start" not in entity]
    for entity in sorted((e for e in candidates if "start" in e), key=priority):
        if not any(
            "start" in other and entity["start"] < other["end"] and other["start"] < entity["end"]
            for other in kept
        ):
            kept.append(entity)
    return sorted(kept, key=lambda entity: entity.get("start", -1))
