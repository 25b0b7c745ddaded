"""A real localstripe process (a stateful Stripe-compatible server) for the wallet's tests."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

LOCALSTRIPE = Path(sys.executable).parent / "localstripe"
SECRET_KEY = "sk_test_wallet_tests"
STARTUP_SECONDS = 30


class Localstripe:
    """One localstripe on a fixed loopback port, which tests may stop and start again."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own fixed command)
                [str(LOCALSTRIPE), "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"localstripe exited:\n{self.log_path.read_text()[-2000:]}")
            try:
                httpx.get(f"{self.url}/v1/customers", auth=(SECRET_KEY, ""), timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        pytest.fail(f"localstripe did not start in {STARTUP_SECONDS} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    server = Localstripe(free_port(), tmp_path_factory.mktemp("localstripe") / "localstripe.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def provider(localstripe):
    from wallet.provider import PaymentProvider, ProviderSettings

    client = PaymentProvider(
        ProviderSettings(base_url=localstripe.url, secret_key=SECRET_KEY, backoff_seconds=0.05)
    )
    yield client
    client.close()


@pytest.fixture
def card(localstripe) -> str:
    """A card payment method, as the app's card form (Stripe.js) would create it on the phone."""
    created = httpx.post(
        f"{localstripe.url}/v1/payment_methods",
        auth=(SECRET_KEY, ""),
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
        },
    )
    created.raise_for_status()
    return created.json()["id"]
