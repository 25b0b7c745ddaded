"""Public search: accent-insensitive words over name, description, seller and ward; filters by
ward, category, kind, OCOP stars and price; the best match first; only what may be public."""

from __future__ import annotations

import json

import pytest

from tests.content.products.conftest import KRONG_NANG, OTHER_PROVINCE_WARD, assert_problem, product_body

TAN_LAP = "24121"
KRONG_PAC = "24490"


@pytest.fixture
def shelf(client, seller, verified_seller, publish):
    """Products of two verified sellers, approved in this order (the last is the newest)."""
    honey_house = verified_seller(business_name="Hợp tác xã Mật ong Krông Năng", ward_code=KRONG_NANG)
    orchard = verified_seller(business_name="Hộ kinh doanh Vườn Ba Tuấn", ward_code=KRONG_PAC)
    made = {
        "bmt": publish(
            seller,
            name="Cà phê Buôn Ma Thuột rang mộc",
            ocop_stars=4,
            ocop_certificate_number="125/QĐ-UBND",
            ocop_year=2023,
        ),
        "chon": publish(
            seller,
            name="Cà phê chồn Ea Tam",
            description="Cà phê chồn lên men tự nhiên, hạt chọn lọc, đóng hộp quà tặng 250 g.",
            price_vnd=900_000,
            unit="hộp",
            ward_code=TAN_LAP,
            ocop_stars=5,
            ocop_certificate_number="88/QĐ-UBND",
            ocop_year=2024,
        ),
        "honey": publish(
            honey_house,
            name="Mật ong hoa cà phê",
            description="Mật ong nguyên chất lấy từ hoa cà phê mùa xuân, chai thủy tinh 500 ml.",
            category="nong_san",
            price_vnd=250_000,
            unit="chai",
            ward_code=KRONG_NANG,
        ),
        "durian": publish(
            orchard,
            name="Sầu riêng Ri6 Krông Pắc",
            description="Sầu riêng Ri6 chín cây, cơm vàng hạt lép, giao trong ngày tại Buôn Ma Thuột.",
            category="nong_san",
            price_vnd=120_000,
            unit="kg",
            ward_code=KRONG_PAC,
            ocop_stars=3,
            ocop_certificate_number="301/QĐ-UBND",
            ocop_year=2022,
        ),
        "arabica": publish(
            seller,
            name="Cà phê hạt Arabica Cầu Đất",
            description="Rang vừa, chua thanh, hậu ngọt như mật ong; túi 1 kg cho quán.",
            price_vnd=420_000,
            unit="túi",
            ocop_stars=5,
            ocop_certificate_number="90/QĐ-UBND",
            ocop_year=2024,
        ),
    }
    # Never public: a product waiting for approval.
    pending = client.post(
        "/me/seller/products",
        headers=seller["headers"],
        json=product_body(
            name="Cà phê sữa hòa tan Buôn Ma Thuột", description="Cà phê sữa hòa tan 3 trong 1, hộp 20 gói."
        ),
    )
    assert pending.status_code == 201
    made["pending"] = pending.json
    return made


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [p["name"] for p in response.json]


def test_typing_without_accents_finds_the_accented_name(client, shelf):
    # The name says it all for the first; the Arabica is sold in Phường Buôn Ma Thuột, so it
    # matches too, after it (more stars do not beat the phrase in the name).
    expected = ["Cà phê Buôn Ma Thuột rang mộc", "Cà phê hạt Arabica Cầu Đất"]
    assert names(client.get("/products", query_string={"q": "ca phe buon ma thuot"})) == expected
    assert names(client.get("/products", query_string={"q": "CÀ PHÊ  Buôn Ma Thuột!"})) == expected


def test_the_start_of_a_word_is_enough_and_every_word_must_match(client, shelf):
    assert names(client.get("/products", query_string={"q": "sau rieng ri"})) == ["Sầu riêng Ri6 Krông Pắc"]
    assert names(client.get("/products", query_string={"q": "sau rieng ea tam"})) == []
    assert names(client.get("/products", query_string={"q": "ong"})) == [
        "Mật ong hoa cà phê",
        "Cà phê hạt Arabica Cầu Đất",
    ]


def test_the_seller_and_the_ward_are_searched_too(client, shelf):
    # The seller's name: the orchard's durian says nothing of "vườn" or "Ba Tuấn" itself.
    assert names(client.get("/products", query_string={"q": "vuon ba tuan"})) == ["Sầu riêng Ri6 Krông Pắc"]
    # The ward's name: Xã Krông Năng.
    assert names(client.get("/products", query_string={"q": "krong nang"})) == ["Mật ong hoa cà phê"]


