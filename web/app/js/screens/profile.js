// My profile: what the population database says (read only), my contact phone, my digital address.

import * as api from "../../../shared/api.js";
import { wardPicker } from "../widgets.js";
import { h, card, facts, field, formatDate, busy, showFieldErrors, clearFieldErrors, toast } from "../../../shared/ui.js";

function phoneForm(profile, etag) {
  const input = h("input", { name: "phone", type: "tel", inputmode: "tel", autocomplete: "tel", value: profile.phone || "" });
  const button = h("button", { type: "submit", class: "button" }, "Lưu số điện thoại");
  const form = h("form", { novalidate: true }, field("Số điện thoại liên hệ", input, "Số di động Việt Nam, ví dụ 0912345678."), button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(button, "Đang lưu…", async () => {
      clearFieldErrors(form);
      try {
        const saved = await api.request("/me", { method: "PATCH", body: { phone: input.value.trim() }, headers: { "If-Match": etag.value } });
        etag.value = saved.headers.get("ETag") || etag.value;
        toast("Đã lưu số điện thoại.");
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return form;
}

function addressForm(address, navigate) {
  const street = h("input", { name: "street", autocomplete: "street-address", value: address?.street || "" });
  const button = h("button", { type: "submit", class: "button" }, address ? "Cập nhật địa chỉ số" : "Khai báo địa chỉ số");
  const form = h(
    "form",
    { novalidate: true },
    field("Số nhà, tên đường", street),
    wardPicker({ name: "ward_code", value: address?.ward }),
    button,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(button, "Đang lưu…", async () => {
      clearFieldErrors(form);
      try {
        // Replacing needs the current version (If-Match); creating does not.
        const headers = {};
        if (address) headers["If-Match"] = (await api.request("/me/digital-address", { remember: false })).headers.get("ETag");
        await api.put("/me/digital-address", { street: street.value, ward_code: form.elements.ward_code.value }, { headers });
        toast("Đã lưu địa chỉ số.");
        navigate("/app/", { replace: true });
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
  });
  return form;
}

async function profile(ctx) {
  const { data: me, headers } = await api.request("/me", { signal: ctx.signal });
  const etag = { value: headers.get("ETag") };
  return [
    card(
      h("h2", {}, "Thông tin định danh"),
      h("p", { class: "hint" }, "Lấy từ Cơ sở dữ liệu quốc gia về dân cư qua VNeID; muốn sửa, hãy liên hệ công an phường/xã."),
      facts([
        ["Họ và tên", me.full_name],
        ["Số định danh", me.cccd],
        ["Ngày sinh", formatDate(me.date_of_birth)],
        ["Giới tính", me.sex === "female" ? "Nữ" : "Nam"],
        ["Nơi thường trú", me.ward?.name],
        ["Mức định danh", String(me.identity_level)],
      ]),
    ),
    card(h("h2", {}, "Liên hệ"), phoneForm(me, etag)),
  ];
}

async function digitalAddress(ctx) {
  let address = null;
  try {
    address = await api.get("/me/digital-address", { signal: ctx.signal });
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  return card(
    h("h2", {}, "Địa chỉ số"),
    h("p", { class: "hint" }, "Nơi bạn muốn được liên hệ, theo đơn vị hành chính từ 01/7/2025; khác với nơi thường trú."),
    address ? h("p", {}, "Hiện tại: ", h("strong", {}, address.full_address)) : null,
    addressForm(address, ctx.navigate),
  );
}

export const routes = [
  { path: "/profile", title: "Hồ sơ cá nhân", tab: "more", auth: true, back: true, render: profile },
  { path: "/digital-address", title: "Địa chỉ số", tab: "more", auth: true, back: true, render: digitalAddress },
];
