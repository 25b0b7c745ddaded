// Public services: the procedure catalogue (search without accents, filters, groups applied
// together), a procedure's page, and applying online with the form the procedure's own JSON
// Schema describes (forms.js) and papers from the citizen's document store.

import * as api from "../../../shared/api.js";
import * as auth from "../auth.js";
import { documentPicker, loadStore, schemaForm } from "../forms.js";
import { busy, card, chip, clearFieldErrors, empty, errorBox, facts, formatMoney, h, linkRow, list, showFieldErrors, toast } from "../../../shared/ui.js";
import { suggestWards } from "../../../shared/wards.js";

const ONLINE_LEVELS = [
  ["", "Tất cả"],
  ["full", "Toàn trình"],
  ["partial", "Một phần"],
];
const AUTHORITIES = [
  ["", "Tất cả"],
  ["ward", "Cấp xã"],
  ["province", "Cấp tỉnh"],
];
const PAGE_SIZE = 20;

const procedurePath = (code) => `/app/procedures/${encodeURIComponent(code)}`;
const groupPath = (code) => `/app/procedure-groups/${encodeURIComponent(code)}`;

function onlineChip(procedure) {
  return chip(procedure.online_level_name, procedure.online_level === "full" ? "ok" : "info");
}

function procedureRow(procedure) {
  const detail = [procedure.field, procedure.authority_level_name, procedure.processing_text, procedure.fee_text].filter(Boolean).join(" · ");
  return linkRow(procedurePath(procedure.code), procedure.name, detail, onlineChip(procedure));
}

function options(pairs, selected) {
  return pairs.map(([value, label]) => h("option", { value, selected: value === selected }, label));
}

/** Replace what `parent` shows; like h(), empty values are skipped and lists flattened. */
function fill(parent, ...children) {
  parent.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
}

/** 404 of a code in the address bar: the API's message and a way back, not a dead end. */
function notFound(ctx, error, title) {
  if (error.status !== 404) throw error;
  ctx.setTitle(title);
  return [errorBox(error), h("a", { class: "button", href: "/app/services" }, "Về danh mục thủ tục")];
}

// ---- the catalogue ------------------------------------------------------------------------------

