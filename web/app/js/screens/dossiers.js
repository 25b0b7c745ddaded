// My dossiers: the list with statuses (overdue marked), and one dossier with its facts, every
// step of its history, linked dossiers, attachments and what the citizen can do now (the API's
// `citizen_actions`): supply the papers asked for, withdraw, pay the fee, rate the service.

import * as api from "../../../shared/api.js";
import { describeAnswers, documentPicker, loadStore } from "../forms.js";
import { busy, card, chip, clearFieldErrors, empty, errorBox, facts, formatDate, formatDateTime, formatMoney, h, linkRow, list, showFieldErrors, toast } from "../../../shared/ui.js";

const PAGE_SIZE = 20;
const OPEN_STATUSES = new Set([1, 2, 4, 5, 6]); // still with the authority (workflow.py)
const SATISFACTION = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"];
const dossierPath = (code) => `/app/dossiers/${encodeURIComponent(code)}`;

/** How a status looks: waiting on the citizen (5, 6) stands out, refusals and stops are red. */
function statusTone(status) {
  if (status === 5 || status === 6) return "wait";
  if (status === 3 || status === 8) return "bad";
  if (status === 9 || status === 10) return "ok";
  return "info";
}

function statusChips(dossier) {
  return h(
    "span",
    { class: "chips" },
    chip(dossier.status_name, statusTone(dossier.status)),
    dossier.overdue ? chip("Quá hạn", "bad") : null,
  );
}

// ---- the list ------------------------------------------------------------------------------------

function dossierRow(dossier) {
  const due = dossier.overdue ? `quá hạn trả từ ${formatDate(dossier.due_date)}` : `hẹn trả ${formatDate(dossier.due_date)}`;
  return linkRow(dossierPath(dossier.code), dossier.procedure_name, `Mã ${dossier.code} · nộp ${formatDate(dossier.submitted_at)} · ${due}`, statusChips(dossier));
}

async function myDossiers(ctx) {
  const shown = [];
  const holder = h("div", {});
  let page = 0;
  const load = async () => {
    page += 1;
    const response = await api.request(`/me/dossiers${api.query({ page, page_size: PAGE_SIZE })}`, { signal: ctx.signal });
    shown.push(...response.data);
    const pagination = JSON.parse(response.headers.get("X-Pagination") || "null");
    const more = pagination && page < pagination.total_pages;
    const moreButton = more ? h("button", { type: "button", class: "button secondary block" }, "Xem thêm hồ sơ") : null;
    moreButton?.addEventListener("click", () => busy(moreButton, "Đang tải…", () => load().catch((error) => holder.append(errorBox(error)))));
    holder.replaceChildren(
      ...[
        response.stale ? h("p", { class: "banner" }, "Danh sách đã lưu trên máy, có thể chưa mới nhất.") : null,
      shown.length
        ? [h("p", { class: "muted small" }, `${pagination?.total ?? shown.length} hồ sơ, mới nhất trước`), list(shown.map(dossierRow))]
        : empty("Bạn chưa nộp hồ sơ nào. Tìm thủ tục bạn cần rồi nộp trực tuyến ngay trên ứng dụng.", h("a", { class: "button", href: "/app/services" }, "Tìm thủ tục")),
        moreButton,
      ]
        .flat()
        .filter(Boolean),
    );
  };
  await load();
  return [card(h("h2", {}, "Hồ sơ đã nộp"), holder), h("p", {}, h("a", { href: "/app/services" }, "Nộp hồ sơ mới"))];
}

// ---- one dossier ---------------------------------------------------------------------------------

function timeline(history) {
  const who = { citizen: "Bạn", staff: "Cơ quan giải quyết" };
  return h(
    "ol",
    { class: "timeline" },
    history.map((step) =>
      h(
        "li",
        {},
        h("p", { class: "row-title" }, step.label || step.status_name),
        h("p", { class: "row-detail" }, `${formatDateTime(step.at)} · ${who[step.by] || ""} · trạng thái: ${step.status_name}`),
        step.note ? h("p", { class: "step-note" }, step.note) : null,
      ),
    ),
  );
}

