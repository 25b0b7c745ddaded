"""Request ids and JSON logs; CCCD and phone numbers never reach a log line in clear."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from flask import Blueprint

from api.observability import configure_logging, mask_personal_numbers
from api.policy import PUBLIC, allow

CCCD = "066190012345"
PHONE = "0912345678"


# ---- request ids ----------------------------------------------------------------------------


def test_sane_request_id_is_echoed(client):
    response = client.get("/health", headers={"X-Request-ID": "app-7f3a.retry_2"})
    assert response.headers["X-Request-ID"] == "app-7f3a.retry_2"


@pytest.mark.parametrize(
    "garbage",
    ["short", "has spaces in it", "x" * 65, "tab\tinside-the-id", "<script>alert(1)</script>", ""],
    ids=["too-short", "spaces", "too-long", "tab", "markup", "empty"],
)
def test_garbage_request_id_is_replaced(client, garbage):
    response = client.get("/health", headers={"X-Request-ID": garbage} if garbage else {})
    assert response.headers["X-Request-ID"] != garbage
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_request_id_carrying_a_cccd_is_replaced(client):
    """An id that would be masked in the logs could not be found there: don't accept it."""
    response = client.get("/health", headers={"X-Request-ID": f"req-{CCCD}"})
    assert CCCD not in response.headers["X-Request-ID"]


def test_generated_ids_read_the_same_in_masked_logs():
    """Random hex ids sometimes hold a digit run that looks like a CCCD or a phone number
    (nearly 2 in 100); masking would then break the link between a response and its logs."""
    from api.observability import _new_request_id

    for _ in range(3000):
        request_id = _new_request_id()
        assert mask_personal_numbers(request_id) == request_id


def test_every_response_gets_a_fresh_id(client):
    ids = {client.get("/health").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_problem_carries_the_request_id(client):
    response = client.get("/khong-ton-tai", headers={"X-Request-ID": "call-centre-ticket-42"})
    assert response.json["request_id"] == "call-centre-ticket-42"


# ---- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (CCCD, "066******345"),
        (PHONE, "091****678"),
        ("+84912345678", "+8491****678"),
        ("84912345678", "8491****678"),
        (f"cccd={CCCD}&phone={PHONE}", "cccd=066******345&phone=091****678"),
        (f"/citizens/{CCCD}/profile", "/citizens/066******345/profile"),
        ("gọi 0912345678 hoặc 0987654321.", "gọi 091****678 hoặc 098****321."),
        ("sđt 0912 345 678", "sđt 091* *** 678"),
        ("sđt 0912.345.678", "sđt 091*.***.678"),
        ("+84 912 345 678", "+84 91* *** 678"),
    ],
)
def test_personal_numbers_are_masked(text, masked):
    assert mask_personal_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111111",  # a 16-digit card number is not half-masked as a CCCD
        "1234567890123",  # 13 digits: not a CCCD
        "duration 12.5 ms, status 200, 2025-05-17T08:30:00",
        "mã hồ sơ HS-2025-000123",
        "số tiền 1500000 đồng",
        "/me/inbox/3b089c02-0123-4567-89ab-cdef01234567/read",  # UUIDs keep their digits
    ],
)
def test_other_numbers_are_left_alone(text):
    assert mask_personal_numbers(text) == text


# ---- JSON log lines -------------------------------------------------------------------------


class CapturedLog:
    """What the app's own log handler writes (its filters and formatter included)."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self._swapped: list[tuple[logging.StreamHandler, object]] = []
        self.capture()

    def capture(self) -> None:
        """Point the current app handler at the buffer (again, after `make_app` replaced it)."""
        handler = next(h for h in logging.getLogger().handlers if getattr(h, "_congdanso", False))
        self._swapped.append((handler, handler.setStream(self.buffer)))

    def restore(self) -> None:
        for handler, stream in reversed(self._swapped):
            handler.setStream(stream)

    def raw(self) -> str:
        return self.buffer.getvalue()

    def __call__(self) -> list[dict]:
        return [json.loads(line) for line in self.raw().splitlines() if line.strip()]


@pytest.fixture
def log_lines():
    root = logging.getLogger()
    old_level = root.level
    # What create_app installs, afresh: an in-process Alembic run (tests/test_migrations.py)
    # replaces the root handlers with its own. INFO, because the access log is INFO.
    configure_logging("INFO", json_lines=True)
    captured = CapturedLog()
    yield captured
    captured.restore()
    root.setLevel(old_level)


def test_log_lines_are_json_with_masked_numbers(log_lines):
    log = logging.getLogger("api.test")
    log.warning("citizen %s called from %s", CCCD, PHONE, extra={"lookup": {"cccd": CCCD}, "phones": [PHONE]})
    (line,) = [entry for entry in log_lines() if entry["logger"] == "api.test"]
    raw = log_lines.raw()
    assert CCCD not in raw and PHONE not in raw
    assert line["message"] == "citizen 066******345 called from 091****678"
    assert line["lookup"] == {"cccd": "066******345"}
    assert line["phones"] == ["091****678"]
    assert line["level"] == "WARNING"
    assert "time" in line


def test_request_log_line_masks_the_path_and_names_the_request(client, log_lines):
    response = client.get(f"/citizens/{CCCD}/ho-so?phone={PHONE}", headers={"X-Request-ID": "trace-abc-123"})
    assert response.status_code == 404
    access = [entry for entry in log_lines() if entry["logger"] == "api.access"]
    assert len(access) == 1
    assert access[0]["path"] == "/citizens/066******345/ho-so"
    assert access[0]["status"] == 404
    assert access[0]["method"] == "GET"
    assert access[0]["request_id"] == "trace-abc-123"
    assert CCCD not in log_lines.raw()


def test_request_id_is_on_every_record_written_while_serving(make_app, log_lines):
    app = make_app(LOG_LEVEL="INFO")
    log_lines.capture()  # make_app installed a fresh handler
    extra = Blueprint("logging_view", __name__)

    @extra.get("/test-only/log")
    @allow(PUBLIC)
    def write_a_line():
        logging.getLogger("api.domain").info("working on it")
        return {"ok": True}

    app.register_blueprint(extra)
    app.test_client().get("/test-only/log", headers={"X-Request-ID": "req-for-domain-log"})
    domain = [entry for entry in log_lines() if entry["logger"] == "api.domain"]
    assert domain and domain[0]["request_id"] == "req-for-domain-log"
    # Outside a request the field is there, empty, rather than missing.
    logging.getLogger("api.domain").warning("no request")
    assert log_lines()[-1]["request_id"] is None


def test_tracebacks_in_logs_are_masked(make_app, log_lines):
    app = make_app()
    log_lines.capture()
    extra = Blueprint("leaky_error", __name__)

    @extra.get("/test-only/leak")
    @allow(PUBLIC)
    def leak():
        # Driver errors quote the failing statement's parameters: personal data in the message.
        raise RuntimeError(f"UNIQUE constraint failed [parameters: ('{CCCD}', '{PHONE}')]")

    app.register_blueprint(extra)
    response = app.test_client().get("/test-only/leak")
    assert response.status_code == 500
    (error,) = [entry for entry in log_lines() if entry["message"] == "unhandled error"]
    assert "RuntimeError" in error["exc_info"]  # the traceback is logged...
    assert "066******345" in error["exc_info"]  # ...with the numbers masked
    assert CCCD not in log_lines.raw() and PHONE not in log_lines.raw()
