"""Live chat: agents' replies and status changes reach the citizen's open event stream at once.

The app keeps one server-sent events stream open per conversation on screen
(`GET /chat/conversations/<id>/events`); nothing polls. Two parts:

- The notifier, the one place that says "something was stored for conversation X". The chat
  service calls `publish_on_commit(conversation_id)` when it stages a message or a status change,
  and the wake-up goes out when the unit of work commits it. With
  `REDIS_URL` set it goes through Redis pub/sub, so a stream open on one API process (or host) is
  woken by a reply stored by another; without Redis it wakes the streams of this process only.
- The stream: it reads what is new from the database when woken, and also every
  `CHAT_STREAM_RECHECK_SECONDS` whether woken or not. The database stays the truth and a wake-up
  is only a hint: a lost one (Redis down, a publish that failed) delays a message by at most the
  re-check, never loses it, and a resumed stream (`Last-Event-ID`) continues after the last
  message the app has, so nothing is sent twice. With Redis the re-check is slow (20 s): it only
  covers accidents. Without Redis it is every 2 s, because there it is how a stream learns of a
  reply stored by another process: `make run`'s gunicorn has two workers, and one in two replies
  is stored by the worker that does not hold the stream. Each re-check is one indexed read per
  open stream, on the server: the app itself never polls.

Each open stream holds a gunicorn thread (gthread worker) for as long as it is open, so streams
are capped per process (`CHAT_STREAMS_PER_PROCESS`, see gunicorn.conf.py: `threads` leaves the
same room for ordinary requests as before); past the cap the answer is 503 `chat_stream_busy` and
the app fetches messages on demand instead. A stream ends itself after `CHAT_STREAM_SECONDS`
(or when the caller's access token expires, if sooner) with a `retry:` hint: the app reconnects
with `Last-Event-ID` and a fresh token, so no stream outlives a sign-in, and load balancers see
connections that end.

The call centre's panel in the staff workspace keeps one stream of the same kind open per agent
(`GET /agent/events`): it watches the queue's key (`QUEUE`), which the chat service wakes with
`publish_queue` whenever a handoff changes or a handed-over conversation gets a message, and
carries the messages of the conversation the agent has open plus a `queue` event when the queue
changed. One stream per agent, not one per panel part: agents' streams share the cap with citizens'.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import secrets
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator

import redis
from flask import Flask, Response, current_app, stream_with_context

from api.errors import ApiError
from api.extensions import db
from api.unit_of_work import after_commit, transaction

log = logging.getLogger(__name__)

# Defaults of the settings a deployment (or a test) may change in the app's config.
DEFAULTS = {
    # How long one stream stays open before it ends itself and the app reconnects.
    "CHAT_STREAM_SECONDS": 300,
    # A comment line when nothing else was sent for this long: proxies and load balancers close
    # connections idle for 30–60 s, and writing is also how a stream learns its client is gone.
    "CHAT_STREAM_HEARTBEAT_SECONDS": 15,
    # Open streams per process, each holding a thread: see gunicorn.conf.py before raising it.
    "CHAT_STREAMS_PER_PROCESS": 12,
}
# The database is read this often even without a wake-up (`CHAT_STREAM_RECHECK_SECONDS` when
# set): the bound on a lost wake-up's delay. See the module's docstring for the two defaults.
RECHECK_WITH_REDIS_SECONDS = 20
RECHECK_WITHOUT_REDIS_SECONDS = 2
BUSY_RETRY_AFTER_SECONDS = 60
# Messages read per query; a longer backlog is read in several.
BATCH = 100
# Redis channel of every wake-up; the message is the conversation id. One channel for all
# conversations: each process subscribes once, whatever the number of streams it holds.
CHANNEL = "congdanso:chat:live"
# After Redis failed to take a publish, wake local streams only for this long before trying again,
# so a Redis outage does not add a connection timeout to every agent's reply.
REDIS_RETRY_SECONDS = 10
EXTENSION = "chat_live"
# The wake-up key of the agents' streams: not a conversation id, so no conversation's wake-up
# is taken for it.
QUEUE = "agent-queue"

# read(after_id, limit) -> (messages as the messages route dumps them, status now), or None when
# the conversation is gone (its citizen deleted their account).
Reader = Callable[[int, int], "tuple[list[dict], str] | None"]
# The event sent when the status read changes: (event name, data).
StateEvent = Callable[[str], "tuple[str, dict]"]


def setting(name: str) -> float:
    return float(current_app.config.get(name, DEFAULTS[name]))


def recheck_seconds() -> float:
    configured = current_app.config.get("CHAT_STREAM_RECHECK_SECONDS")
    if configured:
        return float(configured)
    return (
        RECHECK_WITH_REDIS_SECONDS if current_app.config.get("REDIS_URL") else RECHECK_WITHOUT_REDIS_SECONDS
    )


# ---- the notifier -----------------------------------------------------------------------------


class Waiters:
    """The streams of this process, by conversation: each waits on an Event of its own.

    An Event per stream, not one condition variable for all: a wake-up sets only the streams of
    that conversation, and one set before the stream waits is not lost (it reads again at once).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_conversation: dict[str, set[threading.Event]] = defaultdict(set)

    @contextlib.contextmanager
    def watch(self, conversation_id: str) -> Iterator[threading.Event]:
        woken = threading.Event()
        with self._lock:
            self._by_conversation[conversation_id].add(woken)
        try:
            yield woken
        finally:
            with self._lock:
                watching = self._by_conversation.get(conversation_id)
                if watching is not None:
                    watching.discard(woken)
                    if not watching:
                        del self._by_conversation[conversation_id]

    def wake(self, conversation_id: str) -> None:
        with self._lock:
            for woken in self._by_conversation.get(conversation_id, ()):
                woken.set()

    def wake_all(self) -> None:
        with self._lock:
            for watching in self._by_conversation.values():
                for woken in watching:
                    woken.set()


