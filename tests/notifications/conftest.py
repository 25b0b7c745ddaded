"""Push tests run firebase-admin's own sending code against tests/fcm_server.py (`fcm`)."""

from __future__ import annotations

import uuid

import pytest

from api.extensions import db
from tests.fcm_server import fcm  # noqa: F401 (fixture)


def token(label: str = "") -> str:
    """A string shaped like an FCM registration token."""
    return f"{label or 'tok'}-{uuid.uuid4().hex}:APA91b{uuid.uuid4().hex}"


@pytest.fixture
def add_device(app):
    """Register a device for a citizen through the service; returns its token."""
    from notifications import service

    def factory(citizen_id, label: str = "", platform: str = "android") -> str:
        value = token(label)
        with app.app_context():
            service.register_device(citizen_id, value, platform)
            db.session.remove()
        return value

    return factory
