// Phản ánh hiện trường and tố giác tội phạm (issue 16 §5): filing a report with photos and a
// place, the anonymous informant's tracking token, following one's own reports to the end
// (confirm, rate) and following an anonymous report by its token.
//
// The API is the truth for everything: which categories exist and which are emergencies, which
// wards may be named, what is required, whether a report can still be confirmed or rated. The
// screens only carry its answers (and its Vietnamese messages) to the citizen.

import * as api from "../../../shared/api.js";
import { isSignedIn } from "../auth.js";
import {
  h,
  busy,
  card,
  chip,
  clearFieldErrors,
  errorBox,
  facts,
  field,
  formatDate,
  formatDateTime,
  linkRow,
  showFieldErrors,
  toast,
} from "../../../shared/ui.js";
import { pagedList, staleNote } from "../widgets.js";

// The API's default REPORT_MEDIA_MAX_FILES. Checked here only so that a citizen is told before the
// report is sent rather than after; the API's own answer is what counts.
const MAX_PHOTOS = 5;
// What the API accepts as photos (by content: a declared type is only a first hint).
const PHOTO_TYPES = ["image/jpeg", "image/png"];
const PAGE_SIZE = 20;

const STATUS_TONES = {
  received: "info",
  assigned: "wait",
  in_progress: "wait",
  resolved: "ok",
  closed: "ok",
  rejected: "bad",
  merged: "info",
};
const OPEN_STATUSES = ["received", "assigned", "in_progress"];
const RATING_LABELS = ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"];

// What the submission answered, for the report's page to show once right after sending: the
// emergency number, similar reports nearby, photos that could not be sent. Kept in memory only.
const justSent = new Map();

function statusChips(report) {
  return [
    chip(report.status_name, STATUS_TONES[report.status] || "info"),
    report.overdue ? [" ", chip("Quá hạn trả lời", "bad")] : null,
  ];
}

function telNumber(number) {
  return `tel:${String(number).replace(/\s/g, "")}`;
}

/** "Gọi ngay 113": shown before anything else when a category is an emergency. */
function emergencyBox(emergency) {
  return h(
    "div",
    { class: "report-emergency", role: "alert" },
    h("p", { class: "report-emergency-text" }, emergency.message),
    h("a", { class: "button block report-call", href: telNumber(emergency.number) }, `Gọi ngay ${emergency.number} (${emergency.name})`),
  );
}

// ---- photos -----------------------------------------------------------------------------------

async function uploadPhotos(path, photos, onProgress) {
  const problems = [];
  for (const [index, photo] of photos.entries()) {
    onProgress?.(index + 1, photos.length);
    const body = new FormData();
    body.append("file", photo, photo.name || `anh-${index + 1}.jpg`);
    try {
      await api.post(path, body);
    } catch (error) {
      problems.push({ name: photo.name || `Ảnh ${index + 1}`, message: error.message });
    }
  }
  return problems;
}

function uploadProblemsBox(problems, lead = "Phản ánh đã được gửi, nhưng một số ảnh chưa gửi được:") {
  if (!problems?.length) return null;
  return h(
    "div",
    { class: "error-box", role: "alert" },
    h("p", {}, lead),
    h("ul", {}, problems.map((problem) => h("li", {}, `${problem.name}: ${problem.message}`))),
  );
}

/**
 * A photo picker: the camera on a phone, a preview of each photo, a button to drop one. Returns
 * {node, photos(), clear()}; `photos()` is the list of Files to upload.
 */
function photoPicker({ label = "Ảnh hiện trường (không bắt buộc)", max = MAX_PHOTOS, onLeave } = {}) {
  let photos = [];
  const urls = new Set();
  const input = h("input", { type: "file", name: "file", accept: "image/*", capture: "environment", multiple: true });
  const message = h("p", { class: "field-error", role: "alert", hidden: true });
  const grid = h("ul", { class: "photo-grid report-photos", "aria-label": "Ảnh đã chọn" });

  const draw = () => {
    for (const url of urls) URL.revokeObjectURL(url);
    urls.clear();
    grid.replaceChildren(
      ...photos.map((photo, index) => {
        const url = URL.createObjectURL(photo);
        urls.add(url);
        const remove = h("button", { type: "button", class: "report-photo-remove", "aria-label": `Bỏ ảnh ${index + 1}` }, "✕");
        remove.addEventListener("click", () => {
          photos = photos.filter((item) => item !== photo);
          draw();
          input.focus();
        });
        return h("li", { class: "report-photo" }, h("img", { src: url, alt: `Ảnh ${index + 1} sẽ gửi kèm` }), remove);
      }),
    );
    grid.hidden = !photos.length;
  };

  input.addEventListener("change", () => {
    const problems = [];
    for (const file of input.files) {
      if (!PHOTO_TYPES.includes(file.type)) {
        problems.push(`${file.name}: chỉ gửi được ảnh JPEG hoặc PNG.`);
      } else if (photos.length >= max) {
        problems.push(`Mỗi phản ánh có tối đa ${max} ảnh, video.`);
        break;
      } else {
        photos.push(file);
      }
    }
    // The camera gives one photo at a time: the input is emptied so the next one adds to these.
    input.value = "";
    message.textContent = problems.join(" ");
    message.hidden = !problems.length;
    draw();
  });
  onLeave?.(() => urls.forEach((url) => URL.revokeObjectURL(url)));
  draw();

  const node = h(
    "div",
    {},
    field(label, input, `Chụp hoặc chọn tối đa ${max} ảnh (JPEG, PNG). Ảnh giúp cán bộ xác định đúng sự việc.`),
    message,
    grid,
  );
  return {
    node,
    photos: () => [...photos],
    clear: () => {
      photos = [];
      draw();
    },
  };
}

