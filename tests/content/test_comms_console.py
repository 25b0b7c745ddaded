"""The comms console (/comms/console) in headless Chromium, against the API on loopback.

Two comms officers, each in their own browser context (their own tokens): A writes, B approves
and publishes; the console offers each officer only what the API lets them do (an author is not
shown the approve or publish button of their own work), and says why. The campaign is sent by
the scheduler's job, run here in-process against the same database with `now` set after the
scheduled time, through firebase-admin's own code to the local FCM v1 endpoint
(tests/fcm_server.py); the console, refreshing by itself, then shows it sent with its figures.

What is asserted is what a person sees (Playwright's visibility), and axe-core checks every
screen (tests/browser.py). Nothing here needs the chatbot: these run in the normal suite.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from api.extensions import db
from api.workdays import VIETNAM
from tests.browser import UI_TIMEOUT_MS, assert_accessible, chromium_browser, screenshot, watch_errors  # noqa: F401
from tests.content.conftest import act
from tests.fcm_server import fcm  # noqa: F401 (fixture)


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


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(VIETNAM).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


PAGE_ERRORS: list[str] = []


@pytest.fixture(autouse=True)
def no_page_errors():
    PAGE_ERRORS.clear()
    yield
    assert PAGE_ERRORS == []


@pytest.fixture
def comms_officers(make_staff):
    return make_staff("comms", username="truyen-thong-a"), make_staff("comms", username="truyen-thong-b")


def signed_in(browser, base_url: str, officer: dict, check_signed_out_page: bool = False):
    """A console page of its own (a separate browser context) signed in as `officer`."""
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    # Uncaught script errors and anything the CSP blocks fail the test (see `no_page_errors`).
    watch_errors(page, PAGE_ERRORS, officer["username"])
    page.goto(f"{base_url}/comms/console")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    if check_signed_out_page:
        assert_accessible(page, "comms console, signed out")
    page.get_by_label("Tên đăng nhập").fill(officer["username"])
    page.get_by_label("Mật khẩu").fill(officer["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#desk")).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#who-name")).to_contain_text(officer["username"])
    # Signed in: the form is gone from the screen, not merely pushed above the desk.
    expect(page.locator("#sign-in")).to_be_hidden()
    expect(page.get_by_label("Mật khẩu")).to_be_hidden()
    return page


def only_panel_visible(page, name: str) -> None:
    """One tab's panel on screen, the other two hidden, and the tab marked selected."""
    for panel in ("articles", "faq", "campaigns"):
        if panel == name:
            expect(page.locator(f"#{panel}")).to_be_visible()
            expect(page.locator(f"#tab-{panel}")).to_have_attribute("aria-selected", "true")
        else:
            expect(page.locator(f"#{panel}")).to_be_hidden()
            expect(page.locator(f"#tab-{panel}")).to_have_attribute("aria-selected", "false")


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


# ---- what the API tells the console ------------------------------------------------------------


def test_an_article_says_who_may_publish_it(client, writer, reviewer, staff_headers, create_article):
    """`allowed_actions`: the four-eyes rule the console cannot see from the article alone, since
    whoever last changed the content may not publish it either."""
    third = {"headers": staff_headers("comms")[0]}
    article = create_article()
    mine = client.get(f"/staff/content/articles/{article['id']}", headers=writer["headers"]).json
    assert mine["allowed_actions"] == ["edit", "submit", "archive"]

    # The reviewer edits the writer's draft; the writer then submits it: neither may publish.
    edited = client.patch(
        f"/staff/content/articles/{article['id']}",
        headers=reviewer["headers"],
        json={"summary": "Tóm tắt do người duyệt sửa lại cho rõ ràng hơn.", "version": article["version"]},
    )
    assert edited.status_code == 200, edited.json
    submitted = act(client, writer, edited.json, "submit")
    assert submitted.json["allowed_actions"] == ["edit", "return", "archive"]
    for who in (writer, reviewer):
        seen = client.get(f"/staff/content/articles/{article['id']}", headers=who["headers"]).json
        assert "publish" not in seen["allowed_actions"]
        assert act(client, who, seen, "publish").json["code"] == "second_reviewer_required"
    offered = client.get(f"/staff/content/articles/{article['id']}", headers=third["headers"]).json
    assert offered["allowed_actions"] == ["edit", "return", "publish", "archive"]

    published = act(client, third, offered, "publish")
    assert published.status_code == 200
    assert published.json["allowed_actions"] == ["unpublish", "archive"]


