"""The app's chat with the virtual assistant (/app/chat, web/app/js/screens/chat.js), in Chromium.

The suite's chatbot is down (RASA_URL points at the discard port), which is the path most of
these tests take on purpose: the citizen's message is kept, the hotline and the emergency numbers
appear as links, and the conversation waits for an agent. The agent then answers through the API
as the agent console does, and the reply has to reach the open app by itself, over the events
stream; the servers here re-check the database only every minute, so a reply that appears within
seconds was pushed, and the app must never ask the messages route in the meantime.

The bot's quick-reply buttons are tested against a stand-in for Rasa's REST channel (the trained
bot offers no buttons yet); tests/chat/test_end_to_end.py has it against the real Rasa.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from tests.app.conftest import sign_in
from tests.browser import assert_accessible, screenshot
from tests.conftest import LoopbackHTTP, serving

# Heartbeats every second so that a stream the browser dropped frees its server thread at once;
# the database re-check far beyond any wait here (see the module's docstring); streams that end
# after a few seconds, so that the app's reconnection (with Last-Event-ID) is part of the journey.
LIVE = {"CHAT_STREAM_HEARTBEAT_SECONDS": 1, "CHAT_STREAM_RECHECK_SECONDS": 60, "CHAT_STREAM_SECONDS": 4}
MESSAGES_ROUTE = re.compile(r"/chat/conversations/[^/]+/messages")
EVENTS_ROUTE = re.compile(r"/chat/conversations/[^/]+/events")


@pytest.fixture(scope="module")
def chat_url(make_app) -> Iterator[str]:
    """The app served for this module's tests (each test's data is emptied after it, as usual)."""
    with serving(make_app, **LIVE) as base_url:
        yield base_url


def log_of(page: Page):
    return page.get_by_role("log", name="Nội dung cuộc trò chuyện")


def send(page: Page, text: str) -> None:
    page.get_by_label("Tin nhắn của bạn").fill(text)
    page.get_by_role("button", name="Gửi", exact=True).click()


def expect_calls_offered(page: Page) -> None:
    """The hotline and the emergency numbers, each a link that dials it."""
    for name, number in [
        ("Gọi tổng đài 1900 0368", "19000368"),
        ("113 · Công an", "113"),
        ("114 · Cứu hỏa", "114"),
        ("115 · Cấp cứu", "115"),
    ]:
        link = page.get_by_role("link", name=name)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", f"tel:{number}")


# ---- the chatbot is down --------------------------------------------------------------------------


def test_an_anonymous_citizen_gets_the_hotline_when_the_assistant_is_down(phone: Page, chat_url):
    page = phone
    page.goto(f"{chat_url}/app/chat")
    expect(page.get_by_text("Xin chào! Tôi là trợ lý ảo Công dân số.")).to_be_visible()
    expect(page.get_by_role("button", name="Gặp tổng đài viên")).to_be_visible()
    assert_accessible(page, "the chat before the first message")

    send(page, "Xin chào, tôi muốn hỏi về cấp lại CCCD")

    log = log_of(page)
    mine = log.locator(".bubble-citizen")
    expect(mine).to_have_text(re.compile(r"^Bạn · \d\d:\d\dXin chào, tôi muốn hỏi về cấp lại CCCD"))
    expect(log.locator(".bubble-system")).to_contain_text("Trợ lý ảo đang tạm gián đoạn")
    expect(page.get_by_role("heading", name="Cần hỗ trợ ngay?")).to_be_visible()
    expect(
        page.get_by_text("Tin nhắn của bạn đã được lưu lại và sẽ được chuyển tới tổng đài viên.")
    ).to_be_visible()
    expect_calls_offered(page)
    expect(page.get_by_role("status").filter(has_text="Đang chờ tổng đài viên")).to_be_visible()
    expect(page.get_by_text("Gợi ý câu hỏi:")).to_be_hidden()
    screenshot(page, "chat-bot-down")
    assert_accessible(page, "the chat with the assistant down")

    # The conversation (and its key) stays with this tab: a reload shows it again, once.
    page.reload()
    expect(log.locator(".bubble-citizen")).to_have_count(1)
    expect(log.locator(".bubble-citizen")).to_contain_text("cấp lại CCCD")
    expect(page.get_by_role("status").filter(has_text="Đang chờ tổng đài viên")).to_be_visible()

    # Without a network the message is kept on the screen, with the numbers, until it goes.
    page.context.set_offline(True)
    send(page, "Có ai ở đó không?")
    unsent = log.locator(".bubble-citizen", has_text="Có ai ở đó không?")
    expect(unsent).to_contain_text("Chưa gửi được.")
    expect(page.get_by_text("Chưa gửi được tin nhắn vì không có kết nối mạng.")).to_be_visible()
    expect_calls_offered(page)
    screenshot(page, "chat-offline")
    assert_accessible(page, "the chat with a message not sent")
    page.context.set_offline(False)
    unsent.get_by_role("button", name="Gửi lại").click()
    expect(unsent).not_to_contain_text("Chưa gửi được")
    expect(unsent).to_contain_text(re.compile(r"Bạn · \d\d:\d\d"))  # stored: it came back with its time
    expect(log.locator(".bubble-citizen")).to_have_count(2)


def agent_session(base_url: str, make_staff) -> dict:
    """A call-centre agent signed in through the API, as the console does."""
    agent = make_staff("agent")
    signed_in = httpx.post(
        f"{base_url}/auth/staff/login",
        json={"username": agent["username"], "password": agent["password"]},
        timeout=10,
    )
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def agent_call(base_url: str, agent: dict, path: str, body: dict | None = None) -> dict:
    answer = httpx.post(f"{base_url}/agent/handoffs/{path}", json=body, headers=agent, timeout=10)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def test_an_agents_reply_appears_in_the_open_chat_without_the_citizen_asking(
    phone: Page, chat_url, make_citizen, make_staff
):
    page = phone
    person = make_citizen(full_name="Lê Thị Mai")
    sign_in(page, chat_url, person["cccd"])
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(f"{chat_url}/app/chat")
    expect(page.get_by_text("Bạn chưa đăng nhập")).to_be_hidden()

    with page.expect_response(lambda response: response.url.endswith("/chat")) as sent:
        send(page, "Tôi muốn hỏi về hồ sơ đất đai của gia đình")
    assert sent.value.status == 202  # the chatbot is down: kept for an agent
    exchange = sent.value.json()
    conversation_id, note_id = exchange["conversation_id"], exchange["replies"][0]["id"]
    expect(page.get_by_role("status").filter(has_text="Đang chờ tổng đài viên")).to_be_visible()
    expect_calls_offered(page)

    # The stream ends every few seconds; the app comes back for what follows the last message.
    deadline = time.monotonic() + 15
    while len([r for r in requests if EVENTS_ROUTE.search(r.url)]) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    reconnects = [r for r in requests if EVENTS_ROUTE.search(r.url)][1:]
    assert reconnects, "the app did not reopen the ended stream"
    assert reconnects[0].headers.get("last-event-id") == str(note_id)
    assert "authorization" in reconnects[0].headers

    agent = agent_session(chat_url, make_staff)
    queue = httpx.get(f"{chat_url}/agent/handoffs", headers=agent, timeout=10).json()
    [handoff] = [entry for entry in queue if entry["conversation_id"] == conversation_id]
    agent_call(chat_url, agent, f"{handoff['id']}/accept")
    expect(page.get_by_role("status").filter(has_text="Tổng đài viên đã tham gia")).to_be_visible()

    agent_call(
        chat_url,
        agent,
        f"{handoff['id']}/messages",
        {"text": "Chào chị Mai, tôi là tổng đài viên. Chị cần hỗ trợ gì ạ?"},
    )
    reply = log_of(page).locator(".bubble-agent")
    expect(reply).to_be_visible()
    expect(reply).to_have_text(re.compile(r"^Tổng đài viên · \d\d:\d\dChào chị Mai, tôi là tổng đài viên\."))
    screenshot(page, "chat-agent-replied")
    assert_accessible(page, "the chat with an agent's reply")

    agent_call(chat_url, agent, f"{handoff['id']}/close")
    expect(page.get_by_role("status").filter(has_text="Tổng đài viên đã kết thúc hỗ trợ")).to_be_visible()

    asked = [r.url for r in requests if MESSAGES_ROUTE.search(r.url)]
    assert asked == [], f"the app polled the messages route: {asked}"

    # The notification's deep link (congdanso://chat/<id>) opens the same conversation.
    page.goto(f"{chat_url}/app/chat/{conversation_id}")
    expect(log_of(page).locator(".bubble-agent")).to_contain_text("Chào chị Mai")
    expect(log_of(page).locator(".bubble-citizen")).to_contain_text("hồ sơ đất đai")


def test_when_the_server_has_no_room_for_a_stream_news_come_on_demand(phone: Page, make_app, make_staff):
    with serving(make_app, **{**LIVE, "CHAT_STREAMS_PER_PROCESS": 0}) as base_url:
        page = phone
        page.goto(f"{base_url}/app/chat")
        with page.expect_response(lambda response: response.url.endswith("/chat")) as sent:
            send(page, "Tôi muốn gặp tổng đài viên")
        conversation_id = sent.value.json()["conversation_id"]
        expect(page.get_by_text("Máy chủ đang có quá nhiều kết nối trò chuyện trực tiếp.")).to_be_visible()
        fetch_news = page.get_by_role("button", name="Tải tin mới")
        expect(fetch_news).to_be_visible()

        agent = agent_session(base_url, make_staff)
        queue = httpx.get(f"{base_url}/agent/handoffs", headers=agent, timeout=10).json()
        [handoff] = [entry for entry in queue if entry["conversation_id"] == conversation_id]
        agent_call(base_url, agent, f"{handoff['id']}/messages", {"text": "Tôi là tổng đài viên, xin nghe."})
        fetch_news.click()
        expect(log_of(page).locator(".bubble-agent")).to_contain_text("Tôi là tổng đài viên, xin nghe.")
        expect(page.get_by_role("status").filter(has_text="Tổng đài viên đã tham gia")).to_be_visible()
        expect(log_of(page).locator(".bubble-citizen")).to_have_count(1)
        assert_accessible(page, "the chat without a live stream")


def test_someone_elses_conversation_does_not_open(phone: Page, chat_url, citizen_headers):
    headers, _, _ = citizen_headers()
    started = httpx.post(f"{chat_url}/chat", json={"message": "Tôi cần hỗ trợ"}, headers=headers, timeout=10)
    conversation_id = started.json()["conversation_id"]

    phone.goto(f"{chat_url}/app/chat/{conversation_id}")
    expect(phone.get_by_role("heading", name="Không mở được cuộc trò chuyện này")).to_be_visible()
    expect(phone.get_by_role("button", name="Đăng nhập bằng VNeID")).to_be_visible()
    expect(phone.get_by_text("Tôi cần hỗ trợ")).to_be_hidden()
    assert_accessible(phone, "a conversation link without its sign-in")


# ---- the bot's buttons, against a stand-in for Rasa's REST channel -------------------------------


class StandInRasa(LoopbackHTTP):
    """Rasa's REST channel (POST /webhooks/rest/webhook) answering from `answers`: {text: replies}."""

    def __init__(self, answers: dict[str, list[dict]]) -> None:
        self.received: list[str] = []

        def answer_post(path: str, body: bytes):
            message = json.loads(body)["message"]
            self.received.append(message)
            replies = answers.get(message, [{"text": "Tôi chưa hiểu."}])
            return 200, json.dumps(replies).encode(), "application/json"

        super().__init__(lambda path: (404, b"", "text/plain"), answer_post=answer_post)


