"""The records import on PostgreSQL: COPY into a staging table, then the cleaning rules as SQL.

The rules are those of cleaning.py, in the same order, with the same reason codes, fields and
Vietnamese messages; tests/records runs every one of them on SQLite (the Python path) and on
PostgreSQL (this one). What Python does per row, PostgreSQL does here per batch, set-based:

1. A cheap Python pass reads the file (csv.reader / json.loads: C speed, no per-field rule) and
   COPYs each row into a TEMP staging table, all text, with its line number. What COPY could not
   take becomes a reject right there: a CSV line with the wrong number of cells, a line that is
   not JSON or not an object (`bad_line`). Bytes that are not UTF-8 were decoded to U+FFFD and
   are caught by the encoding rule, with the field at fault, as in Python; so are U+0000 and
   lone surrogates from JSON escapes. A JSON fraction or exponent is staged as Python reads it,
   a float (jsonb alone would make 1e3 the integer 1000: see _floats).
2. `records_persons`: the people each row names (a certificate's owners, split from the "|"
   cells or taken from the JSON array; the person of a health or labour row), each checked like
   cleaning.clean_person, then matched to the registry like cleaning.match_person.
3. `records_checked`: one statement per batch computes each row's verdict, a CASE whose branches
   are the rules in Python's order (the first failing rule wins: [code, field, message]), and
   the cleaned values, the digest (CleanRow.digest, same text, same MD5) and the stored row's
   id and digest.
4. Duplicates (the first valid row per source_id wins, by line, across batches via
   `records_seen`), then the writes: INSERT ... ON CONFLICT (source, source_id) for new and
   changed rows, the owners of changed certificates replaced, `synced_at` moved on for the
   unchanged ones (it means "last confirmed by the source").

The statements are built once per import from small functions, one per rule of cleaning.py (each
says which), as three nested layers: raw values, derived values (tidied text, parsed dates and
numbers, each computed once: OFFSET 0 keeps PostgreSQL from inlining them into every rule that
reads them), the verdict. Only constants of our own (codes, the ward and province catalogues,
today's date) are written into the SQL, as quoted literals; the file's data travels by COPY.
"""

# ruff: noqa: S608 (the SQL is built from our own names and constants, quoted by `lit`; the data goes by COPY)
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from heapq import merge

import psycopg

from api.citizens.cccd import PROVINCE_CODES
from api.citizens.models import Citizen
from api.dbtypes import utcnow
from api.extensions import db
from api.records import cleaning
from api.records.connectors import (
    CSV_COLUMNS,
    Connector,
    FileConnector,
    check_csv_header,
    parse_json_line,
)
from api.records.models import (
    CONDITION,
    HEALTH,
    HEALTH_KINDS,
    INSURANCE_CARD,
    LABOUR,
    LAND,
    VACCINATION,
    VISIT,
    HealthRecord,
    LabourRecord,
    LandCertificate,
    LandCertificateOwner,
)
from api.records.service import ImportReport, Rejected
from api.units import service as units

# ---- SQL text of our own constants -------------------------------------------------------------


def lit(value: str | int) -> str:
    """A SQL literal for one of our own constants (standard_conforming_strings: no backslash escapes)."""
    if isinstance(value, int):
        return str(value)
    if "\x00" in value:
        raise ValueError("PostgreSQL text cannot hold U+0000")
    return "'" + value.replace("'", "''") + "'"


def array(values) -> str:
    return "ARRAY[" + ", ".join(lit(v) for v in values) + "]::text[]"


WS = lit(cleaning.WHITESPACE)  # btrim's characters: what Python's str.strip() strips
_WS_CLASS = "[" + cleaning.WHITESPACE + "]"
# A row is "dirty" when any of its texts might need more than a look: not NFC, untidy spaces
# (the cells are joined by " | ", so a leading or trailing space of a cell shows as two spaces),
# a control character, U+FFFD or mojibake. Most rows are clean and skip the per-field work.
_DIRTY = lit(
    f"{cleaning.BROKEN_SQL}|{cleaning.MOJIBAKE}|{_WS_CLASS}{_WS_CLASS}"
    f"|[{cleaning.WHITESPACE.replace(' ', '')}]|^{_WS_CLASS}|{_WS_CLASS}$"
)
_BROKEN = lit(f"{cleaning.BROKEN_SQL}|{cleaning.MOJIBAKE}")  # cleaning.clean_text's encoding rule
_ISO_OR_VN_DATE = lit("^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}/[0-9]{2}/[0-9]{4})$")
# The same shapes with a month 01-12 and a day 01-31; whether the day exists is checked after.
_ISO_DAY = lit("^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_VN_DAY = lit("^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4}$")
# What PostgreSQL's numeric input takes without an error; cleaning.parse_decimal takes the same.
_NUMBER = lit(cleaning.NUMBER)


def _functions(unaccent: str) -> str:
    """Helpers for this session only (pg_temp), plain SQL so that PostgreSQL inlines them."""
    return f"""
CREATE OR REPLACE FUNCTION pg_temp.records_tidy(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  -- api.text.nfc: NFC, runs of whitespace to one space, stripped
  SELECT btrim(regexp_replace(normalize(t, NFC), {lit(_WS_CLASS + "+")}, ' ', 'g'), {WS}) $$;
CREATE OR REPLACE FUNCTION pg_temp.records_fold(t text) RETURNS text LANGUAGE sql STABLE AS $$
  -- api.text.fold: no accents (unaccent folds đ/Đ to d/D as fold does), lower case, single spaces
  SELECT btrim(regexp_replace(lower({unaccent}(t)), {lit(_WS_CLASS + "+")}, ' ', 'g'), {WS}) $$;
CREATE OR REPLACE FUNCTION pg_temp.records_mask(n text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  -- cleaning.mask_cccd
  SELECT left(n, 3) || '******' || right(n, 3) $$;
"""


def msg(template: str, *args: str) -> str:
    """format() of a Vietnamese message: `template` with {} where the SQL expressions `args` go."""
    return f"format({lit(template.replace('%', '%%').replace('{}', '%s'))}, {', '.join(args)})"


def both(*conditions: str | None) -> str:
    return " AND ".join(f"({c})" for c in conditions if c)


# ---- the rules --------------------------------------------------------------------------------


