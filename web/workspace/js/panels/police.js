// The police panel: the triage of reports and crime reports (phản ánh, tố giác) of the person's
// unit, and traffic fine notices (xử phạt): search, one notice with its evidence, cancelling with a
// reason, issuing one by hand and importing the camera feed's JSON.
//
// Each route names exactly the roles the API lets call what it shows: the report desk is open to
// officers (their ward's reports), the police and admins; fines, and the informant's identity, to
// the police only. The API is the truth for everything else (which moves a status allows, what a
// notice needs): the screens carry its answers and its Vietnamese messages.

import * as api from "../../../shared/api.js";
import {
  h,
  busy,
  card,
  chip,
  clearFieldErrors,
  empty,
  errorBox,
  facts,
  field,
  formatDate,
  formatDateTime,
  formatMoney,
  showFieldErrors,
  toast,
} from "../../../shared/ui.js";
import { me } from "../staff.js";

const DESK_ROLES = ["officer", "police", "admin"]; // api/reports/routes.py: DESK
const POLICE_ROLES = ["police"]; // api/fines/routes.py: POLICE_STAFF; the identity route too
const PAGE_SIZE = 20;

const REPORT_TONES = { received: "info", assigned: "wait", in_progress: "wait", resolved: "ok", closed: "ok", rejected: "bad", merged: "info" };
const FINE_TONES = { issued: "wait", confirmed: "wait", paid: "ok", cancelled: "info" };
const FINE_STATUSES = [
  ["issued", "Chờ xác nhận"],
  ["confirmed", "Đã xác nhận vi phạm"],
  ["paid", "Đã nộp phạt"],
  ["cancelled", "Đã huỷ"],
];
const FINE_SOURCES = [
  ["camera", "Camera (phạt nguội)"],
  ["police", "Cán bộ lập biên bản"],
];
const CHANNEL_NAMES = { app: "Ứng dụng", chat: "Trò chuyện (chatbot)", open311: "Ứng dụng đối tác (Open311)" };
// A notice's fields as the import's rejected rows name them, in the words of the issuing form.
const NOTICE_FIELDS = {
  notice_number: "Số quyết định",
  source: "Nguồn",
  source_ref: "Mã bản ghi nguồn",
  plate: "Biển số",
  vehicle_kind: "Loại phương tiện",
  owner_cccd: "Số căn cước chủ phương tiện",
  violated_at: "Thời điểm vi phạm",
  place: "Nơi vi phạm",
  ward_code: "Mã phường, xã",
  violation_code: "Hành vi vi phạm",
  amount_vnd: "Số tiền phạt",
  evidence: "Ảnh bằng chứng",
  decided_at: "Thời điểm ra quyết định",
  _schema: "Bản ghi",
};
// The API's cap on one import (api/fines/service.py MAX_BATCH_ROWS): said before sending.
const MAX_BATCH_ROWS = 1000;

// ---- shared pieces ------------------------------------------------------------------------------

/** Someone who acted, by name: the API names staff; anyone else is the citizen or the system. */
function who(ref, name, mine) {
  if (name) return ref === `staff:${mine}` ? `${name} (bạn)` : name;
  if (!ref) return "—";
  if (ref === "citizen") return "Người phản ánh";
  if (ref === "system") return "Hệ thống";
  if (ref.startsWith("service:")) return "Hệ thống camera giao thông";
  if (ref === "cli") return "Nhập từ tệp";
  return "Cán bộ (tài khoản đã xoá)";
}

/** A changed-meanwhile refusal, explained with a way to see the new state. */
function isStale(error) {
  return error.status === 412 || ["report_changed", "illegal_transition", "fine_changed"].includes(error.code);
}

function staleBox(ctx) {
  return h(
    "div",
    { class: "error-box", role: "alert" },
    h("p", {}, "Hồ sơ vừa được người khác thay đổi. Hãy tải lại để xem trạng thái mới nhất rồi thao tác lại."),
    h("button", { type: "button", class: "button secondary", onclick: () => ctx.navigate(location.pathname, { replace: true }) }, "Tải lại"),
  );
}

/** The refusal of a form's request: stale explained, field errors next to their fields. */
function showFailure(ctx, form, error) {
  if (isStale(error)) {
    clearFieldErrors(form);
    let alert = form.querySelector(".form-alert");
    if (!alert) {
      alert = h("div", { class: "form-alert", tabindex: "-1" });
      form.prepend(alert);
    }
    alert.replaceChildren(staleBox(ctx));
    alert.focus();
    return;
  }
  showFieldErrors(form, error);
}

function option(value, label, selected) {
  return h("option", { value, selected: selected === value }, label);
}

