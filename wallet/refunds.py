"""Refunds of succeeded payments, and the receipt a succeeded payment was given."""

from __future__ import annotations

from api.audit import record_audit
from api.concurrency import compare_and_set
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.text import format_vnd
from api.unit_of_work import checkpoint
from wallet.models import SUCCEEDED, Payment, Receipt, Refund
from wallet.payments import provider, update_payment
from wallet.provider import ProviderRejected, ProviderUnavailable
from wallet.workflow import REFUNDS

# ---- refunds ----------------------------------------------------------------------------------------


def refund(
    payment: Payment, *, amount_vnd: int, reason: str, actor: str, expected_version: int | None = None
) -> Refund:
    """Refund part or all of a succeeded payment, as the caller saw it.

    `expected_version` is the payment's version the caller's view was (the route checked its
    If-Match against the payment it read; by default that read). The amount is reserved with one
    conditional UPDATE on that version, so of two refunds asked from the same view only the first
    is taken: the other is 412, never a second reservation.
    """
    version = payment.version if expected_version is None else expected_version
    if payment.status != SUCCEEDED:
        raise ApiError(
            409, "payment_not_refundable", "Chỉ hoàn tiền được cho khoản đã thanh toán thành công."
        )
    if amount_vnd > payment.refundable_vnd:
        raise ApiError(
            422,
            "refund_exceeds_available",
            f"Số tiền hoàn vượt quá số còn có thể hoàn ({format_vnd(payment.refundable_vnd)}).",
            errors={"amount_vnd": [f"Tối đa {payment.refundable_vnd}."]},
            available_vnd=payment.refundable_vnd,
        )
    reserved = compare_and_set(
        payment,
        Payment.version == version,
        Payment.status == SUCCEEDED,
        refunded_vnd=Payment.refunded_vnd + amount_vnd,
        version=version + 1,  # the ORM's optimistic-lock column, moved by hand in a Core UPDATE
    )
    if not reserved:  # another refund (or the provider's answer) changed the payment first
        raise ApiError(
            412,
            "precondition_failed",
            "Khoản thanh toán đã thay đổi (có thể vừa được hoàn tiền). Hãy tải lại rồi thử lại.",
        )
    created = Refund(payment=payment, amount_vnd=amount_vnd, reason=reason, requested_by=actor)
    db.session.add(created)
    record_audit("payment.refund", actor=actor, target=f"payment:{payment.id}", amount_vnd=amount_vnd)
    checkpoint("the refund and its reserved amount are recorded before the provider is asked to pay")
    drive_refund(created)
    return created


def drive_refund(refund_row: Refund) -> None:
    payment = refund_row.payment
    try:
        answer = provider().create_refund(
            payment.provider_payment_id, refund_row.amount_vnd, idempotency_key=f"cds-refund-{refund_row.id}"
        )
    except ProviderUnavailable:
        return  # still pending; reconciliation sends it again with the same key
    except ProviderRejected as exc:
        message = exc.message

        def give_back() -> None:  # the reservation made when the refund was asked for
            payment.refunded_vnd -= refund_row.amount_vnd
            refund_row.status = REFUNDS.next_status("fail", refund_row.status)
            refund_row.failure_message = message

        update_payment(payment, give_back)
        return
    refund_row.provider_refund_id = answer.get("id")
    if answer.get("status") in ("succeeded", "pending", None):
        refund_row.status = REFUNDS.next_status("succeed", refund_row.status)
        record_event(
            "payment.refunded",
            aggregate_type="payment",
            aggregate_id=payment.id,
            payload={
                "amount_vnd": refund_row.amount_vnd,
                "reason": refund_row.reason,
                "purpose": payment.purpose,
            },
            recipient=payment.citizen_id,
        )


def receipt_of(payment: Payment) -> Receipt:
    if payment.receipt is None:
        raise ApiError(
            409,
            "receipt_not_issued",
            "Biên lai chỉ được cấp khi thanh toán thành công.",
            payment_status=payment.status,
        )
    return payment.receipt