async function catalogue(ctx) {
  const query = ctx.query;
  const q = h("input", { type: "search", name: "q", id: "services-q", value: query.get("q") || "", autocomplete: "off", enterkeyhint: "search" });
  const field = h("select", { name: "field", id: "services-field" }, h("option", { value: "" }, "Tất cả lĩnh vực"));
  const online = h("select", { name: "online", id: "services-online" }, options(ONLINE_LEVELS, query.get("online") || ""));
  const authority = h("select", { name: "authority", id: "services-authority" }, options(AUTHORITIES, query.get("authority") || ""));
  const results = h("div", { class: "results", "aria-live": "polite" }, h("p", { class: "loading" }, "Đang tìm…"));
  const form = h(
    "form",
    { class: "card search-form", role: "search", "aria-label": "Tìm thủ tục hành chính" },
    h("h2", {}, "Tìm thủ tục"),
    h(
      "div",
      { class: "field" },
      h("label", { for: q.id }, "Tên thủ tục hoặc việc bạn cần làm"),
      h("div", { class: "search-line" }, q, h("button", { type: "submit", class: "button" }, "Tìm")),
      h("p", { class: "hint" }, "Gõ có dấu hay không dấu đều được, ví dụ “lam giay khai sinh”, “doi bang lai”."),
    ),
    h(
      "div",
      { class: "filters" },
      h("div", { class: "field" }, h("label", { for: field.id }, "Lĩnh vực"), field),
      h("div", { class: "field" }, h("label", { for: online.id }, "Mức nộp trực tuyến"), online),
      h("div", { class: "field" }, h("label", { for: authority.id }, "Cấp giải quyết"), authority),
    ),
  );

  let controller = null;
  let page = 1;
  const shown = [];
  const search = async ({ more = false } = {}) => {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const params = { q: q.value.trim(), field: field.value, online: online.value, authority: authority.value };
    // The address keeps the search, so Back and a shared link show the same list.
    history.replaceState({}, "", `/app/services${api.query(params)}`);
    page = more ? page + 1 : 1;
    if (!more) shown.length = 0;
    try {
      const response = await api.request(`/procedures${api.query({ ...params, page, page_size: PAGE_SIZE })}`, { signal });
      shown.push(...response.data);
      const pagination = JSON.parse(response.headers.get("X-Pagination") || "null");
      const total = pagination?.total ?? shown.length;
      const hasMore = pagination ? page < pagination.total_pages : false;
      const clear = h("button", { type: "button", class: "button secondary" }, "Xem tất cả thủ tục");
      clear.addEventListener("click", () => {
        q.value = "";
        field.value = online.value = authority.value = "";
        search();
      });
      fill(
        results,
        h("h2", {}, params.q ? `Kết quả cho “${params.q}”` : "Thủ tục hành chính"),
        h("p", { class: "muted small" }, `${total} thủ tục`),
        shown.length ? list(shown.map(procedureRow)) : empty("Không tìm thấy thủ tục phù hợp. Hãy thử từ khác ngắn hơn, bỏ bớt bộ lọc, hoặc hỏi Trợ lý ảo.", clear),
        hasMore ? h("button", { type: "button", class: "button secondary block", onclick: () => search({ more: true }) }, "Xem thêm thủ tục") : null,
        response.stale ? h("p", { class: "banner" }, "Danh sách đã lưu trên máy, có thể chưa mới nhất.") : null,
      );
    } catch (error) {
      if (error.name === "AbortError") return;
      results.replaceChildren(errorBox(error, () => search()));
    }
  };

  let typing = null;
  q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => search(), 350);
  });
  for (const select of [field, online, authority]) select.addEventListener("change", () => search());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    search();
  });
  ctx.onLeave(() => {
    clearTimeout(typing);
    controller?.abort();
  });

  const groupsCard = card(h("h2", {}, "Nộp liên thông"), h("p", { class: "loading" }, "Đang tải…"));
  // The filter's choices are the fields the catalogue has (the API's own list), and the groups
  // applied together are listed under the results.
  const [all, groups] = await Promise.allSettled([
    api.get(`/procedures?page_size=100`, { signal: ctx.signal }),
    api.get("/procedure-groups", { signal: ctx.signal }),
  ]);
  if (all.status === "fulfilled") {
    const fields = [...new Set(all.value.map((procedure) => procedure.field))].sort((a, b) => a.localeCompare(b, "vi"));
    field.append(...fields.map((name) => h("option", { value: name, selected: name === query.get("field") }, name)));
  }
  if (groups.status === "fulfilled") {
    groupsCard.replaceChildren(
      h("h2", {}, "Nộp liên thông"),
      h("p", { class: "muted" }, "Một lần nộp cho nhiều thủ tục liên quan (Nghị định 63/2024/NĐ-CP)."),
      list(
        groups.value.map((group) =>
          linkRow(groupPath(group.code), group.name, `${group.procedures.length} thủ tục${group.processing_days ? ` · cả nhóm ${group.processing_days} ngày làm việc` : ""}`),
        ),
        "Chưa có nhóm thủ tục liên thông nào.",
      ),
    );
  } else {
    groupsCard.replaceChildren(h("h2", {}, "Nộp liên thông"), errorBox(groups.reason));
  }
  search();
  // The national list of essential services says which ones are filed here and which elsewhere.
  const essential = card(
    h("ul", { class: "rows" }, linkRow("/app/essential-services", "53 dịch vụ công thiết yếu (Đề án 06)", "Dịch vụ nào nộp được ngay tại đây, dịch vụ nào nộp trên cổng quốc gia")),
  );
  return [form, essential, card(results), groupsCard, auth.isSignedIn() ? h("p", {}, h("a", { href: "/app/dossiers" }, "Xem hồ sơ bạn đã nộp")) : null];
}

