"""Fixtures of the campaign tests: comms officers, composing helpers, devices, the local FCM.

Sending runs firebase-admin's own code against tests/fcm_server.py (`fcm`), a real HTTP
endpoint speaking FCM v1; the job is called as the scheduler calls it, with `now` set to a
daytime moment after the scheduled time.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from api.unit_of_work import transaction
from api.workdays import VIETNAM
from notifications.campaigns import service
from notifications.campaigns.models import Campaign
from notifications.models import Device
from tests.conftest import assert_problem  # noqa: F401 (the package's tests import it from here)
from tests.fcm_server import fcm  # noqa: F401 (fixture)

OTHER_WARD = "24121"  # another ward of Đắk Lắk, for audiences that leave someone out


def campaign_body(**overrides):
    body = {
        "title": "Tiêm chủng mở rộng tháng 11",
        "body": "Trạm y tế phường tiêm vắc xin sởi miễn phí cho trẻ từ 9 tháng tuổi vào thứ Bảy.",
        "deep_link": "congdanso://news/tiem-chung-thang-11",
        "audience": {"kind": "all"},
    }
    body.update(overrides)
    return body


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """A moment tomorrow in Vietnam time (always in the future, never in quiet hours unless asked)."""
    day = datetime.now(VIETNAM).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


def if_match(client, campaign_id, headers) -> dict:
    """`headers` with If-Match: the ETag of the campaign as a GET shows it now (as the console
    sends it back after reading the campaign)."""
    response = client.get(f"/comms/campaigns/{campaign_id}", headers=headers)
    assert response.status_code == 200, response.json
    return {**headers, "If-Match": response.headers["ETag"]}


@pytest.fixture
def comms(staff_headers):
    headers, user = staff_headers("comms")
    return {"headers": headers, **user}


@pytest.fixture
def comms2(staff_headers):
    headers, user = staff_headers("comms")
    return {"headers": headers, **user}


@pytest.fixture
def compose(client, comms):
    def factory(headers=None, **overrides):
        response = client.post(
            "/comms/campaigns", headers=headers or comms["headers"], json=campaign_body(**overrides)
        )
        assert response.status_code == 201, response.json
        return response.json

    return factory


@pytest.fixture
def approved(client, compose, comms2):
    """A composed campaign approved by a second comms officer."""

    def factory(**overrides):
        campaign = compose(**overrides)
        response = client.post(
            f"/comms/campaigns/{campaign['id']}/approve",
            headers=if_match(client, campaign["id"], comms2["headers"]),
        )
        assert response.status_code == 200, response.json
        return response.json

    return factory


@pytest.fixture
def scheduled(client, approved, comms):
    """An approved campaign scheduled for tomorrow 09:00 (Vietnam time); returns it and the time."""

    def factory(send_at=None, **overrides):
        campaign = approved(**overrides)
        send_at = send_at or tomorrow_at(9)
        response = client.post(
            f"/comms/campaigns/{campaign['id']}/schedule",
            headers=if_match(client, campaign["id"], comms["headers"]),
            json={"send_at": send_at.isoformat()},
        )
        assert response.status_code == 200, response.json
        return response.json, send_at

    return factory


@pytest.fixture
def add_devices(app):
    """Register `count` devices for a citizen; returns their tokens."""
    counter = iter(range(10**6))

    def factory(citizen_id, count=1, prefix="tok"):
        tokens = []
        with app.app_context():
            for _ in range(count):
                token = f"{prefix}-{next(counter):05d}-{str(citizen_id)[:8]}"
                db.session.add(Device(citizen_id=citizen_id, token=token, platform="android", locale="vi"))
                tokens.append(token)
            db.session.commit()
        return tokens

    return factory


@pytest.fixture
def run_job(app):
    """Run the scheduler's campaign job at `now` (default: a minute after tomorrow 09:00)."""

    def run(now=None, **kwargs):
        with app.app_context():
            try:
                with transaction():  # as the scheduler runs every job
                    return service.run_due_campaigns(now or tomorrow_at(9, 1), **kwargs)
            finally:
                db.session.remove()

    return run


@pytest.fixture(autouse=True)
def fast_retries(app):
    """No sleeping between retries of a refused batch in tests."""
    saved = app.config.get("CAMPAIGN_RETRY_BACKOFF_SECONDS")
    app.config["CAMPAIGN_RETRY_BACKOFF_SECONDS"] = 0
    yield
    app.config["CAMPAIGN_RETRY_BACKOFF_SECONDS"] = saved


def stored(app, campaign_id):
    with app.app_context():
        campaign = db.session.get(Campaign, uuid.UUID(str(campaign_id)))
        db.session.expunge(campaign)
        return campaign


def audit_actions(app, campaign_id):
    with app.app_context():
        return [
            (entry.action, entry.actor, entry.outcome)
            for entry in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.target == f"campaign:{campaign_id}")
                .order_by(AuditEntry.at)
            )
        ]