function select(name, choices, value, emptyLabel) {
  return h("select", { name }, emptyLabel !== undefined ? option("", emptyLabel, value || "") : null, choices.map(([code, label]) => option(code, label, value)));
}

/**
 * A table read page by page: the first page now, "Xem thêm" while X-Pagination says there is
 * more. `columns` are header labels, `row(item)` draws a <tr>.
 */
async function pagedTable(ctx, path, { label, columns, row, emptyText }) {
  const first = await api.request(path(1), { signal: ctx.signal, remember: false });
  const info = api.pageInfo(first.headers);
  if (!first.data.length) return empty(emptyText);
  const body = h("tbody", {}, first.data.map(row));
  const table = h("table", { class: "table" }, h("caption", { class: "police-caption" }, label), h("thead", {}, h("tr", {}, columns.map((name) => h("th", { scope: "col" }, name)))), body);
  const count = h("p", { class: "muted small", role: "status" });
  const more = h("div", { class: "police-more" });
  let page = 1;
  const offerMore = (pageInfo) => {
    more.replaceChildren();
    count.textContent = pageInfo ? `Đang hiện ${body.rows.length} trên ${pageInfo.total} mục.` : "";
    if (!pageInfo || pageInfo.page >= pageInfo.total_pages) return;
    const button = h("button", { type: "button", class: "button secondary" }, "Xem thêm");
    button.addEventListener("click", () =>
      busy(button, "Đang tải…", async () => {
        try {
          const next = await api.request(path(page + 1), { signal: ctx.signal, remember: false });
          page += 1;
          body.append(...next.data.map(row));
          offerMore(api.pageInfo(next.headers));
        } catch (error) {
          if (error.name !== "AbortError") more.append(errorBox(error));
        }
      }),
    );
    more.append(button);
  };
  offerMore(info);
  return h("div", { class: "police-table" }, table, count, more);
}

/** An authorised photo (or a video's download link) from the API, kept until the screen is left. */
function authorisedMedia(ctx, path, contentType, alt) {
  const holder = h("figure", { class: "police-photo" }, h("p", { class: "muted small" }, "Đang tải ảnh…"));
  api
    .blobUrl(path)
    .then((url) => {
      ctx.onLeave(() => URL.revokeObjectURL(url));
      const shown = contentType?.startsWith("video/")
        ? h("a", { class: "button secondary", href: url, download: "video.mp4" }, `Tải ${alt.toLowerCase()}`)
        : h("img", { src: url, alt });
      holder.replaceChildren(shown, h("figcaption", { class: "small" }, alt));
    })
    .catch((error) => holder.replaceChildren(h("p", { class: "hint" }, error.message)));
  return holder;
}

/** Filters as a GET form: applying them changes the URL, so a filtered list can be shared or reloaded. */
function filterForm(ctx, base, controls) {
  const form = h("form", { class: "toolbar", role: "search", "aria-label": "Lọc danh sách" }, controls, h("button", { type: "submit", class: "button" }, "Lọc"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = {};
    for (const [name, value] of new FormData(form)) params[name] = String(value).trim();
    ctx.navigate(`/workspace${base}${api.query(params)}`);
  });
  return form;
}

// ---- reports: the triage queue ------------------------------------------------------------------

