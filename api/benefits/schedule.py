"""The monthly schedule: one scheduled payment per active beneficiary and month, generated
once (again by the daily job or an officer, only the missing ones are added)."""

from __future__ import annotations

import calendar
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.benefits.models import (
    ACTIVE,
    SCHEDULED,
    Beneficiary,
    BenefitPayment,
    BenefitProgramme,
    BenefitSchedule,
)
from api.benefits.periods import Period, current_period, parse_period
from api.dbtypes import utcnow
from api.extensions import db
from api.workdays import add_working_days


@dataclass
class ScheduleReport:
    period: str
    created: int = 0
    already_scheduled: int = 0
    amount_vnd: int = 0  # of the payments created now
    by_programme: Counter = field(default_factory=Counter)


def _planned_on(programme: BenefitProgramme, period: Period) -> date:
    day = min(programme.payment_day or 10, calendar.monthrange(period.year, period.month)[1])
    return add_working_days(date(period.year, period.month, day), 0)


def _schedule_of(programme: BenefitProgramme, period: Period, actor: str) -> BenefitSchedule:
    def existing() -> BenefitSchedule | None:
        return db.session.scalar(
            select(BenefitSchedule).where(
                BenefitSchedule.programme_id == programme.id, BenefitSchedule.period == str(period)
            )
        )

    schedule = existing()
    if schedule is not None:
        return schedule
    schedule = BenefitSchedule(
        id=uuid.uuid4(),
        programme_id=programme.id,
        period=str(period),
        planned_on=_planned_on(programme, period),
        generated_at=utcnow(),
        generated_by=actor,
    )
    try:
        with db.session.begin_nested():
            db.session.add(schedule)
    except IntegrityError:  # another run created it first
        schedule = existing()
    return schedule


def due_beneficiaries(period: Period) -> list[Beneficiary]:
    """Active beneficiaries whose enrolment covers some of the month."""
    return list(
        db.session.scalars(
            select(Beneficiary)
            .where(
                Beneficiary.status == ACTIVE,
                Beneficiary.starts_on <= period.last_day,
                or_(Beneficiary.ends_on.is_(None), Beneficiary.ends_on >= period.first_day),
            )
            .order_by(Beneficiary.programme_id, Beneficiary.created_at, Beneficiary.id)
        )
    )


def generate_schedule(period_text: Any, *, actor: str, now: datetime | None = None) -> ScheduleReport:
    """One scheduled payment per active beneficiary for the month, once. Audited."""
    period = parse_period(period_text, now=now)
    report = ScheduleReport(period=str(period))
    scheduled = set(
        db.session.scalars(select(BenefitPayment.beneficiary_id).where(BenefitPayment.period == str(period)))
    )
    schedules: dict[uuid.UUID, BenefitSchedule] = {}
    for beneficiary in due_beneficiaries(period):
        if beneficiary.id in scheduled:
            report.already_scheduled += 1
            continue
        programme = beneficiary.programme
        if programme.id not in schedules:
            schedules[programme.id] = _schedule_of(programme, period, actor)
        schedule = schedules[programme.id]
        payment = BenefitPayment(
            id=uuid.uuid4(),
            schedule_id=schedule.id,
            beneficiary_id=beneficiary.id,
            programme_id=programme.id,
            citizen_id=beneficiary.citizen_id,
            period=str(period),
            amount_vnd=beneficiary.monthly_amount_vnd,
            planned_on=schedule.planned_on,
            channel=beneficiary.channel,
            status=SCHEDULED,
        )
        try:
            with db.session.begin_nested():
                db.session.add(payment)
        except IntegrityError:  # a concurrent run scheduled this one
            report.already_scheduled += 1
            continue
        report.created += 1
        report.amount_vnd += payment.amount_vnd
        report.by_programme[programme.code] += 1
    record_audit(
        "benefit.schedule",
        actor=actor,
        target=f"benefit_period:{period}",
        created=report.created,
        already_scheduled=report.already_scheduled,
    )
    return report


def schedule_current_month(now: datetime | None = None) -> ScheduleReport:
    """The scheduler's daily job: this month's schedule, including anyone enrolled since."""
    return generate_schedule(str(current_period(now)), actor="scheduler", now=now)
