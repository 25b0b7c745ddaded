"""What a domain event tells the citizen: the Vietnamese title, body and deep link per event type.

`render(event)` returns a `Rendered` message or None when the event is not for the citizen's
eyes (an agent-side chat event, a payment step the citizen is taking right now, a payout the
benefit domain announces itself, an unknown type). Titles and bodies respect the push limits of
notifications/fcm.py (65 and 240 characters): they are cut, never refused, because an event that
cannot be rendered must still reach the inbox.

Officers' free text (a refusal reason, a note on a dossier or report) goes to the inbox only:
the push shows on a lock screen, where anyone near the phone reads it, so a message with such
text carries a neutral `push` sentence instead (`Rendered.push_body`).

Payloads are the domains' (grep `record_event` in api/ and wallet/); a missing field falls back
to a generic sentence instead of failing the dispatcher.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from api.text import format_vnd
from notifications.fcm import BODY_MAX_CHARS, TITLE_MAX_CHARS

SCHEME = "congdanso://"


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    category: str  # the inbox's grouping: dossier, report, fine, payment, benefit, chat, account
    deep_link: str | None
    # The push's body when `body` holds an officer's free text; None: the push shows `body`.
    push: str | None = None

    @property
    def push_body(self) -> str:
        return self.push or self.body

    def cut(self) -> Rendered:
        return Rendered(
            _cut(self.title, TITLE_MAX_CHARS),
            _cut(self.body, BODY_MAX_CHARS),
            self.category,
            self.deep_link,
            _cut(self.push, BODY_MAX_CHARS) if self.push else None,
        )


_SEE_INBOX = "Mở ứng dụng để xem chi tiết."


def _private(text: str, free_text: Any) -> str | None:
    """The neutral push sentence when the inbox text carries an officer's free text."""
    return f"{text} {_SEE_INBOX}" if free_text else None


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _date(value: Any) -> str:
    """ "2025-11-03" -> "03/11/2025" (how Vietnamese dates are written)."""
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _period(value: Any) -> str:
    """ "2025-11" -> "11/2025" (a benefit's month, as Vietnamese write it)."""
    text = str(value or "")
    year, _, month = text.partition("-")
    return f"{month}/{year}" if len(year) == 4 and len(month) == 2 else text


def _amount(payload: Mapping[str, Any]) -> str:
    amount = payload.get("amount_vnd")
    return format_vnd(int(amount)) if isinstance(amount, int) else ""


# ---- per domain ------------------------------------------------------------------------------


