"""The PostgreSQL import's rules as SQL text: one small function per rule of cleaning.py.

Each function adds its rule to a `Rules` (the CASE of one statement, in cleaning.py's order) and
returns the SQL expression of the value it derived; bulk_statements.py puts them together into
the statements of an import, bulk.py runs those. Only constants of our own (codes, catalogues,
today's date) are written into the SQL, as quoted literals (`lit`); the file's data goes by COPY.
"""

# ruff: noqa: S608 (the SQL is built from our own names and constants, quoted by `lit`; the data goes by COPY)
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from api.citizens.cccd import PROVINCE_CODES
from api.records import cleaning

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


def session_functions(unaccent: str) -> str:
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


def unknown_keys(doc: str, allowed) -> str:
    """The keys of a JSON object outside `allowed`, sorted as Python sorts them, or NULL."""
    rest = f"({doc} - {array(allowed)})"
    return (
        f"CASE WHEN jsonb_typeof({doc}) = 'object' AND {rest} <> '{{}}'::jsonb THEN "
        f"(SELECT string_agg(k, ', ' ORDER BY k COLLATE \"C\") FROM jsonb_object_keys({rest}) k) END"
    )


def json_kind(value: str, path: str) -> str:
    """Python's view of a JSON value: string, int, float, boolean, array, object, null.

    A fraction or an exponent (1e3, 2E0) is a float to Python's json, but jsonb would keep 1e3 as
    the number 1000: the stager stages such a value as its Python text ("1000.0") and lists its
    `path` in `floats` (see bulk_staging.Stager), so a float is what Python says it is.
    """
    return (
        f"CASE WHEN s.floats IS NOT NULL AND {path} = ANY(s.floats) THEN 'float' "
        f"ELSE CASE jsonb_typeof({value}) WHEN 'number' THEN CASE WHEN ({value} #>> '{{}}') ~ '^-?[0-9]+$' "
        f"THEN 'int' ELSE 'float' END ELSE jsonb_typeof({value}) END END"
    )


def dirty_check(columns) -> str:
    """The row's texts need a close look (see _DIRTY); `nfc` is the Python pass's finding."""
    joined = f"concat_ws(' | ', {', '.join(columns)})"
    return f"(NOT (s.nfc OR {joined} IS NFC NORMALIZED) OR {joined} ~ {_DIRTY})"


def layered_select(raw_select: str, q: Rules, outputs: list[str]) -> str:
    """raw values -> derived values (computed once) -> the verdict and outputs."""
    return (
        f"SELECT {', '.join(outputs)},\n    {q.verdict()} AS verdict\n"
        f"FROM ({q.derived_layers(raw_select)} OFFSET 0) x"
    )
