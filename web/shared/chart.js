// Small charts drawn as inline SVG, with no library: a horizontal bar chart (counts by procedure,
// ward, category) and a column chart for a series of days. Each is a <figure> with its caption,
// an SVG that is one image with a name saying what it shows and its largest values, and the
// figures themselves in a table under "Xem bảng số liệu", so a screen reader, a keyboard or a
// person who wants the exact numbers reads the data, not the picture.
//
// The workspace's Content-Security-Policy allows no inline styles: positions and sizes are SVG
// attributes (percentages and a viewBox), colours and layout are classes (workspace.css,
// "leaders' dashboard"). Text is never stretched: the bar chart places its labels and bars in
// percentages of the width at a fixed row height; the column chart's SVG draws shapes only and
// its axis labels are HTML beside it.

import { h } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";
const numberFormat = new Intl.NumberFormat("vi-VN");
const oneDecimal = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
const SUMMARY_ITEMS = 10; // values named in an image's name; the table has them all
const BAR_SPACE = 85; // % of the width the longest bar takes; its value is written after it
const LABEL_LENGTH = 70; // characters of a label drawn in the picture; the table has it whole

/** 1.234 */
export function formatNumber(value) {
  return value === null || value === undefined ? "—" : numberFormat.format(value);
}

/** A ratio 0..1 as Vietnamese write it: 0.875 → "87,5 %" (the space is a no-break space). */
export function formatPercent(ratio) {
  return ratio === null || ratio === undefined ? "—" : `${oneDecimal.format(ratio * 100)}\u00a0%`;
}

/** An SVG element: s("rect", {x: 0, width: "50%"}, child…). */
function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

let counter = 0;
const uniqueId = (prefix) => `${prefix}-${++counter}`;

/** "Hồ sơ theo thủ tục. Đăng ký tạm trú: 2; Khai sinh: 1; và 8 mục khác." */
function summary(title, pairs) {
  const named = pairs.slice(0, SUMMARY_ITEMS).map(([label, value]) => `${label}: ${value}`);
  const rest = pairs.length > SUMMARY_ITEMS ? `; và ${pairs.length - SUMMARY_ITEMS} mục khác` : "";
  return pairs.length ? `${title}. ${named.join("; ")}${rest}.` : `${title}. Không có số liệu.`;
}

function shorten(text) {
  return text.length > LABEL_LENGTH ? `${text.slice(0, LABEL_LENGTH - 1)}…` : text;
}

/** The figures as a table, folded under a summary the reader opens. */
function dataTable(title, headers, rows) {
  return h(
    "details",
    { class: "chart-data" },
    h("summary", {}, "Xem bảng số liệu"),
    h(
      "table",
      { class: "table chart-table" },
      h("caption", { class: "visually-hidden" }, title),
      h("thead", {}, h("tr", {}, headers.map((header, i) => h("th", { scope: "col", class: i ? "number" : null }, header)))),
      h(
        "tbody",
        {},
        rows.map(([label, ...values]) => h("tr", {}, h("th", { scope: "row" }, label), values.map((value) => h("td", { class: "number" }, value)))),
      ),
    ),
  );
}

function figure(title, ...children) {
  const captionId = uniqueId("chart-caption");
  return h("figure", { class: "chart", "aria-labelledby": captionId }, h("figcaption", { id: captionId, class: "chart-caption" }, title), ...children);
}

/**
 * A horizontal bar chart: one row per item, the label above its bar, the value after it.
 *   title       what it shows ("Hồ sơ theo thủ tục")
 *   rows        [{label, value}] in the order to draw them
 *   labelName   the first column's header in the table ("Thủ tục")
 *   valueName   the value column's header ("Số hồ sơ")
 *   format      value → text (default: a Vietnamese number)
 *   empty       the sentence shown instead when there are no rows
 */
