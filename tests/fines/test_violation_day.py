"""A notice is judged by the law of the day the violation was committed, not the day it is issued.

The test's own copy of the law data (never the real file) gets a new decree five days ago: the red
light's range goes up and a new violation appears. A red light run before that day keeps the old
range and reference, when it is issued, in the owner's view and in the police's; one run after it
takes the new; the new violation cannot be named for a day before it existed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

import pytest
import yaml

from api.fines import violations
from api.law import loader
from api.workdays import local_date
from tests.fines.conftest import assert_problem, notice_body
from tests.law.decrees import NEW_RED_LIGHT_REFERENCE, OLD_RED_LIGHT_REFERENCE, add_new_decree

OLD_REFERENCE, NEW_REFERENCE = OLD_RED_LIGHT_REFERENCE, NEW_RED_LIGHT_REFERENCE


@pytest.fixture
def new_decree(tmp_path, monkeypatch):
    """The law data with a decree in force since five days ago (Vietnam's calendar)."""
    change_day = local_date(datetime.now(UTC)) - timedelta(days=5)
    content = yaml.safe_load((loader.DATA_DIR / "violations.yaml").read_text(encoding="utf-8"))
    add_new_decree(content, change_day)
    (tmp_path / "violations.yaml").write_text(
        yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    # The catalogue reads the copy, through caches of the test's own: the real ones, and the
    # Violation objects they hold, are untouched and back as they were afterwards.
    monkeypatch.setattr(violations, "read", lambda name: loader.read_from(tmp_path, name))
    monkeypatch.setattr(violations, "_catalogue_on", lru_cache(violations._catalogue_on.__wrapped__))
    return change_day


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def _message(problem: dict, field: str) -> str:
    return " ".join(next(error["messages"] for error in problem["errors"] if error["field"] == field))


def test_a_violation_before_a_new_decree_keeps_the_old_range(client, police, owner, new_decree):
    before = notice_body(owner["cccd"], violated_at=_days_ago(10), amount_vnd=18_000_000)
    response = client.post("/police/fines", headers=police, json=before)
    assert response.status_code == 201, response.json
    old = response.json

    # The same amount for a red light run after the change is below the new range.
    after = notice_body(owner["cccd"], violated_at=_days_ago(2), amount_vnd=18_000_000)
    refused = client.post("/police/fines", headers=police, json=after)
    message = _message(assert_problem(refused, 422, "validation_failed"), "amount_vnd")
    assert "20.000.000" in message and NEW_REFERENCE in message
    response = client.post("/police/fines", headers=police, json={**after, "amount_vnd": 21_000_000})
    assert response.status_code == 201, response.json
    new = response.json

    # Today's catalogue has the new range; the notices keep the ranges of their own days.
    assert violations.get_violation("oto-vuot-den-do").min_vnd == 20_000_000
    mine = {fine["id"]: fine for fine in client.get("/me/fines", headers=owner["headers"]).json}
    assert (mine[old["id"]]["violation"]["min_vnd"], mine[old["id"]]["violation"]["max_vnd"]) == (
        18_000_000,
        20_000_000,
    )
    assert mine[old["id"]]["violation"]["legal_reference"] == OLD_REFERENCE
    assert mine[new["id"]]["violation"]["legal_reference"] == NEW_REFERENCE
    police_view = client.get(f"/police/fines/{old['id']}", headers=police).json
    assert police_view["violation"]["legal_reference"] == OLD_REFERENCE

    # Sent again by the feed after the change, the old notice is still within its day's range.
    again = client.post("/police/fines", headers=police, json=before)
    assert again.status_code == 200, again.json


def test_a_violation_cannot_be_named_for_a_day_before_it_existed(client, police, owner, new_decree):
    body = notice_body(
        owner["cccd"], violation_code="oto-hanh-vi-moi", amount_vnd=1_500_000, violated_at=_days_ago(10)
    )
    refused = client.post("/police/fines", headers=police, json=body)
    message = _message(assert_problem(refused, 422, "validation_failed"), "violation_code")
    day = local_date(datetime.now(UTC) - timedelta(days=10))
    assert "không có trong danh mục hành vi vi phạm" in message and f"{day:%d/%m/%Y}" in message
    body = {**body, "violated_at": _days_ago(1)}
    assert client.post("/police/fines", headers=police, json=body).status_code == 201


def test_the_feed_is_judged_by_each_rows_day(client, feed, owner, new_decree):
    rows = [
        notice_body(owner["cccd"], violated_at=_days_ago(10), amount_vnd=18_000_000),
        notice_body(owner["cccd"], violated_at=_days_ago(2), amount_vnd=18_000_000),
    ]
    report = client.post("/police/fines/batch", headers=feed, json=rows)
    assert report.status_code == 200, report.json
    assert (report.json["created"], report.json["rejected"]) == (1, 1)
    [rejected] = report.json["rejects"]
    assert rejected["row"] == 2 and rejected["errors"][0]["field"] == "amount_vnd"
