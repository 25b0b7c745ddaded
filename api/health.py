"""Liveness (`/health`) and readiness (`/ready`).

`/ready` is 200 when the database answers, 503 otherwise. Optional dependencies (Redis, and
later push, payments, the chatbot) are reported with their state but never make the API
unready: without them it degrades, it does not stop. Domains register their own checks with
`register_readiness_check` from their `init_app`, so this module knows none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app
from flask.views import MethodView
from marshmallow import Schema, fields
from sqlalchemy import text

from api.extensions import db
from api.http import Blueprint
from api.policy import PUBLIC, allow

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__, description="Tình trạng hệ thống")

# name -> function returning (state, detail); state is "ok", "off" (not configured) or "down".
ReadinessCheck = Callable[[], tuple[str, str]]


def register_readiness_check(app: Flask, name: str, check: ReadinessCheck) -> None:
    app.extensions.setdefault("readiness_checks", {})[name] = check


def _database() -> tuple[str, str]:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok", db.engine.dialect.name
    except Exception as exc:  # any driver error means "not reachable"
        log.warning("database not reachable: %s", type(exc).__name__)
        db.session.rollback()
        return "down", "không kết nối được cơ sở dữ liệu"


def _redis() -> tuple[str, str]:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "off", "REDIS_URL chưa cấu hình; giới hạn tần suất dùng bộ nhớ tiến trình"
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok", "redis"
    except redis.RedisError as exc:
        return "down", type(exc).__name__


def _identity_provider() -> tuple[str, str]:
    issuer = current_app.config.get("OIDC_ISSUER")
    if issuer:
        return "ok", f"VNeID: {issuer}"
    return "ok", "nhà cung cấp định danh phát triển (chỉ dùng khi phát triển)"


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class DependencySchema(Schema):
    state = fields.String(required=True, metadata={"description": "ok | off (chưa cấu hình) | down"})
    detail = fields.String(required=True)
    required = fields.Boolean(required=True, metadata={"description": "true: không có thì API chưa sẵn sàng"})


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ready | not_ready"})
    dependencies = fields.Dict(keys=fields.String(), values=fields.Nested(DependencySchema), required=True)


@blp.route("/health")
class Health(MethodView):
    @allow(PUBLIC)
    @blp.response(200, HealthSchema)
    @blp.doc(summary="Liveness: the process answers")
    def get(self):
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @allow(PUBLIC)
    @blp.response(200, ReadinessSchema)
    # Not a problem: the same report, for load balancers and operators to read.
    @blp.alt_response(503, schema=ReadinessSchema, description="Cơ sở dữ liệu không trả lời")
    @blp.doc(summary="Readiness: the database answers; optional dependencies are listed with their state")
    def get(self):
        ready, results = readiness()
        return {"status": "ready" if ready else "not_ready", "dependencies": results}, 200 if ready else 503


def readiness() -> tuple[bool, dict[str, dict]]:
    """Every check's state, as `/ready` reports them (the home page `/` shows the same)."""
    checks = {"database": _database, "redis": _redis, "identity_provider": _identity_provider}
    checks.update(current_app.extensions.get("readiness_checks", {}))
    results = {}
    for name, check in checks.items():
        state, detail = check()
        results[name] = {"state": state, "detail": detail, "required": name == "database"}
    return results["database"]["state"] == "ok", results
