"""Social benefits (M36): programmes, enrolment, the monthly schedule, paying and settling.

Plain functions on the Flask-SQLAlchemy session, no `flask.request`. The rules:

- A beneficiary is a citizen of the registry, found by a valid CCCD; one enrolment per citizen
  and programme. A new decision for a citizen whose enrolment ended re-enrols that row.
- The month's schedule gives each active beneficiary one payment, whose amount is the
  beneficiary's monthly amount. Generating it again (the daily job, an officer) adds only the
  payments still missing: a (beneficiary, period) pair is unique in the database too.
- Paying a period sends each scheduled payment once (compare-and-set on `sent_at`, claimed only
  while the beneficiary may be paid for the month, checked in the same statement): cashless
  through the wallet when the citizen has linked an e-payment account, otherwise through the
  beneficiary's own channel, and cash at the ward's post office when that channel was the
  e-wallet but no account is linked (any more). A suspended beneficiary's payments are held;
  an ended one's are sent for the months up to the last day covered and cancelled after it.
- A settlement moves a payment only along `workflow.PAYMENTS`, with a compare-and-set on `status`, so
  of two racing settlements exactly one wins; it settles the wallet payout of a cashless payment
  in the same transaction and writes one outbox event for the citizen.
- A citizen reaches only their own payments; another's id answers 404 like an unknown one.

The rules live by responsibility in this package; this module is their one public face, which
the routes, the scheduler (`api.benefits.service:schedule_current_month`) and other domains
(`active_beneficiary_citizen_ids`) import: periods.py (months), amounts.py (the amounts the law
sets, api/law/data/benefit_amounts.yaml), programmes.py, beneficiaries.py, schedule.py,
payments.py (paying, settling, the citizen's own), statistics.py.
"""

from __future__ import annotations

from typing import Any

from api.benefits.beneficiaries import (
    EVENT_BENEFICIARY_STATUS,
    MIN_REASON_LENGTH,
    active_beneficiary_citizen_ids,
    change_beneficiary_status,
    enrol,
    get_beneficiary,
    search_beneficiaries,
)
from api.benefits.payments import (
    EVENT_FAILED,
    EVENT_PAID,
    EVENT_RETURNED,
    EVENTS,
    LATEST_PAYMENTS,
    MyBenefits,
    PayReport,
    get_payment,
    my_benefits,
    my_payment,
    my_payments,
    pay_period,
    payment_not_found,
    settle_payment,
)
from api.benefits.periods import EARLIEST_YEAR, MONTHS_AHEAD, Period, current_period, parse_period
from api.benefits.programmes import (
    create_programme,
    programme_by_code,
    programmes,
    seed_programmes,
    standard_programmes,
)
from api.benefits.schedule import ScheduleReport, due_beneficiaries, generate_schedule, schedule_current_month
from api.benefits.statistics import ProgrammeStatistics, Statistics, Tally, statistics

__all__ = [
    "EARLIEST_YEAR",
    "EVENTS",
    "EVENT_BENEFICIARY_STATUS",
    "EVENT_FAILED",
    "EVENT_PAID",
    "EVENT_RETURNED",
    "LATEST_PAYMENTS",
    "MIN_REASON_LENGTH",
    "MONTHS_AHEAD",
    "MyBenefits",
    "PayReport",
    "Period",
    "ProgrammeStatistics",
    "ScheduleReport",
    "Statistics",
    "Tally",
    "active_beneficiary_citizen_ids",
    "change_beneficiary_status",
    "create_programme",
    "current_period",
    "due_beneficiaries",
    "enrol",
    "generate_schedule",
    "get_beneficiary",
    "get_payment",
    "my_benefits",
    "my_payment",
    "my_payments",
    "parse_period",
    "pay_period",
    "payment_not_found",
    "programme_by_code",
    "programmes",
    "schedule_current_month",
    "search_beneficiaries",
    "seed_programmes",
    "settle_payment",
    "standard_programmes",
    "statistics",
]


def __getattr__(name: str) -> Any:
    # STANDARD_PROGRAMMES was a constant; the amounts now follow the day (a base level dated
    # ahead applies from its day), so the old name answers with today's programmes.
    if name == "STANDARD_PROGRAMMES":
        return standard_programmes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
