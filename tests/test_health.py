"""Liveness and readiness: only the database makes the API unready."""

from __future__ import annotations

import socket

import pytest


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_health_is_200(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_ready_with_database_and_without_redis(client, app):
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ready"
    database = body["dependencies"]["database"]
    assert database["state"] == "ok"
    assert database["required"] is True
    assert database["detail"] in ("sqlite", "postgresql")
    redis = body["dependencies"]["redis"]
    assert redis["state"] == "off"  # REDIS_URL is empty in the tests
    assert redis["required"] is False


@pytest.mark.skipif(not _redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_ready_reports_redis_ok(make_app):
    response = make_app(REDIS_URL="redis://127.0.0.1:6379/0").test_client().get("/ready")
    assert response.status_code == 200
    assert response.json["dependencies"]["redis"]["state"] == "ok"


def test_redis_down_degrades_but_stays_ready(make_app):
    client = make_app(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0").test_client()
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json["status"] == "ready"
    assert response.json["dependencies"]["redis"]["state"] == "down"
    assert response.json["dependencies"]["database"]["state"] == "ok"


def test_unreachable_database_is_503(make_app):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/x?connect_timeout=2"
    response = make_app(SQLALCHEMY_DATABASE_URI=url).test_client().get("/ready")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "not_ready"
    assert body["dependencies"]["database"]["state"] == "down"
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no connection details leak


def test_liveness_does_not_depend_on_the_database(make_app):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/x?connect_timeout=2"
    response = make_app(SQLALCHEMY_DATABASE_URI=url).test_client().get("/health")
    assert response.status_code == 200
