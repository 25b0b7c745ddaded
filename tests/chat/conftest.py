"""The chatbot's real action server against the real API, for tests/chat/test_actions.py (and
the processes of tests/chat/test_end_to_end.py: `running_process`, `require_built`,
`api_server_factory`).

The API is served on a loopback port in a thread (the same app factory and database as the
rest of the suite); the action server is the real `rasa run actions` of chatbot/, started once
per module in its own Python 3.10 environment (.venv-bot) and pointed at that API. Tests then
post what Rasa would post to it (`POST /webhook`) and read what the citizen would be told.

Every test empties the database afterwards (tests/conftest.py: clean_database), which also
ends the action server's machine session: `chatbot_account` seeds the account again for each
test, and the action server, refused with its old token, signs in again by itself.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import DEMO_WARD, free_port, serving

ROOT = Path(__file__).resolve().parents[2]
CHATBOT = ROOT / "chatbot"
BOT_RASA = ROOT / ".venv-bot" / "bin" / "rasa"
RASA_VERSION = "3.6.21"
ACTIONS_CLIENT_ID = "chatbot-actions"
ACTIONS_SECRET = "secret-of-the-action-server-for-tests"
STARTUP_SECONDS = 90


def require_built(path: Path | None, what: str) -> None:
    """Skip when a part `make test` builds (the chatbot's venv, its model, Chromium) is missing;
    in CI (CI=true) fail instead: there a missing part is a broken build, not a choice."""
    if path is not None and path.exists():
        return
    reason = f"{what} is missing; `make test` builds it before these tests"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


@contextmanager
def running_process(
    command: list[str],
    env: dict[str, str],
    ready: Callable[[], bool],
    tmp_path_factory,
    name: str,
    startup_seconds: float,
) -> Iterator[subprocess.Popen]:
    """Run `command` in chatbot/ with `env` added to the environment until the block ends.

    Waits until `ready()` is true (connection errors count as not yet); fails with the end of
    the process's log if it exits or is not ready in time. Stops only the process it started.
    """
    log_path = tmp_path_factory.mktemp(name) / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own fixed command)
            command,
            cwd=CHATBOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(process, ready, log_path, name, startup_seconds)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _wait_until_ready(
    process: subprocess.Popen, ready: Callable[[], bool], log_path: Path, name: str, startup_seconds: float
) -> None:
    deadline = time.monotonic() + startup_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    pytest.fail(f"{name} was not ready in {startup_seconds} s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def api_server_factory(make_app, app):
    """Serve an app with these settings on a loopback port (tests/conftest.py: `serving`): a
    generator yielding its base URL, for module-scoped fixtures (`yield from api_server_factory(...)`).
    """

    def serve(**overrides) -> Iterator[str]:
        with serving(make_app, **overrides) as base_url:
            yield base_url

    return serve


@pytest.fixture(scope="module")
def actions_api(api_server_factory):
    """The API the action server is pointed at, for the whole module (it is told the URL once)."""
    yield from api_server_factory()


@pytest.fixture(scope="module")
def action_server(actions_api, tmp_path_factory):
    """`rasa run actions` from chatbot/, on a free port, against `actions_api`; its base URL."""
    require_built(BOT_RASA, "the chatbot's environment (.venv-bot)")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [str(BOT_RASA), "run", "actions", "--actions", "actions", "--port", str(port)]
    env = {
        "CDS_API_URL": actions_api,
        "CHATBOT_CLIENT_ID": ACTIONS_CLIENT_ID,
        "CHATBOT_CLIENT_SECRET": ACTIONS_SECRET,
    }

    def healthy() -> bool:
        return httpx.get(f"{base_url}/health", timeout=1).status_code == 200

    with running_process(command, env, healthy, tmp_path_factory, "action-server", STARTUP_SECONDS):
        yield base_url


@pytest.fixture
def chatbot_account(app):
    """The action server's machine account, as `flask seed-demo` creates it (scopes included)."""
    from api.auth import service
    from api.demo import CHATBOT_SCOPES
    from api.extensions import db

    with app.app_context():
        service.create_service_account(
            ACTIONS_CLIENT_ID, "Máy chủ hành động", list(CHATBOT_SCOPES), ACTIONS_SECRET
        )
        db.session.commit()


_notice_numbers = itertools.count(1)


def fine_notice(owner_cccd: str, *, decided_days_ago: int = 0, **overrides) -> dict:
    """A valid notice as the police or the camera feed send it (as tests/fines/conftest.py makes
    them), decided `decided_days_ago` days ago: 10 days later it is overdue."""
    number = next(_notice_numbers)
    now = datetime.now(UTC)
    body = {
        "notice_number": f"{number:05d}/QĐ-XPVPHC",
        "source_ref": f"chat-test-{number:06d}",
        "plate": "47A-123.45",
        "violation_code": "oto-vuot-den-do",
        "amount_vnd": 18_000_000,
        "owner_cccd": owner_cccd,
        "violated_at": (now - timedelta(days=decided_days_ago + 1)).isoformat(),
        "decided_at": (now - timedelta(days=decided_days_ago)).isoformat(),
        "place": "Ngã tư Lê Duẩn - Phan Chu Trinh",
        "ward_code": DEMO_WARD,
        "evidence": ["https://camera.congan.daklak.gov.vn/anh/1.jpg"],
    }
    body.update(overrides)
    return body


@pytest.fixture
def issue_fine(app):
    """Issue a notice for `owner` (a make_citizen dict) through api.fines.service, as the police's
    feed does; `then="confirm"` has the owner confirm it, `then="pay"` marks it paid too."""
    from api.citizens import service as citizens
    from api.extensions import db
    from api.fines import service

    def issue(owner: dict, then: str | None = None, **overrides) -> dict:
        with app.app_context():
            fine, outcome = service.issue_notice(
                service.validate_row(fine_notice(owner["cccd"], **overrides)), actor="service:chat-tests"
            )
            assert outcome == "created"
            if then in ("confirm", "pay"):
                service.confirm(citizens.get_citizen(owner["id"]), fine.id)
            if then == "pay":
                service.mark_fine_paid(str(fine.id), uuid.uuid4())
                db.session.commit()
            issued = {
                "id": str(fine.id),
                "notice_number": fine.notice_number,
                "plate": fine.plate,
                "place": fine.place,
                "status": fine.status,
            }
            db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
            db.session.remove()
            return issued

    return issue


def chat_token(app, pair: dict) -> str:
    """The delegated, read-only token the API puts in a signed-in citizen's chat messages
    (`cds_token`), made from the citizen's sign-in `pair`."""
    from flask_jwt_extended import decode_token

    from api.chat.service import _chat_token
    from api.policy import Principal

    with app.test_request_context():
        return _chat_token(Principal.from_claims(decode_token(pair["access_token"])))


# ---- talking to the action server as Rasa does -------------------------------------------------


def _bot_domain() -> dict[str, Any]:
    """chatbot/domain/*.yml merged, as Rasa sends the domain to the action server."""
    domain: dict[str, Any] = {}
    for path in sorted((CHATBOT / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict):
                domain.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                domain.setdefault(key, []).extend(value)
            else:
                domain[key] = value
    return domain


BOT_DOMAIN = _bot_domain()


def user_event(text: str, intent: str, entities=(), metadata: dict | None = None) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": time.time(),
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": list(entities),
            "metadata": metadata or {},
        },
        "input_channel": "rest",
        "metadata": metadata or {},
    }


