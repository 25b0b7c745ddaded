"""The dashboard's figures: SQL aggregates over every domain's tables, read-only.

Every figure is counted in the database (COUNT, SUM, GROUP BY), never by loading rows into
Python; a median reads the one or two middle values of the sorted durations (`_median`), the
same SQL on SQLite and PostgreSQL. What each figure counts, for a period of Vietnam calendar
days [from, to] and an optional ward:

- dossiers: `received` were submitted in the period; `finished` were completed (status 9 or 10)
  in the period, on time when completed on or before their due date (a Vietnam date, as the
  desk's statistics judge it); `online` of those received, submitted online; `overdue_open` of
  those received, still waiting on the authority and past their due date today. The ward is
  the receiving ward (province-level dossiers have none, so a ward's view leaves them out).
- reports: `received` were submitted in the period, `open` of those still open now,
  `resolved` were resolved in the period. First response: from submission to the first move a
  staff member made; resolution: from submission to resolution. The ward is where it happened.
- fines: the notices decided in the period, cancelled ones left out; `paid` of those paid by now,
  online when through the wallet (a payment id). The ward is where the violation happened.
- benefits: `payments` planned in the period (cancelled ones left out); `paid`, `cashless` and
  the amount count payments paid in the period. The ward is the beneficiary's residence.
- call centre: `conversations` begun in the period, the share of them handed to an agent;
  `handoffs` requested in the period, their wait (request to acceptance), handling (acceptance
  to close) and the citizens' ratings. The ward is the citizen's residence (anonymous chats
  have none).
- campaigns: sent (finished) in the period; `recipients` the citizens targeted, `delivered` the
  messages left in their inboxes, `opened` the citizens who opened it. For a ward only what the
  registry can tell per citizen is counted: messages in that ward's citizens' inboxes (both
  recipients and delivered) and their opens.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Date, Select, and_, case, cast, exists, extract, func, select, true
from sqlalchemy.sql.elements import ColumnElement

from api.benefits.models import CANCELLED as BENEFIT_CANCELLED
from api.benefits.models import CASHLESS_CHANNELS, BenefitPayment
from api.benefits.models import PAID as BENEFIT_PAID
from api.chat.models import Conversation, Handoff
from api.citizens.models import Citizen
from api.dossiers.catalogue import service as catalogue
from api.dossiers.models import Dossier
from api.dossiers.workflow import DONE_STATUSES, OPEN_STATUSES
from api.extensions import db
from api.fines.models import CANCELLED as FINE_CANCELLED
from api.fines.models import PAID as FINE_PAID
from api.fines.models import FineNotice
from api.reports.categories import get_category
from api.reports.models import Report, ReportTransition
from api.reports.workflow import OPEN_STATUSES as REPORT_OPEN_STATUSES
from api.units import service as units
from api.workdays import moments_of
from notifications.campaigns.models import SENT, Campaign, CampaignOpen
from notifications.models import InboxMessage

TOP_PROCEDURES = 10
VIETNAM_OFFSET = "+7 hours"  # Vietnam keeps UTC+7 all year (no daylight saving time)


# ---- portable SQL --------------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def local_day(column) -> ColumnElement:
    """The Vietnam calendar date of a UTC timestamp column, computed in SQL."""
    if _dialect() == "postgresql":
        return cast(func.timezone("Asia/Ho_Chi_Minh", column), Date)
    # SQLite keeps UTC timestamps as ISO text; date() shifts and cuts them to 'YYYY-MM-DD',
    # which compares with a stored Date (also ISO text) as dates do.
    return func.date(column, VIETNAM_OFFSET)


def seconds_between(start, end) -> ColumnElement:
    """`end - start` in seconds, computed in SQL."""
    if _dialect() == "postgresql":
        return extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _as_date(value: Any) -> date:
    """A day from SQL: a date on PostgreSQL, 'YYYY-MM-DD' text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _median(durations: Select) -> float | None:
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


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _int(value: Any) -> int:
    """A SUM or COUNT from SQL (None for no rows; PostgreSQL sums BIGINT as NUMERIC)."""
    return int(value or 0)


