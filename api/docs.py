"""The interactive API docs at `/docs`: Swagger UI 5, which reads the OpenAPI 3.1 document.

The page and Swagger UI's files are built into `WEB_BUILD_DIR/docs` by `make web` (web/: the page's
sources and swagger-ui-dist pinned in package-lock.json); nothing comes from a CDN, since the
machines running this have no route to one. The page is ours rather than flask-smorest's because
that one configures Swagger UI in an inline script, which the policy below forbids.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, send_from_directory

from api.errors import ApiError
from api.http import Blueprint
from api.policy import PUBLIC, allow

assets = Blueprint("docs_assets", __name__)

# Only the page's own files run; the document is fetched from this origin; Swagger UI's icons are
# data: URIs in its stylesheet, and React sets styles on elements (allowed by 'self' styles, as
# they are set through the DOM, not inline markup). Nothing may frame the page.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _docs_dir() -> Path:
    folder = Path(current_app.config["WEB_BUILD_DIR"]) / "docs"
    if not (folder / "index.html").is_file():
        raise ApiError(
            503,
            "docs_not_built",
            "Trang tài liệu API chưa được dựng. Hãy chạy `make web` (hoặc `make run`). "
            "Bản đặc tả vẫn có tại /openapi.json.",
        )
    return folder


@assets.get("/docs")
@allow(PUBLIC)
def docs_page():
    response = send_from_directory(_docs_dir(), "index.html", max_age=0)
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@assets.get("/docs/assets/<path:filename>")
@allow(PUBLIC)
def docs_asset(filename: str):
    return send_from_directory(_docs_dir(), filename, max_age=3600)
