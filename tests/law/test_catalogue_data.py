"""The procedure catalogue as law data: api/law/data/{procedures/,procedure_defs,procedure_groups,
essential_services}.yaml are checked at load, a broken copy stops the product naming the file and
the place, the fee and time limit in force on a day are the ones reported and charged, and the 53
essential services are each listed once, offered online or shown as information only.

Dates are explicit (`on=`, or `data.today` replaced): nothing here depends on today's date.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from sqlalchemy import select

from api.dossiers.catalogue import data, service
from api.dossiers.catalogue.models import Procedure
from api.extensions import db
from api.law import LawDataError, check_all, in_force, loader
from tests.dossiers.samples import VALID_FORMS

CATALOGUE_FILES = ("procedure_defs.yaml", "procedure_groups.yaml", "essential_services.yaml")
BEFORE, CHANGE_DAY = date(2030, 12, 31), date(2031, 1, 1)
NEW_FEE = {
    "effective_from": CHANGE_DAY.isoformat(),
    "fee_vnd": 12_000,
    "varies": False,
    "note": "12.000 đồng/lần khi nộp trực tuyến (mức giả định của phép thử).",
    "legal_basis": "Thông tư giả định của phép thử",
}


@pytest.fixture
def catalogue_copy(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the catalogue's files; `edit(path, change)` rewrites one file (relative to the
    copy) with `change(content)`, or writes `change` as its text. Returns the copy's directory."""
    for name in CATALOGUE_FILES:
        shutil.copy(loader.DATA_DIR / name, tmp_path / name)
    shutil.copytree(loader.DATA_DIR / "procedures", tmp_path / "procedures")

    def edit(path: str | None = None, change: Callable[[Any], Any] | str | None = None) -> Path:
        if path is not None:
            target = tmp_path / path
            if isinstance(change, str):
                target.write_text(change, encoding="utf-8")
            else:
                content = yaml.safe_load(target.read_text(encoding="utf-8"))
                changed = change(content)
                text = yaml.safe_dump(
                    content if changed is None else changed, allow_unicode=True, sort_keys=False
                )
                target.write_text(text, encoding="utf-8")
        return tmp_path

    return edit


def _raises(directory: Path, *fragments: str) -> str:
    with pytest.raises(LawDataError) as caught:
        data.load(directory)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


# ---- every file validates -------------------------------------------------------------------


def test_every_catalogue_file_matches_its_schema_and_the_checks_across_files():
    names = check_all()
    assert {"procedures", "procedure_defs", "procedure_groups", "essential_services"} <= set(names)
    catalogue = data.load()
    assert len(catalogue.entries) == len(list((loader.DATA_DIR / "procedures").glob("*.yaml"))) == 17
    for entry in catalogue.entries:
        assert entry["verified"] is True and len(entry["source"]) > 10, entry["code"]
        assert entry["fees"] and entry["time_limits"], entry["code"]


def test_published_forms_are_self_contained_json_schema():
    """The forms the API stores and publishes carry no `$ref`: the app draws them as they are."""
    for procedure in data.PROCEDURES:
        schema = procedure["form_schema"]
        Draft202012Validator.check_schema(schema)
        assert "$ref" not in repr(schema) and "$defs" not in schema, procedure["code"]


def test_the_copy_checks_like_the_real_files(catalogue_copy):
    assert [e["code"] for e in data.load(catalogue_copy()).entries] == [
        e["code"] for e in data.load().entries
    ]


# ---- a broken file stops the load, naming the file and the place -------------------------------


def test_a_fee_written_in_words_names_the_file_and_the_field(catalogue_copy):
    def words(content):
        content["fees"][0]["fee_vnd"] = "mười nghìn đồng"

    directory = catalogue_copy("procedures/thuong-tru.yaml", words)
    _raises(directory, "thuong-tru.yaml", "fees/0/fee_vnd")


def test_an_impossible_effective_date_is_refused(catalogue_copy):
    def bad_day(content):
        content["time_limits"][0]["effective_from"] = "2025-13-01"

    _raises(
        catalogue_copy("procedures/tam-tru.yaml", bad_day), "tam-tru.yaml", "time_limits/0/effective_from"
    )


def test_an_open_form_object_is_refused(catalogue_copy):
    def open_form(content):
        del content["form"]["additionalProperties"]

    _raises(catalogue_copy("procedures/khai-sinh.yaml", open_form), "khai-sinh.yaml", "form")