@dataclass
class Rules:
    """The rules of one statement in cleaning.py's order, and the values they derive.

    `json` says where the raw values come from: a JSON object (values may be numbers, lists...;
    `k_<name>` is the value's JSON kind) or a CSV row (always text, already stripped).
    """

    json: bool
    derived: dict[str, str] = field(default_factory=dict)
    rules: list[tuple[str, str]] = field(default_factory=list)  # (when, the verdict as text[])

    def derive(self, name: str, expression: str) -> str:
        self.derived.setdefault(name, expression)
        return name

    def derived_layers(self, source: str) -> str:
        """`source` (a SELECT) with the derived columns added, each computed once: a derived value
        that reads another one (the tidied text a date is parsed from) goes in the next layer."""
        level: dict[str, int] = {}
        for name, expression in self.derived.items():  # in order of definition: dependencies first
            used = [level[other] for other in level if re.search(rf"\b{other}\b", expression)]
            level[name] = 1 + max(used, default=0)
        select = source
        for depth in range(1, max(level.values(), default=0) + 1):
            columns = ", ".join(f"{self.derived[n]} AS {n}" for n in level if level[n] == depth)
            select = f"SELECT l{depth}.*, {columns}\n  FROM ({select} OFFSET 0) l{depth}"
        return select

    def fail(self, when: str, code: str, where: str, message: str) -> None:
        """A rule: rows for which `when` holds get [code, field, message], unless an earlier one failed."""
        self.rules.append((when, f"ARRAY[{lit(code)}, {where}, {message}]"))

    def take(self, verdict: str) -> None:
        """A verdict found by another statement (a person's), at this point of the order."""
        self.rules.append((f"{verdict} IS NOT NULL", verdict))

    def verdict(self) -> str:
        branches = "\n      ".join(f"WHEN {when} THEN {verdict}" for when, verdict in self.rules)
        return f"CASE\n      {branches}\n    END"

    def stripped(self, name: str) -> str:
        """str(value).strip(): CSV cells are stripped on the way in, JSON values here."""
        return self.derive(f"s_{name}", f"nullif(btrim(r_{name}, {WS}), '')" if self.json else f"r_{name}")


def field_name(prefix: str | None, name: str) -> str:
    return lit(name) if prefix is None else f"{prefix} || {lit(name)}"


def text_rule(
    q: Rules, name: str, where: str, *, max_length: int, required: bool = True, when: str | None = None
) -> str:
    """cleaning.clean_text: missing, not text, broken encoding, NFC and tidy spaces, too long."""
    raw = f"r_{name}"
    clean = q.derive(
        f"t_{name}", f"nullif(CASE WHEN dirty THEN pg_temp.records_tidy({raw}) ELSE {raw} END, '')"
    )
    if required:
        q.fail(both(when, f"{clean} IS NULL"), "missing_field", where, msg("Thiếu {}.", where))
    present = both(when, f"{clean} IS NOT NULL")
    if q.json:  # a JSON number is text ("12"); true/false, fractions, lists and objects are not
        q.fail(
            both(present, f"k_{name} NOT IN ('string', 'int')"),
            "invalid_value",
            where,
            msg("{} phải là chuỗi ký tự.", where),
        )
    q.fail(
        both(present, "dirty", f"{raw} ~ {_BROKEN}"),
        "broken_encoding",
        where,
        msg("{} bị lỗi mã hoá ký tự ('{}'); hãy xuất lại tệp với bảng mã UTF-8.", where, f"left({raw}, 40)"),
    )
    q.fail(
        both(present, f"char_length({clean}) > {max_length}"),
        "invalid_value",
        where,
        msg("{} dài quá " + str(max_length) + " ký tự.", where),
    )
    return clean


def name_rule(q: Rules, name: str, where: str) -> str:
    """cleaning.clean_name: a name of at most 120 characters, without digits."""
    clean = text_rule(q, name, where, max_length=120)
    q.fail(f"{clean} ~ '[0-9]'", "invalid_value", where, msg("Họ tên '{}' có chữ số.", clean))
    return clean


def date_rule(
    q: Rules,
    name: str,
    where: str,
    *,
    required: bool = True,
    when: str | None = None,
    future_ok: bool = False,
    today: date,
) -> str:
    """cleaning.parse_date (or, with future_ok, _future_ok_date: clean_text first, no range)."""
    text = text_rule(q, name, where, max_length=20, when=when) if future_ok else q.stripped(name)
    # datetime.date(y, m, d) without an exception: the text rearranged to YYYY-MM-DD, then cast
    # only when that day exists (day 29-31 checked against the month, 29/02 against leap years)
    iso = q.derive(
        f"iso_{name}",
        f"CASE WHEN {text} ~ {_ISO_DAY} THEN {text} WHEN {text} ~ {_VN_DAY} THEN "
        f"substr({text}, 7, 4) || '-' || substr({text}, 4, 2) || '-' || substr({text}, 1, 2) END",
    )
    day, month, year = (f'substr({iso}, {a}, {n}) COLLATE "C"' for a, n in ((9, 2), (6, 2), (1, 4)))
    leap = f"(substr({iso}, 1, 4)::int % 4 = 0 AND (substr({iso}, 1, 4)::int % 100 <> 0 OR substr({iso}, 1, 4)::int % 400 = 0))"
    last = (
        f"CASE {month} WHEN '02' THEN CASE WHEN {leap} THEN '29' ELSE '28' END "
        "WHEN '04' THEN '30' WHEN '06' THEN '30' WHEN '09' THEN '30' WHEN '11' THEN '30' ELSE '31' END"
    )
    parsed = q.derive(
        f"d_{name}", f"CASE WHEN {year} > '0000' AND ({day} < '29' OR {day} <= {last}) THEN {iso}::date END"
    )
    if required and not future_ok:
        q.fail(both(when, f"{text} IS NULL"), "missing_field", where, msg("Thiếu {}.", where))
    bad = both(when, f"{parsed} IS NULL", f"{text} IS NOT NULL")
    q.fail(
        both(bad, f"{text} !~ {_ISO_OR_VN_DATE}"),
        "bad_date",
        where,
        msg("{} '{}' không đúng dạng YYYY-MM-DD hoặc DD/MM/YYYY.", where, f"left({text}, 20)"),
    )
    q.fail(bad, "bad_date", where, msg("{} '{}' không phải một ngày có thật.", where, text))
    if not future_ok:
        q.fail(
            both(when, f"({parsed} < DATE '1900-01-01' OR {parsed} > DATE {lit(today.isoformat())})"),
            "bad_date",
            where,
            msg("{} '{}' nằm ngoài khoảng hợp lý.", where, text),
        )
    return parsed


def decimal_rule(q: Rules, name: str, where: str, *, places: int) -> str:
    """cleaning.parse_decimal: a positive number below 10^10, at most `places` decimals, "120,5" = 120.5."""
    text = q.stripped(name)
    number = q.derive(
        f"n_{name}",
        f"CASE WHEN replace({text}, ',', '.') ~ {_NUMBER} THEN replace({text}, ',', '.')::numeric END",
    )
    q.fail(f"{text} IS NULL", "missing_field", where, msg("Thiếu {}.", where))
    if q.json:
        q.fail(
            f"k_{name} NOT IN ('string', 'int', 'float')",
            "invalid_value",
            where,
            msg("{} phải là số.", where),
        )
    q.fail(
        f"{number} IS NULL",
        "invalid_value",
        where,
        msg("{} '{}' không phải là số.", where, f"left(replace({text}, ',', '.'), 20)"),
    )
    q.fail(f"{number} <= 0 OR {number} >= 1e10", "invalid_value", where, msg("{} phải là số dương.", where))
    q.fail(
        f"scale({number}) > {places}",
        "invalid_value",
        where,
        msg("{} có nhiều hơn " + str(places) + " chữ số thập phân.", where),
    )
    return f"round({number}, {places})"


