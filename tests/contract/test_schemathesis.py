"""The API answers as its OpenAPI document says: schemathesis against the live app.

schemathesis reads `/openapi.json` from a real HTTP server of the app (the demo city seeded),
generates requests from it (valid and invalid, with a fixed seed and a bounded number of
examples per operation) and checks every answer against the document: no server error, the
documented status, media type, headers and body schema. It runs once per caller: anonymous on
the public operations, then a signed-in citizen, and staff of the roles the staff operations admit
(`CALLERS`), each with a token of their own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import serving
from tests.contract.conftest import SECRET_KEY

SEED = 20251122
# Examples per operation and phase: about three minutes for the five runs on the 2-core machines
# of CI. Raise it locally (CONTRACT_EXAMPLES=50) to look harder.
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "5"))
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "ignored_auth",  # a protected operation refuses a request without a token
        "unsupported_method",  # 405 with `Allow` for a method a path does not have
        # Not run:
        # - missing_required_header: it admits only 400, 401, 403, 406, 415 and 422 for a missing
        #   header, and a missing If-Match is a 428 (RFC 6585), as the document says.
        # - negative_data_rejection: the API is lenient where the document is exact, by design:
        #   a form's values are text (a number is its digits), a boolean also reads 0 and 1, a
        #   batch of fine notices answers 200 listing each refused row, and Open311 takes an
        #   empty argument as absent, as GeoReport clients send them.
    )
)
# Operations that end the caller's own session: run, they would sign the rest of the run out.
SIGN_OUT = {"POST /auth/logout", "POST /auth/refresh", "POST /auth/staff/password"}
# Machine accounts' operations (the chatbot's action server), not run: a person calls none.
MACHINES = {"POST /service/reports"}
# Who calls what: (label, demo staff username or "citizen" or None, paths of the protected
# operations this caller runs). Each staff operation runs as a role its policy admits: the
# administrator for most, the police for their own fines and crime reporters' identities, the
# comms staff for push campaigns (theirs alone).
CALLERS = (
    ("anonymous", None, None),
    ("citizen", "citizen", re.compile(r"^/(me\b|chat\b|auth/whoami$|reports/track/)")),
    ("police", "congan.phuong", re.compile(r"^/police/|^/staff/reports/|^/auth/staff/totp")),
    ("comms", "truyenthong", re.compile(r"^/comms/")),
    # Last: the administrator's run may lock other staff accounts (/admin/staff/...), whose
    # owners would then no longer sign in for a run of their own.
    (
        "admin",
        "quantri",
        re.compile(r"^/(staff|agent|admin|leader)/(?!reports/\{report_id\}/identity)|^/auth/whoami$"),
    ),
)

# The servers the test starts generously: schemathesis sends far more than a person would.
UNLIMITED = {
    "RATELIMIT_SIGN_IN": "100000 per minute",
    "RATELIMIT_PUBLIC_LOOKUP": "100000 per minute",
    "RATELIMIT_CHAT": "100000 per minute",
}


@pytest.fixture
def demo_city(app):
    from api.demo import seed_demo
    from api.extensions import db

    with app.app_context():
        seed_demo()
        db.session.commit()


def citizen_token(app) -> str:
    """The level-2 demo citizen's (the one with a dossier, fines, benefits), signed in as the
    API's sign-in service does once VNeID has vouched for them."""
    from sqlalchemy import select

    from api.auth import service
    from api.citizens.models import Citizen
    from api.demo import demo_level2_citizen
    from api.extensions import db

    with app.test_request_context():
        citizen = db.session.scalar(select(Citizen).where(Citizen.cccd == demo_level2_citizen().cccd))
        pair = service.sign_in_citizen(citizen)
        db.session.commit()
    return pair["access_token"]


def staff_token(base_url: str, username: str) -> str:
    from api.demo import DEMO_STAFF_PASSWORD

    answer = httpx.post(
        f"{base_url}/auth/staff/login", json={"username": username, "password": DEMO_STAFF_PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def operations(base_url: str, keep) -> list[str]:
    """The operations of the document `keep(path, operation)` selects, named as schemathesis
    names them ("POST /me/dossiers")."""
    document = httpx.get(f"{base_url}/openapi.json").json()
    return sorted(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters" and f"{method.upper()} {path}" not in SIGN_OUT and keep(path, operation)
    )


def schemathesis(
    base_url: str, names: list[str], token: str | None, report: Path
) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base_url}/openapi.json",
        f"--checks={CHECKS}",
        f"--seed={SEED}",
        f"--max-examples={EXAMPLES}",
        "--phases=examples,coverage,fuzzing",
        # One worker: CPython 3.11.7's ast.parse, which hypothesis calls, fails in concurrent
        # threads ("AST constructor recursion depth mismatch"), and the server is on 2 cores anyway.
        "--workers=1",
        "--request-timeout=30",
        "--suppress-health-check=all",
        "--no-shrink",
        f"--include-name-regex=^({'|'.join(map(re.escape, names))})$",
        "--report=junit",
        f"--report-junit-path={report}",
    ]
    if token:
        command.append(f"--header=Authorization: Bearer {token}")
    return subprocess.run(  # noqa: S603 - our own interpreter, our own arguments
        command, capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"}
    )


def test_the_api_answers_as_its_document_says(make_app, app, demo_city, localstripe, tmp_path):
    payments = {"PAYMENT_API_URL": localstripe.url, "PAYMENT_SECRET_KEY": SECRET_KEY}
    with serving(make_app, **UNLIMITED, **payments) as base_url:
        runs, ran = [], set()
        for label, who, paths in CALLERS:
            if who is None:
                names = operations(base_url, lambda path, op: not op.get("security"))
                token = None
            else:
                names = operations(
                    base_url, lambda path, op, paths=paths: op.get("security") and paths.match(path)
                )
                token = citizen_token(app) if who == "citizen" else staff_token(base_url, who)
            ran.update(names)
            runs.append((label, schemathesis(base_url, names, token, tmp_path / f"{label}.xml")))
        every = set(operations(base_url, lambda path, op: True))
    failed = [
        f"==== as {label} ====\n{run.stdout[-15000:]}{run.stderr[-3000:]}"
        for label, run in runs
        if run.returncode
    ]
    assert not failed, "\n".join(failed)
    assert every - ran == MACHINES  # every other operation ran as someone
