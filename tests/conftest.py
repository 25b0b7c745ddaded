"""Shared fixtures: one app per test session on SQLite or PostgreSQL, a clean database per test.

The suite runs on SQLite by default. With `TEST_DATABASE_URL` set (CI always sets it) it runs
on that PostgreSQL database instead, inside a schema of its own that is dropped at the end. In
CI an unreachable PostgreSQL fails the run; elsewhere it fails too, because a developer who
set the variable asked for PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from api import create_app
from api.config import normalise_database_url
from api.extensions import db, limiter


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives Chromium (it asks for `browser`) is marked `browser`. `make test` runs
    those once, in the PostgreSQL pass, as production runs; the SQLite pass checks the API."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


TEST_CONFIG = {
    "TESTING": True,
    "CDS_ENV": "testing",
    "LOG_JSON": True,
    "LOG_LEVEL": "WARNING",
    "RATELIMIT_SIGN_IN": "1000 per minute",
    "RATELIMIT_PUBLIC_LOOKUP": "1000 per minute",
    "REDIS_URL": "",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_CHAT": "1000 per minute",
    # Nothing listens on the discard port: the suite sees the chatbot down unless a test starts
    # a real one (tests/chat/test_end_to_end.py). Agents answer around the clock unless a test
    # sets office hours.
    "RASA_URL": "http://127.0.0.1:9",
    "CHAT_AGENT_HOURS": "00:00-24:00",
    "CHAT_AGENT_WORKING_DAYS_ONLY": False,
    # The payment provider is down too unless a test points the app at its localstripe
    # (tests/wallet/conftest.py: `payments`); a down provider is answered fast.
    "PAYMENT_API_URL": "http://127.0.0.1:9",
    "PAYMENT_TIMEOUT_SECONDS": 2,
    "PAYMENT_MAX_ATTEMPTS": 2,
}


def _postgres_url(base_url: str) -> tuple[str, str]:
    """A URL whose connections live in a fresh schema of their own."""
    schema = f"cds_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(normalise_database_url(base_url))
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}", returncode=3)
    finally:
        engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return normalise_database_url(f"{base_url}{separator}options=-csearch_path%3D{schema}"), schema


def _drop_postgres_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(normalise_database_url(base_url))
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base_url = os.environ.get("TEST_DATABASE_URL", "")
    if not base_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url, schema = _postgres_url(base_url)
    yield url
    _drop_postgres_schema(base_url, schema)


@pytest.fixture(scope="session")
def make_app(database_url, tmp_path_factory):
    """Build an app on the session's database with extra settings (for one test's needs)."""

    def factory(**overrides):
        config = {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        }
        config.update(overrides)
        return create_app(config)

    return factory


@pytest.fixture(scope="session")
def app(make_app):
    app = make_app()
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_database(request, app):
    """Every test starts from empty tables and fresh rate-limit counters."""
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()


@pytest.fixture
def catalogue(app):
    """The procedure catalogue seeded, as `make run` seeds it."""
    from api.dossiers.catalogue import service

    with app.app_context():
        service.seed_catalogue()
        db.session.commit()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


# ---- people ---------------------------------------------------------------------------------

DEMO_WARD = "24133"  # Phường Buôn Ma Thuột, Đắk Lắk


@pytest.fixture
def make_citizen(app):
    """Create a citizen with a valid CCCD; returns its id and CCCD."""
    from api.citizens import cccd
    from api.citizens.models import Citizen

    counter = iter(range(1, 10**6))

    def factory(
        *,
        identity_level=2,
        date_of_birth=date(1990, 5, 17),
        sex="female",
        ward_code=DEMO_WARD,
        full_name="Nguyễn Thị Hoa",
        phone="0912345678",
    ):
        number = cccd.build("066", sex, date_of_birth, next(counter) + uuid.uuid4().int % 900000)
        with app.app_context():
            citizen = Citizen(
                cccd=number,
                full_name=full_name,
                date_of_birth=date_of_birth,
                sex=sex,
                phone=phone,
                ward_code=ward_code,
                identity_level=identity_level,
            )
            db.session.add(citizen)
            db.session.commit()
            return {"id": citizen.id, "cccd": number}

    return factory


@pytest.fixture
def citizen_headers(app, make_citizen):
    """Headers of a freshly signed-in citizen (tokens issued by the API's own sign-in service;
    the VNeID redirect flow that precedes it in real life is tested end to end separately)."""
    from api.auth import service
    from api.citizens.service import get_citizen

    def factory(**citizen_fields):
        person = make_citizen(**citizen_fields)
        with app.test_request_context():
            pair = service.sign_in_citizen(get_citizen(person["id"]))
            db.session.commit()  # the test is the edge (api/unit_of_work.py)
        return {"Authorization": f"Bearer {pair['access_token']}"}, person, pair

    return factory


def count_stored_files(app, *folders: str) -> int:
    """How many files the app's local storage holds under `folders` ("reports", "products/<id>").

    Other tests' files stay on the session's disk, so tests compare counts, not listings.
    """
    root = Path(app.config["INSTANCE_PATH"], "files", *folders)
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def assert_problem(response, status: int, code: str) -> dict:
    """The answer is problem+json with this status and stable code, and a message people can read."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["detail"] and body["title"]
    return body


