"""The dossiers' figures for a period: what the leaders' dashboard shows of them (its public
reporting interface; the dashboard never reads the dossiers' table itself).

Counted in the database (SUM, COUNT, GROUP BY), the same SQL on SQLite and PostgreSQL, never by
loading rows into Python. For the period [start, end) and an optional ward:

- `received` were submitted in the period; `finished` were completed (status 9 or 10) in the
  period, `finished_on_time` of those on or before their due date (a Vietnam date, as the desk's
  statistics judge it); `online` of those received, submitted online; `overdue_open` of those
  received, still waiting on the authority and past their due date `today`.
- Only dossiers of `province_code`; the ward is the receiving ward (province-level dossiers have
  none, so a ward's view leaves them out).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.sql.elements import ColumnElement

from api.aggregates import as_date, local_day
from api.dossiers.models import Dossier
from api.dossiers.workflow import DONE_STATUSES, OPEN_STATUSES
from api.extensions import db


def for_period(
    start: datetime,
    end: datetime,
    ward_code: str | None,
    *,
    province_code: str,
    today: date,
    top_procedures: int,
) -> dict:
    """The dossiers' counts for the period [start, end) and the ward (None: the whole province).

    `by_procedure` is the `top_procedures` procedures with the most dossiers received (then
    finished, then by code), `by_ward` every ward with dossiers, each row with `received`,
    `finished` and `finished_on_time`; `by_day` the dossiers received and finished per Vietnam
    day of the period that had any. Called by the leaders' dashboard (api.dashboard.figures)."""
    in_ward = true() if ward_code is None else Dossier.ward_code == ward_code
    scope = and_(Dossier.province_code == province_code, in_ward)
    received = and_(Dossier.submitted_at >= start, Dossier.submitted_at < end)
    finished = and_(
        Dossier.status.in_(DONE_STATUSES), Dossier.completed_at >= start, Dossier.completed_at < end
    )
    on_time = and_(finished, local_day(Dossier.completed_at) <= Dossier.due_date)

    def tally(condition) -> ColumnElement:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    counted = (tally(received), tally(finished), tally(on_time))
    either = and_(scope, received | finished)

    totals = db.session.execute(
        select(
            *counted,
            tally(and_(received, Dossier.submitted_online.is_(True))),
            tally(and_(received, Dossier.status.in_(OPEN_STATUSES), Dossier.due_date < today)),
        ).where(either)
    ).one()
    n_received, n_finished, n_on_time, n_online, n_overdue = (int(v or 0) for v in totals)

    def breakdown(column, key: str, *extra, limit: int | None = None) -> list[dict]:
        statement = (
            select(column, *counted)
            .where(either, *extra)
            .group_by(column)
            .order_by(counted[0].desc(), counted[1].desc(), column)
        )
        if limit:
            statement = statement.limit(limit)
        return [
            {key: value, "received": int(r or 0), "finished": int(f or 0), "finished_on_time": int(t or 0)}
            for value, r, f, t in db.session.execute(statement)
        ]

    by_day: dict[date, dict[str, int]] = {}
    for key, column, condition in (
        ("received", Dossier.submitted_at, received),
        ("finished", Dossier.completed_at, finished),
    ):
        day = local_day(column)
        for value, count in db.session.execute(
            select(day, func.count()).where(scope, condition).group_by(day)
        ):
            by_day.setdefault(as_date(value), {"received": 0, "finished": 0})[key] = count

    return {
        "received": n_received,
        "finished": n_finished,
        "finished_on_time": n_on_time,
        "online": n_online,
        "overdue_open": n_overdue,
        "by_procedure": breakdown(Dossier.procedure_code, "procedure_code", limit=top_procedures),
        "by_ward": breakdown(Dossier.ward_code, "ward_code", Dossier.ward_code.is_not(None)),
        "by_day": by_day,
    }
