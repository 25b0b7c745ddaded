"""The leaders' dashboard in the workspace: the charts on their own (web/shared/chart.js), then a
leader reading the province's figures, filtering by ward, downloading them, reading a periodic
report; officers are refused it.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from api.citizens.models import Citizen
from api.config import PROJECT_ROOT
from api.dashboard import service as dashboard
from api.dossiers import service as dossiers
from api.dossiers.workflow import today
from api.extensions import db
from api.workdays import VIETNAM
from tests.browser import assert_accessible, screenshot
from tests.dossiers.samples import VALID_FORMS
from tests.workspace.conftest import staff_sign_in

HOME_WARD = "24133"  # Phường Buôn Ma Thuột
OTHER_WARD = "24163"  # Phường Tân An

SHARED = PROJECT_ROOT / "web" / "shared"
STYLES = PROJECT_ROOT / "build" / "web" / "workspace" / "workspace.css"
CHART_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Biểu đồ</title>
<link rel="stylesheet" href="/workspace.css"></head>
<body><main id="view" class="leader-charts"></main>
<script type="module">
  import { barChart, columnChart, formatPercent } from "/shared/chart.js";
  const view = document.getElementById("view");
  view.append(
    barChart({
      title: "Hồ sơ tiếp nhận theo thủ tục", labelName: "Thủ tục", valueName: "Số hồ sơ",
      rows: [
        { label: "Đăng ký tạm trú", value: 1234 },
        { label: "Đăng ký khai sinh", value: 617 },
        { label: "Đăng ký kết hôn", value: 0 },
      ],
    }),
    barChart({ title: "Phản ánh theo lĩnh vực", labelName: "Lĩnh vực", valueName: "Số phản ánh", rows: [],
               empty: "Chưa có phản ánh nào trong kỳ này." }),
    columnChart({
      title: "Hồ sơ theo ngày", labelName: "Ngày", labels: ["05/12/2026", "06/12/2026", "07/12/2026"],
      series: [{ name: "Tiếp nhận", values: [3, 0, 7] }, { name: "Xử lý xong", values: [1, 2, 0] }],
    }),
  );
  window.percents = [0.875, 0.5, 1, 0, null].map(formatPercent);
</script></body></html>"""


def _chart_page(page: Page) -> None:
    """chart.js straight from the sources (no API, no bundle) on a page of its own."""

    def answer(route):
        path = route.request.url.split("chart.test", 1)[1]
        if path == "/":
            route.fulfill(body=CHART_PAGE, content_type="text/html; charset=utf-8")
        elif path == "/workspace.css":
            route.fulfill(path=STYLES, content_type="text/css")
        elif path.startswith("/shared/") and (SHARED / path.removeprefix("/shared/")).is_file():
            route.fulfill(path=SHARED / path.removeprefix("/shared/"), content_type="text/javascript")
        else:
            route.fulfill(status=404, body="")

    page.route("http://chart.test/**", answer)
    page.goto("http://chart.test/")
    expect(page.locator("figure")).to_have_count(3)


