"""The law as data for fines, reports and benefits: api/law/data/{violations,report_categories,
benefit_amounts}.yaml are checked at load, a broken copy stops the product instead of serving a
wrong fine or amount, a value dated ahead applies from its day only, and the report categories'
keywords reach the chatbot through GET /reports/categories.

Dates are explicit (`on=`): nothing here depends on today's date.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.benefits import amounts
from api.fines import violations
from api.law import LawDataError, loader, read
from api.reports import categories
from tests.law.decrees import NEW_RED_LIGHT_REFERENCE, OLD_RED_LIGHT_REFERENCE, add_new_decree

FILES = ("violations", "report_categories", "benefit_amounts")


def _clear_caches() -> None:
    read.cache_clear()
    violations._catalogue_on.cache_clear()


@pytest.fixture
def law_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """A copy of the data files the loader reads instead of the real ones; `edit(name, change)`
    rewrites one of them with `change(content)` (or writes `change` as the file's text)."""
    for name in FILES:
        shutil.copy(loader.DATA_DIR / f"{name}.yaml", tmp_path / f"{name}.yaml")
    monkeypatch.setattr(loader, "DATA_DIR", tmp_path)
    _clear_caches()

    def edit(name: str, change: Callable[[Any], Any] | str) -> None:
        path = tmp_path / f"{name}.yaml"
        if isinstance(change, str):
            path.write_text(change, encoding="utf-8")
        else:
            # The files quote their days, so they stay strings as the loader reads them.
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
            change(content)
            path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        _clear_caches()

    yield edit
    monkeypatch.undo()
    _clear_caches()


# ---- each file validates -------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_each_file_matches_its_schema_and_says_where_it_comes_from(name):
    content = read(name)
    assert isinstance(content["verified"], bool) and len(content["source"]) >= 10


def test_the_modules_read_the_files():
    assert [v.code for v in violations.catalogue(date(2025, 6, 1))][:1] == ["oto-vuot-den-do"]
    assert len(violations.catalogue(date(2025, 6, 1))) == len(read("violations")["violations"])
    assert [c.code for c in categories.load()] == [c["code"] for c in read("report_categories")["categories"]]
    on = date(2025, 6, 1)
    assert {p["code"]: p["monthly_amount_vnd"] for p in amounts.standard_programmes(on)} == {
        "TCXH": 500_000,
        "NCC": 2_789_000,
        "NCT": 500_000,
        "NKT": 750_000,
        "HN": 59_520,
    }


def test_the_base_level_before_and_after_nghi_dinh_76_2024():
    assert amounts.base_level("tro_giup_xa_hoi", date(2024, 6, 30))["amount_vnd"] == 360_000
    assert amounts.base_level("tro_giup_xa_hoi", date(2024, 7, 1))["amount_vnd"] == 500_000
    before = {p["code"]: p for p in amounts.standard_programmes(date(2024, 6, 30))}
    assert before["NKT"]["monthly_amount_vnd"] == 540_000  # 360.000 × 1,5
    assert before["TCXH"]["description"].startswith("Mức chuẩn trợ giúp xã hội 360.000 đồng")
    assert "NCC" not in before  # no level of it written before 01/7/2024
    assert amounts.base_level("tro_giup_xa_hoi", date(2021, 6, 30)) is None


# ---- a broken copy stops the product ---------------------------------------------------------------


def _set_first_fine(field: str, value: Any) -> Callable[[dict], None]:
    def change(content: dict) -> None:
        content["violations"][0]["fines"][0][field] = value

    return change


def _first_category(field: str, value: Any) -> Callable[[dict], None]:
    def change(content: dict) -> None:
        content["categories"][0][field] = value

    return change


@pytest.mark.parametrize(
    ("name", "change", "load"),
    [
        ("violations", _set_first_fine("min_vnd", "18 triệu"), lambda: read("violations")),
        ("violations", _set_first_fine("effective_from", "01/01/2025"), lambda: read("violations")),
        (
            "violations",
            _set_first_fine("min_vnd", 30_000_000),
            lambda: violations.catalogue(date(2025, 6, 1)),
        ),
        (
            "violations",
            lambda content: content["violations"].append(content["violations"][0]),
            lambda: violations.catalogue(date(2025, 6, 1)),
        ),
        ("report_categories", _first_category("unit", "tinh"), lambda: read("report_categories")),
        ("report_categories", _first_category("group", "khong_co"), categories.load),
        (
            "report_categories",
            lambda content: content["categories"][1]["keywords"].update(precedence=1),
            categories.load,
        ),
        (
            "report_categories",
            lambda content: content["categories"][0].pop("keywords"),
            lambda: read("report_categories"),
        ),
        (
            "benefit_amounts",
            lambda content: content["programmes"][0].update(amounts=content["programmes"][4]["amounts"]),
            lambda: read("benefit_amounts"),
        ),
        (
            "benefit_amounts",
            lambda content: content["base_levels"]["tro_giup_xa_hoi"]["history"][1].update(
                amount_vnd=500_000.5
            ),
            lambda: read("benefit_amounts"),
        ),
        (
            "benefit_amounts",
            lambda content: content["programmes"][3].update(coefficient=1.234567),
            lambda: amounts.standard_programmes(date(2025, 6, 1)),
        ),
        ("benefit_amounts", "base_levels: [unclosed\n", lambda: read("benefit_amounts")),
    ],
    ids=[
        "fine-amount-as-text",
        "fine-day-not-iso",
        "fine-min-above-max",
        "violation-twice",
        "category-unknown-unit",
        "category-unknown-group",
        "keyword-precedence-twice",
        "category-without-keywords",
        "programme-with-level-and-own-amounts",
        "amount-not-whole-dong",
        "coefficient-giving-a-fraction-of-dong",
        "not-yaml",
    ],
)
def test_a_broken_copy_raises_law_data_error(law_copy, name, change, load):
    law_copy(name, change)
    with pytest.raises(LawDataError):
        load()


# ---- a value dated ahead applies from its day ---------------------------------------------------------


def test_a_new_base_level_applies_from_its_day_only(law_copy):
    def raise_base_level(content: dict) -> None:
        history = content["base_levels"]["tro_giup_xa_hoi"]["history"]
        history[-1]["effective_until"] = "2031-06-30"
        history.append(
            {"effective_from": "2031-07-01", "amount_vnd": 600_000, "legal_basis": "Nghị định mới (thử)"}
        )

    law_copy("benefit_amounts", raise_base_level)
    day_before = {p["code"]: p for p in amounts.standard_programmes(date(2031, 6, 30))}
    on_the_day = {p["code"]: p for p in amounts.standard_programmes(date(2031, 7, 1))}
    assert day_before["TCXH"]["monthly_amount_vnd"] == 500_000
    assert day_before["NKT"]["monthly_amount_vnd"] == 750_000
    assert on_the_day["TCXH"]["monthly_amount_vnd"] == 600_000
    assert on_the_day["NKT"]["monthly_amount_vnd"] == 900_000  # the coefficient 1,5 follows the level
    assert on_the_day["TCXH"]["legal_basis"] == "Nghị định mới (thử)"
    assert on_the_day["HN"] == day_before["HN"]  # not tied to the base level
    assert amounts.monthly_amount("NCT", date(2031, 7, 1)) == 600_000


def test_a_new_fine_range_applies_from_its_day_only(law_copy):
    law_copy("violations", lambda content: add_new_decree(content, date(2032, 1, 1)))
    before = violations.get_violation("oto-vuot-den-do", on=date(2031, 12, 31))
    after = violations.get_violation("oto-vuot-den-do", on=date(2032, 1, 1))
    assert (before.min_vnd, before.max_vnd) == (18_000_000, 20_000_000)
    assert before.legal_reference == OLD_RED_LIGHT_REFERENCE
    assert (after.min_vnd, after.max_vnd, after.licence_points) == (20_000_000, 22_000_000, 6)
    assert after.legal_reference == NEW_RED_LIGHT_REFERENCE
    assert not before.allows(21_000_000) and after.allows(21_000_000)
    assert violations.get_violation("oto-hanh-vi-moi", on=date(2031, 12, 31)) is None
    assert violations.get_violation("oto-hanh-vi-moi", on=date(2032, 1, 1)).legal_reference == (
        "Khoản 2 Điều 5 Nghị định 999/2031/NĐ-CP"
    )


# ---- the categories' keywords reach the chatbot through the API --------------------------------------


def test_the_published_categories_carry_the_chatbots_keywords(client):
    response = client.get("/reports/categories")
    assert response.status_code == 200
    published = {category["code"]: category["keywords"] for category in response.json}
    in_file = {
        entry["code"]: {
            "precedence": entry["keywords"]["precedence"],
            "phrases": entry["keywords"]["phrases"],
            "accented_only": entry["keywords"].get("accented_only", []),
        }
        for entry in read("report_categories")["categories"]
    }
    assert published == in_file
    assert "ổ gà" in published["o-ga"]["phrases"]
    assert published["chay-no"]["accented_only"] == ["cháy", "nổ"]  # "chạy" must not name a fire
    # An encroachment on the pavement is matched before a broken pavement.
    assert published["lan-chiem-via-he"]["precedence"] < published["via-he-hu-hong"]["precedence"]


def test_the_openapi_document_describes_the_keywords(client):
    schemas = client.get("/openapi.json").json["components"]["schemas"]
    assert schemas["ReportCategory"]["properties"]["keywords"]["$ref"].endswith("/ReportCategoryKeywords")
    assert "keywords" in schemas["ReportCategory"]["required"]
    keywords = schemas["ReportCategoryKeywords"]
    assert keywords["properties"]["precedence"]["type"] == "integer"
    assert keywords["properties"]["phrases"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": keywords["properties"]["phrases"]["description"],
    }
    assert keywords["properties"]["accented_only"]["items"] == {"type": "string"}
    assert set(keywords["required"]) == {"precedence", "phrases", "accented_only"}
