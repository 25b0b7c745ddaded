"""The in-app inbox: a citizen reads and marks only their own messages."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.dbtypes import utcnow
from api.extensions import db
from notifications import service
from notifications.models import InboxMessage


@pytest.fixture
def deliver(app):
    """Deliver messages to a citizen, oldest first, one minute apart; returns their ids."""

    def factory(citizen_id, count=1, **kwargs):
        ids = []
        with app.app_context():
            start = utcnow() - timedelta(hours=1)
            for index in range(count):
                message = service.deliver(
                    citizen_id,
                    kwargs.get("title", f"Thông báo số {index + 1}"),
                    kwargs.get("body", "Hồ sơ của bạn đã được tiếp nhận."),
                    kwargs.get("category", "dossier"),
                    deep_link=kwargs.get("deep_link"),
                    source_event_id=kwargs.get("source_event_id"),
                )
                message.created_at = start + timedelta(minutes=index)
                ids.append(message.id)
            db.session.commit()
        return ids

    return factory


def test_list_is_newest_first_and_paginated(client, citizen_headers, deliver):
    headers, person, _ = citizen_headers()
    ids = deliver(person["id"], count=5)

    response = client.get("/me/inbox?page=1&page_size=2", headers=headers)
    assert response.status_code == 200
    assert [m["id"] for m in response.json] == [str(ids[4]), str(ids[3])]
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["total"] == 5
    assert pagination["total_pages"] == 3
    assert pagination["page"] == 1

    last = client.get("/me/inbox?page=3&page_size=2", headers=headers)
    assert [m["id"] for m in last.json] == [str(ids[0])]

    first = response.json[0]
    assert first["title"] == "Thông báo số 5"
    assert first["is_read"] is False and first["read_at"] is None
    assert first["created_at"].endswith("+07:00")  # shown in Vietnam's time
    assert set(first) == {"id", "title", "body", "category", "deep_link", "created_at", "read_at", "is_read"}


def test_unread_filter_and_count(client, citizen_headers, deliver):
    headers, person, _ = citizen_headers()
    ids = deliver(person["id"], count=3)
    assert client.post(f"/me/inbox/{ids[1]}/read", headers=headers).status_code == 200

    unread = client.get("/me/inbox?unread=true", headers=headers)
    assert [m["id"] for m in unread.json] == [str(ids[2]), str(ids[0])]
    assert json.loads(unread.headers["X-Pagination"])["total"] == 2
    assert len(client.get("/me/inbox?unread=false", headers=headers).json) == 3
    assert client.get("/me/inbox/unread-count", headers=headers).json == {"unread": 2}


def test_mark_read_keeps_first_read_time(client, citizen_headers, deliver):
    headers, person, _ = citizen_headers()
    (message_id,) = deliver(person["id"])

    first = client.post(f"/me/inbox/{message_id}/read", headers=headers)
    assert first.status_code == 200
    assert first.json["id"] == str(message_id)
    assert first.json["is_read"] is True and first.json["read_at"]
    again = client.post(f"/me/inbox/{message_id}/read", headers=headers)
    assert again.status_code == 200
    assert again.json["read_at"] == first.json["read_at"]
    assert client.get("/me/inbox/unread-count", headers=headers).json == {"unread": 0}


def test_mark_all_read_touches_only_own_messages(client, citizen_headers, deliver):
    headers, person, _ = citizen_headers()
    other_headers, other, _ = citizen_headers()
    deliver(person["id"], count=3)
    deliver(other["id"], count=2)

    response = client.post("/me/inbox/read-all", headers=headers)
    assert response.status_code == 200
    assert response.json == {"marked": 3, "unread": 0}
    assert client.get("/me/inbox/unread-count", headers=headers).json == {"unread": 0}
    assert client.get("/me/inbox/unread-count", headers=other_headers).json == {"unread": 2}
    assert client.post("/me/inbox/read-all", headers=headers).json == {"marked": 0, "unread": 0}


def test_another_citizens_message_is_not_found_and_unchanged(app, client, citizen_headers, deliver):
    headers, _, _ = citizen_headers()
    _, other, _ = citizen_headers()
    (foreign_id,) = deliver(other["id"], title="Kết quả xét nghiệm")

    response = client.post(f"/me/inbox/{foreign_id}/read", headers=headers)
    missing = client.post(f"/me/inbox/{uuid.uuid4()}/read", headers=headers)
    assert response.status_code == missing.status_code == 404
    assert response.json["code"] == missing.json["code"] == "message_not_found"
    assert response.json["detail"] == missing.json["detail"]  # nothing tells "exists" from "absent"
    assert response.mimetype == "application/problem+json"
    assert "Kết quả" not in response.get_data(as_text=True)
    assert client.get("/me/inbox", headers=headers).json == []
    with app.app_context():
        assert db.session.get(InboxMessage, foreign_id).read_at is None


def test_malformed_message_id_is_404(client, citizen_headers):
    headers, _, _ = citizen_headers()
    assert client.post("/me/inbox/not-a-uuid/read", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/me/inbox"),
        ("get", "/me/inbox/unread-count"),
        ("post", f"/me/inbox/{uuid.uuid4()}/read"),
        ("post", "/me/inbox/read-all"),
    ],
)
def test_staff_are_refused_and_anonymous_must_sign_in(client, staff_headers, method, path):
    headers, _ = staff_headers("admin")
    refused = getattr(client, method)(path, headers=headers)
    assert refused.status_code == 403
    assert refused.json["code"] == "forbidden"
    anonymous = getattr(client, method)(path)
    assert anonymous.status_code == 401
    assert anonymous.json["code"] == "token_missing"


def test_invalid_unread_value_is_refused(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.get("/me/inbox?unread=maybe", headers=headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["query.unread"]


def test_deliver_is_idempotent_on_source_event(app, make_citizen):
    person = make_citizen()
    event_id = uuid.uuid4()
    with app.app_context():
        first = service.deliver(
            person["id"], "Hồ sơ đã duyệt", "Nội dung", "dossier", source_event_id=event_id
        )
        db.session.commit()
        again = service.deliver(
            person["id"], "Hồ sơ đã duyệt", "Nội dung", "dossier", source_event_id=event_id
        )
        db.session.commit()
        assert again.id == first.id
        count = db.session.scalar(
            select(func.count()).select_from(InboxMessage).where(InboxMessage.source_event_id == event_id)
        )
        assert count == 1
        # Without an event id every delivery is a message of its own.
        service.deliver(person["id"], "Tin chung", "A", "announcement")
        service.deliver(person["id"], "Tin chung", "A", "announcement")
        db.session.commit()
        assert service.unread_count(person["id"]) == 3


def test_racing_delivery_keeps_one_message_and_the_transaction(app, make_citizen, monkeypatch):
    """A second dispatcher that looked before the first one committed hits the unique
    constraint: it gets the existing message, and the rest of its transaction survives."""
    from api.events import OutboxEvent, record_event

    person = make_citizen()
    event_id = uuid.uuid4()
    with app.app_context():
        existing = service.deliver(person["id"], "Thông báo", "Nội dung", "dossier", source_event_id=event_id)
        existing_id = existing.id
        db.session.commit()
        db.session.remove()

    lookups = []
    original = service._by_event

    def stale_first_lookup(source_event_id):
        lookups.append(source_event_id)
        return None if len(lookups) == 1 else original(source_event_id)

    monkeypatch.setattr(service, "_by_event", stale_first_lookup)
    with app.app_context():
        other_work = record_event(
            "dossier.created", aggregate_type="dossier", aggregate_id="HS-1", payload={}
        )
        kept = service.deliver(person["id"], "Thông báo", "Nội dung", "dossier", source_event_id=event_id)
        assert kept.id == existing_id
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(InboxMessage)) == 1
        assert db.session.get(OutboxEvent, other_work.id) is not None
    assert len(lookups) == 2


def test_deliver_normalises_text(app, make_citizen):
    person = make_citizen()
    decomposed = "Tho\u0302ng ba\u0301o"  # "Thông báo" typed with combining marks
    with app.app_context():
        message = service.deliver(person["id"], f"  {decomposed}  ", "Dòng 1\nDòng 2", "dossier")
        db.session.commit()
        assert message.title == "Thông báo"
        assert message.body == "Dòng 1\nDòng 2"  # line breaks are the sender's layout
