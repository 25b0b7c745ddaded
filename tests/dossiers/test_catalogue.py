"""The procedure catalogue: seeded content, search without accents, detail, groups, and the one
validator of application forms."""

from __future__ import annotations

import json
import unicodedata
from datetime import date, timedelta

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from api.dossiers.catalogue import data, service
from api.dossiers.catalogue.models import Procedure, ProcedureGroup
from api.errors import ApiError, problem_response
from api.extensions import db
from tests.dossiers.samples import FATHER, GROUP_MEMBERS, LISTED, MOTHER, PERSON, VALID_FORMS

PROBLEM = "application/problem+json"


def procedure(code: str) -> Procedure:
    return service.require_procedure(code)


def codes(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["code"] for item in response.json]


def form_errors(code: str, form: dict) -> dict[str, list[str]]:
    with pytest.raises(ApiError) as caught:
        service.validate_form(procedure(code), form)
    error = caught.value
    assert (error.status, error.code) == (422, "form_invalid")
    return dict(error.errors)


# ---- the seeded content -------------------------------------------------------------------------


def test_seed_has_every_listed_procedure_and_both_groups(catalogue, app_context):
    seeded = {p.code: p.name for p in db.session.scalars(select(Procedure))}
    assert seeded == LISTED
    groups = {g.code: g.procedure_codes for g in service.list_groups()}
    assert groups == GROUP_MEMBERS
    assert service.get_group("lien-thong-khai-tu").name == (
        "Liên thông khai tử – xóa đăng ký thường trú – trợ cấp mai táng"
    )
    assert service.group_for_procedure("bhyt-tre-duoi-6").code == "lien-thong-khai-sinh"
    assert service.group_for_procedure("xoa-thuong-tru").code == "lien-thong-khai-tu"
    assert service.group_for_procedure("ket-hon") is None


def test_every_procedure_says_what_a_citizen_needs(catalogue, app_context):
    for row in db.session.scalars(select(Procedure)):
        assert row.online_level in ("full", "partial"), row.code
        assert row.authority in ("ward", "province"), row.code
        assert row.processing_days >= 1, row.code
        assert row.fee_vnd is None or (isinstance(row.fee_vnd, int) and row.fee_vnd > 0), row.code
        assert row.fee_note and row.legal_basis and row.authority_name and row.description, row.code
        assert row.keywords, row.code
        assert row.documents and all(set(d) == {"name", "note", "required"} for d in row.documents), row.code
        assert any(d["required"] for d in row.documents) or row.code == "bhyt-ho-gia-dinh", row.code
        # Text is stored NFC, as everything the API takes in.
        assert unicodedata.is_normalized("NFC", row.name + row.legal_basis + (row.note or "")), row.code


def _object_schemas(schema):
    """Every sub-schema that describes an object with properties, at any depth."""
    if isinstance(schema, dict):
        if "properties" in schema and schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _object_schemas(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _object_schemas(value)


@pytest.mark.parametrize("entry", data.PROCEDURES, ids=lambda entry: entry["code"])
def test_every_form_schema_is_valid_and_closed(entry):
    schema = entry["form_schema"]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    objects = list(_object_schemas(schema))
    assert objects and objects[0] is schema
    for sub in objects:
        assert sub["additionalProperties"] is False
        assert set(sub.get("required", [])) <= set(sub["properties"])
        for name, prop in sub["properties"].items():
            assert prop.get("title"), f"{entry['code']}.{name} has no Vietnamese title"
    for pattern in _patterns(schema):
        assert pattern in data.PATTERN_MESSAGES, f"no Vietnamese message for pattern {pattern}"


def _patterns(schema):
    if isinstance(schema, dict):
        if "pattern" in schema:
            yield schema["pattern"]
        for value in schema.values():
            yield from _patterns(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _patterns(value)


@pytest.mark.parametrize("code", sorted(LISTED))
def test_a_complete_application_passes_for_every_procedure(catalogue, app_context, code):
    assert service.validate_form(procedure(code), VALID_FORMS[code]) == VALID_FORMS[code]


def test_seeding_twice_adds_nothing_and_restores_edited_rows(app, app_context):
    assert service.seed_catalogue() == len(LISTED) + len(GROUP_MEMBERS)
    db.session.commit()
    procedure("thuong-tru").fee_vnd = 1
    group = service.require_group("lien-thong-khai-tu")
    group.members.pop()
    db.session.commit()
    assert service.seed_catalogue() == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Procedure)) == len(LISTED)
    assert db.session.scalar(select(func.count()).select_from(ProcedureGroup)) == len(GROUP_MEMBERS)
    assert procedure("thuong-tru").fee_vnd == 10_000
    assert service.require_group("lien-thong-khai-tu").procedure_codes == GROUP_MEMBERS["lien-thong-khai-tu"]


