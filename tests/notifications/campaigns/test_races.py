"""Transitions are conditional: what another officer did between a read and a write wins over a
stale write. The race is reproduced exactly by doing the other officer's change (through a
connection of its own, committed) at the moment the service has read the campaign and is
counting its audience, i.e. between its read and its write."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from api.extensions import db
from notifications.campaigns import audience
from notifications.campaigns.models import Campaign
from tests.notifications.campaigns.conftest import (
    assert_problem,
    audit_actions,
    if_match,
    stored,
    tomorrow_at,
)


@pytest.fixture
def meanwhile(monkeypatch, app):
    """`meanwhile(campaign_id, **values)`: those values are committed by someone else while the
    service is between its read and its write (in `audience_size`, or the function `at` names, of
    notifications/campaigns/audience.py)."""

    def arrange(campaign_id, at="audience_size", **values):
        real = getattr(audience, at)

        def counted_while_someone_else_writes(*args, **kwargs):
            with db.engine.begin() as connection:
                connection.execute(
                    update(Campaign).where(Campaign.id == uuid.UUID(str(campaign_id))).values(**values)
                )
            monkeypatch.setattr(audience, at, real)
            return real(*args, **kwargs)

        monkeypatch.setattr(audience, at, counted_while_someone_else_writes)

    return arrange


def test_a_cancel_racing_a_schedule_stays_cancelled(app, client, approved, comms, meanwhile, make_citizen):
    make_citizen()
    campaign = approved()
    meanwhile(campaign["id"], status="cancelled")
    response = client.post(
        f"/comms/campaigns/{campaign['id']}/schedule",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"send_at": tomorrow_at(9).isoformat()},
    )
    problem = assert_problem(response, 409, "campaign_state_conflict")
    assert problem["status_now"] == "cancelled"
    assert stored(app, campaign["id"]).status == "cancelled" and stored(app, campaign["id"]).send_at is None
    assert "campaign.scheduled" not in [action for action, _, _ in audit_actions(app, campaign["id"])]


def test_an_approval_racing_a_cancel_does_not_revive_the_campaign(
    app, client, compose, comms2, meanwhile, make_citizen
):
    make_citizen()
    campaign = compose()
    meanwhile(campaign["id"], status="cancelled")
    response = client.post(
        f"/comms/campaigns/{campaign['id']}/approve",
        headers=if_match(client, campaign["id"], comms2["headers"]),
    )
    assert_problem(response, 409, "campaign_state_conflict")
    final = stored(app, campaign["id"])
    assert final.status == "cancelled" and final.approved_by is None


def test_an_edit_between_reading_and_approving_is_not_approved_unseen(
    app, client, compose, comms2, meanwhile, make_citizen
):
    make_citizen()
    campaign = compose()
    meanwhile(campaign["id"], body="Nội dung đã bị sửa sau khi người duyệt đọc.", version=2)
    response = client.post(
        f"/comms/campaigns/{campaign['id']}/approve",
        headers=if_match(client, campaign["id"], comms2["headers"]),
    )
    problem = assert_problem(response, 409, "campaign_changed")
    assert problem["version_now"] == 2
    assert stored(app, campaign["id"]).status == "draft"


def test_the_approver_approves_the_version_they_read(app, client, compose, comms, comms2, make_citizen):
    make_citizen()
    campaign = compose()
    assert campaign["version"] == 1
    read_before_the_edit = if_match(client, campaign["id"], comms2["headers"])
    edited = client.patch(
        f"/comms/campaigns/{campaign['id']}",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"body": "Lịch tiêm đã đổi."},
    )
    assert edited.status_code == 200 and edited.json["version"] == 2
    stale = client.post(f"/comms/campaigns/{campaign['id']}/approve", headers=read_before_the_edit)
    assert_problem(stale, 412, "precondition_failed")
    assert stored(app, campaign["id"]).status == "draft"
    current = client.post(
        f"/comms/campaigns/{campaign['id']}/approve",
        headers=if_match(client, campaign["id"], comms2["headers"]),
    )
    assert current.status_code == 200 and current.json["status"] == "approved"
    assert current.json["body"] == "Lịch tiêm đã đổi."


@pytest.mark.parametrize("action", ["approve", "schedule"])
def test_approving_and_scheduling_need_the_etag_read(
    app, client, approved, compose, comms2, make_citizen, action
):
    make_citizen()
    campaign = compose() if action == "approve" else approved()
    body = {"send_at": tomorrow_at(9).isoformat()} if action == "schedule" else None
    url = f"/comms/campaigns/{campaign['id']}/{action}"
    assert_problem(client.post(url, json=body, headers=comms2["headers"]), 428, "precondition_required")
    stale = {**comms2["headers"], "If-Match": '"not-what-was-read"'}
    assert_problem(client.post(url, json=body, headers=stale), 412, "precondition_failed")
    assert stored(app, campaign["id"]).status == campaign["status"]


def test_an_edit_needs_the_etag_read(app, client, compose, comms, make_citizen):
    make_citizen()
    campaign = compose()
    url = f"/comms/campaigns/{campaign['id']}"
    assert_problem(
        client.patch(url, json={"body": "Sửa."}, headers=comms["headers"]), 428, "precondition_required"
    )
    assert stored(app, campaign["id"]).version == 1


def test_an_edit_from_a_replaced_version_is_refused(app, client, compose, comms, meanwhile, make_citizen):
    make_citizen()
    campaign = compose()
    meanwhile(campaign["id"], at="check_audience", title="Tiêu đề của người khác", version=2)
    # The author's edit was read at version 1; the other edit (version 2) is kept, not overwritten.
    response = client.patch(
        f"/comms/campaigns/{campaign['id']}",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"audience": {"kind": "province", "province_code": "66"}},
    )
    assert_problem(response, 409, "campaign_changed")
    final = stored(app, campaign["id"])
    assert final.title == "Tiêu đề của người khác" and final.audience == {"kind": "all"}


@pytest.mark.parametrize("audience", [{}, {"province_code": "66"}, {"ward_codes": ["24133"]}])
def test_patching_an_audience_without_its_kind_is_a_validation_error(
    app, client, compose, comms, make_citizen, audience
):
    make_citizen()
    campaign = compose()
    response = client.patch(
        f"/comms/campaigns/{campaign['id']}",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"audience": audience},
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert "kind" in str(problem)
    final = stored(app, campaign["id"])
    assert final.audience == {"kind": "all"} and final.version == 1
