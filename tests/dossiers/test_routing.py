"""Each procedure's dossier lands where its own rule says, and the right ward's officers see it.

The applicant lives in RESIDENCE; every ward a form names is FORM_WARD; the ward they pick when
applying is CHOSEN. Three different wards of Đắk Lắk, so each test tells which one was used.
"""

from __future__ import annotations

import copy
import uuid

import pytest
from sqlalchemy import func, select

from api.dossiers import service
from api.dossiers.catalogue import data, routing
from api.dossiers.catalogue import service as catalogue
from api.dossiers.models import Dossier
from api.extensions import db
from api.sequences import SequenceCounter
from tests.conftest import assert_problem
from tests.dossiers.samples import GROUP_MEMBERS, VALID_FORMS

RESIDENCE = "24133"  # Phường Buôn Ma Thuột
FORM_WARD = "24163"  # Phường Tân An: the place of stay, the site, the premises, the parcel
CHOSEN = "24121"  # Phường Tân Lập: the other parent's, the other spouse's residence
OUTSIDE = "00070"  # Phường Hoàn Kiếm, Hà Nội

# What the law says receives each procedure when a form ward, a chosen ward and the residence
# all differ (see each procedure's `routing.reason` in the catalogue). A new procedure needs a
# line here: test_every_procedure_has_an_expected_place fails until it has one.
EXPECTED = {
    "khai-sinh": CHOSEN,  # either parent's residence (Luật Hộ tịch, Điều 13)
    "thuong-tru": FORM_WARD,  # the new place of permanent residence (Luật Cư trú, Điều 22)
    "tam-tru": FORM_WARD,  # the place of stay (Luật Cư trú, Điều 28)
    "tam-vang": RESIDENCE,  # where the person resides (Luật Cư trú, Điều 31)
    "khai-tu": CHOSEN,  # the deceased's last residence (Luật Hộ tịch, Điều 32)
    "ket-hon": CHOSEN,  # either party's residence (Luật Hộ tịch, Điều 17)
    "ly-lich-tu-phap": None,  # Sở Tư pháp
    "doi-gplx": None,  # Công an tỉnh
    "dang-ky-xe": CHOSEN,  # where the owner resides, temporary residence included
    "bhyt-ho-gia-dinh": None,  # Bảo hiểm xã hội
    "bhyt-tre-duoi-6": None,  # Bảo hiểm xã hội
    "xoa-thuong-tru": FORM_WARD,  # the person's permanent residence as the form names it
    "ho-tro-mai-tang": CHOSEN,  # the deceased's residence
    "tro-cap-that-nghiep": None,  # Trung tâm Dịch vụ việc làm tỉnh
    "ho-kinh-doanh": FORM_WARD,  # the premises
    "gpxd-nha-o": FORM_WARD,  # the site
    "bien-dong-dat-dai": None,  # Văn phòng đăng ký đất đai (the parcel must lie in the province)
}
# ... and when the applicant picks no ward.
WITHOUT_CHOICE = {code: RESIDENCE if ward == CHOSEN else ward for code, ward in EXPECTED.items()}


def form_wards(code: str) -> list[str]:
    """The top-level ward fields of a procedure's form."""
    schema = next(p for p in data.PROCEDURES if p["code"] == code)["form_schema"]
    return [name for name, prop in schema["properties"].items() if prop.get("pattern") == data.WARD_CODE]


def form_for(code: str, ward: str = FORM_WARD) -> dict:
    form = copy.deepcopy(VALID_FORMS[code])
    for field in form_wards(code):
        form[field] = ward
    return form


def login(client, user) -> dict:
    response = client.post(
        "/auth/staff/login", json={"username": user["username"], "password": user["password"]}
    )
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture
def resident(citizen_headers, catalogue):
    headers, _, _ = citizen_headers(ward_code=RESIDENCE)
    return headers


@pytest.fixture
def officers(client, make_staff):
    """Headers of a one-stop officer of each ward in play, and of the province."""
    return {
        ward: login(client, make_staff("officer", ward_code=ward))
        for ward in (RESIDENCE, FORM_WARD, CHOSEN, None)
    }


def queue_codes(client, headers) -> list[str]:
    response = client.get("/staff/dossiers", headers=headers)
    assert response.status_code == 200, response.json
    return [d["code"] for d in response.json]


