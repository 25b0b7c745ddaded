"""The benefits' figures for a period: what the leaders' dashboard shows of them (its public
reporting interface; the dashboard never reads the benefit payments' table itself).

Counted in the database (COUNT, SUM), the same SQL on SQLite and PostgreSQL. `payments` were
planned in the period (cancelled ones left out); `paid`, `cashless` and the amount count the
payments paid in the period. The ward is the beneficiary's residence, which the citizens'
registry knows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select, true

from api.benefits.models import CANCELLED, CASHLESS_CHANNELS, PAID, BenefitPayment
from api.citizens import service as citizens
from api.extensions import db
from api.workdays import local_date


def for_period(start: datetime, end: datetime, ward_code: str | None) -> dict:
    """The payments of [start, end) to the ward's residents (None: everyone): planned, paid,
    paid cashless, and the amount paid in VND. Called by the leaders' dashboard
    (api.dashboard.figures)."""
    of_ward = true() if ward_code is None else BenefitPayment.citizen_id.in_(citizens.resident_ids(ward_code))
    # A payment is planned for a Vietnam day: the period's days are those from start's up to,
    # not including, end's (end is the midnight after the last day).
    planned = db.session.scalar(
        select(func.count()).where(
            of_ward,
            BenefitPayment.planned_on >= local_date(start),
            BenefitPayment.planned_on < local_date(end),
            BenefitPayment.status != CANCELLED,
        )
    )
    cashless = BenefitPayment.channel.in_(CASHLESS_CHANNELS)
    paid, n_cashless, amount = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((cashless, 1), else_=0)), 0),
            func.coalesce(func.sum(BenefitPayment.amount_vnd), 0),
        ).where(
            of_ward,
            BenefitPayment.status == PAID,
            BenefitPayment.paid_at.is_not(None),
            BenefitPayment.paid_at >= start,
            BenefitPayment.paid_at < end,
        )
    ).one()
    # int(): no rows sum to NULL, and PostgreSQL sums BIGINT as NUMERIC.
    return {
        "payments": int(planned or 0),
        "paid": int(paid or 0),
        "cashless": int(n_cashless or 0),
        "amount_paid_vnd": int(amount or 0),
    }
