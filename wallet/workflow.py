"""The wallet's status machines, each one table of moves (api/state_machine.py).

A payment learns its status from the provider, and only ever moves forward:

    created ─await_action→ requires_action ─process→ processing
    created, requires_action, processing ─succeed | fail | cancel→ succeeded | failed | canceled
    created, requires_action ─expire (the wallet's job)→ expired;  processing waits for the provider
    failed, expired ─succeed→ succeeded: money that arrives after we gave up is still paid

So a late or repeated answer (a webhook after the app's refresh, reconciliation after both)
cannot take a payment back, and a succeeded or canceled one never moves again. A refund and a
payout are settled once by the provider's or the channel's answer.
"""

from __future__ import annotations

from api.state_machine import StateMachine, move
from wallet.models import (
    CANCELED,
    CREATED,
    EXPIRED,
    FAILED,
    PAYMENT_STATUSES,
    PAYOUT_FAILED,
    PAYOUT_PAID,
    PAYOUT_PENDING,
    PAYOUT_RETURNED,
    PAYOUT_STATUSES,
    PROCESSING,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    REQUIRES_ACTION,
    SUCCEEDED,
)

PAYMENTS = StateMachine(
    PAYMENT_STATUSES,
    [
        move("await_action", "provider", {CREATED}, REQUIRES_ACTION, label="Chờ hoàn tất thanh toán"),
        move("process", "provider", {CREATED, REQUIRES_ACTION}, PROCESSING, label="Đang xử lý"),
        move(
            "succeed",
            "provider",
            {CREATED, REQUIRES_ACTION, PROCESSING, FAILED, EXPIRED},
            SUCCEEDED,
            label="Thanh toán thành công",
        ),
        move(
            "fail",
            "provider",
            {CREATED, REQUIRES_ACTION, PROCESSING},
            FAILED,
            label="Thanh toán không thành công",
        ),
        move("cancel", "provider", {CREATED, REQUIRES_ACTION, PROCESSING}, CANCELED, label="Đã huỷ"),
        move("expire", "system", {CREATED, REQUIRES_ACTION, PROCESSING}, EXPIRED, label="Quá hạn thanh toán"),
    ],
    final={SUCCEEDED, CANCELED},
)

REFUNDS = StateMachine(
    (REFUND_PENDING, REFUND_SUCCEEDED, REFUND_FAILED),
    [
        move("succeed", "provider", {REFUND_PENDING}, REFUND_SUCCEEDED, label="Đã hoàn tiền"),
        move("fail", "provider", {REFUND_PENDING}, REFUND_FAILED, label="Hoàn tiền không thành công"),
    ],
    final={REFUND_SUCCEEDED, REFUND_FAILED},
)

PAYOUTS = StateMachine(
    PAYOUT_STATUSES,
    [
        move("pay", "channel", {PAYOUT_PENDING}, PAYOUT_PAID, label="Đã nhận"),
        move("fail", "channel", {PAYOUT_PENDING}, PAYOUT_FAILED, label="Chưa chuyển được"),
        # Money paid may come back (the account closed).
        move("return", "channel", {PAYOUT_PAID}, PAYOUT_RETURNED, label="Bị hoàn lại"),
    ],
    final={PAYOUT_FAILED, PAYOUT_RETURNED},
)