def int_rule(q: Rules, name: str, where: str, *, low: int, high: int, when: str | None = None) -> str:
    """cleaning.parse_int: a whole number (a JSON integer or digits) from `low` to `high`."""
    text = q.stripped(name)
    digits = f"{text} ~ '^[0-9]+$'"
    whole = f"(k_{name} = 'int' OR (k_{name} = 'string' AND {digits}))" if q.json else digits
    number = q.derive(
        f"i_{name}", f"CASE WHEN {whole} AND length(ltrim({text}, '-')) <= 9 THEN {text}::int END"
    )
    q.fail(both(when, f"{text} IS NULL"), "missing_field", where, msg("Thiếu {}.", where))
    q.fail(both(when, f"NOT {whole}"), "invalid_value", where, msg("{} phải là số nguyên.", where))
    q.fail(
        both(when, f"{number} IS NULL OR {number} NOT BETWEEN {low} AND {high}"),
        "invalid_value",
        where,
        msg("{} phải từ " + str(low) + " đến " + str(high) + ".", where),
    )
    return number


def pattern_rule(
    q: Rules, name: str, where: str, pattern: re.Pattern, what: str, *, required=True, when=None
) -> str:
    """cleaning.match_pattern: clean text, upper case ("j06.9" is J06.9), the code's format."""
    clean = text_rule(q, name, where, max_length=40, required=required, when=when)
    upper = q.derive(f"u_{name}", f"upper({clean})")
    q.fail(
        both(when, f"{upper} IS NOT NULL", f"{upper} !~ {lit(pattern.pattern)}"),
        "invalid_value",
        where,
        msg("{} '{}' không đúng dạng " + what + ".", where, upper),
    )
    return upper


def cccd_rule(q: Rules, where: str, born: str) -> str:
    """cleaning.clean_cccd (api.citizens.cccd.parse and validate): 12 digits, a province code,
    the century/sex digit and the year digits agreeing with the date of birth."""
    clean = text_rule(q, "cccd", where, max_length=20)
    number = q.derive("n_cccd", f"replace({clean}, ' ', '')")
    q.fail(
        f"{number} !~ '^[0-9]{{12}}$'",
        "invalid_cccd",
        where,
        msg("{}: Số căn cước phải gồm đúng 12 chữ số.", where),
    )
    q.fail(
        f"NOT (left({number}, 3) = ANY({array(sorted(PROVINCE_CODES))}))",
        "invalid_cccd",
        where,
        msg("{}: Mã tỉnh nơi đăng ký khai sinh '{}' không tồn tại.", where, f"left({number}, 3)"),
    )
    year = f"(1900 + substr({number}, 4, 1)::int / 2 * 100 + substr({number}, 5, 2)::int)"
    q.fail(
        f"{year} <> extract(year FROM {born})",
        "cccd_birth_mismatch",
        where,
        msg(
            "{}: Số căn cước cho biết năm sinh {}, không khớp với ngày sinh {}.",
            where,
            year,
            f"to_char({born}, 'DD/MM/YYYY')",
        ),
    )
    return number


def unknown_fields_rule(q: Rules, unknown: str, where: str | None = None) -> None:
    """cleaning._check_fields: `unknown` is the sorted list of fields the row may not have."""
    q.fail(
        f"{unknown} IS NOT NULL",
        "unknown_field",
        where or f"split_part({unknown}, ', ', 1)",
        msg("Trường không được phép: {}.", unknown),
    )


def _unknown_keys(doc: str, allowed) -> str:
    """The keys of a JSON object outside `allowed`, sorted as Python sorts them, or NULL."""
    rest = f"({doc} - {array(allowed)})"
    return (
        f"CASE WHEN jsonb_typeof({doc}) = 'object' AND {rest} <> '{{}}'::jsonb THEN "
        f"(SELECT string_agg(k, ', ' ORDER BY k COLLATE \"C\") FROM jsonb_object_keys({rest}) k) END"
    )


def _json_kind(value: str, path: str) -> str:
    """Python's view of a JSON value: string, int, float, boolean, array, object, null.

    A fraction or an exponent (1e3, 2E0) is a float to Python's json, but jsonb would keep 1e3 as
    the number 1000: the stager stages such a value as its Python text ("1000.0") and lists its
    `path` in `floats` (see _Stager), so a float is what Python says it is.
    """
    return (
        f"CASE WHEN s.floats IS NOT NULL AND {path} = ANY(s.floats) THEN 'float' "
        f"ELSE CASE jsonb_typeof({value}) WHEN 'number' THEN CASE WHEN ({value} #>> '{{}}') ~ '^-?[0-9]+$' "
        f"THEN 'int' ELSE 'float' END ELSE jsonb_typeof({value}) END END"
    )


def _dirty(columns) -> str:
    """The row's texts need a close look (see _DIRTY); `nfc` is the Python pass's finding."""
    joined = f"concat_ws(' | ', {', '.join(columns)})"
    return f"(NOT (s.nfc OR {joined} IS NFC NORMALIZED) OR {joined} ~ {_DIRTY})"


def _layers(raw_select: str, q: Rules, outputs: list[str]) -> str:
    """raw values -> derived values (computed once) -> the verdict and outputs."""
    return (
        f"SELECT {', '.join(outputs)},\n    {q.verdict()} AS verdict\n"
        f"FROM ({q.derived_layers(raw_select)} OFFSET 0) x"
    )


# ---- what a record type stages and stores -----------------------------------------------------


PERSON_FIELDS = cleaning.PERSON_FIELDS
_PERSON_CSV = {LAND: ("owner_cccd", "owner_full_name", "owner_date_of_birth")}


@dataclass(frozen=True)
class _Type:
    record_type: str
    fields: tuple[str, ...]  # of a JSON object
    table: str
    owners: str | None = None  # land: the owners table


_TYPES = {
    LAND: _Type(
        LAND, cleaning.LAND_FIELDS, LandCertificate.__tablename__, LandCertificateOwner.__tablename__
    ),
    HEALTH: _Type(HEALTH, cleaning.HEALTH_FIELDS, HealthRecord.__tablename__),
    LABOUR: _Type(LABOUR, cleaning.LABOUR_FIELDS, LabourRecord.__tablename__),
}