def test_seed_command_and_demo_seed_load_the_catalogue(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["catalogue", "seed"])
    assert first.exit_code == 0, first.output
    assert f"thêm mới {len(LISTED) + len(GROUP_MEMBERS)} mục" in first.output
    assert "thêm mới 0 mục" in runner.invoke(args=["catalogue", "seed"]).output
    demo = runner.invoke(args=["seed-demo", "--quiet"])
    assert demo.exit_code == 0, demo.output
    assert "procedures +0" in demo.output


# ---- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dang ky khai sinh", "khai-sinh"),
        ("DANG KY KHAI SINH", "khai-sinh"),
        ("Đăng ký khai sinh", "khai-sinh"),
        (unicodedata.normalize("NFD", "đăng ký khai sinh"), "khai-sinh"),
        ("khai sinh", "khai-sinh"),
        ("lam giay khai sinh", "khai-sinh"),
        ("gplx", "doi-gplx"),
        ("bang lai xe", "doi-gplx"),
        ("bhyt", "bhyt-ho-gia-dinh"),
        ("tam tru", "tam-tru"),
        ("dk tam tru", "tam-tru"),
        ("nhap ho khau", "thuong-tru"),
        ("sang ten so do", "bien-dong-dat-dai"),
        ("lltp", "ly-lich-tu-phap"),
        ("mai tang", "ho-tro-mai-tang"),
        ("the bhyt tre em", "bhyt-tre-duoi-6"),
    ],
)
def test_search_ignores_accents_and_case_and_knows_common_names(client, catalogue, query, first):
    assert codes(client.get("/procedures", query_string={"q": query}))[0] == first


def test_search_ranks_the_exact_name_first_and_keeps_other_matches(client, catalogue):
    found = codes(client.get("/procedures", query_string={"q": "bhyt"}))
    assert found == ["bhyt-ho-gia-dinh", "bhyt-tre-duoi-6"]
    found = codes(client.get("/procedures", query_string={"q": "dang ky"}))
    assert set(found) >= {"khai-sinh", "thuong-tru", "tam-tru", "khai-tu", "ket-hon", "dang-ky-xe"}
    assert "doi-gplx" not in found
    # "tam tru" is not "tam vang", though both are about residence.
    assert codes(client.get("/procedures", query_string={"q": "tam tru"})) == ["tam-tru"]
    assert codes(client.get("/procedures", query_string={"q": "khong co thu tuc nay"})) == []


def test_filters_by_field_online_level_and_authority(client, catalogue):
    civil = codes(client.get("/procedures", query_string={"field": "ho tich"}))
    assert sorted(civil) == ["ket-hon", "khai-sinh", "khai-tu"]
    assert codes(client.get("/procedures", query_string={"field": "Hộ tịch"})) == civil
    partial = client.get("/procedures", query_string={"online": "partial"}).json
    assert {p["code"] for p in partial} == {
        "ket-hon",
        "dang-ky-xe",
        "tro-cap-that-nghiep",
        "gpxd-nha-o",
        "bien-dong-dat-dai",
    }
    assert {p["online_level_name"] for p in partial} == {"Một phần"}
    province = client.get("/procedures", query_string={"authority": "province"}).json
    assert {p["authority"] for p in province} == {"province"}
    assert "doi-gplx" in [p["code"] for p in province]
    both = codes(
        client.get("/procedures", query_string={"q": "dang ky", "authority": "ward", "field": "cu tru"})
    )
    assert sorted(both) == ["tam-tru", "thuong-tru", "xoa-thuong-tru"]