/** Photos already in a report (authenticated): each <img> gets its object URL when it arrives. */
function storedPhoto(path, alt, onLeave) {
  const image = h("img", { alt });
  const holder = h("li", { class: "report-photo" }, image);
  api
    .blobUrl(path)
    .then((url) => {
      image.src = url;
      onLeave?.(() => URL.revokeObjectURL(url));
    })
    .catch((error) => holder.replaceChildren(h("p", { class: "hint" }, error.message)));
  return holder;
}

// ---- the map ----------------------------------------------------------------------------------

const TILE = 256;

function project(lat, lon, zoom) {
  const scale = TILE * 2 ** zoom;
  const sin = Math.sin((lat * Math.PI) / 180);
  return { x: ((lon + 180) / 360) * scale, y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale };
}

function unproject(x, y, zoom) {
  const scale = TILE * 2 ** zoom;
  const n = Math.PI - (2 * Math.PI * y) / scale;
  return { lat: (180 / Math.PI) * Math.atan(Math.sinh(n)), lon: (x / scale) * 360 - 180 };
}

/**
 * A small slippy map without a library: the tiles around the point, a pin at the centre; a tap
 * (or an arrow key) moves the point there and the map follows it. `onMove({lat, lon})`.
 */
function locationMap(settings, point, onMove) {
  let zoom = 17;
  let centre = point;
  const canvas = h("div", {
    class: "map report-map",
    role: "application",
    tabindex: "0",
    "aria-label": "Bản đồ vị trí: chạm vào bản đồ, hoặc dùng phím mũi tên, để dời điểm đánh dấu tới đúng nơi xảy ra",
  });
  const pin = h("span", { class: "map-pin", "aria-hidden": "true" });

  const draw = () => {
    const width = canvas.clientWidth || 360;
    const height = canvas.clientHeight || 220;
    const middle = project(centre.lat, centre.lon, zoom);
    const left = middle.x - width / 2;
    const top = middle.y - height / 2;
    const count = 2 ** zoom;
    const tiles = [];
    for (let ty = Math.floor(top / TILE); ty <= Math.floor((top + height) / TILE); ty++) {
      if (ty < 0 || ty >= count) continue;
      for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + width) / TILE); tx++) {
        const wrapped = ((tx % count) + count) % count;
        const src = settings.tiles_url.replace("{z}", zoom).replace("{x}", wrapped).replace("{y}", ty).replace("{s}", "a");
        const tile = h("img", { class: "map-tile", src, alt: "", draggable: "false" });
        tile.style.left = `${Math.round(tx * TILE - left)}px`;
        tile.style.top = `${Math.round(ty * TILE - top)}px`;
        tiles.push(tile);
      }
    }
    canvas.replaceChildren(...tiles, pin);
  };

  const moveTo = (next) => {
    centre = next;
    draw();
    onMove(next);
  };

  canvas.addEventListener("click", (event) => {
    const box = canvas.getBoundingClientRect();
    const middle = project(centre.lat, centre.lon, zoom);
    const x = middle.x + (event.clientX - box.left - box.width / 2);
    const y = middle.y + (event.clientY - box.top - box.height / 2);
    moveTo(unproject(x, y, zoom));
  });
  canvas.addEventListener("keydown", (event) => {
    const steps = { ArrowUp: [0, -16], ArrowDown: [0, 16], ArrowLeft: [-16, 0], ArrowRight: [16, 0] };
    const step = steps[event.key];
    if (!step) return;
    event.preventDefault();
    const middle = project(centre.lat, centre.lon, zoom);
    moveTo(unproject(middle.x + step[0], middle.y + step[1], zoom));
  });

  const zoomButton = (label, text, change) => {
    const button = h("button", { type: "button", class: "button secondary map-zoom", "aria-label": label }, text);
    button.addEventListener("click", () => {
      zoom = Math.min(19, Math.max(12, zoom + change));
      draw();
    });
    return button;
  };

  const node = h(
    "div",
    { class: "report-map-wrap" },
    canvas,
    h("div", { class: "map-controls" }, zoomButton("Phóng to bản đồ", "+", 1), zoomButton("Thu nhỏ bản đồ", "−", -1)),
    settings.attribution ? h("p", { class: "muted small" }, settings.attribution) : null,
  );
  requestAnimationFrame(draw);
  return {
    node,
    show(next) {
      centre = next;
      draw();
    },
  };
}

