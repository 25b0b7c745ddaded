// Social benefits (M36): the programmes the citizen is enrolled in, each monthly payment (status,
// channel, amount, date) with a page of its own (the inbox links to it:
// congdanso://benefits/payments/<id>), and the money paid into their e-payment account (payouts).
// Like the records, benefits need identity level 2; a level-1 citizen gets the way there.

import * as api from "../../../shared/api.js";
import { h, card, chip, errorBox, facts, formatDate, formatDateTime, formatMoney, linkRow } from "../../../shared/ui.js";
import { orLevelTwoGuide, pagedList, staleNote } from "../widgets.js";

const PAYMENT_TONES = { scheduled: "wait", paid: "ok", failed: "bad", returned: "bad", cancelled: "info" };
const ENROLMENT_TONES = { active: "ok", suspended: "wait", ended: "info" };
const PAYOUT_TONES = { pending: "wait", paid: "ok", failed: "bad", returned: "bad" };
const WHAT = "thông tin trợ cấp xã hội";

/** "2026-06" → "06/2026", the month as Vietnamese write it. */
function month(period) {
  const [year, number] = String(period || "").split("-");
  return number ? `${number}/${year}` : period || "—";
}

/** The day a payment happened, or is planned for. */
function paymentDay(payment) {
  if (payment.paid_at) return `Đã nhận ${formatDate(payment.paid_at)}`;
  if (payment.status === "scheduled") return `Dự kiến ${formatDate(payment.planned_on)}`;
  return formatDate(payment.planned_on);
}

function paymentRow(payment) {
  return linkRow(
    `/app/benefits/payments/${payment.id}`,
    `Tháng ${month(payment.period)}: ${formatMoney(payment.amount_vnd)}`,
    `${payment.programme?.name || "Trợ cấp"} · ${payment.channel_name} · ${paymentDay(payment)}`,
    chip(payment.status_name, PAYMENT_TONES[payment.status] || "info"),
  );
}

function payoutRow(payout) {
  const label = payout.status_label;
  const tone = PAYOUT_TONES[payout.status] || "info";
  return h(
    "li",
    { class: "payout" },
    h(
      "div",
      { class: "row" },
      h(
        "span",
        { class: "row-text" },
        h("span", { class: "row-title" }, formatMoney(payout.amount_vnd)),
        h("span", { class: "row-detail" }, payout.description),
        h("span", { class: "row-detail" }, payout.settled_at ? `${label} lúc ${formatDateTime(payout.settled_at)}` : `Tạo lúc ${formatDateTime(payout.created_at)}`),
        payout.failure_message ? h("span", { class: "row-detail" }, `Lý do: ${payout.failure_message}`) : null,
      ),
      chip(label, tone),
    ),
  );
}

function enrolmentCard(enrolment, linked) {
  const channel = [enrolment.channel_name, enrolment.channel_detail].filter(Boolean).join(": ");
  return h(
    "section",
    { class: "card" },
    h("h3", { class: "card-title" }, enrolment.programme.name),
    chip(enrolment.status_name, ENROLMENT_TONES[enrolment.status] || "info"),
    facts([
      ["Mức hưởng", `${formatMoney(enrolment.monthly_amount_vnd)}/tháng`],
      ["Hưởng từ", formatDate(enrolment.starts_on)],
      ["Đến", enrolment.ends_on ? formatDate(enrolment.ends_on) : "Không thời hạn"],
      // The enrolment's channel is used only while no e-payment account is linked (the API's rule).
      ["Nhận qua", linked ? "Tài khoản thanh toán điện tử đã liên kết trên ứng dụng" : channel],
      ["Nếu huỷ liên kết, nhận qua", linked ? channel : null],
      ["Căn cứ", enrolment.programme.legal_basis],
      ["Lý do", enrolment.status_reason],
    ]),
  );
}

