// Traffic fines (phạt nguội): the public look-up by plate, my fines, and one fine with its
// evidence, what it means to confirm it, and the way to pay it (the checkout is payments.js).

import * as api from "../../../shared/api.js";
import * as auth from "../auth.js";
import { signInScreen } from "./home.js";
import { h, age, busy, card, chip, clearFieldErrors, empty, errorBox, facts, field, formatDate, formatDateTime, formatMoney, linkRow, list, showFieldErrors, toast } from "../../../shared/ui.js";

const STATUS_TONES = { issued: "wait", confirmed: "wait", paid: "ok", cancelled: "info" };
const OPEN = new Set(["issued", "confirmed"]);

function statusChips(fine) {
  return [chip(fine.status_name, STATUS_TONES[fine.status] || "info"), fine.overdue ? [" ", chip("Quá hạn", "bad")] : null];
}

/** "còn 3 ngày", "hạn cuối hôm nay", "quá hạn 2 ngày": how the deadline stands today. */
function daysLeftText(daysLeft) {
  if (daysLeft === null || daysLeft === undefined) return null;
  if (daysLeft > 0) return `còn ${daysLeft} ngày`;
  if (daysLeft === 0) return "hạn cuối là hôm nay";
  return `đã quá hạn ${-daysLeft} ngày`;
}

function staleNote(response) {
  return response.stale ? h("p", { class: "banner" }, `Dữ liệu đã lưu trên máy (${age(response.at)}), có thể chưa mới nhất.`) : null;
}

// ---- the public look-up by plate -----------------------------------------------------------------

function publicFine(fine) {
  return h(
    "li",
    { class: "fine-public" },
    h("p", { class: "row-title" }, fine.violation || fine.violation_code),
    h("p", {}, statusChips(fine)),
    facts([
      ["Ngày vi phạm", formatDate(fine.violated_on)],
      ["Nơi vi phạm", fine.area],
      ["Phương tiện", fine.vehicle_kind_name],
      ["Số tiền phạt", formatMoney(fine.amount_vnd)],
      ["Hạn nộp", fine.status === "paid" || fine.status === "cancelled" ? null : formatDate(fine.deadline)],
      ["Quyết định số", fine.notice_number],
      ["Nguồn", fine.source_name],
    ]),
  );
}

function lookupResult(result, stale) {
  const heading = h("h2", {}, `Biển số ${result.plate}`);
  if (!result.count) {
    return card(
      heading,
      stale,
      empty(
        "Không có vi phạm nào của biển số này trên hệ thống. Dữ liệu được cập nhật từ camera giám sát và cảnh sát giao thông; hãy tra cứu lại sau vài ngày nếu bạn vừa nhận thông báo.",
      ),
    );
  }
  return card(
    heading,
    stale,
    h("p", {}, `Có ${result.count} vi phạm:`),
    h("ul", { class: "rows fine-results" }, result.fines.map(publicFine)),
    h("p", { class: "hint" }, result.note),
    auth.isSignedIn()
      ? h("a", { class: "button", href: "/app/fines" }, "Xem phạt nguội của tôi")
      : h("a", { class: "button", href: `/app/sign-in?next=${encodeURIComponent("/app/fines")}` }, "Đăng nhập để xem chi tiết và nộp phạt"),
  );
}