async function reportQueue(ctx) {
  const status = ctx.query.get("status") || "";
  const category = ctx.query.get("category") || "";
  const overdue = ctx.query.get("overdue") === "true";
  const [statistics, categories] = await Promise.all([
    api.get("/staff/reports/statistics", { signal: ctx.signal, remember: false }),
    api.get("/reports/categories", { signal: ctx.signal }),
  ]);
  const statusNames = Object.fromEntries(statistics.by_status.map((item) => [item.status, item.status_name]));
  const categoryNames = Object.fromEntries(categories.map((item) => [item.code, item.name]));

  const overdueBox = h("input", { type: "checkbox", name: "overdue", value: "true", checked: overdue });
  const filters = filterForm(ctx, "/reports", [
    field("Trạng thái", select("status", Object.entries(statusNames), status, "Chưa xử lý xong (mặc định)")),
    field("Lĩnh vực", select("category", categories.map((item) => [item.code, item.name]), category, "Tất cả lĩnh vực")),
    h("div", { class: "field police-check" }, h("label", {}, overdueBox, " Chỉ phản ánh quá hạn")),
  ]);

  const table = await pagedTable(ctx, (page) => `/staff/reports${api.query({ status, category, overdue: overdue || "", page, page_size: PAGE_SIZE })}`, {
    label: "Phản ánh của đơn vị, hạn gần nhất trước",
    columns: ["Lĩnh vực", "Địa điểm", "Trạng thái", "Hạn trả lời", "Người xử lý", "Gửi lúc"],
    emptyText: "Không có phản ánh nào khớp bộ lọc.",
    row: (report) =>
      h(
        "tr",
        { class: report.overdue ? "overdue" : null },
        h(
          "td",
          {},
          h("a", { href: `/workspace/reports/${report.id}` }, categoryNames[report.category] || report.category_name),
          report.is_crime ? [" ", chip("Tố giác", "bad")] : null,
          report.urgent ? [" ", chip("Khẩn", "bad")] : null,
          report.affected_count > 1 ? h("span", { class: "muted small" }, ` · ${report.affected_count} người`) : null,
        ),
        h("td", {}, report.address || "—"),
        h("td", {}, chip(report.status_name, REPORT_TONES[report.status])),
        h("td", {}, formatDate(report.deadline), report.overdue ? [" ", chip("Quá hạn", "bad")] : null),
        h("td", {}, report.assignee_name || (report.assignee ? "Cán bộ khác" : "Chưa giao")),
        h("td", {}, formatDateTime(report.submitted_at)),
      ),
  });

  const stats = h(
    "div",
    { class: "stat-grid", "aria-label": "Tổng quan" },
    h("p", { class: "stat" }, h("strong", {}, String(statistics.total)), "phản ánh trong phạm vi"),
    h("p", { class: "stat" }, h("strong", {}, String(statistics.overdue_open)), "đang quá hạn"),
    h("p", { class: "stat" }, h("strong", {}, statistics.average_rating ?? "—"), "điểm hài lòng trung bình"),
  );
  return [h("h2", {}, "Hàng đợi xử lý"), stats, filters, table];
}

// ---- reports: one report ------------------------------------------------------------------------

async function reportPage(ctx) {
  const [report, person] = await Promise.all([api.get(`/staff/reports/${ctx.params.id}`, { signal: ctx.signal, remember: false }), me()]);
  const root = h("div", { class: "police-report" });
  const draw = (current) => {
    ctx.setTitle(`${current.category.name}`);
    root.replaceChildren(...reportView(ctx, current, person, draw));
  };
  draw(report);
  return root;
}

function reportView(ctx, report, person, redraw) {
  const base = `/staff/reports/${report.id}`;
  const details = card(
    h("h2", {}, "Nội dung phản ánh"),
    h("p", {}, chip(report.status_name, REPORT_TONES[report.status]), report.overdue ? [" ", chip("Quá hạn trả lời", "bad")] : null, report.is_crime ? [" ", chip("Tố giác tội phạm", "bad")] : null),
    h("p", { class: "police-description" }, report.description),
    facts([
      ["Lĩnh vực", report.category.name],
      ["Địa chỉ", report.address],
      ["Phường, xã", report.ward?.name],
      ["Xảy ra lúc", formatDateTime(report.incident_at)],
      ["Gửi lúc", formatDateTime(report.submitted_at)],
      ["Hạn trả lời", formatDate(report.deadline)],
      ["Đơn vị xử lý", `${report.unit_name} · ${report.unit_ward?.name || ""}`],
      ["Người xử lý", report.assignee ? who(report.assignee, report.assignee_name, person.id) : "Chưa giao"],
      ["Kênh gửi", CHANNEL_NAMES[report.channel] || report.channel],
      ["Người gửi", report.anonymous ? "Ẩn danh" : null],
      ["Số người cùng phản ánh", report.affected_count > 1 ? String(report.affected_count) : null],
      ["Kết quả xử lý", report.resolution_note],
      ["Lý do không xử lý", report.reject_reason],
      ["Đánh giá của người phản ánh", report.rating ? `${report.rating}/5${report.rating_comment ? ` — ${report.rating_comment}` : ""}` : null],
    ]),
  );

  const media = card(
    h("h3", {}, "Ảnh, video"),
    report.media.length
      ? h(
          "div",
          { class: "police-gallery" },
          report.media.map((item, index) =>
            authorisedMedia(
              ctx,
              `${base}/media/${item.id}`,
              item.content_type,
              `${item.uploaded_by === "staff" ? "Ảnh kết quả xử lý" : "Ảnh người phản ánh gửi"} ${index + 1}`,
            ),
          ),
        )
      : h("p", { class: "muted" }, "Không có ảnh, video."),
  );

  const history = card(
    h("h3", {}, "Lịch sử xử lý"),
    h(
      "ol",
      { class: "timeline" },
      report.history.map((step) =>
        h(
          "li",
          {},
          h("strong", {}, step.label),
          h("span", { class: "muted small" }, ` · ${formatDateTime(step.at)} · ${who(step.actor, step.actor_name, person.id)}`),
          step.note ? h("p", { class: "small" }, step.note) : null,
        ),
      ),
    ),
  );

  return [
    h(
      "div",
      { class: "split" },
      h("div", {}, details, media, history, commentsCard(ctx, report, person, redraw)),
      h("div", {}, actionsCard(ctx, report, redraw), identityCard(report, person)),
    ),
  ];
}

