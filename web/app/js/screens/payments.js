// Paying by card in the app, and my payments with their receipts.
//
// The checkout (/app/pay?purpose=&reference=&amount=&back=) serves every kind of payable: fines
// (fines.js) and dossier fees (dossiers.js). The card is typed into Stripe.js's card field, so the
// card number goes from the phone to the payment provider and never through our API:
//   1. POST /me/payments {method: "card_in_app"} (one Idempotency-Key per press of "Thanh toán")
//      → the payment in `requires_action` with its intent's client secret;
//   2. stripe.confirmCardPayment(client_secret, {payment_method: {card}}) charges the card;
//   3. POST /me/payments/<id>/refresh → the API asks the provider and records the outcome (the
//      fine paid, the receipt) as the provider's webhook would.

import * as api from "../../../shared/api.js";
import { h, busy, card, chip, errorBox, facts, formatDateTime, formatMoney, linkRow, toast } from "../../../shared/ui.js";
import { pagedList } from "../widgets.js";

const PURPOSE_NAMES = { fine: "Nộp phạt vi phạm giao thông", dossier_fee: "Phí, lệ phí hồ sơ thủ tục hành chính" };
const STATUS_TONES = { succeeded: "ok", failed: "bad", canceled: "info", expired: "info" };
const PAGE_SIZE = 20;

/** Where a payment's "what was paid" lives in the app. */
function payableHref(purpose, reference) {
  if (purpose === "fine") return { href: `/app/fines/${encodeURIComponent(reference)}`, label: "Xem quyết định xử phạt" };
  if (purpose === "dossier_fee") return { href: `/app/dossiers/${encodeURIComponent(reference)}`, label: "Xem hồ sơ" };
  return null;
}

/** Only a path inside the app: `back` comes from a link anyone could have written. */
function safeBack(value) {
  return value && value.startsWith("/app/") && !value.startsWith("/app//") ? value : null;
}

function checkoutHref(payment, back) {
  return `/app/pay${api.query({ purpose: payment.purpose, reference: payment.reference, amount: payment.amount_vnd, back })}`;
}

// ---- Stripe.js -----------------------------------------------------------------------------------

let stripeScript = null;

/** Stripe.js from the provider (localstripe's stand-in in development), loaded on first use. */
function loadStripeJs(url) {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  stripeScript ||= new Promise((resolve, reject) => {
    const script = h("script", { src: url, async: true });
    script.addEventListener("load", () => (window.Stripe ? resolve(window.Stripe) : reject(new Error("no Stripe"))));
    script.addEventListener("error", () => {
      script.remove();
      reject(new Error("script failed"));
    });
    document.head.append(script);
  }).catch(() => {
    stripeScript = null; // the next checkout tries again
    throw new api.ApiError(0, {
      code: "payment_script_unavailable",
      detail: "Không tải được cổng thanh toán thẻ. Hãy kiểm tra kết nối mạng rồi thử lại.",
    });
  });
  return stripeScript;
}

// Stripe.js checks the card before sending it; its codes in the citizen's words.
const CARD_FORM_ERRORS = {
  incomplete_number: "Số thẻ chưa đủ chữ số.",
  invalid_number: "Số thẻ không đúng.",
  incomplete_expiry: "Ngày hết hạn của thẻ chưa đủ.",
  invalid_expiry_month: "Tháng hết hạn không đúng.",
  invalid_expiry_year: "Năm hết hạn không đúng.",
  invalid_expiry_month_past: "Thẻ đã hết hạn.",
  invalid_expiry_year_past: "Thẻ đã hết hạn.",
  incomplete_cvc: "Mã bảo mật CVC chưa đủ.",
  invalid_cvc: "Mã bảo mật CVC không đúng.",
  incomplete_zip: "Mã bưu chính chưa đủ.",
};

function cardFormMessage(error) {
  return CARD_FORM_ERRORS[error.code] || error.message || "Thông tin thẻ chưa đúng. Hãy kiểm tra lại.";
}

