// The comms team's panels, moved in from the old comms console (/comms/console now leads here):
// articles, the FAQ and push campaigns, one screen per address (comms-articles.js, comms-faq.js,
// comms-campaigns.js). /workspace/comms, where the old console's address leads, opens the articles.

import { h } from "../../../shared/ui.js";
import * as articles from "./comms-articles.js";
import * as campaigns from "./comms-campaigns.js";
import { COMMS_ROLES } from "./comms-common.js";
import * as faq from "./comms-faq.js";

function start(ctx) {
  setTimeout(() => ctx.navigate("/workspace/comms/articles", { replace: true }), 0);
  return h("p", { class: "loading" }, "Đang mở…");
}

export const routes = [
  { path: "/comms", title: "Truyền thông", roles: COMMS_ROLES, auth: true, render: start },
  ...articles.routes,
  ...faq.routes,
  ...campaigns.routes,
];
