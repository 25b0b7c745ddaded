"""What a citizen can pay for: the domains that owe money register here; the wallet collects it.

The wallet knows nothing of fines or dossiers (imports flow from the domains to the wallet,
never back). A domain registers a *payable kind* under a purpose name:

    register_payable("fine", resolve=fine_payable, on_succeeded=mark_fine_paid)

- `resolve(citizen_id, reference)` answers "may this citizen pay this now, and how much?" with a
  `Payable`, or raises `ApiError` (404 not theirs or unknown, 409 already paid or cancelled).
  The wallet calls it before charging, so the amount always comes from the domain, never from
  the client.
- `on_succeeded(reference, payment_id)` is called inside the transaction that records the
  payment as succeeded, exactly once per payment, and must not commit: the fine becomes paid, or
  the dossier moves on, together with the money or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from api.errors import ApiError


@dataclass(frozen=True)
class Payable:
    purpose: str  # the registered kind: "fine", "dossier_fee"
    reference: str  # the domain's id of what is paid: a fine's id, a dossier's code
    citizen_id: uuid.UUID  # who owes it
    amount_vnd: int  # whole đồng, > 0
    description: str  # Vietnamese, printed on the receipt


Resolver = Callable[[uuid.UUID, str], Payable]
SuccessHook = Callable[[str, uuid.UUID], None]


@dataclass(frozen=True)
class PayableKind:
    purpose: str
    label: str  # what the receipt calls this kind of payment
    resolve: Resolver
    on_succeeded: SuccessHook


_kinds: dict[str, PayableKind] = {}


def register_payable(purpose: str, *, label: str, resolve: Resolver, on_succeeded: SuccessHook) -> None:
    """Install (or replace) the kind of payable named `purpose`."""
    _kinds[purpose] = PayableKind(purpose, label, resolve, on_succeeded)


def payable_kind(purpose: str) -> PayableKind:
    kind = _kinds.get(purpose)
    if kind is None:
        raise ApiError(
            422,
            "unknown_payment_purpose",
            "Loại khoản thanh toán không hợp lệ.",
            errors={"purpose": [f"Chọn một trong: {', '.join(sorted(_kinds))}."]},
        )
    return kind


def purposes() -> tuple[str, ...]:
    return tuple(sorted(_kinds))
