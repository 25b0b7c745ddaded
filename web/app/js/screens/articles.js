// Policy news: published articles by topic, accent-insensitive search (the API folds accents),
// and an article's page. Public: a signed-in citizen gets the articles meant for their province,
// ward and age (the API decides), anyone else those for everyone.
//
// An article's body is HTML the API sanitised on the way in (content/sanitize.py). It is still
// never given to innerHTML: it is parsed inert with DOMParser and rebuilt element by element,
// keeping only the tags and attributes that sanitiser allows, so a sanitiser bug or an old row
// cannot put script, handlers or styles into the app.

import * as api from "../../../shared/api.js";
import { h, card, chip, field, formatDate } from "../../../shared/ui.js";
import { pagedList, staleNote } from "../widgets.js";

// content/sanitize.py ALLOWED_TAGS and ALLOWED_ATTRIBUTES.
const ALLOWED_TAGS = new Set([
  "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
  "blockquote", "ul", "ol", "li", "a", "img", "figure", "figcaption",
  "table", "thead", "tbody", "tr", "th", "td", "caption",
]);
const ALLOWED_ATTRIBUTES = {
  a: ["href", "title"],
  img: ["src", "alt", "title", "width", "height"],
  th: ["colspan", "rowspan"],
  td: ["colspan", "rowspan"],
};
// Dropped with their content (a script's text is not prose); any other unknown tag is unwrapped.
const DROPPED_WITH_CONTENT = new Set(["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math"]);
// The screen's title is the h2: the body's headings move one level down to stay in order.
const HEADING_SHIFT = { h2: "h3", h3: "h4", h4: "h5" };

function safeUrl(value, schemes) {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) ? url.href : null;
  } catch {
    return null; // relative or malformed: the app has no base to resolve it against
  }
}

function rebuild(source, target) {
  for (const child of source.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      target.append(child.textContent);
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue; // comments and the like
    const tag = child.localName;
    if (DROPPED_WITH_CONTENT.has(tag)) continue;
    if (!ALLOWED_TAGS.has(tag)) {
      rebuild(child, target);
      continue;
    }
    const element = document.createElement(HEADING_SHIFT[tag] || tag);
    for (const name of ALLOWED_ATTRIBUTES[tag] || []) {
      const value = child.getAttribute(name);
      if (value === null) continue;
      if (name === "href") {
        const href = safeUrl(value, ["http:", "https:"]);
        if (!href) continue;
        element.setAttribute("href", href);
        // Links leave the app: a new tab, and the article's page is not told who came.
        element.setAttribute("target", "_blank");
        element.setAttribute("rel", "noopener noreferrer");
      } else if (name === "src") {
        const src = safeUrl(value, ["https:"]);
        if (!src) continue;
        element.setAttribute("src", src);
      } else if (name === "width" || name === "height" || name === "colspan" || name === "rowspan") {
        if (/^\d{1,4}$/.test(value)) element.setAttribute(name, value);
      } else {
        element.setAttribute(name, value);
      }
    }
    if (tag === "img") {
      if (!element.hasAttribute("src")) continue; // an image without a source is an empty box
      if (!element.hasAttribute("alt")) element.setAttribute("alt", "");
      element.setAttribute("loading", "lazy");
      element.setAttribute("referrerpolicy", "no-referrer");
    }
    rebuild(child, element);
    // Wide tables scroll inside the column instead of widening the page.
    target.append(tag === "table" ? h("div", { class: "table-scroll" }, element) : element);
  }
}

/** The article's sanitised HTML as DOM nodes built from the allowed tags only. */
export function articleBody(html) {
  const parsed = new DOMParser().parseFromString(`<!doctype html><body>${html || ""}`, "text/html");
  const body = h("div", { class: "article-body" });
  rebuild(parsed.body, body);
  return body;
}

function articleRow(article) {
  return h(
    "li",
    {},
    h(
      "a",
      { class: "row article-row", href: `/app/articles/${encodeURIComponent(article.slug)}` },
      h(
        "span",
        { class: "row-text" },
        h("span", { class: "row-title" }, article.title),
        h("span", { class: "article-summary" }, article.summary),
        h("span", { class: "row-detail" }, [article.category_name, formatDate(article.published_at)].filter(Boolean).join(" · ")),
      ),
    ),
  );
}

async function articleList(ctx) {
  const q = (ctx.query.get("q") || "").trim();
  const category = ctx.query.get("category") || "";
  const categories = await api.get("/content/categories", { signal: ctx.signal }).catch(() => []);

  const search = h("input", { type: "search", name: "q", value: q, maxlength: "200", autocomplete: "off", enterkeyhint: "search" });
  const topic = h(
    "select",
    { name: "category" },
    h("option", { value: "" }, "Tất cả chủ đề"),
    categories.map((item) => h("option", { value: item.slug, selected: item.slug === category }, item.name)),
  );
  const form = h(
    "form",
    { class: "card search-form", role: "search", "aria-label": "Tìm tin chính sách" },
    field("Tìm bài viết", search, "Gõ có dấu hoặc không dấu, ví dụ: de an 06"),
    field("Chủ đề", topic),
    h("button", { type: "submit", class: "button" }, "Tìm"),
  );
  // The search lives in the address, so Back returns to it and a result can be shared.
  const go = () => ctx.navigate(`/app/articles${api.query({ q: search.value.trim(), category: topic.value })}`);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go();
  });
  topic.addEventListener("change", go);

  const filtered = Boolean(q || category);
  const results = await pagedList(
    ctx,
    (page) => `/content/articles${api.query({ q, category, page, page_size: 15 })}`,
    articleRow,
    filtered ? "Không tìm thấy bài viết phù hợp. Hãy thử từ khóa ngắn hơn hoặc chọn tất cả chủ đề." : "Chưa có bài viết nào được đăng.",
    { emptyAction: filtered ? h("a", { class: "button secondary", href: "/app/articles" }, "Xem tất cả bài viết") : null },
  );
  return [
    form,
    card(h("h2", {}, filtered ? "Kết quả tìm kiếm" : "Tin mới nhất"), results),
  ];
}

async function articlePage(ctx) {
  const response = await api.request(`/content/articles/${encodeURIComponent(ctx.params.slug)}`, { signal: ctx.signal });
  const article = response.data;
  ctx.setTitle("Tin chính sách");
  return [
    staleNote(response),
    h(
      "article",
      { class: "card article" },
      h("h2", {}, article.title),
      h(
        "p",
        { class: "row-detail" },
        article.category_name ? chip(article.category_name, "info") : null,
        " Đăng ngày ",
        formatDate(article.published_at),
      ),
      article.cover_image_url ? h("img", { class: "article-cover", src: article.cover_image_url, alt: "", loading: "lazy", referrerpolicy: "no-referrer" }) : null,
      h("p", { class: "article-lead" }, article.summary),
      articleBody(article.body_html),
    ),
    article.category
      ? h("a", { class: "button secondary", href: `/app/articles${api.query({ category: article.category })}` }, `Tin khác về ${article.category_name || "chủ đề này"}`)
      : null,
  ];
}

export const routes = [
  { path: "/articles", title: "Tin chính sách", tab: "more", auth: false, render: articleList },
  { path: "/articles/:slug", title: "Tin chính sách", tab: "more", auth: false, back: true, render: articlePage },
];
