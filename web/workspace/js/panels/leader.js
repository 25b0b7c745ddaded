// The leaders' dashboard (lãnh đạo, and admins): the province's — or one ward's — figures for a
// period at a glance (dossiers, reports, traffic fines, benefits, the call centre, campaigns), as
// tiles and charts, with the same figures to download as CSV or Excel; and the weekly and monthly
// reports the scheduler makes for them, each showing the figures frozen when it was made.
//
// The API computes every figure and decides who sees which ward (api/dashboard): a leader of one
// ward gets that ward only, whatever the address says. This panel draws what it answers; the
// period and the ward live in the address, so a reload or a shared link shows the same screen.

import * as api from "../../../shared/api.js";
import { barChart, columnChart, formatNumber, formatPercent } from "../../../shared/chart.js";
import { busy, chip, empty, errorBox, field, formatDate, formatDateTime, formatMoney, h, pager, showFieldErrors } from "../../../shared/ui.js";
import { me } from "../staff.js";

const ROLES = ["leader", "admin"]; // api/dashboard/routes.py: Staff("leader", "admin")
const PAGE_SIZE = 20;
const REPORTS_PATH = "/leader/reports";
const oneDecimal = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
const KINDS = { weekly: "Tuần", monthly: "Tháng" };

// ---- formats ----------------------------------------------------------------------------------------

/** Shown for a figure with nothing to count yet (a ratio over zero, a median of nothing). */
function none() {
  return h("span", { class: "leader-none", title: "Chưa có dữ liệu" }, h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, "Chưa có dữ liệu"));
}

const percent = (ratio) => (ratio === null || ratio === undefined ? null : formatPercent(ratio));
const count = (value) => (value === null || value === undefined ? null : formatNumber(value));
const money = (amount) => (amount === null || amount === undefined ? null : formatMoney(amount));

/** 35 phút · 3,5 giờ */
function hours(value) {
  if (value === null || value === undefined) return null;
  return value < 1 ? `${Math.round(value * 60)} phút` : `${oneDecimal.format(value)} giờ`;
}

/** 45 giây · 2 phút 5 giây · 1 giờ 3 phút */
function duration(seconds) {
  if (seconds === null || seconds === undefined) return null;
  const total = Math.round(seconds);
  if (total < 60) return `${total} giây`;
  if (total < 3600) {
    const rest = total % 60;
    return `${Math.floor(total / 60)} phút${rest ? ` ${rest} giây` : ""}`;
  }
  const minutes = Math.round((total % 3600) / 60);
  return `${Math.floor(total / 3600)} giờ${minutes ? ` ${minutes} phút` : ""}`;
}

const score = (average) => (average === null || average === undefined ? null : `${oneDecimal.format(average)}/5`);

// ---- the period ---------------------------------------------------------------------------------------

/** Today's date in Vietnam, "2026-12-07": the API's periods are Vietnam calendar days. */
function vietnamToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

const isoDate = (date) => date.toISOString().slice(0, 10);
function dateOf(text) {
  const [year, month, day] = text.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day));
}

/** The quick periods, each ending today: [label, from, to]. */
function quickPeriods() {
  const today = vietnamToday();
  const end = dateOf(today);
  const back = (days) => isoDate(new Date(end.getTime() - days * 86_400_000));
  const year = end.getUTCFullYear();
  const month = end.getUTCMonth();
  return [
    ["7 ngày", back(6), today],
    ["30 ngày", back(29), today],
    ["Tháng này", isoDate(new Date(Date.UTC(year, month, 1))), today],
    ["Quý này", isoDate(new Date(Date.UTC(year, month - (month % 3), 1))), today],
  ];
}

// ---- the unread reports' count, beside the navigation entry ----------------------------------------------

/** Puts the number of unread periodic reports next to "Báo cáo định kỳ" in the navigation. */
async function showUnread(known) {
  const unread = known ?? (await api.get(`${REPORTS_PATH}/unread`, { remember: false }).then((answer) => answer.unread).catch(() => null));
  const link = document.querySelector(`#nav a[data-path="${REPORTS_PATH}"]`);
  if (!link || unread === null) return;
  link.querySelector(".leader-badge")?.remove();
  if (unread > 0) link.append(" ", h("span", { class: "leader-badge" }, String(unread), h("span", { class: "visually-hidden" }, " chưa đọc")));
}

/** Called by the workspace's shell (main.js) when someone signs in, or comes back signed in. */
export function onSignedIn(who) {
  if (ROLES.includes(who.role)) showUnread();
}

// ---- downloads ------------------------------------------------------------------------------------------

