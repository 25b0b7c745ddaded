"""scripts/nlu_gate.py: both halves must clear both gates, and a missing report is a failure."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "nlu_gate", Path(__file__).parents[1] / "scripts" / "nlu_gate.py"
)
nlu_gate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nlu_gate)


def report(macro: float, **labels: float) -> dict:
    rows = {
        label: {"precision": f1, "recall": f1, "f1-score": f1, "support": 3} for label, f1 in labels.items()
    }
    return {**rows, "macro avg": {"f1-score": macro}, "weighted avg": {"f1-score": macro}}


def results(folder: Path, intent: float | None, entity: float | None, **others: dict) -> Path:
    folder.mkdir(parents=True)
    if intent is not None:
        (folder / "intent_report.json").write_text(json.dumps(report(intent, greet=intent)))
    if entity is not None:
        (folder / nlu_gate.ENTITY_REPORT).write_text(json.dumps(report(entity, ward=entity)))
    for name, content in others.items():
        (folder / name).write_text(json.dumps(content))
    return folder


def test_passes_when_both_halves_clear_both_gates(tmp_path, capsys):
    accented = results(tmp_path / "accented", 0.95, 0.90)
    plain = results(tmp_path / "plain", 0.92, 0.86)
    assert nlu_gate.main([str(accented), str(plain)]) == 0
    assert "ward 0.860" in capsys.readouterr().out


@pytest.mark.parametrize(("intent", "entity"), [(0.89, 0.95), (0.95, 0.84)])
def test_fails_below_a_gate_on_one_half(tmp_path, intent, entity):
    accented = results(tmp_path / "accented", 0.95, 0.95)
    plain = results(tmp_path / "plain", intent, entity)
    assert nlu_gate.main([str(accented), str(plain)]) == 1


def test_a_missing_combined_entity_report_fails_even_if_one_extractor_looks_good(tmp_path, capsys):
    diet_alone = {"DIETClassifier_report.json": report(0.99, ward=0.99)}
    plain = results(tmp_path / "plain", 0.95, None, **diet_alone)
    assert nlu_gate.main([str(plain)]) == 1
    assert "DIETClassifier_report.json" in capsys.readouterr().out


def test_a_missing_intent_report_fails(tmp_path):
    assert nlu_gate.main([str(results(tmp_path / "plain", None, 0.95))]) == 1


def test_no_folder_is_a_usage_error():
    assert nlu_gate.main([]) == 2
