"""The administration panel: an admin creates an officer, who signs in; the admin locks them and
their open session ends; the audit log names who did what; other roles are refused."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, screenshot, watch_errors
from tests.workspace.conftest import DESKTOP, staff_sign_in


def test_an_admin_creates_an_officer_then_locks_them_out_and_the_log_shows_it(
    desk: Page, browser, workspace_url, make_staff
):
    admin = make_staff("admin", username="qt.tinh")
    staff_sign_in(desk, workspace_url, admin["username"], admin["password"])
    desk.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Tài khoản cán bộ").click()
    expect(desk.get_by_role("heading", name="Tài khoản cán bộ", level=2)).to_be_visible()
    expect(desk.get_by_role("cell", name="qt.tinh")).to_be_visible()
    assert_accessible(desk, "staff accounts")
    screenshot(desk, "admin-staff-list")

    desk.get_by_role("link", name="Thêm tài khoản").click()
    desk.get_by_label("Tên đăng nhập").fill("cán bộ")  # refused by the API, shown by the field
    desk.get_by_label("Họ tên").fill("Nguyễn Thị Hoà")
    desk.get_by_label("Vai trò").select_option(label="Cán bộ một cửa")
    desk.get_by_label("Mã phường/xã nơi làm việc").fill("24133")
    desk.get_by_role("button", name="Tạo tài khoản").click()
    expect(desk.locator(".field-error")).to_contain_text("Tên đăng nhập dài 3–64 ký tự")
    expect(desk.get_by_label("Tên đăng nhập")).to_have_attribute("aria-invalid", "true")
    assert_accessible(desk, "create staff account with an error")

    desk.get_by_label("Tên đăng nhập").fill("nv.hoa")
    desk.get_by_role("button", name="Tạo tài khoản").click()
    expect(desk.get_by_role("heading", name="Đã tạo tài khoản")).to_be_visible()
    expect(desk.locator("#view").get_by_text("Phường Buôn Ma Thuột")).to_be_visible()
    password = desk.locator(".admin-password code").inner_text()
    assert len(password) >= 12
    assert_accessible(desk, "staff account created")
    screenshot(desk, "admin-staff-created")

    # The new officer signs in with the password shown once, in a browser of their own.
    officer_context = browser.new_context(**DESKTOP)
    officer_errors: list[str] = []
    officer = officer_context.new_page()
    watch_errors(officer, officer_errors, "officer")
    staff_sign_in(officer, workspace_url, "nv.hoa", password)
    expect(officer.locator("#who")).to_have_text("Nguyễn Thị Hoà · Phường Buôn Ma Thuột")

    # The admin locks the account, confirming in a dialog that names the person.
    desk.get_by_role("link", name="Xem tài khoản").click()
    expect(desk.get_by_role("heading", name="Nguyễn Thị Hoà", level=2)).to_be_visible()
    assert_accessible(desk, "one staff account")
    desk.get_by_role("button", name="Khóa tài khoản").click()
    dialog = desk.get_by_role("dialog", name="Khóa tài khoản?")
    expect(dialog).to_contain_text("Nguyễn Thị Hoà (nv.hoa) sẽ bị đăng xuất")
    assert_accessible(desk, "lock confirmation")
    screenshot(desk, "admin-lock-confirmation")
    dialog.get_by_role("button", name="Hủy").click()
    expect(dialog).to_be_hidden()
    expect(desk.get_by_text("Đang hoạt động")).to_be_visible()  # cancelling changed nothing
    desk.get_by_role("button", name="Khóa tài khoản").click()
    dialog.get_by_role("button", name="Khóa tài khoản").click()
    expect(desk.locator("#view").get_by_text("Đã khóa", exact=True)).to_be_visible()
    expect(desk.get_by_role("button", name="Mở khóa tài khoản")).to_be_visible()
    screenshot(desk, "admin-staff-locked")

    # The officer's open session stops working at their next step.
    officer.reload()
    expect(officer.get_by_role("heading", name="Đăng nhập cán bộ")).to_be_visible()
    expect(officer.locator("#who")).to_be_hidden()
    officer.get_by_label("Tên đăng nhập").fill("nv.hoa")
    officer.get_by_label("Mật khẩu").fill(password)
    officer.get_by_role("button", name="Đăng nhập").click()
    expect(officer.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    officer_context.close()
    assert officer_errors == []

    # The audit log names the admin and the officer, not ids.
    desk.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Nhật ký").click()
    expect(desk.get_by_role("heading", name="Nhật ký kiểm toán")).to_be_visible()
    created = desk.get_by_role("row").filter(has_text="Tạo tài khoản cán bộ")
    expect(created).to_contain_text("Cán bộ admin (qt.tinh)")
    expect(created).to_contain_text("Nguyễn Thị Hoà (nv.hoa)")
    expect(desk.get_by_role("row").filter(has_text="Khóa tài khoản cán bộ")).to_contain_text(
        "phiên bị thu hồi: 1"
    )
    assert "staff:" not in desk.locator("#view").inner_text()
    assert_accessible(desk, "audit log")
    screenshot(desk, "admin-audit")

    desk.get_by_label("Hành động").fill("staff.deactivated")
    desk.get_by_label("Tên đăng nhập người thực hiện").fill("qt.tinh")
    desk.get_by_role("button", name="Lọc").click()
    expect(desk.locator("#view").get_by_role("status")).to_contain_text(
        "1 mục khớp bộ lọc · người thực hiện: Cán bộ admin (qt.tinh)"
    )
    expect(desk.locator("tbody tr")).to_have_count(1)
    # Today's entries (Vietnam's date), then yesterday's: none, since everything happened today.
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    yesterday = today - timedelta(days=1)

    def filter_days(first, last) -> None:
        desk.get_by_label("Từ ngày").fill(first.isoformat())
        desk.get_by_label("Đến ngày").fill(last.isoformat())
        desk.get_by_role("button", name="Lọc").click()
        expect(desk).to_have_url(re.compile(f"from={first.isoformat()}&to={last.isoformat()}"))
        expect(desk.locator("#view")).to_have_attribute("aria-busy", "false")

    filter_days(today, today)
    expect(desk.locator("tbody tr")).to_have_count(1)
    filter_days(yesterday, yesterday)
    expect(desk.get_by_text("Không có mục nào khớp bộ lọc.")).to_be_visible()
    desk.get_by_label("Từ ngày").fill(today.isoformat())
    desk.get_by_role("button", name="Lọc").click()
    expect(desk.locator(".field-error")).to_contain_text("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc")
    assert f"from={yesterday.isoformat()}" in desk.url  # the refused filter is not applied
    desk.get_by_label("Từ ngày").fill("")
    desk.get_by_label("Đến ngày").fill("")
    desk.get_by_label("Tên đăng nhập người thực hiện").fill("khong.co")
    desk.get_by_role("button", name="Lọc").click()
    expect(desk.locator(".field-error")).to_contain_text("Không có cán bộ nào có tên đăng nhập")


def test_an_admin_cannot_lock_themself_and_sees_why(desk: Page, workspace_url, make_staff):
    admin = make_staff("admin")
    staff_sign_in(desk, workspace_url, admin["username"], admin["password"], start="/workspace/admin/staff")
    desk.get_by_role("link", name="Cán bộ admin").click()
    expect(desk.get_by_text("Đây là tài khoản của bạn")).to_be_visible()
    expect(desk.get_by_role("button", name="Khóa tài khoản")).to_have_count(0)


def test_other_roles_are_refused_the_admin_panels(desk: Page, workspace_url, make_staff):
    officer = make_staff("officer")
    staff_sign_in(desk, workspace_url, officer["username"], officer["password"])
    navigation = desk.get_by_role("navigation", name="Chức năng")
    expect(navigation).to_be_visible()
    expect(navigation.get_by_role("link", name="Tài khoản cán bộ")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Nhật ký")).to_have_count(0)
    for path in ("/workspace/admin/staff", "/workspace/admin/audit"):
        desk.goto(workspace_url + path)
        expect(desk.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
        expect(desk.get_by_role("table")).to_have_count(0)
    assert_accessible(desk, "admin panel refused")


def test_a_role_change_is_confirmed_and_a_stale_edit_is_explained(desk: Page, workspace_url, make_staff, app):
    from api.auth.models import StaffUser
    from api.extensions import db

    admin = make_staff("admin")
    police = make_staff("police", username="ca.binh")
    staff_sign_in(
        desk, workspace_url, admin["username"], admin["password"], start="/workspace/admin/staff?q=binh"
    )
    desk.get_by_role("link", name="Cán bộ police").click()
    desk.get_by_label("Vai trò").select_option(label="Cán bộ một cửa")
    desk.get_by_role("button", name="Lưu thay đổi").click()
    dialog = desk.get_by_role("dialog", name="Đổi vai trò?")
    expect(dialog).to_contain_text('chuyển sang vai trò "Cán bộ một cửa" và bị đăng xuất')
    dialog.get_by_role("button", name="Đổi vai trò").click()
    expect(desk.locator(".facts")).to_contain_text("Cán bộ một cửa")

    # Another admin renames them meanwhile: this admin's edit is refused and explained.
    with app.app_context():
        db.session.get(StaffUser, police["id"]).full_name = "Lê Văn Bình"
        db.session.commit()
    desk.get_by_label("Họ tên").fill("Lê Văn Bính")
    desk.get_by_role("button", name="Lưu thay đổi").click()
    expect(desk.get_by_role("alert")).to_contain_text("vừa được người khác thay đổi")
    assert_accessible(desk, "stale edit explained")
    desk.get_by_role("button", name="Tải lại").click()
    expect(desk.get_by_role("heading", name="Lê Văn Bình", level=2)).to_be_visible()
