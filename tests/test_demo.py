"""The demo data: valid people, every staff role, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from api.auth.models import StaffUser
from api.auth.policy import STAFF_ROLES
from api.citizens import cccd
from api.citizens.models import Citizen
from api.demo import demo_citizens
from api.extensions import db


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
