// The call centre (tổng đài): what the agent console did, inside the workspace. On duty or off
// duty; the queue of conversations the chatbot handed over, longest waiting first, with the time
// each has waited; one conversation's transcript, live; take it, answer, close it (the citizen is
// then asked how satisfied they were). And the team's figures, per agent, for agents and leaders.
//
// Nothing here polls for data: one server-sent events stream per open panel (GET /agent/events)
// says when the queue changed and brings the open conversation's new messages; presence is a
// report every 30 s while on duty, as the API expects (CHAT_AGENT_PRESENCE_SECONDS). The API says
// what this agent may do with a conversation (`allowed_actions`): only those buttons are shown.
// Requests go through the workspace's one session (web/shared/session.js), so a token expiring
// during a shift is refreshed once, by whichever request meets it first.

import * as api from "../../../shared/api.js";
import { backoff, pause, serverSentEvents } from "../../../shared/sse.js";
import { busy, card, chip, empty, errorBox, field, h } from "../../../shared/ui.js";
import { me } from "../staff.js";

const DESK_ROLES = ["agent", "admin"]; // api/chat/routes.py: AGENTS
const FIGURES_ROLES = ["agent", "leader", "admin"]; // api/chat/routes.py: FIGURES_READERS
const PRESENCE_MS = 30_000;
const MESSAGE_MAX = 1000; // api/chat/schemas.py MESSAGE_MAX
const TIME_ZONE = "Asia/Ho_Chi_Minh";
const timeFormat = new Intl.DateTimeFormat("vi-VN", { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit" });
const decimal = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });

const SENDER = { citizen: "Công dân", bot: "Trợ lý ảo", agent: "Tổng đài viên", system: "Hệ thống" };
const STATUS = { waiting: ["Đang chờ", "wait"], active: ["Đang hỗ trợ", "ok"], closed: ["Đã kết thúc", "info"] };
const DUTY_KEY = "cds:agent:on-duty"; // this tab's choice, kept across reloads (cds:* is wiped on sign-out)

function citizenName(handoff) {
  return handoff.citizen ? handoff.citizen.full_name : "Khách chưa đăng nhập";
}

/** 4:05 for a wait; hours when it is that long. */
function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** "3 phút 20 giây" for the figures. */
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return [hours ? `${hours} giờ` : null, minutes ? `${minutes} phút` : null, rest || (!hours && !minutes) ? `${rest} giây` : null].filter(Boolean).join(" ");
}

function statusText(handoff) {
  const [label] = STATUS[handoff.status] || [handoff.status];
  return handoff.agent_name && handoff.status === "active" ? `${label} – ${handoff.agent_name}` : label;
}

// ---- the desk: presence, queue, conversation ----------------------------------------------------

