"""The catalogue of report categories: what a citizen can report, who handles it, how fast, and
the words that name it; read from api/law/data/report_categories.yaml (see its header).

It changes with a deployment, not at run time, and every report stores its category's code, so
the code of a category never changes.

- `unit` is the kind of unit that handles the report in the report's ward: `police` (Công an
  phường, xã) or `ward` (Ủy ban nhân dân phường, xã). Police staff handle the first, ward
  officers the second.
- `response_days` counts Vietnamese working days from submission (api/workdays.py).
- `emergency_number` is shown with the submission's answer: someone reporting a fight in
  progress must be told to call 113 rather than wait for a working-day deadline.
- `keywords` are published with the categories (GET /reports/categories) for the chatbot, which
  recognises a category in what a citizen types by them; the API itself does not match words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.law import LawDataError, read

LAW_DATA = "report_categories"
POLICE, WARD = "police", "ward"


@dataclass(frozen=True)
class CategoryKeywords:
    """Phrases naming a category; `accented_only` ones are matched only as typed with diacritics
    ("cháy" would otherwise match "chạy"). The lowest `precedence` wins when several match."""

    precedence: int = 0
    phrases: tuple[str, ...] = ()
    accented_only: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str
    is_crime: bool
    unit: str
    response_days: int
    emergency_number: str | None = None
    description: str = ""
    keywords: CategoryKeywords = field(default_factory=CategoryKeywords)

    @property
    def group_name(self) -> str:
        return GROUPS[self.group]

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES[self.unit]

    @property
    def urgent(self) -> bool:
        return self.emergency_number is not None

    @property
    def emergency(self) -> dict | None:
        if self.emergency_number is None:
            return None
        number = self.emergency_number
        return {
            "number": number,
            "name": EMERGENCY_NAMES[number],
            "message": f"Nếu đang nguy hiểm, hãy gọi ngay {number} ({EMERGENCY_NAMES[number]}). "
            "Phản ánh qua ứng dụng không thay thế cuộc gọi khẩn cấp.",
        }


def _category(entry: dict[str, Any]) -> Category:
    keywords = entry["keywords"]
    return Category(
        code=entry["code"],
        name=entry["name"],
        group=entry["group"],
        is_crime=entry["is_crime"],
        unit=entry["unit"],
        response_days=entry["response_days"],
        emergency_number=entry.get("emergency_number"),
        description=entry.get("description", ""),
        keywords=CategoryKeywords(
            precedence=keywords["precedence"],
            phrases=tuple(keywords["phrases"]),
            accented_only=tuple(keywords.get("accented_only", ())),
        ),
    )


def _check(content: dict[str, Any], categories: tuple[Category, ...]) -> None:
    """What the schema cannot say: codes and precedences unique, groups and numbers known."""
    problems = []
    codes = [category.code for category in categories]
    problems += [
        f"category {code!r} appears twice" for code in sorted({c for c in codes if codes.count(c) > 1})
    ]
    precedences = [category.keywords.precedence for category in categories]
    problems += [
        f"keyword precedence {number} is given to several categories"
        for number in sorted({p for p in precedences if precedences.count(p) > 1})
    ]
    for category in categories:
        if category.group not in content["groups"]:
            problems.append(f"category {category.code!r}: unknown group {category.group!r}")
        if category.emergency_number and category.emergency_number not in content["emergency_numbers"]:
            problems.append(
                f"category {category.code!r}: unknown emergency number {category.emergency_number}"
            )
    if problems:
        raise LawDataError(f"law data {LAW_DATA!r}: " + "; ".join(problems))


def load() -> tuple[Category, ...]:
    """The categories of the data file, checked, in the file's order (the order they are offered)."""
    content = read(LAW_DATA)
    categories = tuple(_category(entry) for entry in content["categories"])
    _check(content, categories)
    return categories


_CONTENT = read(LAW_DATA)
UNIT_NAMES: dict[str, str] = dict(_CONTENT["units"])
GROUPS: dict[str, str] = dict(_CONTENT["groups"])
EMERGENCY_NAMES: dict[str, str] = dict(_CONTENT["emergency_numbers"])
CATEGORIES: tuple[Category, ...] = load()
_BY_CODE = {category.code: category for category in CATEGORIES}


def get_category(code: str | None) -> Category | None:
    return _BY_CODE.get((code or "").strip().lower())