// ---- one procedure -------------------------------------------------------------------------------

function documentsList(documents) {
  return h(
    "ul",
    { class: "doc-list" },
    documents.map((document) =>
      h(
        "li",
        {},
        h("p", { class: "row-title" }, document.name, " ", document.required ? chip("Bắt buộc", "wait") : chip("Khi cần", "info")),
        document.note ? h("p", { class: "row-detail" }, document.note) : null,
      ),
    ),
  );
}

function feeText(procedure) {
  return procedure.fee_text || formatMoney(procedure.fee_vnd);
}

function applyBox(href, label) {
  return card(
    h("a", { class: "button block", href }, label),
    auth.isSignedIn() ? null : h("p", { class: "hint" }, "Cần đăng nhập bằng VNeID để nộp hồ sơ; xem thông tin thủ tục thì không cần."),
  );
}

async function procedurePage(ctx) {
  let procedure;
  try {
    procedure = await api.get(`/procedures/${encodeURIComponent(ctx.params.code)}`, { signal: ctx.signal });
  } catch (error) {
    return notFound(ctx, error, "Không tìm thấy thủ tục");
  }
  ctx.setTitle("Thủ tục");
  return [
    card(
      h("h2", {}, procedure.name),
      h("p", {}, onlineChip(procedure), " ", chip(procedure.authority_level_name, "info")),
      procedure.description ? h("p", {}, procedure.description) : null,
      facts([
        ["Lĩnh vực", procedure.field],
        ["Cơ quan giải quyết", procedure.authority_name],
        ["Mức trực tuyến", procedure.online_level_name],
        ["Lệ phí", feeText(procedure)],
        ["Thời hạn giải quyết", procedure.processing_text],
      ]),
      procedure.fee_note ? h("p", { class: "hint" }, "Về lệ phí: ", procedure.fee_note) : null,
      procedure.processing_note ? h("p", { class: "hint" }, "Về thời hạn: ", procedure.processing_note) : null,
    ),
    applyBox(`${procedurePath(procedure.code)}/apply`, "Nộp hồ sơ trực tuyến"),
    card(h("h2", {}, "Giấy tờ cần có"), documentsList(procedure.documents)),
    card(
      h("h2", {}, "Nơi nhận hồ sơ"),
      h("p", {}, procedure.authority_name),
      procedure.routing?.reason ? h("p", { class: "hint" }, procedure.routing.reason) : null,
    ),
    procedure.group
      ? card(
          h("h2", {}, "Nộp liên thông"),
          h("p", {}, "Thủ tục này có thể nộp cùng các thủ tục liên quan trong một lần:"),
          h("p", {}, h("a", { href: groupPath(procedure.group.code) }, procedure.group.name)),
        )
      : null,
    card(h("h2", {}, "Căn cứ pháp lý"), h("p", {}, procedure.legal_basis)),
    procedure.note ? card(h("h2", {}, "Lưu ý"), h("p", {}, procedure.note)) : null,
  ];
}

async function groupPage(ctx) {
  let group;
  try {
    group = await api.get(`/procedure-groups/${encodeURIComponent(ctx.params.code)}`, { signal: ctx.signal });
  } catch (error) {
    return notFound(ctx, error, "Không tìm thấy nhóm thủ tục");
  }
  ctx.setTitle("Nộp liên thông");
  return [
    card(
      h("h2", {}, group.name),
      group.description ? h("p", {}, group.description) : null,
      facts([
        ["Số thủ tục", `${group.procedures.length}`],
        ["Thời hạn cả nhóm", group.processing_days ? `${group.processing_days} ngày làm việc` : "Theo thời hạn của từng thủ tục"],
      ]),
      group.note ? h("p", { class: "hint" }, group.note) : null,
    ),
    applyBox(`${groupPath(group.code)}/apply`, "Nộp hồ sơ liên thông"),
    card(h("h2", {}, "Các thủ tục, theo thứ tự giải quyết"), h("ol", { class: "rows numbered" }, group.procedures.map((procedure) => procedureRow(procedure)))),
    card(h("h2", {}, "Căn cứ pháp lý"), h("p", {}, group.legal_basis)),
  ];
}

