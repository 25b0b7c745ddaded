"""Swagger UI's files for `/docs`, served from the installed `swagger-ui-bundle` package.

The API must show its docs on machines with no route to a public CDN.
"""

from __future__ import annotations

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from api.auth.policy import PUBLIC, allow

assets = Blueprint("docs_assets", __name__)


@assets.get("/docs/assets/<path:filename>")
@allow(PUBLIC)
def swagger_ui_asset(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=3600)
