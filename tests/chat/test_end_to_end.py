"""End to end: the API, the real action server and the real Rasa with the trained model, as
separate processes on loopback, and the workspace's call-centre panel in headless Chromium.

`make test` runs these after training (`make e2e`, marker `e2e`): they need
chatbot/models/current.tar.gz, .venv-bot and Debian's chromium.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.app.conftest import phone  # noqa: F401 (fixture)
from tests.app.test_chat import log_of, send
from tests.browser import assert_accessible, chromium_browser, screenshot  # noqa: F401 (fixture)
from tests.chat.conftest import BOT_RASA, CHATBOT, require_built, running_process
from tests.conftest import STAFF_PASSWORD, free_port

pytestmark = pytest.mark.e2e

MODEL = CHATBOT / "models" / "current.tar.gz"
RASA_TOKEN = "rasa-token-for-end-to-end-tests"
RASA_STARTUP_SECONDS = 240


@pytest.fixture(scope="module")
def rasa_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def actions_api(make_app, app, rasa_port, api_server_factory):
    """Overrides the conftest's API: this one talks to the real Rasa started below."""
    yield from api_server_factory(RASA_URL=f"http://127.0.0.1:{rasa_port}", RASA_TOKEN=RASA_TOKEN)


@pytest.fixture(scope="module")
def rasa_server(action_server, rasa_port, tmp_path_factory):
    require_built(MODEL, f"the trained chatbot ({MODEL})")
    require_built(BOT_RASA, "the chatbot's environment (.venv-bot)")
    command = [
        str(BOT_RASA),
        "run",
        "--enable-api",
        "--auth-token",
        RASA_TOKEN,
        "--model",
        str(MODEL),
        "--endpoints",
        "endpoints.yml",
        "--interface",
        "127.0.0.1",
        "--port",
        str(rasa_port),
    ]
    base_url = f"http://127.0.0.1:{rasa_port}"

    def loaded() -> bool:
        status = httpx.get(f"{base_url}/status", params={"token": RASA_TOKEN}, timeout=2)
        return status.status_code == 200 and bool(status.json().get("model_file"))

    env = {
        "ACTION_ENDPOINT_URL": f"{action_server}/webhook",
        "RASA_TRACKER_DB": str(tmp_path_factory.mktemp("rasa-tracker") / "tracker.db"),
    }
    with running_process(command, env, loaded, tmp_path_factory, "rasa", RASA_STARTUP_SECONDS):
        yield base_url


@pytest.fixture
def stack(actions_api, rasa_server, chatbot_account, catalogue):
    """Everything up, the chatbot's machine account and the catalogue seeded: the API's URL."""
    return actions_api


