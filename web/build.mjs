// Copies what the API serves into ../build/web (git-ignored), from the npm packages pinned in
// package-lock.json and the sources next to this file. Run by `make web` after `npm ci`.
//   build/web/docs/   the /docs page: our index.html, docs.js, docs.css and Swagger UI 5's files
//   build/web/test/   axe-core, injected by the browser tests (never served)
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
for (const [from, to] of copies) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  cpSync(join(here, from), join(out, to));
}
console.log(`web: ${copies.length} files in ${out}`);