def test_bad_filter_values_are_refused(client, catalogue):
    response = client.get("/procedures", query_string={"online": "yes"})
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.json["errors"][0]["field"] == "query.online"


def test_list_is_paginated_with_a_header(client, catalogue):
    response = client.get("/procedures", query_string={"page_size": 5, "page": 2})
    assert response.status_code == 200
    assert len(response.json) == 5
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] == len(LISTED)
    assert meta["total_pages"] == 4
    assert meta["page"] == 2


# ---- detail and groups ----------------------------------------------------------------------------


def test_procedure_detail_has_everything_to_apply(client, catalogue):
    body = client.get("/procedures/thuong-tru").json
    assert body["name"] == "Đăng ký thường trú"
    assert body["fee_vnd"] == 10_000 and body["fee_text"] == "10.000 đồng"
    assert "20.000 đồng" in body["fee_note"]
    assert body["processing_days"] == 7 and body["processing_text"] == "7 ngày làm việc"
    assert body["authority"] == "ward" and body["authority_name"].startswith("Công an cấp xã")
    assert "Luật Cư trú 2020" in body["legal_basis"] and "154/2024/NĐ-CP" in body["legal_basis"]
    assert body["documents"][0]["name"].startswith("Tờ khai thay đổi thông tin cư trú")
    assert body["form_schema"]["additionalProperties"] is False
    assert body["group"] == {
        "code": "lien-thong-khai-sinh",
        "name": "Liên thông khai sinh – đăng ký thường trú – cấp thẻ BHYT cho trẻ dưới 6 tuổi",
    }


@pytest.mark.parametrize(
    ("code", "fee_text"),
    [
        ("khai-sinh", "Miễn phí"),
        ("ly-lich-tu-phap", "200.000 đồng"),
        ("doi-gplx", "135.000 đồng"),
        ("dang-ky-xe", "Tùy trường hợp (xem ghi chú lệ phí)"),
    ],
)
def test_fee_is_shown_in_words_a_citizen_reads(client, catalogue, code, fee_text):
    assert client.get(f"/procedures/{code}").json["fee_text"] == fee_text


def test_unknown_procedure_is_a_404_problem(client, catalogue):
    response = client.get("/procedures/khong-co")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.json["code"] == "procedure_not_found"
    assert "khong-co" in response.json["detail"]
    assert client.get("/procedures/KHAI-SINH").json["code"] == "khai-sinh"


def test_a_withdrawn_procedure_is_hidden_but_still_readable_by_dossiers(client, catalogue, app):
    with app.app_context():
        procedure("ket-hon").active = False
        db.session.commit()
        assert service.get_procedure("ket-hon") is None
        assert service.get_procedure("ket-hon", include_inactive=True).name == "Đăng ký kết hôn"
    assert client.get("/procedures/ket-hon").status_code == 404
    assert "ket-hon" not in codes(client.get("/procedures", query_string={"q": "ket hon"}))


def test_groups_list_members_in_order(client, catalogue):
    groups = client.get("/procedure-groups").json
    assert {g["code"]: g["procedure_codes"] for g in groups} == GROUP_MEMBERS
    birth = client.get("/procedure-groups/lien-thong-khai-sinh").json
    assert [p["code"] for p in birth["procedures"]] == GROUP_MEMBERS["lien-thong-khai-sinh"]
    assert birth["processing_days"] == 3
    assert "63/2024/NĐ-CP" in birth["legal_basis"]
    missing = client.get("/procedure-groups/khong-co")
    assert missing.status_code == 404 and missing.json["code"] == "procedure_group_not_found"


def test_catalogue_is_public_and_rate_limited(make_app, catalogue):
    limited = make_app(RATELIMIT_PUBLIC_LOOKUP="2 per minute").test_client()
    assert limited.get("/procedures/khai-sinh").status_code == 200  # no token needed
    assert limited.get("/procedures/khai-tu").status_code == 200
    response = limited.get("/procedures/ket-hon")
    assert response.status_code == 429
    assert response.json["code"] == "rate_limited"


# ---- validate_form: the one validator of applications ---------------------------------------------


