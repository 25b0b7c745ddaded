"""A row a records import refused, as its reject report lists it.

Its own module because both import paths make them: service.py (the Python rules, SQLite) and
bulk.py (the rules as SQL, PostgreSQL), and service.py calls bulk.py. Here, neither has to
import the other to name it. The counts are the product's one `api.imports.ImportReport`,
each refusal counted under its `code`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rejected:
    """A row that was not stored, for the reject report."""

    line: int
    source_id: str | None
    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "source_id": self.source_id,
            "reason": self.code,
            "message": self.message,
            "field": self.field,
        }