def test_the_charts_are_images_with_a_name_and_their_figures_in_a_table(desk: Page):
    _chart_page(desk)

    # Bars: one image named with its values, each bar as long as its share of the largest.
    bars = desk.get_by_role("figure", name="Hồ sơ tiếp nhận theo thủ tục")
    image = bars.get_by_role("img")
    expect(image).to_have_accessible_name(
        re.compile(r"Đăng ký tạm trú: 1\.234; Đăng ký khai sinh: 617; Đăng ký kết hôn: 0")
    )
    widths = bars.locator("rect.chart-bar").evaluate_all(
        "(rects) => rects.map((r) => r.getAttribute('width'))"
    )
    assert widths == ["85.00%", "42.50%"]  # none drawn for zero
    expect(bars.locator("text.chart-value")).to_have_text(["1.234", "617", "0"])
    # Widths in % of the chart: the longest bar spans most of what the page gives it.
    box = bars.locator("svg").bounding_box()
    longest = bars.locator("rect.chart-bar").first.bounding_box()
    assert longest["width"] == pytest.approx(box["width"] * 0.85, abs=1.5)

    # The figures as a table, folded until asked for.
    table = bars.get_by_role("table", name="Hồ sơ tiếp nhận theo thủ tục")
    expect(table).to_be_hidden()
    bars.get_by_text("Xem bảng số liệu").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(4)
    expect(table.get_by_role("row", name=re.compile("^Đăng ký tạm trú"))).to_contain_text("1.234")
    expect(table.get_by_role("columnheader")).to_have_text(["Thủ tục", "Số hồ sơ"])

    # Nothing to draw: a sentence, no empty picture.
    nothing = desk.get_by_role("figure", name="Phản ánh theo lĩnh vực")
    expect(nothing).to_contain_text("Chưa có phản ánh nào trong kỳ này.")
    expect(nothing.locator("svg")).to_have_count(0)

    # Columns by day: two series with a key, totals and peaks in the image's name, axis labels.
    days = desk.get_by_role("figure", name="Hồ sơ theo ngày")
    expect(days.get_by_role("img")).to_have_accessible_name(
        "Hồ sơ theo ngày, 05/12/2026–07/12/2026. Tổng: Tiếp nhận 10, Xử lý xong 3. "
        "Tiếp nhận cao nhất 7 (07/12/2026); Xử lý xong cao nhất 2 (06/12/2026)."
    )
    expect(days.get_by_role("listitem")).to_have_text(["Tiếp nhận", "Xử lý xong"])
    expect(days.locator(".chart-y-axis span")).to_have_text(["10", "5", "0"])  # 7 rounds up to 10
    expect(days.locator(".chart-x-axis span")).to_have_text(["05/12/2026", "06/12/2026", "07/12/2026"])
    expect(days.locator("rect.chart-column")).to_have_count(4)  # zeros draw nothing
    days.get_by_text("Xem bảng số liệu").click()
    day_table = days.get_by_role("table", name="Hồ sơ theo ngày")
    expect(day_table.locator("tbody tr").last.locator("th, td")).to_have_text(["07/12/2026", "7", "0"])

    # Vietnamese percentages; nothing to divide by is a dash.
    assert desk.evaluate("window.percents") == ["87,5\u00a0%", "50\u00a0%", "100\u00a0%", "0\u00a0%", "—"]
    assert_accessible(desk, "charts on their own")
    screenshot(desk, "leader-charts-alone")


# ---- against the API ----------------------------------------------------------------------------


@pytest.fixture
def finish_dossier(app, catalogue, make_citizen, make_staff):
    """A tạm trú dossier filed in `ward` and taken by an officer through to "completed", through
    the dossier service; late when its due date has passed before it is completed."""
    citizen_id = make_citizen()["id"]
    officer = make_staff("officer", ward_code=None)

    def finish(ward: str, *, late: bool = False, at: datetime | None = None) -> str:
        with app.app_context():
            citizen = db.session.get(Citizen, citizen_id)
            form = {**VALID_FORMS["tam-tru"], "ward_code": ward}
            dossier = dossiers.submit(citizen, "tam-tru", form, at=at)
            actor = dossiers.Actor("staff", officer["id"], "officer", None)
            for action in ("accept", "start"):
                dossier = dossiers.transition(dossier, action, actor, expected_version=dossier.version, at=at)
            if late:
                dossier.due_date = (at.date() if at else today()) - timedelta(days=1)
                db.session.commit()
            dossiers.transition(dossier, "complete", actor, expected_version=dossier.version, at=at)
            code = dossier.code
            db.session.commit()  # the test is the edge (api/unit_of_work.py)
            db.session.remove()
            return code

    return finish


def _tile(page: Page, section: str, label: str):
    return (
        page.get_by_role("region", name=section, exact=True)
        .locator(".leader-tile")
        .filter(has=page.get_by_text(label, exact=True))
    )


