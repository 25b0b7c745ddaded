"""The rules of the procedure catalogue: look-ups, accent-insensitive search, the one validator of
application forms, and the idempotent seed.

The `procedures` table holds a copy of the law's data files (data.py reads them): the seed
writes the fee and time limit in force on its day, and the hourly job (`refresh_in_force_job`,
and `flask catalogue refresh`) writes those in force today. Look-ups only read: they show a row
with the fee and time limit in force today, applied in memory (`_in_force`), so a decree's new
fee, written ahead as a dated entry, is charged from its day even before the job writes it.

Other domains call `get_procedure`, `require_procedure`, `validate_form`, `get_group`,
`require_group` and `group_for_procedure`. Nothing here reads the request or commits: callers
own the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend
from sqlalchemy import and_, select
from sqlalchemy.orm.attributes import set_committed_value

from api.dossiers.catalogue import data, routing
from api.dossiers.catalogue.models import Procedure, ProcedureGroup, ProcedureGroupMember
from api.errors import ApiError
from api.extensions import db
from api.text import fold, match_score, nfc
from api.workdays import local_date

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Abbreviations citizens type for words of procedure names; whole words only ("dk tam tru").
_ABBREVIATIONS = {"dk": "dang ky", "dky": "dang ky", "ko": "khong"}


# ---- look-ups -----------------------------------------------------------------------------------


def _code(code: str | None) -> str:
    return (code or "").strip().lower()


def get_procedure(
    code: str | None, *, include_inactive: bool = False, on: date | None = None
) -> Procedure | None:
    """The procedure with this code, its fee and time limit those in force `on` (today in
    Vietnam by default); inactive ones only when asked (dossiers filed before a procedure was
    withdrawn still need its name and time limit)."""
    statement = select(Procedure).where(Procedure.code == _code(code))
    if not include_inactive:
        statement = statement.where(Procedure.active.is_(True))
    procedure = db.session.scalar(statement)
    if procedure is not None:
        _in_force(procedure, on)
    return procedure


def require_procedure(
    code: str | None, *, include_inactive: bool = False, on: date | None = None
) -> Procedure:
    procedure = get_procedure(code, include_inactive=include_inactive, on=on)
    if procedure is None:
        raise ApiError(
            404,
            "procedure_not_found",
            f"Không có thủ tục hành chính mã '{code}' trong danh mục, hoặc thủ tục đã ngừng áp dụng.",
        )
    return procedure


def get_group(code: str | None) -> ProcedureGroup | None:
    return db.session.scalar(
        select(ProcedureGroup).where(ProcedureGroup.code == _code(code), ProcedureGroup.active.is_(True))
    )


def require_group(code: str | None) -> ProcedureGroup:
    group = get_group(code)
    if group is None:
        raise ApiError(
            404,
            "procedure_group_not_found",
            f"Không có nhóm thủ tục liên thông mã '{code}' trong danh mục.",
        )
    return group


def list_groups() -> list[ProcedureGroup]:
    return list(
        db.session.scalars(
            select(ProcedureGroup).where(ProcedureGroup.active.is_(True)).order_by(ProcedureGroup.code)
        )
    )


def group_for_procedure(code: str | None) -> ProcedureGroup | None:
    """The interconnected group a procedure belongs to, if any (the first by code if several)."""
    return db.session.scalar(
        select(ProcedureGroup)
        .join(ProcedureGroupMember)
        .join(Procedure)
        .where(Procedure.code == _code(code), ProcedureGroup.active.is_(True))
        .order_by(ProcedureGroup.code)
        .limit(1)
    )


def essential_services() -> list[dict[str, Any]]:
    """The 53 essential online services (Đề án 06): those the app takes applications for point
    to their procedure or group; the others are information only, with the note a citizen reads."""
    return data.essential_services()


# ---- search -------------------------------------------------------------------------------------


def search_key(text: str) -> str:
    """Folded, punctuation as spaces, abbreviations spelt out: "ĐK tạm-trú" -> "dang ky tam tru"."""
    words = _NON_WORD.sub(" ", fold(text)).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def search_text(name: str, field: str, keywords: Iterable[str], code: str) -> str:
    """The `name_folded` column: every form a citizen may search by, one per line: the name
    first, the field (lĩnh vực) second, then keywords and the code."""
    return "\n".join(search_key(part) for part in (name, field, *keywords, code.replace("-", " ")))


def _rank(procedure: Procedure, query: str) -> tuple[int, int] | None:
    """(score, then 0 when the name matched / 1 a keyword or the code / 2 only the field)."""
    name, field, *others = procedure.name_folded.split("\n")
    candidates = []
    if (score := match_score(name, query)) is not None:
        candidates.append((score, 0))
    candidates += [(score, 1) for key in others if (score := match_score(key, query)) is not None]
    if (score := match_score(field, query)) is not None:
        candidates.append((score, 2))  # "ho tich": every civil-status procedure, after name hits
    if not candidates:
        # Every word somewhere, in any order: "khai sinh dang ky", "the bhyt tre em".
        words = {word for key in (name, *others) for word in key.split()}
        if all(any(w.startswith(q) for w in words) for q in query.split()):
            candidates.append((4, 0))
    return min(candidates) if candidates else None


def search_procedures(
    q: str | None = None,
    field: str | None = None,
    online_level: str | None = None,
    authority: str | None = None,
) -> list[Procedure]:
    """Active procedures, filtered; with `q`, those matching it without accents, exact and prefix
    matches of the name first, then keyword matches ("lam giay khai sinh", "gplx", "bhyt")."""
    statement = select(Procedure).where(Procedure.active.is_(True))
    if online_level:
        statement = statement.where(Procedure.online_level == online_level)
    if authority:
        statement = statement.where(Procedure.authority == authority)
    query = search_key(q or "")
    if query:
        # Narrow in SQL (every word appears somewhere), rank the few rows left here.
        statement = statement.where(and_(*(Procedure.name_folded.contains(w) for w in query.split())))
    # Sorted here, not in SQL: collations order Vietnamese differently on SQLite and PostgreSQL.
    procedures = sorted(db.session.scalars(statement), key=lambda p: (search_key(p.name), p.code))
    for procedure in procedures:
        _in_force(procedure)
    if field and search_key(field):
        wanted = search_key(field)
        procedures = [p for p in procedures if search_key(p.field) == wanted]
    if not query:
        return procedures
    ranked = [(rank, index, p) for index, p in enumerate(procedures) if (rank := _rank(p, query))]
    ranked.sort(key=lambda hit: hit[:2])
    return [p for _, _, p in ranked]


# ---- the form validator ------------------------------------------------------------------------


def _not_future(validator, enabled, instance, schema):
    """`x-not-future`: a date of birth, death or contract end cannot be after today in Vietnam.
    A malformed date is left to `format`, which reports it once."""
    if not enabled or not isinstance(instance, str):
        return
    try:
        day = date.fromisoformat(instance)
    except ValueError:
        return
    if len(instance) == 10 and day > local_date(datetime.now().astimezone()):
        yield ValidationError("Ngày không được sau ngày hôm nay.")


FormValidator = extend(Draft202012Validator, {"x-not-future": _not_future})

_TYPE_NAMES = {
    "string": "chuỗi ký tự",
    "integer": "số nguyên",
    "number": "số",
    "boolean": "đúng/sai (true hoặc false)",
    "object": "một đối tượng",
    "array": "một danh sách",
    "null": "rỗng (null)",
}
_FORMAT_MESSAGES = {
    "date": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "email": "Địa chỉ email không hợp lệ.",
    "date-time": "Thời điểm không hợp lệ (định dạng ISO 8601).",
}
_MAX_LISTED_CHOICES = 8
REQUIRED = "Trường này là bắt buộc."
NOT_ALLOWED = "Trường này không được phép."


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _message(error: ValidationError) -> str:
    """jsonschema's English message, said in Vietnamese for the keyword that failed."""
    keyword, expected = error.validator, error.validator_value
    if keyword == "type":
        names = [_TYPE_NAMES.get(t, t) for t in (expected if isinstance(expected, list) else [expected])]
        return f"Giá trị phải là {' hoặc '.join(names)}."
    if keyword == "pattern":
        return data.PATTERN_MESSAGES.get(expected, "Giá trị không đúng định dạng.")
    if keyword == "enum":
        if len(expected) > _MAX_LISTED_CHOICES:
            return "Giá trị không nằm trong danh sách cho phép."
        return "Giá trị phải là một trong: " + ", ".join(_show(v) for v in expected) + "."
    if keyword == "const":
        if expected is True:
            return "Cần xác nhận (đánh dấu đồng ý) để tiếp tục."
        return f"Giá trị phải là {_show(expected)}."
    if keyword == "format":
        return _FORMAT_MESSAGES.get(expected, "Giá trị không đúng định dạng.")
    if keyword == "minLength":
        return "Trường này không được để trống." if expected <= 1 else f"Phải có ít nhất {expected} ký tự."
    if keyword == "maxLength":
        return f"Không được dài quá {expected} ký tự."
    if keyword == "minimum":
        return f"Giá trị phải lớn hơn hoặc bằng {expected}."
    if keyword == "maximum":
        return f"Giá trị phải nhỏ hơn hoặc bằng {expected}."
    if keyword == "exclusiveMinimum":
        return f"Giá trị phải lớn hơn {expected}."
    if keyword == "exclusiveMaximum":
        return f"Giá trị phải nhỏ hơn {expected}."
    if keyword == "minItems":
        return "Cần ít nhất một mục." if expected == 1 else f"Cần ít nhất {expected} mục."
    if keyword == "maxItems":
        return f"Không được quá {expected} mục."
    if keyword == "uniqueItems":
        return "Các mục không được trùng nhau."
    if keyword == "x-not-future":
        return error.message  # ours, already Vietnamese
    return "Giá trị không hợp lệ."


