// Comms: policy articles. The list (by status, searched, paged); writing one; and one article with
// only the workflow steps the API offers this officer now (`allowed_actions`: an author never sees
// "publish" on their own work), the sanitised body previewed where it cannot run, and its figures.
//
// Every change sends back as If-Match the ETag of the article on screen; the API refuses a change
// made on a stale copy (412) and says so.

import * as api from "../../../shared/api.js";
import { busy, card, chip, clearFieldErrors, empty, errorBox, facts, field, formatDateTime, h, pager, showFieldErrors } from "../../../shared/ui.js";
import { me } from "../staff.js";
import { COMMS_ROLES, PAGE_SIZE, categories, categorySelect, flash, flashLine, number, person, showOnly } from "./comms-common.js";

const articlePath = (id) => `/workspace/comms/articles/${encodeURIComponent(id)}`;
const articleApi = (id) => `/staff/content/articles/${encodeURIComponent(id)}`;

const STATUSES = [
  ["draft", "Bản nháp"],
  ["review", "Chờ duyệt"],
  ["published", "Đã đăng"],
  ["unpublished", "Đã gỡ"],
  ["archived", "Lưu trữ"],
];
const TONES = { draft: "wait", review: "wait", published: "ok", unpublished: "info", archived: "info" };

// The workflow steps, in the order offered; the API's `allowed_actions` decides which are shown.
const ACTIONS = [
  ["submit", "Gửi duyệt", "Đã gửi bài viết để duyệt."],
  ["publish", "Duyệt và đăng", "Đã duyệt và đăng bài viết."],
  ["return", "Trả lại để sửa", "Đã trả lại bài viết cho người viết."],
  ["unpublish", "Gỡ bài", "Đã gỡ bài viết."],
  ["archive", "Lưu trữ", "Đã lưu trữ bài viết."],
  ["restore", "Khôi phục", "Đã khôi phục bài viết thành bản nháp."],
];

// ---- the list -----------------------------------------------------------------------------------

function listFilters(ctx) {
  const status = h("select", { name: "status" }, h("option", { value: "" }, "Mọi trạng thái"), STATUSES.map(([code, name]) => h("option", { value: code }, name)));
  status.value = ctx.query.get("status") || "";
  const q = h("input", { type: "search", name: "q", maxlength: 200, value: ctx.query.get("q") || "" });
  const form = h(
    "form",
    { class: "toolbar", role: "search", "aria-label": "Lọc bài viết" },
    field("Trạng thái", status),
    field("Tìm theo tiêu đề, nội dung", q),
    h("button", { type: "submit", class: "button secondary" }, "Lọc"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.navigate(`/workspace/comms/articles${api.query({ status: status.value, q: q.value.trim() })}`);
  });
  return form;
}

async function listScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const filters = { status: ctx.query.get("status"), q: ctx.query.get("q") };
  const [listing, who] = await Promise.all([api.request(`/staff/content/articles${api.query({ ...filters, page, page_size: PAGE_SIZE })}`, { signal: ctx.signal, remember: false }), me()]);
  const rows = listing.data || [];
  const info = api.pageInfo(listing.headers);
  const filtered = filters.status || filters.q;
  return [
    flashLine(),
    card(
      h("div", { class: "comms-heading" }, h("h2", {}, "Bài viết tuyên truyền"), h("a", { class: "button", href: "/workspace/comms/articles/new" }, "Viết bài mới")),
      listFilters(ctx),
      h("p", { class: "muted", role: "status" }, `${info?.total ?? rows.length} bài viết${filtered ? " khớp bộ lọc" : ""}, sửa gần nhất trước.`),
      rows.length
        ? h(
            "table",
            { class: "table comms-table" },
            h("caption", { class: "visually-hidden" }, "Bài viết, sửa gần nhất trước"),
            h("thead", {}, h("tr", {}, ["Tiêu đề", "Chủ đề", "Trạng thái", "Phiên bản", "Cập nhật"].map((title) => h("th", { scope: "col" }, title)))),
            h(
              "tbody",
              {},
              rows.map((article) =>
                h(
                  "tr",
                  {},
                  h("td", {}, h("a", { href: articlePath(article.id) }, article.title)),
                  h("td", {}, article.category_name || article.category),
                  h("td", {}, chip(article.status_name, TONES[article.status])),
                  h("td", {}, String(article.version)),
                  h("td", {}, `${formatDateTime(article.updated_at)} · ${person(article.updated_by, article.updated_by_name, who)}`),
                ),
              ),
            ),
          )
        : empty(filtered ? "Không có bài viết nào khớp bộ lọc." : "Chưa có bài viết nào."),
      pager(ctx, info, "/workspace/comms/articles", "Trang danh sách bài viết"),
    ),
  ];
}

// ---- the editor ---------------------------------------------------------------------------------

