"""The citizen's own fines: full detail for the owner, nothing for anyone else, and confirming."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from api.extensions import db
from api.fines.models import FineNotice
from tests.fines.conftest import assert_problem, events, notice_body, snapshot


def test_the_owner_sees_everything_about_their_fine(client, owner, issue):
    issued = issue(
        plate="47A 123 45",
        violated_at="2025-06-01T08:30:00+07:00",
        decided_at=(datetime.now(UTC) - timedelta(days=3)).isoformat(),
    )
    response = client.get(f"/me/fines/{issued['id']}", headers=owner["headers"])
    assert response.status_code == 200
    fine = response.json
    assert fine["notice_number"] == issued["notice_number"]  # unmasked for the owner
    assert fine["plate"] == "47A-123.45"
    assert fine["vehicle_kind_name"] == "Ô tô"
    assert fine["violation"] == {
        "code": "oto-vuot-den-do",
        "description": "Không chấp hành hiệu lệnh của đèn tín hiệu giao thông (vượt đèn đỏ)",
        "vehicle_kind": "car",
        "legal_reference": "Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP",
        "min_vnd": 18_000_000,
        "max_vnd": 20_000_000,
        "licence_points": 4,
        "additional_penalty": None,
    }
    assert fine["violated_at"] == "2025-06-01T08:30:00+07:00"
    assert fine["place"] == "Ngã tư Lê Duẩn - Phan Chu Trinh"
    assert fine["ward"] == {"code": "24133", "name": "Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"}
    # The photos, by opaque ids under the owner's own route (tests/fines/test_evidence.py serves them).
    assert [photo["url"] for photo in fine["evidence"]] == [
        f"/me/fines/{issued['id']}/evidence/{photo['id']}" for photo in fine["evidence"]
    ]
    assert len(fine["evidence"]) == len(notice_body(owner["cccd"])["evidence"])
    assert "camera.congan" not in str(fine["evidence"])
    assert fine["amount_vnd"] == 18_000_000 and fine["currency"] == "vnd"
    assert fine["days_left"] == 7 and fine["overdue"] is False
    assert (fine["can_confirm"], fine["can_pay"], fine["payment"], fine["payment_id"]) == (
        True,
        False,
        None,
        None,
    )
    assert "owner_cccd" not in fine and "source_ref" not in fine  # the police's fields


def test_another_citizen_gets_the_same_404_as_an_unknown_id(app, client, owner, stranger, issue):
    issued = issue()
    unknown = assert_problem(
        client.get(f"/me/fines/{uuid.uuid4()}", headers=stranger["headers"]), 404, "fine_not_found"
    )
    foreign = assert_problem(
        client.get(f"/me/fines/{issued['id']}", headers=stranger["headers"]), 404, "fine_not_found"
    )
    assert {k: v for k, v in foreign.items() if k != "request_id"} == {
        k: v for k, v in unknown.items() if k != "request_id"
    }
    text = client.get(f"/me/fines/{issued['id']}", headers=stranger["headers"]).get_data(as_text=True)
    assert issued["plate"] not in text and owner["cccd"] not in text
    before = snapshot(app)
    assert_problem(
        client.post(f"/me/fines/{issued['id']}/confirm", headers=stranger["headers"]), 404, "fine_not_found"
    )
    assert snapshot(app) == before
    assert client.get("/me/fines", headers=stranger["headers"]).json == []
    assert client.get("/me/fines/not-a-uuid", headers=owner["headers"]).status_code == 404


def test_my_fines_lists_unpaid_first_earliest_deadline_first(client, police, owner, issue):
    old = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    later = issue()
    sooner = issue(decided_at=old, violated_at=old)
    cancelled = issue()
    client.post(f"/police/fines/{cancelled['id']}/cancel", headers=police, json={"reason": "Sai chủ xe"})
    listing = client.get("/me/fines", headers=owner["headers"])
    assert listing.status_code == 200
    assert [f["id"] for f in listing.json] == [sooner["id"], later["id"], cancelled["id"]]
    assert listing.json[0]["days_left"] == 2
    assert listing.json[2]["status_name"] == "Đã huỷ" and listing.json[2]["cancel_reason"] == "Sai chủ xe"
    assert listing.json[2]["days_left"] is None


def test_notices_recorded_before_the_owner_signed_up_are_theirs_when_they_look(
    app, client, police, citizen_headers
):
    from api.citizens import cccd

    number = cccd.build("066", "male", date(1988, 1, 9), 777001)
    response = client.post("/police/fines", headers=police, json=notice_body(number))
    assert response.json["owner_citizen_id"] is None

    from api.citizens.models import Citizen

    with app.app_context():
        person = Citizen(
            cccd=number, full_name="Y Bhin Êban", date_of_birth=date(1988, 1, 9), sex="male", identity_level=1
        )
        db.session.add(person)
        db.session.commit()
        from api.auth import service

        with app.test_request_context():
            headers = {
                "Authorization": f"Bearer {service.sign_in_citizen(db.session.get(Citizen, person.id))['access_token']}"
            }
            db.session.commit()  # the test is the edge (api/unit_of_work.py)
        person_id = person.id
    mine = client.get("/me/fines", headers=headers)
    assert [f["id"] for f in mine.json] == [response.json["id"]]
    with app.app_context():
        assert db.session.get(FineNotice, uuid.UUID(response.json["id"])).owner_citizen_id == person_id
    # Events from now on reach them.
    client.post(f"/me/fines/{response.json['id']}/confirm", headers=headers)
    [confirmed] = events(app, "fine.confirmed")
    assert confirmed.recipient == person_id


def test_confirming_opens_payment_once(app, client, owner, issue):
    issued = issue()
    response = client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    assert response.status_code == 200
    fine = response.json
    assert (fine["status"], fine["status_name"]) == ("confirmed", "Đã xác nhận vi phạm")
    assert fine["confirmed_at"]
    assert (fine["can_confirm"], fine["can_pay"]) == (False, True)
    assert fine["payment"] == {"purpose": "fine", "reference": issued["id"], "amount_vnd": 18_000_000}
    [event] = events(app, "fine.confirmed")
    assert str(event.recipient) == str(owner["id"])

    again = client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"])
    assert again.status_code == 200 and again.json["confirmed_at"] == fine["confirmed_at"]
    assert len(events(app, "fine.confirmed")) == 1


def test_a_cancelled_fine_cannot_be_confirmed(app, client, police, owner, issue):
    issued = issue()
    client.post(f"/police/fines/{issued['id']}/cancel", headers=police, json={"reason": "Nhầm biển số"})
    before = snapshot(app)
    problem = assert_problem(
        client.post(f"/me/fines/{issued['id']}/confirm", headers=owner["headers"]), 409, "fine_cancelled"
    )
    assert "không phải nộp" in problem["detail"]
    assert snapshot(app) == before


def test_level_one_citizens_see_their_fines_and_the_chatbot_only_reads(app, client, police, citizen_headers):
    from api.auth.tokens import delegated_access_token

    headers, person, pair = citizen_headers(identity_level=1)
    response = client.post("/police/fines", headers=police, json=notice_body(person["cccd"]))
    fine_id = response.json["id"]
    assert client.get("/me/fines", headers=headers).status_code == 200

    from flask_jwt_extended import decode_token

    with app.app_context():
        claims = decode_token(pair["access_token"])
        token = delegated_access_token(
            claims["sub"], {"sid": claims["sid"], "lvl": 1}, via="chatbot", lifetime=timedelta(minutes=5)
        )
    chatbot = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/me/fines/{fine_id}", headers=chatbot).status_code == 200
    before = snapshot(app)
    assert_problem(
        client.post(f"/me/fines/{fine_id}/confirm", headers=chatbot), 403, "delegated_token_read_only"
    )
    assert snapshot(app) == before


def test_staff_cannot_use_the_citizen_routes(client, police, issue):
    issued = issue()
    assert_problem(client.get("/me/fines", headers=police), 403, "forbidden")
    assert_problem(client.post(f"/me/fines/{issued['id']}/confirm", headers=police), 403, "forbidden")
    assert_problem(client.get("/me/fines"), 401, "token_missing")