/** "Tải CSV" and "Tải Excel": the API wants the bearer token, so the file is fetched and saved from a blob. */
function exportButtons(path, params, period) {
  const problem = h("div", { class: "leader-export-error" });
  const button = (format, label) => {
    const element = h("button", { type: "button", class: "button secondary" }, label);
    element.addEventListener("click", () =>
      busy(element, "Đang tải…", async () => {
        problem.replaceChildren();
        try {
          const url = await api.blobUrl(`${path}${api.query({ ...params, format })}`);
          const link = h("a", { href: url, download: `bao-cao-${period.from}-${period.to}.${format}`, hidden: true });
          document.body.append(link);
          link.click();
          link.remove();
          setTimeout(() => URL.revokeObjectURL(url), 60_000);
        } catch (error) {
          problem.replaceChildren(errorBox(error));
        }
      }),
    );
    return element;
  };
  return h("div", { class: "leader-export" }, h("div", { class: "leader-buttons" }, button("csv", "Tải CSV"), button("xlsx", "Tải Excel")), problem);
}

// ---- the figures: tiles and charts (the dashboard and a periodic report draw the same) -----------------------

function tile(label, value, detail) {
  return h("div", { class: "leader-tile" }, h("dt", {}, label), h("dd", { class: "leader-value" }, value === null ? none() : value), detail ? h("dd", { class: "leader-detail" }, detail) : null);
}

let sectionCounter = 0;
function section(title, tiles, ...more) {
  const id = `leader-section-${++sectionCounter}`;
  return h("section", { class: "card leader-section", "aria-labelledby": id }, h("h3", { id }, title), h("dl", { class: "leader-tiles" }, tiles), ...more);
}

/** "1/2 hồ sơ" under a ratio, when there is something to count. */
const outOf = (part, whole, noun) => (whole ? `${formatNumber(part)}/${formatNumber(whole)} ${noun}` : null);

function figures(data, { scope }) {
  const { dossiers, reports, fines, benefits, call_centre: calls, campaigns } = data;
  const days = dossiers.by_day.map((day) => formatDate(day.date));
  return [
    section(
      "Hồ sơ",
      [
        tile("Tiếp nhận", count(dossiers.received), `${formatNumber(dossiers.finished)} đã xử lý xong`),
        tile("Đúng hạn", percent(dossiers.on_time_ratio), outOf(dossiers.finished_on_time, dossiers.finished, "hồ sơ đã xử lý xong")),
        tile("Trực tuyến", percent(dossiers.online_share), outOf(dossiers.online, dossiers.received, "hồ sơ tiếp nhận")),
        tile("Quá hạn", count(dossiers.overdue_open), "đang mở, đã quá hạn"),
      ],
      h(
        "div",
        { class: "leader-charts" },
        columnChart({
          title: "Hồ sơ theo ngày",
          labels: days,
          labelName: "Ngày",
          series: [
            { name: "Tiếp nhận", values: dossiers.by_day.map((day) => day.received) },
            { name: "Xử lý xong", values: dossiers.by_day.map((day) => day.finished) },
          ],
        }),
        barChart({
          title: "Hồ sơ tiếp nhận theo thủ tục",
          labelName: "Thủ tục",
          valueName: "Số hồ sơ",
          rows: dossiers.by_procedure.map((row) => ({ label: row.name || row.code, value: row.received })),
          empty: `Chưa có hồ sơ nào ${scope}.`,
        }),
        barChart({
          title: "Hồ sơ tiếp nhận theo phường, xã",
          labelName: "Phường, xã",
          valueName: "Số hồ sơ",
          rows: dossiers.by_ward.map((row) => ({ label: row.ward_name || row.ward_code, value: row.received })),
          empty: `Chưa có hồ sơ nào ${scope}.`,
        }),
      ),
    ),
    section(
      "Phản ánh",
      [
        tile("Tiếp nhận", count(reports.received), `${formatNumber(reports.open)} đang mở`),
        tile("Đã xử lý", count(reports.resolved)),
        tile("Phản hồi lần đầu (trung vị)", hours(reports.median_first_response_hours)),
        tile("Xử lý xong (trung vị)", hours(reports.median_resolution_hours)),
      ],
      h(
        "div",
        { class: "leader-charts" },
        barChart({
          title: "Phản ánh theo lĩnh vực",
          labelName: "Lĩnh vực",
          valueName: "Số phản ánh",
          rows: reports.by_category.map((row) => ({ label: row.name || row.code, value: row.count })),
          empty: `Chưa có phản ánh nào ${scope}.`,
        }),
      ),
    ),
    section("Vi phạm giao thông", [
      tile("Đã nộp phạt", percent(fines.paid_share), outOf(fines.paid, fines.issued, "quyết định")),
      tile("Số tiền đã nộp", money(fines.amount_paid_vnd), `trên ${formatMoney(fines.amount_issued_vnd)} đã ra quyết định`),
      tile("Nộp trực tuyến", percent(fines.paid_online_share)),
    ]),
    section("An sinh xã hội", [
      tile("Không dùng tiền mặt", percent(benefits.cashless_share), outOf(benefits.cashless, benefits.paid, "khoản đã chi trả")),
      tile("Số tiền đã chi trả", money(benefits.amount_paid_vnd), `${formatNumber(benefits.paid)}/${formatNumber(benefits.payments)} khoản`),
    ]),
    section("Tổng đài", [
      tile("Cuộc trò chuyện", count(calls.conversations)),
      tile("Chuyển người trực", count(calls.handoffs), calls.handoff_share === null ? null : `${formatPercent(calls.handoff_share)} số cuộc`),
      tile("Chờ (trung vị)", duration(calls.median_wait_seconds)),
      tile("Hài lòng", score(calls.satisfaction_average), `${formatNumber(calls.satisfaction_responses)} lượt đánh giá`),
    ]),
    section("Chiến dịch thông báo", [
      tile("Tiếp cận", percent(campaigns.delivery_share), outOf(campaigns.delivered, campaigns.recipients, "người nhận")),
      tile("Đã mở", percent(campaigns.open_share), `${formatNumber(campaigns.sent)} chiến dịch đã gửi`),
    ]),
  ];
}

