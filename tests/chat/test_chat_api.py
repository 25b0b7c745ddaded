"""The chat API with the chatbot down (the suite's RASA_URL points at a closed port).

What a citizen and an agent notice: the message is never lost and the citizen gets the hotline;
the conversation waits in the agents' queue; agents take it, reply, close; nobody reads another
citizen's conversation. The path through a running Rasa is in test_end_to_end.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from api.workdays import VIETNAM


@pytest.fixture
def chatbot_headers(app, client):
    """The chatbot's action server as the API knows it: a machine account with chat:handoff."""
    from api.auth import service
    from api.extensions import db

    with app.app_context():
        service.create_service_account("chatbot-test", "Chatbot", ["chat:handoff"], "secret-for-tests-0123")
        service.create_service_account("other-machine", "Khác", ["catalogue:read"], "secret-for-tests-4567")
        db.session.commit()

    def headers(client_id="chatbot-test", secret="secret-for-tests-0123"):
        token = client.post("/auth/service/token", json={"client_id": client_id, "client_secret": secret})
        assert token.status_code == 200, token.json
        return {"Authorization": f"Bearer {token.json['access_token']}"}

    return headers


@pytest.fixture
def agent(client, staff_headers):
    """A signed-in agent who is on duty."""
    headers, _ = staff_headers("agent")
    assert client.put("/agent/presence", json={"on_duty": True}, headers=headers).status_code == 200
    return headers


def keyed(exchange: dict) -> dict:
    """The header that opens an anonymous conversation: its key, given with its first answer."""
    return {"X-Conversation-Key": exchange["conversation_key"]}


def messages(client, conversation_id, headers=None, after=0):
    response = client.get(
        f"/chat/conversations/{conversation_id}/messages?after={after}", headers=headers or {}
    )
    assert response.status_code == 200, response.json
    return response.json


# ---- the citizen's side ---------------------------------------------------------------------


def test_chatbot_down_keeps_the_message_and_gives_the_hotline(client, agent):
    sent = client.post("/chat", json={"message": "  làm lại căn cước cần giấy tờ gì  "})

    assert sent.status_code == 202
    assert sent.json["bot_available"] is False
    assert sent.json["status"] == "waiting"
    [note] = sent.json["replies"]
    assert note["sender"] == "system"
    assert "1900 0368" in note["text"] and "113" in note["text"]

    history = messages(client, sent.json["conversation_id"], keyed(sent.json))
    assert [(m["sender"], m["text"]) for m in history["messages"]] == [
        ("citizen", "làm lại căn cước cần giấy tờ gì"),
        ("system", note["text"]),
    ]
    # ... and an agent sees the question in the queue.
    [queued] = client.get("/agent/handoffs", headers=agent).json
    assert queued["conversation_id"] == sent.json["conversation_id"]
    assert queued["reason"] == "bot_unavailable"
    assert queued["last_message"] == "làm lại căn cước cần giấy tờ gì"
    assert queued["citizen"] is None  # anonymous


def test_a_second_message_joins_the_same_waiting_conversation(client, agent):
    first = client.post("/chat", json={"message": "xin chào"}).json
    second = client.post(
        "/chat",
        json={"message": "có ai không", "conversation_id": first["conversation_id"]},
        headers=keyed(first),
    )
    # An agent will answer: the message is stored for them, the bot is not asked.
    assert second.status_code == 200
    assert (second.json["status"], second.json["replies"]) == ("waiting", [])
    assert len(client.get("/agent/handoffs", headers=agent).json) == 1
    assert [
        m["text"]
        for m in messages(client, first["conversation_id"], keyed(first))["messages"]
        if m["sender"] == "citizen"
    ] == [
        "xin chào",
        "có ai không",
    ]


def test_a_citizens_conversation_is_theirs_alone(client, citizen_headers):
    alice, _, _ = citizen_headers()
    bob, _, _ = citizen_headers(full_name="Trần Văn Bình", sex="male")
    conversation_id = client.post("/chat", json={"message": "hồ sơ của tôi"}, headers=alice).json[
        "conversation_id"
    ]

    for headers in (bob, {}):
        assert (
            client.get(f"/chat/conversations/{conversation_id}/messages", headers=headers).status_code == 404
        )
        written = client.post(
            "/chat", json={"message": "xem trộm", "conversation_id": conversation_id}, headers=headers
        )
        assert written.status_code == 404
        assert written.json["code"] == "conversation_not_found"
    texts = [m["text"] for m in messages(client, conversation_id, alice)["messages"]]
    assert "xem trộm" not in texts


