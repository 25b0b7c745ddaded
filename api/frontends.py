"""The web front ends the API serves from its own origin: the citizen app (PWA) at `/app/` and
the staff workspace at `/workspace/`.

`make web` builds web/app into `WEB_BUILD_DIR/app` (web/build.mjs adds the service worker's list
of files). Every app path that is not a file gets the app's page, so a deep link or a reload of
`/app/dossiers/<code>` opens the app there. `/app/config.json` tells the app what differs between
deployments: where sign-in comes back to, the payment provider's browser script, map tiles, the
hotline.

The Content-Security-Policy allows the app's own scripts and, for card payments, the payment
provider's script and frames (Stripe.js in production, localstripe's stand-in in development);
nothing else runs. That policy is what makes keeping the tokens in the app's storage acceptable
(README, "The citizen app").
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, jsonify, send_from_directory

from api.config import APP_SIGNED_IN_PATH, app_redirect_uris
from api.errors import ApiError
from api.http import Blueprint
from api.policy import PUBLIC, allow

citizen_app = Blueprint("citizen_app", __name__)
staff_workspace = Blueprint("staff_workspace", __name__)

HOTLINE = "1900 0368"
EMERGENCY_NUMBERS = (
    {"label": "Công an", "number": "113"},
    {"label": "Cứu hỏa", "number": "114"},
    {"label": "Cấp cứu", "number": "115"},
)
# Files of the shell that must always be checked with the server: a stale service worker or
# page would keep an old app alive after a deploy.
_ALWAYS_REVALIDATE = {"sw.js", "index.html", "manifest.webmanifest"}


_NOT_BUILT = {
    "app": ("app_not_built", "Ứng dụng công dân chưa được dựng. Hãy chạy `make web` (hoặc `make run`)."),
    "workspace": (
        "workspace_not_built",
        "Không gian làm việc chưa được dựng. Hãy chạy `make web` (hoặc `make run`).",
    ),
}


def _built(front_end: str) -> Path:
    folder = Path(current_app.config["WEB_BUILD_DIR"]) / front_end
    if not (folder / "index.html").is_file():
        raise ApiError(503, *_NOT_BUILT[front_end])
    return folder


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def _payment_settings() -> dict:
    from wallet import service as wallet

    return wallet.browser_payment_settings()


def app_config() -> dict:
    config = current_app.config
    web_redirects = [uri for uri in app_redirect_uris(config) if uri.endswith(APP_SIGNED_IN_PATH)]
    tiles = config.get("MAP_TILES_URL") or ""
    return {
        "sign_in_redirect_uri": web_redirects[0]
        if web_redirects
        else config["PUBLIC_BASE_URL"] + APP_SIGNED_IN_PATH,
        "payments": _payment_settings(),
        "map": {"tiles_url": tiles, "attribution": config.get("MAP_TILES_ATTRIBUTION") or ""}
        if tiles
        else None,
        "hotline": HOTLINE,
        "emergency_numbers": list(EMERGENCY_NUMBERS),
    }


def content_security_policy() -> str:
    payments = _payment_settings()["csp_sources"]
    tiles = _origin(current_app.config.get("MAP_TILES_URL") or "")

    def sources(*names: str) -> str:
        return " ".join(names)

    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + sources("'self'", *payments["script_src"]),
            "connect-src " + sources("'self'", *payments["connect_src"]),
            "frame-src " + (sources(*payments["frame_src"]) or "'none'"),
            # Article and product images are https links chosen by comms staff; map tiles.
            "img-src " + sources("'self'", "data:", "blob:", "https:", *([tiles] if tiles else [])),
            "style-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# The workspace runs its own scripts only; attached documents are previewed from blob: URLs
# (images, and PDFs in a frame). Articles' pictures are https links chosen by comms staff: their
# preview (a sandboxed srcdoc frame, which inherits this policy) shows them as the app will.
WORKSPACE_CSP = (
    "default-src 'self'; img-src 'self' data: blob: https:; frame-src blob:; object-src 'none'; "
    "style-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _secured(response, policy: str):
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _serve(front_end: str, path: str, policy: str):
    """A file of the front end, or its page for any path that is not one (the front end draws it)."""
    folder = _built(front_end)
    if not (folder / path).is_file():
        # A file name (name.ext) that is not there is a real 404, not the page; a dossier code
        # such as 66.24133-251122-0007 has a dot too, but no extension after it: a path.
        if re.search(r"\.[A-Za-z0-9]+$", path.rsplit("/", 1)[-1]):
            raise ApiError(404, "not_found", "Không có tệp này.")
        path = "index.html"
    revalidate = path in _ALWAYS_REVALIDATE
    response = send_from_directory(folder, path, max_age=0 if revalidate else 300)
    if revalidate:
        response.headers["Cache-Control"] = "no-cache"
    if path == "manifest.webmanifest":
        response.mimetype = "application/manifest+json"
    return _secured(response, policy)


@citizen_app.get("/app/config.json")
@allow(PUBLIC)
def config_json():
    response = jsonify(app_config())
    response.headers["Cache-Control"] = "no-cache"
    return response


@citizen_app.get("/app/")
@citizen_app.get("/app/<path:path>")
@allow(PUBLIC)
def app_file(path: str = "index.html"):
    return _serve("app", path, content_security_policy())


@staff_workspace.get("/workspace/")
@staff_workspace.get("/workspace/<path:path>")
@allow(PUBLIC)
def workspace_file(path: str = "index.html"):
    return _serve("workspace", path, WORKSPACE_CSP)
