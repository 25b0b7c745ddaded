"""The comms console (/comms/console) in headless Chromium, against the API on loopback.

Two comms officers, each in their own browser context (their own tokens): A writes, B approves
and publishes; the console must show the API's Vietnamese refusals (approving one's own campaign,
publishing one's own article) in its status line. The campaign is sent by the scheduler's job,
run here in-process against the same database with `now` set after the scheduled time, through
firebase-admin's own code to the local FCM v1 endpoint (tests/fcm_server.py); the console,
refreshing by itself, then shows it sent with its figures.

The browser tests are marked e2e (`make e2e`, after Debian's chromium is installed):
    .venv/bin/pytest tests/content/test_comms_console.py -m e2e -p no:cacheprovider
"""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api.extensions import db
from api.workdays import VIETNAM
from tests.chat.conftest import require_built
from tests.fcm_server import fcm  # noqa: F401 (fixture)

UI_TIMEOUT_MS = 15_000  # generous: the page polls every 3 s and the machine may be busy


def test_the_console_page_runs_only_its_own_script(client):
    page = client.get("/comms/console")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Truyền thông Công dân số" in html
    assert "<script>" not in html  # no inline script: the CSP below would block it anyway
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    script = client.get("/comms/console/console.js")
    assert script.status_code == 200
    assert "innerHTML" not in script.get_data(as_text=True)
    assert client.get("/comms/console/console.css").status_code == 200
    assert client.get("/comms/console/../service.py").status_code == 404
    assert client.get("/comms/console/nothing.js").status_code == 404


