// The one-stop desk (bộ phận một cửa): the queue of dossiers of the officer's authority, most
// urgent first; one dossier with the applicant's form as a person reads it, the attached papers
// previewed, the history, and a form for every step its status allows; and the unit's figures.
//
// The API decides everything (who may see what, which step is legal, which note is missing):
// this panel offers the steps the status allows and shows the API's own message when it refuses.
// Every step carries the ETag of the copy on screen (If-Match), so an officer never decides on a
// dossier someone else changed meanwhile: that 412 is explained, with a reload.

import * as api from "../../../shared/api.js";
import { busy, card, chip, clearFieldErrors, empty, errorBox, facts, field, formatDate, formatDateTime, formatMoney, h, pager, showFieldErrors, toast } from "../../../shared/ui.js";

const ROLES = ["officer", "admin"]; // api/dossiers/routes.py: OFFICERS = Staff("officer", "admin")
const PAGE_SIZE = 20;
const dossierPath = (code) => `/workspace/desk/${encodeURIComponent(code)}`;
const deskApi = (code) => `/staff/dossiers/${encodeURIComponent(code)}`;

// The statuses still on the desk (workflow.py OPEN_STATUSES), as the queue's status filter offers them.
const OPEN_STATUSES = [
  [1, "Mới đăng ký"],
  [2, "Được tiếp nhận"],
  [4, "Đang xử lý"],
  [5, "Yêu cầu bổ sung giấy tờ"],
  [6, "Yêu cầu thực hiện nghĩa vụ tài chính"],
];

// The officer's steps of api/dossiers/workflow.py ACTIONS: from which statuses, whether a note is
// required. The API checks them again; this only decides which forms to draw.
const ACTIONS = [
  { name: "accept", done: "Đã tiếp nhận hồ sơ", from: [1], label: "Tiếp nhận hồ sơ", button: "Tiếp nhận", note: false, primary: true },
  { name: "refuse", done: "Đã từ chối tiếp nhận hồ sơ", from: [1], label: "Không tiếp nhận", button: "Từ chối tiếp nhận", note: true, danger: true, noteLabel: "Lý do không tiếp nhận" },
  { name: "start", done: "Đã chuyển xử lý hồ sơ", from: [2], label: "Chuyển xử lý", button: "Chuyển xử lý", note: false, primary: true },
  { name: "request_supplement", done: "Đã gửi yêu cầu bổ sung cho người nộp", from: [2, 4], label: "Yêu cầu bổ sung giấy tờ", button: "Gửi yêu cầu bổ sung", note: true, noteLabel: "Giấy tờ cần bổ sung và lý do" },
  { name: "request_payment", done: "Đã gửi yêu cầu nộp phí cho người nộp", from: [2, 4], label: "Yêu cầu nộp phí, lệ phí", button: "Gửi yêu cầu nộp phí", note: false, fee: true },
  { name: "confirm_payment", done: "Đã ghi nhận nộp phí", from: [6], label: "Xác nhận đã nộp phí", button: "Xác nhận đã nộp", note: false, primary: true },
  { name: "complete", done: "Đã đánh dấu xử lý xong", from: [4], label: "Hoàn thành xử lý", button: "Đánh dấu đã xử lý xong", note: false, primary: true },
  { name: "return_result", done: "Đã ghi nhận trả kết quả", from: [9], label: "Trả kết quả", button: "Đã trả kết quả", note: false, primary: true },
  { name: "stop", done: "Đã dừng xử lý hồ sơ", from: [2, 4, 5, 6], label: "Dừng xử lý", button: "Dừng xử lý hồ sơ", note: true, danger: true, noteLabel: "Lý do dừng xử lý" },
];

const STALE_MESSAGE = "Hồ sơ vừa được người khác thay đổi (có cán bộ khác hoặc người nộp vừa thao tác) sau khi bạn mở. Hãy tải lại để xem trạng thái mới nhất rồi thao tác lại.";

/** How a status looks: waiting on the citizen stands out, refusals and stops are red. */
function statusTone(status) {
  if (status === 5 || status === 6) return "wait";
  if (status === 3 || status === 7 || status === 8) return "bad";
  if (status === 9 || status === 10) return "ok";
  return "info";
}