// ---- filing a report --------------------------------------------------------------------------

const GEOLOCATION_MESSAGES = {
  1: "Bạn chưa cho phép ứng dụng dùng vị trí. Hãy nhập địa chỉ nơi xảy ra ở ô bên dưới (hoặc bật quyền vị trí trong cài đặt trình duyệt rồi thử lại).",
  2: "Không xác định được vị trí lúc này (có thể do tắt định vị hoặc sóng yếu). Hãy nhập địa chỉ nơi xảy ra ở ô bên dưới.",
  3: "Lấy vị trí quá lâu. Hãy thử lại ở nơi thoáng hoặc nhập địa chỉ nơi xảy ra ở ô bên dưới.",
};

function currentPosition() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error("Thiết bị hoặc trình duyệt này không cho biết vị trí. Hãy nhập địa chỉ nơi xảy ra ở ô bên dưới."));
      return;
    }
    navigator.geolocation.getCurrentPosition(resolve, (failure) => reject(new Error(GEOLOCATION_MESSAGES[failure.code] || GEOLOCATION_MESSAGES[2])), {
      enableHighAccuracy: true,
      timeout: 20000,
      maximumAge: 60000,
    });
  });
}

/** The place: the phone's position (with a map when one is configured), an address, a ward. */
function placeSection(wards, homeWard) {
  const settings = window.cdsConfig?.map;
  let point = null;
  let map = null;

  const useHere = h("button", { type: "button", class: "button secondary", "data-field": "latitude" }, "Dùng vị trí hiện tại");
  const status = h("p", { class: "hint", role: "status" });
  const chosen = h("div", { class: "report-point", hidden: true });
  const address = h("input", { name: "address", type: "text", maxlength: "300", autocomplete: "street-address" });
  const ward = h(
    "select",
    { name: "ward_code", required: true },
    h("option", { value: "" }, "— Chọn phường, xã —"),
    wards.map((item) => h("option", { value: item.code, selected: item.code === homeWard }, item.name)),
  );

  const describePoint = () => {
    const forget = h("button", { type: "button", class: "button secondary" }, "Bỏ vị trí này");
    forget.addEventListener("click", () => {
      point = null;
      map = null;
      chosen.hidden = true;
      chosen.replaceChildren();
      status.textContent = "Đã bỏ vị trí. Hãy nhập địa chỉ nơi xảy ra.";
      useHere.focus();
    });
    const coordinates = h("p", { id: "chosen-point" }, `Vĩ độ ${point.lat.toFixed(5)}, kinh độ ${point.lon.toFixed(5)}`);
    const parts = [coordinates];
    if (settings?.tiles_url) {
      map ||= locationMap(settings, point, (next) => {
        point = next;
        coordinates.textContent = `Vĩ độ ${point.lat.toFixed(5)}, kinh độ ${point.lon.toFixed(5)}`;
      });
      parts.unshift(map.node);
    } else {
      const osm = `https://www.openstreetmap.org/?mlat=${point.lat.toFixed(6)}&mlon=${point.lon.toFixed(6)}#map=18/${point.lat.toFixed(6)}/${point.lon.toFixed(6)}`;
      parts.push(h("a", { href: osm, target: "_blank", rel: "noopener" }, "Xem điểm này trên bản đồ (mở trang mới)"));
    }
    parts.push(forget);
    chosen.replaceChildren(...parts);
    chosen.hidden = false;
  };

  useHere.addEventListener("click", () =>
    busy(useHere, "Đang lấy vị trí…", async () => {
      status.textContent = "Đang lấy vị trí…";
      try {
        const position = await currentPosition();
        point = { lat: position.coords.latitude, lon: position.coords.longitude };
        const accuracy = Math.round(position.coords.accuracy || 0);
        status.textContent = accuracy
          ? `Đã lấy vị trí hiện tại (sai số khoảng ${accuracy} m).${settings?.tiles_url ? " Chạm vào bản đồ để dời điểm nếu chưa đúng." : ""}`
          : "Đã lấy vị trí hiện tại.";
        map = null;
        describePoint();
      } catch (error) {
        status.textContent = error.message;
      }
    }),
  );

  const node = h(
    "fieldset",
    { class: "report-place" },
    h("legend", {}, "Nơi xảy ra"),
    h("div", { class: "field" }, useHere, status),
    chosen,
    field("Địa chỉ (số nhà, đường, thôn, tổ dân phố)", address, "Bắt buộc nếu không dùng vị trí hiện tại; nên ghi thêm cả khi đã có vị trí."),
    field("Phường, xã", ward, "Nơi xảy ra sự việc, để chuyển đúng đơn vị xử lý."),
  );
  return {
    node,
    values() {
      const values = { ward_code: ward.value };
      if (point) Object.assign(values, { latitude: point.lat, longitude: point.lon });
      if (address.value.trim()) values.address = address.value.trim();
      return values;
    },
  };
}

