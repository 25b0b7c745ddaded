"""A development stand-in for VNeID: an OpenID Connect provider under /dev-idp.

VNeID is not reachable from development machines or CI, so `make run` and the tests sign
citizens in against this provider instead, over the same protocol and the same HTTP hops:
authorization code flow with PKCE (S256), RS256 id_tokens, discovery and JWKS. It is mounted
only when OIDC_ISSUER is empty and never in production (`api.config.check_production_safety`
refuses that configuration, and `should_mount` checks again).

Its tables (models.py) are not the product's: the migrations neither create nor drop them
(`owns_table`, which the migrations' `include_name` asks), and where the provider is mounted it
creates them itself before its first request needs them (`ensure_tables`).
"""

from __future__ import annotations

from flask import Flask

PREFIX = "/dev-idp"
# The provider's own tables (models.py), kept out of the migrations.
TABLES = frozenset({"dev_idp_authorization_codes", "dev_idp_access_tokens"})


def should_mount(config) -> bool:
    return not config.get("OIDC_ISSUER") and config.get("CDS_ENV") != "production"


def owns_table(name: str | None) -> bool:
    """Whether `name` is one of the development provider's tables, which no migration manages."""
    return name in TABLES


def ensure_tables() -> None:
    """Create the provider's tables where they are missing (a fresh database, or one whose
    migrations dropped them). Not at start-up: `flask db upgrade` starts the app too, and the
    first migrations, written when these tables were the migrations', still create them."""
    from api.auth.dev_idp.models import DevIdpAccessToken, DevIdpAuthorizationCode
    from api.extensions import db

    tables = [DevIdpAuthorizationCode.__table__, DevIdpAccessToken.__table__]
    db.metadata.create_all(bind=db.engine, tables=tables, checkfirst=True)


def init_app(app: Flask) -> None:
    from api.auth.dev_idp import routes, server, service

    app.extensions["dev_idp"] = {
        # Loaded (or created) at start-up, so the first sign-in does not pay for RSA generation.
        "key": service.load_or_create_signing_key(app.instance_path),
        "server": server.build_server(app),
    }
    app.register_blueprint(routes.bp)  # its requests `ensure_tables` first (routes.py)
