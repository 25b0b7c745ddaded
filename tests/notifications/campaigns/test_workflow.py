"""Composing, the four-eyes approval, scheduling and quiet hours; who may do what; bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from api.dbtypes import utcnow
from api.extensions import db
from api.workdays import local_date
from notifications.campaigns.models import Campaign
from tests.notifications.campaigns.conftest import (
    OTHER_WARD,
    assert_problem,
    audit_actions,
    campaign_body,
    if_match,
    stored,
    tomorrow_at,
)


def campaign_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Campaign))


def test_compose_makes_an_audited_draft(app, client, comms, make_citizen):
    make_citizen()
    response = client.post(
        "/comms/campaigns",
        headers=comms["headers"],
        json=campaign_body(title="  Cảnh báo  mưa lũ ", image_url="https://congdanso.daklak.gov.vn/lu.jpg"),
    )
    assert response.status_code == 201, response.json
    campaign = response.json
    assert campaign["status"] == "draft" and campaign["status_name"] == "Bản nháp"
    assert campaign["title"] == "Cảnh báo mưa lũ"  # NFC, spaces collapsed, as the phone shows it
    assert campaign["audience"] == {"kind": "all"} and campaign["audience_label"] == "Tất cả công dân"
    assert campaign["urgent"] is False and campaign["keep_in_inbox"] is True
    assert campaign["figures"]["sent"] == 0 and campaign["figures"]["opened"] == 0
    assert audit_actions(app, campaign["id"]) == [("campaign.created", f"staff:{comms['id']}", "success")]


def test_the_author_cannot_approve_their_own_campaign(app, client, comms, comms2, compose, make_citizen):
    make_citizen()
    campaign = compose()
    refused = client.post(
        f"/comms/campaigns/{campaign['id']}/approve",
        headers=if_match(client, campaign["id"], comms["headers"]),
    )
    problem = assert_problem(refused, 403, "campaign_self_approval")
    assert "tự duyệt" in problem["detail"]
    assert stored(app, campaign["id"]).status == "draft"

    approved = client.post(
        f"/comms/campaigns/{campaign['id']}/approve",
        headers=if_match(client, campaign["id"], comms2["headers"]),
    )
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and approved.json["approved_by"] == f"staff:{comms2['id']}"
    assert approved.json["figures"]["targeted_citizens"] == 1
    assert audit_actions(app, campaign["id"])[1:] == [
        ("campaign.approved", f"staff:{comms['id']}", "denied"),
        ("campaign.approved", f"staff:{comms2['id']}", "success"),
    ]
    again = client.post(
        f"/comms/campaigns/{campaign['id']}/approve",
        headers=if_match(client, campaign["id"], comms2["headers"]),
    )
    assert_problem(again, 409, "campaign_state_conflict")


def test_an_admin_may_approve_but_not_compose(client, staff_headers, compose, make_citizen):
    make_citizen()
    admin, _ = staff_headers("admin")
    campaign = compose()
    assert (
        client.post(
            f"/comms/campaigns/{campaign['id']}/approve", headers=if_match(client, campaign["id"], admin)
        ).status_code
        == 200
    )
    assert_problem(client.post("/comms/campaigns", headers=admin, json=campaign_body()), 403, "forbidden")


@pytest.mark.parametrize("role", ["officer", "police", "agent"])
def test_other_staff_roles_are_refused(app, client, staff_headers, compose, role, make_citizen):
    make_citizen()
    headers, _ = staff_headers(role)
    campaign = compose()
    assert_problem(client.get("/comms/campaigns", headers=headers), 403, "forbidden")
    assert_problem(client.post("/comms/campaigns", headers=headers, json=campaign_body()), 403, "forbidden")
    assert_problem(
        client.post(
            f"/comms/campaigns/{campaign['id']}/approve",
            headers=headers,
        ),
        403,
        "forbidden",
    )
    assert_problem(client.get(f"/comms/campaigns/{campaign['id']}", headers=headers), 403, "forbidden")
    assert stored(app, campaign["id"]).status == "draft"


def test_citizens_are_refused_and_anonymous_callers_too(client, citizen_headers, compose):
    headers, _, _ = citizen_headers()
    campaign = compose()
    assert_problem(client.get("/comms/campaigns", headers=headers), 403, "forbidden")
    assert_problem(client.post("/comms/campaigns", headers=headers, json=campaign_body()), 403, "forbidden")
    assert_problem(
        client.post(
            f"/comms/campaigns/{campaign['id']}/approve",
            headers=headers,
        ),
        403,
        "forbidden",
    )
    assert client.get("/comms/campaigns").status_code == 401


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": ""}, "notification_title_required"),
        ({"title": "   "}, "notification_title_required"),
        ({"body": ""}, "notification_body_required"),
        ({"title": "Đ" * 66}, "notification_title_too_long"),
        ({"body": "Thông báo " * 30}, "notification_body_too_long"),
        ({"title": 12}, "validation_failed"),
        ({"image_url": "http://example.vn/a.jpg"}, "validation_failed"),
        ({"deep_link": "javascript:alert(1)"}, "validation_failed"),
        ({"deep_link": "congdanso://news/<script>"}, "validation_failed"),
        ({"audience": {"kind": "ward"}}, "validation_failed"),
        ({"audience": {"kind": "all", "province_code": "66"}}, "validation_failed"),
        ({"audience": {"kind": "age", "min_age": 60, "max_age": 18}}, "validation_failed"),
        ({"audience": {"kind": "age"}}, "validation_failed"),
        ({"audience": {"kind": "role", "role": "officer"}}, "validation_failed"),
        ({"audience": {"kind": "ward", "ward_codes": ["99999"]}}, "unknown_ward"),
        ({"audience": {"kind": "province", "province_code": "99"}}, "unknown_province"),
        ({"urgent": "rất gấp"}, "validation_failed"),
        ({"sender": "tôi"}, "validation_failed"),
    ],
)
def test_bad_campaigns_are_refused_and_nothing_is_stored(app, client, comms, changes, code):
    response = client.post("/comms/campaigns", headers=comms["headers"], json=campaign_body(**changes))
    problem = assert_problem(response, 422, code)
    assert problem["detail"] and problem["title"]
    assert campaign_count(app) == 0


def test_the_body_limit_is_counted_in_characters_not_bytes(client, comms):
    # 240 Vietnamese letters take about 600 bytes of UTF-8: still allowed.
    response = client.post("/comms/campaigns", headers=comms["headers"], json=campaign_body(body="Đ" * 240))
    assert response.status_code == 201, response.json


def test_a_huge_body_is_refused_before_reading_it(client, comms):
    response = client.post(
        "/comms/campaigns", headers=comms["headers"], json=campaign_body(body="a" * (2 * 1024 * 1024))
    )
    assert_problem(response, 413, "payload_too_large")


def test_an_audience_matching_nobody_cannot_be_approved(
    app, client, compose, comms2, make_citizen, add_devices
):
    make_citizen()  # lives in the demo ward, not in OTHER_WARD
    campaign = compose(audience={"kind": "ward", "ward_codes": [OTHER_WARD]})
    problem = assert_problem(
        client.post(
            f"/comms/campaigns/{campaign['id']}/approve",
            headers=if_match(client, campaign["id"], comms2["headers"]),
        ),
        422,
        "audience_empty",
    )
    assert "không có công dân nào" in problem["detail"]
    assert stored(app, campaign["id"]).status == "draft"

    # Push only (no inbox) to citizens without a device: nobody would get anything either.
    push_only = compose(keep_in_inbox=False)
    problem = assert_problem(
        client.post(
            f"/comms/campaigns/{push_only['id']}/approve",
            headers=if_match(client, push_only["id"], comms2["headers"]),
        ),
        422,
        "audience_empty",
    )
    assert "thiết bị" in problem["detail"]


def test_an_audience_that_empties_after_approval_cannot_be_scheduled(
    app, client, approved, comms, make_citizen
):
    from api.citizens.models import Citizen

    person = make_citizen(ward_code=OTHER_WARD)
    campaign = approved(audience={"kind": "ward", "ward_codes": [OTHER_WARD]})
    with app.app_context():
        db.session.get(Citizen, person["id"]).ward_code = "24133"  # moved away
        db.session.commit()
    response = client.post(
        f"/comms/campaigns/{campaign['id']}/schedule",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"send_at": tomorrow_at(9).isoformat()},
    )
    assert_problem(response, 422, "audience_empty")
    assert stored(app, campaign["id"]).status == "approved"


def test_scheduling_in_the_past_is_refused(app, client, approved, comms, make_citizen):
    make_citizen()
    campaign = approved()
    for moment in (utcnow() - timedelta(minutes=1), utcnow() - timedelta(days=3)):
        response = client.post(
            f"/comms/campaigns/{campaign['id']}/schedule",
            headers=if_match(client, campaign["id"], comms["headers"]),
            json={"send_at": moment.isoformat()},
        )
        problem = assert_problem(response, 422, "schedule_in_past")
        assert "tương lai" in problem["detail"]
    assert stored(app, campaign["id"]).status == "approved"


def test_a_draft_cannot_be_scheduled(client, compose, comms, make_citizen):
    make_citizen()
    campaign = compose()
    response = client.post(
        f"/comms/campaigns/{campaign['id']}/schedule",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"send_at": tomorrow_at(9).isoformat()},
    )
    assert_problem(response, 409, "campaign_state_conflict")


@pytest.mark.parametrize(("hour", "minute"), [(22, 0), (23, 30), (0, 0), (3, 15), (5, 59)])
def test_a_normal_campaign_is_not_scheduled_in_quiet_hours(
    app, client, approved, comms, make_citizen, hour, minute
):
    make_citizen()
    campaign = approved()
    response = client.post(
        f"/comms/campaigns/{campaign['id']}/schedule",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"send_at": tomorrow_at(hour, minute).isoformat()},
    )
    problem = assert_problem(response, 422, "quiet_hours")
    assert "22:00–06:00" in problem["detail"] and f"{hour:02d}:{minute:02d}" in problem["detail"]
    assert stored(app, campaign["id"]).status == "approved"


def test_quiet_hours_end_at_six_and_a_naive_time_is_vietnam_time(client, approved, comms, make_citizen):
    make_citizen()
    campaign = approved()
    six = tomorrow_at(6).replace(tzinfo=None).isoformat()  # "…T06:00:00", no offset
    response = client.post(
        f"/comms/campaigns/{campaign['id']}/schedule",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"send_at": six},
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "scheduled" and response.json["send_at"].endswith("T06:00:00+07:00")


def test_an_urgent_campaign_may_go_at_night(client, approved, comms, make_citizen):
    make_citizen()
    campaign = approved(urgent=True, title="Cảnh báo lũ quét khẩn cấp")
    response = client.post(
        f"/comms/campaigns/{campaign['id']}/schedule",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"send_at": tomorrow_at(23, 30).isoformat()},
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "scheduled"


def test_only_drafts_are_edited(app, client, compose, comms, comms2, make_citizen):
    make_citizen()
    campaign = compose()
    edited = client.patch(
        f"/comms/campaigns/{campaign['id']}",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"urgent": True},
    )
    assert edited.status_code == 200 and edited.json["urgent"] is True
    too_long = client.patch(
        f"/comms/campaigns/{campaign['id']}",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"body": "x" * 241},
    )
    assert_problem(too_long, 422, "notification_body_too_long")
    approved = client.post(
        f"/comms/campaigns/{campaign['id']}/approve",
        headers=if_match(client, campaign["id"], comms2["headers"]),
    )
    assert approved.status_code == 200, approved.json
    late = client.patch(
        f"/comms/campaigns/{campaign['id']}",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"title": "Khác"},
    )
    assert_problem(late, 409, "campaign_state_conflict")
    assert stored(app, campaign["id"]).title == "Tiêm chủng mở rộng tháng 11"


def test_cancel_before_sending(app, client, scheduled, comms, make_citizen):
    make_citizen()
    campaign, _ = scheduled()
    response = client.post(f"/comms/campaigns/{campaign['id']}/cancel", headers=comms["headers"])
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert_problem(
        client.post(f"/comms/campaigns/{campaign['id']}/cancel", headers=comms["headers"]),
        409,
        "campaign_state_conflict",
    )
    assert ("campaign.cancelled", f"staff:{comms['id']}", "success") in audit_actions(app, campaign["id"])


def test_unknown_campaign_is_404(client, comms):
    response = client.post(
        "/comms/campaigns/00000000-0000-4000-8000-000000000000/approve",
        headers={**comms["headers"], "If-Match": '"an-etag"'},
    )
    assert_problem(response, 404, "campaign_not_found")


def _born(years_ago: int, days: int = 0) -> date:
    # Vietnam's today, as the audience counts ages: from 17:00 UTC it is already tomorrow there.
    today = local_date(utcnow())
    return today.replace(year=today.year - years_ago) - timedelta(days=days)


def test_audiences_by_ward_province_role_and_age(client, comms, make_citizen, add_devices):
    elder = make_citizen(date_of_birth=_born(70), identity_level=2)
    young = make_citizen(date_of_birth=_born(18), identity_level=1, ward_code=OTHER_WARD)
    make_citizen(date_of_birth=_born(60, days=-1), identity_level=2)  # turns 60 tomorrow
    add_devices(elder["id"], 2)
    add_devices(young["id"], 1)

    def preview(audience):
        response = client.post(
            "/comms/campaigns/audience-preview", headers=comms["headers"], json={"audience": audience}
        )
        assert response.status_code == 200, response.json
        return response.json

    assert preview({"kind": "all"}) == {"citizens": 3, "devices": 3}
    assert preview({"kind": "ward", "ward_codes": [OTHER_WARD]}) == {"citizens": 1, "devices": 1}
    assert preview({"kind": "province", "province_code": "66"}) == {"citizens": 3, "devices": 3}
    assert preview({"kind": "province", "province_code": "01"}) == {"citizens": 0, "devices": 0}
    assert preview({"kind": "role", "role": "verified"}) == {"citizens": 2, "devices": 2}
    assert preview({"kind": "role", "role": "unverified"}) == {"citizens": 1, "devices": 1}
    assert preview({"kind": "age", "min_age": 60}) == {"citizens": 1, "devices": 2}
    assert preview({"kind": "age", "min_age": 18, "max_age": 59}) == {"citizens": 2, "devices": 1}
    assert preview({"kind": "age", "max_age": 17}) == {"citizens": 0, "devices": 0}


def test_the_list_shows_campaigns_newest_first_filtered_by_status(
    client, compose, approved, staff_headers, make_citizen
):
    make_citizen()
    first = compose(title="Thứ nhất")
    second = approved(title="Thứ hai")
    admin, _ = staff_headers("admin")
    listed = client.get("/comms/campaigns", headers=admin)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json] == [second["id"], first["id"]]
    drafts = client.get("/comms/campaigns?status=draft", headers=admin)
    assert [c["id"] for c in drafts.json] == [first["id"]]
    assert_problem(client.get("/comms/campaigns?status=lost", headers=admin), 422, "validation_failed")
