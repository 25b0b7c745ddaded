"""What a records import reports: the rows it refused and the counts.

Its own module because both import paths fill it: service.py (the Python rules, SQLite) and
bulk.py (the rules as SQL, PostgreSQL), and service.py calls bulk.py. Here, neither has to
import the other to name the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class ImportReport:
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def reject(self, rejected: Rejected) -> None:
        self.rejected += 1
        self.reasons[rejected.code] = self.reasons.get(rejected.code, 0) + 1

    def add(self, other: ImportReport) -> None:
        """Count a committed batch's report into this one."""
        self.received += other.received
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        for code, count in other.reasons.items():
            self.reasons[code] = self.reasons.get(code, 0) + count
