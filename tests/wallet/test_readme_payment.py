"""The README's "Paying a demo fine with the test card", run as written.

Its shell blocks run in bash with curl against the API on loopback (seeded with `flask seed-demo`,
as `make run` seeds it) and a real localstripe; only the addresses are the test's own, and the
values the README tells the reader to paste (the token, the fine's reference) come from where the
README says to take them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from api.auth import service as auth
from api.citizens import service as citizens
from api.demo import demo_level2_citizen
from api.extensions import db
from tests.conftest import serving
from tests.wallet.conftest import SECRET_KEY

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "#### Paying a demo fine with the test card"
README_API, README_PROVIDER = "http://127.0.0.1:8000", "http://127.0.0.1:8420"
PLACEHOLDER = re.compile(r"^([A-Z]+)='<[^']*>'$")


def readme_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    assert HEADING in text, "the README lost its payment example"
    section = re.split(r"\n#{2,4} ", text.split(HEADING, 1)[1], maxsplit=1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def json_documents(output: str) -> list:
    decoder, documents, position = json.JSONDecoder(), [], 0
    while position < len(output):
        if output[position].isspace():
            position += 1
            continue
        document, position = decoder.raw_decode(output, position)
        documents.append(document)
    return documents


def run(script: str, api: str, provider: str, **env: str) -> list:
    """Run README lines in bash (placeholder assignments left out: `env` has the values)."""
    script = script.replace(README_API, api).replace(README_PROVIDER, provider)
    lines = [line for line in script.splitlines() if not PLACEHOLDER.match(line)]
    result = subprocess.run(  # noqa: S603 (bash with the README's own lines)
        [shutil.which("bash") or "/bin/bash", "-euo", "pipefail", "-c", "\n".join(lines)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json_documents(result.stdout)


@pytest.fixture
def demo_api(app, make_app, localstripe):
    if shutil.which("curl") is None:
        pytest.fail("curl is needed to run the README's example")
    assert app.test_cli_runner().invoke(args=["seed-demo", "--quiet"]).exit_code == 0
    with serving(make_app, PAYMENT_API_URL=localstripe.url, PAYMENT_SECRET_KEY=SECRET_KEY) as base_url:
        yield base_url


@pytest.fixture
def demo_token(app) -> str:
    with app.test_request_context():
        citizen = citizens.citizen_by_cccd(demo_level2_citizen().cccd)
        pair = auth.sign_in_citizen(citizen)
        db.session.commit()  # the test is the edge (api/unit_of_work.py)
        return pair["access_token"]


def test_the_readme_pays_the_demo_fine_with_the_test_card(demo_api, demo_token, localstripe):
    paying, typing_the_card = readme_blocks()
    before_fine, after_fine = re.split(r"^FINE=.*$", paying, maxsplit=1, flags=re.M)

    [fines] = run(before_fine, demo_api, localstripe.url, TOKEN=demo_token)
    [reference] = [f["payment"]["reference"] for f in fines if f["amount_vnd"] == 900_000 and f["payment"]]
    assert all(photo["url"].startswith("/me/fines/") for f in fines for photo in f["evidence"])

    [paid] = run(after_fine, demo_api, localstripe.url, TOKEN=demo_token, FINE=reference)
    assert paid["status"] == "succeeded", paid
    assert paid["amount_vnd"] == 900_000 and paid["receipt_number"].startswith("BL-")
    headers = {"Authorization": f"Bearer {demo_token}"}
    fine = httpx.get(f"{demo_api}/me/fines/{reference}", headers=headers).json()
    assert fine["status"] == "paid"

    # The card typed in gives a payment method the API takes for another fine.
    [method] = run(typing_the_card, demo_api, localstripe.url)
    assert method["id"].startswith("pm_") and method["card"]["last4"] == "4242"
    [unconfirmed, *_] = [
        f for f in httpx.get(f"{demo_api}/me/fines", headers=headers).json() if f["can_confirm"]
    ]
    confirmed = httpx.post(f"{demo_api}/me/fines/{unconfirmed['id']}/confirm", headers=headers).json()
    second = httpx.post(
        f"{demo_api}/me/payments",
        headers={**headers, "Idempotency-Key": f"readme-{unconfirmed['id']}"},
        json={**confirmed["payment"], "payment_method": method["id"]},
        timeout=30,
    )
    assert second.status_code == 201 and second.json()["status"] == "succeeded", second.text
