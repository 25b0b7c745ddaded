// Local products (M22): search the approved products of verified sellers (with or without
// accents: the API folds them), filter by group, OCOP stars and price, and a product's page with
// its photos and a seller's number to call. Public.

import * as api from "../../../shared/api.js";
import { h, card, chip, errorBox, facts, field, formatDate, showFieldErrors } from "../../../shared/ui.js";
import { pagedList, staleNote } from "../widgets.js";

const FILTERS = ["q", "category", "ocop_min", "price_min", "price_max"];

function stars(count) {
  return count ? chip(`OCOP ${count} sao`, "ok") : null;
}

function productRow(product) {
  const photo = product.images?.[0];
  return h(
    "li",
    {},
    h(
      "a",
      { class: "row product-row", href: `/app/products/${product.id}` },
      photo ? h("img", { class: "product-thumb", src: photo.url, alt: "", loading: "lazy", width: "64", height: "64" }) : h("span", { class: "product-thumb product-thumb-empty", "aria-hidden": "true" }, "Chưa có ảnh"),
      h(
        "span",
        { class: "row-text" },
        h("span", { class: "row-title" }, product.name),
        h("span", { class: "product-price" }, product.price_text),
        h("span", { class: "row-detail" }, [product.seller?.business_name, product.ward?.name].filter(Boolean).join(" · ")),
      ),
      stars(product.ocop_stars),
    ),
  );
}

function filterForm(ctx, catalogue, values) {
  const search = h("input", { type: "search", name: "q", value: values.q, maxlength: "200", autocomplete: "off", enterkeyhint: "search" });
  const category = h(
    "select",
    { name: "category" },
    h("option", { value: "" }, "Tất cả nhóm"),
    (catalogue.categories || []).map((item) => h("option", { value: item.code, selected: item.code === values.category }, item.name)),
  );
  const ocop = h(
    "select",
    { name: "ocop_min" },
    h("option", { value: "" }, "Mọi sản phẩm"),
    (catalogue.ocop_stars || [3, 4, 5]).map((count) => h("option", { value: String(count), selected: String(count) === values.ocop_min }, `OCOP từ ${count} sao`)),
  );
  const money = (name) =>
    h("input", { type: "number", name, value: values[name], min: "0", max: String(catalogue.price_max_vnd || ""), step: "1000", inputmode: "numeric" });
  const form = h(
    "form",
    { class: "card search-form", role: "search", "aria-label": "Tìm kiếm và lọc sản phẩm", novalidate: true },
    field("Tìm sản phẩm", search, "Có dấu hoặc không dấu, ví dụ: ca phe buon ma thuot"),
    h(
      "details",
      { class: "filters", open: Boolean(values.category || values.ocop_min || values.price_min || values.price_max) },
      h("summary", {}, "Bộ lọc"),
      field("Nhóm sản phẩm", category),
      field("Chứng nhận OCOP", ocop),
      h("div", { class: "price-range" }, field("Giá từ (đồng)", money("price_min")), field("Giá đến (đồng)", money("price_max"))),
    ),
    h("button", { type: "submit", class: "button" }, "Tìm"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries(FILTERS.map((name) => [name, String(form.elements[name].value || "").trim()]));
    // The search lives in the address, so Back returns to it and the results can be shared.
    ctx.navigate(`/app/products${api.query(chosen)}`);
  });
  return form;
}

async function productList(ctx) {
  const values = Object.fromEntries(FILTERS.map((name) => [name, (ctx.query.get(name) || "").trim()]));
  const catalogue = await api.get("/products/categories", { signal: ctx.signal }).catch(() => ({}));
  const form = filterForm(ctx, catalogue, values);
  const filtered = FILTERS.some((name) => values[name]);
  let results;
  try {
    results = await pagedList(
      ctx,
      (page) => `/products${api.query({ ...values, page, page_size: 20 })}`,
      productRow,
      filtered ? "Không tìm thấy sản phẩm phù hợp. Hãy thử từ khóa khác hoặc bỏ bớt bộ lọc." : "Chưa có sản phẩm nào được đăng bán.",
      { emptyAction: filtered ? h("a", { class: "button secondary", href: "/app/products" }, "Bỏ tìm kiếm và bộ lọc") : null },
    );
  } catch (error) {
    if (error.name === "AbortError" || !error.status || error.status >= 500) throw error;
    // A filter the API refused (a price range upside down): said next to the field concerned.
    setTimeout(() => showFieldErrors(form, error), 0);
    results = errorBox(error);
  }
  return [
    form,
    card(h("h2", {}, filtered ? "Kết quả tìm kiếm" : "Mới đăng bán"), results),
    h("p", { class: "hint" }, "Sản phẩm do hộ kinh doanh đã được xác minh đăng bán và cán bộ đã duyệt. Bạn liên hệ trực tiếp với người bán để mua."),
  ];
}

async function productPage(ctx) {
  const response = await api.request(`/products/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
  const product = response.data;
  const phone = product.contact_phone;
  return [
    staleNote(response),
    card(
      h("h2", {}, product.name),
      h("p", { class: "product-price" }, product.price_text),
      stars(product.ocop?.stars),
      product.images?.length
        ? h(
            "div",
            { class: "photo-grid product-photos" },
            product.images.map((image, index) => h("img", { src: image.url, alt: `Ảnh ${index + 1} của ${product.name}`, loading: "lazy" })),
          )
        : null,
      h("p", { class: "product-description" }, product.description),
      facts([
        ["Nhóm", product.category?.name],
        ["Loại", product.kind?.name],
        ["Nơi sản xuất", [product.ward?.name, product.ward?.province?.name].filter(Boolean).join(", ")],
        ["OCOP", product.ocop ? [`${product.ocop.stars} sao`, product.ocop.certificate_number ? `giấy chứng nhận ${product.ocop.certificate_number}` : null, product.ocop.year ? `năm ${product.ocop.year}` : null].filter(Boolean).join(", ") : null],
        ["Đăng bán từ", product.approved_at ? formatDate(product.approved_at) : null],
      ]),
    ),
    card(
      h("h2", {}, "Người bán"),
      h("p", { class: "row-title" }, product.seller?.business_name),
      product.seller?.ward?.name ? h("p", { class: "muted" }, product.seller.ward.name) : null,
      phone
        ? h("a", { class: "button block", href: `tel:${phone.replace(/[^\d+]/g, "")}` }, `Gọi người bán: ${phone}`)
        : h("p", { class: "muted" }, "Người bán chưa để lại số liên hệ."),
      h("p", { class: "hint" }, "Người bán đã được xác minh danh tính. Hãy thỏa thuận giá, cách giao hàng và thanh toán trực tiếp với người bán."),
    ),
  ];
}

export const routes = [
  { path: "/products", title: "Sản phẩm địa phương", tab: "more", auth: false, render: productList },
  { path: "/products/:id", title: "Sản phẩm", tab: "more", auth: false, back: true, render: productPage },
];
