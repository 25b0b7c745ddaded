"""The chatbot's custom actions, run by the real action server against the real API.

What a citizen notices: procedure answers carry the catalogue's own documents and fees; a
signed-in citizen sees their dossiers and nobody else's; an anonymous one needs the code and the
last four CCCD digits; a stale or forged sign-in gets a polite "sign in again" and no data;
asking for a human puts the conversation in the agents' queue and silences the bot, or gives the
hotline when nobody can take it.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from api.dossiers.catalogue import data
from tests.chat.conftest import action_event, entity, said, user_event
from tests.dossiers.samples import VALID_FORMS


def apply(client, headers, procedure="tam-tru") -> str:
    response = client.post(
        "/me/dossiers", headers=headers, json={"procedure_code": procedure, "form": VALID_FORMS[procedure]}
    )
    assert response.status_code == 201, response.json
    return response.json["code"]


def events(result) -> list[str]:
    return [event["event"] for event in result["events"]]


def access_token(headers: dict) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


# ---- procedures, from the catalogue -------------------------------------------------------------


def test_birth_registration_is_answered_with_the_catalogues_documents_and_fee(actions, catalogue):
    result = actions.run(
        "action_ask_procedure",
        text="làm giấy khai sinh cần những gì",
        intent="ask_procedure",
        entities=[entity("procedure", "khai sinh")],
    )

    answer = said(result)
    procedure = data.KHAI_SINH
    assert procedure["name"] in answer
    for document in procedure["documents"]:
        assert document["name"] in answer
    assert "Lệ phí: Miễn phí" in answer  # the catalogue's fee_text for a free procedure
    assert procedure["fee_note"] in answer
    assert "1 ngày làm việc" in answer
    assert procedure["authority_name"] in answer
    assert procedure["legal_basis"] in answer
    assert "toàn trình" in answer


def test_a_procedure_is_found_from_the_question_when_nlu_named_none(actions, catalogue):
    answer = said(
        actions.run("action_ask_procedure", text="đổi bằng lái xe online được không", intent="ask_procedure")
    )

    driving_licence = next(p for p in data.PROCEDURES if p["code"] == "doi-gplx")
    assert driving_licence["name"] in answer
    assert driving_licence["authority_name"] in answer


def test_the_question_decides_between_close_matches(actions, catalogue):
    answer = said(
        actions.run(
            "action_ask_procedure",
            text="thủ tục làm thẻ bhyt cho bé dưới 6 tuổi",
            intent="ask_procedure",
            entities=[entity("procedure", "thẻ BHYT")],
        )
    )
    assert answer.startswith("Thủ tục Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi")


def test_a_procedure_missing_from_the_catalogue_is_not_invented(actions, catalogue):
    answer = said(
        actions.run(
            "action_ask_procedure",
            text="làm lại căn cước cần giấy tờ gì",
            intent="ask_procedure",
            entities=[entity("procedure", "căn cước")],
        )
    )
    assert 'chưa tìm thấy thủ tục "căn cước"' in answer
    assert "Đăng ký khai sinh" in answer  # suggestions come from the catalogue
    assert "Thành phần hồ sơ" not in answer and "Lệ phí" not in answer


def test_a_question_naming_no_procedure_gets_examples(actions, catalogue):
    answer = said(
        actions.run(
            "action_ask_procedure", text="làm thủ tục trên app bắt đầu từ đâu", intent="ask_procedure"
        )
    )
    assert answer.startswith("Bạn muốn hỏi thủ tục nào ạ?")
    assert "Đăng ký tạm trú" in answer


# ---- dossier status -------------------------------------------------------------------------


@pytest.fixture
def two_applicants(client, citizen_headers, catalogue):
    """Two citizens with dossiers of their own: (headers, person, codes) each."""
    people = []
    for name in ("Nguyễn Thị Hoa", "Trần Văn Bình"):
        headers, person, _ = citizen_headers(full_name=name)
        codes = [apply(client, headers), apply(client, headers, "tam-vang")]
        people.append((headers, person, codes))
    return people


def test_a_signed_in_citizen_sees_their_own_dossiers_only(actions, two_applicants):
    (mine, _, my_codes), (_, _, their_codes) = two_applicants

    result = actions.run(
        "action_check_dossier_status",
        text="hồ sơ của tôi đến đâu rồi",
        intent="check_dossier_status",
        metadata={"cds_token": access_token(mine)},
    )

    answer = said(result)
    assert "Bạn có 2 hồ sơ" in answer
    for code in my_codes:
        assert code in answer
    for code in their_codes:
        assert code not in answer
    assert "Đăng ký tạm trú: Mới đăng ký" in answer
    # The lookup's slots are cleared: the next question may be about another dossier.
    assert {"event": "slot", "name": "dossier_code", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in result["events"]
    ]


def test_a_signed_in_citizen_asking_for_someone_elses_dossier_learns_nothing(actions, two_applicants):
    (mine, _, _), (_, _, their_codes) = two_applicants

    answer = said(
        actions.run(
            "action_check_dossier_status",
            text=f"hồ sơ {their_codes[0]} đến đâu rồi",
            intent="check_dossier_status",
            slots={"dossier_code": their_codes[0]},
            metadata={"cds_token": access_token(mine)},
        )
    )
    assert f"không thấy hồ sơ {their_codes[0]} trong các hồ sơ của bạn" in answer
    assert "Mới đăng ký" not in answer and "Trạng thái" not in answer


def test_a_signed_in_citizen_gets_one_dossier_in_detail(actions, two_applicants):
    (mine, _, my_codes), _ = two_applicants

    answer = said(
        actions.run(
            "action_check_dossier_status",
            text="tra cứu hồ sơ",
            intent="check_dossier_status",
            slots={"dossier_code": my_codes[0].replace("-", " - ")},
            metadata={"cds_token": access_token(mine)},
        )
    )
    assert f"Hồ sơ {my_codes[0]} – Đăng ký tạm trú:" in answer
    assert "Trạng thái: Mới đăng ký." in answer
    assert "Hạn giải quyết:" in answer


def test_the_lookup_form_asks_a_signed_in_citizen_nothing(actions):
    result = actions.run(
        "validate_dossier_lookup_form",
        text="hồ sơ của tôi đến đâu rồi",
        intent="check_dossier_status",
        metadata={"cds_token": "a-token-of-a-signed-in-citizen"},
        active_loop="dossier_lookup_form",
    )
    assert {"event": "slot", "name": "requested_slot", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in result["events"]
    ]
    assert said(result) == ""


def test_the_lookup_form_reads_a_spaced_code_and_refuses_a_wrong_one(actions):
    spaced = actions.run(
        "validate_dossier_lookup_form",
        text="66.24133 - 261122 - 0007",
        intent="nlu_fallback",
        slots={"dossier_code": "66.24133 - 261122 - 0007"},
        active_loop="dossier_lookup_form",
    )
    assert [e["value"] for e in spaced["events"] if e.get("name") == "dossier_code"] == [
        "66.24133-261122-0007"
    ]

    wrong = actions.run(
        "validate_dossier_lookup_form",
        text="mã là 123",
        intent="nlu_fallback",
        slots={"dossier_code": "mã là 123"},
        active_loop="dossier_lookup_form",
    )
    assert [e["value"] for e in wrong["events"] if e.get("name") == "dossier_code"] == [None]
    assert "chưa đúng dạng" in said(wrong) and "66.24133-261122-0007" in said(wrong)

    digits = actions.run(
        "validate_dossier_lookup_form",
        text="4 số cuối là 0368",
        intent="nlu_fallback",
        slots={"cccd_last4": "4 số cuối là 0368"},
        active_loop="dossier_lookup_form",
    )
    assert [e["value"] for e in digits["events"] if e.get("name") == "cccd_last4"] == ["0368"]


@pytest.mark.parametrize(("text", "expected"), [("0368", "0368"), ("4 số cuối là 0368 ạ", "0368")])
def test_digits_asked_for_fill_the_form_whatever_the_intent(actions, text, expected):
    result = actions.run(
        "validate_dossier_lookup_form",
        text=text,
        intent="faq",  # what the classifier made of a bare number: the hotline question
        slots={"dossier_code": "66.24133-261122-0007", "requested_slot": "cccd_last4"},
        active_loop="dossier_lookup_form",
    )
    assert [e["value"] for e in result["events"] if e.get("name") == "cccd_last4"] == [expected]


def test_a_question_with_digits_in_it_is_not_taken_as_the_answer(actions):
    result = actions.run(
        "validate_dossier_lookup_form",
        text="cho hỏi số tổng đài 1900 0368 làm việc mấy giờ vậy",
        intent="faq",
        slots={"dossier_code": "66.24133-261122-0007", "requested_slot": "cccd_last4"},
        active_loop="dossier_lookup_form",
    )
    assert [e for e in result["events"] if e.get("name") == "cccd_last4"] == []


def test_anonymous_lookup_with_the_right_digits_gives_the_status(actions, two_applicants):
    (_, person, codes), _ = two_applicants

    answer = said(
        actions.run(
            "action_check_dossier_status",
            text=person["cccd"][-4:],
            intent="nlu_fallback",
            slots={"dossier_code": codes[0], "cccd_last4": person["cccd"][-4:]},
        )
    )
    assert f"Hồ sơ {codes[0]} – Đăng ký tạm trú:" in answer
    assert "Trạng thái: Mới đăng ký." in answer
    assert person["cccd"] not in answer


def test_anonymous_lookup_with_wrong_digits_finds_nothing(actions, two_applicants):
    (_, person, codes), _ = two_applicants
    wrong = "0000" if not person["cccd"].endswith("0000") else "9999"

    answer = said(
        actions.run(
            "action_check_dossier_status",
            text=wrong,
            intent="nlu_fallback",
            slots={"dossier_code": codes[0], "cccd_last4": wrong},
        )
    )
    assert f"Không tìm thấy hồ sơ {codes[0]}" in answer
    assert "kiểm tra lại mã hồ sơ" in answer
    assert "Mới đăng ký" not in answer


@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"])
def test_a_forged_sign_in_gets_sign_in_again_and_no_data(actions, two_applicants, token):
    answer = said(
        actions.run(
            "action_check_dossier_status",
            text="hồ sơ của tôi",
            intent="check_dossier_status",
            metadata={"cds_token": token},
        )
    )
    assert "đăng nhập lại" in answer
    assert "Bạn có" not in answer and "Mới đăng ký" not in answer


def test_a_signed_out_citizens_token_gets_sign_in_again(actions, client, two_applicants):
    (mine, _, my_codes), _ = two_applicants
    assert client.post("/auth/logout", headers=mine).status_code == 204

    answer = said(
        actions.run(
            "action_check_dossier_status",
            text="hồ sơ của tôi",
            intent="check_dossier_status",
            metadata={"cds_token": access_token(mine)},
        )
    )
    assert "đăng nhập lại" in answer
    assert my_codes[0] not in answer


# ---- a human -------------------------------------------------------------------------------------


@pytest.fixture
def agent_on_duty(client, staff_headers):
    headers, _ = staff_headers("agent")
    assert client.put("/agent/presence", json={"on_duty": True}, headers=headers).status_code == 200
    return headers


def new_conversation(client, agent=None) -> str:
    """A conversation as the app starts it. The suite's Rasa is down, so the API queues it for
    an agent straight away: that handoff is closed, to test the bot's own request."""
    conversation_id = client.post("/chat", json={"message": "xin chào"}).json["conversation_id"]
    if agent:
        for handoff in client.get("/agent/handoffs", headers=agent).json:
            assert client.post(f"/agent/handoffs/{handoff['id']}/close", headers=agent).status_code == 200
    return conversation_id


