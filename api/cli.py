"""Project-wide commands (`flask seed-demo`) and what every domain's commands share."""

from __future__ import annotations

import getpass

import click
from flask import current_app
from flask.cli import with_appcontext


def cli_actor() -> str:
    """Who ran a command, for the audit log: `cli:<login name>`."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        user = "unknown"
    return f"cli:{user}"[:64]


@click.command("seed-demo")
@click.option("--quiet", is_flag=True, help="Do not print the demo credentials.")
@with_appcontext
def seed_demo_command(quiet: bool) -> None:
    """Seed the Đắk Lắk demo city (idempotent). Refused in production."""
    from api.demo import credentials_summary, seed_demo

    if current_app.config["CDS_ENV"] == "production":
        raise click.ClickException("Không nạp dữ liệu mẫu trong môi trường production.")
    added = seed_demo()
    click.echo("Dữ liệu mẫu: " + ", ".join(f"{name} +{count}" for name, count in added.items()))
    if not quiet:
        click.echo(credentials_summary())