// ---- what is being paid ----------------------------------------------------------------------------

/**
 * The payable as its own domain describes it: {title, facts, amount, paid, paidHref, blocked}.
 * The amount shown is the API's, never only the link's: the API refuses any other anyway.
 */
async function describePayable(purpose, reference, amount, signal) {
  if (purpose === "fine") {
    const fine = await api.get(`/me/fines/${encodeURIComponent(reference)}`, { signal, remember: false });
    return {
      title: fine.violation?.description || "Nộp phạt vi phạm giao thông",
      facts: [
        ["Khoản", PURPOSE_NAMES.fine],
        ["Biển số", fine.plate],
        ["Quyết định số", fine.notice_number],
      ],
      amount: fine.amount_vnd,
      paid: fine.status === "paid",
      paidHref: fine.payment_id ? `/app/payments/${fine.payment_id}` : null,
      blocked: fine.status === "cancelled"
        ? "Quyết định này đã bị huỷ, bạn không phải nộp khoản phạt này."
        : fine.can_confirm
          ? "Hãy xác nhận hành vi vi phạm trước khi nộp phạt."
          : null,
    };
  }
  if (purpose === "dossier_fee") {
    const dossier = await api.get(`/me/dossiers/${encodeURIComponent(reference)}`, { signal, remember: false });
    return {
      title: dossier.procedure_name,
      facts: [
        ["Khoản", PURPOSE_NAMES.dossier_fee],
        ["Mã hồ sơ", dossier.code],
      ],
      amount: dossier.fee_vnd ?? amount,
      paid: dossier.payment_status === 1,
      paidHref: null,
      blocked: dossier.status !== 6 && dossier.payment_status !== 1 ? "Hồ sơ này hiện không có khoản phí nào phải nộp." : null,
    };
  }
  return { title: "Khoản thanh toán", facts: [["Mã khoản", reference]], amount, paid: false, paidHref: null, blocked: null };
}

// ---- the checkout ------------------------------------------------------------------------------------

