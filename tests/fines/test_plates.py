"""Plates typed any way a citizen types them come out in one canonical form; anything else is refused."""

from __future__ import annotations

import pytest

from api.fines import plates


@pytest.mark.parametrize(
    ("typed", "canonical", "key"),
    [
        ("47A-123.45", "47A-123.45", "47A12345"),
        ("47a12345", "47A-123.45", "47A12345"),
        ("47A 123 45", "47A-123.45", "47A12345"),
        ("47a-123.45", "47A-123.45", "47A12345"),
        ("47a.123.45", "47A-123.45", "47A12345"),
        ("  47 a 123.45  ", "47A-123.45", "47A12345"),
        ("47–A 123·45", "47A-123.45", "47A12345"),  # en dash and middle dot from phone keyboards
        ("47A_12345", "47A-123.45", "47A12345"),
        ("47 A1 12345", "47A1-123.45", "47A112345"),
        ("47B1-123.45", "47B1-123.45", "47B112345"),
        ("47b1 12345", "47B1-123.45", "47B112345"),
        ("59x3-123.45", "59X3-123.45", "59X312345"),
        ("59-X3 123.45", "59X3-123.45", "59X312345"),
        ("47A-1234", "47A-1234", "47A1234"),
        ("47a1234", "47A-1234", "47A1234"),
        ("29LD-123.45", "29LD-123.45", "29LD12345"),
        ("29ld12345", "29LD-123.45", "29LD12345"),
        ("11A-000.01", "11A-000.01", "11A00001"),
        ("99H-999.99", "99H-999.99", "99H99999"),
    ],
)
def test_usual_typings_give_the_canonical_plate(typed, canonical, key):
    plate = plates.parse(typed)
    assert plate.canonical == canonical
    assert plate.key == key
    assert plates.normalise(typed) == canonical
    assert plates.compact_key(typed) == key


def test_the_series_tells_cars_from_motorbikes():
    assert plates.parse("47A-123.45").kind == "car"
    assert plates.parse("47B1-123.45").kind == "motorbike"
    assert plates.parse("29LD-123.45").kind is None  # two letters: cars and newer motorbike series


def test_a_separator_after_the_series_decides_between_the_two_readings():
    """`47B11234` is a car 47B-112.34 or an old motorbike 47B1-1234: the spacing tells."""
    assert plates.normalise("47B1 1234") == "47B1-1234"
    assert plates.normalise("47B1-1234") == "47B1-1234"
    assert plates.normalise("47B 11234") == "47B-112.34"
    assert plates.normalise("47B-112.34") == "47B-112.34"
    assert plates.normalise("47b11234") == "47B-112.34"  # no hint: the modern 5-digit number
    # Both readings share one lookup key, so a compact search finds either.
    assert plates.compact_key("47B1-1234") == plates.compact_key("47B-112.34") == "47B11234"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Hãy nhập biển số"),
        ("   ", "Hãy nhập biển số"),
        (None, "Hãy nhập biển số"),
        ("47", "không đúng dạng"),
        ("4712345", "không đúng dạng"),
        ("A47-123.45", "không đúng dạng"),
        ("47-123.45", "không đúng dạng"),
        ("47A-123", "không đúng dạng"),
        ("47A-12", "không đúng dạng"),
        ("47A-1234567", "không đúng dạng"),
        ("47A-123456", "không đúng dạng"),  # a separator after the letter: 6 digits is too many
        ("47ABC12345", "không đúng dạng"),
        ("47A1B-12345", "không đúng dạng"),
        ("47A-12O.45", "không đúng dạng"),  # letter O typed for zero inside the number
        ("10A-123.45", "Mã tỉnh '10'"),
        ("00A12345", "Mã tỉnh '00'"),
        ("47I-123.45", "không dùng các chữ"),
        ("47O12345", "không dùng các chữ"),
        ("47Q-123.45", "không dùng các chữ"),
        ("47W1-123.45", "không dùng các chữ"),
        ("47A-000.00", "toàn chữ số 0"),
        ("47A@12345", "ký tự không hợp lệ"),
        ("47A/123.45", "ký tự không hợp lệ"),
        ("47Đ-123.45", "ký tự không hợp lệ"),
        ("４7A12345", "ký tự không hợp lệ"),  # full-width digit
        ("47A-123.45;--", "ký tự không hợp lệ"),
        ("47A-123.45; DROP TABLE", "quá dài"),
        ("47A" + "1" * 40, "quá dài"),
    ],
)
def test_malformed_plates_are_refused_with_a_vietnamese_reason(typed, says):
    with pytest.raises(plates.InvalidPlate) as refused:
        plates.parse(typed)
    assert isinstance(refused.value, ValueError)
    assert says in str(refused.value)


def test_the_message_shows_the_expected_form():
    with pytest.raises(plates.InvalidPlate, match=r"47A-123\.45"):
        plates.parse("47-A")
