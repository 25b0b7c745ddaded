"""The wallet's tables: payments and their receipts and refunds, e-payment accounts, payouts, and
the provider's webhook events already handled.

Money is whole đồng in integers. A payment's life:

    created ─► requires_action ─► processing ─► succeeded | failed | canceled | expired
       └──────────────┴──────────────┴──► (any of the four ends)

`requires_action` means the app must finish the payment with the intent's client secret
(Stripe.js): a 3-D Secure check, or, for a card payment made in the app (`card_in_app`), the card
itself. Only `processing` may wait indefinitely (the provider holds the answer: reconciliation
asks it); `created` and `requires_action` expire after 90 minutes.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

CREATED = "created"
REQUIRES_ACTION = "requires_action"
PROCESSING = "processing"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELED = "canceled"
EXPIRED = "expired"
PAYMENT_STATUSES = (CREATED, REQUIRES_ACTION, PROCESSING, SUCCEEDED, FAILED, CANCELED, EXPIRED)
OPEN_STATUSES = (CREATED, REQUIRES_ACTION, PROCESSING)
FINAL_STATUSES = (SUCCEEDED, FAILED, CANCELED, EXPIRED)
# At most one payment per payable may be open or succeeded: a second tap, a second device or a
# second idempotency key cannot charge a fine twice.
LIVE_STATUSES_SQL = "status IN ('created', 'requires_action', 'processing', 'succeeded')"

STATUS_LABELS = {
    CREATED: "Chờ thanh toán",
    REQUIRES_ACTION: "Chờ hoàn tất thanh toán",  # the card or its 3-D Secure check, in the app
    PROCESSING: "Đang xử lý",
    SUCCEEDED: "Thanh toán thành công",
    FAILED: "Thanh toán không thành công",
    CANCELED: "Đã huỷ",
    EXPIRED: "Quá hạn thanh toán",
}

# Provider decline codes, in words a citizen understands (the provider's own message is English,
# kept in `failure_message` for staff).
DECLINE_MESSAGES = {
    "card_declined": "Ngân hàng phát hành thẻ đã từ chối giao dịch.",
    "insufficient_funds": "Tài khoản không đủ số dư.",
    "expired_card": "Thẻ đã hết hạn.",
    "incorrect_cvc": "Mã CVC không đúng.",
    "payment_intent_authentication_failure": "Xác thực giao dịch (3-D Secure) không thành công.",
}
DEFAULT_DECLINE = "Giao dịch không thành công. Hãy thử lại hoặc dùng phương thức thanh toán khác."


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        Index(
            "uq_payments_live_payable",
            "purpose",
            "reference",
            unique=True,
            sqlite_where=text(LIVE_STATUSES_SQL),
            postgresql_where=text(LIVE_STATUSES_SQL),
        ),
        # Reconciliation and expiry read the open payments, oldest first.
        Index(
            "ix_payments_open",
            "status",
            "updated_at",
            sqlite_where=text("status IN ('created', 'requires_action', 'processing')"),
            postgresql_where=text("status IN ('created', 'requires_action', 'processing')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(24))  # a registered payable kind: wallet/payables.py
    reference: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="vnd")
    status: Mapped[str] = mapped_column(String(16), default=CREATED)
    # The payment method charged (pm_…) and the provider's PaymentIntent (pi_…), once created.
    payment_method: Mapped[str | None] = mapped_column(String(64))
    provider_payment_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # What the app needs to finish a `requires_action` payment with Stripe.js (the card typed in
    # the app, or 3-D Secure): the intent's secret, shown to the paying citizen only.
    client_secret: Mapped[str | None] = mapped_column(String(128))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    refunded_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    # Held by the one request or job talking to the provider about this payment (service._claim).
    driving_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: a webhook, the citizen's request and reconciliation may settle the
    # same payment at once; only one of them wins, and a refund against a stale view fails.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    receipt: Mapped[Receipt | None] = relationship(back_populates="payment", uselist=False)
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.created_at")

    @property
    def refundable_vnd(self) -> int:
        return self.amount_vnd - self.refunded_vnd if self.status == SUCCEEDED else 0

    @property
    def failure_reason(self) -> str | None:
        """Why a failed payment failed, in Vietnamese, for the citizen."""
        if self.status != FAILED:
            return None
        return DECLINE_MESSAGES.get(self.failure_code or "", DEFAULT_DECLINE)


class Receipt(db.Model):
    """Biên lai điện tử: issued once, when a payment succeeds; its number is never reused."""

    __tablename__ = "receipts"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("payments.id"), unique=True)
    payer_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="receipt")


REFUND_PENDING, REFUND_SUCCEEDED, REFUND_FAILED = "pending", "succeeded", "failed"


class Refund(db.Model):
    __tablename__ = "refunds"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    payment_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("payments.id"), index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=REFUND_PENDING)
    provider_refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    failure_message: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))  # "staff:<uuid>"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class PaymentAccount(db.Model):
    """The citizen's linked e-payment account (one of the four digital-citizen assets, M23)."""

    __tablename__ = "payment_accounts"

    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), primary_key=True)
    provider_customer_id: Mapped[str] = mapped_column(String(64), unique=True)
    payment_method: Mapped[str | None] = mapped_column(String(64))
    brand: Mapped[str | None] = mapped_column(String(32))
    last4: Mapped[str | None] = mapped_column(String(4))
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


PAYOUT_PENDING, PAYOUT_PAID, PAYOUT_FAILED, PAYOUT_RETURNED = "pending", "paid", "failed", "returned"
PAYOUT_STATUSES = (PAYOUT_PENDING, PAYOUT_PAID, PAYOUT_FAILED, PAYOUT_RETURNED)
PAYOUT_STATUS_LABELS = {
    PAYOUT_PENDING: "Đang chuyển",
    PAYOUT_PAID: "Đã nhận",
    PAYOUT_FAILED: "Chưa chuyển được",
    PAYOUT_RETURNED: "Bị hoàn lại",
}


class Payout(db.Model):
    """Money paid *to* a citizen (social benefits), recorded with its status."""

    __tablename__ = "payouts"
    __table_args__ = (UniqueConstraint("purpose", "reference"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(24))  # "benefit"
    reference: Mapped[str] = mapped_column(String(64))  # the paying domain's id: one payout each
    description: Mapped[str] = mapped_column(Text)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    # Where the money goes: the linked account as it was when the payout was made.
    destination: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=PAYOUT_PENDING)
    failure_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProviderEvent(db.Model):
    """A webhook event already applied: the provider delivers at least once, we apply at most once."""

    __tablename__ = "payment_provider_events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the provider's evt_…
    event_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(32))  # "applied" | "ignored"
