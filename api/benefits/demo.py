"""Demo benefits, so the app and the chatbot have payments to show from `make run`.

The verified demo citizen `make run` prints (born 1948) is enrolled as an elderly person without a
pension (cash at the ward's post office) and as a person with meritorious service (bank transfer);
other demo citizens get what their situation makes plausible (api/demo.py decides: the elderly
allowance from 75, the electricity support of a poor household, a disability allowance). Everyone
enrolled has the last three months paid and this month scheduled. Runs through the service, as
officers would; seeded once: a citizen already enrolled is left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from api.benefits import service
from api.benefits.models import BANK, CASH, PAID, SCHEDULED, Beneficiary, BenefitPayment
from api.citizens import service as citizens
from api.extensions import db

ACTOR = "demo"
MONTHS_PAID = 3
# The printed demo citizen's programmes, each at its programme's reference amount (the one the
# law sets: api/law/data/benefit_amounts.yaml, seeded with the programmes).
PRINTED_CITIZEN_ENROLMENTS = (
    {"programme": "NCT", "channel": CASH, "channel_detail": "Bưu điện Phường Tân Lập"},
    {"programme": "NCC", "channel": BANK, "channel_detail": "Agribank Đắk Lắk ****6789"},
)


def seed_demo_benefits(plan: Iterable[tuple[str, Iterable[dict]]]) -> int:
    """Programmes, then each (CCCD, enrolments) of `plan` whose citizen is not enrolled yet, with
    their payments; returns the payments added."""
    service.seed_programmes(actor=ACTOR)
    enrolled = set(db.session.scalars(select(Beneficiary.citizen_id)))
    this_month = service.current_period()
    first = this_month.plus(-MONTHS_PAID)
    new = set()
    for cccd, enrolments in plan:
        citizen = citizens.citizen_by_cccd(cccd)
        if citizen is None or citizen.id in enrolled:
            continue
        for enrolment in enrolments:
            service.enrol({**enrolment, "cccd": cccd, "starts_on": first.first_day}, actor=ACTOR)
        new.add(citizen.id)
    if not new:
        return 0
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
                BenefitPayment.citizen_id.in_(new),
                BenefitPayment.period == str(period),
                BenefitPayment.status == SCHEDULED,
                BenefitPayment.sent_at.is_not(None),
            )
        ).all():
            service.settle_payment(
                payment.id, status=PAID, actor=ACTOR, paid_at=payment_day + timedelta(hours=3)
            )
    return added