def test_valid_form_comes_back_nfc_with_single_spaces(catalogue, app_context):
    form = dict(VALID_FORMS["khai-sinh"])
    form["child_full_name"] = unicodedata.normalize("NFD", "  Nguyễn   Minh Khang ")
    form["child_sex"] = unicodedata.normalize("NFD", "Nữ")  # an enum value typed decomposed still matches
    cleaned = service.validate_form(procedure("khai-sinh"), form)
    assert cleaned["child_full_name"] == "Nguyễn Minh Khang"
    assert unicodedata.is_normalized("NFC", cleaned["child_full_name"])
    assert cleaned["child_sex"] == "Nữ"
    assert cleaned["extract_copies"] == 2


def test_missing_required_fields_are_each_named(catalogue, app_context):
    form = dict(VALID_FORMS["khai-sinh"])
    del form["child_full_name"], form["mother_personal_id"]
    errors = form_errors("khai-sinh", form)
    assert errors == {
        "form.child_full_name": ["Trường này là bắt buộc."],
        "form.mother_personal_id": ["Trường này là bắt buộc."],
    }


def test_wrong_type_is_reported_in_vietnamese(catalogue, app_context):
    errors = form_errors("khai-sinh", {**VALID_FORMS["khai-sinh"], "extract_copies": "2"})
    assert errors == {"form.extract_copies": ["Giá trị phải là số nguyên."]}
    errors = form_errors("tam-tru", {**VALID_FORMS["tam-tru"], "persons": "Nguyễn Văn An"})
    assert errors == {"form.persons": ["Giá trị phải là một danh sách."]}


def test_personal_id_of_11_digits_fails_the_pattern(catalogue, app_context):
    errors = form_errors("khai-sinh", {**VALID_FORMS["khai-sinh"], "mother_personal_id": "06619001234"})
    assert errors == {"form.mother_personal_id": ["Phải gồm đúng 12 chữ số."]}


def test_nested_errors_carry_the_full_path(catalogue, app_context):
    person = {**PERSON, "personal_id": "12345"}
    errors = form_errors("thuong-tru", {**VALID_FORMS["thuong-tru"], "persons": [PERSON, person]})
    assert errors == {"form.persons.1.personal_id": ["Phải gồm đúng 12 chữ số."]}
    errors = form_errors("thuong-tru", {**VALID_FORMS["thuong-tru"], "persons": []})
    assert errors == {"form.persons": ["Cần ít nhất một mục."]}


@pytest.mark.parametrize("bad", ["2025-02-30", "01/08/2025", "2025-8-1", "hôm qua"])
def test_bad_dates_are_refused(catalogue, app_context, bad):
    errors = form_errors("khai-sinh", {**VALID_FORMS["khai-sinh"], "child_date_of_birth": bad})
    assert errors == {"form.child_date_of_birth": ["Ngày không hợp lệ (định dạng YYYY-MM-DD)."]}


def test_a_birth_date_in_the_future_is_refused(catalogue, app_context):
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    errors = form_errors("khai-sinh", {**VALID_FORMS["khai-sinh"], "child_date_of_birth": tomorrow})
    assert errors == {"form.child_date_of_birth": ["Ngày không được sau ngày hôm nay."]}


def test_unknown_fields_are_not_allowed(catalogue, app_context):
    errors = form_errors("khai-sinh", {**VALID_FORMS["khai-sinh"], "ghi_chu": "x", "cccd": MOTHER})
    assert errors == {
        "form.ghi_chu": ["Trường này không được phép."],
        "form.cccd": ["Trường này không được phép."],
    }
    nested = {**VALID_FORMS["thuong-tru"], "persons": [{**PERSON, "phone": "0912345678"}]}
    assert form_errors("thuong-tru", nested) == {"form.persons.0.phone": ["Trường này không được phép."]}


