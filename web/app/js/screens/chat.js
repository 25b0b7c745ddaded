// The chat with the province's virtual assistant (issue 16 §8): /app/chat, and /app/chat/<id> for
// the notification "Tổng đài viên đã trả lời" (congdanso://chat/<id>).
//
// Messages go out with POST /chat; everything said in the conversation comes back on its events
// stream (GET /chat/conversations/<id>/events, server-sent events read with fetch because
// EventSource cannot send the token). The stream carries every message, the citizen's own too,
// so the log is kept by message id and a message seen twice (in a POST's answer and on the
// stream) is shown once. There is no polling: the history is read once when the screen opens, a
// stream that ends or drops is reopened with Last-Event-ID (the API then sends what was missed),
// and only when the API says its streams are full does the citizen get a button to fetch news.
//
// An anonymous conversation is opened with the key the API gave with its first answer; the key
// and the conversation id stay in this tab's sessionStorage (never in a URL or localStorage), so
// a shared phone's next user does not inherit them. A message that could not be sent stays on the
// screen (and in sessionStorage) with a "Gửi lại" button.
//
// When an agent closes their part, the API asks "Bạn có hài lòng…" (a system message of kind
// rating_request, with five buttons): the answer goes to POST …/rating, never to the bot, and the
// thank-you (kind rating_thanks) comes back on the stream like every message, so a reopened
// conversation shows the question as answered.

import * as api from "../../../shared/api.js";
import * as auth from "../auth.js";
import { h, chip, errorBox, showFieldErrors, clearFieldErrors } from "../../../shared/ui.js";
import { signInScreen } from "./home.js";
import { backoff, pause, serverSentEvents } from "../../../shared/sse.js";

