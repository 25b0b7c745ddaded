"""Paying a month's scheduled payments through their channels, settling each with the
channel's answer, and the citizen's own payments."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select, update

from api.audit import record_audit
from api.benefits.beneficiaries import cancel_reason
from api.benefits.models import (
    ACTIVE,
    CASH,
    CHANNEL_NAMES,
    E_WALLET,
    ENDED,
    FAILED,
    PAID,
    PAYMENT_STATUS_NAMES,
    PAYOUT_PURPOSE,
    RETURNED,
    SCHEDULED,
    SUSPENDED,
    Beneficiary,
    BenefitPayment,
    BenefitSchedule,
)
from api.benefits.periods import Period, parse_period
from api.benefits.workflow import PAYMENTS, SETTLEMENTS
from api.concurrency import compare_and_set
from api.dbtypes import utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.text import format_vnd, nfc
from api.unit_of_work import checkpoint, rollback
from wallet import service as wallet

EVENT_PAID = "benefit.payment_paid"
EVENT_FAILED = "benefit.payment_failed"
EVENT_RETURNED = "benefit.payment_returned"
EVENTS = {PAID: EVENT_PAID, FAILED: EVENT_FAILED, RETURNED: EVENT_RETURNED}
LATEST_PAYMENTS = 6  # shown with the citizen's programmes


def payment_not_found() -> ApiError:
    return ApiError(404, "benefit_payment_not_found", "Không tìm thấy khoản chi trả trợ cấp này.")


@dataclass
class PayReport:
    period: str
    sent: int = 0
    amount_vnd: int = 0
    by_channel: Counter = field(default_factory=Counter)
    # Scheduled, but the beneficiary was suspended since: kept for an officer to decide.
    held: int = 0
    # Scheduled, but the beneficiary's enrolment ended before the month: never to be sent.
    cancelled: int = 0


def _description(payment: BenefitPayment) -> str:
    month, year = payment.period[5:], payment.period[:4]
    return f"{payment.programme.name} tháng {month}/{year}"


def _send(payment: BenefitPayment, beneficiary: Beneficiary) -> str:
    """Hand one payment to its channel; returns the channel used. Not committed."""
    if wallet.account_of(payment.citizen_id) is not None:
        try:
            payout = wallet.record_payout(
                payment.citizen_id,
                amount_vnd=payment.amount_vnd,
                purpose=PAYOUT_PURPOSE,
                reference=str(payment.id),
                description=_description(payment),
            )
        except ApiError:
            payout = None  # unlinked at this very moment: paid through the beneficiary's channel
        if payout is not None:
            db.session.flush()
            payment.channel, payment.payout_id = E_WALLET, payout.id
            return E_WALLET
    # Without a linked account the e-wallet cannot be paid into: the post office pays in cash.
    payment.channel = beneficiary.channel if beneficiary.channel != E_WALLET else CASH
    return payment.channel


def pay_period(period_text: Any, *, actor: str, now: datetime | None = None) -> PayReport:
    """Send every scheduled, unsent payment of the month to its channel. Audited.

    Each payment is claimed, sent and made durable on its own: one that cannot be sent (the wallet
    refuses, the database drops the connection) leaves the ones before it sent and itself unsent,
    and running the period again sends the rest, never one twice. A suspended beneficiary's
    payment is held; an ended one's is sent when the enrolment covered some of the month, and
    cancelled (with the reason) when it ended before. 409 when the month has no schedule yet.
    """
    period = parse_period(period_text, now=now)
    sent_at = now or utcnow()
    if (
        db.session.scalar(select(BenefitSchedule.id).where(BenefitSchedule.period == str(period)).limit(1))
        is None
    ):
        raise ApiError(
            409,
            "schedule_not_generated",
            f"Chưa lập danh sách chi trả kỳ {period.label}; hãy lập danh sách trước khi chi trả.",
        )
    report = PayReport(period=str(period))
    waiting = db.session.scalars(
        select(BenefitPayment.id)
        .where(
            BenefitPayment.period == str(period),
            BenefitPayment.status == SCHEDULED,
            BenefitPayment.sent_at.is_(None),
        )
        .order_by(BenefitPayment.programme_id, BenefitPayment.id)
    ).all()
    try:
        for payment_id in waiting:
            outcome, channel, amount = _pay_one(payment_id, period, sent_at, actor)
            checkpoint("a payment handed to its channel stays sent whatever stops the run after it")
            # counted once durable: an interrupted run's audit says what really went out
            if outcome == "sent":
                report.sent += 1
                report.amount_vnd += amount
                report.by_channel[channel] += 1
            elif outcome == "held":
                report.held += 1
            elif outcome == "cancelled":
                report.cancelled += 1
    except Exception:
        rollback()  # the payment that failed half-way, and nothing sent before it
        _audit_pay(period, actor, report, interrupted=True)
        checkpoint("the interrupted run's audit says what went out, although the run fails")
        raise
    db.session.execute(
        update(BenefitSchedule)
        .where(BenefitSchedule.period == str(period))
        .values(executed_at=sent_at, executed_by=actor)
        .execution_options(synchronize_session=False)
    )
    _audit_pay(period, actor, report)
    return report


def _beneficiary_is(condition) -> Any:
    """EXISTS, in an UPDATE of benefit_payments: the row's beneficiary, as committed when the
    statement runs, meets `condition`."""
    return exists().where(Beneficiary.id == BenefitPayment.beneficiary_id, condition)


def _pay_one(
    payment_id: uuid.UUID, period: Period, sent_at: datetime, actor: str
) -> tuple[str | None, str | None, int]:
    """Claim one payment and hand it to its channel, or cancel or hold it. Not committed.

    Returns the outcome ("sent", "held", "cancelled", or None when a concurrent run took it),
    the channel used and the amount. The beneficiary's status is checked inside the claiming
    UPDATE, not read before it: a suspension committed a moment before is seen, and the payment
    is not sent.
    """
    payment = db.session.get(BenefitPayment, payment_id)
    unsent = (BenefitPayment.sent_at.is_(None), BenefitPayment.status == SCHEDULED)
    # active, or ended on or after the month's first day: the enrolment covered some of the month
    payable = or_(
        Beneficiary.status == ACTIVE,
        and_(Beneficiary.status == ENDED, Beneficiary.ends_on >= period.first_day),
    )
    if compare_and_set(payment, *unsent, _beneficiary_is(payable), sent_at=sent_at, updated_at=utcnow()):
        channel = _send(payment, db.session.get(Beneficiary, payment.beneficiary_id))
        return "sent", channel, payment.amount_vnd
    status, ends_on, decision = db.session.execute(
        select(Beneficiary.status, Beneficiary.ends_on, Beneficiary.status_reason).where(
            Beneficiary.id == payment.beneficiary_id
        )
    ).one()
    if status == SUSPENDED:
        return "held", None, 0
    if status != ENDED:
        return None, None, 0  # sent by a concurrent run, or re-enrolled since the claim
    ended_before = and_(
        Beneficiary.status == ENDED,
        or_(Beneficiary.ends_on.is_(None), Beneficiary.ends_on < period.first_day),
    )
    cancel = PAYMENTS["cancel"]
    now = utcnow()
    cancelled = compare_and_set(
        payment,
        *unsent,
        PAYMENTS.from_condition(BenefitPayment.status, cancel),
        _beneficiary_is(ended_before),
        status=cancel.to_status,
        failure_reason=cancel_reason(ends_on or period.first_day - timedelta(days=1), decision),
        settled_at=now,
        settled_by=actor,
        updated_at=now,
    )
    return ("cancelled" if cancelled else None), None, 0


def _audit_pay(period: Period, actor: str, report: PayReport, *, interrupted: bool = False) -> None:
    record_audit(
        "benefit.pay",
        actor=actor,
        target=f"benefit_period:{period}",
        sent=report.sent,
        held=report.held,
        cancelled=report.cancelled,
        by_channel=dict(report.by_channel),
        interrupted=interrupted,
    )


# ---- settling ---------------------------------------------------------------------------------


def get_payment(payment_id: uuid.UUID) -> BenefitPayment:
    payment = db.session.get(BenefitPayment, payment_id)
    if payment is None:
        raise payment_not_found()
    return payment


def _event(payment: BenefitPayment) -> None:
    record_event(
        EVENTS[payment.status],
        aggregate_type="benefit_payment",
        aggregate_id=payment.id,
        recipient=payment.citizen_id,
        payload={
            "payment_id": str(payment.id),
            "programme_code": payment.programme.code,
            "programme": payment.programme.name,
            "period": payment.period,
            "amount_vnd": payment.amount_vnd,
            "amount": format_vnd(payment.amount_vnd),
            "channel": payment.channel,
            "channel_name": CHANNEL_NAMES[payment.channel],
            "status": payment.status,
            "status_name": PAYMENT_STATUS_NAMES[payment.status],
            "reason": payment.failure_reason,
        },
    )


def settle_payment(
    payment_id: uuid.UUID,
    *,
    status: str,
    actor: str,
    reason: str | None = None,
    paid_at: datetime | None = None,
) -> BenefitPayment:
    """The channel's answer for one payment: paid, failed (with a reason) or returned (with one).

    409 for a payment already in that state, a move `workflow.PAYMENTS` does not allow, or a
    payment not yet sent. A cashless payment's wallet payout is settled in the same transaction.
    """
    if status not in SETTLEMENTS:
        raise ValueError(f"not a settlement: {status!r}")
    settlement = PAYMENTS[SETTLEMENTS[status]]
    reason = nfc(reason or "") or None
    if status in (FAILED, RETURNED) and not reason:
        raise ApiError(
            422,
            "reason_required",
            "Hãy ghi rõ lý do chi trả không thành công hoặc bị hoàn trả; lý do được báo cho công dân.",
            errors={"reason": ["Bắt buộc."]},
        )
    payment = get_payment(payment_id)
    current = payment.status
    if current == status:
        raise _already_settled(payment)
    if settlement.name not in PAYMENTS.allowed(current):
        raise ApiError(
            409,
            "illegal_status_change",
            f"Khoản chi trả đang ở trạng thái '{PAYMENT_STATUS_NAMES[current]}', không thể chuyển sang "
            f"'{PAYMENT_STATUS_NAMES[status]}'.",
            payment_status=current,
            status_name=PAYMENT_STATUS_NAMES[current],
        )
    if current == SCHEDULED and payment.sent_at is None:
        raise ApiError(
            409,
            "payment_not_sent",
            f"Khoản chi trả kỳ {payment.period} chưa được chuyển cho kênh chi trả; hãy chi trả kỳ này trước.",
        )
    now = utcnow()
    values: dict[str, Any] = {"status": status, "settled_at": now, "settled_by": actor, "updated_at": now}
    if status == PAID:
        values.update(paid_at=paid_at or now, failure_reason=None)
    else:
        values["failure_reason"] = reason
    # False: another settlement won the race.
    if not compare_and_set(payment, PAYMENTS.from_condition(BenefitPayment.status, settlement), **values):
        raise _already_settled(payment)
    if payment.payout_id is not None:
        payout = wallet.payout_by_id(payment.payout_id)
        if payout is not None:
            wallet.settle_payout(payout, status, reason)
    _event(payment)
    record_audit(
        "benefit.payment_settle",
        actor=actor,
        target=f"benefit_payment:{payment.id}",
        status=status,
        previous=current,
        reason=reason,
    )
    return payment


def _already_settled(payment: BenefitPayment) -> ApiError:
    return ApiError(
        409,
        "payment_already_settled",
        f"Khoản chi trả kỳ {payment.period} đã ở trạng thái '{PAYMENT_STATUS_NAMES[payment.status]}'.",
        payment_status=payment.status,
        status_name=PAYMENT_STATUS_NAMES[payment.status],
    )


# ---- the citizen's own ------------------------------------------------------------------------


@dataclass(frozen=True)
class MyBenefits:
    enrolments: list[Beneficiary]
    latest_payments: list[BenefitPayment]
    e_payment_account_linked: bool

    @property
    def cashless_hint(self) -> str | None:
        if self.e_payment_account_linked or not self.enrolments:
            return None
        return (
            "Liên kết tài khoản thanh toán điện tử trên ứng dụng để nhận trợ cấp không dùng tiền mặt, "
            "không phải đến điểm chi trả."
        )


def my_benefits(citizen_id: uuid.UUID) -> MyBenefits:
    enrolments = db.session.scalars(
        select(Beneficiary).where(Beneficiary.citizen_id == citizen_id).order_by(Beneficiary.starts_on)
    ).all()
    latest = db.session.scalars(my_payments(citizen_id).limit(LATEST_PAYMENTS)).all()
    return MyBenefits(list(enrolments), list(latest), wallet.account_of(citizen_id) is not None)


def my_payments(citizen_id: uuid.UUID, period: Period | None = None) -> Select:
    """The citizen's payments, newest month first."""
    statement = select(BenefitPayment).where(BenefitPayment.citizen_id == citizen_id)
    if period is not None:
        statement = statement.where(BenefitPayment.period == str(period))
    return statement.order_by(
        BenefitPayment.period.desc(), BenefitPayment.planned_on.desc(), BenefitPayment.id
    )


def my_payment(citizen_id: uuid.UUID, payment_id: uuid.UUID) -> BenefitPayment:
    payment = db.session.get(BenefitPayment, payment_id)
    if payment is None or payment.citizen_id != citizen_id:
        raise payment_not_found()
    return payment
