"""Request ids and structured JSON logs, with personal numbers masked.

Every request gets an id (the caller's `X-Request-ID` when it is sane, a new one otherwise),
echoed in the response and in every log line written while serving it. Logs are JSON, one
object a line. CCCD numbers and phone numbers are masked in every message and field before
a line is written, whoever logged it: the masking is a logging filter on the root handler,
not a courtesy each caller must remember.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# A CCCD is 12 digits; Vietnamese phone numbers are 0 + 9 digits or +84 / 84 + 9 digits.
# Lookarounds keep longer digit runs (card numbers, timestamps) from being half-masked.
_CCCD = re.compile(r"(?<!\d)(\d{3})\d{6}(\d{3})(?!\d)")
# People write phone numbers in groups ("0912 345 678", "0912.345.678"): the nine digits after
# the prefix may be split by single spaces or dots. Hyphens are not allowed, or UUIDs would match.
_PHONE = re.compile(r"(?<![\d+])(\+?84|0)((?:[ .]?\d){9})(?!\d)")


def _mask_phone(match: re.Match) -> str:
    prefix, body = match.group(1), match.group(2)
    digit_positions = [i for i, ch in enumerate(body) if ch.isdigit()]
    hidden = set(digit_positions[2:6])  # keep 2 digits after the prefix and the last 3
    return prefix + "".join("*" if i in hidden else ch for i, ch in enumerate(body))


def mask_personal_numbers(text: str) -> str:
    """Keep the first and last digits that help support staff, hide the rest."""
    text = _CCCD.sub(r"\1******\2", text)
    return _PHONE.sub(_mask_phone, text)


def _mask(value):
    if isinstance(value, str):
        return mask_personal_numbers(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


class PersonalDataFilter(logging.Filter):
    """Masks CCCD and phone numbers in the message, its arguments and extra fields."""

    _STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_numbers(str(record.msg))
        if record.args:
            record.args = (
                tuple(_mask(a) for a in record.args) if isinstance(record.args, tuple) else _mask(record.args)
            )
        for key, value in list(record.__dict__.items()):
            if key not in self._STANDARD:
                setattr(record, key, _mask(value))
        return True


class RequestContextFilter(logging.Filter):
    """Adds the current request id to every record written while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id")
        except RuntimeError:  # outside a request or app context
            record.request_id = None
        return True


class _MaskedTracebacks:
    """Masks tracebacks and stacks as the formatter renders them.

    The filter above cannot reach them: they are rendered from `exc_info` only when the line is
    formatted, and exception messages quote personal data (driver errors carry the failing
    statement's parameters). Masking here keeps the record itself intact for other handlers.
    """

    def formatException(self, ei):
        return _mask(super().formatException(ei))

    def formatStack(self, stack_info):
        return _mask(super().formatStack(stack_info))


class MaskingJsonFormatter(_MaskedTracebacks, JsonFormatter):
    pass


class MaskingFormatter(_MaskedTracebacks, logging.Formatter):
    pass


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(
            MaskingJsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            MaskingFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    handler.addFilter(RequestContextFilter())
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    # Replace handlers we installed before (tests create many apps), keep foreign ones.
    for old in [h for h in root.handlers if getattr(h, "_congdanso", False)]:
        root.removeHandler(old)
    handler._congdanso = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


access_log = logging.getLogger("api.access")


# A request id is how a support agent finds a citizen's request in the logs, so it must read
# the same there as in the response. Log lines are masked, so an id the masking would alter is
# not used: nearly 2 in 100 random hex ids hold a digit run that looks like a CCCD or a phone.
def _usable_request_id(candidate: str) -> bool:
    return bool(_SANE_REQUEST_ID.match(candidate)) and mask_personal_numbers(candidate) == candidate


def _new_request_id() -> str:
    while True:
        candidate = uuid.uuid4().hex
        if mask_personal_numbers(candidate) == candidate:
            return candidate


def init_request_tracing(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _usable_request_id(incoming) else _new_request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def echo_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("request_started", 0)) * 1000, 1),
                },
            )
        return response
