"""Informant protection: who sent a report is kept from everyone who need not know.

- A crime report keeps no reporter id in clear (see models.py): the reporter's identity is
  encrypted (Fernet, REPORTS_IDENTITY_KEY), so is the contact an Open311 client sent, and only
  the police's audited read (desk.read_identity) and the addressing of the reporter's own
  notifications (`recipient`) decrypt it.
- The reporter finds their reports again by `reporter_key`, a keyed HMAC of their id, and an
  anonymous reporter by a tracking token of which only a hash is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, current_app

from api.config import ConfigurationError
from api.reports.models import Report

if TYPE_CHECKING:
    from api.citizens.models import Citizen

log = logging.getLogger(__name__)


def _fernet() -> Fernet:
    return Fernet(current_app.config["REPORTS_IDENTITY_KEY"])


def check_identity_key(app: Flask) -> None:
    """A key that is not a Fernet key stops the start-up, not the first crime report."""
    try:
        Fernet(app.config["REPORTS_IDENTITY_KEY"])
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            "REPORTS_IDENTITY_KEY must be a Fernet key (32 bytes, URL-safe base64)"
        ) from exc


def reporter_key(citizen_id: uuid.UUID) -> str:
    """HMAC-SHA256 of the citizen's id under a key derived from REPORTS_IDENTITY_KEY.

    Keyed, so the table alone cannot be joined back to `citizens` by hashing every id.
    """
    secret = hmac.new(
        current_app.config["REPORTS_IDENTITY_KEY"].encode(), b"congdanso:reports:reporter", hashlib.sha256
    ).digest()
    return hmac.new(secret, uuid.UUID(str(citizen_id)).bytes, hashlib.sha256).hexdigest()


def encrypt(data: dict) -> str:
    """`data` (a contact, an identity) as the ciphertext stored in `Report.identity`."""
    return _fernet().encrypt(json.dumps(data, ensure_ascii=False).encode()).decode()


def encrypt_identity(citizen: Citizen) -> str:
    """The signed-in reporter of a crime report, as only the police's audited read will see it."""
    return encrypt(
        {
            "citizen_id": str(citizen.id),
            "full_name": citizen.full_name,
            "cccd": citizen.cccd,
            "phone": citizen.phone,
        }
    )


def decrypt_identity(report: Report) -> dict | None:
    if not report.identity:
        return None
    try:
        return json.loads(_fernet().decrypt(report.identity.encode()))
    except InvalidToken:
        # Encrypted under another key (a rotation gone wrong): say so in the log, not to the caller.
        log.error("identity of report %s cannot be decrypted with the configured key", report.id)
        return None


def token_hash(token: str) -> str:
    """What is kept of a tracking token: its hash, so the table alone cannot follow a report."""
    return hashlib.sha256(token.encode()).hexdigest()


def recipient(report: Report) -> uuid.UUID | None:
    """Who hears about the report: the reporter when known; nobody for an anonymous one."""
    if report.anonymous:
        return None
    if report.citizen_id is not None:
        return report.citizen_id
    identity = decrypt_identity(report) or {}
    # An Open311 client's contact names no citizen of ours: nobody to notify in the app.
    return uuid.UUID(identity["citizen_id"]) if identity.get("citizen_id") else None
