// What every screen draws with: elements, formats (dates in Vietnam's time, money in đồng),
// status chips, the field errors the API names, busy buttons, toasts and empty states.

const TIME_ZONE = "Asia/Ho_Chi_Minh";

/** h("p", {class: "x", onclick}, "text", child) — children may be strings, nodes, arrays, null. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : String(child));
  }
}

const dateFormat = new Intl.DateTimeFormat("vi-VN", { timeZone: TIME_ZONE, day: "2-digit", month: "2-digit", year: "numeric" });
const dateTimeFormat = new Intl.DateTimeFormat("vi-VN", {
  timeZone: TIME_ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const moneyFormat = new Intl.NumberFormat("vi-VN");

/** 07/12/2026 — a date-only string ("2026-12-07") is a calendar day, not midnight UTC. */
export function formatDate(value) {
  if (!value) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [year, month, day] = value.split("-");
    return `${day}/${month}/${year}`;
  }
  return dateFormat.format(new Date(value));
}

export function formatDateTime(value) {
  return value ? dateTimeFormat.format(new Date(value)) : "—";
}

/** 1.500.000 đ */
export function formatMoney(amount) {
  return amount === null || amount === undefined ? "—" : `${moneyFormat.format(amount)} đ`;
}

/** A status as the API labels it; `tone` is one of ok, wait, bad, info. */
export function chip(label, tone = "info") {
  return h("span", { class: `chip chip-${tone}` }, label);
}

/** A definition list of [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(([, value]) => value !== undefined && value !== null && value !== "").map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
  );
}

export function card(...children) {
  return h("section", { class: "card" }, ...children);
}

/** A tappable row linking to `href`: title, a secondary line, a chip on the right. */
export function linkRow(href, title, detail, status) {
  return h(
    "li",
    {},
    h("a", { class: "row", href }, h("span", { class: "row-text" }, h("span", { class: "row-title" }, title), detail ? h("span", { class: "row-detail" }, detail) : null), status || null),
  );
}

export function list(rows, emptyText) {
  if (!rows.length) return empty(emptyText);
  return h("ul", { class: "rows" }, rows);
}

export function empty(text, action) {
  return h("div", { class: "empty" }, h("p", {}, text), action || null);
}

/** The API's message for a failed action, with what the citizen can do next. */
export function errorBox(error, retry) {
  return h(
    "div",
    { class: "error-box", role: "alert" },
    h("p", {}, error.message || String(error)),
    error.requestId ? h("p", { class: "muted small" }, `Mã yêu cầu (đọc cho tổng đài viên): ${error.requestId}`) : null,
    retry ? h("button", { type: "button", class: "button secondary", onclick: retry }, "Thử lại") : null,
  );
}

/**
 * Show the API's field errors next to their fields in `form`: an input whose name (or
 * data-field) is the error's field path gets aria-invalid and a message it is described by.
 * Errors that match no field go to the form's alert. Returns true when at least one was placed.
 */
export function showFieldErrors(form, error) {
  clearFieldErrors(form);
  const unplaced = [];
  let first = null;
  for (const [field, messages] of Object.entries(error.fieldErrors || {})) {
    const input = findField(form, field);
    if (!input) {
      unplaced.push(`${field}: ${messages.join(" ")}`);
      continue;
    }
    const id = `error-${field.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
    const message = h("p", { class: "field-error", id }, messages.join(" "));
    const holder = input.closest(".field") || input.parentElement;
    holder.append(message);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
    first ||= input;
  }
  let alert = form.querySelector(".form-alert");
  if (!alert) {
    alert = h("div", { class: "form-alert", tabindex: "-1" });
    form.prepend(alert);
  }
  alert.replaceChildren(...(first && !unplaced.length ? [] : [errorBox(error)]), ...unplaced.map((line) => h("p", { class: "field-error" }, line)));
  (first || alert).focus?.();
  return Boolean(first);
}

function findField(form, field) {
  const candidates = [field, field.replace(/^form\./, ""), field.replace(/\.\d+$/, "")];
  for (const name of candidates) {
    const found = form.querySelector(`[name="${CSS.escape(name)}"], [data-field="${CSS.escape(name)}"]`);
    if (found) return found;
  }
  return null;
}

export function clearFieldErrors(form) {
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    const kept = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.startsWith("error-"));
    if (kept.length) node.setAttribute("aria-describedby", kept.join(" "));
    else node.removeAttribute("aria-describedby");
  });
  form.querySelector(".form-alert")?.replaceChildren();
}

/** Run `work` with the button disabled and saying what is happening; returns work's result. */
export async function busy(button, text, work) {
  const before = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = text;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = before;
  }
}

let toastTimer = null;
export function toast(text) {
  const node = document.getElementById("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), 5000);
}

/** A labelled form field: label, control, optional hint. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintNode = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintNode);
}

/** A "n giờ/ngày trước" style age, for data shown offline. */
export function age(timestamp) {
  const minutes = Math.round((Date.now() - timestamp) / 60000);
  if (minutes < 1) return "vừa xong";
  if (minutes < 60) return `${minutes} phút trước`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} giờ trước`;
  return `${Math.round(hours / 24)} ngày trước`;
}

/** Previous/next links for a paged list whose filters live in the address (`ctx.query`);
 *  nothing when everything fits on one page. `info` is api.pageInfo(headers). */
export function pager(ctx, info, base, label) {
  if (!info || info.total_pages <= 1) return null;
  const page = info.page || 1;
  const link = (target, text) => {
    const search = new URLSearchParams(ctx.query);
    search.set("page", String(target));
    return h("a", { class: "button secondary", href: `${base}?${search}` }, text);
  };
  return h(
    "nav",
    { class: "pager", "aria-label": label },
    page > 1 ? link(page - 1, "‹ Trang trước") : null,
    h("span", {}, `Trang ${page}/${info.total_pages}`),
    page < info.total_pages ? link(page + 1, "Trang sau ›") : null,
  );
}