def test_a_reference_to_a_missing_building_block_is_refused(catalogue_copy):
    def missing(content):
        content["form"]["properties"]["phone"] = {"$ref": "#/$defs/so_dien_thoai"}

    _raises(catalogue_copy("procedures/tam-vang.yaml", missing), "tam-vang.yaml", "so_dien_thoai")


def test_a_pattern_without_a_vietnamese_message_is_refused(catalogue_copy):
    def unexplained(content):
        content["form"]["properties"]["reason"]["pattern"] = "^[A-Z]+$"

    _raises(catalogue_copy("procedures/tam-vang.yaml", unexplained), "tam-vang.yaml", "^[A-Z]+$")


def test_a_routing_rule_that_ignores_the_form_ward_is_refused(catalogue_copy):
    def residence(content):
        content["routing"]["ward_from"] = ["residence"]

    _raises(catalogue_copy("procedures/tam-tru.yaml", residence), "tam-tru.yaml", "ward_code")


def test_two_fees_taking_effect_the_same_day_are_refused(catalogue_copy):
    def twice(content):
        content["fees"].append(dict(content["fees"][0]))

    _raises(catalogue_copy("procedures/thuong-tru.yaml", twice), "thuong-tru.yaml", "same day")


def test_broken_yaml_names_the_file(catalogue_copy):
    _raises(catalogue_copy("procedures/ket-hon.yaml", "code: [ket-hon\n"), "ket-hon.yaml", "not valid YAML")


def test_an_essential_service_naming_an_unknown_procedure_is_refused(catalogue_copy):
    def unknown(content):
        content["services"][0]["procedure"] = "khai-sinh-2"

    _raises(catalogue_copy("essential_services.yaml", unknown), "essential_services.yaml", "khai-sinh-2")


# ---- the fee and time limit in force on a day -------------------------------------------------


def _with_new_fee(content):
    content["fees"].append(NEW_FEE)


def test_fee_history_picks_the_entry_in_force_on_the_day(catalogue_copy):
    catalogue = data.load(catalogue_copy("procedures/thuong-tru.yaml", _with_new_fee))
    entry = catalogue.entry("thuong-tru")
    assert data.in_force_values(entry, BEFORE)["fee_vnd"] == 10_000
    assert data.in_force_values(entry, CHANGE_DAY)["fee_vnd"] == 12_000
    assert data.in_force_values(entry, date(2040, 6, 1))["fee_vnd"] == 12_000
    assert in_force(entry["fees"], date(2000, 1, 1)) is None  # before any text: nothing applies
    with pytest.raises(LawDataError, match="nothing in force"):
        data.in_force_values(entry, date(2000, 1, 1))
    # Time limits are histories too; an entry may end.
    ended = [{**entry["time_limits"][0], "effective_until": "2030-12-31"}]
    assert in_force(ended, BEFORE)["working_days"] == 7
    assert in_force(ended, CHANGE_DAY) is None


def test_a_fee_dated_ahead_is_charged_from_its_day_only(
    app, client, citizen_headers, catalogue_copy, monkeypatch
):
    """Seeded the day before, the stored fee is the old one; on the day, looking the procedure
    up (as applying does) brings the new fee, and a dossier filed that day is charged it."""
    changed = data.load(catalogue_copy("procedures/thuong-tru.yaml", _with_new_fee))
    monkeypatch.setattr(data, "load", lambda data_dir=None: changed)
    with app.app_context():
        service.seed_catalogue(on=BEFORE)
        db.session.commit()
        assert service.require_procedure("thuong-tru", on=BEFORE).fee_vnd == 10_000
        db.session.commit()
        assert service.refresh_in_force(on=BEFORE) == 0
        assert service.require_procedure("thuong-tru", on=CHANGE_DAY).fee_vnd == 12_000
        db.session.rollback()  # what a look-up brings is written only with its caller's transaction
        assert service.refresh_in_force(on=CHANGE_DAY) == 1
        db.session.commit()
        db.session.remove()

    headers, _, _ = citizen_headers()

    def fee_charged_on(day: date) -> int | None:
        with app.app_context():
            service.seed_catalogue(on=BEFORE)  # the stored copy is a day behind
            db.session.commit()
            db.session.remove()
        monkeypatch.setattr(data, "today", lambda: day)
        body = {"procedure_code": "thuong-tru", "form": VALID_FORMS["thuong-tru"]}
        response = client.post("/me/dossiers", headers=headers, json=body)
        assert response.status_code == 201, response.json
        return client.get(f"/me/dossiers/{response.json['code']}", headers=headers).json["fee_vnd"]

    assert fee_charged_on(BEFORE) == 10_000
    assert fee_charged_on(CHANGE_DAY) == 12_000
    assert client.get("/procedures/thuong-tru").json["fee_vnd"] == 12_000  # today is CHANGE_DAY


