// Administration (admins only): staff accounts — list, create, edit role and unit, lock and unlock,
// reset two-factor sign-in — the machine accounts, and the audit log.
//
// The API decides and audits everything (api/auth/admin.py); this panel asks for confirmation
// before anything that cuts a person off (locking, a new role, a two-factor reset all end their
// sessions at once), sends the ETag of the account on screen with every edit (If-Match), and shows
// the API's own message when it refuses.

import * as api from "../../../shared/api.js";
import { busy, card, chip, clearFieldErrors, empty, errorBox, facts, field, formatDateTime, h, pager, showFieldErrors, toast } from "../../../shared/ui.js";
import { wardCodeInput } from "../../../shared/wards.js";
import { ROLE_NAMES, me } from "../staff.js";

const ROLES = ["admin"]; // api/auth/admin.py: ADMINS = Staff("admin")
const PAGE_SIZE = 20;
const staffPath = (id) => `/workspace/admin/staff/${encodeURIComponent(id)}`;
const staffApi = (id) => `/admin/staff/${encodeURIComponent(id)}`;
const STALE_MESSAGE = "Hồ sơ tài khoản vừa được người khác thay đổi sau khi bạn mở. Hãy tải lại để xem thông tin mới nhất rồi sửa lại.";

// The roles as the API names them (api/auth/schemas.py STAFF_ROLE_NAMES), in the order offered.
const ROLE_OPTIONS = [
  ["officer", "Cán bộ một cửa"],
  ["police", "Công an"],
  ["comms", "Truyền thông"],
  ["agent", "Tổng đài viên"],
  ["admin", "Quản trị viên"],
];

function roleSelect(name, value, { any = false } = {}) {
  const select = h("select", { name }, any ? h("option", { value: "" }, "Mọi vai trò") : null, ROLE_OPTIONS.map(([code, label]) => h("option", { value: code }, label)));
  select.value = value || "";
  return select;
}

function stateChips(account) {
  return h("span", { class: "chips" }, account.active ? chip("Đang hoạt động", "ok") : chip("Đã khóa", "bad"), account.totp_enabled ? chip("Có xác thực 2 lớp", "info") : null);
}

/**
 * Ask before an action that cuts someone off: a modal dialog naming the person and what happens.
 * Resolves true when confirmed.
 */
