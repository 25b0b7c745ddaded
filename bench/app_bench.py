"""The citizen app on a phone: JavaScript shipped and time to interactive (issue 16 §9).

    .venv/bin/python bench/app_bench.py            # three runs of each case, medians printed

The API as `make run` serves it (gunicorn, bench/serving.py) on a fresh SQLite database with the
demo city seeded; headless Chromium (Debian's) with a 390×844 touch screen, the CPU slowed 4× and
the network shaped like Lighthouse's mobile profile (150 ms round trip, 1.6 Mbit/s down,
750 kbit/s up) through the DevTools protocol. Cases:

- first visit: nothing cached, signed out (the home screen and the sign-in button);
- repeat visit: the service worker holds the shell;
- signed in: the demo citizen's home (profile, assets, dossiers, fines, reports, inbox count),
  repeat visit.

"Interactive" is the app's own mark `cds:interactive` (web/app/js/main.js: the first screen is
drawn, its data loaded, its links answer taps), measured from the navigation's start. JavaScript
shipped is the bytes of every script the page loads, as served (the API does not compress) and
gzip-compressed as a production proxy would send them.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.serving import ROOT, gunicorn_command

RUNS = 3
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_api(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "CDS_INSTANCE_PATH": str(workdir),
        "PUBLIC_BASE_URL": base_url,
        "LOG_LEVEL": "WARNING",
    }
    # Fixed command lines of our own, below.
    flask = [str(ROOT / ".venv/bin/flask"), "--app", "api:create_app"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    subprocess.run([*flask, "seed-demo", "--quiet"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    server = subprocess.Popen(gunicorn_command(port), env=env, cwd=ROOT)  # noqa: S603
    for _ in range(100):
        try:
            if httpx.get(base_url + "/health", timeout=1).status_code == 200:
                return server, base_url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("the API did not start")


def shaped(context, page):
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", NETWORK)
    session.send("Emulation.setCPUThrottlingRate", {"rate": 4})


def measure(page, url: str) -> dict:
    scripts: dict[str, int] = {}

    def on_response(response):
        if response.request.resource_type == "script" and response.ok:
            try:
                body = response.body()
            except Exception:  # served by the service worker: no network body to count
                return
            scripts[response.url] = (len(body), len(gzip.compress(body, 6)))

    page.on("response", on_response)
    page.goto(url)
    page.wait_for_function(
        "() => performance.getEntriesByName('cds:interactive').length > 0", timeout=120_000
    )
    interactive = page.evaluate("() => performance.getEntriesByName('cds:interactive')[0].startTime")
    page.remove_listener("response", on_response)
    return {
        "interactive_ms": interactive,
        "js_bytes": sum(raw for raw, _ in scripts.values()),
        "js_gzip_bytes": sum(packed for _, packed in scripts.values()),
        "js_files": len(scripts),
    }


def demo_cccd(base_url: str, workdir: Path) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "CDS_INSTANCE_PATH": str(workdir),
    }
    code = "from api import create_app\nfrom api.demo import demo_level2_citizen\nprint(demo_level2_citizen().cccd)"
    command = [str(ROOT / ".venv/bin/python"), "-c", code]
    answer = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)  # noqa: S603
    return answer.stdout.strip().splitlines()[-1]


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="app-bench-"))
    server, base_url = start_api(workdir)
    results: dict[str, list[dict]] = {"first visit": [], "repeat visit": [], "signed in, repeat": []}
    try:
        cccd = demo_cccd(base_url, workdir)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"),
                headless=True,
                args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
            )
            for _ in range(RUNS):
                context = browser.new_context(**PHONE)
                page = context.new_page()
                shaped(context, page)
                results["first visit"].append(measure(page, base_url + "/app/"))
                page.evaluate("() => navigator.serviceWorker.ready")
                results["repeat visit"].append(measure(page, base_url + "/app/"))
                # Sign in at full speed (the VNeID page is not the app), then measure the home.
                page.get_by_role("button", name="Đăng nhập bằng VNeID").click()
                page.wait_for_url("**/dev-idp/**", timeout=60_000)
                page.fill("#cccd", cccd)
                page.fill("#passcode", os.environ.get("DEV_IDP_PASSCODE", "123456"))
                page.get_by_role("button", name="Đăng nhập", exact=True).click()
                page.wait_for_url(lambda url: url.rstrip("/").endswith("/app"), timeout=60_000)
                results["signed in, repeat"].append(measure(page, base_url + "/app/"))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"{'case':<20} {'interactive (median of ' + str(RUNS) + ')':>28} {'JS files':>9} {'JS bytes':>10} {'JS gzip':>9}"
    )
    for case, runs in results.items():
        print(
            f"{case:<20} {statistics.median(r['interactive_ms'] for r in runs):>25,.0f} ms"
            f" {runs[0]['js_files']:>9} {runs[0]['js_bytes']:>10,} {runs[0]['js_gzip_bytes']:>9,}"
        )


if __name__ == "__main__":
    main()
