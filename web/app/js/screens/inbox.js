// The in-app inbox: messages newest first, unread ones marked; tapping one marks it read and
// opens the screen it is about (its deep link, inside the app). The top bar's badge is refreshed
// by main.js after every navigation, so each change here ends with one.

import * as api from "../../../shared/api.js";
import { appLink } from "../../../shared/router.js";
import { h, busy, card, errorBox, formatDateTime, toast } from "../../../shared/ui.js";
import { pagedList } from "../widgets.js";

const CATEGORY_LABELS = {
  dossier: "Hồ sơ",
  report: "Phản ánh",
  fine: "Phạt nguội",
  payment: "Thanh toán",
  benefit: "An sinh xã hội",
  chat: "Trợ lý ảo",
  account: "Tài khoản",
  campaign: "Thông báo chung",
};

/** Where a message leads: an app path (opened in the app), an https page, or nowhere. */
function destination(message) {
  const inApp = appLink(message.deep_link);
  if (inApp) return { href: inApp, external: false };
  if (message.deep_link?.startsWith("https://")) return { href: message.deep_link, external: true };
  return null;
}

function messageRow(ctx, message) {
  const target = destination(message);
  const unread = !message.is_read;
  const content = [
    h(
      "span",
      { class: "row-text" },
      h("span", { class: "row-title" }, message.title),
      h("span", { class: "inbox-body" }, message.body),
      h("span", { class: "row-detail" }, `${CATEGORY_LABELS[message.category] || "Thông báo"} · ${formatDateTime(message.created_at)}`),
    ),
    unread ? h("span", { class: "chip chip-bad" }, "Chưa đọc") : null,
  ];
  const classes = `row inbox-message${unread ? " unread" : ""}`;
  const markRead = () => (unread ? api.post(`/me/inbox/${message.id}/read`, undefined, { remember: false }) : Promise.resolve());

  let node;
  if (target && !target.external) {
    node = h("a", { class: classes, href: target.href }, content);
    node.addEventListener("click", async (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      // Ours, not the router's: the message is marked read before the screen it names opens.
      event.preventDefault();
      node.setAttribute("aria-busy", "true");
      await markRead().catch(() => null); // not being marked read must not keep the citizen out
      ctx.navigate(target.href);
    });
  } else if (target) {
    node = h("a", { class: classes, href: target.href, target: "_blank", rel: "noopener noreferrer" }, content);
    node.addEventListener("click", () => markRead().then(() => ctx.navigate(location.href, { replace: true })).catch(() => null));
  } else {
    // Nothing to open: tapping only marks it read (a button, not a link that goes nowhere).
    node = h("button", { type: "button", class: classes }, content);
    node.addEventListener("click", async () => {
      if (!unread) return;
      try {
        await markRead();
        ctx.navigate(location.href, { replace: true });
      } catch (error) {
        node.after(errorBox(error));
      }
    });
  }
  return h("li", {}, node);
}

async function inbox(ctx) {
  const [{ unread }, messages] = await Promise.all([
    api.get("/me/inbox/unread-count", { signal: ctx.signal }),
    pagedList(
      ctx,
      (page) => `/me/inbox${api.query({ page, page_size: 20 })}`,
      (message) => messageRow(ctx, message),
      "Hộp thư trống. Thông báo về hồ sơ, phản ánh, phạt nguội và trợ cấp của bạn sẽ hiện ở đây.",
    ),
  ]);
  const readAll = h("button", { type: "button", class: "button secondary" }, "Đánh dấu tất cả đã đọc");
  readAll.addEventListener("click", () =>
    busy(readAll, "Đang đánh dấu…", async () => {
      try {
        const result = await api.post("/me/inbox/read-all", undefined, { remember: false });
        toast(result.marked ? `Đã đánh dấu ${result.marked} thông báo là đã đọc.` : "Không còn thông báo chưa đọc.");
        await ctx.navigate(location.href, { replace: true });
      } catch (error) {
        readAll.after(errorBox(error));
      }
    }),
  );
  return card(
    h("h2", {}, "Thông báo của bạn"),
    h("p", { class: "muted" }, unread ? `Bạn có ${unread} thông báo chưa đọc.` : "Bạn đã đọc hết thông báo."),
    unread ? readAll : null,
    messages,
  );
}

export const routes = [{ path: "/inbox", title: "Hộp thư", tab: "more", auth: true, back: true, render: inbox }];
