"""A development stand-in for VNeID: an OpenID Connect provider under /dev-idp.

VNeID is not reachable from development machines or CI, so `make run` and the tests sign
citizens in against this provider instead, over the same protocol and the same HTTP hops:
authorization code flow with PKCE (S256), RS256 id_tokens, discovery and JWKS. It is mounted
only when OIDC_ISSUER is empty and never in production (`api.config.check_production_safety`
refuses that configuration, and `should_mount` checks again).
"""

from __future__ import annotations

from flask import Flask

PREFIX = "/dev-idp"


def should_mount(config) -> bool:
    return not config.get("OIDC_ISSUER") and config.get("CDS_ENV") != "production"


def init_app(app: Flask) -> None:
    from api.auth.dev_idp import routes, server, service

    app.extensions["dev_idp"] = {
        # Loaded (or created) at start-up, so the first sign-in does not pay for RSA generation.
        "key": service.load_or_create_signing_key(app.instance_path),
        "server": server.build_server(app),
    }
    app.register_blueprint(routes.bp)