async function deskScreen(ctx) {
  const who = await me();
  const stop = new AbortController();
  ctx.signal.addEventListener("abort", () => stop.abort());
  ctx.onLeave(() => stop.abort());

  let selected = ctx.query.get("handoff") || null; // in the address, so a reload reopens it
  let detail = null;
  let queue = [];
  let queueFetchedAt = 0;
  let restartStream = () => {};

  // ---- on duty ----
  const savedDuty = sessionStorage.getItem(DUTY_KEY);
  // An agent opening the desk is on duty, as with the console; an admin looking in is not.
  const onDuty = h("input", { type: "checkbox", id: "agent-on-duty", checked: savedDuty ? savedDuty === "true" : who.role === "agent" });
  const dutyState = h("span", { class: "agent-duty-state", role: "status" });
  async function reportPresence() {
    try {
      const presence = await api.put("/agent/presence", { on_duty: onDuty.checked }, { remember: false, signal: stop.signal });
      dutyState.textContent = !onDuty.checked
        ? "Không nhận cuộc mới"
        : presence.agents_unavailable === "out_of_hours"
          ? "Ngoài giờ: công dân được hướng dẫn gọi 1900 0368"
          : "Đang nhận cuộc mới";
    } catch (error) {
      if (error.name !== "AbortError") dutyState.textContent = error.message;
    }
  }
  onDuty.addEventListener("change", () => {
    sessionStorage.setItem(DUTY_KEY, String(onDuty.checked));
    reportPresence();
  });
  const presenceTimer = setInterval(() => onDuty.checked && reportPresence(), PRESENCE_MS);
  ctx.onLeave(() => clearInterval(presenceTimer));

  // ---- the queue ----
  const queueList = h("ul", { class: "agent-queue" });
  const queueCount = h("span", {});
  const queueEmpty = h("p", { class: "muted" }, "Không có cuộc trò chuyện nào đang chờ.");
  const queueError = h("div", {});

  function drawQueue() {
    queueCount.textContent = queue.length ? ` (${queue.length})` : "";
    queueEmpty.hidden = queue.length > 0;
    queueList.replaceChildren(
      ...queue.map((handoff) => {
        const [, tone] = STATUS[handoff.status] || ["", "info"];
        const open = h(
          "button",
          { type: "button", class: "agent-entry", "aria-current": handoff.id === selected ? "true" : null, onclick: () => select(handoff.id) },
          h("span", { class: "agent-wait" }, h("span", { class: "visually-hidden" }, "Đã chờ "), h("span", { class: "agent-clock", dataset: { seconds: handoff.waiting_seconds } }, clock(handoff.waiting_seconds))),
          h("strong", { class: "agent-name" }, citizenName(handoff)),
          h("span", {}, chip(statusText(handoff), tone)),
          h("span", { class: "agent-reason" }, handoff.reason_name),
          handoff.last_message ? h("span", { class: "agent-last" }, handoff.last_message) : null,
        );
        return h("li", { class: `agent-${handoff.status}`, dataset: { id: handoff.id } }, open);
      }),
    );
  }

  // The waits tick on screen between reloads (counted from when the queue was read, not from the
  // browser's clock against the server's).
  const ticker = setInterval(() => {
    const elapsed = (Date.now() - queueFetchedAt) / 1000;
    for (const wait of queueList.querySelectorAll(".agent-clock")) {
      wait.textContent = clock(Number(wait.dataset.seconds) + elapsed);
    }
  }, 1000);
  ctx.onLeave(() => clearInterval(ticker));

  let queueLoading = null;
  async function loadQueue() {
    // One reload at a time; a change announced meanwhile reloads once more after it.
    if (queueLoading) {
      queueLoading.again = true;
      return;
    }
    queueLoading = { again: false };
    try {
      queue = await api.get("/agent/handoffs", { remember: false, signal: stop.signal });
      queueFetchedAt = Date.now();
      queueError.replaceChildren();
      drawQueue();
      // The open conversation changed hands or ended: its buttons follow.
      const entry = detail && queue.find((handoff) => handoff.id === detail.id);
      if (detail && (!entry ? detail.status !== "closed" : entry.status !== detail.status || String(entry.allowed_actions) !== String(detail.allowed_actions))) {
        await loadConversation();
      }
    } catch (error) {
      if (error.name !== "AbortError") queueError.replaceChildren(errorBox(error));
    } finally {
      const again = queueLoading.again;
      queueLoading = null;
      if (again && !stop.signal.aborted) loadQueue();
    }
  }

  // ---- the conversation ----
  const title = h("h2", { id: "agent-conversation-title" });
  const meta = h("p", { class: "muted" });
  const transcript = h("ol", { class: "agent-turns" });
  // The log role on a wrapper, as in the app's chat: a list keeps its list semantics inside it.
  const transcriptRegion = h("div", { class: "agent-transcript", role: "log", "aria-live": "polite", "aria-label": "Nội dung cuộc trò chuyện" }, transcript);
  const source = h("p", { class: "muted", hidden: true });
  const note = h("p", { class: "agent-note", hidden: true });
  const conversationError = h("div", { role: "alert" });
  const replyText = h("textarea", { name: "text", id: "agent-reply-text", rows: "3", maxlength: String(MESSAGE_MAX), required: true });
  const sendButton = h("button", { type: "submit", class: "button" }, "Gửi");
  const replyForm = h("form", { class: "agent-reply", novalidate: true, hidden: true }, field("Trả lời công dân", replyText), sendButton);
  const acceptButton = h("button", { type: "button", class: "button", hidden: true }, "Nhận hỗ trợ");
  const closeButton = h("button", { type: "button", class: "button secondary", hidden: true }, "Kết thúc, trả lại cho trợ lý ảo");
  const conversation = h(
    "section",
    { class: "card agent-conversation", "aria-labelledby": title.id, hidden: true },
    title,
    meta,
    transcriptRegion,
    source,
    note,
    replyForm,
    h("div", { class: "agent-actions" }, acceptButton, closeButton),
    conversationError,
  );
  const shownIds = new Set();

  function turn(sender, text, at) {
    return h("li", { class: `agent-turn agent-turn-${sender in SENDER ? sender : "system"}` }, h("span", { class: "agent-who" }, `${SENDER[sender] || sender} · ${at ? timeFormat.format(new Date(at)) : ""}`), h("span", { class: "agent-text" }, text));
  }

  function followBottom(force) {
    const region = transcriptRegion;
    const atBottom = region.scrollTop + region.clientHeight >= region.scrollHeight - 24;
    if (force || atBottom) requestAnimationFrame(() => (region.scrollTop = region.scrollHeight));
  }

  /** A message from the stream (or the answer to a reply), shown once whichever comes first. */
  function addMessage(message) {
    if (shownIds.has(message.id)) return;
    shownIds.add(message.id);
    transcript.append(turn(message.sender, message.text, message.created_at));
    followBottom(false);
  }

  function drawConversation() {
    conversation.hidden = false;
    title.textContent = citizenName(detail);
    const level = detail.citizen ? ` · định danh mức ${detail.citizen.identity_level}` : "";
    meta.textContent = `${detail.reason_name} · ${statusText(detail)}${level}`;
    shownIds.clear();
    transcript.replaceChildren(...detail.transcript.map((item) => turn(item.sender, item.text, item.at)));
    followBottom(true);
    source.textContent = detail.transcript_source === "rasa" ? "" : "Trợ lý ảo đang gián đoạn: hiển thị bản lưu của hệ thống.";
    source.hidden = !source.textContent;
    // Offer only what the API says this agent may do now: a chat another agent handles is read-only.
    const allowed = detail.allowed_actions || [];
    acceptButton.hidden = !allowed.includes("accept");
    replyForm.hidden = !allowed.includes("reply");
    closeButton.hidden = !allowed.includes("close");
    if (detail.status === "closed") note.textContent = "Cuộc trò chuyện đã kết thúc; trợ lý ảo tiếp tục hỗ trợ công dân.";
    else if (!allowed.includes("reply")) note.textContent = `Cuộc trò chuyện này đang do ${detail.agent_name || "một tổng đài viên khác"} hỗ trợ: bạn chỉ xem được.`;
    else note.textContent = "";
    note.hidden = !note.textContent;
  }

  async function loadConversation() {
    if (!selected) return;
    try {
      detail = await api.get(`/agent/handoffs/${encodeURIComponent(selected)}`, { remember: false, signal: stop.signal });
    } catch (error) {
      if (error.name === "AbortError") return;
      conversation.hidden = false;
      conversationError.replaceChildren(errorBox(error));
      return;
    }
    drawConversation();
    restartStream();
  }

  async function select(id) {
    selected = id;
    conversationError.replaceChildren();
    const url = new URL(location.href);
    url.searchParams.set("handoff", id);
    history.replaceState(history.state, "", url);
    drawQueue();
    await loadConversation();
  }

  /** Run one action on the open conversation; the API's refusal is shown in Vietnamese. */
  async function act(button, text, request) {
    conversationError.replaceChildren();
    await busy(button, text, async () => {
      try {
        await request();
      } catch (error) {
        conversationError.replaceChildren(errorBox(error));
      }
    });
    await loadConversation();
    loadQueue();
  }

  acceptButton.addEventListener("click", () => act(acceptButton, "Đang nhận…", () => api.post(`/agent/handoffs/${detail.id}/accept`, undefined, { remember: false })));
  closeButton.addEventListener("click", () => act(closeButton, "Đang kết thúc…", () => api.post(`/agent/handoffs/${detail.id}/close`, undefined, { remember: false })));
  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = replyText.value.normalize("NFC").trim();
    if (!text) {
      replyText.focus();
      return;
    }
    conversationError.replaceChildren();
    await busy(sendButton, "Đang gửi…", async () => {
      try {
        const message = await api.post(`/agent/handoffs/${detail.id}/messages`, { text }, { remember: false });
        replyText.value = "";
        addMessage(message);
        followBottom(true);
        // Answering a waiting chat takes it: the buttons and the queue follow.
        if (detail.status === "waiting") await loadConversation();
      } catch (error) {
        conversationError.replaceChildren(errorBox(error));
      }
    });
    replyText.focus();
  });
  replyText.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      replyForm.requestSubmit();
    }
  });

  // ---- the live stream: queue changes, and the open conversation's messages ----
  const connection = h("div", { class: "agent-connection", role: "status" });
  let streamControl = null;
  stop.signal.addEventListener("abort", () => streamControl?.abort());
  // One stream at a time: opening another conversation (or reloading this one) replaces it.
  restartStream = () => {
    streamControl?.abort();
    streamControl = new AbortController();
    const signal = streamControl.signal;
    follow(signal, detail ? { id: detail.id, after: detail.last_message_id } : null).catch((error) => {
      if (error.name !== "AbortError") console.warn("agent stream", error);
    });
  };

  async function follow(signal, open) {
    let failures = 0;
    let retry = 3000;
    let after = open?.after ?? 0;
    while (!signal.aborted) {
      try {
        const path = `/agent/events${api.query(open ? { handoff: open.id, after } : {})}`;
        const response = await api.stream(path, { headers: open ? { "Last-Event-ID": String(after) } : {}, signal });
        connection.replaceChildren();
        failures = 0;
        for await (const event of serverSentEvents(response.body)) {
          if (event.retry) retry = event.retry;
          else if (event.type === "queue") loadQueue();
          else if (event.type === "message" && open) {
            const message = JSON.parse(event.data);
            after = Math.max(after, message.id);
            addMessage(message);
          }
        }
        await pause(retry, signal);
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        if (error.code === "chat_stream_busy") {
          connection.replaceChildren(h("p", { class: "hint" }, error.message));
          await pause((error.retryAfter || 60) * 1000, signal);
        } else if (error instanceof api.ApiError && error.status >= 400 && error.status < 500 && error.status !== 401) {
          connection.replaceChildren(errorBox(error));
          return;
        } else {
          connection.replaceChildren(h("p", { class: "hint" }, "Mất kết nối trực tiếp. Đang thử kết nối lại…"));
          await pause(backoff(failures), signal);
        }
        loadQueue(); // whatever changed meanwhile
      }
    }
  }

  // ---- opening ----
  reportPresence();
  await loadQueue();
  if (selected) await loadConversation();
  else restartStream();

  return [
    h(
      "section",
      { class: "card agent-duty", "aria-label": "Trạng thái trực" },
      h("label", { for: onDuty.id, class: "agent-duty-toggle" }, onDuty, "Đang trực"),
      dutyState,
      h("a", { href: "/workspace/agent/figures" }, "Số liệu tổng đài"),
    ),
    connection,
    h(
      "div",
      { class: "agent-desk" },
      h("section", { class: "card agent-queue-card", "aria-labelledby": "agent-queue-title" }, h("h2", { id: "agent-queue-title" }, "Hàng chờ", queueCount), queueError, queueList, queueEmpty),
      conversation,
    ),
  ];
}

