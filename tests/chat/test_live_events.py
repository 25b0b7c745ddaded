"""Agents' replies reach the citizen's chat live: GET /chat/conversations/<id>/events (api/chat/live.py).

Against real HTTP servers of the app (tests/conftest.py `serving`), read as the app reads the
stream (fetch + text/event-stream). The chatbot is down in the suite, so a citizen's first message
queues the conversation for an agent (`bot_unavailable`); the agent then takes it, answers and
closes it through the API, as the console does. The servers re-check the database only every
minute here unless a test says otherwise: a reply that arrives within seconds was pushed by the
notifier, not found by the re-check.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx
import pytest
import redis

from tests.conftest import serving

# Heartbeats every second, so that a stream whose test has closed it notices at once and frees its
# server thread; the re-check far beyond any wait of these tests (see the module's docstring).
LIVE = {"CHAT_STREAM_HEARTBEAT_SECONDS": 1, "CHAT_STREAM_RECHECK_SECONDS": 60, "CHAT_STREAM_SECONDS": 60}
# A server whose streams re-read the database every second and end after four.
SHORT = {**LIVE, "CHAT_STREAM_RECHECK_SECONDS": 1, "CHAT_STREAM_SECONDS": 4}
# "Live" for a citizen watching the chat: well under the 3 s of the polling the issue forbids,
# with room for a loaded CI machine.
PROMPTLY = 3.0
REDIS_TEST_URL = "redis://127.0.0.1:6379/7"


@dataclass
class Event:
    kind: str = "message"
    id: str | None = None
    data: str = ""

    def json(self) -> dict:
        return json.loads(self.data)


class EventStream:
    """An open events stream, parsed as the HTML standard's event-stream format says."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.iter_lines()
        self.comments: list[str] = []
        self.retries: list[int] = []

    def next_event(self, timeout: float = PROMPTLY) -> Event | None:
        """The next event with data (message, status), or None when the stream ended; fails
        after `timeout` seconds without one (heartbeats come every second meanwhile)."""
        deadline = time.monotonic() + timeout
        event = Event()
        for line in self._lines:
            if line == "":
                if event.data:
                    return event
                event = Event()
            elif line.startswith(":"):
                self.comments.append(line[1:].strip())
            else:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "event":
                    event.kind = value
                elif name == "id":
                    event.id = value
                elif name == "data":
                    event.data = f"{event.data}\n{value}" if event.data else value
                elif name == "retry":
                    self.retries.append(int(value))
            if time.monotonic() > deadline:
                pytest.fail(f"no event within {timeout} s")
        return None

    def next_message(self, timeout: float = PROMPTLY) -> dict:
        """The next message event's message (a status change may come first: an agent's
        reply to a waiting chat takes it)."""
        while True:
            event = self.next_event(timeout)
            assert event is not None, "the stream ended"
            if event.kind == "message":
                return event.json()

    def messages_until_status(self, timeout: float = PROMPTLY) -> tuple[list[dict], str]:
        """The message events up to the next status event, and that status."""
        messages = []
        while True:
            event = self.next_event(timeout)
            assert event is not None, "the stream ended"
            if event.kind == "status":
                return messages, event.json()["status"]
            assert event.kind == "message", event
            assert event.id == str(event.json()["id"])  # what the app sends back as Last-Event-ID
            messages.append(event.json())


@contextmanager
def events(base_url: str, conversation_id: str, headers: dict, **params) -> Iterator[EventStream]:
    with (
        httpx.Client(timeout=httpx.Timeout(10.0)) as client,
        client.stream(
            "GET", f"{base_url}/chat/conversations/{conversation_id}/events", headers=headers, params=params
        ) as response,
    ):
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        yield EventStream(response)


def refused(base_url: str, conversation_id: str, headers: dict) -> httpx.Response:
    return httpx.get(f"{base_url}/chat/conversations/{conversation_id}/events", headers=headers, timeout=10)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and body["detail"]
    return body


class Agent:
    """A call-centre agent using the API as the console does."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url
        token = httpx.post(
            f"{base_url}/auth/staff/login", json={"username": username, "password": password}
        ).json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def handoff_of(self, conversation_id: str) -> str:
        queue = httpx.get(f"{self.base_url}/agent/handoffs", headers=self.headers).json()
        [handoff] = [h for h in queue if h["conversation_id"] == conversation_id]
        return handoff["id"]

    def accept(self, handoff_id: str) -> None:
        answer = httpx.post(f"{self.base_url}/agent/handoffs/{handoff_id}/accept", headers=self.headers)
        assert answer.status_code == 200, answer.text

    def reply(self, handoff_id: str, text: str) -> dict:
        answer = httpx.post(
            f"{self.base_url}/agent/handoffs/{handoff_id}/messages", json={"text": text}, headers=self.headers
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    def close(self, handoff_id: str) -> None:
        answer = httpx.post(f"{self.base_url}/agent/handoffs/{handoff_id}/close", headers=self.headers)
        assert answer.status_code == 200, answer.text


# Servers are shared by the module's tests (an app takes seconds to build); every test empties
# the database after itself (tests/conftest.py), and a stream left open ends at its next read.
@pytest.fixture(scope="module")
def server(make_app):
    with serving(make_app, **LIVE) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def short_server(make_app):
    with serving(make_app, **SHORT) as base_url:
        yield base_url


@pytest.fixture
def make_agent(make_staff):
    def login(base_url: str) -> Agent:
        user = make_staff("agent")
        return Agent(base_url, user["username"], user["password"])

    return login


def start_chat(base_url: str, headers: dict | None = None, text: str = "Cho tôi gặp tổng đài viên") -> dict:
    """A citizen's first message; with the chatbot down it waits for an agent."""
    answer = httpx.post(f"{base_url}/chat", json={"message": text}, headers=headers or {}, timeout=10)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "waiting"
    return answer.json()