def test_the_bots_buttons_are_quick_replies_that_send_their_payload(phone: Page, make_app):
    rasa = StandInRasa(
        {
            "xin chào": [
                {
                    "text": "Xin chào! Bạn cần hỗ trợ gì ạ?",
                    "buttons": [
                        {"title": "Tra cứu hồ sơ", "payload": "/check_dossier_status"},
                        {"title": "Tra cứu phạt nguội", "payload": "/check_fines"},
                    ],
                }
            ],
            "/check_dossier_status": [{"text": "Bạn cho tôi xin mã hồ sơ (in trên giấy biên nhận) nhé."}],
        }
    )
    try:
        with serving(make_app, RASA_URL=rasa.url, **LIVE) as base_url:
            page = phone
            page.goto(f"{base_url}/app/chat")
            send(page, "xin chào")
            answers = page.get_by_role("group", name="Trả lời nhanh")
            expect(log_of(page).locator(".bubble-bot")).to_contain_text("Bạn cần hỗ trợ gì ạ?")
            expect(answers.get_by_role("button", name="Tra cứu phạt nguội")).to_be_visible()
            screenshot(page, "chat-quick-replies")
            assert_accessible(page, "the chat with the bot's quick replies")

            answers.get_by_role("button", name="Tra cứu hồ sơ").click()
            expect(log_of(page).locator(".bubble-bot").last).to_contain_text("Bạn cho tôi xin mã hồ sơ")
            # The bot got the payload; the citizen sees the words they tapped, once.
            assert rasa.received == ["xin chào", "/check_dossier_status"]
            expect(log_of(page).locator(".bubble-citizen").last).to_contain_text("Tra cứu hồ sơ")
            expect(log_of(page).locator(".bubble-citizen")).to_have_count(2)
            expect(page.get_by_text("/check_dossier_status")).to_have_count(0)
            expect(answers).to_be_hidden()  # the buttons of an answer already given are gone
            expect(page.get_by_role("heading", name="Cần hỗ trợ ngay?")).to_be_hidden()
    finally:
        rasa.stop()
