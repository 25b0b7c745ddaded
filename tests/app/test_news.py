"""The citizen app's policy news and local products, in a phone's Chromium against the real API.

What anyone notices, signed in or not: articles published by the comms team are listed newest
first and readable, with their formatting; typing without accents finds an accented title; a topic
narrows the list. Local products are found the same way, narrowed by filters, and a product's page
shows its photo and a number to call the seller.

Articles are written and published through the API by two comms officers (as tests/content/
does); products are registered, photographed and approved through the API (as
tests/content/products/ does).
"""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, screenshot
from tests.content.products.conftest import (  # noqa: F401 (fixtures)
    KRONG_NANG,
    decide_product,
    jpeg_bytes,
    moderator,
    product_body,
    publish,
    register,
    seller,
    verified_seller,
)

DE_AN_06 = {
    "title": "Đề án 06: năm điều người dân cần biết",
    "summary": "Những lợi ích của Đề án 06 với người dân Đắk Lắk khi làm thủ tục hành chính.",
    "body_html": (
        "<p>Đề án 06 giúp người dân <strong>làm thủ tục</strong> nhanh hơn.</p>"
        "<h2>Lợi ích chính</h2>"
        "<ul><li>Không phải nộp bản sao giấy tờ đã có trong cơ sở dữ liệu.</li>"
        "<li>Theo dõi hồ sơ ngay trên điện thoại.</li></ul>"
        '<p>Xem thêm tại <a href="https://dichvucong.gov.vn">Cổng Dịch vụ công quốc gia</a>.</p>'
        "<table><tr><th>Thủ tục</th><th>Thời hạn</th></tr><tr><td>Đăng ký khai sinh</td><td>1 ngày</td></tr></table>"
    ),
    "category": "de-an-06",
}
FINES = {
    "title": "Tra cứu và nộp phạt nguội trực tuyến",
    "summary": "Người dân có thể tra cứu phạt nguội theo biển số và nộp phạt ngay trên ứng dụng.",
    "body_html": "<p>Nhập biển số xe để tra cứu các vi phạm được camera ghi lại.</p>",
    "category": "giao-thong",
}


def _search(phone: Page) -> None:
    """Press "Tìm" and wait until the app has drawn the results (the address changes first)."""
    phone.get_by_role("button", name="Tìm", exact=True).click()
    expect(phone.locator("#view")).to_have_attribute("aria-busy", "false")


def _published(client, writer, reviewer, article: dict) -> dict:
    created = client.post("/staff/content/articles", headers=writer, json=article)
    assert created.status_code == 201, created.json
    current, etag = created.json, created.headers["ETag"]
    for who, action in ((writer, "submit"), (reviewer, "publish")):
        response = client.post(
            f"/staff/content/articles/{current['id']}/actions",
            headers={**who, "If-Match": etag},
            json={"action": action},
        )
        assert response.status_code == 200, response.json
        current, etag = response.json, response.headers["ETag"]
    return current


def test_policy_articles_are_listed_searched_without_accents_and_readable(
    phone: Page, app_url, client, staff_headers
):
    writer, _ = staff_headers("comms")
    reviewer, _ = staff_headers("comms")
    de_an = _published(client, writer, reviewer, DE_AN_06)
    _published(client, writer, reviewer, FINES)

    phone.goto(app_url + "/app/articles")
    expect(phone.get_by_role("heading", name="Tin mới nhất")).to_be_visible()
    titles = phone.locator(".article-row .row-title")
    expect(titles).to_have_text([FINES["title"], DE_AN_06["title"]])  # newest first
    assert_accessible(phone, "articles, list")
    screenshot(phone, "app-articles")

    # Typed the way people type on a phone: no accents.
    phone.get_by_label("Tìm bài viết").fill("de an 06")
    _search(phone)
    expect(phone).to_have_url(re.compile(r"/app/articles\?q=de\+an\+06$"))
    expect(phone.get_by_role("heading", name="Kết quả tìm kiếm")).to_be_visible()
    expect(titles).to_have_text([DE_AN_06["title"]])

    phone.get_by_label("Tìm bài viết").fill("khong co bai nao nhu the")
    _search(phone)
    expect(phone.get_by_text("Không tìm thấy bài viết phù hợp.")).to_be_visible()
    assert_accessible(phone, "articles, nothing found")
    phone.get_by_role("link", name="Xem tất cả bài viết").click()
    expect(titles).to_have_count(2)

    # A topic narrows the list.
    phone.get_by_label("Chủ đề").select_option(label="Giao thông")
    expect(phone.locator("#view")).to_have_attribute("aria-busy", "false")
    expect(phone).to_have_url(re.compile(r"category=giao-thong"))
    expect(titles).to_have_text([FINES["title"]])

    phone.get_by_label("Chủ đề").select_option(label="Đề án 06")
    phone.get_by_role("link", name=re.compile(DE_AN_06["title"])).click()
    expect(phone).to_have_url(app_url + f"/app/articles/{de_an['slug']}")
    expect(phone.get_by_role("heading", level=2, name=DE_AN_06["title"])).to_be_visible()
    expect(phone.get_by_text(DE_AN_06["summary"])).to_be_visible()
    body = phone.locator(".article-body")
    expect(body.locator("strong")).to_have_text("làm thủ tục")
    # The body's own headings sit under the article's title.
    expect(body.get_by_role("heading", level=3, name="Lợi ích chính")).to_be_visible()
    expect(body.get_by_role("listitem")).to_have_count(2)
    link = body.get_by_role("link", name="Cổng Dịch vụ công quốc gia")
    expect(link).to_have_attribute("href", "https://dichvucong.gov.vn/")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(body.get_by_role("cell", name="Đăng ký khai sinh")).to_be_visible()
    assert_accessible(phone, "article")
    screenshot(phone, "app-article")

    phone.goto(app_url + "/app/articles/khong-co-bai-nay")
    expect(phone.get_by_role("alert")).to_be_visible()


