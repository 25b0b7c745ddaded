"""The fines' figures for a period: what the leaders' dashboard shows of them (its public
reporting interface; the dashboard never reads the fine notices' table itself).

Counted in the database (COUNT, SUM), the same SQL on SQLite and PostgreSQL. The notices decided
in the period, cancelled ones left out; `paid` of those paid by now, `paid_online` of those paid
through the wallet (they carry a payment id). The ward is where the violation happened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select, true

from api.extensions import db
from api.fines.models import CANCELLED, PAID, FineNotice


def for_period(start: datetime, end: datetime, ward_code: str | None) -> dict:
    """The notices decided in [start, end) in the ward (None: everywhere): how many, how many
    paid, paid online, and the amounts in VND. Called by the leaders' dashboard
    (api.dashboard.figures)."""
    paid = FineNotice.status == PAID
    issued, n_paid, amount_issued, amount_paid, paid_online = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((paid, 1), else_=0)), 0),
            func.coalesce(func.sum(FineNotice.amount_vnd), 0),
            func.coalesce(func.sum(case((paid, FineNotice.amount_vnd), else_=0)), 0),
            func.coalesce(func.sum(case((and_(paid, FineNotice.payment_id.is_not(None)), 1), else_=0)), 0),
        ).where(
            FineNotice.decided_at >= start,
            FineNotice.decided_at < end,
            true() if ward_code is None else FineNotice.ward_code == ward_code,
            FineNotice.status != CANCELLED,
        )
    ).one()
    # int(): no rows sum to NULL, and PostgreSQL sums BIGINT as NUMERIC.
    return {
        "issued": int(issued or 0),
        "paid": int(n_paid or 0),
        "paid_online": int(paid_online or 0),
        "amount_issued_vnd": int(amount_issued or 0),
        "amount_paid_vnd": int(amount_paid or 0),
    }