// ---- the team's figures --------------------------------------------------------------------------

function vietnamToday() {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(new Date());
}

function daysBefore(isoDate, days) {
  const day = new Date(`${isoDate}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - days);
  return day.toISOString().slice(0, 10);
}

async function figuresScreen(ctx) {
  // The API's defaults (api/periods.py resolve_period), shown in the form.
  const until = ctx.query.get("to") || vietnamToday();
  const since = ctx.query.get("from") || daysBefore(until, 29);
  const sinceInput = h("input", { type: "date", name: "from", value: since });
  const untilInput = h("input", { type: "date", name: "to", value: until });
  const form = h("form", { class: "toolbar", "aria-label": "Khoảng thời gian" }, field("Từ ngày", sinceInput), field("Đến ngày", untilInput), h("button", { type: "submit", class: "button secondary" }, "Xem"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.navigate(`/workspace/agent/figures${api.query({ from: sinceInput.value, to: untilInput.value })}`);
  });

  let rows;
  try {
    rows = await api.get(`/agent/figures${api.query({ from: since, to: until })}`, { signal: ctx.signal, remember: false });
  } catch (error) {
    if (error.status !== 422) throw error;
    return card(h("h2", {}, "Kết quả theo tổng đài viên"), form, errorBox(error));
  }
  const total = rows.reduce((sum, row) => sum + row.handled, 0);
  const responses = rows.reduce((sum, row) => sum + row.satisfaction_responses, 0);
  const [sy, sm, sd] = since.split("-");
  const [uy, um, ud] = until.split("-");
  return card(
    h("h2", {}, "Kết quả theo tổng đài viên"),
    form,
    h("p", { class: "muted", role: "status" }, `Từ ${sd}/${sm}/${sy} đến ${ud}/${um}/${uy}: ${total} cuộc trò chuyện đã kết thúc, ${responses} lượt đánh giá.`),
    rows.length
      ? h(
          "div",
          { class: "agent-figures" },
          h(
            "table",
            { class: "table" },
            h("caption", { class: "visually-hidden" }, "Số liệu theo tổng đài viên"),
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ["Tổng đài viên", "Số cuộc đã xử lý", "Thời gian chờ (trung vị)", "Thời gian hỗ trợ (trung vị)", "Mức hài lòng (trung bình)", "Số lượt đánh giá"].map((text) => h("th", { scope: "col" }, text)),
              ),
            ),
            h(
              "tbody",
              {},
              rows.map((row) =>
                h(
                  "tr",
                  {},
                  h("th", { scope: "row" }, row.display_name),
                  h("td", { class: "number" }, String(row.handled)),
                  h("td", { class: "number" }, duration(row.median_wait_seconds)),
                  h("td", { class: "number" }, duration(row.median_handling_seconds)),
                  h("td", { class: "number" }, row.satisfaction_average === null ? "—" : `${decimal.format(row.satisfaction_average)}/5`),
                  h("td", { class: "number" }, String(row.satisfaction_responses)),
                ),
              ),
            ),
          ),
        )
      : empty("Chưa có tổng đài viên nào."),
  );
}

export const routes = [
  { path: "/agent", title: "Tổng đài", nav: "Tổng đài", roles: DESK_ROLES, auth: true, render: deskScreen },
  { path: "/agent/figures", title: "Số liệu tổng đài", nav: "Số liệu tổng đài", roles: FIGURES_ROLES, auth: true, render: figuresScreen },
];
