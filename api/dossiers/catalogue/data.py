"""The procedure catalogue, read from the law's data files (api/law/data), in the shape the rest
of the catalogue uses.

The facts live in YAML, not here: `procedures/<code>.yaml` (one procedure each: documents, fees
and time limits as dated histories, authority, routing, legal basis, the form as JSON Schema),
`procedure_defs.yaml` (the form building blocks written once as `$defs`, and the Vietnamese
message of every pattern), `procedure_groups.yaml` (interconnected groups) and
`essential_services.yaml` (the 53 essential online services: ours, or information only). A
decree that changes a fee or a time limit is a new dated entry in a file, not a release.

This module checks what a schema cannot (a `$ref` to a block that exists, a message for every
pattern, a form that is valid JSON Schema once its blocks are inlined, a routing rule that fits
its form, groups and essential services naming procedures that exist), and raises
`LawDataError` naming the file. Forms are handed out self-contained: every `$ref` is replaced
by its block, so clients (the citizen app draws forms from them) need no resolver.

`procedures_on(day)` gives the procedures with the fee and time limit in force that day
(Vietnam calendar); `PROCEDURES` and `GROUPS` are the same for the day this module was imported
(kept for the demo and tests; the seed and the service ask for the day they need).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from api.dossiers.catalogue import routing
from api.law import LawDataError, in_force
from api.law.loader import DATA_DIR, read_from
from api.workdays import local_date

DEF_PREFIX = "#/$defs/"
# Keys a `$ref` may carry beside it: annotations only, so inlining the block and reading the
# `$ref` the JSON Schema way validate the same values.
REF_ANNOTATIONS = frozenset({"title", "description", "examples"})


@dataclass(frozen=True)
class Catalogue:
    """Everything the law files say about procedures, checked and with forms inlined."""

    entries: tuple[dict[str, Any], ...]  # procedures as written (histories), form inlined
    groups: tuple[dict[str, Any], ...]
    essential: Mapping[str, Any]  # essential_services.yaml
    pattern_messages: Mapping[str, str]
    patterns: Mapping[str, str]  # name -> regex
    defs: Mapping[str, Any]  # the building blocks, inlined

    def entry(self, code: str) -> dict[str, Any] | None:
        return next((entry for entry in self.entries if entry["code"] == code), None)


# ---- reading and checking ----------------------------------------------------------------------


def load(data_dir: Path | None = None) -> Catalogue:
    """Read and check the catalogue's files (the real ones, cached, or a copy in `data_dir`)."""
    if data_dir is None:
        return _load_cached()
    return _load(Path(data_dir))


@cache
def _load_cached() -> Catalogue:
    return _load(DATA_DIR)


def _load(data_dir: Path) -> Catalogue:
    defs_file = read_from(data_dir, "procedure_defs")
    patterns = {p["name"]: p["regex"] for p in defs_file["patterns"]}
    messages = {p["regex"]: p["message"] for p in defs_file["patterns"]}
    where = data_dir / "procedure_defs.yaml"
    raw_defs = defs_file["$defs"]
    defs = {
        name: _inline(block, raw_defs, f"{where}: $defs/{name}", (name,)) for name, block in raw_defs.items()
    }
    _check_patterns(defs, messages, where)

    entries = []
    files = sorted((data_dir / "procedures").glob("*.yaml"))
    for path, raw in zip(files, read_from(data_dir, "procedures"), strict=True):
        entries.append(_procedure(path, raw, raw_defs, messages, patterns))
    codes = [entry["code"] for entry in entries]
    _unique(codes, data_dir / "procedures", "procedure code")

    groups_file = data_dir / "procedure_groups.yaml"
    groups = [copy.deepcopy(group) for group in read_from(data_dir, "procedure_groups")["groups"]]
    for group in groups:
        _check_history(group["time_limits"], f"{groups_file}: group {group['code']!r} time_limits")
        unknown = [code for code in group["procedure_codes"] if code not in codes]
        if unknown:
            raise LawDataError(f"{groups_file}: group {group['code']!r} names unknown procedures {unknown}")
    _unique([group["code"] for group in groups], groups_file, "group code")

    essential = read_from(data_dir, "essential_services")
    _check_essential(
        essential, codes, [group["code"] for group in groups], data_dir / "essential_services.yaml"
    )
    return Catalogue(
        entries=tuple(entries),
        groups=tuple(groups),
        essential=essential,
        pattern_messages=messages,
        patterns=patterns,
        defs=defs,
    )


