"""The API as the benchmarks serve it: the Procfile's gunicorn settings, on loopback."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_command(port: int) -> list[str]:
    """gunicorn, gthread, 2 workers x 4 threads (as `make run` serves the API), on 127.0.0.1:`port`."""
    return [
        str(ROOT / ".venv/bin/gunicorn"),
        "--worker-class",
        "gthread",
        "--workers",
        "2",
        "--threads",
        "4",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "api:create_app()",
    ]