def _raw(json_rows: bool, names) -> list[str]:
    """The raw value of each field (and, for JSON, its kind) as `r_<name>` / `k_<name>`."""
    if json_rows:
        return [f"s.doc ->> {lit(n)} AS r_{n}" for n in names] + [
            f"{_json_kind(f's.doc -> {lit(n)}', lit(n))} AS k_{n}" for n in names
        ]
    return [f"nullif(btrim(s.{n}, {WS}), '') AS r_{n}" for n in names]


def _owner_count(*, json_rows: bool) -> str:
    """How many owners connectors._with_owners makes of a CSV row: the longest "|" list."""
    cells = [f"nullif(btrim(s.{c}, {WS}), '')" for c in _PERSON_CSV[LAND]]
    single = f"(coalesce({', '.join(cells)}) IS NOT NULL)::int"
    longest = (
        "greatest(" + ", ".join(f"coalesce(cardinality(string_to_array({c}, '|')), 0)" for c in cells) + ")"
    )
    return f"CASE WHEN strpos(concat({', '.join(f's.{c}' for c in _PERSON_CSV[LAND])}), '|') = 0 THEN {single} ELSE {longest} END"


def _owner_path(name: str) -> str:
    """The path _Stager lists an owner's float under: "owners.<position>.<name>"."""
    return "'owners.' || (e.i - 1) || " + lit("." + name)


def persons_sql(kind: _Type, json_rows: bool, unaccent: str, today: date) -> str:
    """records_persons: every person a row names, checked (clean_person) and matched (match_person)."""
    q = Rules(json_rows)
    prefix = "prefix"
    if kind.record_type == LAND and json_rows:
        # owners: a JSON array of objects; rows whose owners are missing or too many are refused
        # before their owners are looked at (clean_land), so they have none here
        owners = "s.doc -> 'owners'"
        raw = (
            f"SELECT s.line, s.nfc, e.i - 1 AS position, 'owners.' || (e.i - 1) || '.' AS prefix, "
            f"jsonb_typeof(e.o) AS object_kind, {_unknown_keys('e.o', PERSON_FIELDS)} AS unknown, "
            + ", ".join(
                f"e.o ->> {lit(n)} AS r_{n}, {_json_kind(f'e.o -> {lit(n)}', _owner_path(n))} AS k_{n}"
                for n in PERSON_FIELDS
            )
            + f" FROM records_stage s CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN "
            f"jsonb_typeof({owners}) = 'array' AND jsonb_array_length({owners}) <= {cleaning.MAX_OWNERS} "
            f"THEN {owners} ELSE '[]'::jsonb END) WITH ORDINALITY e(o, i)"
        )
        q.fail(
            "object_kind <> 'object'",
            "invalid_value",
            "'owners.' || position",
            lit("Mỗi chủ sử dụng phải là một đối tượng."),
        )
        unknown_fields_rule(q, "unknown")
    elif kind.record_type == LAND:
        # connectors._with_owners: the "|"-separated parallel cells, as many owners as the longest
        # (unnest pads the shorter ones with NULL: that owner's field is missing). Most
        # certificates have one owner and no "|": they skip the arrays.
        cells = [f"nullif(btrim(s.{c}, {WS}), '')" for c in _PERSON_CSV[LAND]]
        single = f"strpos(concat({', '.join(f's.{c}' for c in _PERSON_CSV[LAND])}), '|') = 0"
        arrays = ", ".join(f"string_to_array({cell}, '|')" for cell in cells)
        raw = (
            "SELECT s.line, s.nfc, 0 AS position, 'owners.0.' AS prefix, "
            + ", ".join(f"{cell} AS r_{n}" for cell, n in zip(cells, PERSON_FIELDS, strict=True))
            + f" FROM records_stage s WHERE {single} AND coalesce({', '.join(cells)}) IS NOT NULL"
            + " UNION ALL SELECT s.line, s.nfc, u.i - 1, 'owners.' || (u.i - 1) || '.', "
            + ", ".join(f"nullif(btrim(u.{n}, {WS}), '')" for n in PERSON_FIELDS)
            + f" FROM records_stage s CROSS JOIN LATERAL unnest({arrays}) WITH ORDINALITY"
            + f" u({', '.join(PERSON_FIELDS)}, i) WHERE NOT {single} AND {_owner_count(json_rows=False)} <= {cleaning.MAX_OWNERS}"
        )
    else:
        raw = (
            "SELECT s.line, s.nfc, 0 AS position, '' AS prefix, "
            + ", ".join(_raw(json_rows, PERSON_FIELDS))
            + (" FROM records_stage s")
        )
    # OFFSET 0: the raw values are computed once, not again inside the dirty check
    raw = f"SELECT s.*, {_dirty(f'r_{n}' for n in PERSON_FIELDS)} AS dirty FROM ({raw} OFFSET 0) s"
    # clean_person: the name, the date of birth, then the CCCD against it
    name = name_rule(q, "full_name", field_name(prefix, "full_name"))
    born = date_rule(q, "date_of_birth", field_name(prefix, "date_of_birth"), today=today)
    number = cccd_rule(q, field_name(prefix, "cccd"), born)
    checked = _layers(
        raw,
        q,
        [
            "line",
            "position",
            "prefix",
            f"{number} AS cccd",
            f"{name} AS full_name",
            f"{born} AS date_of_birth",
        ],
    )
    # match_person: same CCCD in the registry, then the same date of birth, then the same name
    # folded (accents, case, spaces), the exact name tried first as it is the usual case
    citizens = Citizen.__tablename__
    cccd_field, born_field, name_field = (
        field_name("p.prefix", n) for n in ("cccd", "date_of_birth", "full_name")
    )
    masked = "pg_temp.records_mask(p.cccd)"
    match = f"""CASE
      WHEN c.id IS NULL THEN ARRAY['citizen_not_found', {cccd_field}, {msg("Không có người mang số căn cước {} trong cơ sở dữ liệu dân cư.", masked)}]
      WHEN c.date_of_birth <> p.date_of_birth THEN ARRAY['birth_date_mismatch', {born_field}, {msg("Ngày sinh {} khác với cơ sở dữ liệu dân cư của số căn cước {}.", "to_char(p.date_of_birth, 'DD/MM/YYYY')", masked)}]
      WHEN NOT (c.full_name = p.full_name OR lower({unaccent}(c.full_name)) = lower({unaccent}(p.full_name))
          OR pg_temp.records_fold(c.full_name) = pg_temp.records_fold(p.full_name))
        THEN ARRAY['name_mismatch', {name_field}, {msg("Họ tên '{}' khác với cơ sở dữ liệu dân cư của số căn cước {}.", "p.full_name", masked)}]
    END"""
    return f"""INSERT INTO records_persons
SELECT p.line, p.position, p.cccd, p.full_name, p.date_of_birth, p.verdict,
    CASE WHEN p.verdict IS NULL THEN {match} END AS mismatch, c.id AS citizen_id
FROM ({checked}) p LEFT JOIN {citizens} c ON c.cccd = p.cccd AND p.verdict IS NULL"""


