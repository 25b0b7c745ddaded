"""The wallet over HTTP: citizens pay and see receipts, the provider calls back, staff refund."""

from __future__ import annotations

import uuid

from flask import request
from flask.views import MethodView

from api.citizens import service as citizens
from api.health import register_readiness_check
from api.http import Blueprint, SelectPage, needs_if_match
from api.idempotency import idempotent
from api.openapi import request_header
from api.policy import PUBLIC, Citizen, Staff, allow, require_principal
from wallet import service
from wallet.schemas import (
    LinkAccountSchema,
    PaymentAccountSchema,
    PaymentClientConfigSchema,
    PaymentSchema,
    PayoutSchema,
    PayRequestSchema,
    ReceiptSchema,
    RefundRequestSchema,
    RefundSchema,
    StaffPaymentSchema,
    WebhookAnswerSchema,
)
from wallet.webhooks import HEADER as SIGNATURE_HEADER

citizen_blp = Blueprint(
    "wallet", __name__, url_prefix="/me", description="Thanh toán, biên lai, tài khoản thanh toán"
)
webhook_blp = Blueprint(
    "payment_webhooks", __name__, url_prefix="/payments", description="Cổng thanh toán gọi lại (webhook)"
)
staff_blp = Blueprint(
    "payment_desk", __name__, url_prefix="/staff/payments", description="Đối soát, hoàn tiền"
)
app_config_blp = Blueprint(
    "payment_app_config",
    __name__,
    url_prefix="/payments",
    description="Cấu hình cho trang nhập thẻ của ứng dụng (Stripe.js)",
)

citizen_blp.record_once(lambda state: register_readiness_check(state.app, "payments", service.readiness))

FINANCE = Staff("admin")


def _citizen_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


# ---- citizens ---------------------------------------------------------------------------------------


@citizen_blp.route("/payments")
class MyPayments(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, PaymentSchema(many=True))
    @citizen_blp.paginate(SelectPage)
    def get(self):
        """My payments, newest first."""
        return service.citizen_payments(_citizen_id())

    @idempotent
    @allow(Citizen())
    @citizen_blp.arguments(PayRequestSchema)
    @citizen_blp.response(201, PaymentSchema)
    @citizen_blp.alt_response(402, description="`payment_declined`: thẻ hoặc tài khoản bị từ chối")
    @citizen_blp.alt_response(409, description="`amount_mismatch`, `already_paid`, `idempotency_key_reused`…")
    @citizen_blp.alt_response(503, description="`payment_provider_unavailable`: giao dịch chờ đối soát")
    @citizen_blp.doc(
        summary="Thanh toán tiền phạt hoặc phí, lệ phí",
        description="Cần tiêu đề `Idempotency-Key` (một khoá mới cho mỗi lần bấm Thanh toán): gửi lại cùng "
        "khoá và cùng nội dung trong 24 giờ nhận lại đúng kết quả cũ, không trừ tiền lần hai.\n\n"
        "Với `method: card_in_app` máy chủ chưa trừ tiền: khoản thanh toán trả về (201) ở trạng thái "
        "`requires_action` kèm `client_secret`; ứng dụng nạp Stripe.js theo `GET /payments/client-config`, "
        "gọi `stripe.confirmCardPayment(client_secret, {payment_method: {card}})` với ô nhập thẻ, rồi "
        "gọi `POST /me/payments/{payment_id}/refresh` để nhận kết quả.",
    )
    def post(self, body):
        payment = service.pay(
            _citizen_id(),
            purpose=body["purpose"],
            reference=body["reference"],
            amount_vnd=body["amount_vnd"],
            payment_method=body.get("payment_method"),
            card_in_app=body["method"] == service.CARD_IN_APP,
        )
        return payment, 201, {"Location": f"/me/payments/{payment.id}"}


@citizen_blp.route("/payments/<uuid:payment_id>")
class MyPayment(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, PaymentSchema)
    def get(self, payment_id):
        return service.citizen_payment(_citizen_id(), payment_id)


@citizen_blp.route("/payments/<uuid:payment_id>/refresh")
class MyPaymentRefresh(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, PaymentSchema)
    @citizen_blp.alt_response(404, description="`payment_not_found`: không có, hoặc không phải của bạn")
    @citizen_blp.alt_response(
        503, description="`payment_provider_unavailable`: chưa hỏi được cổng thanh toán; thử lại sau"
    )
    @citizen_blp.doc(
        summary="Cập nhật kết quả thanh toán từ cổng thanh toán",
        description="Ứng dụng gọi sau khi `stripe.confirmCardPayment` kết thúc (thành công hay không): API "
        "hỏi cổng thanh toán và ghi nhận như webhook — `succeeded` (khoản phải nộp được ghi là đã nộp, "
        "có biên lai), `failed` (lý do trong `failure_reason`; khoản vẫn chưa nộp và có thể thanh toán "
        "lại bằng một yêu cầu mới), hoặc vẫn `requires_action` nếu thẻ chưa được xác nhận. Gọi lại bao "
        "nhiêu lần cũng vậy; webhook đến trước hay sau đều không ghi nhận hai lần.",
    )
    def post(self, payment_id):
        return service.refresh_payment(_citizen_id(), payment_id)