def _hours(seconds: float | None) -> float | None:
    return round(seconds / 3600, 2) if seconds is not None else None


def _seconds(seconds: float | None) -> int | None:
    return round(seconds) if seconds is not None else None


def ward_name(code: str | None) -> str | None:
    if code is None:
        return None
    ward = units.get_ward(code)
    return ward.name if ward else code


class Window:
    """The period as UTC bounds of Vietnam days, and the ward, as SQL conditions."""

    def __init__(self, period_from: date, period_to: date, ward_code: str | None) -> None:
        self.period_from, self.period_to, self.ward_code = period_from, period_to, ward_code
        self.start, self.end = moments_of(period_from, period_to)

    def within(self, column) -> ColumnElement:
        return and_(column >= self.start, column < self.end)

    def ward(self, column) -> ColumnElement:
        return true() if self.ward_code is None else column == self.ward_code

    def citizen_of_ward(self, citizen_id_column) -> ColumnElement:
        """The citizen's residence is the ward (no ward: everyone, anonymous included)."""
        if self.ward_code is None:
            return true()
        return citizen_id_column.in_(select(Citizen.id).where(Citizen.ward_code == self.ward_code))

    @property
    def days(self) -> list[date]:
        return [
            self.period_from + timedelta(days=n) for n in range((self.period_to - self.period_from).days + 1)
        ]


# ---- the whole dashboard ------------------------------------------------------------------------


def dashboard(period_from: date, period_to: date, ward_code: str | None, *, today: date) -> dict:
    """The dashboard's JSON (dates as ISO text): what GET /leader/dashboard answers and a
    periodic report keeps. `today` is the day "overdue" is judged on."""
    window = Window(period_from, period_to, ward_code)
    return {
        "period": {
            "from": period_from.isoformat(),
            "to": period_to.isoformat(),
            "ward_code": ward_code,
            "ward_name": ward_name(ward_code),
        },
        "dossiers": dossiers(window, today),
        "reports": reports(window),
        "fines": fines(window),
        "benefits": benefits(window),
        "call_centre": call_centre(window),
        "campaigns": campaigns(window),
    }


# ---- dossiers -----------------------------------------------------------------------------------


def dossiers(window: Window, today: date) -> dict:
    home = Dossier.province_code == current_app.config["HOME_PROVINCE_CODE"]
    scope = and_(home, window.ward(Dossier.ward_code))
    received = window.within(Dossier.submitted_at)
    finished = and_(Dossier.status.in_(DONE_STATUSES), window.within(Dossier.completed_at))
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
    n_received, n_finished, n_on_time, n_online, n_overdue = (_int(v) for v in totals)

    def breakdown(column, *extra, limit: int | None = None) -> list:
        statement = (
            select(column, *counted)
            .where(either, *extra)
            .group_by(column)
            .order_by(counted[0].desc(), counted[1].desc(), column)
        )
        if limit:
            statement = statement.limit(limit)
        return [
            (key, _int(r), _int(f), _ratio(_int(t), _int(f)))
            for key, r, f, t in db.session.execute(statement)
        ]

    by_procedure = []
    for code, n_r, n_f, ratio in breakdown(Dossier.procedure_code, limit=TOP_PROCEDURES):
        procedure = catalogue.get_procedure(code, include_inactive=True)
        by_procedure.append(
            {
                "code": code,
                "name": procedure.name if procedure else code,
                "received": n_r,
                "finished": n_f,
                "on_time_ratio": ratio,
            }
        )
    by_ward = [
        {
            "ward_code": code,
            "ward_name": ward_name(code),
            "received": n_r,
            "finished": n_f,
            "on_time_ratio": ratio,
        }
        for code, n_r, n_f, ratio in breakdown(Dossier.ward_code, Dossier.ward_code.is_not(None))
    ]

    per_day: dict[date, dict[str, int]] = {day: {"received": 0, "finished": 0} for day in window.days}
    for key, column, condition in (
        ("received", Dossier.submitted_at, received),
        ("finished", Dossier.completed_at, finished),
    ):
        day = local_day(column)
        for value, count in db.session.execute(
            select(day, func.count()).where(scope, condition).group_by(day)
        ):
            per_day.setdefault(_as_date(value), {"received": 0, "finished": 0})[key] = count

    return {
        "received": n_received,
        "finished": n_finished,
        "finished_on_time": n_on_time,
        "on_time_ratio": _ratio(n_on_time, n_finished),
        "online": n_online,
        "online_share": _ratio(n_online, n_received),
        "overdue_open": n_overdue,
        "by_procedure": by_procedure,
        "by_ward": by_ward,
        "by_day": [{"date": day.isoformat(), **per_day[day]} for day in sorted(per_day)],
    }


