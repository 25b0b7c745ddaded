// The 53 essential online public services of Đề án 06 (Mô hình 1), as GET /essential-services lists
// them: those the app takes applications for (each opens its procedure's page and form) and those
// that are information only (where the citizen files them nationally). Searched here, on the
// phone, accent-insensitively: the list is small and the API does not search it.

import * as api from "../../../shared/api.js";
import { card, chip, empty, errorBox, h } from "../../../shared/ui.js";

const UNVERIFIED = "Chưa đối chiếu văn bản";

/** "Đăng ký tạm-trú" → "dang ky tam tru": accents, đ and punctuation folded, as the API's search does. */
function fold(text) {
  return (text || "")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** What a service may be found by: its name, field, authority and code ("doi-gplx", "bhyt-tre-duoi-6"
 *  hold the short forms people type), plus the initials of the name ("giay phep lai xe" → "gplx"). */
function searchWords(service) {
  const words = fold([service.name, service.field, service.authority_name, service.code].filter(Boolean).join(" ")).split(" ");
  const initials = fold(service.name)
    .split(" ")
    .map((word) => word[0])
    .join("");
  return { words, initials };
}

/** Every word typed starts a word of the service, or (an abbreviation) lies in its initials. */
function matches(keys, query) {
  return query.every((typed) => keys.words.some((word) => word.startsWith(typed)) || (typed.length >= 3 && keys.initials.includes(typed)));
}

/** The longest start every note shares, cut after a sentence: said once above the list. */
function sharedNote(notes) {
  if (!notes.length) return "";
  let common = notes[0];
  for (const note of notes.slice(1)) {
    let i = 0;
    while (i < common.length && common[i] === note[i]) i += 1;
    common = common.slice(0, i);
  }
  const endsSentence = /[.!?]$/.test(common) && notes.every((note) => note.length === common.length || /\s/.test(note[common.length]));
  if (!endsSentence) {
    const end = common.lastIndexOf(". ");
    common = end >= 0 ? common.slice(0, end + 1) : "";
  }
  return common.trim();
}

/** Text with the web addresses it names (dichvucong.gov.vn) as links that open outside the app. */
function withLinks(text) {
  const parts = [];
  let last = 0;
  for (const found of text.matchAll(/\b(?:[a-z0-9-]+\.)+gov\.vn\b/gi)) {
    parts.push(text.slice(last, found.index));
    parts.push(h("a", { href: `https://${found[0]}`, target: "_blank", rel: "noopener" }, found[0]));
    last = found.index + found[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function unverifiedChip(service) {
  return service.verified ? null : chip(UNVERIFIED, "wait");
}

/** An offered service: plainly "nộp tại đây", its procedure (or group) page and its form. */
function onlineItem(service) {
  const base = service.group_code ? `/app/procedure-groups/${encodeURIComponent(service.group_code)}` : `/app/procedures/${encodeURIComponent(service.procedure_code)}`;
  // The visible words stay short; the hidden name tells a screen reader which service each is for.
  const named = (text) => [text, h("span", { class: "visually-hidden" }, ` (${service.name})`)];
  return h(
    "li",
    { class: "essential", dataset: { code: service.code } },
    h("p", { class: "row-title" }, h("span", { class: "essential-number" }, `${service.number}.`), " ", service.name),
    h(
      "p",
      { class: "chips essential-chips" },
      chip("Nộp trực tuyến tại đây", "ok"),
      service.group_code ? chip("Liên thông nhiều thủ tục", "info") : null,
      unverifiedChip(service),
    ),
    h(
      "p",
      { class: "essential-actions" },
      h("a", { class: "button small-button", href: `${base}/apply` }, named(service.group_code ? "Nộp hồ sơ liên thông" : "Nộp hồ sơ")),
      h("a", { class: "button secondary small-button", href: base }, named(service.group_code ? "Xem nhóm thủ tục" : "Xem thủ tục")),
    ),
  );
}

/** An information-only service: where it is filed and by whom; no button to apply here. */
function informationItem(service, shared) {
  const ownNote = (service.note || "").startsWith(shared) ? service.note.slice(shared.length).trim() : service.note;
  return h(
    "li",
    { class: "essential", dataset: { code: service.code } },
    h("p", { class: "row-title" }, h("span", { class: "essential-number" }, `${service.number}.`), " ", service.name),
    h("p", { class: "chips essential-chips" }, chip("Chỉ thông tin, chưa nộp được tại đây", "info"), unverifiedChip(service)),
    h(
      "dl",
      { class: "facts essential-facts" },
      service.field ? [h("dt", {}, "Lĩnh vực"), h("dd", {}, service.field)] : null,
      service.authority_name ? [h("dt", {}, "Nơi giải quyết"), h("dd", {}, service.authority_name)] : null,
      service.legal_basis ? [h("dt", {}, "Căn cứ"), h("dd", {}, service.legal_basis)] : null,
    ),
    ownNote ? h("p", { class: "hint" }, withLinks(ownNote)) : null,
  );
}

/** One group of the API's list: heading, what it means, its services (hidden when not searched for). */
function groupCard({ id, title, intro, services, item }) {
  const count = h("span", { class: "essential-count" }, `${services.length} dịch vụ`);
  const rows = services.map((service) => ({ service, keys: searchWords(service), node: item(service) }));
  const none = empty("Không có dịch vụ nào của nhóm này khớp với từ bạn tìm.");
  none.hidden = true;
  const section = card(
    h("h2", { id }, title, " ", count),
    intro,
    h("ul", { class: "rows essential-list" }, rows.map((row) => row.node)),
    none,
  );
  section.setAttribute("aria-labelledby", id);
  section.classList.add("essential-group");
  return {
    node: section,
    /** Shows the rows matching `query` (folded words); returns how many. */
    filter(query) {
      let shown = 0;
      for (const row of rows) {
        row.node.hidden = query.length > 0 && !matches(row.keys, query);
        if (!row.node.hidden) shown += 1;
      }
      count.textContent = query.length ? `${shown}/${rows.length} dịch vụ` : `${rows.length} dịch vụ`;
      none.hidden = shown > 0;
      return shown;
    },
  };
}

async function essentialServices(ctx) {
  let response;
  try {
    response = await api.request("/essential-services", { signal: ctx.signal, auth: false });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return errorBox(error, () => ctx.navigate(location.href, { replace: true }));
  }
  const services = response.data;
  const online = services.filter((service) => service.offered_online);
  const information = services.filter((service) => !service.offered_online);
  const shared = sharedNote(information.map((service) => service.note || ""));
  const sources = [...new Set(services.map((service) => service.source).filter(Boolean))];
  const unverified = services.filter((service) => !service.verified).length;

  const groups = [
    groupCard({
      id: "essential-online",
      title: "Nộp hồ sơ ngay trong ứng dụng",
      intro: h("p", { class: "muted" }, "Tỉnh nhận hồ sơ trực tuyến qua Công dân số: bấm “Nộp hồ sơ” để điền tờ khai và đính kèm giấy tờ, hoặc “Xem thủ tục” để biết giấy tờ, lệ phí, thời hạn."),
      services: online,
      item: onlineItem,
    }),
    groupCard({
      id: "essential-information",
      title: "Chỉ có thông tin: nộp trên cổng quốc gia",
      intro: [
        h("p", { class: "muted" }, "Mỗi dịch vụ dưới đây ghi lĩnh vực, cơ quan giải quyết và căn cứ pháp lý, để bạn biết nộp ở đâu."),
        shared ? h("p", { class: "essential-where" }, withLinks(shared)) : null,
      ],
      services: information,
      item: (service) => informationItem(service, shared),
    }),
  ];

  const q = h("input", { type: "search", name: "q", id: "essential-q", value: ctx.query.get("q") || "", autocomplete: "off", enterkeyhint: "search", "aria-describedby": "essential-q-hint" });
  const status = h("p", { class: "muted small", role: "status" });
  const search = () => {
    const typed = q.value.trim();
    const query = fold(typed).split(" ").filter(Boolean);
    // The address keeps the search, so Back and a shared link show the same list.
    history.replaceState({}, "", `/app/essential-services${api.query({ q: typed })}`);
    const shown = groups.reduce((total, group) => total + group.filter(query), 0);
    status.textContent = query.length ? `Tìm thấy ${shown} dịch vụ cho “${typed}”.` : `${services.length} dịch vụ: ${online.length} nộp được tại đây, ${information.length} chỉ có thông tin.`;
  };
  q.addEventListener("input", search);
  const form = h(
    "form",
    { class: "card search-form", role: "search", "aria-label": "Tìm dịch vụ công thiết yếu" },
    h("div", { class: "field" }, h("label", { for: q.id }, "Tên dịch vụ hoặc việc bạn cần làm"), q, h("p", { class: "hint", id: "essential-q-hint" }, "Gõ có dấu hay không dấu đều được, ví dụ “ho chieu”, “gplx”.")),
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  search();

  return [
    card(
      h("h2", {}, "Dịch vụ công trực tuyến thiết yếu"),
      h("p", {}, `Danh sách ${services.length} dịch vụ công thiết yếu của Đề án 06 (Mô hình 1). Mỗi dịch vụ ghi rõ bạn nộp được ngay tại đây hay cần nộp ở nơi khác.`),
      unverified
        ? h("p", { class: "essential-warning" }, chip(UNVERIFIED, "wait"), ` ${unverified} dịch vụ có thông tin tham khảo chưa được đối chiếu với văn bản pháp luật: hãy kiểm tra lại tại nơi giải quyết trước khi đi nộp.`)
        : null,
      sources.length ? h("details", {}, h("summary", {}, "Nguồn danh sách"), sources.map((source) => h("p", { class: "hint" }, source))) : null,
    ),
    response.stale ? h("p", { class: "banner" }, "Danh sách đã lưu trên máy, có thể chưa mới nhất.") : null,
    form,
    ...groups.map((group) => group.node),
  ];
}

export const routes = [{ path: "/essential-services", title: "Dịch vụ công thiết yếu", tab: "services", back: true, render: essentialServices }];