// ---- applying ------------------------------------------------------------------------------------

// Papers filled in on this screen (the form itself) are not attached: the catalogue notes them
// "Điền trực tuyến".
const FILLED_ONLINE = /^Điền trực tuyến/;

function requirementsOf(procedures) {
  const seen = new Set();
  const requirements = [];
  for (const procedure of procedures) {
    for (const document of procedure.documents) {
      if (FILLED_ONLINE.test(document.note || "") || seen.has(document.name)) continue;
      seen.add(document.name);
      requirements.push(document);
    }
  }
  return requirements;
}

function decorateWardFields(control, schema, path) {
  if (path.endsWith(".ward_code") && control.tagName === "INPUT") control.after(suggestWards(control));
}

/** In a group, what was typed in one procedure's form fills the same field of the later ones
 *  (the child's name in the birth registration and the health-insurance card) until edited. */
function shareAnswers(form) {
  const copy = (event) => {
    const target = event.target;
    const match = /^forms\.([^.]+)\.([^.]+)$/.exec(target.name || "");
    if (!match) return;
    target.dataset.edited = "true";
    const [, code, key] = match;
    for (const other of form.querySelectorAll(`[name$=".${CSS.escape(key)}"]`)) {
      const found = /^forms\.([^.]+)\.([^.]+)$/.exec(other.name);
      if (!found || found[1] === code || other.dataset.edited || other.type !== target.type || other.tagName !== target.tagName) continue;
      if (other.tagName === "SELECT") {
        const label = target.selectedOptions[0]?.textContent;
        const option = [...other.options].find((candidate) => candidate.textContent === label);
        if (option) other.value = option.value;
      } else if (other.type === "checkbox") {
        other.checked = target.checked;
      } else {
        other.value = target.value;
      }
    }
  };
  form.addEventListener("input", copy);
  form.addEventListener("change", copy);
}

function wardChoice(routingRules) {
  if (!routingRules.some((rule) => rule?.applicant_may_choose)) return null;
  const input = h("input", { type: "text", name: "ward_code", inputmode: "numeric", maxlength: 5, autocomplete: "off" });
  const box = h(
    "div",
    { class: "field" },
    h("label", { for: "apply-ward" }, "Phường, xã nơi nộp hồ sơ (không bắt buộc)"),
    input,
    h("p", { class: "hint", id: "apply-ward-hint" }, "Để trống thì hồ sơ nộp tại phường, xã nơi cư trú của bạn. Gõ tên phường, xã để chọn, hoặc nhập mã 5 chữ số."),
  );
  input.id = "apply-ward";
  input.setAttribute("aria-describedby", "apply-ward-hint");
  input.after(suggestWards(input));
  return {
    node: card(
      h("h3", {}, "Nơi nộp hồ sơ"),
      routingRules.filter((rule) => rule?.applicant_may_choose).map((rule) => h("p", { class: "hint" }, rule.reason)),
      box,
    ),
    read: () => input.value.trim() || undefined,
  };
}