# ---- reports ------------------------------------------------------------------------------------


def reports(window: Window) -> dict:
    scope = window.ward(Report.ward_code)
    received = and_(scope, window.within(Report.submitted_at))
    resolved = and_(scope, Report.resolved_at.is_not(None), window.within(Report.resolved_at))

    n_received, n_open = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Report.status.in_(REPORT_OPEN_STATUSES), 1), else_=0)), 0),
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
    first_response = _median(select(seconds_between(Report.submitted_at, first_staff_move)).where(received))
    resolution = _median(select(seconds_between(Report.submitted_at, Report.resolved_at)).where(resolved))

    def counted(column) -> list[tuple[str, int]]:
        return list(
            db.session.execute(
                select(column, func.count())
                .where(received)
                .group_by(column)
                .order_by(func.count().desc(), column)
            )
        )

    by_category = []
    for code, count in counted(Report.category_code):
        category = get_category(code)
        by_category.append({"code": code, "name": category.name if category else code, "count": count})
    return {
        "received": n_received,
        "resolved": n_resolved,
        "open": _int(n_open),
        "median_first_response_hours": _hours(first_response),
        "median_resolution_hours": _hours(resolution),
        "by_category": by_category,
        "by_ward": [
            {"ward_code": code, "ward_name": ward_name(code), "count": count}
            for code, count in counted(Report.ward_code)
        ],
    }


# ---- fines --------------------------------------------------------------------------------------


def fines(window: Window) -> dict:
    paid = FineNotice.status == FINE_PAID
    issued, n_paid, amount_issued, amount_paid, paid_online = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((paid, 1), else_=0)), 0),
            func.coalesce(func.sum(FineNotice.amount_vnd), 0),
            func.coalesce(func.sum(case((paid, FineNotice.amount_vnd), else_=0)), 0),
            func.coalesce(func.sum(case((and_(paid, FineNotice.payment_id.is_not(None)), 1), else_=0)), 0),
        ).where(
            window.within(FineNotice.decided_at),
            window.ward(FineNotice.ward_code),
            FineNotice.status != FINE_CANCELLED,
        )
    ).one()
    issued, n_paid, paid_online = _int(issued), _int(n_paid), _int(paid_online)
    return {
        "issued": issued,
        "paid": n_paid,
        "paid_share": _ratio(n_paid, issued),
        "amount_issued_vnd": _int(amount_issued),
        "amount_paid_vnd": _int(amount_paid),
        "paid_online_share": _ratio(paid_online, n_paid),
    }


# ---- benefits -----------------------------------------------------------------------------------


