"""The app's fines and card payments (issue 16 §4), in a phone's Chromium against the real API and a
real localstripe serving its Stripe.js stand-in.

The police issue a notice through their API, with an evidence photo on a camera server of the
test's own; anyone looks the plate up; the owner signs in with VNeID, sees the photo, confirms the
violation, has a declined card refused with nothing paid, pays with 4242 4242 4242 4242 typed into
the card field, and gets the receipt. Another citizen's fine is not found. The same checkout takes
a dossier's fee; the public look-up says so when it is asked too often.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from api.extensions import db
from api.fines.models import FineNotice
from tests.app.conftest import sign_in
from tests.browser import UI_TIMEOUT_MS, assert_accessible, screenshot
from tests.conftest import serving
from tests.fines.conftest import notice_body
from tests.fines.test_evidence import CameraServer, jpeg
from tests.wallet.conftest import (  # noqa: F401 (fixtures)
    FEE,
    SECRET_KEY,
    applicant,
    fee_due,
    localstripe,
    officer,
)
from wallet.models import SUCCEEDED, Payment

VIOLATION = "Không chấp hành hiệu lệnh của đèn tín hiệu giao thông (vượt đèn đỏ)"
AMOUNT_SHOWN = "18.000.000 đ"  # notice_body's amount, as the app writes money
PLACE = "Ngã tư Lê Duẩn - Phan Chu Trinh"
DECLINED_CARD = "4000000000000002"  # Stripe's "generic decline" test card
GOOD_CARD = "4242424242424242"
# Steps that wait for the API, localstripe or both: as patient as the rest of the UI on a busy machine.
WAIT = UI_TIMEOUT_MS


@pytest.fixture
def app_url(make_app, localstripe) -> Iterator[str]:  # noqa: F811
    """The API and the app, paying through the session's localstripe."""
    with serving(make_app, PAYMENT_API_URL=localstripe.url, PAYMENT_SECRET_KEY=SECRET_KEY) as base_url:
        yield base_url


@pytest.fixture
def camera():
    server = CameraServer({"/anh/den-do.jpg": jpeg((30, 110, 190))})
    yield server
    server.stop()


@pytest.fixture
def police(staff_headers):
    return staff_headers("police")[0]


def issue(client, police, owner_cccd: str, **overrides) -> dict:
    response = client.post("/police/fines", headers=police, json=notice_body(owner_cccd, **overrides))
    assert response.status_code == 201, response.json
    return response.json


def fine_status(app, fine_id: str) -> str:
    with app.app_context():
        status = db.session.get(FineNotice, uuid.UUID(fine_id)).status
        db.session.remove()
        return status


def succeeded_payments(app) -> int:
    with app.app_context():
        found = db.session.scalar(
            select(func.count()).select_from(Payment).where(Payment.status == SUCCEEDED)
        )
        db.session.remove()
        return found


def type_card(page: Page, number: str) -> None:
    page.get_by_label("Số thẻ").fill(number)
    page.get_by_label("Tháng hết hạn (MM)").fill("12")
    page.get_by_label("Năm hết hạn (YY)").fill("30")
    page.get_by_label("Mã CVC").fill("123")