function statusChips(dossier) {
  return h("span", { class: "chips" }, chip(dossier.status_name, statusTone(dossier.status)), dossier.overdue ? chip("Quá hạn", "bad") : null, " ");
}

/** The catalogue's procedures (public), for the filter and the figures: names, not codes. */
let procedureList = null;
function procedures(signal) {
  procedureList ||= api.get(`/procedures${api.query({ page_size: 100 })}`, { signal }).catch((error) => {
    procedureList = null;
    throw error;
  });
  return procedureList;
}

// ---- the queue -----------------------------------------------------------------------------------

function queueFilters(ctx, procedureOptions) {
  const status = h("select", { name: "status" }, h("option", { value: "" }, "Mọi hồ sơ đang mở"), OPEN_STATUSES.map(([code, name]) => h("option", { value: String(code) }, name)));
  status.value = ctx.query.get("status") || "";
  const procedure = h("select", { name: "procedure" }, h("option", { value: "" }, "Mọi thủ tục"), procedureOptions.map((item) => h("option", { value: item.code }, item.name)));
  procedure.value = ctx.query.get("procedure") || "";
  const overdue = h("input", { type: "checkbox", name: "overdue", id: "desk-overdue", checked: ctx.query.get("overdue") === "true" });
  const form = h(
    "form",
    { class: "toolbar", role: "search", "aria-label": "Lọc hồ sơ" },
    field("Trạng thái", status),
    field("Thủ tục", procedure),
    h("div", { class: "field desk-check" }, h("label", { for: overdue.id }, overdue, "Chỉ hồ sơ quá hạn")),
    h("button", { type: "submit", class: "button secondary" }, "Lọc"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // The filters live in the address, so a reload or a shared link shows the same list.
    const search = api.query({ status: status.value, procedure: procedure.value, overdue: overdue.checked ? "true" : "" });
    ctx.navigate(`/workspace/desk${search}`);
  });
  return form;
}

function queueTable(rows) {
  return h(
    "table",
    { class: "table desk-queue" },
    h("caption", { class: "visually-hidden" }, "Hồ sơ chờ xử lý, hạn sớm nhất trước"),
    h("thead", {}, h("tr", {}, ["Mã hồ sơ", "Thủ tục", "Trạng thái", "Ngày nộp", "Hạn trả kết quả"].map((title) => h("th", { scope: "col" }, title)))),
    h(
      "tbody",
      {},
      rows.map((dossier) =>
        h(
          "tr",
          { class: dossier.overdue ? "overdue" : null },
          h("td", {}, h("a", { href: dossierPath(dossier.code) }, dossier.code)),
          h("td", {}, dossier.procedure_name),
          h("td", {}, chip(dossier.status_name, statusTone(dossier.status))),
          h("td", {}, formatDateTime(dossier.submitted_at)),
          h("td", {}, formatDate(dossier.due_date), dossier.overdue ? [" ", chip("Quá hạn", "bad")] : null),
        ),
      ),
    ),
  );
}

async function queueScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const filters = {
    status: ctx.query.get("status"),
    procedure: ctx.query.get("procedure"),
    overdue: ctx.query.get("overdue") === "true" ? "true" : "",
  };
  const [listing, catalogue] = await Promise.all([
    api.request(`/staff/dossiers${api.query({ ...filters, page, page_size: PAGE_SIZE })}`, { signal: ctx.signal, remember: false }),
    procedures(ctx.signal).catch(() => []),
  ]);
  const info = api.pageInfo(listing.headers);
  const rows = listing.data || [];
  const total = info?.total ?? rows.length;
  const filtered = filters.status || filters.procedure || filters.overdue;
  return card(
    h("h2", {}, "Hồ sơ chờ xử lý"),
    queueFilters(ctx, catalogue),
    h("p", { class: "muted", role: "status" }, `${total} hồ sơ${filtered ? " khớp bộ lọc" : ""}, hạn trả sớm nhất trước.`),
    rows.length ? queueTable(rows) : empty(filtered ? "Không có hồ sơ nào khớp bộ lọc." : "Không có hồ sơ nào đang chờ xử lý."),
    pager(ctx, info, "/workspace/desk", "Trang danh sách hồ sơ"),
  );
}

