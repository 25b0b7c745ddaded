// Comms: the FAQ the chatbot learns from (and the app shows). The entries (searched, a page at a
// time), adding one, and editing one; a key never changes, since it is the chatbot's faq/<key>.

import * as api from "../../../shared/api.js";
import { busy, card, chip, clearFieldErrors, empty, errorBox, field, formatDateTime, h, pager, showFieldErrors } from "../../../shared/ui.js";
import { me } from "../staff.js";
import { COMMS_ROLES, PAGE_SIZE, categories, categorySelect, flash, flashLine, person } from "./comms-common.js";

const faqPath = (key) => `/workspace/comms/faq/${encodeURIComponent(key)}`;
const faqApi = (key) => `/staff/content/faq/${encodeURIComponent(key)}`;

// ---- the list -----------------------------------------------------------------------------------

/** A page of the entries: the API answers them all (a few hundred at most), the screen pages them. */
function pageOf(ctx, rows) {
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(Math.max(1, Number(ctx.query.get("page")) || 1), pages);
  const nav = pager(ctx, { page, total_pages: pages }, "/workspace/comms/faq", "Trang danh sách hỏi đáp");
  return [rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), nav];
}

async function listScreen(ctx) {
  const q = ctx.query.get("q") || "";
  const entries = await api.get(`/staff/content/faq${api.query({ q })}`, { signal: ctx.signal, remember: false });
  const search = h("input", { type: "search", name: "q", maxlength: 200, value: q });
  const form = h("form", { class: "toolbar", role: "search", "aria-label": "Tìm hỏi đáp" }, field("Tìm theo mã, câu hỏi, câu trả lời", search), h("button", { type: "submit", class: "button secondary" }, "Tìm"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.navigate(`/workspace/comms/faq${api.query({ q: search.value.trim() })}`);
  });
  const [shown, nav] = pageOf(ctx, entries);
  return [
    flashLine(),
    card(
      h("div", { class: "comms-heading" }, h("h2", {}, "Hỏi đáp (nguồn của trợ lý ảo)"), h("a", { class: "button", href: "/workspace/comms/faq/new" }, "Thêm câu hỏi")),
      form,
      h("p", { class: "muted", role: "status" }, `${entries.length} mục${q ? " khớp từ khóa" : ""}.`),
      shown.length
        ? h(
            "table",
            { class: "table comms-table" },
            h("caption", { class: "visually-hidden" }, "Các mục hỏi đáp, theo mã"),
            h("thead", {}, h("tr", {}, ["Mã", "Câu hỏi", "Chủ đề", "Trạng thái", "Phiên bản"].map((title) => h("th", { scope: "col" }, title)))),
            h(
              "tbody",
              {},
              shown.map((entry) =>
                h(
                  "tr",
                  {},
                  h("td", { class: "comms-key" }, h("a", { href: faqPath(entry.key) }, entry.key)),
                  h("td", {}, entry.questions[0]),
                  h("td", {}, entry.category_name || entry.category),
                  h("td", {}, entry.active ? chip("Đang dùng", "ok") : chip("Không dùng", "info")),
                  h("td", {}, String(entry.version)),
                ),
              ),
            ),
          )
        : empty(q ? "Không có mục nào khớp từ khóa." : "Chưa có mục hỏi đáp nào."),
      nav,
    ),
  ];
}

// ---- one entry ----------------------------------------------------------------------------------

/** `etag`: the entry's, as read; an edit sends it back as If-Match (412 if it changed meanwhile). */
function entryForm(ctx, list, entry, etag = null) {
  const key = h("input", { name: "key", required: true, pattern: "[a-z][a-z0-9_]{1,62}", maxlength: 63, spellcheck: "false", value: entry?.key || "", disabled: Boolean(entry) });
  const questions = h("textarea", { name: "questions", rows: 5, required: true }, (entry?.questions || []).join("\n"));
  const answer = h("textarea", { name: "answer", rows: 5, required: true, maxlength: 4000 }, entry?.answer || "");
  const category = categorySelect("category", list, entry?.category);
  const active = h("input", { type: "checkbox", name: "active", id: "faq-active", checked: entry ? entry.active : true });
  const save = h("button", { type: "submit", class: "button" }, "Lưu");
  const form = h(
    "form",
    { novalidate: true, class: "comms-form" },
    field("Mã (chữ thường không dấu, số, dấu _)", key, entry ? "Mã không đổi được: đó là tên câu hỏi trong trợ lý ảo." : null),
    field("Các cách hỏi (mỗi dòng một câu, ít nhất 2)", questions),
    field("Câu trả lời", answer),
    field("Chủ đề", category),
    h("div", { class: "field comms-check" }, h("label", { for: active.id }, active, "Đang dùng")),
    h("div", { class: "comms-buttons" }, save),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {
      questions: questions.value
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean),
      answer: answer.value,
      category: category.value,
      active: active.checked,
    };
    busy(save, "Đang lưu…", async () => {
      clearFieldErrors(form);
      try {
        const saved = entry ? await api.patch(faqApi(entry.key), body, { headers: { "If-Match": etag } }) : await api.post("/staff/content/faq", { key: key.value.trim(), ...body });
        flash(`Đã lưu mục hỏi đáp "${saved.key}" (phiên bản ${saved.version}).`);
        ctx.navigate(faqPath(saved.key), { replace: true });
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return form;
}

async function newScreen(ctx) {
  const list = await categories();
  return [
    card(h("h2", {}, "Mục hỏi đáp mới"), h("p", { class: "muted" }, "Trợ lý ảo học mục này ở lần xuất dữ liệu và huấn luyện tiếp theo."), entryForm(ctx, list, null)),
    h("p", {}, h("a", { href: "/workspace/comms/faq" }, "‹ Về danh sách hỏi đáp")),
  ];
}

async function entryScreen(ctx) {
  let entry;
  let etag;
  try {
    const response = await api.request(faqApi(ctx.params.key), { signal: ctx.signal, remember: false });
    entry = response.data;
    etag = response.headers.get("ETag");
  } catch (error) {
    if (error.status !== 404) throw error;
    ctx.setTitle("Không tìm thấy mục hỏi đáp");
    return [errorBox(error), h("a", { class: "button", href: "/workspace/comms/faq" }, "Về danh sách hỏi đáp")];
  }
  const [list, who] = await Promise.all([categories(), me()]);
  ctx.setTitle(entry.questions[0]);
  return [
    flashLine(),
    card(
      h("h2", {}, entry.questions[0]),
      h("p", { class: "muted" }, `Phiên bản ${entry.version} · sửa lần cuối ${formatDateTime(entry.updated_at)} bởi ${person(entry.updated_by, entry.updated_by_name, who)}`),
      entryForm(ctx, list, entry, etag),
    ),
    h("p", {}, h("a", { href: "/workspace/comms/faq" }, "‹ Về danh sách hỏi đáp")),
  ];
}

export const routes = [
  { path: "/comms/faq", title: "Hỏi đáp", nav: "Hỏi đáp", roles: COMMS_ROLES, auth: true, render: listScreen },
  { path: "/comms/faq/new", title: "Mục hỏi đáp mới", roles: COMMS_ROLES, auth: true, render: newScreen },
  { path: "/comms/faq/:key", title: "Hỏi đáp", roles: COMMS_ROLES, auth: true, render: entryScreen },
];