function lookup(ctx) {
  const input = h("input", {
    name: "plate",
    type: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: "30",
    required: true,
    value: ctx.query.get("plate") || "",
  });
  const button = h("button", { type: "submit", class: "button" }, "Tra cứu");
  const results = h("div", { class: "fine-lookup-results", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card", novalidate: true },
    h("h2", {}, "Tra cứu theo biển số"),
    h("p", { class: "muted" }, "Ai cũng tra cứu được, không cần đăng nhập. Kết quả không có thông tin cá nhân của chủ xe."),
    field("Biển số xe", input, "Gõ kiểu nào cũng được, ví dụ 47A-123.45 hoặc 47a12345."),
    button,
  );

  async function search() {
    clearFieldErrors(form);
    const plate = input.value.trim();
    if (!plate) {
      showFieldErrors(form, { fieldErrors: { plate: ["Hãy nhập biển số xe."] } });
      return;
    }
    // The plate stays in the address, so the back button and a shared link show the same result.
    history.replaceState({}, "", `/app/fines/lookup${api.query({ plate })}`);
    results.replaceChildren(h("p", { class: "loading" }, "Đang tra cứu…"));
    try {
      const response = await api.request(`/fines/lookup${api.query({ plate })}`, { signal: ctx.signal });
      results.replaceChildren(lookupResult(response.data, staleNote(response)));
    } catch (error) {
      if (error.name === "AbortError") return;
      results.replaceChildren();
      // An unreadable plate goes next to the field; a rate limit or no network above the form.
      showFieldErrors(form, error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(button, "Đang tra cứu…", search);
  });
  if (input.value) busy(button, "Đang tra cứu…", search);
  return [form, results];
}

// ---- my fines ----------------------------------------------------------------------------------------

function fineRow(fine) {
  const detail = [fine.plate, formatMoney(fine.amount_vnd)];
  if (OPEN.has(fine.status)) detail.push(`hạn nộp ${formatDate(fine.deadline)}`);
  else if (fine.status === "paid") detail.push(`đã nộp ${formatDate(fine.paid_at)}`);
  return linkRow(
    `/app/fines/${fine.id}`,
    fine.violation?.description || "Vi phạm giao thông",
    detail.join(" · "),
    h("span", { class: "fine-chips" }, statusChips(fine)),
  );
}

const lookupLink = () => h("a", { class: "button secondary", href: "/app/fines/lookup" }, "Tra cứu theo biển số xe");

async function myFines(ctx) {
  if (!auth.isSignedIn()) {
    return [
      card(
        h("h2", {}, "Tra cứu phạt nguội"),
        h("p", {}, "Tra cứu vi phạm của một biển số xe bất kỳ, không cần đăng nhập."),
        lookupLink(),
      ),
      signInScreen(ctx),
    ];
  }
  const response = await api.request("/me/fines", { signal: ctx.signal });
  const fines = response.data;
  const open = fines.filter((fine) => OPEN.has(fine.status));
  const done = fines.filter((fine) => !OPEN.has(fine.status));
  const sections = [staleNote(response)];
  sections.push(
    card(
      h("h2", {}, "Cần xử lý"),
      open.length
        ? [
            h("p", { class: "hint" }, "Mở từng khoản để xem ảnh bằng chứng, xác nhận vi phạm và nộp phạt trực tuyến."),
            list(open.map(fineRow)),
          ]
        : empty("Bạn không có khoản phạt nào phải nộp. Các vi phạm ghi nhận theo số căn cước của bạn sẽ hiện ở đây."),
    ),
  );
  if (done.length) sections.push(card(h("h2", {}, "Đã nộp hoặc đã huỷ"), list(done.map(fineRow))));
  sections.push(
    card(
      h("h2", {}, "Xe của người khác?"),
      h("p", {}, "Tra cứu vi phạm của bất kỳ biển số nào, ví dụ trước khi mua xe cũ."),
      lookupLink(),
    ),
  );
  return sections;
}

// ---- one fine ----------------------------------------------------------------------------------------

function evidenceSection(fine, ctx) {
  if (!fine.evidence?.length) {
    return card(h("h2", {}, "Ảnh bằng chứng"), h("p", { class: "muted" }, "Quyết định này không kèm ảnh bằng chứng."));
  }
  const urls = [];
  ctx.onLeave(() => urls.forEach((url) => URL.revokeObjectURL(url)));
  const photos = fine.evidence.map((item, index) => {
    const holder = h("li", { class: "fine-photo" }, h("p", { class: "loading" }, `Đang tải ảnh ${index + 1}…`));
    api
      .blobUrl(item.url)
      .then((url) => {
        urls.push(url);
        if (ctx.signal.aborted) return;
        holder.replaceChildren(
          h("img", { src: url, alt: `Ảnh bằng chứng ${index + 1} của phương tiện biển số ${fine.plate}` }),
        );
      })
      .catch((error) => holder.replaceChildren(errorBox(error)));
    return holder;
  });
  return card(h("h2", {}, "Ảnh bằng chứng"), h("ul", { class: "fine-photos" }, photos));
}

function confirmSection(fine, ctx) {
  const hotline = window.cdsConfig?.hotline || "1900 0368";
  const button = h("button", { type: "button", class: "button block" }, "Tôi xác nhận vi phạm");
  const alert = h("div", { class: "form-alert", tabindex: "-1" });
  button.addEventListener("click", () =>
    busy(button, "Đang xác nhận…", async () => {
      alert.replaceChildren();
      try {
        const confirmed = await api.post(`/me/fines/${fine.id}/confirm`);
        toast("Đã xác nhận vi phạm. Bạn có thể nộp phạt ngay.");
        // The same screen, now with the way to pay.
        ctx.navigate(`/app/fines/${confirmed.id}`, { replace: true });
      } catch (error) {
        alert.replaceChildren(errorBox(error));
        alert.focus();
      }
    }),
  );
  return card(
    h("h2", {}, "Xác nhận vi phạm"),
    h("p", {}, `Xác nhận nghĩa là bạn đồng ý rằng phương tiện biển số ${fine.plate} đã vi phạm như trên và chấp nhận quyết định xử phạt này. Sau khi xác nhận, bạn nộp phạt ngay trên ứng dụng, không phải đến trụ sở công an.`),
    h("p", {}, "Không đồng ý (xe đã bán cho người khác, biển số bị làm giả, thông tin sai)? Đừng xác nhận: hãy liên hệ cơ quan công an đã ra quyết định hoặc gọi tổng đài ", h("a", { href: `tel:${hotline.replace(/\s/g, "")}` }, hotline), " để được hướng dẫn."),
    h("p", { class: "hint" }, "Xác nhận rồi thì không rút lại được trên ứng dụng."),
    alert,
    button,
  );
}

function nextSteps(fine, ctx) {
  if (fine.can_confirm) return confirmSection(fine, ctx);
  if (fine.can_pay && fine.payment) {
    const here = `/app/fines/${fine.id}`;
    const pay = `/app/pay${api.query({ purpose: fine.payment.purpose, reference: fine.payment.reference, amount: fine.payment.amount_vnd, back: here })}`;
    return card(
      h("h2", {}, "Nộp phạt"),
      h("p", {}, `Bạn đã xác nhận vi phạm${fine.confirmed_at ? ` lúc ${formatDateTime(fine.confirmed_at)}` : ""}. Nộp ${formatMoney(fine.amount_vnd)} bằng thẻ ngân hàng ngay trên ứng dụng; biên lai điện tử có ngay sau khi nộp.`),
      fine.overdue ? h("p", { class: "error-box" }, "Khoản phạt đã quá hạn nộp. Hãy nộp sớm để tránh bị cưỡng chế thi hành quyết định.") : null,
      h("a", { class: "button block", href: pay }, "Nộp phạt trực tuyến"),
    );
  }
  if (fine.status === "paid") {
    return card(
      h("h2", {}, "Đã nộp phạt"),
      h("p", {}, `Bạn đã nộp khoản phạt này lúc ${formatDateTime(fine.paid_at)}. Không cần làm gì thêm.`),
      fine.payment_id ? h("a", { class: "button secondary", href: `/app/payments/${fine.payment_id}` }, "Xem biên lai") : null,
    );
  }
  if (fine.status === "cancelled") {
    return card(
      h("h2", {}, "Quyết định đã bị huỷ"),
      h("p", {}, `Cơ quan công an đã huỷ quyết định này lúc ${formatDateTime(fine.cancelled_at)}; bạn không phải nộp khoản phạt này.`),
      fine.cancel_reason ? h("p", {}, "Lý do: ", fine.cancel_reason) : null,
    );
  }
  return null;
}

function fineFacts(fine) {
  const violation = fine.violation || {};
  const deadline = OPEN.has(fine.status) ? [formatDate(fine.deadline), daysLeftText(fine.days_left)].filter(Boolean).join(", ") : formatDate(fine.deadline);
  return facts([
    ["Biển số", fine.plate],
    ["Phương tiện", fine.vehicle_kind_name],
    ["Thời điểm", formatDateTime(fine.violated_at)],
    ["Địa điểm", [fine.place, fine.ward?.name].filter(Boolean).join(", ")],
    ["Căn cứ", violation.legal_reference],
    ["Khung phạt", violation.min_vnd ? `${formatMoney(violation.min_vnd)} – ${formatMoney(violation.max_vnd)}` : null],
    ["Số tiền phạt", h("strong", {}, formatMoney(fine.amount_vnd))],
    ["Hạn nộp", deadline],
    ["Trừ điểm GPLX", violation.licence_points ? `${violation.licence_points} điểm` : null],
    ["Hình thức bổ sung", violation.additional_penalty],
    ["Quyết định số", fine.notice_number],
    ["Ngày ra quyết định", formatDateTime(fine.decided_at)],
    ["Ghi nhận bởi", fine.source_name],
  ]);
}

async function oneFine(ctx) {
  let response;
  try {
    response = await api.request(`/me/fines/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  } catch (error) {
    if (error.status !== 404) throw error;
    return [errorBox(error), h("a", { class: "button", href: "/app/fines" }, "Xem phạt nguội của tôi")];
  }
  const fine = response.data;
  ctx.setTitle("Chi tiết vi phạm");
  return [
    staleNote(response),
    card(
      h("h2", {}, fine.violation?.description || "Vi phạm giao thông"),
      h("p", {}, statusChips(fine)),
      fineFacts(fine),
    ),
    // The evidence before the decision: a citizen confirms what they have seen.
    evidenceSection(fine, ctx),
    nextSteps(fine, ctx),
  ];
}

export const routes = [
  // Before "/fines/:id", which would otherwise take "lookup" for an id.
  { path: "/fines/lookup", title: "Tra cứu phạt nguội", tab: "more", back: true, render: lookup },
  { path: "/fines", title: "Phạt nguội", tab: "more", back: true, render: myFines },
  { path: "/fines/:id", title: "Chi tiết vi phạm", tab: "more", auth: true, back: true, render: oneFine },
];