// ---- one dossier: the form as people read it -----------------------------------------------------

function fieldsOf(schema) {
  const properties = schema?.properties || {};
  const order = Array.isArray(schema?.["x-order"]) ? schema["x-order"] : [];
  return [...order.filter((name) => name in properties), ...Object.keys(properties).filter((name) => !order.includes(name))];
}

/** [label, value] pairs of the answers, labelled by the form schema's titles, in the form's order. */
function describeAnswers(schema, data, prefix = "") {
  const pairs = [];
  const properties = schema?.properties || {};
  const keys = [...fieldsOf(schema), ...Object.keys(data || {}).filter((key) => !(key in properties))];
  const show = (fieldSchema, value, label) => {
    if (value === null || value === undefined || value === "") return;
    if (Array.isArray(value)) {
      if (value.every((item) => typeof item !== "object")) pairs.push([label, value.join("; ")]);
      else value.forEach((item, index) => pairs.push(...describeAnswers(fieldSchema?.items || {}, item, `${label} ${index + 1} › `)));
    } else if (typeof value === "object") pairs.push(...describeAnswers(fieldSchema || {}, value, `${label} › `));
    else if (typeof value === "boolean") pairs.push([label, value ? "Có" : "Không"]);
    else if (fieldSchema?.format === "date") pairs.push([label, formatDate(value)]);
    else if (typeof value === "number" && /vnd/i.test(label + (fieldSchema?.title || ""))) pairs.push([label, formatMoney(value)]);
    else pairs.push([label, String(value)]);
  };
  for (const key of keys) {
    if (!data || !(key in data)) continue;
    const fieldSchema = properties[key];
    show(fieldSchema, data[key], `${prefix}${fieldSchema?.title || key}`);
  }
  return pairs;
}

function formCard(dossier, procedure) {
  const answers = describeAnswers(procedure?.form_schema || {}, dossier.form_data);
  return card(
    h("h3", {}, procedure?.form_schema?.title || "Tờ khai"),
    procedure ? null : h("p", { class: "hint" }, "Không tải được danh mục thủ tục: các trường hiện theo tên kỹ thuật."),
    answers.length ? facts(answers) : h("p", { class: "muted" }, "Tờ khai không có nội dung."),
  );
}

// ---- attached papers, previewed ------------------------------------------------------------------

