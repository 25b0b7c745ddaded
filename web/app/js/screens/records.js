// Personal records (land, health, labour) as the national systems hold them, each with where it
// came from and when it was last synced, and who else has looked at them.
//
// The records need identity level 2. A level-1 account is refused by the API
// (`identity_level_required`); that is not a failure the citizen caused, so it is shown as the
// way to reach level 2 (widgets.js: levelTwoGuide), not as an error.

import * as api from "../../../shared/api.js";
import { h, card, chip, facts, formatDate, formatDateTime, linkRow, list, empty } from "../../../shared/ui.js";
import { orLevelTwoGuide, pagedList, staleNote } from "../widgets.js";

const TYPE_LABELS = {
  land: "Đất đai",
  health: "Sức khỏe",
  labour: "Lao động và bảo hiểm xã hội",
};
const LAND_STATUS_TONES = { valid: "ok", mortgaged: "wait", revoked: "bad" };

// ---- records ----------------------------------------------------------------------------------

/** "Nguồn: … · Cập nhật: …" under every record, so the citizen knows whom to ask about it. */
function provenance(item) {
  return h(
    "p",
    { class: "provenance" },
    "Nguồn: ",
    h("span", {}, item.source_name || item.source || "—"),
    " · Cập nhật: ",
    h("span", {}, formatDateTime(item.synced_at)),
  );
}

function originNote(origin, sources) {
  const synced = (sources || []).map((source) => source.synced_at).filter(Boolean).sort().pop();
  return h(
    "div",
    { class: "card origin" },
    h("p", {}, h("strong", {}, "Nguồn dữ liệu: "), origin || "—"),
    h("p", {}, h("strong", {}, "Đồng bộ lần cuối: "), synced ? formatDateTime(synced) : "chưa đồng bộ lần nào"),
    h("p", { class: "hint" }, "Thông tin sai? Hãy liên hệ cơ quan quản lý nguồn dữ liệu này để được điều chỉnh; ứng dụng chỉ hiển thị lại."),
  );
}

async function summaryScreen(ctx) {
  const { value, guide } = await orLevelTwoGuide(() => api.request("/me/records", { signal: ctx.signal }), "dữ liệu đất đai, sức khỏe và lao động");
  if (guide) return guide;
  const rows = value.data.map((item) =>
    linkRow(
      `/app/records/${item.type}`,
      TYPE_LABELS[item.type] || item.name,
      `${item.name}. Nguồn: ${item.origin}. ${item.last_synced_at ? `Cập nhật: ${formatDateTime(item.last_synced_at)}` : "Chưa có dữ liệu đồng bộ"}`,
      chip(item.count ? `${item.count} bản ghi` : "Chưa có", item.count ? "info" : "wait"),
    ),
  );
  return [
    staleNote(value),
    card(
      h("h2", {}, "Dữ liệu của tôi"),
      h("p", { class: "muted" }, "Thông tin các cơ quan nhà nước đang lưu về bạn, lấy trực tiếp từ hệ thống của từng cơ quan."),
      list(rows, "Chưa có dữ liệu nào."),
    ),
    card(
      h("h2", {}, "Quyền riêng tư"),
      h("ul", { class: "rows" }, linkRow("/app/records/access-log", "Ai đã xem dữ liệu của tôi", "Cán bộ và hệ thống đã xem dữ liệu của bạn, vì sao và khi nào")),
    ),
  ];
}

async function landScreen(ctx) {
  const { value, guide } = await orLevelTwoGuide(() => api.request("/me/records/land", { signal: ctx.signal }), "dữ liệu đất đai");
  if (guide) return guide;
  const land = value.data;
  const certificates = land.certificates.map((certificate) =>
    card(
      h("h2", {}, `Giấy chứng nhận ${certificate.certificate_number}`),
      chip(certificate.status_name, LAND_STATUS_TONES[certificate.status] || "info"),
      facts([
        ["Thửa đất số", certificate.parcel_number],
        ["Tờ bản đồ số", certificate.map_sheet],
        ["Diện tích", certificate.area_m2 ? `${Number(certificate.area_m2).toLocaleString("vi-VN")} m²` : null],
        ["Mục đích sử dụng", certificate.land_use_purpose],
        ["Địa chỉ", [certificate.address, certificate.ward?.name].filter(Boolean).join(", ")],
        ["Ngày cấp", formatDate(certificate.issued_on)],
        ["Người đứng tên", certificate.owners.map((owner) => (owner.is_me ? `${owner.full_name} (bạn)` : owner.full_name)).join(", ")],
      ]),
      provenance(certificate),
    ),
  );
  return [
    staleNote(value),
    originNote(land.origin, land.sources),
    ...(certificates.length ? certificates : [empty(`Chưa có giấy chứng nhận nào đứng tên bạn trong ${land.origin}. Nếu bạn có sổ đỏ, sổ hồng mà không thấy ở đây, hãy hỏi Văn phòng Đăng ký đất đai.`)]),
  ];
}

function entries(title, items, draw, emptyText) {
  return card(h("h2", {}, title), items.length ? h("ul", { class: "record-list" }, items.map((item) => h("li", {}, draw(item), provenance(item)))) : h("p", { class: "muted" }, emptyText));
}

