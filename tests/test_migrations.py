"""The Alembic migrations build exactly the schema the models describe, on this test's database."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade

from api.auth import dev_idp
from api.extensions import db


def _fresh_database_url(app, tmp_path) -> tuple[str, callable]:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrated.db'}", lambda: None
    schema = f"cds_mig_{uuid.uuid4().hex[:8]}"
    base = url.split("?")[0]
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    return f"{base}?options=-csearch_path%3D{schema}", drop


def test_migrations_match_models_and_downgrade_cleanly(app, make_app, tmp_path):
    url, drop = _fresh_database_url(app, tmp_path)
    migrated = make_app(SQLALCHEMY_DATABASE_URI=url)
    try:
        with migrated.app_context():
            upgrade()
            # As `flask db migrate` compares: with the app's own options, among them its rule of
            # which tables the migrations manage (APScheduler's and the development VNeID's are not).
            options = dict(current_app.extensions["migrate"].configure_args)
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts=options)
                diff = compare_metadata(context, db.metadata)
                tables = set(sa.inspect(connection).get_table_names())
            assert diff == [], f"models and migrations disagree: {diff}"
            assert not tables & dev_idp.TABLES, "the development VNeID's tables are not the migrations'"
            downgrade(revision="base")
            with db.engine.connect() as connection:
                remaining = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
            assert remaining == set()
            db.engine.dispose()
    finally:
        drop()
