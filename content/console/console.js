// Comms console: articles (write, submit, publish by a second officer, figures), the FAQ the
// chatbot learns from, and push campaigns (compose, approve by a second officer, schedule,
// figures). Everything shown comes from the API's JSON endpoints and is inserted as text; the
// one exception, an article's sanitised HTML, is shown in a sandboxed iframe where it cannot run.
// The tokens live in memory only: closing or reloading the page signs the officer out.
"use strict";

const POLL_MS = 3000;
const PAGE = "page_size=50";
const state = {
  tokens: null,
  me: null,
  categories: [],
  article: null, // the article open in the editor, as the API last returned it (its version)
  faq: null,
  campaignId: null,
  campaigns: [],
  timers: [],
};

const $ = (id) => document.getElementById(id);

// ---- the API --------------------------------------------------------------------------------

const FIELD_NAMES = {
  title: "Tiêu đề",
  summary: "Tóm tắt",
  body: "Nội dung",
  body_html: "Nội dung",
  category: "Chủ đề",
  cover_image_url: "Ảnh bìa",
  image_url: "Ảnh",
  deep_link: "Liên kết",
  slug: "Đường dẫn",
  send_at: "Thời điểm gửi",
  key: "Mã",
  questions: "Các cách hỏi",
  answer: "Câu trả lời",
  note: "Ghi chú",
};

function fieldName(path) {
  const [head] = path.split(".");
  if (head === "audience") return "Người nhận";
  return FIELD_NAMES[head] || path;
}

// A problem+json answer as one line for the status bar: its `detail`, then each field's messages.
function problemText(body, status) {
  if (!body) return `Lỗi ${status}: máy chủ không trả lời đúng định dạng.`;
  const parts = [body.detail || body.title || `Lỗi ${status}`];
  for (const error of body.errors || []) {
    parts.push(`${fieldName(error.field)}: ${error.messages.join(" ")}`);
  }
  return parts.join(" · ");
}

async function api(path, options = {}, retried = false) {
  const headers = { ...(options.headers || {}) };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const sentWith = state.tokens && state.tokens.access_token;
  if (sentWith) headers.Authorization = `Bearer ${sentWith}`;
  const request = { ...options, headers };
  if (options.body !== undefined) request.body = JSON.stringify(options.body);
  let response;
  try {
    response = await fetch(path, request);
  } catch {
    throw new Error("Không kết nối được máy chủ. Hãy kiểm tra mạng và thử lại.");
  }
  if (response.status === 401 && state.tokens && !retried) {
    // Tokens another request already renewed are used as they are; otherwise every request that
    // meets a 401 waits for the same single refresh (see refresh()).
    const renewed = state.tokens.access_token !== sentWith || (await refresh());
    if (renewed) return api(path, options, true);
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const problem = new Error(problemText(body, response.status));
    problem.status = response.status;
    problem.code = body && body.code;
    throw problem;
  }
  return body;
}

// The refresh in flight, shared: a refresh token is good for one use, and the API treats a second
// use as theft (refresh_token_reused) and revokes the session. Two requests that get 401 at once
// must therefore wait for one refresh, not send two.
let refreshing = null;