def _field_errors(error: ValidationError) -> list[tuple[str, str]]:
    """(path, message) pairs for one jsonschema error. Object-level keywords (required,
    additionalProperties, dependentRequired) are reported on the fields they concern, not on the
    object, so the app can put the message under the right input."""
    base = ".".join(["form", *(str(part) for part in error.absolute_path)])
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    if error.validator == "required":
        return [(f"{base}.{name}", REQUIRED) for name in error.validator_value if name not in instance]
    if error.validator == "dependentRequired":
        return [
            (f"{base}.{needed}", REQUIRED)
            for present, needs in error.validator_value.items()
            if present in instance
            for needed in needs
            if needed not in instance
        ]
    if error.validator == "additionalProperties" and error.validator_value is False:
        known = error.schema.get("properties", {})
        patterns = error.schema.get("patternProperties", {})
        return [
            (f"{base}.{name}", NOT_ALLOWED)
            for name in instance
            if name not in known and not any(re.search(p, name) for p in patterns)
        ]
    return [(base, _message(error))]


def normalise(value: Any) -> Any:
    """NFC (and single spaces) for every string of a form, keys included, at any depth."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, Mapping):
        return {normalise(key): normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    return value


def validate_form(procedure: Procedure, form_data: Any) -> dict:
    """THE validator of applications: the procedure's JSON Schema (draft 2020-12, formats
    checked), every error collected. Returns the NFC-normalised data, or raises a 422
    `form_invalid` problem with errors keyed `form.<path>` in Vietnamese.

    Normalisation comes first, so a name typed in decomposed Unicode matches an enum value and
    a blank-only answer counts as empty.
    """
    if not isinstance(form_data, Mapping):
        raise ApiError(
            422,
            "form_invalid",
            "Tờ khai phải là một đối tượng JSON.",
            errors={"form": ["Giá trị phải là một đối tượng."]},
        )
    cleaned = normalise(form_data)
    validator = FormValidator(procedure.form_schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors: dict[str, list[str]] = {}
    for error in validator.iter_errors(cleaned):
        for path, message in _field_errors(error):
            messages = errors.setdefault(path, [])
            if message not in messages:
                messages.append(message)
    if errors:
        raise ApiError(
            422,
            "form_invalid",
            f"Tờ khai “{procedure.name}” có {len(errors)} mục chưa hợp lệ; xem danh sách `errors`.",
            errors=errors,
        )
    return cleaned


def check_form_schema(schema: Mapping[str, Any]) -> None:
    """Raise jsonschema.SchemaError when `schema` is not a valid draft 2020-12 schema."""
    Draft202012Validator.check_schema(schema)


# ---- seed ---------------------------------------------------------------------------------------

_PROCEDURE_COLUMNS = (
    "name",
    "field",
    "description",
    "online_level",
    "documents",
    "form_schema",
    "fee_vnd",
    "fee_varies",
    "fee_note",
    "processing_days",
    "processing_note",
    "authority",
    "authority_name",
    "routing",
    "legal_basis",
    "keywords",
    "note",
)
_GROUP_COLUMNS = ("name", "description", "legal_basis", "processing_days", "note")
# What a decree changes by date: shown with the day's values by every look-up, written by the job.
_IN_FORCE_COLUMNS = ("fee_vnd", "fee_varies", "fee_note", "processing_days", "processing_note")


def _update(row: Any, values: Mapping[str, Any], columns: Iterable[str]) -> None:
    # Only what differs is assigned, so a re-seed of unchanged data writes nothing.
    for column in columns:
        if getattr(row, column) != values[column]:
            setattr(row, column, values[column])


def upsert_procedure(values: Mapping[str, Any]) -> bool:
    """Create or update one procedure from catalogue data; True when it was created."""
    values = normalise(dict(values))
    check_form_schema(values["form_schema"])
    # A rule that could send a dossier to the wrong body stops the seed (routing.RoutingError).
    values["routing"] = routing.check(values, data.WARD_CODE)
    # The stored row as stored, not as a look-up of this session showed it (`_in_force`).
    procedure = db.session.scalar(
        select(Procedure)
        .where(Procedure.code == _code(values["code"]))
        .execution_options(populate_existing=True)
    )
    created = procedure is None
    if created:
        procedure = Procedure(code=values["code"], active=True)
        db.session.add(procedure)
    _update(procedure, values, _PROCEDURE_COLUMNS)
    folded = search_text(values["name"], values["field"], values["keywords"], values["code"])
    if procedure.name_folded != folded:
        procedure.name_folded = folded
    return created


def _in_force_values(
    procedure: Procedure, on: date | None, catalogue: data.Catalogue | None = None
) -> dict[str, Any] | None:
    """The fee and time limit the law files put in force `on` (today in Vietnam by default);
    None for a procedure the files no longer carry (withdrawn): it keeps its last values."""
    entry = (catalogue or data.load()).entry(procedure.code)
    return None if entry is None else normalise(data.in_force_values(entry, on))


def _in_force(procedure: Procedure, on: date | None = None) -> Procedure:
    """The row as a look-up shows it: with the fee and time limit in force `on`, set as if read
    from the database (`set_committed_value`), so that a look-up never writes. Writing them is the
    job's (`refresh_in_force`)."""
    values = _in_force_values(procedure, on)
    if values is not None:
        for column in _IN_FORCE_COLUMNS:
            if getattr(procedure, column) != values[column]:
                set_committed_value(procedure, column, values[column])
    return procedure


