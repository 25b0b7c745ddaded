"""Refunds of succeeded payments, and the receipt a succeeded payment was given."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from api.audit import record_audit
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.text import format_vnd
from wallet.models import REFUND_FAILED, REFUND_SUCCEEDED, SUCCEEDED, Payment, Receipt, Refund
from wallet.payments import provider, update_payment
from wallet.provider import ProviderRejected, ProviderUnavailable

# ---- refunds ----------------------------------------------------------------------------------------


def refund(
    payment: Payment, *, amount_vnd: int, reason: str, actor: str, expected_version: int | None
) -> Refund:
    """Refund part or all of a succeeded payment; the If-Match version guards against a stale view."""
    db.session.refresh(payment, with_for_update=True)
    if expected_version is None:
        raise ApiError(428, "precondition_required", "Hãy gửi kèm If-Match với ETag của khoản thanh toán.")
    if expected_version != payment.version:
        raise ApiError(
            412,
            "precondition_failed",
            "Khoản thanh toán đã thay đổi (có thể vừa được hoàn tiền). Hãy tải lại rồi thử lại.",
        )
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
    # Reserve the amount now: the version moves, so a second refund from the same view gets 412.
    payment.refunded_vnd += amount_vnd
    created = Refund(payment=payment, amount_vnd=amount_vnd, reason=reason, requested_by=actor)
    db.session.add(created)
    record_audit("payment.refund", actor=actor, target=f"payment:{payment.id}", amount_vnd=amount_vnd)
    try:
        db.session.commit()
    except StaleDataError:  # another refund from the same view committed first
        db.session.rollback()
        raise ApiError(
            412, "precondition_failed", "Khoản thanh toán vừa được hoàn tiền bởi thao tác khác. Hãy tải lại."
        ) from None
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
            refund_row.status, refund_row.failure_message = REFUND_FAILED, message

        update_payment(payment, give_back)
        return
    refund_row.provider_refund_id = answer.get("id")
    if answer.get("status") in ("succeeded", "pending", None):
        refund_row.status = REFUND_SUCCEEDED
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
    db.session.commit()


def receipt_of(payment: Payment) -> Receipt:
    if payment.receipt is None:
        raise ApiError(
            409,
            "receipt_not_issued",
            "Biên lai chỉ được cấp khi thanh toán thành công.",
            payment_status=payment.status,
        )
    return payment.receipt
