"""`flask fines import`: CSV and JSON Lines from the police's systems, with the same rules as the API."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select

from api.extensions import db
from api.fines.models import FineNotice
from tests.fines.conftest import events, notice_body

COLUMNS = [
    "notice_number",
    "source_ref",
    "plate",
    "violation_code",
    "amount_vnd",
    "owner_cccd",
    "violated_at",
    "place",
    "ward_code",
    "evidence",
]


def _csv_line(row: dict) -> dict:
    return {**row, "evidence": "|".join(row.get("evidence", [])), "amount_vnd": str(row["amount_vnd"])}


def write_csv(path, rows, *, bom: bool = False):
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(_csv_line(row))


def notices(app) -> list[FineNotice]:
    with app.app_context():
        found = list(db.session.scalars(select(FineNotice).order_by(FineNotice.notice_number)))
        db.session.expunge_all()
        return found


def run(app, *args):
    return app.test_cli_runner().invoke(args=["fines", "import", *map(str, args)])


def test_a_csv_file_is_imported_and_its_bad_rows_reported(app, owner, tmp_path):
    good = [notice_body(owner["cccd"]) for _ in range(3)]
    good[1]["amount_vnd"] = "18.500.000"  # how a Vietnamese spreadsheet writes 18500000
    bad = notice_body(owner["cccd"], plate="47-A 12")
    rows = [good[0], bad, good[1], good[2]]
    path = tmp_path / "vi-pham.csv"
    write_csv(path, rows, bom=True)
    rejects = tmp_path / "tu-choi.jsonl"

    result = run(app, path, "--rejects", rejects)
    assert result.exit_code == 1, result.output  # a row needs someone's attention
    assert "Đã đọc 4 bản ghi: thêm mới 3, cập nhật 0, không đổi 0, từ chối 1." in result.output
    stored = notices(app)
    assert len(stored) == 3
    assert {f.source for f in stored} == {"camera"}
    assert {f.amount_vnd for f in stored} == {18_000_000, 18_500_000}
    assert stored[0].evidence == good[0]["evidence"]
    [reject] = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert reject["line"] == 3  # the header is line 1
    assert reject["source_ref"] == bad["source_ref"]
    assert "plate" in reject["errors"] and "không đúng dạng" in reject["errors"]["plate"][0]
    assert reject["row"]["plate"] == "47-A 12"
    assert len(events(app, "fine.issued")) == 3

    again = run(app, path, "--rejects", rejects)
    assert "thêm mới 0, cập nhật 0, không đổi 3, từ chối 1" in again.output
    assert len(notices(app)) == 3


def test_a_json_lines_file_with_a_broken_line(app, owner, tmp_path):
    good = [notice_body(owner["cccd"], source="police") for _ in range(2)]
    path = tmp_path / "vi-pham.jsonl"
    lines = [
        json.dumps(good[0], ensure_ascii=False),
        "",
        "{ không phải json",
        json.dumps(notice_body(owner["cccd"], amount_vnd=18_000_000.0)),
        json.dumps(["một", "danh sách"]),
        json.dumps(good[1], ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(app, path, "--batch-size", 1)
    assert result.exit_code == 1
    assert "Đã đọc 5 bản ghi: thêm mới 2, cập nhật 0, không đổi 0, từ chối 3." in result.output
    # Without --rejects the reasons go to stderr, one line each, with the file's line number.
    assert "Dòng 3: Dòng không phải JSON hợp lệ" in result.stderr
    assert "Dòng 4" in result.stderr and "amount_vnd: Số tiền phải là số nguyên đồng" in result.stderr
    assert "Dòng 5: Dữ liệu không hợp lệ. _schema: Mỗi bản ghi phải là một đối tượng JSON." in result.stderr
    assert {f.source for f in notices(app)} == {"police"}


def test_a_clean_file_exits_zero(app, owner, tmp_path):
    path = tmp_path / "sach.ndjson"
    path.write_text(json.dumps(notice_body(owner["cccd"])) + "\n", encoding="utf-8")
    result = run(app, path)
    assert result.exit_code == 0, result.output
    assert "thêm mới 1" in result.output


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("notice_number,plate,so_tien\n", "cột không được phép: so_tien"),
        ("notice_number,plate\n", "thiếu cột bắt buộc"),
    ],
)
def test_a_csv_with_a_wrong_header_is_refused_before_anything_is_stored(app, tmp_path, header, says):
    path = tmp_path / "sai.csv"
    path.write_text(header + "1/QĐ,47A12345,100\n", encoding="utf-8")
    result = run(app, path)
    assert result.exit_code != 0
    assert says in result.output
    assert notices(app) == []


def test_files_the_importer_cannot_read(app, tmp_path):
    unknown = tmp_path / "vi-pham.xlsx"
    unknown.write_bytes(b"PK\x03\x04")
    assert "Không nhận ra định dạng" in run(app, unknown).output
    latin = tmp_path / "vi-pham.csv"
    latin.write_bytes(",".join(COLUMNS).encode() + b"\n1,2,\xe9\xe9\n")
    result = run(app, latin)
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert notices(app) == []