# ---- in the browser -------------------------------------------------------------------------


def test_the_console_shows_one_tab_at_a_time_and_only_the_fields_that_apply(
    live_server, browser, comms_officers
):
    a = signed_in(browser, live_server, comms_officers[0], check_signed_out_page=True)
    only_panel_visible(a, "articles")
    expect(a.locator("#article-editor")).to_be_hidden()
    # One tab's panel, not three stacked: the page is no taller than a screen or so.
    assert a.evaluate("() => document.documentElement.scrollHeight") < 1200
    screenshot(a, "comms-articles")
    assert_accessible(a, "comms console, articles")

    a.get_by_role("button", name="Viết bài mới").click()
    expect(a.locator("#article-editor")).to_be_visible()
    expect(a.get_by_role("button", name="Lưu", exact=True)).to_be_visible()
    for action in ("Gửi duyệt", "Duyệt và đăng", "Trả lại để sửa", "Gỡ bài", "Lưu trữ", "Khôi phục"):
        expect(a.get_by_role("button", name=action, exact=True)).to_be_hidden()
    expect(a.locator("#article-note-field")).to_be_hidden()
    expect(a.locator("#article-preview")).to_be_hidden()  # nothing saved yet: no preview, no figures
    # The audience fields follow the scope chosen.
    province, wards = a.locator("#article-province"), a.locator("#article-wards")
    expect(province).to_be_hidden()
    expect(wards).to_be_hidden()
    a.get_by_label("Phạm vi").select_option("province")
    expect(province).to_be_visible()
    expect(wards).to_be_hidden()
    a.get_by_label("Phạm vi").select_option("wards")
    expect(province).to_be_hidden()
    expect(wards).to_be_visible()
    screenshot(a, "comms-article-editor")
    assert_accessible(a, "comms console, a new article")

    a.get_by_role("tab", name="Hỏi đáp").click()
    only_panel_visible(a, "faq")
    a.get_by_role("button", name="Thêm câu hỏi").click()
    expect(a.locator("#faq-editor")).to_be_visible()
    assert_accessible(a, "comms console, a new FAQ entry")

    # The arrow keys move between tabs.
    a.get_by_role("tab", name="Hỏi đáp").press("ArrowRight")
    only_panel_visible(a, "campaigns")
    expect(a.get_by_role("tab", name="Chiến dịch")).to_be_focused()
    fields = {
        "province": ["#campaign-province"],
        "ward": ["#campaign-wards"],
        "role": ["#campaign-role"],
        "age": ["#campaign-min-age", "#campaign-max-age"],
    }
    for kind in ("all", "province", "ward", "role", "age"):
        a.get_by_label("Nhóm").select_option(kind)
        for other, selectors in fields.items():
            for selector in selectors:
                if other == kind:
                    expect(a.locator(selector)).to_be_visible()
                else:
                    expect(a.locator(selector)).to_be_hidden()
    expect(a.locator("#campaign-detail")).to_be_hidden()
    screenshot(a, "comms-campaigns")
    assert_accessible(a, "comms console, campaigns")


