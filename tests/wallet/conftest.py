"""A real localstripe process (a stateful Stripe-compatible server) for the wallet's tests."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.events import OutboxEvent
from api.extensions import db
from tests.conftest import free_port
from tests.dossiers.test_dossiers import apply, desk

SECRET_KEY = "sk_test_wallet_tests"
STARTUP_SECONDS = 30


class Localstripe:
    """One localstripe on a fixed loopback port, which tests may stop and start again."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, *, from_scratch: bool = False) -> None:
        """Start it; it reloads what it stored before being stopped, as a real provider keeps its
        objects across an outage, unless `from_scratch`."""
        command = [
            sys.executable,
            "-m",
            "wallet.localstripe_server",
            "--port",
            str(self.port),
            "--store",
            str(self.log_path.with_name("localstripe.pickle")),
        ] + (["--from-scratch"] if from_scratch else [])
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own fixed command)
                command, stdout=log, stderr=subprocess.STDOUT
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

    def pause(self) -> None:
        """Freeze the process: connections are accepted and never answered (a hung provider)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    server = Localstripe(free_port(), tmp_path_factory.mktemp("localstripe") / "localstripe.log")
    server.start(from_scratch=True)
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


# Stripe's test cards, which localstripe knows too.
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # attaches, then every charge is declined
THREE_D_SECURE_CARD = "4000002760003184"  # every charge asks for authentication
UNATTACHABLE_CARD = "4000000000000002"


@pytest.fixture
def make_card(localstripe):
    """A card payment method, as the app's card form (Stripe.js) would create it on the phone."""

    def factory(number: str = GOOD_CARD) -> str:
        created = httpx.post(
            f"{localstripe.url}/v1/payment_methods",
            auth=(SECRET_KEY, ""),
            data={
                "type": "card",
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2030",
                "card[cvc]": "123",
            },
        )
        created.raise_for_status()
        return created.json()["id"]

    return factory


@pytest.fixture
def card(make_card) -> str:
    return make_card()


@pytest.fixture
def payments(app, localstripe):
    """The session's app, paying through the real localstripe for this test."""
    saved = {key: app.config[key] for key in ("PAYMENT_API_URL", "PAYMENT_SECRET_KEY")}
    app.config.update(PAYMENT_API_URL=localstripe.url, PAYMENT_SECRET_KEY=SECRET_KEY)
    app.extensions.pop("payment_provider", None)
    yield localstripe
    app.config.update(saved)
    client = app.extensions.pop("payment_provider", None)
    if client is not None:
        client.close()


# ---- a payable: a dossier's fee (status 6) --------------------------------------------------------

FEE = 15_000


@pytest.fixture
def applicant(citizen_headers, catalogue):
    headers, person, _ = citizen_headers()
    return {"headers": headers, **person}


@pytest.fixture
def officer(staff_headers):
    return staff_headers("officer")[0]


@pytest.fixture
def fee_due(client, applicant, officer):
    """A dossier of the applicant's in status 6, waiting for a 15.000 đồng fee."""
    code = apply(client, applicant["headers"]).json["code"]
    for action, body in (("accept", {}), ("request_payment", {"fee_vnd": FEE})):
        response = desk(client, officer, code, action, **body)
        assert response.status_code == 200, response.json
    return code


def pay(client, headers, code, payment_method=None, key=None, amount=FEE, **extra):
    body = {"purpose": "dossier_fee", "reference": code, "amount_vnd": amount, **extra}
    if payment_method:
        body["payment_method"] = payment_method
    return client.post(
        "/me/payments", headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())}, json=body
    )


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(app, event_type) -> list[OutboxEvent]:
    with app.app_context():
        return db.session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == event_type)).all()
