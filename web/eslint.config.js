// The citizen app's JavaScript checks, run by `make lint` (and so `make test`): mistakes a reader
// would miss (unused or undefined names, unreachable code), not style.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["app/**/*.js", "shared/**/*.js", "workspace/**/*.js"],
    languageOptions: { ecmaVersion: 2024, sourceType: "module", globals: { ...globals.browser } },
    rules: { "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }] },
  },
  {
    files: ["app/sw.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.serviceworker, __PRECACHE__: "readonly" } },
  },
  {
    files: ["docs/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser, SwaggerUIBundle: "readonly" } },
  },
];
