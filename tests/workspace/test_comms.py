"""The comms panels of the workspace (moved in from the old /comms/console) and internal
announcements to staff, in headless Chromium against the API on loopback.

Two comms officers, each in a browser of their own: A writes, B approves and publishes; each is
offered only what the API lets them do (an author is not shown the approve or publish button of
their own work) and told why. The campaign is sent by the scheduler's job, run here in-process
against the same database with `now` after the scheduled time, through firebase-admin's own code
to the local FCM v1 endpoint (tests/fcm_server.py); the screens, refreshing by themselves, then
show it sent with its figures. Announcements: comms write to officers; an officer sees the banner
and the unread count, opens it, the count drops, and comms see it read.

What is asserted is what a person sees; axe-core checks every screen (tests/browser.py).
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta

import httpx
from playwright.sync_api import Page, expect

from api.extensions import db
from api.unit_of_work import transaction
from api.workdays import VIETNAM
from tests.browser import UI_TIMEOUT_MS, assert_accessible, screenshot, watched_page
from tests.conftest import serving
from tests.content.conftest import act, create_article, if_match, reviewer, writer  # noqa: F401 (fixtures)
from tests.fcm_server import fcm  # noqa: F401 (fixture)
from tests.workspace.conftest import DESKTOP, staff_sign_in


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = datetime.now(VIETNAM).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


def nav(page: Page, name: str):
    return page.get_by_role("navigation", name="Chức năng").get_by_role("link", name=re.compile(f"^{name}"))


def flash(page: Page):
    return page.locator("#view .comms-flash")


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


# ---- what the API tells the panels ---------------------------------------------------------------


def test_an_article_says_who_may_publish_it(
    client,
    writer,  # noqa: F811 (the fixtures imported above)
    reviewer,  # noqa: F811
    staff_headers,
    create_article,  # noqa: F811
):
    """`allowed_actions`: the four-eyes rule the panel cannot see from the article alone, since
    whoever last changed the content may not publish it either."""
    third = {"headers": staff_headers("comms")[0]}
    article = create_article()
    mine = client.get(f"/staff/content/articles/{article['id']}", headers=writer["headers"]).json
    assert mine["allowed_actions"] == ["edit", "submit", "archive"]

    edited = client.patch(
        f"/staff/content/articles/{article['id']}",
        headers=if_match(
            reviewer["headers"], f"/staff/content/articles/{article['id']}", article["version"], client
        ),
        json={"summary": "Tóm tắt do người duyệt sửa lại cho rõ ràng hơn."},
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
    # Named by name for the workspace, never staff:<id>.
    assert published.json["published_by_name"] == "Cán bộ comms"


# ---- in the browser --------------------------------------------------------------------------------


def test_the_old_console_address_opens_the_comms_panels_and_other_roles_are_refused(
    desk: Page, browser, workspace_url, make_staff
):
    comms = make_staff("comms", username="tt.lan")
    desk.goto(f"{workspace_url}/comms/console")
    expect(desk.get_by_role("heading", name="Đăng nhập cán bộ")).to_be_visible()
    assert desk.url.endswith("/workspace/comms")
    desk.get_by_label("Tên đăng nhập").fill(comms["username"])
    desk.get_by_label("Mật khẩu").fill(comms["password"])
    desk.get_by_role("button", name="Đăng nhập").click()
    expect(desk.get_by_role("heading", name="Bài viết tuyên truyền", level=2)).to_be_visible()
    assert desk.url.endswith("/workspace/comms/articles")
    for entry in ("Bài viết", "Hỏi đáp", "Chiến dịch", "Thông báo đã gửi", "Thông báo nội bộ"):
        expect(nav(desk, entry)).to_be_visible()
    expect(nav(desk, "Bài viết")).to_have_attribute("aria-current", "page")
    expect(desk.get_by_text("Chưa có bài viết nào.")).to_be_visible()
    assert_accessible(desk, "comms articles, empty")

    with watched_page(browser, **DESKTOP) as officer_page:
        officer = make_staff("officer")
        staff_sign_in(officer_page, workspace_url, officer["username"], officer["password"])
        expect(nav(officer_page, "Thông báo nội bộ")).to_be_visible()
        for entry in ("Bài viết", "Hỏi đáp", "Chiến dịch", "Thông báo đã gửi"):
            expect(nav(officer_page, entry)).to_have_count(0)
        for path in (
            "/workspace/comms/articles",
            "/workspace/comms/faq",
            "/workspace/comms/campaigns/new",
            "/workspace/comms/announcements",
        ):
            officer_page.goto(workspace_url + path)
            expect(officer_page.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
        screenshot(officer_page, "comms-refused-to-officer")
        assert_accessible(officer_page, "comms panel refused to an officer")


def test_the_screens_show_only_the_fields_that_apply(desk: Page, workspace_url, make_staff):
    comms = make_staff("comms")
    staff_sign_in(
        desk, workspace_url, comms["username"], comms["password"], start="/workspace/comms/articles"
    )
    screenshot(desk, "comms-articles")
    desk.get_by_role("link", name="Viết bài mới").click()
    expect(desk.get_by_role("heading", name="Bài viết mới", level=2)).to_be_visible()
    expect(desk.get_by_role("button", name="Lưu", exact=True)).to_be_visible()
    for action in ("Gửi duyệt", "Duyệt và đăng", "Trả lại để sửa", "Gỡ bài", "Lưu trữ", "Khôi phục"):
        expect(desk.get_by_role("button", name=action, exact=True)).to_have_count(0)
    expect(desk.get_by_title("Xem trước bài viết")).to_have_count(0)  # nothing saved: no preview
    province, wards = (
        desk.get_by_label("Mã tỉnh"),
        desk.get_by_label("Mã phường, xã (cách nhau bởi dấu phẩy)"),
    )
    expect(province).to_be_hidden()
    expect(wards).to_be_hidden()
    desk.get_by_label("Phạm vi").select_option("province")
    expect(province).to_be_visible()
    expect(wards).to_be_hidden()
    desk.get_by_label("Phạm vi").select_option("wards")
    expect(province).to_be_hidden()
    expect(wards).to_be_visible()
    screenshot(desk, "comms-article-editor")
    assert_accessible(desk, "a new article")

    nav(desk, "Hỏi đáp").click()
    desk.get_by_role("link", name="Thêm câu hỏi").click()
    expect(desk.get_by_role("heading", name="Mục hỏi đáp mới", level=2)).to_be_visible()
    assert_accessible(desk, "a new FAQ entry")

    nav(desk, "Chiến dịch").click()
    expect(desk.get_by_text("Chưa có chiến dịch nào.")).to_be_visible()
    desk.get_by_role("link", name="Soạn chiến dịch").click()
    fields = {
        "province": ["Mã tỉnh (2 chữ số)"],
        "ward": ["Mã phường, xã (5 chữ số, cách nhau bởi dấu phẩy)"],
        "role": ["Đối tượng"],
        "age": ["Từ tuổi", "Đến tuổi"],
    }
    for kind in ("all", "province", "ward", "role", "age"):
        desk.get_by_label("Nhóm").select_option(kind)
        for other, labels in fields.items():
            for label in labels:
                shown = desk.get_by_label(label, exact=True)
                if other == kind:
                    expect(shown).to_be_visible()
                else:
                    expect(shown).to_be_hidden()
    screenshot(desk, "comms-campaign-compose")
    assert_accessible(desk, "composing a campaign")


def test_an_article_is_written_by_one_officer_and_published_by_another(browser, workspace_url, make_staff):
    officer_a, officer_b = (
        make_staff("comms", full_name="Trần Thị A"),
        make_staff("comms", full_name="Lê Văn B"),
    )
    title = "Đề án 06: làm căn cước cho trẻ em dưới 14 tuổi"
    with watched_page(browser, **DESKTOP) as a, watched_page(browser, **DESKTOP) as b:
        staff_sign_in(
            a,
            workspace_url,
            officer_a["username"],
            officer_a["password"],
            start="/workspace/comms/articles/new",
        )
        a.get_by_label("Tiêu đề").fill(title)
        a.get_by_label("Tóm tắt").fill(
            "Cha mẹ đăng ký căn cước cho con trên VNeID, không cần đến trụ sở công an."
        )
        a.get_by_label("Chủ đề").select_option("de-an-06")
        a.get_by_label("Nội dung (HTML; hệ thống tự làm sạch)").fill(
            "<p>Từ 01/7/2024, trẻ em dưới 14 tuổi được <strong>cấp căn cước</strong>.</p>"
            '<script>document.title = "bị chiếm"</script><img src="x" onerror="alert(1)">'
        )
        a.get_by_role("button", name="Lưu", exact=True).click()
        expect(flash(a)).to_have_text("Đã lưu bài viết (phiên bản 1).")
        # What was saved is the sanitised body: the script is gone, the text stays.
        expect(a.get_by_label("Nội dung (HTML; hệ thống tự làm sạch)")).not_to_have_value(
            re.compile("script|onerror")
        )
        expect(a.frame_locator("iframe[title='Xem trước bài viết']").locator("body")).to_contain_text(
            "cấp căn cước"
        )
        assert "bị chiếm" not in a.title()
        expect(a.locator("#article-meta")).to_contain_text("viết bởi bạn")
        expect(a.get_by_role("button", name="Gửi duyệt")).to_be_visible()
        for action in ("Duyệt và đăng", "Trả lại để sửa", "Gỡ bài", "Khôi phục"):
            expect(a.get_by_role("button", name=action, exact=True)).to_have_count(0)

        a.get_by_role("button", name="Gửi duyệt").click()
        expect(flash(a)).to_have_text("Đã gửi bài viết để duyệt.")
        expect(a.locator("#article-meta")).to_contain_text("Chờ duyệt")
        expect(a.get_by_role("button", name="Duyệt và đăng")).to_have_count(0)
        expect(a.get_by_role("button", name="Gửi duyệt")).to_have_count(0)
        expect(a.locator("#article-locked")).to_contain_text("một cán bộ truyền thông khác sẽ duyệt và đăng")
        screenshot(a, "comms-article-in-review-own")
        assert_accessible(a, "one's own article in review")
        assert title not in [item["title"] for item in httpx.get(f"{workspace_url}/content/articles").json()]

        staff_sign_in(
            b, workspace_url, officer_b["username"], officer_b["password"], start="/workspace/comms/articles"
        )
        row = b.get_by_role("row", name=re.compile("Đề án 06: làm căn cước"))
        expect(row).to_contain_text("Chờ duyệt")
        expect(row).to_contain_text("Trần Thị A")  # a colleague by name
        row.get_by_role("link").click()
        expect(b.locator("#article-meta")).to_contain_text("viết bởi Trần Thị A")
        expect(b.locator("#article-locked")).to_have_count(0)
        expect(b.get_by_role("button", name="Trả lại để sửa")).to_be_visible()
        expect(b.get_by_label("Ghi chú khi trả lại (bắt buộc khi trả lại)")).to_be_visible()
        b.get_by_role("button", name="Duyệt và đăng").click()
        expect(flash(b)).to_have_text("Đã duyệt và đăng bài viết.")
        expect(b.get_by_text("Người đã đọc")).to_be_visible()
        # Published: to be edited it is taken down first; the form says so and cannot be typed in.
        expect(b.get_by_role("button", name="Lưu", exact=True)).to_be_hidden()
        expect(b.get_by_label("Tiêu đề")).to_be_disabled()
        expect(b.get_by_role("button", name="Gỡ bài")).to_be_visible()
        expect(b.locator("#article-locked")).to_contain_text("gỡ bài trước khi sửa")
        screenshot(b, "comms-article-published")
        assert_accessible(b, "a published article")
        nav(b, "Bài viết").click()
        expect(b.get_by_role("row", name=re.compile("Đề án 06: làm căn cước"))).to_contain_text("Đã đăng")

    published = httpx.get(f"{workspace_url}/content/articles", timeout=10).json()
    assert title in [item["title"] for item in published]


def test_an_faq_entry_is_added_and_edited(desk: Page, workspace_url, make_staff):
    comms = make_staff("comms")
    staff_sign_in(desk, workspace_url, comms["username"], comms["password"], start="/workspace/comms/faq/new")
    desk.get_by_label("Mã (chữ thường không dấu, số, dấu _)").fill("can_cuoc_tre_em")
    questions = desk.get_by_label("Các cách hỏi (mỗi dòng một câu, ít nhất 2)")
    questions.fill("làm căn cước cho con thế nào\ntrẻ em có cần căn cước không")
    desk.get_by_label("Câu trả lời").fill("Cha mẹ đăng ký trên VNeID.")
    desk.get_by_label("Chủ đề").select_option("vneid")
    desk.get_by_role("button", name="Lưu", exact=True).click()
    expect(flash(desk)).to_have_text('Đã lưu mục hỏi đáp "can_cuoc_tre_em" (phiên bản 1).')
    expect(desk.get_by_label("Mã (chữ thường không dấu, số, dấu _)")).to_be_disabled()

    # One question only: the API refuses, and the field says why.
    questions.fill("làm căn cước cho con thế nào")
    desk.get_by_role("button", name="Lưu", exact=True).click()
    expect(desk.locator(".field-error")).to_contain_text("Cần từ 2 đến")
    expect(questions).to_have_attribute("aria-invalid", "true")
    assert_accessible(desk, "an FAQ entry refused")

    questions.fill("làm căn cước cho con thế nào\ntrẻ em có cần căn cước không")
    desk.get_by_label("Câu trả lời").fill("Cha mẹ đăng ký căn cước cho con trên ứng dụng VNeID, mức 2.")
    desk.get_by_role("button", name="Lưu", exact=True).click()
    expect(flash(desk)).to_have_text('Đã lưu mục hỏi đáp "can_cuoc_tre_em" (phiên bản 2).')
    screenshot(desk, "comms-faq")
    assert_accessible(desk, "an FAQ entry")
    nav(desk, "Hỏi đáp").click()
    expect(desk.get_by_role("row", name=re.compile("can_cuoc_tre_em"))).to_contain_text("Đang dùng")

    public = httpx.get(f"{workspace_url}/content/faq", timeout=10).json()
    assert {
        "key": "can_cuoc_tre_em",
        "answer": "Cha mẹ đăng ký căn cước cho con trên ứng dụng VNeID, mức 2.",
    }.items() <= next(entry for entry in public if entry["key"] == "can_cuoc_tre_em").items()


def test_a_campaign_is_composed_approved_by_another_officer_scheduled_and_sent(
    app,
    browser,
    workspace_url,
    make_staff,
    citizen_headers,
    fcm,  # noqa: F811 (the fixture imported above)
):
    from notifications.campaigns import service as campaigns

    tokens = register_devices(workspace_url, citizen_headers, 3)
    officer_a, officer_b = make_staff("comms"), make_staff("comms")
    title = "Tiêm vắc xin sởi miễn phí"
    with watched_page(browser, **DESKTOP) as a, watched_page(browser, **DESKTOP) as b:
        # A composes, checking first how many people the audience reaches.
        staff_sign_in(
            a,
            workspace_url,
            officer_a["username"],
            officer_a["password"],
            start="/workspace/comms/campaigns/new",
        )
        a.get_by_label("Tiêu đề (tối đa 65 ký tự)").fill(title)
        a.get_by_label("Nội dung (tối đa 240 ký tự)").fill(
            "Trạm y tế phường tiêm vắc xin sởi miễn phí cho trẻ từ 9 tháng tuổi vào thứ Bảy."
        )
        a.get_by_label("Liên kết mở khi chạm (congdanso://… hoặc https://…)").fill(
            "congdanso://news/tiem-chung"
        )
        a.get_by_role("button", name="Đếm người nhận").click()
        expect(a.locator(".comms-reach")).to_have_text("3 công dân, 3 thiết bị nhận push")
        a.get_by_role("button", name="Lưu bản nháp").click()
        expect(flash(a)).to_contain_text("Đã lưu bản nháp chiến dịch")

        # A is not offered to approve their own campaign, and is told who must.
        expect(a.get_by_role("heading", name=title, level=2)).to_be_visible()
        expect(a.locator("#view")).to_contain_text("Bản nháp")
        expect(a.get_by_role("button", name="Duyệt", exact=True)).to_be_hidden()
        expect(a.get_by_role("button", name="Lên lịch gửi")).to_be_hidden()
        expect(a.get_by_label("Thời điểm gửi (giờ Việt Nam)")).to_be_hidden()
        expect(a.get_by_role("button", name="Hủy chiến dịch")).to_be_visible()
        expect(a.locator("#campaign-waiting")).to_contain_text(
            "một cán bộ truyền thông khác hoặc quản trị viên cần duyệt"
        )
        screenshot(a, "comms-campaign-own-draft")
        assert_accessible(a, "one's own draft campaign")

        # B, in a browser of their own, approves it.
        staff_sign_in(
            b, workspace_url, officer_b["username"], officer_b["password"], start="/workspace/comms/campaigns"
        )
        row_b = b.get_by_role("row", name=re.compile(title))
        expect(row_b).to_contain_text("Bản nháp")
        row_b.get_by_role("link", name=title).click()
        expect(b.locator("#campaign-meta")).to_contain_text("soạn bởi một cán bộ khác")
        expect(b.locator("#campaign-waiting")).to_be_hidden()
        b.get_by_role("button", name="Duyệt", exact=True).click()
        expect(flash(b)).to_have_text("Đã duyệt chiến dịch. Có thể lên lịch gửi.")
        expect(b.get_by_role("button", name="Duyệt", exact=True)).to_be_hidden()

        # A's screen follows by itself; A schedules it. 23:00 (Vietnam time, as typed) is in the
        # quiet hours and refused; tomorrow 09:00 is taken.
        send_at_field = a.get_by_label("Thời điểm gửi (giờ Việt Nam)")
        expect(send_at_field).to_be_visible(timeout=UI_TIMEOUT_MS)
        expect(a.locator("#view")).to_contain_text("Đã duyệt")
        expect(a.locator("#campaign-waiting")).to_be_hidden()
        send_at = tomorrow_at(9)
        send_at_field.fill(f"{send_at:%Y-%m-%d}T23:00")
        a.get_by_role("button", name="Lên lịch gửi").click()
        expect(a.get_by_role("alert")).to_contain_text("giờ yên tĩnh 22:00–06:00 (bạn chọn 23:00")
        expect(send_at_field).to_have_attribute("aria-invalid", "true")
        assert_accessible(a, "a campaign's schedule refused")
        send_at_field.fill(f"{send_at:%Y-%m-%dT%H:%M}")
        a.get_by_role("button", name="Lên lịch gửi").click()
        expect(flash(a)).to_contain_text("Đã lên lịch gửi lúc")
        expect(flash(a)).to_contain_text(f"{send_at:%d/%m/%Y}")
        expect(flash(a)).to_contain_text("09:00")
        expect(a.locator("#view")).to_contain_text("Đã lên lịch")
        assert fcm.received == []  # nothing leaves before the job runs

        # B goes back to the list, which follows the campaign by itself.
        b.get_by_role("link", name="‹ Về danh sách chiến dịch").click()
        with app.app_context():
            try:
                with transaction():  # as the scheduler runs every job
                    report = campaigns.run_due_campaigns(send_at + timedelta(minutes=1))
            finally:
                db.session.remove()
        assert len(report["finished"]) == 1, report
        assert sorted(fcm.delivered_tokens()) == sorted(tokens)
        assert {m["message"]["notification"]["title"] for m in fcm.delivered} == {title}

        # Both screens show it sent with its figures, without anyone reloading.
        row_b = b.get_by_role("row", name=re.compile(title))
        expect(row_b.locator("td[data-status]")).to_have_text("Đã gửi", timeout=UI_TIMEOUT_MS)
        expect(row_b.locator("td[data-figure=targeted]")).to_have_text("3")
        expect(row_b.locator("td[data-figure=sent]")).to_have_text("3")
        expect(row_b.locator("td[data-figure=failed]")).to_have_text("0")
        screenshot(b, "comms-campaigns-list-sent")
        assert_accessible(b, "the campaigns, one sent")
        expect(a.locator("#campaign-figures")).to_contain_text(
            re.compile(r"Push đã gửi\s*3"), timeout=UI_TIMEOUT_MS
        )
        expect(a.locator("#campaign-figures")).to_contain_text(re.compile(r"Vào hộp thư\s*3"))
        for action in ("Duyệt", "Lên lịch gửi", "Hủy chiến dịch"):
            expect(a.get_by_role("button", name=action, exact=True)).to_be_hidden()
        expect(a.locator("#view")).not_to_contain_text("null")
        screenshot(a, "comms-campaign-sent")
        assert_accessible(a, "a campaign sent")


def test_an_admin_approves_but_neither_composes_nor_schedules(
    client, browser, workspace_url, make_staff, make_citizen, staff_headers
):
    make_citizen()  # the audience: approving needs someone to reach
    headers, _ = staff_headers("comms")
    created = client.post(
        "/comms/campaigns",
        headers=headers,
        json={
            "title": "Lịch cắt điện cuối tuần",
            "body": "Điện lực cắt điện để bảo trì lưới từ 7:00 đến 11:00 Chủ nhật.",
            "audience": {"kind": "all"},
        },
    )
    assert created.status_code == 201, created.json
    admin = make_staff("admin", username="quan-tri")
    with watched_page(browser, **DESKTOP) as page:
        staff_sign_in(
            page, workspace_url, admin["username"], admin["password"], start="/workspace/comms/campaigns"
        )
        expect(page.get_by_role("link", name="Soạn chiến dịch")).to_have_count(0)
        expect(page.get_by_text("Quản trị viên duyệt và hủy chiến dịch")).to_be_visible()
        page.get_by_role("link", name="Lịch cắt điện cuối tuần").click()
        page.get_by_role("button", name="Duyệt", exact=True).click()
        expect(flash(page)).to_have_text("Đã duyệt chiến dịch. Có thể lên lịch gửi.")
        expect(page.get_by_role("button", name="Lên lịch gửi")).to_be_hidden()
        expect(page.get_by_label("Thời điểm gửi (giờ Việt Nam)")).to_be_hidden()
        expect(page.locator("#campaign-waiting")).to_contain_text("Cán bộ truyền thông lên lịch gửi")
        expect(page.get_by_role("button", name="Hủy chiến dịch")).to_be_visible()
        screenshot(page, "comms-admin-campaign")
        assert_accessible(page, "an admin on an approved campaign")
        # Composing is the comms officers' (the API answers 403 to an admin): refused screen.
        page.goto(f"{workspace_url}/workspace/comms/campaigns/new")
        expect(page.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()


def test_an_announcement_to_officers_is_seen_opened_and_counted_as_read(browser, workspace_url, make_staff):
    comms = make_staff("comms", full_name="Phạm Thu Truyền Thông")
    officer = make_staff("officer", full_name="Nguyễn Văn Một Cửa")
    police = make_staff("police")
    title = "Lịch trực Tết Nguyên đán"
    with watched_page(browser, **DESKTOP) as c:
        staff_sign_in(
            c, workspace_url, comms["username"], comms["password"], start="/workspace/comms/announcements"
        )
        expect(c.get_by_text("Chưa gửi thông báo nội bộ nào.")).to_be_visible()
        c.get_by_role("link", name="Viết thông báo").click()
        # Nothing chosen: refused, and the fields say why.
        c.get_by_label("Chỉ một số vai trò").check()
        c.get_by_role("button", name="Gửi thông báo").click()
        expect(c.locator(".field-error").first).to_be_visible()
        expect(c.get_by_label("Tiêu đề")).to_have_attribute("aria-invalid", "true")
        assert_accessible(c, "an announcement refused")
        c.get_by_label("Tiêu đề").fill(title)
        c.get_by_label("Nội dung").fill(
            "Bộ phận một cửa trực sáng mùng 4 và mùng 5.\nĐăng ký ca trực trước thứ Sáu."
        )
        c.get_by_label("Cán bộ một cửa").check()
        c.get_by_label("Quan trọng: hiện nổi bật cho người nhận tới khi họ mở đọc").check()
        screenshot(c, "announcement-write")
        assert_accessible(c, "writing an announcement")
        c.get_by_role("button", name="Gửi thông báo").click()
        expect(flash(c)).to_have_text(f'Đã gửi thông báo "{title}" tới 1 cán bộ.')
        row = c.get_by_role("row", name=re.compile(title))
        expect(row).to_contain_text("Cán bộ một cửa")
        expect(row).to_contain_text("0/1 đã đọc")

        with watched_page(browser, **DESKTOP) as o:
            staff_sign_in(o, workspace_url, officer["username"], officer["password"])
            banner = o.get_by_role("complementary", name="Thông báo quan trọng chưa đọc")
            expect(banner).to_be_visible()
            expect(banner).to_contain_text(title)
            inbox_link = nav(o, "Thông báo nội bộ")
            expect(inbox_link).to_have_accessible_name("Thông báo nội bộ , 1 chưa đọc")
            screenshot(o, "announcement-banner")
            assert_accessible(o, "an important announcement's banner")
            inbox_link.click()
            expect(o.get_by_role("link", name=re.compile(title))).to_contain_text("Chưa đọc")
            assert_accessible(o, "the announcements inbox")
            banner.get_by_role("link", name="Mở đọc").click()
            expect(o.get_by_role("heading", name=title, level=2)).to_be_visible()
            expect(o.locator(".announcement-body")).to_have_text(
                "Bộ phận một cửa trực sáng mùng 4 và mùng 5.\nĐăng ký ca trực trước thứ Sáu."
            )
            expect(o.locator("#view")).to_contain_text("Phạm Thu Truyền Thông")
            # Opened: the banner goes, the count drops.
            expect(banner).to_be_hidden()
            expect(inbox_link).to_have_accessible_name("Thông báo nội bộ")
            screenshot(o, "announcement-read")
            assert_accessible(o, "an announcement opened")
            inbox_link.click()
            expect(o.get_by_role("link", name=re.compile(title))).to_contain_text("Đã đọc")
            o.reload()
            expect(o.locator("#who")).to_be_visible()
            expect(banner).to_be_hidden()

        with watched_page(browser, **DESKTOP) as p:
            staff_sign_in(
                p, workspace_url, police["username"], police["password"], start="/workspace/announcements"
            )
            expect(p.get_by_text("Chưa có thông báo nội bộ nào gửi tới bạn.")).to_be_visible()
            expect(p.get_by_role("complementary", name="Thông báo quan trọng chưa đọc")).to_have_count(0)

        c.reload()
        expect(c.get_by_role("row", name=re.compile(title))).to_contain_text("1/1 đã đọc")
        screenshot(c, "announcements-sent")
        assert_accessible(c, "announcements sent, read")


def test_an_expired_access_token_is_refreshed_under_the_comms_panels(browser, make_app, make_staff):
    """The panels use the workspace's one session: tokens that expire while a comms officer works
    are refreshed (once) and the work goes on (tests/workspace/test_shell.py checks the refresh
    when several requests meet an expired token at once)."""
    comms = make_staff("comms")
    with (
        serving(make_app, JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=2)) as url,
        watched_page(browser, **DESKTOP) as page,
    ):
        staff_sign_in(page, url, comms["username"], comms["password"], start="/workspace/comms/faq")
        time.sleep(2.5)
        nav(page, "Chiến dịch").click()
        expect(page.get_by_text("Chưa có chiến dịch nào.")).to_be_visible()
        nav(page, "Bài viết").click()
        expect(page.get_by_role("heading", name="Bài viết tuyên truyền", level=2)).to_be_visible()
        expect(page.locator("#who")).to_be_visible()
