"""localstripe (the Stripe-compatible test server) as the tests, the benchmark and `make run` run it.

Two changes from its own `localstripe` command, both about sharing one machine:
- it listens on loopback only (its command binds every interface);
- its objects are kept in a file we choose (`--store`), not in /tmp/localstripe.pickle, which
  every instance on the machine would share: the tests, `make run` and the benchmark would
  overwrite each other's cards and payments. Restarted without `--from-scratch`, it reloads the
  file, as a real provider keeps its state across an outage.

And two gaps closed where localstripe differs from Stripe in what the app's card payment needs
(`POST /me/payments` with `method=card_in_app`, then `stripe.confirmCardPayment` in the page):
- its Stripe.js stand-in (`/js.stripe.com/v3/`) ignores the card in `confirmCardPayment`, and
  its server refuses to confirm an intent with a publishable key and card details. The stand-in
  is served with `localstripe_confirm_card.js` appended, and `POST /v1/payment_intents/<id>/confirm`
  with `key=pk_…`, the intent's `client_secret` and `payment_method_data` confirms it with that
  card, as Stripe does for Stripe.js;
- it declines the test cards "declined" in Stripe's list (4000 0000 0000 0002…) only when they
  are attached to a customer; Stripe declines their charges too, and so does this server.

Development and tests only: production talks to the real provider.
"""

from __future__ import annotations

import argparse
import logging
import pickle
import re
import socket
from pathlib import Path

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

STRIPE_JS_PATH = "/js.stripe.com/v3/"
CONFIRM_CARD_JS = Path(__file__).with_name("localstripe_confirm_card.js")
_CONFIRM_PATH = re.compile(r"^/v1/payment_intents/(pi_\w+)/confirm$")
# Where Stripe lets Stripe.js confirm an intent with a card (any attempt before it is paid).
_CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


def _use_store_file(path: Path) -> None:
    def load(store: resources.Store) -> None:
        if path.exists():
            with path.open("rb") as stored:
                store.clear()
                store.update(pickle.load(stored))  # noqa: S301 (our own file, written below)

    def dump(store: resources.Store) -> None:
        partial = path.with_suffix(".tmp")
        with partial.open("wb") as stored:
            pickle.dump(dict(store), stored, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)  # never a half-written file for the next start to read

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump


@web.middleware
async def _stripe_js_confirms_with_the_card(request: web.Request, handler) -> web.StreamResponse:
    """Serve the stand-in with its card-confirming `confirmCardPayment`, and answer that confirm.

    A middleware in front of localstripe's own, because its authentication middleware accepts a
    publishable key only on a fixed list of paths, which the confirm of an intent is not on.
    """
    if request.method == "GET" and request.path == STRIPE_JS_PATH:
        stand_in = await handler(request)
        return web.Response(
            text=stand_in.text + "\n" + CONFIRM_CARD_JS.read_text(encoding="utf-8"),
            content_type="application/javascript",
        )
    match = _CONFIRM_PATH.match(request.path)
    if request.method != "POST" or match is None or "Authorization" in request.headers:
        return await handler(request)  # the API's own confirm, with the secret key
    data = await server.get_post_data(request, remove_auth=False) or {}
    if not str(data.get("key", "")).startswith("pk_"):
        return await handler(request)  # localstripe refuses it (401), as before
    try:
        intent = _confirm_with_card(match[1], data.get("client_secret"), data.get("payment_method_data"))
        return server.json_response(intent._export())
    except UserError as error:
        return error.to_response()
    finally:
        resources.store.dump_to_disk()


def _confirm_with_card(intent_id: str, client_secret, payment_method_data) -> resources.PaymentIntent:
    intent = resources.PaymentIntent._api_retrieve(intent_id)
    if not isinstance(client_secret, str) or client_secret != intent.client_secret:
        raise UserError(401, "Unauthorized")
    if intent.status not in _CONFIRMABLE:
        raise UserError(400, f"This PaymentIntent's status is {intent.status}; it cannot be confirmed.")
    if not isinstance(payment_method_data, dict) or payment_method_data.get("type") != "card":
        raise UserError(400, "Bad request")
    card = resources.PaymentMethod._api_create(**payment_method_data)
    # A new attempt replaces the card of the one before (declined, or failed 3-D Secure).
    intent.payment_method = card.id
    intent.latest_charge = None
    intent.next_action = None
    intent._confirm(on_failure_now=intent._report_failure)  # a decline raises its 402 here
    return intent


def _decline_charges_of_cards_stripe_declines() -> None:
    charging_is_declined = resources.PaymentMethod._charging_is_declined

    def declined(card: resources.PaymentMethod) -> bool:
        return charging_is_declined(card) or card._attaching_is_declined()

    resources.PaymentMethod._charging_is_declined = declined


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--store", type=Path, required=True, help="file keeping its objects")
    parser.add_argument("--from-scratch", action="store_true", help="forget what the file holds")
    args = parser.parse_args()
    args.store.parent.mkdir(parents=True, exist_ok=True)
    _use_store_file(args.store)
    if args.from_scratch:
        args.store.unlink(missing_ok=True)
    server.store.try_load_from_disk()
    _decline_charges_of_cards_stripe_declines()
    server.app.middlewares.insert(0, _stripe_js_confirms_with_the_card)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    access_log = logging.getLogger("aiohttp.access")
    access_log.setLevel(logging.INFO)
    access_log.addHandler(logging.StreamHandler())
    # The API's /ready asks for the balance (wallet.service.readiness), and `make run`'s status
    # process asks /ready every few seconds: those probes are not worth a line each.
    access_log.addFilter(lambda record: "GET /v1/balance " not in record.getMessage())
    web.run_app(server.app, sock=listener, access_log=access_log, print=None)


if __name__ == "__main__":
    main()
