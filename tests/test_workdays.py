"""The working-day calendar deadlines are counted in, around weekends and Tết."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from api.workdays import add_working_days, is_working_day, local_date, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2027, 2, 3), True),  # Wednesday before Tết Đinh Mùi
        (date(2027, 2, 4), False),  # 29 Tết
        (date(2027, 2, 6), False),  # mùng 1 Tết, a Saturday
        (date(2027, 2, 10), False),  # mùng 5, the last day off
        (date(2027, 2, 11), True),  # back to work
        (date(2026, 9, 2), False),  # National Day
        (date(2026, 11, 24), False),  # Vietnam Cultural Day, a public holiday from 2026
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 23), True),
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


def test_a_deadline_crossing_tet_skips_the_whole_holiday():
    # Received on Wednesday 3 Feb 2027; three working days later is Monday 15 Feb.
    assert add_working_days(date(2027, 2, 3), 3) == date(2027, 2, 15)


def test_receipt_day_does_not_count_and_weekends_are_skipped():
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday -> Monday
    assert add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)  # Monday -> Wednesday (24th off)


def test_zero_days_is_the_same_working_day_or_the_next():
    assert add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    assert add_working_days(date(2027, 2, 6), 0) == date(2027, 2, 11)


def test_working_days_between_mirrors_adding():
    start = date(2027, 1, 28)
    for days in (1, 5, 12):
        assert working_days_between(start, add_working_days(start, days)) == days
    assert working_days_between(start, start) == 0


def test_local_date_is_vietnam_time():
    # 18:30 UTC on 22 Nov is already 23 Nov in Hà Nội.
    assert local_date(datetime(2026, 11, 22, 18, 30, tzinfo=UTC)) == date(2026, 11, 23)


def test_negative_days_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)
