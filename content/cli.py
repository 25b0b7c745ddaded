"""`flask content faq-import` and `flask content faq-export`: the FAQ table and the chatbot's files.

    flask content faq-import                 # nlu_data/faq.yml + chatbot/domain/faq.yml -> table
    flask content faq-import --update        # ... and overwrite entries that differ from the files
    flask content faq-export                 # table -> the two files, rewritten only when changed

The table is the source once imported; the files are generated from it. Import is idempotent:
a key already in the table is left alone (the table may hold newer edits), unless `--update`.
Export writes the active entries sorted by key, and leaves a file untouched (same bytes, same
modification time) when its content would not change, so `make run` retrains the bot only
after a real change. An empty table is refused: exporting it would erase the bot's FAQ.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask.cli import AppGroup

from api.audit import record_audit
from api.cli import cli_actor
from api.config import PROJECT_ROOT
from api.errors import ApiError
from api.extensions import db
from content import service

DEFAULT_NLU = PROJECT_ROOT / "nlu_data" / "faq.yml"
DEFAULT_DOMAIN = PROJECT_ROOT / "chatbot" / "domain" / "faq.yml"

content_cli = AppGroup("content", help="Nội dung tuyên truyền: hỏi đáp (FAQ) của trợ lý ảo")

_nlu_option = click.option(
    "--nlu",
    "nlu_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_NLU,
    show_default=True,
    help="Dữ liệu huấn luyện NLU: faq/<mã> và các câu hỏi mẫu.",
)
_domain_option = click.option(
    "--domain",
    "domain_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DOMAIN,
    show_default=True,
    help="Domain của Rasa: utter_faq/<mã> và câu trả lời.",
)


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically, only when the file's content differs. True if written."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)  # readers (Rasa, make) never see half a file
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


@content_cli.command("faq-import")
@_nlu_option
@_domain_option
@click.option("--update", is_flag=True, help="Ghi đè các mục đã có trong bảng nhưng khác với tệp.")
def faq_import_command(nlu_path: Path, domain_path: Path, update: bool) -> None:
    """Load the chatbot's FAQ files into the FAQ table (idempotent)."""
    try:
        items = service.parse_faq_files(
            nlu_path.read_text(encoding="utf-8"), domain_path.read_text(encoding="utf-8")
        )
        report = service.import_faq(items, cli_actor(), update=update)
    except (OSError, service.FaqFileError) as error:
        raise click.ClickException(str(error)) from error
    except ApiError as error:  # the same rules as the console: duplicates, sizes...
        raise click.ClickException(f"{error.detail} {dict(error.errors or {})}") from error
    click.echo(
        f"Hỏi đáp: thêm {len(report.added)}, cập nhật {len(report.updated)}, "
        f"giữ nguyên {len(report.unchanged)}, khác tệp nhưng không ghi đè {len(report.different)}."
    )
    if report.different:
        click.echo("Khác với tệp (bảng là nguồn; dùng --update để ghi đè): " + ", ".join(report.different))


@content_cli.command("faq-export")
@_nlu_option
@_domain_option
def faq_export_command(nlu_path: Path, domain_path: Path) -> None:
    """Write the active FAQ entries into the chatbot's training data (only files that change)."""
    items = service.export_items()
    if not items:
        raise click.ClickException(
            "Bảng hỏi đáp chưa có mục nào đang dùng: không xuất, để không xóa hỏi đáp của trợ lý ảo. "
            "Chạy `flask content faq-import` trước."
        )
    nlu_text, domain_text = service.render_faq_files(items)
    written = [
        str(path)
        for path, text in ((nlu_path, nlu_text), (domain_path, domain_text))
        if write_if_changed(path, text)
    ]
    if written:
        record_audit(
            "content.faq_exported", actor=cli_actor(), target="faq", files=written, entries=len(items)
        )
        db.session.commit()
        click.echo(f"Đã ghi {', '.join(written)} ({len(items)} mục hỏi đáp).")
    else:
        click.echo(f"Không có thay đổi ({len(items)} mục hỏi đáp): không ghi tệp nào.")
