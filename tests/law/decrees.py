"""A made-up decree for tests of dated law data: never the real files, always a test's own copy."""

from __future__ import annotations

from datetime import date, timedelta

DECREE = "Nghị định 999/2031/NĐ-CP"
OLD_RED_LIGHT_REFERENCE = "Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP"
NEW_RED_LIGHT_REFERENCE = "Điểm a khoản 10 Điều 5 Nghị định 999/2031/NĐ-CP"
NEW_VIOLATION = "oto-hanh-vi-moi"


def add_new_decree(content: dict, change_day: date) -> None:
    """Amend the violations data (as loaded from violations.yaml) with a decree in force from
    `change_day`: a car running a red light goes from 18–20 to 20–22 million đồng with 6 licence
    points, and a violation that did not exist before appears."""
    red_light = next(v for v in content["violations"] if v["code"] == "oto-vuot-den-do")
    red_light["fines"][0]["effective_until"] = (change_day - timedelta(days=1)).isoformat()
    red_light["fines"].append(
        {
            "effective_from": change_day.isoformat(),
            "legal_basis": {"document": DECREE, "article": 5, "clause": 10, "point": "a"},
            "min_vnd": 20_000_000,
            "max_vnd": 22_000_000,
            "licence_points": 6,
        }
    )
    content["violations"].append(
        {
            "code": NEW_VIOLATION,
            "vehicle_kind": "car",
            "description": "Hành vi mới, chỉ bị xử phạt từ ngày nghị định mới có hiệu lực",
            "fines": [
                {
                    "effective_from": change_day.isoformat(),
                    "legal_basis": {"document": DECREE, "article": 5, "clause": 2},
                    "min_vnd": 1_000_000,
                    "max_vnd": 2_000_000,
                }
            ],
        }
    )
