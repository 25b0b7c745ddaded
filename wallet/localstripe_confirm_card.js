// Appended by wallet/localstripe_server.py to localstripe's Stripe.js stand-in (served at
// <localstripe>/js.stripe.com/v3/), so that the app's card payment runs here as it does with
// Stripe's own https://js.stripe.com/v3/:
//
//   stripe.confirmCardPayment(clientSecret, {payment_method: {card: cardElement}})
//
// confirms the PaymentIntent the API created with the card typed into the element. The
// stand-in's own confirmCardPayment ignores the card: it only answers the 3-D Secure question of
// an intent that already has a card and asks for authentication. Here the card goes first to
// POST /v1/payment_intents/<id>/confirm (the publishable key and the client secret authorise it,
// as with Stripe); when that intent then asks for 3-D Secure, the stand-in's own modal and
// /_authenticate request follow, as Stripe.js shows its challenge.
//
// The stand-in's card field is five plain <input type="text"> without a name a screen reader
// can read (Stripe's own field, in its iframe, has them): they get an aria-label here, so the
// app's page passes its accessibility checks with the stand-in too.
//
// Development and tests only (this file runs in the page, after the stand-in's own code, whose
// top-level `Element` class and `LOCALSTRIPE_BASE_API` it uses).

(function (standInStripe) {
  const FIELD_LABELS = {
    number: "Số thẻ",
    exp_month: "Tháng hết hạn (MM)",
    exp_year: "Năm hết hạn (YY)",
    cvc: "Mã CVC",
    postal_code: "Mã bưu chính",
  };

  function withLabelledFields(elements) {
    const create = elements.create;
    elements.create = function (type, options) {
      const element = create.call(this, type, options);
      const mount = element.mount;
      element.mount = function (target) {
        mount.call(this, target);
        for (const [field, label] of Object.entries(FIELD_LABELS)) {
          if (this._inputs && this._inputs[field]) {
            this._inputs[field].setAttribute("aria-label", label);
          }
        }
      };
      return element;
    };
    return elements;
  }

  async function postJson(url, body) {
    // A plain string body, as the stand-in sends: a "simple" cross-origin request, no preflight.
    const response = await fetch(url, { method: "POST", body: JSON.stringify(body) });
    const answer = await response.json().catch(() => ({}));
    return { ok: response.status === 200 && !answer.error, answer };
  }

  window.Stripe = function (publishableKey) {
    const stripe = standInStripe(publishableKey);
    const authenticateOnly = stripe.confirmCardPayment;
    const elements = stripe.elements;
    stripe.elements = (...args) => withLabelledFields(elements(...args));

    stripe.confirmCardPayment = async (clientSecret, data) => {
      const card = data && data.payment_method && data.payment_method.card;
      if (!(card instanceof Element)) {
        // No card given: the intent already has one and waits for 3-D Secure.
        return authenticateOnly(clientSecret, data);
      }
      if (!card.value || !card.value.card.number) {
        return {
          error: {
            type: "validation_error",
            code: "incomplete_number",
            message: "Your card number is incomplete.",
          },
        };
      }
      try {
        const intentId = clientSecret.match(/^(pi_\w+)_secret_/)[1];
        const billing = Object.assign({}, data.payment_method.billing_details);
        billing.address = Object.assign({ postal_code: card.value.postal_code }, billing.address);
        const { ok, answer } = await postJson(
          `${LOCALSTRIPE_BASE_API}/v1/payment_intents/${intentId}/confirm`,
          {
            key: publishableKey,
            client_secret: clientSecret,
            payment_method_data: { type: "card", card: card.value.card, billing_details: billing },
          },
        );
        if (!ok) {
          return { error: answer.error || { message: "localstripe: confirm failed" } };
        }
        if (answer.status !== "requires_action") {
          return { paymentIntent: answer };
        }
        const authenticated = await authenticateOnly(clientSecret, data);
        const intent = authenticated.paymentIntent;
        if (intent && intent.status === "requires_payment_method" && intent.last_payment_error) {
          // Stripe.js answers a failed 3-D Secure with an error; the stand-in with the intent.
          return { error: { type: "card_error", ...intent.last_payment_error, payment_intent: intent } };
        }
        return authenticated;
      } catch (err) {
        return { error: err };
      }
    };
    return stripe;
  };
})(window.Stripe);
