"""records: the unaccent extension the PostgreSQL import compares names with

The set-based import (api/records/bulk.py) compares a row's name with the registry's without
accents, as api.text.fold does in Python. Creating an extension needs a privilege the app's
database role may not have at run time, so the migration creates it once. SQLite has no
extensions and imports through the Python path.

Revision ID: 7d3f1a2b9c60
Revises: 4faa35ea3185
Create Date: 2026-11-23 01:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d3f1a2b9c60'
down_revision = '4faa35ea3185'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


def downgrade():
    # Left in place: other database objects (or a DBA) may use it, and it holds no data of ours.
    pass