const MESSAGE_MAX = 1000; // api/chat/schemas.py MESSAGE_MAX
const PAGE = 100; // the messages route's page (api/chat/service.py messages_after)
const TIME_ZONE = "Asia/Ho_Chi_Minh";
const timeFormat = new Intl.DateTimeFormat("vi-VN", { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit" });

const SENDERS = { citizen: "Bạn", bot: "Trợ lý ảo", agent: "Tổng đài viên", system: "Thông báo" };
// The API's statuses (bot | waiting | with_agent), and "closed": an agent handed back to the bot.
const STATUSES = {
  bot: ["Trợ lý ảo", "info", "Trả lời tự động, mọi lúc."],
  waiting: ["Đang chờ tổng đài viên", "wait", "Tổng đài viên sẽ trả lời ngay tại đây, bạn không cần tải lại trang."],
  with_agent: ["Tổng đài viên đã tham gia", "ok", "Bạn đang trò chuyện với tổng đài viên."],
  closed: ["Đã kết thúc hỗ trợ", "info", "Tổng đài viên đã kết thúc hỗ trợ. Trợ lý ảo tiếp tục trả lời bạn."],
};
const SUGGESTIONS = [
  ["Tra cứu hồ sơ", "tôi muốn tra cứu hồ sơ"],
  ["Tra cứu phạt nguội", "tra phạt nguội"],
  ["Hỏi thủ tục hành chính", "tôi muốn hỏi thủ tục hành chính"],
  ["Gặp tổng đài viên", "cho tôi gặp tổng đài viên"],
];
const FALLBACK_EMERGENCY = [
  { label: "Công an", number: "113" },
  { label: "Cứu hỏa", number: "114" },
  { label: "Cấp cứu", number: "115" },
];

// ---- what this tab remembers -------------------------------------------------------------------

function storageKey() {
  return `cds:chat:${auth.owner()}`; // cds:* is wiped from sessionStorage on sign-out
}

function loadSaved() {
  try {
    return JSON.parse(sessionStorage.getItem(storageKey())) || {};
  } catch {
    return {};
  }
}

function save(saved) {
  sessionStorage.setItem(storageKey(), JSON.stringify(saved));
}

// ---- the screen --------------------------------------------------------------------------------

function callLinks() {
  const config = window.cdsConfig || {};
  const hotline = config.hotline || "1900 0368";
  const emergency = config.emergency_numbers?.length ? config.emergency_numbers : FALLBACK_EMERGENCY;
  const link = (number, text) => h("li", {}, h("a", { class: "button secondary chat-call", href: `tel:${number.replace(/\s/g, "")}` }, text));
  return h(
    "ul",
    { class: "chat-calls" },
    link(hotline, `Gọi tổng đài ${hotline}`),
    emergency.map((entry) => link(entry.number, `${entry.number} · ${entry.label}`)),
  );
}

function signInNeeded(ctx) {
  return [
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Không mở được cuộc trò chuyện này"),
      h("p", {}, "Cuộc trò chuyện này chỉ xem được khi bạn đăng nhập, hoặc trên chính trình duyệt đã bắt đầu nó."),
      h("a", { class: "button secondary", href: "/app/chat" }, "Bắt đầu cuộc trò chuyện mới"),
    ),
    signInScreen(ctx),
  ];
}

async function chatScreen(ctx) {
  const saved = loadSaved();
  let conversationId = ctx.params.id || saved.conversation_id || null;
  let key = saved.conversation_id === conversationId ? saved.key || null : null;
  if (ctx.params.id && !auth.isSignedIn() && !key) return signInNeeded(ctx);
  let unsent = saved.conversation_id === conversationId ? saved.unsent || [] : [];

  // Leaving the screen (or the router drawing another) ends the stream and any wait.
  const stop = new AbortController();
  ctx.signal.addEventListener("abort", () => stop.abort());
  ctx.onLeave(() => stop.abort());

  let abandoned = false; // "Trò chuyện mới": a late answer must not bring the old conversation back
  const remember = () => abandoned || save({ conversation_id: conversationId, key, unsent });
  if (ctx.params.id) remember(); // a deep link becomes this tab's current conversation

  const keyHeaders = () => (key ? { "X-Conversation-Key": key } : {});
  const conversationPath = () => `/chat/conversations/${encodeURIComponent(conversationId)}`;

  // ---- the log: one node per message, in id order; messages still on their way go last ----
  const log = h("ol", { class: "chat-log" });
  const logRegion = h("div", { class: "chat-log-region", role: "log", "aria-live": "polite", "aria-label": "Nội dung cuộc trò chuyện" }, log);
  const shown = new Map(); // message id → node
  let ratingBoxes = []; // the satisfaction questions on screen still waiting for an answer
  const buttonTitles = new Map(); // a button's payload → its title, to show what the citizen tapped
  const pending = []; // the citizen's messages not yet seen with an id
  let lastStreamId = 0; // the last message of an unbroken sequence read from the API (history, stream)

  const intro = h(
    "section",
    { class: "card chat-intro" },
    h("p", {}, "Xin chào! Tôi là trợ lý ảo Công dân số. Bạn có thể hỏi về thủ tục hành chính, tình trạng hồ sơ, phạt nguội, phản ánh hiện trường và sản phẩm địa phương."),
    auth.isSignedIn()
      ? null
      : h("p", { class: "hint" }, "Bạn chưa đăng nhập: trợ lý ảo trả lời các thông tin công khai. ", h("a", { href: "/app/sign-in?next=/app/chat" }, "Đăng nhập"), " để tra cứu dữ liệu của chính bạn."),
    h("p", { class: "chat-suggest-label", id: "chat-suggest-label" }, "Gợi ý câu hỏi:"),
    h(
      "div",
      { class: "quick-replies", role: "group", "aria-labelledby": "chat-suggest-label" },
      SUGGESTIONS.map(([title, text]) => h("button", { type: "button", onclick: () => send(text) }, title)),
    ),
  );

  const newConversation = h("button", { type: "button", class: "button secondary chat-new", onclick: (event) => startOver(event) }, "Trò chuyện mới");
  const quickReplies = h("div", { class: "quick-replies chat-quick-replies", role: "group", "aria-label": "Trả lời nhanh", hidden: true });

  function orderOf(node) {
    return Number(node.dataset.order ?? Infinity);
  }

  function place(node) {
    const order = orderOf(node);
    const after = [...log.children].find((other) => other !== node && orderOf(other) > order);
    log.insertBefore(node, after || null);
  }

  function bubble(sender, text, at) {
    const kind = sender in SENDERS ? sender : "system";
    return h(
      "li",
      { class: `bubble bubble-${kind}` },
      h("span", { class: "bubble-meta" }, SENDERS[kind], at ? ` · ${timeFormat.format(new Date(at))}` : ""),
      h("span", { class: "bubble-text" }, text),
    );
  }

  function refreshAround() {
    intro.hidden = log.children.length > 0;
    // The buttons of the bot's last word, while it is the last word.
    const last = log.lastElementChild;
    const buttons = last?.buttons || [];
    quickReplies.replaceChildren(...buttons.map((button) => h("button", { type: "button", onclick: () => send(button.payload, button.title) }, button.title)));
    quickReplies.hidden = !buttons.length;
    newConversation.hidden = !conversationId && !pending.length;
  }

  function followBottom(force) {
    const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 240;
    if (force || nearBottom) requestAnimationFrame(() => window.scrollTo(0, document.body.scrollHeight));
  }

  function addMessage(message) {
    if (shown.has(message.id)) return;
    let node = null;
    if (message.sender === "citizen") {
      // The citizen's own words coming back with their id: the bubble already on screen.
      const index = pending.findIndex((item) => item.text === message.text && item.state !== "failed");
      if (index !== -1) {
        const [item] = pending.splice(index, 1);
        node = item.node;
        item.setState("stored");
        node.querySelector(".bubble-meta").textContent = `${SENDERS.citizen} · ${timeFormat.format(new Date(message.created_at))}`;
      }
    }
    if (!node) {
      const text = message.sender === "citizen" ? buttonTitles.get(message.text) || message.text : message.text;
      node = bubble(message.sender, text, message.created_at);
    }
    for (const button of message.buttons || []) buttonTitles.set(button.payload, button.title);
    if (message.sender === "bot" && message.buttons?.length) node.buttons = message.buttons;
    if (message.kind === "rating_request") {
      // A later question supersedes an unanswered earlier one (the API rates the latest closed handoff).
      ratingBoxes.forEach((box) => box.remove());
      ratingBoxes = [ratingBox(message)];
      node.append(ratingBoxes[0]);
    } else if (message.kind === "rating_thanks") {
      ratingBoxes.forEach((box) => box.remove());
      ratingBoxes = [];
    }
    node.dataset.id = message.id;
    node.dataset.order = message.id;
    shown.set(message.id, node);
    place(node);
    refreshAround();
    followBottom(false);
  }

  // ---- the satisfaction question: five buttons and an optional comment, answered once ----
  function ratingBox(message) {
    const comment = h("input", { type: "text", name: "comment", maxlength: "500", autocomplete: "off", id: `rating-comment-${message.id}` });
    const alert = h("div", { class: "chat-rating-alert", role: "alert" });
    const buttons = (message.buttons || []).map((button) =>
      h("button", { type: "button", onclick: (event) => answer(event.currentTarget, Number(button.payload)) }, `${button.payload} · ${button.title}`),
    );
    const box = h(
      "div",
      { class: "chat-rating", role: "group", "aria-label": message.text },
      h("div", { class: "field" }, h("label", { for: comment.id }, "Góp ý thêm (không bắt buộc)"), comment),
      h("div", { class: "quick-replies" }, buttons),
      alert,
    );
    async function answer(pressed, rating) {
      buttons.forEach((button) => (button.disabled = true));
      pressed.setAttribute("aria-busy", "true");
      try {
        const body = { rating };
        if (comment.value.trim()) body.comment = comment.value.trim();
        await api.post(`${conversationPath()}/rating`, body, { headers: keyHeaders() });
        // The thank-you arrives on the stream too; say it here at once.
        box.replaceChildren(h("p", { class: "chat-rating-done" }, "Cảm ơn bạn đã đánh giá!"));
      } catch (error) {
        if (error.code === "already_rated" || error.code === "nothing_to_rate") {
          box.replaceChildren(h("p", { class: "chat-rating-done" }, error.message));
        } else {
          alert.replaceChildren(errorBox(error));
          buttons.forEach((button) => (button.disabled = false));
        }
      } finally {
        pressed.removeAttribute("aria-busy");
      }
    }
    return box;
  }

  // ---- status line and connection note ----
  let status = null;
  const statusChip = h("span", {});
  const statusText = h("span", { class: "chat-status-text" });
  const statusLine = h("p", { class: "chat-status", role: "status" }, statusChip, " ", statusText);
  const connection = h("div", { class: "chat-connection", role: "status" });

  function setStatus(next) {
    if (!next || next === status) return;
    const shownAs = status === "with_agent" && next === "bot" ? "closed" : next;
    status = next;
    const [label, tone, explanation] = STATUSES[shownAs] || STATUSES.bot;
    statusChip.replaceChildren(chip(label, tone));
    statusText.textContent = explanation;
    // An agent has the conversation now: the numbers offered while nobody could answer step aside.
    if (next === "with_agent") help.hidden = true;
  }

  function setConnection(state, error) {
    if (state === "live") connection.replaceChildren();
    else if (state === "reconnecting") {
      connection.replaceChildren(h("p", { class: "hint" }, "Mất kết nối trực tiếp. Đang thử kết nối lại… Tin nhắn mới sẽ hiện khi có kết nối."));
    } else if (state === "busy") {
      const fetchButton = h("button", { type: "button", class: "button secondary" }, "Tải tin mới");
      fetchButton.addEventListener("click", () => fetchNews(fetchButton));
      connection.replaceChildren(h("p", { class: "hint" }, error.message), fetchButton);
    } else if (state === "refused") {
      connection.replaceChildren(errorBox(error), h("a", { class: "button secondary", href: "/app/chat", onclick: startOver }, "Bắt đầu cuộc trò chuyện mới"));
    }
  }

  // ---- help when the bot cannot answer ----
  const help = h("section", { class: "card chat-help", hidden: true, "aria-labelledby": "chat-help-title" });
  function showHelp(reason) {
    help.replaceChildren(h("h3", { id: "chat-help-title" }, "Cần hỗ trợ ngay?"), h("p", {}, reason), callLinks());
    help.hidden = false;
    followBottom(true);
  }

  // ---- reading the conversation ----
  async function readMessages(signal) {
    for (;;) {
      const data = await api.get(`${conversationPath()}/messages?after=${lastStreamId}`, { headers: keyHeaders(), remember: false, signal });
      data.messages.forEach(addMessage);
      if (data.messages.length) lastStreamId = data.messages[data.messages.length - 1].id;
      setStatus(data.status);
      if (data.messages.length < PAGE) return;
    }
  }

  async function fetchNews(button) {
    button.disabled = true;
    try {
      await readMessages(stop.signal);
    } catch (error) {
      if (error.name !== "AbortError") connection.append(errorBox(error));
    } finally {
      button.disabled = false;
    }
  }

  let following = false;
  function startFollowing() {
    if (following || !conversationId || stop.signal.aborted) return;
    following = true;
    follow()
      .catch((error) => {
        if (error.name !== "AbortError") console.warn("chat stream", error);
      })
      .finally(() => (following = false));
  }

  async function follow() {
    let failures = 0;
    let retry = 3000;
    while (!stop.signal.aborted) {
      try {
        const response = await api.stream(`${conversationPath()}/events`, {
          headers: { ...keyHeaders(), "Last-Event-ID": String(lastStreamId) },
          signal: stop.signal,
        });
        setConnection("live");
        failures = 0;
        for await (const event of serverSentEvents(response.body)) {
          if (event.retry) retry = event.retry;
          else if (event.type === "message") {
            const message = JSON.parse(event.data);
            addMessage(message);
            lastStreamId = Math.max(lastStreamId, message.id);
          } else if (event.type === "status") setStatus(JSON.parse(event.data).status);
        }
        // The API ends each stream after a few minutes: open the next one where this one stopped.
        await pause(retry, stop.signal);
      } catch (error) {
        if (stop.signal.aborted) return;
        if (error.code === "chat_stream_busy") {
          setConnection("busy", error);
          await pause((error.retryAfter || 60) * 1000, stop.signal);
        } else if (error instanceof api.ApiError && error.status >= 400 && error.status < 500) {
          setConnection("refused", error); // not this caller's (any more): retrying cannot help
          return;
        } else {
          failures += 1;
          setConnection("reconnecting");
          await pause(backoff(failures), stop.signal);
        }
      }
    }
  }

  // ---- sending ----
  const input = h("textarea", { name: "message", rows: "2", maxlength: String(MESSAGE_MAX), autocomplete: "off", enterkeyhint: "send" });
  const sendButton = h("button", { type: "submit", class: "button chat-send" }, "Gửi");
  const form = h(
    "form",
    { class: "chat-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "chat-input" }, "Tin nhắn của bạn"), h("div", { class: "chat-compose" }, input, sendButton)),
  );
  input.id = "chat-input";
  let queue = Promise.resolve(); // one message at a time: the first one opens the conversation

  function addPending(text, title) {
    const node = bubble("citizen", title || text, null);
    const state = h("span", { class: "bubble-state" });
    node.append(state);
    const item = {
      text,
      node,
      state: "sending",
      setState(next) {
        item.state = next;
        if (next === "sending") state.replaceChildren("Đang gửi…");
        else if (next === "failed") state.replaceChildren("Chưa gửi được. ", h("button", { type: "button", class: "bubble-retry", onclick: retry }, "Gửi lại"));
        else state.replaceChildren();
      },
    };
    function retry() {
      unsent = unsent.filter((kept) => kept !== text);
      remember();
      item.setState("sending");
      queue = queue.then(() => deliver(item));
    }
    item.setState("sending");
    pending.push(item);
    place(node);
    refreshAround();
    followBottom(true);
    return item;
  }

  function send(text, title) {
    text = text.normalize("NFC").trim();
    if (!text) {
      input.focus();
      return;
    }
    clearFieldErrors(form);
    const item = addPending(text, title);
    queue = queue.then(() => deliver(item));
  }

  async function deliver(item) {
    try {
      const data = await api.post(
        "/chat",
        { message: item.text, ...(conversationId ? { conversation_id: conversationId } : {}) },
        { headers: keyHeaders() },
      );
      if (!conversationId || data.conversation_key) {
        conversationId = data.conversation_id;
        key = data.conversation_key || key;
      }
      remember();
      // The replies came after this message: it goes before them until its id comes.
      if (data.replies.length && item.state === "sending") {
        item.node.dataset.order = String(Math.min(...data.replies.map((reply) => reply.id)) - 0.5);
        place(item.node);
      }
      if (item.state === "sending") item.setState("sent");
      data.replies.forEach(addMessage);
      setStatus(data.status);
      if (data.bot_available && data.status === "bot") help.hidden = true;
      if (!data.bot_available) {
        showHelp("Trợ lý ảo đang tạm gián đoạn. Tin nhắn của bạn đã được lưu lại và sẽ được chuyển tới tổng đài viên. Nếu cần hỗ trợ ngay, hãy gọi:");
      }
      startFollowing();
    } catch (error) {
      if (error.offline || error.status >= 500) {
        // Kept on this screen and in this tab until it goes through.
        item.setState("failed");
        if (!unsent.includes(item.text)) unsent.push(item.text);
        remember();
        showHelp(
          error.offline
            ? "Chưa gửi được tin nhắn vì không có kết nối mạng. Tin nhắn vẫn được giữ lại: bấm “Gửi lại” khi có mạng. Nếu cần hỗ trợ ngay, hãy gọi:"
            : "Trợ lý ảo đang tạm gián đoạn nên chưa nhận được tin nhắn. Tin nhắn vẫn được giữ lại: bấm “Gửi lại” sau ít phút. Nếu cần hỗ trợ ngay, hãy gọi:",
        );
        return;
      }
      // Refused (too long, too many, not found): the text goes back to the box with the reason.
      pending.splice(pending.indexOf(item), 1);
      item.node.remove();
      refreshAround();
      if (!input.value) input.value = item.text;
      if (error.code === "conversation_not_found") {
        setConnection("refused", error);
      } else showFieldErrors(form, error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    // Enter sends on a keyboard; Shift+Enter starts a new line (a phone's keyboard has its own send).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  function startOver(event) {
    event?.preventDefault();
    abandoned = true;
    stop.abort();
    sessionStorage.removeItem(storageKey());
    ctx.navigate("/app/chat", { replace: true });
  }

  // ---- opening ----
  if (conversationId) {
    try {
      await readMessages(ctx.signal);
    } catch (error) {
      if (error.name === "AbortError") throw error;
      if (error.code !== "conversation_not_found") throw error; // the router shows it, with "Thử lại"
      if (ctx.params.id) {
        return [errorBox(error), h("a", { class: "button secondary", href: "/app/chat" }, "Bắt đầu cuộc trò chuyện mới")];
      }
      // The conversation this tab remembered is gone (or its sign-in changed): start afresh.
      conversationId = null;
      key = null;
      unsent = [];
      sessionStorage.removeItem(storageKey());
    }
  }
  for (const text of unsent) addPending(text).setState("failed");
  if (!status) setStatus("bot");
  if (conversationId) startFollowing();
  refreshAround();
  setTimeout(() => followBottom(true), 0); // after the router's scroll to the top

  return h(
    "div",
    { class: "chat-screen" },
    h("h2", { class: "chat-heading" }, "Trò chuyện với trợ lý ảo"),
    h("div", { class: "chat-toolbar" }, statusLine, newConversation),
    connection,
    intro,
    logRegion,
    quickReplies,
    help,
    form,
  );
}

export const routes = [
  { path: "/chat", title: "Trợ lý ảo", tab: "chat", auth: false, render: chatScreen },
  { path: "/chat/:id", title: "Trợ lý ảo", tab: "chat", auth: false, back: true, render: chatScreen },
];