function attachmentsList(dossier, store) {
  if (!dossier.attachments.length) return h("p", { class: "muted" }, "Chưa có giấy tờ đính kèm.");
  const byId = new Map(store.map((document) => [document.id, document]));
  return h(
    "ul",
    { class: "doc-list" },
    dossier.attachments.map((attachment) => {
      const document = byId.get(attachment.document_id);
      const open = h("button", { type: "button", class: "button secondary small-button" }, "Xem tệp");
      open.addEventListener("click", () =>
        busy(open, "Đang mở…", async () => {
          try {
            const url = await api.blobUrl(`/me/documents/${attachment.document_id}/content`);
            const link = h("a", { href: url, download: document?.filename || "giay-to" });
            link.click();
            setTimeout(() => URL.revokeObjectURL(url), 60_000);
          } catch (error) {
            toast(error.message);
          }
        }),
      );
      return h(
        "li",
        {},
        h("p", { class: "row-title" }, attachment.requirement),
        h(
          "p",
          { class: "row-detail" },
          document ? [document.title !== attachment.requirement ? `${document.title} · ` : "", document.filename].join("") : "Giấy tờ trong kho",
          ` · thêm lúc ${formatDateTime(attachment.added_at)}`,
        ),
        open,
      );
    }),
  );
}

function lastStepOf(dossier, action) {
  return [...dossier.history].reverse().find((step) => step.action === action) || null;
}

/** An action answered 412: someone moved the dossier since it was shown. */
function staleNotice(ctx, error) {
  if (error.status !== 412) return null;
  return h("button", { type: "button", class: "button secondary", onclick: () => ctx.navigate(location.pathname, { replace: true }) }, "Tải lại hồ sơ");
}

function supplementCard(ctx, dossier, etag, procedure, store) {
  const asked = lastStepOf(dossier, "request_supplement");
  const requirements = [
    ...(procedure?.documents || []).filter((document) => !/^Điền trực tuyến/.test(document.note || "")),
    { name: "Giấy tờ khác theo yêu cầu của cán bộ", note: null, required: false },
  ];
  // The officer's note says what is missing; the catalogue's "required" marks do not apply here.
  const picker = documentPicker(requirements, store, { idPrefix: "supplement", marks: false });
  const note = h("textarea", { name: "note", id: "supplement-note", maxlength: 2000 });
  const submit = h("button", { type: "submit", class: "button" }, "Gửi bổ sung");
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "supplement-heading" },
    h("h2", { id: "supplement-heading" }, "Cần bổ sung giấy tờ"),
    asked?.note ? h("div", { class: "asked" }, h("p", { class: "row-title" }, "Cán bộ yêu cầu:"), h("p", {}, asked.note)) : null,
    h("p", { class: "hint" }, "Đính kèm giấy tờ được yêu cầu rồi bấm “Gửi bổ sung”. Thời hạn giải quyết được tính lại từ ngày hồ sơ đủ."),
    picker.node,
    h("div", { class: "field" }, h("label", { for: note.id }, "Lời nhắn cho cán bộ (không bắt buộc)"), note),
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const attachments = picker.read();
    // A tap on "Gửi bổ sung" with nothing in it would send the dossier back to the officer
    // empty-handed (and restart its clock): the app asks for a paper or a message first.
    if (!attachments.length && !note.value.trim()) {
      showFieldErrors(form, { message: "Hãy đính kèm giấy tờ cán bộ yêu cầu (hoặc ghi lời nhắn) trước khi gửi.", fieldErrors: {} });
      return;
    }
    const body = { action: "supply_supplement", attachments };
    if (note.value.trim()) body.note = note.value.trim();
    busy(submit, "Đang gửi…", async () => {
      try {
        await api.post(`/me/dossiers/${encodeURIComponent(dossier.code)}/actions`, body, { headers: { "If-Match": etag } });
        toast("Đã gửi giấy tờ bổ sung. Hồ sơ được chuyển xử lý tiếp.");
        ctx.navigate(location.pathname, { replace: true });
      } catch (error) {
        showFieldErrors(form, error);
        const reload = staleNotice(ctx, error);
        if (reload) form.querySelector(".form-alert")?.append(reload);
      }
    });
  });
  return h("section", { class: "card card-attention" }, form);
}