async function checkout(ctx) {
  const purpose = ctx.query.get("purpose") || "";
  const reference = ctx.query.get("reference") || "";
  const linkAmount = Number.parseInt(ctx.query.get("amount") || "", 10);
  const back = safeBack(ctx.query.get("back"));
  const related = payableHref(purpose, reference);
  const leave = h("a", { class: "button secondary", href: back || related?.href || "/app/payments" }, "Để sau");
  if (!purpose || !reference) {
    return [errorBox(new Error("Liên kết thanh toán thiếu thông tin khoản cần nộp. Hãy mở lại từ trang của khoản đó.")), leave];
  }

  const payable = await describePayable(purpose, reference, Number.isFinite(linkAmount) ? linkAmount : null, ctx.signal);
  const summary = card(
    h("h2", {}, payable.title),
    facts([...payable.facts, ["Số tiền", h("strong", { class: "pay-amount" }, formatMoney(payable.amount))]]),
  );
  if (payable.paid) {
    return [
      summary,
      card(
        h("p", {}, chip("Đã thanh toán", "ok"), " Khoản này đã được thanh toán, bạn không phải nộp lại."),
        payable.paidHref ? h("a", { class: "button", href: payable.paidHref }, "Xem biên lai") : null,
        related ? h("a", { class: "button secondary", href: related.href }, related.label) : null,
      ),
    ];
  }
  if (payable.blocked || !payable.amount) {
    return [summary, errorBox(new Error(payable.blocked || "Khoản này chưa có số tiền phải nộp.")), related ? h("a", { class: "button", href: related.href }, related.label) : leave];
  }

  const settings = window.cdsConfig?.payments;
  if (!settings?.js_url || !settings?.publishable_key) {
    return [summary, errorBox(new Error("Ứng dụng chưa được cấu hình để thanh toán bằng thẻ. Vui lòng thử lại sau.")), leave];
  }
  const Stripe = await loadStripeJs(settings.js_url);
  if (ctx.signal.aborted) return [];
  const stripe = Stripe(settings.publishable_key, { locale: "vi" });
  const cardField = stripe.elements({ locale: "vi" }).create("card", { hidePostalCode: true });
  ctx.onLeave(() => cardField.destroy());

  const slot = h("div", { class: "card-slot", role: "group", "aria-labelledby": "card-label", "aria-describedby": "card-hint" });
  // Stripe.js sizes its frame from the page: mount once the router has put the screen in place.
  const mountWhenShown = () => {
    if (ctx.signal.aborted) return;
    if (slot.isConnected) cardField.mount(slot);
    else requestAnimationFrame(mountWhenShown);
  };
  requestAnimationFrame(mountWhenShown);

  const button = h("button", { type: "submit", class: "button block" }, `Thanh toán ${formatMoney(payable.amount)}`);
  const alert = h("div", { class: "form-alert", tabindex: "-1" });
  const form = h(
    "form",
    { class: "card checkout", novalidate: true },
    h("h2", { id: "card-label" }, "Thẻ ngân hàng"),
    slot,
    h("p", { class: "hint", id: "card-hint" }, "Thẻ Visa, Mastercard hoặc JCB. Số thẻ được gửi thẳng tới cổng thanh toán; Công dân số không lưu số thẻ của bạn."),
    alert,
    button,
    leave,
  );

  // The payment of this checkout, once the API has made it, and the key of a press whose answer
  // never came: pressing again resends that key, so the API answers the same attempt.
  let payment = null;
  let unansweredKey = null;

  const fail = (message) => {
    alert.replaceChildren(errorBox(message instanceof Error ? message : new Error(message)));
    alert.focus();
  };

  async function startPayment() {
    const key = unansweredKey || api.idempotencyKey();
    unansweredKey = key;
    try {
      const started = await api.post(
        "/me/payments",
        { purpose, reference, amount_vnd: payable.amount, method: "card_in_app" },
        { headers: { "Idempotency-Key": key } },
      );
      unansweredKey = null;
      return started;
    } catch (error) {
      // An answer (declined, already paid…) ends this press; no answer (offline, provider
      // down) leaves it open, to be retried with the same key.
      if (error.status && error.status < 500) unansweredKey = null;
      throw error;
    }
  }

  async function pay() {
    alert.replaceChildren();
    try {
      if (!payment || payment.status !== "requires_action") payment = await startPayment();
      let result = {};
      if (payment.status === "requires_action") {
        result = await stripe.confirmCardPayment(payment.client_secret, { payment_method: { card: cardField } });
        if (result.error && result.error.type === "validation_error") {
          fail(cardFormMessage(result.error)); // nothing was sent; the same payment waits for the card
          return;
        }
        payment = await api.post(`/me/payments/${payment.id}/refresh`);
      }
      if (payment.status === "succeeded") {
        toast("Thanh toán thành công. Biên lai điện tử đã được lập.");
        ctx.navigate(`/app/payments/${payment.id}`, { replace: true });
      } else if (payment.status === "failed") {
        const reason = payment.failure_reason || "Giao dịch không thành công.";
        payment = null; // the next press is a new payment, with another card if the citizen wants
        fail(`${reason} Số tiền chưa bị trừ. Bạn có thể thử lại hoặc dùng thẻ khác.`);
      } else if (payment.status === "requires_action") {
        fail(result.error ? cardFormMessage(result.error) : "Thẻ chưa được xác nhận. Hãy kiểm tra thông tin thẻ rồi bấm Thanh toán lại.");
      } else {
        alert.replaceChildren(
          h("p", {}, "Ngân hàng đang xử lý giao dịch. Kết quả sẽ được cập nhật trong mục Thanh toán và biên lai."),
          h("a", { class: "button secondary", href: `/app/payments/${payment.id}` }, "Xem trạng thái thanh toán"),
        );
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      if (error.code === "already_paid" && error.problem?.payment_id) {
        ctx.navigate(`/app/payments/${error.problem.payment_id}`, { replace: true });
        return;
      }
      if (error.code === "payment_declined") payment = null;
      fail(error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!button.disabled) busy(button, "Đang thanh toán…", pay);
  });
  return [summary, form];
}

// ---- my payments -------------------------------------------------------------------------------------

function statusChip(payment) {
  return chip(payment.status_label, STATUS_TONES[payment.status] || "wait");
}

// The chip goes under the text, not beside it: descriptions are long and a phone is narrow.
function paymentRow(payment) {
  return h(
    "li",
    {},
    h(
      "a",
      { class: "row", href: `/app/payments/${payment.id}` },
      h(
        "span",
        { class: "row-text" },
        h("span", { class: "row-title" }, PURPOSE_NAMES[payment.purpose] || "Thanh toán"),
        h("span", { class: "row-detail" }, payment.description),
        h("span", { class: "row-detail" }, `${formatMoney(payment.amount_vnd)} · ${formatDateTime(payment.succeeded_at || payment.created_at)}`),
        h("span", {}, statusChip(payment)),
      ),
    ),
  );
}

async function myPayments(ctx) {
  const payments = await pagedList(
    ctx,
    (page) => `/me/payments${api.query({ page, page_size: PAGE_SIZE })}`,
    paymentRow,
    "Bạn chưa có khoản thanh toán nào. Khi nộp phạt hoặc nộp phí hồ sơ trên ứng dụng, biên lai điện tử sẽ có ở đây.",
    { emptyAction: h("a", { class: "button", href: "/app/fines" }, "Xem phạt nguội của tôi") },
  );
  return card(
    h("h2", {}, "Thanh toán và biên lai"),
    h("p", { class: "hint" }, "Mới nhất ở trên. Mở một khoản đã thanh toán để xem và in biên lai điện tử."),
    payments,
  );
}

function receiptCard(receipt) {
  return h(
    "section",
    { class: "card receipt", "aria-labelledby": "receipt-title" },
    h("h2", { id: "receipt-title" }, "Biên lai điện tử"),
    h("p", {}, chip("Thanh toán thành công", "ok")),
    facts([
      ["Số biên lai", receipt.number],
      ["Người nộp", receipt.payer_name],
      ["Nội dung", receipt.description],
      ["Số tiền", h("strong", {}, formatMoney(receipt.amount_vnd))],
      ["Thời điểm", formatDateTime(receipt.issued_at)],
      ["Mã giao dịch", receipt.payment_id],
    ]),
    h("button", { type: "button", class: "button secondary no-print", onclick: () => window.print() }, "In hoặc lưu biên lai"),
  );
}

async function onePayment(ctx) {
  let payment;
  try {
    payment = await api.get(`/me/payments/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  } catch (error) {
    if (error.status !== 404) throw error;
    return [errorBox(error), h("a", { class: "button", href: "/app/payments" }, "Xem các khoản thanh toán của tôi")];
  }
  const related = payableHref(payment.purpose, payment.reference);
  const relatedLink = related ? h("a", { class: "button secondary no-print", href: related.href }, related.label) : null;
  if (payment.status === "succeeded") {
    ctx.setTitle("Biên lai");
    const receipt = await api.get(`/me/payments/${payment.id}/receipt`, { signal: ctx.signal });
    return [
      receiptCard(receipt),
      payment.refunded_vnd ? card(h("p", {}, `Đã hoàn lại ${formatMoney(payment.refunded_vnd)} cho khoản này.`)) : null,
      relatedLink ? card(relatedLink) : null,
    ];
  }

  const status = card(
    h("h2", {}, payment.description),
    h("p", {}, statusChip(payment)),
    facts([
      ["Số tiền", formatMoney(payment.amount_vnd)],
      ["Tạo lúc", formatDateTime(payment.created_at)],
      ["Lý do", payment.failure_reason],
    ]),
  );
  const actions = [];
  if (payment.status === "failed" || payment.status === "requires_action" || payment.status === "created") {
    actions.push(
      h("p", {}, payment.status === "failed" ? "Số tiền chưa bị trừ. Bạn có thể thanh toán lại, với thẻ khác nếu muốn." : "Khoản thanh toán này chưa hoàn tất."),
      h("a", { class: "button", href: checkoutHref(payment, related?.href) }, payment.status === "failed" ? "Thanh toán lại" : "Tiếp tục thanh toán"),
    );
  } else if (payment.status === "processing") {
    const check = h("button", { type: "button", class: "button" }, "Kiểm tra lại kết quả");
    check.addEventListener("click", () =>
      busy(check, "Đang kiểm tra…", async () => {
        try {
          await api.post(`/me/payments/${payment.id}/refresh`);
          ctx.navigate(location.href, { replace: true });
        } catch (error) {
          toast(error.message);
        }
      }),
    );
    actions.push(h("p", {}, "Ngân hàng đang xử lý giao dịch. Kết quả thường có sau vài phút."), check);
  }
  if (relatedLink) actions.push(relatedLink);
  return [status, actions.length ? card(...actions) : null];
}

// ---- the wallet (deep link congdanso://wallet) ----------------------------------------------------

async function wallet(ctx) {
  let account = null;
  try {
    account = await api.get("/me/payment-account", { signal: ctx.signal });
  } catch (error) {
    if (error.code !== "payment_account_not_linked") throw error;
  }
  const linked = account?.last4;
  const section = card(
    h("h2", {}, "Tài khoản thanh toán điện tử"),
    linked
      ? [
          h("p", {}, chip("Đã liên kết", "ok"), " ", `${account.brand || "Thẻ"} •••• ${account.last4}`),
          h("p", { class: "hint" }, "Tiền an sinh xã hội được chuyển vào tài khoản này; nộp phạt, nộp phí có thể trả bằng thẻ khác."),
        ]
      : [
          h("p", {}, chip("Chưa liên kết", "wait")),
          h(
            "p",
            { class: "hint" },
            "Nộp phạt, nộp phí: nhập thẻ ngân hàng khi thanh toán, không cần liên kết trước. Để nhận tiền an sinh xã hội không dùng tiền mặt, hãy đăng ký số tài khoản ngân hàng đứng tên bạn tại Phòng Lao động - Thương binh và Xã hội nơi cư trú.",
          ),
        ],
  );
  if (linked) {
    const unlink = h("button", { type: "button", class: "button secondary" }, "Huỷ liên kết");
    unlink.addEventListener("click", () =>
      busy(unlink, "Đang huỷ liên kết…", async () => {
        try {
          await api.del("/me/payment-account");
          toast("Đã huỷ liên kết tài khoản thanh toán.");
          ctx.navigate("/app/wallet", { replace: true });
        } catch (error) {
          unlink.after(errorBox(error));
        }
      }),
    );
    section.append(unlink);
  }
  return [
    section,
    card(
      h("ul", { class: "rows" }, [
        linkRow("/app/payments", "Thanh toán và biên lai", "Tiền phạt, phí và lệ phí đã nộp"),
        linkRow("/app/benefits", "Tiền an sinh xã hội", "Các khoản đã và sẽ được chi trả"),
      ]),
    ),
  ];
}

export const routes = [
  { path: "/wallet", title: "Ví và thanh toán", tab: "more", auth: true, back: true, render: wallet },
  { path: "/pay", title: "Thanh toán", tab: "more", auth: true, back: true, render: checkout },
  { path: "/payments", title: "Thanh toán và biên lai", tab: "more", auth: true, back: true, render: myPayments },
  { path: "/payments/:id", title: "Thanh toán", tab: "more", auth: true, back: true, render: onePayment },
];
