"""The citizen app's shell: signing in and staying signed in, signing out, home, offline, install.

What a citizen notices: the VNeID sign-in ends inside the app (never on a page of tokens), a
reload keeps them signed in, sign-out really ends the session and leaves nothing of theirs on the
phone, the home screen shows their digital-citizen profile and what is missing, and the app opens
offline with the last data it showed and says it is offline.
"""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from api.extensions import db
from notifications import service as inbox
from tests.app.conftest import sign_in
from tests.browser import assert_accessible, screenshot


def test_an_anonymous_visitor_sees_the_app_and_how_to_sign_in(phone: Page, app_url):
    phone.goto(app_url + "/app/")
    expect(phone.get_by_role("heading", name="Chào bạn!")).to_be_visible()
    expect(phone.get_by_role("button", name="Đăng nhập bằng VNeID")).to_be_visible()
    expect(phone.get_by_role("navigation", name="Điều hướng chính")).to_be_visible()
    expect(phone.locator("#offline")).to_be_hidden()
    expect(phone.locator("#inbox-link")).to_be_hidden()  # an inbox is a signed-in citizen's
    assert_accessible(phone, "home, signed out")
    screenshot(phone, "app-home-signed-out")

    # A screen that needs a citizen asks them to sign in, in place of the screen.
    phone.goto(app_url + "/app/more")
    expect(phone.get_by_role("link", name="Đăng nhập bằng VNeID")).to_be_visible()
    phone.goto(app_url + "/app/no-such-screen")
    expect(phone.get_by_text("Không có trang này trong ứng dụng.")).to_be_visible()


def test_sign_in_ends_in_the_app_survives_a_reload_and_sign_out_ends_the_session(
    phone: Page, app_url, make_citizen, app
):
    citizen = make_citizen(full_name="Trần Văn Bình")
    with app.app_context():
        inbox.deliver(citizen["id"], "Hồ sơ đã tiếp nhận", "Hồ sơ của bạn đã được tiếp nhận.", "dossier")
        db.session.commit()

    addresses: list[str] = []
    phone.on("framenavigated", lambda frame: addresses.append(frame.url))
    sign_in(phone, app_url, citizen["cccd"])

    # Back in the app, on its home screen, with the citizen's own profile and inbox count.
    expect(phone).to_have_url(app_url + "/app/")
    expect(phone.get_by_role("heading", name="Trần Văn Bình")).to_be_visible()
    expect(phone.get_by_text(re.compile(r"Công dân số: \d/\d tài sản"))).to_be_visible()
    expect(phone.locator("#inbox-badge")).to_have_text("1")
    # No token ever sat in an address the browser visited (history, logs, Referer).
    assert not [url for url in addresses if "token" in url.lower() or "eyJ" in url], addresses
    assert_accessible(phone, "home, signed in")
    screenshot(phone, "app-home-signed-in")

    phone.reload()
    expect(phone.get_by_role("heading", name="Trần Văn Bình")).to_be_visible()
    tokens = phone.evaluate("() => JSON.parse(localStorage.getItem('cds:auth'))")

    phone.goto(app_url + "/app/more")
    phone.get_by_role("button", name="Đăng xuất").click()
    expect(phone.get_by_role("button", name="Đăng nhập bằng VNeID")).to_be_visible()
    # The session is over at the API, not only forgotten by the phone...
    refused = httpx.get(
        app_url + "/auth/whoami", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert refused.status_code == 401
    # ...and nothing of the citizen's stays on the phone for the next person.
    kept = phone.evaluate("() => Object.keys(localStorage).filter((k) => k.startsWith('cds:data:citizen'))")
    assert kept == []
    assert phone.evaluate("() => localStorage.getItem('cds:auth')") is None


def test_a_refused_sign_in_comes_back_to_the_app_with_a_message(phone: Page, app_url, make_citizen):
    citizen = make_citizen()
    phone.goto(app_url + "/app/sign-in")
    phone.get_by_role("button", name="Đăng nhập bằng VNeID").click()
    phone.wait_for_url("**/dev-idp/**")
    phone.fill("#cccd", citizen["cccd"])
    phone.get_by_role("button", name="Hủy").click()
    phone.wait_for_url("**/app/signed-in**")
    expect(phone.get_by_role("alert")).to_contain_text("hủy đăng nhập")
    expect(phone.get_by_role("link", name="Đăng nhập lại")).to_be_visible()
    assert "code=" not in phone.url


def test_a_level_one_citizen_is_told_how_to_reach_level_two(phone: Page, app_url, make_citizen):
    sign_in(phone, app_url, make_citizen(identity_level=1)["cccd"])
    expect(phone.get_by_text("Bạn đang ở mức định danh 1")).to_be_visible()
    expect(phone.get_by_text("Còn thiếu").first).to_be_visible()


def test_the_app_opens_offline_with_the_last_data_it_showed(phone: Page, app_url, make_citizen):
    citizen = make_citizen(full_name="Lê Thị Mai")
    sign_in(phone, app_url, citizen["cccd"])
    expect(phone.get_by_role("heading", name="Lê Thị Mai")).to_be_visible()
    # The service worker has the shell once it controls the page.
    phone.evaluate("() => navigator.serviceWorker.ready")
    phone.reload()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")

    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_role("heading", name="Lê Thị Mai")).to_be_visible()
    expect(phone.locator("#offline")).to_be_visible()
    expect(phone.get_by_text("Dữ liệu đã lưu trên máy")).to_be_visible()
    screenshot(phone, "app-offline")

    # A screen never seen before says plainly that there is no network.
    phone.goto(app_url + "/app/records")
    expect(phone.get_by_role("alert")).to_contain_text("Không có kết nối mạng")
    phone.context.set_offline(False)


