"""Gap-free counters for human numbers: dossier codes, receipt numbers.

A counter is a row per prefix ("66.24133-261122" for one authority's day of dossiers,
"BL-2026" for a year of receipts), incremented with `UPDATE … RETURNING` inside the caller's
transaction. The row lock makes two simultaneous callers wait for each other, so they never
get the same number, and a rolled-back transaction gives its number back.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from api.extensions import db


class SequenceCounter(db.Model):
    """The last number used under one prefix."""

    __tablename__ = "sequence_counters"

    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


def next_sequence(prefix: str) -> int:
    """The next number under `prefix` (1 for a new prefix), in the current transaction."""
    bump = (
        update(SequenceCounter)
        .where(SequenceCounter.prefix == prefix)
        .values(last=SequenceCounter.last + 1)
        .returning(SequenceCounter.last)
    )
    value = db.session.execute(bump).scalar()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.execute(insert(SequenceCounter).values(prefix=prefix, last=1))
        return 1
    except IntegrityError:  # another transaction created the counter first
        return db.session.execute(bump).scalar_one()
