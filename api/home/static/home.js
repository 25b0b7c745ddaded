// The home page's states, refreshed while it is open: "/" answers JSON to this script (the same
// components, labels and details the server rendered), so "Trợ lý ảo: Chưa sẵn sàng" turns to
// "Sẵn sàng" by itself once Rasa has loaded its model. Text only: nothing becomes markup.
"use strict";

const REFRESH_MS = 5000;

function row(name) {
  return document.querySelector(`#components tr[data-component="${CSS.escape(name)}"]`);
}

function time() {
  return new Date().toLocaleTimeString("vi-VN", { hour12: false });
}

function show(index) {
  const changed = [];
  for (const component of index.components) {
    const line = row(component.name);
    if (!line) continue;
    const state = line.querySelector(".state");
    const detail = line.querySelector(".detail");
    if (state.textContent !== component.state_label) {
      changed.push(`${component.label}: ${component.state_label}`);
    }
    state.textContent = component.state_label;
    state.className = `state state-${component.state}`;
    detail.textContent = component.detail;
  }
  const waiting = index.components.filter((component) => component.state !== "ok").length;
  document.getElementById("summary").textContent = waiting
    ? `${waiting} thành phần chưa sẵn sàng; trang tự cập nhật vài giây một lần.`
    : "Mọi thành phần đều sẵn sàng.";
  if (changed.length) {
    // A polite live region: screen readers hear what changed, not the whole table again.
    document.getElementById("changes").textContent = `${time()} — ${changed.join("; ")}`;
  }
}

async function refresh() {
  if (document.visibilityState === "hidden") return;
  try {
    const response = await fetch("/", { headers: { Accept: "application/json" }, cache: "no-store" });
    if (response.ok) show(await response.json());
  } catch (error) {
    const api = row("api");
    if (api) {
      api.querySelector(".state").textContent = "Không trả lời";
      api.querySelector(".state").className = "state state-down";
    }
    document.getElementById("summary").textContent =
      `API không trả lời (${time()}); trang sẽ thử lại.`;
  }
}

setInterval(refresh, REFRESH_MS);
