"""Reading and checking the law's data files (see the package's docstring)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from api.workdays import local_date

LAW_ROOT = Path(__file__).resolve().parent
DATA_DIR = LAW_ROOT / "data"
SCHEMA_DIR = LAW_ROOT / "schemas"


class LawDataError(RuntimeError):
    """A law data file is missing or does not match its schema: the product must not start."""


def _schema(name: str) -> dict[str, Any]:
    path = SCHEMA_DIR / f"{name}.schema.json"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise LawDataError(f"law data {name!r} has no schema at {path}") from missing
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _registry() -> Registry:
    """Every schema with an `$id`, so one schema may `$ref` another ("procedures.schema.json#/...")."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in schema:
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def read(name: str) -> Any:
    """The content of `data/<name>.yaml` (or of every file of `data/<name>/`, as a list), checked
    against its schema. Cached: the files change with a deployment, not while the process runs."""
    return read_from(DATA_DIR, name)


def read_from(data_dir: Path, name: str) -> Any:
    """`read` from another directory, not cached: for checking a copy of the data (tests, a
    reviewer's draft of a new decree) before it replaces the real files."""
    single = data_dir / f"{name}.yaml"
    folder = data_dir / name
    files: list[Path] = []
    if single.is_file():
        content = _load_yaml(single)
    elif folder.is_dir():
        files = sorted(folder.glob("*.yaml"))
        content = [_load_yaml(path) for path in files]
    else:
        raise LawDataError(f"law data {name!r}: neither {single} nor {folder}/ exists")
    validator = Draft202012Validator(
        _schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER, registry=_registry()
    )
    errors = sorted(validator.iter_errors(content), key=lambda error: [str(p) for p in error.absolute_path])
    if errors:
        where = single if not files else folder
        raise LawDataError(
            f"law data {name!r} ({where}) does not match its schema:\n"
            + "\n".join(_describe(error, files) for error in errors[:20])
        )
    return content


def _load_yaml(path: Path) -> Any:
    # Dates stay strings ("2025-07-01"): JSON Schema checks them with `format: date`, and
    # in_force compares them as ISO strings, which order like the days they name.
    class _NoDates(yaml.SafeLoader):
        pass

    _NoDates.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    with path.open(encoding="utf-8") as stream:
        try:
            return yaml.load(stream, Loader=_NoDates)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as broken:
            raise LawDataError(f"{path}: not valid YAML: {broken}") from broken


def _describe(error: ValidationError, files: Sequence[Path] = ()) -> str:
    parts = [str(part) for part in error.absolute_path]
    if files and parts:
        # A folder is read as a list, one item per file: name the file, not its index.
        parts[0] = files[int(parts[0])].name
    place = "/".join(parts) or "(the whole file)"
    return f"  at {place}: {error.message}"


def in_force(history: Sequence[Mapping[str, Any]], on: date | None = None) -> Mapping[str, Any] | None:
    """The entry of a dated history that applies on `on` (today in Vietnam by default): the
    latest whose `effective_from` is not after that day, and whose `effective_until`, if any, is
    not before it. None when nothing applies yet (or any more)."""
    day = (on or local_date(datetime.now(UTC))).isoformat()
    applying = [
        entry
        for entry in history
        if entry["effective_from"] <= day
        and (entry.get("effective_until") is None or day <= entry["effective_until"])
    ]
    return max(applying, key=lambda entry: entry["effective_from"], default=None)


def check_all() -> list[str]:
    """Read and check every data file (the API calls this at start): the names checked."""
    names = sorted(
        {path.stem for path in DATA_DIR.glob("*.yaml")}
        | {path.name for path in DATA_DIR.iterdir() if path.is_dir()}
    )
    for name in names:
        read(name)
    return names