async function healthScreen(ctx) {
  const { value, guide } = await orLevelTwoGuide(() => api.request("/me/records/health", { signal: ctx.signal }), "sổ sức khỏe điện tử");
  if (guide) return guide;
  const book = value.data;
  const insurance = book.insurance_card;
  return [
    staleNote(value),
    originNote(book.origin, book.sources),
    card(
      h("h2", {}, "Thẻ bảo hiểm y tế"),
      insurance
        ? [
            chip(insurance.in_force ? "Còn hạn" : "Hết hạn", insurance.in_force ? "ok" : "bad"),
            facts([
              ["Số thẻ", insurance.card_number],
              ["Giá trị sử dụng", `${formatDate(insurance.valid_from)} – ${formatDate(insurance.valid_to)}`],
              ["Nơi khám ban đầu", insurance.facility],
            ]),
            provenance(insurance),
          ]
        : h("p", { class: "muted" }, "Chưa có thông tin thẻ bảo hiểm y tế."),
    ),
    entries(
      "Bệnh mạn tính",
      book.chronic_conditions,
      (item) => [h("p", { class: "row-title" }, item.description), h("p", { class: "row-detail" }, [item.icd10_code ? `Mã ICD-10: ${item.icd10_code}` : null, item.on ? `Chẩn đoán ngày ${formatDate(item.on)}` : null].filter(Boolean).join(" · "))],
      "Không có bệnh mạn tính nào được ghi nhận.",
    ),
    entries(
      "Lần khám, chữa bệnh",
      book.visits,
      (item) => [h("p", { class: "row-title" }, `${formatDate(item.on)}: ${item.description}`), h("p", { class: "row-detail" }, [item.facility, item.icd10_code ? `Mã ICD-10: ${item.icd10_code}` : null].filter(Boolean).join(" · "))],
      "Chưa có lần khám nào được ghi nhận.",
    ),
    entries(
      "Tiêm chủng",
      book.vaccinations,
      (item) => [h("p", { class: "row-title" }, `${formatDate(item.on)}: ${item.description}${item.dose ? `, mũi ${item.dose}` : ""}`), h("p", { class: "row-detail" }, item.facility)],
      "Chưa có mũi tiêm nào được ghi nhận.",
    ),
  ];
}

async function labourScreen(ctx) {
  const { value, guide } = await orLevelTwoGuide(() => api.request("/me/records/labour", { signal: ctx.signal }), "sổ lao động và bảo hiểm xã hội");
  if (guide) return guide;
  const book = value.data;
  return [
    staleNote(value),
    originNote(book.origin, book.sources),
    card(
      h("h2", {}, "Bảo hiểm xã hội"),
      facts([
        ["Mã số BHXH", book.social_insurance_number || "Chưa có"],
        ["Nơi làm việc hiện nay", book.current_employer || "Không có"],
        ["Tổng thời gian đóng", `${book.contribution_months} tháng`],
      ]),
    ),
    entries(
      "Quá trình làm việc",
      book.employment_periods,
      (item) => [
        h("p", { class: "row-title" }, item.employer),
        h("p", { class: "row-detail" }, [item.position, `${formatDate(item.started_on)} – ${item.ended_on ? formatDate(item.ended_on) : "nay"}`, `${item.contribution_months} tháng đóng BHXH`].filter(Boolean).join(" · ")),
      ],
      "Chưa có quá trình làm việc nào được ghi nhận.",
    ),
  ];
}

async function accessLogScreen(ctx) {
  const { value, guide } = await orLevelTwoGuide(
    () =>
      pagedList(
        ctx,
        (page) => `/me/records/access-log${api.query({ page, page_size: 20 })}`,
        (entry) =>
          h(
            "li",
            { class: "access-entry" },
            h("p", { class: "row-title" }, entry.accessor_name),
            h("p", {}, h("span", { class: "muted" }, "Đã xem: "), TYPE_LABELS[entry.record_type] || entry.record_type),
            h("p", {}, h("span", { class: "muted" }, "Mục đích: "), entry.purpose),
            h("p", { class: "row-detail" }, formatDateTime(entry.at)),
          ),
        "Chưa có ai ngoài bạn xem dữ liệu của bạn.",
      ),
    "nhật ký truy cập dữ liệu",
  );
  if (guide) return guide;
  return card(
    h("h2", {}, "Ai đã xem dữ liệu của tôi"),
    h("p", { class: "muted" }, "Mỗi lần cán bộ hoặc hệ thống khác xem dữ liệu của bạn đều phải nêu mục đích và được ghi lại ở đây. Lần xem của chính bạn không được ghi."),
    value,
    h("p", { class: "hint" }, "Thấy một lần xem không rõ lý do? Hãy gọi tổng đài hoặc gửi phản ánh để được giải trình."),
  );
}

export const routes = [
  { path: "/records", title: "Dữ liệu cá nhân", tab: "more", auth: true, back: true, render: summaryScreen },
  { path: "/records/land", title: "Đất đai", tab: "more", auth: true, back: true, render: landScreen },
  { path: "/records/health", title: "Sổ sức khỏe", tab: "more", auth: true, back: true, render: healthScreen },
  { path: "/records/labour", title: "Lao động, BHXH", tab: "more", auth: true, back: true, render: labourScreen },
  { path: "/records/access-log", title: "Ai đã xem dữ liệu", tab: "more", auth: true, back: true, render: accessLogScreen },
];
