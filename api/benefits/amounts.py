"""Benefit amounts as the law sets them: api/law/data/benefit_amounts.yaml (see its header).

A base level (mức chuẩn trợ giúp xã hội, mức chuẩn trợ cấp ưu đãi) is a dated history; a
programme's reference amount is the base level in force on a day × the programme's coefficient,
or its own dated amount. `standard_programmes(on)` gives the province's usual programmes as they
are created on that day (programmes.seed_programmes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from api.dbtypes import utcnow
from api.law import LawDataError, in_force, read
from api.text import format_vnd
from api.workdays import local_date

LAW_DATA = "benefit_amounts"


def _today() -> date:
    return local_date(utcnow())


def base_level(key: str, on: date | None = None) -> Mapping[str, Any] | None:
    """The base level `key` (e.g. "tro_giup_xa_hoi") in force on `on`, today in Vietnam by
    default: its `amount_vnd`, `legal_basis` and `effective_from`; None before its first entry."""
    levels = read(LAW_DATA)["base_levels"]
    if key not in levels:
        raise LawDataError(f"law data {LAW_DATA!r}: no base level {key!r}")
    return in_force(levels[key]["history"], on or _today())


def _amount(programme: Mapping[str, Any], day: date) -> tuple[int, str, int | None] | None:
    """(monthly amount, legal basis, base level or None) of a programme on a day; None when no
    amount of it is in force that day."""
    if "amounts" in programme:
        entry = in_force(programme["amounts"], day)
        return None if entry is None else (entry["amount_vnd"], entry["legal_basis"], None)
    level = base_level(programme["base_level"], day)
    if level is None:
        return None
    amount = Decimal(level["amount_vnd"]) * Decimal(str(programme["coefficient"]))
    if amount != amount.to_integral_value():
        # Money is whole đồng: a coefficient that gives a fraction is a mistake in the file.
        raise LawDataError(
            f"law data {LAW_DATA!r}: {programme['code']}: {level['amount_vnd']} × {programme['coefficient']} "
            "is not a whole number of đồng"
        )
    return int(amount), level["legal_basis"], level["amount_vnd"]


def standard_programmes(on: date | None = None) -> tuple[dict[str, Any], ...]:
    """The province's usual programmes with the amounts in force on `on` (today by default):
    code, name, legal basis, monthly amount (VND) and description, as BenefitProgramme takes them.
    A programme with no amount in force that day is left out."""
    day = on or _today()
    found = []
    for programme in read(LAW_DATA)["programmes"]:
        amounts = _amount(programme, day)
        if amounts is None:
            continue
        amount, legal_basis, level = amounts
        description = programme["description"]
        if level is not None:
            description = description.replace("{base_level}", format_vnd(level))
        found.append(
            {
                "code": programme["code"],
                "name": programme["name"],
                "legal_basis": legal_basis,
                "monthly_amount_vnd": amount,
                "description": description,
            }
        )
    return tuple(found)


def monthly_amount(code: str, on: date | None = None) -> int | None:
    """The reference monthly amount of the usual programme `code` on `on` (today by default), or
    None when the file has no amount of it in force that day."""
    return next((p["monthly_amount_vnd"] for p in standard_programmes(on) if p["code"] == code), None)