function fileSize(bytes) {
  if (!bytes && bytes !== 0) return "";
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function attachmentsCard(ctx, dossier) {
  if (!dossier.attachments.length) return card(h("h3", {}, "Giấy tờ đính kèm"), h("p", { class: "muted" }, "Hồ sơ không có giấy tờ đính kèm."));
  const urls = [];
  ctx.onLeave(() => urls.forEach((url) => URL.revokeObjectURL(url)));
  const items = dossier.attachments.map((attachment) => {
    const name = attachment.title || attachment.filename || "Giấy tờ";
    const preview = h("div", { class: "desk-preview" }, h("p", { class: "muted" }, "Đang tải giấy tờ…"));
    api
      .blobUrl(`${deskApi(dossier.code)}/attachments/${attachment.document_id}/content`)
      .then((url) => {
        urls.push(url);
        const download = h("a", { href: url, download: attachment.filename || "giay-to", class: "button secondary small-button" }, `Tải xuống ${attachment.filename || ""}`.trim());
        if ((attachment.content_type || "").startsWith("image/")) {
          preview.replaceChildren(h("img", { src: url, alt: `${attachment.requirement}: ${name}` }), download);
        } else if (attachment.content_type === "application/pdf") {
          preview.replaceChildren(h("iframe", { src: url, title: `${attachment.requirement}: ${name} (PDF)` }), download);
        } else {
          preview.replaceChildren(download);
        }
      })
      .catch((error) => preview.replaceChildren(errorBox(error)));
    return h(
      "li",
      {},
      h("p", { class: "row-title" }, attachment.requirement),
      h("p", { class: "row-detail" }, [name, attachment.filename && attachment.filename !== name ? attachment.filename : null, fileSize(attachment.size_bytes), `thêm lúc ${formatDateTime(attachment.added_at)}`].filter(Boolean).join(" · ")),
      preview,
    );
  });
  return card(h("h3", {}, `Giấy tờ đính kèm (${dossier.attachments.length})`), h("ul", { class: "desk-documents" }, items));
}

// ---- history --------------------------------------------------------------------------------------

function historyCard(dossier) {
  return card(
    h("h3", {}, "Lịch sử xử lý"),
    h(
      "ol",
      { class: "timeline" },
      dossier.history.map((step) =>
        h(
          "li",
          {},
          h("p", { class: "row-title" }, step.label || step.status_name),
          h("p", { class: "row-detail" }, `${formatDateTime(step.at)} · ${step.actor_name || (step.by === "citizen" ? "Người nộp hồ sơ" : "Cán bộ")} · ${step.status_name}`),
          step.note ? h("p", { class: "step-note" }, step.note) : null,
        ),
      ),
    ),
  );
}

// ---- the steps the status allows -----------------------------------------------------------------

function actionForm(ctx, dossier, etag, action) {
  const id = `action-${action.name}`;
  const note = h("textarea", { name: "note", id: `${id}-note`, maxlength: 2000, required: action.note || null });
  const fee = action.fee ? h("input", { name: "fee_vnd", id: `${id}-fee`, type: "number", inputmode: "numeric", min: 1, step: 1, value: dossier.fee_vnd ?? "" }) : null;
  const submit = h("button", { type: "submit", class: `button${action.danger ? " danger" : ""}` }, action.button);
  const form = h(
    "form",
    { novalidate: true, class: "desk-action", "aria-labelledby": `${id}-heading` },
    fee ? field("Số tiền phí, lệ phí (đồng)", fee, "Số tiền công dân nộp qua ứng dụng; hồ sơ chờ đến khi nộp xong.") : null,
    field(action.note ? `${action.noteLabel || "Nội dung"} (bắt buộc)` : "Ghi chú (không bắt buộc)", note, action.note ? "Người nộp đọc được nội dung này trong lịch sử hồ sơ." : null),
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = { action: action.name };
    if (note.value.trim()) body.note = note.value.trim();
    if (fee && fee.value.trim()) {
      const amount = Number(fee.value);
      // Sent as typed when it is not a whole number, so the API's own message explains it.
      body.fee_vnd = Number.isInteger(amount) ? amount : fee.value;
    }
    busy(submit, "Đang gửi…", async () => {
      try {
        await api.post(`${deskApi(dossier.code)}/actions`, body, { headers: { "If-Match": etag } });
        toast(`${action.done} (hồ sơ ${dossier.code}).`);
        ctx.navigate(location.pathname, { replace: true });
      } catch (error) {
        if (error.status === 412 || error.status === 409) {
          const explained = error.status === 412 ? { message: STALE_MESSAGE, fieldErrors: {} } : error;
          showFieldErrors(form, explained);
          form.querySelector(".form-alert")?.append(h("button", { type: "button", class: "button secondary", onclick: () => ctx.navigate(location.pathname, { replace: true }) }, "Tải lại hồ sơ"));
        } else {
          showFieldErrors(form, error);
        }
      }
    });
  });
  // Each step folds away so the column stays readable; the main next step starts open.
  return h("details", { class: `desk-step${action.danger ? " desk-step-danger" : ""}`, open: action.primary || null }, h("summary", { id: `${id}-heading` }, action.label), form);
}

