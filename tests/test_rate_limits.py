"""Rate limits on sign-in and public lookups, stored in Redis when REDIS_URL is set."""

from __future__ import annotations

import uuid

import redis


def _attempt(client):
    return client.post("/auth/staff/login", json={"username": "ai-do", "password": "khong-biet-123"})


def test_sign_in_is_rate_limited_in_redis(make_app):
    prefix = f"cds-test-{uuid.uuid4().hex[:8]}"
    limited = make_app(
        REDIS_URL="redis://127.0.0.1:6379/0",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        RATELIMIT_KEY_PREFIX=prefix,
        RATELIMIT_SIGN_IN="3 per minute",
    )
    client = limited.test_client()
    statuses = [_attempt(client).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    refused = _attempt(client)
    assert refused.json["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    keys = redis.Redis.from_url("redis://127.0.0.1:6379/0").keys(f"*{prefix}*")
    assert keys, "the counters should live in Redis, shared by every API worker"
    assert client.get("/ready").json["dependencies"]["redis"]["state"] == "ok"


def test_public_lookups_are_limited_per_address_but_not_for_machine_accounts(make_app):
    from api.auth import service
    from api.extensions import db

    limited = make_app(RATELIMIT_PUBLIC_LOOKUP="2 per minute")
    client = limited.test_client()
    with limited.app_context():
        service.create_service_account("lookup-bot", "Chatbot", ["catalogue:read"], "secret-of-lookup-bot-01")
        db.session.commit()
    token = client.post(
        "/auth/service/token", json={"client_id": "lookup-bot", "client_secret": "secret-of-lookup-bot-01"}
    ).json["access_token"]

    assert [client.get("/procedures").status_code for _ in range(3)] == [200, 200, 429]
    machine = {"Authorization": f"Bearer {token}"}
    assert {client.get("/procedures", headers=machine).status_code for _ in range(5)} == {200}
