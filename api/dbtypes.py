"""Column types shared by every domain's models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, Uuid
from sqlalchemy.engine import Engine
from sqlalchemy.event import listens_for
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always read back timezone-aware.

    PostgreSQL keeps the offset; SQLite drops it, so values are converted to UTC on the way
    in and labelled UTC on the way out. Shown to people in Asia/Ho_Chi_Minh by the schemas.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()


UUID = Uuid(as_uuid=True)


@listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite enforces foreign keys only when asked, per connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(connection, name) -> None:
    """Python's sqlite3 opens a transaction only before an INSERT, UPDATE or DELETE. A savepoint
    taken before the unit's first write would then be the outermost transaction, and releasing it
    would commit for real: open the transaction first, so only the unit of work commits
    (api/unit_of_work.py). PostgreSQL always has its transaction open."""
    dbapi_connection = connection.connection.dbapi_connection
    if type(dbapi_connection).__module__.startswith("sqlite3") and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def render_migration_type(type_: str, obj, autogen_context):
    """Write our TypeDecorators into migrations as their plain SQLAlchemy type.

    Migrations must not import application code: a later refactor of `api.dbtypes` would
    otherwise break every old migration.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False
