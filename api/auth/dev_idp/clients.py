"""The development VNeID's one registered client: this API (its id, secret and redirect URI
from the configuration). A module of its own because both the stored tokens (models.py) and the
provider (service.py, server.py) need it."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from authlib.oauth2.rfc6749 import ClientMixin
from flask import current_app

from api.auth import service as auth

SCOPES = ("openid", "profile", "phone")
TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uri: str
    # authlib reads optional client metadata (e.g. a signed userinfo algorithm) from here.
    client_metadata: dict = field(default_factory=dict)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(part for part in (scope or "").split() if part in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact match only (RFC 9700 §4.1.3): no prefixes, no wildcards.
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in TOKEN_ENDPOINT_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


def registered_client(config=None) -> RegisteredClient:
    config = config or current_app.config
    return RegisteredClient(
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        redirect_uri=auth.vneid_callback_url(config),
    )


def query_client(client_id: str | None) -> RegisteredClient | None:
    client = registered_client()
    return client if client_id == client.client_id else None