def test_a_campaign_is_composed_approved_by_another_officer_scheduled_and_sent(
    app,
    live_server,
    browser,
    comms_officers,
    citizen_headers,
    fcm,  # noqa: F811 (the fixture imported above)
):
    from notifications.campaigns import service as campaigns

    tokens = register_devices(live_server, citizen_headers, 3)
    officer_a, officer_b = comms_officers
    title = "Tiêm vắc xin sởi miễn phí"

    # A composes, checking first how many people the audience reaches.
    a = signed_in(browser, live_server, officer_a)
    a.get_by_role("tab", name="Chiến dịch").click()
    only_panel_visible(a, "campaigns")
    a.get_by_label("Tiêu đề (tối đa 65 ký tự)").fill(title)
    a.get_by_label("Nội dung (tối đa 240 ký tự)").fill(
        "Trạm y tế phường tiêm vắc xin sởi miễn phí cho trẻ từ 9 tháng tuổi vào thứ Bảy."
    )
    a.fill("#campaign-link", "congdanso://news/tiem-chung")
    a.get_by_label("Nhóm").select_option("all")
    a.get_by_role("button", name="Đếm người nhận").click()
    expect(a.locator("#campaign-reach")).to_have_text("3 công dân, 3 thiết bị nhận push")
    a.get_by_role("button", name="Lưu bản nháp").click()
    expect(a.locator("#status")).to_contain_text("Đã lưu bản nháp chiến dịch")
    row_a = a.locator("#campaign-list tr", has_text=title)
    expect(row_a).to_contain_text("Bản nháp")

    # A is not offered to approve their own campaign, and is told who must.
    expect(a.locator("#campaign-detail-title")).to_have_text(title)
    expect(a.locator("#campaign-detail")).to_be_visible()
    expect(a.get_by_role("button", name="Duyệt", exact=True)).to_be_hidden()
    expect(a.get_by_role("button", name="Lên lịch gửi")).to_be_hidden()
    expect(a.get_by_label("Thời điểm gửi (giờ Việt Nam)")).to_be_hidden()
    expect(a.get_by_role("button", name="Hủy chiến dịch")).to_be_visible()
    expect(a.locator("#campaign-waiting")).to_be_visible()
    expect(a.locator("#campaign-waiting")).to_contain_text(
        "một cán bộ truyền thông khác hoặc quản trị viên cần duyệt"
    )
    screenshot(a, "comms-campaign-own-draft")
    assert_accessible(a, "comms console, one's own draft campaign")

    # B, in a browser of their own, approves it.
    b = signed_in(browser, live_server, officer_b)
    b.get_by_role("tab", name="Chiến dịch").click()
    b.locator("#campaign-list tr", has_text=title).click()
    expect(b.locator("#campaign-detail-meta")).to_contain_text("soạn bởi cán bộ")
    expect(b.locator("#campaign-waiting")).to_be_hidden()
    b.get_by_role("button", name="Duyệt", exact=True).click()
    expect(b.locator("#status")).to_have_text("Đã duyệt chiến dịch. Có thể lên lịch gửi.")
    expect(b.get_by_role("button", name="Duyệt", exact=True)).to_be_hidden()

    # A's console follows by itself, then A schedules it. 23:00 (Vietnam time, as typed) is in
    # the quiet hours and refused; tomorrow 09:00 is taken.
    expect(row_a).to_contain_text("Đã duyệt", timeout=UI_TIMEOUT_MS)
    send_at_field = a.get_by_label("Thời điểm gửi (giờ Việt Nam)")
    expect(send_at_field).to_be_visible()
    expect(a.locator("#campaign-waiting")).to_be_hidden()
    send_at = tomorrow_at(9)
    send_at_field.fill(f"{send_at:%Y-%m-%d}T23:00")
    a.get_by_role("button", name="Lên lịch gửi").click()
    expect(a.locator("#status")).to_contain_text("giờ yên tĩnh 22:00–06:00 (bạn chọn 23:00")
    expect(a.locator("#status")).to_be_visible()
    assert_accessible(a, "comms console, a refusal in the status line")
    send_at_field.fill(f"{send_at:%Y-%m-%dT%H:%M}")
    a.get_by_role("button", name="Lên lịch gửi").click()
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
    # Sent: nothing left to approve, schedule or cancel.
    for action in ("Duyệt", "Lên lịch gửi", "Hủy chiến dịch"):
        expect(a.get_by_role("button", name=action, exact=True)).to_be_hidden()
    screenshot(a, "comms-campaign-sent")
    assert_accessible(a, "comms console, a campaign sent")


