"""The one home of the Flask extensions every domain shares.

Extensions are created unbound here and bound to an app in `api.create_app`, so any module
can import them without importing the app.
"""

from __future__ import annotations

from flask import current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from api.openapi import DocumentedApi

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = DocumentedApi()
jwt = JWTManager()
# Storage is chosen in create_app: Redis when REDIS_URL is set, process memory otherwise.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


# The two rate limits of the API, read from config at request time (tests and operators set them).
def sign_in_limit() -> str:
    return current_app.config["RATELIMIT_SIGN_IN"]


def public_lookup_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC_LOOKUP"]


def chat_limit() -> str:
    return current_app.config["RATELIMIT_CHAT"]