@citizen_blp.route("/payments/<uuid:payment_id>/receipt")
class MyReceipt(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, ReceiptSchema)
    @citizen_blp.doc(summary="Biên lai điện tử của khoản đã thanh toán")
    def get(self, payment_id):
        return service.receipt_of(service.citizen_payment(_citizen_id(), payment_id))


@citizen_blp.route("/payment-account")
class MyPaymentAccount(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, PaymentAccountSchema)
    def get(self):
        account = service.account_of(_citizen_id())
        if account is None:
            raise service.account_not_linked()
        return account

    @allow(Citizen())
    @citizen_blp.arguments(LinkAccountSchema)
    @citizen_blp.response(200, PaymentAccountSchema)
    @citizen_blp.doc(
        summary="Liên kết tài khoản thanh toán điện tử",
        description="Một trong bốn tài sản của công dân số (mô hình 23); thay tài khoản cũ nếu đã có.",
    )
    def put(self, body):
        return service.link_account(citizens.require_citizen(_citizen_id()), body["payment_method"])

    @allow(Citizen())
    @citizen_blp.response(204)
    def delete(self):
        service.unlink_account(citizens.require_citizen(_citizen_id()))


@citizen_blp.route("/payouts")
class MyPayouts(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, PayoutSchema(many=True))
    @citizen_blp.paginate(SelectPage)
    def get(self):
        """Money paid to me (social benefits), newest first."""
        return service.citizen_payouts(_citizen_id())


# ---- the provider -------------------------------------------------------------------------------------


@webhook_blp.route("/webhook")
class ProviderWebhook(MethodView):
    @allow(PUBLIC)
    @request_header(SIGNATURE_HEADER, "`t=<giây>,v1=<HMAC-SHA256 hex>`, ký bằng khoá bí mật webhook")
    @webhook_blp.response(200, WebhookAnswerSchema)
    @webhook_blp.doc(
        summary="Webhook của cổng thanh toán",
        description="Xác thực bằng tiêu đề Stripe-Signature (lệch giờ tối đa 5 phút); mỗi sự kiện chỉ áp dụng một lần.",
    )
    def post(self):
        outcome = service.handle_webhook(request.get_data(cache=False), request.headers.get(SIGNATURE_HEADER))
        return {"received": True, "outcome": outcome}


@app_config_blp.route("/client-config")
class PaymentClientConfig(MethodView):
    @allow(PUBLIC)
    @app_config_blp.response(200, PaymentClientConfigSchema)
    @app_config_blp.doc(
        summary="Stripe.js và khoá công khai cho trang nhập thẻ",
        description="Nạp `js_url` bằng thẻ <script>, rồi `Stripe(publishable_key)`; Content-Security-"
        "Policy của trang phải cho phép `csp_sources`. Không cần đăng nhập.",
    )
    def get(self):
        return service.browser_payment_settings()


# ---- staff ------------------------------------------------------------------------------------------


@staff_blp.route("/<uuid:payment_id>")
@staff_blp.etag
class StaffPayment(MethodView):
    @allow(FINANCE)
    @staff_blp.response(200, StaffPaymentSchema)
    def get(self, payment_id):
        """A payment with its refunds, and its ETag (what a refund needs as If-Match)."""
        return service.staff_payment(payment_id)


@staff_blp.route("/<uuid:payment_id>/refunds")
@staff_blp.etag
class StaffRefunds(MethodView):
    @allow(FINANCE)
    @needs_if_match
    @staff_blp.arguments(RefundRequestSchema)
    @staff_blp.response(201, RefundSchema)
    @staff_blp.alt_response(412, description="`precondition_failed`: ETag cũ, khoản đã thay đổi")
    @staff_blp.alt_response(428, description="`precondition_required`: thiếu If-Match")
    @staff_blp.doc(summary="Hoàn tiền (một phần hoặc toàn bộ); cần If-Match với ETag của khoản thanh toán")
    def post(self, body, payment_id):
        payment = service.staff_payment(payment_id)
        staff_blp.check_etag(payment, StaffPaymentSchema)
        refund = service.refund(
            payment,
            amount_vnd=body["amount_vnd"],
            reason=body["reason"].strip(),
            actor=f"staff:{require_principal().id}",
        )
        # The answer's ETag is the payment's as it is now: the If-Match of a next refund.
        staff_blp.set_etag(payment, StaffPaymentSchema)
        return refund, 201
