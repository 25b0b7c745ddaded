"""The provider's webhook signature (Stripe's scheme), checked before anything is read.

`Stripe-Signature: t=1700000000,v1=<hex>[,v1=<hex>…]`: v1 is HMAC-SHA256, keyed with the
endpoint's secret, of "<t>.<raw body>". A signature is accepted when one v1 matches and t is
within the tolerance (5 minutes) of our clock, so a captured request cannot be replayed later;
a replay within the window is caught by the event id (wallet.service.handle_webhook).
Several v1 values arrive while the provider rolls the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from api.errors import ApiError

HEADER = "Stripe-Signature"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header the provider would send for `body` (used by tests and the benchmark)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _invalid(code: str, detail: str) -> ApiError:
    return ApiError(400, code, detail)


def verified_event(body: bytes, header: str | None, secret: str, tolerance_seconds: int) -> dict[str, Any]:
    """The event in `body` if `header` signs it with `secret` recently enough; 400 otherwise."""
    if not header:
        raise _invalid("webhook_signature_missing", "Thiếu chữ ký Stripe-Signature.")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise _invalid("webhook_signature_invalid", "Chữ ký Stripe-Signature không đúng định dạng.")
    expected = _mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise _invalid("webhook_signature_invalid", "Chữ ký webhook không hợp lệ.")
    if abs(time.time() - timestamp) > tolerance_seconds:
        raise _invalid("webhook_signature_expired", "Chữ ký webhook đã quá hạn (lệch quá 5 phút).")
    try:
        event = json.loads(body)
    except ValueError:
        raise _invalid("webhook_payload_invalid", "Nội dung webhook không phải JSON hợp lệ.") from None
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and isinstance((event.get("data") or {}).get("object"), dict)
    ):
        raise _invalid("webhook_payload_invalid", "Sự kiện webhook thiếu id, type hoặc data.object.")
    return event
