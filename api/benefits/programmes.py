"""Benefit programmes (chế độ trợ cấp): listing, creating, and seeding the province's usual ones
with the amounts the law sets (api/benefits/amounts.py)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.benefits import amounts
from api.benefits.models import (
    BenefitProgramme,
)
from api.errors import ApiError
from api.extensions import db


def programme_not_found(code: str, field_name: str = "programme") -> ApiError:
    return ApiError(
        422,
        "programme_not_found",
        f"Không có chế độ trợ cấp mã '{code}'.",
        errors={field_name: ["Mã chế độ không tồn tại."]},
    )


def programmes() -> list[BenefitProgramme]:
    return list(db.session.scalars(select(BenefitProgramme).order_by(BenefitProgramme.code)))


def programme_by_code(code: str) -> BenefitProgramme | None:
    return db.session.scalar(select(BenefitProgramme).where(BenefitProgramme.code == code.upper()))


def create_programme(data: dict[str, Any], *, actor: str) -> BenefitProgramme:
    """A programme from validated data (schemas.ProgrammeInSchema); 409 when the code is taken."""
    if programme_by_code(data["code"]) is not None:
        raise ApiError(
            409,
            "programme_code_taken",
            f"Mã chế độ {data['code']} đã được dùng.",
            errors={"code": ["Mã đã tồn tại."]},
        )
    programme = BenefitProgramme(id=uuid.uuid4(), created_by=actor, **data)
    try:
        with db.session.begin_nested():
            db.session.add(programme)
    except IntegrityError:  # the same code created at the same moment
        raise ApiError(409, "programme_code_taken", f"Mã chế độ {data['code']} đã được dùng.") from None
    record_audit("benefit.programme_create", actor=actor, target=f"benefit_programme:{programme.code}")
    return programme


def standard_programmes(on: date | None = None) -> tuple[dict[str, Any], ...]:
    """The province's usual programmes, with the amounts in force on `on` (today by default):
    api/law/data/benefit_amounts.yaml."""
    return amounts.standard_programmes(on)


def seed_programmes(*, actor: str = "seed", on: date | None = None) -> int:
    """Create the standard programmes that are missing (demo data, a fresh province), with the
    amounts in force on `on` (today by default)."""
    added = 0
    for row in standard_programmes(on):
        if programme_by_code(row["code"]) is None:
            db.session.add(BenefitProgramme(id=uuid.uuid4(), created_by=actor, **row))
            added += 1
    return added