def test_an_admin_approves_but_neither_composes_nor_schedules(
    live_server, browser, comms_officers, make_staff, make_citizen
):
    make_citizen()  # the audience: approving needs someone to reach
    a = signed_in(browser, live_server, comms_officers[0])
    a.get_by_role("tab", name="Chiến dịch").click()
    a.get_by_label("Tiêu đề (tối đa 65 ký tự)").fill("Lịch cắt điện cuối tuần")
    a.get_by_label("Nội dung (tối đa 240 ký tự)").fill(
        "Điện lực cắt điện để bảo trì lưới từ 7:00 đến 11:00 Chủ nhật."
    )
    a.get_by_role("button", name="Lưu bản nháp").click()
    expect(a.locator("#status")).to_contain_text("Đã lưu bản nháp chiến dịch")

    admin = signed_in(browser, live_server, make_staff("admin", username="quan-tri"))
    admin.get_by_role("tab", name="Chiến dịch").click()
    # The API refuses admins composing (POST /comms/campaigns is for comms): no form to fill.
    expect(admin.locator("#campaign-compose-section")).to_be_hidden()
    expect(admin.get_by_label("Tiêu đề (tối đa 65 ký tự)")).to_be_hidden()
    expect(admin.locator("#campaign-admin-note")).to_be_visible()
    admin.locator("#campaign-list tr", has_text="Lịch cắt điện cuối tuần").click()
    admin.get_by_role("button", name="Duyệt", exact=True).click()
    expect(admin.locator("#status")).to_have_text("Đã duyệt chiến dịch. Có thể lên lịch gửi.")
    # Scheduling is the comms officers' (the API answers 403 to an admin): not offered.
    expect(admin.get_by_role("button", name="Lên lịch gửi")).to_be_hidden()
    expect(admin.get_by_label("Thời điểm gửi (giờ Việt Nam)")).to_be_hidden()
    expect(admin.locator("#campaign-waiting")).to_contain_text("Cán bộ truyền thông lên lịch gửi")
    expect(admin.get_by_role("button", name="Hủy chiến dịch")).to_be_visible()
    screenshot(admin, "comms-admin-campaign")
    assert_accessible(admin, "comms console, an admin on an approved campaign")


