"""What the report actions ask the API: the categories (with their keywords), wards, the
citizen's reports, the report a tracking token follows."""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from typing import Any

from actions.api_client import ApiUnavailable, api
from actions.report_slots import LIST_LIMIT
from actions.report_words import categories_of, keyword_category, words

CATEGORIES_TTL_SECONDS = 600

_categories_cache: tuple[float, list[dict[str, Any]]] | None = None


async def categories() -> list[dict[str, Any]]:
    """The API's report categories (GET /reports/categories), kept a few minutes: they change
    with a release of the API, not during a conversation."""
    global _categories_cache
    if _categories_cache and time.monotonic() - _categories_cache[0] < CATEGORIES_TTL_SECONDS:
        return _categories_cache[1]
    data = (await api().get_public("/reports/categories")).data
    found = [c for c in data if isinstance(c, dict) and c.get("code")] if isinstance(data, list) else []
    if found:
        _categories_cache = (time.monotonic(), found)
    return found


async def categories_or_empty() -> list[dict[str, Any]]:
    """The categories, or an empty list when the API cannot be reached: the form then asks for
    the category without a list, and no keyword names one (the keywords come with the list)."""
    try:
        return await categories()
    except ApiUnavailable:
        return []


def category_named(text: str | None, kind: str, catalogue: list[dict[str, Any]]) -> str | None:
    """The citizen's answer to the numbered list: a number, a code, a name, or keywords."""
    offered = categories_of(kind, catalogue)
    said = words(text)
    if re.fullmatch(r"(so )?\d{1,2}", said):
        index = int(said.split()[-1]) - 1
        return offered[index]["code"] if 0 <= index < len(offered) else None
    for category in offered:
        if said in (words(category["code"]), words(category.get("name"))):
            return category["code"]
    if (code := keyword_category(text, kind, catalogue)) and any(c["code"] == code for c in offered):
        return code
    matches = [c["code"] for c in offered if said and len(said) >= 3 and said in words(c.get("name"))]
    return matches[0] if len(matches) == 1 else None


def home_province() -> str:
    """The province whose wards reports may name: the API's HOME_PROVINCE_CODE (same variable)."""
    return os.environ.get("HOME_PROVINCE_CODE") or "66"


async def find_wards(query: str) -> list[dict[str, Any]]:
    data = (
        await api().get_public(
            "/units/wards", {"q": query[:100], "province": home_province(), "page_size": 20}
        )
    ).data
    return [w for w in data if isinstance(w, dict) and w.get("code")] if isinstance(data, list) else []


_WARD_FILLERS = re.compile(r"^(o|tai|thuoc|khu vuc|dia ban|ben|gan)\s+")
_WARD_TAIL = re.compile(r"(\s+(a|nhe|nha|ad|oi|day|do|a oi))+$")
_WARD_TYPES = re.compile(r"^(phuong|xa|dac khu|thi tran|p|x)\s+")


def ward_query(text: str) -> str:
    """ "ở phường Tân Lập ạ" -> "phuong tan lap": what the API's ward search is asked."""
    return _WARD_TAIL.sub("", _WARD_FILLERS.sub("", words(text))).strip()


def best_ward(query: str, wards: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one ward the citizen means: the only one found, or the only one named exactly so."""
    if len(wards) == 1:
        return wards[0]
    said = ward_query(query)
    bare = _WARD_TYPES.sub("", said)
    exact = [
        w
        for w in wards
        if bare == words(w.get("short_name")) and (said == bare or said == words(w.get("name")))
    ]
    if len(exact) == 1:
        return exact[0]
    return None


async def my_reports(token: str) -> tuple[list[dict[str, Any]], int]:
    response = await api().get_as_citizen("/me/reports", token, {"page_size": LIST_LIMIT})
    data = response.data if isinstance(response.data, list) else []
    total = len(data)
    with contextlib.suppress(ValueError, AttributeError):
        total = int(json.loads(response.headers.get("X-Pagination") or "{}").get("total", total))
    return [r for r in data if isinstance(r, dict)], total


async def tracked(token: str) -> dict[str, Any]:
    data = (await api().get_public(f"/reports/track/{token}")).data
    return data if isinstance(data, dict) else {}
