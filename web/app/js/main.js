// The app's start: configuration from the API, the screens, the offline banner, the inbox badge,
// and the service worker that keeps the shell (and so the last data seen) usable offline.

import * as api from "../../shared/api.js";
import * as auth from "./auth.js";
import * as router from "../../shared/router.js";
import { signInScreen } from "./screens/home.js";
import * as screens from "./screens/index.js";

const CONFIG_KEY = "cds:config";

async function loadConfig() {
  try {
    const config = await api.get("/app/config.json", { auth: false });
    localStorage.setItem(CONFIG_KEY, JSON.stringify(config));
    return config;
  } catch {
    return JSON.parse(localStorage.getItem(CONFIG_KEY) || "{}");
  }
}

function showOffline(offline) {
  document.getElementById("offline").hidden = !offline;
  document.body.classList.toggle("is-offline", offline);
}

let badgeRequest = null;
async function refreshInboxBadge() {
  const link = document.getElementById("inbox-link");
  link.hidden = !auth.isSignedIn();
  if (!auth.isSignedIn() || badgeRequest) return;
  badgeRequest = api
    .get("/me/inbox/unread-count")
    .then(({ unread }) => {
      const badge = document.getElementById("inbox-badge");
      badge.textContent = unread > 99 ? "99+" : String(unread);
      badge.hidden = !unread;
      link.setAttribute("aria-label", unread ? `Hộp thư, ${unread} thông báo chưa đọc` : "Hộp thư");
    })
    .catch(() => null)
    .finally(() => (badgeRequest = null));
}

async function start() {
  const config = await loadConfig();
  window.cdsConfig = config;
  auth.configure(config);
  api.useSession(auth.session);
  router.configure({ base: "/app", isSignedIn: auth.isSignedIn });
  api.onConnectivity((online) => showOffline(!online));
  window.addEventListener("online", () => showOffline(false));
  window.addEventListener("offline", () => showOffline(true));
  showOffline(!navigator.onLine);
  window.addEventListener("cds:signed-out", () => router.render());
  router.setSignInScreen(signInScreen);
  for (const module of Object.values(screens)) router.register(module.routes || []);
  router.onRendered(() => refreshInboxBadge());
  await router.start();
  // The first screen is drawn and answers taps: what bench/app_bench.py reports as interactive.
  performance.mark("cds:interactive");
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch((error) => console.warn("service worker", error));
  }
}

start();