def history(base_url: str, conversation_id: str, headers: dict) -> list[dict]:
    answer = httpx.get(f"{base_url}/chat/conversations/{conversation_id}/messages", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["messages"]


# ---- the citizen's stream ------------------------------------------------------------------------


def test_the_agents_reply_arrives_on_the_open_stream_without_asking(server, citizen, make_agent):
    chat = start_chat(server, citizen["headers"])
    conversation_id = chat["conversation_id"]
    agent = make_agent(server)
    handoff_id = agent.handoff_of(conversation_id)

    with events(server, conversation_id, citizen["headers"]) as stream:
        # What the chat already holds, then where it stands.
        backlog, status = stream.messages_until_status()
        assert [(m["sender"], m["text"]) for m in backlog] == [
            ("citizen", "Cho tôi gặp tổng đài viên"),
            ("system", chat["replies"][0]["text"]),
        ]
        assert status == "waiting"

        agent.accept(handoff_id)
        assert stream.messages_until_status() == ([], "with_agent")

        sent_at = time.monotonic()
        reply = agent.reply(handoff_id, "Chào chị, tôi là tổng đài viên Hằng. Tôi giúp gì được ạ?")
        event = stream.next_event()
        assert time.monotonic() - sent_at < PROMPTLY
        assert (event.kind, event.id) == ("message", str(reply["id"]))
        # The same message, in the same shape, as the messages route gives it.
        assert event.json() == history(server, conversation_id, citizen["headers"])[-1]
        assert event.json()["sender"] == "agent"
        assert event.json()["text"] == "Chào chị, tôi là tổng đài viên Hằng. Tôi giúp gì được ạ?"

        agent.close(handoff_id)
        closing, status = stream.messages_until_status()
        # The note that the agent left, and the satisfaction question (tests/chat/test_satisfaction.py).
        assert [(m["sender"], m["kind"]) for m in closing] == [("system", None), ("system", "rating_request")]
        assert "kết thúc phiên hỗ trợ" in closing[0]["text"]
        assert status == "bot"


def test_a_resumed_stream_gives_only_the_messages_after_the_last_one_received(server, citizen, make_agent):
    conversation_id = start_chat(server, citizen["headers"])["conversation_id"]
    agent = make_agent(server)
    handoff_id = agent.handoff_of(conversation_id)
    first = agent.reply(handoff_id, "Anh cho tôi xin mã hồ sơ ạ.")
    second = agent.reply(handoff_id, "Tôi đang kiểm tra, anh chờ một chút.")
    third = agent.reply(handoff_id, "Hồ sơ của anh đã được tiếp nhận.")

    # The app lost its connection after the first reply: it sends that id back.
    resumed = {**citizen["headers"], "Last-Event-ID": str(first["id"])}
    with events(server, conversation_id, resumed) as stream:
        missed, status = stream.messages_until_status()
    assert [m["id"] for m in missed] == [second["id"], third["id"]]
    assert status == "with_agent"

    # `?after=` does the same, for a first connection that already shows some messages.
    with events(server, conversation_id, citizen["headers"], after=second["id"]) as stream:
        assert [m["text"] for m in stream.messages_until_status()[0]] == ["Hồ sơ của anh đã được tiếp nhận."]

    # Nothing after the last one: only the status, then the next reply as it comes.
    caught_up = {**citizen["headers"], "Last-Event-ID": str(third["id"])}
    with events(server, conversation_id, caught_up) as stream:
        assert stream.messages_until_status() == ([], "with_agent")
        fourth = agent.reply(handoff_id, "Anh còn cần gì nữa không ạ?")
        assert stream.next_message()["id"] == fourth["id"]

    for bad in ("not-a-number", "-1"):
        answer = refused(server, conversation_id, {**citizen["headers"], "Last-Event-ID": bad})
        assert_problem(answer, 422, "validation_failed")


def test_nobody_else_opens_a_citizens_stream(server, citizen, other_citizen, make_staff):
    conversation_id = start_chat(server, citizen["headers"])["conversation_id"]
    for headers in (other_citizen["headers"], {}):
        body = assert_problem(refused(server, conversation_id, headers), 404, "conversation_not_found")
        assert "Cho tôi gặp" not in str(body)
    agent = make_staff("agent")
    staff = Agent(server, agent["username"], agent["password"]).headers
    assert_problem(refused(server, conversation_id, staff), 403, "chat_citizens_only")


def test_an_anonymous_chat_streams_with_its_key_and_only_with_it(server, make_agent):
    chat = start_chat(server, text="Số nhà tôi là 12 Lê Duẩn, tôi cần hỗ trợ")
    conversation_id, key = chat["conversation_id"], chat["conversation_key"]
    wrong_key = key[:-1] + ("A" if key[-1] != "A" else "B")

    for headers in ({}, {"X-Conversation-Key": wrong_key}):
        body = assert_problem(refused(server, conversation_id, headers), 404, "conversation_not_found")
        assert "Lê Duẩn" not in str(body)

    with events(server, conversation_id, {"X-Conversation-Key": key}) as stream:
        backlog, status = stream.messages_until_status()
        assert (backlog[0]["text"], status) == ("Số nhà tôi là 12 Lê Duẩn, tôi cần hỗ trợ", "waiting")
        agent = make_agent(server)
        agent.reply(agent.handoff_of(conversation_id), "Chào bạn, tổng đài xin nghe.")
        assert stream.next_message()["text"] == "Chào bạn, tổng đài xin nghe."


def test_the_stream_keeps_alive_then_ends_itself_with_a_retry_hint(short_server, citizen):
    conversation_id = start_chat(short_server, citizen["headers"])["conversation_id"]
    opened = time.monotonic()
    with events(short_server, conversation_id, citizen["headers"]) as stream:
        stream.messages_until_status()
        assert stream.next_event(timeout=10) is None  # nothing more: the stream ends by itself
        lasted = time.monotonic() - opened
    assert 3 <= lasted < 9
    assert "heartbeat" in stream.comments  # kept alive while quiet
    assert stream.retries and all(1000 <= retry <= 4000 for retry in stream.retries)


def test_streams_beyond_the_cap_are_refused_until_one_closes(make_app, citizen, other_citizen):
    with serving(make_app, **{**LIVE, "CHAT_STREAMS_PER_PROCESS": 1}) as base_url:
        mine = start_chat(base_url, citizen["headers"])["conversation_id"]
        theirs = start_chat(base_url, other_citizen["headers"])["conversation_id"]
        with events(base_url, mine, citizen["headers"]) as stream:
            stream.messages_until_status()
            busy = refused(base_url, theirs, other_citizen["headers"])
            assert_problem(busy, 503, "chat_stream_busy")
            assert int(busy.headers["Retry-After"]) > 0
            # The app falls back to reading on demand meanwhile.
            assert history(base_url, theirs, other_citizen["headers"])
        # The closed stream's thread notices at its next heartbeat and gives its place back.
        deadline = time.monotonic() + 5
        while refused_now := _busy(base_url, theirs, other_citizen["headers"]):
            assert time.monotonic() < deadline, refused_now
            time.sleep(0.2)


def _busy(base_url: str, conversation_id: str, headers: dict) -> str | None:
    with (
        httpx.Client(timeout=10) as client,
        client.stream(
            "GET", f"{base_url}/chat/conversations/{conversation_id}/events", headers=headers
        ) as response,
    ):
        return None if response.status_code == 200 else f"{response.status_code} {response.read()!r}"


# ---- several API processes -----------------------------------------------------------------------


def test_without_redis_a_reply_stored_elsewhere_comes_with_the_recheck(
    server, short_server, citizen, make_agent
):
    """Two instances without Redis: the wake-up stays in the instance that stored the reply, and
    the other instance's stream finds the reply when it re-reads the database."""
    conversation_id = start_chat(server, citizen["headers"])["conversation_id"]
    agent = make_agent(server)
    with events(short_server, conversation_id, citizen["headers"]) as stream:
        stream.messages_until_status()
        reply = agent.reply(agent.handoff_of(conversation_id), "Tôi đã nhận được câu hỏi của chị.")
        assert stream.next_message()["id"] == reply["id"]


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_with_redis_the_wake_up_crosses_api_instances(make_app, citizen, make_agent):
    """Two instances sharing the database and Redis: the agent's console talks to one, the
    citizen's stream is open on the other; the re-check is a minute away, so only Redis can
    bring the reply within seconds."""
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: Redis is not reachable at {REDIS_TEST_URL}")
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    with ExitStack() as stack:
        consoles = stack.enter_context(serving(make_app, REDIS_URL=REDIS_TEST_URL, **LIVE))
        apps = stack.enter_context(serving(make_app, REDIS_URL=REDIS_TEST_URL, **LIVE))
        conversation_id = start_chat(apps, citizen["headers"])["conversation_id"]
        agent = make_agent(consoles)
        handoff_id = agent.handoff_of(conversation_id)
        with events(apps, conversation_id, citizen["headers"]) as stream:
            assert stream.messages_until_status()[1] == "waiting"
            agent.accept(handoff_id)
            assert stream.messages_until_status() == ([], "with_agent")
            sent_at = time.monotonic()
            reply = agent.reply(handoff_id, "Chào chị, hồ sơ của chị đang được xử lý.")
            assert stream.next_message()["id"] == reply["id"]
            assert time.monotonic() - sent_at < PROMPTLY
