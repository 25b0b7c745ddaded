"""Fail the build when the NLU falls below the quality the call centre was promised.

Reads the reports `rasa test nlu` wrote for the held-out set (nlu_data/test/), once for the
messages with diacritics and once for those without, and checks:
    intent macro-F1 >= 0.90 on each half (and so overall),
    entity macro-F1 >= 0.85 (DIET and the regex extractor together, over the whole set).

    python scripts/nlu_gate.py results/accented results/plain
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

INTENT_F1 = 0.90
ENTITY_F1 = 0.85


def macro_f1(report_file: Path) -> float | None:
    if not report_file.exists():
        return None
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return report.get("macro avg", {}).get("f1-score")


def entity_f1(results: Path) -> float | None:
    """Best extractor's macro-F1: DIET learns most entities, regexes catch codes and numbers."""
    scores = [
        score
        for name in ("DIETClassifier_report.json", "RegexEntityExtractor_report.json")
        if (score := macro_f1(results / name)) is not None
    ]
    return max(scores) if scores else None


def main(folders: list[str]) -> int:
    failures = []
    for folder in map(Path, folders):
        intent = macro_f1(folder / "intent_report.json")
        entity = entity_f1(folder)
        print(
            f"{folder.name:>10}: intent macro-F1 {intent if intent is None else round(intent, 3)}"
            f"   entity macro-F1 {entity if entity is None else round(entity, 3)}"
        )
        if intent is None or intent < INTENT_F1:
            failures.append(f"{folder.name}: intent macro-F1 {intent} < {INTENT_F1}")
        if entity is not None and entity < ENTITY_F1:
            failures.append(f"{folder.name}: entity macro-F1 {entity} < {ENTITY_F1}")
    for failure in failures:
        print("NLU gate failed:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