def _procedure(
    path: Path, raw: Mapping[str, Any], raw_defs: Mapping[str, Any], messages: Mapping[str, str], patterns
) -> dict[str, Any]:
    entry = copy.deepcopy(dict(raw))
    code = entry["code"]
    if path.stem != code:
        raise LawDataError(f"{path}: the file of procedure {code!r} must be named {code}.yaml")
    form = _inline(entry["form"], raw_defs, f"{path}: form", ())
    try:
        Draft202012Validator.check_schema(form)
    except SchemaError as invalid:
        place = "/".join(str(part) for part in invalid.absolute_path)
        raise LawDataError(
            f"{path}: form is not valid JSON Schema at {place}: {invalid.message}"
        ) from invalid
    _check_patterns({"form": form}, messages, path)
    entry["form"] = form
    _check_history(entry["fees"], f"{path}: fees")
    _check_history(entry["time_limits"], f"{path}: time_limits")
    try:
        routing.check({**entry, "form_schema": form}, patterns["ward_code"])
    except routing.RoutingError as wrong:
        raise LawDataError(f"{path}: {wrong}") from wrong
    return entry


def _inline(node: Any, raw_defs: Mapping[str, Any], where: str, seen: tuple[str, ...]) -> Any:
    """`node` with every `{"$ref": "#/$defs/x", title...}` replaced by block x (its own refs
    inlined too) and the annotations written beside the `$ref`."""
    if isinstance(node, list):
        return [_inline(item, raw_defs, where, seen) for item in node]
    if not isinstance(node, Mapping):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        name = ref[len(DEF_PREFIX) :] if isinstance(ref, str) and ref.startswith(DEF_PREFIX) else None
        if name is None or name not in raw_defs:
            raise LawDataError(f"{where}: $ref {ref!r} names no block of procedure_defs.yaml")
        if name in seen:
            raise LawDataError(f"{where}: block {name!r} refers to itself")
        extra = set(node) - {"$ref"} - REF_ANNOTATIONS
        if extra:
            raise LawDataError(
                f"{where}: beside $ref {ref!r} only {sorted(REF_ANNOTATIONS)}, not {sorted(extra)}"
            )
        block = _inline(raw_defs[name], raw_defs, where, (*seen, name))
        return {**block, **{key: value for key, value in node.items() if key != "$ref"}}
    return {key: _inline(value, raw_defs, where, seen) for key, value in node.items()}


def _patterns_in(node: Any) -> Iterable[str]:
    if isinstance(node, Mapping):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from _patterns_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns_in(value)


def _check_patterns(node: Any, messages: Mapping[str, str], where: Path) -> None:
    for pattern in _patterns_in(node):
        if pattern not in messages:
            raise LawDataError(
                f"{where}: pattern {pattern!r} has no Vietnamese message: add it to procedure_defs.yaml patterns"
            )


def _check_history(history: Sequence[Mapping[str, Any]], where: str) -> None:
    days = [entry["effective_from"] for entry in history]
    if len(set(days)) != len(days):
        raise LawDataError(f"{where}: two entries take effect the same day")
    for entry in history:
        until = entry.get("effective_until")
        if until is not None and until < entry["effective_from"]:
            raise LawDataError(f"{where}: entry of {entry['effective_from']} ends before it starts")


def _unique(values: Sequence[str], where: Path, what: str) -> None:
    doubles = sorted({value for value in values if values.count(value) > 1})
    if doubles:
        raise LawDataError(f"{where}: {what} written twice: {doubles}")


def _check_essential(
    essential: Mapping[str, Any], codes: Sequence[str], groups: Sequence[str], where: Path
) -> None:
    services = essential["services"]
    numbers = [service["number"] for service in services]
    if numbers != list(range(1, len(services) + 1)):
        raise LawDataError(f"{where}: services must be numbered 1..{len(services)} in order")
    _unique([service["name"] for service in services], where, "essential service name")
    linked = [service.get("procedure") or service.get("group") for service in services]
    _unique([link for link in linked if link], where, "essential service link")
    information = [service["code"] for service in services if "code" in service]
    _unique(information, where, "information code")
    for service in services:
        if "procedure" in service and service["procedure"] not in codes:
            raise LawDataError(
                f"{where}: service {service['number']} names unknown procedure {service['procedure']!r}"
            )
        if "group" in service and service["group"] not in groups:
            raise LawDataError(
                f"{where}: service {service['number']} names unknown group {service['group']!r}"
            )
        if service.get("code") in (*codes, *groups):
            raise LawDataError(
                f"{where}: service {service['number']} is information only but {service['code']!r} is a procedure"
                " or group of the catalogue: link it with `procedure:` or `group:`"
            )


# ---- the catalogue on a given day --------------------------------------------------------------


def today() -> date:
    return local_date(datetime.now(UTC))


def _applying(history: Sequence[Mapping[str, Any]], on: date, where: str) -> Mapping[str, Any]:
    entry = in_force(history, on)
    if entry is None:
        raise LawDataError(f"{where}: nothing in force on {on.isoformat()}")
    return entry