/** "từ 08/11/2026 đến 07/12/2026, toàn tỉnh" — what the figures cover. */
function periodText(period) {
  return `từ ${formatDate(period.from)} đến ${formatDate(period.to)}, ${period.ward_name || (period.ward_code ? `phường/xã ${period.ward_code}` : "toàn tỉnh")}`;
}

// ---- "Tổng quan": the dashboard ----------------------------------------------------------------------------

function filterForm(ctx, filters, wards, locked) {
  const from = h("input", { type: "date", name: "from", value: filters.from });
  const to = h("input", { type: "date", name: "to", value: filters.to });
  const ward = h(
    "select",
    { name: "ward", disabled: Boolean(locked) },
    locked ? null : h("option", { value: "" }, "Toàn tỉnh"),
    wards.map((item) => h("option", { value: item.code }, item.name)),
  );
  ward.value = filters.ward;
  const go = (params) => ctx.navigate(`/workspace/leader${api.query(params)}`);
  const quick = quickPeriods().map(([label, start, end]) =>
    h(
      "button",
      { type: "button", class: "button secondary", "aria-pressed": String(start === filters.from && end === filters.to), onclick: () => go({ from: start, to: end, ward: locked ? "" : ward.value }) },
      label,
    ),
  );
  const form = h(
    "form",
    { class: "toolbar leader-filters", role: "search", "aria-label": "Kỳ báo cáo và địa bàn", novalidate: true },
    field("Từ ngày", from),
    field("Đến ngày", to),
    field("Phường, xã", ward, locked ? "Tài khoản của bạn chỉ xem được phường, xã này." : null),
    h("button", { type: "submit", class: "button" }, "Xem"),
    h("div", { class: "leader-quick", role: "group", "aria-label": "Chọn nhanh kỳ báo cáo" }, quick),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go({ from: from.value, to: to.value, ward: locked ? "" : ward.value });
  });
  return form;
}

async function overviewScreen(ctx) {
  const who = await me();
  // A leader of one ward sees that ward only (the API forces it); admins choose, whatever their unit.
  const locked = who.role === "leader" && who.ward_code ? who.ward_code : null;
  const asked = { from: ctx.query.get("from") || "", to: ctx.query.get("to") || "", ward: locked ? "" : ctx.query.get("ward") || "" };
  const wards = locked ? Promise.resolve([{ code: who.ward_code, name: who.ward_name || who.ward_code }]) : api.get("/reports/wards", { signal: ctx.signal }).catch(() => []);
  let data = null;
  let problem = null;
  try {
    data = await api.get(`/leader/dashboard${api.query(asked)}`, { signal: ctx.signal, remember: false });
  } catch (error) {
    // A period or ward the API refuses: its message beside the filters, which stay to fix it.
    if (error.status !== 422 && error.status !== 403) throw error;
    problem = error;
  }
  showUnread();
  const shown = { from: data?.period.from || asked.from, to: data?.period.to || asked.to, ward: locked || data?.period.ward_code || asked.ward };
  const form = filterForm(ctx, shown, await wards, locked);
  if (problem) {
    showFieldErrors(form, problem);
    return h("div", { class: "leader" }, h("section", { class: "card" }, h("h2", {}, "Tổng quan"), form));
  }
  const scope = "trong kỳ này";
  return h(
    "div",
    { class: "leader" },
    h(
      "section",
      { class: "card" },
      h("div", { class: "leader-heading" }, h("h2", {}, "Tổng quan"), exportButtons("/leader/dashboard/export", { from: data.period.from, to: data.period.to, ward: data.period.ward_code }, data.period)),
      form,
      h("p", { class: "muted", role: "status" }, `Số liệu ${periodText(data.period)}.`),
    ),
    figures(data, { scope }),
  );
}

