"""Learning the provider's answer later: its webhooks, and the scheduler's jobs that reconcile
payments and refunds left pending and expire payments nobody finished."""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.unit_of_work import rollback
from wallet import webhooks
from wallet.models import (
    CANCELED,
    CREATED,
    EXPIRED,
    FINAL_STATUSES,
    PROCESSING,
    REFUND_PENDING,
    REQUIRES_ACTION,
    Payment,
    ProviderEvent,
    Refund,
)
from wallet.payments import (
    advance,
    apply_intent,
    cancel_at_provider,
    claim,
    drive,
    status_of_intent,
    update_payment,
)
from wallet.provider import ProviderUnavailable
from wallet.refunds import drive_refund
from wallet.workflow import REFUNDS

log = logging.getLogger(__name__)

# ---- webhooks -------------------------------------------------------------------------------------


def handle_webhook(body: bytes, signature_header: str | None) -> str:
    """Apply one provider event at most once; the outcome is "applied", "ignored" or "duplicate".

    The event row and its effect are written together, so a delivery that fails half-way is
    applied on the provider's next attempt, and a repeated delivery finds the row and does
    nothing. The request commits (api/unit_of_work.py); an event about a payment is kept at once,
    as every answer of the provider is (`update_payment`).
    """
    config = current_app.config
    event = webhooks.verified_event(
        body, signature_header, config["PAYMENT_WEBHOOK_SECRET"], config["PAYMENT_WEBHOOK_TOLERANCE_SECONDS"]
    )
    try:
        return _apply_event(event)
    except IntegrityError:  # the same event, delivered twice at once: the other one applied it
        rollback()
        return "duplicate"


def _apply_event(event: dict[str, Any]) -> str:
    event_id, event_type = event["id"], event["type"]
    if db.session.get(ProviderEvent, event_id) is not None:
        return "duplicate"
    subject = event["data"]["object"]
    payment = _payment_of_intent(subject) if event_type.startswith("payment_intent.") else None

    def apply() -> None:
        if payment is not None:
            payment.provider_payment_id = payment.provider_payment_id or subject["id"]
            apply_intent(payment, subject)
        db.session.add(
            ProviderEvent(
                id=event_id,
                event_type=event_type,
                object_id=subject.get("id"),
                outcome="applied" if payment is not None else "ignored",
            )
        )

    if payment is None:
        with db.session.begin_nested():  # written now: a second delivery racing this one fails here
            apply()
        return "ignored"
    update_payment(payment, apply)
    return "applied"


def _payment_of_intent(intent: dict[str, Any]) -> Payment | None:
    payment = db.session.scalar(select(Payment).where(Payment.provider_payment_id == intent.get("id")))
    if payment is not None:
        return payment
    # The intent was created but the request died before storing its id: find it by metadata,
    # unless that payment is already tied to another intent.
    try:
        payment = db.session.get(Payment, uuid.UUID((intent.get("metadata") or {}).get("payment_id", "")))
    except ValueError:
        return None
    return payment if payment is not None and payment.provider_payment_id is None else None


# ---- reconciliation and expiry (scheduler jobs) -----------------------------------------------------


# Reconciliation leaves alone what a live request may still be driving.
RECONCILE_AFTER = timedelta(seconds=30)


@dataclass
class ReconcileReport:
    checked: int = 0
    settled: int = 0
    still_pending: int = 0
    refunds_settled: int = 0


def reconcile(now: datetime | None = None) -> ReconcileReport:
    """Ask the provider about payments that a lost answer left in `processing` or waiting for 3-D
    Secure, and about refunds left pending; settle what it knows."""
    now = now or utcnow()
    report = ReconcileReport()
    stuck = db.session.scalars(
        select(Payment.id).where(
            Payment.status.in_((PROCESSING, REQUIRES_ACTION)), Payment.updated_at < now - RECONCILE_AFTER
        )
    ).all()
    for payment_id in stuck:
        payment = db.session.get(Payment, payment_id)
        report.checked += 1
        if claim(payment):  # else a live request is driving it right now
            # Declined (now failed) or the provider still down (still processing): the status says.
            with contextlib.suppress(ApiError):
                drive(payment)
        if payment.status in FINAL_STATUSES:
            report.settled += 1
        else:
            report.still_pending += 1
    for refund_id in db.session.scalars(
        select(Refund.id).where(
            REFUNDS.from_condition(Refund.status, "succeed"), Refund.updated_at < now - RECONCILE_AFTER
        )
    ).all():
        refund = db.session.get(Refund, refund_id)
        try:
            # One savepoint each: a refund that cannot be settled now does not undo the others.
            with db.session.begin_nested():
                drive_refund(refund)
        except Exception:
            log.exception(
                "refund %s: not settled by this reconciliation; the next one tries again", refund_id
            )
            continue
        report.refunds_settled += refund.status != REFUND_PENDING
    return report


def expire_stale(now: datetime | None = None) -> int:
    """Close payments nobody finished within 90 minutes; cancel their intent at the provider."""
    now = now or utcnow()
    expired = 0
    for payment_id in db.session.scalars(
        select(Payment.id).where(Payment.status.in_((CREATED, REQUIRES_ACTION)), Payment.expires_at < now)
    ).all():
        payment = db.session.get(Payment, payment_id)
        if not claim(payment):
            continue  # a live request is paying it right now
        try:
            intent = cancel_at_provider(payment) if payment.provider_payment_id else None
        except ProviderUnavailable:
            update_payment(payment, lambda: None, release=True)  # leave it open for the next run
            continue

        def close(intent=intent, payment=payment) -> None:
            if intent and status_of_intent(intent) != CANCELED:
                apply_intent(payment, intent)
            if payment.status in (CREATED, REQUIRES_ACTION):
                advance(payment, EXPIRED)

        update_payment(payment, close, release=True)
        expired += payment.status == EXPIRED
    return expired