function withdrawCard(ctx, dossier, etag) {
  const start = h("button", { type: "button", class: "button secondary" }, "Rút hồ sơ");
  const reason = h("textarea", { name: "note", id: "withdraw-note", maxlength: 2000 });
  const confirm = h("button", { type: "submit", class: "button danger" }, "Đồng ý rút hồ sơ");
  const cancel = h("button", { type: "button", class: "button secondary" }, "Không rút");
  const form = h(
    "form",
    { novalidate: true, hidden: true, class: "confirm-box", "aria-labelledby": "withdraw-heading" },
    h("h3", { id: "withdraw-heading" }, "Bạn chắc chắn muốn rút hồ sơ này?"),
    h("p", {}, "Hồ sơ đã rút sẽ không được xử lý tiếp; muốn làm lại thủ tục, bạn phải nộp hồ sơ mới."),
    h("div", { class: "field" }, h("label", { for: reason.id }, "Lý do rút (không bắt buộc)"), reason),
    confirm,
    cancel,
  );
  start.addEventListener("click", () => {
    form.hidden = false;
    start.hidden = true;
    reason.focus();
  });
  cancel.addEventListener("click", () => {
    form.hidden = true;
    start.hidden = false;
    start.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = { action: "withdraw" };
    if (reason.value.trim()) body.note = reason.value.trim();
    busy(confirm, "Đang rút hồ sơ…", async () => {
      try {
        await api.post(`/me/dossiers/${encodeURIComponent(dossier.code)}/actions`, body, { headers: { "If-Match": etag } });
        toast(`Đã rút hồ sơ ${dossier.code}.`);
        ctx.navigate(location.pathname, { replace: true });
      } catch (error) {
        showFieldErrors(form, error);
        const reload = staleNotice(ctx, error);
        if (reload) form.querySelector(".form-alert")?.append(reload);
      }
    });
  });
  return card(h("h2", {}, "Không cần làm thủ tục này nữa?"), start, form);
}