function actionsCard(ctx, dossier, etag) {
  const allowed = ACTIONS.filter((action) => action.from.includes(dossier.status));
  if (!etag) return card(h("h3", {}, "Xử lý hồ sơ"), h("p", { class: "muted" }, "Cần có mạng để thao tác với hồ sơ."));
  if (!allowed.length) return card(h("h3", {}, "Xử lý hồ sơ"), h("p", { class: "muted" }, "Hồ sơ đã kết thúc, không còn bước nào cần làm."));
  // While the ball is in the citizen's court, say so before the steps still open to the officer.
  const waiting = {
    5: "Đang chờ công dân bổ sung giấy tờ. Hồ sơ tự chuyển xử lý khi họ gửi bổ sung.",
    6: "Đang chờ công dân nộp phí, lệ phí. Nộp trực tuyến thì hồ sơ tự chuyển xử lý; nộp tại quầy thì bạn xác nhận.",
  }[dossier.status];
  return h(
    "section",
    { class: "card desk-actions", "aria-labelledby": "desk-actions-heading" },
    h("h3", { id: "desk-actions-heading" }, "Xử lý hồ sơ"),
    waiting ? h("p", { class: "desk-waiting" }, waiting) : null,
    allowed.map((action) => actionForm(ctx, dossier, etag, action)),
  );
}

function paymentText(dossier) {
  if (!dossier.fee_vnd) return null;
  if (dossier.payment_status === 1) return `${formatMoney(dossier.fee_vnd)} · đã nộp`;
  if (dossier.status === 6) return `${formatMoney(dossier.fee_vnd)} · chờ công dân nộp`;
  return `${formatMoney(dossier.fee_vnd)} · chưa yêu cầu nộp`;
}

function linkedRows(dossier) {
  const rows = [];
  if (dossier.parent_code) rows.push(h("li", {}, "Hồ sơ chính: ", h("a", { href: dossierPath(dossier.parent_code) }, dossier.parent_code)));
  for (const linked of dossier.linked || []) rows.push(h("li", {}, h("a", { href: dossierPath(linked.code) }, linked.code), ` · ${linked.procedure_name} · ${linked.status_name}`));
  return rows.length ? h("div", {}, h("h3", {}, "Hồ sơ liên thông"), h("ul", {}, rows)) : null;
}

async function dossierScreen(ctx) {
  const code = ctx.params.code;
  let response;
  try {
    response = await api.request(deskApi(code), { signal: ctx.signal, remember: false });
  } catch (error) {
    if (error.status !== 404) throw error;
    ctx.setTitle("Không tìm thấy hồ sơ");
    return [errorBox(error), h("a", { class: "button", href: "/workspace/desk" }, "Về hàng đợi hồ sơ")];
  }
  const dossier = response.data;
  const etag = response.headers.get("ETag");
  const procedure = await api.get(`/procedures/${encodeURIComponent(dossier.procedure_code)}`, { signal: ctx.signal }).catch(() => null);
  ctx.setTitle(`Hồ sơ ${dossier.code}`);
  const applicant = dossier.applicant || {};
  return [
    card(
      h("h2", {}, dossier.procedure_name),
      h("p", {}, statusChips(dossier)),
      facts([
        ["Mã hồ sơ", dossier.code],
        ["Người nộp", applicant.full_name],
        ["Số căn cước", applicant.cccd],
        ["Điện thoại", applicant.phone],
        ["Nộp lúc", `${formatDateTime(dossier.submitted_at)}${dossier.submitted_online ? " (trực tuyến)" : ""}`],
        ["Tiếp nhận lúc", dossier.accepted_at ? formatDateTime(dossier.accepted_at) : null],
        ["Hạn trả kết quả", dossier.overdue ? `${formatDate(dossier.due_date)} (đã quá hạn)` : formatDate(dossier.due_date)],
        ["Xử lý xong lúc", dossier.completed_at ? formatDateTime(dossier.completed_at) : null],
        ["Trả kết quả lúc", dossier.returned_at ? formatDateTime(dossier.returned_at) : null],
        ["Cơ quan giải quyết", procedure?.authority_name],
        ["Phí, lệ phí", paymentText(dossier)],
        ["Đánh giá của người nộp", dossier.rating ? `${dossier.rating}/5${dossier.rating_comment ? ` – ${dossier.rating_comment}` : ""}` : null],
      ]),
      linkedRows(dossier),
    ),
    h(
      "div",
      { class: "split" },
      h("div", {}, formCard(dossier, procedure), attachmentsCard(ctx, dossier)),
      h("div", {}, actionsCard(ctx, dossier, etag), historyCard(dossier)),
    ),
    h("p", {}, h("a", { href: "/workspace/desk" }, "‹ Về hàng đợi hồ sơ")),
  ];
}

