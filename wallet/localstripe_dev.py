"""`make run`'s payment provider: localstripe on loopback, sending its webhooks to the API.

localstripe keeps webhook endpoints in memory only, so they are registered again every time it
starts: this wrapper starts it, waits until it answers, points its webhooks at the API with the
API's webhook secret, and then lives as long as localstripe does (honcho supervises it).
Development only: production talks to the real provider, configured in its dashboard.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.config import from_environment


def main() -> int:
    config = from_environment()
    provider_url = config["PAYMENT_API_URL"].rstrip("/")
    port = provider_url.rsplit(":", 1)[-1]
    api_url = os.environ.get("CDS_API_URL", "http://127.0.0.1:8000").rstrip("/")
    store = Path(config["INSTANCE_PATH"]) / "localstripe.pickle"
    command = [sys.executable, "-m", "wallet.localstripe_server", "--port", port, "--store", str(store)]
    process = subprocess.Popen(command)  # noqa: S603 (our own fixed command)
    # honcho stops its processes with SIGTERM: pass it on, or localstripe would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{provider_url}/v1/customers", auth=(config["PAYMENT_SECRET_KEY"], ""), timeout=1)
            break
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                print("localstripe did not start", file=sys.stderr)
                process.kill()
                return 1
            time.sleep(0.2)
    httpx.post(
        f"{provider_url}/_config/webhooks/congdanso",
        data={"url": f"{api_url}/payments/webhook", "secret": config["PAYMENT_WEBHOOK_SECRET"]},
    ).raise_for_status()
    print(f"localstripe {provider_url}: webhooks -> {api_url}/payments/webhook", flush=True)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()


if __name__ == "__main__":
    sys.exit(main())
