"""Reports filed through the chatbot: `POST /service/reports`.

The chat's delegated token only reads (api/policy.py), so the action server files a report
with its own machine account (scope `reports:write`) and hands over the citizen's delegated
token as `on_behalf_of`; the API checks that token itself. What a citizen notices: a report
made in the chat is in their list in the app; an anonymous crime report gives a tracking token
that works; a field report needs signing in; a stale, forged or foreign token files nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import decode_token

from api.reports.models import Report
from tests.conftest import DEMO_WARD
from tests.reports.conftest import assert_problem, report_body, snapshot

URL = "/service/reports"
BOT_ID, BOT_SECRET = "chatbot-actions", "secret-of-the-action-server-0123"

FIELD = {
    "category": "den-duong-hong",
    "description": "Đèn đường trước số 12 Lê Duẩn hỏng ba hôm nay, tối đi rất nguy hiểm.",
    "address": "Trước số 12 Lê Duẩn",
    "ward_code": DEMO_WARD,
}
CRIME = {
    "category": "ma-tuy",
    "description": "Có người bán ma tuý ở quán nước đầu hẻm vào buổi tối.",
    "address": "Hẻm 45 Y Jút",
    "ward_code": DEMO_WARD,
}


def _service_headers(client, app, client_id: str, secret: str, scopes: list[str]) -> dict:
    from api.auth import service
    from api.extensions import db

    with app.app_context():
        service.create_service_account(client_id, "Máy chủ hành động", scopes, secret)
        db.session.commit()
    response = client.post("/auth/service/token", json={"client_id": client_id, "client_secret": secret})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture
def bot(client, app):
    """The action server's machine account, with the scopes `flask seed-demo` gives it."""
    from api.demo import CHATBOT_SCOPES

    return _service_headers(client, app, BOT_ID, BOT_SECRET, list(CHATBOT_SCOPES))


def chat_token(app, pair: dict, lifetime: timedelta | None = None) -> str:
    """The delegated token the API puts in a signed-in citizen's chat messages (`cds_token`)."""
    from api.auth.tokens import delegated_access_token
    from api.chat.service import _chat_token
    from api.policy import Principal

    with app.test_request_context():
        principal = Principal.from_claims(decode_token(pair["access_token"]))
        if lifetime is None:
            return _chat_token(principal)
        return delegated_access_token(
            f"citizen:{principal.id}",
            {"sid": principal.session_id, "lvl": principal.identity_level},
            via="chatbot",
            lifetime=lifetime,
        )


@pytest.fixture
def signed_in(citizen_headers, app):
    """A signed-in citizen: (app headers, person, the chat's delegated token, sign-in pair)."""
    headers, person, pair = citizen_headers()
    return headers, person, chat_token(app, pair), pair


def reports_in_db(app) -> int:
    from sqlalchemy import func, select

    from api.extensions import db

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Report))
        db.session.remove()
        return count


# ---- a signed-in citizen, through the bot --------------------------------------------------------


def test_a_field_report_made_in_the_chat_is_in_the_citizens_list(client, app, bot, signed_in):
    headers, _, token, _ = signed_in

    response = client.post(URL, headers=bot, json={**FIELD, "on_behalf_of": token})

    assert response.status_code == 201, response.json
    body = response.json
    assert body["report"]["status"] == "received" and body["report"]["status_name"]
    assert body["report"]["deadline"] and body["tracking_token"] is None
    mine = client.get("/me/reports", headers=headers).json
    assert [r["id"] for r in mine] == [body["report"]["id"]]
    assert mine[0]["category"]["code"] == "den-duong-hong"
    assert mine[0]["description"] == FIELD["description"]
    with app.app_context():
        from api.extensions import db

        assert db.session.get(Report, _uuid(body["report"]["id"])).channel == "chat"
        db.session.remove()


def test_a_named_crime_report_through_the_bot_is_the_citizens_and_says_whom_to_call(client, bot, signed_in):
    headers, _, token, _ = signed_in

    response = client.post(URL, headers=bot, json={**CRIME, "on_behalf_of": token})

    assert response.status_code == 201, response.json
    assert response.json["emergency"]["number"] == "113"
    assert [r["id"] for r in client.get("/me/reports", headers=headers).json] == [
        response.json["report"]["id"]
    ]


def test_a_signed_in_citizen_may_still_denounce_anonymously_through_the_bot(client, bot, signed_in):
    headers, _, token, _ = signed_in

    response = client.post(URL, headers=bot, json={**CRIME, "anonymous": True, "on_behalf_of": token})

    assert response.status_code == 201, response.json
    assert response.json["tracking_token"]
    assert client.get("/me/reports", headers=headers).json == []  # nothing ties it to them


# ---- anonymous chats ----------------------------------------------------------------------------


def test_an_anonymous_crime_report_gets_a_tracking_token_that_works(client, bot):
    response = client.post(URL, headers=bot, json={**CRIME, "anonymous": True})

    assert response.status_code == 201, response.json
    token = response.json["tracking_token"]
    assert token and response.json["report"]["anonymous"] is True
    tracked = client.get(f"/reports/track/{token}")
    assert tracked.status_code == 200
    assert tracked.json["id"] == response.json["report"]["id"]
    assert tracked.json["status_name"] == response.json["report"]["status_name"]


@pytest.mark.parametrize("body", [FIELD, CRIME], ids=["field report", "named crime report"])
def test_without_a_citizen_only_an_anonymous_crime_report_is_accepted(client, app, bot, body):
    before = snapshot(app)
    assert_problem(client.post(URL, headers=bot, json=body), 401, "sign_in_required")
    assert snapshot(app) == before


