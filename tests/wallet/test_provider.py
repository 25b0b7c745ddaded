"""The payment provider client against a real localstripe process."""

from __future__ import annotations

import pytest

from tests.conftest import free_port
from tests.wallet.conftest import SECRET_KEY
from wallet.provider import (
    PaymentProvider,
    ProviderAuthError,
    ProviderNotFound,
    ProviderRejected,
    ProviderSettings,
    ProviderUnavailable,
    form_encode,
)


def test_a_card_payment_succeeds_and_is_partly_refunded(provider, card):
    created = provider.create_payment_intent(
        150_000, payment_method=card, metadata={"fine_id": "F-0001"}, idempotency_key="fine-F-0001-1"
    )
    assert (created["amount"], created["currency"], created["status"]) == (
        150_000,
        "vnd",
        "requires_confirmation",
    )
    assert created["metadata"] == {"fine_id": "F-0001"}

    confirmed = provider.confirm_payment_intent(created["id"])
    assert confirmed["status"] == "succeeded"
    assert provider.retrieve_payment_intent(created["id"])["status"] == "succeeded"

    refund = provider.create_refund(created["id"], 50_000)
    assert (refund["amount"], refund["status"]) == (50_000, "succeeded")


def test_a_payment_without_a_card_waits_and_can_be_cancelled(provider):
    created = provider.create_payment_intent(20_000)
    assert created["status"] == "requires_payment_method"
    assert provider.cancel_payment_intent(created["id"])["status"] == "canceled"


def test_refunding_a_payment_that_never_succeeded_is_rejected(provider):
    created = provider.create_payment_intent(20_000)
    with pytest.raises(ProviderRejected) as rejected:
        provider.create_refund(created["id"], 20_000)
    assert rejected.value.status == 400 and not isinstance(rejected.value, ProviderUnavailable)


@pytest.mark.parametrize("amount", [0, -5, 10.5, "150000", True])
def test_amounts_that_are_not_whole_positive_dong_never_leave(provider, amount):
    with pytest.raises(ValueError):
        provider.create_payment_intent(amount)
    with pytest.raises(ValueError):
        provider.create_refund("pi_anything", amount)


def test_unknown_objects_are_not_found(provider):
    with pytest.raises(ProviderNotFound):
        provider.retrieve_payment_intent("pi_does_not_exist")


def test_a_wrong_key_is_a_configuration_fault(localstripe):
    client = PaymentProvider(ProviderSettings(base_url=localstripe.url, secret_key=""))
    with pytest.raises(ProviderAuthError) as refused:
        client.create_customer(name="Nguyễn Văn An")
    assert refused.value.status == 401


def test_a_customer_for_the_citizens_e_payment_account(provider):
    customer = provider.create_customer(name="Nguyễn Thị Hoa", metadata={"citizen_id": "c-1"})
    assert customer["id"].startswith("cus_")
    assert customer["name"] == "Nguyễn Thị Hoa" and customer["metadata"] == {"citizen_id": "c-1"}


def test_nobody_listening_is_unavailable_after_every_attempt():
    client = PaymentProvider(
        ProviderSettings(
            base_url=f"http://127.0.0.1:{free_port()}", secret_key=SECRET_KEY, backoff_seconds=0.01
        )
    )
    with pytest.raises(ProviderUnavailable) as down:
        client.create_payment_intent(10_000)
    assert down.value.attempts == 3
    assert "ConnectError" in str(down.value)


def test_the_provider_coming_back_is_used_again(localstripe, provider):
    """localstripe is stopped and started again on the same port: the same client recovers.
    (localstripe keeps nothing on disk: objects created before the restart are gone.)"""
    localstripe.stop()
    try:
        with pytest.raises(ProviderUnavailable):
            provider.create_payment_intent(10_000)
    finally:
        localstripe.start()
    assert provider.create_payment_intent(10_000)["status"] == "requires_payment_method"


def test_stripe_form_encoding():
    assert form_encode(
        {"amount": 5, "confirm": True, "customer": None, "metadata": {"fine_id": "F1"}, "types": ["card"]}
    ) == [("amount", "5"), ("confirm", "true"), ("metadata[fine_id]", "F1"), ("types[0]", "card")]


def test_the_provider_is_configured_from_the_apps_settings(make_app):
    configured = make_app(
        PAYMENT_API_URL="https://api.stripe.example/",
        PAYMENT_SECRET_KEY="sk_test_configured",
        PAYMENT_TIMEOUT_SECONDS=4.5,
        PAYMENT_MAX_ATTEMPTS=5,
    )
    settings = ProviderSettings.from_config(configured.config)
    assert (settings.base_url, settings.secret_key) == ("https://api.stripe.example", "sk_test_configured")
    assert (settings.timeout_seconds, settings.max_attempts) == (4.5, 5)
