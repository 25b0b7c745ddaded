"""The citizen's e-payment account (digital-citizen asset, M23): link, unlink, show.

Importing this module installs the wallet's provider of the "e_payment_account" asset in the
citizens domain (the module-level `register_asset_provider` call below).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.unit_of_work import checkpoint
from api.workdays import VIETNAM
from wallet.models import DECLINE_MESSAGES, PaymentAccount
from wallet.payments import provider, provider_unavailable
from wallet.provider import ProviderRejected, ProviderUnavailable

if TYPE_CHECKING:
    from api.citizens.models import Citizen

# ---- the e-payment account (digital-citizen asset, M23) -------------------------------------------


def account_of(citizen_id: uuid.UUID) -> PaymentAccount | None:
    account = db.session.get(PaymentAccount, citizen_id)
    return account if account is not None and account.payment_method else None


def link_account(citizen: Citizen, payment_method: str) -> PaymentAccount:
    """Make `payment_method` the citizen's e-payment account: a provider customer, the method attached."""
    client = provider()
    account = db.session.get(PaymentAccount, citizen.id)
    try:
        method = client.retrieve_payment_method(payment_method)
        if account is None:
            customer = client.create_customer(
                name=citizen.full_name,
                metadata={"citizen_id": str(citizen.id)},
                idempotency_key=f"cds-customer-{citizen.id}",
            )
            account = PaymentAccount(citizen_id=citizen.id, provider_customer_id=customer["id"])
            db.session.add(account)
            # One customer per citizen, even if the attach below is refused (422): recorded now.
            checkpoint("the provider's new customer is recorded although the attach may be refused")
        client.attach_payment_method(
            payment_method,
            account.provider_customer_id,
            idempotency_key=f"cds-attach-{citizen.id}-{payment_method}",
        )
    except ProviderUnavailable:
        raise provider_unavailable() from None
    except ProviderRejected as exc:
        raise ApiError(
            422,
            "payment_method_rejected",
            DECLINE_MESSAGES.get(exc.code or "", "Không liên kết được phương thức thanh toán này."),
            errors={"payment_method": ["Không hợp lệ hoặc bị từ chối."]},
        ) from None
    card = method.get("card") or {}
    account.payment_method = payment_method
    account.brand = card.get("brand")
    account.last4 = card.get("last4")
    account.linked_at = utcnow()
    record_event(
        "payment_account.linked",
        aggregate_type="citizen",
        aggregate_id=citizen.id,
        payload={"brand": account.brand, "last4": account.last4},
        recipient=citizen.id,
    )
    return account


def account_not_linked() -> ApiError:
    return ApiError(404, "payment_account_not_linked", "Bạn chưa liên kết tài khoản thanh toán điện tử.")


def unlink_account(citizen: Citizen) -> None:
    account = db.session.get(PaymentAccount, citizen.id)
    if account is None or not account.payment_method:
        raise account_not_linked()
    # The provider customer stays: past payments refer to it; only the link is removed.
    account.payment_method = account.brand = account.last4 = None
    account.linked_at = None
    record_event(
        "payment_account.unlinked",
        aggregate_type="citizen",
        aggregate_id=citizen.id,
        payload={},
        recipient=citizen.id,
    )


def e_payment_account_asset(citizen: Citizen) -> citizens.DigitalAsset:
    """The profile's e-payment account (Đề án 06, model 23): the card linked here, or the
    citizens domain's own "missing" answer. Installed by api/wiring.py."""
    account = account_of(citizen.id)
    if account is None:
        return citizens.builtin_asset("e_payment_account", citizen)
    linked = account.linked_at.astimezone(VIETNAM).strftime("%d/%m/%Y")
    return citizens.DigitalAsset(
        key="e_payment_account",
        name="Tài khoản thanh toán điện tử",
        status=citizens.PRESENT,
        detail=f"{(account.brand or 'Thẻ').upper()} •••• {account.last4 or '????'}, liên kết ngày {linked}.",
        link="/me/payment-account",
    )