function codes(text) {
  return text
    .split(/[\s,;]+/)
    .map((code) => code.trim())
    .filter(Boolean);
}

/** The form of an article (empty for a new one); `fields()` reads it as the API takes it. */
function articleForm(list, article) {
  const audience = article?.audience || { scope: "all" };
  const title = h("input", { name: "title", required: true, minlength: 5, maxlength: 200, value: article?.title || "" });
  const summary = h("textarea", { name: "summary", rows: 2, required: true, maxlength: 500 }, article?.summary || "");
  const category = categorySelect("category", list, article?.category);
  const body = h("textarea", { name: "body_html", rows: 10, required: true, class: "comms-code" }, article?.body_html || "");
  const cover = h("input", { name: "cover_image_url", type: "url", maxlength: 500, value: article?.cover_image_url || "" });
  const scope = h(
    "select",
    { name: "audience.scope" },
    h("option", { value: "all" }, "Mọi người"),
    h("option", { value: "province" }, "Một tỉnh, thành phố"),
    h("option", { value: "wards" }, "Các phường, xã"),
  );
  scope.value = audience.scope;
  const province = h("input", { name: "audience.province_code", maxlength: 3, inputmode: "numeric", value: audience.province_code || "" });
  const wards = h("input", { name: "audience.ward_codes", value: (audience.ward_codes || []).join(", ") });
  const ageMin = h("input", { name: "audience.age_min", type: "number", min: 0, max: 120, value: audience.age_min ?? "" });
  const ageMax = h("input", { name: "audience.age_max", type: "number", min: 0, max: 120, value: audience.age_max ?? "" });
  const provinceField = field("Mã tỉnh", province);
  provinceField.dataset.scope = "province";
  const wardsField = field("Mã phường, xã (cách nhau bởi dấu phẩy)", wards);
  wardsField.dataset.scope = "wards";
  const audienceSet = h(
    "fieldset",
    {},
    h("legend", {}, "Đối tượng"),
    field("Phạm vi", scope),
    provinceField,
    wardsField,
    h("div", { class: "comms-pair" }, field("Từ tuổi", ageMin), field("Đến tuổi", ageMax)),
  );
  scope.addEventListener("change", () => showOnly(audienceSet, "scope", scope.value));
  showOnly(audienceSet, "scope", scope.value);
  const content = h(
    "fieldset",
    { class: "comms-plain" },
    h("legend", { class: "visually-hidden" }, "Nội dung bài viết"),
    field("Tiêu đề", title),
    field("Tóm tắt", summary),
    field("Chủ đề", category),
    field("Nội dung (HTML; hệ thống tự làm sạch)", body, "Chỉ giữ định dạng cơ bản, liên kết http(s) và ảnh https; mã lệnh bị loại bỏ."),
    field("Ảnh bìa (https://…, không bắt buộc)", cover),
    audienceSet,
  );
  const fields = () => {
    const out = { scope: scope.value };
    if (scope.value === "province") out.province_code = province.value.trim();
    if (scope.value === "wards") out.ward_codes = codes(wards.value);
    if (ageMin.value !== "") out.age_min = Number(ageMin.value);
    if (ageMax.value !== "") out.age_max = Number(ageMax.value);
    return {
      title: title.value.trim(),
      summary: summary.value.trim(),
      category: category.value,
      body_html: body.value,
      cover_image_url: cover.value.trim() || null,
      audience: out,
    };
  };
  return { content, fields };
}

