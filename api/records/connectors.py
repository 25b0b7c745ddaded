"""Connectors: how records arrive from the national systems (land registry, health book, BHXH).

None of those systems is reachable from here, so each source is a `Connector`: a name (stored as
the record's `source` and shown to the citizen), the record type it carries, and `rows()`, an
iterator of the source's rows as plain dicts. The import (service.import_records) does the rest.
A connector for a real API would page through it the same way; the one provided reads the files
the systems export (CSV or JSON Lines), one line at a time, so a file of any size streams.

Rows keep their line number for the reject report. A line that cannot be read at all (not JSON,
more cells than the header) becomes a row carrying the problem instead of data, so one bad line
is reported and the rest of the file still goes in.

CSV cannot nest, so a certificate's owners are written as parallel cells separated by "|":

    owner_cccd            owner_full_name              owner_date_of_birth
    066190001234|066195004321  Lê Văn An|Trần Thị Bình   1990-01-01|1995-02-03
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from api.records.cleaning import HEALTH_FIELDS, LABOUR_FIELDS, LAND_FIELDS, Rejection
from api.records.models import HEALTH, LABOUR, LAND, RECORD_TYPES

# The connectors known to the app: the name stored in `source`, and what the citizen reads.
SOURCE_NAMES = {
    "land-registry": "Văn phòng Đăng ký đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai)",
    "health-book": "Hệ thống Sổ sức khỏe điện tử (Bộ Y tế)",
    "vssid": "Bảo hiểm xã hội Việt Nam (VssID)",
}
DEFAULT_SOURCE = {LAND: "land-registry", HEALTH: "health-book", LABOUR: "vssid"}
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
OWNER_SEPARATOR = "|"
_OWNER_COLUMNS = {
    "owner_cccd": "cccd",
    "owner_full_name": "full_name",
    "owner_date_of_birth": "date_of_birth",
}
CSV_COLUMNS = {
    LAND: tuple(name for name in LAND_FIELDS if name != "owners") + tuple(_OWNER_COLUMNS),
    HEALTH: HEALTH_FIELDS,
    LABOUR: LABOUR_FIELDS,
}


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source)


@dataclass(frozen=True)
class Row:
    """One row of a source: its line, its data, or why it could not be read."""

    line: int
    data: Any
    problem: Rejection | None = None


class Connector(Protocol):
    name: str
    record_type: str

    def rows(self) -> Iterator[Row]: ...


class FileFormatError(ValueError):
    """The file as a whole cannot be read (unknown format, wrong CSV header): nothing is imported."""


def _decoded_lines(handle: io.BufferedReader) -> Iterator[str]:
    """The file's lines as text. A line that is not UTF-8 is decoded with U+FFFD in place of the
    bad bytes, which the cleaning rejects as `broken_encoding`: the line is reported, not the file."""
    first = True
    for raw in handle:
        if first and raw.startswith(b"\xef\xbb\xbf"):  # Excel's byte-order mark
            raw = raw[3:]
        first = False
        yield raw.decode("utf-8", errors="replace")


@dataclass
class FileConnector:
    """A file a source exported: CSV with a header, or JSON Lines (one object per line)."""

    path: Path
    record_type: str
    name: str
    file_format: str

    @classmethod
    def open(cls, path: Path, record_type: str, name: str | None = None, file_format: str | None = None):
        if record_type not in RECORD_TYPES:
            raise FileFormatError(f"Loại hồ sơ '{record_type}' không tồn tại ({', '.join(RECORD_TYPES)}).")
        file_format = file_format or FORMATS.get(path.suffix.lower())
        if file_format is None:
            raise FileFormatError(
                "Không nhận ra định dạng tệp: hãy dùng đuôi .csv hoặc .jsonl, hoặc ghi --format."
            )
        return cls(path, record_type, name or DEFAULT_SOURCE[record_type], file_format)

    def rows(self) -> Iterator[Row]:
        with self.path.open("rb") as handle:
            lines = _decoded_lines(handle)
            yield from (self._csv_rows(lines) if self.file_format == "csv" else self._jsonl_rows(lines))

    def _jsonl_rows(self, lines: Iterator[str]) -> Iterator[Row]:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = parse_json_line(line)
            except Rejection as problem:
                yield Row(number, None, problem)
                continue
            yield Row(number, data)

    def _csv_rows(self, lines: Iterator[str]) -> Iterator[Row]:
        reader = csv.reader(lines)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            return
        check_csv_header(header, self.record_type)
        width = len(header)
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != width:
                yield Row(
                    line, None, Rejection("bad_line", f"Dòng có {len(cells)} ô, tiêu đề có {width} cột.")
                )
                continue
            data = {name: cell.strip() for name, cell in zip(header, cells, strict=True) if cell.strip()}
            yield Row(line, _with_owners(data) if self.record_type == LAND else data)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} không phải là số JSON")


def parse_json_line(line: str, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """One JSON Lines line, or a `bad_line` Rejection. NaN and Infinity, which Python's json
    accepts but JSON (and PostgreSQL's jsonb) does not, make the line unreadable too.
    `parse_float` as json.loads has it (the PostgreSQL import notes which lines have floats)."""
    try:
        return json.loads(line, parse_constant=_no_constant, parse_float=parse_float)
    except json.JSONDecodeError as exc:
        raise Rejection("bad_line", f"Dòng không phải JSON hợp lệ ({exc.msg}, cột {exc.colno}).") from None
    except ValueError as exc:
        raise Rejection("bad_line", f"Dòng không phải JSON hợp lệ ({exc}).") from None


def check_csv_header(header: list[str], record_type: str) -> None:
    """A header naming only the record type's columns, source_id among them; else the whole file
    is refused (FileFormatError) before anything is written."""
    allowed = CSV_COLUMNS[record_type]
    unknown = [name for name in header if name not in allowed]
    if unknown or "source_id" not in header or len(set(header)) != len(header):
        raise FileFormatError(
            f"Tiêu đề tệp CSV không đúng (cột không được phép: {', '.join(unknown) or 'không'}; "
            f"cột source_id là bắt buộc, mỗi cột một lần). Các cột hợp lệ: {', '.join(allowed)}."
        )


def _with_owners(data: dict[str, Any]) -> dict[str, Any]:
    """The parallel owner_* cells of a land row as a list of owners (see the module's docstring)."""
    columns = {key: data.pop(column, "") for column, key in _OWNER_COLUMNS.items()}
    parts = {key: value.split(OWNER_SEPARATOR) if value else [] for key, value in columns.items()}
    count = max(len(values) for values in parts.values())
    if count == 0:
        return data
    # Cells of unequal length leave an owner without a name or a birth date: the cleaning rejects it.
    data["owners"] = [
        {key: (values[i].strip() if i < len(values) else "") for key, values in parts.items()}
        for i in range(count)
    ]
    return data
