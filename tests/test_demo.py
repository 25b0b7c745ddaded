"""The demo data: valid people, every staff role, idempotent."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from api.auth.models import StaffUser
from api.citizens import cccd
from api.citizens.models import Citizen
from api.demo import DEMO_STAFF_PASSWORD, demo_citizens, demo_level2_citizen
from api.extensions import db
from api.policy import STAFF_ROLES


def test_demo_citizens_have_valid_cccd_numbers():
    people = demo_citizens()
    assert len(people) == 50
    assert len({p.cccd for p in people}) == 50
    for person in people:
        cccd.validate(person.cccd, date_of_birth=person.date_of_birth, sex=person.sex)
    assert {p.identity_level for p in people} == {1, 2}


def test_seed_demo_is_idempotent_and_covers_every_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "citizens +50" in first.output
    second = runner.invoke(args=["seed-demo", "--quiet"])
    assert "citizens +0, staff +0, service_accounts +0" in second.output
    # Nothing at all is added the second time: no dossier, record, fine, report or message twice.
    counts = dict(re.findall(r"(\w+) \+(\d+)", second.output))
    assert len(counts) >= 14 and set(counts.values()) == {"0"}, second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Citizen)) == 50
        assert set(db.session.scalars(select(StaffUser.role))) == set(STAFF_ROLES)


def test_demo_staff_can_sign_in(app, client):
    app.test_cli_runner().invoke(args=["seed-demo", "--quiet"])
    response = client.post("/auth/staff/login", json={"username": "quantri", "password": "CongDanSo@2025"})
    assert response.status_code == 200


def test_seed_refused_in_production(make_app):
    prod_like = make_app()
    prod_like.config["CDS_ENV"] = "production"
    result = prod_like.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0


def test_demo_wards_are_real_wards_of_dak_lak():
    from api.demo import DEMO_PROVINCE, DEMO_STAFF, DEMO_WARDS
    from api.units.service import get_ward

    wards = set(DEMO_WARDS) | {ward for *_, ward in DEMO_STAFF if ward}
    for code in wards:
        ward = get_ward(code)
        assert ward is not None, code
        assert ward.province.code == DEMO_PROVINCE


# ---- every role has work, every citizen screen has something (issue 15 §7) -------------------------


def _staff_headers(client, username: str) -> dict:
    response = client.post("/auth/staff/login", json={"username": username, "password": DEMO_STAFF_PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def _citizen_headers(app, cccd_number: str) -> dict:
    from api.auth import service as auth
    from api.citizens import service as citizens
    from api.extensions import db

    with app.test_request_context():
        citizen = citizens.citizen_by_cccd(cccd_number)
        pair = auth.sign_in_citizen(citizen)
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
        return {"Authorization": f"Bearer {pair['access_token']}"}


def _listed(client, url: str, headers: dict) -> list:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.json)
    assert isinstance(response.json, list), url
    return response.json


def test_after_seeding_every_staff_role_has_work_in_its_own_queue(app, client):
    assert app.test_cli_runner().invoke(args=["seed-demo", "--quiet"]).exit_code == 0

    # The one-stop officer of Phường Buôn Ma Thuột: dossiers in every open status, some overdue,
    # some the officer must act on (new, accepted, processing), some waiting for the citizen.
    officer = _staff_headers(client, "canbo.motcua")
    queue = _listed(client, "/staff/dossiers?page_size=100", officer)
    assert {d["status"] for d in queue} == {1, 2, 4, 5, 6}
    assert all(d["ward_code"] == "24133" for d in queue)
    assert any(d["overdue"] for d in queue) and _listed(client, "/staff/dossiers?overdue=true", officer)
    # Routed by each procedure's rule: tạm trú filed for a place in the ward by people living elsewhere.
    stays = [d for d in queue if d["procedure_code"] == "tam-tru"]
    assert stays
    views = [client.get(f"/staff/dossiers/{d['code']}", headers=officer).json for d in stays]
    homes = {p.cccd: p.ward_code for p in demo_citizens()}
    assert "24133" not in {homes[view["applicant"]["cccd"]] for view in views}
    # ... with the paper the officer checks: the lease, scanned into the applicant's document store.
    assert all(view["attachments"] for view in views)
    assert client.get("/staff/dossiers/statistics", headers=officer).json["completed"] >= 1
    ward_reports = _listed(client, "/staff/reports", officer)
    assert ward_reports and not any(r["is_crime"] for r in ward_reports)
    assert any(r["overdue"] for r in ward_reports)
    assert _listed(client, "/staff/benefits/beneficiaries", officer)

    # The ward police: crime and road reports to triage, and the fines they issued.
    police = _staff_headers(client, "congan.phuong")
    police_reports = _listed(client, "/staff/reports", police)
    assert any(r["is_crime"] for r in police_reports) and any(
        r["status"] == "received" for r in police_reports
    )
    me = client.get("/auth/whoami", headers=police).json
    fines = _listed(client, "/police/fines?page_size=100", police)
    assert any(f["issued_by"] == f"staff:{me['id']}" for f in fines)
    assert {f["source"] for f in fines} == {"camera", "police"}

    # Comms: an article waiting for their review, their own draft, campaigns to approve or finish.
    comms = _staff_headers(client, "truyenthong")
    articles = _listed(client, "/staff/content/articles", comms)
    assert {"published", "review", "draft"} <= {a["status"] for a in articles}
    assert {c["status"] for c in _listed(client, "/comms/campaigns", comms)} == {"draft"}

    # The call-centre agent: citizens waiting, with what they wrote.
    agent = _staff_headers(client, "tongdaivien")
    handoffs = _listed(client, "/agent/handoffs", agent)
    assert handoffs and all(h["status"] == "waiting" and h["citizen"] for h in handoffs)
    detail = client.get(f"/agent/handoffs/{handoffs[0]['id']}", headers=agent).json
    assert any(turn["sender"] == "citizen" for turn in detail["transcript"])

    # The admin: the whole province's dossiers (province-level ones included) and the audit log.
    admin = _staff_headers(client, "quantri")
    assert any(d["authority"] == "province" for d in _listed(client, "/staff/dossiers?page_size=100", admin))
    assert _listed(client, "/admin/audit", admin)


def _records(client, headers) -> dict:
    views = {
        kind: client.get(f"/me/records/{kind}", headers=headers) for kind in ("land", "health", "labour")
    }
    assert all(view.status_code == 200 for view in views.values()), {k: v.json for k, v in views.items()}
    return {kind: view.json for kind, view in views.items()}


def test_after_seeding_demo_citizens_see_something_on_every_screen(app, client):
    assert app.test_cli_runner().invoke(args=["seed-demo", "--quiet"]).exit_code == 0
    people = demo_citizens()
    printed = demo_level2_citizen()
    others = [p for p in people if p.identity_level == 2 and p != printed][:3]
    level1 = next(p for p in people if p.identity_level == 1)

    for person in [printed, *others]:
        headers = _citizen_headers(app, person.cccd)
        assert _listed(client, "/me/dossiers", headers), person
        assert _listed(client, "/me/fines", headers), person
        assert _listed(client, "/me/inbox", headers), person
        summary = client.get("/me/records", headers=headers).json
        assert {s["type"]: s["count"] > 0 for s in summary} == {"land": True, "health": True, "labour": True}
        records = _records(client, headers)
        [certificate] = records["land"]["certificates"]
        assert certificate["owners"] == [{"full_name": person.full_name, "is_me": True}]
        assert certificate["source"] == "land-registry" and certificate["synced_at"]
        assert records["health"]["insurance_card"]["in_force"] and records["health"]["visits"]
        assert records["health"]["vaccinations"]
        assert records["labour"]["employment_periods"] and records["labour"]["contribution_months"] > 0
        assert records["labour"]["sources"][0]["source_name"] == "Bảo hiểm xã hội Việt Nam (VssID)"

    printed_headers = _citizen_headers(app, printed.cccd)
    benefits = client.get("/me/benefits", headers=printed_headers).json
    assert benefits["programmes"] and benefits["latest_payments"]
    assert _listed(client, "/me/reports", printed_headers)

    # A level-1 citizen follows dossiers, fines and messages; records and benefits need level 2,
    # and the answer says how to get it.
    headers = _citizen_headers(app, level1.cccd)
    assert _listed(client, "/me/dossiers", headers)
    assert _listed(client, "/me/fines", headers)
    assert _listed(client, "/me/inbox", headers)
    for url in ("/me/records/land", "/me/benefits"):
        refused = client.get(url, headers=headers)
        assert refused.status_code == 403 and refused.json["code"] == "identity_level_required"
        assert "mức 2" in refused.json["detail"]

    # The news every app user reads.
    assert client.get("/content/articles").json


def test_after_seeding_every_demo_citizen_has_records_fines_dossiers_and_messages(app):
    from api.dossiers.models import Dossier
    from api.fines.models import FineNotice
    from api.records.models import HealthRecord, LabourRecord, LandCertificateOwner
    from notifications.models import InboxMessage

    assert app.test_cli_runner().invoke(args=["seed-demo", "--quiet"]).exit_code == 0
    with app.app_context():
        everyone = set(db.session.scalars(select(Citizen.id)))
        assert len(everyone) == 50
        for column in (
            LandCertificateOwner.citizen_id,
            HealthRecord.citizen_id,
            LabourRecord.citizen_id,
            Dossier.citizen_id,
            FineNotice.owner_citizen_id,
            InboxMessage.citizen_id,
        ):
            assert set(db.session.scalars(select(column).distinct())) >= everyone, column