function commentsCard(ctx, report, person, redraw) {
  const items = report.comments.map((comment) =>
    h(
      "li",
      { class: comment.internal ? "police-comment internal" : "police-comment" },
      h(
        "p",
        { class: "small muted" },
        comment.author_kind === "citizen" ? "Người phản ánh" : who(comment.author, comment.author_name, person.id),
        ` · ${formatDateTime(comment.at)}`,
        comment.internal ? [" · ", chip("Ghi chú nội bộ", "info")] : null,
      ),
      h("p", {}, comment.body),
    ),
  );
  const body = h("textarea", { name: "body", rows: "3", maxlength: "2000", required: true });
  const internal = h("input", { type: "checkbox", name: "internal" });
  const send = h("button", { type: "submit", class: "button" }, "Gửi");
  const form = h(
    "form",
    { novalidate: true },
    field("Nội dung", body),
    h("div", { class: "field police-check" }, h("label", {}, internal, " Ghi chú nội bộ (người phản ánh không thấy)")),
    send,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(send, "Đang gửi…", async () => {
      clearFieldErrors(form);
      try {
        const comment = await api.post(`/staff/reports/${report.id}/comments`, { body: body.value, internal: internal.checked });
        toast(comment.internal ? "Đã lưu ghi chú nội bộ." : "Đã gửi trả lời cho người phản ánh.");
        redraw({ ...report, comments: [...report.comments, comment] });
      } catch (error) {
        showFailure(ctx, form, error);
      }
    });
  });
  return card(h("h3", {}, "Trao đổi"), items.length ? h("ul", { class: "police-comments" }, items) : h("p", { class: "muted" }, "Chưa có trao đổi nào."), h("h4", {}, "Trả lời hoặc ghi chú"), form);
}

/** The colleagues of the report's unit, the signed-in person first chosen; until the list
 *  arrives (or if it cannot), the only choice is "me", which the API takes as the default. */
function assigneeSelect(report) {
  const select = h("select", { name: "assignee" }, h("option", { value: "" }, "Tôi"));
  Promise.all([api.get(`/staff/reports/${report.id}/assignees`, { remember: false }), me()])
    .then(([people, person]) => {
      const options = people.map((colleague) =>
        h("option", { value: colleague.id, selected: colleague.id === person.id }, colleague.id === person.id ? `${colleague.display_name} (bạn)` : colleague.display_name),
      );
      if (options.length) select.replaceChildren(...options);
    })
    .catch(() => {});
  return select;
}

/** One move of the desk (assign, start, reject, resolve) as a form with what it needs. */
function actionForm(ctx, report, redraw, { action, title, submit, note, evidence, assignee }) {
  const noteBox = note ? h("textarea", { name: "note", rows: "3", maxlength: "2000", required: true }) : null;
  const assigneeBox = assignee ? assigneeSelect(report) : null;
  const photo = evidence ? h("input", { type: "file", name: "evidence_media_id", accept: "image/jpeg,image/png", required: true }) : null;
  const button = h("button", { type: "submit", class: action === "reject" ? "button danger" : "button" }, submit);
  const form = h(
    "form",
    { class: "police-action", novalidate: true },
    title ? h("h4", {}, title) : null,
    assignee ? field("Giao cho", assigneeBox, "Cán bộ của đơn vị xử lý phản ánh này.") : null,
    note ? field(note.label, noteBox, note.hint) : null,
    evidence ? field("Ảnh kết quả xử lý (JPEG, PNG)", photo, "Bắt buộc: ảnh hiện trường sau khi đã xử lý.") : null,
    button,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(button, "Đang lưu…", async () => {
      clearFieldErrors(form);
      try {
        const body = { action };
        if (noteBox) body.note = noteBox.value;
        if (assigneeBox?.value) body.assignee = assigneeBox.value;
        if (photo) {
          if (!photo.files.length) {
            showFieldErrors(form, { message: "Hãy chọn ảnh kết quả xử lý.", fieldErrors: { evidence_media_id: ["Hãy chọn ảnh kết quả xử lý."] } });
            return;
          }
          const upload = new FormData();
          upload.append("file", photo.files[0], photo.files[0].name);
          const stored = await api.post(`/staff/reports/${report.id}/media`, upload);
          body.evidence_media_id = stored.id;
        }
        const changed = await api.post(`/staff/reports/${report.id}/actions`, body);
        toast(`Đã cập nhật: ${changed.status_name}.`);
        redraw(changed);
      } catch (error) {
        showFailure(ctx, form, error);
      }
    });
  });
  return form;
}

