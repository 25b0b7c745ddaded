"""`flask seed-demo` gives the verified demo citizen fines to look up, confirm and pay, once."""

from __future__ import annotations

from api.citizens import service as citizens
from api.demo import DEMO_PLATES, demo_level2_citizen, demo_profiles
from api.extensions import db
from api.fines import service


def test_the_demo_citizen_has_fines_seeded_once(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    # The printed citizen's three, and one for each vehicle of the other demo citizens.
    others = sum(len(p.plates) for p in demo_profiles() if p.person != demo_level2_citizen())
    assert f"fines +{3 + others}" in first.output
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


def test_the_demo_fines_photos_are_real_images_served_to_their_owner(app, client):
    import io

    from PIL import Image

    from api.auth import service as auth

    assert app.test_cli_runner().invoke(args=["seed-demo", "--quiet"]).exit_code == 0
    with app.test_request_context():
        citizen = citizens.citizen_by_cccd(demo_level2_citizen().cccd)
        headers = {"Authorization": f"Bearer {auth.sign_in_citizen(citizen)['access_token']}"}
        db.session.commit()  # the test is the edge (api/unit_of_work.py)
    fines = client.get("/me/fines", headers=headers).json
    photos = [photo["url"] for fine in fines for photo in fine["evidence"]]
    assert len(photos) == 3  # two of the speeding camera, one of the parking camera
    for url in photos:
        response = client.get(url, headers=headers)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        with Image.open(io.BytesIO(response.data)) as image:
            assert image.format == "JPEG" and image.size == (960, 540)