function localNow() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

async function newReport(ctx) {
  const [categories, wards, me] = await Promise.all([
    api.get("/reports/categories", { signal: ctx.signal }),
    api.get("/reports/wards", { signal: ctx.signal }),
    api.get("/me", { signal: ctx.signal }).catch(() => null),
  ]);
  const byCode = Object.fromEntries(categories.map((category) => [category.code, category]));
  const root = h("div", { class: "report-new" });
  const emergencySlot = h("div");

  const groups = new Map();
  for (const category of categories) {
    if (!groups.has(category.group_name)) groups.set(category.group_name, []);
    groups.get(category.group_name).push(category);
  }
  const category = h(
    "select",
    { name: "category", required: true },
    h("option", { value: "" }, "— Chọn lĩnh vực —"),
    [...groups].map(([name, items]) => h("optgroup", { label: name }, items.map((item) => h("option", { value: item.code }, item.name)))),
  );
  const categoryField = field("Lĩnh vực", category, "Chọn đúng lĩnh vực để phản ánh tới đúng đơn vị xử lý.");
  const categoryHint = categoryField.querySelector(".hint");

  const anonymous = h("input", { type: "checkbox", name: "anonymous", id: "report-anonymous" });
  const anonymousField = h(
    "div",
    { class: "field report-anonymous", hidden: true },
    h("label", { for: "report-anonymous", class: "report-check" }, anonymous, "Gửi ẩn danh (không lưu họ tên, số CCCD của bạn)"),
    h(
      "p",
      { class: "hint" },
      "Bạn sẽ nhận một mã theo dõi để xem kết quả; tố giác ẩn danh không nằm trong “Phản ánh của tôi”. Nếu không chọn, thông tin của bạn được mã hoá và chỉ công an xem được khi cần, có ghi nhật ký.",
    ),
  );

  category.addEventListener("change", () => {
    const chosen = byCode[category.value];
    emergencySlot.replaceChildren(chosen?.emergency ? emergencyBox(chosen.emergency) : "");
    categoryHint.textContent = chosen
      ? `${chosen.unit_name} xử lý, trả lời trong ${chosen.response_days} ngày làm việc.${chosen.description ? ` Gồm: ${chosen.description}.` : ""}`
      : "Chọn đúng lĩnh vực để phản ánh tới đúng đơn vị xử lý.";
    anonymousField.hidden = !chosen?.anonymous_allowed;
    if (anonymousField.hidden) anonymous.checked = false;
  });

  const description = h("textarea", { name: "description", required: true, maxlength: "4000", rows: "5" });
  const incidentAt = h("input", { type: "datetime-local", name: "incident_at", max: localNow() });
  const place = placeSection(wards, me?.ward?.code);
  const picker = photoPicker({ onLeave: ctx.onLeave });
  const send = h("button", { type: "submit", class: "button block" }, "Gửi phản ánh");

  const numbers = window.cdsConfig?.emergency_numbers || [];
  const form = h(
    "form",
    { class: "card", novalidate: true },
    h("h2", {}, "Phản ánh, tố giác"),
    numbers.length
      ? h(
          "div",
          { class: "report-numbers" },
          h("p", {}, "Việc khẩn cấp, hãy gọi ngay:"),
          h("ul", {}, numbers.map((item) => h("li", {}, h("a", { href: telNumber(item.number) }, `${item.number} ${item.label}`)))),
        )
      : null,
    categoryField,
    anonymousField,
    field("Mô tả sự việc", description, "Ít nhất 10 ký tự: chuyện gì đang xảy ra, từ khi nào, ảnh hưởng thế nào."),
    field("Thời điểm xảy ra (không bắt buộc)", incidentAt, "Để trống nếu sự việc đang hoặc vừa xảy ra."),
    place.node,
    picker.node,
    send,
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = {
      category: category.value,
      description: description.value,
      anonymous: anonymous.checked,
      ...place.values(),
    };
    if (incidentAt.value) body.incident_at = incidentAt.value;
    const photos = picker.photos();
    busy(send, "Đang gửi…", async () => {
      let submitted;
      try {
        submitted = await api.post("/me/reports", body);
      } catch (error) {
        showFieldErrors(form, error);
        return;
      }
      const report = submitted.report;
      const mediaPath = submitted.tracking_token
        ? `/reports/track/${encodeURIComponent(submitted.tracking_token)}/media`
        : `/me/reports/${report.id}/media`;
      const problems = await uploadPhotos(mediaPath, photos, (n, total) => (send.textContent = `Đang gửi ảnh ${n}/${total}…`));
      picker.clear();
      if (submitted.tracking_token) {
        ctx.setTitle("Đã gửi tố giác");
        root.replaceChildren(...tokenScreen(submitted, photos.length - problems.length, problems).filter(Boolean));
        window.scrollTo(0, 0);
        root.querySelector("h2")?.focus();
        return;
      }
      justSent.set(report.id, { emergency: submitted.emergency, duplicates: submitted.possible_duplicates || [], problems });
      ctx.navigate(`/app/reports/${report.id}`, { replace: true });
    });
  });

  root.append(emergencySlot, form);
  return root;
}