def refresh_in_force(on: date | None = None) -> int:
    """Write the fee and time limit in force `on` into every stored procedure (and group): the
    hourly job and `flask catalogue refresh` call it; how many rows changed. Flushes, never commits."""
    catalogue = data.load()
    # The stored values, not those a look-up of this session showed (`_in_force`).
    rows = db.session.scalars(select(Procedure).execution_options(populate_existing=True))
    changed = 0
    for procedure in rows:
        values = _in_force_values(procedure, on, catalogue)
        if values is not None and any(getattr(procedure, c) != values[c] for c in _IN_FORCE_COLUMNS):
            _update(procedure, values, _IN_FORCE_COLUMNS)
            changed += 1
    for group in db.session.scalars(select(ProcedureGroup)):
        written = next((g for g in catalogue.groups if g["code"] == group.code), None)
        days = data.group_values(written, on)["processing_days"] if written else group.processing_days
        if group.processing_days != days:
            group.processing_days = days
            changed += 1
    db.session.flush()
    return changed


def upsert_group(values: Mapping[str, Any]) -> bool:
    """Create or update one group; its members are the given procedure codes, in order."""
    values = normalise(dict(values))
    group = db.session.scalar(select(ProcedureGroup).where(ProcedureGroup.code == values["code"]))
    created = group is None
    if created:
        group = ProcedureGroup(code=values["code"], active=True)
        db.session.add(group)
    _update(group, values, _GROUP_COLUMNS)
    wanted = [require_procedure(code, include_inactive=True) for code in values["procedure_codes"]]
    if [m.procedure_id for m in group.members] != [p.id for p in wanted]:
        group.members.clear()
        db.session.flush()  # free the positions before they are taken again
        group.members.extend(
            ProcedureGroupMember(procedure=procedure, position=position)
            for position, procedure in enumerate(wanted)
        )
    return created


def seed_catalogue(on: date | None = None) -> int:
    """Upsert the procedures and groups of the law's data files (api/law/data) by code, with
    the fees and time limits in force `on` (today in Vietnam by default).

    Returns how many rows (procedures and groups) were added; existing ones are brought up to
    date with the data. Flushes, never commits: the caller owns the transaction.
    """
    added = sum(upsert_procedure(values) for values in data.procedures_on(on))
    db.session.flush()
    added += sum(upsert_group(values) for values in data.groups_on(on))
    db.session.flush()
    return added


def refresh_in_force_job() -> int:
    """The scheduler's job (api/wiring.py): the stored catalogue brought to today's fees and time
    limits (its transaction commits them). Look-ups already show them; this keeps the stored copy
    (and every reader of the table) current from the first hour of the day a decree takes effect."""
    return refresh_in_force()
