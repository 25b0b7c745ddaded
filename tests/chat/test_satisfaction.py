"""The call centre's results: the citizen's satisfaction question at the end of an agent's chat,
the per-agent figures, the agents' live stream, and the old console's address.

With the chatbot down (the suite's RASA_URL answers nothing) a citizen's first message queues the
conversation for an agent, as in test_chat_api.py; the agent takes it and closes it through the
API. What is asserted is what the citizen's app and the agents' panel are told.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from tests.chat.test_chat_api import agent, keyed, messages  # noqa: F401 (fixture)
from tests.chat.test_live_events import LIVE, EventStream
from tests.conftest import serving


def closed_chat(client, agent_headers, citizen=None) -> tuple[str, dict]:
    """A conversation (the citizen's, or anonymous) an agent took, answered and closed; its id and
    the headers that open it."""
    began = client.post("/chat", json={"message": "Tôi cần hỏi về hộ chiếu"}, headers=citizen or {})
    assert began.status_code == 202, began.json
    opener = citizen or keyed(began.json)
    conversation_id = began.json["conversation_id"]
    [handoff] = [
        h
        for h in client.get("/agent/handoffs", headers=agent_headers).json
        if h["conversation_id"] == conversation_id
    ]
    replied = client.post(
        f"/agent/handoffs/{handoff['id']}/messages",
        json={"text": "Chào bạn, tôi giúp được gì?"},
        headers=agent_headers,
    )
    assert replied.status_code == 201
    assert client.post(f"/agent/handoffs/{handoff['id']}/close", headers=agent_headers).status_code == 200
    return conversation_id, opener


def rate(client, conversation_id, headers, **body):
    return client.post(f"/chat/conversations/{conversation_id}/rating", json=body, headers=headers)


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code and response.json["detail"]


# ---- the satisfaction question ---------------------------------------------------------------


def test_closing_asks_the_citizen_and_their_answer_is_kept_once(app, client, agent, citizen_headers):  # noqa: F811
    citizen, _, _ = citizen_headers()
    conversation_id, headers = closed_chat(client, agent, citizen)

    history = messages(client, conversation_id, headers)
    note, question = history["messages"][-2:]
    assert (note["sender"], note["kind"]) == ("system", None) and "kết thúc phiên hỗ trợ" in note["text"]
    assert question["sender"] == "system" and question["kind"] == "rating_request"
    assert question["text"] == "Bạn có hài lòng với cuộc trò chuyện này không?"
    assert question["buttons"] == [
        {"title": "Rất không hài lòng", "payload": "1"},
        {"title": "Không hài lòng", "payload": "2"},
        {"title": "Bình thường", "payload": "3"},
        {"title": "Hài lòng", "payload": "4"},
        {"title": "Rất hài lòng", "payload": "5"},
    ]
    assert history["status"] == "bot"

    answered = rate(client, conversation_id, headers, rating=4, comment="  Tổng đài viên rất nhiệt tình  ")
    assert answered.status_code == 200, answered.json
    assert answered.json["rating"] == 4 and answered.json["comment"] == "Tổng đài viên rất nhiệt tình"
    assert answered.json["rated_at"].endswith("+07:00")
    thanks = messages(client, conversation_id, headers)["messages"][-1]
    assert (thanks["sender"], thanks["kind"]) == ("system", "rating_thanks")
    assert "Hài lòng (4/5)" in thanks["text"]

    again = rate(client, conversation_id, headers, rating=1)
    assert_problem(again, 409, "already_rated")
    from api.chat.models import Handoff
    from api.extensions import db

    with app.app_context():
        [handoff] = db.session.query(Handoff).filter_by(conversation_id=uuid.UUID(conversation_id)).all()
        assert (handoff.rating, handoff.rating_comment) == (4, "Tổng đài viên rất nhiệt tình")
    # The answer is the API's business, not the bot's: nothing reached the chat as a message of theirs.
    assert [
        m for m in messages(client, conversation_id, headers)["messages"] if m["sender"] == "citizen"
    ] == [messages(client, conversation_id, headers)["messages"][0]]


def test_an_anonymous_chat_is_rated_with_its_key_only(client, agent, citizen_headers):  # noqa: F811
    conversation_id, key = closed_chat(client, agent)
    assert_problem(rate(client, conversation_id, {}, rating=5), 404, "conversation_not_found")
    assert_problem(
        rate(client, conversation_id, {"X-Conversation-Key": "not-the-key"}, rating=5),
        404,
        "conversation_not_found",
    )
    assert_problem(
        rate(client, conversation_id, citizen_headers()[0], rating=5), 404, "conversation_not_found"
    )
    assert rate(client, conversation_id, key, rating=5).status_code == 200


def test_only_the_owner_rates_and_only_a_closed_handoff(client, agent, citizen_headers, staff_headers):  # noqa: F811
    mai, _, _ = citizen_headers(full_name="Lê Thị Mai")
    binh, _, _ = citizen_headers(full_name="Trần Văn Bình", sex="male")
    waiting = client.post("/chat", json={"message": "alo"}, headers=mai).json["conversation_id"]
    # Nothing closed yet: nothing to rate.
    assert_problem(rate(client, waiting, mai, rating=3), 409, "nothing_to_rate")

    conversation_id, _ = closed_chat(client, agent, binh)
    # Another citizen's conversation does not exist for Mai; nor does a made-up one; staff do not chat.
    assert_problem(rate(client, conversation_id, mai, rating=1), 404, "conversation_not_found")
    assert_problem(rate(client, str(uuid.uuid4()), mai, rating=1), 404, "conversation_not_found")
    officer, _ = staff_headers("officer")
    assert_problem(rate(client, conversation_id, officer, rating=1), 403, "chat_citizens_only")

    # Bad values change nothing.
    for body in ({}, {"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 3.5}, {"rating": 3, "x": 1}):
        assert_problem(rate(client, conversation_id, binh, **body), 422, "validation_failed")
    assert_problem(rate(client, conversation_id, binh, rating=3, comment="x" * 501), 422, "validation_failed")
    assert messages(client, conversation_id, binh)["messages"][-1]["kind"] == "rating_request"
    assert rate(client, conversation_id, binh, rating=2).status_code == 200


# ---- the per-agent figures ---------------------------------------------------------------------

# 10:00 in Vietnam on 2026-11-10: 03:00 UTC.
DAY = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)


def _seed_handoff(agent_id, requested_at, wait, handling, rating=None, accepted=True):
    from api.chat.models import Conversation, Handoff
    from api.extensions import db

    conversation = Conversation()
    db.session.add(conversation)
    db.session.flush()
    db.session.add(
        Handoff(
            conversation_id=conversation.id,
            reason="request_human",
            status="closed",
            requested_at=requested_at,
            agent_id=agent_id,
            accepted_at=requested_at + wait if accepted else None,
            closed_at=requested_at + wait + (handling if accepted else timedelta(0)),
            rating=rating,
            rated_at=requested_at + wait + handling if rating else None,
        )
    )


@pytest.fixture
def seeded_figures(app, make_staff):
    """Two agents' closed handoffs in November 2026, one of them rated twice; a third agent idle."""
    from api.extensions import db

    hang = make_staff("agent", full_name="Nguyễn Thu Hằng")
    tuan = make_staff("agent", full_name="Phạm Minh Tuấn")
    idle = make_staff("agent", full_name="Đỗ Văn An")
    with app.app_context():
        minute = timedelta(minutes=1)
        # Hằng: waits 1, 3, 10 min (median 3), handling 4, 6, 20 min (median 6), ratings 5 and 2.
        _seed_handoff(hang["id"], DAY, 1 * minute, 4 * minute, rating=5)
        _seed_handoff(hang["id"], DAY + timedelta(hours=1), 3 * minute, 6 * minute, rating=2)
        _seed_handoff(hang["id"], DAY + timedelta(hours=2), 10 * minute, 20 * minute)
        # Tuấn: one taken after 2 min and helped 5 min, one closed from the queue after 8 min.
        _seed_handoff(tuan["id"], DAY, 2 * minute, 5 * minute)
        _seed_handoff(tuan["id"], DAY + timedelta(hours=3), 8 * minute, timedelta(0), accepted=False)
        # Outside the period asked: closed 23:30 on 2026-11-11 in Vietnam is 16:30 UTC on the 11th.
        _seed_handoff(hang["id"], datetime(2026, 11, 11, 16, 20, tzinfo=UTC), minute, 9 * minute, rating=1)
        db.session.commit()
    return {"hang": hang, "tuan": tuan, "idle": idle}


def test_figures_per_agent_on_seeded_handoffs(client, staff_headers, seeded_figures):
    headers, _ = staff_headers("agent")
    answer = client.get("/agent/figures?from=2026-11-01&to=2026-11-10", headers=headers)
    assert answer.status_code == 200, answer.json
    rows = {row["display_name"]: row for row in answer.json}
    assert rows["Nguyễn Thu Hằng"] == {
        "agent_id": str(seeded_figures["hang"]["id"]),
        "display_name": "Nguyễn Thu Hằng",
        "handled": 3,
        "median_wait_seconds": 180,
        "median_handling_seconds": 360,
        "satisfaction_average": 3.5,
        "satisfaction_responses": 2,
    }
    tuan = rows["Phạm Minh Tuấn"]
    # Waits 2 and 8 min: median 5 min; only the accepted one was handled for a time.
    assert (tuan["handled"], tuan["median_wait_seconds"], tuan["median_handling_seconds"]) == (2, 300, 300)
    assert (tuan["satisfaction_average"], tuan["satisfaction_responses"]) == (None, 0)
    # An agent with a quiet period still has a row; so does the agent asking (a new colleague).
    assert rows["Đỗ Văn An"]["handled"] == 0 and rows["Đỗ Văn An"]["median_wait_seconds"] is None
    assert rows["Cán bộ agent"]["handled"] == 0

    # The 11th counts by Vietnam's calendar: the handoff closed at 23:30 there is in, rated 1.
    eleventh = client.get("/agent/figures?from=2026-11-11&to=2026-11-11", headers=headers).json
    hang = next(row for row in eleventh if row["display_name"] == "Nguyễn Thu Hằng")
    assert (hang["handled"], hang["satisfaction_average"]) == (1, 1.0)


def test_figures_are_for_agents_leaders_and_admins(client, staff_headers, citizen_headers, seeded_figures):
    for role in ("leader", "admin"):
        headers, _ = staff_headers(role)
        answer = client.get("/agent/figures?from=2026-11-01&to=2026-11-10", headers=headers)
        assert answer.status_code == 200
        assert {row["display_name"] for row in answer.json} >= {"Nguyễn Thu Hằng", "Phạm Minh Tuấn"}
    for role in ("officer", "police", "comms"):
        headers, _ = staff_headers(role)
        assert client.get("/agent/figures", headers=headers).status_code == 403
    assert client.get("/agent/figures", headers=citizen_headers()[0]).status_code == 403
    assert client.get("/agent/figures").status_code == 401


def test_figures_default_to_the_last_30_days_and_refuse_bad_periods(client, staff_headers, app):
    from api.periods import resolve_period

    headers, _ = staff_headers("leader")
    assert client.get("/agent/figures", headers=headers).status_code == 200
    today = date(2026, 12, 7)
    assert resolve_period(None, None, on=today) == (date(2026, 11, 8), today)
    assert resolve_period(date(2026, 12, 1), None, on=today) == (date(2026, 12, 1), today)
    assert resolve_period(None, date(2026, 1, 30), on=today) == (date(2026, 1, 1), date(2026, 1, 30))

    assert_problem(
        client.get("/agent/figures?from=2026-11-10&to=2026-11-01", headers=headers), 422, "bad_period"
    )
    assert_problem(
        client.get("/agent/figures?from=2024-01-01&to=2026-11-01", headers=headers), 422, "period_too_long"
    )
    assert_problem(client.get("/agent/figures?from=10/11/2026", headers=headers), 422, "validation_failed")


# ---- the agents' live stream ---------------------------------------------------------------------


def test_the_agents_stream_tells_of_queue_changes_and_the_open_chats_messages(make_app, make_staff):
    with serving(make_app, **LIVE) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        agent_user = make_staff("agent")
        signed_in = http.post(
            "/auth/staff/login", json={"username": agent_user["username"], "password": agent_user["password"]}
        )
        agent_headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        with http.stream("GET", "/agent/events", headers=agent_headers) as response:
            assert response.status_code == 200
            stream = EventStream(response)
            first = stream.next_event()
            assert first.kind == "queue"
            # A citizen's chat queues for an agent: the stream says the queue changed, at once.
            began = http.post("/chat", json={"message": "Cho tôi gặp người thật"}).json()
            changed = stream.next_event()
            assert changed.kind == "queue" and changed.json()["version"] != first.json()["version"]

        [handoff] = http.get("/agent/handoffs", headers=agent_headers).json()
        detail = http.get(f"/agent/handoffs/{handoff['id']}", headers=agent_headers).json()
        params = {"handoff": handoff["id"], "after": detail["last_message_id"]}
        with http.stream("GET", "/agent/events", headers=agent_headers, params=params) as response:
            stream = EventStream(response)
            assert stream.next_event().kind == "queue"
            # The citizen writes again: the agent's open chat gets the message live.
            http.post(
                "/chat",
                json={"message": "Còn ai ở đó không?", "conversation_id": began["conversation_id"]},
                headers=keyed(began),
            )
            event = stream.next_event()
            while event.kind != "message":
                event = stream.next_event()
            assert event.json()["text"] == "Còn ai ở đó không?" and event.json()["sender"] == "citizen"
            assert event.id == str(event.json()["id"])

        citizen_view = http.get(f"/agent/events?handoff={uuid.uuid4()}", headers=agent_headers)
        assert citizen_view.status_code == 404 and citizen_view.json()["code"] == "handoff_not_found"
        assert http.get("/agent/events").status_code == 401


def test_the_old_console_address_leads_to_the_workspace_panel(client):
    for path in ("/agent/console", "/agent/console/", "/agent/console/console.js"):
        moved = client.get(path)
        assert moved.status_code == 308, path
        assert moved.headers["Location"].endswith("/workspace/agent")
