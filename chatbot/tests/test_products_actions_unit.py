"""The local-products action's own rules, without Rasa or the API: which filters a question
becomes, how products are written for a citizen, the broader search when nothing is found, and
the apology when the API is down. httpx's MockTransport plays the API.

The action against the real API is tested in the API's suite: tests/chat/test_products_actions.py.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client
from actions.api_client import ApiClient, Settings
from actions.products import (
    KIND_NAMES,
    LIST_LIMIT,
    UNAVAILABLE,
    ActionFindLocalProducts,
    describe_product,
    kinds_asked,
    ocop_minimum,
    what_text,
)

SETTINGS = Settings("http://api.test", "chatbot-actions", "secret", timeout=1.0)
NLU = Path(__file__).resolve().parents[2] / "nlu_data"


def product(number: int = 1, **overrides) -> dict:
    """A product as GET /products shows it."""
    return {
        "id": f"6f1c2a9e-0000-4000-8000-{number:012d}",
        "name": f"Cà phê Robusta rang mộc {number}",
        "price_vnd": 180_000,
        "price_text": "180.000 đồng/gói",
        "unit": "gói",
        "ocop_stars": 4,
        "ward": {"code": "24133", "name": "Phường Buôn Ma Thuột"},
        "contact_phone": "0905123456",
        "seller": {"business_name": "Hộ kinh doanh Cà phê Thành Nhất", "phone": "0905123456"},
        **overrides,
    }


# ---- the words --------------------------------------------------------------------------------


def test_every_kind_the_nlu_data_gives_has_a_name():
    synonyms = yaml.safe_load((NLU / "synonyms.yml").read_text(encoding="utf-8"))
    lookup = (NLU / "lookups" / "product_category.yml").read_text(encoding="utf-8")
    looked_up = {line.strip().removeprefix("- ").strip() for line in lookup.splitlines()}
    values = set(
        re.findall(r'"entity": "product_category", "value": "([a-z_]+)"', (NLU / "products.yml").read_text())
    )
    for item in synonyms["nlu"]:
        examples = {e.strip().removeprefix("- ").strip() for e in item.get("examples", "").splitlines()}
        if "synonym" in item and examples & looked_up:
            values.add(item["synonym"])
    assert {"coffee", "honey", "rice_paper"} <= values
    assert values == set(KIND_NAMES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("danh sách sản phẩm OCOP 4 sao ở Buôn Hồ", 4),
        ("san pham ocop 5 sao", 5),
        ("dac san ocop cua tinh co gi", 3),
        ("ocop 2 sao", 3),  # below 3 stars there is no OCOP certificate
        ("mua cà phê ở đâu", None),
        ("cà phê 5 ngày giao", None),
    ],
)
def test_ocop_minimum_from_the_question(text, expected):
    assert ocop_minimum(text) == expected


def test_only_known_kinds_are_asked():
    assert kinds_asked(["coffee", "wine", "honey"]) == ["coffee", "honey"]


def test_what_is_asked_is_said_back():
    assert what_text("coffee", None) == "sản phẩm cà phê"
    assert what_text("honey", 3) == "sản phẩm mật ong OCOP"
    assert what_text(None, 4) == "sản phẩm địa phương OCOP từ 4 sao"


def test_a_product_line_has_price_stars_seller_ward_and_contact():
    assert describe_product(product()) == (
        "• Cà phê Robusta rang mộc 1 – 180.000 đồng/gói, OCOP 4 sao; Hộ kinh doanh Cà phê Thành Nhất "
        "(Phường Buôn Ma Thuột), liên hệ 0905123456."
    )
    plain = describe_product(product(ocop_stars=None, price_vnd=1_250_000, unit="kg", contact_phone=None))
    assert "1.250.000 đồng/kg" in plain and "OCOP" not in plain and "liên hệ 0905123456" in plain


def test_odd_values_from_the_api_do_not_break_the_line():
    line = describe_product(
        {"name": "Khăn thổ cẩm", "price_vnd": "450000", "ocop_stars": True, "seller": None}
    )
    assert line == "• Khăn thổ cẩm."


# ---- the action, with httpx's MockTransport as the API --------------------------------------------


class FakeApi:
    """Plays the API: a machine token, /units/wards, /products filtered by what the tests set."""

    def __init__(self, products=(), wards=None, down=False, total=None):
        self.products, self.wards, self.down, self.total = list(products), wards or {}, down, total
        self.searches: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        path = request.url.path
        if path == "/auth/service/token":
            return httpx.Response(200, json={"access_token": "machine", "expires_in": 900})
        assert request.headers.get("Authorization") == "Bearer machine"
        params = dict(request.url.params)
        if path == "/units/wards":
            return httpx.Response(200, json=self.wards.get(params["q"], []))
        if path == "/products":
            self.searches.append(params)
            found = [
                p
                for p in self.products
                if all(p.get("_" + k) == v for k, v in params.items() if k != "page_size")
            ]
            found = [{k: v for k, v in p.items() if not k.startswith("_")} for p in found]
            total = self.total if self.total is not None else len(found)
            page = found[: int(params["page_size"])]
            return httpx.Response(200, json=page, headers={"X-Pagination": json.dumps({"total": total})})
        return httpx.Response(404, json={"code": "not_found"})


@pytest.fixture
def fake_api(monkeypatch):
    def install(**kwargs) -> FakeApi:
        fake = FakeApi(**kwargs)
        monkeypatch.setattr(api_client, "_shared", ApiClient(SETTINGS, transport=httpx.MockTransport(fake)))
        return fake

    return install


def tracker(text: str, **entities) -> Tracker:
    found = [{"entity": name, "value": value} for name, value in entities.items()]
    latest = {"text": text, "intent": {"name": "find_local_products"}, "entities": found, "metadata": {}}
    return Tracker("c0ffee00-0000-4000-8000-000000000000", {}, latest, [], False, None, {}, "")


def run(tracker_) -> str:
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionFindLocalProducts().run(dispatcher, tracker_, {})) == []
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


BMT = {"code": "24133", "name": "Phường Buôn Ma Thuột", "short_name": "Buôn Ma Thuột"}


def test_kind_and_ward_become_filters_and_five_are_listed(fake_api):
    coffee = [product(n, _kind="coffee", _ward_code="24133") for n in range(1, 8)]
    fake = fake_api(products=coffee, wards={"buon ma thuot": [BMT]})
    answer = run(
        tracker("mua cà phê đặc sản Buôn Ma Thuột ở đâu", product_category="coffee", ward="Buôn Ma Thuột")
    )
    assert fake.searches == [{"kind": "coffee", "ward_code": "24133", "page_size": str(LIST_LIMIT)}]
    assert answer.startswith(
        "Một số sản phẩm cà phê ở Phường Buôn Ma Thuột đang được giới thiệu trên ứng dụng:"
    )
    assert answer.count("\n• ") == LIST_LIMIT
    assert "Còn 2 sản phẩm khác" in answer and "Sản phẩm địa phương" in answer


def test_a_name_several_wards_share_is_searched_as_words(fake_api):
    tuy_an = [
        {"code": c, "name": f"Xã Tuy An {d}", "short_name": f"Tuy An {d}"}
        for c, d in (("22114", "Bắc"), ("22120", "Đông"))
    ]
    fake = fake_api(
        products=[product(_kind="rice_paper", _q="tuy an", name="Bánh tráng Hòa Đa")],
        wards={"tuy an": tuy_an},
    )
    answer = run(tracker("bánh tráng Tuy An mua ở đâu", product_category="rice_paper", ward="Tuy An"))
    assert fake.searches[0] == {"kind": "rice_paper", "q": "tuy an", "page_size": "5"}
    assert answer.startswith("Có sản phẩm bánh tráng ở Tuy An:")
    assert "Xem ảnh, mô tả và đặt mua" in answer


def test_ocop_stars_asked_are_a_minimum(fake_api):
    fake = fake_api(products=[product(_ocop_min="4")])
    answer = run(tracker("danh sách sản phẩm OCOP 4 sao"))
    assert fake.searches == [{"ocop_min": "4", "page_size": "5"}]
    assert "sản phẩm địa phương OCOP từ 4 sao" in answer


def test_nothing_in_the_ward_offers_the_same_kind_in_the_province(fake_api):
    fake = fake_api(
        products=[product(_kind="honey", name="Mật ong hoa cà phê")],
        wards={"ea sup": [{"code": "24241", "name": "Xã Ea Súp", "short_name": "Ea Súp"}]},
    )
    answer = run(tracker("mật ong Ea Súp", product_category="honey", ward="Ea Súp"))
    assert [s.get("ward_code") for s in fake.searches] == ["24241", None]
    assert answer.startswith("Chưa có sản phẩm mật ong ở Xã Ea Súp. Sản phẩm mật ong khác trong toàn tỉnh:")
    assert "Mật ong hoa cà phê" in answer


def test_nothing_at_all_says_so_and_suggests_a_broader_question(fake_api):
    fake_api(products=[])
    answer = run(tracker("mua rượu cần", product_category="rice_wine"))
    assert answer.startswith("Hiện chưa có sản phẩm rượu cần nào")
    assert "đặc sản Đắk Lắk có gì" in answer


def test_the_api_down_is_an_apology(fake_api):
    fake_api(down=True)
    assert run(tracker("mua cà phê ở đâu", product_category="coffee")) == UNAVAILABLE
    assert UNAVAILABLE.startswith("Xin lỗi")