def test_the_seed_writes_the_time_limit_in_force(app, catalogue_copy, monkeypatch):
    def longer(content):
        content["time_limits"].append(
            {
                "effective_from": CHANGE_DAY.isoformat(),
                "working_days": 5,
                "note": "Không quá 05 ngày làm việc (giả định của phép thử).",
                "legal_basis": "Văn bản giả định của phép thử",
            }
        )

    changed = data.load(catalogue_copy("procedures/tam-tru.yaml", longer))
    monkeypatch.setattr(data, "load", lambda data_dir=None: changed)
    with app.app_context():
        service.seed_catalogue(on=BEFORE)
        assert service.require_procedure("tam-tru", on=BEFORE).processing_days == 3
        service.seed_catalogue(on=CHANGE_DAY)
        assert service.require_procedure("tam-tru", on=CHANGE_DAY).processing_days == 5
        db.session.rollback()


# ---- the 53 essential services -----------------------------------------------------------------


def test_every_essential_service_is_present_once():
    services = data.essential_services()
    names = [one["name"] for one in services]
    assert len(services) == 53 and len(set(names)) == 53
    assert [one["number"] for one in services] == list(range(1, 54))
    procedures = {procedure["code"] for procedure in data.PROCEDURES}
    groups = {group["code"] for group in data.GROUPS}
    offered = [one for one in services if one["offered_online"]]
    information = [one for one in services if not one["offered_online"]]
    # Each of our procedures and groups is one essential service, and only once.
    assert sorted(s["procedure_code"] for s in offered if s["procedure_code"]) == sorted(procedures)
    assert sorted(s["group_code"] for s in offered if s["group_code"]) == sorted(groups)
    for one in offered:
        assert one["verified"] is True and one["note"] is None, one["name"]
    for one in information:
        # Information only: unverified, sourced, with where to go, and nothing to apply with.
        assert one["verified"] is False and "Quyết định 06/QĐ-TTg" in one["source"], one["name"]
        assert one["field"] and one["authority"] in ("ward", "province") and one["authority_name"]
        assert "chưa nhận hồ sơ trực tuyến" in one["note"], one["name"]
        assert one["code"] not in procedures | groups
    print(
        f"\n53 dịch vụ thiết yếu: {len(offered)} nhận hồ sơ trực tuyến (đã đối chiếu), {len(information)} chỉ thông tin"
    )


def test_information_only_services_cannot_be_applied_for(app, client, citizen_headers, catalogue):
    listed = client.get("/essential-services")
    assert listed.status_code == 200
    assert len(listed.json) == 53
    passport = next(s for s in listed.json if s["code"] == "cap-ho-chieu")
    assert passport["offered_online"] is False and passport["procedure_code"] is None
    assert client.get("/procedures/cap-ho-chieu").status_code == 404
    headers, _, _ = citizen_headers()
    response = client.post(
        "/me/dossiers", headers=headers, json={"procedure_code": "cap-ho-chieu", "form": {}}
    )
    assert response.status_code == 404 and response.json["code"] == "procedure_not_found"
    birth = next(s for s in listed.json if s["procedure_code"] == "khai-sinh")
    assert birth["offered_online"] is True and client.get("/procedures/khai-sinh").status_code == 200


def test_refresh_command_brings_fees_in_force_for_the_day_given(app, catalogue_copy, monkeypatch):
    changed = data.load(catalogue_copy("procedures/thuong-tru.yaml", _with_new_fee))
    monkeypatch.setattr(data, "load", lambda data_dir=None: changed)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["catalogue", "seed", "--on", BEFORE.isoformat()]).exit_code == 0
    result = runner.invoke(args=["catalogue", "refresh", "--on", CHANGE_DAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 thủ tục" in result.output
    with app.app_context():
        stored = db.session.scalar(select(Procedure.fee_vnd).where(Procedure.code == "thuong-tru"))
        assert stored == 12_000
