"""The dashboard exported as a leader opens it: CSV read back with the csv module (BOM,
Vietnamese labels, numbers) and XLSX opened with openpyxl (sheets, values, percentages)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from tests.dashboard.conftest import DEMO_WARD, OTHER_WARD, days_ago, today

SHEETS = ["Tổng quan", "Thủ tục", "Phường-xã", "Theo ngày", "Phản ánh - lĩnh vực", "Phản ánh - phường-xã"]


def seed(file_dossier, make_citizen):
    applicant = make_citizen()["id"]
    file_dossier(
        applicant,
        "khai-sinh",
        days_ago(3),
        steps=[("accept", days_ago(3, 10)), ("start", days_ago(3, 11)), ("complete", days_ago(3, 15))],
    )
    file_dossier(applicant, "khai-sinh", days_ago(2), ward=OTHER_WARD)


def tables(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """The CSV's breakdown tables by title: each follows a blank line, its title, its header."""
    found, index = {}, 0
    while index < len(rows):
        if rows[index] == [] and index + 2 < len(rows):
            title = rows[index + 1][0]
            body = []
            index += 2
            while index < len(rows) and rows[index] != []:
                body.append(rows[index])
                index += 1
            found[title] = body
        else:
            index += 1
    return found


def test_csv_has_a_bom_vietnamese_labels_and_numbers(app, client, leader, file_dossier, make_citizen):
    seed(file_dossier, make_citizen)
    first, last = today() - timedelta(days=6), today()
    answer = client.get(
        f"/leader/dashboard/export?format=csv&from={first}&to={last}", headers=leader["headers"]
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="bao-cao-{first}-{last}.csv"'
    assert answer.data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with it

    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0] == ["Mục", "Chỉ số", "Giá trị"]
    headline = {(row[0], row[1]): row[2] for row in rows[1:] if len(row) == 3 and row[0] and row[1]}
    assert headline[("Kỳ báo cáo", "Từ ngày")] == first.isoformat()
    assert headline[("Kỳ báo cáo", "Phạm vi")] == "Toàn tỉnh"
    assert int(headline[("Hồ sơ thủ tục hành chính", "Hồ sơ tiếp nhận")]) == 2
    assert int(headline[("Hồ sơ thủ tục hành chính", "Hồ sơ đã giải quyết")]) == 1
    assert float(headline[("Hồ sơ thủ tục hành chính", "Tỉ lệ giải quyết đúng hạn (%)")]) == 100.0
    assert float(headline[("Hồ sơ thủ tục hành chính", "Tỉ lệ nộp trực tuyến (%)")]) == 100.0
    # No denominator: an empty cell, not a zero.
    assert headline[("Xử phạt vi phạm hành chính", "Tỉ lệ đã nộp phạt (%)")] == ""
    assert int(headline[("Xử phạt vi phạm hành chính", "Số tiền phạt (đồng)")]) == 0

    found = tables(rows)
    by_procedure = found["Hồ sơ theo thủ tục (10 thủ tục nhiều hồ sơ nhất)"]
    assert by_procedure == [
        ["Mã thủ tục", "Tên thủ tục", "Tiếp nhận", "Đã giải quyết", "Tỉ lệ đúng hạn (%)"],
        ["khai-sinh", "Đăng ký khai sinh", "2", "1", "100.00"],
    ]
    assert found["Hồ sơ theo phường, xã"][1:] == [
        [DEMO_WARD, "Phường Buôn Ma Thuột", "1", "1", "100.00"],
        [OTHER_WARD, "Phường Tân Lập", "1", "0", ""],
    ]
    assert len(found["Hồ sơ theo ngày"]) == 1 + 7
    assert found["Phản ánh theo lĩnh vực"] == [["Mã lĩnh vực", "Lĩnh vực", "Số phản ánh"]]

    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "dashboard.export"))
        assert entry.actor == f"staff:{leader['id']}"
        assert entry.detail["format"] == "csv"


def test_xlsx_opens_with_its_sheets_and_values(client, leader, file_dossier, make_citizen):
    seed(file_dossier, make_citizen)
    first, last = today() - timedelta(days=6), today()
    answer = client.get(
        f"/leader/dashboard/export?format=xlsx&from={first}&to={last}", headers=leader["headers"]
    )
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="bao-cao-{first}-{last}.xlsx"'

    workbook = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert workbook.sheetnames == SHEETS
    overview = workbook["Tổng quan"]
    assert [cell.value for cell in overview[1]] == ["Mục", "Chỉ số", "Giá trị"]
    values = {row[1].value: row[2] for row in overview.iter_rows(min_row=2)}
    assert values["Hồ sơ tiếp nhận"].value == 2
    assert values["Tỉ lệ giải quyết đúng hạn (%)"].value == 1.0
    assert values["Tỉ lệ giải quyết đúng hạn (%)"].number_format == "0.00%"
    assert values["Tỉ lệ đã nộp phạt (%)"].value is None
    procedures = [[cell.value for cell in row] for row in workbook["Thủ tục"].iter_rows()]
    assert procedures == [
        ["Mã thủ tục", "Tên thủ tục", "Tiếp nhận", "Đã giải quyết", "Tỉ lệ đúng hạn (%)"],
        ["khai-sinh", "Đăng ký khai sinh", 2, 1, 1.0],
    ]
    assert workbook["Theo ngày"].max_row == 1 + 7


def test_a_ward_leaders_export_is_their_wards(client, ward_leader, file_dossier, make_citizen):
    seed(file_dossier, make_citizen)
    answer = client.get("/leader/dashboard/export?format=csv", headers=ward_leader["headers"])
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    headline = {(row[0], row[1]): row[2] for row in rows[1:] if len(row) == 3}
    assert headline[("Kỳ báo cáo", "Phạm vi")] == "Phường Buôn Ma Thuột"
    assert int(headline[("Hồ sơ thủ tục hành chính", "Hồ sơ tiếp nhận")]) == 1


def test_a_client_asking_for_bytes_gets_octet_stream(client, leader):
    answer = client.get(
        "/leader/dashboard/export?format=xlsx",
        headers={**leader["headers"], "Accept": "application/octet-stream"},
    )
    assert answer.status_code == 200
    assert answer.mimetype == "application/octet-stream"
    assert openpyxl.load_workbook(io.BytesIO(answer.data)).sheetnames == SHEETS
