"""`flask records import`: bring a national system's export into the citizens' records.

    flask records import --type land so-dia-chinh.csv
    flask records import --type health so-suc-khoe.jsonl --source health-book --rejects tu-choi.jsonl
    flask records import --type labour bhxh.csv --batch-size 2000

The file streams through the cleaning rules (api/records/cleaning.py) and is upserted by
(source, source_id) a batch at a time, so its size does not matter. Rejected rows go to a JSON
Lines report, next to the input (`<file>.rejects.jsonl`) unless `--rejects` says where: one
object per row with `line`, `source_id`, `reason` (a stable code), `message` (Vietnamese) and
`field`. The exit status is 1 when any row was rejected, so a scheduled import that needs a
person's attention is noticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.audit import cli_actor
from api.extensions import db
from api.records import service
from api.records.connectors import FileConnector, FileFormatError
from api.records.models import RECORD_TYPES
from api.unit_of_work import CommandGroup, checkpoint

records_cli = CommandGroup(
    "records", help="Hồ sơ cá nhân: nhập dữ liệu đất đai, sổ sức khỏe, sổ lao động - BHXH"
)


@records_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--type", "record_type", type=click.Choice(RECORD_TYPES), required=True, help="Loại hồ sơ trong tệp."
)
@click.option("--source", help="Tên kết nối nguồn (mặc định: land-registry, health-book, vssid theo loại).")
@click.option("--format", "file_format", type=click.Choice(["csv", "jsonl"]), help="Mặc định theo đuôi tệp.")
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp báo cáo các dòng bị từ chối (JSON Lines); mặc định <tệp>.rejects.jsonl cạnh tệp nhập.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help=f"Số dòng mỗi lô, mỗi lô một giao dịch (mặc định {service.BULK_BATCH_SIZE:_} trên PostgreSQL, "
    f"{service.IMPORT_BATCH_SIZE:_} trên SQLite, tối đa {service.SQLITE_MAX_BATCH_SIZE:_} trên SQLite).".replace(
        "_", "."
    ),
)
def import_command(
    path: Path,
    record_type: str,
    source: str | None,
    file_format: str | None,
    rejects_path: Path | None,
    batch_size: int | None,
) -> None:
    """Import records of one type from a CSV or JSON Lines file (idempotent by source, source_id)."""
    try:
        connector = FileConnector.open(path, record_type, source, file_format)
    except FileFormatError as error:
        raise click.ClickException(str(error)) from error
    if batch_size and batch_size > service.SQLITE_MAX_BATCH_SIZE and db.engine.dialect.name == "sqlite":
        # SQLite takes a limited number of values per statement (service.SQLITE_MAX_BATCH_SIZE)
        click.echo(f"Trên SQLite mỗi lô tối đa {service.SQLITE_MAX_BATCH_SIZE:,} dòng.".replace(",", "."))
    rejects_path = rejects_path or path.with_name(path.name + ".rejects.jsonl")
    # backslashreplace: a lone surrogate (from a JSON escape) in a message or source_id cannot be
    # written as UTF-8; written as its \udXXX escape it stays valid JSON and the report is whole.
    with rejects_path.open("w", encoding="utf-8", errors="backslashreplace") as rejects:

        def on_reject(rejected: service.Rejected) -> None:
            rejects.write(json.dumps(rejected.as_dict(), ensure_ascii=False) + "\n")

        try:
            report = service.import_records(
                connector, actor=cli_actor(), batch_size=batch_size, on_reject=on_reject
            )
        except FileFormatError as error:
            raise click.ClickException(str(error)) from error
    click.echo(
        f"Đã đọc {report.received} bản ghi: thêm mới {report.created}, cập nhật {report.updated}, "
        f"không đổi {report.unchanged}, từ chối {report.rejected}."
    )
    if report.rejected:
        reasons = ", ".join(f"{code} {count}" for code, count in sorted(report.reasons.items()))
        click.echo(f"Lý do từ chối: {reasons}. Chi tiết từng dòng: {rejects_path}")
        # Exiting 1 flags the rejected rows to whoever scheduled the import; it is no failure of
        # the import, whose batches are committed: its audit entry must stay too.
        checkpoint("the import's audit entry stays although the command exits 1 for its rejected rows")
        raise SystemExit(1)
    rejects_path.unlink()  # nothing to report: no empty file left next to the input
