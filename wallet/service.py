"""The wallet's rules, as the rest of the system calls them: one place to import them from.

Routes, other domains (dossiers and fines ask for payments, benefits pays out), the scheduler's
jobs ("wallet.service:reconcile", "wallet.service:expire_stale") and tests call
`wallet.service.<name>`; the rules themselves live by responsibility:

- payments.py: paying (never twice, never into limbo), applying the provider's answer, reading;
- stripe_js.py: what the app's pages load to take a card with Stripe.js;
- reconciliation.py: the provider's webhooks, reconciliation and expiry (scheduler jobs);
- refunds.py: refunds and receipts;
- accounts.py: the citizen's e-payment account (the profile's "e_payment_account" asset);
- payouts.py: social benefits paid to the citizen's linked account.
"""

from __future__ import annotations

from wallet.accounts import (
    account_not_linked,
    account_of,
    e_payment_account_asset,
    link_account,
    unlink_account,
)
from wallet.payments import (
    CARD_IN_APP,
    DRIVE_LEASE,
    PAY_WITH_PAYMENT_METHOD,
    PAYMENT_MODES,
    PAYMENT_TTL,
    UPDATE_ATTEMPTS,
    citizen_payment,
    citizen_payments,
    declined,
    pay,
    payment_in_progress,
    payment_not_found,
    provider,
    provider_unavailable,
    readiness,
    refresh_payment,
    request_payment,
    staff_payment,
    status_of_intent,
)
from wallet.payouts import citizen_payouts, payout_by_id, record_payout, settle_payout
from wallet.reconciliation import RECONCILE_AFTER, ReconcileReport, expire_stale, handle_webhook, reconcile
from wallet.refunds import receipt_of, refund
from wallet.stripe_js import LOCALSTRIPE_JS_PATH, STRIPE_JS_URL, browser_payment_settings

__all__ = [
    "CARD_IN_APP",
    "DRIVE_LEASE",
    "LOCALSTRIPE_JS_PATH",
    "PAYMENT_MODES",
    "PAYMENT_TTL",
    "PAY_WITH_PAYMENT_METHOD",
    "RECONCILE_AFTER",
    "STRIPE_JS_URL",
    "UPDATE_ATTEMPTS",
    "ReconcileReport",
    "account_not_linked",
    "account_of",
    "browser_payment_settings",
    "citizen_payment",
    "citizen_payments",
    "citizen_payouts",
    "declined",
    "e_payment_account_asset",
    "expire_stale",
    "handle_webhook",
    "link_account",
    "pay",
    "payment_in_progress",
    "payment_not_found",
    "payout_by_id",
    "provider",
    "provider_unavailable",
    "readiness",
    "receipt_of",
    "reconcile",
    "record_payout",
    "refresh_payment",
    "refund",
    "request_payment",
    "settle_payout",
    "staff_payment",
    "status_of_intent",
    "unlink_account",
]
