"""Payouts: social benefits paid to the citizen's linked e-payment account."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from api.dbtypes import utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from wallet.accounts import account_of
from wallet.models import PAYOUT_FAILED, PAYOUT_PAID, PAYOUT_PENDING, PAYOUT_RETURNED, Payout
from wallet.workflow import PAYOUTS

# ---- payouts (social benefits paid to the citizen) ------------------------------------------------


def record_payout(
    citizen_id: uuid.UUID, *, amount_vnd: int, purpose: str, reference: str, description: str
) -> Payout:
    """Record money to be paid to the citizen's linked account; once per (purpose, reference).

    In the caller's unit of work: the paying domain's own change (the benefit payment) is written
    with it.
    """
    if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
        raise ValueError(f"payout must be a positive whole number of đồng, got {amount_vnd!r}")
    existing = db.session.scalar(
        select(Payout).where(Payout.purpose == purpose, Payout.reference == reference)
    )
    if existing is not None:
        return existing
    account = account_of(citizen_id)
    if account is None:
        raise ApiError(
            409,
            "payment_account_not_linked",
            "Công dân chưa liên kết tài khoản thanh toán điện tử; hãy chi trả qua kênh khác.",
        )
    payout = Payout(
        citizen_id=citizen_id,
        purpose=purpose,
        reference=reference,
        description=description,
        amount_vnd=amount_vnd,
        destination=account.payment_method,
        status=PAYOUT_PENDING,
    )
    db.session.add(payout)
    return payout


def settle_payout(payout: Payout, status: str, failure_message: str | None = None) -> Payout:
    """The channel's answer: paid, failed or returned, along `workflow.PAYOUTS` (the same answer
    twice changes nothing). In the caller's unit of work: the benefit payment's settlement."""
    if status not in (PAYOUT_PAID, PAYOUT_FAILED, PAYOUT_RETURNED):
        raise ValueError(f"unknown payout status {status!r}")
    if payout.status == status:
        return payout
    settlement = PAYOUTS.move_to(payout.status, status)
    if settlement is None:
        raise ValueError(f"payout {payout.id}: no move from {payout.status!r} to {status!r}")
    payout.status, payout.failure_message, payout.settled_at = settlement.to_status, failure_message, utcnow()
    record_event(
        f"payout.{status}",
        aggregate_type="payout",
        aggregate_id=payout.id,
        payload={
            "amount_vnd": payout.amount_vnd,
            "purpose": payout.purpose,
            "description": payout.description,
        },
        recipient=payout.citizen_id,
    )
    return payout


def citizen_payouts(citizen_id: uuid.UUID) -> Select:
    return select(Payout).where(Payout.citizen_id == citizen_id).order_by(Payout.created_at.desc())


def payout_by_id(payout_id: uuid.UUID) -> Payout | None:
    """One payout, for the paying domain to settle it with `settle_payout` (benefits)."""
    return db.session.get(Payout, payout_id)