def action_event(name: str) -> dict[str, Any]:
    return {"event": "action", "timestamp": time.time(), "name": name}


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": time.time(), "name": name, "value": value}


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": len(value), "extractor": "test"}


class ActionServer:
    """Posts webhook calls the way Rasa 3.6 does and keeps what came back."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def run(
        self,
        action: str,
        *,
        text: str = "",
        intent: str = "greet",
        entities=(),
        metadata: dict | None = None,
        slots: dict | None = None,
        events: list[dict] | None = None,
        sender_id: str | None = None,
        active_loop: str | None = None,
    ) -> dict[str, Any]:
        """One action run for the latest message `text`; `events` come before that message,
        and slot events after it (those a form's validation action is asked to validate)."""
        sender_id = sender_id or str(uuid.uuid4())
        latest = user_event(text, intent, entities, metadata)
        slot_events = [slot_event(name, value) for name, value in (slots or {}).items()]
        tracker = {
            "sender_id": sender_id,
            "slots": {**{name: None for name in BOT_DOMAIN.get("slots", {})}, **(slots or {})},
            "latest_message": {**latest["parse_data"], "message_id": uuid.uuid4().hex},
            "latest_event_time": time.time(),
            "followup_action": None,
            "paused": False,
            "events": [*(events or []), latest, *slot_events],
            "latest_input_channel": "rest",
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action": {"action_name": "action_listen"},
            "latest_action_name": "action_listen",
        }
        response = httpx.post(
            f"{self.base_url}/webhook",
            json={
                "next_action": action,
                "sender_id": sender_id,
                "tracker": tracker,
                "domain": BOT_DOMAIN,
                "version": RASA_VERSION,
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()


def said(result: dict[str, Any]) -> str:
    """Everything the citizen reads from one action run."""
    return "\n".join(reply.get("text") or "" for reply in result.get("responses", []))


@pytest.fixture(scope="module")
def actions_without_api(tmp_path_factory) -> ActionServer:
    """A second real action server, pointed at a port nobody listens on."""
    require_built(BOT_RASA, "the chatbot's environment (.venv-bot)")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [str(BOT_RASA), "run", "actions", "--actions", "actions", "--port", str(port)]
    env = {
        "CDS_API_URL": f"http://127.0.0.1:{free_port()}",
        "CHATBOT_CLIENT_ID": ACTIONS_CLIENT_ID,
        "CHATBOT_CLIENT_SECRET": ACTIONS_SECRET,
    }

    def healthy() -> bool:
        return httpx.get(f"{base_url}/health", timeout=1).status_code == 200

    with running_process(command, env, healthy, tmp_path_factory, "action-server-no-api", STARTUP_SECONDS):
        yield ActionServer(base_url)


@pytest.fixture
def actions(action_server, chatbot_account) -> ActionServer:
    return ActionServer(action_server)
