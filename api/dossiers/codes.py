"""Dossier codes: unique, readable over the phone, and telling where and when a dossier began.

    66.24133-261122-0007
    │  │     │      └── sequence of that authority on that day (4 digits, more past 9999)
    │  │     └───────── date of submission in Vietnam, YYMMDD
    │  └─────────────── ward of the receiving authority; 00000 for a province department
    └────────────────── province code (after the 2025 reform)

The shape follows the national portal's "H66.xx-YYMMDD-NNNN" habit. Sequences come from a
counter per authority and day (api/sequences.py), incremented in the submitting transaction, so two
simultaneous submissions never get one code.
"""

from __future__ import annotations

import re
from datetime import date

from api.sequences import next_sequence

CODE_PATTERN = re.compile(r"^\d{2}\.\d{5}-\d{6}-\d{4,6}$")
PROVINCE_LEVEL_WARD = "00000"


def normalise(code: str) -> str:
    """Citizens read codes aloud and type them back with spaces or lower case."""
    return "".join((code or "").split()).upper()


def is_well_formed(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))


def new_code(province_code: str, ward_code: str | None, day: date) -> str:
    prefix = f"{province_code}.{ward_code or PROVINCE_LEVEL_WARD}-{day:%y%m%d}"
    return f"{prefix}-{next_sequence(prefix):04d}"
