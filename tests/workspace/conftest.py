"""The staff workspace (/workspace/) in headless Chromium with a desktop screen, against the real API.

`workspace_url` serves the API on a loopback port (sharing the session's database, so staff made
with `make_staff` and data made through the services are what the workspace shows); `desk` is a
1280×800 page whose script errors and Content-Security-Policy refusals fail the test;
`staff_sign_in` signs in through the workspace's own form.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium_browser, watched_page  # noqa: F401 (fixture)
from tests.conftest import serving

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def workspace_url(make_app) -> Iterator[str]:
    with serving(make_app) as base_url:
        yield base_url


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, **DESKTOP) as page:
        yield page


def staff_sign_in(
    page: Page, workspace_url: str, username: str, password: str, *, start: str = "/workspace/"
) -> None:
    """Sign in with the workspace's form; ends on the first screen of the person's role."""
    page.goto(workspace_url + start)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#who")).to_be_visible()
    expect(page.locator("#view")).to_have_attribute("aria-busy", "false")