function ratingCard(ctx, dossier, actions) {
  if (dossier.rating) {
    return card(
      h("h2", {}, "Đánh giá của bạn"),
      h(
        "p",
        { class: "rating" },
        h("span", { class: "rating-stars", "aria-hidden": "true" }, `${"★".repeat(dossier.rating)}${"☆".repeat(5 - dossier.rating)} `),
        `${dossier.rating}/5 – ${SATISFACTION[dossier.rating - 1]}`,
      ),
      dossier.rating_comment ? h("p", { class: "muted" }, dossier.rating_comment) : null,
    );
  }
  if (!actions.includes("rate")) return null;
  const comment = h("textarea", { name: "comment", id: "rating-comment", maxlength: 1000 });
  const submit = h("button", { type: "submit", class: "button" }, "Gửi đánh giá");
  const form = h(
    "form",
    { novalidate: true },
    h(
      "fieldset",
      { class: "field stars", "data-field": "score" },
      h("legend", {}, "Bạn hài lòng với việc giải quyết hồ sơ này đến mức nào?"),
      SATISFACTION.map((name, index) =>
        h("label", { class: "star" }, h("input", { type: "radio", name: "score", value: String(index + 1) }), `${index + 1} – ${name}`),
      ),
    ),
    h("div", { class: "field" }, h("label", { for: comment.id }, "Góp ý thêm (không bắt buộc)"), comment),
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const score = form.querySelector('input[name="score"]:checked');
    if (!score) {
      showFieldErrors(form, { message: "Hãy chọn mức hài lòng từ 1 đến 5.", fieldErrors: { score: ["Hãy chọn mức hài lòng từ 1 đến 5."] } });
      return;
    }
    const body = { score: Number(score.value) };
    if (comment.value.trim()) body.comment = comment.value.trim();
    busy(submit, "Đang gửi…", async () => {
      try {
        await api.post(`/me/dossiers/${encodeURIComponent(dossier.code)}/rating`, body);
        toast("Cảm ơn bạn đã đánh giá.");
        ctx.navigate(location.pathname, { replace: true });
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return card(h("h2", {}, "Đánh giá dịch vụ"), form);
}

function payCard(dossier) {
  const back = dossierPath(dossier.code);
  const href = `/app/pay${api.query({ purpose: "dossier_fee", reference: dossier.code, amount: dossier.fee_vnd, back })}`;
  return h(
    "section",
    { class: "card card-attention" },
    h("h2", {}, "Cần nộp phí, lệ phí"),
    h("p", {}, `Số tiền: ${formatMoney(dossier.fee_vnd)}. Hồ sơ được xử lý tiếp ngay khi bạn nộp xong.`),
    h("a", { class: "button block", href }, `Nộp ${formatMoney(dossier.fee_vnd)} trực tuyến`),
  );
}

function linkedCard(dossier) {
  const rows = [];
  if (dossier.parent_code) rows.push(linkRow(dossierPath(dossier.parent_code), "Hồ sơ chính của nhóm liên thông", `Mã ${dossier.parent_code}`));
  for (const linked of dossier.linked || []) {
    rows.push(linkRow(dossierPath(linked.code), linked.procedure_name || linked.procedure_code, `Mã ${linked.code}`, chip(linked.status_name, statusTone(linked.status))));
  }
  if (!rows.length) return null;
  return card(h("h2", {}, "Hồ sơ liên thông"), h("p", { class: "muted small" }, "Các hồ sơ được nộp cùng một lần, mỗi thủ tục một hồ sơ."), h("ul", { class: "rows" }, rows));
}

function paymentText(dossier) {
  if (!dossier.fee_vnd) return null;
  if (dossier.payment_status === 1) return `${formatMoney(dossier.fee_vnd)} · đã nộp`;
  if (dossier.status === 6) return `${formatMoney(dossier.fee_vnd)} · cần nộp ngay`;
  if (OPEN_STATUSES.has(dossier.status)) return `${formatMoney(dossier.fee_vnd)} · nộp khi cơ quan giải quyết yêu cầu`;
  return formatMoney(dossier.fee_vnd);
}

async function dossierPage(ctx) {
  const code = ctx.params.code;
  let response;
  try {
    response = await api.request(`/me/dossiers/${encodeURIComponent(code)}`, { signal: ctx.signal });
  } catch (error) {
    if (error.status !== 404) throw error;
    ctx.setTitle("Không tìm thấy hồ sơ");
    return [errorBox(error), h("a", { class: "button", href: "/app/dossiers" }, "Về danh sách hồ sơ của tôi")];
  }
  const dossier = response.data;
  const etag = response.headers.get("ETag");
  const [procedure, store] = await Promise.allSettled([
    api.get(`/procedures/${encodeURIComponent(dossier.procedure_code)}`, { signal: ctx.signal }),
    loadStore(ctx.signal),
  ]);
  const procedureInfo = procedure.status === "fulfilled" ? procedure.value : null;
  const documents = store.status === "fulfilled" ? store.value : [];
  // Actions need the current ETag, which a copy kept for offline use does not carry.
  const actions = response.stale || !etag ? [] : dossier.citizen_actions;

  const answers = procedureInfo ? describeAnswers(procedureInfo.form_schema, dossier.form_data) : [];
  return [
    response.stale ? h("p", { class: "banner" }, "Bạn đang xem bản đã lưu trên máy; cần có mạng để thao tác với hồ sơ.") : null,
    card(
      h("h2", {}, dossier.procedure_name),
      h("p", {}, statusChips(dossier)),
      facts([
        ["Mã hồ sơ", dossier.code],
        ["Trạng thái", dossier.status_name],
        ["Ngày nộp", formatDateTime(dossier.submitted_at)],
        ["Ngày tiếp nhận", dossier.accepted_at ? formatDateTime(dossier.accepted_at) : null],
        ["Hẹn trả kết quả", dossier.overdue ? `${formatDate(dossier.due_date)} (đã quá hạn)` : formatDate(dossier.due_date)],
        ["Đã trả kết quả", dossier.returned_at ? formatDateTime(dossier.returned_at) : null],
        ["Cơ quan giải quyết", procedureInfo?.authority_name],
        ["Phí, lệ phí", paymentText(dossier)],
      ]),
      dossier.overdue ? h("p", { class: "hint" }, "Hồ sơ đã quá hạn hẹn trả. Bạn có thể gọi tổng đài hoặc hỏi Trợ lý ảo để được hỗ trợ.") : null,
    ),
    actions.includes("pay_fee") ? payCard(dossier) : null,
    actions.includes("supply_supplement") ? supplementCard(ctx, dossier, etag, procedureInfo, documents) : null,
    card(h("h2", {}, "Tiến trình xử lý"), timeline(dossier.history)),
    linkedCard(dossier),
    card(h("h2", {}, "Giấy tờ đính kèm"), attachmentsList(dossier, documents)),
    answers.length ? card(h("details", {}, h("summary", {}, "Nội dung tờ khai đã nộp"), facts(answers))) : null,
    ratingCard(ctx, dossier, actions),
    actions.includes("withdraw") ? withdrawCard(ctx, dossier, etag) : null,
  ];
}

export const routes = [
  { path: "/dossiers", title: "Hồ sơ của tôi", tab: "services", back: true, auth: true, render: myDossiers },
  { path: "/dossiers/:code", title: "Hồ sơ", tab: "services", back: true, auth: true, render: dossierPage },
];
