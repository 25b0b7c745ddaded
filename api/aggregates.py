"""SQL aggregates every domain's reporting (`figures.py`) shares, the same on SQLite and PostgreSQL.

Each domain counts its own tables for the leaders' dashboard; what differs between the two
engines (dates in Vietnam time, durations, medians) is written once here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Select, cast, extract, func, select
from sqlalchemy.sql.elements import ColumnElement

from api.extensions import db

VIETNAM_OFFSET = "+7 hours"  # Vietnam keeps UTC+7 all year (no daylight saving time)


def local_day(column) -> ColumnElement:
    """The Vietnam calendar date of a UTC timestamp column, computed in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Asia/Ho_Chi_Minh", column), Date)
    # SQLite keeps UTC timestamps as ISO text; date() shifts and cuts them to 'YYYY-MM-DD',
    # which compares with a stored Date (also ISO text) as dates do.
    return func.date(column, VIETNAM_OFFSET)


def as_date(value: Any) -> date:
    """A day from SQL: a date on PostgreSQL, 'YYYY-MM-DD' text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def seconds_between(start, end) -> ColumnElement:
    """`end - start` in seconds, computed in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def median(durations: Select) -> float | None:
    """The median of a one-column select of numbers (NULLs left out), or None when it has none.

    Counts them, then reads only the middle one (odd count) or two (even count) in sorted order:
    the same SQL everywhere, and nothing but two numbers leaves the database.
    """
    values = durations.subquery()
    value = values.c[0]
    count = db.session.scalar(select(func.count()).select_from(values).where(value.is_not(None))) or 0
    if not count:
        return None
    middle = db.session.scalars(
        select(value)
        .where(value.is_not(None))
        .order_by(value)
        .offset((count - 1) // 2)
        .limit(1 if count % 2 else 2)
    ).all()
    return sum(float(v) for v in middle) / len(middle)
