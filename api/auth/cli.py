"""`flask staff ...`: create staff users and machine accounts from the command line."""

from __future__ import annotations

import click

from api.auth import service
from api.errors import ApiError
from api.extensions import db
from api.policy import STAFF_ROLES
from api.unit_of_work import CommandGroup

staff_cli = CommandGroup("staff", help="Tài khoản cán bộ và tài khoản hệ thống")


@staff_cli.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", type=click.Choice(STAFF_ROLES), required=True)
@click.option("--ward", "ward_code", default=None, help="Mã phường/xã của đơn vị (5 chữ số)")
@click.password_option()
def create_staff(username: str, full_name: str, role: str, ward_code: str | None, password: str) -> None:
    """Create a staff user (the password is asked for, never passed on the command line)."""
    try:
        service.create_staff_user(username, full_name, role, password, ward_code)
        db.session.flush()  # a taken username fails before the message below says it was made
    except ApiError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"Đã tạo cán bộ {username} ({role}).")


@staff_cli.command("create-service-account")
@click.option("--client-id", required=True)
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, required=True)
def create_service_account(client_id: str, name: str, scopes: tuple[str, ...]) -> None:
    """Create a machine account; its secret is printed once."""
    _, secret = service.create_service_account(client_id, name, list(scopes))
    click.echo(f"client_id={client_id}\nclient_secret={secret}")
