"""The demo citizen's benefits, so the app and the chatbot have payments to show from `make run`.

The verified demo citizen (born 1948) is enrolled as an elderly person without a pension (cash at
the ward's post office) and as a person with meritorious service (bank transfer), with the last
three months paid and this month scheduled. Runs through the service, as officers would; seeded
once: a demo citizen already enrolled is left as they are.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from api.benefits import service
from api.benefits.models import BANK, CASH, PAID, Beneficiary, BenefitPayment
from api.citizens import service as citizens
from api.extensions import db

ACTOR = "demo"
MONTHS_PAID = 3
_ENROLMENTS = (
    {"programme": "NCT", "channel": CASH, "channel_detail": "Bưu điện Phường Tân Lập"},
    {
        "programme": "NCC",
        "channel": BANK,
        "channel_detail": "Agribank Đắk Lắk ****6789",
        "monthly_amount_vnd": 2_789_000,
    },
)


def seed_demo_benefits(cccd: str) -> int:
    """Programmes, the demo citizen's enrolments and payments; returns payments added."""
    service.seed_programmes(actor=ACTOR)
    citizen = citizens.citizen_by_cccd(cccd)
    if citizen is None or db.session.scalar(
        select(Beneficiary.id).where(Beneficiary.citizen_id == citizen.id)
    ):
        return 0
    this_month = service.current_period()
    first = this_month.plus(-MONTHS_PAID)
    for enrolment in _ENROLMENTS:
        service.enrol({**enrolment, "cccd": cccd, "starts_on": first.first_day}, actor=ACTOR)
    added = 0
    for back in range(MONTHS_PAID, -1, -1):
        period = this_month.plus(-back)
        added += service.generate_schedule(str(period), actor=ACTOR).created
        if back == 0:
            break  # this month: scheduled, not paid yet
        payment_day = datetime.combine(period.first_day + timedelta(days=9), time(2, 0), tzinfo=UTC)
        service.pay_period(str(period), actor=ACTOR, now=payment_day)
        for payment in db.session.scalars(
            select(BenefitPayment).where(
                BenefitPayment.citizen_id == citizen.id, BenefitPayment.period == str(period)
            )
        ).all():
            service.settle_payment(
                payment.id, status=PAID, actor=ACTOR, paid_at=payment_day + timedelta(hours=3)
            )
    return added
