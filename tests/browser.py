"""Headless Chromium for the browser tests, and the checks every page gets.

Debian's chromium (`make chromium` installs it) driven by Playwright from PyPI; `playwright
install` and its browser download are never used. Playwright is imported here without a skip:
a machine without it, or without chromium, fails these tests rather than passing them unseen.

`assert_accessible(page, what)` runs axe-core (vendored from npm into build/web/test by
`make web`) on the page as it is now and fails on serious and critical violations. The script
is injected with `add_script_tag` from a URL of the page's own origin that the browser context
answers from the file, so the pages' Content-Security-Policy ('self' scripts only) stays on.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.config import PROJECT_ROOT

AXE_SCRIPT = PROJECT_ROOT / "build" / "web" / "test" / "axe.min.js"
AXE_PATH = "/__tests__/axe.min.js"  # served by nobody: the browser context answers it
BLOCKING = ("serious", "critical")
UI_TIMEOUT_MS = 15_000  # generous: consoles poll every 3 s and the machine is shared


def chromium_path() -> str:
    found = shutil.which("chromium")
    if not found or not Path(found).exists():
        pytest.fail("Debian's chromium is missing: `make chromium` installs it (the browser tests need it)")
    return found


@pytest.fixture(scope="module", name="browser")
def chromium_browser() -> Iterator[Browser]:
    """Chromium for a test module (import `chromium_browser`; tests ask for `browser`)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield launched
        launched.close()


def watch_errors(page: Page, errors: list[str], who: str = "") -> None:
    """Uncaught script errors and anything the Content-Security-Policy blocks go to `errors`."""
    prefix = f"{who}: " if who else ""
    page.on("pageerror", lambda error: errors.append(f"{prefix}{error}"))
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and errors.append(f"{prefix}{message.text}")
        ),
    )


@contextmanager
def watched_page(browser: Browser, **context_options) -> Iterator[Page]:
    """A page in a fresh browser context (a screen size, a locale...); script errors and
    Content-Security-Policy refusals seen while it was open fail the test at the end."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    watch_errors(page, errors)
    yield page
    context.close()
    assert errors == [], f"script errors or CSP refusals: {errors}"


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: `make web` vendors axe-core from npm")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.route(
            f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE_SCRIPT, content_type="text/javascript")
        )
        page.add_script_tag(url=AXE_PATH)
    return page.evaluate(
        """async (blocking) => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations
                .filter((violation) => blocking.includes(violation.impact))
                .map((violation) => ({
                    id: violation.id,
                    impact: violation.impact,
                    help: violation.help,
                    nodes: violation.nodes.slice(0, 5).map((node) => ({
                        target: node.target.join(" "),
                        summary: node.failureSummary,
                    })),
                }));
        }""",
        list(BLOCKING),
    )


def assert_accessible(page: Page, what: str) -> None:
    violations = axe_violations(page)
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {node['summary']}" for node in v["nodes"])
        for v in violations
    )
    assert violations == [], f"axe-core, {what}:\n{report}"


def screenshot(page: Page, name: str) -> None:
    """With SCREENSHOT_DIR set, keep a picture of the whole page there for a person to look at."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)
