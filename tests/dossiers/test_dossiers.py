"""Applying online, the officers' workflow on the ten national status codes, tracking, statistics."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.dossiers import service
from api.dossiers.models import Dossier
from api.dossiers.workflow import ACTIONS, STATUS_NAMES, today
from api.events import OutboxEvent
from api.extensions import db
from api.sequences import SequenceCounter
from api.workdays import add_working_days
from tests.conftest import DEMO_WARD
from tests.documents.samples import MINIMAL_PDF, png
from tests.dossiers.samples import GROUP_MEMBERS, VALID_FORMS

WARD_PROCEDURE = "tam-tru"  # decided by the ward police
PROVINCE_PROCEDURE = "ly-lich-tu-phap"  # decided by the province's Department of Justice
CODE_SHAPE = re.compile(r"^\d{2}\.\d{5}-\d{6}-\d{4}$")


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events_of(app, code: str) -> list[OutboxEvent]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == code)))


@pytest.fixture
def applicant(app, citizen_headers, catalogue):
    headers, person, _ = citizen_headers()
    return {"headers": headers, **person}


def upload(client, headers, data=MINIMAL_PDF, name="to-khai.pdf", title="Tờ khai"):
    from io import BytesIO

    response = client.post(
        "/me/documents",
        headers=headers,
        data={"file": (BytesIO(data), name), "title": title},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 201), response.json
    return response.json["id"]


def apply(client, headers, procedure=WARD_PROCEDURE, form=None, **extra):
    body = {
        "procedure_code": procedure,
        "form": form if form is not None else VALID_FORMS[procedure],
        **extra,
    }
    return client.post("/me/dossiers", headers=headers, json=body)


def act(client, headers, path, action, etag=None, **body):
    extra = {"If-Match": etag} if etag else {}
    return client.post(path, headers={**headers, **extra}, json={"action": action, **body})


@pytest.fixture
def officer(staff_headers):
    headers, _ = staff_headers("officer")  # of DEMO_WARD
    return headers


@pytest.fixture
def submitted(client, applicant):
    response = apply(client, applicant["headers"])
    assert response.status_code == 201, response.json
    return response.json["code"], response.headers["ETag"]


def desk(client, officer, code, action, **body):
    """Take an officer action with the current ETag; returns the response."""
    etag = client.get(f"/staff/dossiers/{code}", headers=officer).headers["ETag"]
    return act(client, officer, f"/staff/dossiers/{code}/actions", action, etag, **body)


# ---- applying -----------------------------------------------------------------------------------


def test_apply_with_an_attachment_from_the_document_store(app, client, applicant):
    document_id = upload(client, applicant["headers"])
    response = apply(
        client,
        applicant["headers"],
        attachments=[{"document_id": document_id, "requirement": "Giấy tờ chứng minh chỗ ở hợp pháp"}],
    )
    assert response.status_code == 201, response.json
    dossier = response.json
    assert CODE_SHAPE.match(dossier["code"])
    assert dossier["code"].startswith(f"66.{DEMO_WARD}-{today():%y%m%d}-")
    assert (dossier["status"], dossier["status_name"]) == (1, "Mới đăng ký")
    assert dossier["procedure_name"] == "Đăng ký tạm trú"
    assert dossier["ward_code"] == DEMO_WARD
    assert dossier["due_date"] == add_working_days(today(), 3).isoformat()
    assert dossier["attachments"][0]["document_id"] == document_id
    assert [step["action"] for step in dossier["history"]] == ["submit"]
    assert response.headers["ETag"]
    [event] = events_of(app, dossier["code"])
    assert event.event_type == "dossier.status_changed"
    assert event.payload["to_status"] == 1
    assert str(event.recipient) == str(applicant["id"])

    again = client.get(f"/me/dossiers/{dossier['code']}", headers=applicant["headers"])
    assert again.status_code == 200 and again.json["code"] == dossier["code"]
    listing = client.get("/me/dossiers", headers=applicant["headers"])
    assert [d["code"] for d in listing.json] == [dossier["code"]]


def test_codes_are_sequential_per_authority_and_day(client, applicant):
    first = apply(client, applicant["headers"]).json["code"]
    second = apply(client, applicant["headers"]).json["code"]
    assert first[:-4] == second[:-4]
    assert int(second[-4:]) == int(first[-4:]) + 1


def test_province_level_procedure_goes_to_the_province(client, applicant):
    response = apply(client, applicant["headers"], PROVINCE_PROCEDURE)
    assert response.status_code == 201, response.json
    assert response.json["authority"] == "province"
    assert response.json["ward_code"] is None
    assert response.json["code"].startswith("66.00000-")


def test_form_errors_name_the_field_and_nothing_is_written(app, client, applicant):
    form = dict(VALID_FORMS[WARD_PROCEDURE])
    del form["address"]
    form["duration_months"] = "mười hai"
    form["surprise"] = 1
    response = apply(client, applicant["headers"], form=form)
    assert response.status_code == 422
    assert response.json["code"] == "form_invalid"
    fields = {error["field"] for error in response.json["errors"]}
    assert {"form.address", "form.duration_months", "form.surprise"} <= fields
    assert count(app, Dossier) == count(app, OutboxEvent) == count(app, SequenceCounter) == 0


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"procedure_code": "khong-co", "form": {}}, 404, "procedure_not_found"),
        ({"procedure_code": WARD_PROCEDURE}, 422, "validation_failed"),
        (
            {"procedure_code": WARD_PROCEDURE, "form": {}, "group_code": "lien-thong-khai-sinh"},
            422,
            "validation_failed",
        ),
        ({"procedure_code": WARD_PROCEDURE, "form": {}, "extra": True}, 422, "validation_failed"),
        ({"procedure_code": WARD_PROCEDURE, "form": "không phải object"}, 422, "validation_failed"),
        (
            {"procedure_code": "khai-sinh", "form": VALID_FORMS["khai-sinh"], "ward_code": "99999"},
            422,
            "unknown_ward",
        ),
        (
            {"procedure_code": "khai-sinh", "form": VALID_FORMS["khai-sinh"], "ward_code": "00070"},
            422,
            "ward_outside_province",
        ),
    ],
)
def test_bad_applications_are_refused_and_change_nothing(app, client, applicant, body, status, code):
    response = client.post("/me/dossiers", headers=applicant["headers"], json=body)
    assert response.status_code == status, response.json
    assert response.json["code"] == code
    assert count(app, Dossier) == 0


def test_another_citizens_document_cannot_be_attached(app, client, applicant, citizen_headers):
    other_headers, _, _ = citizen_headers()
    foreign = upload(client, other_headers, png(), "anh.png", "Ảnh")
    response = apply(
        client, applicant["headers"], attachments=[{"document_id": foreign, "requirement": "Ảnh chân dung"}]
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "attachments.0.document_id"
    assert count(app, Dossier) == 0


def test_an_attached_document_cannot_be_deleted(client, applicant):
    document_id = upload(client, applicant["headers"])
    apply(client, applicant["headers"], attachments=[{"document_id": document_id, "requirement": "Giấy tờ"}])
    response = client.delete(f"/me/documents/{document_id}", headers=applicant["headers"])
    assert response.status_code == 409
    assert response.json["code"] == "document_in_use"


def test_interconnected_group_makes_linked_dossiers(app, client, applicant):
    members = GROUP_MEMBERS["lien-thong-khai-sinh"]
    body = {"group_code": "lien-thong-khai-sinh", "forms": {code: VALID_FORMS[code] for code in members}}
    response = client.post("/me/dossiers", headers=applicant["headers"], json=body)
    assert response.status_code == 201, response.json
    parent = response.json
    assert parent["procedure_code"] == members[0]
    assert parent["group_code"] == "lien-thong-khai-sinh"
    assert [linked["procedure_code"] for linked in parent["linked"]] == members[1:]
    child = client.get(f"/me/dossiers/{parent['linked'][0]['code']}", headers=applicant["headers"]).json
    assert child["parent_code"] == parent["code"]
    assert count(app, OutboxEvent) == len(members)


def test_group_with_a_bad_member_form_writes_nothing(app, client, applicant):
    members = GROUP_MEMBERS["lien-thong-khai-sinh"]
    forms = {code: VALID_FORMS[code] for code in members}
    forms[members[2]] = {}
    response = client.post(
        "/me/dossiers",
        headers=applicant["headers"],
        json={"group_code": "lien-thong-khai-sinh", "forms": forms},
    )
    assert response.status_code == 422
    assert any(e["field"].startswith(f"forms.{members[2]}.") for e in response.json["errors"])
    assert count(app, Dossier) == 0


# ---- the workflow -------------------------------------------------------------------------------


def test_the_whole_happy_path_one_event_per_step(app, client, applicant, officer, submitted):
    code, _ = submitted
    steps = [
        ("accept", {}, 2),
        ("start", {}, 4),
        ("request_supplement", {"note": "Thiếu hợp đồng thuê nhà có công chứng"}, 5),
    ]
    for action, body, status in steps:
        before = len(events_of(app, code))
        response = desk(client, officer, code, action, **body)
        assert response.status_code == 200, response.json
        assert response.json["status"] == status
        assert len(events_of(app, code)) == before + 1

    etag = client.get(f"/me/dossiers/{code}", headers=applicant["headers"]).headers["ETag"]
    document_id = upload(client, applicant["headers"], png(), "hop-dong.png", "Hợp đồng thuê nhà")
    supplied = act(
        client,
        applicant["headers"],
        f"/me/dossiers/{code}/actions",
        "supply_supplement",
        etag,
        attachments=[{"document_id": document_id, "requirement": "Hợp đồng thuê nhà"}],
    )
    assert supplied.status_code == 200, supplied.json
    assert supplied.json["status"] == 4
    assert supplied.json["due_date"] == add_working_days(today(), 3).isoformat()

    for action, body, status in [
        ("request_payment", {"fee_vnd": 15000}, 6),
        ("confirm_payment", {}, 4),
        ("complete", {"note": "Đã cập nhật thông tin tạm trú"}, 9),
        ("return_result", {}, 10),
    ]:
        response = desk(client, officer, code, action, **body)
        assert response.status_code == 200, response.json
        assert response.json["status"] == status

    final = client.get(f"/me/dossiers/{code}", headers=applicant["headers"]).json
    assert final["payment_status"] == 1 and final["fee_vnd"] == 15000
    assert [step["to_status"] for step in final["history"]] == [1, 2, 4, 5, 4, 6, 4, 9, 10]
    assert {step["by"] for step in final["history"]} == {"citizen", "staff"}
    assert "actor" not in final["history"][1]  # citizens do not see which officer acted
    assert len(events_of(app, code)) == 9
    assert count(app, AuditEntry, AuditEntry.action == "dossier.return_result") == 1

    rated = client.post(f"/me/dossiers/{code}/rating", headers=applicant["headers"], json={"score": 5})
    assert rated.status_code == 200 and rated.json["rating"] == 5
    twice = client.post(f"/me/dossiers/{code}/rating", headers=applicant["headers"], json={"score": 1})
    assert twice.status_code == 409 and twice.json["code"] == "already_rated"


def test_every_refused_transition_changes_nothing(app, applicant, make_staff):
    """The whole matrix: each action from each status it is not allowed from."""
    staff = make_staff("officer")
    with app.test_request_context():
        from api.citizens.service import get_citizen

        dossier = service.submit(get_citizen(applicant["id"]), WARD_PROCEDURE, VALID_FORMS[WARD_PROCEDURE])
        code = dossier.code
        officer = service.Actor("staff", staff["id"], "officer", DEMO_WARD)
        citizen = service.Actor("citizen", applicant["id"])
        refused = 0
        for status in STATUS_NAMES:
            dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
            dossier.status = status
            db.session.commit()
            for action in ACTIONS.values():
                if status in action.from_statuses:
                    continue
                events_before = count(app, OutboxEvent)
                with pytest.raises(service.ApiError) as caught:
                    service.transition(
                        dossier,
                        action.name,
                        citizen if action.actor == "citizen" else officer,
                        expected_version=dossier.version,
                        note="lý do",
                        fee_vnd=1000,
                    )
                assert (caught.value.status, caught.value.code) == (409, "illegal_transition"), (
                    action,
                    status,
                )
                db.session.rollback()
                assert db.session.get(Dossier, dossier.id).status == status
                assert count(app, OutboxEvent) == events_before
                refused += 1
        assert refused == sum(len(STATUS_NAMES) - len(a.from_statuses) for a in ACTIONS.values())


def test_officer_cannot_take_citizen_actions_nor_the_reverse(client, applicant, officer, submitted):
    code, etag = submitted
    assert desk(client, officer, code, "withdraw").status_code == 422
    response = act(client, applicant["headers"], f"/me/dossiers/{code}/actions", "accept", etag)
    assert response.status_code == 422


def test_stale_or_missing_etag_changes_nothing(app, client, applicant, officer, submitted):
    code, first_etag = submitted
    missing = act(client, officer, f"/staff/dossiers/{code}/actions", "accept")
    assert missing.status_code == 428
    assert desk(client, officer, code, "accept").status_code == 200
    stale = act(client, applicant["headers"], f"/me/dossiers/{code}/actions", "withdraw", first_etag)
    assert stale.status_code == 412
    assert client.get(f"/me/dossiers/{code}", headers=applicant["headers"]).json["status"] == 2


@pytest.mark.parametrize("action", ["refuse", "request_supplement", "stop"])
def test_decisions_against_the_citizen_need_a_reason(client, officer, submitted, action):
    code, _ = submitted
    if action != "refuse":
        desk(client, officer, code, "accept")
    response = desk(client, officer, code, action)
    assert response.status_code == 422
    assert response.json["code"] == "note_required"


def test_refusal_is_final_and_shown_with_its_reason(client, applicant, officer, submitted):
    code, _ = submitted
    refused = desk(client, officer, code, "refuse", note="Không thuộc thẩm quyền của phường")
    assert refused.json["status"] == 3
    history = client.get(f"/me/dossiers/{code}", headers=applicant["headers"]).json["history"]
    assert history[-1]["note"] == "Không thuộc thẩm quyền của phường"
    assert desk(client, officer, code, "accept").status_code == 409


def test_payment_request_needs_an_amount_for_a_free_procedure(client, applicant, officer):
    code = apply(client, applicant["headers"], "khai-sinh").json["code"]
    desk(client, officer, code, "accept")
    response = desk(client, officer, code, "request_payment")
    assert response.status_code == 422 and response.json["code"] == "fee_required"


def test_citizen_withdraws(client, applicant, submitted):
    code, etag = submitted
    response = act(client, applicant["headers"], f"/me/dossiers/{code}/actions", "withdraw", etag)
    assert response.status_code == 200
    assert (response.json["status"], response.json["status_name"]) == (7, "Công dân yêu cầu rút hồ sơ")


def test_rating_waits_for_the_result(client, applicant, submitted):
    code, _ = submitted
    response = client.post(f"/me/dossiers/{code}/rating", headers=applicant["headers"], json={"score": 4})
    assert response.status_code == 409 and response.json["code"] == "not_returned_yet"


# ---- who sees what ------------------------------------------------------------------------------


def test_another_citizen_gets_404_for_every_route(client, citizen_headers, submitted, catalogue):
    code, etag = submitted
    other, _, _ = citizen_headers()
    assert client.get(f"/me/dossiers/{code}", headers=other).status_code == 404
    response = act(client, other, f"/me/dossiers/{code}/actions", "withdraw", etag)
    assert response.status_code == 404 and response.json["code"] == "dossier_not_found"
    assert client.post(f"/me/dossiers/{code}/rating", headers=other, json={"score": 5}).status_code == 404
    assert client.get("/me/dossiers", headers=other).json == []


def test_officers_see_only_their_authority(client, make_staff, staff_headers, applicant, submitted):
    code, _ = submitted
    province_code = apply(client, applicant["headers"], PROVINCE_PROCEDURE).json["code"]
    ward_officer, _ = staff_headers("officer")
    other_ward = make_staff("officer", ward_code="24163")
    province = make_staff("officer", ward_code=None)

    def headers_of(user):
        token = client.post(
            "/auth/staff/login", json={"username": user["username"], "password": user["password"]}
        ).json["access_token"]
        return {"Authorization": f"Bearer {token}"}

    assert [d["code"] for d in client.get("/staff/dossiers", headers=ward_officer).json] == [code]
    assert client.get("/staff/dossiers", headers=headers_of(other_ward)).json == []
    assert client.get(f"/staff/dossiers/{code}", headers=headers_of(other_ward)).status_code == 404
    assert [d["code"] for d in client.get("/staff/dossiers", headers=headers_of(province)).json] == [
        province_code
    ]
    police, _ = staff_headers("police")
    assert client.get("/staff/dossiers", headers=police).status_code == 403
    assert client.get("/staff/dossiers", headers=applicant["headers"]).status_code == 403


def test_staff_view_shows_the_applicant_and_the_read_is_audited(app, client, officer, applicant, submitted):
    code, _ = submitted
    view = client.get(f"/staff/dossiers/{code}", headers=officer).json
    assert view["applicant"]["cccd"] == applicant["cccd"]
    assert view["history"][0]["actor"] == f"citizen:{applicant['id']}"
    assert (
        count(app, AuditEntry, AuditEntry.action == "dossier.read", AuditEntry.target == f"dossier:{code}")
        == 1
    )


def test_queue_is_by_due_date_with_overdue_flagged(app, client, applicant, officer):
    codes = [apply(client, applicant["headers"]).json["code"] for _ in range(3)]
    with app.app_context():
        late = db.session.scalar(select(Dossier).where(Dossier.code == codes[2]))
        late.due_date = today() - timedelta(days=2)
        db.session.commit()
    queue = client.get("/staff/dossiers", headers=officer).json
    assert [d["code"] for d in queue] == [codes[2], codes[0], codes[1]]
    assert [d["overdue"] for d in queue] == [True, False, False]
    overdue = client.get("/staff/dossiers?overdue=true", headers=officer).json
    assert [d["code"] for d in overdue] == [codes[2]]
    desk(client, officer, codes[0], "refuse", note="Sai thẩm quyền")
    assert codes[0] not in [d["code"] for d in client.get("/staff/dossiers", headers=officer).json]


# ---- public tracking ----------------------------------------------------------------------------


def test_tracking_with_code_and_last_four_cccd_digits(client, applicant, submitted):
    code, _ = submitted
    response = client.get(f"/tracking/dossiers/{code}?cccd_last4={applicant['cccd'][-4:]}")
    assert response.status_code == 200
    assert response.json["status_name"] == "Mới đăng ký"
    assert set(response.json) == {
        "code",
        "procedure_name",
        "status",
        "status_name",
        "submitted_at",
        "due_date",
        "overdue",
        "payment_status",
    }
    body = response.get_data(as_text=True)
    assert applicant["cccd"] not in body and "Nguyễn" not in body

    spaced = client.get(f"/tracking/dossiers/{code.lower()}?cccd_last4={applicant['cccd'][-4:]}")
    assert spaced.status_code == 200


@pytest.mark.parametrize("last4", ["0000", "9999"])
def test_tracking_with_wrong_digits_looks_like_no_dossier(client, applicant, submitted, last4):
    code, _ = submitted
    if applicant["cccd"].endswith(last4):
        pytest.skip("the random CCCD happens to end this way")
    wrong = client.get(f"/tracking/dossiers/{code}?cccd_last4={last4}")
    missing = client.get(f"/tracking/dossiers/66.24133-991231-0001?cccd_last4={last4}")
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json["detail"] == missing.json["detail"]


def test_tracking_needs_four_digits(client, submitted):
    code, _ = submitted
    assert client.get(f"/tracking/dossiers/{code}").status_code == 422
    assert client.get(f"/tracking/dossiers/{code}?cccd_last4=12a4").status_code == 422


# ---- statistics ---------------------------------------------------------------------------------


def test_statistics_of_the_authority(app, client, applicant, officer):
    codes = [apply(client, applicant["headers"]).json["code"] for _ in range(3)]
    for action in ("accept", "start", "complete"):
        desk(client, officer, codes[0], action)
    desk(client, officer, codes[1], "refuse", note="Hồ sơ không hợp lệ")
    with app.app_context():
        late = db.session.scalar(select(Dossier).where(Dossier.code == codes[2]))
        late.due_date = date.today() - timedelta(days=5)
        db.session.commit()
    stats = client.get("/staff/dossiers/statistics", headers=officer).json
    assert stats["total"] == 3
    by_status = {row["status"]: row["count"] for row in stats["by_status"]}
    assert (by_status[1], by_status[3], by_status[9]) == (1, 1, 1)
    assert stats["by_procedure"] == [{"procedure_code": WARD_PROCEDURE, "count": 3}]
    assert stats["completed"] == 1
    assert stats["on_time_ratio"] == 1.0
    assert stats["online_ratio"] == 1.0
    assert stats["average_processing_working_days"] == 0
    assert stats["overdue_open"] == 1


def test_unknown_dossier_code_is_404(client, officer, applicant, catalogue):
    assert client.get("/staff/dossiers/66.24133-000000-0000", headers=officer).status_code == 404
    assert client.get(f"/me/dossiers/{uuid.uuid4()}", headers=applicant["headers"]).status_code == 404


def test_every_allowed_transition_moves_and_writes_one_event(app, applicant, make_staff):
    """The other half of the matrix: each action from each status it is allowed from."""
    staff = make_staff("officer")
    with app.test_request_context():
        from api.citizens.service import get_citizen

        citizen_account = get_citizen(applicant["id"])
        officer = service.Actor("staff", staff["id"], "officer", DEMO_WARD)
        citizen = service.Actor("citizen", applicant["id"])
        moves = 0
        for action in ACTIONS.values():
            for status in sorted(action.from_statuses):
                dossier = service.submit(citizen_account, WARD_PROCEDURE, VALID_FORMS[WARD_PROCEDURE])
                dossier.status = status
                db.session.commit()
                events_before = count(app, OutboxEvent, OutboxEvent.aggregate_id == dossier.code)
                service.transition(
                    dossier,
                    action.name,
                    citizen if action.actor == "citizen" else officer,
                    expected_version=dossier.version,
                    note="lý do",
                    fee_vnd=15000,
                )
                db.session.commit()  # the test is the edge: it commits what the service staged
                assert dossier.status == action.to_status, (action.name, status)
                assert dossier.history[-1].action == action.name
                assert count(app, OutboxEvent, OutboxEvent.aggregate_id == dossier.code) == events_before + 1
                moves += 1
        assert moves == sum(len(a.from_statuses) for a in ACTIONS.values())


def test_statistics_period_is_counted_in_vietnamese_days(client, applicant, officer):
    apply(client, applicant["headers"])
    day = today().isoformat()
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert (
        client.get(f"/staff/dossiers/statistics?since={day}&until={day}", headers=officer).json["total"] == 1
    )
    assert client.get(f"/staff/dossiers/statistics?since={tomorrow}", headers=officer).json["total"] == 0
