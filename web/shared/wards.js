// Wards by name for the fields that take a 5-digit ward code (GET /units/wards, public): the app's
// procedure forms, the workspace's staff accounts and announcements.

import * as api from "./api.js";
import { h } from "./ui.js";

/** A datalist of the wards whose names match what is typed in `input`, linked to it; put it in
 *  the document next to the input. Only a convenience: the code can always be typed. */
export function suggestWards(input) {
  const datalist = h("datalist", { id: `wards-${Math.random().toString(36).slice(2, 8)}` });
  input.setAttribute("list", datalist.id);
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2 || /^\d{5}$/.test(text)) return;
    timer = setTimeout(async () => {
      try {
        const wards = await api.get(`/units/wards${api.query({ q: text, page_size: 10 })}`, { remember: false, auth: false });
        datalist.replaceChildren(...wards.map((ward) => h("option", { value: ward.code }, ward.full_name || ward.name)));
      } catch {
        // Nothing suggested; the field still takes the code.
      }
    }, 250);
  });
  return datalist;
}

/** [input, datalist]: a ward-code input with its suggestions. */
export function wardCodeInput(name, value) {
  const input = h("input", { name, inputmode: "numeric", autocomplete: "off", maxlength: 5, value: value || "" });
  return [input, suggestWards(input)];
}