def test_look_up_confirm_and_pay_a_fine_by_card(
    app, client, phone: Page, app_url, make_citizen, police, camera
):
    page = phone
    owner = make_citizen(full_name="Lê Văn Tài")
    stranger = make_citizen(full_name="Phạm Thị Lan")
    fine = issue(client, police, owner["cccd"], evidence=[f"{camera.url}/anh/den-do.jpg"])
    strangers_fine = issue(client, police, stranger["cccd"], plate="47A-999.88")

    # Anyone looks the plate up, typed the lazy way: the violation, without the owner's details.
    page.goto(f"{app_url}/app/fines/lookup")
    page.get_by_label("Biển số xe").fill("xyz")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator(".field-error")).to_be_visible(timeout=WAIT)
    page.get_by_label("Biển số xe").fill("47a12345")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("heading", name="Biển số 47A-123.45")).to_be_visible(timeout=WAIT)
    results = page.locator(".fine-results")
    expect(results.get_by_text(VIOLATION)).to_be_visible()
    expect(results.get_by_text(AMOUNT_SHOWN)).to_be_visible()
    expect(results.get_by_text("Chờ xác nhận")).to_be_visible()
    for private in ("Lê Văn Tài", owner["cccd"], PLACE, fine["notice_number"]):
        expect(page.locator("#view")).not_to_contain_text(private)
    assert_accessible(page, "plate look-up with a result")
    screenshot(page, "fines-lookup")

    # The owner signs in on "my fines" and opens the fine.
    sign_in(page, app_url, owner["cccd"], start="/app/fines")
    expect(page).to_have_url(f"{app_url}/app/fines", timeout=WAIT)
    mine = page.get_by_role("link", name=VIOLATION)
    expect(mine).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("47A-123.45 · 18.000.000 đ")).to_be_visible()
    assert_accessible(page, "my fines")
    screenshot(page, "fines-mine")
    mine.click()

    # The fine: the violation, its legal reference, the amount, the deadline, the camera's photo.
    expect(page).to_have_url(f"{app_url}/app/fines/{fine['id']}", timeout=WAIT)
    expect(page.get_by_role("heading", name=VIOLATION)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP")).to_be_visible()
    expect(page.get_by_text(PLACE, exact=False)).to_be_visible()
    photo = page.get_by_role("img", name="Ảnh bằng chứng 1 của phương tiện biển số 47A-123.45")
    expect(photo).to_be_visible(timeout=WAIT)
    page.wait_for_function("(img) => img.complete && img.naturalWidth === 64", arg=photo.element_handle())
    expect(page.get_by_text("Xác nhận nghĩa là bạn đồng ý", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Nộp phạt trực tuyến")).to_have_count(0)
    assert_accessible(page, "a fine waiting for confirmation")
    screenshot(page, "fine-to-confirm")

    page.get_by_role("button", name="Tôi xác nhận vi phạm").click()
    expect(page.locator(".chip", has_text="Đã xác nhận vi phạm")).to_be_visible(timeout=WAIT)
    pay = page.get_by_role("link", name="Nộp phạt trực tuyến")
    expect(pay).to_be_visible()
    assert fine_status(app, fine["id"]) == "confirmed"
    assert_accessible(page, "a confirmed fine")
    pay.click()

    # The checkout: what is paid, the amount, the card field of Stripe.js (localstripe's stand-in).
    expect(page).to_have_url(re.compile(r"/app/pay\?purpose=fine&"), timeout=WAIT)
    expect(page.get_by_role("heading", name=VIOLATION)).to_be_visible(timeout=WAIT)
    expect(page.locator(".pay-amount")).to_have_text(AMOUNT_SHOWN)
    expect(page.get_by_label("Số thẻ")).to_be_visible(timeout=WAIT)
    assert_accessible(page, "checkout")
    screenshot(page, "checkout")

    # A declined card: the reason in Vietnamese, nothing paid, and the citizen may try another card.
    type_card(page, DECLINED_CARD)
    page.get_by_role("button", name="Thanh toán").click()
    refusal = page.get_by_role("alert").filter(has_text="Ngân hàng phát hành thẻ đã từ chối giao dịch.")
    expect(refusal).to_be_visible(timeout=WAIT)
    expect(refusal).to_contain_text("Số tiền chưa bị trừ")
    assert fine_status(app, fine["id"]) == "confirmed" and succeeded_payments(app) == 0
    assert_accessible(page, "checkout after a declined card")
    screenshot(page, "checkout-declined")

    type_card(page, GOOD_CARD)
    page.get_by_role("button", name="Thanh toán").click()

    # The receipt, at once; the fine is paid.
    expect(page.get_by_role("heading", name="Biên lai điện tử")).to_be_visible(timeout=WAIT)
    receipt = page.locator(".receipt")
    expect(receipt.get_by_text(AMOUNT_SHOWN)).to_be_visible()
    expect(receipt.get_by_text("Lê Văn Tài")).to_be_visible()
    expect(receipt.get_by_text("47A-123.45", exact=False)).to_be_visible()
    assert fine_status(app, fine["id"]) == "paid" and succeeded_payments(app) == 1
    assert_accessible(page, "receipt")
    screenshot(page, "receipt")
    receipt_url = page.url

    page.get_by_role("link", name="Xem quyết định xử phạt").click()
    expect(page.locator(".chip", has_text="Đã nộp phạt")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("link", name="Nộp phạt trực tuyến")).to_have_count(0)
    page.get_by_role("link", name="Xem biên lai").click()
    expect(page).to_have_url(receipt_url, timeout=WAIT)

    # My payments: the declined attempt and the paid one, which opens its receipt.
    page.goto(f"{app_url}/app/payments")
    rows = page.get_by_role("link", name=f"Nộp phạt theo quyết định số {fine['notice_number']}")
    expect(rows).to_have_count(2, timeout=WAIT)
    expect(rows.filter(has_text="Thanh toán không thành công")).to_be_visible()
    paid_row = rows.filter(has_text="Thanh toán thành công")
    expect(paid_row).to_be_visible()
    assert_accessible(page, "my payments")
    screenshot(page, "payments")
    paid_row.click()
    expect(page).to_have_url(receipt_url, timeout=WAIT)
    expect(page.get_by_role("heading", name="Biên lai điện tử")).to_be_visible(timeout=WAIT)

    # Another citizen's fine, by its deep link: not found, and nothing of it shown.
    page.goto(f"{app_url}/app/fines/{strangers_fine['id']}")
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy quyết định xử phạt này", timeout=WAIT)
    expect(page.locator("#view")).not_to_contain_text("47A-999.88")
    assert_accessible(page, "another citizen's fine")


def test_the_look_up_says_when_it_is_asked_too_often(make_app, phone: Page):
    page = phone
    with serving(make_app, RATELIMIT_PUBLIC_LOOKUP="2 per minute") as base_url:
        page.goto(f"{base_url}/app/fines/lookup")
        field = page.get_by_label("Biển số xe")
        for plate in ("47A-111.11", "47A-222.22"):
            field.fill(plate)
            page.get_by_role("button", name="Tra cứu").click()
            expect(page.get_by_role("heading", name=f"Biển số {plate}")).to_be_visible(timeout=WAIT)
            expect(page.get_by_text("Không có vi phạm nào của biển số này", exact=False)).to_be_visible()
        field.fill("47A-333.33")
        page.get_by_role("button", name="Tra cứu").click()
        expect(page.get_by_role("alert")).to_contain_text("quá nhiều yêu cầu", timeout=WAIT)
        expect(page.get_by_role("heading", name="Biển số 47A-333.33")).to_have_count(0)
        assert_accessible(page, "plate look-up refused by the rate limit")


def test_a_dossier_fee_is_paid_in_the_same_checkout(client, phone: Page, app_url, applicant, fee_due):  # noqa: F811
    page = phone
    code = fee_due
    checkout = f"/app/pay?purpose=dossier_fee&reference={code}&amount={FEE}&back=/app/dossiers/{code}"
    sign_in(page, app_url, applicant["cccd"], start=checkout)

    procedure = client.get(f"/me/dossiers/{code}", headers=applicant["headers"]).json["procedure_name"]
    expect(page.get_by_role("heading", name=procedure)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(code, exact=True)).to_be_visible()
    expect(page.locator(".pay-amount")).to_have_text("15.000 đ")
    type_card(page, GOOD_CARD)
    page.get_by_role("button", name="Thanh toán").click()

    expect(page.get_by_role("heading", name="Biên lai điện tử")).to_be_visible(timeout=WAIT)
    expect(page.locator(".receipt").get_by_text("15.000 đ", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Xem hồ sơ")).to_have_attribute("href", f"/app/dossiers/{code}")
    assert client.get(f"/me/dossiers/{code}", headers=applicant["headers"]).json["payment_status"] == 1
