// The citizen app's service worker. `make web` (web/build.mjs) fills in the list of the shell's
// files and a version made from their content, so a new build replaces the cache at once.
//
// The shell (the page, its script, styles and icons) is served from the cache, so the app opens
// offline; every app path gets the same page, as the API does. API answers are never cached
// here: the app keeps the last data it saw itself, per citizen, and forgets it on sign-out.

const VERSION = "__VERSION__";
const SHELL = __PRECACHE__;
const CACHE = `cds-app-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("cds-app-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || !url.pathname.startsWith("/app/")) return;
  if (url.pathname === "/app/config.json") return; // the app keeps its own copy for offline use
  if (event.request.mode === "navigate") {
    event.respondWith(
      fetch(event.request).catch(() => caches.match("/app/index.html", { cacheName: CACHE })),
    );
    return;
  }
  event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(event.request)));
});
