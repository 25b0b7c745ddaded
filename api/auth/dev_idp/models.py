"""What the development VNeID keeps between requests: authorization codes and access tokens.

Both live in the database, not in process memory, so any gunicorn worker can finish a flow
another worker started. Only SHA-256 digests of codes and tokens are stored: they are bearer
secrets, and a leaked table must not hand them out.

The tables are the provider's, not the product's: no migration creates them (they are not in a
production database), and where the provider is mounted it creates them (`ensure_tables` in
api/auth/dev_idp/__init__.py). The models stay on the shared metadata, so the tests' `create_all`
and clean-up see them.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from authlib.oauth2.rfc6749 import TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from api.auth.dev_idp.clients import registered_client
from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db


class DevIdpAuthorizationCode(db.Model, AuthorizationCodeMixin):
    __tablename__ = "dev_idp_authorization_codes"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    redirect_uri: Mapped[str | None] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(200), index=True)
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    # The identity as authenticated, frozen at sign-in: the id_token says what was true then.
    claims: Mapped[dict] = mapped_column(JSON)
    auth_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Set when the code is exchanged; the row is kept so a replay is recognised as one.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())


class DevIdpAccessToken(db.Model, TokenMixin):
    """An access token for /dev-idp/userinfo; revoked when its authorization code is replayed."""

    __tablename__ = "dev_idp_access_tokens"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(200))
    claims: Mapped[dict] = mapped_column(JSON)
    code_id: Mapped[uuid.UUID | None] = mapped_column(UUID, index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def check_client(self, client) -> bool:
        return client.get_client_id() == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.expires_at - self.issued_at).total_seconds()))

    def is_expired(self) -> bool:
        return self.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def get_user(self) -> dict:
        return self.claims

    def get_client(self):
        return registered_client()
