"""Idempotency-Key for the requests that move money: a retry never makes a second payment.

A phone on a bad network sends "pay" again when the answer is lost. A view marked `@idempotent`
requires an `Idempotency-Key` header and remembers, per caller and key, the request's
fingerprint and the answer it got:

- the same key with the same body within 24 hours: the stored answer, status and body, again;
- the same key with another body: 409 `idempotency_key_reused`, nothing done;
- the same key while the first request is still running (a double tap, two parallel retries):
  the second waits for the first and returns its answer, so both see one payment.

The claim is a row inserted and committed (a checkpoint, api/unit_of_work.py) *before* the view
runs, under a unique (caller, key) constraint: the database decides which of two parallel
requests runs. A successful answer is stored in the request's own unit of work: the payment and
the answer a retry will get commit together, or neither does. A refusal (4xx) is stored too,
although the request's work is rolled back: a checkpoint of its own. Answers of 5xx are not
stored and release the claim: the outcome was unknown (the provider was down), and the retry
must be allowed to resume the work (the wallet finds the pending payment and carries on).
A claim left by a crashed worker is taken over after `LOCK_SECONDS`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import Integer, String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response

from api.dbtypes import UTCDateTime, utcnow
from api.errors import ApiError
from api.extensions import db
from api.openapi import request_header
from api.policy import require_principal
from api.unit_of_work import checkpoint, rollback

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
LOCK_SECONDS = 60  # longer than any request may run (provider timeout × attempts)
WAIT_SECONDS = 30.0  # how long a duplicate waits for the first request's answer
POLL_SECONDS = 0.05
# Headers a replay must carry again: where the resource is, and its version.
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(80))  # the caller: "citizen:<uuid>"
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and body
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[str | None] = mapped_column(Text)  # JSON object
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


_DOCUMENTED = request_header(
    HEADER,
    "Khoá duy nhất của lần thanh toán này (ví dụ một UUID mới mỗi lần bấm Thanh toán): gửi lại "
    "cùng khoá và cùng nội dung trong 24 giờ nhận lại đúng kết quả cũ.",
    schema={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"},
)


def idempotent(view: Callable) -> Callable:
    """Make a POST view answer once per (caller, Idempotency-Key). Put it above the smorest
    decorators so that it stores the final response. The header is documented as required."""

    @_DOCUMENTED
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = _key_from_header()
        principal = require_principal()
        scope = f"{principal.kind}:{principal.id}"
        fingerprint = _fingerprint()
        record = _claim(scope, key, fingerprint)
        if record.response_status is not None:
            return _replay(record)
        try:
            response = current_app.make_response(view(*args, **kwargs))
            db.session.flush()  # the view's writes meet the constraints here, where a failure frees the key
        except ApiError as error:
            if error.status >= 500:
                _release(record.id)
                raise
            response = current_app.make_response(current_app.handle_user_exception(error))
        except Exception:
            _release(record.id)
            raise
        if response.status_code >= 500:
            _release(record.id)
        elif response.status_code >= 400:
            _store_refusal(record.id, response)
        else:
            _store(record.id, response)
        return response

    return wrapper


def _key_from_header() -> str:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        raise ApiError(
            400,
            "idempotency_key_required",
            "Thiếu tiêu đề Idempotency-Key: mỗi yêu cầu thanh toán cần một khoá duy nhất để "
            "không bị trừ tiền hai lần khi gửi lại.",
        )
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            400,
            "idempotency_key_invalid",
            f"Idempotency-Key phải là chuỗi ký tự in được, tối đa {MAX_KEY_LENGTH} ký tự.",
        )
    return key


def _fingerprint() -> str:
    body = request.get_json(silent=True)
    # The same JSON sent with other spacing or key order is the same request.
    canonical = (
        json.dumps(body, sort_keys=True, ensure_ascii=False) if body is not None else request.get_data()
    )
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(canonical.encode() if isinstance(canonical, str) else canonical)
    return digest.hexdigest()


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyRecord:
    """The caller's record for this key: newly claimed, finished (to replay), or after waiting."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        rollback()  # a fresh snapshot on every look
        try:
            record = IdempotencyRecord(scope=scope, key=key, fingerprint=fingerprint)
            db.session.add(record)
            checkpoint("the claim must be visible to a parallel retry before the view runs")
            return record
        except IntegrityError:
            rollback()
        existing = db.session.scalar(
            select(IdempotencyRecord).where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
        )
        if existing is None:  # released or purged between our insert and our read
            continue
        now = utcnow()
        if existing.created_at < now - RETENTION:
            _release(existing.id)  # an expired key is a new key
            continue
        if existing.fingerprint != fingerprint:
            raise ApiError(
                409,
                "idempotency_key_reused",
                "Idempotency-Key này đã được dùng cho một yêu cầu khác. Hãy tạo khoá mới cho "
                "mỗi giao dịch mới.",
            )
        if existing.response_status is not None:
            return existing
        if existing.locked_at < now - timedelta(seconds=LOCK_SECONDS) and _take_over(existing):
            return existing
        if time.monotonic() > deadline:
            raise ApiError(
                409,
                "idempotency_request_in_progress",
                "Yêu cầu trước với cùng Idempotency-Key vẫn đang được xử lý; hãy thử lại sau ít giây.",
            )
        time.sleep(POLL_SECONDS)


def _take_over(record: IdempotencyRecord) -> bool:
    """Claim a record whose worker died mid-request; only one taker wins."""
    taken = db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record.id, IdempotencyRecord.locked_at == record.locked_at)
        .values(locked_at=utcnow())
    ).rowcount
    checkpoint("the takeover must be visible to other takers before the view runs")
    return taken == 1


def _store(record_id: int, response: Response) -> None:
    """Stage the answer with what the view staged: the request's unit of work commits both."""
    headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id)
        .values(
            response_status=response.status_code,
            response_headers=json.dumps(headers),
            response_body=response.get_data(as_text=True),
        )
    )


def _store_refusal(record_id: int, response: Response) -> None:
    rollback()  # what the refused view staged is not kept
    _store(record_id, response)
    checkpoint("a refusal is the answer a retry gets again, although the refused request is rolled back")


def _release(record_id: int) -> None:
    rollback()
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    checkpoint("a key whose outcome was unknown (5xx) is freed for the retry, although this request fails")


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response.headers.update(json.loads(record.response_headers or "{}"))
    response.headers["Idempotent-Replayed"] = "true"
    return response


def purge_expired(now: datetime | None = None) -> int:
    """Forget keys older than 24 hours (a scheduler job)."""
    cutoff = (now or utcnow()) - RETENTION
    removed = db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)
    ).rowcount
    return removed