def test_a_match_in_the_name_ranks_above_more_stars_then_stars_then_newest(client, shelf):
    # "mật ong" is the honey's name, only the Arabica's description (5 stars): the name wins.
    assert names(client.get("/products", query_string={"q": "mat ong"})) == [
        "Mật ong hoa cà phê",
        "Cà phê hạt Arabica Cầu Đất",
    ]
    # Every name says "cà phê": more stars first; of two five-star products, the newest first.
    assert names(client.get("/products", query_string={"q": "cà phê"})) == [
        "Cà phê hạt Arabica Cầu Đất",
        "Cà phê chồn Ea Tam",
        "Cà phê Buôn Ma Thuột rang mộc",
        "Mật ong hoa cà phê",
    ]


def test_only_approved_products_of_verified_sellers_are_listed(client, shelf, seller):
    everything = names(client.get("/products", query_string={"page_size": 100}))
    assert len(everything) == 5 and "Cà phê sữa hòa tan Buôn Ma Thuột" not in everything
    # The seller renames the business: their products wait for it to be verified again.
    client.patch("/me/seller", headers=seller["headers"], json={"business_name": "Công ty khác"})
    assert set(names(client.get("/products", query_string={"page_size": 100}))) == {
        "Mật ong hoa cà phê",
        "Sầu riêng Ri6 Krông Pắc",
    }


def test_filters(client, shelf):
    def found(**query):
        return set(names(client.get("/products", query_string=query)))

    assert found(ward_code=TAN_LAP) == {"Cà phê chồn Ea Tam"}
    assert found(category="nong_san") == {"Mật ong hoa cà phê", "Sầu riêng Ri6 Krông Pắc"}
    assert found(kind="coffee") == {
        "Cà phê Buôn Ma Thuột rang mộc",
        "Cà phê chồn Ea Tam",
        "Cà phê hạt Arabica Cầu Đất",
    }
    assert found(kind="honey") == {"Mật ong hoa cà phê"}
    assert found(ocop_min=5) == {"Cà phê chồn Ea Tam", "Cà phê hạt Arabica Cầu Đất"}
    assert found(ocop_min=3, kind="durian") == {"Sầu riêng Ri6 Krông Pắc"}
    assert found(price_min=100_000, price_max=200_000) == {
        "Cà phê Buôn Ma Thuột rang mộc",
        "Sầu riêng Ri6 Krông Pắc",
    }
    assert found(price_max=120_000) == {"Sầu riêng Ri6 Krông Pắc"}
    assert found(q="ca phe", ward_code=KRONG_NANG) == {"Mật ong hoa cà phê"}


def test_pagination_counts_what_matches(client, shelf):
    first = client.get("/products", query_string={"q": "ca phe", "page_size": 2})
    assert len(first.json) == 2
    assert json.loads(first.headers["X-Pagination"])["total"] == 4
    second = client.get("/products", query_string={"q": "ca phe", "page_size": 2, "page": 2})
    assert {p["id"] for p in first.json}.isdisjoint({p["id"] for p in second.json})


def test_bad_filters_are_explained(client, shelf):
    assert_problem(client.get("/products?price_min=500000&price_max=100000"), 422, "price_range_invalid")
    assert_problem(client.get(f"/products?ward_code={OTHER_PROVINCE_WARD}"), 422, "ward_outside_province")
    for query in ("category=vang", "kind=wine", "ocop_min=7", "price_min=-1", "price_max=abc", "ward_code=1"):
        assert_problem(client.get(f"/products?{query}"), 422, "validation_failed")
    assert_problem(client.get("/products", query_string={"q": "x" * 201}), 422, "validation_failed")


def test_punctuation_and_wildcards_in_the_query_are_plain_text(client, shelf):
    assert names(client.get("/products", query_string={"q": "%"})) == names(client.get("/products"))
    # As a LIKE pattern "%ong" would match inside "Krông"; as text it is the word "ong...".
    assert set(names(client.get("/products", query_string={"q": "%ong"}))) == {
        "Mật ong hoa cà phê",
        "Cà phê hạt Arabica Cầu Đất",
    }


def test_the_catalogue_of_categories_kinds_and_units(client):
    catalogue = client.get("/products/categories").json
    assert {"code": "du_lich_cong_dong", "name": "Du lịch cộng đồng, sinh thái"} in catalogue["categories"]
    assert {"code": "coffee", "name": "Cà phê"} in catalogue["kinds"]
    assert "kg" in catalogue["units"] and catalogue["ocop_stars"] == [3, 4, 5]
