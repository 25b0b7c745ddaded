"""What the wallet's endpoints take and return."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.fields import AmountVnd, VietnamDateTime, computed
from api.text import format_vnd
from wallet.models import PAYOUT_STATUSES, REQUIRES_ACTION, STATUS_LABELS

# Stripe's ids of what the app's card form (Stripe.js) creates on the phone, and its test-mode
# ids of the test cards (`pm_card_visa` is 4242 4242 4242 4242), which localstripe knows too.
_PAYMENT_METHOD = validate.Regexp(
    r"^(pm|card|src)_[A-Za-z0-9][A-Za-z0-9_]{5,59}$", error="Mã phương thức thanh toán không hợp lệ."
)


class PayRequestSchema(Schema):
    purpose = fields.String(
        required=True,
        validate=validate.Length(min=1, max=24),
        metadata={"description": "loại khoản: `fine` (tiền phạt), `dossier_fee` (phí, lệ phí hồ sơ)"},
    )
    reference = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "mã khoản cần nộp: id quyết định phạt, mã hồ sơ"},
    )
    amount_vnd = AmountVnd(
        required=True, metadata={"description": "số tiền công dân thấy và đồng ý nộp; phải đúng số phải nộp"}
    )
    payment_method = fields.String(
        validate=_PAYMENT_METHOD,
        metadata={"description": "phương thức thanh toán (pm_…); mặc định tài khoản đã liên kết"},
    )


class PaymentSchema(Schema):
    id = fields.UUID()
    purpose = fields.String()
    reference = fields.String()
    description = fields.String()
    amount_vnd = fields.Integer()
    currency = fields.String()
    status = fields.String(
        metadata={"description": "created, requires_action, processing, succeeded, failed, canceled, expired"}
    )
    status_label = computed(lambda payment: STATUS_LABELS[payment.status], fields.String())
    client_secret = computed(
        lambda payment: payment.client_secret if payment.status == REQUIRES_ACTION else None,
        fields.String(allow_none=True),
        metadata={"description": "chỉ khi cần xác thực 3-D Secure trong ứng dụng"},
    )
    failure_code = fields.String(allow_none=True)
    refunded_vnd = fields.Integer()
    receipt_number = computed(
        lambda payment: payment.receipt.number if payment.receipt else None, fields.String(allow_none=True)
    )
    created_at = VietnamDateTime()
    expires_at = VietnamDateTime()
    succeeded_at = VietnamDateTime(allow_none=True)


class RefundSchema(Schema):
    id = fields.UUID()
    amount_vnd = fields.Integer()
    reason = fields.String()
    status = fields.String()
    failure_message = fields.String(allow_none=True)
    requested_by = fields.String()
    created_at = VietnamDateTime()


class StaffPaymentSchema(PaymentSchema):
    citizen_id = fields.UUID()
    provider_payment_id = fields.String(allow_none=True)
    failure_message = fields.String(allow_none=True)
    refundable_vnd = fields.Integer()
    refunds = fields.List(fields.Nested(RefundSchema))


class ReceiptSchema(Schema):
    """Biên lai điện tử, as the app shows and prints it."""

    number = fields.String()
    payer_name = fields.String()
    description = fields.String()
    amount_vnd = fields.Integer()
    amount_text = computed(lambda receipt: format_vnd(receipt.amount_vnd), fields.String())
    issued_at = VietnamDateTime()
    payment_id = fields.UUID()
    purpose = computed(lambda receipt: receipt.payment.purpose, fields.String())
    reference = computed(lambda receipt: receipt.payment.reference, fields.String())


class RefundRequestSchema(Schema):
    amount_vnd = AmountVnd(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


class LinkAccountSchema(Schema):
    payment_method = fields.String(required=True, validate=_PAYMENT_METHOD)


class PaymentAccountSchema(Schema):
    brand = fields.String(allow_none=True)
    last4 = fields.String(allow_none=True)
    linked_at = VietnamDateTime()


class PayoutSchema(Schema):
    id = fields.UUID()
    purpose = fields.String()
    description = fields.String()
    amount_vnd = fields.Integer()
    status = fields.String(metadata={"description": ", ".join(PAYOUT_STATUSES)})
    failure_message = fields.String(allow_none=True)
    created_at = VietnamDateTime()
    settled_at = VietnamDateTime(allow_none=True)


class WebhookAnswerSchema(Schema):
    received = fields.Boolean()
    outcome = fields.String()
