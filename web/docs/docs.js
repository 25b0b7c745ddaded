// The interactive API docs: Swagger UI 5 (it reads OpenAPI 3.1), vendored from npm by `make web`
// and served by the API itself. This file replaces flask-smorest's page, whose inline script a
// Content-Security-Policy without 'unsafe-inline' would block.
"use strict";

window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    // BaseLayout without the standalone preset: no top bar inviting people to load other URLs.
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Deep links put a link inside each operation's toggle button (nested controls: axe-core
    // "nested-interactive", a screen reader cannot reach both); without them the summary is one button.
    deepLinking: false,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    filter: true,
    persistAuthorization: false,
    // The default validator badge would call a public server with our document.
    validatorUrl: null,
    // Swagger UI's default theme (agate) draws numbers below the 4.5:1 contrast ratio; monokai does not.
    syntaxHighlight: { activated: true, theme: "monokai" },
  });
  // Swagger UI leaves a few controls without an accessible name (axe-core "label",
  // "button-name", "label-content-name-mismatch"); name them as they appear.
  new MutationObserver(nameUnnamedControls).observe(document.getElementById("swagger-ui"), {
    childList: true,
    subtree: true,
  });
});

function nameUnnamedControls() {
  for (const body of document.querySelectorAll("textarea.body-param__text:not([aria-label])")) {
    body.setAttribute("aria-label", "Nội dung yêu cầu (JSON)");
  }
  for (const close of document.querySelectorAll("button.close-modal:not([aria-label])")) {
    close.setAttribute("aria-label", "Đóng");
  }
  // Its aria-label ("Apply credentials") hides the word on the button from speech control.
  for (const apply of document.querySelectorAll("button.modal-btn.authorize[aria-label]")) {
    apply.removeAttribute("aria-label");
  }
}
