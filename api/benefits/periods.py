"""Benefit periods: the month a payment is for ("2025-11"), and how far ahead one may be prepared."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.dbtypes import utcnow
from api.errors import ApiError
from api.workdays import local_date

# amounts are not known yet.
MONTHS_AHEAD = 1
EARLIEST_YEAR = 2000
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def plus(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)


def current_period(now: datetime | None = None) -> Period:
    """The month it is in Vietnam."""
    return Period.of(local_date(now or utcnow()))


def parse_period(text: Any, *, now: datetime | None = None, field_name: str = "period") -> Period:
    """`"2025-11"` as a Period; 422 for anything else, or a month too far ahead to schedule."""
    match = _PERIOD.match(text) if isinstance(text, str) else None
    month = int(match.group(2)) if match else 0
    if not match or not 1 <= month <= 12 or int(match.group(1)) < EARLIEST_YEAR:
        raise ApiError(
            422,
            "invalid_period",
            "Kỳ chi trả phải có dạng YYYY-MM, ví dụ 2025-11.",
            errors={field_name: ["Kỳ chi trả không hợp lệ (YYYY-MM)."]},
        )
    period = Period(int(match.group(1)), month)
    latest = current_period(now).plus(MONTHS_AHEAD)
    if period > latest:
        raise ApiError(
            422,
            "period_too_far",
            f"Chỉ lập và chi trả được đến kỳ {latest.label}; kỳ {period.label} còn quá xa.",
            errors={field_name: [f"Muộn nhất là {latest}."]},
        )
    return period