def test_asking_for_a_human_queues_the_conversation_and_silences_the_bot(actions, client, agent_on_duty):
    conversation_id = new_conversation(client, agent_on_duty)

    result = actions.run(
        "action_handoff", text="cho tôi gặp tổng đài viên", intent="request_human", sender_id=conversation_id
    )

    assert "chuyển cuộc trò chuyện tới tổng đài viên" in said(result)
    assert events(result) == ["pause"]
    [queued] = client.get("/agent/handoffs", headers=agent_on_duty).json
    assert (queued["conversation_id"], queued["reason"]) == (conversation_id, "request_human")


def test_with_nobody_on_duty_the_citizen_gets_the_hotline_and_the_bot_stays(actions, client, staff_headers):
    headers, _ = staff_headers("agent")
    client.put("/agent/presence", json={"on_duty": True}, headers=headers)
    conversation_id = new_conversation(client, headers)
    client.put("/agent/presence", json={"on_duty": False}, headers=headers)

    result = actions.run(
        "action_handoff", text="gặp người thật", intent="request_human", sender_id=conversation_id
    )

    assert "1900 0368" in said(result)
    assert "pause" not in events(result)


def test_a_conversation_the_api_does_not_know_gets_the_hotline(actions):
    for sender_id in (str(uuid.uuid4()), "default"):
        result = actions.run(
            "action_handoff", text="gặp tổng đài", intent="request_human", sender_id=sender_id
        )
        assert "1900 0368" in said(result)
        assert result["events"] == []


