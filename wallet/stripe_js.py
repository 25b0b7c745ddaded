"""What the app's pages load to take a card with Stripe.js: the script, the key, the CSP sources."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

STRIPE_JS_URL = "https://js.stripe.com/v3/"
LOCALSTRIPE_JS_PATH = "/js.stripe.com/v3/"  # where localstripe serves its stand-in of Stripe.js
# What a page running Stripe's own Stripe.js must let it do (Stripe's documented CSP): load it,
# call the API, and show its frames (card fields, 3-D Secure).
_STRIPE_CSP = {
    "script_src": ["https://js.stripe.com", "https://*.js.stripe.com"],
    "connect_src": ["https://api.stripe.com"],
    "frame_src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
}


def browser_payment_settings() -> dict[str, Any]:
    """What the app needs to take a card with Stripe.js: the script's URL, the publishable key,
    and the sources its Content-Security-Policy must allow (script-src, connect-src, frame-src).

    `PAYMENT_JS_URL` when set; otherwise Stripe's own script for Stripe (production, or
    `PAYMENT_API_URL` at api.stripe.com), and localstripe's stand-in at `PAYMENT_API_URL` +
    `/js.stripe.com/v3/` elsewhere. Resolved per call, so an app pointed at another provider URL
    after start-up (the tests' localstripe) gets that provider's script.
    """
    config = current_app.config
    api_url = config["PAYMENT_API_URL"].rstrip("/")
    js_url = config.get("PAYMENT_JS_URL") or (
        STRIPE_JS_URL
        if config.get("CDS_ENV") == "production" or urlsplit(api_url).hostname == "api.stripe.com"
        else api_url + LOCALSTRIPE_JS_PATH
    )
    origin = _origin(js_url)
    if origin == _origin(STRIPE_JS_URL):
        csp = {directive: list(sources) for directive, sources in _STRIPE_CSP.items()}
    else:  # localstripe's stand-in: its fields are plain inputs, and it calls its own server
        csp = {"script_src": [origin], "connect_src": [origin], "frame_src": [origin]}
    return {"js_url": js_url, "publishable_key": config["PAYMENT_PUBLISHABLE_KEY"], "csp_sources": csp}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