def test_anonymous_conversation_is_not_readable_by_a_signed_in_citizen(client, citizen_headers):
    headers, _, _ = citizen_headers()
    first = client.post("/chat", json={"message": "alo"}).json
    conversation_id = first["conversation_id"]
    assert (
        client.get(
            f"/chat/conversations/{conversation_id}/messages", headers={**headers, **keyed(first)}
        ).status_code
        == 404
    )
    assert client.get(f"/chat/conversations/{uuid.uuid4()}/messages", headers=keyed(first)).status_code == 404


def test_an_anonymous_conversation_opens_only_with_the_key_given_when_it_began(client, citizen_headers):
    """Its id travels widely (agents, Rasa, logs): someone holding only the id reads nothing."""
    first = client.post("/chat", json={"message": "Tôi ở số 12 Lê Duẩn, gọi tôi 0771816477"}).json
    conversation_id, key = first["conversation_id"], first["conversation_key"]
    assert len(key) >= 32
    url = f"/chat/conversations/{conversation_id}/messages"

    for wrong in ({}, {"X-Conversation-Key": key[:-1] + ("A" if key[-1] != "A" else "B")}):
        read = client.get(url, headers=wrong)
        assert read.status_code == 404 and read.json["code"] == "conversation_not_found"
        assert "0771816477" not in read.get_data(as_text=True)
        written = client.post(
            "/chat", json={"message": "cho xem", "conversation_id": conversation_id}, headers=wrong
        )
        assert written.status_code == 404
    # The holder of the key continues it; the key is given once, not with every answer.
    second = client.post(
        "/chat", json={"message": "còn đó không", "conversation_id": conversation_id}, headers=keyed(first)
    )
    assert second.status_code == 200 and second.json["conversation_key"] is None
    texts = [m["text"] for m in messages(client, conversation_id, keyed(first))["messages"]]
    assert "còn đó không" in texts and "cho xem" not in texts
    # A signed-in citizen's conversation needs no key: it is theirs by their sign-in.
    headers, _, _ = citizen_headers()
    assert client.post("/chat", json={"message": "alo"}, headers=headers).json["conversation_key"] is None


