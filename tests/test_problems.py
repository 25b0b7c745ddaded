"""Every error leaves the API as RFC 9457 problem details, in Vietnamese, without internals."""

from __future__ import annotations

import json
from datetime import timedelta

import jwt as pyjwt
import pytest
from flask import Blueprint
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.auth.models import AuthSession, StaffUser
from api.errors import STATUS_PROBLEMS
from api.extensions import db
from api.policy import PUBLIC, allow

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(code)
    assert body["title"] == STATUS_PROBLEMS[status][1]
    assert body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def field_errors(body) -> dict[str, list[str]]:
    return {error["field"]: error["messages"] for error in body["errors"]}


@pytest.fixture
def row_counts(app):
    """Rows a sign-in can write: staff users, audit entries, sessions."""

    def counts() -> list[int]:
        with app.app_context():
            return [
                db.session.scalar(select(func.count()).select_from(model))
                for model in (StaffUser, AuditEntry, AuthSession)
            ]

    return counts


def test_unknown_path_is_404(client):
    body = assert_problem(client.get("/khong-ton-tai"), 404, "not_found")
    assert body["title"] == "Không tìm thấy"


def test_wrong_method_is_405(client):
    response = client.delete("/health")
    body = assert_problem(response, 405, "method_not_allowed")
    assert "Phương thức" in body["title"]
    assert "GET" in response.headers["Allow"]


def test_body_too_large_is_413(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/auth/staff/login", json={"username": "a" * 4000, "password": "x"})
    body = assert_problem(response, 413, "payload_too_large")
    assert "quá lớn" in body["title"]


def test_wrong_media_type_is_415(client):
    response = client.post("/auth/staff/login", data="username=a&password=b", content_type="text/plain")
    body = assert_problem(response, 415, "unsupported_media_type")
    assert "text/plain" in body["detail"]


def test_malformed_json_is_400(client):
    response = client.post("/auth/staff/login", data='{"username": "a",', content_type="application/json")
    body = assert_problem(response, 400, "malformed_json")
    assert "JSON" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "canbo"}, "password"),
        ({"username": "canbo", "password": "x", "foo": 1}, "foo"),
        ({"username": 123, "password": "x"}, "username"),
    ],
    ids=["missing", "unknown", "wrong-type"],
)
def test_validation_failure_is_422_with_field_paths(client, make_staff, row_counts, payload, field):
    make_staff("officer", username="canbo")

    before = row_counts()
    response = client.post("/auth/staff/login", json=payload)
    body = assert_problem(response, 422, "validation_failed")
    errors = field_errors(body)
    assert list(errors) == [field]
    # Messages are Vietnamese, not marshmallow's English.
    messages = " ".join(errors[field])
    assert "field" not in messages.lower() and "not a valid" not in messages.lower()
    assert row_counts() == before  # a refused request writes nothing, not even a failed sign-in


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": '{"username": "canbo", "password": ', "content_type": "application/json"}, 400),
        ({"data": "username=canbo&password=x", "content_type": "text/plain"}, 415),
        ({"json": {"username": "canbo", "password": "x", "role": "admin"}}, 422),
    ],
    ids=["malformed", "media-type", "extra-field"],
)
def test_refused_sign_in_writes_nothing(client, make_staff, row_counts, kwargs, status):
    """Input refused at the edge never reaches the service: no session, no audit entry."""
    make_staff("officer", username="canbo")

    before = row_counts()
    assert client.post("/auth/staff/login", **kwargs).status_code == status
    assert row_counts() == before


def test_validation_messages_are_translated(client):
    body = client.post("/auth/staff/login", json={"username": 123, "foo": 1}).json
    errors = field_errors(body)
    assert errors["password"] == ["Trường này là bắt buộc."]
    assert errors["foo"] == ["Trường này không được phép."]
    assert errors["username"] == ["Giá trị phải là chuỗi ký tự."]


def test_missing_token_is_401(client):
    assert_problem(client.get("/auth/whoami"), 401, "token_missing")


def test_token_signed_with_another_key_is_401(app, client, staff_headers):
    headers, _ = staff_headers("officer")
    genuine = headers["Authorization"].removeprefix("Bearer ")
    claims = pyjwt.decode(genuine, options={"verify_signature": False})
    forged = pyjwt.encode(claims | {"role": "admin"}, "a-key-that-is-not-the-server-key-000000", "HS256")
    response = client.get("/auth/whoami", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, 401, "token_invalid")


def test_garbage_token_is_401(client):
    response = client.get("/auth/whoami", headers={"Authorization": "Bearer not.a.jwt"})
    assert_problem(response, 401, "token_invalid")


def test_expired_token_is_401(app, client, staff_headers):
    from flask_jwt_extended import create_access_token

    headers, _ = staff_headers("officer")
    live = pyjwt.decode(headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False})
    with app.app_context():
        expired = create_access_token(
            identity=live["sub"],
            additional_claims={
                "sid": live["sid"],
                "role": live["role"],
            },  # a live session: only time is wrong
            expires_delta=timedelta(seconds=-1),
        )
    response = client.get("/auth/whoami", headers={"Authorization": f"Bearer {expired}"})
    body = assert_problem(response, 401, "token_expired")
    assert "hết hạn" in body["detail"]


def test_too_many_sign_ins_is_429_with_retry_after(make_app):
    client = make_app(RATELIMIT_SIGN_IN="2 per minute").test_client()
    attempt = {"username": "khong-co", "password": "sai-mat-khau"}
    for _ in range(2):
        assert client.post("/auth/staff/login", json=attempt).status_code == 401
    response = client.post("/auth/staff/login", json=attempt)
    body = assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert "thử lại" in body["detail"]


def test_unexpected_error_is_500_without_internals(make_app):
    app = make_app()
    extra = Blueprint("exploding", __name__)

    @extra.get("/test-only/explode")
    @allow(PUBLIC)
    def explode():
        raise RuntimeError("secret internals")

    app.register_blueprint(extra)
    response = app.test_client().get("/test-only/explode", headers={"X-Request-ID": "support-call-0001"})
    body = assert_problem(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "secret internals" not in text
    assert "RuntimeError" not in text
    assert "1900" in body["detail"]  # tells the citizen what to do
    assert body["request_id"] == "support-call-0001"  # what the call-centre agent searches the logs for


def test_problem_json_is_utf8_vietnamese_not_escaped(client):
    raw = client.get("/khong-ton-tai").get_data()
    assert "Không tìm thấy".encode() in raw
    assert json.loads(raw)["title"] == "Không tìm thấy"
