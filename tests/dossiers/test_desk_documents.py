"""What the one-stop desk needs to judge a dossier: the attached papers themselves, and who did
each step by name."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from tests.conftest import assert_problem
from tests.documents.samples import MINIMAL_PDF, png
from tests.dossiers.test_dossiers import apply, desk, upload

REQUIREMENT = "Giấy tờ chứng minh chỗ ở hợp pháp"


@pytest.fixture
def applicant(citizen_headers, catalogue):
    headers, person, _ = citizen_headers()
    return {"headers": headers, **person}


def _submitted_with_papers(client, applicant):
    photo = upload(client, applicant["headers"], data=png(), name="so-do.png", title="Sổ đỏ")
    scan = upload(client, applicant["headers"], data=MINIMAL_PDF, name="hop-dong.pdf", title="Hợp đồng thuê")
    response = apply(
        client,
        applicant["headers"],
        attachments=[
            {"document_id": photo, "requirement": REQUIREMENT},
            {"document_id": scan, "requirement": "Hợp đồng thuê nhà"},
        ],
    )
    assert response.status_code == 201, response.json
    return response.json["code"], photo, scan


def test_the_desk_sees_what_each_attachment_is_and_opens_it(app, client, applicant, staff_headers):
    code, photo, scan = _submitted_with_papers(client, applicant)
    officer, user = staff_headers("officer")

    dossier = client.get(f"/staff/dossiers/{code}", headers=officer).json
    shown = {item["document_id"]: item for item in dossier["attachments"]}
    assert shown[photo]["title"] == "Sổ đỏ"
    assert shown[photo]["content_type"] == "image/png"
    assert shown[scan]["filename"] == "hop-dong.pdf"
    assert shown[scan]["content_type"] == "application/pdf"

    response = client.get(f"/staff/dossiers/{code}/attachments/{scan}/content", headers=officer)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == MINIMAL_PDF
    assert response.headers["Cache-Control"] == "private, no-store"
    image = client.get(f"/staff/dossiers/{code}/attachments/{photo}/content", headers=officer)
    assert image.status_code == 200 and image.mimetype == "image/png"

    # Opening a citizen's papers is on the record, as reading the dossier is.
    with app.app_context():
        reads = db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "dossier.document_read", AuditEntry.actor == f"staff:{user['id']}"
            )
        ).all()
    assert len(reads) == 2


def test_only_papers_of_that_dossier_and_only_the_dossiers_authority(
    client, applicant, citizen_headers, staff_headers, make_staff
):
    code, photo, _ = _submitted_with_papers(client, applicant)
    officer, _ = staff_headers("officer")
    # A document of the same citizen that is not attached to this dossier stays out of reach.
    loose = upload(client, applicant["headers"], data=png(color=(1, 2, 3)), name="khac.png", title="Khác")
    assert_problem(
        client.get(f"/staff/dossiers/{code}/attachments/{loose}/content", headers=officer),
        404,
        "document_not_found",
    )
    assert_problem(
        client.get(f"/staff/dossiers/{code}/attachments/{uuid.uuid4()}/content", headers=officer),
        404,
        "document_not_found",
    )
    # An officer of another ward does not reach the dossier at all.
    elsewhere = make_staff("officer", ward_code="24121")
    login = client.post(
        "/auth/staff/login", json={"username": elsewhere["username"], "password": elsewhere["password"]}
    )
    other_headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    assert_problem(
        client.get(f"/staff/dossiers/{code}/attachments/{photo}/content", headers=other_headers),
        404,
        "dossier_not_found",
    )
    # Police are not the desk.
    police, _ = staff_headers("police")
    assert (
        client.get(f"/staff/dossiers/{code}/attachments/{photo}/content", headers=police).status_code == 403
    )


def test_the_history_names_the_officer_who_took_each_step(client, applicant, staff_headers):
    code, _, _ = _submitted_with_papers(client, applicant)
    officer, _ = staff_headers("officer")
    assert desk(client, officer, code, "accept").status_code == 200
    history = client.get(f"/staff/dossiers/{code}", headers=officer).json["history"]
    assert [step["actor_name"] for step in history] == ["Người nộp hồ sơ", "Cán bộ officer"]