# ---- in the browser -------------------------------------------------------------------------


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(VIETNAM).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    require_built(Path(chromium) if chromium else None, "Debian's chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield launched
        launched.close()


PAGE_ERRORS: list[str] = []


@pytest.fixture(autouse=True)
def no_page_errors():
    PAGE_ERRORS.clear()
    yield
    assert PAGE_ERRORS == []


@pytest.fixture
def comms_officers(make_staff):
    return make_staff("comms", username="truyen-thong-a"), make_staff("comms", username="truyen-thong-b")


def signed_in(browser, base_url: str, officer: dict):
    """A console page of its own (a separate browser context) signed in as `officer`."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    # Uncaught script errors and anything the CSP blocks fail the test (see `no_page_errors`).
    page.on("pageerror", lambda error: PAGE_ERRORS.append(f"{officer['username']}: {error}"))
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and PAGE_ERRORS.append(f"{officer['username']}: {message.text}")
        ),
    )
    page.goto(f"{base_url}/comms/console")
    page.fill("#username", officer["username"])
    page.fill("#password", officer["password"])
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#desk")).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#who-name")).to_contain_text(officer["username"])
    return page


def register_devices(base_url: str, citizen_headers, count: int) -> list[str]:
    """`count` citizens, each registering one phone through the app's endpoint; their tokens."""
    tokens = []
    for n in range(count):
        headers, _, _ = citizen_headers(full_name=f"Công dân số {n + 1}")
        token = f"may-{n}-{uuid.uuid4().hex}:APA91b{uuid.uuid4().hex}"
        response = httpx.put(
            f"{base_url}/me/devices",
            json={"token": token, "platform": "android"},
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 201, response.text
        tokens.append(token)
    return tokens


@pytest.mark.e2e
def test_a_campaign_is_composed_approved_by_another_officer_scheduled_and_sent(
    app,
    live_server,
    browser,
    comms_officers,
    citizen_headers,
    fcm,  # noqa: F811 (the fixture imported above)
):
    from playwright.sync_api import expect

    from notifications.campaigns import service as campaigns

    tokens = register_devices(live_server, citizen_headers, 3)
    officer_a, officer_b = comms_officers
    title = "Tiêm vắc xin sởi miễn phí"

    # A composes, checking first how many people the audience reaches.
    a = signed_in(browser, live_server, officer_a)
    a.click("#tab-campaigns")
    a.fill("#campaign-title", title)
    a.fill(
        "#campaign-body", "Trạm y tế phường tiêm vắc xin sởi miễn phí cho trẻ từ 9 tháng tuổi vào thứ Bảy."
    )
    a.fill("#campaign-link", "congdanso://news/tiem-chung")
    a.select_option("#campaign-kind", "all")
    a.click("#campaign-preview")
    expect(a.locator("#campaign-reach")).to_have_text("3 công dân, 3 thiết bị nhận push")
    a.click("#campaign-compose")
    expect(a.locator("#status")).to_contain_text("Đã lưu bản nháp chiến dịch")
    row_a = a.locator("#campaign-list tr", has_text=title)
    expect(row_a).to_contain_text("Bản nháp")

    # A cannot approve their own campaign: the console says why, in the API's words.
    expect(a.locator("#campaign-detail-title")).to_have_text(title)
    a.click("#campaign-approve")
    expect(a.locator("#status")).to_contain_text("Bạn không thể tự duyệt chiến dịch do chính mình soạn")
    expect(a.locator("#status")).to_have_class("error")
    expect(row_a).to_contain_text("Bản nháp")

    # B, in a browser of their own, approves it.
    b = signed_in(browser, live_server, officer_b)
    b.click("#tab-campaigns")
    b.locator("#campaign-list tr", has_text=title).click()
    expect(b.locator("#campaign-detail-meta")).to_contain_text("soạn bởi cán bộ")
    b.click("#campaign-approve")
    expect(b.locator("#status")).to_have_text("Đã duyệt chiến dịch. Có thể lên lịch gửi.")

    # A's console follows by itself, then A schedules it. 23:00 (Vietnam time, as typed) is in
    # the quiet hours and refused; tomorrow 09:00 is taken.
    expect(row_a).to_contain_text("Đã duyệt", timeout=UI_TIMEOUT_MS)
    send_at = tomorrow_at(9)
    a.fill("#campaign-send-at", f"{send_at:%Y-%m-%d}T23:00")
    a.click("#campaign-schedule")
    expect(a.locator("#status")).to_contain_text("giờ yên tĩnh 22:00–06:00 (bạn chọn 23:00")
    a.fill("#campaign-send-at", f"{send_at:%Y-%m-%dT%H:%M}")
    a.click("#campaign-schedule")
    expect(a.locator("#status")).to_have_text(f"Đã lên lịch gửi lúc {send_at:%H:%M %d/%m/%Y}.")
    expect(row_a).to_contain_text("Đã lên lịch")
    assert fcm.received == []  # nothing leaves before the job runs

    # The scheduler's job, a minute after the send time, in-process on the same database.
    with app.app_context():
        try:
            report = campaigns.run_due_campaigns(send_at + timedelta(minutes=1))
        finally:
            db.session.remove()
    assert len(report["finished"]) == 1, report

    # The pushes reached the FCM endpoint, one per phone, with the campaign's text.
    assert sorted(fcm.delivered_tokens()) == sorted(tokens)
    assert {m["message"]["notification"]["title"] for m in fcm.delivered} == {title}

    # Both consoles show it sent with the figures, without anyone reloading.
    for page in (a, b):
        row = page.locator("#campaign-list tr", has_text=title)
        expect(row.locator("td.status")).to_have_text("Đã gửi", timeout=UI_TIMEOUT_MS)
        expect(row.locator("td.fig-targeted")).to_have_text("3")
        expect(row.locator("td.fig-sent")).to_have_text("3")
        expect(row.locator("td.fig-failed")).to_have_text("0")
    expect(a.locator("#campaign-figures")).to_contain_text(re.compile(r"Push đã gửi\s*3"))
    expect(a.locator("#campaign-figures")).to_contain_text(re.compile(r"Vào hộp thư\s*3"))
    expect(a.locator("#campaign-schedule")).to_be_hidden()


@pytest.mark.e2e
def test_an_article_is_written_by_one_officer_and_published_by_another(live_server, browser, comms_officers):
    from playwright.sync_api import expect

    officer_a, officer_b = comms_officers
    title = "Đề án 06: làm căn cước cho trẻ em dưới 14 tuổi"

    a = signed_in(browser, live_server, officer_a)
    a.click("#article-new")
    a.fill("#article-title", title)
    a.fill("#article-summary", "Cha mẹ đăng ký căn cước cho con trên VNeID, không cần đến trụ sở công an.")
    a.select_option("#article-category", "de-an-06")
    a.fill(
        "#article-body",
        "<p>Từ 01/7/2024, trẻ em dưới 14 tuổi được <strong>cấp căn cước</strong>.</p>"
        '<script>document.title = "bị chiếm"</script><img src="x" onerror="alert(1)">',
    )
    a.click("#article-save")
    expect(a.locator("#status")).to_have_text("Đã lưu bài viết (phiên bản 1).")
    # What was saved is the sanitised body: the script is gone, the text stays.
    expect(a.locator("#article-body")).not_to_have_value(re.compile("script|onerror"))
    preview = a.frame_locator("#article-preview").locator("body")
    expect(preview).to_contain_text("cấp căn cước")
    assert a.title() == "Truyền thông Công dân số"

    a.click("#article-submit")
    expect(a.locator("#status")).to_have_text("Đã gửi bài viết để duyệt.")
    expect(a.locator("#article-meta")).to_contain_text("Chờ duyệt")
    # The writer cannot publish their own article.
    a.click("#article-publish")
    expect(a.locator("#status")).to_contain_text("phải do một cán bộ truyền thông khác duyệt và đăng")
    assert title not in [item["title"] for item in httpx.get(f"{live_server}/content/articles").json()]

    b = signed_in(browser, live_server, officer_b)
    b.locator("#article-list tr", has_text=title).click()
    expect(b.locator("#article-meta")).to_contain_text("Chờ duyệt")
    b.click("#article-publish")
    expect(b.locator("#status")).to_have_text("Đã duyệt và đăng bài viết.")
    expect(b.locator("#article-list tr", has_text=title)).to_contain_text("Đã đăng")
    expect(b.locator("#article-stats")).to_contain_text("Người đã đọc")

    published = httpx.get(f"{live_server}/content/articles", timeout=10).json()
    assert title in [item["title"] for item in published]


@pytest.mark.e2e
def test_an_faq_entry_is_added_and_edited_in_the_console(live_server, browser, comms_officers):
    from playwright.sync_api import expect

    a = signed_in(browser, live_server, comms_officers[0])
    a.click("#tab-faq")
    a.click("#faq-new")
    a.fill("#faq-key", "can_cuoc_tre_em")
    a.fill("#faq-questions", "làm căn cước cho con thế nào\ntrẻ em có cần căn cước không")
    a.fill("#faq-answer", "Cha mẹ đăng ký trên VNeID.")
    a.select_option("#faq-category", "vneid")
    a.click("#faq-save")
    expect(a.locator("#status")).to_have_text('Đã lưu mục hỏi đáp "can_cuoc_tre_em" (phiên bản 1).')
    expect(a.locator("#faq-list tr", has_text="can_cuoc_tre_em")).to_be_visible()

    # One question only: the API refuses, and the console says which field and why.
    a.fill("#faq-questions", "làm căn cước cho con thế nào")
    a.click("#faq-save")
    expect(a.locator("#status")).to_contain_text("Các cách hỏi: Cần từ 2 đến")

    a.fill("#faq-questions", "làm căn cước cho con thế nào\ntrẻ em có cần căn cước không")
    a.fill("#faq-answer", "Cha mẹ đăng ký căn cước cho con trên ứng dụng VNeID, mức 2.")
    a.click("#faq-save")
    expect(a.locator("#status")).to_have_text('Đã lưu mục hỏi đáp "can_cuoc_tre_em" (phiên bản 2).')
    expect(a.locator("#faq-key")).to_be_disabled()

    public = httpx.get(f"{live_server}/content/faq", timeout=10).json()
    assert {
        "key": "can_cuoc_tre_em",
        "answer": "Cha mẹ đăng ký căn cước cho con trên ứng dụng VNeID, mức 2.",
    }.items() <= next(entry for entry in public if entry["key"] == "can_cuoc_tre_em").items()


@pytest.mark.e2e
def test_requests_that_meet_an_expired_token_at_once_share_one_refresh(live_server, browser, comms_officers):
    """A refresh token is good for one use: a second use is taken for theft and ends the session
    (refresh_token_reused). Three requests that get 401 together must wait for one refresh."""
    a = signed_in(browser, live_server, comms_officers[0])
    still_signed_in = a.evaluate(
        """async () => {
            state.tokens = { ...state.tokens, access_token: "het-han" };
            await Promise.all([
                api("/staff/content/faq"),
                api("/staff/content/articles"),
                api("/content/categories"),
            ]);
            const again = await api("/staff/content/faq");
            return state.tokens !== null && Array.isArray(again);
        }"""
    )
    assert still_signed_in is True
    assert a.locator("#desk").is_visible()