def test_a_leader_reads_the_province_s_figures_filters_a_ward_and_downloads_them(
    desk: Page, workspace_url, make_staff, finish_dossier
):
    finish_dossier(HOME_WARD)
    finish_dossier(OTHER_WARD, late=True)
    leader = make_staff("leader", ward_code=None)
    staff_sign_in(desk, workspace_url, leader["username"], leader["password"], start="/workspace/leader")

    # The dashboard: by default the last 30 days, the whole province.
    view = desk.locator("#view")
    expect(view.get_by_role("heading", name="Tổng quan", exact=True)).to_be_visible()
    expect(desk.get_by_role("link", name="Tổng quan")).to_have_attribute("aria-current", "page")
    start = (today() - timedelta(days=29)).strftime("%d/%m/%Y")
    expect(view.get_by_role("status")).to_have_text(f"Số liệu từ {start} đến {today():%d/%m/%Y}, toàn tỉnh.")
    expect(desk.get_by_role("button", name="30 ngày")).to_have_attribute("aria-pressed", "true")
    # Two received, both finished, one of them on time.
    expect(_tile(desk, "Hồ sơ", "Tiếp nhận").locator(".leader-value")).to_have_text("2")
    expect(_tile(desk, "Hồ sơ", "Đúng hạn").locator(".leader-value")).to_have_text("50 %")
    expect(_tile(desk, "Hồ sơ", "Đúng hạn")).to_contain_text("1/2 hồ sơ đã xử lý xong")
    expect(_tile(desk, "Hồ sơ", "Trực tuyến").locator(".leader-value")).to_have_text("100 %")
    # Nothing to measure yet: a dash that says so.
    wait = _tile(desk, "Tổng đài", "Chờ (trung vị)").locator(".leader-none")
    expect(wait).to_have_attribute("title", "Chưa có dữ liệu")
    expect(wait).to_have_text("—Chưa có dữ liệu")  # the second part for screen readers only
    expect(_tile(desk, "Phản ánh", "Tiếp nhận").locator(".leader-value")).to_have_text("0")
    # The charts, named by what they show.
    by_ward = desk.get_by_role("figure", name="Hồ sơ tiếp nhận theo phường, xã").get_by_role("img")
    expect(by_ward).to_have_accessible_name(re.compile("Phường Buôn Ma Thuột: 1"))
    by_procedure = desk.get_by_role("figure", name="Hồ sơ tiếp nhận theo thủ tục").get_by_role("img")
    expect(by_procedure).to_have_accessible_name(re.compile("Đăng ký tạm trú: 2"))
    by_day = desk.get_by_role("figure", name="Hồ sơ theo ngày").get_by_role("img")
    expect(by_day).to_have_accessible_name(re.compile("Tổng: Tiếp nhận 2, Xử lý xong 2"))
    expect(desk.get_by_role("figure", name="Phản ánh theo lĩnh vực")).to_contain_text(
        "Chưa có phản ánh nào trong kỳ này."
    )
    assert_accessible(desk, "leader dashboard")
    screenshot(desk, "leader-dashboard")

    # One ward: its figures only, kept in the address across a reload.
    desk.get_by_label("Phường, xã", exact=True).select_option(HOME_WARD)
    desk.get_by_role("button", name="Xem", exact=True).click()
    expect(_tile(desk, "Hồ sơ", "Tiếp nhận").locator(".leader-value")).to_have_text("1")
    expect(_tile(desk, "Hồ sơ", "Đúng hạn").locator(".leader-value")).to_have_text("100 %")
    assert f"ward={HOME_WARD}" in desk.url
    desk.reload()
    expect(view.get_by_role("status")).to_contain_text("Phường Buôn Ma Thuột")
    expect(desk.get_by_label("Phường, xã", exact=True)).to_have_value(HOME_WARD)
    expect(_tile(desk, "Hồ sơ", "Đúng hạn").locator(".leader-value")).to_have_text("100 %")
    desk.get_by_label("Phường, xã", exact=True).select_option(OTHER_WARD)
    desk.get_by_role("button", name="Xem", exact=True).click()
    expect(_tile(desk, "Hồ sơ", "Đúng hạn").locator(".leader-value")).to_have_text("0 %")

    # The figures as CSV, fetched with the leader's token: the ward's, for the period shown.
    with desk.expect_download() as caught:
        desk.get_by_role("button", name="Tải CSV").click()
    download = caught.value
    first_day = (today() - timedelta(days=29)).isoformat()
    assert download.suggested_filename == f"bao-cao-{first_day}-{today().isoformat()}.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads the Vietnamese right
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Mục", "Chỉ số", "Giá trị"]
    assert ["Kỳ báo cáo", "Phạm vi", "Phường Tân An"] in rows
    assert ["Hồ sơ thủ tục hành chính", "Hồ sơ tiếp nhận", "1"] in rows
    assert ["Hồ sơ thủ tục hành chính", "Tỉ lệ giải quyết đúng hạn (%)", "0.00"] in rows
    with desk.expect_download() as caught:
        desk.get_by_role("button", name="Tải Excel").click()
    assert caught.value.suggested_filename == f"bao-cao-{first_day}-{today().isoformat()}.xlsx"
    overview = load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes()))["Tổng quan"]
    assert ("Hồ sơ thủ tục hành chính", "Hồ sơ tiếp nhận", 1) in overview.iter_rows(values_only=True)

    # A quick period: the last 7 days, the ward kept.
    desk.get_by_role("button", name="7 ngày").click()
    expect(desk.get_by_role("button", name="7 ngày")).to_have_attribute("aria-pressed", "true")
    assert f"from={(today() - timedelta(days=6)).isoformat()}" in desk.url
    assert f"ward={OTHER_WARD}" in desk.url

    # A period that ends before it starts: the API's message beside the dates, nothing else drawn.
    desk.get_by_label("Từ ngày").fill("2026-03-10")
    desk.get_by_label("Đến ngày").fill("2026-03-01")
    desk.get_by_role("button", name="Xem", exact=True).click()
    expect(desk.get_by_label("Từ ngày")).to_have_attribute("aria-invalid", "true")
    expect(view.locator(".field-error")).to_have_text("Sau ngày kết thúc.")
    expect(desk.get_by_role("region", name="Hồ sơ", exact=True)).to_have_count(0)
    assert_accessible(desk, "leader dashboard, bad period")


