"""The chatbot's local-products action (M22), run by the real action server against the real API.

What a citizen notices: asking for a speciality ("mua cà phê Buôn Ma Thuột ở đâu"), they read up
to five approved products of verified sellers, each with its price, OCOP stars, the seller and
ward and a phone to call, and where to see more in the app; products waiting for approval or of
an unverified seller never appear; a ward with nothing of that kind gets the same kind in the
whole province, said so; nothing at all is said plainly with what else to ask; the API down is
an apology. Sellers and products are made through the API as sellers and staff make them.
"""

from __future__ import annotations

import pytest

from tests.chat.conftest import entity, said
from tests.content.products.conftest import (  # noqa: F401 (fixtures)
    moderator,
    product_body,
    publish,
    register,
    verified_seller,
)

ACTION = "action_find_local_products"
INTENT = "find_local_products"
KRONG_NANG = "24343"


@pytest.fixture
def shelf(client, verified_seller, register, publish):  # noqa: F811 (fixtures imported above)
    coffee_house = verified_seller(business_name="Hộ kinh doanh Cà phê Thành Nhất")
    honey_house = verified_seller(business_name="Hợp tác xã Mật ong Krông Năng", ward_code=KRONG_NANG)
    for number in range(1, 7):
        publish(
            coffee_house,
            name=f"Cà phê Robusta Buôn Ma Thuột loại {number}",
            price_vnd=150_000 + number * 10_000,
            **(
                {"ocop_stars": 4, "ocop_certificate_number": "1024/QĐ-UBND", "ocop_year": 2023}
                if number == 6
                else {}
            ),
        )
    publish(
        honey_house,
        name="Mật ong hoa cà phê",
        description="Mật ong nguyên chất lấy từ hoa cà phê mùa xuân, chai 500 ml.",
        category="nong_san",
        price_vnd=220_000,
        unit="chai",
        ward_code=KRONG_NANG,
    )
    # Never offered: a product waiting for approval, and one of a seller nobody has verified.
    client.post(
        "/me/seller/products",
        headers=coffee_house["headers"],
        json=product_body(name="Cà phê chồn chưa duyệt Buôn Ma Thuột"),
    )
    unverified = register(business_name="Hộ kinh doanh Chưa Xác Minh")
    assert unverified["seller"]["status"] == "pending"
    return {"coffee_house": coffee_house}


def ask(actions, text, **entities):
    return said(
        actions.run(ACTION, text=text, intent=INTENT, entities=[entity(k, v) for k, v in entities.items()])
    )


def test_coffee_in_buon_ma_thuot_lists_five_with_price_stars_seller_and_contact(actions, shelf):
    answer = ask(
        actions, "mua cà phê đặc sản Buôn Ma Thuột ở đâu", product_category="coffee", ward="Buôn Ma Thuột"
    )
    lines = answer.splitlines()
    assert lines[0] == "Một số sản phẩm cà phê ở Phường Buôn Ma Thuột đang được giới thiệu trên ứng dụng:"
    products = [line for line in lines if line.startswith("• ")]
    assert len(products) == 5
    # The OCOP-rated product comes first, with its stars; prices are written as Vietnamese do.
    assert products[0] == (
        "• Cà phê Robusta Buôn Ma Thuột loại 6 – 210.000 đồng/gói, OCOP 4 sao; Hộ kinh doanh Cà phê "
        "Thành Nhất (Phường Buôn Ma Thuột), liên hệ 0905123456."
    )
    assert "Còn 1 sản phẩm khác" in answer and "Sản phẩm địa phương" in answer
    assert "chưa duyệt" not in answer and "Chưa Xác Minh" not in answer
    assert shelf["coffee_house"]["person"]["cccd"] not in answer


def test_honey_is_found_by_its_kind(actions, shelf):
    answer = ask(actions, "chỗ nào bán mật ong rừng thật vậy ad", product_category="honey")
    assert answer.startswith("Có sản phẩm mật ong của tỉnh:")
    assert "• Mật ong hoa cà phê – 220.000 đồng/chai; Hợp tác xã Mật ong Krông Năng (Xã Krông Năng)" in answer


def test_ocop_stars_asked_filter_the_list(actions, shelf):
    answer = ask(actions, "sản phẩm OCOP 4 sao của tỉnh có gì")
    assert answer.startswith("Có sản phẩm địa phương OCOP từ 4 sao của tỉnh:")
    assert [line for line in answer.splitlines() if line.startswith("• ")] == [
        line for line in answer.splitlines() if "loại 6" in line
    ]


def test_nothing_in_that_ward_offers_the_same_kind_elsewhere(actions, shelf):
    answer = ask(actions, "mua cà phê ở Ea Súp", product_category="coffee", ward="Ea Súp")
    assert answer.startswith("Chưa có sản phẩm cà phê ở Xã Ea Súp. Sản phẩm cà phê khác trong toàn tỉnh:")
    assert "Cà phê Robusta Buôn Ma Thuột loại 6" in answer


def test_nothing_at_all_is_said_with_a_broader_suggestion(actions, shelf):
    answer = ask(actions, "mua rượu cần Buôn Đôn ở đâu", product_category="rice_wine")
    assert answer.startswith("Hiện chưa có sản phẩm rượu cần nào đang được giới thiệu trên ứng dụng.")
    assert "đặc sản Đắk Lắk có gì" in answer


def test_with_the_api_down_the_citizen_gets_an_apology(actions_without_api):
    answer = said(
        actions_without_api.run(
            ACTION, text="mua cà phê ở đâu", intent=INTENT, entities=[entity("product_category", "coffee")]
        )
    )
    assert answer.startswith("Xin lỗi") and "tạm gián đoạn" in answer and "1900 0368" in answer
