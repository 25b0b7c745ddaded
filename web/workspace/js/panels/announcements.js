// Internal announcements. For every staff member: what was addressed to them, newest first, and
// the reading view (opening it is the read receipt); the unread count beside the navigation entry,
// and an important unread announcement as a banner under the top bar until it is opened.
// For comms (and admins): writing one to all staff or some roles, optionally one ward, and what
// was sent with how many of those addressed have read it.

import * as api from "../../../shared/api.js";
import { busy, card, chip, clearFieldErrors, empty, errorBox, field, formatDateTime, h, pager, showFieldErrors } from "../../../shared/ui.js";
import { wardCodeInput } from "../../../shared/wards.js";
import { ROLE_NAMES } from "../staff.js";
import { COMMS_ROLES, PAGE_SIZE, flash, flashLine } from "./comms-common.js";

const INBOX = "/announcements";
const readPath = (id) => `/workspace/announcements/${encodeURIComponent(id)}`;

// ---- the chrome: unread count and the banner ------------------------------------------------------

let chromeRequest = 0;

/** The unread count beside "Thông báo nội bộ", and the banner of the newest important unread one. */
async function refreshChrome() {
  const ticket = ++chromeRequest;
  let counts;
  let important = [];
  try {
    counts = await api.get("/staff/announcements/unread", { remember: false });
    if (counts.important) important = await api.get(`/staff/announcements${api.query({ unread: "true", importance: "important", page_size: 1 })}`, { remember: false });
  } catch {
    return; // the count is a convenience: the inbox itself says what there is
  }
  if (ticket !== chromeRequest) return;
  const link = document.querySelector(`#nav a[data-path="${INBOX}"]`);
  if (link) {
    link.querySelector(".nav-count")?.remove();
    if (counts.unread) {
      link.append(h("span", { class: "nav-count" }, h("span", { "aria-hidden": "true" }, String(counts.unread)), h("span", { class: "visually-hidden" }, `, ${counts.unread} chưa đọc`)));
    }
  }
  showBanner(important[0]);
}

function showBanner(announcement) {
  document.getElementById("announcement-banner")?.remove();
  if (!announcement) return;
  const banner = h(
    "aside",
    { id: "announcement-banner", class: "announcement-banner", "aria-label": "Thông báo quan trọng chưa đọc" },
    h("strong", {}, "Thông báo quan trọng: "),
    h("span", {}, announcement.title),
    " ",
    h("a", { class: "button small-button", href: readPath(announcement.id) }, "Mở đọc"),
  );
  document.querySelector(".topbar")?.after(banner);
}

/** Called by the workspace when someone signs in (or comes back signed in). */
export function onSignedIn() {
  refreshChrome();
}

export function onSignedOut() {
  chromeRequest++;
  document.getElementById("announcement-banner")?.remove();
}

// ---- what was addressed to me ---------------------------------------------------------------------

async function inboxScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const listing = await api.request(`/staff/announcements${api.query({ page, page_size: PAGE_SIZE })}`, { signal: ctx.signal, remember: false });
  const rows = listing.data || [];
  refreshChrome();
  return card(
    h("h2", {}, "Thông báo nội bộ"),
    rows.length
      ? h(
          "ul",
          { class: "rows announcement-list" },
          rows.map((item) =>
            h(
              "li",
              { class: item.read ? null : "unread" },
              h(
                "a",
                { class: "row", href: readPath(item.id) },
                h("span", { class: "row-text" }, h("span", { class: "row-title" }, item.title), h("span", { class: "row-detail" }, `${item.author_name || "Cán bộ truyền thông"} · ${formatDateTime(item.published_at)}`)),
                h("span", { class: "chips" }, item.importance === "important" ? chip("Quan trọng", "bad") : null, item.read ? chip("Đã đọc", "ok") : chip("Chưa đọc", "wait")),
              ),
            ),
          ),
        )
      : empty("Chưa có thông báo nội bộ nào gửi tới bạn."),
    pager(ctx, api.pageInfo(listing.headers), "/workspace/announcements", "Trang thông báo nội bộ"),
  );
}

async function readScreen(ctx) {
  let item;
  try {
    // Opened: the receipt is recorded (once) and the announcement comes back with it.
    item = await api.post(`/staff/announcements/${encodeURIComponent(ctx.params.id)}/read`, undefined, { signal: ctx.signal });
  } catch (error) {
    if (error.status !== 404 && error.status !== 422) throw error;
    ctx.setTitle("Không tìm thấy thông báo");
    return [errorBox(error), h("a", { class: "button", href: "/workspace/announcements" }, "Về thông báo nội bộ")];
  }
  ctx.setTitle(item.title);
  refreshChrome();
  return [
    card(
      h("h2", {}, item.title),
      h("p", { class: "chips" }, item.importance === "important" ? chip("Quan trọng", "bad") : null),
      h("p", { class: "muted" }, `${item.author_name || "Cán bộ truyền thông"} · ${formatDateTime(item.published_at)}`),
      h("div", { class: "announcement-body" }, item.body),
    ),
    h("p", {}, h("a", { href: "/workspace/announcements" }, "‹ Về thông báo nội bộ")),
  ];
}

// ---- comms: writing and what was sent ---------------------------------------------------------------

