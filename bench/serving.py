"""The API as the benchmarks serve it: the Procfile's gunicorn settings (gunicorn.conf.py), on loopback."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_command(port: int) -> list[str]:
    """gunicorn with the Procfile's config (gthread, 2 workers x 4 threads), on 127.0.0.1:`port`."""
    return [
        str(ROOT / ".venv/bin/gunicorn"),
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "api:create_app()",
    ]
