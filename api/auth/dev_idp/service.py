"""The rules of the development VNeID: who may sign in, what it says about them, its keys.

It authenticates the demo citizens already in the `citizens` table with one shared passcode
(config DEV_IDP_PASSCODE), and says about them what the real VNeID says: the CCCD, name,
birth date, sex, phone and identity level. Codes and tokens are kept in the database
(see models.py), the signing key in the instance folder, so several workers agree on both.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app
from joserfc.jwk import RSAKey
from sqlalchemy import delete, exists, select, update

from api.auth.dev_idp import PREFIX
from api.auth.dev_idp.clients import SCOPES, TOKEN_ENDPOINT_AUTH_METHODS
from api.auth.dev_idp.models import DevIdpAccessToken, DevIdpAuthorizationCode
from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.extensions import db
from api.unit_of_work import checkpoint

if TYPE_CHECKING:
    from api.citizens.models import Citizen

log = logging.getLogger(__name__)

SIGNING_ALG = "RS256"
SIGNING_KEY_FILE = "dev-idp-signing-key.json"

# RFC 6749 §4.1.2 recommends at most ten minutes for a code; the redirect takes a second.
CODE_LIFETIME = timedelta(minutes=5)
ACCESS_TOKEN_LIFETIME = timedelta(minutes=10)
ID_TOKEN_LIFETIME = timedelta(minutes=5)
# Used codes are kept this long so a late replay is still recognised, then swept.
KEEP_USED = timedelta(days=1)

_CCCD = re.compile(r"^\d{12}$")


def issuer(config=None) -> str:
    config = config or current_app.config
    return config["PUBLIC_BASE_URL"] + PREFIX


def provider_metadata(config=None) -> dict:
    """The OpenID discovery document (OpenID Connect Discovery 1.0 §3)."""
    base = issuer(config)
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/jwks",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [SIGNING_ALG],
        "token_endpoint_auth_methods_supported": list(TOKEN_ENDPOINT_AUTH_METHODS),
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "name",
            "birthdate",
            "gender",
            "phone_number",
            "cccd",
            "identity_level",
        ],
        "ui_locales_supported": ["vi"],
    }


# ---- citizens and what is said about them ---------------------------------------------------


def identity_claims(citizen: Citizen) -> dict:
    """VNeID's view of a citizen. The CCCD doubles as VNeID's subject identifier."""
    claims = {
        "sub": citizen.cccd,
        "cccd": citizen.cccd,
        "name": citizen.full_name,
        "birthdate": citizen.date_of_birth.isoformat(),
        "gender": citizen.sex,
        "identity_level": int(citizen.identity_level),
    }
    if citizen.phone:
        claims["phone_number"] = citizen.phone
    return claims


def authenticate(cccd: str, passcode: str) -> dict | None:
    """The claims of the citizen holding this CCCD, when the passcode is right; else None."""
    number = "".join((cccd or "").split())
    expected = current_app.config["DEV_IDP_PASSCODE"]
    # Compared in constant time, and before the lookup, so both failures look alike.
    passcode_ok = hmac.compare_digest((passcode or "").encode(), expected.encode())
    citizen = citizens.citizen_by_cccd(number) if _CCCD.match(number) else None
    if citizen is None or not passcode_ok:
        return None
    return identity_claims(citizen)


# ---- authorization codes and access tokens --------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def save_authorization_code(
    code: str,
    *,
    client_id: str,
    redirect_uri: str | None,
    scope: str,
    nonce: str | None,
    code_challenge: str,
    code_challenge_method: str,
    claims: dict,
) -> None:
    now = utcnow()
    _sweep(now)
    db.session.add(
        DevIdpAuthorizationCode(
            code_hash=_digest(code),
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            claims=claims,
            auth_time=now,
            expires_at=now + CODE_LIFETIME,
        )
    )


def _sweep(now) -> None:
    """Forget codes and tokens nobody can use any more, so the tables stay small."""
    db.session.execute(
        delete(DevIdpAuthorizationCode).where(DevIdpAuthorizationCode.expires_at < now - KEEP_USED)
    )
    db.session.execute(delete(DevIdpAccessToken).where(DevIdpAccessToken.expires_at < now))


def nonce_used(client_id: str | None, nonce: str) -> bool:
    """An authorization request reusing a nonce is a replay (OpenID Connect Core §15.5.2)."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    DevIdpAuthorizationCode.client_id == (client_id or ""),
                    DevIdpAuthorizationCode.nonce == nonce,
                )
            )
        )
    )


def redeem_authorization_code(code: str, client_id: str) -> DevIdpAuthorizationCode | None:
    """Claim a code for one token exchange; None when unknown, expired or already used.

    The claim is a compare-and-set in the database, so two workers handed the same code at
    the same moment cannot both succeed. A code presented a second time has leaked: the
    tokens bought with it are revoked (RFC 6749 §4.1.2).
    """
    row = db.session.scalar(
        select(DevIdpAuthorizationCode).where(
            DevIdpAuthorizationCode.code_hash == _digest(code),
            DevIdpAuthorizationCode.client_id == client_id,
        )
    )
    if row is None:
        return None
    now = utcnow()
    claimed = db.session.execute(
        update(DevIdpAuthorizationCode)
        .where(
            DevIdpAuthorizationCode.id == row.id,
            DevIdpAuthorizationCode.used_at.is_(None),
            DevIdpAuthorizationCode.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed == 1:
        return row
    db.session.refresh(row)
    if row.used_at is not None:
        revoked = db.session.execute(
            update(DevIdpAccessToken)
            .where(DevIdpAccessToken.code_id == row.id, DevIdpAccessToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        log.warning("dev-idp: authorization code replayed; %d access token(s) revoked", revoked)
        checkpoint("a replayed code's access tokens stay revoked although the exchange is refused")
    return None


def save_access_token(
    access_token: str, *, client_id: str, scope: str, claims: dict, code_id, expires_in: int
) -> None:
    now = utcnow()
    db.session.add(
        DevIdpAccessToken(
            token_hash=_digest(access_token),
            client_id=client_id,
            scope=scope,
            claims=claims,
            code_id=code_id,
            issued_at=now,
            expires_at=now + timedelta(seconds=expires_in),
        )
    )


def find_access_token(access_token: str) -> DevIdpAccessToken | None:
    return db.session.scalar(
        select(DevIdpAccessToken).where(DevIdpAccessToken.token_hash == _digest(access_token))
    )


# ---- the signing key ------------------------------------------------------------------------


def signing_key(app: Flask | None = None) -> RSAKey:
    app = app or current_app
    return app.extensions["dev_idp"]["key"]


def public_jwks(app: Flask | None = None) -> dict:
    return {"keys": [signing_key(app).as_dict(private=False)]}


def load_or_create_signing_key(folder: str | os.PathLike) -> RSAKey:
    """The provider's RSA key, created on first use and kept as a JWK file in `folder`.

    Several workers may start at once. Each writes a complete key to a private temporary
    file and hard-links it into place; linking fails if the name exists, so exactly one key
    wins and nobody ever reads a half-written file. The losers read the winner's key.
    """
    path = Path(folder) / SIGNING_KEY_FILE
    if not path.exists():
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": SIGNING_ALG}, auto_kid=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(key.as_dict(private=True), handle)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)
                log.info("dev-idp: created signing key %s", path)
            except FileExistsError:
                pass  # another worker was first; its key is the key
        finally:
            os.unlink(temporary)
    return RSAKey.import_key(json.loads(path.read_text()))
