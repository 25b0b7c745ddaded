"""The custom actions' own rules, without Rasa or the API: codes, digits, search words, failed turns,
and the API client's behaviour when the API misbehaves (httpx's MockTransport plays the API).

The actions against the real API are tested in the API's suite: tests/chat/test_actions.py.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, texts
from actions.api_client import ApiClient, ApiUnavailable, NotFound, Settings, SignInRequired
from actions.conversation import citizen_token, consecutive_failed_turns
from actions.dossiers import cccd_last4, normalise_dossier_code
from actions.handoff import ActionHandoff
from actions.procedures import ActionAskProcedure, closest_to_question, search_queries

SETTINGS = Settings("http://api.test", "chatbot-actions", "secret", timeout=1.0)
ENDPOINTS = Path(__file__).resolve().parents[1] / "endpoints.yml"


# ---- dossier codes and the last four CCCD digits ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "66.24133-261122-0007",
        "66.24133 - 261122 - 0007",
        "mã hồ sơ là 66 . 24133-261122 -0007 nhé",
        "66.24133–261122–0007",  # en dashes from a phone keyboard
        "66,24133-261122-0007",
    ],
)
def test_dossier_codes_are_read_however_they_are_typed(text):
    assert normalise_dossier_code(text) == "66.24133-261122-0007"


@pytest.mark.parametrize("text", ["", None, "123", "66.2413-261122-0007", "hồ sơ của tôi", "0912345678"])
def test_anything_else_is_no_dossier_code(text):
    assert normalise_dossier_code(text) is None


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("0368", "0368"),
        (" 0368 ", "0368"),
        ("4 số cuối là 0368", "0368"),
        ("066190010368", "0368"),  # the whole CCCD typed instead
        ("1234 5678", None),
        ("12345", None),
        ("036", None),
        ("không nhớ", None),
    ],
)
def test_last_four_digits(text, digits):
    assert cccd_last4(text) == digits


# ---- what a procedure question is searched as -------------------------------------------------


def test_the_entity_nlu_found_is_searched_as_it_is():
    assert search_queries(["khai sinh"], "làm giấy khai sinh cần gì") == [("khai sinh", True)]


def test_without_entity_the_question_words_go():
    queries = search_queries([], "Làm giấy khai sinh cần những gì vậy ad?")
    assert queries[0] == ("giay khai sinh", False)
    assert all(not named for _, named in queries)


def test_a_question_of_question_words_only_searches_nothing():
    assert search_queries([], "cần những giấy tờ gì vậy ạ") == []


def test_the_closest_match_shares_most_words_with_the_question():
    matches = [
        {"code": "bhyt-ho-gia-dinh", "name": "Cấp, gia hạn thẻ bảo hiểm y tế theo hộ gia đình"},
        {"code": "bhyt-tre-duoi-6", "name": "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"},
    ]
    assert closest_to_question(matches, "thẻ bhyt cho bé dưới 6 tuổi")[0]["code"] == "bhyt-tre-duoi-6"
    assert closest_to_question(matches, "thẻ bhyt")[0]["code"] == "bhyt-ho-gia-dinh"  # API order


# ---- the conversation -------------------------------------------------------------------------


def user(intent: str) -> dict:
    return {"event": "user", "text": "…", "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> dict:
    return {"event": "action", "name": name}


def test_misses_in_a_row_are_counted():
    assert consecutive_failed_turns([user("nlu_fallback")]) == 1
    assert (
        consecutive_failed_turns([user("nlu_fallback"), action("action_fallback"), user("nlu_fallback")]) == 2
    )


def test_a_core_fallback_counts_as_a_miss():
    # NLU understood the intent, the dialogue policies could not decide what to do with it.
    events = [user("greet"), action("action_fallback"), action("action_listen"), user("affirm")]
    assert consecutive_failed_turns(events) == 2


def test_an_understood_turn_a_restart_or_an_agent_handing_back_reset_the_count():
    miss = [user("nlu_fallback"), action("action_fallback")]
    assert consecutive_failed_turns([*miss, user("greet"), action("utter_greet"), user("nlu_fallback")]) == 1
    assert consecutive_failed_turns([*miss, {"event": "restart"}, user("nlu_fallback")]) == 1
    assert consecutive_failed_turns([*miss, {"event": "resume"}, user("nlu_fallback")]) == 1
    assert consecutive_failed_turns([*miss, {"event": "rewind"}, user("nlu_fallback")]) == 1


def tracker(
    metadata=None, events=None, sender_id="c0ffee00-0000-4000-8000-000000000000", text="", entities=()
):
    latest = {"text": text, "intent": {"name": "greet"}, "entities": list(entities), "metadata": metadata}
    return Tracker(sender_id, {}, latest, events or [], False, None, {}, "action_listen")


def test_only_the_latest_messages_token_counts():
    assert citizen_token(tracker({"cds_token": "abc"})) == "abc"
    assert citizen_token(tracker({})) is None
    assert citizen_token(tracker(None)) is None
    assert citizen_token(tracker({"cds_token": "  "})) is None
    # An earlier message's token does not sign in a later, anonymous one.
    earlier = [
        {"event": "user", "metadata": {"cds_token": "old"}, "parse_data": {"metadata": {"cds_token": "old"}}}
    ]
    assert citizen_token(tracker({}, earlier)) is None


# ---- the API client ---------------------------------------------------------------------------


class FakeApi:
    """Plays the API: a machine token endpoint and whatever `routes` answer."""

    def __init__(self, routes):
        self.routes = routes
        self.calls: list[tuple[str, str, str | None]] = []
        self.tokens_issued = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path, request.headers.get("Authorization")))
        if request.url.path == "/auth/service/token":
            self.tokens_issued += 1
            body = json.loads(request.content)
            assert body == {"client_id": "chatbot-actions", "client_secret": "secret"}
            return httpx.Response(
                200, json={"access_token": f"machine-{self.tokens_issued}", "expires_in": 900}
            )
        return self.routes(request)


def client_for(fake) -> ApiClient:
    return ApiClient(SETTINGS, transport=httpx.MockTransport(fake))


def test_the_machine_token_is_fetched_once_and_sent():
    fake = FakeApi(lambda request: httpx.Response(201, json={"queued": True}))
    client = client_for(fake)

    async def twice():
        await client.post_as_service("/chat/handoffs", {"a": 1})
        await client.post_as_service("/chat/handoffs", {"a": 2})

    asyncio.run(twice())
    assert fake.tokens_issued == 1
    assert [auth for method, path, auth in fake.calls if path == "/chat/handoffs"] == ["Bearer machine-1"] * 2


def test_a_refused_machine_token_is_fetched_again_once():
    def routes(request):
        if request.headers["Authorization"] == "Bearer machine-1":
            return httpx.Response(401, json={"code": "token_revoked"})
        return httpx.Response(200, json={"queued": False})

    fake = FakeApi(routes)
    response = asyncio.run(client_for(fake).post_as_service("/chat/handoffs", {}))
    assert response.data == {"queued": False}
    assert fake.tokens_issued == 2


def test_a_machine_account_refused_twice_is_the_api_being_unavailable():
    fake = FakeApi(lambda request: httpx.Response(401, json={"code": "token_invalid"}))
    with pytest.raises(ApiUnavailable):
        asyncio.run(client_for(fake).post_as_service("/chat/handoffs", {}))
    assert fake.tokens_issued == 2  # one retry, not a loop


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, json={"code": "internal"}),
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(429, json={"code": "rate_limited"}),
        httpx.Response(200, text="<html>proxy error</html>"),
    ],
)
def test_server_errors_rate_limits_and_garbage_are_unavailable(answer):
    fake = FakeApi(lambda request: answer)
    with pytest.raises(ApiUnavailable):
        asyncio.run(client_for(fake).get_public("/procedures"))


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
def test_network_errors_are_unavailable(error):
    def routes(request):
        raise error

    with pytest.raises(ApiUnavailable):
        asyncio.run(client_for(FakeApi(routes)).get_public("/procedures"))


def test_citizen_calls_carry_the_citizens_token_and_401_asks_to_sign_in():
    def routes(request):
        if request.headers.get("Authorization") == "Bearer citizen-ok":
            return httpx.Response(200, json=[])
        return httpx.Response(401, json={"code": "token_expired"})

    fake = FakeApi(routes)
    client = client_for(fake)
    assert asyncio.run(client.get_as_citizen("/me/dossiers", "citizen-ok")).data == []
    with pytest.raises(SignInRequired):
        asyncio.run(client.get_as_citizen("/me/dossiers", "citizen-expired"))
    assert fake.tokens_issued == 0  # citizens' calls never use the machine account


def test_404_is_not_found():
    fake = FakeApi(lambda request: httpx.Response(404, json={"code": "dossier_not_found"}))
    with pytest.raises(NotFound):
        asyncio.run(client_for(fake).get_public("/tracking/dossiers/66.24133-261122-0007"))


# ---- the actions with the API down ---------------------------------------------------------------


@pytest.fixture
def api_down(monkeypatch):
    def routes(request):
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr(api_client, "_shared", ApiClient(SETTINGS, transport=httpx.MockTransport(routes)))


def run(action, tracker_) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return dispatcher.messages, events


def test_procedure_question_with_the_api_down_points_to_the_app_and_hotline(api_down):
    messages, _ = run(ActionAskProcedure(), tracker(text="làm giấy khai sinh cần gì"))
    assert [m["text"] for m in messages] == [texts.PROCEDURE_CATALOGUE_UNAVAILABLE]
    assert "1900 0368" in messages[0]["text"]


def test_handoff_with_the_api_down_gives_the_hotline_and_does_not_pause(api_down):
    messages, events = run(ActionHandoff(), tracker())
    assert [m["text"] for m in messages] == [texts.HANDOFF_UNAVAILABLE]
    assert events == []


# ---- where Rasa finds the action server -------------------------------------------------------


def test_the_action_endpoint_comes_from_the_environment(monkeypatch):
    # Rasa expands ${...} only in unquoted values: a quoted one would reach aiohttp as it is.
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://actions.test:5055/webhook")
    monkeypatch.setenv("RASA_TRACKER_DB", "/srv/cds/rasa-tracker.db")
    assert read_endpoint_config(str(ENDPOINTS), "action_endpoint").url == "http://actions.test:5055/webhook"


def test_conversations_are_kept_in_the_database_the_environment_names(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://actions.test:5055/webhook")
    monkeypatch.setenv("RASA_TRACKER_DB", "/srv/cds/rasa-tracker.db")
    store = read_endpoint_config(str(ENDPOINTS), "tracker_store")
    assert store.type == "SQL"
    assert (store.kwargs["dialect"], store.kwargs["db"]) == ("sqlite", "/srv/cds/rasa-tracker.db")
