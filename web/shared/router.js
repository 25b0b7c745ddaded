// Navigation: paths under the front end's base (/app, /workspace; history API: the API serves the
// shell for every one of them), each drawn by the screen module that registered it.
//
// A route: { path: "/dossiers/:code", title, tab, auth, render(ctx) }. `render` returns the
// screen's nodes (or a promise of them); ctx = { params, query, signal, setTitle, onLeave, navigate }.
// `configure` names the base, whether someone is signed in, and (the workspace) whether the person
// signed in may open a route: a route they may not open shows `refusedScreen`.

import { h, errorBox } from "./ui.js";

let BASE = "/app";
let isSignedIn = () => false;
let mayOpen = () => true;
let refusedScreen = () => h("p", {}, "Bạn không có quyền mở trang này.");

export function configure(options) {
  BASE = options.base ?? BASE;
  isSignedIn = options.isSignedIn ?? isSignedIn;
  mayOpen = options.mayOpen ?? mayOpen;
  refusedScreen = options.refusedScreen ?? refusedScreen;
}
const routes = [];
let leaving = [];
let controller = null;
let signInScreen = null;
let afterRender = () => {};

export function register(list) {
  for (const route of list) {
    const names = [];
    const pattern = route.path.replace(/:([a-zA-Z_]+)/g, (_, name) => {
      names.push(name);
      return "([^/]+)";
    });
    routes.push({ ...route, names, regex: new RegExp(`^${pattern}/?$`) });
  }
}

/** The screen shown instead of a route that needs a signed-in citizen. */
export function setSignInScreen(render) {
  signInScreen = render;
}

export function onRendered(callback) {
  afterRender = callback;
}

/** `congdanso://dossiers/X` (notifications' deep links) → `/app/dossiers/X`. */
export function appLink(link) {
  if (!link) return null;
  if (link.startsWith("congdanso://")) return `/app/${link.slice("congdanso://".length)}`;
  return link.startsWith("/app/") ? link : null;
}

function match(pathname) {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) || "/" : pathname;
  for (const route of routes) {
    const found = route.regex.exec(path);
    if (found) {
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      return { route, params };
    }
  }
  return null;
}

export function navigate(href, { replace = false } = {}) {
  const url = new URL(href, location.href);
  if (replace) history.replaceState({}, "", url);
  else history.pushState({}, "", url);
  return render();
}

export async function render() {
  for (const callback of leaving) callback();
  leaving = [];
  controller?.abort();
  controller = new AbortController();
  const signal = controller.signal;
  const view = document.getElementById("view");
  const found = match(location.pathname) || match("/not-found");
  const { route, params } = found;
  const setTitle = (text) => {
    document.getElementById("title").textContent = text;
    document.title = `${text} · Công dân số`;
  };
  setTitle(route.title || "Công dân số");
  document.querySelectorAll("#tabbar a").forEach((tab) => {
    if (tab.dataset.tab === route.tab) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  });
  document.getElementById("back").hidden = !route.back;
  view.setAttribute("aria-busy", "true");
  const ctx = {
    params,
    query: new URLSearchParams(location.search),
    signal,
    setTitle,
    navigate,
    onLeave: (callback) => leaving.push(callback),
  };
  let content;
  try {
    if ((route.auth || route.roles) && !isSignedIn()) content = await signInScreen(ctx);
    else if (!mayOpen(route)) content = refusedScreen(ctx, route);
    else content = await route.render(ctx);
  } catch (error) {
    if (signal.aborted) return;
    console.warn("screen failed", error);
    content = errorBox(error, () => render());
  }
  if (signal.aborted) return;
  view.replaceChildren(...[content].flat().filter(Boolean));
  view.setAttribute("aria-busy", "false");
  window.scrollTo(0, 0);
  // Screen readers hear the new screen's title; keyboard users start from the top of it.
  document.getElementById("title").focus({ preventScroll: true });
  afterRender(route);
}

export function start() {
  window.addEventListener("popstate", () => render());
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || event.defaultPrevented) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`) && url.pathname !== BASE) return;
    event.preventDefault();
    navigate(url.href);
  });
  document.getElementById("back").addEventListener("click", () => history.back());
  return render();
}

/** A not-found screen for paths no module registered. */
register([
  {
    path: "/not-found",
    title: "Không tìm thấy",
    render: () => h("div", { class: "empty" }, h("p", {}, "Không có trang này trong ứng dụng."), h("a", { class: "button", href: `${BASE}/` }, "Về trang chủ")),
  },
]);