class LocalNotifier:
    """Without Redis: a publish wakes the streams of this process."""

    def __init__(self) -> None:
        self.waiters = Waiters()

    def publish(self, conversation_id: str) -> None:
        self.waiters.wake(conversation_id)

    def watch(self, conversation_id: str):
        return self.waiters.watch(conversation_id)


class RedisNotifier(LocalNotifier):
    """With Redis: a publish reaches every process; one listener thread per process wakes its streams."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._listener: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._redis_down_until = 0.0

    def publish(self, conversation_id: str) -> None:
        if time.monotonic() >= self._redis_down_until:
            try:
                self._client.publish(CHANNEL, conversation_id)
                return
            except redis.RedisError as error:
                self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
                log.warning("chat live: Redis publish failed (%s); other processes re-check", error)
        # This process's streams at least; the others read it at their next re-check.
        self.waiters.wake(conversation_id)

    def watch(self, conversation_id: str):
        self._listen_once()
        return super().watch(conversation_id)

    def _listen_once(self) -> None:
        # Started by the first stream, not with the app: the scheduler and the CLI never listen.
        with self._start_lock:
            if self._listener is None:
                self._listener = threading.Thread(target=self._listen, name="chat-live-redis", daemon=True)
                self._listener.start()

    def _listen(self) -> None:
        delay = 1.0
        while True:
            # No read timeout: the subscription is quiet for as long as nobody chats; a dead
            # connection is found by the pings health_check_interval sends.
            client = redis.Redis.from_url(
                self._url, socket_connect_timeout=2, socket_keepalive=True, health_check_interval=30
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL)
                # What was published while the subscription was down is lost: read again.
                self.waiters.wake_all()
                delay = 1.0
                while True:
                    message = pubsub.get_message(timeout=30)
                    if message and message.get("type") == "message":
                        self.waiters.wake(message["data"].decode())
            except Exception as error:  # whatever it was, a dead listener would silence every wake-up
                log.warning("chat live: Redis subscription lost (%s); retrying in %.0f s", error, delay)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
            finally:
                with contextlib.suppress(Exception):
                    pubsub.close()
                    client.close()


class LiveState:
    """One app's notifier and stream slots (per app, not per module: tests run several apps in one
    process, each standing for a process of its own)."""

    def __init__(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        self.notifier = RedisNotifier(url) if url else LocalNotifier()
        cap = app.config.get("CHAT_STREAMS_PER_PROCESS", DEFAULTS["CHAT_STREAMS_PER_PROCESS"])
        self.slots = threading.BoundedSemaphore(int(cap))


def _state() -> LiveState:
    """This app's, made by its first stream or publish (two made at once: one is kept)."""
    state = current_app.extensions.get(EXTENSION)
    if state is None:
        state = current_app.extensions.setdefault(EXTENSION, LiveState(current_app))
    return state


def publish(conversation_id: uuid.UUID) -> None:
    """Wake the streams open on this conversation, in every process. Call after the commit: a
    stream woken before it reads nothing new and waits for the next re-check."""
    _state().notifier.publish(str(conversation_id))


def publish_queue() -> None:
    """Wake the agents' streams (the queue, or a conversation an agent has open, changed)."""
    _state().notifier.publish(QUEUE)


def publish_on_commit(conversation_id: uuid.UUID, *, queue: bool = False) -> None:
    """Wake the conversation's streams (and the agents', when `queue`) once the unit of work
    that staged the change commits it (api/unit_of_work.py): the request's edge, a checkpoint,
    a job's transaction. A stream woken before the commit would read nothing new; a unit rolled
    back wakes nobody."""
    for key in (str(conversation_id), QUEUE) if queue else (str(conversation_id),):
        after_commit(functools.partial(_publish, key), key=("chat.live", key))


def _publish(key: str) -> None:
    # A lost wake-up only waits for the stream's re-check: after_commit logs the failure.
    _state().notifier.publish(key)


# ---- the stream -------------------------------------------------------------------------------


