"""`flask fines ...`: import notices from a file of the police's systems, send deadline reminders.

    flask fines import vi-pham-camera.csv --rejects tu-choi.jsonl
    flask fines import vi-pham-camera.csv --evidence-dir anh/
    flask fines import vi-pham.jsonl --source police
    flask fines remind

The file is read one record at a time and committed in batches, so a month of camera records
imports in constant memory. Every row goes through the same validation as `POST /police/fines`
and the batch endpoint (service.validate_row); rejected rows and their reasons go to the
`--rejects` file (JSON Lines) or to stderr. The exit status is 1 when any row was rejected, so a
scheduled import that needs a person's attention is noticed.

Camera exports come as a table and a folder of photos: with `--evidence-dir`, each evidence entry
that is not an http(s) address names a photo in that folder, which is checked (a whole JPEG or
PNG) and put in the app's storage (api/fines/evidence.py); the notice keeps its storage key. A
row naming a photo that is missing or not an image is rejected with the reason.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click

from api.audit import cli_actor
from api.fines import evidence, service
from api.fines.models import CAMERA, SOURCES
from api.fines.schemas import NoticeInSchema
from api.storage import StorageError
from api.unit_of_work import CommandGroup, checkpoint

fines_cli = CommandGroup("fines", help="Vi phạm giao thông: nhập quyết định xử phạt, nhắc hạn nộp phạt")

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
REQUIRED_COLUMNS = (
    "notice_number",
    "plate",
    "owner_cccd",
    "violated_at",
    "place",
    "violation_code",
    "amount_vnd",
)
# Vietnamese spreadsheets group thousands with dots: "800.000" is 800000 đồng (VND has no decimals).
_GROUPED_VND = re.compile(r"^\d{1,3}(\.\d{3})+$")
# Several evidence images fit one CSV cell, separated by "|".
EVIDENCE_SEPARATOR = "|"


def _csv_value(name: str, value: str):
    if name == "amount_vnd":
        if value.isdigit():
            return int(value)
        if _GROUPED_VND.match(value):
            return int(value.replace(".", ""))
        return value  # left as text: validation reports it as not a whole number
    if name == "evidence":
        return [part.strip() for part in value.split(EVIDENCE_SEPARATOR) if part.strip()]
    return value


def _csv_rows(handle: IO[str]) -> Iterator[service.Row]:
    reader = csv.DictReader(handle)
    header = [name.strip() for name in reader.fieldnames or []]
    known = set(NoticeInSchema().load_fields)
    unknown = [name for name in header if name not in known]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(f"cột không được phép: {', '.join(unknown)}")
        if missing:
            problems.append(f"thiếu cột bắt buộc: {', '.join(missing)}")
        raise click.ClickException(
            f"Tiêu đề tệp CSV không đúng ({'; '.join(problems)}). Các cột hợp lệ: {', '.join(sorted(known))}."
        )
    reader.fieldnames = header
    for record in reader:
        line = reader.line_num
        if None in record:
            yield service.Row(line, dict(record), "Dòng có nhiều ô hơn số cột của tiêu đề.")
            continue
        data = {
            name: _csv_value(name, value.strip())
            for name, value in record.items()
            if value is not None and value.strip()
        }
        yield service.Row(line, data)


def _jsonl_rows(handle: IO[str]) -> Iterator[service.Row]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield service.Row(number, None, f"Dòng không phải JSON hợp lệ ({exc.msg}, cột {exc.colno}).")
            continue
        yield service.Row(number, data)


def _with_stored_evidence(rows: Iterator[service.Row], directory: Path) -> Iterator[service.Row]:
    """The rows with each photo of `directory` they name stored, and named by its storage key."""
    for row in rows:
        photos = row.data.get("evidence") if isinstance(row.data, dict) and not row.problem else None
        if not isinstance(photos, list):
            yield row
            continue
        keys, problem = [], None
        for photo in photos:
            if not isinstance(photo, str) or photo.startswith(("http://", "https://")):
                keys.append(photo)  # validated with the rest of the row
                continue
            try:
                keys.append(evidence.store_photo_file(directory, photo))
            except FileNotFoundError:
                problem = f"Không tìm thấy ảnh bằng chứng '{photo}' trong thư mục {directory}."
            except evidence.NotAnImage as exc:
                problem = f"Ảnh bằng chứng '{photo}' {exc}."
            except StorageError:
                problem = (
                    f"Không lưu được ảnh bằng chứng '{photo}' vào kho lưu trữ; hãy nhập lại dòng này sau."
                )
            if problem:
                break
        yield service.Row(row.number, {**row.data, "evidence": keys} if not problem else row.data, problem)


def _describe(rejected: service.Rejected) -> str:
    label = rejected.source_ref or rejected.notice_number
    text = f"Dòng {rejected.row}" + (f" ({label})" if label else "") + f": {rejected.reason}"
    details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in sorted(rejected.errors.items()))
    return f"{text} {details}".rstrip()


@fines_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "jsonl"]),
    help="Định dạng tệp; mặc định theo đuôi tệp (.csv, .jsonl, .ndjson).",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ghi các dòng bị từ chối và lý do vào tệp này (JSON Lines); mặc định in ra stderr.",
)
@click.option(
    "--source",
    type=click.Choice(SOURCES),
    default=CAMERA,
    show_default=True,
    help="Nguồn của các dòng không ghi cột source.",
)
@click.option(
    "--batch-size", type=click.IntRange(1, 10_000), default=service.IMPORT_BATCH_SIZE, show_default=True
)
@click.option(
    "--evidence-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Thư mục ảnh bằng chứng: cột evidence ghi tên ảnh trong thư mục này (ảnh được lưu vào hệ thống).",
)
def import_command(
    path: Path,
    file_format: str | None,
    rejects_path: Path | None,
    source: str,
    batch_size: int,
    evidence_dir: Path | None,
) -> None:
    """Import fine notices from a CSV or JSON Lines file (idempotent by source_ref)."""
    file_format = file_format or FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise click.ClickException(
            "Không nhận ra định dạng tệp: hãy dùng đuôi .csv hoặc .jsonl, hoặc ghi --format."
        )
    rejects_file = rejects_path.open("w", encoding="utf-8") if rejects_path else None

    def on_reject(rejected: service.Rejected) -> None:
        if rejects_file is None:
            click.echo(_describe(rejected), err=True)
            return
        record = {
            "line": rejected.row,
            "source_ref": rejected.source_ref,
            "notice_number": rejected.notice_number,
            "reason": rejected.reason,
            "errors": rejected.errors,
            "row": rejected.data,
        }
        rejects_file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")

    try:
        # utf-8-sig: files saved by Excel start with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = _csv_rows(handle) if file_format == "csv" else _jsonl_rows(handle)
            if evidence_dir is not None:
                rows = _with_stored_evidence(rows, evidence_dir)
            report = service.import_notices(
                rows, actor=cli_actor(), default_source=source, batch_size=batch_size, on_reject=on_reject
            )
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            "Tệp không phải văn bản UTF-8; hãy lưu lại tệp với bảng mã UTF-8."
        ) from exc
    finally:
        if rejects_file is not None:
            rejects_file.close()
    click.echo(
        f"Đã đọc {report.received} bản ghi: thêm mới {report.created}, cập nhật {report.updated}, "
        f"không đổi {report.unchanged}, từ chối {report.rejected}."
    )
    if report.rejected and rejects_path:
        click.echo(f"Các dòng bị từ chối và lý do: {rejects_path}")
    if report.rejected:
        # Exiting 1 flags the rejected rows to whoever scheduled the import; the rows it accepted
        # are imported all the same.
        checkpoint("the accepted rows stay imported although the command exits 1 for the rejected ones")
        raise SystemExit(1)


@fines_cli.command("remind")
def remind_command() -> None:
    """Write a reminder event for each unpaid notice due within 2 days (once per notice)."""
    sent = service.send_deadline_reminders()
    click.echo(f"Đã tạo {sent} nhắc nhở hạn nộp phạt.")