def test_an_article_is_written_by_one_officer_and_published_by_another(live_server, browser, comms_officers):
    officer_a, officer_b = comms_officers
    title = "Đề án 06: làm căn cước cho trẻ em dưới 14 tuổi"

    a = signed_in(browser, live_server, officer_a)
    a.get_by_role("button", name="Viết bài mới").click()
    editor = a.locator("#article-editor")
    editor.get_by_label("Tiêu đề").fill(title)
    editor.get_by_label("Tóm tắt").fill(
        "Cha mẹ đăng ký căn cước cho con trên VNeID, không cần đến trụ sở công an."
    )
    editor.get_by_label("Chủ đề").select_option("de-an-06")
    a.fill(
        "#article-body",
        "<p>Từ 01/7/2024, trẻ em dưới 14 tuổi được <strong>cấp căn cước</strong>.</p>"
        '<script>document.title = "bị chiếm"</script><img src="x" onerror="alert(1)">',
    )
    a.get_by_role("button", name="Lưu", exact=True).click()
    expect(a.locator("#status")).to_have_text("Đã lưu bài viết (phiên bản 1).")
    # What was saved is the sanitised body: the script is gone, the text stays.
    expect(a.locator("#article-body")).not_to_have_value(re.compile("script|onerror"))
    expect(a.locator("#article-preview")).to_be_visible()
    preview = a.frame_locator("#article-preview").locator("body")
    expect(preview).to_contain_text("cấp căn cước")
    assert a.title() == "Truyền thông Công dân số"
    # A draft: save, send to review, archive; nothing to publish, return or restore.
    expect(a.get_by_role("button", name="Gửi duyệt")).to_be_visible()
    for action in ("Duyệt và đăng", "Trả lại để sửa", "Gỡ bài", "Khôi phục"):
        expect(a.get_by_role("button", name=action, exact=True)).to_be_hidden()

    a.get_by_role("button", name="Gửi duyệt").click()
    expect(a.locator("#status")).to_have_text("Đã gửi bài viết để duyệt.")
    expect(a.locator("#article-meta")).to_contain_text("Chờ duyệt")
    # The writer is not offered to publish their own article, and is told who will.
    expect(a.get_by_role("button", name="Duyệt và đăng")).to_be_hidden()
    expect(a.get_by_role("button", name="Gửi duyệt")).to_be_hidden()
    expect(a.locator("#article-locked")).to_be_visible()
    expect(a.locator("#article-locked")).to_contain_text("một cán bộ truyền thông khác sẽ duyệt và đăng")
    screenshot(a, "comms-article-in-review-own")
    assert_accessible(a, "comms console, one's own article in review")
    assert title not in [item["title"] for item in httpx.get(f"{live_server}/content/articles").json()]

    b = signed_in(browser, live_server, officer_b)
    b.locator("#article-list tr", has_text=title).click()
    expect(b.locator("#article-meta")).to_contain_text("Chờ duyệt")
    expect(b.locator("#article-locked")).to_be_hidden()
    expect(b.get_by_role("button", name="Trả lại để sửa")).to_be_visible()
    expect(b.get_by_label("Ghi chú khi trả lại (bắt buộc khi trả lại)")).to_be_visible()
    b.get_by_role("button", name="Duyệt và đăng").click()
    expect(b.locator("#status")).to_have_text("Đã duyệt và đăng bài viết.")
    expect(b.locator("#article-list tr", has_text=title)).to_contain_text("Đã đăng")
    expect(b.locator("#article-stats")).to_contain_text("Người đã đọc")
    # Published: to be edited it is taken down first; the form says so and cannot be typed in.
    expect(b.get_by_role("button", name="Lưu", exact=True)).to_be_hidden()
    expect(b.locator("#article-editor").get_by_label("Tiêu đề")).to_be_disabled()
    expect(b.get_by_role("button", name="Gỡ bài")).to_be_visible()
    expect(b.locator("#article-locked")).to_contain_text("gỡ bài trước khi sửa")
    screenshot(b, "comms-article-published")
    assert_accessible(b, "comms console, a published article")

    published = httpx.get(f"{live_server}/content/articles", timeout=10).json()
    assert title in [item["title"] for item in published]


def test_an_faq_entry_is_added_and_edited_in_the_console(live_server, browser, comms_officers):
    a = signed_in(browser, live_server, comms_officers[0])
    a.get_by_role("tab", name="Hỏi đáp").click()
    only_panel_visible(a, "faq")
    a.get_by_role("button", name="Thêm câu hỏi").click()
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
    expect(a.locator("#status")).to_be_visible()

    a.fill("#faq-questions", "làm căn cước cho con thế nào\ntrẻ em có cần căn cước không")
    a.fill("#faq-answer", "Cha mẹ đăng ký căn cước cho con trên ứng dụng VNeID, mức 2.")
    a.click("#faq-save")
    expect(a.locator("#status")).to_have_text('Đã lưu mục hỏi đáp "can_cuoc_tre_em" (phiên bản 2).')
    expect(a.locator("#faq-key")).to_be_disabled()
    screenshot(a, "comms-faq")
    assert_accessible(a, "comms console, an FAQ entry")

    public = httpx.get(f"{live_server}/content/faq", timeout=10).json()
    assert {
        "key": "can_cuoc_tre_em",
        "answer": "Cha mẹ đăng ký căn cước cho con trên ứng dụng VNeID, mức 2.",
    }.items() <= next(entry for entry in public if entry["key"] == "can_cuoc_tre_em").items()


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
    expect(a.locator("#desk")).to_be_visible()
    expect(a.locator("#sign-in")).to_be_hidden()
