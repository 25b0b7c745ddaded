"""Project-wide commands: `flask seed-demo`. Who ran a command is `api.audit.cli_actor`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from api.unit_of_work import transaction


@click.command("seed-demo")
@click.option("--quiet", is_flag=True, help="Do not print the demo credentials.")
@with_appcontext
def seed_demo_command(quiet: bool) -> None:
    """Seed the Đắk Lắk demo city (idempotent). Refused in production."""
    from api.demo import credentials_summary, seed_demo

    if current_app.config["CDS_ENV"] == "production":
        raise click.ClickException("Không nạp dữ liệu mẫu trong môi trường production.")
    with transaction():
        added = seed_demo()
    click.echo("Dữ liệu mẫu: " + ", ".join(f"{name} +{count}" for name, count in added.items()))
    if not quiet:
        click.echo(credentials_summary())