// ---- the unit's figures ---------------------------------------------------------------------------

function percent(ratio) {
  return ratio === null || ratio === undefined ? "—" : `${Math.round(ratio * 1000) / 10}%`;
}

/** A table of counts with a bar per row, as wide as its share of the largest count. */
function countTable(caption, header, rows) {
  const largest = Math.max(1, ...rows.map((row) => row.count));
  return h(
    "table",
    { class: "table desk-stats" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, header), h("th", { scope: "col" }, "Số hồ sơ"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Biểu đồ")))),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, row.label),
          h("td", { class: "number" }, String(row.count)),
          // Decorative: the number beside it says the same. Width is a class step, since the CSP
          // allows no inline styles.
          h("td", { "aria-hidden": "true" }, h("span", { class: `desk-bar desk-bar-${Math.round((row.count / largest) * 20) * 5}` })),
        ),
      ),
    ),
  );
}

async function statisticsScreen(ctx) {
  const since = ctx.query.get("since") || "";
  const until = ctx.query.get("until") || "";
  const [stats, catalogue] = await Promise.all([
    api.get(`/staff/dossiers/statistics${api.query({ since, until })}`, { signal: ctx.signal, remember: false }),
    procedures(ctx.signal).catch(() => []),
  ]);
  const sinceInput = h("input", { type: "date", name: "since", value: since });
  const untilInput = h("input", { type: "date", name: "until", value: until });
  const form = h("form", { class: "toolbar", "aria-label": "Khoảng thời gian" }, field("Nộp từ ngày", sinceInput), field("Đến ngày", untilInput), h("button", { type: "submit", class: "button secondary" }, "Xem"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.navigate(`/workspace/desk/statistics${api.query({ since: sinceInput.value, until: untilInput.value })}`);
  });
  const names = new Map(catalogue.map((item) => [item.code, item.name]));
  const figure = (label, value) => h("div", { class: "stat" }, h("strong", {}, value), h("span", {}, label));
  return [
    card(
      h("h2", {}, "Thống kê hồ sơ của đơn vị"),
      form,
      h(
        "div",
        { class: "stat-grid" },
        figure("Tổng số hồ sơ", String(stats.total)),
        figure("Đã xử lý xong", String(stats.completed)),
        figure("Tỉ lệ đúng hạn", percent(stats.on_time_ratio)),
        figure("Tỉ lệ nộp trực tuyến", percent(stats.online_ratio)),
        figure("Thời gian xử lý trung bình", stats.average_processing_working_days === null ? "—" : `${stats.average_processing_working_days} ngày làm việc`),
        figure("Đang mở, đã quá hạn", String(stats.overdue_open)),
      ),
    ),
    card(h("h3", {}, "Theo trạng thái"), countTable("Số hồ sơ theo trạng thái", "Trạng thái", stats.by_status.map((row) => ({ label: row.status_name, count: row.count })))),
    card(
      h("h3", {}, "Theo thủ tục"),
      stats.by_procedure.length
        ? countTable("Số hồ sơ theo thủ tục", "Thủ tục", stats.by_procedure.map((row) => ({ label: names.get(row.procedure_code) || row.procedure_code, count: row.count })))
        : empty("Chưa có hồ sơ nào trong khoảng thời gian này."),
    ),
  ];
}

// "/desk/statistics" before "/desk/:code", which would otherwise take "statistics" for a code.
export const routes = [
  { path: "/desk", title: "Hồ sơ một cửa", nav: "Một cửa", roles: ROLES, auth: true, render: queueScreen },
  { path: "/desk/statistics", title: "Thống kê một cửa", nav: "Thống kê một cửa", roles: ROLES, auth: true, render: statisticsScreen },
  { path: "/desk/:code", title: "Hồ sơ", roles: ROLES, auth: true, render: dossierScreen },
];
