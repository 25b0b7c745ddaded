"""The call centre in the workspace (/workspace/agent, web/workspace/js/panels/agent.js): an agent
signs in, finds the queue, reads a conversation another agent handles without being able to touch
it, takes a waiting one, answers, and closes it; the citizen, in the app on a phone at the same
time, gets the agent's answer and then the satisfaction question, and answers it; the team's
figures show it. Leaders see the figures and not the desk; an officer is refused both; the old
console's address leads here.

Without Rasa (the suite's RASA_URL answers nothing) a citizen's message is kept and waits for an
agent: the API's own path, so the panel is tested on real handoffs in the normal suite; the path
through a running Rasa is tests/chat/test_end_to_end.py. What is asserted is what each person
sees; axe-core checks each state.
"""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.app.conftest import PHONE
from tests.browser import assert_accessible, screenshot, watched_page
from tests.workspace.conftest import staff_sign_in

QUESTION = "Tôi muốn hỏi thủ tục đăng ký tạm trú cho con"
REPLY = "Chào chị, tôi là tổng đài viên. Chị cần đăng ký tạm trú cho cháu ở phường nào ạ?"
SATISFACTION = "Bạn có hài lòng với cuộc trò chuyện này không?"


def _kept_for_an_agent(http: httpx.Client, headers: dict, message: str) -> str:
    """A citizen writes while the chatbot is down: the message waits for an agent."""
    asked = http.post("/chat", json={"message": message}, headers=headers)
    assert asked.status_code == 202, asked.text
    return asked.json()["conversation_id"]


