"""The wards a citizen may name when filing a report: the app's ward picker reads these."""

from __future__ import annotations

from api.text import fold
from tests.conftest import DEMO_WARD
from tests.reports.conftest import report_body


def test_the_wards_of_the_home_province_are_public_and_sorted_by_name(client, reporter):
    response = client.get("/reports/wards")
    assert response.status_code == 200
    wards = response.json
    names = [ward["name"] for ward in wards]
    assert {"code": DEMO_WARD, "name": "Phường Buôn Ma Thuột"} in wards
    assert names == sorted(names, key=fold)
    # Every ward offered is one a report is accepted for (no coordinates: any ward is fine).
    last = wards[-1]["code"]
    accepted = client.post(
        "/me/reports",
        headers=reporter["headers"],
        json=report_body(ward_code=last, latitude=None, longitude=None),
    )
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["report"]["ward"]["code"] == last


def test_a_ward_of_another_province_is_not_offered(client):
    codes = {ward["code"] for ward in client.get("/reports/wards").json}
    hanoi_ward = client.get("/units/wards?province=01&page_size=1").json[0]["code"]
    assert hanoi_ward not in codes and DEMO_WARD in codes
