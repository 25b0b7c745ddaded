// Server-sent events read with fetch (EventSource cannot send the Authorization header): the
// parser of a text/event-stream body, and the waits between reconnections. Used by the citizen
// app's chat (web/app/js/screens/chat.js) and the workspace's call-centre panel
// (web/workspace/js/panels/agent.js); api.stream() opens the response.

/**
 * The events of a text/event-stream body, read as the HTML standard says: yields
 * {type, data, id} for each event with data, and {retry} for a reconnection hint (milliseconds).
 * Comments (the API's heartbeats) only keep the connection alive.
 */
export async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let type = "";
  let data = [];
  let id = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.search(/[\r\n]/); end !== -1; end = buffer.search(/[\r\n]/)) {
        // A CR at the very end may be the first half of a CRLF split between two chunks.
        if (buffer[end] === "\r" && end === buffer.length - 1) break;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith("\r\n", end) ? 2 : 1));
        if (line === "") {
          if (data.length) yield { type: type || "message", data: data.join("\n"), id };
          type = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") type = value;
        else if (field === "data") data.push(value);
        else if (field === "id" && !value.includes("\0")) id = value;
        else if (field === "retry" && /^\d+$/.test(value)) yield { retry: Number(value) };
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Wait `ms`, or less when the network comes back; rejects with the signal's abort. */
export function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      signal.removeEventListener("abort", aborted);
      resolve();
    };
    const aborted = () => {
      done();
      reject(new DOMException("left the screen", "AbortError"));
    };
    const timer = setTimeout(done, ms);
    window.addEventListener("online", done);
    if (signal.aborted) aborted();
    else signal.addEventListener("abort", aborted);
  });
}

/** 1, 2, 4 … 30 s, each between half and all of it so that clients back online do not all come at once. */
export function backoff(failures) {
  const ceiling = Math.min(30_000, 1000 * 2 ** Math.min(failures, 5));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
