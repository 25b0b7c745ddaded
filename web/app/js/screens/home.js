// Home (the digital-citizen profile and what is in progress), signing in and out, the menu.

import * as api from "../../../shared/api.js";
import * as auth from "../auth.js";
import { h, card, chip, errorBox, formatDate, linkRow, list, toast, busy } from "../../../shared/ui.js";

/** Shown for any screen that needs a signed-in citizen, and on its own at /app/sign-in. */
export function signInScreen(ctx) {
  const returnTo = ctx?.query?.get("next") || (location.pathname === "/app/sign-in" ? "/app/" : location.pathname + location.search);
  const button = h("button", { type: "button", class: "button" }, "Đăng nhập bằng VNeID");
  const note = h("div", { class: "sign-in-note" });
  button.addEventListener("click", () => {
    if (!auth.canSignInHere()) {
      note.replaceChildren(
        errorBox(new Error(`Hãy mở ứng dụng tại địa chỉ ${new URL("/app/", auth.redirectUri()).href} để đăng nhập (trình duyệt cần kết nối bảo mật).`)),
      );
      return;
    }
    busy(button, "Đang chuyển tới VNeID…", () => auth.startSignIn(returnTo));
  });
  return card(
    h("h2", {}, "Đăng nhập"),
    h("p", {}, "Dùng tài khoản định danh điện tử VNeID để xem hồ sơ, nộp phạt, gửi phản ánh và nhận thông báo của riêng bạn."),
    button,
    note,
    h("p", { class: "muted small" }, "Không cần đăng nhập: tra cứu thủ tục, tra cứu phạt nguội theo biển số, tin tức, sản phẩm địa phương và trò chuyện với trợ lý ảo."),
  );
}

async function signedIn(ctx) {
  // The code is single-use and a second exchange ends the session it opened: take it out of the
  // address bar and the history before anything else, so a reload cannot present it again.
  history.replaceState({}, "", "/app/signed-in");
  try {
    const next = await auth.finishSignIn(ctx.query);
    setTimeout(() => ctx.navigate(next, { replace: true }), 0);
    return h("p", { class: "loading" }, "Đăng nhập thành công, đang mở ứng dụng…");
  } catch (error) {
    return [errorBox(error), h("a", { class: "button", href: "/app/sign-in" }, "Đăng nhập lại")];
  }
}

// Where the app itself lets the citizen obtain an asset; others link to the national service.
const ASSET_SCREENS = { digital_address: "/app/digital-address", e_payment_account: "/app/wallet" };

function assetAction(asset) {
  if (ASSET_SCREENS[asset.key]) return h("a", { class: "button secondary", href: ASSET_SCREENS[asset.key] }, "Làm ngay");
  if (asset.link?.startsWith("https://")) {
    return h("a", { href: asset.link, target: "_blank", rel: "noopener" }, `Mở ${new URL(asset.link).hostname}`);
  }
  return null;
}

function assetRow(asset) {
  const present = asset.status === "present";
  return h(
    "li",
    { class: `asset ${present ? "asset-present" : "asset-missing"}` },
    h("span", { class: "asset-mark", "aria-hidden": "true" }, present ? "✓" : "!"),
    h(
      "div",
      {},
      h("p", { class: "row-title" }, asset.name, " ", present ? chip("Đã có", "ok") : chip("Còn thiếu", "wait")),
      h("p", { class: "row-detail" }, asset.detail),
      present ? null : h("details", { class: "how-to" }, h("summary", {}, "Cách có"), h("p", { class: "hint" }, asset.how_to_obtain)),
      present ? null : assetAction(asset),
    ),
  );
}

