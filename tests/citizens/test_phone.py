"""Vietnamese mobile numbers are accepted as people type them and stored as 0 + 9 digits."""

from __future__ import annotations

import pytest

from api.citizens.phone import InvalidPhone, mask, normalise_mobile


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "0084912345678",
        "+84 (0) 912 345 678",
    ],
)
def test_accepted_forms_are_normalised(typed):
    assert normalise_mobile(typed) == "0912345678"


@pytest.mark.parametrize(
    "typed",
    ["091234567", "09123456789", "0212345678", "02623812345", "1912345678", "+1 912 345 678", "abc", ""],
)
def test_rejected_numbers(typed):
    with pytest.raises(InvalidPhone, match="di động"):
        normalise_mobile(typed)


def test_mask_keeps_only_the_ends():
    assert mask("0912345678") == "091****678"
    assert mask(None) is None
