"""`flask catalogue seed`: load or update the procedure catalogue.

The catalogue is reference data every environment needs, production included, unlike the demo
city of `flask seed-demo` (which also calls it). Idempotent: procedures and groups are upserted
by code.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from api.extensions import db


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Nạp hoặc cập nhật danh mục thủ tục hành chính (chạy lại an toàn)."""
    from api.dossiers.catalogue.service import seed_catalogue

    added = seed_catalogue()
    db.session.commit()
    click.echo(f"Danh mục thủ tục: thêm mới {added} mục, các mục đã có được cập nhật.")
