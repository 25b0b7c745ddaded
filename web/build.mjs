// Copies what the API serves into ../build/web (git-ignored), from the npm packages pinned in
// package-lock.json and the sources next to this file. Run by `make web` after `npm ci`.
//   build/web/docs/   the /docs page: our index.html, docs.js, docs.css and Swagger UI 5's files
//   build/web/app/    the citizen app (PWA): web/app's page, styles and icons, its modules bundled
//                     and minified by esbuild into one js/main.js (with a source map), and its
//                     service worker with the list of the shell's files and a version from their content
//   build/web/workspace/ the staff workspace: its page, its modules and stylesheet bundled the same way
//   build/web/test/   axe-core, injected by the browser tests (never served)
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "build", "web");
const modules = join(here, "node_modules");

const copies = [
  ["docs/index.html", "docs/index.html"],
  ["docs/docs.js", "docs/docs.js"],
  ["docs/docs.css", "docs/docs.css"],
  ...["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "favicon-16x16.png", "LICENSE", "NOTICE"].map(
    (name) => [join("node_modules/swagger-ui-dist", name), join("docs", name)],
  ),
  ["node_modules/axe-core/axe.min.js", "test/axe.min.js"],
];

rmSync(out, { recursive: true, force: true });

/** A front end's modules (js/main.js, with web/shared) and stylesheet (with shared/base.css),
 * each bundled and minified by esbuild into one file: one request instead of a waterfall of
 * imports, each costing a round trip on a phone's network (bench/app_bench.py). */
function bundle(source, target, stylesheet) {
  for (const [entry, options] of [
    [join("js", "main.js"), { format: "esm", target: "es2022", sourcemap: "linked" }],
    [stylesheet, { loader: { ".css": "css" } }],
  ]) {
    buildSync({
      entryPoints: [join(source, entry)],
      outfile: join(target, entry),
      bundle: true,
      minify: true,
      legalComments: "none",
      logLevel: "warning",
      ...options,
    });
  }
}
for (const [from, to] of copies) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  cpSync(join(here, from), join(out, to));
}

// The citizen app: every file of web/app; sw.js gets the precache list and the version.
const appSource = join(here, "app");
const appOut = join(out, "app");
cpSync(appSource, appOut, { recursive: true });
rmSync(join(appOut, "js"), { recursive: true });
bundle(appSource, appOut, "app.css");

// The staff workspace: its page, its modules and stylesheet bundled the same way (no service
// worker: staff work online).
const workspaceSource = join(here, "workspace");
const workspaceOut = join(out, "workspace");
cpSync(workspaceSource, workspaceOut, { recursive: true });
rmSync(join(workspaceOut, "js"), { recursive: true });
bundle(workspaceSource, workspaceOut, "workspace.css");

const walk = (folder) =>
  readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
const shell = walk(appOut)
  .map((path) => relative(appOut, path).split("\\").join("/"))
  .filter((name) => name !== "sw.js" && !name.endsWith(".map"))
  .sort();
const digest = createHash("sha256");
for (const name of shell) digest.update(name).update(readFileSync(join(appOut, name)));
const precache = ["/app/", ...shell.map((name) => `/app/${name}`)];
const worker = readFileSync(join(appSource, "sw.js"), "utf8")
  .replace('"__VERSION__"', JSON.stringify(digest.digest("hex").slice(0, 16)))
  .replace("__PRECACHE__", JSON.stringify(precache));
writeFileSync(join(appOut, "sw.js"), worker);

console.log(`web: ${copies.length} files, the app's ${shell.length} and the workspace in ${out}`);
