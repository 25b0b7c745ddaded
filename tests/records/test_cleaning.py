"""Each cleaning rule on its own: what is accepted (and how it is normalised), what is refused and why."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from api.citizens import cccd as cccd_rules
from api.records import cleaning
from api.records.cleaning import Person, RegistryEntry, Rejection

BORN = date(1990, 5, 17)
NUMBER = cccd_rules.build("066", "female", BORN, 1234)


def code_of(call, *args, **kwargs) -> str:
    with pytest.raises(Rejection) as raised:
        call(*args, **kwargs)
    assert raised.value.message  # Vietnamese text for the official
    return raised.value.code


def test_names_are_nfc_with_single_spaces():
    decomposed = "Nguye\u0302\u0303n   Thi\u0323  Hoa "  # NFD, as some Mac exports write it
    assert cleaning.clean_name(decomposed) == "Nguyễn Thị Hoa"
    assert code_of(cleaning.clean_name, "  ") == "missing_field"
    assert code_of(cleaning.clean_name, "Hoa 2") == "invalid_value"


@pytest.mark.parametrize(
    "broken",
    [
        "Nguyá»…n Thá»‹ Hoa",  # UTF-8 read as Windows-1252
        "Nguy\ufffdn Th\ufffd Hoa",  # bytes that were not UTF-8 at all
        "Ho\x00a",
    ],
)
def test_broken_encodings_are_refused(broken):
    assert code_of(cleaning.clean_name, broken) == "broken_encoding"


@pytest.mark.parametrize(
    "genuine", ["Đặng Thị Ánh", "Hà Văn Tú", "Lê Thế Ước", "Y Moan Êban", "Nguyen Van An"]
)
def test_genuine_vietnamese_is_not_mistaken_for_mojibake(genuine):
    assert not cleaning.looks_mojibake(genuine)
    assert cleaning.clean_name(genuine) == genuine


def test_dates_are_parsed_strictly():
    assert cleaning.parse_date("1990-05-17", "d") == BORN
    assert cleaning.parse_date("17/05/1990", "d") == BORN
    for bad in (
        "1990-02-30",
        "31/04/2020",
        "5/3/90",
        "19900517",
        "17-05-1990",
        "2999-01-01",
        "1800-01-01",
        "hôm qua",
    ):
        assert code_of(cleaning.parse_date, bad, "d") == "bad_date", bad
    assert cleaning.parse_date("", "d", required=False) is None
    assert code_of(cleaning.parse_date, None, "d") == "missing_field"


def test_cccd_must_be_valid_and_agree_with_the_date_of_birth():
    assert cleaning.clean_cccd(NUMBER, BORN) == NUMBER
    assert code_of(cleaning.clean_cccd, "06619000123", BORN) == "invalid_cccd"  # 11 digits
    assert code_of(cleaning.clean_cccd, "003190001234", BORN) == "invalid_cccd"  # no province 003
    assert code_of(cleaning.clean_cccd, NUMBER, date(1991, 5, 17)) == "cccd_birth_mismatch"
    assert code_of(cleaning.clean_cccd, NUMBER, date(2090, 5, 17)) == "cccd_birth_mismatch"  # century digit


def test_people_are_matched_to_the_registry_by_cccd_then_birth_date_and_name():
    citizen_id = uuid.uuid4()
    registry = {NUMBER: RegistryEntry(citizen_id, "Nguyễn Thị Hoa", BORN)}
    assert cleaning.match_person(Person(NUMBER, "NGUYEN THI HOA", BORN), registry) == citizen_id
    assert cleaning.match_person(Person(NUMBER, "nguyễn  thị hoa", BORN), registry) == citizen_id
    with pytest.raises(Rejection) as mismatch:
        cleaning.match_person(Person(NUMBER, "Nguyễn Thị Hòa Bình", BORN, "owners.1."), registry)
    assert (mismatch.value.code, mismatch.value.field) == ("name_mismatch", "owners.1.full_name")
    assert (
        code_of(cleaning.match_person, Person(NUMBER, "Nguyễn Thị Hoa", date(1990, 5, 18)), registry)
        == "birth_date_mismatch"
    )
    other = cccd_rules.build("066", "female", BORN, 999)
    assert (
        code_of(cleaning.match_person, Person(other, "Nguyễn Thị Hoa", BORN), registry) == "citizen_not_found"
    )
    # The report never carries a whole CCCD.
    with pytest.raises(Rejection) as unknown:
        cleaning.match_person(Person(other, "Nguyễn Thị Hoa", BORN), registry)
    assert other not in unknown.value.message


def test_wards_must_be_in_the_post_2025_catalogue():
    assert cleaning.clean_ward("24133") == "24133"
    assert code_of(cleaning.clean_ward, "99999") == "unknown_ward"
    assert code_of(cleaning.clean_ward, "Buôn Ma Thuột") == "unknown_ward"


def test_areas_take_the_vietnamese_decimal_comma():
    assert cleaning.parse_decimal("120,5", "area_m2", places=1) == Decimal("120.5")
    assert cleaning.parse_decimal(80, "area_m2", places=1) == Decimal("80.0")
    for bad in ("-3", "0", "abc", "12.25", "NaN"):
        assert code_of(cleaning.parse_decimal, bad, "area_m2", places=1) == "invalid_value", bad


def _land(**overrides) -> dict:
    row = {
        "source_id": "gcn-1",
        "certificate_number": "CS 00001",
        "parcel_number": "101",
        "map_sheet": "12",
        "area_m2": "120.5",
        "land_use_purpose": "Đất ở tại đô thị",
        "address": "45 Y Wang",
        "ward_code": "24133",
        "status": "Đang thế chấp",
        "issued_on": "20/03/2015",
        "owners": [{"cccd": NUMBER, "full_name": "Nguyễn Thị Hoa", "date_of_birth": "1990-05-17"}],
    }
    row.update(overrides)
    return row


def test_a_land_row_is_cleaned_whole_and_its_digest_follows_its_content():
    clean = cleaning.clean_row("land", _land())
    assert clean.values["status"] == "mortgaged"
    assert clean.values["issued_on"] == date(2015, 3, 20)
    assert [p.cccd for p in clean.people] == [NUMBER]
    assert clean.digest() == cleaning.clean_row("land", _land()).digest()
    assert clean.digest() != cleaning.clean_row("land", _land(area_m2="120.6")).digest()
    assert code_of(cleaning.clean_row, "land", _land(owners=[])) == "missing_field"
    assert code_of(cleaning.clean_row, "land", _land(status="bán rồi")) == "invalid_value"
    assert code_of(cleaning.clean_row, "land", _land(extra="x")) == "unknown_field"
    assert code_of(cleaning.clean_row, "land", ["not", "an", "object"]) == "bad_line"


def test_health_and_labour_rows_by_kind():
    base = {"source_id": "s-1", "cccd": NUMBER, "full_name": "Nguyễn Thị Hoa", "date_of_birth": "1990-05-17"}
    visit = cleaning.clean_row(
        "health",
        {
            **base,
            "kind": "visit",
            "on": "2025-06-02",
            "facility": "BV",
            "description": "Viêm họng",
            "icd10_code": "j02.9",
        },
    )
    assert visit.values["icd10_code"] == "J02.9"
    assert (
        code_of(
            cleaning.clean_row,
            "health",
            {
                **base,
                "kind": "visit",
                "on": "2025-06-02",
                "facility": "BV",
                "description": "x",
                "icd10_code": "viem",
            },
        )
        == "invalid_value"
    )
    assert code_of(cleaning.clean_row, "health", {**base, "kind": "xray"}) == "invalid_value"
    card = {
        **base,
        "kind": "insurance_card",
        "card_number": "GD4660123456789",
        "valid_from": "2025-01-01",
        "valid_to": "2024-12-31",
        "facility": "TYT",
    }
    assert code_of(cleaning.clean_row, "health", card) == "invalid_value"
    labour = {
        **base,
        "social_insurance_number": "6621234567",
        "employer": "Công ty A",
        "started_on": "2020-01-01",
        "contribution_months": "12",
    }
    assert cleaning.clean_row("labour", labour).values["ended_on"] is None
    assert code_of(cleaning.clean_row, "labour", {**labour, "ended_on": "2019-01-01"}) == "invalid_value"
    assert (
        code_of(cleaning.clean_row, "labour", {**labour, "social_insurance_number": "12"}) == "invalid_value"
    )