def _dossier(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    if event_type != "dossier.status_changed":
        return None
    code = p.get("code") or aggregate_id
    status = p.get("to_status")
    name = p.get("status_name") or "đã thay đổi trạng thái"
    note = f" {p['note']}" if p.get("note") else ""
    bodies = {
        1: f"Hồ sơ {code} đã được đăng ký và đang chờ tiếp nhận.",
        2: f"Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: {_date(p.get('due_date'))}.",
        3: f"Hồ sơ {code} không được tiếp nhận.{note}",
        4: f"Hồ sơ {code} đang được xử lý.",
        5: f"Hồ sơ {code} cần bổ sung giấy tờ.{note}",
        6: f"Hồ sơ {code} cần thực hiện nghĩa vụ tài chính (phí, lệ phí) để được xử lý tiếp.",
        7: f"Yêu cầu rút hồ sơ {code} đã được ghi nhận.",
        8: f"Hồ sơ {code} đã dừng xử lý.{note}",
        9: f"Hồ sơ {code} đã xử lý xong; bạn sẽ nhận kết quả theo hình thức đã chọn.",
        10: f"Hồ sơ {code} đã được trả kết quả.",
    }
    body = bodies.get(status, f"Hồ sơ {code}: {name}.")
    push = _private(f"Hồ sơ {code}: {name}.", note and status in (3, 5, 8))
    return Rendered(f"Hồ sơ {code}: {name}", body, "dossier", f"{SCHEME}dossiers/{code}", push)


_REPORT_TEXT = {
    "report.received": ("Đã nhận phản ánh", "Phản ánh “{category}” của bạn đã được tiếp nhận."),
    "report.assigned": (
        "Phản ánh đã được giao xử lý",
        "Phản ánh “{category}” đã được giao cho cơ quan xử lý.",
    ),
    "report.reassigned": (
        "Phản ánh được chuyển đơn vị",
        "Phản ánh “{category}” đã được chuyển cho đơn vị khác xử lý.",
    ),
    "report.in_progress": ("Phản ánh đang được xử lý", "Phản ánh “{category}” của bạn đang được xử lý."),
    "report.resolved": (
        "Phản ánh đã được giải quyết",
        "Phản ánh “{category}” đã được giải quyết. Hãy xác nhận hoặc cho biết nếu chưa ổn.",
    ),
    "report.rejected": ("Phản ánh không được xử lý", "Phản ánh “{category}” không được xử lý.{note}"),
    "report.merged": ("Phản ánh được gộp", "Phản ánh “{category}” được gộp với một phản ánh cùng sự việc."),
    "report.closed": ("Phản ánh đã đóng", "Phản ánh “{category}” đã kết thúc. Cảm ơn bạn đã phản ánh."),
    "report.commented": ("Phản hồi mới về phản ánh", "Cơ quan xử lý đã trả lời phản ánh “{category}”."),
}


def _report(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    text = _REPORT_TEXT.get(event_type)
    if text is None:
        return None
    note = f" {p['note']}" if p.get("note") else ""
    category = p.get("category") or "của bạn"
    body = text[1].format(category=category, note=note)
    push = _private(text[1].format(category=category, note=""), note and "{note}" in text[1])
    return Rendered(text[0], body, "report", f"{SCHEME}reports/{p.get('report_id') or aggregate_id}", push)


def _fine(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    plate = p.get("plate") or ""
    amount = _amount(p)
    deadline = _date(p.get("deadline"))
    texts = {
        "fine.issued": (
            f"Quyết định xử phạt xe {plate}",
            f"Xe {plate}: {p.get('violation') or 'vi phạm giao thông'}. Số tiền phạt {amount}, "
            f"hạn nộp {deadline}.",
        ),
        "fine.confirmed": (
            f"Đã xác nhận vi phạm xe {plate}",
            f"Bạn đã xác nhận vi phạm. Hạn nộp phạt {deadline}.",
        ),
        "fine.paid": (
            f"Đã nộp phạt xe {plate}",
            f"Đã ghi nhận nộp phạt {amount} cho quyết định {p.get('notice_number') or ''}.",
        ),
        "fine.cancelled": (
            f"Huỷ quyết định phạt xe {plate}",
            "Quyết định xử phạt đã được huỷ; bạn không phải nộp phạt.",
        ),
        "fine.deadline_approaching": (
            f"Sắp hết hạn nộp phạt xe {plate}",
            f"Còn {p.get('days_left', '?')} ngày để nộp phạt {amount} (hạn {deadline}).",
        ),
    }
    text = texts.get(event_type)
    if text is None:
        return None
    return Rendered(text[0], text[1], "fine", f"{SCHEME}fines/{p.get('fine_id') or aggregate_id}")


def _payment(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    amount = _amount(p)
    status = event_type.split(".", 1)[1]
    # The citizen is in the app confirming this payment right now; and a paid fine is announced
    # by the fines domain ("Đã nộp phạt"), one message per payment is enough.
    if status in ("requires_action", "processing") or (status == "succeeded" and p.get("purpose") == "fine"):
        return None
    texts = {
        "succeeded": (
            "Thanh toán thành công",
            f"Bạn đã thanh toán {amount}. Biên lai có trong mục Thanh toán.",
        ),
        "failed": (
            "Thanh toán không thành công",
            f"Giao dịch {amount} không thành công; bạn chưa bị trừ tiền.",
        ),
        "canceled": ("Đã huỷ thanh toán", f"Giao dịch {amount} đã được huỷ."),
        "expired": ("Giao dịch hết hạn", f"Giao dịch {amount} đã quá hạn thanh toán; hãy tạo giao dịch mới."),
        "refunded": ("Đã hoàn tiền", f"Đã hoàn {amount} về tài khoản của bạn."),
    }
    text = texts.get(status)
    if text is None:
        return None
    return Rendered(text[0], text[1], "payment", f"{SCHEME}payments/{aggregate_id}")


def _payout(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    if p.get("purpose") == "benefit":
        return None  # the benefit domain announces its own payments (benefit.payment_*)
    status = event_type.split(".", 1)[1]
    amount = _amount(p)
    texts = {
        "paid": ("Đã nhận tiền", f"Bạn đã nhận {amount} vào ví. {p.get('description') or ''}"),
        "failed": ("Chuyển tiền không thành công", f"Khoản {amount} chưa chuyển được vào ví của bạn."),
        "returned": ("Khoản tiền bị hoàn lại", f"Khoản {amount} đã bị hoàn lại."),
    }
    text = texts.get(status)
    return Rendered(text[0], text[1], "payment", f"{SCHEME}wallet") if text else None


def _account(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    # Security notices: if the citizen did not do this, they must hear about it.
    if event_type == "payment_account.linked":
        card = f"{p.get('brand') or 'thẻ'} •••• {p.get('last4') or ''}".strip()
        return Rendered(
            "Đã liên kết tài khoản thanh toán",
            f"Tài khoản {card} đã được liên kết. Nếu không phải bạn, hãy gọi 1900 0368 ngay.",
            "account",
            f"{SCHEME}wallet",
        )
    if event_type == "payment_account.unlinked":
        return Rendered(
            "Đã huỷ liên kết tài khoản thanh toán",
            "Tài khoản thanh toán đã được huỷ liên kết khỏi ứng dụng.",
            "account",
            f"{SCHEME}wallet",
        )
    return None


def _benefit(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    programme = p.get("programme") or p.get("programme_code") or "trợ cấp"
    amount = p.get("amount") or _amount(p)
    period = _period(p.get("period"))
    reason = f" Lý do: {p['reason']}." if p.get("reason") else ""
    if event_type == "benefit.payment_paid":
        return Rendered(
            f"Đã chi trả {programme}",
            f"Đã chi trả {amount} tháng {period} qua {p.get('channel_name') or 'kênh đã đăng ký'}.",
            "benefit",
            f"{SCHEME}benefits/payments/{p.get('payment_id') or aggregate_id}",
        )
    if event_type in ("benefit.payment_failed", "benefit.payment_returned"):
        verb = "chưa chi trả được" if event_type.endswith("failed") else "bị hoàn lại"
        return Rendered(
            f"{programme}: {verb}",
            f"Khoản {amount} tháng {period} {verb}.{reason} Vui lòng liên hệ UBND xã, phường.",
            "benefit",
            f"{SCHEME}benefits/payments/{p.get('payment_id') or aggregate_id}",
            _private(f"Khoản {amount} tháng {period} {verb}.", reason),
        )
    if event_type == "benefit.beneficiary_status_changed":
        status = p.get("status_name") or "đã thay đổi"
        return Rendered(
            f"{programme}: {p.get('status_name') or 'thay đổi'}",
            f"Chế độ {programme} của bạn: {status}.{reason}",
            "benefit",
            f"{SCHEME}benefits",
            _private(f"Chế độ {programme} của bạn: {status}.", reason),
        )
    return None


def _seller(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    business = p.get("business_name") or "hộ kinh doanh của bạn"
    link = f"{SCHEME}seller"
    if event_type == "product_seller.verified":
        return Rendered(
            "Đã xác minh người bán",
            f"{business} đã được xác minh; bạn có thể đăng sản phẩm địa phương.",
            "account",
            link,
        )
    if event_type == "product_seller.rejected":
        reason = f" Lý do: {p['reason']}." if p.get("reason") else ""
        return Rendered(
            "Chưa xác minh được người bán",
            f"Đăng ký bán hàng của {business} bị từ chối.{reason}",
            "account",
            link,
            _private(f"Đăng ký bán hàng của {business} bị từ chối.", reason),
        )
    return None


def _product(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    name = p.get("name") or "sản phẩm của bạn"
    link = f"{SCHEME}seller/products/{p.get('product_id') or aggregate_id}"
    if event_type == "product.approved":
        return Rendered(
            "Sản phẩm đã được duyệt", f"“{name}” đã được duyệt và hiển thị công khai.", "account", link
        )
    if event_type == "product.rejected":
        reason = f" Lý do: {p['reason']}." if p.get("reason") else ""
        return Rendered(
            "Sản phẩm chưa được duyệt",
            f"“{name}” chưa được duyệt.{reason}",
            "account",
            link,
            _private(f"“{name}” chưa được duyệt.", reason),
        )
    return None


def _chat(event_type: str, aggregate_id: str, p: Mapping[str, Any]) -> Rendered | None:
    if event_type == "chat.agent_replied":
        return Rendered(
            "Tổng đài viên đã trả lời",
            "Tổng đài viên đã trả lời cuộc trò chuyện của bạn. Chạm để xem.",
            "chat",
            f"{SCHEME}chat/{aggregate_id}",
        )
    return None  # handoff_requested: the citizen asked for it and is in the chat


_RENDERERS: dict[str, Callable[[str, str, Mapping[str, Any]], Rendered | None]] = {
    "dossier": _dossier,
    "report": _report,
    "fine": _fine,
    "payment": _payment,
    "payout": _payout,
    "payment_account": _account,
    "benefit": _benefit,
    "product_seller": _seller,
    "product": _product,
    "chat": _chat,
}


def render(event_type: str, aggregate_id: str, payload: Mapping[str, Any] | None) -> Rendered | None:
    """The citizen's message for an event, or None when there is nothing to tell them."""
    renderer = _RENDERERS.get(event_type.split(".", 1)[0])
    if renderer is None:
        return None
    rendered = renderer(event_type, str(aggregate_id), payload or {})
    return rendered.cut() if rendered is not None else None