/** The anonymous informant's tracking token: shown this once, never stored by the app. */
function tokenScreen(submitted, sentPhotos, problems) {
  const token = submitted.tracking_token;
  const tokenText = h("p", { class: "report-token", id: "tracking-token" }, token);
  const copy = h("button", { type: "button", class: "button" }, "Sao chép mã");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(token);
      toast("Đã sao chép mã theo dõi. Hãy dán vào nơi cất giữ an toàn.");
    } catch {
      window.getSelection()?.selectAllChildren(tokenText);
      toast("Không sao chép tự động được: mã đã được chọn sẵn, hãy chép lại bằng tay.");
    }
  });
  return [
    submitted.emergency ? emergencyBox(submitted.emergency) : null,
    card(
      h("h2", { tabindex: "-1" }, "Đã gửi tố giác ẩn danh"),
      h("p", {}, `Tố giác “${submitted.report.category.name}” đã được chuyển tới ${submitted.report.unit_name}.`),
      sentPhotos ? h("p", {}, `Đã gửi kèm ${sentPhotos} ảnh.`) : null,
      h("h3", { id: "token-heading" }, "Mã theo dõi của bạn"),
      h("div", { class: "report-token-box", role: "group", "aria-labelledby": "token-heading" }, tokenText, copy),
      h(
        "div",
        { class: "report-warning", role: "note" },
        h("p", {}, h("strong", {}, "Mã này chỉ hiện một lần duy nhất.")),
        h(
          "p",
          {},
          "Hãy sao chép hoặc chép tay và cất ở nơi an toàn ngay bây giờ. Ứng dụng không lưu mã, cơ quan công an cũng không xem lại được mã: mất mã là không theo dõi được tố giác. Ai có mã đều xem được tình trạng tố giác, vì vậy đừng chia sẻ mã.",
        ),
      ),
      uploadProblemsBox(problems),
      h("a", { class: "button secondary block", href: "/app/reports/track" }, "Tôi đã lưu mã: mở trang theo dõi"),
    ),
  ];
}

// ---- the citizen's reports --------------------------------------------------------------------

function reportRow(report) {
  const where = report.address || report.ward?.name || "";
  return linkRow(`/app/reports/${report.id}`, report.category.name, `${where} · gửi ${formatDate(report.submitted_at)}`, h("span", { class: "report-chips" }, statusChips(report)));
}

async function myReports(ctx) {
  const reports = await pagedList(
    ctx,
    (page) => `/me/reports${api.query({ page, page_size: PAGE_SIZE })}`,
    reportRow,
    "Bạn chưa gửi phản ánh nào. Thấy đèn đường hỏng, rác thải, lấn chiếm vỉa hè… hãy chụp ảnh và gửi phản ánh để chính quyền xử lý.",
    { emptyAction: h("a", { class: "button", href: "/app/reports/new" }, "Gửi phản ánh đầu tiên") },
  );
  return [
    h(
      "div",
      { class: "report-actions" },
      h("a", { class: "button", href: "/app/reports/new" }, "Gửi phản ánh mới"),
      h("a", { class: "button secondary", href: "/app/reports/track" }, "Theo dõi tố giác ẩn danh"),
    ),
    card(h("h2", {}, "Phản ánh đã gửi"), reports),
  ];
}