def benefits(window: Window) -> dict:
    of_ward = window.citizen_of_ward(BenefitPayment.citizen_id)
    planned = db.session.scalar(
        select(func.count()).where(
            of_ward,
            BenefitPayment.planned_on >= window.period_from,
            BenefitPayment.planned_on <= window.period_to,
            BenefitPayment.status != BENEFIT_CANCELLED,
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
            BenefitPayment.status == BENEFIT_PAID,
            BenefitPayment.paid_at.is_not(None),
            window.within(BenefitPayment.paid_at),
        )
    ).one()
    paid, n_cashless = _int(paid), _int(n_cashless)
    return {
        "payments": _int(planned),
        "paid": paid,
        "cashless": n_cashless,
        "cashless_share": _ratio(n_cashless, paid),
        "amount_paid_vnd": _int(amount),
    }


# ---- the call centre ----------------------------------------------------------------------------


def call_centre(window: Window) -> dict:
    conversation_scope = and_(
        window.within(Conversation.created_at), window.citizen_of_ward(Conversation.citizen_id)
    )
    conversations = db.session.scalar(select(func.count()).where(conversation_scope)) or 0
    handed = (
        db.session.scalar(
            select(func.count()).where(
                conversation_scope, exists().where(Handoff.conversation_id == Conversation.id)
            )
        )
        or 0
    )

    if window.ward_code is None:
        of_ward = true()
    else:
        of_ward = Handoff.conversation_id.in_(
            select(Conversation.id).where(window.citizen_of_ward(Conversation.citizen_id))
        )
    requested = and_(window.within(Handoff.requested_at), of_ward)
    handoffs = db.session.scalar(select(func.count()).where(requested)) or 0
    wait = _median(
        select(seconds_between(Handoff.requested_at, Handoff.accepted_at)).where(
            requested, Handoff.accepted_at.is_not(None)
        )
    )
    handling = _median(
        select(seconds_between(Handoff.accepted_at, Handoff.closed_at)).where(
            requested, Handoff.accepted_at.is_not(None), Handoff.closed_at.is_not(None)
        )
    )
    average, responses = db.session.execute(
        select(func.avg(Handoff.rating), func.count(Handoff.rating)).where(
            requested, Handoff.rating.is_not(None)
        )
    ).one()
    return {
        "conversations": conversations,
        "handoffs": handoffs,
        "handoff_share": _ratio(handed, conversations),
        "median_wait_seconds": _seconds(wait),
        "median_handling_seconds": _seconds(handling),
        "satisfaction_average": round(float(average), 2) if average is not None else None,
        "satisfaction_responses": _int(responses),
    }


# ---- campaigns ----------------------------------------------------------------------------------


def campaigns(window: Window) -> dict:
    sent_in_period = and_(
        Campaign.status == SENT, Campaign.finished_at.is_not(None), window.within(Campaign.finished_at)
    )
    sent_ids = select(Campaign.id).where(sent_in_period)
    if window.ward_code is None:
        sent, recipients, delivered = db.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(Campaign.targeted_citizens), 0),
                func.coalesce(func.sum(Campaign.inbox_delivered), 0),
            ).where(sent_in_period)
        ).one()
        opened = db.session.scalar(
            select(func.count()).select_from(CampaignOpen).where(CampaignOpen.campaign_id.in_(sent_ids))
        )
    else:
        in_ward = and_(
            InboxMessage.campaign_id.in_(sent_ids), window.citizen_of_ward(InboxMessage.citizen_id)
        )
        sent, delivered = db.session.execute(
            select(func.count(func.distinct(InboxMessage.campaign_id)), func.count()).where(in_ward)
        ).one()
        recipients = delivered
        opened = db.session.scalar(
            select(func.count())
            .select_from(CampaignOpen)
            .where(CampaignOpen.campaign_id.in_(sent_ids), window.citizen_of_ward(CampaignOpen.citizen_id))
        )
    sent, recipients, delivered, opened = _int(sent), _int(recipients), _int(delivered), _int(opened)
    return {
        "sent": sent,
        "recipients": recipients,
        "delivered": delivered,
        "opened": opened,
        "delivery_share": _ratio(delivered, recipients),
        "open_share": _ratio(opened, recipients),
    }
