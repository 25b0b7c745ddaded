"""The violation catalogue: sane ranges, references to the right article of Nghị định 168/2024/NĐ-CP."""

from __future__ import annotations

import itertools
import re

import pytest

from api.fines.violations import CAR, CATALOGUE, MOTORBIKE, VIOLATIONS, get_violation
from api.text import format_vnd

REFERENCE = re.compile(r"^(Điểm [a-zđ] khoản \d{1,2}|Khoản \d{1,2}) Điều \d{1,2} Nghị định 168/2024/NĐ-CP$")


def test_codes_are_unique_and_cover_both_kinds_of_vehicle():
    assert len(VIOLATIONS) == len(CATALOGUE) >= 10
    assert {v.vehicle_kind for v in CATALOGUE} == {CAR, MOTORBIKE}
    assert all(re.fullmatch(r"[a-z0-9-]+", v.code) for v in CATALOGUE)


@pytest.mark.parametrize("violation", CATALOGUE, ids=lambda v: v.code)
def test_every_entry_has_a_sane_range_and_reference(violation):
    assert 0 < violation.min_vnd < violation.max_vnd
    assert violation.min_vnd % 100_000 == 0 and violation.max_vnd % 100_000 == 0
    assert REFERENCE.match(violation.legal_reference), violation.legal_reference
    # Điều 6 is about cars, Điều 7 about motorbikes.
    assert violation.article == (6 if violation.vehicle_kind == CAR else 7)
    assert violation.allows(violation.min_vnd) and violation.allows(violation.max_vnd)
    assert not violation.allows(violation.min_vnd - 1) and not violation.allows(violation.max_vnd + 1)
    assert violation.description[0].isupper()


def test_well_known_fines_read_as_the_decree_says():
    red_light_car = get_violation("oto-vuot-den-do")
    assert (red_light_car.min_vnd, red_light_car.max_vnd) == (18_000_000, 20_000_000)
    assert red_light_car.legal_reference == "Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP"
    assert red_light_car.licence_points == 4
    red_light_bike = get_violation("xe-may-vuot-den-do")
    assert (red_light_bike.min_vnd, red_light_bike.max_vnd) == (4_000_000, 6_000_000)
    assert red_light_bike.legal_reference == "Điểm c khoản 7 Điều 7 Nghị định 168/2024/NĐ-CP"
    helmet = get_violation("xe-may-khong-doi-mu-bao-hiem")
    assert (helmet.min_vnd, helmet.max_vnd, helmet.licence_points) == (400_000, 600_000, None)
    assert "Tước quyền sử dụng giấy phép lái xe" in get_violation("oto-nong-do-con-muc-3").additional_penalty


def test_speeding_bands_get_dearer_as_the_speed_rises():
    for kind, codes in {
        CAR: [
            "oto-qua-toc-do-5-10",
            "oto-qua-toc-do-10-20",
            "oto-qua-toc-do-20-35",
            "oto-qua-toc-do-tren-35",
        ],
        MOTORBIKE: ["xe-may-qua-toc-do-5-10", "xe-may-qua-toc-do-10-20", "xe-may-qua-toc-do-tren-20"],
    }.items():
        bands = [get_violation(code) for code in codes]
        assert all(band.vehicle_kind == kind for band in bands)
        assert all(lower.max_vnd <= higher.min_vnd for lower, higher in itertools.pairwise(bands))


def test_lookup_ignores_case_and_spaces():
    assert get_violation(" OTO-VUOT-DEN-DO ") is VIOLATIONS["oto-vuot-den-do"]
    assert get_violation("khong-co") is None
    assert get_violation(None) is None


def test_amounts_are_written_the_vietnamese_way():
    assert format_vnd(18_000_000) == "18.000.000 đồng"


def test_the_catalogue_is_public(client):
    response = client.get("/fines/violations")
    assert response.status_code == 200
    by_code = {entry["code"]: entry for entry in response.json}
    assert by_code["oto-vuot-den-do"]["legal_reference"].startswith("Điểm b khoản 9 Điều 6")
    assert by_code["oto-vuot-den-do"]["min_vnd"] == 18_000_000