def count_dossiers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Dossier))


def test_every_procedure_has_an_expected_place():
    assert set(EXPECTED) == {p["code"] for p in data.PROCEDURES}


def queue_of(app, ward: str | None) -> list[str]:
    """The queue the routes serve an officer of `ward` (None: the province), read directly: the
    parametrised test below would otherwise create and sign in four officers per case."""
    with app.app_context():
        actor = service.Actor("staff", uuid.uuid4(), "officer", ward)
        return list(db.session.scalars(service.queue(actor).with_only_columns(Dossier.code)))


@pytest.mark.parametrize("chosen", [CHOSEN, None], ids=["ward chosen", "no ward chosen"])
@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_procedure_lands_where_its_rule_says(app, client, resident, code, chosen):
    body = {"procedure_code": code, "form": form_for(code)}
    if chosen:
        body["ward_code"] = chosen
    response = client.post("/me/dossiers", headers=resident, json=body)
    assert response.status_code == 201, response.json
    dossier = response.json
    expected = (EXPECTED if chosen else WITHOUT_CHOICE)[code]

    assert dossier["ward_code"] == expected
    assert dossier["authority"] == ("province" if expected is None else "ward")
    assert dossier["code"].startswith(f"66.{expected or '00000'}-")
    # The receiving body's officers have it in their queue, and no other ward's do.
    for ward in (RESIDENCE, FORM_WARD, CHOSEN, None):
        assert (dossier["code"] in queue_of(app, ward)) == (ward == expected), ward


def test_tam_tru_goes_to_the_police_of_the_place_of_stay_not_the_residence(client, resident, officers):
    form = form_for("tam-tru")
    assert form["ward_code"] == FORM_WARD
    # The app may send the applicant's residence along: the law fixes the place of stay.
    for extra in ({}, {"ward_code": RESIDENCE}):
        response = client.post(
            "/me/dossiers", headers=resident, json={"procedure_code": "tam-tru", "form": form, **extra}
        )
        assert response.status_code == 201, response.json
        assert response.json["ward_code"] == FORM_WARD
        assert response.json["code"].startswith(f"66.{FORM_WARD}-")
        assert response.json["code"] in queue_codes(client, officers[FORM_WARD])
        assert response.json["code"] not in queue_codes(client, officers[RESIDENCE])


def test_tam_tru_officer_of_the_place_of_stay_can_act_on_it(client, resident, officers):
    code = client.post(
        "/me/dossiers", headers=resident, json={"procedure_code": "tam-tru", "form": form_for("tam-tru")}
    ).json["code"]
    view = client.get(f"/staff/dossiers/{code}", headers=officers[FORM_WARD])
    assert view.status_code == 200
    accepted = client.post(
        f"/staff/dossiers/{code}/actions",
        headers={**officers[FORM_WARD], "If-Match": view.headers["ETag"]},
        json={"action": "accept"},
    )
    assert accepted.status_code == 200, accepted.json
    assert client.get(f"/staff/dossiers/{code}", headers=officers[RESIDENCE]).status_code == 404


@pytest.mark.parametrize(
    ("procedure", "ward", "status", "code"),
    [
        ("tam-tru", "99999", 422, "unknown_ward"),
        ("tam-tru", OUTSIDE, 422, "ward_outside_province"),
        ("gpxd-nha-o", OUTSIDE, 422, "ward_outside_province"),
        ("bien-dong-dat-dai", OUTSIDE, 422, "ward_outside_province"),  # a parcel of another province
        ("bien-dong-dat-dai", "99999", 422, "unknown_ward"),
    ],
)
def test_a_bad_form_ward_is_refused_naming_the_field(app, client, resident, procedure, ward, status, code):
    response = client.post(
        "/me/dossiers",
        headers=resident,
        json={"procedure_code": procedure, "form": form_for(procedure, ward)},
    )
    body = assert_problem(response, status, code)
    assert [error["field"] for error in body["errors"]] == ["form.ward_code"]
    assert count_dossiers(app) == 0


