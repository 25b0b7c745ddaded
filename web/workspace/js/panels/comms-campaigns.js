// Comms: push campaigns to citizens. The list with each campaign's figures; composing one (with
// how many people the audience reaches, before saving); and one campaign: approving (someone other
// than its author, comms or admin), scheduling (comms), cancelling, and its figures.
//
// The API has no event stream for campaigns yet: while a campaign screen is open it asks again
// every few seconds (and stops when the screen is left), so an approval by a colleague or the
// figures of a sending campaign appear without a reload.

import * as api from "../../../shared/api.js";
import { busy, card, chip, clearFieldErrors, empty, errorBox, facts, field, formatDateTime, h, pager, showFieldErrors } from "../../../shared/ui.js";
import { me } from "../staff.js";
import { COMMS_ROLES, PAGE_SIZE, flash, flashLine, number, person, say, showOnly } from "./comms-common.js";

const COMPOSERS = ["comms"]; // POST /comms/campaigns and …/schedule: Staff("comms")
const REFRESH_MS = 3000;
const campaignPath = (id) => `/workspace/comms/campaigns/${encodeURIComponent(id)}`;
const campaignApi = (id) => `/comms/campaigns/${encodeURIComponent(id)}`;
const TONES = { draft: "wait", approved: "info", scheduled: "info", sending: "info", sent: "ok", cancelled: "bad" };
const OPEN = ["draft", "approved", "scheduled", "sending"];

/** Ask again every few seconds while the screen is shown; a failed refresh keeps what is shown. */
function keepFresh(ctx, refresh) {
  const timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  ctx.onLeave(() => clearInterval(timer));
}

// ---- the list -----------------------------------------------------------------------------------

function figureCells(campaign) {
  const f = campaign.figures || {};
  return [
    h("td", { class: "number", dataset: { figure: "targeted" } }, number(f.targeted_citizens)),
    h("td", { class: "number", dataset: { figure: "sent" } }, number(f.sent)),
    h("td", { class: "number", dataset: { figure: "failed" } }, number(f.failed)),
    h("td", { class: "number", dataset: { figure: "opened" } }, number(f.opened)),
    h("td", { class: "number", dataset: { figure: "read" } }, number(f.inbox_read)),
  ];
}

function campaignRows(rows) {
  return rows.map((campaign) =>
    h(
      "tr",
      { dataset: { id: campaign.id } },
      h("td", {}, h("a", { href: campaignPath(campaign.id) }, campaign.title)),
      h("td", {}, campaign.audience_label),
      h("td", { dataset: { status: campaign.status } }, chip(campaign.status_name, TONES[campaign.status])),
      h("td", {}, campaign.send_at ? formatDateTime(campaign.send_at) : "—"),
      figureCells(campaign),
    ),
  );
}

async function listScreen(ctx) {
  const page = Number(ctx.query.get("page")) || 1;
  const path = `/comms/campaigns${api.query({ page, page_size: PAGE_SIZE })}`;
  const [listing, who] = await Promise.all([api.request(path, { signal: ctx.signal, remember: false }), me()]);
  const info = api.pageInfo(listing.headers);
  const body = h("tbody", {}, campaignRows(listing.data || []));
  keepFresh(ctx, async () => body.replaceChildren(...campaignRows((await api.get(path, { remember: false })) || [])));
  const composer = COMPOSERS.includes(who.role);
  return [
    flashLine(),
    card(
      h("div", { class: "comms-heading" }, h("h2", {}, "Chiến dịch thông báo"), composer ? h("a", { class: "button", href: "/workspace/comms/campaigns/new" }, "Soạn chiến dịch") : null),
      composer ? null : h("p", { class: "comms-note" }, "Quản trị viên duyệt và hủy chiến dịch; cán bộ truyền thông soạn và lên lịch gửi."),
      h("p", { class: "muted" }, "Số liệu tự cập nhật trong khi chiến dịch đang gửi."),
      (listing.data || []).length
        ? h(
            "div",
            { class: "comms-scroll" },
            h(
              "table",
              { class: "table comms-table" },
              h("caption", { class: "visually-hidden" }, "Chiến dịch, mới nhất trước, với số liệu gửi"),
              h("thead", {}, h("tr", {}, ["Tiêu đề", "Người nhận", "Trạng thái", "Gửi lúc", "Nhắm tới", "Đã gửi", "Lỗi", "Đã mở", "Đã đọc"].map((title) => h("th", { scope: "col" }, title)))),
              body,
            ),
          )
        : empty("Chưa có chiến dịch nào."),
      pager(ctx, info, "/workspace/comms/campaigns", "Trang danh sách chiến dịch"),
    ),
  ];
}