function actionsCard(ctx, report, redraw) {
  const forms = [];
  const rejectForm = () =>
    actionForm(ctx, report, redraw, {
      action: "reject",
      title: "Không xử lý",
      submit: "Từ chối phản ánh",
      note: { label: "Lý do không xử lý", hint: "Người phản ánh đọc được lý do này." },
    });
  if (report.status === "received") {
    forms.push(actionForm(ctx, report, redraw, { action: "assign", title: "Giao xử lý", submit: "Giao xử lý", assignee: true }), rejectForm());
  } else if (report.status === "assigned") {
    forms.push(actionForm(ctx, report, redraw, { action: "start", submit: "Bắt đầu xử lý" }), rejectForm());
  } else if (report.status === "in_progress") {
    forms.push(
      actionForm(ctx, report, redraw, {
        action: "resolve",
        title: "Đã xử lý xong",
        submit: "Xác nhận đã xử lý xong",
        note: { label: "Kết quả xử lý", hint: "Người phản ánh đọc được kết quả này." },
        evidence: true,
      }),
      rejectForm(),
    );
  }
  return card(h("h3", {}, "Xử lý"), forms.length ? forms : h("p", { class: "muted" }, `Phản ánh đang ở trạng thái "${report.status_name}": không còn thao tác nào.`));
}

/** The informant's identity: only the police, only with a stated purpose, every view audited. */
function identityCard(report, person) {
  if (!report.has_identity) return null;
  const holder = h("div", {});
  if (!POLICE_ROLES.includes(person.role)) {
    holder.append(h("p", { class: "muted" }, "Chỉ công an được xem thông tin người tố giác."));
    return card(h("h3", {}, "Người tố giác"), holder);
  }
  const open = h("button", { type: "button", class: "button secondary" }, "Xem thông tin người tố giác");
  open.addEventListener("click", () => holder.replaceChildren(purposeForm()));
  holder.append(open);

  function purposeForm() {
    const reason = h("textarea", { name: "reason", rows: "3", maxlength: "500", required: true });
    const send = h("button", { type: "submit", class: "button" }, "Xem thông tin");
    const cancel = h("button", { type: "button", class: "button secondary" }, "Thôi");
    cancel.addEventListener("click", () => holder.replaceChildren(open));
    const form = h(
      "form",
      { novalidate: true },
      h("p", { class: "police-audit-note" }, "Thông tin người tố giác được bảo vệ. Mỗi lần xem được ghi vào nhật ký kiểm toán, kèm tên của bạn và mục đích bạn ghi dưới đây."),
      field("Mục đích xem", reason, "Ví dụ: số hồ sơ vụ việc, yêu cầu của điều tra viên (ít nhất 10 ký tự)."),
      h("div", { class: "police-buttons" }, send, cancel),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(send, "Đang mở…", async () => {
        clearFieldErrors(form);
        try {
          const identity = await api.post(`/staff/reports/${report.id}/identity`, { reason: reason.value }, { remember: false });
          holder.replaceChildren(
            facts([
              ["Họ và tên", identity.full_name],
              ["Số căn cước", identity.cccd],
              ["Điện thoại", identity.phone],
              ["Thư điện tử", identity.email],
            ]),
            h("p", { class: "muted small" }, "Lần xem này đã được ghi vào nhật ký kiểm toán."),
          );
        } catch (error) {
          showFieldErrors(form, error);
        }
      });
    });
    setTimeout(() => reason.focus(), 0);
    return form;
  }
  return card(h("h3", {}, "Người tố giác"), holder);
}

// ---- fines: the list ----------------------------------------------------------------------------

