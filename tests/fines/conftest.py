"""Fixtures of the fines tests: an owner, the police, the camera feed's machine account, notices."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.events import OutboxEvent
from api.extensions import db
from api.fines.models import FineNotice
from tests.conftest import (
    DEMO_WARD,
    assert_problem,  # noqa: F401 (the package's tests import it from here)
)

FEED_CLIENT_ID = "camera-feed"
FEED_SECRET = "secret-of-the-camera-feed-0123"
_numbers = itertools.count(1)


def notice_body(owner_cccd: str, **overrides) -> dict:
    """A valid notice as the police or the camera feed would send it."""
    number = next(_numbers)
    body = {
        "notice_number": f"{number:05d}/QĐ-XPVPHC",
        "source_ref": f"ioc-{number:06d}",
        "plate": "47A-123.45",
        "violation_code": "oto-vuot-den-do",
        "amount_vnd": 18_000_000,
        "owner_cccd": owner_cccd,
        "violated_at": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
        "place": "Ngã tư Lê Duẩn - Phan Chu Trinh",
        "ward_code": DEMO_WARD,
        "evidence": ["https://camera.congan.daklak.gov.vn/anh/1.jpg", "fines/evidence/abc-2.jpg"],
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


@pytest.fixture
def owner(citizen):
    """The vehicle owner: the signed-in citizen of tests/conftest.py."""
    return citizen


@pytest.fixture
def stranger(other_citizen):
    """Someone else, who must never see the owner's fines."""
    return other_citizen


@pytest.fixture
def police(staff_headers):
    headers, _ = staff_headers("police")
    return headers


@pytest.fixture
def feed(app, client):
    """The camera / IOC feed's machine account, holding `fines:ingest`."""
    from api.auth import service

    with app.app_context():
        service.create_service_account(
            FEED_CLIENT_ID, "Hệ thống camera giao thông", ["fines:ingest"], FEED_SECRET
        )
        db.session.commit()
    token = client.post(
        "/auth/service/token", json={"client_id": FEED_CLIENT_ID, "client_secret": FEED_SECRET}
    )
    assert token.status_code == 200, token.json
    return {"Authorization": f"Bearer {token.json['access_token']}"}


@pytest.fixture
def issue(client, police, owner):
    """Issue a notice for `owner` as the police; returns the police's view of it."""

    def issue(**overrides):
        response = client.post("/police/fines", headers=police, json=notice_body(owner["cccd"], **overrides))
        assert response.status_code == 201, response.json
        return response.json

    return issue


def snapshot(app) -> dict:
    """What a refused request must leave as it was: notices, their states, events, audit entries."""
    with app.app_context():
        notices = db.session.execute(
            select(
                FineNotice.id,
                FineNotice.status,
                FineNotice.amount_vnd,
                FineNotice.place,
                FineNotice.updated_at,
                FineNotice.cancel_reason,
            ).order_by(FineNotice.id)
        ).all()
        state = {
            "notices": [tuple(row) for row in notices],
            "events": db.session.scalar(select(func.count()).select_from(OutboxEvent)),
            "audit": db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("fine.%"))
            ),
        }
        db.session.remove()
        return state


def events(app, event_type: str | None = None) -> list[OutboxEvent]:
    with app.app_context():
        statement = select(OutboxEvent).where(OutboxEvent.aggregate_type == "fine")
        if event_type:
            statement = statement.where(OutboxEvent.event_type == event_type)
        found = list(db.session.scalars(statement.order_by(OutboxEvent.created_at)))
        db.session.expunge_all()
        return found
