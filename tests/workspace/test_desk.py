"""The one-stop desk panel: a citizen's dossier goes through the officer's hands in the
workspace, from the queue to the returned result; a stale copy is explained; the unit's figures;
and only officers and admins get the desk.

The citizen's side (applying, uploading papers, supplying what was asked) goes through the same
API server the workspace talks to, over HTTP, as the citizen app would.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from api.dossiers.models import Dossier
from api.dossiers.workflow import today
from api.extensions import db
from tests.browser import assert_accessible, screenshot
from tests.documents.samples import MINIMAL_PDF, png
from tests.dossiers.samples import VALID_FORMS
from tests.workspace.conftest import staff_sign_in

PROCEDURE = "tam-tru"  # decided by the ward police of the applicant's place of stay (DEMO_WARD)


@pytest.fixture
def applicant(workspace_url, citizen_headers, catalogue):
    """A signed-in citizen talking to the workspace's API server."""
    headers, _, _ = citizen_headers()
    with httpx.Client(base_url=workspace_url, headers=headers, timeout=30) as http:
        yield http


def _upload(http: httpx.Client, data: bytes, name: str, title: str) -> str:
    response = http.post("/me/documents", files={"file": (name, data)}, data={"title": title})
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


def _apply(http: httpx.Client) -> str:
    photo = _upload(http, png(120, 80), "so-ho-khau.png", "Ảnh giấy xác nhận chỗ ở")
    scan = _upload(http, MINIMAL_PDF, "hop-dong-thue.pdf", "Hợp đồng thuê nhà")
    response = http.post(
        "/me/dossiers",
        json={
            "procedure_code": PROCEDURE,
            "form": VALID_FORMS[PROCEDURE],
            "attachments": [
                {"document_id": photo, "requirement": "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp"},
                {"document_id": scan, "requirement": "Hợp đồng thuê nhà"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["code"]


def _citizen_supplies(http: httpx.Client, code: str) -> None:
    etag = http.get(f"/me/dossiers/{code}").headers["ETag"]
    extra = _upload(http, png(60, 60, color=(10, 200, 10)), "xac-nhan.png", "Giấy xác nhận của chủ nhà")
    response = http.post(
        f"/me/dossiers/{code}/actions",
        headers={"If-Match": etag},
        json={
            "action": "supply_supplement",
            "attachments": [{"document_id": extra, "requirement": "Giấy xác nhận của chủ nhà"}],
        },
    )
    assert response.status_code == 200, response.text


def _step(page: Page, summary: str):
    """The form of one step: opened if folded, and returned."""
    step = page.locator("details.desk-step").filter(has=page.get_by_text(summary, exact=True))
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    return step


def _status_is(page: Page, status: str) -> None:
    expect(page.locator("main .chips").first).to_contain_text(status)


def test_an_officer_takes_a_dossier_from_the_queue_to_the_returned_result(
    desk: Page, workspace_url, make_staff, applicant
):
    code = _apply(applicant)
    officer = make_staff("officer")
    staff_sign_in(desk, workspace_url, officer["username"], officer["password"])

    # The officer lands on the queue (their first panel), the dossier in it with its due date.
    expect(desk.get_by_role("heading", name="Hồ sơ chờ xử lý")).to_be_visible()
    row = desk.get_by_role("row").filter(has=desk.get_by_role("link", name=code))
    expect(row).to_contain_text("Đăng ký tạm trú")
    expect(row).to_contain_text("Mới đăng ký")
    expect(desk.get_by_role("link", name="Một cửa", exact=True)).to_have_attribute("aria-current", "page")
    assert_accessible(desk, "desk queue")
    screenshot(desk, "desk-queue")

    # A filter that excludes it says so; clearing it brings it back.
    desk.get_by_label("Chỉ hồ sơ quá hạn").check()
    desk.get_by_role("button", name="Lọc").click()
    expect(desk.get_by_text("Không có hồ sơ nào khớp bộ lọc.")).to_be_visible()
    assert "overdue=true" in desk.url
    desk.get_by_label("Chỉ hồ sơ quá hạn").uncheck()
    desk.get_by_label("Trạng thái").select_option(label="Mới đăng ký")
    desk.get_by_role("button", name="Lọc").click()
    desk.get_by_role("link", name=code).click()

    # The dossier: the form read with the procedure's own labels, not its keys.
    expect(desk.get_by_role("heading", name="Đăng ký tạm trú", exact=True)).to_be_visible()
    form = desk.locator(".facts").nth(1)
    expect(form).to_contain_text("Căn cứ đăng ký")
    expect(form).to_contain_text("Thuê, mượn, ở nhờ có sự đồng ý của chủ sở hữu")
    expect(form).to_contain_text("Người đăng ký tạm trú 1 › Họ, chữ đệm và tên")
    expect(form).to_contain_text("01/09/2025")  # from_date, as a Vietnamese date
    expect(form).not_to_contain_text("residence_basis")
    # The papers previewed: the photo inline (a real, decoded image), the PDF in a frame.
    image = desk.get_by_role("img", name=re.compile("chứng minh chỗ ở hợp pháp"))
    expect(image).to_be_visible()
    desk.wait_for_function(
        "() => [...document.images].some((i) => i.src.startsWith('blob:') && i.naturalWidth === 120)"
    )
    expect(desk.locator("iframe[title*='Hợp đồng thuê nhà']")).to_be_visible()
    expect(desk.get_by_role("link", name="Tải xuống hop-dong-thue.pdf")).to_be_visible()
    # The history, with who did it.
    history = desk.locator(".timeline")
    expect(history).to_contain_text("Công dân nộp hồ sơ trực tuyến")
    expect(history).to_contain_text("Người nộp hồ sơ")
    # Only the steps status 1 allows.
    expect(desk.locator("details.desk-step > summary")).to_have_text(["Tiếp nhận hồ sơ", "Không tiếp nhận"])
    assert_accessible(desk, "desk dossier")
    screenshot(desk, "desk-dossier-new")

    _step(desk, "Tiếp nhận hồ sơ").get_by_role("button", name="Tiếp nhận").click()
    _status_is(desk, "Được tiếp nhận")
    expect(history).to_contain_text("Cán bộ một cửa đã tiếp nhận hồ sơ")
    expect(history).to_contain_text("Cán bộ officer")  # by name, never staff:<id>
    assert "staff:" not in desk.locator("main").inner_text()

    # Asking for a supplement needs a note: the API's field error shows next to the field.
    step = _step(desk, "Yêu cầu bổ sung giấy tờ")
    step.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    note = step.get_by_label(re.compile("Giấy tờ cần bổ sung"))
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(step.locator(".field-error")).to_have_text("Bắt buộc.")
    note.fill("Bổ sung giấy xác nhận của chủ nhà về việc cho thuê.")
    step.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    _status_is(desk, "Yêu cầu bổ sung giấy tờ")
    expect(history).to_contain_text("Bổ sung giấy xác nhận của chủ nhà về việc cho thuê.")
    expect(desk.get_by_text(re.compile("^Đang chờ công dân bổ sung giấy tờ"))).to_be_visible()
    expect(desk.locator("details.desk-step > summary")).to_have_text(["Dừng xử lý"])

    # The citizen supplies the paper in the app; the officer reloads and sees it.
    _citizen_supplies(applicant, code)
    desk.reload()
    _status_is(desk, "Đang xử lý")
    expect(desk.get_by_role("img", name=re.compile("Giấy xác nhận của chủ nhà"))).to_be_visible()
    expect(history).to_contain_text("Công dân đã bổ sung giấy tờ")

    # The fee: the amount is asked for and shown.
    step = _step(desk, "Yêu cầu nộp phí, lệ phí")
    step.get_by_label("Số tiền phí, lệ phí (đồng)").fill("15000")
    step.get_by_role("button", name="Gửi yêu cầu nộp phí").click()
    _status_is(desk, "Yêu cầu thực hiện nghĩa vụ tài chính")
    expect(desk.locator("#toast")).to_have_text(f"Đã gửi yêu cầu nộp phí cho người nộp (hồ sơ {code}).")
    expect(desk.get_by_text(re.compile("^Đang chờ công dân nộp phí, lệ phí"))).to_be_visible()
    expect(desk.locator(".facts").first).to_contain_text("15.000 đ · chờ công dân nộp")
    screenshot(desk, "desk-dossier-fee")

    # Paid at the counter: the officer confirms, completes and returns the result.
    _step(desk, "Xác nhận đã nộp phí").get_by_role("button", name="Xác nhận đã nộp").click()
    _status_is(desk, "Đang xử lý")
    expect(desk.locator(".facts").first).to_contain_text("15.000 đ · đã nộp")
    _step(desk, "Hoàn thành xử lý").get_by_role("button", name="Đánh dấu đã xử lý xong").click()
    _status_is(desk, "Đã xử lý xong")
    _step(desk, "Trả kết quả").get_by_role("button", name="Đã trả kết quả").click()
    _status_is(desk, "Đã trả kết quả")
    expect(desk.get_by_text("Hồ sơ đã kết thúc, không còn bước nào cần làm.")).to_be_visible()
    assert_accessible(desk, "desk dossier returned")
    screenshot(desk, "desk-dossier-returned")

    # Done with, it leaves the queue.
    desk.get_by_role("link", name="Về hàng đợi hồ sơ").click()
    expect(desk.get_by_text("Không có hồ sơ nào đang chờ xử lý.")).to_be_visible()


def test_a_step_on_a_copy_someone_else_changed_is_explained_with_a_reload(
    desk: Page, workspace_url, make_staff, applicant
):
    code = _apply(applicant)
    officer = make_staff("officer")
    staff_sign_in(
        desk, workspace_url, officer["username"], officer["password"], start=f"/workspace/desk/{code}"
    )
    expect(desk.get_by_role("heading", name="Đăng ký tạm trú", exact=True)).to_be_visible()

    # Meanwhile a colleague accepts it through the API.
    colleague = make_staff("officer")
    with httpx.Client(base_url=workspace_url, timeout=30) as http:
        token = http.post(
            "/auth/staff/login", json={"username": colleague["username"], "password": colleague["password"]}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        etag = http.get(f"/staff/dossiers/{code}", headers=headers).headers["ETag"]
        accepted = http.post(
            f"/staff/dossiers/{code}/actions",
            headers={**headers, "If-Match": etag},
            json={"action": "accept"},
        )
        assert accepted.status_code == 200, accepted.text

    step = _step(desk, "Không tiếp nhận")
    step.get_by_label(re.compile("Lý do không tiếp nhận")).fill("Thiếu giấy tờ chứng minh chỗ ở.")
    step.get_by_role("button", name="Từ chối tiếp nhận").click()
    alert = step.get_by_role("alert")
    expect(alert).to_contain_text("Hồ sơ vừa được người khác thay đổi")
    expect(step).not_to_contain_text("precondition")
    assert_accessible(desk, "desk stale copy")
    screenshot(desk, "desk-stale")

    step.get_by_role("button", name="Tải lại hồ sơ").click()
    _status_is(desk, "Được tiếp nhận")
    expect(desk.locator(".timeline")).to_contain_text("Cán bộ officer")
    expect(desk.locator("details.desk-step > summary").first).to_have_text("Chuyển xử lý")


def test_the_unit_s_statistics(desk: Page, workspace_url, make_staff, applicant):
    _apply(applicant)
    _apply(applicant)
    officer = make_staff("officer")
    staff_sign_in(desk, workspace_url, officer["username"], officer["password"])
    desk.get_by_role("link", name="Thống kê một cửa").click()
    expect(desk.get_by_role("heading", name="Thống kê hồ sơ của đơn vị")).to_be_visible()
    expect(desk.locator(".stat").filter(has_text="Tổng số hồ sơ")).to_contain_text("2")
    by_status = desk.get_by_role("table", name="Số hồ sơ theo trạng thái")
    expect(by_status.get_by_role("row", name=re.compile("^Mới đăng ký"))).to_contain_text("2")
    by_procedure = desk.get_by_role("table", name="Số hồ sơ theo thủ tục")
    expect(by_procedure.get_by_role("row", name=re.compile("^Đăng ký tạm trú"))).to_contain_text("2")
    assert_accessible(desk, "desk statistics")
    screenshot(desk, "desk-statistics")

    # A period before anything was filed has nothing in it.
    desk.get_by_label("Nộp từ ngày").fill("2020-01-01")
    desk.get_by_label("Đến ngày").fill("2020-12-31")
    desk.get_by_role("button", name="Xem").click()
    expect(desk.get_by_text("Chưa có hồ sơ nào trong khoảng thời gian này.")).to_be_visible()
    expect(desk.locator(".stat").filter(has_text="Tổng số hồ sơ")).to_contain_text("0")


def test_police_are_refused_the_desk(desk: Page, workspace_url, make_staff):
    police = make_staff("police")
    staff_sign_in(desk, workspace_url, police["username"], police["password"])
    nav = desk.get_by_role("navigation", name="Chức năng")
    expect(nav).not_to_contain_text("Một cửa")
    desk.goto(workspace_url + "/workspace/desk")
    expect(desk.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
    expect(desk.get_by_role("table")).to_have_count(0)
    assert_accessible(desk, "desk refused to police")
    desk.goto(workspace_url + "/workspace/desk/statistics")
    expect(desk.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()


def test_the_queue_flags_the_late_ones_first_and_pages_the_rest(
    desk: Page, workspace_url, make_staff, app, applicant
):
    # 21 dossiers, one page and one more; the last one filed has missed its due date.
    codes = [_apply_without_papers(applicant) for _ in range(21)]
    late = codes[-1]
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == late))
        dossier.due_date = today() - timedelta(days=3)
        db.session.commit()
    officer = make_staff("officer")
    staff_sign_in(desk, workspace_url, officer["username"], officer["password"])

    expect(desk.get_by_text("21 hồ sơ, hạn trả sớm nhất trước.")).to_be_visible()
    rows = desk.locator("table.desk-queue tbody tr")
    expect(rows).to_have_count(20)
    # The late one comes first, flagged.
    expect(rows.first).to_contain_text(late)
    expect(rows.first).to_contain_text("Quá hạn")
    expect(rows.nth(1)).not_to_contain_text("Quá hạn")
    desk.get_by_role("link", name="Trang sau ›").click()
    expect(desk.get_by_text("Trang 2/2")).to_be_visible()
    expect(rows).to_have_count(1)
    assert_accessible(desk, "desk queue, page 2")

    desk.get_by_label("Chỉ hồ sơ quá hạn").check()
    desk.get_by_role("button", name="Lọc").click()
    expect(desk.get_by_text("1 hồ sơ khớp bộ lọc, hạn trả sớm nhất trước.")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(late)
    screenshot(desk, "desk-queue-overdue")


def _apply_without_papers(http: httpx.Client) -> str:
    response = http.post("/me/dossiers", json={"procedure_code": PROCEDURE, "form": VALID_FORMS[PROCEDURE]})
    assert response.status_code == 201, response.text
    return response.json()["code"]