// Every staff role (api/auth/policy.py STAFF_ROLES), as the workspace names them.
const ROLES = ["officer", "police", "comms", "agent", "leader", "admin"];

function writeScreen(ctx) {
  const title = h("input", { name: "title", required: true, maxlength: 200 });
  const body = h("textarea", { name: "body", rows: 8, required: true, maxlength: 5000 });
  const everyone = h("input", { type: "radio", name: "to", id: "to-all", value: "all", checked: true });
  const some = h("input", { type: "radio", name: "to", id: "to-roles", value: "roles" });
  const roleBoxes = ROLES.map((role) => h("input", { type: "checkbox", name: "roles", value: role, id: `role-${role}` }));
  const rolesSet = h(
    "fieldset",
    { class: "announcement-roles", "data-field": "roles" },
    h("legend", {}, "Các vai trò nhận"),
    roleBoxes.map((box) => h("label", { for: box.id }, box, ROLE_NAMES[box.value] || box.value)),
  );
  rolesSet.hidden = true;
  const follow = () => {
    rolesSet.hidden = !some.checked;
  };
  everyone.addEventListener("change", follow);
  some.addEventListener("change", follow);
  const [ward, wards] = wardCodeInput("ward_code", "");
  const important = h("input", { type: "checkbox", name: "importance", id: "announcement-important" });
  const send = h("button", { type: "submit", class: "button" }, "Gửi thông báo");
  const form = h(
    "form",
    { novalidate: true, class: "comms-form" },
    field("Tiêu đề", title),
    field("Nội dung", body, "Văn bản thuần, giữ nguyên xuống dòng; tối đa 5.000 ký tự."),
    h(
      "fieldset",
      {},
      h("legend", {}, "Gửi tới"),
      h("label", { class: "comms-choice", for: everyone.id }, everyone, "Mọi cán bộ"),
      h("label", { class: "comms-choice", for: some.id }, some, "Chỉ một số vai trò"),
      rolesSet,
      field("Chỉ cán bộ của phường/xã (mã, không bắt buộc)", ward, "Gõ tên phường/xã để chọn; để trống để gửi mọi đơn vị."),
      wards,
    ),
    h("div", { class: "field comms-check" }, h("label", { for: important.id }, important, "Quan trọng: hiện nổi bật cho người nhận tới khi họ mở đọc")),
    h("div", { class: "comms-buttons" }, send),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const payload = { title: title.value.trim(), body: body.value, importance: important.checked ? "important" : "normal" };
    if (some.checked) payload.roles = roleBoxes.filter((box) => box.checked).map((box) => box.value);
    if (ward.value.trim()) payload.ward_code = ward.value.trim();
    busy(send, "Đang gửi…", async () => {
      clearFieldErrors(form);
      try {
        const sent = await api.post("/comms/announcements", payload);
        flash(`Đã gửi thông báo "${sent.title}" tới ${sent.recipients} cán bộ.`);
        ctx.navigate("/workspace/comms/announcements", { replace: true });
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return [card(h("h2", {}, "Viết thông báo nội bộ"), form), h("p", {}, h("a", { href: "/workspace/comms/announcements" }, "‹ Về thông báo đã gửi"))];
}

async function sentScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const listing = await api.request(`/comms/announcements${api.query({ page, page_size: PAGE_SIZE })}`, { signal: ctx.signal, remember: false });
  const rows = listing.data || [];
  return [
    flashLine(),
    card(
      h("div", { class: "comms-heading" }, h("h2", {}, "Thông báo nội bộ đã gửi"), h("a", { class: "button", href: "/workspace/comms/announcements/new" }, "Viết thông báo")),
      rows.length
        ? h(
            "table",
            { class: "table comms-table" },
            h("caption", { class: "visually-hidden" }, "Thông báo nội bộ đã gửi, mới nhất trước, với số người đã đọc"),
            h("thead", {}, h("tr", {}, ["Tiêu đề", "Gửi tới", "Người gửi", "Lúc", "Đã đọc"].map((heading) => h("th", { scope: "col" }, heading)))),
            h(
              "tbody",
              {},
              rows.map((item) =>
                h(
                  "tr",
                  {},
                  h("td", {}, item.title, item.importance === "important" ? [" ", chip("Quan trọng", "bad")] : null),
                  h("td", {}, item.audience.label),
                  h("td", {}, item.created_by_name || "—"),
                  h("td", {}, formatDateTime(item.published_at)),
                  h("td", { class: "number" }, `${item.read}/${item.recipients} đã đọc`),
                ),
              ),
            ),
          )
        : empty("Chưa gửi thông báo nội bộ nào."),
      pager(ctx, api.pageInfo(listing.headers), "/workspace/comms/announcements", "Trang thông báo đã gửi"),
    ),
  ];
}

export const routes = [
  { path: INBOX, title: "Thông báo nội bộ", nav: "Thông báo nội bộ", auth: true, render: inboxScreen },
  { path: "/announcements/:id", title: "Thông báo nội bộ", auth: true, render: readScreen },
  { path: "/comms/announcements", title: "Thông báo nội bộ đã gửi", nav: "Thông báo đã gửi", roles: COMMS_ROLES, auth: true, render: sentScreen },
  { path: "/comms/announcements/new", title: "Viết thông báo nội bộ", roles: COMMS_ROLES, auth: true, render: writeScreen },
];