// ---- "Báo cáo định kỳ": the list and one report ----------------------------------------------------------------

const reportPath = (id) => `/workspace${REPORTS_PATH}/${encodeURIComponent(id)}`;
const readChip = (report) => (report.read ? chip("Đã đọc", "ok") : chip("Chưa đọc", "wait"));

async function reportsScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const [listing, unread] = await Promise.all([
    api.request(`${REPORTS_PATH}${api.query({ page, page_size: PAGE_SIZE })}`, { signal: ctx.signal, remember: false }),
    api.get(`${REPORTS_PATH}/unread`, { signal: ctx.signal, remember: false }),
  ]);
  showUnread(unread.unread);
  const rows = listing.data || [];
  const info = api.pageInfo(listing.headers);
  const who = await me();
  const nothing =
    who.role === "leader" && who.ward_code
      ? "Báo cáo định kỳ là số liệu toàn tỉnh, gửi lãnh đạo cấp tỉnh; số liệu của phường, xã bạn có ở mục Tổng quan."
      : "Chưa có báo cáo định kỳ nào. Báo cáo tuần được lập sau mỗi Chủ nhật, báo cáo tháng sau ngày cuối tháng.";
  return h(
    "section",
    { class: "card leader" },
    h("h2", {}, "Báo cáo định kỳ"),
    h("p", { class: "muted", role: "status" }, `${formatNumber(info?.total ?? rows.length)} báo cáo, ${formatNumber(unread.unread)} chưa đọc; mới nhất trước.`),
    rows.length
      ? h(
          "table",
          { class: "table leader-reports" },
          h("caption", { class: "visually-hidden" }, "Báo cáo định kỳ, mới nhất trước"),
          h("thead", {}, h("tr", {}, ["Báo cáo", "Loại", "Kỳ báo cáo", "Lập lúc", "Trạng thái"].map((title) => h("th", { scope: "col" }, title)))),
          h(
            "tbody",
            {},
            rows.map((report) =>
              h(
                "tr",
                { class: report.read ? null : "leader-unread" },
                h("td", {}, h("a", { href: reportPath(report.id) }, report.title)),
                h("td", {}, KINDS[report.kind] || report.kind),
                h("td", {}, `${formatDate(report.period_from)} – ${formatDate(report.period_to)}`),
                h("td", {}, formatDateTime(report.generated_at)),
                h("td", {}, readChip(report)),
              ),
            ),
          ),
        )
      : empty(nothing),
    pager(ctx, info, `/workspace${REPORTS_PATH}`, "Trang danh sách báo cáo"),
  );
}

async function reportScreen(ctx) {
  let report;
  try {
    report = await api.get(`${REPORTS_PATH}/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal, remember: false });
  } catch (error) {
    // Not there, or not for this leader (a ward's leader reads no province-wide report).
    if (![403, 404, 422].includes(error.status)) throw error;
    ctx.setTitle(error.status === 403 ? "Không xem được báo cáo" : "Không tìm thấy báo cáo");
    return [errorBox(error), h("a", { class: "button", href: `/workspace${REPORTS_PATH}` }, "Về danh sách báo cáo")];
  }
  ctx.setTitle(report.title);
  showUnread(); // opening it has just marked it read
  const period = report.figures.period;
  return h(
    "div",
    { class: "leader" },
    h(
      "section",
      { class: "card" },
      h("div", { class: "leader-heading" }, h("h2", {}, report.title), exportButtons(`${REPORTS_PATH}/${encodeURIComponent(report.id)}/export`, {}, { from: report.period_from, to: report.period_to })),
      h("p", {}, chip(`Báo cáo ${(KINDS[report.kind] || report.kind).toLowerCase()}`, "info")),
      h("p", { class: "muted" }, `Số liệu ${periodText(period)}, chốt lúc ${formatDateTime(report.generated_at)}: báo cáo không thay đổi khi dữ liệu được cập nhật sau đó.`),
    ),
    figures(report.figures, { scope: "trong kỳ báo cáo" }),
    h("p", {}, h("a", { href: `/workspace${REPORTS_PATH}` }, "‹ Về danh sách báo cáo")),
  );
}

export const routes = [
  { path: "/leader", title: "Tổng quan", nav: "Tổng quan", roles: ROLES, auth: true, render: overviewScreen },
  { path: REPORTS_PATH, title: "Báo cáo định kỳ", nav: "Báo cáo định kỳ", roles: ROLES, auth: true, render: reportsScreen },
  { path: `${REPORTS_PATH}/:id`, title: "Báo cáo định kỳ", roles: ROLES, auth: true, render: reportScreen },
];