def test_a_group_routes_each_member_by_its_own_rule(client, resident, officers):
    members = GROUP_MEMBERS["lien-thong-khai-sinh"]
    forms = {code: form_for(code) for code in members}
    response = client.post(
        "/me/dossiers",
        headers=resident,
        json={"group_code": "lien-thong-khai-sinh", "forms": forms, "ward_code": CHOSEN},
    )
    assert response.status_code == 201, response.json
    parent = response.json
    placed = {parent["procedure_code"]: parent["ward_code"]}
    for linked in parent["linked"]:
        placed[linked["procedure_code"]] = client.get(
            f"/me/dossiers/{linked['code']}", headers=resident
        ).json["ward_code"]
    # Birth at the chosen parent's ward, permanent residence where the child will live, the card by BHXH.
    assert placed == {"khai-sinh": CHOSEN, "thuong-tru": FORM_WARD, "bhyt-tre-duoi-6": None}


def test_a_group_with_a_member_ward_outside_the_province_writes_nothing(app, client, resident):
    members = GROUP_MEMBERS["lien-thong-khai-sinh"]
    forms = {code: form_for(code) for code in members}
    forms["thuong-tru"]["ward_code"] = OUTSIDE
    response = client.post(
        "/me/dossiers", headers=resident, json={"group_code": "lien-thong-khai-sinh", "forms": forms}
    )
    body = assert_problem(response, 422, "ward_outside_province")
    assert [error["field"] for error in body["errors"]] == ["forms.thuong-tru.ward_code"]
    assert count_dossiers(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SequenceCounter)) == 0


def test_without_a_residence_a_residence_procedure_says_so(app, client, citizen_headers, catalogue):
    headers, _, _ = citizen_headers(ward_code=None)
    response = client.post(
        "/me/dossiers", headers=headers, json={"procedure_code": "tam-vang", "form": VALID_FORMS["tam-vang"]}
    )
    assert_problem(response, 422, "residence_unknown")
    # Where the law lets the applicant choose, choosing is the way out.
    response = client.post(
        "/me/dossiers",
        headers=headers,
        json={"procedure_code": "khai-sinh", "form": VALID_FORMS["khai-sinh"]},
    )
    body = assert_problem(response, 422, "ward_required")
    assert [error["field"] for error in body["errors"]] == ["ward_code"]
    assert count_dossiers(app) == 0


def test_the_catalogue_publishes_each_rule_and_its_reason(client, catalogue):
    tam_tru = client.get("/procedures/tam-tru").json["routing"]
    assert tam_tru["to"] == "ward"
    assert tam_tru["ward_from"] == ["form.ward_code"]
    assert tam_tru["applicant_may_choose"] is False
    assert "Điều 28" in tam_tru["reason"]
    assert client.get("/procedures/khai-sinh").json["routing"]["applicant_may_choose"] is True
    land = client.get("/procedures/bien-dong-dat-dai").json["routing"]
    assert (land["to"], land["check_in_province"]) == ("province", ["form.ward_code"])


def _procedure(code: str) -> dict:
    return copy.deepcopy(next(p for p in data.PROCEDURES if p["code"] == code))


@pytest.mark.parametrize(
    ("code", "change", "complaint"),
    [
        # tạm trú's old fault: a form that names the place of stay, routed by the residence
        ("tam-tru", {"ward_from": ["residence"]}, "ignores the form's ward"),
        ("tam-tru", {"ward_from": ["form.address"]}, "not a ward code"),
        ("tam-tru", {"ward_from": ["form.ward_code", "somewhere"]}, "unknown source"),
        ("xoa-thuong-tru", {"ward_from": ["form.ward_code"]}, "must end with"),  # the field is optional
        ("tam-vang", {"to": "province", "ward_from": []}, "authority"),
        ("tam-vang", {"reason": ""}, "reason"),
        ("bien-dong-dat-dai", {"check_in_province": []}, "ignores the form's ward"),
    ],
)
def test_a_rule_that_could_misroute_stops_the_catalogue_load(app_context, code, change, complaint):
    procedure = _procedure(code)
    procedure["routing"] = {**procedure["routing"], **change}
    with pytest.raises(routing.RoutingError, match=complaint):
        catalogue.upsert_procedure(procedure)
    db.session.rollback()


def test_every_procedure_of_the_catalogue_has_a_valid_rule():
    for procedure in data.PROCEDURES:
        rule = routing.check(catalogue.normalise(dict(procedure)), data.WARD_CODE)
        assert rule["to"] == procedure["authority"]