function refresh() {
  if (!refreshing) {
    refreshing = refreshOnce().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function refreshOnce() {
  const response = await fetch("/auth/refresh", {
    method: "POST",
    headers: { Authorization: `Bearer ${state.tokens.refresh_token}` },
  });
  if (!response.ok) {
    signOut("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.");
    return false;
  }
  state.tokens = await response.json();
  return true;
}

// ---- small helpers --------------------------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function say(message, kind = "ok") {
  const line = $("status");
  line.textContent = message;
  line.className = kind;
}

// Run an action, report its error (the API's Vietnamese `detail`) in the status line.
async function attempt(work, success) {
  try {
    const result = await work();
    if (success) say(typeof success === "function" ? success(result) : success);
    return result;
  } catch (error) {
    say(error.message, "error");
    return undefined;
  }
}

function person(actor) {
  if (!actor) return "";
  if (state.me && actor === `staff:${state.me.id}`) return "bạn";
  const [kind, id] = actor.split(":");
  if (kind === "system") return "hệ thống";
  return `cán bộ ${(id || actor).slice(0, 8)}`;
}

// "2025-11-20T09:00:00+07:00" -> "09:00 20/11/2025" (the API gives Vietnam time).
function when(value) {
  if (!value) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  return match ? `${match[4]}:${match[5]} ${match[3]}/${match[2]}/${match[1]}` : value;
}

function number(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("vi-VN");
}

function figures(list, pairs) {
  list.replaceChildren();
  for (const [label, value] of pairs) {
    list.append(element("dt", null, label), element("dd", null, value));
  }
}

function optionalInt(input) {
  return input.value === "" ? undefined : Number(input.value);
}

function codes(input) {
  return input.value
    .split(/[\s,;]+/)
    .map((code) => code.trim())
    .filter(Boolean);
}

function fillCategories(select) {
  select.replaceChildren(
    ...state.categories.map((category) => {
      const option = element("option", null, category.name);
      option.value = category.slug;
      return option;
    }),
  );
}

// A row's first cell: a button (the keyboard reaches it; its click opens the row like a click
// anywhere on the row).
function opener(text, className) {
  const cell = element("td", className);
  const button = element("button", "row-open", text);
  button.type = "button";
  cell.append(button);
  return cell;
}

function showFor(attribute, value) {
  for (const label of document.querySelectorAll(`[data-${attribute}]`)) {
    label.hidden = label.dataset[attribute] !== value;
  }
}

// ---- Bài viết -------------------------------------------------------------------------------

// The workflow's buttons. Which of them an officer sees comes from the API (`allowed_actions` of
// the article: its state, and for "publish" that someone else sent it to review and wrote it).
const ARTICLE_ACTIONS = ["submit", "publish", "return", "unpublish", "archive", "restore"];
const ACTION_DONE = {
  submit: "Đã gửi bài viết để duyệt.",
  publish: "Đã duyệt và đăng bài viết.",
  return: "Đã trả lại bài viết cho người viết.",
  unpublish: "Đã gỡ bài viết.",
  archive: "Đã lưu trữ bài viết.",
  restore: "Đã khôi phục bài viết thành bản nháp.",
};

async function loadArticles() {
  const filter = $("article-filter").value;
  const articles = await attempt(() =>
    api(`/staff/content/articles?${PAGE}${filter ? `&status=${encodeURIComponent(filter)}` : ""}`),
  );
  if (!articles) return;
  $("article-list").replaceChildren(
    ...articles.map((article) => {
      const row = element("tr", state.article && state.article.id === article.id ? "selected" : null);
      row.dataset.id = article.id;
      row.append(
        opener(article.title),
        element("td", null, article.category_name),
        element("td", `status ${article.status}`, article.status_name),
        element("td", null, article.version),
        element("td", null, `${when(article.updated_at)} · ${person(article.updated_by)}`),
      );
      row.addEventListener("click", () => openArticle(article.id));
      return row;
    }),
  );
  $("article-empty").hidden = articles.length > 0;
}

function newArticle() {
  state.article = null;
  $("article-form").reset();
  $("article-editor-title").textContent = "Bài viết mới";
  $("article-meta").textContent = "Lưu để tạo bản nháp; một cán bộ khác sẽ duyệt và đăng.";
  showFor("scope", "all");
  $("article-preview").srcdoc = "";
  $("article-stats").replaceChildren();
  $("article-saved").hidden = true;
  articleButtons();
  $("article-editor").hidden = false;
  $("article-title").focus();
}

function articleButtons() {
  const article = state.article;
  const allowed = article ? article.allowed_actions || [] : ["edit"]; // a new article: write it
  for (const action of ARTICLE_ACTIONS) {
    $(`article-${action}`).hidden = !allowed.includes(action);
  }
  $("article-save").hidden = !allowed.includes("edit");
  $("article-content").disabled = !allowed.includes("edit");
  $("article-note-field").hidden = !allowed.includes("return");
  let why = "";
  if (article && !allowed.includes("edit")) {
    why =
      article.status === "published"
        ? "Bài đang đăng: gỡ bài trước khi sửa, rồi gửi duyệt lại."
        : "Bài đã lưu trữ: khôi phục thành bản nháp trước khi sửa.";
  } else if (article && article.status === "review" && !allowed.includes("publish")) {
    why = "Bạn đã gửi duyệt hoặc sửa nội dung bài này: một cán bộ truyền thông khác sẽ duyệt và đăng.";
  }
  $("article-locked").textContent = why;
  $("article-locked").hidden = !why;
}

function showArticle(article) {
  state.article = article;
  $("article-editor").hidden = false;
  $("article-editor-title").textContent = article.title;
  const published = article.published_at ? ` · đăng lúc ${when(article.published_at)} bởi ${person(article.published_by)}` : "";
  $("article-meta").textContent =
    `${article.status_name} · phiên bản ${article.version} · viết bởi ${person(article.created_by)}${published}`;
  $("article-title").value = article.title;
  $("article-summary").value = article.summary;
  $("article-category").value = article.category;
  $("article-body").value = article.body_html;
  $("article-cover").value = article.cover_image_url || "";
  const audience = article.audience || { scope: "all" };
  $("article-scope").value = audience.scope;
  $("article-province").value = audience.province_code || "";
  $("article-wards").value = (audience.ward_codes || []).join(", ");
  $("article-age-min").value = audience.age_min ?? "";
  $("article-age-max").value = audience.age_max ?? "";
  $("article-note").value = "";
  showFor("scope", audience.scope);
  // The sanitised body, in an iframe without `allow-scripts` or `allow-same-origin`.
  $("article-preview").srcdoc = article.body_html;
  $("article-saved").hidden = false;
  articleButtons();
  loadArticleStats();
}

async function openArticle(id) {
  const article = await attempt(() => api(`/staff/content/articles/${id}`));
  if (!article) return;
  showArticle(article);
  loadArticles();
}

async function loadArticleStats() {
  if (!state.article) return;
  const stats = await attempt(() => api(`/staff/content/articles/${state.article.id}/statistics`));
  if (!stats) return;
  const rate = stats.read_rate === null ? "–" : `${(stats.read_rate * 100).toFixed(1)}%`;
  figures($("article-stats"), [
    ["Đối tượng (công dân)", number(stats.reach)],
    ["Người đã đọc", number(stats.readers)],
    ["Lượt đọc", number(stats.reads)],
    ["Lượt xem chưa đăng nhập", number(stats.anonymous_views)],
    ["Tỉ lệ đọc", rate],
  ]);
}

function articleFields() {
  const scope = $("article-scope").value;
  const audience = { scope };
  if (scope === "province") audience.province_code = $("article-province").value.trim();
  if (scope === "wards") audience.ward_codes = codes($("article-wards"));
  const ageMin = optionalInt($("article-age-min"));
  const ageMax = optionalInt($("article-age-max"));
  if (ageMin !== undefined) audience.age_min = ageMin;
  if (ageMax !== undefined) audience.age_max = ageMax;
  return {
    title: $("article-title").value.trim(),
    summary: $("article-summary").value.trim(),
    category: $("article-category").value,
    body_html: $("article-body").value,
    cover_image_url: $("article-cover").value.trim() || null,
    audience,
  };
}

async function saveArticle() {
  const fields = articleFields();
  const editing = state.article;
  const saved = await attempt(
    () =>
      editing
        ? api(`/staff/content/articles/${editing.id}`, {
            method: "PATCH",
            body: { ...fields, version: editing.version },
          })
        : api("/staff/content/articles", { method: "POST", body: fields }),
    (article) => `Đã lưu bài viết (phiên bản ${article.version}).`,
  );
  if (!saved) return;
  showArticle(saved);
  loadArticles();
}

async function articleAction(action) {
  if (!state.article) return;
  const body = { action, version: state.article.version };
  const note = $("article-note").value.trim();
  if (note) body.note = note;
  const changed = await attempt(
    () => api(`/staff/content/articles/${state.article.id}/actions`, { method: "POST", body }),
    ACTION_DONE[action],
  );
  if (!changed) return;
  showArticle(changed);
  loadArticles();
}

// ---- Hỏi đáp --------------------------------------------------------------------------------

async function loadFaq() {
  const q = $("faq-search").value.trim();
  const entries = await attempt(() => api(`/staff/content/faq${q ? `?q=${encodeURIComponent(q)}` : ""}`));
  if (!entries) return;
  $("faq-list").replaceChildren(
    ...entries.map((entry) => {
      const row = element("tr", state.faq && state.faq.key === entry.key ? "selected" : null);
      row.dataset.key = entry.key;
      row.append(
        opener(entry.key, "key"),
        element("td", null, entry.questions[0]),
        element("td", null, entry.category_name),
        element("td", null, entry.active ? "Có" : "Không"),
        element("td", null, entry.version),
      );
      row.addEventListener("click", () => openFaq(entry.key));
      return row;
    }),
  );
  $("faq-empty").hidden = entries.length > 0;
}

function newFaq() {
  state.faq = null;
  $("faq-form").reset();
  $("faq-key").disabled = false;
  $("faq-editor-title").textContent = "Mục hỏi đáp mới";
  $("faq-meta").textContent = "Trợ lý ảo học mục này ở lần xuất dữ liệu và huấn luyện tiếp theo.";
  $("faq-editor").hidden = false;
  $("faq-key").focus();
}

function showFaq(entry) {
  state.faq = entry;
  $("faq-editor").hidden = false;
  $("faq-editor-title").textContent = entry.questions[0];
  $("faq-meta").textContent =
    `Phiên bản ${entry.version} · sửa lần cuối ${when(entry.updated_at)} bởi ${person(entry.updated_by)}`;
  $("faq-key").value = entry.key;
  $("faq-key").disabled = true; // a key never changes: it is the chatbot's faq/<key>
  $("faq-questions").value = entry.questions.join("\n");
  $("faq-answer").value = entry.answer;
  $("faq-category").value = entry.category;
  $("faq-active").checked = entry.active;
}

async function openFaq(key) {
  const entry = await attempt(() => api(`/staff/content/faq/${encodeURIComponent(key)}`));
  if (!entry) return;
  showFaq(entry);
  loadFaq();
}

async function saveFaq() {
  const fields = {
    questions: $("faq-questions")
      .value.split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
    answer: $("faq-answer").value,
    category: $("faq-category").value,
    active: $("faq-active").checked,
  };
  const editing = state.faq;
  const saved = await attempt(
    () =>
      editing
        ? api(`/staff/content/faq/${encodeURIComponent(editing.key)}`, {
            method: "PATCH",
            body: { ...fields, version: editing.version },
          })
        : api("/staff/content/faq", { method: "POST", body: { key: $("faq-key").value.trim(), ...fields } }),
    (entry) => `Đã lưu mục hỏi đáp "${entry.key}" (phiên bản ${entry.version}).`,
  );
  if (!saved) return;
  showFaq(saved);
  loadFaq();
}

// ---- Chiến dịch -----------------------------------------------------------------------------

function campaignAudience() {
  const kind = $("campaign-kind").value;
  const audience = { kind };
  if (kind === "province") audience.province_code = $("campaign-province").value.trim();
  if (kind === "ward") audience.ward_codes = codes($("campaign-wards"));
  if (kind === "role") audience.role = $("campaign-role").value;
  if (kind === "age") {
    const minAge = optionalInt($("campaign-min-age"));
    const maxAge = optionalInt($("campaign-max-age"));
    if (minAge !== undefined) audience.min_age = minAge;
    if (maxAge !== undefined) audience.max_age = maxAge;
  }
  return audience;
}

async function previewAudience() {
  $("campaign-reach").textContent = "";
  const reach = await attempt(() =>
    api("/comms/campaigns/audience-preview", { method: "POST", body: { audience: campaignAudience() } }),
  );
  if (reach) {
    $("campaign-reach").textContent = `${number(reach.citizens)} công dân, ${number(reach.devices)} thiết bị nhận push`;
  }
}

async function composeCampaign() {
  const body = {
    title: $("campaign-title").value.trim(),
    body: $("campaign-body").value.trim(),
    audience: campaignAudience(),
    urgent: $("campaign-urgent").checked,
    keep_in_inbox: $("campaign-inbox").checked,
  };
  const image = $("campaign-image").value.trim();
  const link = $("campaign-link").value.trim();
  if (image) body.image_url = image;
  if (link) body.deep_link = link;
  const campaign = await attempt(
    () => api("/comms/campaigns", { method: "POST", body }),
    "Đã lưu bản nháp chiến dịch. Một cán bộ truyền thông khác cần duyệt trước khi lên lịch gửi.",
  );
  if (!campaign) return;
  $("campaign-form").reset();
  showFor("kind", "all");
  $("campaign-reach").textContent = "";
  state.campaignId = campaign.id;
  await loadCampaigns();
}

async function loadCampaigns() {
  let campaigns;
  try {
    campaigns = await api(`/comms/campaigns?${PAGE}`);
  } catch (error) {
    // A failed refresh is reported but does not wipe what the officer is looking at.
    say(error.message, "error");
    return;
  }
  state.campaigns = campaigns;
  $("campaign-list").replaceChildren(
    ...campaigns.map((campaign) => {
      const row = element("tr", campaign.id === state.campaignId ? "selected" : null);
      row.dataset.id = campaign.id;
      const f = campaign.figures || {};
      row.append(
        opener(campaign.title),
        element("td", null, campaign.audience_label),
        element("td", `status ${campaign.status}`, campaign.status_name),
        element("td", null, when(campaign.send_at)),
        element("td", "fig-targeted", number(f.targeted_citizens)),
        element("td", "fig-sent", number(f.sent)),
        element("td", "fig-failed", number(f.failed)),
        element("td", "fig-opened", number(f.opened)),
        element("td", "fig-read", number(f.inbox_read)),
      );
      row.addEventListener("click", () => selectCampaign(campaign.id));
      return row;
    }),
  );
  $("campaign-empty").hidden = campaigns.length > 0;
  const selected = campaigns.find((campaign) => campaign.id === state.campaignId);
  if (selected) showCampaign(selected);
}

async function selectCampaign(id) {
  state.campaignId = id;
  const campaign = await attempt(() => api(`/comms/campaigns/${id}`));
  if (campaign) showCampaign(campaign);
  loadCampaigns();
}

function showCampaign(campaign) {
  $("campaign-detail").hidden = false;
  $("campaign-detail").dataset.status = campaign.status;
  $("campaign-detail-title").textContent = campaign.title;
  $("campaign-detail-body").textContent = campaign.body;
  const parts = [
    campaign.status_name,
    campaign.audience_label,
    campaign.urgent ? "khẩn cấp" : null,
    `soạn bởi ${person(campaign.created_by)}`,
    campaign.approved_by ? `duyệt bởi ${person(campaign.approved_by)}` : null,
    campaign.send_at ? `gửi lúc ${when(campaign.send_at)}` : null,
    campaign.finished_at ? `xong lúc ${when(campaign.finished_at)}` : null,
  ];
  $("campaign-detail-meta").textContent = parts.filter(Boolean).join(" · ");
  const f = campaign.figures || {};
  figures($("campaign-figures"), [
    ["Công dân nhắm tới", number(f.targeted_citizens)],
    ["Thiết bị nhắm tới", number(f.targeted_devices)],
    ["Push đã gửi", number(f.sent)],
    ["Push lỗi", number(f.failed)],
    ["Thiết bị đã gỡ ứng dụng", number(f.tokens_removed)],
    ["Vào hộp thư", number(f.inbox_delivered)],
    ["Đã đọc trong hộp thư", number(f.inbox_read)],
    ["Đã mở thông báo", number(f.opened)],
  ]);
  campaignButtons(campaign);
}

// The API's rules (notifications/campaigns/service.py and the routes' roles), from what the
// campaign and whoami say: a draft is approved by someone other than its author (comms or
// admin); an approved campaign is scheduled by comms officers only; comms and admins cancel
// until it has been sent.
function campaignButtons(campaign) {
  const status = campaign.status;
  const mine = campaign.created_by === `staff:${state.me.id}`;
  const comms = state.me.role === "comms";
  $("campaign-approve").hidden = !(status === "draft" && !mine);
  const schedulable = comms && (status === "approved" || status === "scheduled");
  $("campaign-schedule").hidden = !schedulable;
  $("campaign-send-at-field").hidden = !schedulable;
  $("campaign-cancel").hidden = !["draft", "approved", "scheduled", "sending"].includes(status);
  let waiting = "";
  if (status === "draft" && mine) {
    waiting = "Chiến dịch do bạn soạn: một cán bộ truyền thông khác hoặc quản trị viên cần duyệt trước khi lên lịch gửi.";
  } else if (!comms && (status === "approved" || status === "scheduled")) {
    waiting = "Cán bộ truyền thông lên lịch gửi chiến dịch đã duyệt.";
  }
  $("campaign-waiting").textContent = waiting;
  $("campaign-waiting").hidden = !waiting;
}

async function campaignAction(path, body, done) {
  if (!state.campaignId) return;
  const options = { method: "POST" };
  if (body) options.body = body;
  const campaign = await attempt(() => api(`/comms/campaigns/${state.campaignId}/${path}`, options), done);
  if (campaign) showCampaign(campaign);
  await loadCampaigns();
}

function scheduleCampaign() {
  const local = $("campaign-send-at").value; // "2025-11-20T09:00", as typed: Vietnam time
  if (!local) {
    say("Hãy chọn ngày và giờ gửi.", "error");
    return;
  }
  const seconds = local.length === 16 ? ":00" : "";
  campaignAction(
    "schedule",
    { send_at: `${local}${seconds}+07:00` },
    (campaign) => `Đã lên lịch gửi lúc ${when(campaign.send_at)}.`,
  );
}

// ---- the desk -------------------------------------------------------------------------------

function showPanel(name) {
  for (const tab of document.querySelectorAll("nav [role=tab]")) {
    const selected = tab.dataset.panel === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1; // one tab stop; the arrow keys move between tabs
    $(tab.dataset.panel).hidden = !selected;
  }
  if (name === "articles") loadArticles();
  if (name === "faq") loadFaq();
  if (name === "campaigns") loadCampaigns();
}

async function startDesk() {
  const me = await attempt(() => api("/auth/whoami"));
  if (!me) return;
  if (me.kind !== "staff" || !["comms", "admin"].includes(me.role)) {
    signOut("Tài khoản này không phải cán bộ truyền thông: không dùng được trang này.");
    return;
  }
  state.me = me;
  const categories = await attempt(() => api("/content/categories"));
  state.categories = categories || [];
  fillCategories($("article-category"));
  fillCategories($("faq-category"));
  // Composing and scheduling campaigns is for comms officers; admins approve and cancel.
  $("campaign-compose-section").hidden = me.role !== "comms";
  $("campaign-admin-note").hidden = me.role === "comms";
  $("sign-in").hidden = true;
  $("desk").hidden = false;
  $("who").hidden = false;
  $("who-name").textContent = `${$("username").value} (${me.role === "admin" ? "quản trị viên" : "truyền thông"})`;
  $("password").value = "";
  say("");
  showPanel("articles");
  // Campaign figures move while a campaign sends: the list follows them.
  state.timers.push(setInterval(() => !$("campaigns").hidden && loadCampaigns(), POLL_MS));
}

function signOut(message) {
  state.timers.forEach(clearInterval);
  state.timers = [];
  if (state.tokens) {
    fetch("/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${state.tokens.access_token}` } });
  }
  Object.assign(state, { tokens: null, me: null, article: null, faq: null, campaignId: null });
  for (const opened of ["article-editor", "faq-editor", "campaign-detail"]) $(opened).hidden = true;
  $("desk").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = typeof message === "string" ? message : "";
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    const body = { username: $("username").value, password: $("password").value };
    if ($("totp").value) body.totp = $("totp").value;
    try {
      state.tokens = await api("/auth/staff/login", { method: "POST", body });
    } catch (error) {
      $("sign-in-error").textContent = error.message;
      return;
    }
    startDesk();
  });
  $("sign-out").addEventListener("click", () => signOut());
  const tabs = [...document.querySelectorAll("nav [role=tab]")];
  for (const tab of tabs) {
    tab.addEventListener("click", () => showPanel(tab.dataset.panel));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      showPanel(next.dataset.panel);
      next.focus();
    });
  }

  $("article-filter").addEventListener("change", loadArticles);
  $("article-new").addEventListener("click", newArticle);
  $("article-scope").addEventListener("change", () => showFor("scope", $("article-scope").value));
  $("article-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveArticle();
  });
  for (const action of ARTICLE_ACTIONS) {
    $(`article-${action}`).addEventListener("click", () => articleAction(action));
  }

  $("faq-new").addEventListener("click", newFaq);
  $("faq-search").addEventListener("input", loadFaq);
  $("faq-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveFaq();
  });

  $("campaign-kind").addEventListener("change", () => showFor("kind", $("campaign-kind").value));
  $("campaign-preview").addEventListener("click", previewAudience);
  $("campaign-form").addEventListener("submit", (event) => {
    event.preventDefault();
    composeCampaign();
  });
  $("campaign-approve").addEventListener("click", () =>
    campaignAction("approve", { version: state.campaigns.find((c) => c.id === state.campaignId)?.version }, "Đã duyệt chiến dịch. Có thể lên lịch gửi."),
  );
  $("campaign-schedule").addEventListener("click", scheduleCampaign);
  $("campaign-cancel").addEventListener("click", () => campaignAction("cancel", null, "Đã hủy chiến dịch."));
});
