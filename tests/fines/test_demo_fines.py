"""`flask seed-demo` gives the verified demo citizen fines to look up, confirm and pay, once."""

from __future__ import annotations

from api.citizens import service as citizens
from api.demo import DEMO_PLATES, demo_level2_citizen
from api.fines import service


def test_the_demo_citizen_has_fines_seeded_once(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "fines +3" in first.output
    assert "47A-567.89" in first.output  # make run prints the demo plates
    second = runner.invoke(args=["seed-demo", "--quiet"])
    assert "fines +0" in second.output

    with app.app_context():
        citizen = citizens.citizen_by_cccd(demo_level2_citizen().cccd)
        fines = service.citizen_fines(citizen)
        assert len(fines) == 3
        assert {fine.plate for fine in fines} == set(DEMO_PLATES)
        assert all(fine.plate.startswith("47") for fine in fines)
        assert {fine.status for fine in fines} == {"issued", "confirmed"}
        assert all(fine.owner_citizen_id == citizen.id for fine in fines)
    lookup = client.get("/fines/lookup?plate=47a56789")
    assert lookup.json["count"] == 2
