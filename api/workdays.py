"""Vietnamese working days: the calendar every legal deadline is counted in.

Public-service deadlines ("trả kết quả trong 3 ngày làm việc") skip Saturdays, Sundays and the
public holidays of the Labour Code, Tết included; `holidays.VN` knows them, lunar dates and
observed days too. Dates are calendar dates in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.VN(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def local_date(moment: datetime) -> date:
    """The date in Vietnam of an aware moment (a dossier submitted at 23:30 UTC is next day here)."""
    return moment.astimezone(VIETNAM).date()


def moments_of(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments of the Vietnamese calendar days `first` to `last` inclusive, as [start, end):
    what a "from … to …" date filter means to someone in Vietnam, whatever the server's zone."""
    start = datetime.combine(first, time.min, tzinfo=VIETNAM)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=VIETNAM)
    return start, end


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start`, not counting `start` itself.

    The day of receipt does not count: a 3-day procedure received on Friday is due on
    Wednesday. With days=0 the answer is `start` when it is a working day, else the next one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    if days == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
