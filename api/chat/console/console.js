// Agent console: sign in, stay on duty, take conversations from the queue, reply, close.
// Everything shown comes from the API's JSON endpoints; text is inserted as text, never as HTML.
"use strict";

const POLL_MS = 3000;
const PRESENCE_MS = 30000;
const state = { tokens: null, selected: null, timers: [] };

const $ = (id) => document.getElementById(id);

async function api(path, options = {}, retried = false) {
  const headers = { "Content-Type": "application/json", ...(options.headers || {}) };
  if (state.tokens) headers.Authorization = `Bearer ${state.tokens.access_token}`;
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401 && state.tokens && !retried && (await refresh())) {
    return api(path, options, true);
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const problem = new Error((body && (body.detail || body.title)) || `Lỗi ${response.status}`);
    problem.status = response.status;
    throw problem;
  }
  return body;
}

async function refresh() {
  const response = await fetch("/auth/refresh", {
    method: "POST",
    headers: { Authorization: `Bearer ${state.tokens.refresh_token}` },
  });
  if (!response.ok) {
    signOut();
    return false;
  }
  state.tokens = await response.json();
  sessionStorage.setItem("agent-tokens", JSON.stringify(state.tokens));
  return true;
}

function minutes(seconds) {
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return `${m}:${s}`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const SENDER = { citizen: "Công dân", bot: "Trợ lý ảo", agent: "Tổng đài viên", system: "Hệ thống" };
const STATUS = { waiting: "Đang chờ", active: "Đang hỗ trợ", closed: "Đã kết thúc" };

function citizenName(handoff) {
  return handoff.citizen ? handoff.citizen.full_name : "Khách chưa đăng nhập";
}

async function loadQueue() {
  let queue;
  try {
    queue = await api("/agent/handoffs");
  } catch (error) {
    $("conversation-error").textContent = error.message;
    return;
  }
  const list = $("queue");
  list.replaceChildren();
  for (const handoff of queue) {
    const item = element("li", handoff.status);
    item.dataset.id = handoff.id;
    if (handoff.id === state.selected) item.classList.add("selected");
    // A button, so that the queue can be worked from the keyboard too.
    const open = element("button");
    open.type = "button";
    if (handoff.id === state.selected) open.setAttribute("aria-current", "true");
    open.append(
      element("span", "wait", minutes(handoff.waiting_seconds)),
      element("strong", "name", citizenName(handoff)),
      element("span", "status", `${STATUS[handoff.status]}${handoff.agent_name ? " – " + handoff.agent_name : ""}`),
      element("span", "reason muted", handoff.reason_name),
      element("span", "last", handoff.last_message || ""),
    );
    open.addEventListener("click", () => select(handoff.id));
    item.append(open);
    list.append(item);
  }
  $("queue-count").textContent = queue.length ? `(${queue.length})` : "";
  $("queue-empty").hidden = queue.length > 0;
}

async function select(id) {
  state.selected = id;
  $("conversation-error").textContent = "";
  $("conversation").hidden = false;
  await loadConversation();
  await loadQueue();
}

async function loadConversation() {
  if (!state.selected) return;
  let detail;
  try {
    detail = await api(`/agent/handoffs/${state.selected}`);
  } catch (error) {
    $("conversation-error").textContent = error.message;
    return;
  }
  $("conversation-title").textContent = citizenName(detail);
  const level = detail.citizen ? ` · định danh mức ${detail.citizen.identity_level}` : "";
  $("conversation-meta").textContent =
    `${detail.reason_name} · ${STATUS[detail.status]}${detail.agent_name ? " – " + detail.agent_name : ""}${level}`;
  const transcript = $("transcript");
  const atBottom = transcript.scrollTop + transcript.clientHeight >= transcript.scrollHeight - 10;
  transcript.replaceChildren(
    ...detail.transcript.map((turn) => {
      const item = element("li", turn.sender);
      item.append(element("span", "who", `${SENDER[turn.sender] || turn.sender} · ${turn.at.slice(11, 16)}`));
      item.append(document.createTextNode(turn.text));
      return item;
    }),
  );
  if (atBottom) transcript.scrollTop = transcript.scrollHeight;
  const source = $("transcript-source");
  source.textContent =
    detail.transcript_source === "rasa" ? "" : "Trợ lý ảo đang gián đoạn: hiển thị bản lưu của hệ thống.";
  source.hidden = !source.textContent;
  showActions(detail);
}

// Offer only what the API says this agent may do now: a chat another agent handles is read-only.
function showActions(detail) {
  const allowed = detail.allowed_actions || [];
  $("accept").hidden = !allowed.includes("accept");
  $("reply").hidden = !allowed.includes("reply");
  $("close").hidden = !allowed.includes("close");
  const note = $("conversation-note");
  if (detail.status === "closed") {
    note.textContent = "Cuộc trò chuyện đã kết thúc; trợ lý ảo tiếp tục hỗ trợ công dân.";
  } else if (!allowed.includes("reply")) {
    note.textContent = `Cuộc trò chuyện này đang do ${detail.agent_name || "một tổng đài viên khác"} hỗ trợ: bạn chỉ xem được.`;
  } else {
    note.textContent = "";
  }
  note.hidden = !note.textContent;
}

async function act(request) {
  $("conversation-error").textContent = "";
  try {
    await request();
  } catch (error) {
    $("conversation-error").textContent = error.message;
  }
  await loadConversation();
  await loadQueue();
}

async function reportPresence() {
  const onDuty = $("on-duty").checked;
  try {
    const presence = await api("/agent/presence", { method: "PUT", body: JSON.stringify({ on_duty: onDuty }) });
    $("duty-state").textContent = !onDuty
      ? "Không nhận cuộc mới"
      : presence.agents_unavailable === "out_of_hours"
        ? "Ngoài giờ: công dân được hướng dẫn gọi 1900 0368"
        : "Đang nhận cuộc mới";
  } catch (error) {
    $("duty-state").textContent = error.message;
  }
}

function startDesk() {
  $("sign-in").hidden = true;
  $("desk").hidden = false;
  $("who").hidden = false;
  $("on-duty").checked = true;
  reportPresence();
  loadQueue();
  state.timers.push(setInterval(loadQueue, POLL_MS));
  state.timers.push(setInterval(loadConversation, POLL_MS));
  state.timers.push(setInterval(reportPresence, PRESENCE_MS));
}

function signOut() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  if (state.tokens) {
    fetch("/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${state.tokens.access_token}` } });
  }
  state.tokens = null;
  state.selected = null;
  sessionStorage.removeItem("agent-tokens");
  $("conversation").hidden = true;
  $("desk").hidden = true;
  $("who").hidden = true;
  $("sign-in").hidden = false;
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    const body = { username: $("username").value, password: $("password").value };
    if ($("totp").value) body.totp = $("totp").value;
    try {
      state.tokens = await api("/auth/staff/login", { method: "POST", body: JSON.stringify(body) });
    } catch (error) {
      $("sign-in-error").textContent = error.message;
      return;
    }
    sessionStorage.setItem("agent-tokens", JSON.stringify(state.tokens));
    startDesk();
  });
  $("sign-out").addEventListener("click", signOut);
  $("on-duty").addEventListener("change", reportPresence);
  $("accept").addEventListener("click", () =>
    act(() => api(`/agent/handoffs/${state.selected}/accept`, { method: "POST" })),
  );
  $("close").addEventListener("click", () =>
    act(() => api(`/agent/handoffs/${state.selected}/close`, { method: "POST" })),
  );
  $("reply").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text) return;
    act(async () => {
      await api(`/agent/handoffs/${state.selected}/messages`, { method: "POST", body: JSON.stringify({ text }) });
      $("reply-text").value = "";
    });
  });
  const saved = sessionStorage.getItem("agent-tokens");
  if (saved) {
    state.tokens = JSON.parse(saved);
    startDesk();
  }
});