def test_the_agent_sees_who_is_waiting(client, agent, citizen_headers):
    headers, _, _ = citizen_headers(full_name="Lê Thị Mai")
    client.post("/chat", json={"message": "cho tôi gặp người thật"}, headers=headers)
    [queued] = client.get("/agent/handoffs", headers=agent).json
    assert queued["citizen"] == {"full_name": "Lê Thị Mai", "identity_level": 2}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": 42}, "message"),
        ({"message": "a" * 1001}, "message"),
        ({"message": "chào", "conversation_id": "không-phải-mã"}, "conversation_id"),
        ({"message": "chào", "admin": True}, "admin"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_written(app, client, body, field):
    from api.chat.models import ChatMessage, Conversation
    from api.extensions import db

    response = client.post("/chat", json=body)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in {error["field"] for error in response.json["errors"]}
    with app.app_context():
        assert db.session.query(Conversation).count() == 0
        assert db.session.query(ChatMessage).count() == 0


def test_a_blank_message_is_refused(client):
    response = client.post("/chat", json={"message": "   \n "})
    assert response.status_code == 422
    assert response.json["code"] == "empty_message"


def test_a_huge_body_is_refused(client):
    response = client.post(
        "/chat", data='{"message": "' + "a" * 2_000_000 + '"}', content_type="application/json"
    )
    assert response.status_code == 413


def test_staff_cannot_chat_as_citizens(client, staff_headers):
    headers, _ = staff_headers("officer")
    response = client.post("/chat", json={"message": "xin chào"}, headers=headers)
    assert response.status_code == 403
    assert response.json["code"] == "chat_citizens_only"


def test_a_forged_token_is_refused_not_treated_as_anonymous(client):
    response = client.post(
        "/chat", json={"message": "xin chào"}, headers={"Authorization": "Bearer abc.def.ghi"}
    )
    assert response.status_code == 401


# ---- the chatbot asks for a human -----------------------------------------------------------


def _conversation(client, headers=None) -> str:
    return _begin(client, headers)["conversation_id"]


def _begin(client, headers=None) -> dict:
    return client.post("/chat", json={"message": "xin chào"}, headers=headers or {}).json


def _close_bot_unavailable_handoffs(client, agent):
    """Conversations start with the bot down here; clear those handoffs to test the bot's own."""
    for handoff in client.get("/agent/handoffs", headers=agent).json:
        assert client.post(f"/agent/handoffs/{handoff['id']}/close", headers=agent).status_code == 200


def test_handoff_queues_the_conversation_in_order(client, agent, chatbot_headers):
    began = _begin(client)
    first, second = began["conversation_id"], _conversation(client)
    _close_bot_unavailable_handoffs(client, agent)
    bot = chatbot_headers()

    one = client.post(
        "/chat/handoffs", json={"conversation_id": first, "reason": "request_human"}, headers=bot
    )
    two = client.post("/chat/handoffs", json={"conversation_id": second, "reason": "fallback"}, headers=bot)
    again = client.post(
        "/chat/handoffs", json={"conversation_id": first, "reason": "request_human"}, headers=bot
    )

    assert one.status_code == 200
    assert (one.json["queued"], one.json["position"]) == (True, 1)
    assert (two.json["queued"], two.json["position"]) == (True, 2)
    assert "1 người đang chờ" in two.json["message"]
    assert again.json["handoff_id"] == one.json["handoff_id"]  # asking twice keeps one place
    queue = client.get("/agent/handoffs", headers=agent).json
    assert [(h["conversation_id"], h["reason"]) for h in queue] == [
        (first, "request_human"),
        (second, "fallback"),
    ]
    assert messages(client, first, keyed(began))["status"] == "waiting"


def test_out_of_hours_the_bot_gives_the_hotline(app, client, agent, chatbot_headers, monkeypatch):
    conversation_id = _conversation(client)
    _close_bot_unavailable_handoffs(client, agent)
    monkeypatch.setitem(app.config, "CHAT_AGENT_HOURS", "07:30-07:31")
    response = client.post(
        "/chat/handoffs",
        json={"conversation_id": conversation_id, "reason": "request_human"},
        headers=chatbot_headers(),
    )
    assert response.json["queued"] is False
    assert response.json["reason"] == "out_of_hours"
    assert "1900 0368" in response.json["message"] and "07:30–07:31" in response.json["message"]
    assert client.get("/agent/handoffs", headers=agent).json == []


def test_with_no_agent_on_duty_the_bot_gives_the_hotline(client, staff_headers, chatbot_headers):
    conversation_id = _conversation(client)
    headers, _ = staff_headers("agent")
    client.put("/agent/presence", json={"on_duty": True}, headers=headers)
    _close_bot_unavailable_handoffs(client, headers)
    client.put("/agent/presence", json={"on_duty": False}, headers=headers)

    response = client.post(
        "/chat/handoffs",
        json={"conversation_id": conversation_id, "reason": "request_human"},
        headers=chatbot_headers(),
    )
    assert (response.json["queued"], response.json["reason"]) == (False, "no_agent_on_duty")
    assert "1900 0368" in response.json["message"]


def test_agent_hours_follow_working_days_and_spans(app, monkeypatch):
    from api.chat import service

    monkeypatch.setitem(app.config, "CHAT_AGENT_HOURS", "07:30-11:30,13:30-17:00")
    monkeypatch.setitem(app.config, "CHAT_AGENT_WORKING_DAYS_ONLY", True)
    monday_morning = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
    with app.app_context():
        assert service.agents_unavailable(monday_morning) == "no_agent_on_duty"  # in hours, nobody there
        assert service.agents_unavailable(monday_morning.replace(hour=12)) == "out_of_hours"  # lunch
        assert (
            service.agents_unavailable(datetime(2026, 11, 22, 9, 0, tzinfo=VIETNAM)) == "out_of_hours"
        )  # Sunday
        assert (
            service.agents_unavailable(datetime(2026, 9, 2, 9, 0, tzinfo=VIETNAM)) == "out_of_hours"
        )  # Quốc khánh
        assert "07:30–11:30 và 13:30–17:00, các ngày làm việc" in service.describe_agent_hours()


def test_handoff_needs_the_chatbots_scope(client, chatbot_headers, citizen_headers):
    conversation_id = _conversation(client)
    body = {"conversation_id": conversation_id, "reason": "request_human"}
    assert client.post("/chat/handoffs", json=body).status_code == 401
    assert client.post("/chat/handoffs", json=body, headers=citizen_headers()[0]).status_code == 403
    other = chatbot_headers("other-machine", "secret-for-tests-4567")
    assert client.post("/chat/handoffs", json=body, headers=other).status_code == 403


def test_handoff_for_an_unknown_conversation_or_reason(client, chatbot_headers):
    bot = chatbot_headers()
    unknown = client.post(
        "/chat/handoffs", json={"conversation_id": str(uuid.uuid4()), "reason": "fallback"}, headers=bot
    )
    assert unknown.status_code == 404
    bad = client.post(
        "/chat/handoffs", json={"conversation_id": _conversation(client), "reason": "bored"}, headers=bot
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "reason"


# ---- the agents' console --------------------------------------------------------------------


def test_agent_takes_replies_and_closes(app, client, agent, staff_headers, citizen_headers):
    citizen, _, _ = citizen_headers()
    conversation_id = _conversation(client, citizen)
    [handoff] = client.get("/agent/handoffs", headers=agent).json
    seen = messages(client, conversation_id, citizen)["messages"][-1]["id"]

    taken = client.post(f"/agent/handoffs/{handoff['id']}/accept", headers=agent)
    assert taken.status_code == 200 and taken.json["status"] == "active"
    other_agent, _ = staff_headers("agent")
    refused = client.post(
        f"/agent/handoffs/{handoff['id']}/messages", json={"text": "Tôi giúp"}, headers=other_agent
    )
    assert refused.status_code == 409 and refused.json["code"] == "handoff_taken"

    replied = client.post(
        f"/agent/handoffs/{handoff['id']}/messages",
        json={"text": "Chào anh, tôi là tổng đài viên."},
        headers=agent,
    )
    assert replied.status_code == 201
    news = messages(client, conversation_id, citizen, after=seen)
    assert news["status"] == "with_agent"
    assert [(m["sender"], m["text"]) for m in news["messages"]] == [
        ("agent", "Chào anh, tôi là tổng đài viên.")
    ]

    detail = client.get(f"/agent/handoffs/{handoff['id']}", headers=agent).json
    assert detail["transcript_source"] == "api"  # the chatbot is down: the API's own copy
    assert [t["sender"] for t in detail["transcript"]] == ["citizen", "system", "agent"]

    closed = client.post(f"/agent/handoffs/{handoff['id']}/close", headers=agent)
    assert closed.json["status"] == "closed"
    assert messages(client, conversation_id, citizen)["status"] == "bot"
    again = client.post(f"/agent/handoffs/{handoff['id']}/close", headers=agent)
    assert again.status_code == 409 and again.json["code"] == "handoff_closed"
    late = client.post(
        f"/agent/handoffs/{handoff['id']}/messages", json={"text": "còn đó không"}, headers=agent
    )
    assert late.status_code == 409

    admin, _ = staff_headers("admin")
    audit = client.get("/admin/audit", headers=admin).json
    actions = {entry["action"] for entry in audit}
    assert {
        "chat.handoff_accepted",
        "chat.agent_replied",
        "chat.transcript_read",
        "chat.handoff_closed",
    } <= actions


def test_an_agents_reply_to_a_waiting_chat_takes_it(client, agent):
    began = _begin(client)
    [handoff] = client.get("/agent/handoffs", headers=agent).json
    client.post(f"/agent/handoffs/{handoff['id']}/messages", json={"text": "Tôi nghe đây ạ"}, headers=agent)
    [queued] = client.get("/agent/handoffs", headers=agent).json
    assert queued["status"] == "active" and queued["agent_name"] == "Cán bộ agent"
    assert messages(client, began["conversation_id"], keyed(began))["messages"][-1]["sender"] == "agent"


def test_only_agents_use_the_console_endpoints(client, staff_headers, citizen_headers):
    officer, _ = staff_headers("officer")
    for headers in (officer, citizen_headers()[0]):
        assert client.get("/agent/handoffs", headers=headers).status_code == 403
        assert client.put("/agent/presence", json={"on_duty": True}, headers=headers).status_code == 403
    assert client.get("/agent/handoffs").status_code == 401
    agent, _ = staff_headers("agent")
    assert client.get(f"/agent/handoffs/{uuid.uuid4()}", headers=agent).status_code == 404
    assert client.post("/agent/handoffs/x/accept", headers=agent).status_code == 404
    assert (
        client.post(f"/agent/handoffs/{uuid.uuid4()}/messages", json={"text": ""}, headers=agent).status_code
        == 422
    )


# ---- the token the chatbot acts with --------------------------------------------------------


def test_the_chat_token_reads_as_the_citizen_and_changes_nothing(app, client, citizen_headers):
    from flask_jwt_extended import decode_token

    from api.chat.service import _chat_token
    from api.policy import Principal

    headers, person, pair = citizen_headers()
    with app.test_request_context():
        token = _chat_token(Principal.from_claims(decode_token(pair["access_token"])))
    delegated = {"Authorization": f"Bearer {token}"}

    assert client.get("/me", headers=delegated).json["cccd"] == person["cccd"]
    refused = client.post("/auth/logout", headers=delegated)
    assert refused.status_code == 403 and refused.json["code"] == "delegated_token_read_only"
    # Signing out ends the citizen's session, and with it the chatbot's token.
    assert client.post("/auth/logout", headers=headers).status_code == 204
    assert client.get("/me", headers=delegated).status_code == 401