async function fineList(ctx) {
  const plate = ctx.query.get("plate") || "";
  const status = ctx.query.get("status") || "";
  const source = ctx.query.get("source") || "";
  const filters = filterForm(ctx, "/fines", [
    field("Biển số", h("input", { name: "plate", value: plate, maxlength: "30", autocomplete: "off" }), "Gõ kiểu nào cũng được: 47a12345"),
    field("Trạng thái", select("status", FINE_STATUSES, status, "Tất cả")),
    field("Nguồn", select("source", FINE_SOURCES, source, "Tất cả")),
  ]);
  let table;
  try {
    table = await pagedTable(ctx, (page) => `/police/fines${api.query({ plate, status, source, page, page_size: PAGE_SIZE })}`, {
      label: "Quyết định xử phạt, mới nhất trước",
      columns: ["Số quyết định", "Biển số", "Hành vi", "Số tiền", "Vi phạm lúc", "Trạng thái", "Nguồn"],
      emptyText: "Không có quyết định xử phạt nào khớp bộ lọc.",
      row: (fine) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `/workspace/fines/${fine.id}` }, fine.notice_number)),
          h("td", {}, fine.plate),
          h("td", {}, fine.violation?.description || "—"),
          h("td", { class: "police-money" }, formatMoney(fine.amount_vnd)),
          h("td", {}, formatDateTime(fine.violated_at)),
          h("td", {}, chip(fine.status_name, FINE_TONES[fine.status]), fine.overdue ? [" ", chip("Quá hạn", "bad")] : null),
          h("td", {}, fine.source === "camera" ? "Camera" : "Cán bộ"),
        ),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    table = errorBox(error);
  }
  return [
    h(
      "div",
      { class: "police-heading" },
      h("h2", {}, "Quyết định xử phạt"),
      h("a", { class: "button", href: "/workspace/fines/new" }, "Lập quyết định xử phạt"),
      h("a", { class: "button secondary", href: "/workspace/fines/import" }, "Nhập dữ liệu camera"),
    ),
    filters,
    table,
  ];
}

// ---- fines: one notice --------------------------------------------------------------------------

async function finePage(ctx) {
  const [fine, person] = await Promise.all([api.get(`/police/fines/${ctx.params.id}`, { signal: ctx.signal, remember: false }), me()]);
  const root = h("div", {});
  const draw = (current) => {
    ctx.setTitle(`Quyết định ${current.notice_number}`);
    root.replaceChildren(...fineView(ctx, current, person, draw));
  };
  draw(fine);
  return root;
}

function fineView(ctx, fine, person, redraw) {
  const details = card(
    h("h2", {}, `Quyết định số ${fine.notice_number}`),
    h("p", {}, chip(fine.status_name, FINE_TONES[fine.status]), fine.overdue ? [" ", chip("Quá hạn nộp phạt", "bad")] : null),
    facts([
      ["Biển số", fine.plate],
      ["Phương tiện", fine.vehicle_kind_name],
      ["Hành vi", fine.violation?.description],
      ["Căn cứ", fine.violation?.legal_reference],
      ["Số tiền phạt", formatMoney(fine.amount_vnd)],
      ["Vi phạm lúc", formatDateTime(fine.violated_at)],
      ["Nơi vi phạm", fine.place],
      ["Phường, xã", fine.ward?.name],
      ["Số căn cước chủ phương tiện", fine.owner_cccd],
      ["Ra quyết định lúc", formatDateTime(fine.decided_at)],
      ["Hạn nộp phạt", formatDate(fine.deadline)],
      ["Nguồn", fine.source_name],
      ["Mã bản ghi nguồn", fine.source_ref],
      ["Người lập", who(fine.issued_by, fine.issued_by_name, person.id)],
      ["Xác nhận lúc", fine.confirmed_at ? formatDateTime(fine.confirmed_at) : null],
      ["Nộp phạt lúc", fine.paid_at ? formatDateTime(fine.paid_at) : null],
      ["Huỷ lúc", fine.cancelled_at ? formatDateTime(fine.cancelled_at) : null],
      ["Người huỷ", fine.cancelled_by ? who(fine.cancelled_by, fine.cancelled_by_name, person.id) : null],
      ["Lý do huỷ", fine.cancel_reason],
    ]),
  );
  const evidence = card(
    h("h3", {}, "Ảnh bằng chứng"),
    fine.evidence.length
      ? h(
          "div",
          { class: "police-gallery" },
          fine.evidence.map((photo, index) => authorisedMedia(ctx, photo.url, "image/jpeg", `Ảnh bằng chứng ${index + 1}`)),
        )
      : h("p", { class: "muted" }, "Quyết định này không có ảnh bằng chứng."),
  );
  return [h("p", {}, h("a", { href: "/workspace/fines" }, "← Danh sách quyết định")), h("div", { class: "split" }, h("div", {}, details, evidence), h("div", {}, cancelCard(ctx, fine, redraw)))];
}

