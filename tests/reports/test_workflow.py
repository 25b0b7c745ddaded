"""The life cycle: every move allowed and refused, jurisdiction, comments, rating, auto-close."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from api.dbtypes import utcnow
from api.extensions import db
from api.reports import service, transitions
from api.reports.models import Report
from api.unit_of_work import transaction
from tests.reports.conftest import (
    OTHER_WARD,
    act,
    assert_problem,
    audit_entries,
    events,
    jpeg_bytes,
    snapshot,
    upload,
)


def _evidence(client, headers, report_id) -> str:
    response = upload(client, f"/staff/reports/{report_id}/media", headers, jpeg_bytes(color=(0, 200, 0)))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _to(client, headers, report_id, status):
    steps = {
        "assigned": ["assign"],
        "in_progress": ["assign", "start"],
        "resolved": ["assign", "start", "resolve"],
    }
    for name in steps[status]:
        fields = {}
        if name == "resolve":
            fields = {
                "note": "Đã vá ổ gà bằng bê tông nhựa.",
                "evidence_media_id": _evidence(client, headers, report_id),
            }
        response = act(client, headers, report_id, name, **fields)
        assert response.status_code == 200, response.json
    return response.json


def test_the_full_life_cycle_with_events_history_and_audit(client, app, reporter, officer, submit):
    report_id = submit()["report"]["id"]
    assert act(client, officer, report_id, "assign").json["status"] == "assigned"
    assert act(client, officer, report_id, "start").json["status"] == "in_progress"
    photo = _evidence(client, officer, report_id)
    resolved = act(client, officer, report_id, "resolve", note="Đã vá ổ gà.", evidence_media_id=photo)
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved"
    mine = client.get(f"/me/reports/{report_id}", headers=reporter["headers"]).json
    assert mine["resolution_note"] == "Đã vá ổ gà." and mine["resolution_media_id"] == photo
    assert mine["can_confirm"] is True
    confirmed = client.post(f"/me/reports/{report_id}/confirm", headers=reporter["headers"])
    assert confirmed.status_code == 200 and confirmed.json["status"] == "closed"
    rated = client.post(f"/me/reports/{report_id}/rating", headers=reporter["headers"], json={"score": 5})
    assert rated.status_code == 200 and rated.json["rating"] == 5
    assert [e.event_type for e in events(app)] == [
        "report.received",
        "report.assigned",
        "report.in_progress",
        "report.resolved",
        "report.closed",
    ]
    assert all(str(e.recipient) == str(reporter["id"]) for e in events(app))
    assert [h["status"] for h in mine["history"]] == ["received", "assigned", "in_progress", "resolved"]
    assert {e.action for e in audit_entries(app, "report.resolve")} == {"report.resolve"}
    assert_problem(
        client.post(f"/me/reports/{report_id}/rating", headers=reporter["headers"], json={"score": 4}),
        409,
        "already_rated",
    )


@pytest.mark.parametrize(
    ("status", "action", "fields"),
    [
        ("received", "start", {}),
        ("received", "resolve", {"note": "xong"}),
        ("assigned", "resolve", {"note": "xong"}),
        ("resolved", "reject", {"note": "Không thuộc thẩm quyền"}),
        ("resolved", "assign", {}),
        ("resolved", "start", {}),
    ],
)
def test_moves_not_in_the_table_are_refused(client, app, officer, submit, status, action, fields):
    report_id = submit()["report"]["id"]
    if status != "received":
        _to(client, officer, report_id, status)
    before = snapshot(app)
    assert_problem(act(client, officer, report_id, action, **fields), 409, "illegal_transition")
    assert snapshot(app) == before


def test_resolving_needs_a_note_and_an_evidence_photo(client, app, officer, reporter, submit):
    report_id = submit()["report"]["id"]
    _to(client, officer, report_id, "in_progress")
    photo = _evidence(client, officer, report_id)
    citizen_photo = upload(client, f"/me/reports/{report_id}/media", reporter["headers"], jpeg_bytes()).json[
        "id"
    ]
    before = snapshot(app)
    assert_problem(act(client, officer, report_id, "resolve", evidence_media_id=photo), 422, "note_required")
    assert_problem(act(client, officer, report_id, "resolve", note="Đã xử lý"), 422, "evidence_required")
    # The citizen's own photo is not the officer's evidence of the fix.
    response = act(client, officer, report_id, "resolve", note="Đã xử lý", evidence_media_id=citizen_photo)
    assert_problem(response, 422, "evidence_required")
    assert snapshot(app) == before


def test_rejecting_needs_a_reason_the_citizen_reads(client, app, officer, reporter, submit):
    report_id = submit()["report"]["id"]
    before = snapshot(app)
    assert_problem(act(client, officer, report_id, "reject"), 422, "note_required")
    assert snapshot(app) == before
    response = act(
        client, officer, report_id, "reject", note="Vị trí thuộc đường cao tốc, do đơn vị khác quản lý."
    )
    assert response.json["status"] == "rejected"
    mine = client.get(f"/me/reports/{report_id}", headers=reporter["headers"]).json
    assert mine["reject_reason"].startswith("Vị trí thuộc")
    assert mine["history"][-1]["note"].startswith("Vị trí thuộc")
    assert_problem(act(client, officer, report_id, "assign"), 409, "illegal_transition")


def test_reassignment_moves_the_report_to_another_unit(
    client, app, officer, police, officer_elsewhere, submit
):
    report_id = submit()["report"]["id"]
    _to(client, officer, report_id, "assigned")
    assert_problem(act(client, officer, report_id, "reassign", unit_kind="ward"), 422, "note_required")
    moved = act(
        client,
        officer,
        report_id,
        "reassign",
        unit_kind="ward",
        ward_code=OTHER_WARD,
        note="Vị trí thuộc phường bên",
    )
    assert moved.status_code == 200 and moved.json["status"] == "received"
    assert moved.json["unit_ward"]["code"] == OTHER_WARD and moved.json["assignee"] is None
    # Now the other ward's desk has it, and the first one does not.
    assert client.get(f"/staff/reports/{report_id}", headers=officer_elsewhere).status_code == 200
    assert_problem(client.get(f"/staff/reports/{report_id}", headers=officer), 404, "report_not_found")
    assert [e.event_type for e in events(app, "report.reassigned")] == ["report.reassigned"]


def test_staff_of_another_ward_or_unit_cannot_act(
    client, app, officer_elsewhere, police, police_elsewhere, submit
):
    field_id = submit()["report"]["id"]
    crime_id = submit(category="trom-cap", description="Mất trộm xe máy trước cửa nhà đêm qua.")["report"][
        "id"
    ]
    before = snapshot(app)
    for headers, report_id in (
        (officer_elsewhere, field_id),
        (police, field_id),
        (police_elsewhere, crime_id),
    ):
        assert_problem(act(client, headers, report_id, "assign"), 404, "report_not_found")
        assert_problem(client.get(f"/staff/reports/{report_id}", headers=headers), 404, "report_not_found")
    assert snapshot(app) == before
    # The ward police handle the crime report of their own ward.
    assert act(client, police, crime_id, "assign").status_code == 200


def test_admins_act_on_every_ward(client, admin, submit):
    report_id = submit()["report"]["id"]
    assert act(client, admin, report_id, "assign").json["status"] == "assigned"


def test_comments_reach_the_citizen_and_internal_notes_do_not(client, app, officer, reporter, submit):
    report_id = submit()["report"]["id"]
    url = f"/staff/reports/{report_id}/comments"
    assert (
        client.post(url, headers=officer, json={"body": "Đã chuyển đội công trình đô thị."}).status_code
        == 201
    )
    assert (
        client.post(
            url, headers=officer, json={"body": "Nhà thầu hẹn thứ Sáu.", "internal": True}
        ).status_code
        == 201
    )
    mine = client.post(
        f"/me/reports/{report_id}/comments", headers=reporter["headers"], json={"body": "Cảm ơn!"}
    )
    assert mine.status_code == 201
    shown = client.get(f"/me/reports/{report_id}", headers=reporter["headers"]).json
    assert [c["body"] for c in shown["comments"]] == ["Đã chuyển đội công trình đô thị.", "Cảm ơn!"]
    desk = client.get(f"/staff/reports/{report_id}", headers=officer).json
    assert len(desk["comments"]) == 3 and any(c["internal"] for c in desk["comments"])
    assert len(events(app, "report.commented")) == 1


def test_rating_waits_for_the_resolution_and_takes_1_to_5(client, app, officer, reporter, submit):
    report_id = submit()["report"]["id"]
    url = f"/me/reports/{report_id}/rating"
    assert_problem(client.post(url, headers=reporter["headers"], json={"score": 4}), 409, "not_resolved_yet")
    _to(client, officer, report_id, "resolved")
    before = snapshot(app)
    for bad in ({"score": 6}, {"score": "5"}, {"score": 0}, {"score": 4, "extra": 1}):
        assert_problem(client.post(url, headers=reporter["headers"], json=bad), 422, "validation_failed")
    assert snapshot(app) == before
    assert (
        client.post(url, headers=reporter["headers"], json={"score": 2, "comment": "Chậm"}).status_code == 200
    )


def test_resolved_reports_close_themselves_after_the_timeout(client, app, officer, reporter, submit):
    old, recent = submit()["report"]["id"], submit(latitude=12.70)["report"]["id"]
    for report_id in (old, recent):
        _to(client, officer, report_id, "resolved")
    with app.app_context():
        report = db.session.get(Report, uuid.UUID(old))
        report.resolved_at = utcnow() - timedelta(days=8)
        db.session.commit()
        # each run is a job: one unit of work (the scheduler's transaction)
        with transaction():
            assert service.close_resolved_reports() == 1
        with transaction():
            assert service.close_resolved_reports() == 0  # done once
        db.session.remove()
    assert client.get(f"/me/reports/{old}", headers=reporter["headers"]).json["status"] == "closed"
    assert client.get(f"/me/reports/{recent}", headers=reporter["headers"]).json["status"] == "resolved"
    [closed] = events(app, "report.closed")
    assert closed.aggregate_id == old


def test_the_auto_close_is_a_scheduler_job():
    from api.scheduler import JOBS_BY_NAME

    assert JOBS_BY_NAME["reports.auto_close"].function == "api.reports.service:close_resolved_reports"


def test_two_officers_cannot_both_win(client, app, officer, submit, make_staff):
    report_id = submit()["report"]["id"]
    with app.app_context():
        actor = service.Actor("staff", uuid.uuid4(), "officer", "24133")
        report = service.staff_report(actor, report_id)
        # Another officer's move commits between this one's read and its write.
        db.session.execute(
            Report.__table__.update()
            .where(Report.__table__.c.id == report.id)
            .values(status="assigned", version=Report.__table__.c.version + 1)
        )
        with pytest.raises(service.ApiError) as lost:
            transitions.move(report, service.ACTIONS["assign"], actor.ref)
        assert lost.value.code == "report_changed"
        db.session.remove()