def test_local_products_are_found_without_accents_filtered_and_the_seller_can_be_called(
    phone: Page,
    app_url,
    client,
    seller,  # noqa: F811 (the fixtures imported above)
    verified_seller,  # noqa: F811
    publish,  # noqa: F811
    moderator,  # noqa: F811
):
    # The coffee, with a photo, from the seller of tests/content/products; honey from another one.
    created = client.post(
        "/me/seller/products",
        headers=seller["headers"],
        json=product_body(
            ocop_stars=4, ocop_certificate_number="125/QĐ-UBND", ocop_year=2023, contact_phone="0905 123 456"
        ),
    )
    assert created.status_code == 201, created.json
    # Sent to the server the phone talks to: its files live in its own instance folder.
    photo = httpx.post(
        f"{app_url}/me/seller/products/{created.json['id']}/images",
        headers=seller["headers"],
        files={"file": ("ca-phe.jpg", jpeg_bytes((320, 240)), "image/jpeg")},
    )
    assert photo.status_code == 201, photo.text
    current = client.get(f"/me/seller/products/{created.json['id']}", headers=seller["headers"]).json
    assert decide_product(client, moderator, current).status_code == 200
    honey_house = verified_seller(business_name="Hợp tác xã Mật ong Krông Năng", ward_code=KRONG_NANG)
    publish(
        honey_house,
        name="Mật ong hoa cà phê",
        description="Mật ong nguyên chất lấy từ hoa cà phê mùa xuân, chai thủy tinh 500 ml.",
        category="nong_san",
        price_vnd=250_000,
        unit="chai",
        ward_code=KRONG_NANG,
    )

    phone.goto(app_url + "/app/products")
    expect(phone.get_by_role("heading", name="Mới đăng bán")).to_be_visible()
    names = phone.locator(".product-row .row-title")
    expect(names).to_have_count(2)
    assert_accessible(phone, "products, list")
    screenshot(phone, "app-products")

    phone.get_by_label("Tìm sản phẩm", exact=True).fill("ca phe buon ma thuot")
    _search(phone)
    expect(phone.get_by_role("heading", name="Kết quả tìm kiếm")).to_be_visible()
    expect(names).to_have_text(["Cà phê Buôn Ma Thuột rang mộc"])
    row = phone.locator(".product-row")
    expect(row).to_contain_text("180.000 đồng/gói")
    expect(row).to_contain_text("OCOP 4 sao")

    # Filters: only OCOP products from 4 stars; then a price range the wrong way round.
    phone.get_by_label("Tìm sản phẩm", exact=True).fill("")
    phone.get_by_text("Bộ lọc").click()
    phone.get_by_label("Chứng nhận OCOP").select_option(label="OCOP từ 4 sao")
    _search(phone)
    expect(phone).to_have_url(re.compile(r"/app/products\?ocop_min=4$"))
    expect(names).to_have_text(["Cà phê Buôn Ma Thuột rang mộc"])
    phone.get_by_label("Chứng nhận OCOP").select_option(label="Mọi sản phẩm")
    phone.get_by_label("Giá từ (đồng)").fill("300000")
    phone.get_by_label("Giá đến (đồng)").fill("100000")
    _search(phone)
    price_to = phone.get_by_label("Giá đến (đồng)")
    expect(price_to).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(".field-error")).to_have_text("Giá đến phải lớn hơn hoặc bằng giá từ.")
    assert_accessible(phone, "products, refused filter")
    phone.get_by_label("Giá từ (đồng)").fill("200000")
    phone.get_by_label("Giá đến (đồng)").fill("300000")
    _search(phone)
    expect(names).to_have_text(["Mật ong hoa cà phê"])

    # The product's page: its photo, OCOP, the seller, and a number to call.
    phone.goto(app_url + "/app/products?q=ca+phe+buon+ma+thuot")
    phone.get_by_role("link", name=re.compile("Cà phê Buôn Ma Thuột rang mộc")).click()
    expect(phone).to_have_url(app_url + f"/app/products/{created.json['id']}")
    expect(phone.get_by_role("heading", level=2, name="Cà phê Buôn Ma Thuột rang mộc")).to_be_visible()
    picture = phone.get_by_role("img", name="Ảnh 1 của Cà phê Buôn Ma Thuột rang mộc")
    expect(picture).to_be_visible()
    phone.wait_for_function("(image) => image.complete", arg=picture.element_handle())
    assert picture.evaluate("(image) => image.naturalWidth") == 320  # the photo itself, not a broken box
    expect(phone.get_by_text("4 sao, giấy chứng nhận 125/QĐ-UBND, năm 2023")).to_be_visible()
    expect(phone.get_by_text("Hộ kinh doanh Cà phê Ea Tam")).to_be_visible()
    call = phone.get_by_role("link", name="Gọi người bán: 0905123456")
    expect(call).to_have_attribute("href", "tel:0905123456")
    assert_accessible(phone, "product")
    screenshot(phone, "app-product")