function cancelCard(ctx, fine, redraw) {
  if (!["issued", "confirmed"].includes(fine.status)) {
    return card(h("h3", {}, "Huỷ quyết định"), h("p", { class: "muted" }, `Quyết định đang ở trạng thái "${fine.status_name}": không huỷ được.`));
  }
  const reason = h("textarea", { name: "reason", rows: "3", maxlength: "1000", required: true });
  const button = h("button", { type: "submit", class: "button danger" }, "Huỷ quyết định");
  const form = h("form", { novalidate: true }, field("Lý do huỷ", reason, "Bắt buộc; lưu vào hồ sơ và gửi cho công dân."), button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(button, "Đang huỷ…", async () => {
      clearFieldErrors(form);
      try {
        const cancelled = await api.post(`/police/fines/${fine.id}/cancel`, { reason: reason.value });
        toast("Đã huỷ quyết định xử phạt.");
        redraw(cancelled);
      } catch (error) {
        showFailure(ctx, form, error);
      }
    });
  });
  return card(h("h3", {}, "Huỷ quyết định"), form);
}

// ---- fines: issuing one --------------------------------------------------------------------------

/** "2025-06-01T08:30" from a datetime-local field, as the time in Vietnam it means. */
function vietnamTime(value) {
  return value ? `${value}:00+07:00` : undefined;
}

async function newFine(ctx) {
  const [violations, person] = await Promise.all([api.get("/fines/violations", { signal: ctx.signal }), me()]);
  const text = (name, attributes = {}) => h("input", { name, autocomplete: "off", ...attributes });
  const violation = h(
    "select",
    { name: "violation_code", required: true },
    option("", "— Chọn hành vi —", ""),
    violations.map((item) => option(item.code, `${item.description} (${formatMoney(item.min_vnd)} – ${formatMoney(item.max_vnd)})`)),
  );
  const amount = text("amount_vnd", { type: "number", min: "0", step: "1000", inputmode: "numeric", required: true });
  const range = h("p", { class: "hint", role: "status" });
  violation.addEventListener("change", () => {
    const chosen = violations.find((item) => item.code === violation.value);
    range.textContent = chosen ? `Khung phạt: ${formatMoney(chosen.min_vnd)} – ${formatMoney(chosen.max_vnd)} · ${chosen.legal_reference}` : "";
    if (chosen && !amount.value) amount.value = chosen.min_vnd;
  });
  const evidence = h("textarea", { name: "evidence", rows: "2" });
  const send = h("button", { type: "submit", class: "button" }, "Lập quyết định");
  const form = h(
    "form",
    { class: "card police-form", novalidate: true },
    h("h2", {}, "Lập quyết định xử phạt"),
    h(
      "div",
      { class: "police-grid" },
      field("Số quyết định", text("notice_number", { required: true, maxlength: "40" }), "Ví dụ: 00123/QĐ-XPVPHC"),
      field("Biển số", text("plate", { required: true, maxlength: "30" }), "Gõ kiểu nào cũng được: 47A-123.45"),
      field("Số căn cước chủ phương tiện", text("owner_cccd", { required: true, inputmode: "numeric", maxlength: "12" })),
      field("Thời điểm vi phạm", h("input", { name: "violated_at", type: "datetime-local", required: true }), "Giờ Việt Nam."),
      field("Nơi vi phạm", text("place", { required: true, maxlength: "300" })),
      field("Mã phường, xã nơi vi phạm", text("ward_code", { inputmode: "numeric", maxlength: "5", value: person.ward_code || "" }), "5 chữ số; mặc định phường, xã của bạn."),
    ),
    h("div", { class: "field" }, h("label", { for: "fine-violation" }, "Hành vi vi phạm"), Object.assign(violation, { id: "fine-violation" }), range),
    field("Số tiền phạt (đồng)", amount, "Trong khung phạt của hành vi."),
    field("Ảnh bằng chứng (không bắt buộc)", evidence, "Mỗi dòng một địa chỉ ảnh http(s) của hệ thống camera."),
    send,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(send, "Đang lập…", async () => {
      clearFieldErrors(form);
      const value = (name) => form.elements[name].value.trim();
      const body = {
        notice_number: value("notice_number"),
        plate: value("plate"),
        owner_cccd: value("owner_cccd"),
        violated_at: vietnamTime(value("violated_at")),
        place: value("place"),
        violation_code: value("violation_code"),
        amount_vnd: value("amount_vnd") === "" ? undefined : Number(value("amount_vnd")),
        evidence: value("evidence").split("\n").map((line) => line.trim()).filter(Boolean),
      };
      if (value("ward_code")) body.ward_code = value("ward_code");
      try {
        const fine = await api.post("/police/fines", body);
        toast(`Đã lập quyết định số ${fine.notice_number}.`);
        ctx.navigate(`/workspace/fines/${fine.id}`);
      } catch (error) {
        showFailure(ctx, form, error);
      }
    });
  });
  return [h("p", {}, h("a", { href: "/workspace/fines" }, "← Danh sách quyết định")), form];
}

// ---- fines: the camera feed's import --------------------------------------------------------------

