// What several screens share beyond ui.js's elements: choosing a ward of the 2025 administrative
// map, lists read page by page, the note on data kept from an earlier visit, and the way to
// identity level 2 shown in place of what a level-1 account may not see.

import * as api from "../../shared/api.js";
import * as auth from "./auth.js";
import { h, busy, empty, errorBox } from "../../shared/ui.js";

/**
 * A ward chooser: type part of a name (accents optional), pick from the API's matches.
 * The <select> carries `name` (the field path the API names in its errors) and the ward code.
 */
export function wardPicker({ name, label = "Phường/xã", value = null, province = null }) {
  const id = `ward-${name.replace(/[^a-z0-9]/gi, "-")}`;
  const search = h("input", { id: `${id}-q`, type: "search", autocomplete: "off", placeholder: "Gõ tên phường/xã, có dấu hoặc không" });
  const select = h("select", { id, name, required: true }, h("option", { value: "" }, "— Chọn phường/xã —"));
  if (value) select.append(h("option", { value: value.code, selected: true }, value.full_name || value.name || value.code));
  const status = h("p", { class: "hint", id: `${id}-status`, "aria-live": "polite" });
  select.setAttribute("aria-describedby", status.id);
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = search.value.trim();
      if (q.length < 2) return;
      try {
        const wards = await api.get(`/units/wards${api.query({ q, province, page_size: 20 })}`, { remember: false });
        select.replaceChildren(
          h("option", { value: "" }, wards.length ? `— ${wards.length} kết quả, chọn một —` : "— Không tìm thấy —"),
          ...wards.map((ward) => h("option", { value: ward.code }, ward.full_name)),
        );
        if (wards.length === 1) select.value = wards[0].code;
        status.textContent = wards.length ? `Tìm thấy ${wards.length} phường/xã.` : "Không tìm thấy phường/xã nào; thử tên khác.";
      } catch (error) {
        status.textContent = error.message;
      }
    }, 250);
  });
  return h(
    "div",
    { class: "field" },
    h("label", { for: search.id }, `Tìm ${label.toLowerCase()}`),
    search,
    h("label", { for: id, class: "spaced" }, label),
    select,
    status,
  );
}

/** The line shown above data the app kept from an earlier visit (offline). */
export function staleNote(response) {
  return response?.stale ? h("p", { class: "banner" }, "Dữ liệu đã lưu trên máy, có thể chưa mới nhất.") : null;
}

/**
 * A list read page by page from a paginated API route: the first page now, then a "Xem thêm"
 * button while the API's X-Pagination says there are more. `path(page)` gives each page's URL;
 * `row(item)` draws one item as an <li>. Returns [list, stale note].
 */
export async function pagedList(ctx, path, row, emptyText, { emptyAction } = {}) {
  const first = await api.request(path(1), { signal: ctx.signal });
  if (!first.data.length) return [staleNote(first), empty(emptyText, emptyAction)];
  const rows = h("ul", { class: "rows" }, first.data.map(row));
  const holder = h("div", { class: "more-holder" });
  let page = 1;
  const offerMore = (headers) => {
    const info = api.pageInfo(headers);
    holder.replaceChildren();
    if (!info || info.page >= info.total_pages) return;
    const button = h("button", { type: "button", class: "button secondary block" }, "Xem thêm");
    button.addEventListener("click", () =>
      busy(button, "Đang tải…", async () => {
        try {
          const next = await api.request(path(page + 1), { signal: ctx.signal });
          page += 1;
          rows.append(...next.data.map(row));
          offerMore(next.headers);
        } catch (error) {
          if (error.name !== "AbortError") holder.append(errorBox(error));
        }
      }),
    );
    holder.append(button);
  };
  offerMore(first.headers);
  return [staleNote(first), rows, holder];
}

/** What a level-1 citizen sees instead of records: why, and the steps to identity level 2. */
export function levelTwoGuide(what = "hồ sơ cá nhân") {
  const hotline = window.cdsConfig?.hotline || "1900 0368";
  const again = h("button", { type: "button", class: "button secondary" }, "Tôi đã lên mức 2, đăng nhập lại");
  again.addEventListener("click", () =>
    busy(again, "Đang chuyển tới VNeID…", async () => {
      // The identity level is in the access token: only a new sign-in carries the new level.
      const here = location.pathname + location.search;
      await auth.signOut();
      await auth.startSignIn(here);
    }),
  );
  return h(
    "section",
    { class: "card level-guide" },
    h("h2", {}, "Cần tài khoản định danh điện tử mức 2"),
    h("p", {}, `Để bảo vệ thông tin của bạn, ${what} chỉ hiển thị với tài khoản VNeID mức 2. Tài khoản của bạn đang ở mức 1.`),
    h("h3", {}, "Cách nâng lên mức 2"),
    h(
      "ol",
      { class: "steps" },
      h("li", {}, h("strong", {}, "Mang theo: "), "thẻ căn cước (hoặc căn cước công dân) gắn chip của chính bạn."),
      h("li", {}, h("strong", {}, "Đến: "), "Công an xã, phường nơi bạn cư trú (hoặc nơi gần nhất), trong giờ hành chính."),
      h("li", {}, "Cán bộ chụp ảnh khuôn mặt và lấy vân tay để xác thực. Không mất phí."),
      h("li", {}, "Khi ứng dụng VNeID báo tài khoản đã lên mức 2, quay lại đây và đăng nhập lại."),
    ),
    again,
    h("p", { class: "small" }, "Cần hỗ trợ? Gọi tổng đài ", h("a", { href: `tel:${hotline.replace(/\s/g, "")}` }, hotline), "."),
  );
}

/** Load something that needs level 2: the loaded value, or the guide in its place. */
export async function orLevelTwoGuide(load, what) {
  try {
    return { value: await load() };
  } catch (error) {
    if (error.code === "identity_level_required") return { guide: levelTwoGuide(what) };
    throw error;
  }
}
