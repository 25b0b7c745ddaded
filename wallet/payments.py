"""Paying: charge what a domain says is owed, never twice, never into limbo.

Every payment is written to the database *before* the provider is called, and the provider is
called with idempotency keys derived from the payment's id. Whatever breaks in between (the
provider down, a timeout, a worker killed), the payment exists and says where it stands:

- `created`: nothing charged yet;
- `processing`: the provider may have it; the outcome is unknown or pending. Reconciliation
  (`reconcile`, a scheduler job) asks the provider and settles it; a retry of the citizen's
  request resumes it in the same way (`_drive`);
- `requires_action`: the app finishes it with Stripe.js and the intent's client secret: the card
  asks for 3-D Secure, or the citizen pays by card in the app (`card_in_app`: the intent is
  created without a card and `stripe.confirmCardPayment` confirms it with the card typed there);
  the webhook or the app's refresh (`refresh_payment`) settles it;
- then exactly one of `succeeded`, `failed`, `canceled`, `expired`.

Four paths learn the provider's answer (the citizen's request, the app's refresh, the webhook,
reconciliation), and all apply it through `_apply_intent`, which only moves forward: a late or
repeated webhook cannot take a succeeded payment back, and a payment succeeds (receipt, domain
hook, event) once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from flask import current_app
from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.sequences import next_sequence
from api.text import format_vnd
from api.unit_of_work import checkpoint, rollback
from api.workdays import VIETNAM
from wallet.models import (
    CANCELED,
    CREATED,
    DEFAULT_DECLINE,
    EXPIRED,
    FAILED,
    FINAL_STATUSES,
    OPEN_STATUSES,
    PROCESSING,
    REQUIRES_ACTION,
    STATUS_LABELS,
    SUCCEEDED,
    Payment,
    PaymentAccount,
    Receipt,
)
from wallet.payables import Payable, payable_kind
from wallet.provider import PaymentProvider, ProviderRejected, ProviderSettings, ProviderUnavailable
from wallet.workflow import PAYMENTS

log = logging.getLogger(__name__)

PAYMENT_TTL = timedelta(minutes=90)
# How long one request or job may hold a payment (longer than the provider's timeouts × attempts).
DRIVE_LEASE = timedelta(seconds=60)
UPDATE_ATTEMPTS = 5

# How the citizen pays (`POST /me/payments`, `method`): the API confirms with a saved card or the
# linked account, or the app confirms with the card typed into Stripe.js's card field.
PAY_WITH_PAYMENT_METHOD = "payment_method"
CARD_IN_APP = "card_in_app"
PAYMENT_MODES = (PAY_WITH_PAYMENT_METHOD, CARD_IN_APP)
# The intent states in which whoever holds its client secret can still pay it with a card.
_CONFIRMABLE_INTENT = ("requires_payment_method", "requires_confirmation", "requires_action")


# ---- the provider, one client per app ------------------------------------------------------------


def provider() -> PaymentProvider:
    client = current_app.extensions.get("payment_provider")
    if client is None:
        client = PaymentProvider(ProviderSettings.from_config(current_app.config))
        current_app.extensions["payment_provider"] = client
    return client


def provider_unavailable(payment: Payment | None = None) -> ApiError:
    extra = {"payment_id": str(payment.id), "payment_status": payment.status} if payment else {}
    return ApiError(
        503,
        "payment_provider_unavailable",
        "Cổng thanh toán tạm thời không phản hồi. "
        + (
            "Giao dịch của bạn đang chờ xác nhận và sẽ được tự động đối soát; bạn không bị trừ "
            "tiền hai lần. Hãy xem lại trạng thái sau ít phút."
            if payment
            else "Vui lòng thử lại sau ít phút."
        ),
        headers={"Retry-After": "30"},
        **extra,
    )


def readiness() -> tuple[str, str]:
    """The provider for /ready: reported, never blocking (a payment made while it is down waits)."""
    url = current_app.config["PAYMENT_API_URL"]
    try:
        httpx.get(
            f"{url.rstrip('/')}/v1/balance", auth=(current_app.config["PAYMENT_SECRET_KEY"], ""), timeout=1.0
        )
        return "ok", url
    except httpx.HTTPError:
        return "down", "không kết nối được cổng thanh toán; giao dịch mới chờ đối soát khi cổng hoạt động lại"


# ---- paying ---------------------------------------------------------------------------------------


def pay(
    citizen_id: uuid.UUID,
    *,
    purpose: str,
    reference: str,
    amount_vnd: int,
    payment_method: str | None,
    card_in_app: bool = False,
) -> Payment:
    """Charge what `purpose`/`reference` owes, or resume the payment already under way for it.

    With `card_in_app` nothing is charged here: the payment waits in `requires_action` with its
    intent's client secret, for the app to confirm it with Stripe.js and then refresh it.
    """
    payable = payable_kind(purpose).resolve(citizen_id, reference)
    if amount_vnd != payable.amount_vnd:
        raise ApiError(
            409,
            "amount_mismatch",
            f"Số tiền cần nộp là {format_vnd(payable.amount_vnd)}, khác số tiền bạn gửi "
            f"({format_vnd(amount_vnd)}). Hãy tải lại thông tin rồi thử lại.",
            amount_due_vnd=payable.amount_vnd,
        )
    payment = _live_payment(purpose, payable.reference)
    if payment is not None and payment.status == SUCCEEDED:
        raise ApiError(409, "already_paid", "Khoản này đã được thanh toán.", payment_id=str(payment.id))
    if payment is not None and payment.status == REQUIRES_ACTION:
        # The app finishes it with the client secret it already has (Stripe.js: confirmCardPayment
        # with the card typed in the app replaces a card that asked for 3-D Secure).
        return payment
    if card_in_app and (payment is None or payment.status == CREATED):
        payment = payment or _open_payment(payable)
        if not claim(payment):
            raise payment_in_progress()
        _await_card_in_app(payment)
        return payment
    # Otherwise a payment already `processing` is resumed as it is, whatever the app now offers.
    method = None
    if payment is None or payment.status == CREATED:
        method = payment_method or _linked_method(citizen_id)
        if method is None:
            raise ApiError(
                422,
                "payment_method_required",
                "Hãy chọn thẻ hoặc tài khoản thanh toán, hoặc liên kết tài khoản thanh toán điện tử "
                "trong mục Tài khoản của tôi.",
                errors={"payment_method": ["Bắt buộc khi chưa liên kết tài khoản thanh toán."]},
            )
        payment = payment or _open_payment(payable)
    if not claim(payment, method):
        raise payment_in_progress()
    drive(payment)
    return payment


def payment_in_progress() -> ApiError:
    return ApiError(
        409,
        "payment_in_progress",
        "Khoản này đang được thanh toán từ một yêu cầu khác. Hãy xem lại trạng thái sau ít giây.",
    )


def request_payment(payable: Payable) -> Payment:
    """Open a payment for what a domain now asks the citizen to pay (a dossier in status 6).

    Added to the caller's unit of work: the demand and the dossier's move are one change. An
    open payment for the same payable is returned as it is.
    """
    return _live_payment(payable.purpose, payable.reference) or _open_payment(payable, at_once=False)


def _open_payment(payable: Payable, *, at_once: bool = True) -> Payment:
    """A new payment for `payable`. `at_once`: written now (a savepoint), so that a parallel
    request that opened the one live payment first is a 409 here; `claim` then makes it durable
    before the provider is called."""
    payment = Payment(
        citizen_id=payable.citizen_id,
        purpose=payable.purpose,
        reference=payable.reference,
        description=payable.description,
        amount_vnd=payable.amount_vnd,
        status=CREATED,
        expires_at=utcnow() + PAYMENT_TTL,
    )
    if not at_once:
        db.session.add(payment)
        return payment
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:  # a parallel request opened the one live payment first
        raise payment_in_progress() from None
    return payment


def _live_payment(purpose: str, reference: str) -> Payment | None:
    return db.session.scalar(
        select(Payment).where(
            Payment.purpose == purpose,
            Payment.reference == reference,
            Payment.status.in_((*OPEN_STATUSES, SUCCEEDED)),
        )
    )


def claim(payment: Payment, payment_method: str | None = None) -> bool:
    """Take the payment for one request or job, or False when another one holds it.

    Only the holder talks to the provider about this payment, so two requests (different keys,
    two devices) can never create two intents for it. The lease ends with `drive`; a holder
    that crashed loses it after `DRIVE_LEASE`.
    """
    now = utcnow()
    values: dict[str, Any] = {"driving_until": now + DRIVE_LEASE, "version": Payment.version + 1}
    if payment_method is not None:
        values["payment_method"] = payment_method
    claimed = db.session.execute(
        update(Payment)
        .where(
            Payment.id == payment.id,
            Payment.status.in_(OPEN_STATUSES),
            or_(Payment.driving_until.is_(None), Payment.driving_until < now),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    checkpoint("the lease, and the payment it holds, are durable before the provider is called")
    db.session.refresh(payment)
    return claimed == 1


def drive(payment: Payment) -> None:
    """Take a claimed payment as far as the provider lets it go now; keep what is learnt and
    release the claim.

    Raises the 503 problem when the provider cannot be reached (the payment is then
    `processing`, for reconciliation) and the 402 problem when it declines.
    """
    client = provider()
    try:
        if payment.provider_payment_id is None:
            intent = client.create_payment_intent(
                payment.amount_vnd,
                customer=_customer_for(payment),
                payment_method=payment.payment_method,
                metadata=_intent_metadata(payment),
                idempotency_key=f"cds-payment-{payment.id}-create",
            )
            update_payment(payment, lambda: _record_intent(payment, intent))
        else:
            intent = client.retrieve_payment_intent(payment.provider_payment_id)
        if intent.get("status") == "requires_confirmation":
            intent = client.confirm_payment_intent(
                payment.provider_payment_id, idempotency_key=f"cds-payment-{payment.id}-confirm"
            )
    except ProviderUnavailable:
        # It may have reached the provider: the outcome is unknown until reconciliation asks.
        update_payment(
            payment,
            lambda: advance(payment, PROCESSING) if payment.status == CREATED else None,
            release=True,
        )
        raise provider_unavailable(payment) from None
    except ProviderRejected as exc:
        code, message = exc.code or exc.error_type, exc.message
        update_payment(
            payment,
            lambda: advance(payment, FAILED, failure_code=code, failure_message=message),
            release=True,
        )
        raise declined(payment) from None
    update_payment(payment, lambda: apply_intent(payment, intent), release=True)
    if payment.status == FAILED:
        raise declined(payment)


def _await_card_in_app(payment: Payment) -> None:
    """Give a claimed payment an intent without a card, for the app to confirm with Stripe.js;
    move it to `requires_action`, keep that and release the claim.

    Raises the 503 problem when the provider cannot be reached: the payment stays `created`
    (nothing can be charged before the app has the client secret), and a retry creates the same
    intent (same idempotency key).
    """
    try:
        if payment.provider_payment_id is None:
            intent = provider().create_payment_intent(
                payment.amount_vnd,
                payment_method_types=["card"],
                metadata=_intent_metadata(payment),
                # Not the key of a server-confirmed attempt of this payment: Stripe refuses a key
                # sent again with other parameters.
                idempotency_key=f"cds-payment-{payment.id}-create-card-in-app",
            )
        else:  # an attempt that stopped before being confirmed: the app confirms that intent
            intent = provider().retrieve_payment_intent(payment.provider_payment_id)
    except ProviderUnavailable:
        update_payment(payment, lambda: None, release=True)
        raise provider_unavailable() from None
    except ProviderRejected as exc:
        code, message = exc.code or exc.error_type, exc.message
        update_payment(
            payment,
            lambda: advance(payment, FAILED, failure_code=code, failure_message=message),
            release=True,
        )
        raise declined(payment) from None

    def wait_for_the_card() -> None:
        _record_intent(payment, intent)
        payment.payment_method = None  # the card is chosen in the app; the provider will know it
        apply_intent(payment, intent)
        if payment.status == CREATED:
            advance(payment, REQUIRES_ACTION)

    update_payment(payment, wait_for_the_card, release=True)
    if payment.status == FAILED:
        raise declined(payment)


def _intent_metadata(payment: Payment) -> dict[str, str]:
    # The payment's id lets a webhook find a payment whose request died before storing the intent.
    return {"payment_id": str(payment.id), "purpose": payment.purpose, "reference": payment.reference}


def _record_intent(payment: Payment, intent: dict[str, Any]) -> None:
    payment.provider_payment_id = intent["id"]
    payment.client_secret = intent.get("client_secret")


def update_payment(payment: Payment, change: Callable[[], Any], *, release: bool = False) -> None:
    """Apply `change` to the payment as it is now in the database, and make it durable at once.

    Durable at once (a checkpoint) because it is what the provider said about money: it must stay
    when the request then answers 402 or 503, and the row's lock must not be held while the
    provider is called again. The row is re-read under a lock (PostgreSQL) and written with its
    version (everywhere), so a webhook, reconciliation and the citizen's request settling one
    payment at once cannot both win: the loser's write fails, and it applies its change again on
    the winner's state. `advance` only moves forward, so applying again is safe. `release` ends
    the claim.
    """
    for _ in range(UPDATE_ATTEMPTS):
        db.session.refresh(payment, with_for_update=True)
        change()
        if release:
            payment.driving_until = None
        try:
            checkpoint("the provider's answer about money is kept, whatever the request answers")
            return
        except StaleDataError:
            rollback()
    raise RuntimeError(f"payment {payment.id}: still contended after {UPDATE_ATTEMPTS} attempts")


def declined(payment: Payment) -> ApiError:
    return ApiError(
        402,
        "payment_declined",
        payment.failure_reason or DEFAULT_DECLINE,
        payment_id=str(payment.id),
        payment_status=payment.status,
    )


def _customer_for(payment: Payment) -> str | None:
    account = db.session.get(PaymentAccount, payment.citizen_id)
    if account is not None and account.payment_method == payment.payment_method:
        return account.provider_customer_id
    return None


def _linked_method(citizen_id: uuid.UUID) -> str | None:
    account = db.session.get(PaymentAccount, citizen_id)
    return account.payment_method if account else None


# ---- applying what the provider says ----------------------------------------------------------


def status_of_intent(intent: dict[str, Any]) -> str:
    """The wallet's status for a Stripe PaymentIntent."""
    status = intent.get("status")
    if status == "succeeded":
        return SUCCEEDED
    if status == "canceled":
        return CANCELED
    if status == "requires_action":
        return REQUIRES_ACTION
    if status in ("processing", "requires_capture"):
        return PROCESSING
    if status == "requires_payment_method" and intent.get("last_payment_error"):
        return FAILED  # the charge was declined; a new attempt is a new payment
    return CREATED  # requires_payment_method / requires_confirmation: nothing charged