def test_an_anonymous_field_report_is_refused(client, app, bot):
    before = snapshot(app)
    response = client.post(URL, headers=bot, json={**FIELD, "anonymous": True})
    assert_problem(response, 422, "anonymity_not_allowed")
    assert snapshot(app) == before


# ---- tokens the API must not accept ------------------------------------------------------------------


def _forged(app, pair: dict) -> str:
    """The citizen's claims, delegated to the bot, signed with a key that is not the API's."""
    with app.test_request_context():
        claims = decode_token(pair["access_token"])
    claims = {**claims, "via": "chatbot", "exp": datetime.now(UTC) + timedelta(minutes=5)}
    return pyjwt.encode(claims, "not-the-api-secret-key-but-long-enough-0123456789", algorithm="HS256")


def test_forged_expired_and_revoked_delegated_tokens_file_nothing(client, app, bot, signed_in):
    headers, _, token, pair = signed_in
    before = snapshot(app)

    forged = client.post(URL, headers=bot, json={**FIELD, "on_behalf_of": _forged(app, pair)})
    assert_problem(forged, 401, "delegated_token_invalid")
    garbage = client.post(URL, headers=bot, json={**FIELD, "on_behalf_of": "not-a-token"})
    assert_problem(garbage, 401, "delegated_token_invalid")
    expired = chat_token(app, pair, lifetime=timedelta(seconds=-5))
    assert_problem(
        client.post(URL, headers=bot, json={**FIELD, "on_behalf_of": expired}), 401, "delegated_token_expired"
    )
    # Signing out in the app ends the chat's token too.
    assert client.post("/auth/logout", headers=headers).status_code == 204
    assert_problem(
        client.post(URL, headers=bot, json={**FIELD, "on_behalf_of": token}), 401, "delegated_token_revoked"
    )

    assert snapshot(app) == before
    assert reports_in_db(app) == 0


def test_a_citizens_own_app_token_is_not_accepted_as_a_delegation(client, app, bot, signed_in):
    """Only the short-lived, chat-bound token may travel through the bot: a full app token the
    action server somehow holds (or a citizen pasted) files nothing."""
    _, _, _, pair = signed_in
    before = snapshot(app)
    for own in (pair["access_token"], pair["refresh_token"]):
        response = client.post(URL, headers=bot, json={**FIELD, "on_behalf_of": own})
        assert_problem(response, 401, "delegated_token_invalid")
    assert snapshot(app) == before


def test_a_staff_members_token_delegated_to_the_bot_is_refused(client, app, bot, staff_headers):
    from api.auth.tokens import delegated_access_token

    staff, _ = staff_headers("officer")
    with app.test_request_context():
        claims = decode_token(staff["Authorization"].split()[1])
        token = delegated_access_token(
            claims["sub"], {"sid": claims["sid"]}, via="chatbot", lifetime=timedelta(minutes=5)
        )
    assert_problem(
        client.post(URL, headers=bot, json={**FIELD, "on_behalf_of": token}), 401, "delegated_token_invalid"
    )
    assert reports_in_db(app) == 0


# ---- who may call the route ---------------------------------------------------------------------------


def test_a_citizen_cannot_call_the_bots_route(client, app, signed_in):
    headers, _, token, _ = signed_in
    assert_problem(client.post(URL, headers=headers, json=FIELD), 403, "forbidden")
    # Nor with the chat's own delegated token: it only reads.
    chat = {"Authorization": f"Bearer {token}"}
    assert_problem(client.post(URL, headers=chat, json=FIELD), 403, "delegated_token_read_only")
    assert reports_in_db(app) == 0


def test_a_machine_account_without_the_scope_is_refused(client, app, signed_in):
    _, _, token, _ = signed_in
    reader = _service_headers(client, app, "chatbot-reader", "secret-of-the-reader-0123", ["fines:read"])
    assert_problem(client.post(URL, headers=reader, json={**FIELD, "on_behalf_of": token}), 403, "forbidden")
    assert reports_in_db(app) == 0


def test_nobody_signed_in_cannot_call_it(client, app):
    assert client.post(URL, json={**CRIME, "anonymous": True}).status_code == 401
    assert reports_in_db(app) == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"reporter_cccd": "066190000001"},
        {"citizen_id": "3f2a0e8e-2c1b-4f7a-9a55-0f3e2d1c0b9a"},
        {"channel": "app"},
    ],
)
def test_unknown_fields_are_refused(client, app, bot, signed_in, extra):
    _, _, token, _ = signed_in
    response = client.post(URL, headers=bot, json={**FIELD, "on_behalf_of": token, **extra})
    body = assert_problem(response, 422, response.json["code"])
    assert next(iter(extra)) in str(body)
    assert reports_in_db(app) == 0


def test_the_report_fields_are_checked_as_in_the_app(client, app, bot, signed_in):
    _, _, token, _ = signed_in
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    short = client.post(URL, headers=bot, json={**FIELD, "description": "hỏng", "on_behalf_of": token})
    assert_problem(short, 422, "description_too_short")
    later = client.post(URL, headers=bot, json={**FIELD, "incident_at": future, "on_behalf_of": token})
    assert_problem(later, 422, "incident_in_future")
    unknown = client.post(URL, headers=bot, json={**report_body(category="khong-co"), "on_behalf_of": token})
    assert_problem(unknown, 422, "unknown_category")
    assert reports_in_db(app) == 0


def _uuid(value: str):
    import uuid

    return uuid.UUID(value)