def checked_sql(kind: _Type, json_rows: bool, source: str, today: date) -> str:
    """records_checked: each row's verdict (the first failing rule), its cleaned values, digest."""
    q = Rules(json_rows)
    names = [n for n in kind.fields if n != "owners" and (kind.record_type == LAND or n not in PERSON_FIELDS)]
    extra = []
    if json_rows:
        extra.append(f"{_unknown_keys('s.doc', kind.fields)} AS unknown")
        unknown_fields_rule(q, "unknown")
    values: dict[str, str] = {}
    if kind.record_type == LAND:
        # clean_land: the status first (its aliases folded), then the owners, then the values
        status = text_rule(q, "status", lit("status"), max_length=30)
        aliases = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in cleaning._STATUS_ALIASES.items())
        canonical = q.derive(
            "status_code",
            f"CASE WHEN {status} IN ('valid', 'mortgaged', 'revoked') THEN {status} "
            f"ELSE CASE pg_temp.records_fold({status}) {aliases} END END",
        )
        q.fail(
            f"{canonical} IS NULL",
            "invalid_value",
            lit("status"),
            msg("Tình trạng '{}' không thuộc: còn hiệu lực, đang thế chấp, đã thu hồi.", status),
        )
        if json_rows:
            owners = "s.doc -> 'owners'"
            extra.append(
                f"CASE WHEN jsonb_typeof({owners}) = 'array' THEN jsonb_array_length({owners}) ELSE 0 END AS owner_count"
            )
        else:
            extra.append(f"{_owner_count(json_rows=False)} AS owner_count")
        q.fail(
            "owner_count = 0",
            "missing_field",
            lit("owners"),
            lit("Giấy chứng nhận phải có ít nhất một chủ sử dụng (owners)."),
        )
        q.fail(
            f"owner_count > {cleaning.MAX_OWNERS}",
            "invalid_value",
            lit("owners"),
            lit(f"Quá {cleaning.MAX_OWNERS} chủ sử dụng."),
        )
        q.take("p_verdict")  # the first owner clean_person refused
        q.fail(
            "p_twice",
            "invalid_value",
            lit("owners"),
            lit("Một người được ghi hai lần trong danh sách chủ sử dụng."),
        )
        values["certificate_number"] = text_rule(
            q, "certificate_number", lit("certificate_number"), max_length=40
        )
        values["parcel_number"] = text_rule(q, "parcel_number", lit("parcel_number"), max_length=20)
        values["map_sheet"] = text_rule(q, "map_sheet", lit("map_sheet"), max_length=20)
        values["area_m2"] = decimal_rule(q, "area_m2", lit("area_m2"), places=1)
        values["land_use_purpose"] = text_rule(q, "land_use_purpose", lit("land_use_purpose"), max_length=200)
        values["address"] = text_rule(q, "address", lit("address"), max_length=300)
        # clean_ward: units.get_ward pads the digits to five ("4" is "00004") and looks the code up
        ward = text_rule(q, "ward_code", lit("ward_code"), max_length=40)
        code = q.derive(
            "ward", f"CASE WHEN {ward} ~ '^[0-9]{{1,6}}$' THEN lpad(({ward})::int::text, 5, '0') END"
        )
        q.fail(
            f"NOT coalesce({code} = ANY({array(sorted(units._catalogue().wards))}), false)",
            "unknown_ward",
            lit("ward_code"),
            msg("Mã phường/xã '{}' không có trong danh mục đơn vị hành chính từ ngày 01/7/2025.", ward),
        )
        values["ward_code"] = code
        values["status"] = canonical
        values["issued_on"] = date_rule(q, "issued_on", lit("issued_on"), today=today)
    elif kind.record_type == HEALTH:
        # clean_health: the kind, the person, then the fields of that kind
        entry = text_rule(q, "kind", lit("kind"), max_length=20)
        q.fail(
            f"{entry} NOT IN ({', '.join(lit(k) for k in HEALTH_KINDS)})",
            "invalid_value",
            lit("kind"),
            msg("kind '{}' phải là một trong: " + ", ".join(HEALTH_KINDS) + ".", entry),
        )
        q.take("p_verdict")  # the first owner clean_person refused
        values["kind"] = entry

        def of(*kinds: str) -> str:
            return f"{entry} IN ({', '.join(lit(k) for k in kinds)})"

        visit, vaccination, condition, card = of(VISIT), of(VACCINATION), of(CONDITION), of(INSURANCE_CARD)
        icd10 = cleaning._ICD10
        on = date_rule(q, "on", lit("on"), when=of(VISIT, VACCINATION), today=today)
        facility = text_rule(q, "facility", lit("facility"), max_length=200, when=of(VISIT, VACCINATION))
        text_rule(q, "description", lit("description"), max_length=2000, when=visit)
        icd = pattern_rule(
            q, "icd10_code", lit("icd10_code"), icd10, "mã ICD-10 (J06.9)", required=False, when=visit
        )
        text_rule(q, "description", lit("description"), max_length=200, when=vaccination)
        dose = int_rule(q, "dose", lit("dose"), low=1, high=10, when=vaccination)
        date_rule(q, "on", lit("on"), required=False, when=condition, today=today)
        text_rule(q, "description", lit("description"), max_length=500, when=condition)
        pattern_rule(
            q, "icd10_code", lit("icd10_code"), icd10, "mã ICD-10 (E11)", required=False, when=condition
        )
        number = pattern_rule(
            q,
            "card_number",
            lit("card_number"),
            cleaning._INSURANCE_CARD,
            "mã thẻ BHYT (15 ký tự, ví dụ DN4660123456789)",
            when=card,
        )
        valid_from = date_rule(q, "valid_from", lit("valid_from"), when=card, today=today)
        valid_to = date_rule(q, "valid_to", lit("valid_to"), when=card, future_ok=True, today=today)
        text_rule(q, "facility", lit("facility"), max_length=200, when=card)
        q.fail(
            both(card, f"{valid_to} < {valid_from}"),
            "invalid_value",
            lit("valid_to"),
            lit("Thẻ BHYT hết hạn trước ngày bắt đầu."),
        )
        values["on"] = f"CASE WHEN {of(VISIT, VACCINATION, CONDITION)} THEN {on} END"
        values["facility"] = f"CASE WHEN {of(VISIT, VACCINATION, INSURANCE_CARD)} THEN {facility} END"
        values["description"] = f"CASE WHEN {of(VISIT, VACCINATION, CONDITION)} THEN t_description END"
        values["icd10_code"] = f"CASE WHEN {of(VISIT, CONDITION)} THEN {icd} END"
        values["dose"] = f"CASE WHEN {vaccination} THEN {dose} END"
        values["card_number"] = f"CASE WHEN {card} THEN {number} END"
        values["valid_from"] = f"CASE WHEN {card} THEN {valid_from} END"
        values["valid_to"] = f"CASE WHEN {card} THEN {valid_to} END"
    else:
        # clean_labour: the person, the period, then the values
        q.take("p_verdict")  # the first owner clean_person refused
        started = date_rule(q, "started_on", lit("started_on"), today=today)
        ended = date_rule(q, "ended_on", lit("ended_on"), required=False, today=today)
        q.fail(
            f"{ended} < {started}",
            "invalid_value",
            lit("ended_on"),
            lit("Ngày kết thúc trước ngày bắt đầu làm việc."),
        )
        values["social_insurance_number"] = pattern_rule(
            q,
            "social_insurance_number",
            lit("social_insurance_number"),
            cleaning._SOCIAL_INSURANCE_NUMBER,
            "mã số BHXH (10 chữ số)",
        )
        values["employer"] = text_rule(q, "employer", lit("employer"), max_length=200)
        values["employer_tax_code"] = pattern_rule(
            q, "employer_tax_code", lit("employer_tax_code"), cleaning._TAX_CODE, "mã số thuế", required=False
        )
        values["position"] = text_rule(q, "position", lit("position"), max_length=120, required=False)
        values["started_on"] = started
        values["ended_on"] = ended
        values["contribution_months"] = int_rule(
            q, "contribution_months", lit("contribution_months"), low=0, high=600
        )
    # clean_source_id
    source_id = text_rule(q, "source_id", lit("source_id"), max_length=80)
    q.fail(
        f"{source_id} !~ {lit(cleaning._SOURCE_ID.pattern)}",
        "invalid_value",
        lit("source_id"),
        msg("source_id '{}' chỉ được gồm chữ, số và . _ : / -.", f"left({source_id}, 40)"),
    )
    # match_people: the first person the registry does not vouch for
    q.take("p_mismatch")
    return _checked_statement(kind, json_rows, q, names, extra, values, source_id, source)


