"""Per programme and in total for a month: beneficiaries, amounts scheduled, paid, failed and
returned, and the cashless ratio."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from api.benefits.models import (
    ACTIVE,
    CASHLESS_CHANNELS,
    PAID,
    SCHEDULED,
    Beneficiary,
    BenefitPayment,
)
from api.benefits.periods import Period
from api.benefits.programmes import programme_by_code, programme_not_found, programmes
from api.extensions import db


@dataclass
class Tally:
    count: int = 0
    amount_vnd: int = 0

    def add(self, count: int, amount: int) -> None:
        self.count += count
        self.amount_vnd += amount


@dataclass
class ProgrammeStatistics:
    programme_code: str
    programme_name: str
    period: str
    active_beneficiaries: int = 0
    scheduled: Tally = field(default_factory=Tally)  # every payment of the month, whatever its state
    waiting: Tally = field(default_factory=Tally)  # still `scheduled`
    paid: Tally = field(default_factory=Tally)
    failed: Tally = field(default_factory=Tally)
    returned: Tally = field(default_factory=Tally)
    cancelled: Tally = field(default_factory=Tally)  # never sent: the enrolment ended before the month
    cashless_paid: Tally = field(default_factory=Tally)
    paid_by_channel: dict[str, Tally] = field(default_factory=dict)

    @property
    def beneficiaries(self) -> int:
        """Beneficiaries on the month's schedule (one payment each)."""
        return self.scheduled.count

    @property
    def cashless_ratio_by_count(self) -> float | None:
        return _ratio(self.cashless_paid.count, self.paid.count)

    @property
    def cashless_ratio_by_amount(self) -> float | None:
        return _ratio(self.cashless_paid.amount_vnd, self.paid.amount_vnd)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Statistics:
    period: str
    programmes: list[ProgrammeStatistics]
    total: ProgrammeStatistics


def statistics(period: Period, *, programme: str | None = None) -> Statistics:
    """Per programme and in total for a month: beneficiaries, amounts scheduled, paid, failed and
    returned, and the cashless ratio (cashless paid / all paid, by count and by amount)."""
    chosen = programmes()
    if programme:
        found = programme_by_code(programme)
        if found is None:
            raise programme_not_found(programme)
        chosen = [found]
    rows = {
        p.id: ProgrammeStatistics(programme_code=p.code, programme_name=p.name, period=str(period))
        for p in chosen
    }
    total = ProgrammeStatistics(programme_code="*", programme_name="Tất cả chế độ", period=str(period))
    grouped = db.session.execute(
        select(
            BenefitPayment.programme_id,
            BenefitPayment.status,
            BenefitPayment.channel,
            func.count(),
            func.coalesce(func.sum(BenefitPayment.amount_vnd), 0),
        )
        .where(BenefitPayment.period == str(period), BenefitPayment.programme_id.in_(list(rows)))
        .group_by(BenefitPayment.programme_id, BenefitPayment.status, BenefitPayment.channel)
    )
    for programme_id, status, channel, count, amount in grouped:
        amount = int(amount)  # PostgreSQL sums BIGINT as NUMERIC
        for stats in (rows[programme_id], total):
            stats.scheduled.add(count, amount)
            getattr(stats, "waiting" if status == SCHEDULED else status).add(count, amount)
            if status == PAID:
                stats.paid_by_channel.setdefault(channel, Tally()).add(count, amount)
                if channel in CASHLESS_CHANNELS:
                    stats.cashless_paid.add(count, amount)
    active = db.session.execute(
        select(Beneficiary.programme_id, func.count())
        .where(Beneficiary.status == ACTIVE, Beneficiary.programme_id.in_(list(rows)))
        .group_by(Beneficiary.programme_id)
    )
    for programme_id, count in active:
        rows[programme_id].active_beneficiaries = count
        total.active_beneficiaries += count
    return Statistics(period=str(period), programmes=list(rows.values()), total=total)
