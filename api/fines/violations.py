"""The violations a notice may name: the catalogue of api/law/data/violations.yaml.

Each violation cites the point, clause and article of the decree that sets its fine (Nghị định
168/2024/NĐ-CP, Điều 6: ô tô; Điều 7: xe mô tô, xe gắn máy), the range of the fine in VND, and
the points taken off the driving licence. The file keeps each range as a dated history, so a
new decree is added as data ahead of its day; `catalogue(on)` is the catalogue in force on a
day. A notice's amount must lie within its violation's range on the day the violation was
committed (`violation_of`, `committed_on`), not the day it is issued or looked at; the police
choose the amount inside it.

The codes are stable identifiers shared with the police's violation feed and the chatbot; add new
entries, never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from api.law import LawDataError, in_force, read
from api.text import format_vnd
from api.workdays import local_date

LAW_DATA = "violations"
DECREE = "Nghị định 168/2024/NĐ-CP"
CAR, MOTORBIKE = "car", "motorbike"
VEHICLE_KINDS = (CAR, MOTORBIKE)


@dataclass(frozen=True)
class Violation:
    code: str
    description: str  # Vietnamese, as shown to the citizen
    vehicle_kind: str  # "car" | "motorbike"
    point: str | None  # "b" in "Điểm b khoản 9 Điều 6"
    clause: int
    article: int
    min_vnd: int
    max_vnd: int
    licence_points: int | None = None  # điểm giấy phép lái xe bị trừ
    additional_penalty: str | None = None
    decree: str = DECREE  # the document whose article sets this range
    effective_from: str | None = None  # ISO day this range took effect

    @property
    def legal_reference(self) -> str:
        prefix = f"Điểm {self.point} khoản {self.clause}" if self.point else f"Khoản {self.clause}"
        return f"{prefix} Điều {self.article} {self.decree}"

    def allows(self, amount_vnd: int) -> bool:
        return self.min_vnd <= amount_vnd <= self.max_vnd

    @property
    def range_text(self) -> str:
        return f"từ {format_vnd(self.min_vnd)} đến {format_vnd(self.max_vnd)}"


def _checked(content: dict[str, Any]) -> dict[str, Any]:
    """What the schema cannot say: codes unique, each range the right way round."""
    seen: set[str] = set()
    for entry in content["violations"]:
        if entry["code"] in seen:
            raise LawDataError(f"law data {LAW_DATA!r}: violation {entry['code']!r} appears twice")
        seen.add(entry["code"])
        for fine in entry["fines"]:
            if fine["min_vnd"] > fine["max_vnd"]:
                raise LawDataError(
                    f"law data {LAW_DATA!r}: {entry['code']} from {fine['effective_from']}: "
                    "min_vnd is above max_vnd"
                )
    return content


def _violation(entry: dict[str, Any], fine: dict[str, Any]) -> Violation:
    basis = fine["legal_basis"]
    return Violation(
        code=entry["code"],
        description=entry["description"],
        vehicle_kind=entry["vehicle_kind"],
        point=basis.get("point"),
        clause=basis["clause"],
        article=basis["article"],
        min_vnd=fine["min_vnd"],
        max_vnd=fine["max_vnd"],
        licence_points=fine.get("licence_points"),
        additional_penalty=fine.get("additional_penalty"),
        decree=basis["document"],
        effective_from=fine["effective_from"],
    )


# One entry a day asked about: a month of camera records is judged by 30 days' catalogues.
@lru_cache(maxsize=1024)
def _catalogue_on(day: str) -> tuple[Violation, ...]:
    content = _checked(read(LAW_DATA))
    found = []
    for entry in content["violations"]:
        fine = in_force(entry["fines"], date.fromisoformat(day))
        if fine is not None:  # not in force yet (or any more): not offered that day
            found.append(_violation(entry, fine))
    return tuple(found)


def _today() -> date:
    return local_date(datetime.now(UTC))


def catalogue(on: date | None = None) -> tuple[Violation, ...]:
    """The violations in force on `on` (today in Vietnam by default), each with the range of its
    fine on that day, in the file's order."""
    return _catalogue_on((on or _today()).isoformat())


def violations_by_code(on: date | None = None) -> dict[str, Violation]:
    return {violation.code: violation for violation in catalogue(on)}


def get_violation(code: str | None, on: date | None = None) -> Violation | None:
    """The violation with this code (case and spaces ignored) as in force on `on` (today by
    default), or None."""
    wanted = (code or "").strip().lower()
    return next((violation for violation in catalogue(on) if violation.code == wanted), None)


def violation_of(notice: Any) -> Violation | None:
    """The violation a notice names, as the law stood on the day it was committed (in Vietnam):
    the range its amount must lie in and the reference it cites are that day's, whatever
    changed since."""
    return get_violation(notice.violation_code, on=committed_on(notice.violated_at))


def committed_on(violated_at: datetime) -> date:
    """The day in Vietnam of a violation's moment: the day whose law applies to it."""
    return local_date(violated_at)


VEHICLE_KIND_NAMES: dict[str, str] = dict(read(LAW_DATA)["vehicle_kinds"])
# The catalogue as the process started: kept for the callers that list it once. Lookups go
# through get_violation / catalogue(), which follow the day, so a range dated ahead takes effect
# on its day without a restart.
CATALOGUE: tuple[Violation, ...] = catalogue()
VIOLATIONS: dict[str, Violation] = {violation.code: violation for violation in CATALOGUE}