# Per row, from records_persons: the first person refused by the rules and by the registry (in
# owner order: each aggregate says ORDER BY position, as SQL promises no order otherwise), the digest text of
# the people, the citizen of a health or labour row, and whether a CCCD is listed twice.
_PERSONS = """(SELECT line,
        array_agg(verdict ORDER BY position) FILTER (WHERE verdict IS NOT NULL) AS verdicts,
        array_agg(mismatch ORDER BY position) FILTER (WHERE mismatch IS NOT NULL) AS mismatches,
        string_agg(cccd || chr(31) || full_name || chr(31) || date_of_birth::text, chr(31) ORDER BY position)
          AS digest,
        (array_agg(citizen_id ORDER BY position))[1] AS citizen_id, array_agg(cccd) AS cccds
      FROM records_persons GROUP BY line)"""
# clean_land's "one person listed twice": only certificates with co-owners need the count
_TWICE = """CASE WHEN cardinality(p.cccds) > 1
        THEN (SELECT count(DISTINCT c) FROM unnest(p.cccds) c) < cardinality(p.cccds) ELSE false END"""


def _first(verdicts: str) -> str:
    return f"CASE WHEN {verdicts} IS NOT NULL THEN ARRAY[{verdicts}[1][1], {verdicts}[1][2], {verdicts}[1][3]] END"


def _checked_statement(kind, json_rows, q, data, extra, values, source_id, source) -> str:
    raw_select = (
        "SELECT s.line, s.nfc, "
        + ", ".join(_raw(json_rows, data) + extra)
        + f", {_first('p.verdicts')} AS p_verdict, {_first('p.mismatches')} AS p_mismatch,"
        f" {_TWICE} AS p_twice, p.digest AS p_digest, p.citizen_id AS p_citizen_id"
        f" FROM records_stage s LEFT JOIN {_PERSONS} p USING (line)"
    )
    verdict = q.verdict()
    raw_select = f"SELECT s.*, {_dirty(f'r_{n}' for n in data)} AS dirty FROM ({raw_select} OFFSET 0) s"
    columns = cleaning.DIGEST_COLUMNS[kind.record_type]
    outputs = ", ".join(f"{values[name]} AS {name}" for name in columns)
    # CleanRow.digest: the values as text (dates YYYY-MM-DD: DateStyle ISO), none as U+001E,
    # then the people, joined by U+001F, MD5
    digest_parts = ", ".join(f"coalesce(v.{name}::text, chr(30))" for name in columns)
    digest = f"md5(concat_ws(chr(31), {digest_parts}, v.p_digest))"
    raw_source = "left(r_source_id, 80)"
    table = kind.table
    return f"""INSERT INTO records_checked
SELECT v.*, h.row_hash, coalesce(t.id, gen_random_uuid()) AS id, t.id AS stored_id, t.row_hash AS stored_hash
FROM (
  SELECT line, {raw_source} AS raw_source_id, {source_id} AS source_id, {outputs},
    p_digest, p_citizen_id AS citizen_id,
    {verdict} AS verdict
  FROM ({q.derived_layers(raw_select)} OFFSET 0) x OFFSET 0
) v
CROSS JOIN LATERAL (SELECT {digest} AS row_hash) h
LEFT JOIN {table} t ON v.verdict IS NULL AND t.source = {lit(source)} AND t.source_id = v.source_id"""


# ---- the writes -------------------------------------------------------------------------------


def _write_sql(kind: _Type, source: str, now: str) -> list[str]:
    """Duplicates, then the upsert: new and changed rows written, unchanged rows confirmed."""
    columns = list(cleaning.DIGEST_COLUMNS[kind.record_type])
    if kind.owners is None:
        columns.append("citizen_id")
    names = ", ".join(f'"{name}"' for name in columns)
    updates = ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in [*columns, "row_hash", "synced_at"])
    valid = "verdict IS NULL"
    changed = f"{valid} AND stored_hash IS DISTINCT FROM row_hash"
    statements = [
        # service's duplicate rule: the first valid row per source_id wins, by line, in this batch
        # or an earlier one (records_seen); later ones are refused naming the line kept
        f"""UPDATE records_checked k SET verdict = ARRAY['duplicate_row', 'source_id',
            {msg("Trùng source_id '{}' với dòng {}; dòng {} được giữ.", "k.source_id", "w.winner", "w.winner")}]
        FROM (SELECT c.line, coalesce(s.line, min(c.line) OVER (PARTITION BY c.source_id)) AS winner
              FROM records_checked c LEFT JOIN records_seen s USING (source_id) WHERE c.{valid}) w
        WHERE k.line = w.line AND w.winner <> k.line""",
        f"INSERT INTO records_seen (source_id, line) SELECT source_id, line FROM records_checked WHERE {valid}",
        # new and changed rows; an unchanged row keeps its content and is only confirmed below
        f"""INSERT INTO {kind.table} (id, source, source_id, {names}, row_hash, synced_at)
        SELECT id, {lit(source)}, source_id, {names}, row_hash, {now} FROM records_checked WHERE {changed}
        ON CONFLICT (source, source_id) DO UPDATE SET {updates}""",
        # synced_at: when the source last confirmed the row (this import saw it, unchanged)
        f"""UPDATE {kind.table} t SET synced_at = {now} FROM records_checked c
        WHERE c.{valid} AND c.stored_hash = c.row_hash AND t.id = c.id""",
    ]
    if kind.owners is not None:
        statements += [
            # the owners of a changed certificate are replaced whole
            f"""DELETE FROM {kind.owners} o USING records_checked c
            WHERE c.{changed} AND c.stored_id IS NOT NULL AND o.certificate_id = c.id""",
            f"""INSERT INTO {kind.owners} (certificate_id, position, citizen_id, full_name)
            SELECT c.id, p.position, p.citizen_id, p.full_name
            FROM records_persons p JOIN records_checked c USING (line) WHERE c.{changed}""",
        ]
    return statements