def _signed_in(http: httpx.Client, staff: dict) -> dict:
    answer = http.post(
        "/auth/staff/login", json={"username": staff["username"], "password": staff["password"]}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _queue_entry(page: Page, name: str):
    return page.locator(".agent-queue li").filter(has_text=name)


def test_an_agent_answers_a_citizen_who_then_rates_the_help(
    desk: Page, browser, workspace_url, citizen_headers, make_staff
):
    http = httpx.Client(base_url=workspace_url, timeout=10)
    # A chat another agent already handles.
    binh, _, _ = citizen_headers(full_name="Trần Văn Bình", sex="male")
    _kept_for_an_agent(http, binh, "Cho tôi hỏi về nộp phạt nguội")
    colleague = _signed_in(http, make_staff("agent", full_name="Phạm Minh Tuấn"))
    [taken] = http.get("/agent/handoffs", headers=colleague).json()
    assert http.post(f"/agent/handoffs/{taken['id']}/accept", headers=colleague).status_code == 200
    agent = make_staff("agent", full_name="Nguyễn Thu Hằng")

    staff_sign_in(desk, workspace_url, agent["username"], agent["password"])
    # The agent's first screen is the call centre, on duty, named by name.
    expect(desk).to_have_url(re.compile(r"/workspace/agent$"))
    expect(desk.locator("#who")).to_have_text("Nguyễn Thu Hằng · Phường Buôn Ma Thuột")
    expect(desk.get_by_role("heading", name="Hàng chờ")).to_be_visible()
    expect(desk.get_by_label("Đang trực")).to_be_checked()
    expect(desk.get_by_role("status").filter(has_text="Đang nhận cuộc mới")).to_be_visible()
    expect(desk.get_by_role("link", name="Tổng đài", exact=True)).to_have_attribute("aria-current", "page")

    # The citizen, in the app on her phone, asks while the assistant is down: it reaches the
    # agent's queue by itself, with how long she has waited.
    with watched_page(browser, **PHONE) as phone:
        phone.goto(f"{workspace_url}/app/chat")
        phone.get_by_label("Tin nhắn của bạn").fill(QUESTION)
        phone.get_by_role("button", name="Gửi", exact=True).click()
        chat = phone.get_by_role("log", name="Nội dung cuộc trò chuyện")
        expect(phone.get_by_role("status").filter(has_text="Đang chờ tổng đài viên")).to_be_visible()

        entry = _queue_entry(desk, "Khách chưa đăng nhập")
        expect(entry).to_be_visible()
        expect(entry).to_contain_text("Đang chờ")
        expect(entry).to_contain_text("Trợ lý ảo gián đoạn, tin nhắn được giữ lại")
        expect(entry).to_contain_text(QUESTION)
        expect(entry.locator(".agent-wait")).to_have_text(re.compile(r"^Đã chờ \d+:\d\d$"))
        # Longest waiting first: Bình's (taken) comes after the waiting one.
        expect(desk.locator(".agent-queue li").first).to_contain_text("Khách chưa đăng nhập")
        screenshot(desk, "agent-queue")
        assert_accessible(desk, "the call centre's queue")

        # A chat another agent handles: read, not answered, taken or closed from here.
        _queue_entry(desk, "Trần Văn Bình").get_by_role("button").click()
        expect(desk.get_by_role("heading", name="Trần Văn Bình")).to_be_visible()
        expect(desk.get_by_text("đang do Phạm Minh Tuấn hỗ trợ: bạn chỉ xem được")).to_be_visible()
        for name in ("Nhận hỗ trợ", "Gửi", "Kết thúc, trả lại cho trợ lý ảo"):
            expect(desk.get_by_role("button", name=name, exact=True)).to_be_hidden()
        expect(desk.get_by_label("Trả lời công dân")).to_be_hidden()
        assert_accessible(desk, "a chat another agent handles")

        # The waiting chat: her words (the API's copy, Rasa being down); take it, answer it.
        entry.get_by_role("button").click()
        expect(desk.get_by_role("heading", name="Khách chưa đăng nhập")).to_be_visible()
        transcript = desk.get_by_role("log", name="Nội dung cuộc trò chuyện")
        expect(transcript.locator(".agent-turn-citizen")).to_contain_text(QUESTION)
        expect(desk.get_by_text("Trợ lý ảo đang gián đoạn: hiển thị bản lưu của hệ thống.")).to_be_visible()
        desk.get_by_role("button", name="Nhận hỗ trợ").click()
        expect(desk.get_by_role("button", name="Nhận hỗ trợ")).to_be_hidden()
        expect(entry).to_contain_text("Đang hỗ trợ – Nguyễn Thu Hằng")
        expect(phone.get_by_role("status").filter(has_text="Tổng đài viên đã tham gia")).to_be_visible()

        desk.get_by_label("Trả lời công dân").fill(REPLY)
        desk.get_by_role("button", name="Gửi", exact=True).click()
        expect(transcript.locator(".agent-turn-agent")).to_contain_text("tôi là tổng đài viên")
        expect(desk.get_by_label("Trả lời công dân")).to_have_value("")
        expect(chat.locator(".bubble-agent")).to_contain_text("tôi là tổng đài viên")

        # Her answer reaches the open transcript by itself.
        phone.get_by_label("Tin nhắn của bạn").fill("Phường Tân An ạ")
        phone.get_by_role("button", name="Gửi", exact=True).click()
        expect(transcript.locator(".agent-turn-citizen").last).to_contain_text("Phường Tân An ạ")
        screenshot(desk, "agent-answering")
        assert_accessible(desk, "answering a chat")

        desk.get_by_role("button", name="Kết thúc, trả lại cho trợ lý ảo").click()
        expect(entry).to_have_count(0)
        expect(
            desk.get_by_text("Cuộc trò chuyện đã kết thúc; trợ lý ảo tiếp tục hỗ trợ công dân.")
        ).to_be_visible()
        expect(desk.get_by_label("Trả lời công dân")).to_be_hidden()
        expect(transcript).to_contain_text(SATISFACTION)

        # The citizen is asked how satisfied she was, with five answers, and answers once.
        question = chat.locator(".bubble-system").filter(has_text=SATISFACTION)
        expect(question).to_be_visible()
        expect(
            phone.get_by_role("status").filter(has_text="Tổng đài viên đã kết thúc hỗ trợ")
        ).to_be_visible()
        answers = question.get_by_role("button")
        expect(answers).to_have_text(
            [
                "1 · Rất không hài lòng",
                "2 · Không hài lòng",
                "3 · Bình thường",
                "4 · Hài lòng",
                "5 · Rất hài lòng",
            ]
        )
        screenshot(phone, "chat-satisfaction-question")
        assert_accessible(phone, "the satisfaction question")
        question.get_by_label("Góp ý thêm (không bắt buộc)").fill("Chị tổng đài viên rất nhiệt tình")
        question.get_by_role("button", name="4 · Hài lòng").click()
        thanks = chat.locator(".bubble-system").filter(has_text="Cảm ơn bạn đã đánh giá: Hài lòng (4/5)")
        expect(thanks).to_be_visible()
        expect(question.get_by_role("button")).to_have_count(0)
        screenshot(phone, "chat-satisfaction-thanks")
        # A reload shows the question answered, not offered again.
        phone.reload()
        expect(chat.locator(".bubble-system").filter(has_text=SATISFACTION)).to_be_visible()
        expect(chat.get_by_role("button", name="4 · Hài lòng")).to_have_count(0)
        expect(thanks).to_be_visible()

    # The agent's transcript has the answer too, live; the team's figures count it.
    expect(transcript).to_contain_text("Cảm ơn bạn đã đánh giá: Hài lòng (4/5)")
    desk.get_by_role("link", name="Số liệu tổng đài", exact=True).first.click()
    expect(desk.get_by_role("heading", name="Kết quả theo tổng đài viên")).to_be_visible()
    row = desk.get_by_role("row").filter(has=desk.get_by_role("rowheader", name="Nguyễn Thu Hằng"))
    expect(row.get_by_role("cell")).to_have_text(
        [re.compile("^1$"), re.compile("giây|phút"), re.compile("giây|phút"), "4/5", "1"]
    )
    colleague_row = desk.get_by_role("row").filter(has=desk.get_by_role("rowheader", name="Phạm Minh Tuấn"))
    expect(colleague_row.get_by_role("cell")).to_have_text(["0", "—", "—", "—", "0"])
    expect(
        desk.get_by_role("status").filter(has_text="1 cuộc trò chuyện đã kết thúc, 1 lượt đánh giá")
    ).to_be_visible()
    screenshot(desk, "agent-figures")
    assert_accessible(desk, "the call centre's figures")

    # Going off duty is told to the API: citizens are then offered the hotline.
    desk.get_by_role("link", name="Tổng đài", exact=True).click()
    desk.get_by_label("Đang trực").uncheck()
    expect(desk.get_by_role("status").filter(has_text="Không nhận cuộc mới")).to_be_visible()
    desk.get_by_role("button", name="Đăng xuất").click()
    expect(desk.get_by_role("heading", name="Đăng nhập cán bộ")).to_be_visible()
    http.close()


def test_a_leader_reads_the_figures_but_has_no_desk(desk: Page, workspace_url, make_staff):
    leader = make_staff("leader", full_name="Võ Thị Thanh")
    staff_sign_in(
        desk, workspace_url, leader["username"], leader["password"], start="/workspace/agent/figures"
    )
    expect(desk.get_by_role("heading", name="Kết quả theo tổng đài viên")).to_be_visible()
    expect(
        desk.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Số liệu tổng đài")
    ).to_be_visible()
    expect(
        desk.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Tổng đài", exact=True)
    ).to_have_count(0)
    # A period that ends before it starts: the API's words, in the screen.
    desk.get_by_label("Từ ngày").fill("2026-11-10")
    desk.get_by_label("Đến ngày").fill("2026-11-01")
    desk.get_by_role("button", name="Xem").click()
    expect(desk.get_by_role("alert")).to_contain_text("Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.")
    desk.goto(f"{workspace_url}/workspace/agent")
    expect(desk.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
    expect(desk.get_by_role("heading", name="Hàng chờ")).to_have_count(0)


def test_an_officer_is_refused_the_call_centre(desk: Page, workspace_url, make_staff):
    officer = make_staff("officer")
    staff_sign_in(desk, workspace_url, officer["username"], officer["password"], start="/workspace/agent")
    expect(desk.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
    expect(desk.get_by_text("Chức năng này không dành cho vai trò Cán bộ một cửa.")).to_be_visible()
    expect(desk.get_by_role("heading", name="Hàng chờ")).to_have_count(0)
    expect(desk.get_by_role("link", name="Tổng đài", exact=True)).to_have_count(0)
    assert_accessible(desk, "the call centre refused to an officer")
    desk.goto(f"{workspace_url}/workspace/agent/figures")
    expect(desk.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
    expect(desk.get_by_role("table")).to_have_count(0)


def test_the_old_console_address_opens_the_panel(desk: Page, workspace_url, make_staff):
    agent = make_staff("agent")
    desk.goto(f"{workspace_url}/agent/console")
    expect(desk).to_have_url(f"{workspace_url}/workspace/agent")
    expect(desk.get_by_role("heading", name="Đăng nhập cán bộ")).to_be_visible()
    desk.get_by_label("Tên đăng nhập").fill(agent["username"])
    desk.get_by_label("Mật khẩu").fill(agent["password"])
    desk.get_by_role("button", name="Đăng nhập").click()
    expect(desk.get_by_role("heading", name="Hàng chờ")).to_be_visible()
    expect(desk.get_by_text("Không có cuộc trò chuyện nào đang chờ.")).to_be_visible()
