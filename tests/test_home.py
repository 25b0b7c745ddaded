"""The home page `/`: what runs, and links to every part a newcomer looks for, each one served.

The browser test (marked e2e, like the agent's journey with Rasa) opens it in Debian's Chromium and watches the
chatbot's line turn from "Chưa sẵn sàng" to "Sẵn sàng" by itself when a server starts answering
at the chatbot's address:
    .venv/bin/pytest tests/test_home.py -m e2e -p no:cacheprovider
"""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from tests.browser import UI_TIMEOUT_MS, assert_accessible, chromium_browser, watch_errors  # noqa: F401
from tests.conftest import LoopbackHTTP, free_port, serving

EXPECTED_LINKS = {
    "/auth/vneid/login",
    "/app/",
    "/workspace/",
    "/docs",
    "/openapi.json",
    "/ready",
    "/health",
}


class Page(HTMLParser):
    """The links of a page and the rows of its components table (name → cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, str] = {}
        self.rows: dict[str, list[str]] = {}
        self.lang = None
        self._href = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "a":
            self._href = attrs["href"]
            self.links[self._href] = ""
        elif tag == "tr" and "data-component" in attrs:
            self._row = attrs["data-component"]
            self.rows[self._row] = []
        elif tag in ("th", "td") and self._row:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None
        elif tag in ("th", "td") and self._row and self._cell is not None:
            self.rows[self._row].append(self._cell.strip())
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._href:
            self.links[self._href] += data
        if self._cell is not None:
            self._cell += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_the_home_page_says_what_runs_and_links_every_part(client):
    response = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = parse(response.get_data(as_text=True))
    assert page.lang == "vi"

    assert page.rows["api"][:2] == ["API", "Đang chạy"]
    assert page.rows["database"][1] == "Sẵn sàng"
    # The chatbot is down in the tests: the page says so, and how long it takes to load.
    label, state, detail = page.rows["chatbot"]
    assert (label, state) == ("Trợ lý ảo (Rasa)", "Chưa sẵn sàng")
    assert "khoảng 70–90 giây để nạp mô hình" in detail
    assert page.rows["payments"][1] == "Không hoạt động"
    assert page.rows["scheduler"][0].startswith("Bộ lập lịch")

    assert set(page.links) >= EXPECTED_LINKS
    # The two front ends are linked.
    assert page.links["/app/"] == "Ứng dụng công dân"
    assert page.links["/workspace/"] == "Không gian làm việc của cán bộ"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in response.get_data(as_text=True)  # no inline script


def test_every_link_of_the_home_page_is_served(live_server):
    # A real server: the citizen sign-in redirects to the development identity provider on it.
    page = parse(httpx.get(f"{live_server}/").text)
    assert set(page.links) >= EXPECTED_LINKS
    for href in page.links:
        answer = httpx.get(f"{live_server}{href}", follow_redirects=True, timeout=10)
        if href in ("/docs", "/app/", "/workspace/") and answer.status_code == 503:  # not built (`make web`)
            assert answer.json()["code"] in ("docs_not_built", "app_not_built", "workspace_not_built")
            continue
        assert answer.status_code == 200, (href, answer.status_code)
    for asset in ("/home/home.js", "/home/home.css"):
        assert httpx.get(f"{live_server}{asset}").status_code == 200


def test_a_json_client_gets_a_small_index(client):
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    index = response.json
    assert index["status"] == "ready"
    states = {component["name"]: component["state"] for component in index["components"]}
    ready = client.get("/ready").json["dependencies"]
    assert {name: states[name] for name in ready} == {name: dep["state"] for name, dep in ready.items()}
    assert {link["href"] for link in index["links"]} >= EXPECTED_LINKS
    assert "Accept" in response.headers["Vary"]


# ---- in the browser -------------------------------------------------------------------------


def stand_in_rasa(port: int) -> LoopbackHTTP:
    """Something answering 200 at the chatbot's address, as Rasa does once its model is loaded."""
    return LoopbackHTTP(lambda path: (200, b"Hello from Rasa: 3.6.21", "text/plain"), port)


@pytest.mark.e2e
def test_the_page_shows_the_chatbot_ready_once_it_answers(make_app, browser):
    from playwright.sync_api import expect

    rasa_port = free_port()
    errors: list[str] = []
    with serving(make_app, RASA_URL=f"http://127.0.0.1:{rasa_port}") as base_url:
        page = browser.new_page(locale="vi-VN")
        watch_errors(page, errors)
        page.goto(f"{base_url}/")
        chatbot = page.locator('tr[data-component="chatbot"] .state')
        expect(chatbot).to_have_text("Chưa sẵn sàng")
        expect(chatbot).to_be_visible()
        expect(page.get_by_role("link", name="Không gian làm việc của cán bộ")).to_be_visible()
        expect(page.get_by_role("link", name="Ứng dụng công dân")).to_be_visible()
        assert_accessible(page, "the home page")

        rasa = stand_in_rasa(rasa_port)
        try:
            # No reload: the page's own refresh finds the chatbot ready and says so.
            expect(chatbot).to_have_text("Sẵn sàng", timeout=UI_TIMEOUT_MS)
            expect(page.locator("#changes")).to_contain_text("Trợ lý ảo (Rasa): Sẵn sàng")
        finally:
            rasa.stop()
        assert_accessible(page, "the home page, updated")

        page.get_by_role("link", name="Không gian làm việc của cán bộ").click()
        page.wait_for_url(f"{base_url}/workspace/")
        page.close()
    assert errors == []