async function home(ctx) {
  if (!auth.isSignedIn()) {
    return [
      h("section", { class: "hero" }, h("h2", {}, "Chào bạn!"), h("p", {}, "Công dân số: dịch vụ công, phản ánh hiện trường, phạt nguội và trợ lý ảo của tỉnh trong một ứng dụng.")),
      signInScreen(ctx),
      shortcuts(),
    ];
  }
  const [me, dossiers, fines, reports] = await Promise.allSettled([
    api.request("/me", { signal: ctx.signal }),
    api.get("/me/dossiers?page_size=3", { signal: ctx.signal }),
    api.get("/me/fines", { signal: ctx.signal }),
    api.get("/me/reports?page_size=3", { signal: ctx.signal }),
  ]);
  if (me.status === "rejected") throw me.reason;
  const profile = me.value.data;
  const sections = [];
  if (me.value.stale) sections.push(h("p", { class: "banner" }, "Dữ liệu đã lưu trên máy, có thể chưa mới nhất."));
  sections.push(
    card(
      h("h2", {}, profile.full_name),
      h("p", { class: "muted" }, `Mức định danh ${profile.identity_level} · ${profile.ward?.name || "chưa có nơi thường trú"}`),
      h("p", {}, `Công dân số: ${profile.completeness.present}/${profile.completeness.total} tài sản`),
      h("progress", { max: profile.completeness.total, value: profile.completeness.present, "aria-label": "Mức hoàn thiện công dân số" }),
      profile.identity_level < 2
        ? h("p", { class: "hint" }, "Bạn đang ở mức định danh 1. Để xem hồ sơ sức khoẻ, đất đai, lao động và nộp hồ sơ trực tuyến, hãy kích hoạt VNeID mức 2 tại công an phường/xã nơi cư trú (mang theo CCCD gắn chip).")
        : null,
    ),
  );
  const progress = [];
  if (dossiers.status === "fulfilled") {
    for (const dossier of dossiers.value.slice(0, 3)) {
      progress.push(linkRow(`/app/dossiers/${encodeURIComponent(dossier.code)}`, dossier.procedure_name, `Hồ sơ ${dossier.code} · hẹn trả ${formatDate(dossier.due_date)}`, chip(dossier.status_name, dossier.overdue ? "bad" : "info")));
    }
  }
  if (fines.status === "fulfilled") {
    const open = fines.value.filter((fine) => fine.status === "issued" || fine.status === "confirmed");
    if (open.length) progress.push(linkRow("/app/fines", `${open.length} khoản phạt nguội chưa nộp`, "Xác nhận và nộp phạt trực tuyến", chip("Cần xử lý", "bad")));
  }
  if (reports.status === "fulfilled") {
    for (const report of reports.value.slice(0, 2)) {
      const where = report.address || report.ward?.name || "";
      progress.push(linkRow(`/app/reports/${report.id}`, report.category?.name || "Phản ánh", where, chip(report.status_name, report.overdue ? "bad" : "info")));
    }
  }
  sections.push(card(h("h2", {}, "Đang theo dõi"), list(progress, "Bạn chưa có hồ sơ, phản ánh hay khoản phạt nào đang xử lý.")));
  // The four assets after what is in progress: what is missing, and how to get each.
  sections.push(card(h("h2", {}, "Tài sản công dân số"), h("ul", { class: "assets" }, profile.assets.map(assetRow))));
  sections.push(shortcuts());
  return sections;
}

function shortcuts() {
  const items = [
    ["/app/services", "Nộp hồ sơ trực tuyến"],
    ["/app/dossiers", "Hồ sơ của tôi"],
    ["/app/fines", "Phạt nguội"],
    ["/app/reports/new", "Gửi phản ánh"],
    ["/app/records", "Dữ liệu cá nhân"],
    ["/app/benefits", "An sinh xã hội"],
    ["/app/articles", "Tin chính sách"],
    ["/app/products", "Sản phẩm địa phương"],
  ];
  return h("nav", { class: "shortcuts", "aria-label": "Lối tắt" }, items.map(([href, label]) => h("a", { class: "shortcut", href }, label)));
}

function more() {
  const rows = [
    linkRow("/app/profile", "Hồ sơ cá nhân và số điện thoại"),
    linkRow("/app/digital-address", "Địa chỉ số"),
    linkRow("/app/dossiers", "Hồ sơ của tôi"),
    linkRow("/app/essential-services", "53 dịch vụ công thiết yếu"),
    linkRow("/app/fines", "Phạt nguội"),
    linkRow("/app/wallet", "Ví và thanh toán"),
    linkRow("/app/records", "Dữ liệu cá nhân (đất đai, sức khoẻ, lao động)"),
    linkRow("/app/benefits", "An sinh xã hội"),
    linkRow("/app/inbox", "Hộp thư"),
    linkRow("/app/articles", "Tin chính sách"),
    linkRow("/app/products", "Sản phẩm địa phương"),
    linkRow("/app/reports/track", "Theo dõi tố giác ẩn danh"),
  ];
  const config = window.cdsConfig || {};
  const hotline = config.hotline || "1900 0368";
  const footer = [
    h("p", {}, "Tổng đài: ", h("a", { href: `tel:${hotline.replace(/\s/g, "")}` }, hotline)),
  ];
  if (auth.isSignedIn()) {
    const button = h("button", { type: "button", class: "button secondary" }, "Đăng xuất");
    button.addEventListener("click", () =>
      busy(button, "Đang đăng xuất…", async () => {
        await auth.signOut();
        toast("Bạn đã đăng xuất. Dữ liệu cá nhân đã được xoá khỏi máy này.");
        location.assign("/app/");
      }),
    );
    footer.push(button);
  } else {
    footer.push(h("a", { class: "button", href: "/app/sign-in" }, "Đăng nhập bằng VNeID"));
  }
  return [card(h("ul", { class: "rows" }, rows)), card(...footer)];
}

export const routes = [
  { path: "/", title: "Công dân số", tab: "home", render: home },
  { path: "/sign-in", title: "Đăng nhập", render: signInScreen },
  { path: "/signed-in", title: "Đăng nhập", render: signedIn },
  { path: "/more", title: "Thêm", tab: "more", render: more },
];