async function applyScreen(ctx, { group }) {
  const code = ctx.params.code;
  let subject;
  let procedures;
  let store;
  try {
    if (group) {
      subject = await api.get(`/procedure-groups/${encodeURIComponent(code)}`, { signal: ctx.signal });
      procedures = await Promise.all(subject.procedure_codes.map((member) => api.get(`/procedures/${encodeURIComponent(member)}`, { signal: ctx.signal })));
    } else {
      subject = await api.get(`/procedures/${encodeURIComponent(code)}`, { signal: ctx.signal });
      procedures = [subject];
    }
    store = await loadStore(ctx.signal);
  } catch (error) {
    return notFound(ctx, error, group ? "Không tìm thấy nhóm thủ tục" : "Không tìm thấy thủ tục");
  }
  ctx.setTitle(group ? "Nộp hồ sơ liên thông" : "Nộp hồ sơ");

  const editors = procedures.map((procedure) => ({
    procedure,
    editor: schemaForm(procedure.form_schema, group ? `forms.${procedure.code}` : "form", { decorate: decorateWardFields }),
  }));
  const ward = wardChoice(procedures.map((procedure) => procedure.routing));
  const picker = documentPicker(requirementsOf(procedures), store);
  const submit = h("button", { type: "submit", class: "button block" }, group ? "Nộp hồ sơ liên thông" : "Nộp hồ sơ");
  const form = h(
    "form",
    { novalidate: true, class: "apply-form", "aria-label": `Tờ khai ${subject.name}` },
    editors.map(({ procedure, editor }, index) =>
      card(
        h("h3", {}, group ? `Bước ${index + 1}: ${procedure.name}` : procedure.form_schema.title || "Tờ khai"),
        group ? h("p", { class: "hint" }, procedure.form_schema.title) : null,
        editor.node,
      ),
    ),
    ward?.node || null,
    card(
      h("h3", {}, "Giấy tờ kèm theo"),
      h("p", { class: "hint" }, "Đính kèm bản chụp hoặc bản điện tử. Thông tin của bạn (họ tên, số định danh, nơi cư trú) lấy từ tài khoản VNeID, không cần nộp lại."),
      picker.node,
    ),
    card(
      facts(
        group
          ? [["Thời hạn cả nhóm", subject.processing_days ? `${subject.processing_days} ngày làm việc` : "Theo từng thủ tục"]]
          : [
              ["Lệ phí", feeText(subject)],
              ["Thời hạn", subject.processing_text],
              ["Cơ quan giải quyết", subject.authority_name],
            ],
      ),
      submit,
      h("p", { class: "hint" }, "Sau khi nộp, bạn theo dõi hồ sơ trong mục “Hồ sơ của tôi” và nhận thông báo khi có thay đổi."),
    ),
  );
  if (group) shareAnswers(form);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = { attachments: picker.read() };
    if (group) {
      body.group_code = subject.code;
      body.forms = Object.fromEntries(editors.map(({ procedure, editor }) => [procedure.code, editor.read()]));
    } else {
      body.procedure_code = subject.code;
      body.form = editors[0].editor.read();
    }
    const wardCode = ward?.read();
    if (wardCode) body.ward_code = wardCode;
    busy(submit, "Đang nộp hồ sơ…", async () => {
      try {
        const dossier = await api.post("/me/dossiers", body);
        toast(`Đã nộp hồ sơ ${dossier.code}.`);
        ctx.navigate(`/app/dossiers/${encodeURIComponent(dossier.code)}`);
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });

  return [
    card(
      h("h2", {}, subject.name),
      group ? h("p", {}, `Một lần nộp cho ${procedures.length} thủ tục; mỗi thủ tục thành một hồ sơ, liên kết với nhau.`) : null,
      h("p", { class: "muted" }, h("a", { href: group ? groupPath(subject.code) : procedurePath(subject.code) }, "Xem lại thông tin thủ tục")),
    ),
    form,
  ];
}

export const routes = [
  { path: "/services", title: "Dịch vụ công", tab: "services", render: catalogue },
  { path: "/procedures/:code", title: "Thủ tục", tab: "services", back: true, render: procedurePage },
  { path: "/procedure-groups/:code", title: "Nộp liên thông", tab: "services", back: true, render: groupPage },
  { path: "/procedures/:code/apply", title: "Nộp hồ sơ", tab: "services", back: true, auth: true, render: (ctx) => applyScreen(ctx, { group: false }) },
  { path: "/procedure-groups/:code/apply", title: "Nộp hồ sơ liên thông", tab: "services", back: true, auth: true, render: (ctx) => applyScreen(ctx, { group: true }) },
];
