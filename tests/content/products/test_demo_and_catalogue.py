"""The demo city's products, and the product kinds the API and the chatbot share."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from content.products.catalogue import KIND_BY_CODE, infer_kind

ROOT = Path(__file__).resolve().parents[3]


def test_seed_demo_adds_searchable_products_once(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "products +7" in first.output
    again = runner.invoke(args=["seed-demo"])
    assert "products +0" in again.output

    found = client.get("/products", query_string={"q": "ca phe buon ma thuot"}).json
    assert found[0]["name"] == "Cà phê Robusta Buôn Ma Thuột rang mộc"
    assert found[0]["ocop"]["stars"] == 4
    assert found[0]["seller"]["ward"]["province"]["name"] == "Tỉnh Đắk Lắk"
    tours = client.get("/products", query_string={"category": "du_lich_cong_dong"}).json
    assert [t["name"] for t in tours] == ["Tour du lịch cộng đồng buôn Ê Đê một ngày"]
    assert (
        client.get("/products", query_string={"kind": "honey"}).json[0]["price_text"] == "220.000 đồng/chai"
    )


def _nlu_product_values() -> set[str]:
    """Every value the chatbot's NLU data gives the `product_category` entity."""
    values = set()
    synonyms = yaml.safe_load((ROOT / "nlu_data" / "synonyms.yml").read_text(encoding="utf-8"))
    lookup = yaml.safe_load(
        (ROOT / "nlu_data" / "lookups" / "product_category.yml").read_text(encoding="utf-8")
    )
    looked_up = {
        line.strip("- ").strip() for line in lookup["nlu"][0]["examples"].splitlines() if line.strip()
    }
    for item in synonyms["nlu"]:
        examples = {
            line.strip("- ").strip() for line in item.get("examples", "").splitlines() if line.strip()
        }
        if "synonym" in item and examples & looked_up:
            values.add(item["synonym"])
    for path in [ROOT / "nlu_data" / "products.yml", *sorted((ROOT / "nlu_data" / "test").glob("*.yml"))]:
        text = path.read_text(encoding="utf-8")
        values |= set(re.findall(r'"entity": "product_category", "value": "([a-z_]+)"', text))
    return values


def test_every_product_kind_the_chatbot_knows_is_a_kind_of_the_api():
    values = _nlu_product_values()
    assert {"coffee", "honey", "durian", "rice_paper"} <= values  # the reading found them
    assert values <= set(KIND_BY_CODE), values - set(KIND_BY_CODE)


def test_kinds_are_read_from_names():
    assert infer_kind("Cà phê bột nguyên chất") == "coffee"
    assert infer_kind("Mật ong hoa cà phê") == "honey"
    assert infer_kind("BÁNH TRÁNG Hòa Đa") == "rice_paper"
    assert infer_kind("Bò một nắng") is None  # "bò" (beef) is not "bơ" (avocado)
    assert infer_kind("Tour buôn Ê Đê") is None
