"""Canonical plates, dossier codes and CCCD numbers; one list of entities for the bot."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.entity_normaliser import EntityNormaliser
from components.entity_values import (
    CCCD_PROVINCE_CODES,
    combine,
    normalise_cccd,
    normalise_dossier_code,
    normalise_plate,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("47A-123.45", "47A-123.45"),
        ("47a12345", "47A-123.45"),
        ("47A 123 45", "47A-123.45"),
        ("47A-123.45", "47A-123.45"),
        ("47a-99988", "47A-999.88"),
        ("47 C 246 80", "47C-246.80"),
        ("47-B1 12345", "47B1-123.45"),
        ("47B1-123.45", "47B1-123.45"),
        ("47b1 55566", "47B1-555.66"),
        ("47E1 234.56", "47E1-234.56"),
        ("47 G1 135 79", "47G1-135.79"),
        ("47K1-024.68", "47K1-024.68"),
        ("47LD-123.45", "47LD-123.45"),
        ("47L-1234", "47L-1234"),
        ("47l1234", "47L-1234"),
        ("47B1 2345", "47B1-2345"),  # old motorbike plate: the series digit was typed apart
    ],
)
def test_plates_are_normalised(typed, expected):
    assert normalise_plate(typed) == expected


@pytest.mark.parametrize(
    "typed", ["47A-12", "4A-123.45", "47-123.45", "05A-123.45", "47ABC-123.45", "47A-1234567"]
)
def test_what_is_not_a_plate_is_refused(typed):
    assert normalise_plate(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("66.24133-261122-0007", "66.24133-261122-0007"),
        ("66.24121 - 261118 - 0003", "66.24121-261118-0003"),
        ("66 . 00000 -261112- 0077", "66.00000-261112-0077"),
        ("66.24133-261122-000123", "66.24133-261122-000123"),
    ],
)
def test_dossier_codes_lose_the_spaces_around_separators(typed, expected):
    assert normalise_dossier_code(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "66.24133-261122",
        "66.2413-261122-0007",
        "66.24133-261322-0007",
        "66.24133-261122-007",
        "66.24133-26112a-0007",
    ],
)
def test_invalid_dossier_codes_are_refused(typed):
    assert normalise_dossier_code(typed) is None


TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    "typed", ["066190012345", "054085001234", "066201003456", "001 099 000 001", "096326000001"]
)
def test_valid_cccd(typed):
    assert normalise_cccd(typed, today=TODAY) == typed.replace(" ", "")


@pytest.mark.parametrize(
    "typed",
    [
        "06619001234",  # 11 digits
        "0661900123456",  # 13 digits
        "003190012345",  # 003 is no province code
        "099190012345",  # nor 099
        "066490012345",  # born in the 22nd century
        "066230012345",  # born in 2030
        "06619001234a",
    ],
)
def test_invalid_cccd_is_refused(typed):
    assert normalise_cccd(typed, today=TODAY) is None


def test_cccd_province_codes_are_the_63_provinces_of_the_api():
    assert len(CCCD_PROVINCE_CODES) == 63
    assert {"001", "066", "054", "079", "096"} <= CCCD_PROVINCE_CODES
    api = Path(__file__).resolve().parents[2] / "api" / "citizens" / "cccd.py"
    if api.exists():  # the API's own list, read as text: its package does not import here
        assert set(re.findall(r'"(\d{3})": "', api.read_text(encoding="utf-8"))) == CCCD_PROVINCE_CODES


def entity(kind, start, end, value, extractor="DIETClassifier", **extra):
    return {"entity": kind, "start": start, "end": end, "value": value, "extractor": extractor, **extra}


def test_combine_prefers_the_regex_code_over_diets_half_code():
    text = "ho so 66.24133 - 261122 - 0007 toi dau roi"
    diet = entity("dossier_code", 6, 14, "66.24133")  # DIET cut it at the first separator
    regex = entity("dossier_code", 6, 30, text[6:30], extractor="RegexEntityExtractor")
    [only] = combine([diet, regex], text)
    assert only["extractor"] == "RegexEntityExtractor"
    assert only["value"] == "66.24133-261122-0007"


def test_combine_drops_duplicates_invalid_values_and_overlaps():
    text = "xe 47a12345 cua cccd 003190012345 o Tan An"
    entities = [
        entity("license_plate", 3, 11, "47a12345"),
        entity("license_plate", 3, 11, "47a12345", extractor="RegexEntityExtractor"),
        entity("ward", 3, 6, "47a"),  # DIET's stray label inside the plate
        entity("cccd", 21, 33, "003190012345", extractor="RegexEntityExtractor"),  # no province 003
        entity("ward", 36, 42, "Tân An", processors=["EntitySynonymMapper"]),
    ]
    combined = combine(entities, text)
    assert [(e["entity"], e["value"]) for e in combined] == [
        ("license_plate", "47A-123.45"),
        ("ward", "Tân An"),
    ]
    assert combined[0]["extractor"] == "RegexEntityExtractor"


def test_normaliser_component_labels_the_combined_output():
    text = "xe 47A 123 45 co bi phat nguoi khong"
    message = Message(
        data={
            TEXT: text,
            ENTITIES: [
                entity("license_plate", 3, 13, "47A 123 45", extractor="RegexEntityExtractor"),
                entity("license_plate", 3, 6, "47A"),
            ],
        }
    )
    [processed] = EntityNormaliser(EntityNormaliser.get_default_config()).process([message])
    [plate] = processed.get(ENTITIES)
    assert plate["value"] == "47A-123.45"
    assert plate["extractor"] == "EntityNormaliser"
    assert plate["source_extractor"] == "RegexEntityExtractor"
    assert plate["processors"] == ["EntityNormaliser"]
