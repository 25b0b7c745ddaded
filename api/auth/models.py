"""Staff users, machine (service) accounts, sign-in sessions and app sign-in codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db


class StaffUser(db.Model):
    __tablename__ = "staff_users"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))  # one of policy.STAFF_ROLES
    # The unit an officer or police officer belongs to: a ward code, or None for province level.
    ward_code: Mapped[str | None] = mapped_column(String(5))
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceAccount(db.Model):
    """A machine caller (the chatbot's action server, the camera feed) with scoped permissions."""

    __tablename__ = "service_accounts"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    secret_hash: Mapped[str] = mapped_column(String(255))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuthSession(db.Model):
    """One signed-in session: the family of tokens issued from one sign-in.

    Access tokens carry the session id (`sid`); a revoked session invalidates them at once.
    The session remembers the one refresh token that may still be used: presenting an older
    one means it was stolen or replayed, and the whole session is revoked.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    subject: Mapped[str] = mapped_column(String(64), index=True)  # "citizen:<uuid>", "staff:<uuid>", ...
    current_refresh_jti: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class AppSignInCode(db.Model):
    """The one-time code that carries a VNeID sign-in from the browser back into an app.

    Made at the VNeID callback for a sign-in an app started (api/auth/app_handoff.py) and sent
    to the app's registered redirect URI; the app trades it, with its PKCE verifier, for the
    token pair at POST /auth/app/token. Only the SHA-256 of the code is kept: it is a bearer
    secret for a minute, and a leaked table must not hand it out. The row outlives its use by a
    day so that a replay is recognised, and the session it bought (`session_id`) revoked.
    """

    __tablename__ = "app_sign_in_codes"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("citizens.id", ondelete="CASCADE"), index=True
    )
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    code_challenge: Mapped[str] = mapped_column(String(128))  # S256, the only method accepted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The session the exchange opened; a replay of the code revokes it (RFC 6749 §4.1.2).
    session_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
