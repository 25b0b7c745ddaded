"""Công dân số API: the application factory.

`create_app(config)` reads the environment (api/config.py), lets `config` override it (the
tests do), binds the shared extensions, registers every domain's blueprint and CLI commands,
and installs the cross-cutting hooks: request ids and JSON logs, the authorisation policy,
body-type checks and problem-details errors.
"""

from __future__ import annotations

import os

from flask import Flask

from api.config import (
    OPENAPI,
    PROJECT_ROOT,
    check_production_safety,
    from_environment,
    sqlalchemy_engine_options,
)
from api.dbtypes import render_migration_type
from api.extensions import api, db, jwt, limiter, migrate


def create_app(config: dict | None = None) -> Flask:
    settings = from_environment()
    settings.update(OPENAPI)
    settings.update(config or {})
    settings.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", sqlalchemy_engine_options(settings["SQLALCHEMY_DATABASE_URI"])
    )
    settings.setdefault("RATELIMIT_STORAGE_URI", settings.get("REDIS_URL") or "memory://")
    settings.setdefault("JWT_ERROR_MESSAGE_KEY", "detail")
    check_production_safety(settings)

    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], static_folder=None)
    app.config.update(settings)
    app.json.ensure_ascii = False  # Vietnamese stays readable in responses
    os.makedirs(app.instance_path, exist_ok=True)

    from api.observability import configure_logging, init_request_tracing

    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_JSON"])
    init_request_tracing(app)

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        render_item=render_migration_type,
        compare_type=True,
        include_name=_managed_by_alembic,
        include_object=_managed_object,
    )
    jwt.init_app(app)
    limiter.init_app(app)
    api.init_app(app)

    _register_blueprints(app)
    _register_commands(app)

    from api.law import check_all as check_law_data
    from api.wiring import connect_domains

    connect_domains()
    check_law_data()  # a law data file that does not match its schema stops the start, not a request

    from api.auth.tokens import init_token_checks
    from api.http import init_body_checks
    from api.policy import init_policy
    from api.unit_of_work import init_unit_of_work

    init_token_checks(app)
    init_body_checks(app)
    init_unit_of_work(app)
    _register_scheduler_check(app)
    init_policy(app)  # last: it must see every endpoint, the frameworks' own included
    return app


def _register_scheduler_check(app: Flask) -> None:
    """The scheduler is a process of its own: `/ready` and the home page say whether it runs."""
    from api.health import register_readiness_check
    from api.scheduler import readiness

    register_readiness_check(app, "scheduler", readiness)


def _managed_by_alembic(name: str | None, type_: str, parent_names: dict) -> bool:
    """Tables others create and own, which migrations neither create nor drop: APScheduler's job
    table, and the development VNeID's (api/auth/dev_idp creates them where it is mounted)."""
    from api.auth import dev_idp
    from api.scheduler import JOB_TABLE

    return not (type_ == "table" and (name == JOB_TABLE or dev_idp.owns_table(name)))


def _managed_object(object_, name, type_, reflected, compare_to) -> bool:
    """`_managed_by_alembic` for the models' side too (include_name sees only the database's)."""
    table = object_ if type_ == "table" else getattr(object_, "table", None)
    return table is None or _managed_by_alembic(table.name, "table", {})


def _register_blueprints(app: Flask) -> None:
    from api import audit, docs, frontends, health
    from api.auth import admin as auth_admin
    from api.auth import routes as auth_routes
    from api.benefits import routes as benefit_routes
    from api.chat import routes as chat_routes
    from api.citizens import routes as citizen_routes
    from api.dashboard import routes as dashboard_routes
    from api.documents import routes as document_routes
    from api.dossiers import routes as dossier_routes
    from api.dossiers.catalogue import routes as catalogue_routes
    from api.fines import routes as fine_routes
    from api.home import routes as home_routes
    from api.records import routes as record_routes
    from api.reports import routes as report_routes
    from api.reports.open311 import routes as open311_routes
    from api.units import routes as unit_routes
    from content import routes as content_routes
    from content.products import routes as product_routes
    from notifications import routes as notification_routes
    from notifications.campaigns import routes as campaign_routes
    from wallet import routes as wallet_routes

    app.register_blueprint(docs.assets)
    app.register_blueprint(frontends.citizen_app)
    app.register_blueprint(frontends.staff_workspace)
    app.register_blueprint(home_routes.home)
    app.register_blueprint(chat_routes.console)
    app.register_blueprint(content_routes.console)
    for blueprint in (
        health.blp,
        auth_routes.blp,
        auth_admin.blp,
        citizen_routes.blp,
        unit_routes.blp,
        notification_routes.blp,
        notification_routes.devices_blp,
        campaign_routes.staff_blp,
        campaign_routes.citizen_blp,
        document_routes.blp,
        catalogue_routes.blp,
        dossier_routes.citizen_blp,
        dossier_routes.desk_blp,
        dossier_routes.tracking_blp,
        fine_routes.lookup_blp,
        fine_routes.citizen_blp,
        fine_routes.police_blp,
        record_routes.citizen_blp,
        record_routes.staff_blp,
        benefit_routes.citizen_blp,
        benefit_routes.staff_blp,
        report_routes.public_blp,
        report_routes.citizen_blp,
        report_routes.staff_blp,
        open311_routes.blp,
        report_routes.chat_blp,
        product_routes.public_blp,
        product_routes.seller_blp,
        product_routes.staff_blp,
        chat_routes.chat_blp,
        chat_routes.agent_blp,
        wallet_routes.citizen_blp,
        wallet_routes.webhook_blp,
        wallet_routes.app_config_blp,
        wallet_routes.staff_blp,
        content_routes.staff_blp,
        content_routes.public_blp,
        content_routes.comms_announcements_blp,
        content_routes.staff_announcements_blp,
        dashboard_routes.blp,
        audit.blp,
    ):
        api.register_blueprint(blueprint)

    from api.auth import oidc

    oidc.init_app(app)


def _register_commands(app: Flask) -> None:
    """Every command is a click group of its domain (`flask <group> <command>`), added here."""
    from api.auth.cli import staff_cli
    from api.cli import seed_demo_command
    from api.dossiers.catalogue.cli import catalogue_cli
    from api.fines.cli import fines_cli
    from api.records.cli import records_cli
    from api.scheduler import scheduler_cli
    from content.cli import content_cli

    app.cli.add_command(catalogue_cli)
    app.cli.add_command(fines_cli)
    app.cli.add_command(records_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(staff_cli)
    app.cli.add_command(content_cli)
