"""`flask catalogue seed`: load or update the procedure catalogue from the law's data files
(api/law/data); `flask catalogue refresh`: bring stored fees and time limits to those in force.

The catalogue is reference data every environment needs, production included, unlike the demo
city of `flask seed-demo` (which also calls it). Idempotent: procedures and groups are upserted
by code. `--on` (YYYY-MM-DD) says which day's fees and time limits to write; today in Vietnam
by default.
"""

from __future__ import annotations

import click

from api.unit_of_work import CommandGroup

_DAY = click.DateTime(formats=["%Y-%m-%d"])

catalogue_cli = CommandGroup(
    "catalogue", help="Danh mục thủ tục hành chính: nạp, cập nhật lệ phí và thời hạn"
)


@catalogue_cli.command("seed")
@click.option(
    "--on", "on", type=_DAY, default=None, help="Ngày áp dụng lệ phí, thời hạn (mặc định: hôm nay)."
)
def seed_command(on) -> None:
    """Nạp hoặc cập nhật danh mục thủ tục hành chính (chạy lại an toàn)."""
    from api.dossiers.catalogue.service import seed_catalogue

    added = seed_catalogue(on.date() if on else None)
    click.echo(f"Danh mục thủ tục: thêm mới {added} mục, các mục đã có được cập nhật.")


@catalogue_cli.command("refresh")
@click.option("--on", "on", type=_DAY, default=None, help="Ngày áp dụng (mặc định: hôm nay).")
def refresh_command(on) -> None:
    """Cập nhật lệ phí, thời hạn đang có hiệu lực của các thủ tục (chạy hằng ngày)."""
    from api.dossiers.catalogue.service import refresh_in_force

    changed = refresh_in_force(on.date() if on else None)
    click.echo(f"Danh mục thủ tục: {changed} thủ tục đổi lệ phí hoặc thời hạn.")