async function newScreen(ctx) {
  const list = await categories();
  const { content, fields } = articleForm(list, null);
  const save = h("button", { type: "submit", class: "button" }, "Lưu");
  const form = h("form", { novalidate: true, class: "comms-form" }, content, h("div", { class: "comms-buttons" }, save));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(save, "Đang lưu…", async () => {
      clearFieldErrors(form);
      try {
        const article = await api.post("/staff/content/articles", fields());
        flash(`Đã lưu bài viết (phiên bản ${article.version}).`);
        ctx.navigate(articlePath(article.id), { replace: true });
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return [
    card(h("h2", {}, "Bài viết mới"), h("p", { class: "muted" }, "Lưu để tạo bản nháp; một cán bộ truyền thông khác sẽ duyệt và đăng."), form),
    h("p", {}, h("a", { href: "/workspace/comms/articles" }, "‹ Về danh sách bài viết")),
  ];
}

/** Why the form cannot be typed in, or why this officer is not offered to publish. */
function lockedNote(article, allowed) {
  if (!allowed.includes("edit")) {
    return article.status === "published" ? "Bài đang đăng: gỡ bài trước khi sửa, rồi gửi duyệt lại." : "Bài đã lưu trữ: khôi phục thành bản nháp trước khi sửa.";
  }
  if (article.status === "review" && !allowed.includes("publish")) {
    return "Bạn đã gửi duyệt hoặc sửa nội dung bài này: một cán bộ truyền thông khác sẽ duyệt và đăng.";
  }
  return "";
}

async function statisticsCard(article, signal) {
  const stats = await api.get(`${articleApi(article.id)}/statistics`, { signal, remember: false });
  const rate = stats.read_rate === null || stats.read_rate === undefined ? "–" : `${(stats.read_rate * 100).toFixed(1).replace(".", ",")}%`;
  return h(
    "section",
    { class: "card", "aria-labelledby": "article-stats-heading" },
    h("h3", { id: "article-stats-heading" }, "Số liệu"),
    h(
      "div",
      { class: "comms-stats" },
      facts([
        ["Đối tượng (công dân)", number(stats.reach)],
        ["Người đã đọc", number(stats.readers)],
        ["Lượt đọc", number(stats.reads)],
        ["Lượt xem chưa đăng nhập", number(stats.anonymous_views)],
        ["Tỉ lệ đọc", rate],
      ]),
    ),
  );
}

async function articleScreen(ctx) {
  let response;
  try {
    response = await api.request(articleApi(ctx.params.id), { signal: ctx.signal, remember: false });
  } catch (error) {
    if (error.status !== 404 && error.status !== 422) throw error;
    ctx.setTitle("Không tìm thấy bài viết");
    return [errorBox(error), h("a", { class: "button", href: "/workspace/comms/articles" }, "Về danh sách bài viết")];
  }
  const article = response.data;
  // Sent back as If-Match with every change: the API refuses one made on a stale copy (412).
  const ifMatch = { "If-Match": response.headers.get("ETag") };
  const [list, who] = await Promise.all([categories(), me()]);
  ctx.setTitle(article.title);
  const allowed = article.allowed_actions || [];
  const { content, fields } = articleForm(list, article);
  content.disabled = !allowed.includes("edit");
  const save = h("button", { type: "submit", class: "button", hidden: !allowed.includes("edit") }, "Lưu");
  const note = h("input", { name: "note", maxlength: 1000 });
  const noteField = field("Ghi chú khi trả lại (bắt buộc khi trả lại)", note);
  noteField.hidden = !allowed.includes("return");
  const why = lockedNote(article, allowed);
  const form = h("form", { novalidate: true, class: "comms-form" }, content, why ? h("p", { class: "comms-note", id: "article-locked" }, why) : null);
  const redraw = (message) => {
    flash(message);
    ctx.navigate(location.pathname, { replace: true });
  };
  const actionButtons = ACTIONS.filter(([name]) => allowed.includes(name)).map(([name, label, done]) => {
    const button = h("button", { type: "button", class: name === "publish" || name === "submit" ? "button" : "button secondary" }, label);
    button.addEventListener("click", () =>
      busy(button, "Đang thực hiện…", async () => {
        clearFieldErrors(form);
        const body = { action: name };
        if (note.value.trim()) body.note = note.value.trim();
        try {
          await api.post(`${articleApi(article.id)}/actions`, body, { headers: ifMatch });
          redraw(done);
        } catch (error) {
          showFieldErrors(form, error);
        }
      }),
    );
    return button;
  });
  form.append(h("div", { class: "comms-buttons" }, save, actionButtons), noteField);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(save, "Đang lưu…", async () => {
      clearFieldErrors(form);
      try {
        const saved = await api.patch(articleApi(article.id), fields(), { headers: ifMatch });
        redraw(`Đã lưu bài viết (phiên bản ${saved.version}).`);
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  const published = article.published_at ? ` · đăng lúc ${formatDateTime(article.published_at)} bởi ${person(article.published_by, article.published_by_name, who)}` : "";
  // The sanitised body in a frame without scripts and without the workspace's origin: shown, never run.
  const preview = h("iframe", { sandbox: "", title: "Xem trước bài viết", class: "comms-preview", srcdoc: article.body_html });
  return [
    flashLine(),
    h(
      "div",
      { class: "split" },
      card(
        h("h2", {}, article.title),
        h("p", { class: "muted", id: "article-meta" }, `${article.status_name} · phiên bản ${article.version} · viết bởi ${person(article.created_by, article.created_by_name, who)}${published}`),
        form,
      ),
      h("div", {}, card(h("h3", {}, "Xem trước (nội dung đã làm sạch)"), preview), await statisticsCard(article, ctx.signal)),
    ),
    h("p", {}, h("a", { href: "/workspace/comms/articles" }, "‹ Về danh sách bài viết")),
  ];
}

export const routes = [
  { path: "/comms/articles", title: "Bài viết", nav: "Bài viết", roles: COMMS_ROLES, auth: true, render: listScreen },
  { path: "/comms/articles/new", title: "Bài viết mới", roles: COMMS_ROLES, auth: true, render: newScreen },
  { path: "/comms/articles/:id", title: "Bài viết", roles: COMMS_ROLES, auth: true, render: articleScreen },
];
