"""The reports' figures for a period: what the leaders' dashboard shows of them (its public
reporting interface; the dashboard never reads the reports' tables itself).

Counted in the database (COUNT, GROUP BY), the same SQL on SQLite and PostgreSQL; a median reads
only the one or two middle values of the sorted durations. For the period [start, end) and an
optional ward (where it happened): `received` were submitted in the period, `open` of those still
open now, `resolved` were resolved in the period. First response: from submission to the first
move a staff member made; resolution: from submission to resolution.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select, true

from api.aggregates import median, seconds_between
from api.extensions import db
from api.reports.models import Report, ReportTransition
from api.reports.workflow import OPEN_STATUSES


def for_period(start: datetime, end: datetime, ward_code: str | None) -> dict:
    """The reports' counts for the period [start, end) and the ward (None: everywhere), the
    medians in seconds (None when there is nothing to measure), and the reports received per
    category and per ward as [code, count] rows, most first. Called by the leaders' dashboard
    (api.dashboard.figures)."""
    scope = true() if ward_code is None else Report.ward_code == ward_code
    received = and_(scope, Report.submitted_at >= start, Report.submitted_at < end)
    resolved = and_(
        scope, Report.resolved_at.is_not(None), Report.resolved_at >= start, Report.resolved_at < end
    )

    n_received, n_open = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Report.status.in_(OPEN_STATUSES), 1), else_=0)), 0),
        ).where(received)
    ).one()
    n_resolved = db.session.scalar(select(func.count()).where(resolved)) or 0

    # Per report of the period, its first staff move (the transitions' report_id index): not a
    # GROUP BY over every transition ever recorded.
    first_staff_move = (
        select(func.min(ReportTransition.at))
        .where(ReportTransition.report_id == Report.id, ReportTransition.actor.like("staff:%"))
        .correlate(Report)
        .scalar_subquery()
    )

    def counted(column) -> list[tuple[str, int]]:
        return [
            (code, count)
            for code, count in db.session.execute(
                select(column, func.count())
                .where(received)
                .group_by(column)
                .order_by(func.count().desc(), column)
            )
        ]

    return {
        "received": int(n_received or 0),
        "resolved": int(n_resolved),
        "open": int(n_open or 0),
        "median_first_response_seconds": median(
            select(seconds_between(Report.submitted_at, first_staff_move)).where(received)
        ),
        "median_resolution_seconds": median(
            select(seconds_between(Report.submitted_at, Report.resolved_at)).where(resolved)
        ),
        "by_category": counted(Report.category_code),
        "by_ward": counted(Report.ward_code),
    }
