"""The citizen app (/app/) in headless Chromium with a phone's screen, against the real API.

Each test gets the API on a loopback port (`app_url`, sharing the session's database, so data
made with `make_citizen` or in an app context is what the app shows) and a phone: a fresh
browser context 390×844 with touch, Vietnamese locale and Vietnam's time zone (`phone`). Script
errors and Content-Security-Policy refusals fail the test. `sign_in(page, app_url, cccd)` goes
through the whole VNeID flow as a citizen does: the app's button, the development VNeID page,
back into the app.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from api.config import from_environment
from tests.browser import chromium_browser, watched_page  # noqa: F401 (fixture)
from tests.conftest import serving

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}
PASSCODE = from_environment()["DEV_IDP_PASSCODE"]


@pytest.fixture
def app_url(make_app) -> Iterator[str]:
    """The API (and so the app) on a loopback port for one test."""
    with serving(make_app) as base_url:
        yield base_url


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, **PHONE) as page:
        yield page


def sign_in(page: Page, app_url: str, cccd: str, *, start: str = "/app/sign-in") -> None:
    """Sign in from the app as a citizen does; ends on the page the app opens afterwards."""
    page.goto(app_url + start)
    page.get_by_role("button", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url("**/dev-idp/**")
    page.fill("#cccd", cccd)
    page.fill("#passcode", PASSCODE)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(lambda url: "/app/" in url and "/signed-in" not in url)
    expect(page.locator("#view")).to_have_attribute("aria-busy", "false")
