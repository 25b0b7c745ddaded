"""The agent console (/agent/console) in headless Chromium, without Rasa.

With the chatbot down (the suite's RASA_URL answers nothing), a citizen's message is kept and
waits for an agent in the handoff queue: the API's own path, so the console can be tested on
real handoffs in the normal suite. What is asserted is what the agent sees: the sign-in form
gone once signed in, the queue, a conversation another agent handles offered read-only, the
buttons following what the API allows (`allowed_actions`), the reply in the transcript and in
the citizen's app. axe-core checks each state.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser import UI_TIMEOUT_MS, assert_accessible, chromium_browser, screenshot, watch_errors  # noqa: F401

QUESTION = "Tôi muốn hỏi thủ tục đăng ký tạm trú cho con"
REPLY = "Chào chị Mai, tôi là tổng đài viên. Chị cần đăng ký tạm trú cho cháu ở phường nào ạ?"


def chat_kept_for_an_agent(client, headers, message: str) -> str:
    """The citizen writes while the chatbot is down: the message waits for an agent."""
    asked = client.post("/chat", json={"message": message}, headers=headers)
    assert asked.status_code == 202, asked.json
    assert asked.json["bot_available"] is False
    return asked.json["conversation_id"]


def handoff_of(client, headers, full_name: str) -> dict:
    queue = client.get("/agent/handoffs", headers=headers)
    assert queue.status_code == 200, queue.json
    return next(item for item in queue.json if (item["citizen"] or {}).get("full_name") == full_name)


# ---- what the API tells the console ------------------------------------------------------------


def test_the_api_says_which_actions_each_agent_may_take(client, citizen_headers, staff_headers):
    citizen, _, _ = citizen_headers(full_name="Lê Thị Mai")
    chat_kept_for_an_agent(client, citizen, QUESTION)
    first, _ = staff_headers("agent")
    second, _ = staff_headers("agent")

    waiting = handoff_of(client, first, "Lê Thị Mai")
    assert waiting["status"] == "waiting"
    assert waiting["allowed_actions"] == ["accept", "reply", "close"]

    taken = client.post(f"/agent/handoffs/{waiting['id']}/accept", headers=first)
    assert taken.status_code == 200
    assert taken.json["allowed_actions"] == ["reply", "close"]
    detail = client.get(f"/agent/handoffs/{waiting['id']}", headers=first).json
    assert detail["allowed_actions"] == ["reply", "close"]

    # The other agent is offered nothing, and is refused what it would not be offered.
    assert handoff_of(client, second, "Lê Thị Mai")["allowed_actions"] == []
    refused = client.post(
        f"/agent/handoffs/{waiting['id']}/messages", json={"text": "Chào chị"}, headers=second
    )
    assert refused.status_code == 409 and refused.json["code"] == "handoff_taken"

    closed = client.post(f"/agent/handoffs/{waiting['id']}/close", headers=first)
    assert closed.status_code == 200
    assert closed.json["allowed_actions"] == []


# ---- in the browser ---------------------------------------------------------------------------


def test_an_agent_signs_in_and_answers_a_waiting_chat(
    live_server, browser, client, citizen_headers, staff_headers, make_staff
):
    mai, _, _ = citizen_headers(full_name="Lê Thị Mai")
    conversation = chat_kept_for_an_agent(client, mai, QUESTION)
    binh, _, _ = citizen_headers(full_name="Trần Văn Bình", sex="male")
    chat_kept_for_an_agent(client, binh, "Cho tôi hỏi về nộp phạt nguội")
    colleague, _ = staff_headers("agent")
    assert (
        client.post(
            f"/agent/handoffs/{handoff_of(client, colleague, 'Trần Văn Bình')['id']}/accept",
            headers=colleague,
        ).status_code
        == 200
    )
    agent = make_staff("agent")

    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    watch_errors(page, errors)
    page.goto(f"{live_server}/agent/console")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    expect(page.locator("#who")).to_be_hidden()
    assert_accessible(page, "agent console, signed out")

    page.get_by_label("Tên đăng nhập").fill(agent["username"])
    page.get_by_label("Mật khẩu").fill(agent["password"])
    page.get_by_role("button", name="Đăng nhập").click()

    # Signed in: the queue, and no sign-in form left above it.
    expect(page.locator("#desk")).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(page.locator("#sign-in")).to_be_hidden()
    expect(page.get_by_label("Mật khẩu")).to_be_hidden()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    entry = page.locator("#queue li", has_text="Lê Thị Mai")
    expect(entry).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(entry).to_contain_text("Đang chờ")
    expect(page.locator("#queue-empty")).to_be_hidden()
    expect(page.locator("#conversation")).to_be_hidden()
    screenshot(page, "agent-console-queue")
    assert_accessible(page, "agent console, the queue")

    # A chat another agent handles: read, not answered, taken or closed from here.
    page.locator("#queue li", has_text="Trần Văn Bình").click()
    expect(page.locator("#conversation-title")).to_have_text("Trần Văn Bình")
    expect(page.locator("#conversation-note")).to_be_visible()
    expect(page.locator("#conversation-note")).to_contain_text("đang do Cán bộ agent hỗ trợ")
    for control in ("#accept", "#reply", "#reply-text", "#send", "#close"):
        expect(page.locator(control)).to_be_hidden()
    screenshot(page, "agent-console-someone-elses-chat")
    assert_accessible(page, "agent console, a chat another agent handles")

    # A waiting chat: the citizen's words (the API's copy, Rasa being down), take it, answer it.
    entry.click()
    expect(page.locator("#conversation-title")).to_have_text("Lê Thị Mai")
    expect(page.locator("#transcript li.citizen")).to_contain_text(QUESTION)
    expect(page.locator("#transcript-source")).to_be_visible()
    expect(page.locator("#conversation-note")).to_be_hidden()
    expect(page.get_by_role("button", name="Nhận hỗ trợ")).to_be_visible()
    page.get_by_role("button", name="Nhận hỗ trợ").click()
    expect(page.get_by_role("button", name="Nhận hỗ trợ")).to_be_hidden()
    expect(page.locator("#conversation-meta")).to_contain_text("Đang hỗ trợ")
    expect(entry).to_contain_text("Đang hỗ trợ")

    page.get_by_label("Trả lời công dân").fill(REPLY)
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator("#transcript li.agent")).to_contain_text("tôi là tổng đài viên")
    expect(page.locator("#transcript li.agent")).to_be_visible()
    expect(page.locator("#conversation-error")).to_have_text("")
    screenshot(page, "agent-console-answering")
    assert_accessible(page, "agent console, answering a chat")

    # The citizen's app has the agent's answer.
    messages = client.get(f"/chat/conversations/{conversation}/messages", headers=mai).json
    assert messages["status"] == "with_agent"
    assert messages["messages"][-1]["sender"] == "agent"
    assert messages["messages"][-1]["text"] == REPLY

    page.get_by_role("button", name="Kết thúc, trả lại cho trợ lý ảo").click()
    expect(entry).to_have_count(0, timeout=UI_TIMEOUT_MS)
    expect(page.locator("#conversation-note")).to_contain_text("đã kết thúc")
    expect(page.locator("#reply")).to_be_hidden()
    expect(page.locator("#close")).to_be_hidden()

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    assert errors == []
    context.close()
