"""The cheap Python pass of the PostgreSQL import: read the file, COPY its rows into staging.

csv.reader / json.loads at C speed, no per-field rule (bulk_rules.py's SQL does those): each row
goes into the TEMP table records_stage, all text, with its line number. What COPY could not take
becomes a reject right here: a CSV line with the wrong number of cells, a line that is not JSON
or not an object (`bad_line`). Bytes that are not UTF-8 are decoded to U+FFFD and left for the
encoding rule to refuse, with the field at fault, as in Python.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from api.imports import ImportReport
from api.records import cleaning
from api.records.connectors import Connector, FileConnector, check_csv_header, parse_json_line
from api.records.import_report import Rejected

_CHUNK = 1 << 20


class _Lines:
    """The file's lines ("\\n" kept), decoded a chunk at a time as connectors._decoded_lines does
    a line at a time: bytes that are not UTF-8 become U+FFFD, a leading byte-order mark goes. In
    a CSV cell, U+0000 (which PostgreSQL text cannot hold) becomes U+FFFD too: the cell is then
    refused as broken_encoding, as cleaning refuses U+0000.

    `nfc` says whether the text read lately (this chunk and the one before: a quoted CSV cell
    may span both) is all NFC. It nearly always is, and one check of a megabyte spares the SQL
    a check of every cell; when it is not, the SQL looks at each cell (bulk_rules.dirty_check).
    """

    def __init__(self, path, *, csv_cells: bool) -> None:
        self.path, self.csv_cells, self.nfc = path, csv_cells, True

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending, first, before = "", True, True
        with self.path.open("rb") as handle:
            while True:
                chunk = handle.read(_CHUNK)
                if first and chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                first = False
                text = pending + decoder.decode(chunk, final=not chunk)
                if self.csv_cells and "\x00" in text:
                    text = text.replace("\x00", "\ufffd")
                now = unicodedata.is_normalized("NFC", text)
                self.nfc, before = now and before, now
                lines = text.split("\n")
                pending = lines.pop()
                yield from (line + "\n" for line in lines)
                if not chunk:
                    break
        if pending:
            yield pending


_ESCAPED_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _floats(data: dict) -> list[str] | None:
    """The paths of the JSON floats the rules read (a row's values, its owners' values), or None.

    Each becomes its Python text in `data` ("1000.0" for 1e3, "inf" for 1e999), so that jsonb,
    which would keep 1e3 as the number 1000, holds what the Python rules read; the list tells the
    SQL rules it was a float (bulk_rules.json_kind). Floats deeper down (in a list) stay numbers.
    """
    paths = []
    for key, value in data.items():
        if isinstance(value, float):
            data[key] = repr(value)
            paths.append(key)
    owners = data.get("owners")
    if isinstance(owners, list):
        for position, owner in enumerate(owners):
            if isinstance(owner, dict):
                for key, value in owner.items():
                    if isinstance(value, float):
                        owner[key] = repr(value)
                        paths.append(f"owners.{position}.{key}")
    return paths or None


def _jsonb_text(line: str | None, data: dict) -> str:
    """The JSON text to COPY into a jsonb cell: the line itself, unless it has escapes that jsonb
    refuses or `data` was changed (see _floats). U+0000 and lone surrogates (which jsonb cannot
    hold, nor UTF-8 encode) become U+FFFD, which the encoding rule refuses in the field that had
    them, as the Python rules refuse the character itself (cleaning.printable words both alike)."""
    if line is not None and "\\u" not in line:
        return line
    text = json.dumps(data, ensure_ascii=False, default=str)
    if "\\u0000" in text:
        text = _ESCAPED_NUL.sub(lambda m: m.group(1) + "\\ufffd", text)
    return _SURROGATE.sub("\ufffd", text)


@dataclass
class Stager:
    """Reads a connector's rows into COPY, a batch at a time; keeps the batch's Python rejects."""

    connector: Connector
    record_type: str
    columns: list[str] = field(default_factory=list)  # the staged columns, after `line`
    json_rows: bool = True
    rejects: list[Rejected] = field(default_factory=list)
    done: bool = False

    def __post_init__(self) -> None:
        self._items = self._read()
        # Whole-file problems (the CSV header) raise FileFormatError now, before any write.
        self._first = next(self._items, None)

    def _read(self) -> Iterator[tuple[int, object]]:
        connector = self.connector
        if isinstance(connector, FileConnector) and connector.file_format == "csv":
            lines = _Lines(connector.path, csv_cells=True)
            reader = csv.reader(lines)
            try:
                header = [name.strip() for name in next(reader)]
            except StopIteration:
                return
            check_csv_header(header, self.record_type)
            self.columns, self.json_rows, width = header, False, len(header)
            yield 0, None  # the header is read: the caller may start
            for cells in reader:
                if not "".join(cells).strip():
                    continue  # a blank line, skipped as the connector skips it
                if len(cells) != width:
                    problem = cleaning.Rejection(
                        "bad_line", f"Dòng có {len(cells)} ô, tiêu đề có {width} cột."
                    )
                    yield reader.line_num, problem
                    continue
                cells.append(lines.nfc)
                yield reader.line_num, cells
        elif isinstance(connector, FileConnector):
            self.columns = ["doc", "floats"]
            yield 0, None
            lines = _Lines(connector.path, csv_cells=False)
            seen_float = []  # json calls parse_float only for fractions and exponents: rare

            def parse_float(text: str) -> float:
                seen_float.append(True)
                return float(text)

            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    data = parse_json_line(line, parse_float=parse_float)
                except cleaning.Rejection as problem:
                    seen_float.clear()
                    yield number, problem
                    continue
                if not isinstance(data, dict):
                    seen_float.clear()
                    yield number, cleaning.Rejection("bad_line", "Mỗi bản ghi phải là một đối tượng JSON.")
                    continue
                floats = None
                if seen_float:
                    seen_float.clear()
                    floats = _floats(data)
                text = _jsonb_text(None if floats else line, data)
                nfc = lines.nfc if text is line else unicodedata.is_normalized("NFC", text)
                yield number, (text, floats, nfc)
        else:  # any other connector: its rows as JSON objects
            self.columns = ["doc", "floats"]
            yield 0, None
            for row in connector.rows():
                if row.problem is not None:
                    yield row.line, row.problem
                elif not isinstance(row.data, dict):
                    yield row.line, cleaning.Rejection("bad_line", "Mỗi bản ghi phải là một đối tượng JSON.")
                else:
                    data = json.loads(json.dumps(row.data, default=str))  # a copy _floats may change
                    floats = _floats(data)
                    text = _jsonb_text(None, data)
                    yield row.line, (text, floats, unicodedata.is_normalized("NFC", text))

    def stage(self, cursor, batch_size: int, report: ImportReport) -> int:
        """COPY up to `batch_size` rows into records_stage; returns how many went in."""
        self.rejects = []
        staged = 0
        names = ", ".join(["line", *(f'"{c}"' for c in self.columns), "nfc"])
        options = "" if self.json_rows else " (FORMAT csv)"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        with cursor.copy(f"COPY records_stage ({names}) FROM STDIN{options}") as copy:
            for line, item in self._items:
                report.received += 1
                if isinstance(item, cleaning.Rejection):
                    self.rejects.append(Rejected(line, None, item.code, item.message, item.field))
                elif self.json_rows:
                    copy.write_row((line, *item))
                    staged += 1
                else:
                    writer.writerow([line, *item])
                    staged += 1
                    if staged % 5000 == 0:
                        copy.write(buffer.getvalue())
                        buffer.seek(0)
                        buffer.truncate()
                if staged + len(self.rejects) >= batch_size:
                    break
            else:
                self.done = True
            if buffer.tell():
                copy.write(buffer.getvalue())
        return staged