function importScreen(ctx) {
  const file = h("input", { type: "file", name: "file", accept: ".json,application/json" });
  const text = h("textarea", { name: "rows", rows: "10", spellcheck: "false", class: "police-json" });
  file.addEventListener("change", async () => {
    if (file.files.length) text.value = await file.files[0].text();
  });
  const send = h("button", { type: "submit", class: "button" }, "Nhập dữ liệu");
  const result = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card", novalidate: true },
    h("h2", {}, "Nhập dữ liệu camera"),
    h("p", {}, "Một danh sách JSON các quyết định (tối đa 1000 dòng), mỗi dòng có các trường như khi lập một quyết định. Gửi lại cùng mã bản ghi nguồn (source_ref) thì cập nhật, không tạo trùng."),
    field("Tệp JSON", file, "Nội dung tệp được đưa vào ô bên dưới để xem lại trước khi gửi."),
    field("Dữ liệu JSON", text),
    send,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(send, "Đang nhập…", async () => {
      clearFieldErrors(form);
      result.replaceChildren();
      let rows;
      try {
        rows = JSON.parse(text.value);
      } catch {
        showFieldErrors(form, { message: "Dữ liệu không phải JSON hợp lệ.", fieldErrors: { rows: ["Dữ liệu không phải JSON hợp lệ. Hãy kiểm tra dấu ngoặc, dấu phẩy và dấu nháy kép."] } });
        return;
      }
      if (!Array.isArray(rows)) {
        showFieldErrors(form, { message: "Cần một danh sách.", fieldErrors: { rows: ["Dữ liệu phải là một danh sách JSON: [ {...}, {...} ]."] } });
        return;
      }
      if (rows.length > MAX_BATCH_ROWS) {
        showFieldErrors(form, { message: "Quá nhiều dòng.", fieldErrors: { rows: [`Mỗi lần nhập tối đa ${MAX_BATCH_ROWS} dòng; danh sách có ${rows.length} dòng.`] } });
        return;
      }
      try {
        const report = await api.post("/police/fines/batch", rows);
        result.replaceChildren(importResult(report));
      } catch (error) {
        showFailure(ctx, form, error);
      }
    });
  });
  return [h("p", {}, h("a", { href: "/workspace/fines" }, "← Danh sách quyết định")), form, result];
}

function importResult(report) {
  const rejects = report.rejects.length
    ? h(
        "table",
        { class: "table police-rejects" },
        h("caption", { class: "police-caption" }, "Các dòng bị từ chối"),
        h("thead", {}, h("tr", {}, ["Dòng", "Số quyết định", "Mã bản ghi nguồn", "Lý do"].map((name) => h("th", { scope: "col" }, name)))),
        h(
          "tbody",
          {},
          report.rejects.map((row) =>
            h(
              "tr",
              {},
              h("td", {}, String(row.row)),
              h("td", {}, row.notice_number || "—"),
              h("td", {}, row.source_ref || "—"),
              h(
                "td",
                {},
                h("p", {}, row.reason),
                row.errors.length
                  ? h("ul", { class: "small" }, row.errors.map((error) => h("li", {}, `${NOTICE_FIELDS[error.field] || error.field}: ${error.messages.join(" ")}`)))
                  : null,
              ),
            ),
          ),
        ),
      )
    : h("p", {}, "Không có dòng nào bị từ chối.");
  return card(
    h("h3", {}, "Kết quả nhập"),
    h(
      "div",
      { class: "stat-grid" },
      [
        ["Đã nhận", report.received],
        ["Tạo mới", report.created],
        ["Cập nhật", report.updated],
        ["Không đổi", report.unchanged],
        ["Bị từ chối", report.rejected],
      ].map(([label, value]) => h("p", { class: "stat" }, h("strong", {}, String(value)), label)),
    ),
    rejects,
  );
}

export const routes = [
  { path: "/reports", title: "Phản ánh, tố giác", nav: "Phản ánh, tố giác", roles: DESK_ROLES, auth: true, render: reportQueue },
  { path: "/reports/:id", title: "Phản ánh", roles: DESK_ROLES, auth: true, render: reportPage },
  { path: "/fines", title: "Xử phạt", nav: "Xử phạt", roles: POLICE_ROLES, auth: true, render: fineList },
  { path: "/fines/new", title: "Lập quyết định xử phạt", roles: POLICE_ROLES, auth: true, render: newFine },
  { path: "/fines/import", title: "Nhập dữ liệu camera", roles: POLICE_ROLES, auth: true, render: importScreen },
  { path: "/fines/:id", title: "Quyết định xử phạt", roles: POLICE_ROLES, auth: true, render: finePage },
];