def chat(api_url: str, message: str, headers=None, conversation_id=None, key=None) -> dict:
    """One message; `key` is the anonymous conversation's key from its first answer."""
    body = {"message": message}
    if conversation_id:
        body["conversation_id"] = conversation_id
    headers = {**(headers or {}), **({"X-Conversation-Key": key} if key else {})}
    response = httpx.post(f"{api_url}/chat", json=body, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def said(reply: dict) -> str:
    return "\n".join(message["text"] for message in reply["replies"])


def submit_dossier(app, person) -> str:
    from api.citizens.service import get_citizen
    from api.dossiers import service
    from api.extensions import db
    from tests.dossiers.samples import VALID_FORMS

    with app.app_context():
        dossier = service.submit(get_citizen(person["id"]), "tam-tru", VALID_FORMS["tam-tru"])
        code = dossier.code
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
        db.session.remove()
        return code


def test_a_signed_in_citizen_asks_where_their_dossier_is(app, stack, citizen_headers):
    headers, person, _ = citizen_headers()
    code = submit_dossier(app, person)

    reply = chat(stack, f"hồ sơ {code} của tôi đến đâu rồi", headers)

    assert reply["status"] == "bot"
    assert code in said(reply)
    assert "Mới đăng ký" in said(reply)  # status 1, as the API reports it
    # Another citizen asking for the same code learns nothing about it.
    stranger, _, _ = citizen_headers(full_name="Trần Văn Bình", sex="male")
    other = said(chat(stack, f"hồ sơ {code} của tôi đến đâu rồi", stranger))
    assert "Mới đăng ký" not in other and "tạm trú" not in other.lower()


def test_an_anonymous_citizen_is_asked_for_the_code_and_the_cccd_digits(app, stack, citizen_headers):
    _, person, _ = citizen_headers()
    code = submit_dossier(app, person)

    first = chat(stack, "tôi muốn tra cứu hồ sơ")
    conversation, key = first["conversation_id"], first["conversation_key"]
    assert "mã hồ sơ" in said(first).lower()
    second = chat(stack, code, conversation_id=conversation, key=key)
    assert "4 số cuối" in said(second)
    third = chat(stack, person["cccd"][-4:], conversation_id=conversation, key=key)
    assert "Mới đăng ký" in said(third)


def test_a_signed_in_citizen_asks_about_their_fines_and_how_to_pay(stack, citizen_headers, issue_fine):
    headers, person, _ = citizen_headers()
    issue_fine(person)  # 47A-123.45, vượt đèn đỏ, 18.000.000 đồng, to confirm first

    fines = said(chat(stack, "tôi có bị phạt nguội không", headers))
    assert "Bạn có 1 vi phạm chưa nộp phạt, tổng số tiền 18.000.000 đồng" in fines
    assert "47A-123.45" in fines and "bạn cần xác nhận hành vi vi phạm" in fines
    assert person["cccd"] not in fines

    paying = said(chat(stack, "nộp phạt online thế nào", headers))
    assert "Cần xác nhận hành vi vi phạm trước khi nộp:" in paying and "18.000.000 đồng" in paying
    assert "Nộp phạt trực tuyến trên ứng dụng Công dân số:" in paying

    # Another citizen asking the same learns nothing about it.
    stranger, _, _ = citizen_headers(full_name="Trần Văn Bình", sex="male")
    other = said(chat(stack, "tôi có bị phạt nguội không", stranger))
    assert "không có vi phạm giao thông nào chưa nộp phạt đứng tên bạn" in other
    assert "18.000.000" not in other


def test_an_anonymous_citizen_is_asked_for_a_plate_and_again_for_a_wrong_one(
    stack, citizen_headers, issue_fine
):
    _, person, _ = citizen_headers()
    issue_fine(person)

    first = chat(stack, "tra phạt nguội")
    conversation, key = first["conversation_id"], first["conversation_key"]
    assert "biển số xe cần tra cứu" in said(first)
    wrong = said(chat(stack, "47O-123.45", conversation_id=conversation, key=key))
    assert "gõ nhầm chữ O thành số 0" in wrong and "biển số xe cần tra cứu" in wrong
    answer = said(chat(stack, "47a 123 45", conversation_id=conversation, key=key))
    assert "Biển số 47A-123.45 có 1 vi phạm chưa nộp phạt (thông tin tra cứu công khai" in answer
    assert "VNeID" in answer and person["cccd"] not in answer
    # A plate in the question itself: checked as the form opens, answered at once.
    direct = said(chat(stack, "xe 47a12345 có bị phạt nguội không"))
    assert direct.startswith("Biển số 47A-123.45 có 1 vi phạm chưa nộp phạt")


def test_a_signed_in_citizen_reports_a_broken_street_light_and_finds_it_in_the_app(stack, citizen_headers):
    headers, _, _ = citizen_headers()
    answers = {  # what the form may still ask, and the citizen's answer
        "phường, xã nào": "Buôn Ma Thuột",
        "Địa chỉ cụ thể": "trước số 12 Lê Duẩn",
        "xảy ra lúc nào": "tối qua",
        "mô tả sự việc": "đèn đường hỏng cả đoạn, tối đi rất nguy hiểm",
        "lĩnh vực nào": "Đèn đường hỏng",
        "xác nhận gửi": "đồng ý",
    }

    reply = chat(stack, "đèn đường trước nhà tôi hỏng mấy hôm nay, tối đi rất nguy hiểm", headers)
    conversation = reply["conversation_id"]
    for _ in range(len(answers) + 2):
        text = said(reply)
        if "Đã gửi phản ánh" in text:
            break
        asked = [answer for question, answer in answers.items() if question in text]
        assert asked, f"the bot asked something unexpected: {text}"
        if "xác nhận gửi" in text:
            assert "Đèn đường hỏng" in text and "Phường Buôn Ma Thuột" in text
        reply = chat(stack, asked[-1], headers, conversation)

    assert 'Đã gửi phản ánh "Đèn đường hỏng" tại Phường Buôn Ma Thuột' in said(reply)
    [mine] = httpx.get(f"{stack}/me/reports", headers=headers, timeout=10).json()
    assert mine["category"]["code"] == "den-duong-hong" and mine["ward"]["code"] == "24133"
    assert mine["status"] == "received" and mine["address"] == "trước số 12 Lê Duẩn"


def test_an_emergency_gets_the_numbers_at_once(stack):
    reply = said(chat(stack, "nhà hàng xóm đang cháy to lắm"))
    assert "114" in reply and "113" in reply and "115" in reply


def test_a_citizen_reaches_an_agent_in_the_workspace_and_back(
    stack, rasa_server, citizen_headers, make_staff
):
    from playwright.sync_api import expect, sync_playwright

    chromium = shutil.which("chromium")
    require_built(Path(chromium) if chromium else None, "Debian's chromium")
    agent = make_staff("agent", full_name="Nguyễn Thu Hằng")
    httpx.put(  # on duty from the start: the handoff must find someone
        f"{stack}/agent/presence",
        json={"on_duty": True},
        headers=_staff_headers(stack, agent),
        timeout=10,
    ).raise_for_status()
    headers, _, _ = citizen_headers(full_name="Lê Thị Mai")

    asked = chat(stack, "cho tôi gặp tổng đài viên", headers)
    conversation = asked["conversation_id"]
    assert asked["status"] == "waiting", said(asked)
    assert "tổng đài viên" in said(asked)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="vi-VN")
        page.goto(f"{stack}/workspace/agent")
        page.get_by_label("Tên đăng nhập").fill(agent["username"])
        page.get_by_label("Mật khẩu").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        entry = page.locator(".agent-queue li", has_text="Lê Thị Mai")
        expect(entry).to_be_visible(timeout=15_000)
        expect(entry).to_contain_text("Công dân yêu cầu gặp tổng đài viên")
        entry.get_by_role("button").click()
        # The transcript comes from Rasa's tracker: the citizen's words and the bot's answer.
        transcript = page.get_by_role("log", name="Nội dung cuộc trò chuyện")
        expect(transcript).to_contain_text("cho tôi gặp tổng đài viên", timeout=10_000)
        expect(page.get_by_text("Trợ lý ảo đang gián đoạn")).to_have_count(0)

        page.get_by_label("Trả lời công dân").fill("Chào chị Mai, tôi là tổng đài viên. Chị cần hỗ trợ gì ạ?")
        page.get_by_role("button", name="Gửi", exact=True).click()
        expect(transcript.locator(".agent-turn-agent")).to_contain_text("tôi là tổng đài viên")

        # The citizen's app sees the agent's reply; while the agent has the chat, the bot is quiet.
        messages = httpx.get(f"{stack}/chat/conversations/{conversation}/messages", headers=headers).json()
        assert messages["status"] == "with_agent"
        assert messages["messages"][-1]["sender"] == "agent"
        quiet = chat(stack, "tôi muốn hỏi về đăng ký tạm trú", headers, conversation)
        assert quiet["replies"] == [] and quiet["status"] == "with_agent"
        # ... and her words reach the agent's open transcript by themselves.
        expect(transcript).to_contain_text("tôi muốn hỏi về đăng ký tạm trú", timeout=10_000)

        page.get_by_role("button", name="Kết thúc, trả lại cho trợ lý ảo").click()
        expect(entry).to_have_count(0, timeout=10_000)
        expect(transcript).to_contain_text("Bạn có hài lòng với cuộc trò chuyện này không?")

        # The citizen is asked how satisfied she was, and answers; the API keeps it, not Rasa.
        closing = httpx.get(f"{stack}/chat/conversations/{conversation}/messages", headers=headers).json()
        assert closing["messages"][-1]["kind"] == "rating_request"
        rated = httpx.post(
            f"{stack}/chat/conversations/{conversation}/rating",
            json={"rating": 5},
            headers=headers,
            timeout=10,
        )
        assert rated.status_code == 200, rated.text
        expect(transcript).to_contain_text("Cảm ơn bạn đã đánh giá: Rất hài lòng (5/5)", timeout=10_000)
        browser.close()

    tracker = httpx.get(
        f"{rasa_server}/conversations/{conversation}/tracker", params={"token": RASA_TOKEN}, timeout=10
    ).json()
    said_by_her = [event.get("text") for event in tracker["events"] if event.get("event") == "user"]
    assert "5" not in said_by_her and not any("hài lòng" in (text or "") for text in said_by_her)

    # Closing resumed the bot: it answers again.
    again = chat(stack, "xin chào", headers, conversation)
    assert again["status"] == "bot"
    assert "trợ lý ảo" in said(again).lower()


