"""Compare-and-set writes: change a row only while it is still as the caller last read it.

Two officers settling one payment, a suspension racing the month's payment run, a notice paid
while it is being cancelled: the loser must learn it lost instead of overwriting the winner. A
single conditional UPDATE is that check, made by the database at the moment of the write.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, update

from api.extensions import db


def compare_and_set(row: Any, *still: ColumnElement[bool], **values: Any) -> bool:
    """Apply `values` to `row` only while the conditions `still` hold in the database.

    Returns whether it did. Either way `row` is re-read, so the caller sees what won. Not
    committed: the caller writes its event and audit entry in the same transaction.
    """
    model = type(row)
    changed = db.session.execute(
        update(model)
        .where(model.id == row.id, *still)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(row)
    return changed == 1