_COUNTS = """SELECT count(*) FILTER (WHERE stored_id IS NULL), count(*) FILTER (WHERE stored_hash <> row_hash),
    count(*) FILTER (WHERE stored_hash = row_hash) FROM records_checked WHERE verdict IS NULL"""
# The report's source_id: as the row gave it, or the cleaned one for the rules that come after
# cleaning (service._import_batch does the same).
_REJECTS = """SELECT line, CASE WHEN verdict[1] IN ('citizen_not_found', 'birth_date_mismatch', 'name_mismatch',
    'duplicate_row') THEN source_id ELSE raw_source_id END, verdict[1], verdict[3], verdict[2]
    FROM records_checked WHERE verdict IS NOT NULL ORDER BY line"""


# ---- the cheap Python pass --------------------------------------------------------------------

_CHUNK = 1 << 20


class _Lines:
    """The file's lines ("\\n" kept), decoded a chunk at a time as connectors._decoded_lines does
    a line at a time: bytes that are not UTF-8 become U+FFFD, a leading byte-order mark goes. In
    a CSV cell, U+0000 (which PostgreSQL text cannot hold) becomes U+FFFD too: the cell is then
    refused as broken_encoding, as cleaning refuses U+0000.

    `nfc` says whether the text read lately (this chunk and the one before: a quoted CSV cell
    may span both) is all NFC. It nearly always is, and one check of a megabyte spares the SQL
    a check of every cell; when it is not, the SQL looks at each cell (bulk._dirty).
    """

    def __init__(self, path, *, csv_cells: bool) -> None:
        self.path, self.csv_cells, self.nfc = path, csv_cells, True

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending, first, before = "", True, True
        with self.path.open("rb") as handle:
            while True:
                chunk = handle.read(_CHUNK)
                if first and chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                first = False
                text = pending + decoder.decode(chunk, final=not chunk)
                if self.csv_cells and "\x00" in text:
                    text = text.replace("\x00", "\ufffd")
                now = unicodedata.is_normalized("NFC", text)
                self.nfc, before = now and before, now
                lines = text.split("\n")
                pending = lines.pop()
                yield from (line + "\n" for line in lines)
                if not chunk:
                    break
        if pending:
            yield pending


_ESCAPED_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _floats(data: dict) -> list[str] | None:
    """The paths of the JSON floats the rules read (a row's values, its owners' values), or None.

    Each becomes its Python text in `data` ("1000.0" for 1e3, "inf" for 1e999), so that jsonb,
    which would keep 1e3 as the number 1000, holds what the Python rules read; the list tells the
    SQL rules it was a float (bulk._json_kind). Floats deeper down (in a list) stay numbers.
    """
    paths = []
    for key, value in data.items():
        if isinstance(value, float):
            data[key] = repr(value)
            paths.append(key)
    owners = data.get("owners")
    if isinstance(owners, list):
        for position, owner in enumerate(owners):
            if isinstance(owner, dict):
                for key, value in owner.items():
                    if isinstance(value, float):
                        owner[key] = repr(value)
                        paths.append(f"owners.{position}.{key}")
    return paths or None


def _jsonb_text(line: str | None, data: dict) -> str:
    """The JSON text to COPY into a jsonb cell: the line itself, unless it has escapes that jsonb
    refuses or `data` was changed (see _floats). U+0000 and lone surrogates (which jsonb cannot
    hold, nor UTF-8 encode) become U+FFFD, which the encoding rule refuses in the field that had
    them, as the Python rules refuse the character itself (cleaning.printable words both alike)."""
    if line is not None and "\\u" not in line:
        return line
    text = json.dumps(data, ensure_ascii=False, default=str)
    if "\\u0000" in text:
        text = _ESCAPED_NUL.sub(lambda m: m.group(1) + "\\ufffd", text)
    return _SURROGATE.sub("\ufffd", text)