function confirmAction({ title, text, confirm }) {
  return new Promise((resolve) => {
    const headingId = `confirm-${Math.random().toString(36).slice(2, 8)}`;
    const yes = h("button", { type: "button", class: "button danger" }, confirm);
    const no = h("button", { type: "button", class: "button secondary" }, "Hủy");
    const dialog = h("dialog", { class: "admin-dialog", "aria-labelledby": headingId }, h("h2", { id: headingId }, title), h("p", {}, text), h("div", { class: "admin-buttons" }, yes, no));
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener("click", () => close(true));
    no.addEventListener("click", () => close(false));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

// ---- staff accounts: the list ---------------------------------------------------------------------

function staffFilters(ctx) {
  const q = h("input", { type: "search", name: "q", value: ctx.query.get("q") || "", maxlength: 100 });
  const role = roleSelect("role", ctx.query.get("role"), { any: true });
  const state = h("select", { name: "active" }, h("option", { value: "" }, "Mọi trạng thái"), h("option", { value: "true" }, "Đang hoạt động"), h("option", { value: "false" }, "Đã khóa"));
  state.value = ctx.query.get("active") || "";
  const form = h(
    "form",
    { class: "toolbar", role: "search", "aria-label": "Lọc tài khoản cán bộ" },
    field("Họ tên hoặc tên đăng nhập", q),
    field("Vai trò", role),
    field("Trạng thái", state),
    h("button", { type: "submit", class: "button secondary" }, "Lọc"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.navigate(`/workspace/admin/staff${api.query({ q: q.value.trim(), role: role.value, active: state.value })}`);
  });
  return form;
}

function staffTable(rows) {
  return h(
    "table",
    { class: "table admin-table" },
    h("caption", { class: "visually-hidden" }, "Tài khoản cán bộ, theo họ tên"),
    h("thead", {}, h("tr", {}, ["Họ tên", "Tên đăng nhập", "Vai trò", "Đơn vị", "Trạng thái", "Ngày tạo"].map((title) => h("th", { scope: "col" }, title)))),
    h(
      "tbody",
      {},
      rows.map((account) =>
        h(
          "tr",
          { class: account.active ? null : "admin-locked" },
          h("td", {}, h("a", { href: staffPath(account.id) }, account.full_name)),
          h("td", {}, account.username),
          h("td", {}, account.role_name),
          h("td", {}, account.ward_name || "Cấp tỉnh"),
          h("td", {}, stateChips(account)),
          h("td", {}, formatDateTime(account.created_at)),
        ),
      ),
    ),
  );
}

async function staffListScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const filters = { q: ctx.query.get("q"), role: ctx.query.get("role"), active: ctx.query.get("active") };
  const listing = await api.request(`/admin/staff${api.query({ ...filters, page, page_size: PAGE_SIZE })}`, { signal: ctx.signal, remember: false });
  const info = api.pageInfo(listing.headers);
  const rows = listing.data || [];
  const filtered = filters.q || filters.role || filters.active;
  return card(
    h("div", { class: "admin-heading" }, h("h2", {}, "Tài khoản cán bộ"), h("a", { class: "button", href: "/workspace/admin/staff/new" }, "Thêm tài khoản")),
    staffFilters(ctx),
    h("p", { class: "muted", role: "status" }, `${info?.total ?? rows.length} tài khoản${filtered ? " khớp bộ lọc" : ""}.`),
    rows.length ? staffTable(rows) : empty(filtered ? "Không có tài khoản nào khớp bộ lọc." : "Chưa có tài khoản cán bộ nào."),
    pager(ctx, info, "/workspace/admin/staff", "Trang danh sách tài khoản"),
  );
}

// ---- staff accounts: a new one ------------------------------------------------------------------

function createdCard(account) {
  return card(
    h("h2", {}, "Đã tạo tài khoản"),
    facts([
      ["Họ tên", account.full_name],
      ["Tên đăng nhập", account.username],
      ["Vai trò", account.role_name],
      ["Đơn vị", account.ward_name || "Cấp tỉnh"],
    ]),
    account.generated_password
      ? h(
          "div",
          { class: "admin-secret" },
          h("p", {}, "Mật khẩu khởi tạo (chỉ hiện một lần, hãy trao tận tay cán bộ và đề nghị họ đổi ngay khi đăng nhập):"),
          h("p", { class: "admin-password" }, h("code", {}, account.generated_password)),
        )
      : h("p", {}, "Cán bộ đăng nhập bằng mật khẩu bạn vừa đặt; hãy đề nghị họ đổi ngay khi đăng nhập."),
    h("p", { class: "admin-buttons" }, h("a", { class: "button", href: staffPath(account.id) }, "Xem tài khoản"), h("a", { class: "button secondary", href: "/workspace/admin/staff/new" }, "Thêm tài khoản khác")),
  );
}

function createScreen() {
  const username = h("input", { name: "username", autocomplete: "off", required: true, maxlength: 64, spellcheck: "false" });
  const fullName = h("input", { name: "full_name", required: true, maxlength: 120 });
  const role = roleSelect("role", "officer");
  const [ward, wards] = wardCodeInput("ward_code", "");
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password", maxlength: 256 });
  const submit = h("button", { type: "submit", class: "button" }, "Tạo tài khoản");
  const form = h(
    "form",
    { novalidate: true, class: "admin-form" },
    field("Tên đăng nhập", username, "3–64 ký tự: chữ không dấu, số, dấu chấm, gạch ngang."),
    field("Họ tên", fullName),
    field("Vai trò", role),
    field("Mã phường/xã nơi làm việc", ward, "Gõ tên phường/xã để chọn; để trống nếu làm việc ở cấp tỉnh."),
    wards,
    field("Mật khẩu khởi tạo", password, "Để trống để hệ thống tạo mật khẩu ngẫu nhiên (hiện một lần). Tự đặt: ít nhất 12 ký tự, có cả chữ và số hoặc ký hiệu."),
    submit,
  );
  const holder = h("div", {}, card(h("h2", {}, "Thêm tài khoản cán bộ"), form), h("p", {}, h("a", { href: "/workspace/admin/staff" }, "‹ Về danh sách tài khoản")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = { username: username.value.trim(), full_name: fullName.value.trim(), role: role.value, ward_code: ward.value.trim() || null };
    if (password.value) body.password = password.value;
    busy(submit, "Đang tạo…", async () => {
      try {
        const account = await api.post("/admin/staff", body);
        toast(`Đã tạo tài khoản ${account.username}.`);
        holder.replaceChildren(createdCard(account), h("p", {}, h("a", { href: "/workspace/admin/staff" }, "‹ Về danh sách tài khoản")));
        holder.querySelector("h2").setAttribute("tabindex", "-1");
        holder.querySelector("h2").focus();
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return holder;
}

// ---- staff accounts: one ------------------------------------------------------------------------

function editForm(ctx, account, etag) {
  const fullName = h("input", { name: "full_name", required: true, maxlength: 120, value: account.full_name });
  const role = roleSelect("role", account.role);
  const [ward, wards] = wardCodeInput("ward_code", account.ward_code);
  const submit = h("button", { type: "submit", class: "button" }, "Lưu thay đổi");
  const form = h(
    "form",
    { novalidate: true, class: "admin-form", "aria-labelledby": "admin-edit-heading" },
    field("Họ tên", fullName),
    field("Vai trò", role, "Đổi vai trò sẽ đăng xuất cán bộ khỏi mọi thiết bị."),
    field("Mã phường/xã nơi làm việc", ward, "Để trống nếu làm việc ở cấp tỉnh."),
    wards,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = {};
    if (fullName.value.trim() !== account.full_name) body.full_name = fullName.value.trim();
    if (role.value !== account.role) body.role = role.value;
    const wardCode = ward.value.trim() || null;
    if (wardCode !== (account.ward_code || null)) body.ward_code = wardCode;
    if (!Object.keys(body).length) {
      toast("Không có gì thay đổi.");
      return;
    }
    if (body.role) {
      const newRole = ROLE_NAMES[body.role] || body.role;
      const sure = await confirmAction({
        title: "Đổi vai trò?",
        text: `${account.full_name} sẽ chuyển sang vai trò "${newRole}" và bị đăng xuất khỏi mọi thiết bị ngay lập tức.`,
        confirm: "Đổi vai trò",
      });
      if (!sure) return;
    }
    busy(submit, "Đang lưu…", async () => {
      try {
        await api.patch(staffApi(account.id), body, { headers: { "If-Match": etag } });
        toast("Đã lưu thay đổi.");
        ctx.navigate(location.pathname, { replace: true });
      } catch (error) {
        showStale(ctx, form, error);
      }
    });
  });
  return h("section", { class: "card" }, h("h3", { id: "admin-edit-heading" }, "Sửa thông tin"), form);
}

/** The API's refusal next to the form; a stale copy (412) explained, with a reload. */
function showStale(ctx, form, error) {
  if (error.status !== 412) {
    showFieldErrors(form, error);
    return;
  }
  showFieldErrors(form, { message: STALE_MESSAGE, fieldErrors: {} });
  form.querySelector(".form-alert")?.append(h("button", { type: "button", class: "button secondary", onclick: () => ctx.navigate(location.pathname, { replace: true }) }, "Tải lại"));
}

function actionButton(ctx, account, { label, path, ask, done, danger = false }) {
  const button = h("button", { type: "button", class: `button${danger ? " danger" : " secondary"}` }, label);
  const problem = h("div", { class: "admin-action-error" });
  button.addEventListener("click", async () => {
    problem.replaceChildren();
    if (ask && !(await confirmAction(ask))) return;
    busy(button, "Đang thực hiện…", async () => {
      try {
        await api.post(`${staffApi(account.id)}/${path}`);
        toast(done);
        ctx.navigate(location.pathname, { replace: true });
      } catch (error) {
        problem.replaceChildren(errorBox(error));
      }
    });
  });
  return [button, problem];
}

function actionsCard(ctx, account, self) {
  const heading = h("h3", {}, "Khóa, mở khóa, xác thực hai lớp");
  if (self) {
    return card(heading, h("p", { class: "muted" }, "Đây là tài khoản của bạn: việc khóa tài khoản, đổi vai trò hay đặt lại xác thực hai lớp cần một quản trị viên khác thực hiện."));
  }
  const who = `${account.full_name} (${account.username})`;
  const action = (text, options) => h("div", { class: "admin-action" }, h("p", {}, text), actionButton(ctx, account, options));
  const lock = account.active
    ? action("Khóa tài khoản: cán bộ không đăng nhập được nữa và bị đăng xuất khỏi mọi thiết bị ngay.", {
        label: "Khóa tài khoản",
        path: "deactivate",
        danger: true,
        done: `Đã khóa tài khoản ${account.username}.`,
        ask: { title: "Khóa tài khoản?", text: `${who} sẽ bị đăng xuất khỏi mọi thiết bị ngay lập tức và không đăng nhập được cho đến khi được mở khóa.`, confirm: "Khóa tài khoản" },
      })
    : action("Tài khoản đang bị khóa. Mở khóa để cán bộ đăng nhập lại bằng mật khẩu cũ.", {
        label: "Mở khóa tài khoản",
        path: "activate",
        done: `Đã mở khóa tài khoản ${account.username}.`,
      });
  const totp = account.totp_enabled
    ? action("Đặt lại xác thực hai lớp khi cán bộ mất điện thoại: họ đăng nhập bằng mật khẩu rồi đăng ký lại.", {
        label: "Đặt lại xác thực hai lớp",
        path: "totp-reset",
        danger: true,
        done: `Đã đặt lại xác thực hai lớp của ${account.username}.`,
        ask: { title: "Đặt lại xác thực hai lớp?", text: `${who} sẽ bị đăng xuất khỏi mọi thiết bị và phải đăng ký lại ứng dụng xác thực sau khi đăng nhập.`, confirm: "Đặt lại" },
      })
    : null;
  return card(heading, lock, totp);
}

async function staffScreen(ctx) {
  let response;
  try {
    response = await api.request(staffApi(ctx.params.id), { signal: ctx.signal, remember: false });
  } catch (error) {
    if (error.status !== 404 && error.status !== 422) throw error;
    ctx.setTitle("Không tìm thấy tài khoản");
    return [errorBox(error), h("a", { class: "button", href: "/workspace/admin/staff" }, "Về danh sách tài khoản")];
  }
  const account = response.data;
  const etag = response.headers.get("ETag");
  const self = (await me()).id === account.id;
  ctx.setTitle(account.full_name);
  return [
    card(
      h("h2", {}, account.full_name),
      h("p", {}, stateChips(account)),
      facts([
        ["Tên đăng nhập", account.username],
        ["Vai trò", account.role_name],
        ["Đơn vị", account.ward_name ? `${account.ward_name} (${account.ward_code})` : "Cấp tỉnh"],
        ["Xác thực hai lớp", account.totp_enabled ? "Đã bật" : "Chưa bật"],
        ["Ngày tạo", formatDateTime(account.created_at)],
        ["Đổi mật khẩu lần cuối", formatDateTime(account.password_changed_at)],
      ]),
      h("p", {}, h("a", { href: `/workspace/admin/audit${api.query({ actor: `staff:${account.id}` })}` }, "Xem nhật ký thao tác của cán bộ này")),
    ),
    h("div", { class: "split" }, editForm(ctx, account, etag), actionsCard(ctx, account, self)),
    h("p", {}, h("a", { href: "/workspace/admin/staff" }, "‹ Về danh sách tài khoản")),
  ];
}

// ---- machine accounts -----------------------------------------------------------------------------

async function serviceAccountsScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const listing = await api.request(`/admin/service-accounts${api.query({ page, page_size: PAGE_SIZE })}`, { signal: ctx.signal, remember: false });
  const rows = listing.data || [];
  return card(
    h("h2", {}, "Tài khoản hệ thống"),
    h("p", { class: "muted" }, "Các hệ thống kết nối với Công dân số (máy chủ chatbot, camera giao thông…) và quyền được cấp. Khóa bí mật không bao giờ hiện ở đây."),
    rows.length
      ? h(
          "table",
          { class: "table admin-table" },
          h("caption", { class: "visually-hidden" }, "Tài khoản hệ thống"),
          h("thead", {}, h("tr", {}, ["Tên", "Mã ứng dụng (client id)", "Quyền", "Trạng thái", "Ngày tạo"].map((title) => h("th", { scope: "col" }, title)))),
          h(
            "tbody",
            {},
            rows.map((account) =>
              h(
                "tr",
                {},
                h("td", {}, account.name),
                h("td", {}, h("code", {}, account.client_id)),
                h("td", {}, account.scopes.length ? h("span", { class: "chips" }, account.scopes.map((scope) => chip(scope, "info"))) : "—"),
                h("td", {}, account.active ? chip("Đang hoạt động", "ok") : chip("Đã khóa", "bad")),
                h("td", {}, formatDateTime(account.created_at)),
              ),
            ),
          ),
        )
      : empty("Chưa có tài khoản hệ thống nào."),
    pager(ctx, api.pageInfo(listing.headers), "/workspace/admin/service-accounts", "Trang danh sách tài khoản hệ thống"),
  );
}

// ---- the audit log --------------------------------------------------------------------------------

// Vietnamese names of the actions the API records (record_audit calls); others show as recorded.
const ACTION_NAMES = {
  "auth.staff_sign_in": "Cán bộ đăng nhập",
  "auth.citizen_sign_in": "Công dân đăng nhập",
  "auth.sign_out": "Đăng xuất",
  "auth.password_change": "Đổi mật khẩu",
  "auth.totp_enabled": "Bật xác thực hai lớp",
  "auth.refresh_reuse": "Mã làm mới bị dùng lại",
  "auth.service_token": "Hệ thống lấy mã truy cập",
  "auth.api_key": "Hệ thống dùng khóa API",
  "staff.created": "Tạo tài khoản cán bộ",
  "staff.updated": "Sửa tài khoản cán bộ",
  "staff.deactivated": "Khóa tài khoản cán bộ",
  "staff.activated": "Mở khóa tài khoản cán bộ",
  "staff.totp_reset": "Đặt lại xác thực hai lớp",
  "dossier.read": "Xem hồ sơ",
  "dossier.document_read": "Xem giấy tờ trong hồ sơ",
  "records.read": "Xem hồ sơ hộ tịch",
  "records.import": "Nhập dữ liệu hộ tịch",
  "report.read": "Xem phản ánh",
  "report.identity_read": "Xem danh tính người phản ánh",
  "report.comment": "Bình luận phản ánh",
  "fine.search": "Tra cứu vi phạm",
  "fine.evidence_read": "Xem hình ảnh vi phạm",
  "fine.cancel": "Hủy quyết định xử phạt",
  "fine.import": "Nhập dữ liệu vi phạm",
  "payment.refund": "Hoàn tiền",
  "benefit.beneficiary_search": "Tra cứu người hưởng trợ cấp",
  "chat.transcript_read": "Xem nội dung trò chuyện",
  "chat.handoff_accepted": "Nhận cuộc trò chuyện",
  "chat.agent_replied": "Tổng đài viên trả lời",
  "chat.handoff_closed": "Kết thúc cuộc trò chuyện",
  "dashboard.export": "Tải số liệu tổng hợp",
  "dashboard.report_made": "Lập báo cáo định kỳ",
  "announcement.published": "Gửi thông báo nội bộ",
  "campaign.approved": "Duyệt chiến dịch thông báo",
  "citizen.phone_changed": "Công dân đổi số điện thoại",
};
const OUTCOMES = { success: ["Thành công", "ok"], denied: ["Bị từ chối", "bad"] };
const REASONS = { bad_password: "sai mật khẩu", unknown_or_disabled: "tài khoản không tồn tại hoặc đã khóa", bad_totp: "sai mã xác thực", bad_client: "sai thông tin hệ thống", scope_not_granted: "không được cấp quyền" };
const DETAIL_NAMES = { sessions_revoked: "phiên bị thu hồi", reason: "lý do", role: "vai trò", username: "tên đăng nhập", ward_code: "đơn vị", password_generated: "mật khẩu do hệ thống tạo", changes: "thay đổi" };

/** Staff named in a page of entries (actor or target "staff:<id>"), by id, in one request. */
async function staffNames(entries, signal) {
  const ids = new Set();
  for (const entry of entries) {
    for (const subject of [entry.actor, entry.target]) if (subject?.startsWith("staff:")) ids.add(subject.slice(6));
  }
  if (!ids.size) return new Map();
  const search = new URLSearchParams({ page_size: "100" });
  for (const id of ids) search.append("id", id);
  const found = await api.get(`/admin/staff?${search}`, { signal, remember: false }).catch(() => []);
  return new Map(found.map((account) => [account.id, account]));
}

function subjectText(subject, names) {
  if (!subject) return "—";
  const [kind, id] = [subject.slice(0, subject.indexOf(":")), subject.slice(subject.indexOf(":") + 1)];
  if (kind === "staff") {
    const account = names.get(id);
    return account ? `${account.full_name} (${account.username})` : "Cán bộ (tài khoản không còn)";
  }
  if (kind === "citizen") return "Công dân";
  if (kind === "service") return "Tài khoản hệ thống";
  if (kind === "username") return `Tên đăng nhập "${id}"`;
  if (kind === "session") return "Phiên đăng nhập";
  return subject;
}

/** A recorded value as people read it: roles by name, an empty value as "trống". */
function shown(name, value) {
  if (value === null || value === undefined || value === "") return "trống";
  return name === "role" ? ROLE_NAMES[value] || value : value;
}

function detailText(entry) {
  const parts = [];
  for (const [key, value] of Object.entries(entry.detail || {})) {
    if (key === "changes" && value && typeof value === "object") {
      for (const [name, pair] of Object.entries(value)) parts.push(`${DETAIL_NAMES[name] || name}: ${shown(name, pair[0])} → ${shown(name, pair[1])}`);
    } else if (key === "reason") parts.push(`lý do: ${REASONS[value] || value}`);
    else if (key === "role") parts.push(`vai trò: ${shown(key, value)}`);
    else if (typeof value === "boolean") parts.push(`${DETAIL_NAMES[key] || key}: ${value ? "có" : "không"}`);
    else if (value !== null && typeof value !== "object") parts.push(`${DETAIL_NAMES[key] || key}: ${value}`);
  }
  return parts.join("; ");
}

// What the log can be narrowed by, as the address keeps it (the API's query parameters).
const AUDIT_FILTERS = ["action", "actor", "from", "to"];

function auditFilters(ctx) {
  const actions = h("datalist", { id: "audit-actions" }, Object.entries(ACTION_NAMES).map(([code, label]) => h("option", { value: code }, label)));
  const action = h("input", { name: "action", list: "audit-actions", value: ctx.query.get("action") || "", autocomplete: "off", maxlength: 64 });
  const actor = h("input", { name: "actor_username", value: ctx.query.get("actor_username") || "", autocomplete: "off", maxlength: 64 });
  const from = h("input", { name: "from", type: "date", value: ctx.query.get("from") || "" });
  const to = h("input", { name: "to", type: "date", value: ctx.query.get("to") || "" });
  const form = h(
    "form",
    { class: "toolbar", role: "search", "aria-label": "Lọc nhật ký" },
    field("Hành động", action),
    actions,
    field("Tên đăng nhập người thực hiện", actor),
    field("Từ ngày", from),
    field("Đến ngày", to),
    h("button", { type: "submit", class: "button secondary" }, "Lọc"),
    AUDIT_FILTERS.some((name) => ctx.query.get(name)) ? h("a", { class: "button secondary", href: "/workspace/admin/audit" }, "Bỏ lọc") : null,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    busy(form.querySelector("button[type=submit]"), "Đang tìm…", async () => {
      let actorId = "";
      const username = actor.value.trim().toLowerCase();
      if (username) {
        // The log records people by id: find the account by its username first.
        const found = await api.get(`/admin/staff${api.query({ q: username, page_size: 100 })}`, { remember: false }).catch(() => []);
        const account = found.find((item) => item.username === username);
        if (!account) {
          showFieldErrors(form, { message: "Không có cán bộ nào có tên đăng nhập này.", fieldErrors: { actor_username: [`Không có cán bộ nào có tên đăng nhập "${username}".`] } });
          return;
        }
        actorId = `staff:${account.id}`;
      }
      if (from.value && to.value && from.value > to.value) {
        showFieldErrors(form, { message: "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", fieldErrors: { from: ["Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."] } });
        return;
      }
      ctx.navigate(`/workspace/admin/audit${api.query({ action: action.value.trim(), actor: actorId, actor_username: username, from: from.value, to: to.value })}`);
    });
  });
  return form;
}

async function auditScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const filters = Object.fromEntries(AUDIT_FILTERS.map((name) => [name, ctx.query.get(name)]));
  const listing = await api.request(`/admin/audit${api.query({ ...filters, page, page_size: PAGE_SIZE })}`, { signal: ctx.signal, remember: false });
  const entries = listing.data || [];
  const info = api.pageInfo(listing.headers);
  const names = await staffNames(entries, ctx.signal);
  const actorName = filters.actor ? subjectText(filters.actor, await staffNames([{ actor: filters.actor }], ctx.signal)) : null;
  const filtered = AUDIT_FILTERS.some((name) => filters[name]);
  return card(
    h("h2", {}, "Nhật ký kiểm toán"),
    auditFilters(ctx),
    h(
      "p",
      { class: "muted", role: "status" },
      `${info?.total ?? entries.length} mục${filtered ? " khớp bộ lọc" : ""}${actorName ? ` · người thực hiện: ${actorName}` : ""}, mới nhất trước.`,
    ),
    entries.length
      ? h(
          "table",
          { class: "table admin-table admin-audit" },
          h("caption", { class: "visually-hidden" }, "Nhật ký kiểm toán, mới nhất trước"),
          h("thead", {}, h("tr", {}, ["Thời điểm", "Hành động", "Người thực hiện", "Đối tượng", "Kết quả", "Chi tiết"].map((title) => h("th", { scope: "col" }, title)))),
          h(
            "tbody",
            {},
            entries.map((entry) => {
              const [outcome, tone] = OUTCOMES[entry.outcome] || [entry.outcome, "info"];
              const targetId = entry.target?.startsWith("staff:") ? entry.target.slice(6) : null;
              return h(
                "tr",
                {},
                h("td", {}, formatDateTime(entry.at)),
                h("td", {}, ACTION_NAMES[entry.action] || entry.action),
                h("td", {}, subjectText(entry.actor, names)),
                h("td", {}, targetId && names.has(targetId) ? h("a", { href: staffPath(targetId) }, subjectText(entry.target, names)) : subjectText(entry.target, names)),
                h("td", {}, chip(outcome, tone)),
                h("td", { class: "admin-detail" }, [detailText(entry), entry.ip ? `IP ${entry.ip}` : null].filter(Boolean).join(" · ")),
              );
            }),
          ),
        )
      : empty(filtered ? "Không có mục nào khớp bộ lọc." : "Nhật ký chưa có mục nào."),
    pager(ctx, info, "/workspace/admin/audit", "Trang nhật ký"),
  );
}

// "/admin/staff/new" before "/admin/staff/:id", which would otherwise take "new" for an id.
export const routes = [
  { path: "/admin/staff", title: "Tài khoản cán bộ", nav: "Tài khoản cán bộ", roles: ROLES, auth: true, render: staffListScreen },
  { path: "/admin/staff/new", title: "Thêm tài khoản cán bộ", roles: ROLES, auth: true, render: createScreen },
  { path: "/admin/staff/:id", title: "Tài khoản cán bộ", roles: ROLES, auth: true, render: staffScreen },
  { path: "/admin/service-accounts", title: "Tài khoản hệ thống", nav: "Tài khoản hệ thống", roles: ROLES, auth: true, render: serviceAccountsScreen },
  { path: "/admin/audit", title: "Nhật ký kiểm toán", nav: "Nhật ký", roles: ROLES, auth: true, render: auditScreen },
];