def test_every_error_is_collected_at_once(catalogue, app_context):
    errors = form_errors(
        "khai-sinh",
        {
            "child_full_name": "   ",
            "child_sex": "nam",
            "child_date_of_birth": "2025-13-01",
            "mother_personal_id": "0661900123",
            "father_full_name": "Nguyễn Văn Nam",
            "la": 1,
        },
    )
    assert errors["form.child_full_name"] == ["Trường này không được để trống."]
    assert errors["form.child_sex"] == ["Giá trị phải là một trong: Nam, Nữ."]
    assert errors["form.child_date_of_birth"] == ["Ngày không hợp lệ (định dạng YYYY-MM-DD)."]
    assert errors["form.mother_personal_id"] == ["Phải gồm đúng 12 chữ số."]
    assert errors["form.father_personal_id"] == ["Trường này là bắt buộc."]  # given a father, his number
    assert errors["form.la"] == ["Trường này không được phép."]
    for name in ("applicant_relationship", "child_place_of_birth", "child_ethnicity", "mother_full_name"):
        assert errors[f"form.{name}"] == ["Trường này là bắt buộc."]


def test_conditional_fields_follow_the_answers(catalogue, app_context):
    relative = {**VALID_FORMS["thuong-tru"], "residence_basis": data.RESIDENCE_BASIS[1]}
    assert form_errors("thuong-tru", relative) == {
        "form.head_of_household_full_name": ["Trường này là bắt buộc."],
        "form.head_of_household_personal_id": ["Trường này là bắt buộc."],
        "form.owner_consent": ["Trường này là bắt buộc."],
    }
    refused = {
        **relative,
        "head_of_household_full_name": "Nguyễn Văn Bố",
        "head_of_household_personal_id": FATHER,
        "owner_consent": False,
    }
    assert form_errors("thuong-tru", refused) == {
        "form.owner_consent": ["Cần xác nhận (đánh dấu đồng ý) để tiếp tục."]
    }
    cash = {
        key: value for key, value in VALID_FORMS["ho-tro-mai-tang"].items() if not key.startswith("bank_")
    }
    assert set(form_errors("ho-tro-mai-tang", cash)) == {
        "form.bank_name",
        "form.bank_account_number",
        "form.bank_account_holder",
    }
    assert service.validate_form(procedure("ho-tro-mai-tang"), {**cash, "payment_method": "Tiền mặt"})


@pytest.mark.parametrize(
    ("code", "field", "value", "message"),
    [
        ("ho-kinh-doanh", "email", "khong-phai-email", "Địa chỉ email không hợp lệ."),
        ("ho-kinh-doanh", "capital_vnd", -1, "Giá trị phải lớn hơn hoặc bằng 0."),
        ("tam-tru", "duration_months", 25, "Giá trị phải nhỏ hơn hoặc bằng 24."),
        ("gpxd-nha-o", "building_footprint_m2", 0, "Giá trị phải lớn hơn 0."),
        ("khai-sinh", "child_full_name", "A" * 101, "Không được dài quá 100 ký tự."),
        ("khai-sinh", "child_birth_time", "25:00", "Giờ không hợp lệ (định dạng HH:MM, ví dụ 08:30)."),
        ("doi-gplx", "license_class", "Z", "Giá trị không nằm trong danh sách cho phép."),
        ("bhyt-ho-gia-dinh", "months", 4, "Giá trị phải là một trong: 3, 6, 12."),
    ],
)
def test_other_rules_speak_vietnamese(catalogue, app_context, code, field, value, message):
    assert form_errors(code, {**VALID_FORMS[code], field: value}) == {f"form.{field}": [message]}


def test_a_form_that_is_not_an_object_is_refused(catalogue, app_context):
    with pytest.raises(ApiError) as caught:
        service.validate_form(procedure("khai-sinh"), ["not", "a", "form"])
    assert caught.value.errors == {"form": ["Giá trị phải là một đối tượng."]}


def test_form_errors_render_as_a_problem_with_field_paths(app, catalogue):
    with app.test_request_context():
        try:
            service.validate_form(procedure("khai-sinh"), {**VALID_FORMS["khai-sinh"], "child_sex": "X"})
        except ApiError as error:
            response = problem_response(error.status, error.code, error.detail, errors=error.errors)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["code"] == "form_invalid"
    assert "Đăng ký khai sinh" in body["detail"]
    assert body["errors"] == [
        {"field": "form.child_sex", "messages": ["Giá trị phải là một trong: Nam, Nữ."]}
    ]
