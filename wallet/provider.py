"""The payment provider's API (Stripe-compatible), over httpx: the wallet's one door to the money.

The same code talks to localstripe (`make run`, the tests), Stripe's test mode or stripe-mock:
base URL and secret key come from the settings. Requests are form-encoded with Stripe's nested
keys (`metadata[fine_id]=...`) and authenticated with the secret key.

Faults are typed, so callers decide without reading HTTP:
- `ProviderUnavailable`: the provider could not be reached, timed out or answered 5xx/429, even
  after retries with exponential backoff. The money's state is unknown: callers keep the
  payment pending and let reconciliation settle it.
- `ProviderRejected` (and `ProviderNotFound`, `ProviderAuthError`): the provider understood and
  said no; retrying the same request cannot help.

Every POST carries an `Idempotency-Key` (the caller's, or one made per call), sent unchanged on
every retry: a request that reached the provider before the connection broke is not repeated
by a provider that honours the header (Stripe does).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class ProviderError(Exception):
    """Base of the payment provider's errors."""


class ProviderUnavailable(ProviderError):
    """No answer, or only failures, after every attempt: the outcome of a POST is unknown."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(f"{message} (after {attempts} attempts)")
        self.attempts = attempts


class ProviderRejected(ProviderError):
    """The provider refused the request (4xx): wrong amount, wrong state, unknown object…"""

    def __init__(self, status: int, error_type: str | None, code: str | None, message: str | None) -> None:
        super().__init__(f"{status} {error_type or ''} {code or ''}: {message or ''}".strip())
        self.status = status
        self.error_type = error_type
        self.code = code
        self.message = message


class ProviderNotFound(ProviderRejected):
    """404: no such payment, refund, customer or event at the provider."""


class ProviderAuthError(ProviderRejected):
    """401/403: the secret key is wrong or lacks permission; a configuration fault."""


@dataclass(frozen=True)
class ProviderSettings:
    base_url: str
    secret_key: str
    timeout_seconds: float = 10.0
    max_attempts: int = 3
    backoff_seconds: float = 0.2  # doubled after each failed attempt

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ProviderSettings:
        return cls(
            base_url=config["PAYMENT_API_URL"].rstrip("/"),
            secret_key=config["PAYMENT_SECRET_KEY"],
            timeout_seconds=config["PAYMENT_TIMEOUT_SECONDS"],
            max_attempts=config["PAYMENT_MAX_ATTEMPTS"],
        )


def form_encode(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: nested mappings and lists as `a[b]=...`, `a[0]=...`, booleans in
    lower case; None values are left out."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            pairs += form_encode(value, name)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    pairs += form_encode(item, f"{name}[{index}]")
                else:
                    pairs.append((f"{name}[{index}]", _scalar(item)))
        else:
            pairs.append((name, _scalar(value)))
    return pairs


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class PaymentProvider:
    """A client of one provider account. Thread-safe: one httpx.Client shared by the workers."""

    def __init__(self, settings: ProviderSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self._http = httpx.Client(
            base_url=f"{settings.base_url}/v1",
            auth=(settings.secret_key, ""),
            timeout=settings.timeout_seconds,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    # ---- the resources the wallet uses ----------------------------------------------------------

    def create_payment_intent(
        self,
        amount_vnd: int,
        *,
        customer: str | None = None,
        payment_method: str | None = None,
        payment_method_types: list[str] | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """A payment of `amount_vnd` đồng (VND has no minor unit: the amount is whole đồng).

        Without `payment_method` it waits for one: Stripe.js confirms it in the app with the card
        typed there (`payment_method_types=["card"]`) and its client secret.
        """
        if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
            raise ValueError(f"amount must be a positive whole number of đồng, got {amount_vnd!r}")
        params = {
            "amount": amount_vnd,
            "currency": "vnd",
            "customer": customer,
            "payment_method": payment_method,
            "payment_method_types": payment_method_types,
            "metadata": dict(metadata or {}),
        }
        return self._post("/payment_intents", params, idempotency_key)

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        return self._request("GET", f"/payment_intents/{payment_intent_id}")

    def confirm_payment_intent(
        self, payment_intent_id: str, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self._post(f"/payment_intents/{payment_intent_id}/confirm", {}, idempotency_key)

    def cancel_payment_intent(
        self, payment_intent_id: str, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self._post(f"/payment_intents/{payment_intent_id}/cancel", {}, idempotency_key)

    def create_refund(
        self, payment_intent_id: str, amount_vnd: int, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        if not isinstance(amount_vnd, int) or isinstance(amount_vnd, bool) or amount_vnd <= 0:
            raise ValueError(f"refund must be a positive whole number of đồng, got {amount_vnd!r}")
        return self._post(
            "/refunds", {"payment_intent": payment_intent_id, "amount": amount_vnd}, idempotency_key
        )

    def create_customer(
        self, *, name: str, metadata: Mapping[str, str] | None = None, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self._post("/customers", {"name": name, "metadata": dict(metadata or {})}, idempotency_key)

    def attach_payment_method(
        self, payment_method_id: str, customer_id: str, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self._post(
            f"/payment_methods/{payment_method_id}/attach", {"customer": customer_id}, idempotency_key
        )

    def retrieve_payment_method(self, payment_method_id: str) -> dict[str, Any]:
        return self._request("GET", f"/payment_methods/{payment_method_id}")

    def retrieve_event(self, event_id: str) -> dict[str, Any]:
        return self._request("GET", f"/events/{event_id}")

    # ---- transport: retries, backoff, typed errors ----------------------------------------------

    def _post(self, path: str, params: Mapping[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        # One key for every attempt of this call: a retry is the same request, not a new payment.
        key = idempotency_key or f"cds-{uuid.uuid4()}"
        return self._request("POST", path, data=dict(form_encode(params)), headers={"Idempotency-Key": key})

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        attempts = self.settings.max_attempts
        delay = self.settings.backoff_seconds
        last_problem = "no attempt made"
        for attempt in range(1, attempts + 1):
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                last_problem = f"{method} {path}: {type(exc).__name__}"
            else:
                if response.status_code not in RETRYABLE_STATUSES:
                    return _checked(response)
                last_problem = f"{method} {path}: HTTP {response.status_code}"
            log.warning("payment provider attempt %d/%d failed: %s", attempt, attempts, last_problem)
            if attempt < attempts:
                time.sleep(delay)
                delay *= 2
        raise ProviderUnavailable(last_problem, attempts)


def _checked(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        if response.is_success:
            raise ProviderUnavailable(f"{response.request.url.path}: answer is not JSON", 1) from exc
        body = {}
    if response.is_success:
        return body
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    kind = {401: ProviderAuthError, 403: ProviderAuthError, 404: ProviderNotFound}.get(
        response.status_code, ProviderRejected
    )
    raise kind(response.status_code, error.get("type"), error.get("code"), error.get("message"))
