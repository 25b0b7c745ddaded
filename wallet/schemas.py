"""What the wallet's endpoints take and return."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.fields import AmountVnd, VietnamDateTime, computed
from api.text import format_vnd
from wallet.models import PAYOUT_STATUS_LABELS, PAYOUT_STATUSES, REQUIRES_ACTION, STATUS_LABELS
from wallet.service import CARD_IN_APP, PAY_WITH_PAYMENT_METHOD, PAYMENT_MODES

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
    method = fields.String(
        load_default=PAY_WITH_PAYMENT_METHOD,
        validate=validate.OneOf(PAYMENT_MODES, error="Chọn một trong: " + ", ".join(PAYMENT_MODES) + "."),
        metadata={
            "description": f"`{PAY_WITH_PAYMENT_METHOD}` (mặc định): máy chủ trừ tiền bằng `payment_method` "
            f"hoặc tài khoản đã liên kết. `{CARD_IN_APP}`: nhập thẻ trong ứng dụng; khoản thanh toán "
            "trả về ở trạng thái `requires_action` kèm `client_secret`, ứng dụng gọi Stripe.js "
            "`confirmCardPayment(client_secret, {payment_method: {card}})` rồi "
            "`POST /me/payments/{id}/refresh` để biết kết quả."
        },
    )

    @validates_schema
    def card_in_app_takes_no_payment_method(self, data, **kwargs):
        if data.get("method") == CARD_IN_APP and data.get("payment_method"):
            raise ValidationError(
                "Không gửi payment_method khi nhập thẻ trong ứng dụng (card_in_app).", "payment_method"
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
        metadata={
            "description": "chỉ khi `status` là `requires_action`, và chỉ cho chính công dân thanh toán: "
            "ứng dụng hoàn tất bằng Stripe.js `confirmCardPayment` (thẻ nhập trong ứng dụng, hoặc "
            "xác thực 3-D Secure); null ở mọi trạng thái khác"
        },
    )
    failure_code = fields.String(allow_none=True)
    failure_reason = fields.String(
        allow_none=True,
        metadata={"description": "lý do thất bại bằng tiếng Việt, để hiển thị; null nếu không thất bại"},
    )
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
    class Meta:
        exclude = ("client_secret",)  # it pays the payment: only the citizen paying sees it

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
    status_label = computed(lambda payout: PAYOUT_STATUS_LABELS[payout.status], fields.String())
    failure_message = fields.String(allow_none=True)
    created_at = VietnamDateTime()
    settled_at = VietnamDateTime(allow_none=True)


class CspSourcesSchema(Schema):
    script_src = fields.List(fields.String(), metadata={"description": "nguồn cho `script-src`"})
    connect_src = fields.List(fields.String(), metadata={"description": "nguồn cho `connect-src`"})
    frame_src = fields.List(fields.String(), metadata={"description": "nguồn cho `frame-src`"})


class PaymentClientConfigSchema(Schema):
    """What the app loads to take a card: Stripe.js (or localstripe's stand-in) and its key."""

    js_url = fields.String(metadata={"description": "URL của Stripe.js để nạp bằng thẻ <script>"})
    publishable_key = fields.String(metadata={"description": "khoá công khai (pk_…) cho `Stripe(key)`"})
    csp_sources = fields.Nested(
        CspSourcesSchema,
        metadata={"description": "nguồn mà Content-Security-Policy của trang thanh toán phải cho phép"},
    )


class WebhookAnswerSchema(Schema):
    received = fields.Boolean()
    outcome = fields.String()
