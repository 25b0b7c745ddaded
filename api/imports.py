"""What a bulk import reports, whichever domain imports: rows read, what became of them, refusals.

The fines' feed and file importer (api/fines/service.py) and the records' importer
(api/records/service.py, bulk.py) count the same things the same way; each keeps its own shape of
a refused row (a notice's reasons by field, a record's stable reason code), so the report is
generic in it. A file importer streams its refused rows to the caller as it finds them and keeps
only the counts; an importer that answers a request with them keeps them in `rejects`. An importer
whose rows have names a person reads back (the FAQ's keys, content/faq.py) also keeps which rows
went where, in `named`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

R = TypeVar("R")

OUTCOMES = ("created", "updated", "unchanged")


@dataclass
class ImportReport(Generic[R]):
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # refused rows by reason code, for an importer whose refusals have one
    reasons: dict[str, int] = field(default_factory=dict)
    # the refused rows themselves, for an importer that answers with them
    rejects: list[R] = field(default_factory=list)
    # the rows' names under their outcome, reason code or note, for an importer whose rows are named
    named: dict[str, list[str]] = field(default_factory=dict)

    def count(self, outcome: str, *, name: str | None = None) -> None:
        """One stored row: "created", "updated" or "unchanged"; `name` it to report which."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown import outcome {outcome!r}")
        setattr(self, outcome, getattr(self, outcome) + 1)
        if name is not None:
            self.note(outcome, name)

    def reject(self, code: str | None = None, *, keep: R | None = None, name: str | None = None) -> None:
        """One refused row, counted under its reason `code` if it has one; `keep` it to answer with it,
        `name` it (with a `code`) to report which."""
        self.rejected += 1
        if code is not None:
            self.reasons[code] = self.reasons.get(code, 0) + 1
            if name is not None:
                self.note(code, name)
        if keep is not None:
            self.rejects.append(keep)

    def note(self, what: str, name: str) -> None:
        """A named row under `what`: an outcome, a reason code, or what else the import did to
        it (an FAQ key the files dropped, retired)."""
        self.named.setdefault(what, []).append(name)

    def names(self, what: str) -> list[str]:
        """The rows named under `what`, in the order they came."""
        return self.named.get(what, [])

    def add(self, other: ImportReport[R]) -> None:
        """Count another report (a committed batch's) into this one."""
        self.received += other.received
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        for code, count in other.reasons.items():
            self.reasons[code] = self.reasons.get(code, 0) + count
        self.rejects.extend(other.rejects)
        for what, names in other.named.items():
            self.named.setdefault(what, []).extend(names)
