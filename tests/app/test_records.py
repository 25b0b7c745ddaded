"""The citizen app's personal records, benefits and inbox, in a phone's Chromium against the real API.

What a citizen notices: each record shows where it came from and when it was last synced; an
officer's read of their data shows up in "Ai đã xem dữ liệu của tôi"; a level-1 account is shown
how to reach level 2 instead of an error; benefit payments and the money paid into their account
are listed; a message in the inbox is counted on the top bar, and tapping it marks it read and
opens the screen it is about.

Records come in as the national systems send them (the `records import` command, as
tests/records/ does); benefits are paid by an officer through the API, with the citizen's card
linked on the real localstripe (as tests/benefits/ does); messages reach the inbox through the
outbox dispatcher.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from api.benefits import service as benefits
from api.dbtypes import utcnow
from api.extensions import db
from notifications import service as inbox
from notifications.dispatcher import dispatch
from tests.app.conftest import sign_in
from tests.benefits.conftest import PROGRAMME, link_account, pay, schedule, settle
from tests.browser import assert_accessible, screenshot
from tests.records.conftest import health_row, labour_row, land_row, person, run_import, write_jsonl
from tests.wallet.conftest import card, localstripe, make_card, payments  # noqa: F401 (fixtures)

PURPOSE = "Giải quyết hồ sơ chuyển nhượng quyền sử dụng đất số 000.00.12.H12-251207-0001"


def _import(app, tmp_path, record_type, rows) -> None:
    path = tmp_path / f"{record_type}.jsonl"
    write_jsonl(path, rows)
    result = run_import(app, record_type, path)
    assert result.exit_code == 0, result.output


def _shown_time(value: str) -> tuple[str, str]:
    """The date and the time of an API timestamp (Vietnam's time) as the app writes them."""
    moment = datetime.fromisoformat(value)
    return moment.strftime("%d/%m/%Y"), moment.strftime("%H:%M")


def _expect_synced(locator, synced_at: str) -> None:
    day, time = _shown_time(synced_at)
    expect(locator).to_contain_text(day)
    expect(locator).to_contain_text(time)


def test_a_verified_citizen_sees_records_with_source_and_sync_time_and_who_read_them(
    phone: Page, app_url, app, client, citizen_headers, staff_headers, tmp_path
):
    headers, owner, _ = citizen_headers()
    _import(app, tmp_path, "land", [land_row([person(owner["cccd"])], area_m2="120.5")])
    _import(
        app,
        tmp_path,
        "health",
        [health_row(owner["cccd"], kind) for kind in ("visit", "vaccination", "insurance_card")],
    )
    _import(
        app,
        tmp_path,
        "labour",
        [labour_row(owner["cccd"], started_on="2023-01-01", ended_on=None, employer="Sở Y tế tỉnh Đắk Lắk")],
    )
    officer, _ = staff_headers("officer")
    read = client.post(
        "/staff/records/search",
        headers=officer,
        json={"cccd": owner["cccd"], "purpose": PURPOSE, "record_types": ["land"]},
    )
    assert read.status_code == 200, read.json
    land = client.get("/me/records/land", headers=headers).json
    health = client.get("/me/records/health", headers=headers).json
    labour = client.get("/me/records/labour", headers=headers).json
    [certificate] = land["certificates"]

    sign_in(phone, app_url, owner["cccd"], start="/app/records")
    expect(phone).to_have_url(app_url + "/app/records")
    expect(phone.get_by_role("heading", name="Dữ liệu của tôi")).to_be_visible()
    land_link = phone.get_by_role("link", name=re.compile("^Đất đai"))
    expect(land_link).to_contain_text(f"Nguồn: {land['origin']}")
    _expect_synced(land_link, certificate["synced_at"])
    expect(land_link).to_contain_text("1 bản ghi")
    expect(phone.get_by_role("link", name=re.compile("^Sức khỏe"))).to_contain_text("3 bản ghi")
    expect(phone.get_by_role("link", name=re.compile("^Lao động"))).to_contain_text(
        f"Nguồn: {labour['origin']}"
    )
    assert_accessible(phone, "records, summary")
    screenshot(phone, "app-records")

    land_link.click()
    expect(
        phone.get_by_role("heading", name=f"Giấy chứng nhận {certificate['certificate_number']}")
    ).to_be_visible()
    expect(phone.get_by_text("120,5 m²")).to_be_visible()
    expect(phone.get_by_text("Nguyễn Thị Hoa (bạn)")).to_be_visible()
    shown = phone.locator(".provenance")
    expect(shown).to_contain_text(f"Nguồn: {certificate['source_name']}")
    _expect_synced(shown, certificate["synced_at"])
    assert_accessible(phone, "records, land")
    screenshot(phone, "app-records-land")

    phone.go_back()
    phone.get_by_role("link", name=re.compile("^Sức khỏe")).click()
    expect(phone.get_by_role("heading", name="Thẻ bảo hiểm y tế")).to_be_visible()
    expect(phone.get_by_text("GD4660123456789")).to_be_visible()
    expect(phone.get_by_text("Còn hạn")).to_be_visible()
    expect(phone.get_by_text("Viêm họng cấp")).to_be_visible()
    expect(phone.get_by_text("COVID-19 (Pfizer), mũi 2")).to_be_visible()
    visit = phone.locator(".record-list li", has_text="Viêm họng cấp")
    expect(visit.locator(".provenance")).to_contain_text(f"Nguồn: {health['visits'][0]['source_name']}")
    _expect_synced(visit.locator(".provenance"), health["visits"][0]["synced_at"])
    assert_accessible(phone, "records, health")
    screenshot(phone, "app-records-health")

    phone.go_back()
    phone.get_by_role("link", name=re.compile("^Lao động")).click()
    expect(phone.get_by_text("Sở Y tế tỉnh Đắk Lắk").first).to_be_visible()
    expect(phone.get_by_text("6621234567")).to_be_visible()
    period = phone.locator(".record-list li", has_text="Sở Y tế tỉnh Đắk Lắk")
    expect(period).to_contain_text("01/01/2023 – nay")
    expect(period.locator(".provenance")).to_contain_text(
        f"Nguồn: {labour['employment_periods'][0]['source_name']}"
    )
    assert_accessible(phone, "records, labour")

    # The officer's read, with the purpose they gave, is there for the citizen to see.
    phone.go_back()
    phone.get_by_role("link", name=re.compile("^Ai đã xem dữ liệu của tôi")).click()
    expect(phone.get_by_role("heading", name="Ai đã xem dữ liệu của tôi")).to_be_visible()
    entry = phone.locator(".access-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(
        client.get("/me/records/access-log", headers=headers).json[0]["accessor_name"]
    )
    expect(entry).to_contain_text(f"Mục đích: {PURPOSE}")
    expect(entry).to_contain_text("Đã xem: Đất đai")
    assert_accessible(phone, "records, access log")
    screenshot(phone, "app-records-access-log")


def test_a_level_one_citizen_is_shown_how_to_reach_level_two_instead_of_an_error(
    phone: Page, app_url, make_citizen
):
    citizen = make_citizen(identity_level=1)
    sign_in(phone, app_url, citizen["cccd"], start="/app/records")
    guide = phone.locator(".level-guide")
    expect(phone.get_by_role("heading", name="Cần tài khoản định danh điện tử mức 2")).to_be_visible()
    expect(guide).to_contain_text("thẻ căn cước")
    expect(guide).to_contain_text("Công an xã, phường")
    expect(phone.get_by_role("button", name="Tôi đã lên mức 2, đăng nhập lại")).to_be_visible()
    expect(phone.get_by_role("alert")).to_have_count(0)
    assert_accessible(phone, "records, level 1")
    screenshot(phone, "app-records-level-1")

    # The same for every screen behind level 2, including benefits and a payment's deep link.
    for path in (
        "/app/records/health",
        "/app/records/access-log",
        "/app/benefits",
        "/app/benefits/payments/00000000-0000-4000-8000-000000000000",
    ):
        phone.goto(app_url + path)
        expect(phone.get_by_role("heading", name="Cần tài khoản định danh điện tử mức 2")).to_be_visible()
        expect(phone.get_by_role("alert")).to_have_count(0)


def test_benefit_payments_payouts_and_the_inbox_that_leads_to_them(
    phone: Page,
    app_url,
    app,
    client,
    citizen_headers,
    staff_headers,
    payments,  # noqa: F811 (the fixtures imported above)
    card,  # noqa: F811
):
    headers, citizen, _ = citizen_headers()
    officer, _ = staff_headers("officer")
    assert client.post("/staff/benefits/programmes", headers=officer, json=PROGRAMME).status_code == 201
    link_account(client, headers, card)  # cashless: paid into the linked account (a payout)
    enrolled = client.post(
        "/staff/benefits/beneficiaries",
        headers=officer,
        json={"cccd": citizen["cccd"], "programme": "TCXH", "starts_on": "2025-01-01"},
    )
    assert enrolled.status_code == 201, enrolled.json
    this_month = benefits.current_period()
    last_month = this_month.plus(-1)
    for period in (str(last_month), str(this_month)):
        assert schedule(client, officer, period).status_code == 200
        assert pay(client, officer, period).status_code == 200
    mine = {p["period"]: p for p in client.get("/me/benefits/payments", headers=headers).json}
    paid = mine[str(last_month)]
    assert settle(client, officer, paid["id"], "paid").status_code == 200
    with app.app_context():
        # An older message with nothing to open; then, through the outbox, the news of the linked
        # account and of the payment.
        older = inbox.deliver(
            citizen["id"], "Lịch chi trả trợ cấp", "Trợ cấp được chi trả từ ngày 10 hằng tháng.", "benefit"
        )
        older.created_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        dispatch()
        db.session.commit()  # the test is the edge, as the scheduler's job is (api/unit_of_work.py)
        db.session.remove()
    last_month_text = f"{last_month.month:02d}/{last_month.year}"

    sign_in(phone, app_url, citizen["cccd"])
    badge = phone.locator("#inbox-badge")
    expect(badge).to_have_text("3")
    phone.get_by_role("link", name="Hộp thư, 3 thông báo chưa đọc").click()
    expect(phone.get_by_role("heading", name="Thông báo của bạn")).to_be_visible()
    messages = phone.locator(".inbox-message")
    expect(messages).to_have_count(3)
    expect(messages.last).to_contain_text("Lịch chi trả trợ cấp")  # newest first
    news = messages.filter(has_text="Đã chi trả Trợ cấp xã hội hằng tháng")
    expect(news).to_contain_text(f"Đã chi trả 500.000 đồng tháng {last_month_text}")
    expect(news).to_contain_text("Chưa đọc")
    expect(phone.get_by_text("Bạn có 3 thông báo chưa đọc.")).to_be_visible()
    assert_accessible(phone, "inbox, unread")
    screenshot(phone, "app-inbox")

    # Tapping the message marks it read and opens the payment it is about, inside the app.
    news.click()
    expect(phone).to_have_url(app_url + f"/app/benefits/payments/{paid['id']}")
    expect(
        phone.get_by_role("heading", name=f"Trợ cấp xã hội hằng tháng, tháng {last_month_text}")
    ).to_be_visible()
    expect(phone.locator(".amount")).to_have_text("500.000 đ")
    expect(phone.get_by_text("Đã chi trả", exact=True)).to_be_visible()
    expect(phone.get_by_text("Tài khoản thanh toán điện tử đã liên kết trên ứng dụng")).to_be_visible()
    expect(badge).to_have_text("2")
    assert client.get("/me/inbox/unread-count", headers=headers).json == {"unread": 2}
    assert_accessible(phone, "benefit payment")
    screenshot(phone, "app-benefit-payment")

    # The benefits screen (congdanso://benefits): the programme, both months, the payout.
    phone.get_by_role("link", name="Về trang an sinh xã hội").click()
    expect(phone).to_have_url(app_url + "/app/benefits")
    expect(phone.get_by_role("heading", name="Trợ cấp xã hội hằng tháng")).to_be_visible()
    expect(phone.get_by_text("Đang hưởng", exact=True)).to_be_visible()
    expect(phone.get_by_text("500.000 đ/tháng")).to_be_visible()
    rows = phone.locator(
        ".card", has=phone.get_by_role("heading", name="Các khoản chi trả gần đây")
    ).get_by_role("link")
    expect(rows.filter(has_text=f"Tháng {last_month_text}: 500.000 đ")).to_contain_text("Đã chi trả")
    expect(
        rows.filter(has_text=f"Tháng {this_month.month:02d}/{this_month.year}: 500.000 đ")
    ).to_contain_text("Chờ chi trả")
    payouts = phone.locator(".payout")
    expect(payouts).to_have_count(2)
    expect(payouts.filter(has_text="Đã nhận")).to_have_count(1)
    expect(payouts.filter(has_text="Đang chuyển")).to_have_count(1)
    assert_accessible(phone, "benefits")
    screenshot(phone, "app-benefits")
    phone.get_by_role("link", name="Xem tất cả các khoản").click()
    expect(phone.get_by_role("heading", name="Tất cả các khoản chi trả")).to_be_visible()
    expect(
        phone.locator("#view").get_by_role("link", name=re.compile(r"^Tháng \d\d.\d{4}: 500\.000 đ"))
    ).to_have_count(2)

    # Back to the inbox: the rest is marked read at once, and the badge goes.
    phone.goto(app_url + "/app/inbox")
    expect(phone.locator(".inbox-message.unread")).to_have_count(2)
    expect(phone.locator(".inbox-message", has_text="Đã chi trả Trợ cấp")).not_to_contain_text("Chưa đọc")
    phone.get_by_role("button", name="Đánh dấu tất cả đã đọc").click()
    expect(phone.get_by_text("Bạn đã đọc hết thông báo.")).to_be_visible()
    expect(phone.locator(".inbox-message.unread")).to_have_count(0)
    expect(badge).to_be_hidden()
    assert client.get("/me/inbox/unread-count", headers=headers).json == {"unread": 0}

    # The wallet (congdanso://wallet, where the linked-account messages lead): the linked card.
    phone.goto(app_url + "/app/wallet")
    expect(phone.get_by_text("Đã liên kết", exact=True)).to_be_visible()
    expect(phone.get_by_text(re.compile(r"•••• 4242"))).to_be_visible()
    assert_accessible(phone, "wallet")
    phone.get_by_role("button", name="Huỷ liên kết").click()
    expect(phone.get_by_text("Chưa liên kết", exact=True)).to_be_visible()
    assert client.get("/me/payment-account", headers=headers).status_code == 404