async function overview(ctx) {
  const { value, guide } = await orLevelTwoGuide(() => api.request("/me/benefits", { signal: ctx.signal }), WHAT);
  if (guide) return guide;
  const benefits = value.data;
  // The payouts come from the wallet: if they cannot be read, the rest of the screen still shows.
  const payouts = await pagedList(
    ctx,
    (page) => `/me/payouts${api.query({ page, page_size: 10 })}`,
    payoutRow,
    benefits.e_payment_account_linked
      ? "Chưa có khoản tiền nào được chuyển vào tài khoản của bạn."
      : "Chưa có khoản nào. Khi bạn liên kết tài khoản thanh toán điện tử, trợ cấp sẽ được chuyển thẳng vào đó và hiện ở đây.",
  ).catch((error) => {
    if (error.name === "AbortError") throw error;
    return errorBox(error);
  });
  return [
    staleNote(value),
    h(
      "section",
      { class: "benefit-programmes" },
      h("h2", {}, "Chế độ trợ cấp của tôi"),
      benefits.programmes.length
        ? benefits.programmes.map((enrolment) => enrolmentCard(enrolment, benefits.e_payment_account_linked))
        : card(h("p", {}, "Bạn chưa có trong danh sách hưởng trợ cấp nào."), h("p", { class: "hint" }, "Nếu bạn thuộc diện được hưởng (người cao tuổi, người khuyết tật, hộ nghèo…), hãy liên hệ UBND xã, phường nơi cư trú để được hướng dẫn lập hồ sơ.")),
    ),
    card(
      h("h2", {}, "Các khoản chi trả gần đây"),
      benefits.latest_payments.length
        ? h("ul", { class: "rows" }, benefits.latest_payments.map(paymentRow))
        : h("p", { class: "muted" }, "Chưa có khoản chi trả nào."),
      benefits.latest_payments.length ? h("a", { class: "button secondary", href: "/app/benefits/payments" }, "Xem tất cả các khoản") : null,
      !benefits.e_payment_account_linked && benefits.cashless_hint ? h("p", { class: "hint" }, benefits.cashless_hint) : null,
    ),
    card(h("h2", {}, "Tiền nhận vào tài khoản điện tử"), payouts),
  ];
}

async function allPayments(ctx) {
  const { value, guide } = await orLevelTwoGuide(
    () => pagedList(ctx, (page) => `/me/benefits/payments${api.query({ page, page_size: 20 })}`, paymentRow, "Chưa có khoản chi trả nào."),
    WHAT,
  );
  return guide || card(h("h2", {}, "Tất cả các khoản chi trả"), value);
}

async function paymentScreen(ctx) {
  const { value, guide } = await orLevelTwoGuide(
    () => api.request(`/me/benefits/payments/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal }),
    WHAT,
  );
  if (guide) return guide;
  const payment = value.data;
  const troubled = payment.status === "failed" || payment.status === "returned";
  return [
    staleNote(value),
    card(
      h("h2", {}, `${payment.programme?.name || "Trợ cấp"}, tháng ${month(payment.period)}`),
      h("p", { class: "amount" }, formatMoney(payment.amount_vnd)),
      chip(payment.status_name, PAYMENT_TONES[payment.status] || "info"),
      facts([
        ["Kỳ chi trả", `Tháng ${month(payment.period)}`],
        ["Ngày chi trả dự kiến", formatDate(payment.planned_on)],
        ["Nhận qua", payment.channel_name],
        ["Đã chuyển cho đơn vị chi trả", payment.sent_at ? formatDateTime(payment.sent_at) : null],
        ["Đã nhận", payment.paid_at ? formatDateTime(payment.paid_at) : null],
        ["Lý do", payment.failure_reason],
        ["Căn cứ", payment.programme?.legal_basis],
      ]),
      payment.payout_id ? h("p", { class: "hint" }, "Khoản này được chuyển vào tài khoản thanh toán điện tử bạn đã liên kết trên ứng dụng.") : null,
      troubled ? h("p", { class: "hint" }, "Khoản tiền chưa đến tay bạn. Hãy liên hệ UBND xã, phường nơi cư trú (mang theo căn cước) để được chi trả lại.") : null,
    ),
    h("a", { class: "button secondary", href: "/app/benefits" }, "Về trang an sinh xã hội"),
  ];
}

export const routes = [
  { path: "/benefits", title: "An sinh xã hội", tab: "more", auth: true, back: true, render: overview },
  { path: "/benefits/payments", title: "Các khoản chi trả", tab: "more", auth: true, back: true, render: allPayments },
  { path: "/benefits/payments/:id", title: "Khoản chi trả", tab: "more", auth: true, back: true, render: paymentScreen },
];
