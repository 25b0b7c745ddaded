"""A local HTTP server that answers like FCM HTTP v1, for tests and benchmarks.

Real HTTP on loopback (a threaded server, keep-alive), so firebase-admin's own sending code,
its HTTP session and its error parsing run unchanged; only the host differs. It speaks
`POST /v1/projects/{project}/messages:send` with a bearer token, answers `{"name": ...}` on
success and Google's error bodies otherwise:

    {"error": {"code": 404, "message": "...", "status": "NOT_FOUND",
               "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                            "errorCode": "UNREGISTERED"}]}}

Topics, as firebase-admin 7.7+ manages them (the FCM v1 registrations API, one request per
token): `POST /v1/projects/{project}/registrations/{token}/topicSubscriptions?topic_name=T`
subscribes, `DELETE .../topicSubscriptions/{T}?allow_missing=true` unsubscribes; the server
keeps `server.subscriptions` (topic -> tokens). A message sent to a topic (`"topic"` instead of
`"token"`) is recorded in `server.topic_messages` with the tokens subscribed at that moment.
`server.topics_default = "unavailable"` makes topic management fail (sending is unaffected);
a token scripted "unregistered" is refused there too.

Outcomes are scriptable globally (`server.default = "unavailable"`), per token
(`server.script("tok", "unregistered")`) or for the next n requests (`server.fail_next(2,
"quota")`); `server.down()` closes the port (connection refused) and `server.up()` opens it
again on the same port; `server.hold(token)` receives a request but answers it only after
`server.release()`. It records what it received (`server.received`, `server.delivered`).

In tests: the `fcm` fixture (import it into a conftest) starts one and points the app at it.
In benchmarks, as its own process so it does not share the sender's GIL:

    python -m tests.fcm_server --port 8931 [--no-record]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest

PROJECT = "congdanso-test"
MAX_MESSAGE_BYTES = 4096

# outcome -> (HTTP status, google.rpc status, FCM errorCode or None, message)
OUTCOMES: dict[str, tuple[int, str, str | None, str]] = {
    "ok": (200, "OK", None, ""),
    "unregistered": (404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
    "invalid_token": (
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "quota": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for quota metric 'Send'."),
    "unavailable": (503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable."),
    "internal": (500, "INTERNAL", "INTERNAL", "Internal error encountered."),
    "too_big": (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Message is too big"),
    "sender_mismatch": (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch"),
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as firebase-admin's pooled session expects
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without NODELAY, Nagle's algorithm meets the
        # client's delayed ACK and every keep-alive response waits 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.fcm._lock:
            self.server.fcm._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.fcm._lock:
            self.server.fcm._connections.discard(self.connection)
        super().finish()

    def log_message(self, *args: Any) -> None:  # quiet: thousands of requests per second
        pass

    def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, rpc_status: str, message: str, details: list[dict]) -> None:
        headers = {"Retry-After": str(self.server.fcm.retry_after)} if status in (429, 503) else None
        body = {"error": {"code": status, "message": message, "status": rpc_status, "details": details}}
        self._answer(status, body, headers)

    def _topic_subscription(self, method: str) -> bool:
        """The v1 registrations API; False when the path is not one of its routes."""
        fcm = self.server.fcm
        path, _, query = self.path.partition("?")
        parts = path.split("/")
        # /v1/projects/{p}/registrations/{token}/topicSubscriptions[/{topic}]
        if len(parts) < 7 or parts[1:3] != ["v1", "projects"] or parts[4] != "registrations":
            return False
        if parts[6] != "topicSubscriptions" or len(parts) > 8:
            return False
        if parts[3] != fcm.project:
            self._error(403, "PERMISSION_DENIED", f"Permission denied on project {parts[3]}", [])
            return True
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            self._error(401, "UNAUTHENTICATED", "Request is missing required authentication credential.", [])
            return True
        token = unquote(parts[5])
        if method == "POST" and len(parts) == 7:
            topic = (parse_qs(query).get("topic_name") or [""])[0]
        elif method == "DELETE" and len(parts) == 8:
            topic = unquote(parts[7])
        else:
            self._error(404, "NOT_FOUND", "Not found", [])
            return True
        outcome = fcm._topic_outcome(token)
        fcm._record_topic(method, token, topic, outcome)
        status, rpc_status, error_code, text = OUTCOMES[outcome]
        if status != 200:
            details = [
                {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}
            ]
            self._error(status, rpc_status, text, details)
            return True
        self._answer(200, {})
        return True

    def do_DELETE(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if not self._topic_subscription("DELETE"):
            self._error(404, "NOT_FOUND", "Not found", [])

    def do_POST(self) -> None:
        fcm = self.server.fcm
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self._topic_subscription("POST"):
            return
        parts = self.path.split("/")
        # /v1/projects/{project}/messages:send
        if len(parts) != 5 or parts[1] != "v1" or parts[2] != "projects" or parts[4] != "messages:send":
            self._error(404, "NOT_FOUND", "Not found", [])
            return
        if parts[3] != fcm.project:
            self._error(403, "PERMISSION_DENIED", f"Permission denied on project {parts[3]}", [])
            return
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            self._error(401, "UNAUTHENTICATED", "Request is missing required authentication credential.", [])
            return
        try:
            message = json.loads(raw)["message"]
            token = message.get("token") or message.get("fid")
        except (ValueError, KeyError, AttributeError):
            self._error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", [])
            return
        if not token and message.get("topic"):
            reached = fcm._send_to_topic(message)
            self._answer(
                200, {"name": f"projects/{fcm.project}/messages/{fcm._next_id()}", "reached": reached}
            )
            return
        if not token:
            self._error(400, "INVALID_ARGUMENT", "Recipient of the message is not set.", [])
            return
        payload = {"notification": message.get("notification"), "data": message.get("data")}
        outcome = fcm._outcome(token, len(json.dumps(payload, ensure_ascii=False).encode()))
        fcm._record(token, message, outcome)
        fcm._wait_if_held(token)
        status, rpc_status, error_code, text = OUTCOMES[outcome]
        if status == 200:
            self._answer(200, {"name": f"projects/{fcm.project}/messages/{fcm._next_id()}"})
            return
        details = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}]
        if outcome == "invalid_token":
            details.append(
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {"field": "message.token", "description": "Invalid registration token"}
                    ],
                }
            )
        self._error(status, rpc_status, text, details)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # 500 concurrent connections from one send_each
    fcm: FcmServer


class FcmServer:
    def __init__(self, port: int = 0, project: str = PROJECT, record: bool = True) -> None:
        self.project = project
        self.record = record
        self.default = "ok"
        self.retry_after = 1
        self.received: list[dict[str, Any]] = []  # every request's message, with its outcome
        self.topics_default = "ok"
        self.subscriptions: dict[str, set[str]] = {}  # topic -> tokens
        self.topic_requests: list[tuple[str, str, str, str]] = []  # (method, token, topic, outcome)
        self.topic_messages: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()
        self._scripted: dict[str, str] = {}
        self._next: list[str] = []
        self._held: set[str] = set()
        self._gate = threading.Event()
        self._ids = 0
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----
    def up(self) -> FcmServer:
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.fcm = self
        self._port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True, name="fcm-server")
        self._thread.start()
        return self

    start = up

    def down(self) -> None:
        """Close the port: senders now get "connection refused"."""
        self._gate.set()  # let held requests finish
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            # Keep-alive connections outlive the listening socket: close them too, as a server
            # that went away would (the client's next request on them fails).
            with self._lock:
                connections, self._connections = list(self._connections), set()
            for connection in connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None

    stop = down

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """The value for FCM_ENDPOINT."""
        return f"http://127.0.0.1:{self._port}"

    # ---- script ----
    def script(self, token: str, outcome: str) -> None:
        """Answer every request for this token with `outcome` (overrides `default`)."""
        assert outcome in OUTCOMES, outcome
        with self._lock:
            self._scripted[token] = outcome

    def fail_next(self, count: int, outcome: str) -> None:
        """Answer the next `count` requests (any token) with `outcome`, then as scripted."""
        assert outcome in OUTCOMES, outcome
        with self._lock:
            self._next.extend([outcome] * count)

    def hold(self, token: str) -> None:
        """Receive (and record) requests for this token but answer only after `release()`:
        a sender killed meanwhile has sent the push without learning the outcome."""
        with self._lock:
            self._held.add(token)

    def release(self) -> None:
        self._gate.set()

    def _wait_if_held(self, token: str) -> None:
        with self._lock:
            held = token in self._held
        if held:
            self._gate.wait(timeout=30)

    def subscribed(self, token: str) -> set[str]:
        """The topics a token is subscribed to now."""
        with self._lock:
            return {topic for topic, tokens in self.subscriptions.items() if token in tokens}

    def _topic_outcome(self, token: str) -> str:
        with self._lock:
            scripted = self._scripted.get(token)
            return scripted if scripted in ("unregistered", "invalid_token") else self.topics_default

    def _record_topic(self, method: str, token: str, topic: str, outcome: str) -> None:
        with self._lock:
            self.topic_requests.append((method, token, topic, outcome))
            if outcome != "ok":
                return
            if method == "POST":
                self.subscriptions.setdefault(topic, set()).add(token)
            else:
                self.subscriptions.get(topic, set()).discard(token)

    def _send_to_topic(self, message: dict[str, Any]) -> list[str]:
        with self._lock:
            reached = sorted(self.subscriptions.get(message["topic"], set()))
            self.topic_messages.append({"topic": message["topic"], "message": message, "reached": reached})
            return reached

    def reset(self) -> None:
        with self._lock:
            self.default = "ok"
            self.topics_default = "ok"
            self._scripted.clear()
            self._next.clear()
            self.received.clear()
            self.counts.clear()

    # ---- records ----
    @property
    def delivered(self) -> list[dict[str, Any]]:
        """Messages answered with success, in arrival order."""
        with self._lock:
            return [m for m in self.received if m["outcome"] == "ok"]

    def delivered_tokens(self) -> list[str]:
        return [m["token"] for m in self.delivered]

    def _outcome(self, token: str, payload_bytes: int) -> str:
        with self._lock:
            if self._next:
                return self._next.pop(0)
            if payload_bytes > MAX_MESSAGE_BYTES:
                return "too_big"
            return self._scripted.get(token, self.default)

    def _record(self, token: str, message: dict[str, Any], outcome: str) -> None:
        with self._lock:
            self.counts[outcome] += 1
            if self.record:
                self.received.append({"token": token, "outcome": outcome, "message": message})

    def _next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids


@pytest.fixture
def fcm(app):
    """A local FCM endpoint for one test, with the app's push pointed at it."""
    server = FcmServer().up()
    saved = {key: app.config.get(key) for key in ("FCM_ENDPOINT", "FCM_PROJECT_ID")}
    app.config.update(FCM_ENDPOINT=server.url, FCM_PROJECT_ID=server.project)
    try:
        yield server
    finally:
        app.config.update(saved)
        server.down()


def main() -> None:
    parser = argparse.ArgumentParser(description="A local FCM HTTP v1 endpoint (tests, bench).")
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--project", default=PROJECT)
    parser.add_argument("--no-record", action="store_true", help="count only; memory stays flat")
    args = parser.parse_args()
    server = FcmServer(port=args.port, project=args.project, record=not args.no_record).up()
    print(f"FCM endpoint on {server.url} (project {server.project})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.down()


if __name__ == "__main__":
    main()
