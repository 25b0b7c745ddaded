"""authlib's authorization server, wired to the development VNeID's rules (service.py).

Authorization code grant (RFC 6749) with PKCE required and S256 only (RFC 7636), OpenID
Connect id_tokens signed RS256, and a userinfo endpoint for bearers of its access tokens.
Protocol error descriptions stay in ASCII English: RFC 6749 §5.2 allows nothing else there,
and they are read by the API's OIDC client, not by citizens.
"""

from __future__ import annotations

import time

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import InvalidRequestError, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask

from api.auth.dev_idp import clients, service


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(clients.TOKEN_ENDPOINT_AUTH_METHODS)

    def save_authorization_code(self, code, request):
        data = request.payload.data
        service.save_authorization_code(
            code,
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data.get("nonce"),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            claims=request.user,
        )

    def query_authorization_code(self, code, client):
        return service.redeem_authorization_code(code, client.get_client_id())

    def delete_authorization_code(self, authorization_code):
        """Nothing to do: redeeming marked the code used, and the row stays so that a replay
        is recognised as one instead of looking like an unknown code."""

    def authenticate_user(self, authorization_code):
        return authorization_code.claims


class RequireS256(CodeChallenge):
    """PKCE for every request, S256 only: `plain` protects nothing once the request leaks."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class IdToken(OpenIDCode):
    def exists_nonce(self, nonce, request):
        return service.nonce_used(request.payload.client_id, nonce)

    def resolve_client_private_key(self, client):
        return service.signing_key()

    def get_client_algorithm(self, client):
        return service.SIGNING_ALG

    def get_encode_header(self, client):
        # The kid lets relying parties pick the key from /jwks, and notice a rotation.
        return {"alg": service.SIGNING_ALG, "kid": service.signing_key().kid}

    def get_client_claims(self, client):
        return {
            "iss": service.issuer(),
            "aud": [client.get_client_id()],
            "exp": int(time.time() + service.ID_TOKEN_LIFETIME.total_seconds()),
        }

    def generate_user_info(self, user, scope):
        # VNeID releases the identity record as a whole to a registered relying party.
        return UserInfo(user)


class UserInfoOfToken(UserInfoEndpoint):
    def generate_user_info(self, user, scope):
        return UserInfo(user)

    def get_issuer(self):
        return service.issuer()

    def resolve_private_key(self):
        return service.signing_key()


class AccessTokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):
        return service.find_access_token(token_string)


def _save_token(token: dict, request) -> None:
    service.save_access_token(
        token["access_token"],
        client_id=request.client.get_client_id(),
        scope=token.get("scope", ""),
        claims=request.user,
        code_id=request.authorization_code.id,
        expires_in=int(token["expires_in"]),
    )


def build_server(app: Flask) -> AuthorizationServer:
    server = AuthorizationServer()
    server.init_app(app, query_client=clients.query_client, save_token=_save_token)
    server.scopes_supported = list(clients.SCOPES)
    # authlib's default lifetime for code-grant tokens is ten days; these only read userinfo.
    server.register_token_generator(
        "default",
        server.create_bearer_token_generator(
            {
                "OAUTH2_TOKEN_EXPIRES_IN": {
                    "authorization_code": int(service.ACCESS_TOKEN_LIFETIME.total_seconds())
                }
            }
        ),
    )
    server.register_grant(CodeGrant, [RequireS256(required=True), IdToken(require_nonce=True)])
    protector = ResourceProtector()
    protector.register_token_validator(AccessTokenValidator())
    server.register_endpoint(UserInfoOfToken(resource_protector=protector))
    return server
