"""The citizen app's public services: finding a procedure, applying with the form its JSON Schema
describes, and following one's dossiers through the officers' actions (issue 16 §3).

Officers act through the API's own desk endpoints (as the staff workspace does); the citizen acts
only through the app, in Chromium with a phone's screen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from api.citizens.service import get_citizen
from api.dossiers import service as dossiers
from api.dossiers.models import Dossier
from api.extensions import db
from tests.app.conftest import sign_in
from tests.browser import assert_accessible, screenshot
from tests.documents.samples import MINIMAL_PDF, png
from tests.dossiers.samples import VALID_FORMS

pytestmark = pytest.mark.usefixtures("catalogue")


# ---- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def officer(staff_headers):
    headers, _ = staff_headers("officer")  # an officer of the ward the test citizens live in
    return headers


def desk(client, officer, code: str, action: str, **body) -> dict:
    """An officer's action at the one-stop desk, with the dossier's current ETag."""
    etag = client.get(f"/staff/dossiers/{code}", headers=officer).headers["ETag"]
    response = client.post(
        f"/staff/dossiers/{code}/actions",
        headers={**officer, "If-Match": etag},
        json={"action": action, **body},
    )
    assert response.status_code == 200, response.json
    return response.json


def filed(app, citizen_id, procedure="tam-tru", form=None) -> str:
    """A dossier filed through the dossier service, as the API files one; returns its code."""
    with app.app_context():
        dossier = dossiers.submit(get_citizen(citizen_id), procedure, form or VALID_FORMS[procedure])
        code = dossier.code
        db.session.commit()  # the test is the edge (api/unit_of_work.py)
        db.session.remove()
        return code


def dossiers_of(app, citizen_id) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Dossier).where(Dossier.citizen_id == citizen_id)
        )
        db.session.remove()
        return count


def field_box(page: Page, name: str):
    """The labelled box of the form control named `name` (the API's field path)."""
    return page.locator(".field").filter(has=page.locator(f'[name="{name}"]')).last


def loaded(page: Page) -> None:
    expect(page.locator("#view")).to_have_attribute("aria-busy", "false")


# ---- the API's part: what a citizen can do now, and how steps read --------------------------------


def test_dossier_says_what_the_citizen_can_do_in_each_status(client, citizen, officer):
    response = client.post(
        "/me/dossiers",
        headers=citizen["headers"],
        json={"procedure_code": "tam-tru", "form": VALID_FORMS["tam-tru"]},
    )
    assert response.status_code == 201, response.json
    code = response.json["code"]
    assert response.json["citizen_actions"] == ["withdraw"]
    assert response.json["history"][0]["label"] == "Công dân nộp hồ sơ trực tuyến"

    desk(client, officer, code, "accept")
    paying = desk(client, officer, code, "request_payment")
    mine = client.get(f"/me/dossiers/{code}", headers=citizen["headers"]).json
    assert mine["citizen_actions"] == ["withdraw", "pay_fee"]
    assert [step["label"] for step in mine["history"]][-1] == "Cần nộp phí, lệ phí"
    assert paying["fee_vnd"] == 7_000

    desk(client, officer, code, "confirm_payment")
    desk(client, officer, code, "request_supplement", note="Bổ sung hợp đồng thuê nhà.")
    assert client.get(f"/me/dossiers/{code}", headers=citizen["headers"]).json["citizen_actions"] == [
        "supply_supplement",
        "withdraw",
    ]
    etag = client.get(f"/me/dossiers/{code}", headers=citizen["headers"]).headers["ETag"]
    supplied = client.post(
        f"/me/dossiers/{code}/actions",
        headers={**citizen["headers"], "If-Match": etag},
        json={"action": "supply_supplement", "note": "Đã có hợp đồng."},
    )
    assert supplied.status_code == 200, supplied.json
    desk(client, officer, code, "complete")
    returned = desk(client, officer, code, "return_result")
    assert returned["status"] == 10
    assert client.get(f"/me/dossiers/{code}", headers=citizen["headers"]).json["citizen_actions"] == ["rate"]
    rated = client.post(f"/me/dossiers/{code}/rating", headers=citizen["headers"], json={"score": 5})
    assert rated.json["citizen_actions"] == []


def test_group_dossier_names_its_linked_procedures(client, citizen):
    response = client.post(
        "/me/dossiers",
        headers=citizen["headers"],
        json={
            "group_code": "lien-thong-khai-sinh",
            "forms": {code: VALID_FORMS[code] for code in ("khai-sinh", "thuong-tru", "bhyt-tre-duoi-6")},
        },
    )
    assert response.status_code == 201, response.json
    assert [linked["procedure_name"] for linked in response.json["linked"]] == [
        "Đăng ký thường trú",
        "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
    ]


def test_a_dossier_code_in_the_address_opens_the_app(client):
    """Dossier codes have a dot (66.24133-…): still an app path, while a missing file is a 404."""
    page = client.get("/app/dossiers/66.24133-251122-0007")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert client.get("/app/js/screens/missing.js").status_code == 404


def test_form_schema_keeps_the_order_its_fields_were_written_in(client):
    schema = client.get("/procedures/tam-tru").json["form_schema"]
    assert schema["x-order"][:3] == ["persons", "address", "ward_code"]
    assert schema["properties"]["persons"]["items"]["x-order"] == [
        "full_name",
        "date_of_birth",
        "personal_id",
        "relationship_to_head",
    ]


# ---- the app ----------------------------------------------------------------------------------------


def test_search_without_accents_finds_the_procedure_and_its_page(phone: Page, app_url):
    page = phone
    page.goto(app_url + "/app/services")
    loaded(page)
    expect(page.get_by_role("link", name=re.compile("Liên thông khai sinh"))).to_be_visible()
    page.get_by_label("Tên thủ tục hoặc việc bạn cần làm").fill("dang ky khai sinh")
    results = page.locator(".results")
    expect(results.get_by_role("heading", name="Kết quả cho “dang ky khai sinh”")).to_be_visible()
    expect(results.get_by_role("link", name=re.compile("^Đăng ký khai sinh"))).to_be_visible()
    expect(results.get_by_role("link", name=re.compile("Đăng ký kết hôn"))).to_have_count(0)
    assert_accessible(page, "catalogue, searched without accents")
    screenshot(page, "services-search")

    # A filter the API offers: the field (lĩnh vực) narrows the list.
    page.get_by_label("Tên thủ tục hoặc việc bạn cần làm").fill("")
    page.get_by_label("Lĩnh vực").select_option("Cư trú")
    expect(results.get_by_role("link", name=re.compile("^Đăng ký tạm trú"))).to_be_visible()
    expect(results.get_by_role("link", name=re.compile("^Đăng ký khai sinh"))).to_have_count(0)
    page.get_by_label("Lĩnh vực").select_option("")
    page.get_by_label("Tên thủ tục hoặc việc bạn cần làm").fill("dang ky khai sinh")
    expect(results.get_by_role("heading", name="Kết quả cho “dang ky khai sinh”")).to_be_visible()

    results.get_by_role("link", name=re.compile("^Đăng ký khai sinh")).click()
    page.wait_for_url("**/app/procedures/khai-sinh")
    loaded(page)
    expect(page.get_by_role("heading", name="Đăng ký khai sinh", level=2)).to_be_visible()
    expect(page.locator(".doc-list .row-title", has_text="Giấy chứng sinh")).to_be_visible()
    expect(page.locator(".facts").get_by_text("Miễn phí")).to_be_visible()
    expect(page.locator(".facts").get_by_text("UBND cấp xã nơi cư trú của cha hoặc mẹ")).to_be_visible()
    expect(page.locator(".facts").get_by_text("1 ngày làm việc")).to_be_visible()
    expect(page.get_by_text(re.compile("Luật Hộ tịch 2014 \\(Điều 13–16\\)"))).to_be_visible()
    assert_accessible(page, "procedure page")
    screenshot(page, "services-procedure")

    # Browsing needs no sign-in; applying does.
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url("**/app/procedures/khai-sinh/apply")
    expect(page.get_by_role("button", name="Đăng nhập bằng VNeID")).to_be_visible()

    page.goto(app_url + "/app/procedures/khong-co-thu-tuc-nay")
    expect(page.get_by_role("alert")).to_contain_text("Không có thủ tục hành chính mã 'khong-co-thu-tuc-nay'")


def test_apply_follow_supplement_rate_withdraw(phone: Page, app_url, app, client, make_citizen, officer):
    page = phone
    person = make_citizen()
    sign_in(page, app_url, person["cccd"], start="/app/procedures/tam-tru/apply")
    page.wait_for_url("**/app/procedures/tam-tru/apply")
    loaded(page)
    expect(page.get_by_role("heading", name="Đăng ký tạm trú", level=2)).to_be_visible()

    # The form comes from the procedure's JSON Schema: a list of people, a choice, dates, numbers.
    page.get_by_label("Họ, chữ đệm và tên").fill("Nguyễn Văn An")
    page.get_by_label("Ngày sinh").fill("1990-05-17")
    page.get_by_label("Quan hệ với chủ hộ").fill("Chủ hộ")
    page.get_by_label("Địa chỉ (số nhà, đường, thôn/buôn/tổ dân phố)").fill("45 Y Wang")
    page.get_by_label("Mã phường/xã/đặc khu").fill("24133")
    # The schema's if/then: renting needs the owner's name and consent, said while it applies.
    owner_needed = field_box(page, "form.owner_full_name").locator(".hint-when")
    expect(owner_needed).to_be_hidden()
    page.get_by_label("Căn cứ đăng ký").select_option("Thuê, mượn, ở nhờ có sự đồng ý của chủ sở hữu")
    expect(owner_needed).to_have_text(
        "Bắt buộc vì bạn chọn “Thuê, mượn, ở nhờ có sự đồng ý của chủ sở hữu” ở mục “Căn cứ đăng ký”."
    )
    expect(field_box(page, "form.owner_consent").locator(".hint-when")).to_contain_text("Cần đánh dấu")
    page.get_by_label("Căn cứ đăng ký").select_option("Chỗ ở hợp pháp thuộc quyền sở hữu của mình")
    expect(owner_needed).to_be_hidden()
    page.get_by_label("Tạm trú từ ngày").fill("2025-09-01")
    page.get_by_label("Thời hạn tạm trú (tháng)").fill("30")  # the schema allows 1 to 24
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()

    message = field_box(page, "form.duration_months").locator(".field-error")
    expect(message).to_have_text("Giá trị phải nhỏ hơn hoặc bằng 24.")
    expect(page.get_by_label("Thời hạn tạm trú (tháng)")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_have_count(1)
    assert dossiers_of(app, person["id"]) == 0
    assert_accessible(page, "application form with the API's field error")
    screenshot(page, "services-apply-error")

    page.get_by_label("Thời hạn tạm trú (tháng)").fill("12")
    proof = page.locator("fieldset.attachment").filter(has_text="Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp")
    proof.get_by_label("Hoặc tải lên, chụp ảnh giấy tờ mới").set_input_files(
        {"name": "hop-dong-thue-nha.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    expect(proof.locator(".ok-note")).to_contain_text("Đã lưu")
    expect(proof.get_by_label("Chọn giấy tờ đã lưu")).not_to_have_value("")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()

    page.wait_for_url(re.compile(r"/app/dossiers/66\.24133-\d{6}-\d{4}$"))
    loaded(page)
    code = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", name="Đăng ký tạm trú", level=2)).to_be_visible()
    expect(page.locator(".facts").get_by_text(code, exact=True)).to_be_visible()
    expect(page.locator(".timeline li").first).to_contain_text("Công dân nộp hồ sơ trực tuyến")
    attachments = page.locator(".doc-list .row-title")
    expect(attachments).to_have_text(["Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp"])
    assert_accessible(page, "the new dossier")
    screenshot(page, "dossier-new")

    page.goto(app_url + "/app/dossiers")
    loaded(page)
    row = page.get_by_role("link", name=re.compile(re.escape(code)))
    expect(row).to_be_visible()
    expect(row).to_contain_text("Mới đăng ký")
    assert_accessible(page, "my dossiers")
    screenshot(page, "dossiers-list")

    # The officer asks for a supplement: the citizen sees what is asked and supplies it.
    desk(client, officer, code, "accept")
    desk(client, officer, code, "request_supplement", note="Bổ sung hợp đồng thuê nhà có chữ ký của chủ nhà.")
    row.click()
    page.wait_for_url(f"**/app/dossiers/{code}")
    loaded(page)
    supplement = page.locator("section.card-attention")
    expect(supplement.get_by_role("heading", name="Cần bổ sung giấy tờ")).to_be_visible()
    expect(supplement.get_by_text("Bổ sung hợp đồng thuê nhà có chữ ký của chủ nhà.")).to_be_visible()
    other = supplement.locator("fieldset.attachment").filter(has_text="Giấy tờ khác theo yêu cầu của cán bộ")
    other.get_by_label("Hoặc tải lên, chụp ảnh giấy tờ mới").set_input_files(
        {"name": "hop-dong-co-chu-ky.png", "mimeType": "image/png", "buffer": png()}
    )
    expect(other.locator(".ok-note")).to_contain_text("Đã lưu")
    assert_accessible(page, "dossier asking for a supplement")
    screenshot(page, "dossier-supplement")
    supplement.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.locator(".chips").first).to_contain_text("Đang xử lý")
    expect(page.locator(".timeline li").last).to_contain_text("Công dân đã bổ sung giấy tờ")
    expect(attachments).to_have_text(
        ["Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", "Giấy tờ khác theo yêu cầu của cán bộ"]
    )
    expect(page.get_by_role("heading", name="Cần bổ sung giấy tờ")).to_have_count(0)

    # Result returned: the citizen rates the service, once.
    desk(client, officer, code, "complete")
    desk(client, officer, code, "return_result")
    page.reload()
    loaded(page)
    expect(page.get_by_role("heading", name="Đánh giá dịch vụ")).to_be_visible()
    expect(page.get_by_role("button", name="Rút hồ sơ")).to_have_count(0)
    page.get_by_label("4 – Hài lòng").check()
    page.get_by_label("Góp ý thêm (không bắt buộc)").fill("Cán bộ hướng dẫn rõ ràng.")
    assert_accessible(page, "rating a returned dossier")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Đánh giá của bạn")).to_be_visible()
    expect(page.locator(".rating")).to_contain_text("4/5 – Hài lòng")
    expect(page.get_by_role("button", name="Gửi đánh giá")).to_have_count(0)
    screenshot(page, "dossier-rated")

    # A second dossier with a fee asked for: the pay link; then the citizen withdraws it.
    second = filed(app, person["id"])
    desk(client, officer, second, "accept")
    desk(client, officer, second, "request_payment")
    page.goto(app_url + f"/app/dossiers/{second}")
    loaded(page)
    pay = page.get_by_role("link", name="Nộp 7.000 đ trực tuyến")
    expect(pay).to_be_visible()
    href = pay.get_attribute("href")
    assert href.startswith("/app/pay?") and "purpose=dossier_fee" in href
    assert f"reference={second}" in href and "amount=7000" in href
    assert f"back=%2Fapp%2Fdossiers%2F{second}" in href
    page.get_by_role("button", name="Rút hồ sơ").click()
    confirm = page.locator("form.confirm-box")
    expect(confirm.get_by_role("heading", name="Bạn chắc chắn muốn rút hồ sơ này?")).to_be_visible()
    confirm.get_by_label("Lý do rút (không bắt buộc)").fill("Tôi đã chuyển chỗ ở khác.")
    assert_accessible(page, "confirming a withdrawal")
    screenshot(page, "dossier-withdraw-confirm")
    confirm.get_by_role("button", name="Đồng ý rút hồ sơ").click()
    expect(page.locator(".chips").first).to_contain_text("Công dân yêu cầu rút hồ sơ")
    expect(page.locator(".timeline li").last).to_contain_text("Tôi đã chuyển chỗ ở khác.")
    expect(page.get_by_role("button", name="Rút hồ sơ")).to_have_count(0)
    expect(page.get_by_role("link", name="Nộp 7.000 đ trực tuyến")).to_have_count(0)

    # Another citizen's dossier code in the address bar: not found, nothing of theirs.
    stranger = make_citizen(full_name="Trần Văn Bình", sex="male")
    theirs = filed(app, stranger["id"], "ly-lich-tu-phap")
    page.goto(app_url + f"/app/dossiers/{theirs}")
    loaded(page)
    expect(page.get_by_role("alert")).to_contain_text(f"Không tìm thấy hồ sơ có mã '{theirs}'")
    expect(page.get_by_text("Cấp Phiếu lý lịch tư pháp")).to_have_count(0)
    assert_accessible(page, "another citizen's dossier")


def test_a_group_applied_together_creates_linked_dossiers(phone: Page, app_url, make_citizen):
    page = phone
    person = make_citizen()
    sign_in(page, app_url, person["cccd"], start="/app/procedure-groups/lien-thong-khai-sinh/apply")
    page.wait_for_url("**/app/procedure-groups/lien-thong-khai-sinh/apply")
    loaded(page)
    birth = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Bước 1: Đăng ký khai sinh")
    )
    residence = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Bước 2: Đăng ký thường trú")
    )
    insurance = page.locator("section.card").filter(
        has=page.get_by_role("heading", name=re.compile("^Bước 3: Cấp thẻ bảo hiểm y tế"))
    )

    birth.get_by_label("Quan hệ của người đi khai với trẻ").select_option("Mẹ")
    birth.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Nguyễn Minh Khang")
    birth.get_by_label("Giới tính của trẻ").select_option("Nam")
    birth.get_by_label("Ngày, tháng, năm sinh của trẻ").fill("2025-08-01")
    birth.get_by_label("Nơi sinh").fill("Bệnh viện Đa khoa vùng Tây Nguyên")
    birth.get_by_label("Dân tộc").fill("Kinh")
    birth.get_by_label("Họ, chữ đệm và tên người mẹ").fill("Trần Thị Hoa")
    birth.get_by_label("Số định danh cá nhân của người mẹ").fill("066190012345")

    residence.get_by_label("Họ, chữ đệm và tên").fill("Nguyễn Minh Khang")
    residence.get_by_label("Ngày sinh").fill("2025-08-01")
    residence.get_by_label("Quan hệ với chủ hộ").fill("Con")
    residence.get_by_label("Địa chỉ (số nhà, đường, thôn/buôn/tổ dân phố)").fill("12 Lê Duẩn")
    residence.get_by_label("Mã phường/xã/đặc khu").fill("24133")
    residence.get_by_label("Căn cứ đăng ký").select_option("Chỗ ở hợp pháp thuộc quyền sở hữu của mình")

    # What the birth registration says of the child is already in the health-insurance form.
    expect(insurance.get_by_label("Họ, chữ đệm và tên của trẻ")).to_have_value("Nguyễn Minh Khang")
    expect(insurance.get_by_label("Ngày sinh của trẻ")).to_have_value("2025-08-01")
    insurance.get_by_label("Nơi đăng ký khám bệnh, chữa bệnh ban đầu").fill("Bệnh viện Nhi Đắk Lắk")
    # Khai sinh may be filed where either parent lives: the ward is chosen by name or code.
    ward = page.get_by_label("Phường, xã nơi nộp hồ sơ (không bắt buộc)")
    ward.fill("buon ma thuot")
    suggestions = page.locator(f"#{ward.get_attribute('list')} option[value='24133']")
    expect(suggestions).to_have_count(1)
    ward.fill("24133")
    assert_accessible(page, "group application form")
    screenshot(page, "services-group-apply")
    page.get_by_role("button", name="Nộp hồ sơ liên thông").click()

    page.wait_for_url(re.compile(r"/app/dossiers/66\.\d{5}-\d{6}-\d{4}$"))
    loaded(page)
    expect(page.get_by_role("heading", name="Đăng ký khai sinh", level=2)).to_be_visible()
    linked = page.locator("section.card").filter(has=page.get_by_role("heading", name="Hồ sơ liên thông"))
    expect(linked.get_by_role("link", name=re.compile("^Đăng ký thường trú"))).to_be_visible()
    expect(
        linked.get_by_role("link", name=re.compile("^Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"))
    ).to_be_visible()
    parent = page.url.rsplit("/", 1)[-1]
    assert_accessible(page, "group's first dossier with its linked dossiers")
    screenshot(page, "dossier-group")

    linked.get_by_role("link", name=re.compile("^Đăng ký thường trú")).click()
    loaded(page)
    expect(page.get_by_role("heading", name="Đăng ký thường trú", level=2)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Hồ sơ chính của nhóm liên thông"))).to_contain_text(
        parent
    )