def apply_intent(payment: Payment, intent: dict[str, Any]) -> bool:
    error = intent.get("last_payment_error") or {}
    if intent.get("client_secret"):
        payment.client_secret = intent["client_secret"]
    return advance(
        payment,
        status_of_intent(intent),
        failure_code=error.get("code"),
        failure_message=error.get("message"),
    )


def advance(
    payment: Payment, new: str, *, failure_code: str | None = None, failure_message: str | None = None
) -> bool:
    """Move the payment forward (never back: the moves of `workflow.PAYMENTS`); settle it on
    success. True when it moved."""
    if PAYMENTS.move_to(payment.status, new) is None:
        return False
    previous, payment.status = payment.status, new
    if new == FAILED:
        payment.failure_code, payment.failure_message = failure_code, failure_message
    if new == SUCCEEDED:
        if previous in FINAL_STATUSES:
            log.warning("payment %s succeeded at the provider after being %s", payment.id, previous)
        _settle(payment)
    if new in FINAL_STATUSES or new == REQUIRES_ACTION:
        record_event(
            f"payment.{new}",
            aggregate_type="payment",
            aggregate_id=payment.id,
            payload={
                "purpose": payment.purpose,
                "reference": payment.reference,
                "amount_vnd": payment.amount_vnd,
                "status": new,
                "status_label": STATUS_LABELS[new],
            },
            recipient=payment.citizen_id,
        )
    return True