def test_the_action_server_signs_in_again_when_its_session_is_revoked(actions, app, client, agent_on_duty):
    from api.auth import tokens
    from api.auth.models import ServiceAccount
    from api.extensions import db

    first = new_conversation(client, agent_on_duty)
    assert events(actions.run("action_handoff", intent="request_human", sender_id=first)) == ["pause"]
    with app.app_context():
        account = db.session.scalar(select(ServiceAccount).filter_by(client_id="chatbot-actions"))
        assert tokens.revoke_all_sessions(f"service:{account.id}", "test") >= 1
        db.session.commit()

    second = new_conversation(client, agent_on_duty)
    assert events(actions.run("action_handoff", intent="request_human", sender_id=second)) == ["pause"]


def test_one_miss_asks_to_rephrase_and_two_in_a_row_hand_over(actions, client, agent_on_duty):
    conversation_id = new_conversation(client, agent_on_duty)

    first = actions.run("action_fallback", text="xyz abc", intent="nlu_fallback", sender_id=conversation_id)
    assert [reply.get("response") for reply in first["responses"]] == ["utter_ask_rephrase"]
    assert first["events"] == []
    assert client.get("/agent/handoffs", headers=agent_on_duty).json == []

    earlier = [
        user_event("xyz abc", "nlu_fallback"),
        action_event("action_fallback"),
        action_event("action_listen"),
    ]
    second = actions.run(
        "action_fallback", text="blah blah", intent="nlu_fallback", events=earlier, sender_id=conversation_id
    )
    assert "chuyển cuộc trò chuyện tới tổng đài viên" in said(second)
    assert events(second) == ["pause"]
    [queued] = client.get("/agent/handoffs", headers=agent_on_duty).json
    assert queued["reason"] == "fallback"


def test_a_miss_after_an_understood_message_asks_to_rephrase_again(actions, client, agent_on_duty):
    conversation_id = new_conversation(client, agent_on_duty)
    earlier = [
        user_event("xyz abc", "nlu_fallback"),
        action_event("action_fallback"),
        action_event("action_listen"),
        user_event("chào bạn", "greet"),
        action_event("utter_greet"),
        action_event("action_listen"),
    ]

    result = actions.run(
        "action_fallback", text="blah blah", intent="nlu_fallback", events=earlier, sender_id=conversation_id
    )

    assert [reply.get("response") for reply in result["responses"]] == ["utter_ask_rephrase"]
    assert client.get("/agent/handoffs", headers=agent_on_duty).json == []