function duplicatesCard(duplicates) {
  if (!duplicates?.length) return null;
  return card(
    h("h3", {}, "Có thể đã có người phản ánh việc này"),
    h(
      "p",
      { class: "hint" },
      "Trong bán kính 50 m, 7 ngày qua có phản ánh cùng lĩnh vực đang được xử lý. Phản ánh của bạn vẫn được tiếp nhận; cán bộ có thể gộp lại để xử lý một lần.",
    ),
    h(
      "ul",
      { class: "rows" },
      duplicates.map((item) =>
        h(
          "li",
          { class: "row" },
          h(
            "span",
            { class: "row-text" },
            h("span", { class: "row-title" }, item.category.name),
            h("span", { class: "row-detail" }, `Cách khoảng ${Math.round(item.distance_m)} m · ${item.affected_count} người phản ánh · gửi ${formatDateTime(item.submitted_at)}`),
          ),
          chip(item.status_name, STATUS_TONES[item.status] || "info"),
        ),
      ),
    ),
  );
}

function historyList(history) {
  return h(
    "ol",
    { class: "timeline" },
    history.map((step) =>
      h(
        "li",
        {},
        h("p", { class: "row-title" }, step.label),
        h("p", { class: "muted small" }, `${formatDateTime(step.at)} · ${step.status_name}`),
        step.note ? h("p", { class: "report-note" }, step.note) : null,
      ),
    ),
  );
}

function commentList(comments) {
  if (!comments.length) return h("p", { class: "muted" }, "Chưa có trao đổi nào.");
  return h(
    "ul",
    { class: "report-comments" },
    comments.map((comment) =>
      h(
        "li",
        { class: `report-comment report-comment-${comment.author_kind}` },
        h("p", { class: "bubble-meta" }, `${comment.author_kind === "staff" ? "Cán bộ xử lý" : "Bạn"} · ${formatDateTime(comment.at)}`),
        h("p", { class: "report-note" }, comment.body),
      ),
    ),
  );
}

function reportFacts(report) {
  const coordinates =
    report.latitude !== null && report.latitude !== undefined
      ? `${report.latitude.toFixed(5)}, ${report.longitude.toFixed(5)}`
      : null;
  return facts([
    ["Mã phản ánh", h("span", { class: "report-id" }, report.id)],
    ["Đơn vị xử lý", report.unit_name],
    ["Địa chỉ", report.address],
    ["Phường, xã", report.ward?.name],
    ["Vị trí (vĩ độ, kinh độ)", coordinates],
    ["Thời điểm xảy ra", formatDateTime(report.incident_at)],
    ["Gửi lúc", formatDateTime(report.submitted_at)],
    ["Hạn trả lời", `${formatDate(report.deadline)}${report.overdue ? " (đã quá hạn)" : ""}`],
    ["Số người cùng phản ánh", report.affected_count > 1 ? String(report.affected_count) : null],
  ]);
}

function resultCard(report, mediaPath, onLeave, extra = []) {
  const parts = [];
  if (report.resolution_note) {
    parts.push(h("p", { class: "report-note" }, report.resolution_note));
    if (report.resolution_media_id && mediaPath) {
      parts.push(h("ul", { class: "photo-grid report-photos" }, storedPhoto(`${mediaPath}/${report.resolution_media_id}`, "Ảnh kết quả xử lý do cán bộ gửi", onLeave)));
    }
  }
  if (report.reject_reason) parts.push(h("p", {}, h("strong", {}, "Lý do không xử lý: "), report.reject_reason));
  if (report.status === "merged") {
    parts.push(h("p", {}, "Phản ánh này trùng nội dung với một phản ánh khác nên đã được gộp để xử lý một lần. Kết quả sẽ được thông báo cho bạn."));
  }
  if (!parts.length && !extra.length) return null;
  return card(h("h3", {}, "Kết quả xử lý"), parts, extra);
}