def _settle(payment: Payment) -> None:
    """The money is in: receipt, the owing domain's hook, in the same transaction."""
    now = utcnow()
    payment.succeeded_at = now
    citizen = citizens.get_citizen(payment.citizen_id)
    year = now.astimezone(VIETNAM).year
    db.session.add(
        Receipt(
            number=f"BL-{year}-{next_sequence(f'BL-{year}'):07d}",
            payment_id=payment.id,
            payer_name=citizen.full_name if citizen else "",
            description=payment.description,
            amount_vnd=payment.amount_vnd,
            issued_at=now,
        )
    )
    payable_kind(payment.purpose).on_succeeded(payment.reference, payment.id)


# ---- the app's refresh, after Stripe.js ------------------------------------------------------------


def refresh_payment(citizen_id: uuid.UUID, payment_id: uuid.UUID) -> Payment:
    """Ask the provider how the citizen's payment stands and apply it, as the webhook would.

    The app calls it when `stripe.confirmCardPayment` has resolved, so the citizen sees the
    outcome at once instead of waiting for the webhook; the two may come in either order and
    settle the payment once (`apply_intent` only moves forward, `update_payment` serialises them).
    A payment the provider has finished with is answered as it is.

    A failed payment's intent is cancelled at the provider when it could still be paid: the
    app (or anyone who kept its client secret) could otherwise confirm it with another card
    after the citizen has paid the same thing again with a new payment.
    """
    payment = citizen_payment(citizen_id, payment_id)
    if payment.provider_payment_id is None or payment.status in (SUCCEEDED, CANCELED, EXPIRED):
        return payment
    try:
        intent = provider().retrieve_payment_intent(payment.provider_payment_id)
        update_payment(payment, lambda: apply_intent(payment, intent))
        if payment.status == FAILED and intent.get("status") in _CONFIRMABLE_INTENT:
            closed = cancel_at_provider(payment)  # or, if paid meanwhile, the intent as it is now
            update_payment(payment, lambda: apply_intent(payment, closed))
    except ProviderUnavailable:
        raise provider_unavailable(payment if payment.status in OPEN_STATUSES else None) from None
    except ProviderRejected as exc:  # an intent the provider does not know: our configuration
        log.error("payment %s: the provider refused to show its intent: %s", payment.id, exc)
        raise provider_unavailable(payment if payment.status in OPEN_STATUSES else None) from None
    return payment


def cancel_at_provider(payment: Payment) -> dict[str, Any]:
    """Cancel the intent so it can no longer be paid behind our back. If the provider refuses, the
    intent has moved on (paid, most likely): its current state is returned instead."""
    try:
        return provider().cancel_payment_intent(
            payment.provider_payment_id, idempotency_key=f"cds-payment-{payment.id}-cancel"
        )
    except ProviderRejected:
        return provider().retrieve_payment_intent(payment.provider_payment_id)


# ---- reading ----------------------------------------------------------------------------------------


def citizen_payments(citizen_id: uuid.UUID) -> Select:
    return select(Payment).where(Payment.citizen_id == citizen_id).order_by(Payment.created_at.desc())


def citizen_payment(citizen_id: uuid.UUID, payment_id: uuid.UUID) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.citizen_id != citizen_id:
        raise payment_not_found()
    return payment


def staff_payment(payment_id: uuid.UUID) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise payment_not_found()
    return payment


def payment_not_found() -> ApiError:
    return ApiError(404, "payment_not_found", "Không tìm thấy khoản thanh toán.")
