"""`flask content faq-import`, `faq-export` and `faq-sync`: the FAQ table and the chatbot's files.

    flask content faq-import                 # nlu_data/faq.yml + chatbot/domain/faq.yml -> table
    flask content faq-import --update        # ... and overwrite entries that differ from the files
    flask content faq-export                 # table -> the two files, rewritten only when changed
    flask content faq-sync                   # what `make run` does: both, without losing either side

The table is the source once imported; the files are generated from it. Import is idempotent:
a key already in the table is left alone (the table may hold newer edits), unless `--update`.
Export writes the active entries sorted by key, and leaves a file untouched (same bytes, same
modification time) when its content would not change, so `make run` retrains the bot only
after a real change. An empty table is refused: exporting it would erase the bot's FAQ.

`faq-sync` is for a machine whose database already holds the FAQ and whose files come from git.
Import-then-export alone would let the table overwrite an edit pulled from git for a key it
already has. So sync remembers, in the instance folder (instance/faq-sync.json), the two files'
digests and each key's digest as of its last run. When the files differ from that (a pull), the
keys whose content changed in the files are imported over the table's (files win for them; an
entry they hold is active again) and keys the files dropped are deactivated (except those the
chatbot's tests need); every other key is the table's (console edits win). It then exports and
records the files as written. First run, or other files than last time: the keys the table lacks
are imported, as `faq-import` does, then export.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import click
from flask import current_app

from api.audit import cli_actor, record_audit
from api.config import PROJECT_ROOT
from api.errors import ApiError
from api.unit_of_work import CommandGroup
from content import faq, faq_files

DEFAULT_NLU = PROJECT_ROOT / "nlu_data" / "faq.yml"
DEFAULT_DOMAIN = PROJECT_ROOT / "chatbot" / "domain" / "faq.yml"

content_cli = CommandGroup("content", help="Nội dung tuyên truyền: hỏi đáp (FAQ) của trợ lý ảo")

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
    items = _read_files(nlu_path, domain_path)
    _echo_report(_import(items, update=update))


def _read_files(nlu_path: Path, domain_path: Path) -> dict[str, faq.FaqItem]:
    try:
        return faq_files.parse_faq_files(
            nlu_path.read_text(encoding="utf-8"), domain_path.read_text(encoding="utf-8")
        )
    except (OSError, faq_files.FaqFileError) as error:
        raise click.ClickException(str(error)) from error


def _import(items, **options) -> faq.ImportReport[str]:
    try:
        return faq.import_faq(items, cli_actor(), **options)
    except faq_files.FaqFileError as error:
        raise click.ClickException(str(error)) from error
    except ApiError as error:  # the same rules as the console: duplicates, sizes...
        raise click.ClickException(f"{error.detail} {dict(error.errors or {})}") from error


def _echo_report(report: faq.ImportReport[str]) -> None:
    different = report.names(faq.DIFFERENT)
    click.echo(
        f"Hỏi đáp: thêm {report.created}, cập nhật {report.updated}, "
        f"giữ nguyên {report.unchanged}, khác tệp nhưng không ghi đè {len(different)}."
    )
    if different:
        click.echo("Khác với tệp (bảng là nguồn; dùng --update để ghi đè): " + ", ".join(different))
    if deactivated := report.names(faq.DEACTIVATED):
        click.echo("Ngừng dùng (không còn trong tệp): " + ", ".join(deactivated))
    if required_kept := report.names(faq.REQUIRED_KEPT):
        click.echo(
            "Giữ lại dù không còn trong tệp, vì các bài kiểm thử của trợ lý ảo cần: "
            + ", ".join(required_kept)
        )


def _export(nlu_path: Path, domain_path: Path) -> None:
    items = faq.export_items()
    if not items:
        raise click.ClickException(
            "Bảng hỏi đáp chưa có mục nào đang dùng: không xuất, để không xóa hỏi đáp của trợ lý ảo. "
            "Chạy `flask content faq-import` trước."
        )
    try:
        nlu_text, domain_text = faq_files.render_faq_files(items)
        written = [
            str(path)
            for path, text in ((nlu_path, nlu_text), (domain_path, domain_text))
            if write_if_changed(path, text)
        ]
    except faq_files.FaqFileError as error:
        raise click.ClickException(
            f"Không xuất được hỏi đáp, các tệp của trợ lý ảo được giữ nguyên: {error}"
        ) from error
    except OSError as error:
        raise click.ClickException(f"Không ghi được tệp hỏi đáp: {error}") from error
    if written:
        record_audit(
            "content.faq_exported", actor=cli_actor(), target="faq", files=written, entries=len(items)
        )
        click.echo(f"Đã ghi {', '.join(written)} ({len(items)} mục hỏi đáp).")
    else:
        click.echo(f"Không có thay đổi ({len(items)} mục hỏi đáp): không ghi tệp nào.")


@content_cli.command("faq-export")
@_nlu_option
@_domain_option
def faq_export_command(nlu_path: Path, domain_path: Path) -> None:
    """Write the active FAQ entries into the chatbot's training data (only files that change)."""
    _export(nlu_path, domain_path)