def test_the_app_is_installable_and_locked_down(app_url):
    page = httpx.get(app_url + "/app/dossiers/HS-0001")  # a deep link gets the app's page
    assert page.status_code == 200 and '<script type="module" src="/app/js/main.js">' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy

    manifest = httpx.get(app_url + "/app/manifest.webmanifest")
    assert manifest.headers["Content-Type"].startswith("application/manifest+json")
    icons = {icon["sizes"] for icon in manifest.json()["icons"]}
    assert {"192x192", "512x512"} <= icons
    for icon in manifest.json()["icons"]:
        assert httpx.get(app_url + icon["src"]).status_code == 200

    worker = httpx.get(app_url + "/app/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache"
    assert "__PRECACHE__" not in worker.text and "/app/js/main.js" in worker.text

    missing = httpx.get(app_url + "/app/js/nothing.js")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"

    config = httpx.get(app_url + "/app/config.json").json()
    assert config["sign_in_redirect_uri"] == app_url + "/app/signed-in"
    assert config["hotline"] == "1900 0368"


def test_a_citizen_declares_a_digital_address_and_home_counts_it(phone: Page, app_url, make_citizen):
    sign_in(phone, app_url, make_citizen()["cccd"])
    expect(phone.get_by_role("heading", name="Nguyễn Thị Hoa")).to_be_visible()
    phone.locator(".asset", has_text="Địa chỉ số").get_by_role("link", name="Làm ngay").click()
    expect(phone.locator("#title")).to_have_text("Địa chỉ số")

    # The API's refusal of an empty street is shown next to the street field.
    phone.get_by_label("Tìm phường/xã").fill("buon ma thuot")
    expect(phone.get_by_label("Phường/xã", exact=True)).to_have_value("24133")
    phone.get_by_role("button", name="Khai báo địa chỉ số").click()
    street = phone.get_by_label("Số nhà, tên đường")
    expect(street).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(".field", has=street).locator(".field-error")).to_be_visible()
    assert_accessible(phone, "digital address with a field error")

    street.fill("12 Lê Duẩn")
    phone.get_by_role("button", name="Khai báo địa chỉ số").click()
    expect(phone.get_by_text("Công dân số: 2/4 tài sản")).to_be_visible()
    expect(phone.locator(".asset-present", has_text="Địa chỉ số")).to_contain_text("12 Lê Duẩn")