function ratingForm(report, redraw) {
  const options = RATING_LABELS.map((label, index) =>
    h("label", { class: "report-check report-rating-option" }, h("input", { type: "radio", name: "score", value: String(index + 1) }), `${index + 1} – ${label}`),
  );
  const comment = h("textarea", { name: "comment", maxlength: "2000", rows: "3" });
  const submit = h("button", { type: "submit", class: "button" }, "Gửi đánh giá");
  const form = h(
    "form",
    { class: "report-rating", novalidate: true },
    h("fieldset", { "data-field": "score" }, h("legend", {}, "Bạn hài lòng với việc xử lý đến đâu?"), options),
    field("Góp ý thêm (không bắt buộc)", comment),
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const chosen = form.querySelector('input[name="score"]:checked');
    if (!chosen) {
      const message = "Hãy chọn một mức đánh giá từ 1 đến 5.";
      showFieldErrors(form, { message, fieldErrors: { score: [message] } });
      return;
    }
    const body = { score: Number(chosen.value) };
    if (comment.value.trim()) body.comment = comment.value.trim();
    busy(submit, "Đang gửi…", async () => {
      try {
        const updated = await api.post(`/me/reports/${report.id}/rating`, body);
        toast("Cảm ơn bạn đã đánh giá.");
        redraw(updated);
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return form;
}

function commentForm(path, onSent) {
  const body = h("textarea", { name: "body", required: true, maxlength: "2000", rows: "3" });
  const submit = h("button", { type: "submit", class: "button" }, "Gửi");
  const form = h("form", { novalidate: true }, field("Bổ sung thông tin, hỏi cán bộ xử lý", body), submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    busy(submit, "Đang gửi…", async () => {
      try {
        await api.post(path, { body: body.value });
        body.value = "";
        toast("Đã gửi bình luận.");
        await onSent();
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return form;
}

function addPhotosForm(path, count, onSent, onLeave) {
  const picker = photoPicker({ label: "Thêm ảnh", max: Math.max(0, MAX_PHOTOS - count), onLeave });
  const submit = h("button", { type: "submit", class: "button secondary" }, "Gửi ảnh");
  const alert = h("div");
  const form = h("form", { novalidate: true }, picker.node, alert, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const photos = picker.photos();
    if (!photos.length) {
      alert.replaceChildren(h("p", { class: "field-error", role: "alert" }, "Hãy chụp hoặc chọn ít nhất một ảnh."));
      return;
    }
    busy(submit, "Đang gửi ảnh…", async () => {
      const problems = await uploadPhotos(path, photos);
      picker.clear();
      alert.replaceChildren(
        problems.length
          ? h("div", { class: "error-box", role: "alert" }, problems.map((problem) => h("p", {}, `${problem.name}: ${problem.message}`)))
          : "",
      );
      if (problems.length < photos.length) {
        toast(`Đã gửi thêm ${photos.length - problems.length} ảnh.`);
        await onSent(problems);
      }
    });
  });
  return form;
}

async function reportPage(ctx) {
  const id = ctx.params.id;
  const path = `/me/reports/${encodeURIComponent(id)}`;
  let result;
  try {
    result = await api.request(path, { signal: ctx.signal });
  } catch (error) {
    if (error.status === 404) {
      ctx.setTitle("Không tìm thấy phản ánh");
      return [errorBox(error), h("a", { class: "button", href: "/app/reports" }, "Về phản ánh của tôi")];
    }
    throw error;
  }
  const root = h("div", { class: "report-page" });
  const sent = justSent.get(id);
  justSent.delete(id);

  const reload = async (problems) => {
    const fresh = await api.request(path);
    draw(fresh.data, { problems });
  };

  const draw = (report, { stale = false, problems } = {}) => {
    ctx.setTitle(report.category.name);
    const citizenPhotos = report.media.filter((item) => item.uploaded_by === "citizen");
    const open = OPEN_STATUSES.includes(report.status);
    const actions = [];
    if (report.can_confirm) {
      const confirm = h("button", { type: "button", class: "button" }, "Xác nhận đã xử lý xong");
      confirm.addEventListener("click", () =>
        busy(confirm, "Đang xác nhận…", async () => {
          try {
            const updated = await api.post(`${path}/confirm`);
            toast("Cảm ơn bạn đã xác nhận. Phản ánh đã được đóng.");
            draw(updated);
          } catch (error) {
            confirm.after(errorBox(error));
          }
        }),
      );
      actions.push(h("p", { class: "hint" }, "Nếu sự việc đã được xử lý đúng như trên, hãy xác nhận để đóng phản ánh. Nếu chưa, hãy trao đổi với cán bộ ở phần bên dưới."), confirm);
    }
    if (report.rating) actions.push(h("p", { class: "report-rated" }, `Bạn đã đánh giá: ${report.rating}/5 – ${RATING_LABELS[report.rating - 1]}.`));
    else if (report.can_rate) actions.push(h("h3", {}, "Đánh giá việc xử lý"), ratingForm(report, (updated) => draw(updated)));

    root.replaceChildren(
      ...[
        staleNote({ stale }),
        sent?.emergency ? emergencyBox(sent.emergency) : null,
        sent
          ? h("div", { class: "report-sent", role: "status" }, h("p", {}, h("strong", {}, "Đã gửi phản ánh."), ` ${report.unit_name} sẽ trả lời trước ngày ${formatDate(report.deadline)}.`))
          : null,
        uploadProblemsBox(sent?.problems),
        sent ? duplicatesCard(sent.duplicates) : null,
        card(h("h2", {}, report.category.name), h("p", {}, statusChips(report)), reportFacts(report)),
        card(h("h3", {}, "Nội dung phản ánh"), h("p", { class: "report-note" }, report.description)),
        resultCard(report, `${path}/media`, ctx.onLeave, actions),
        card(
          h("h3", {}, "Ảnh bạn đã gửi"),
          citizenPhotos.length
            ? h("ul", { class: "photo-grid report-photos" }, citizenPhotos.map((item, index) => storedPhoto(`${path}/media/${item.id}`, `Ảnh hiện trường ${index + 1}`, ctx.onLeave)))
            : h("p", { class: "muted" }, "Chưa có ảnh nào."),
          uploadProblemsBox(problems, "Một số ảnh chưa gửi được:"),
          open && citizenPhotos.length < MAX_PHOTOS ? addPhotosForm(`${path}/media`, citizenPhotos.length, reload, ctx.onLeave) : null,
        ),
        card(h("h3", {}, "Quá trình xử lý"), historyList(report.history)),
        card(
          h("h3", {}, "Trao đổi với cán bộ"),
          commentList(report.comments),
          report.status === "merged" ? null : commentForm(`${path}/comments`, () => reload()),
        ),
      ].filter(Boolean),
    );
  };

  draw(result.data, { stale: result.stale });
  return root;
}

// ---- following an anonymous report by its token ----------------------------------------------

function trackedView(report, token, redraw, problems) {
  const mediaPath = `/reports/track/${encodeURIComponent(token)}/media`;
  const photos = report.media.filter((item) => item.uploaded_by === "citizen").length;
  const open = OPEN_STATUSES.includes(report.status);
  let addMedia = null;
  if (open && isSignedIn()) {
    addMedia = addPhotosForm(mediaPath, photos, redraw, null);
  } else if (open) {
    addMedia = h(
      "p",
      { class: "hint" },
      "Muốn gửi thêm ảnh cho tố giác này, hãy ",
      h("a", { href: "/app/sign-in?next=/app/reports/track" }, "đăng nhập bằng VNeID"),
      " rồi nhập lại mã.",
    );
  }
  return [
    card(h("h2", { tabindex: "-1" }, report.category.name), h("p", {}, statusChips(report)), reportFacts(report)),
    card(h("h3", {}, "Nội dung tố giác"), h("p", { class: "report-note" }, report.description)),
    resultCard(report, null, null),
    card(
      h("h3", {}, "Ảnh, video đã gửi"),
      h("p", {}, photos ? `Đã gửi ${photos} ảnh, video.` : "Chưa gửi ảnh, video nào."),
      uploadProblemsBox(problems, "Một số ảnh chưa gửi được:"),
      addMedia,
    ),
    card(h("h3", {}, "Quá trình xử lý"), historyList(report.history)),
    report.comments.length ? card(h("h3", {}, "Trả lời của cán bộ"), commentList(report.comments)) : null,
  ];
}

function track() {
  const token = h("input", {
    type: "text",
    name: "token",
    required: true,
    maxlength: "64",
    autocomplete: "off",
    autocapitalize: "off",
    spellcheck: "false",
  });
  const submit = h("button", { type: "submit", class: "button" }, "Xem tình trạng");
  const result = h("div", { class: "report-tracked" });
  const form = h(
    "form",
    { class: "card", novalidate: true },
    h("h2", {}, "Theo dõi tố giác ẩn danh"),
    h("p", {}, "Nhập mã theo dõi bạn nhận được khi gửi tố giác ẩn danh (qua ứng dụng hoặc trợ lý ảo)."),
    field("Mã theo dõi", token, "Mã phân biệt chữ hoa và chữ thường: hãy dán đúng mã đã lưu."),
    submit,
  );

  const lookUp = async (problems) => {
    const value = token.value.trim();
    // Never kept on the phone, and looked up without the citizen's own sign-in: whoever holds
    // the phone later must not find the token, and the lookup must not tie the report to them.
    const answer = await api.request(`/reports/track/${encodeURIComponent(value)}`, { remember: false, auth: false });
    result.replaceChildren(...trackedView(answer.data, value, lookUp, problems).filter(Boolean));
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    result.replaceChildren();
    if (!token.value.trim()) {
      const message = "Hãy nhập mã theo dõi.";
      showFieldErrors(form, { message, fieldErrors: { token: [message] } });
      return;
    }
    busy(submit, "Đang tra cứu…", async () => {
      try {
        await lookUp();
        result.querySelector("h2")?.focus();
      } catch (error) {
        if (error.status === 404) error.fieldErrors = { token: [error.message] };
        showFieldErrors(form, error);
      }
    });
  });
  return [form, result];
}

export const routes = [
  { path: "/reports", title: "Phản ánh của tôi", tab: "reports", auth: true, render: myReports },
  { path: "/reports/new", title: "Gửi phản ánh", tab: "reports", auth: true, back: true, render: newReport },
  { path: "/reports/track", title: "Theo dõi tố giác", tab: "reports", back: true, render: track },
  { path: "/reports/:id", title: "Phản ánh", tab: "reports", auth: true, back: true, render: reportPage },
];