@pytest.fixture
def citizen(citizen_headers):
    """A signed-in, verified (level 2) citizen of the registry: their fields and `headers`."""
    headers, person, _ = citizen_headers()
    return {"headers": headers, **person}


@pytest.fixture
def other_citizen(citizen_headers):
    """A second signed-in citizen, for "never another citizen's data" tests."""
    headers, person, _ = citizen_headers(full_name="Trần Văn Bình", sex="male")
    return {"headers": headers, **person}


STAFF_PASSWORD = "Mat-khau-2025-an-toan"


@pytest.fixture
def make_staff(app):
    from api.auth import service

    def factory(role="officer", username=None, password=STAFF_PASSWORD, ward_code=DEMO_WARD, full_name=None):
        username = username or f"{role}-{uuid.uuid4().hex[:6]}"
        with app.app_context():
            user = service.create_staff_user(
                username, full_name or f"Cán bộ {role}", role, password, ward_code
            )
            db.session.commit()
            return {"id": user.id, "username": username, "password": password}

    return factory


@pytest.fixture
def staff_headers(client, make_staff):
    def factory(role="officer"):
        user = make_staff(role)
        response = client.post(
            "/auth/staff/login", json={"username": user["username"], "password": user["password"]}
        )
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['access_token']}"}, user

    return factory


# ---- a real HTTP server, for flows that cross processes (OIDC redirects, token exchange) -----


def free_port() -> int:
    """A loopback port nobody listens on now, for a server a test starts (or wants absent)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(make_app, **overrides) -> Iterator[str]:
    """Serve a fresh app on a loopback port in a thread until the block ends; yields its base URL.

    The app's PUBLIC_BASE_URL is the server's own address, so the development identity
    provider's issuer and redirect URIs are reachable by the app itself. It shares the session's
    database, so data written through `client` or in an app context is what the server reads.
    """
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    server.app = make_app(PUBLIC_BASE_URL=base_url, **overrides)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=5)


class LoopbackHTTP:
    """A small HTTP server of a test's own on loopback, standing in for a system outside ours
    (a camera archive, Rasa's root page or REST channel): `answer(path)` gives (status, body,
    content type) for each GET, `answer_post(path, body)` the same for each POST; it counts the
    requests and can be stopped mid-test, as a real system goes away."""

    def __init__(self, answer, port: int = 0, answer_post=None) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                self.reply(*answer(self.path))

            def do_POST(self):
                server.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.reply(*(answer_post or (lambda path, body: (405, b"", "text/plain")))(self.path, body))

            def reply(self, status, body, content_type):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(make_app):
    """A real HTTP server of the app for one test; yields its base URL."""
    with serving(make_app) as base_url:
        yield base_url