def event_stream(
    conversation_id: uuid.UUID | None,
    after_id: int,
    read: Reader,
    token_expires_at: float | None = None,
    *,
    watch: str | None = None,
    state_event: StateEvent | None = None,
) -> Response:
    """The response streaming the conversation's events to an authorised caller, from `after_id`.

    `watch` is the wake-up key (the conversation's id unless told: the agents' `QUEUE`), and
    `state_event` shapes the event sent when the status read changes (the conversation's `status`
    unless told). Refused with 503 `chat_stream_busy` when the process holds its cap of streams.
    """
    state = _state()
    if not state.slots.acquire(blocking=False):
        raise ApiError(
            503,
            "chat_stream_busy",
            "Máy chủ đang có quá nhiều kết nối trò chuyện trực tiếp. Tin nhắn mới vẫn được tải khi bạn "
            "mở lại cuộc trò chuyện; kết nối trực tiếp sẽ thử lại sau ít phút.",
            headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
        )
    release = _once(state.slots.release)
    try:
        lifetime = _lifetime(token_expires_at)
        key = watch or str(conversation_id)
        events = _events(
            state.notifier, key, after_id, read, lifetime, release, state_event or _status_of(key)
        )
        response = Response(
            stream_with_context(events),
            mimetype="text/event-stream",
            headers={
                "Cache-Control": "no-cache",
                # nginx buffers proxied answers unless told not to: the events would wait in it.
                "X-Accel-Buffering": "no",
            },
        )
    except BaseException:
        release()
        raise
    # The server closes the response when the stream ends or the client goes away, even when
    # the generator never started (then its own `finally` does not run).
    response.call_on_close(release)
    return response


def _status_of(conversation_id: str) -> StateEvent:
    """The conversation's own `status` event (the citizen's stream)."""
    return lambda status: ("status", {"conversation_id": conversation_id, "status": status})


def _lifetime(token_expires_at: float | None) -> float:
    """The stream's length, a little shorter at random so that the streams opened together
    (after a deploy) do not all reconnect together; never past the caller's token."""
    configured = setting("CHAT_STREAM_SECONDS")
    lifetime = configured - configured * secrets.randbelow(100) / 1000  # up to 10 % shorter
    if token_expires_at is not None:
        lifetime = min(lifetime, max(token_expires_at - time.time(), 0.0))
    return lifetime


def _events(
    notifier: LocalNotifier,
    conversation_id: str,
    after_id: int,
    read: Reader,
    lifetime: float,
    release: Callable[[], None],
    state_event: StateEvent,
) -> Iterator[bytes]:
    heartbeat = setting("CHAT_STREAM_HEARTBEAT_SECONDS")
    recheck = recheck_seconds()
    started = time.monotonic()
    deadline = started + lifetime
    last_status = None
    try:
        yield _retry_hint()
        # Watching before the first read: a publish between the read and the wait is not lost.
        with notifier.watch(conversation_id) as woken:
            read_now = True
            next_heartbeat = started + heartbeat
            next_recheck = started + recheck
            while True:
                if read_now:
                    woken.clear()
                    news = _read_all(read, after_id)
                    if news is None:
                        break  # the conversation is gone
                    messages, status = news
                    chunks = [_event("message", m, event_id=m["id"]) for m in messages]
                    if messages:
                        after_id = messages[-1]["id"]
                    if status != last_status:
                        chunks.append(_event(*state_event(status)))
                        last_status = status
                    now = time.monotonic()
                    next_recheck = now + recheck
                    if chunks:
                        yield b"".join(chunks)
                        next_heartbeat = now + heartbeat
                now = time.monotonic()
                if now >= deadline:
                    break
                read_now = woken.wait(max(min(deadline, next_heartbeat, next_recheck) - now, 0.0))
                now = time.monotonic()
                read_now = read_now or now >= next_recheck
                if not read_now and now >= next_heartbeat and now < deadline:
                    yield b": heartbeat\n\n"
                    next_heartbeat = now + heartbeat
        yield b": the stream ends here; reconnect with Last-Event-ID\n" + _retry_hint()
    finally:
        release()


def _read_all(read: Reader, after_id: int) -> tuple[list[dict], str] | None:
    """Everything after `after_id`, in batches; the stream holds no database connection after it:
    the pool has room for the requests, not for every open stream (and SQLite's open readers hold
    up writers). The stream runs after its request's unit of work ended, so each read is a
    `transaction()` of its own (api/unit_of_work.py)."""
    messages: list[dict] = []
    try:
        with transaction():
            while True:
                news = read(after_id, BATCH)
                if news is None:
                    return None
                batch, status = news
                messages += batch
                if len(batch) < BATCH:
                    return messages, status
                after_id = batch[-1]["id"]
    finally:
        db.session.remove()


def _retry_hint() -> bytes:
    """How long the app waits before it reconnects, spread between 1 and 4 seconds."""
    return f"retry: {1000 + secrets.randbelow(3000)}\n\n".encode()


def _event(kind: str, data: dict, event_id: int | None = None) -> bytes:
    # JSON without indentation holds no line break (those in a text are escaped): one data line.
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines += [f"event: {kind}", f"data: {current_app.json.dumps(data)}"]
    return ("\n".join(lines) + "\n\n").encode()


def _once(action: Callable[[], None]) -> Callable[[], None]:
    done = threading.Lock()

    def run_once() -> None:
        if done.acquire(blocking=False):
            action()

    return run_once
