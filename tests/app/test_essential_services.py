"""The citizen app's list of the 53 essential online public services (Đề án 06, Mô hình 1).

What a citizen sees, signed in or not: the two groups GET /essential-services makes (filed here,
or information only), each service saying plainly which it is; unverified information marked so
a person notices; a search typed without accents; an offered service opening its procedure's
page and form, an information-only one offering no way to apply here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, screenshot

pytestmark = pytest.mark.usefixtures("catalogue")


def loaded(page: Page) -> None:
    expect(page.locator("#view")).to_have_attribute("aria-busy", "false")


def group(page: Page, title: str):
    return page.get_by_role("region", name=re.compile(f"^{re.escape(title)}"))


def service(page: Page, code: str):
    return page.locator(f'li.essential[data-code="{code}"]')


def test_the_api_says_which_services_are_filed_here(client):
    services = client.get("/essential-services").json
    assert len(services) == 53
    assert sum(s["offered_online"] for s in services) == 19
    assert any(not s["verified"] for s in services)  # the screen must show these marked


def test_essential_services_screen(phone: Page, app_url):
    page = phone
    # Reached from the services screen.
    page.goto(app_url + "/app/services")
    loaded(page)
    page.get_by_role("link", name=re.compile("^53 dịch vụ công thiết yếu")).click()
    page.wait_for_url("**/app/essential-services")
    loaded(page)
    expect(page.locator("#title")).to_have_text("Dịch vụ công thiết yếu")

    online = group(page, "Nộp hồ sơ ngay trong ứng dụng")
    information = group(page, "Chỉ có thông tin: nộp trên cổng quốc gia")
    expect(online.get_by_role("heading", level=2)).to_have_text("Nộp hồ sơ ngay trong ứng dụng 19 dịch vụ")
    expect(information.get_by_role("heading", level=2)).to_have_text(
        "Chỉ có thông tin: nộp trên cổng quốc gia 34 dịch vụ"
    )
    expect(online.locator("li.essential")).to_have_count(19)
    expect(information.locator("li.essential")).to_have_count(34)

    # A known service of each group, visible, each saying plainly what the citizen can do.
    birth = online.locator('li.essential[data-code="khai-sinh"]')
    expect(birth).to_be_visible()
    expect(birth.locator(".row-title")).to_have_text("1. Đăng ký khai sinh")
    expect(birth.get_by_text("Nộp trực tuyến tại đây")).to_be_visible()
    expect(birth.get_by_role("link", name="Nộp hồ sơ (Đăng ký khai sinh)")).to_be_visible()
    passport = information.locator('li.essential[data-code="cap-ho-chieu"]')
    expect(passport).to_be_visible()
    expect(passport.locator(".row-title")).to_have_text("24. Cấp hộ chiếu phổ thông ở trong nước")
    expect(passport.get_by_text("Chỉ thông tin, chưa nộp được tại đây")).to_be_visible()
    # Unverified information is marked where a person sees it, on the service itself.
    expect(passport.get_by_text("Chưa đối chiếu văn bản")).to_be_visible()
    expect(birth.get_by_text("Chưa đối chiếu văn bản")).to_have_count(0)
    # Where to file it nationally: said once above the list, with the national portal's link.
    expect(information.get_by_role("link", name="dichvucong.gov.vn")).to_be_visible()
    assert_accessible(page, "essential services, whole list")
    screenshot(page, "essential-services")

    # Typed without accents: "ho chieu" finds "Cấp hộ chiếu phổ thông ở trong nước", nothing else.
    page.get_by_label("Tên dịch vụ hoặc việc bạn cần làm").fill("ho chieu")
    expect(page.get_by_role("status").filter(has_text="Tìm thấy")).to_have_text(
        "Tìm thấy 1 dịch vụ cho “ho chieu”."
    )
    expect(passport).to_be_visible()
    expect(birth).to_be_hidden()
    expect(online.get_by_text("Không có dịch vụ nào của nhóm này khớp với từ bạn tìm.")).to_be_visible()
    expect(online.get_by_role("heading", level=2)).to_have_text("Nộp hồ sơ ngay trong ứng dụng 0/19 dịch vụ")
    # The information-only service offers no way to apply here.
    expect(passport.get_by_role("link")).to_have_count(0)
    expect(passport.get_by_role("button")).to_have_count(0)
    assert page.url.endswith("/app/essential-services?q=ho+chieu")
    assert_accessible(page, "essential services, searched without accents")
    screenshot(page, "essential-services-search")

    # An abbreviation finds the driving-licence service, offered here.
    page.get_by_label("Tên dịch vụ hoặc việc bạn cần làm").fill("gplx")
    licence = service(page, "doi-gplx")
    expect(licence).to_be_visible()
    expect(licence.get_by_text("Nộp trực tuyến tại đây")).to_be_visible()

    # Another search without accents, then the offered service opens its procedure.
    page.get_by_label("Tên dịch vụ hoặc việc bạn cần làm").fill("dang ky khai sinh")
    expect(birth).to_be_visible()
    expect(service(page, "ket-hon")).to_be_hidden()
    birth.get_by_role("link", name="Xem thủ tục (Đăng ký khai sinh)").click()
    page.wait_for_url("**/app/procedures/khai-sinh")
    loaded(page)
    expect(page.get_by_role("heading", name="Đăng ký khai sinh", level=2)).to_be_visible()

    # Back: the search is kept; its apply button opens the application form (sign-in first).
    page.go_back()
    page.wait_for_url("**/app/essential-services?q=dang+ky+khai+sinh")
    loaded(page)
    expect(page.get_by_label("Tên dịch vụ hoặc việc bạn cần làm")).to_have_value("dang ky khai sinh")
    expect(service(page, "ket-hon")).to_be_hidden()
    service(page, "khai-sinh").get_by_role("link", name="Nộp hồ sơ (Đăng ký khai sinh)").click()
    page.wait_for_url("**/app/procedures/khai-sinh/apply")
    expect(page.get_by_role("button", name="Đăng nhập bằng VNeID")).to_be_visible()

    # A group applied together opens its group's form.
    page.goto(app_url + "/app/essential-services?q=lien thong khai tu")
    loaded(page)
    together = service(page, "lien-thong-khai-tu")
    expect(together).to_be_visible()
    together.get_by_role("link", name=re.compile("^Nộp hồ sơ liên thông")).click()
    page.wait_for_url("**/app/procedure-groups/lien-thong-khai-tu/apply")


def test_reachable_from_the_more_menu(phone: Page, app_url):
    page = phone
    page.goto(app_url + "/app/more")
    loaded(page)
    page.get_by_role("link", name="53 dịch vụ công thiết yếu").click()
    page.wait_for_url("**/app/essential-services")
    loaded(page)
    expect(page.get_by_role("region", name=re.compile("^Nộp hồ sơ ngay trong ứng dụng"))).to_be_visible()
