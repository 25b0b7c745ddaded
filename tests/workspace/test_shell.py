"""The staff workspace's shell: one sign-in (TOTP when enrolled), one token handling for every
panel and tab, the navigation of the person's role, staff named by name, sign-out."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pyotp
from playwright.sync_api import Page, expect

from api.auth import service as staff_accounts
from api.extensions import db
from tests.browser import assert_accessible, screenshot
from tests.conftest import serving
from tests.workspace.conftest import staff_sign_in


def test_a_wrong_password_is_refused_in_words_and_the_right_one_opens_the_role_s_work(
    desk: Page, workspace_url, make_staff
):
    officer = make_staff("officer")
    desk.goto(workspace_url + "/workspace/")
    expect(desk.get_by_role("heading", name="Đăng nhập cán bộ")).to_be_visible()
    expect(desk.locator("#nav")).to_be_hidden()
    assert_accessible(desk, "workspace sign-in")
    desk.get_by_label("Tên đăng nhập").fill(officer["username"])
    desk.get_by_label("Mật khẩu").fill("not-the-password")
    desk.get_by_role("button", name="Đăng nhập").click()
    expect(desk.get_by_role("alert")).to_be_visible()
    expect(desk.locator("#who")).to_be_hidden()

    staff_sign_in(desk, workspace_url, officer["username"], officer["password"])
    # Named by name and unit, never staff:<id>.
    expect(desk.locator("#who")).to_have_text("Cán bộ officer · Phường Buôn Ma Thuột")
    expect(desk.get_by_role("navigation", name="Chức năng")).to_contain_text("Cán bộ một cửa")
    assert "staff:" not in desk.locator("body").inner_text()
    screenshot(desk, "workspace-officer-home")


def test_totp_is_asked_for_when_enrolled(desk: Page, workspace_url, make_staff, app):
    admin = make_staff("admin")
    with app.app_context():
        enrolment = staff_accounts.begin_totp_enrolment(admin["id"])
        secret = enrolment["secret"]
        staff_accounts.confirm_totp_enrolment(admin["id"], pyotp.TOTP(secret).now())
        db.session.commit()
    desk.goto(workspace_url + "/workspace/")
    desk.get_by_label("Tên đăng nhập").fill(admin["username"])
    desk.get_by_label("Mật khẩu").fill(admin["password"])
    desk.get_by_role("button", name="Đăng nhập").click()
    code = desk.get_by_label("Mã xác thực (6 số)")
    expect(code).to_be_visible()
    code.fill(pyotp.TOTP(secret).now())
    desk.get_by_role("button", name="Đăng nhập").click()
    expect(desk.locator("#who")).to_contain_text("Cán bộ admin")


def test_two_tabs_refreshing_at_once_keep_the_session_and_sign_out_ends_it(browser, make_app, make_staff):
    officer = make_staff("officer")
    # Access tokens of two seconds: every panel's next request must refresh.
    with serving(make_app, JWT_ACCESS_TOKEN_EXPIRES=timedelta(seconds=2)) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        first = context.new_page()
        staff_sign_in(first, url, officer["username"], officer["password"])
        second = context.new_page()
        second.goto(url + "/workspace/")
        expect(second.locator("#who")).to_be_visible()
        time.sleep(2.5)
        # Both tabs ask the API at the same moment with the same expired token.
        both = """() => fetch('/auth/whoami', {headers: {Authorization: 'Bearer ' +
            JSON.parse(localStorage.getItem('cds:staff-auth')).access_token}}).then(r => r.status)"""
        assert first.evaluate(both) == 401  # expired, as intended
        first.reload()
        second.reload()
        expect(first.locator("#who")).to_be_visible()
        expect(second.locator("#who")).to_be_visible()
        # One refresh won and the other tab used its pair instead of replaying the retired refresh
        # token (which revokes the session): another round in the other order keeps both in.
        time.sleep(2.5)
        second.reload()
        first.reload()
        expect(first.locator("#who")).to_be_visible()
        expect(second.locator("#who")).to_be_visible()
        assert first.get_by_role("heading", name="Đăng nhập cán bộ").count() == 0

        pair = first.evaluate("() => JSON.parse(localStorage.getItem('cds:staff-auth'))")
        first.get_by_role("button", name="Đăng xuất").click()
        expect(first.get_by_role("heading", name="Đăng nhập cán bộ")).to_be_visible()
        # The session is over at the API: even its refresh token is refused.
        refused = httpx.post(
            url + "/auth/refresh", headers={"Authorization": f"Bearer {pair['refresh_token']}"}
        )
        assert refused.status_code == 401
        context.close()


def test_the_workspace_is_served_locked_down(workspace_url):
    page = httpx.get(workspace_url + "/workspace/desk/66.24133-251122-0007")
    assert page.status_code == 200 and '<script type="module" src="/workspace/js/main.js">' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    missing = httpx.get(workspace_url + "/workspace/js/nothing.js")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"
