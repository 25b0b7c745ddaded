"""CCCD numbers: 12 digits, a pre-2025 province code, a sex/century digit matching the holder."""

from __future__ import annotations

from datetime import date

import pytest

from api.citizens import cccd


def test_valid_number_is_decoded():
    info = cccd.validate("066190012345", date_of_birth=date(1990, 5, 17), sex="female")
    assert info.province_code == "066"
    assert info.province_name == "Đắk Lắk"
    assert info.sex == "female"
    assert info.birth_year == 1990


@pytest.mark.parametrize(
    ("number", "sex", "year"),
    [
        ("001085000001", "male", 1985),
        ("001185000001", "female", 1985),
        ("079205000001", "male", 2005),
        ("079305000001", "female", 2005),
        ("096400000001", "male", 2100),
        ("096500000001", "female", 2100),
    ],
)
def test_sex_and_century_digit(number, sex, year):
    info = cccd.parse(number)
    assert (info.sex, info.birth_year) == (sex, year)


def test_spaces_are_tolerated():
    assert cccd.parse(" 066 190 012 345 ").number == "066190012345"


@pytest.mark.parametrize("number", ["06619001234", "0661900123456", "", "06619001234a", "066-190-012-345"])
def test_wrong_length_or_non_digits(number):
    with pytest.raises(cccd.InvalidCCCD, match="12 chữ số"):
        cccd.parse(number)


@pytest.mark.parametrize("province", ["003", "000", "097", "099"])
def test_unknown_province_code(province):
    with pytest.raises(cccd.InvalidCCCD, match=f"'{province}' không tồn tại"):
        cccd.parse(f"{province}190012345")


def test_century_digit_must_agree_with_the_birth_year():
    # Digit 2 says born 2000-2099; the holder was born in 1990.
    with pytest.raises(cccd.InvalidCCCD, match="năm sinh 2090"):
        cccd.validate("066290012345", date_of_birth=date(1990, 5, 17))
    # Right century, wrong year.
    with pytest.raises(cccd.InvalidCCCD, match="17/05/1991"):
        cccd.validate("066190012345", date_of_birth=date(1991, 5, 17))


def test_sex_digit_must_agree_with_the_declared_sex():
    with pytest.raises(cccd.InvalidCCCD, match="giới tính"):
        cccd.validate("066190012345", date_of_birth=date(1990, 5, 17), sex="male")


@pytest.mark.parametrize(
    ("province", "sex", "born", "sequence"),
    [
        ("066", "female", date(1990, 5, 17), 12345),
        ("001", "male", date(1999, 12, 31), 1),
        ("096", "female", date(2000, 1, 1), 999999),
        ("054", "male", date(2012, 7, 1), 42),
    ],
)
def test_build_round_trips_through_validate(province, sex, born, sequence):
    number = cccd.build(province, sex, born, sequence)
    assert len(number) == 12
    info = cccd.validate(number, date_of_birth=born, sex=sex)
    assert (info.province_code, info.sex, info.birth_year) == (province, sex, born.year)
    assert number.endswith(f"{sequence:06d}")


def test_every_province_code_is_three_digits_and_there_are_63():
    assert len(cccd.PROVINCE_CODES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in cccd.PROVINCE_CODES)