def test_a_ward_leader_sees_only_their_ward(desk: Page, workspace_url, make_staff, finish_dossier):
    finish_dossier(HOME_WARD)
    finish_dossier(OTHER_WARD, late=True)
    leader = make_staff("leader", ward_code=OTHER_WARD)
    staff_sign_in(
        desk,
        workspace_url,
        leader["username"],
        leader["password"],
        start=f"/workspace/leader?ward={HOME_WARD}",
    )

    # Whatever the address asks, the ward is theirs, and the select says so.
    ward = desk.get_by_label("Phường, xã", exact=True)
    expect(ward).to_be_disabled()
    expect(ward).to_have_value(OTHER_WARD)
    expect(desk.locator("#view").get_by_role("status")).to_contain_text("Phường Tân An")
    expect(_tile(desk, "Hồ sơ", "Tiếp nhận").locator(".leader-value")).to_have_text("1")
    expect(_tile(desk, "Hồ sơ", "Đúng hạn").locator(".leader-value")).to_have_text("0 %")
    assert_accessible(desk, "ward leader dashboard")

    # The periodic reports are province-wide: none for them, and the list says why.
    desk.get_by_role("link", name="Báo cáo định kỳ").click()
    expect(desk.get_by_text(re.compile("^Báo cáo định kỳ là số liệu toàn tỉnh"))).to_be_visible()


