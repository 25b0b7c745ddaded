"""Fail the build when the NLU falls below the quality the call centre was promised.

Reads the reports `rasa test nlu` wrote for the held-out set (nlu_data/test/), once for the
messages with diacritics and once for those without, and checks on EACH half:
    intent macro-F1 >= 0.90   (intent_report.json)
    entity macro-F1 >= 0.85   (EntityNormaliser_report.json)

Which entity score: the bot acts on one list of entities, the combined output of DIET, the
RegexEntityExtractor and the EntitySynonymMapper after components.entity_normaliser has made
values canonical, dropped invalid ones and resolved overlaps. That component labels every entity
it passes on as its own (`extractor: EntityNormaliser`, the finder kept in `source_extractor`),
so Rasa's evaluator scores exactly that list, per message and per token, in
EntityNormaliser_report.json. Scoring one extractor alone would undercount (DIET alone misses
codes the regex finds) and taking the best extractor overall would overcount (no extractor finds
everything). A missing report fails the gate: it means the normaliser is not in the pipeline or
the held-out set has no entities, and then nothing was measured.

    python scripts/nlu_gate.py results/accented results/plain
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

INTENT_F1 = 0.90
ENTITY_F1 = 0.85
INTENT_REPORT = "intent_report.json"
ENTITY_REPORT = "EntityNormaliser_report.json"  # the combined output, see the docstring
_NOT_LABELS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def read_report(report_file: Path) -> dict | None:
    if not report_file.exists():
        return None
    return json.loads(report_file.read_text(encoding="utf-8"))


def macro_f1(report: dict | None) -> float | None:
    return None if report is None else report.get("macro avg", {}).get("f1-score")


def per_label(report: dict) -> str:
    rows = sorted((label, row) for label, row in report.items() if label not in _NOT_LABELS)
    return ", ".join(f"{label} {row['f1-score']:.3f} (n={row['support']})" for label, row in rows)


def check(folder: Path) -> list[str]:
    failures = []
    intent_report = read_report(folder / INTENT_REPORT)
    entity_report = read_report(folder / ENTITY_REPORT)
    intent, entity = macro_f1(intent_report), macro_f1(entity_report)
    print(
        f"{folder.name:>10}: intent macro-F1 {'missing' if intent is None else f'{intent:.3f}'}"
        f"   entity macro-F1 {'missing' if entity is None else f'{entity:.3f}'} (combined)"
    )
    if entity_report is not None:
        print(f"{'':>12}entities: {per_label(entity_report)}")
    faq = macro_f1(read_report(folder / "response_selection_report.json"))
    if faq is not None:  # reported, not gated: the FAQ answer chosen by the ResponseSelector
        print(f"{'':>12}faq response selection macro-F1 {faq:.3f}")
    if intent is None:
        failures.append(f"{folder.name}: no intent macro-F1 in {folder / INTENT_REPORT}")
    elif intent < INTENT_F1:
        failures.append(f"{folder.name}: intent macro-F1 {intent:.3f} < {INTENT_F1}")
    if entity is None:
        others = sorted(path.name for path in folder.glob("*_report.json") if path.name != INTENT_REPORT)
        failures.append(
            f"{folder.name}: no combined entity report {folder / ENTITY_REPORT} "
            f"(is components.entity_normaliser.EntityNormaliser in the pipeline? reports found: {others})"
        )
    elif entity < ENTITY_F1:
        failures.append(f"{folder.name}: entity macro-F1 {entity:.3f} < {ENTITY_F1}")
    return failures


def main(folders: list[str]) -> int:
    if not folders:
        print(__doc__)
        return 2
    failures = [failure for folder in folders for failure in check(Path(folder))]
    for failure in failures:
        print("NLU gate failed:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
