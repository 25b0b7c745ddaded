"""What each domain event tells the citizen (payloads as the domains write them)."""

from __future__ import annotations

import pytest

from notifications.fcm import BODY_MAX_CHARS, TITLE_MAX_CHARS
from notifications.messages import render


@pytest.mark.parametrize(
    ("event_type", "payload", "category", "title", "in_body", "link"),
    [
        (
            "report.resolved",
            {"report_id": "r1", "category": "Đèn đường hỏng", "status_name": "Đã giải quyết"},
            "report",
            "Phản ánh đã được giải quyết",
            "“Đèn đường hỏng”",
            "congdanso://reports/r1",
        ),
        (
            "fine.deadline_approaching",
            {
                "fine_id": "f1",
                "plate": "47A-123.45",
                "amount_vnd": 800000,
                "deadline": "2025-12-10",
                "days_left": 3,
            },
            "fine",
            "Sắp hết hạn nộp phạt xe 47A-123.45",
            "Còn 3 ngày để nộp phạt 800.000 đồng (hạn 10/12/2025)",
            "congdanso://fines/f1",
        ),
        (
            "payment.succeeded",
            {"purpose": "dossier_fee", "amount_vnd": 50000},
            "payment",
            "Thanh toán thành công",
            "50.000 đồng",
            "congdanso://payments/agg",
        ),
        (
            "payment.refunded",
            {"purpose": "dossier_fee", "amount_vnd": 50000},
            "payment",
            "Đã hoàn tiền",
            "Đã hoàn 50.000 đồng",
            "congdanso://payments/agg",
        ),
        (
            "benefit.payment_paid",
            {
                "payment_id": "p1",
                "programme": "Trợ cấp người cao tuổi",
                "amount": "500.000 đồng",
                "period": "2025-11",
                "channel_name": "ví điện tử",
            },
            "benefit",
            "Đã chi trả Trợ cấp người cao tuổi",
            "500.000 đồng tháng 11/2025 qua ví điện tử",
            "congdanso://benefits/payments/p1",
        ),
        (
            "payment_account.linked",
            {"brand": "visa", "last4": "4242"},
            "account",
            "Đã liên kết tài khoản thanh toán",
            "visa •••• 4242",
            "congdanso://wallet",
        ),
        (
            "product_seller.rejected",
            {"business_name": "Hộ kinh doanh Cà phê Ea Tu", "reason": "Số đăng ký không khớp"},
            "account",
            "Chưa xác minh được người bán",
            "Hộ kinh doanh Cà phê Ea Tu bị từ chối. Lý do: Số đăng ký không khớp.",
            "congdanso://seller",
        ),
        (
            "product.approved",
            {"product_id": "p9", "name": "Cà phê Buôn Ma Thuột rang xay"},
            "account",
            "Sản phẩm đã được duyệt",
            "“Cà phê Buôn Ma Thuột rang xay” đã được duyệt",
            "congdanso://seller/products/p9",
        ),
        (
            "chat.agent_replied",
            {"handoff_id": "h1"},
            "chat",
            "Tổng đài viên đã trả lời",
            "Chạm để xem",
            "congdanso://chat/agg",
        ),
    ],
)
def test_events_render_in_vietnamese_with_a_deep_link(event_type, payload, category, title, in_body, link):
    message = render(event_type, "agg", payload)
    assert (message.category, message.title, message.deep_link) == (category, title, link)
    assert in_body in message.body


@pytest.mark.parametrize(
    ("event_type", "payload"),
    [
        ("payment.requires_action", {"amount_vnd": 1}),  # the citizen is confirming it right now
        ("payment.succeeded", {"purpose": "fine", "amount_vnd": 1}),  # fine.paid says it
        ("payout.paid", {"purpose": "benefit", "amount_vnd": 1}),  # benefit.payment_paid says it
        ("chat.handoff_requested", {"reason": "asked"}),
        ("dossier.unknown_thing", None),
        ("weather.changed", {}),
    ],
)
def test_events_with_nothing_to_tell_render_nothing(event_type, payload):
    assert render(event_type, "agg", payload) is None


def test_long_text_is_cut_to_the_push_limits_not_refused():
    message = render("report.rejected", "r", {"category": "Rác thải " * 20, "note": "Lý do dài " * 50})
    assert len(message.title) <= TITLE_MAX_CHARS and len(message.body) == BODY_MAX_CHARS
    assert message.body.endswith("…")


def test_missing_payload_fields_fall_back_to_generic_text():
    message = render("dossier.status_changed", "66.24133-251120-0009", {})
    assert message.title == "Hồ sơ 66.24133-251120-0009: đã thay đổi trạng thái"
    assert message.deep_link == "congdanso://dossiers/66.24133-251120-0009"


@pytest.mark.parametrize(
    ("event_type", "payload", "secret"),
    [
        (
            "benefit.payment_failed",
            {"amount": "500.000 ₫", "period": "2025-11", "reason": "Sai số tài khoản"},
            "Sai số",
        ),
        (
            "benefit.beneficiary_status_changed",
            {"programme": "Trợ cấp", "status_name": "Tạm dừng hưởng", "reason": "Đang chấp hành án phạt tù"},
            "chấp hành án",
        ),
        ("product_seller.rejected", {"business_name": "HKD Ea Tu", "reason": "Giấy phép giả mạo"}, "giả mạo"),
        ("product.rejected", {"name": "Cà phê", "reason": "Ảnh chụp sản phẩm khác"}, "Ảnh chụp"),
        ("report.rejected", {"category": "Rác thải", "note": "Người phản ánh cung cấp sai"}, "cung cấp sai"),
        (
            "dossier.status_changed",
            {
                "code": "HS-1",
                "to_status": 5,
                "status_name": "Cần bổ sung",
                "note": "Thiếu giấy xác nhận tâm thần",
            },
            "tâm thần",
        ),
    ],
)
def test_an_officers_free_text_stays_off_the_lock_screen(event_type, payload, secret):
    message = render(event_type, "agg-1", payload)
    assert secret in message.body  # the inbox, behind the citizen's sign-in, has it all
    assert secret not in message.push_body
    assert message.push_body.endswith("Mở ứng dụng để xem chi tiết.")
    assert len(message.push_body) <= BODY_MAX_CHARS


def test_a_message_without_free_text_pushes_its_body():
    message = render("product.approved", "p-1", {"name": "Cà phê Ea Tu"})
    assert message.push_body == message.body
