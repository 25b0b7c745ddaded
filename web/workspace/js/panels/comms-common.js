// What the comms panels share (comms-articles, comms-faq, comms-campaigns, announcements): who may
// open them, the page size of a long list, the one-line message a screen shows after an action, names
// of colleagues and the categories. Not a panel itself (no routes).

import * as api from "../../../shared/api.js";
import { h } from "../../../shared/ui.js";

// content/routes.py COMMS = Staff("comms", "admin"); notifications/campaigns: comms compose and
// schedule, comms or admins approve and cancel.
export const COMMS_ROLES = ["comms", "admin"];
export const PAGE_SIZE = 20;

// What an action did, shown at the top of the screen it leads to (the screen is drawn again from
// the API's answer, so the message must outlive the redraw).
let pending = null;
export function flash(text) {
  pending = text;
}

/** The message left by the last action, once; a status line screen readers announce. */
export function flashLine() {
  const text = pending;
  pending = null;
  return h("p", { class: "comms-flash", role: "status", hidden: !text }, text || "");
}

/** Show an outcome on a screen that is not redrawn: the same status line, filled in. */
export function say(line, text) {
  line.textContent = text;
  line.hidden = !text;
}

/** "bạn" for the signed-in person, the colleague's name from the API, or a neutral word. */
export function person(ref, name, me) {
  if (me && ref === `staff:${me.id}`) return "bạn";
  if (name) return name;
  return ref?.startsWith("system") ? "hệ thống" : "một cán bộ khác";
}

let categoryList = null;
/** The topics of articles and FAQ entries (GET /content/categories), asked once. */
export function categories() {
  categoryList ||= api.get("/content/categories").catch((error) => {
    categoryList = null;
    throw error;
  });
  return categoryList;
}

export function categorySelect(name, list, value) {
  const select = h("select", { name, required: true }, list.map((category) => h("option", { value: category.slug }, category.name)));
  if (value) select.value = value;
  return select;
}

/** "1.234" — counts as Vietnamese write them; "–" when the API has no figure yet. */
export function number(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("vi-VN");
}

/** Only the controls whose data-show value matches `value` are shown (audience fields by kind). */
export function showOnly(root, attribute, value) {
  for (const node of root.querySelectorAll(`[data-${attribute}]`)) node.hidden = node.dataset[attribute] !== value;
}