export function barChart({ title, rows, labelName, valueName, format = formatNumber, empty = "Không có số liệu." }) {
  if (!rows.length) return figure(title, h("p", { class: "chart-empty" }, empty));
  const largest = Math.max(0, ...rows.map((row) => row.value || 0));
  const rowHeight = 40;
  const label = (index) => index * rowHeight + 15;
  const bar = (index) => index * rowHeight + 21;
  const name = summary(
    title,
    rows.map((row) => [row.label, format(row.value)]),
  );
  const svg = s(
    "svg",
    { class: "chart-svg chart-bars", width: "100%", height: rows.length * rowHeight + 4, role: "img", "aria-label": name, focusable: "false" },
    s("title", {}, name),
    rows.map((row, index) => {
      const width = largest > 0 ? ((row.value || 0) / largest) * BAR_SPACE : 0;
      return s(
        "g",
        {},
        s("title", {}, `${row.label}: ${format(row.value)}`),
        s("text", { class: "chart-label", x: 0, y: label(index) }, shorten(row.label)),
        s("rect", { class: "chart-track", x: 0, y: bar(index), width: `${BAR_SPACE}%`, height: 12, rx: 3 }),
        width > 0 ? s("rect", { class: "chart-bar", x: 0, y: bar(index), width: `${Math.max(width, 0.5).toFixed(2)}%`, height: 12, rx: 3 }) : null,
        s("text", { class: "chart-value", x: `${width.toFixed(2)}%`, dx: width > 0 ? 6 : 0, y: bar(index) + 11 }, format(row.value)),
      );
    }),
  );
  return figure(
    title,
    svg,
    dataTable(
      title,
      [labelName, valueName],
      rows.map((row) => [row.label, format(row.value)]),
    ),
  );
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1): the top of a value axis. */
function niceTop(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * A column chart of values over a sequence (days), one column per series side by side.
 *   title       what it shows ("Hồ sơ theo ngày")
 *   labels      the sequence's labels, drawn under the chart (first, middle, last) and in the table
 *   series      [{name, values}] — up to three, each with its colour and a key above the chart
 *   labelName   the first column's header in the table ("Ngày")
 *   format      value → text (default: a Vietnamese number)
 */
export function columnChart({ title, labels, series, labelName, format = formatNumber, empty = "Không có số liệu." }) {
  if (!labels.length) return figure(title, h("p", { class: "chart-empty" }, empty));
  const top = niceTop(Math.max(0, ...series.flatMap((one) => one.values.map((value) => value || 0))));
  const slot = 10; // viewBox units per label; the columns share 8 of them, 2 are the gap
  const height = 100;
  const width = labels.length * slot;
  const columnWidth = 8 / series.length;
  const y = (value) => height - ((value || 0) / top) * height;
  const totals = series.map((one) => [one.name, format(one.values.reduce((sum, value) => sum + (value || 0), 0))]);
  const peaks = series.map((one) => {
    const peak = Math.max(0, ...one.values.map((value) => value || 0));
    const at = one.values.findIndex((value) => (value || 0) === peak);
    return peak > 0 ? `${one.name} cao nhất ${format(peak)} (${labels[at]})` : `${one.name}: không có`;
  });
  const name = `${title}, ${labels[0]}–${labels[labels.length - 1]}. Tổng: ${totals.map(([series, total]) => `${series} ${total}`).join(", ")}. ${peaks.join("; ")}.`;
  const svg = s(
    "svg",
    {
      class: "chart-svg chart-columns",
      viewBox: `0 0 ${width} ${height}`,
      preserveAspectRatio: "none",
      width: "100%",
      height: "100%",
      role: "img",
      "aria-label": name,
      focusable: "false",
    },
    s("title", {}, name),
    [0, 0.5, 1].map((share) => s("line", { class: "chart-grid", x1: 0, x2: width, y1: height - share * height, y2: height - share * height, "vector-effect": "non-scaling-stroke" })),
    labels.map((label, index) =>
      s(
        "g",
        {},
        // A hover target over the whole day, so a mouse shows that day's figures.
        s("title", {}, `${label}: ${series.map((one) => `${one.name} ${format(one.values[index])}`).join(", ")}`),
        s("rect", { class: "chart-hover", x: index * slot, y: 0, width: slot, height }),
        series.map((one, which) => {
          const value = one.values[index] || 0;
          return value > 0 ? s("rect", { class: `chart-column chart-series-${which}`, x: index * slot + 1 + which * columnWidth, y: y(value), width: columnWidth, height: height - y(value) }) : null;
        }),
      ),
    ),
  );
  const middle = Math.floor((labels.length - 1) / 2);
  const ticks = labels.length > 2 ? [labels[0], labels[middle], labels[labels.length - 1]] : labels;
  const half = top / 2;
  return figure(
    title,
    h(
      "ul",
      { class: "chart-legend" },
      series.map((one, which) => h("li", {}, h("span", { class: `chart-key chart-series-${which}`, "aria-hidden": "true" }), one.name)),
    ),
    h(
      "div",
      { class: "chart-plot" },
      h("div", { class: "chart-y-axis", "aria-hidden": "true" }, h("span", {}, format(top)), h("span", {}, Number.isInteger(half) ? format(half) : ""), h("span", {}, format(0))),
      h("div", { class: "chart-area" }, svg),
      h("div", { class: "chart-x-axis", "aria-hidden": "true" }, ticks.map((tick) => h("span", {}, tick))),
    ),
    dataTable(
      title,
      [labelName, ...series.map((one) => one.name)],
      labels.map((label, index) => [label, ...series.map((one) => format(one.values[index]))]),
    ),
  );
}