@dataclass
class _Stager:
    """Reads a connector's rows into COPY, a batch at a time; keeps the batch's Python rejects."""

    connector: Connector
    record_type: str
    columns: list[str] = field(default_factory=list)  # the staged columns, after `line`
    json_rows: bool = True
    rejects: list[Rejected] = field(default_factory=list)
    done: bool = False

    def __post_init__(self) -> None:
        self._items = self._read()
        # Whole-file problems (the CSV header) raise FileFormatError now, before any write.
        self._first = next(self._items, None)

    def _read(self) -> Iterator[tuple[int, object]]:
        connector = self.connector
        if isinstance(connector, FileConnector) and connector.file_format == "csv":
            lines = _Lines(connector.path, csv_cells=True)
            reader = csv.reader(lines)
            try:
                header = [name.strip() for name in next(reader)]
            except StopIteration:
                return
            check_csv_header(header, self.record_type)
            self.columns, self.json_rows, width = header, False, len(header)
            yield 0, None  # the header is read: the caller may start
            for cells in reader:
                if not "".join(cells).strip():
                    continue  # a blank line, skipped as the connector skips it
                if len(cells) != width:
                    problem = cleaning.Rejection(
                        "bad_line", f"Dòng có {len(cells)} ô, tiêu đề có {width} cột."
                    )
                    yield reader.line_num, problem
                    continue
                cells.append(lines.nfc)
                yield reader.line_num, cells
        elif isinstance(connector, FileConnector):
            self.columns = ["doc", "floats"]
            yield 0, None
            lines = _Lines(connector.path, csv_cells=False)
            seen_float = []  # json calls parse_float only for fractions and exponents: rare

            def parse_float(text: str) -> float:
                seen_float.append(True)
                return float(text)

            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    data = parse_json_line(line, parse_float=parse_float)
                except cleaning.Rejection as problem:
                    seen_float.clear()
                    yield number, problem
                    continue
                if not isinstance(data, dict):
                    seen_float.clear()
                    yield number, cleaning.Rejection("bad_line", "Mỗi bản ghi phải là một đối tượng JSON.")
                    continue
                floats = None
                if seen_float:
                    seen_float.clear()
                    floats = _floats(data)
                text = _jsonb_text(None if floats else line, data)
                nfc = lines.nfc if text is line else unicodedata.is_normalized("NFC", text)
                yield number, (text, floats, nfc)
        else:  # any other connector: its rows as JSON objects
            self.columns = ["doc", "floats"]
            yield 0, None
            for row in connector.rows():
                if row.problem is not None:
                    yield row.line, row.problem
                elif not isinstance(row.data, dict):
                    yield row.line, cleaning.Rejection("bad_line", "Mỗi bản ghi phải là một đối tượng JSON.")
                else:
                    data = json.loads(json.dumps(row.data, default=str))  # a copy _floats may change
                    floats = _floats(data)
                    text = _jsonb_text(None, data)
                    yield row.line, (text, floats, unicodedata.is_normalized("NFC", text))

    def stage(self, cursor, batch_size: int, report: ImportReport) -> int:
        """COPY up to `batch_size` rows into records_stage; returns how many went in."""
        self.rejects = []
        staged = 0
        names = ", ".join(["line", *(f'"{c}"' for c in self.columns), "nfc"])
        options = "" if self.json_rows else " (FORMAT csv)"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        with cursor.copy(f"COPY records_stage ({names}) FROM STDIN{options}") as copy:
            for line, item in self._items:
                report.received += 1
                if isinstance(item, cleaning.Rejection):
                    self.rejects.append(Rejected(line, None, item.code, item.message, item.field))
                elif self.json_rows:
                    copy.write_row((line, *item))
                    staged += 1
                else:
                    writer.writerow([line, *item])
                    staged += 1
                    if staged % 5000 == 0:
                        copy.write(buffer.getvalue())
                        buffer.seek(0)
                        buffer.truncate()
                if staged + len(self.rejects) >= batch_size:
                    break
            else:
                self.done = True
            if buffer.tell():
                copy.write(buffer.getvalue())
        return staged


# ---- the import -------------------------------------------------------------------------------


def _unaccent(cursor) -> str:
    """unaccent(), schema-qualified: the extension is created (in public) if it is not there."""
    query = (
        "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'unaccent'"
    )
    row = cursor.execute(query).fetchone()
    if row is None:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
        row = cursor.execute(query).fetchone()
    return f"{row[0]}.unaccent"


def _tables(kind: _Type, stager: _Stager, persons: str, checked: str) -> list[str]:
    if stager.json_rows:
        stage = "line int, doc jsonb, floats text[], nfc boolean"
    else:
        stage = (
            "line int, " + ", ".join(f'"{c}" text' for c in CSV_COLUMNS[kind.record_type]) + ", nfc boolean"
        )
    return [
        "DROP TABLE IF EXISTS records_stage, records_persons, records_checked, records_seen",
        f"CREATE TEMP TABLE records_stage ({stage}) ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE records_seen (source_id text PRIMARY KEY, line int NOT NULL)",
        # the shapes of the statements' results, without running them
        f"CREATE TEMP TABLE records_persons ON COMMIT DELETE ROWS AS {persons.split(chr(10), 1)[1]} LIMIT 0",
        f"CREATE TEMP TABLE records_checked ON COMMIT DELETE ROWS AS {checked.split(chr(10), 1)[1]} LIMIT 0",
    ]


def lock_key(source: str) -> str:
    """The text whose hashtext() is the advisory lock of `source`'s imports."""
    return f"records-import:{source}"


def import_records(
    connector: Connector,
    *,
    batch_size: int,
    on_reject: Callable[[Rejected], None] | None,
    report: ImportReport | None = None,
) -> ImportReport:
    """service.import_records on PostgreSQL: COPY a batch, check it in SQL, write it, commit.

    Imports of one source run one at a time: the import session holds the advisory lock
    pg_advisory_lock(hashtext('records-import:' || source)) from its start to its end (the
    session is closed at the end, which releases it), and a second import of that source waits
    for it. Two at once would both find a new row absent, draw two ids, and the second one's
    owners would point at an id ON CONFLICT did not keep. `report` (counted as batches commit)
    lets the caller audit what an import that failed halfway had already written.
    """
    report = report if report is not None else ImportReport()
    kind = _TYPES[connector.record_type]
    stager = _Stager(connector, connector.record_type)  # raises FileFormatError before any write
    now = f"TIMESTAMPTZ {lit(utcnow().isoformat())}"
    today = date.today()
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", (lock_key(connector.name),))
            connection.commit()  # a session lock: held across the batches' commits
            # Temporary tables live in temp_buffers (8 MB by default): a batch's staging tables
            # would spill to disk. It can only be set before the session first used one.
            try:
                with connection.transaction():
                    cursor.execute("SET temp_buffers = '512MB'")
            except psycopg.errors.InvalidParameterValue:
                pass  # a pooled session that had temporary tables: the import is only slower
            unaccent = _unaccent(cursor)
            persons = persons_sql(kind, stager.json_rows, unaccent, today)
            checked = checked_sql(kind, stager.json_rows, connector.name, today)
            writes = _write_sql(kind, connector.name, now)
            cursor.execute(_functions(unaccent))
            for statement in _tables(kind, stager, persons, checked):
                cursor.execute(statement)
            # The statements are planned afresh each batch; JIT compiling their long CASEs cost
            # more than it saved (1.5 s of a 2.7 s statement when the estimates ran high).
            cursor.execute("SET jit = off")
            cursor.execute("SET work_mem = '64MB'")
            # date::text is YYYY-MM-DD, as date.isoformat() in CleanRow.digest
            cursor.execute("SET DateStyle = ISO")
            connection.commit()
            while not stager.done:
                if not stager.stage(cursor, batch_size, report) and not stager.rejects:
                    break
                # prepare=False: psycopg would prepare a statement run five times, and PostgreSQL
                # may then keep a generic plan made while the tables were small
                for statement in (persons, checked, *writes):
                    cursor.execute(statement, prepare=False)
                created, updated, unchanged = cursor.execute(_COUNTS, prepare=False).fetchone()
                found = [Rejected(*row) for row in cursor.execute(_REJECTS, prepare=False)]
                connection.commit()
                # counted once committed: an import that fails later is audited with what it wrote
                report.created += created
                report.updated += updated
                report.unchanged += unchanged
                # in the file's order, whichever pass caught them
                for rejected in merge(stager.rejects, found, key=lambda r: r.line):
                    report.reject(rejected)
                    if on_reject is not None:
                        on_reject(rejected)
    finally:
        # Not back to the pool: the session holds the import's temporary tables, functions and
        # settings, temp_buffers' memory and the advisory lock, all released as it closes. A batch
        # that failed is rolled back with it.
        raw.invalidate()
    return report
