"""Access and refresh tokens: rotation, replay detection, sign-out and password change."""

from __future__ import annotations

from api.auth.models import AuthSession
from api.extensions import db


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_refresh_rotates_and_the_old_refresh_token_stops_working(client, citizen_headers):
    _headers, _, pair = citizen_headers()
    first = client.post("/auth/refresh", headers=bearer(pair["refresh_token"]))
    assert first.status_code == 200, first.json
    assert first.json["refresh_token"] != pair["refresh_token"]
    assert client.get("/auth/whoami", headers=bearer(first.json["access_token"])).status_code == 200

    replay = client.post("/auth/refresh", headers=bearer(pair["refresh_token"]))
    assert replay.status_code == 401
    assert replay.json["code"] == "refresh_token_reused"


def test_replayed_refresh_token_revokes_the_whole_session(client, citizen_headers):
    """A stolen refresh token used after its owner refreshed locks both of them out."""
    headers, _, pair = citizen_headers()
    rotated = client.post("/auth/refresh", headers=bearer(pair["refresh_token"])).json
    client.post("/auth/refresh", headers=bearer(pair["refresh_token"]))  # the thief's replay

    for token in (rotated["access_token"], headers["Authorization"].split()[1]):
        response = client.get("/auth/whoami", headers=bearer(token))
        assert response.status_code == 401
        assert response.json["code"] == "token_revoked"
    again = client.post("/auth/refresh", headers=bearer(rotated["refresh_token"]))
    assert again.status_code == 401


def test_refresh_picks_up_a_new_identity_level(app, client, citizen_headers):
    from api.citizens.models import Citizen

    headers, person, pair = citizen_headers(identity_level=1)
    assert client.get("/auth/whoami", headers=headers).json["identity_level"] == 1
    with app.app_context():
        db.session.get(Citizen, person["id"]).identity_level = 2
        db.session.commit()
    refreshed = client.post("/auth/refresh", headers=bearer(pair["refresh_token"])).json
    assert client.get("/auth/whoami", headers=bearer(refreshed["access_token"])).json["identity_level"] == 2


def test_access_token_is_not_a_refresh_token(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.post("/auth/refresh", headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"


def test_logout_revokes_access_and_refresh_tokens_at_once(app, client, citizen_headers):
    headers, _, pair = citizen_headers()
    assert client.post("/auth/logout", headers=headers).status_code == 204

    whoami = client.get("/auth/whoami", headers=headers)
    assert whoami.status_code == 401 and whoami.json["code"] == "token_revoked"
    refresh = client.post("/auth/refresh", headers=bearer(pair["refresh_token"]))
    assert refresh.status_code == 401
    with app.app_context():
        session = db.session.scalars(db.select(AuthSession)).one()
        assert session.revoked_reason == "signed_out"


def test_logout_of_one_session_leaves_the_others(client, citizen_headers, app):
    from api.auth import service
    from api.citizens.service import get_citizen

    headers, person, _ = citizen_headers()
    with app.test_request_context():
        second = service.sign_in_citizen(get_citizen(person["id"]))
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
    client.post("/auth/logout", headers=headers)
    assert client.get("/auth/whoami", headers=bearer(second["access_token"])).status_code == 200


def test_forged_and_garbage_tokens_are_refused(app, client, citizen_headers):
    import jwt as pyjwt

    headers, _person, _ = citizen_headers()
    real = headers["Authorization"].split()[1]
    claims = pyjwt.decode(real, options={"verify_signature": False})
    claims["lvl"] = 2
    forged = pyjwt.encode(claims, "not-the-server-key-but-long-enough-0123456789", algorithm="HS256")
    for token in (forged, "abc.def.ghi", real[:-4] + "AAAA"):
        response = client.get("/auth/whoami", headers=bearer(token))
        assert response.status_code == 401
        assert response.json["code"] == "token_invalid"
        assert response.mimetype == "application/problem+json"

    none_alg = pyjwt.encode(claims, key=None, algorithm="none")
    assert client.get("/auth/whoami", headers=bearer(none_alg)).status_code == 401


def test_expired_access_token(app, client, citizen_headers):
    from datetime import timedelta

    from flask_jwt_extended import create_access_token, decode_token

    headers, _, _ = citizen_headers()
    with app.app_context():
        claims = decode_token(headers["Authorization"].split()[1])
        expired = create_access_token(
            identity=claims["sub"],
            additional_claims={"sid": claims["sid"]},
            expires_delta=timedelta(seconds=-5),
        )
    response = client.get("/auth/whoami", headers=bearer(expired))
    assert response.status_code == 401
    assert response.json["code"] == "token_expired"


def test_missing_token(client):
    response = client.get("/auth/whoami")
    assert response.status_code == 401
    assert response.json["code"] == "token_missing"
