"""Integers past their documented maximum are refused as bad input (422), never reach SQL.

`GET /products?page=10000000000000000000` was a 500, and so were 16 other paginated lists
(SQLite overflows; PostgreSQL says bigint out of range), and `?price_max=` the same on SQLite.
"""

from __future__ import annotations

import pytest

from tests.conftest import assert_problem

HUGE = "10000000000000000000"


@pytest.mark.parametrize(
    "url",
    [
        f"/products?page={HUGE}",
        f"/products?price_max={HUGE}",
        f"/products?price_min={HUGE}",
        f"/content/articles?page={HUGE}",
        f"/units/wards?page={HUGE}",
    ],
)
def test_a_huge_integer_in_a_public_list_is_refused(client, url):
    field = url.split("?")[1].split("=")[0]
    body = assert_problem(client.get(url), 422, "validation_failed")
    assert [error["field"] for error in body["errors"]] == [f"query.{field}"]


@pytest.mark.parametrize("url", ["/me/dossiers", "/me/reports", "/me/payments", "/me/inbox"])
def test_a_huge_page_of_my_lists_is_refused(client, citizen, url):
    assert_problem(client.get(f"{url}?page={HUGE}", headers=citizen["headers"]), 422, "validation_failed")


def test_the_last_page_allowed_is_answered(client, citizen):
    answer = client.get("/me/dossiers?page=1000000", headers=citizen["headers"])
    assert answer.status_code == 200
    assert answer.json == []
    assert_problem(
        client.get("/me/dossiers?page=1000001", headers=citizen["headers"]), 422, "validation_failed"
    )