# ---- faq-sync -------------------------------------------------------------------------------------

STATE_VERSION = 1


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _item_digest(item: faq.FaqItem) -> str:
    return _digest(json.dumps([list(item.questions), item.answer], ensure_ascii=False).encode("utf-8"))


def _snapshot(nlu_path: Path, domain_path: Path) -> dict:
    """The two files as they are: their digests, and each key's, by the files' resolved paths."""
    try:
        nlu, domain = nlu_path.read_bytes(), domain_path.read_bytes()
        items = faq_files.parse_faq_files(nlu.decode("utf-8"), domain.decode("utf-8"))
    except (OSError, UnicodeDecodeError, faq_files.FaqFileError) as error:
        raise click.ClickException(str(error)) from error
    return {
        "version": STATE_VERSION,
        "files": {str(nlu_path.resolve()): _digest(nlu), str(domain_path.resolve()): _digest(domain)},
        "entries": {key: _item_digest(item) for key, item in items.items()},
        "items": items,
    }


def _load_state(path: Path, files: dict) -> dict | None:
    """The last sync's record of these same files, or None (first run, other files, unreadable)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        click.echo(f"Bỏ qua {path} (không đọc được: {error}); đồng bộ như lần đầu.")
        return None
    if (
        not isinstance(state, dict)
        or state.get("version") != STATE_VERSION
        or not isinstance(state.get("files"), dict)
        or set(state["files"]) != set(files)
        or not isinstance(state.get("entries"), dict)
    ):
        return None
    return state


@content_cli.command("faq-sync")
@_nlu_option
@_domain_option
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Tệp ghi nhớ lần đồng bộ trước (mặc định: instance/faq-sync.json).",
)
def faq_sync_command(nlu_path: Path, domain_path: Path, state_path: Path | None) -> None:
    """Import what changed in the files since the last sync (a git pull), then export the table."""
    state_path = state_path or Path(current_app.instance_path) / "faq-sync.json"
    now = _snapshot(nlu_path, domain_path)
    state = _load_state(state_path, now["files"])
    items = now["items"]
    if state is None or state["files"] == now["files"]:
        # First run, or nothing pulled: only the keys the table lacks (a new database).
        report = _import(items)
    else:
        base = state["entries"]
        pulled = {key for key, digest in now["entries"].items() if base.get(key) != digest}
        click.echo(
            "Tệp hỏi đáp đã đổi từ lần đồng bộ trước (git pull?): nhập "
            + (", ".join(sorted(pulled)) or "không mục nào")
            + " theo tệp."
        )
        report = _import(items, update=pulled, deactivate=set(base) - set(items))
    _echo_report(report)
    _export(nlu_path, domain_path)
    written = _snapshot(nlu_path, domain_path)
    del written["items"]
    record = json.dumps(written, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        write_if_changed(state_path, record)
    except OSError as error:
        raise click.ClickException(f"Không ghi được {state_path}: {error}") from error
