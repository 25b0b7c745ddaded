"""Fixtures of the reports tests: reporters, the desk of a ward, real media bytes, snapshots."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.events import OutboxEvent
from api.extensions import db
from api.reports.models import Report, ReportComment, ReportMedia, ReportTransition
from tests.conftest import (
    DEMO_WARD,
    STAFF_PASSWORD,
    assert_problem,  # noqa: F401 (the package's tests import it from here)
    count_stored_files,
)

OTHER_WARD = "24163"  # another ward of the demo city
# Phường Buôn Ma Thuột, near the provincial people's committee.
LAT, LON = 12.6667, 108.0383


def jpeg_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 120, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4_bytes() -> bytes:
    """The boxes a player needs to open a file: ftyp (brand isom), moov, then the media data."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41")
    moov = _box(b"moov", _box(b"mvhd", bytes(100)))
    mdat = _box(b"mdat", bytes(64))
    return ftyp + moov + mdat


def report_body(**overrides) -> dict:
    body = {
        "category": "o-ga",
        "description": "Ổ gà lớn giữa đường Lê Duẩn, xe máy dễ ngã vào buổi tối.",
        "latitude": LAT,
        "longitude": LON,
        "address": "Trước số 12 Lê Duẩn",
        "ward_code": DEMO_WARD,
        "incident_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def offset(lat: float, lon: float, metres_north: float) -> tuple[float, float]:
    return lat + metres_north / 111_195.0, lon


def login(client, make_staff, role: str, ward_code: str | None = DEMO_WARD) -> dict:
    user = make_staff(role, ward_code=ward_code)
    response = client.post(
        "/auth/staff/login", json={"username": user["username"], "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}", "id": str(user["id"])}


def headers_of(person: dict) -> dict:
    return {"Authorization": person["Authorization"]}


@pytest.fixture
def reporter(citizen):
    """The citizen filing reports."""
    return citizen


@pytest.fixture
def stranger(other_citizen):
    """Someone else, who must never see the reporter's reports."""
    return other_citizen


@pytest.fixture
def officer(client, make_staff):
    return headers_of(login(client, make_staff, "officer"))


@pytest.fixture
def police(client, make_staff):
    return headers_of(login(client, make_staff, "police"))


@pytest.fixture
def officer_elsewhere(client, make_staff):
    return headers_of(login(client, make_staff, "officer", OTHER_WARD))


@pytest.fixture
def police_elsewhere(client, make_staff):
    return headers_of(login(client, make_staff, "police", OTHER_WARD))


@pytest.fixture
def admin(client, make_staff):
    return headers_of(login(client, make_staff, "admin", None))


@pytest.fixture
def submit(client, reporter):
    def submit(headers=None, **overrides):
        response = client.post(
            "/me/reports", headers=headers or reporter["headers"], json=report_body(**overrides)
        )
        assert response.status_code == 201, response.json
        return response.json

    return submit


def upload(client, url, headers, data, filename="anh.jpg", content_type="image/jpeg"):
    return client.post(
        url,
        headers=headers,
        data={"file": (io.BytesIO(data), filename, content_type)},
        content_type="multipart/form-data",
    )


def act(client, headers, report_id, action, **fields):
    return client.post(
        f"/staff/reports/{report_id}/actions", headers=headers, json={"action": action, **fields}
    )


def stored_files(app) -> int:
    return count_stored_files(app, "reports")


def snapshot(app) -> dict:
    """What a refused request must leave as it was: reports and their states, media, events, audit."""
    with app.app_context():
        state = {
            "reports": [
                tuple(row)
                for row in db.session.execute(
                    select(Report.id, Report.status, Report.version, Report.affected_count).order_by(
                        Report.id
                    )
                ).all()
            ],
            "media": db.session.scalar(select(func.count()).select_from(ReportMedia)),
            "comments": db.session.scalar(select(func.count()).select_from(ReportComment)),
            "history": db.session.scalar(select(func.count()).select_from(ReportTransition)),
            "events": db.session.scalar(select(func.count()).select_from(OutboxEvent)),
            "audit": db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("report.%"))
            ),
            "files": stored_files(app),
        }
        db.session.remove()
        return state


def events(app, event_type: str | None = None) -> list[OutboxEvent]:
    with app.app_context():
        statement = select(OutboxEvent).where(OutboxEvent.aggregate_type == "report")
        if event_type:
            statement = statement.where(OutboxEvent.event_type == event_type)
        found = list(db.session.scalars(statement.order_by(OutboxEvent.created_at)))
        db.session.expunge_all()
        return found


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return found
