"""The police's desk: searching notices (audited) and cancelling them, with a reason, while unpaid."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from tests.fines.conftest import assert_problem, events, snapshot


def test_police_find_notices_by_plate_typed_any_way_and_status(app, client, police, owner, issue):
    car = issue(plate="47A-123.45")
    issue(plate="47B1-234.56", violation_code="xe-may-vuot-den-do", amount_vnd=5_000_000)
    client.post(f"/me/fines/{car['id']}/confirm", headers=owner["headers"])

    by_plate = client.get("/police/fines?plate=47a12345", headers=police)
    assert by_plate.status_code == 200
    assert [f["id"] for f in by_plate.json] == [car["id"]]
    assert by_plate.json[0]["owner_cccd"] == owner["cccd"]
    assert json.loads(by_plate.headers["X-Pagination"])["total"] == 1
    confirmed = client.get("/police/fines?status=confirmed", headers=police)
    assert [f["id"] for f in confirmed.json] == [car["id"]]
    everything = client.get("/police/fines?page_size=1", headers=police)
    assert len(everything.json) == 1 and json.loads(everything.headers["X-Pagination"])["total_pages"] == 2
    # Reading owners' data is on the record.
    with app.app_context():
        searches = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "fine.search")).all()
        assert {entry.target for entry in searches} == {"plate:47A-123.45", None}


def test_police_search_refuses_bad_filters(client, police):
    assert_problem(client.get("/police/fines?plate=47-A", headers=police), 422, "invalid_plate")
    assert_problem(client.get("/police/fines?status=lost", headers=police), 422, "validation_failed")


@pytest.mark.parametrize("role", ["officer", "agent", "comms", "admin"])
def test_only_police_search(client, staff_headers, role):
    headers, _ = staff_headers(role)
    assert_problem(client.get("/police/fines", headers=headers), 403, "forbidden")


def test_police_cancel_with_a_reason_the_citizen_reads(app, client, police, owner, issue):
    issued = issue()
    response = client.post(
        f"/police/fines/{issued['id']}/cancel", headers=police, json={"reason": "  Nhầm biển số xe  "}
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled"
    assert response.json["cancel_reason"] == "Nhầm biển số xe"
    assert response.json["cancelled_by"].startswith("staff:")
    [event] = events(app, "fine.cancelled")
    assert str(event.recipient) == str(owner["id"]) and event.payload["reason"] == "Nhầm biển số xe"
    mine = client.get(f"/me/fines/{issued['id']}", headers=owner["headers"]).json
    assert (mine["status_name"], mine["cancel_reason"], mine["can_pay"]) == (
        "Đã huỷ",
        "Nhầm biển số xe",
        False,
    )
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "fine.cancel"))
        assert entry.target == f"fine:{issued['id']}" and entry.detail["reason"] == "Nhầm biển số xe"

    before = snapshot(app)
    again = client.post(f"/police/fines/{issued['id']}/cancel", headers=police, json={"reason": "Lần nữa"})
    assert_problem(again, 409, "fine_cancelled")
    assert snapshot(app) == before


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_cancelling_needs_a_reason(app, client, police, issue, body):
    issued = issue()
    before = snapshot(app)
    problem = assert_problem(
        client.post(f"/police/fines/{issued['id']}/cancel", headers=police, json=body), 422, "reason_required"
    )
    assert problem["errors"][0]["field"] == "reason"
    assert snapshot(app) == before


def test_cancelling_refuses_unknown_fields_and_ids(app, client, police, issue):
    issued = issue()
    before = snapshot(app)
    assert_problem(
        client.post(
            f"/police/fines/{issued['id']}/cancel", headers=police, json={"reason": "x", "force": True}
        ),
        422,
        "validation_failed",
    )
    assert_problem(
        client.post(f"/police/fines/{uuid.uuid4()}/cancel", headers=police, json={"reason": "x"}),
        404,
        "fine_not_found",
    )
    assert snapshot(app) == before


@pytest.mark.parametrize("role", ["officer", "admin", "agent"])
def test_only_police_cancel(app, client, staff_headers, issue, role):
    issued = issue()
    headers, _ = staff_headers(role)
    before = snapshot(app)
    assert_problem(
        client.post(f"/police/fines/{issued['id']}/cancel", headers=headers, json={"reason": "x"}),
        403,
        "forbidden",
    )
    assert snapshot(app) == before


def test_the_citizen_cannot_cancel_their_own_fine(app, client, owner, issue, feed):
    issued = issue()
    before = snapshot(app)
    path = f"/police/fines/{issued['id']}/cancel"
    assert_problem(
        client.post(path, headers=owner["headers"], json={"reason": "Tôi không vi phạm"}), 403, "forbidden"
    )
    # The camera feed sends notices; it does not cancel them.
    assert_problem(client.post(path, headers=feed, json={"reason": "x"}), 403, "forbidden")
    assert snapshot(app) == before


def test_a_paid_fine_is_not_cancelled_and_the_refund_goes_through_the_payments_desk(
    app, client, police, owner, issue
):
    from api.fines import service

    issued = issue()
    client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    with app.app_context():
        service.mark_fine_paid(issued["id"], uuid.uuid4())
        db.session.commit()
    before = snapshot(app)
    problem = assert_problem(
        client.post(f"/police/fines/{issued['id']}/cancel", headers=police, json={"reason": "Nhầm"}),
        409,
        "fine_already_paid",
    )
    assert "hoàn" in problem["detail"] and "bộ phận thanh toán" in problem["detail"]
    assert snapshot(app) == before
