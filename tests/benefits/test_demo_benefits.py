"""`flask seed-demo` gives the verified demo citizen benefits with past payments, once."""

from __future__ import annotations

from api.benefits import service
from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.demo import demo_benefit_plan, demo_level2_citizen, demo_profiles
from api.extensions import db


def test_the_demo_citizen_has_benefits_seeded_once(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--quiet"])
    assert first.exit_code == 0, first.output
    # Every enrolment of the demo (the printed citizen's two programmes, the others'), three past
    # months and this one.
    enrolments = sum(len(programmes) for _, programmes in demo_benefit_plan(demo_profiles()))
    assert f"benefits +{4 * enrolments}" in first.output
    second = runner.invoke(args=["seed-demo", "--quiet"])
    assert "benefits +0" in second.output

    with app.app_context():
        citizen = citizens.citizen_by_cccd(demo_level2_citizen().cccd)
        mine = service.my_benefits(citizen.id)
        assert {b.programme.code for b in mine.enrolments} == {"NCT", "NCC"}
        this_month = str(service.current_period())
        statuses = {(p.period == this_month, p.status) for p in mine.latest_payments}
        assert statuses == {(True, "scheduled"), (False, "paid")}
        paid = [p for p in db.session.scalars(service.my_payments(citizen.id)) if p.status == "paid"]
        assert len(paid) == 6 and {p.channel for p in paid} == {"cash", "bank"}
        assert all(p.paid_at < utcnow() for p in paid)
        assert len(service.programmes()) == 5
