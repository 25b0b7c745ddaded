"""How gunicorn serves the API: the one place for its settings.

The Procfile (`make run`) starts `gunicorn -c gunicorn.conf.py 'api:create_app()'`; a production
host runs the same command (its environment chooses the address). Settings given on the command
line override these.

Long request lines. Open311 clients name the requests they follow in one GET: FixMyStreet's
status sync sends every id it filed with us (`service_request_id=<uuid>%2C<uuid>…`, 39 bytes an
id), up to `api.reports.open311.service.MAX_IDS` (10,000, about 390 KB). gunicorn takes a request
line of at most 8,190 bytes (default 4,094: about 100 ids), or of any length with 0; so the limit
is 0 and `BoundedRequest` puts a bound back at `REQUEST_LINE_MAX`. A longer line is answered 414
by `ThreadWorker` in the API's own error format (the standard's `<errors>` under /open311, problem
details elsewhere) instead of gunicorn's HTML page.
"""

from __future__ import annotations

import os

# gunicorn reads every top-level name that is a setting's (`http_parser`, `bind`…) as that
# setting: what is not a setting here has a name no setting has.
from gunicorn.http import parser as _gunicorn_parser
from gunicorn.http.errors import LimitRequestLine
from gunicorn.http.message import Request
from gunicorn.util import write_nonblock
from gunicorn.workers import gthread

REQUEST_LINE_MAX = 512 * 1024  # bytes: MAX_IDS ids (about 390 KB) and the rest of the request line

bind = f"{os.environ.get('API_HOST', '127.0.0.1')}:{os.environ.get('API_PORT', '8000')}"
workers = 2
# Threads of each worker: the 4 ordinary requests ran on before the chat had live events, plus one
# for each chat event stream the worker may hold (api/chat/live.py). A stream keeps its thread for
# up to five minutes, nearly always asleep: it holds no database connection while it waits (the
# pool, 5 + 10 overflow, is still the requests'), and an idle thread costs little memory and no
# CPU. Past CHAT_STREAMS_PER_PROCESS (default 12, the same number as here) the API answers
# 503 `chat_stream_busy` rather than let streams take the threads the rest of the API needs;
# change the two together.
REQUEST_THREADS = 4
CHAT_STREAM_THREADS = 12
threads = REQUEST_THREADS + CHAT_STREAM_THREADS
limit_request_line = 0  # unlimited for gunicorn; bounded by BoundedRequest below
# Nothing here uses `gunicornc`, and its socket is one per user: every gunicorn of the machine
# (`make run`, the tests', the benchmarks') would take it from the one before.
control_socket_disable = True


class BoundedRequest(Request):
    """gunicorn's request, its request line bounded at REQUEST_LINE_MAX when the limit is 0."""

    def read_line(self, unreader, buf, limit=0):
        try:
            return super().read_line(unreader, buf, limit or REQUEST_LINE_MAX)
        except LimitRequestLine as error:
            # What the line starts with says which error format the client speaks.
            error.line_start = bytes(buf[:2048])
            raise


# Every request gunicorn parses is a BoundedRequest. Set when this file is read, before the
# workers are forked, so the bound holds whatever worker class a command line chooses.
_gunicorn_parser.RequestParser.mesg_class = BoundedRequest


class ThreadWorker(gthread.ThreadWorker):
    """gunicorn's gthread worker, answering a request line past the bound with a 414 the API's
    clients read."""

    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, LimitRequestLine):
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Request line too long from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            write_nonblock(client, self._uri_too_long(getattr(exc, "line_start", b"")))
        except Exception:  # the client may be gone; nothing else to tell it
            self.log.debug("Failed to send the 414 answer.")
        return None

    def _uri_too_long(self, line_start: bytes) -> bytes:
        # The app renders it, so the error's format is decided where every other one is
        # (api/errors.py: Open311's own under /open311, problem details elsewhere).
        from api.errors import problem_response

        target = line_start.split(b" ", 2)[1] if line_start.count(b" ") else b"/"
        path = target.split(b"?", 1)[0].decode("latin-1")
        detail = f"Địa chỉ yêu cầu (URL) quá dài: tối đa {REQUEST_LINE_MAX // 1024} KB."
        if path.startswith("/open311/"):
            detail += " Hãy chia danh sách mã service_request_id thành nhiều lần gọi."
        with self.wsgi.test_request_context(path if path.startswith("/") else "/"):
            response = problem_response(414, "uri_too_long", detail)
        body = response.get_data()
        head = (
            "HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n"
            f"Content-Type: {response.content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode("latin-1") + body


worker_class = ThreadWorker
