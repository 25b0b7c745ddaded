"""Payments, refunds, receipts, payouts and the payment-provider client (issue: payments)."""