def _staff_headers(api_url: str, staff: dict) -> dict:
    signed_in = httpx.post(
        f"{api_url}/auth/staff/login",
        json={"username": staff["username"], "password": staff["password"]},
        timeout=10,
    )
    signed_in.raise_for_status()
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


# ---- the citizen app's chat (tests/app/test_chat.py tests it without Rasa) ---------------------


def test_the_real_assistant_answers_in_the_citizen_app(phone: Page, stack):  # noqa: F811 (fixture)
    page = phone
    page.goto(f"{stack}/app/chat")
    send(page, "xin chào")
    expect(log_of(page).locator(".bubble-bot").first).to_contain_text("Tôi là trợ lý ảo Công dân số")
    expect(page.get_by_role("status").filter(has_text="Trả lời tự động")).to_be_visible()
    expect(page.get_by_role("heading", name="Cần hỗ trợ ngay?")).to_be_hidden()
    screenshot(page, "chat-real-assistant")
    assert_accessible(page, "the chat with the real assistant")

    # The trained bot offers no buttons yet; the app's own suggestions go the same way as a tap.
    page.get_by_role("button", name="Trò chuyện mới").click()
    page.get_by_role("button", name="Tra cứu phạt nguội").click()
    expect(log_of(page).locator(".bubble-citizen")).to_contain_text("tra phạt nguội")
    expect(log_of(page).locator(".bubble-bot").last).to_contain_text("biển số xe cần tra cứu")