// ---- composing ----------------------------------------------------------------------------------

function codes(text) {
  return text
    .split(/[\s,;]+/)
    .map((code) => code.trim())
    .filter(Boolean);
}

function composeScreen(ctx) {
  const title = h("input", { name: "title", required: true, maxlength: 65 });
  const text = h("textarea", { name: "body", rows: 3, required: true, maxlength: 240 });
  const image = h("input", { name: "image_url", type: "url", maxlength: 500 });
  const link = h("input", { name: "deep_link", maxlength: 500 });
  const kind = h(
    "select",
    { name: "audience.kind" },
    h("option", { value: "all" }, "Mọi công dân"),
    h("option", { value: "province" }, "Một tỉnh, thành phố"),
    h("option", { value: "ward" }, "Các phường, xã"),
    h("option", { value: "role" }, "Theo đối tượng"),
    h("option", { value: "age" }, "Theo độ tuổi"),
  );
  const province = h("input", { name: "audience.province_code", maxlength: 2, inputmode: "numeric" });
  const wards = h("input", { name: "audience.ward_codes" });
  const role = h(
    "select",
    { name: "audience.role" },
    h("option", { value: "verified" }, "Công dân đã định danh mức 2"),
    h("option", { value: "unverified" }, "Công dân mới định danh mức 1"),
    h("option", { value: "beneficiary" }, "Người đang hưởng trợ cấp xã hội"),
  );
  const minAge = h("input", { name: "audience.min_age", type: "number", min: 0, max: 120 });
  const maxAge = h("input", { name: "audience.max_age", type: "number", min: 0, max: 120 });
  const shownFor = (value, node) => {
    node.dataset.kind = value;
    return node;
  };
  const reach = h("p", { class: "comms-reach", role: "status" });
  const preview = h("button", { type: "button", class: "button secondary" }, "Đếm người nhận");
  const audienceSet = h(
    "fieldset",
    {},
    h("legend", {}, "Người nhận"),
    field("Nhóm", kind),
    shownFor("province", field("Mã tỉnh (2 chữ số)", province)),
    shownFor("ward", field("Mã phường, xã (5 chữ số, cách nhau bởi dấu phẩy)", wards)),
    shownFor("role", field("Đối tượng", role)),
    shownFor("age", h("div", { class: "comms-pair" }, field("Từ tuổi", minAge), field("Đến tuổi", maxAge))),
    h("div", { class: "comms-buttons" }, preview),
    reach,
  );
  kind.addEventListener("change", () => {
    showOnly(audienceSet, "kind", kind.value);
    reach.textContent = "";
  });
  showOnly(audienceSet, "kind", kind.value);
  const urgent = h("input", { type: "checkbox", name: "urgent", id: "campaign-urgent" });
  const inbox = h("input", { type: "checkbox", name: "keep_in_inbox", id: "campaign-inbox", checked: true });
  const save = h("button", { type: "submit", class: "button" }, "Lưu bản nháp");
  const form = h(
    "form",
    { novalidate: true, class: "comms-form" },
    field("Tiêu đề (tối đa 65 ký tự)", title),
    field("Nội dung (tối đa 240 ký tự)", text),
    field("Ảnh (https://…, không bắt buộc)", image),
    field("Liên kết mở khi chạm (congdanso://… hoặc https://…)", link),
    audienceSet,
    h("div", { class: "field comms-check" }, h("label", { for: urgent.id }, urgent, "Khẩn cấp (được gửi cả trong giờ yên tĩnh 22:00–06:00)")),
    h("div", { class: "field comms-check" }, h("label", { for: inbox.id }, inbox, "Lưu vào hộp thư của công dân")),
    h("div", { class: "comms-buttons" }, save),
  );
  const audience = () => {
    const out = { kind: kind.value };
    if (kind.value === "province") out.province_code = province.value.trim();
    if (kind.value === "ward") out.ward_codes = codes(wards.value);
    if (kind.value === "role") out.role = role.value;
    if (kind.value === "age") {
      if (minAge.value !== "") out.min_age = Number(minAge.value);
      if (maxAge.value !== "") out.max_age = Number(maxAge.value);
    }
    return out;
  };
  preview.addEventListener("click", () =>
    busy(preview, "Đang đếm…", async () => {
      clearFieldErrors(form);
      reach.textContent = "";
      try {
        const counted = await api.post("/comms/campaigns/audience-preview", { audience: audience() });
        reach.textContent = `${number(counted.citizens)} công dân, ${number(counted.devices)} thiết bị nhận push`;
      } catch (error) {
        showFieldErrors(form, error);
      }
    }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { title: title.value.trim(), body: text.value.trim(), audience: audience(), urgent: urgent.checked, keep_in_inbox: inbox.checked };
    if (image.value.trim()) body.image_url = image.value.trim();
    if (link.value.trim()) body.deep_link = link.value.trim();
    busy(save, "Đang lưu…", async () => {
      clearFieldErrors(form);
      try {
        const campaign = await api.post("/comms/campaigns", body);
        flash("Đã lưu bản nháp chiến dịch. Một cán bộ truyền thông khác cần duyệt trước khi lên lịch gửi.");
        ctx.navigate(campaignPath(campaign.id), { replace: true });
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return [card(h("h2", {}, "Soạn chiến dịch thông báo"), form), h("p", {}, h("a", { href: "/workspace/comms/campaigns" }, "‹ Về danh sách chiến dịch"))];
}

// ---- one campaign -------------------------------------------------------------------------------

/** "2026-12-08T09:00" as typed (Vietnam time) → the API's ISO time with its offset. */
function vietnamTime(local) {
  return `${local}${local.length === 16 ? ":00" : ""}+07:00`;
}

/** The campaign and the ETag it came with: approving and scheduling send it back as If-Match, so
 * what is approved or scheduled is what is on screen (412 if someone changed it meanwhile). */
async function readCampaign(id, options = {}) {
  const response = await api.request(campaignApi(id), { ...options, remember: false });
  return { data: response.data, etag: response.headers.get("ETag") };
}

async function campaignScreen(ctx) {
  let campaign;
  let etag;
  try {
    ({ data: campaign, etag } = await readCampaign(ctx.params.id, { signal: ctx.signal }));
  } catch (error) {
    if (error.status !== 404) throw error;
    ctx.setTitle("Không tìm thấy chiến dịch");
    return [errorBox(error), h("a", { class: "button", href: "/workspace/comms/campaigns" }, "Về danh sách chiến dịch")];
  }
  const who = await me();
  ctx.setTitle(campaign.title);
  const status = h("p", { class: "chips" });
  const meta = h("p", { class: "muted", id: "campaign-meta" });
  const figures = h("div", { class: "comms-stats", id: "campaign-figures" });
  const waiting = h("p", { class: "comms-note", id: "campaign-waiting" });
  const outcome = flashLine();
  const problem = h("div", { class: "form-alert" });

  const approve = h("button", { type: "button", class: "button" }, "Duyệt");
  const sendAt = h("input", { type: "datetime-local", name: "send_at" });
  const sendAtField = field("Thời điểm gửi (giờ Việt Nam)", sendAt);
  const schedule = h("button", { type: "button", class: "button" }, "Lên lịch gửi");
  const cancel = h("button", { type: "button", class: "button secondary" }, "Hủy chiến dịch");
  const actions = h("form", { class: "comms-actions", novalidate: true, "aria-label": "Thao tác với chiến dịch" }, problem, h("div", { class: "comms-buttons" }, approve), sendAtField, h("div", { class: "comms-buttons" }, schedule, cancel));

  // Which actions show follows the API's rules (notifications/campaigns): a draft is approved by
  // someone other than its author; comms schedule an approved one; comms and admins cancel until
  // it has been sent. The API checks them again.
  function show(current, currentEtag) {
    campaign = current;
    if (currentEtag) etag = currentEtag;
    const mine = current.created_by === `staff:${who.id}`;
    const composer = COMPOSERS.includes(who.role);
    status.replaceChildren(...[chip(current.status_name, TONES[current.status]), current.urgent ? chip("Khẩn cấp", "bad") : null].filter(Boolean));
    meta.textContent = [
      current.audience_label,
      `soạn bởi ${person(current.created_by, null, who)}`,
      current.approved_by ? `duyệt bởi ${person(current.approved_by, null, who)}` : null,
      current.send_at ? `gửi lúc ${formatDateTime(current.send_at)}` : null,
      current.finished_at ? `xong lúc ${formatDateTime(current.finished_at)}` : null,
    ]
      .filter(Boolean)
      .join(" · ");
    const f = current.figures || {};
    figures.replaceChildren(
      facts([
        ["Công dân nhắm tới", number(f.targeted_citizens)],
        ["Thiết bị nhắm tới", number(f.targeted_devices)],
        ["Push đã gửi", number(f.sent)],
        ["Push lỗi", number(f.failed)],
        ["Thiết bị đã gỡ ứng dụng", number(f.tokens_removed)],
        ["Vào hộp thư", number(f.inbox_delivered)],
        ["Đã đọc trong hộp thư", number(f.inbox_read)],
        ["Đã mở thông báo", number(f.opened)],
      ]),
    );
    approve.hidden = !(current.status === "draft" && !mine);
    const schedulable = composer && (current.status === "approved" || current.status === "scheduled");
    schedule.hidden = !schedulable;
    sendAtField.hidden = !schedulable;
    cancel.hidden = !OPEN.includes(current.status);
    actions.hidden = approve.hidden && schedule.hidden && cancel.hidden;
    let note = "";
    if (current.status === "draft" && mine) note = "Chiến dịch do bạn soạn: một cán bộ truyền thông khác hoặc quản trị viên cần duyệt trước khi lên lịch gửi.";
    else if (!composer && (current.status === "approved" || current.status === "scheduled")) note = "Cán bộ truyền thông lên lịch gửi chiến dịch đã duyệt.";
    say(waiting, note);
  }

  function act(button, work, done) {
    button.addEventListener("click", () =>
      busy(button, "Đang thực hiện…", async () => {
        clearFieldErrors(actions);
        say(outcome, "");
        try {
          const response = await work();
          const changed = response.data;
          show(changed, response.headers.get("ETag"));
          say(outcome, typeof done === "function" ? done(changed) : done);
        } catch (error) {
          // The field says what is wrong; the API's whole sentence (the quiet hours and the time
          // chosen, the colleague who approved meanwhile) is said above the buttons as well.
          showFieldErrors(actions, error);
          if (!problem.childElementCount) problem.append(errorBox(error));
        }
      }),
    );
  }
  // A cancel sends no If-Match: it is allowed whatever the campaign became meanwhile.
  const post = (action, body, headers = {}) => api.request(`${campaignApi(campaign.id)}/${action}`, { method: "POST", body, headers });
  act(approve, () => post("approve", undefined, { "If-Match": etag }), "Đã duyệt chiến dịch. Có thể lên lịch gửi.");
  act(
    schedule,
    () => {
      if (!sendAt.value) return Promise.reject({ message: "Hãy chọn ngày và giờ gửi.", fieldErrors: { send_at: ["Hãy chọn ngày và giờ gửi."] } });
      return post("schedule", { send_at: vietnamTime(sendAt.value) }, { "If-Match": etag });
    },
    (changed) => `Đã lên lịch gửi lúc ${formatDateTime(changed.send_at)}.`,
  );
  act(cancel, () => post("cancel"), "Đã hủy chiến dịch.");
  show(campaign, etag);
  keepFresh(ctx, async () => {
    const fresh = await readCampaign(campaign.id);
    show(fresh.data, fresh.etag);
  });

  return [
    outcome,
    card(h("h2", {}, campaign.title), status, h("p", { class: "comms-body" }, campaign.body), meta, waiting, actions),
    card(h("h3", {}, "Số liệu"), figures),
    h("p", {}, h("a", { href: "/workspace/comms/campaigns" }, "‹ Về danh sách chiến dịch")),
  ];
}

export const routes = [
  { path: "/comms/campaigns", title: "Chiến dịch thông báo", nav: "Chiến dịch", roles: COMMS_ROLES, auth: true, render: listScreen },
  { path: "/comms/campaigns/new", title: "Soạn chiến dịch", roles: COMPOSERS, auth: true, render: composeScreen },
  { path: "/comms/campaigns/:id", title: "Chiến dịch thông báo", roles: COMMS_ROLES, auth: true, render: campaignScreen },
];
