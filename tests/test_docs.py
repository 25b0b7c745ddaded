"""The interactive docs at /docs: Swagger UI 5 draws every operation of the OpenAPI 3.1 document,
from files the API serves itself, in headless Chromium.

The operations are counted from the live /openapi.json (other work keeps adding to it), and the
drawn ones are read off the screen while scrolling: Swagger UI draws long documents in a
virtual list, so only what is on screen exists in the page at any moment, as for a reader.
"""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.browser import assert_accessible, chromium_browser, screenshot, watch_errors  # noqa: F401 (fixture)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PASSES = 3  # a pass that scrolled faster than the page drew is repeated, at most this often

# (method, path) of every operation drawn and visible in the viewport now.
ON_SCREEN = """() => [...document.querySelectorAll('.opblock')]
    .filter((block) => {
        const box = block.getBoundingClientRect();
        return block.checkVisibility() && box.bottom > 0 && box.top < window.innerHeight;
    })
    .map((block) => [
        block.querySelector('.opblock-summary-method').textContent.trim(),
        block.querySelector('.opblock-summary-path').dataset.path,
    ])"""

# Scroll down three quarters of a screen; true when the page could not scroll further.
SCROLL = """async () => {
    const before = window.scrollY;
    window.scrollBy(0, Math.floor(window.innerHeight * 0.75));
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return window.scrollY === before;
}"""


def live_document(base_url: str) -> tuple[str, set[tuple[str, str]]]:
    """The document's title and its operations, as (method, path)."""
    spec = httpx.get(f"{base_url}/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.1")
    operations = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    return spec["info"]["title"], operations


def operations_drawn(page) -> set[tuple[str, str]]:
    """Scroll from the top to the bottom, collecting the operations seen on screen."""
    seen: set[tuple[str, str]] = set()
    page.evaluate("() => window.scrollTo(0, 0)")
    expect(page.locator(".opblock").first).to_be_visible()
    while True:
        seen.update(tuple(operation) for operation in page.evaluate(ON_SCREEN))
        if page.evaluate(SCROLL):
            return seen


def test_the_docs_draw_every_operation_of_the_openapi_document(live_server, browser):
    title, expected = live_document(live_server)
    assert len(expected) > 100  # the whole API, not a stub

    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    remote: list[str] = []

    def only_this_server(route):
        if route.request.url.startswith(f"{live_server}/"):
            route.continue_()
        else:  # a CDN, a validator, analytics: refused, and the test fails below
            remote.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    errors: list[str] = []
    watch_errors(page, errors)
    page.goto(f"{live_server}/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text(title)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OAS 3.1")
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    screenshot(page, "docs")

    drawn: set[tuple[str, str]] = set()
    for _ in range(PASSES):
        drawn |= operations_drawn(page)
        if drawn >= expected:
            break
    assert sorted(expected - drawn) == [], "operations of /openapi.json not drawn"
    assert sorted(drawn - expected) == [], "operations drawn that /openapi.json does not have"
    assert remote == []
    assert errors == []

    page.evaluate("() => window.scrollTo(0, 0)")
    assert_accessible(page, "/docs, the list of operations")

    # One operation opened for trying out, and the dialog for a bearer token.
    login = page.locator(".opblock", has=page.locator('[data-path="/auth/staff/login"]'))
    login.locator(".opblock-summary-control").click()
    login.get_by_role("button", name="Try it out").click()
    expect(login.get_by_role("textbox", name="Nội dung yêu cầu (JSON)")).to_be_visible()
    assert_accessible(page, "/docs, an operation opened to try it out")
    page.locator(".auth-wrapper .btn.authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Đóng")).to_be_visible()
    assert_accessible(page, "/docs, the authorisation dialog")
    context.close()


def test_the_docs_page_allows_only_its_own_scripts(client):
    page = client.get("/docs")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    html = page.get_data(as_text=True)
    assert "<script>" not in html  # no inline script, and every source is this server's
    assert "http://" not in html and "https://" not in html
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert b"swagger-ui" in bundle.get_data()
    assert client.get("/docs/assets/../docs.py").status_code == 404


def test_the_docs_say_how_to_build_them_when_the_build_is_missing(make_app, tmp_path):
    client = make_app(WEB_BUILD_DIR=str(tmp_path / "nothing")).test_client()
    response = client.get("/docs")
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "docs_not_built"
    assert "make web" in response.json["detail"]
    assert client.get("/openapi.json").status_code == 200
