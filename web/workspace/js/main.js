// The staff workspace's start: the staff session, sign-in, the side navigation the signed-in
// person's role allows, and the panels (panels/index.js), each route naming the roles it is for.

import * as api from "../../shared/api.js";
import * as router from "../../shared/router.js";
import { h, busy, card, errorBox, field, showFieldErrors, clearFieldErrors } from "../../shared/ui.js";
import { PANELS } from "./panels/index.js";
import { ROLE_NAMES, forgetMe, me, session, signIn } from "./staff.js";

let role = null; // the signed-in person's role, known before any panel is drawn

function signInScreen(ctx) {
  const username = h("input", { name: "username", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const totp = h("input", { name: "totp", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" });
  const totpField = field("Mã xác thực (6 số)", totp, "Từ ứng dụng xác thực trên điện thoại của bạn.");
  totpField.hidden = true;
  const button = h("button", { type: "submit", class: "button block" }, "Đăng nhập");
  const form = h("form", { novalidate: true }, field("Tên đăng nhập", username), field("Mật khẩu", password), totpField, button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(button, "Đang đăng nhập…", async () => {
      clearFieldErrors(form);
      try {
        const who = await signIn(username.value.trim(), password.value, totp.value.trim());
        role = who.role;
        drawChrome(who);
        ctx.navigate(ctx.query.get("next") || location.pathname, { replace: true });
      } catch (error) {
        if (error.code === "totp_required") {
          totpField.hidden = false;
          totp.focus();
        }
        showFieldErrors(form, error);
      }
    });
  });
  return h("div", { class: "sign-in" }, card(h("h2", {}, "Đăng nhập cán bộ"), form));
}

function refusedScreen() {
  return card(
    h("h2", {}, "Không có quyền truy cập"),
    h("p", {}, `Chức năng này không dành cho vai trò ${ROLE_NAMES[role] || role || "của bạn"}.`),
    h("a", { class: "button", href: "/workspace/" }, "Về trang đầu"),
  );
}

/** The routes this person may open and that go in the navigation, in PANELS' order. */
function navigable() {
  return PANELS.flatMap((module) => module.routes || []).filter((route) => route.nav && (!route.roles || route.roles.includes(role)));
}

function drawChrome(who) {
  const nav = document.getElementById("nav");
  const links = navigable().map((route) => h("a", { href: `/workspace${route.path}`, dataset: { path: route.path } }, route.nav));
  nav.replaceChildren(h("h2", {}, ROLE_NAMES[who.role] || who.role), ...links);
  nav.hidden = false;
  const whoLine = document.getElementById("who");
  whoLine.textContent = [who.display_name, who.ward_name].filter(Boolean).join(" · ");
  whoLine.hidden = false;
  document.getElementById("sign-out").hidden = false;
  // Panels that put something in the chrome (the unread announcements' count and banner).
  for (const module of PANELS) module.onSignedIn?.(who);
}

function clearChrome() {
  role = null;
  forgetMe();
  document.getElementById("nav").hidden = true;
  document.getElementById("who").hidden = true;
  document.getElementById("sign-out").hidden = true;
  for (const module of PANELS) module.onSignedOut?.();
}

/** The navigation entry of the screen shown: the longest path the address starts with
 *  (/desk/statistics is its own entry, not the desk's). */
function markCurrent() {
  const links = [...document.querySelectorAll("#nav a")];
  const current = links
    .filter((link) => location.pathname.startsWith(`/workspace${link.dataset.path}`))
    .sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
  for (const link of links) {
    if (link === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** The first screen: where this role's work is. */
function home() {
  const first = navigable()[0];
  if (first) {
    setTimeout(() => router.navigate(`/workspace${first.path}`, { replace: true }), 0);
    return h("p", { class: "loading" }, "Đang mở…");
  }
  return card(h("h2", {}, "Chưa có chức năng"), h("p", {}, "Vai trò của bạn chưa có chức năng nào trong không gian làm việc."));
}

async function start() {
  api.useSession(session);
  router.configure({
    base: "/workspace",
    isSignedIn: session.isSignedIn,
    mayOpen: (route) => !route.roles || route.roles.includes(role),
    refusedScreen,
  });
  router.setSignInScreen(signInScreen);
  router.register([{ path: "/", title: "Không gian làm việc", auth: true, render: home }]);
  for (const module of PANELS) router.register(module.routes || []);
  router.onRendered(markCurrent);
  window.addEventListener("cds:signed-out", () => {
    clearChrome();
    router.render();
  });
  document.getElementById("sign-out").addEventListener("click", async (event) => {
    await busy(event.currentTarget, "Đang đăng xuất…", () => session.signOut());
    clearChrome();
    router.navigate("/workspace/", { replace: true });
  });
  if (session.isSignedIn()) {
    try {
      const who = await me();
      role = who.role;
      drawChrome(who);
    } catch (error) {
      if (error.status !== 401) document.getElementById("view").replaceChildren(errorBox(error, () => location.reload()));
    }
  }
  await router.start();
}

start();
