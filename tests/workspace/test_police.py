"""The police panel of the workspace: triage of reports and crime reports, the informant's
identity behind a stated purpose, fine notices (issue, find, cancel) and the camera feed's import.

Citizens file their reports through the API, as the app does; the police work in Chromium; what
the citizen then reads, and what the audit log holds, is checked through the API.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from tests.browser import assert_accessible, screenshot
from tests.fines.conftest import notice_body
from tests.fines.test_evidence import CameraServer
from tests.reports.conftest import jpeg_bytes, report_body
from tests.workspace.conftest import staff_sign_in

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def file_report(client, citizen, **fields) -> dict:
    response = client.post("/me/reports", headers=citizen["headers"], json=report_body(**fields))
    assert response.status_code == 201, response.json
    return response.json["report"]


def open_view(page: Page) -> None:
    expect(page.locator("#view")).to_have_attribute("aria-busy", "false")


def test_police_triage_a_crime_report_to_resolved_with_a_photo_and_reject_another(
    desk: Page, workspace_url, client, citizen, make_staff
):
    theft = file_report(
        client,
        citizen,
        category="trom-cap",
        description="Xe máy bị trộm trước nhà số 12 Lê Duẩn lúc 2 giờ sáng.",
    )
    racing = file_report(
        client,
        citizen,
        category="dua-xe-trai-phep",
        description="Nhóm thanh niên đua xe trên đường Lê Duẩn mỗi tối.",
    )
    police = make_staff("police")
    make_staff("police", full_name="Đặng Quốc Bảo")  # a colleague of the same ward's police
    make_staff("police", full_name="Lý Văn Xa", ward_code="24163")  # another ward's: not offered
    make_staff("officer", full_name="Mai Thị Phường")  # the ward's officer: not the police's desk
    staff_sign_in(desk, workspace_url, police["username"], police["password"])

    # The police's first screen is their unit's queue, nearest deadline first.
    expect(desk.locator("#title")).to_have_text("Phản ánh, tố giác")
    queue = desk.get_by_role("table", name="Phản ánh của đơn vị, hạn gần nhất trước")
    expect(queue.get_by_role("link", name="Trộm cắp, cướp giật tài sản")).to_be_visible()
    expect(queue.get_by_role("link", name="Đua xe, lạng lách trái phép")).to_be_visible()
    assert "staff:" not in desk.locator("#view").inner_text()
    assert_accessible(desk, "police report queue")
    screenshot(desk, "police-queue")

    # A filter narrows the queue (and is kept in the address).
    desk.get_by_label("Lĩnh vực").select_option("dua-xe-trai-phep")
    desk.get_by_role("button", name="Lọc").click()
    open_view(desk)
    assert "category=dua-xe-trai-phep" in desk.url
    expect(queue.get_by_role("link", name="Đua xe, lạng lách trái phép")).to_be_visible()
    expect(queue.get_by_role("link", name="Trộm cắp, cướp giật tài sản")).to_have_count(0)

    desk.goto(f"{workspace_url}/workspace/reports")
    open_view(desk)
    queue.get_by_role("link", name="Trộm cắp, cướp giật tài sản").click()
    open_view(desk)
    expect(desk.get_by_role("heading", name="Nội dung phản ánh")).to_be_visible()
    expect(desk.get_by_text("Xe máy bị trộm trước nhà số 12")).to_be_visible()
    assert_accessible(desk, "police report detail")

    # The report goes to someone of the unit: the colleagues are offered by name, the person
    # acting first; nobody of another ward or unit is.
    assignee = desk.get_by_label("Giao cho")
    expect(assignee.locator("option")).to_have_text(["Cán bộ police (bạn)", "Đặng Quốc Bảo"])
    desk.get_by_role("button", name="Giao xử lý").click()
    expect(desk.get_by_text("Đã phân công xử lý").first).to_be_visible()
    expect(desk.get_by_text("Cán bộ police (bạn)").first).to_be_visible()
    desk.get_by_role("button", name="Bắt đầu xử lý").click()
    expect(desk.get_by_text("Đang xử lý").first).to_be_visible()

    # A reply the citizen reads and a note they do not.
    desk.get_by_label("Nội dung").fill("Công an phường đã tiếp nhận, đang xác minh.")
    desk.get_by_role("button", name="Gửi", exact=True).click()
    expect(desk.get_by_text("Công an phường đã tiếp nhận, đang xác minh.")).to_be_visible()
    desk.get_by_label("Nội dung").fill("Trích xuất camera nhà số 14.")
    desk.get_by_label("Ghi chú nội bộ (người phản ánh không thấy)").check()
    desk.get_by_role("button", name="Gửi", exact=True).click()
    expect(desk.get_by_text("Trích xuất camera nhà số 14.")).to_be_visible()

    # Resolving without the photo is refused next to the field; with it, the report is resolved.
    desk.get_by_label("Kết quả xử lý", exact=True).fill("Đã thu hồi xe, trả lại cho chủ sở hữu.")
    desk.get_by_role("button", name="Xác nhận đã xử lý xong").click()
    expect(desk.get_by_text("Hãy chọn ảnh kết quả xử lý.")).to_be_visible()
    desk.get_by_label("Ảnh kết quả xử lý (JPEG, PNG)").set_input_files(
        {"name": "ket-qua.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(color=(0, 160, 0))}
    )
    desk.get_by_role("button", name="Xác nhận đã xử lý xong").click()
    expect(desk.get_by_text("Đã xử lý xong, chờ xác nhận").first).to_be_visible()
    photo = desk.get_by_role("img", name="Ảnh kết quả xử lý 1")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 64
    expect(desk.get_by_text("không còn thao tác nào")).to_be_visible()
    assert_accessible(desk, "police report resolved")
    screenshot(desk, "police-report-resolved")

    mine = client.get(f"/me/reports/{theft['id']}", headers=citizen["headers"]).json
    assert mine["status"] == "resolved"
    assert mine["resolution_note"] == "Đã thu hồi xe, trả lại cho chủ sở hữu."
    assert mine["resolution_media_id"]
    assert [c["body"] for c in mine["comments"]] == ["Công an phường đã tiếp nhận, đang xác minh."]

    # The other one is rejected with a reason the citizen reads.
    desk.goto(f"{workspace_url}/workspace/reports/{racing['id']}")
    open_view(desk)
    desk.get_by_role("button", name="Từ chối phản ánh").click()
    expect(desk.get_by_text("Hãy ghi rõ lý do từ chối.")).to_be_visible()
    desk.get_by_label("Lý do không xử lý").fill("Đã chuyển Đội CSGT theo chuyên đề tháng này.")
    desk.get_by_role("button", name="Từ chối phản ánh").click()
    expect(desk.locator(".chip", has_text="Không xử lý")).to_be_visible()
    expect(desk.get_by_text("Đã chuyển Đội CSGT theo chuyên đề tháng này.").first).to_be_visible()
    rejected = client.get(f"/me/reports/{racing['id']}", headers=citizen["headers"]).json
    assert (rejected["status"], rejected["reject_reason"]) == (
        "rejected",
        "Đã chuyển Đội CSGT theo chuyên đề tháng này.",
    )


def test_the_informant_is_shown_only_for_a_stated_purpose_and_the_view_is_audited(
    desk: Page, workspace_url, client, citizen, make_staff, app
):
    report = file_report(
        client, citizen, category="ma-tuy", description="Có người bán ma tuý ở quán nước đầu hẻm."
    )
    police = make_staff("police")
    staff_sign_in(
        desk,
        workspace_url,
        police["username"],
        police["password"],
        start=f"/workspace/reports/{report['id']}",
    )
    open_view(desk)
    # Nothing of the informant on the page until asked for.
    expect(desk.get_by_role("heading", name="Người tố giác")).to_be_visible()
    expect(desk.get_by_text(citizen["cccd"])).to_have_count(0)

    desk.get_by_role("button", name="Xem thông tin người tố giác").click()
    expect(desk.get_by_text("Mỗi lần xem được ghi vào nhật ký kiểm toán")).to_be_visible()
    purpose = desk.get_by_label("Mục đích xem")
    expect(purpose).to_be_focused()
    assert_accessible(desk, "police identity purpose")
    purpose.fill("xem")
    desk.get_by_role("button", name="Xem thông tin", exact=True).click()
    expect(desk.get_by_text("Hãy ghi rõ mục đích xem thông tin người tố giác")).to_be_visible()
    expect(desk.get_by_text(citizen["cccd"])).to_have_count(0)

    purpose.fill("Hồ sơ vụ việc số 125/CAP-ĐTTP, lấy lời khai người tố giác")
    desk.get_by_role("button", name="Xem thông tin", exact=True).click()
    expect(desk.get_by_text(citizen["cccd"])).to_be_visible()
    expect(desk.get_by_text("Nguyễn Thị Hoa")).to_be_visible()
    expect(desk.get_by_text("Lần xem này đã được ghi vào nhật ký kiểm toán.")).to_be_visible()
    assert_accessible(desk, "police identity shown")
    screenshot(desk, "police-identity")

    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.identity_read")
        ).all()
        assert [(e.actor, e.target, e.detail["reason"]) for e in entries] == [
            (
                f"staff:{police['id']}",
                f"report:{report['id']}",
                "Hồ sơ vụ việc số 125/CAP-ĐTTP, lấy lời khai người tố giác",
            )
        ]


def test_the_police_issue_find_see_evidence_and_cancel_a_notice(
    desk: Page, workspace_url, client, citizen, make_staff, staff_headers
):
    police = make_staff("police")
    staff_sign_in(desk, workspace_url, police["username"], police["password"], start="/workspace/fines")
    open_view(desk)
    expect(desk.get_by_text("Không có quyết định xử phạt nào khớp bộ lọc.")).to_be_visible()
    desk.get_by_role("link", name="Lập quyết định xử phạt").click()
    open_view(desk)
    expect(desk.get_by_role("heading", name="Lập quyết định xử phạt", level=2)).to_be_visible()
    assert_accessible(desk, "police new fine form")

    violated = (datetime.now(UTC) - timedelta(days=1)).astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")
    desk.get_by_label("Số quyết định").fill("00777/QĐ-XPVPHC")
    desk.get_by_label("Biển số").fill("47a12345")
    desk.get_by_label("Số căn cước chủ phương tiện").fill(citizen["cccd"])
    desk.get_by_label("Thời điểm vi phạm").fill(violated)
    desk.get_by_label("Nơi vi phạm", exact=True).fill("Ngã tư Lê Duẩn - Phan Chu Trinh")
    desk.get_by_label("Hành vi vi phạm").select_option("oto-vuot-den-do")
    # An amount outside the violation's range: the API's reason next to the field.
    desk.get_by_label("Số tiền phạt (đồng)").fill("100000")
    desk.get_by_role("button", name="Lập quyết định").click()
    expect(desk.get_by_text("nằm ngoài khung phạt")).to_be_visible()
    expect(desk.get_by_label("Số tiền phạt (đồng)")).to_have_attribute("aria-invalid", "true")
    desk.get_by_label("Số tiền phạt (đồng)").fill("18000000")
    desk.get_by_role("button", name="Lập quyết định").click()
    expect(desk.get_by_role("heading", name="Quyết định số 00777/QĐ-XPVPHC")).to_be_visible()
    expect(desk.get_by_text("Cán bộ police (bạn)")).to_be_visible()
    expect(desk.get_by_text("Chờ xác nhận").first).to_be_visible()

    # Another notice, with a photo in the police's camera system: its page shows the photo.
    archive = CameraServer({"/anh/1.jpg": jpeg_bytes(color=(20, 120, 200))})
    headers, _ = staff_headers("police")
    camera = client.post(
        "/police/fines",
        headers=headers,
        json=notice_body(
            citizen["cccd"],
            plate="47B1-234.56",
            violation_code="xe-may-vuot-den-do",
            amount_vnd=5_000_000,
            evidence=[f"{archive.url}/anh/1.jpg"],
        ),
    )
    assert camera.status_code == 201, camera.json

    desk.goto(f"{workspace_url}/workspace/fines")
    open_view(desk)
    notices = desk.get_by_role("table", name="Quyết định xử phạt, mới nhất trước")
    expect(notices.get_by_role("row")).to_have_count(3)  # the header and two notices
    desk.get_by_label("Biển số").fill("47B1-234.56")
    desk.get_by_role("button", name="Lọc").click()
    open_view(desk)
    expect(notices.get_by_role("row")).to_have_count(2)
    assert_accessible(desk, "police fines list")
    screenshot(desk, "police-fines")
    notices.get_by_role("link", name=camera.json["notice_number"]).click()
    open_view(desk)
    photo = desk.get_by_role("img", name="Ảnh bằng chứng 1")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 64
    archive.stop()
    assert_accessible(desk, "police fine detail")

    # Cancelling needs a reason; with one, the notice is cancelled and the citizen reads why.
    desk.get_by_role("button", name="Huỷ quyết định").click()
    expect(desk.get_by_text("Bắt buộc.")).to_be_visible()
    expect(desk.get_by_label("Lý do huỷ")).to_have_attribute("aria-invalid", "true")
    desk.get_by_label("Lý do huỷ").fill("Ảnh camera nhận diện nhầm biển số.")
    desk.get_by_role("button", name="Huỷ quyết định").click()
    expect(desk.locator(".chip", has_text="Đã huỷ")).to_be_visible()
    expect(desk.get_by_text("Ảnh camera nhận diện nhầm biển số.")).to_be_visible()
    screenshot(desk, "police-fine-cancelled")
    mine = client.get(f"/me/fines/{camera.json['id']}", headers=citizen["headers"]).json
    assert (mine["status"], mine["cancel_reason"]) == ("cancelled", "Ảnh camera nhận diện nhầm biển số.")


def test_the_camera_import_shows_each_rejected_row_with_its_reason(
    desk: Page, workspace_url, citizen, make_staff
):
    police = make_staff("police")
    staff_sign_in(
        desk, workspace_url, police["username"], police["password"], start="/workspace/fines/import"
    )
    open_view(desk)
    expect(desk.get_by_role("heading", name="Nhập dữ liệu camera", level=2)).to_be_visible()
    assert_accessible(desk, "police camera import")

    desk.get_by_label("Dữ liệu JSON").fill("[{ không phải JSON")
    desk.get_by_role("button", name="Nhập dữ liệu").click()
    expect(desk.get_by_text("Dữ liệu không phải JSON hợp lệ.").first).to_be_visible()

    # More good rows than a page of the list holds, and one bad row.
    good = [notice_body(citizen["cccd"], evidence=[]) for _ in range(21)]
    bad = notice_body(citizen["cccd"], violation_code="di-bo-tren-may")
    desk.get_by_label("Dữ liệu JSON").fill(json.dumps([*good, bad], ensure_ascii=False))
    desk.get_by_role("button", name="Nhập dữ liệu").click()
    result = desk.get_by_role("heading", name="Kết quả nhập")
    expect(result).to_be_visible()
    expect(desk.locator(".stat", has_text="Tạo mới")).to_contain_text("21")
    expect(desk.locator(".stat", has_text="Bị từ chối")).to_contain_text("1")
    rejects = desk.get_by_role("table", name="Các dòng bị từ chối")
    [row] = rejects.get_by_role("row").all()[1:]
    expect(row).to_contain_text(bad["notice_number"])
    expect(row).to_contain_text(bad["source_ref"])
    expect(row).to_contain_text("không có trong danh mục hành vi vi phạm")
    assert_accessible(desk, "police camera import result")
    screenshot(desk, "police-import")

    # The list pages through them: 20 first, the rest on "Xem thêm".
    desk.get_by_role("link", name="Danh sách quyết định").click()
    open_view(desk)
    notices = desk.get_by_role("table", name="Quyết định xử phạt, mới nhất trước")
    expect(notices.locator("tbody tr")).to_have_count(20)
    expect(desk.get_by_text("Đang hiện 20 trên 21 mục.")).to_be_visible()
    desk.get_by_role("button", name="Xem thêm").click()
    expect(notices.locator("tbody tr")).to_have_count(21)
    expect(desk.get_by_role("button", name="Xem thêm")).to_have_count(0)


def test_an_officer_is_offered_the_ward_s_reports_but_refused_fines_and_informants(
    desk: Page, workspace_url, client, citizen, make_staff
):
    theft = file_report(
        client, citizen, category="trom-cap", description="Xe đạp bị lấy trộm ở trường tiểu học."
    )
    pothole = file_report(client, citizen)
    officer = make_staff("officer")
    staff_sign_in(desk, workspace_url, officer["username"], officer["password"])
    nav = desk.get_by_role("navigation", name="Chức năng")
    # The API lets an officer work the ward's (not the police's) reports; fines are the police's.
    expect(nav.get_by_role("link", name="Phản ánh, tố giác")).to_be_visible()
    expect(nav.get_by_role("link", name="Xử phạt")).to_have_count(0)

    nav.get_by_role("link", name="Phản ánh, tố giác").click()
    open_view(desk)
    queue = desk.get_by_role("table", name="Phản ánh của đơn vị, hạn gần nhất trước")
    expect(queue.get_by_role("link", name="Ổ gà, hư hỏng mặt đường")).to_be_visible()
    expect(queue.get_by_role("link", name="Trộm cắp, cướp giật tài sản")).to_have_count(0)
    desk.goto(f"{workspace_url}/workspace/reports/{theft['id']}")
    open_view(desk)
    expect(desk.get_by_text("Không tìm thấy phản ánh này.")).to_be_visible()
    expect(desk.get_by_role("button", name="Xem thông tin người tố giác")).to_have_count(0)
    assert pothole["id"]

    for path in ("/workspace/fines", "/workspace/fines/new", "/workspace/fines/import"):
        desk.goto(workspace_url + path)
        open_view(desk)
        expect(desk.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
        expect(desk.get_by_role("button", name="Lập quyết định")).to_have_count(0)
    assert_accessible(desk, "police panel refused to an officer")
    screenshot(desk, "police-refused-officer")