def in_force_values(entry: Mapping[str, Any], on: date | None = None) -> dict[str, Any]:
    """The fee and time limit of a procedure entry that apply on `on` (today in Vietnam by
    default), in the columns' names."""
    day = on or today()
    fee = _applying(entry["fees"], day, f"procedure {entry['code']!r} fees")
    limit = _applying(entry["time_limits"], day, f"procedure {entry['code']!r} time_limits")
    return {
        "fee_vnd": fee["fee_vnd"],
        "fee_varies": fee["varies"],
        "fee_note": fee["note"],
        "processing_days": limit["working_days"],
        "processing_note": limit["note"],
    }


def procedure_values(entry: Mapping[str, Any], on: date | None = None) -> dict[str, Any]:
    """One procedure in the shape of the `procedures` table (and of the old data.py), with the
    values in force on `on`; `verified` and `source` ride along for whoever shows them."""
    return {
        "code": entry["code"],
        "name": entry["name"],
        "field": entry["field"],
        "description": entry["description"],
        "online_level": entry["online_level"],
        "documents": copy.deepcopy(entry["documents"]),
        "form_schema": copy.deepcopy(entry["form"]),
        **in_force_values(entry, on),
        "authority": entry["authority"],
        "authority_name": entry["authority_name"],
        "routing": copy.deepcopy(entry["routing"]),
        "legal_basis": entry["legal_basis"],
        "keywords": list(entry["keywords"]),
        "note": entry["note"],
        "verified": entry["verified"],
        "source": entry["source"],
    }


def group_values(group: Mapping[str, Any], on: date | None = None) -> dict[str, Any]:
    limit = in_force(group["time_limits"], on or today())
    return {
        "code": group["code"],
        "name": group["name"],
        "description": group["description"],
        "legal_basis": group["legal_basis"],
        "processing_days": limit["working_days"] if limit else None,
        "note": group["note"],
        "procedure_codes": list(group["procedure_codes"]),
    }


def procedures_on(on: date | None = None, catalogue: Catalogue | None = None) -> tuple[dict[str, Any], ...]:
    """Every procedure the app takes applications for, as it stands on `on`."""
    catalogue = catalogue or load()
    return tuple(procedure_values(entry, on) for entry in catalogue.entries)


def groups_on(on: date | None = None, catalogue: Catalogue | None = None) -> tuple[dict[str, Any], ...]:
    catalogue = catalogue or load()
    return tuple(group_values(group, on) for group in catalogue.groups)


def essential_services(catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """The 53 essential services, each either offered (`procedure_code` or `group_code`) or
    information only (`offered_online` false, with the note a citizen reads)."""
    catalogue = catalogue or load()
    listing = catalogue.essential
    services = []
    for service in listing["services"]:
        offered = "procedure" in service or "group" in service
        services.append(
            {
                "number": service["number"],
                "name": service["name"],
                "offered_online": offered,
                "procedure_code": service.get("procedure"),
                "group_code": service.get("group"),
                "code": service.get("code") or service.get("procedure") or service.get("group"),
                "field": service.get("field"),
                "authority": service.get("authority"),
                "authority_name": service.get("authority_name"),
                "legal_basis": service.get("legal_basis"),
                # Offered ones were checked when they became procedures; information-only ones
                # are as verified as the list itself.
                "verified": bool(offered or listing["verified"]),
                "source": listing["source"],
                "note": None
                if offered
                else " ".join(filter(None, (listing["information_note"], service.get("note")))),
            }
        )
    return services


# ---- the names the rest of the code used from the old data.py ---------------------------------

_CATALOGUE = load()
PATTERN_MESSAGES: dict[str, str] = dict(_CATALOGUE.pattern_messages)
WARD_CODE: str = _CATALOGUE.patterns["ward_code"]
PROCEDURES: tuple[dict[str, Any], ...] = procedures_on(catalogue=_CATALOGUE)
GROUPS: tuple[dict[str, Any], ...] = groups_on(catalogue=_CATALOGUE)
KHAI_SINH: dict[str, Any] = next(p for p in PROCEDURES if p["code"] == "khai-sinh")
# Choices other modules fill demo forms with (api/dossiers/demo.py, tests).
RESIDENCE_BASIS: list[str] = list(
    _CATALOGUE.entry("thuong-tru")["form"]["properties"]["residence_basis"]["enum"]
)
TAM_VANG_CASES: list[str] = list(_CATALOGUE.entry("tam-vang")["form"]["properties"]["case"]["enum"])
RECEIVE: list[str] = list(_CATALOGUE.defs["receive_method"]["enum"])
