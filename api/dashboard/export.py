"""The dashboard's figures as a file a leader opens in Excel: CSV (UTF-8 with BOM) or XLSX.

Both are written from the dashboard's JSON (`figures.dashboard`, or a periodic report's frozen
copy), with the same Vietnamese labels: first the headline figures (Mục, Chỉ số, Giá trị), then
each breakdown as a table of its own. Ratios are written as percentages (0–100, two decimals)
in CSV, where a number is all a cell can say, and as fractions formatted as percentages in XLSX;
an empty cell means "no denominator" (nothing to compare yet).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
MEDIA_TYPES = {
    CSV: "text/csv",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

HEADLINE_SHEET = "Tổng quan"
HEADLINE_HEADER = ("Mục", "Chỉ số", "Giá trị")

# A value's kind decides how it is written: "int" as it is, "ratio" as a percentage, "text".
INT, RATIO, DECIMAL, TEXT = "int", "ratio", "decimal", "text"

# (section key, section label, [(figure key, label, kind)]): the headline rows, in order.
HEADLINES: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "dossiers",
        "Hồ sơ thủ tục hành chính",
        (
            ("received", "Hồ sơ tiếp nhận", INT),
            ("finished", "Hồ sơ đã giải quyết", INT),
            ("finished_on_time", "Giải quyết đúng hạn", INT),
            ("on_time_ratio", "Tỉ lệ giải quyết đúng hạn (%)", RATIO),
            ("online", "Nộp trực tuyến", INT),
            ("online_share", "Tỉ lệ nộp trực tuyến (%)", RATIO),
            ("overdue_open", "Đang quá hạn", INT),
        ),
    ),
    (
        "reports",
        "Phản ánh, kiến nghị",
        (
            ("received", "Phản ánh tiếp nhận", INT),
            ("resolved", "Đã xử lý xong", INT),
            ("open", "Đang xử lý", INT),
            ("median_first_response_hours", "Thời gian phản hồi đầu tiên, trung vị (giờ)", DECIMAL),
            ("median_resolution_hours", "Thời gian xử lý, trung vị (giờ)", DECIMAL),
        ),
    ),
    (
        "fines",
        "Xử phạt vi phạm hành chính",
        (
            ("issued", "Quyết định xử phạt", INT),
            ("paid", "Đã nộp phạt", INT),
            ("paid_share", "Tỉ lệ đã nộp phạt (%)", RATIO),
            ("amount_issued_vnd", "Số tiền phạt (đồng)", INT),
            ("amount_paid_vnd", "Số tiền đã nộp (đồng)", INT),
            ("paid_online_share", "Tỉ lệ nộp phạt trực tuyến (%)", RATIO),
        ),
    ),
    (
        "benefits",
        "Chi trả trợ cấp xã hội",
        (
            ("payments", "Khoản chi trả theo kế hoạch", INT),
            ("paid", "Đã chi trả", INT),
            ("cashless", "Chi trả không dùng tiền mặt", INT),
            ("cashless_share", "Tỉ lệ không dùng tiền mặt (%)", RATIO),
            ("amount_paid_vnd", "Số tiền đã chi trả (đồng)", INT),
        ),
    ),
    (
        "call_centre",
        "Tổng đài và trợ lý ảo",
        (
            ("conversations", "Cuộc trò chuyện", INT),
            ("handoffs", "Chuyển tổng đài viên", INT),
            ("handoff_share", "Tỉ lệ chuyển tổng đài viên (%)", RATIO),
            ("median_wait_seconds", "Thời gian chờ, trung vị (giây)", INT),
            ("median_handling_seconds", "Thời gian xử lý, trung vị (giây)", INT),
            ("satisfaction_average", "Mức hài lòng trung bình (1–5)", DECIMAL),
            ("satisfaction_responses", "Lượt đánh giá", INT),
        ),
    ),
    (
        "campaigns",
        "Thông báo, truyền thông",
        (
            ("sent", "Chiến dịch đã gửi", INT),
            ("recipients", "Người nhận", INT),
            ("delivered", "Đã đến hộp thư", INT),
            ("opened", "Đã mở", INT),
            ("delivery_share", "Tỉ lệ đến hộp thư (%)", RATIO),
            ("open_share", "Tỉ lệ mở (%)", RATIO),
        ),
    ),
)


@dataclass(frozen=True)
class Table:
    """One breakdown: its sheet name (≤ 31 characters, Excel's limit), header and rows."""

    sheet: str
    title: str
    columns: tuple[tuple[str, str, str], ...]  # (key, label, kind)
    rows: Callable[[dict], list[dict]]


TABLES = (
    Table(
        "Thủ tục",
        "Hồ sơ theo thủ tục (10 thủ tục nhiều hồ sơ nhất)",
        (
            ("code", "Mã thủ tục", TEXT),
            ("name", "Tên thủ tục", TEXT),
            ("received", "Tiếp nhận", INT),
            ("finished", "Đã giải quyết", INT),
            ("on_time_ratio", "Tỉ lệ đúng hạn (%)", RATIO),
        ),
        lambda figures: figures["dossiers"]["by_procedure"],
    ),
    Table(
        "Phường-xã",
        "Hồ sơ theo phường, xã",
        (
            ("ward_code", "Mã phường, xã", TEXT),
            ("ward_name", "Phường, xã", TEXT),
            ("received", "Tiếp nhận", INT),
            ("finished", "Đã giải quyết", INT),
            ("on_time_ratio", "Tỉ lệ đúng hạn (%)", RATIO),
        ),
        lambda figures: figures["dossiers"]["by_ward"],
    ),
    Table(
        "Theo ngày",
        "Hồ sơ theo ngày",
        (("date", "Ngày", TEXT), ("received", "Tiếp nhận", INT), ("finished", "Đã giải quyết", INT)),
        lambda figures: figures["dossiers"]["by_day"],
    ),
    Table(
        "Phản ánh - lĩnh vực",
        "Phản ánh theo lĩnh vực",
        (("code", "Mã lĩnh vực", TEXT), ("name", "Lĩnh vực", TEXT), ("count", "Số phản ánh", INT)),
        lambda figures: figures["reports"]["by_category"],
    ),
    Table(
        "Phản ánh - phường-xã",
        "Phản ánh theo phường, xã",
        (
            ("ward_code", "Mã phường, xã", TEXT),
            ("ward_name", "Phường, xã", TEXT),
            ("count", "Số phản ánh", INT),
        ),
        lambda figures: figures["reports"]["by_ward"],
    ),
)


def filename(figures: dict, file_format: str) -> str:
    period = figures["period"]
    return f"bao-cao-{period['from']}-{period['to']}.{file_format}"


def _period_rows(figures: dict) -> list[tuple[str, str, str]]:
    period = figures["period"]
    scope = period.get("ward_name") or period.get("ward_code") or "Toàn tỉnh"
    return [
        ("Kỳ báo cáo", "Từ ngày", period["from"]),
        ("Kỳ báo cáo", "Đến ngày", period["to"]),
        ("Kỳ báo cáo", "Phạm vi", scope),
    ]


def _headline_rows(figures: dict) -> Iterator[tuple[str, str, Any, str]]:
    for section, section_label, items in HEADLINES:
        for key, label, kind in items:
            yield section_label, label, figures[section][key], kind


# ---- CSV --------------------------------------------------------------------------------------


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == RATIO:
        return f"{value * 100:.2f}"
    return value


def to_csv(figures: dict) -> bytes:
    """UTF-8 with a byte order mark: Excel then reads the Vietnamese letters as Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADLINE_HEADER)
    writer.writerows(_period_rows(figures))
    for section, label, value, kind in _headline_rows(figures):
        writer.writerow((section, label, _csv_value(value, kind)))
    for table in TABLES:
        writer.writerow(())
        writer.writerow((table.title,))
        writer.writerow([label for _, label, _ in table.columns])
        for row in table.rows(figures):
            writer.writerow([_csv_value(row.get(key), kind) for key, _, kind in table.columns])
    return out.getvalue().encode("utf-8-sig")


# ---- XLSX -------------------------------------------------------------------------------------

_PERCENT = "0.00%"
_BOLD = Font(bold=True)


def _cell(sheet, row: int, column: int, value: Any, kind: str) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if kind == RATIO and value is not None:
        cell.number_format = _PERCENT


def _header(sheet, labels) -> None:
    for column, label in enumerate(labels, start=1):
        sheet.cell(row=1, column=column, value=label).font = _BOLD
    sheet.freeze_panes = "A2"


def to_xlsx(figures: dict) -> bytes:
    workbook = Workbook()
    overview = workbook.active
    overview.title = HEADLINE_SHEET
    _header(overview, HEADLINE_HEADER)
    row = 2
    for section, label, value in _period_rows(figures):
        for column, text in enumerate((section, label, value), start=1):
            overview.cell(row=row, column=column, value=text)
        row += 1
    for section, label, value, kind in _headline_rows(figures):
        overview.cell(row=row, column=1, value=section)
        overview.cell(row=row, column=2, value=label)
        _cell(overview, row, 3, value, kind)
        row += 1
    overview.column_dimensions["A"].width = 30
    overview.column_dimensions["B"].width = 46
    overview.column_dimensions["C"].width = 16

    for table in TABLES:
        sheet = workbook.create_sheet(table.sheet)
        _header(sheet, [label for _, label, _ in table.columns])
        for row_number, item in enumerate(table.rows(figures), start=2):
            for column, (key, _, kind) in enumerate(table.columns, start=1):
                _cell(sheet, row_number, column, item.get(key), kind)
        for column, (key, _, _) in enumerate(table.columns, start=1):
            letter = sheet.cell(row=1, column=column).column_letter
            sheet.column_dimensions[letter].width = 44 if key in ("name", "ward_name") else 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


WRITERS: dict[str, Callable[[dict], bytes]] = {CSV: to_csv, XLSX: to_xlsx}
