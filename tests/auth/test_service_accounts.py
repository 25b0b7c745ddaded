"""Machine accounts: client credentials, scoped tokens, no refresh."""

from __future__ import annotations

import pytest
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import service
from api.extensions import db
from api.policy import Service, allow


@pytest.fixture
def chatbot_account(app):
    with app.app_context():
        _, secret = service.create_service_account(
            "chatbot-actions", "Máy chủ hành động chatbot", ["dossiers:read", "catalogue:read"]
        )
        db.session.commit()
    return {"client_id": "chatbot-actions", "client_secret": secret}


def test_client_credentials_give_a_scoped_token_without_refresh(client, chatbot_account):
    response = client.post("/auth/service/token", json=chatbot_account)
    assert response.status_code == 200
    assert "refresh_token" not in response.json
    assert response.json["scope"] == "catalogue:read dossiers:read"
    whoami = client.get("/auth/whoami", headers={"Authorization": f"Bearer {response.json['access_token']}"})
    assert whoami.json["kind"] == "service"
    assert whoami.json["scopes"] == ["catalogue:read", "dossiers:read"]


def test_narrower_scope_on_request_and_wider_refused(client, chatbot_account):
    narrow = client.post("/auth/service/token", json={**chatbot_account, "scope": "catalogue:read"})
    assert narrow.json["scope"] == "catalogue:read"
    wide = client.post(
        "/auth/service/token", json={**chatbot_account, "scope": "catalogue:read payments:write"}
    )
    assert wide.status_code == 403
    assert wide.json["code"] == "scope_not_granted"


def test_wrong_secret_refused(client, chatbot_account):
    response = client.post("/auth/service/token", json={**chatbot_account, "client_secret": "doan-bua"})
    assert response.status_code == 401
    assert response.json["code"] == "invalid_client"


def test_scopes_are_enforced_per_route(make_app, chatbot_account):
    """A route demanding a scope the machine lacks is refused; one it holds is served."""
    blp = Blueprint("scoped_probe", __name__, url_prefix="/probe")

    @blp.route("/dossiers")
    class Dossiers(MethodView):
        @allow(Service("dossiers:read"))
        def get(self):
            return {"ok": True}

    @blp.route("/payments")
    class Payments(MethodView):
        @allow(Service("payments:write"))
        def get(self):
            return {"ok": True}

    from api.extensions import api

    probe_app = make_app()
    api.register_blueprint(blp)  # registered on the most recently initialised app
    client = probe_app.test_client()
    token = client.post("/auth/service/token", json=chatbot_account).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/probe/dossiers", headers=headers).status_code == 200
    assert client.get("/probe/payments", headers=headers).status_code == 403