def test_a_periodic_report_is_listed_unread_and_read_once_opened(
    desk: Page, workspace_url, app, make_staff, finish_dossier
):
    # A dossier filed and finished last Wednesday, in the last full week.
    monday, sunday = dashboard.last_full_week(today())
    wednesday = datetime.combine(monday + timedelta(days=2), time(10), tzinfo=VIETNAM)
    finish_dossier(HOME_WARD, at=wednesday)
    leader = make_staff("leader", ward_code=None)
    with app.app_context():
        assert dashboard.make_periodic_reports() == 2  # last week's and last month's
        db.session.commit()  # the test is the edge, as the scheduler's job is (api/unit_of_work.py)
        db.session.remove()
    week_title = dashboard.title_of("weekly", monday, sunday)

    staff_sign_in(desk, workspace_url, leader["username"], leader["password"])
    # The count of unread reports beside their entry, whatever screen the leader starts on.
    entry = desk.get_by_role("link", name=re.compile("^Báo cáo định kỳ"))
    expect(entry).to_have_accessible_name("Báo cáo định kỳ 2 chưa đọc")
    entry.click()
    expect(desk.get_by_text("2 báo cáo, 2 chưa đọc; mới nhất trước.")).to_be_visible()
    row = desk.get_by_role("row").filter(has=desk.get_by_role("link", name=week_title))
    expect(row).to_contain_text("Chưa đọc")
    expect(row).to_contain_text(f"{monday:%d/%m/%Y} – {sunday:%d/%m/%Y}")
    expect(row).to_have_class("leader-unread")
    assert_accessible(desk, "periodic reports, unread")
    screenshot(desk, "leader-reports")

    # Opened: the week's frozen figures, the same tiles and charts, and its own export.
    row.get_by_role("link", name=week_title).click()
    expect(desk.locator("#view").get_by_role("heading", name=week_title)).to_be_visible()
    expect(desk.locator("#view")).to_contain_text(
        f"Số liệu từ {monday:%d/%m/%Y} đến {sunday:%d/%m/%Y}, toàn tỉnh"
    )
    expect(_tile(desk, "Hồ sơ", "Tiếp nhận").locator(".leader-value")).to_have_text("1")
    expect(_tile(desk, "Hồ sơ", "Đúng hạn").locator(".leader-value")).to_have_text("100 %")
    days = desk.get_by_role("figure", name="Hồ sơ theo ngày")
    expect(days.locator(".chart-x-axis span").first).to_have_text(f"{monday:%d/%m/%Y}")
    expect(entry).to_have_accessible_name("Báo cáo định kỳ 1 chưa đọc")
    assert_accessible(desk, "periodic report")
    screenshot(desk, "leader-report")
    with desk.expect_download() as caught:
        desk.get_by_role("button", name="Tải CSV").click()
    assert caught.value.suggested_filename == f"bao-cao-{monday.isoformat()}-{sunday.isoformat()}.csv"
    rows = list(csv.reader(io.StringIO(Path(caught.value.path()).read_text(encoding="utf-8-sig"))))
    assert ["Hồ sơ thủ tục hành chính", "Hồ sơ tiếp nhận", "1"] in rows

    # Back in the list it is read; the other one is still waiting.
    desk.get_by_role("link", name="‹ Về danh sách báo cáo").click()
    expect(desk.get_by_text("2 báo cáo, 1 chưa đọc; mới nhất trước.")).to_be_visible()
    row = desk.get_by_role("row").filter(has=desk.get_by_role("link", name=week_title))
    expect(row).to_contain_text("Đã đọc")
    expect(row).not_to_have_class("leader-unread")


def test_an_officer_gets_no_leader_screens(desk: Page, workspace_url, make_staff):
    officer = make_staff("officer")
    staff_sign_in(desk, workspace_url, officer["username"], officer["password"])
    nav = desk.get_by_role("navigation", name="Chức năng")
    expect(nav).to_contain_text("Một cửa")
    expect(nav).not_to_contain_text("Tổng quan")
    expect(nav).not_to_contain_text("Báo cáo định kỳ")
    for path in ("/workspace/leader", "/workspace/leader/reports"):
        desk.goto(workspace_url + path)
        expect(desk.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
        expect(desk.locator(".leader-tile")).to_have_count(0)
    assert_accessible(desk, "leader screens refused to an officer")
    screenshot(desk, "leader-refused")
