"""The statements of the PostgreSQL import, built once per import from bulk_rules.py's rules.

Per batch, in this order (bulk.py runs them): `people_sql` checks every person a row names
(cleaning.clean_person) into records_people; bulk.py looks the valid CCCD numbers up in the
population registry through the citizens service and COPYs what it found into records_registry;
`match_sql` matches each person to it (cleaning.match_person) into records_persons;
`checked_sql` gives each row its verdict, cleaned values and digest (records_checked); then
`write_sql`: duplicates, the upsert, the owners. COUNTS and REJECTS read the batch's outcome.
"""

# ruff: noqa: S608 (the SQL is built from our own names and constants, quoted by `lit`; the data goes by COPY)
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.records import cleaning
from api.records.bulk_rules import (
    WS,
    Rules,
    array,
    both,
    cccd_rule,
    date_rule,
    decimal_rule,
    dirty_check,
    field_name,
    int_rule,
    json_kind,
    layered_select,
    lit,
    msg,
    name_rule,
    pattern_rule,
    text_rule,
    unknown_fields_rule,
    unknown_keys,
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
from api.units import service as units

# ---- what a record type stages and stores -----------------------------------------------------


PERSON_FIELDS = cleaning.PERSON_FIELDS
_PERSON_CSV = {LAND: ("owner_cccd", "owner_full_name", "owner_date_of_birth")}


@dataclass(frozen=True)
class StagedType:
    record_type: str
    fields: tuple[str, ...]  # of a JSON object
    table: str
    owners: str | None = None  # land: the owners table


STAGED_TYPES = {
    LAND: StagedType(
        LAND, cleaning.LAND_FIELDS, LandCertificate.__tablename__, LandCertificateOwner.__tablename__
    ),
    HEALTH: StagedType(HEALTH, cleaning.HEALTH_FIELDS, HealthRecord.__tablename__),
    LABOUR: StagedType(LABOUR, cleaning.LABOUR_FIELDS, LabourRecord.__tablename__),
}


def _raw(json_rows: bool, names) -> list[str]:
    """The raw value of each field (and, for JSON, its kind) as `r_<name>` / `k_<name>`."""
    if json_rows:
        return [f"s.doc ->> {lit(n)} AS r_{n}" for n in names] + [
            f"{json_kind(f's.doc -> {lit(n)}', lit(n))} AS k_{n}" for n in names
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
    """The path bulk_staging.Stager lists an owner's float under: "owners.<position>.<name>"."""
    return "'owners.' || (e.i - 1) || " + lit("." + name)


def people_sql(kind: StagedType, json_rows: bool, today: date) -> str:
    """records_people: every person a row names, checked (clean_person); match_sql matches them."""
    q = Rules(json_rows)
    prefix = "prefix"
    if kind.record_type == LAND and json_rows:
        # owners: a JSON array of objects; rows whose owners are missing or too many are refused
        # before their owners are looked at (clean_land), so they have none here
        owners = "s.doc -> 'owners'"
        raw = (
            f"SELECT s.line, s.nfc, e.i - 1 AS position, 'owners.' || (e.i - 1) || '.' AS prefix, "
            f"jsonb_typeof(e.o) AS object_kind, {unknown_keys('e.o', PERSON_FIELDS)} AS unknown, "
            + ", ".join(
                f"e.o ->> {lit(n)} AS r_{n}, {json_kind(f'e.o -> {lit(n)}', _owner_path(n))} AS k_{n}"
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
    raw = f"SELECT s.*, {dirty_check(f'r_{n}' for n in PERSON_FIELDS)} AS dirty FROM ({raw} OFFSET 0) s"
    # clean_person: the name, the date of birth, then the CCCD against it
    name = name_rule(q, "full_name", field_name(prefix, "full_name"))
    born = date_rule(q, "date_of_birth", field_name(prefix, "date_of_birth"), today=today)
    number = cccd_rule(q, field_name(prefix, "cccd"), born)
    checked = layered_select(
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
    return f"INSERT INTO records_people\n{checked}"


# The registry's entries for the batch's valid CCCD numbers, COPYed in by bulk.py from the citizens
# service (one lookup per batch): the citizens table itself belongs to another domain.
REGISTRY_TABLE = """CREATE TEMP TABLE records_registry (
    cccd text PRIMARY KEY, id uuid NOT NULL, full_name text NOT NULL, date_of_birth date NOT NULL
) ON COMMIT DELETE ROWS"""
# The numbers bulk.py looks up: those of the people clean_person accepted.
REGISTRY_NUMBERS = "SELECT DISTINCT cccd FROM records_people WHERE verdict IS NULL"


def match_sql(unaccent: str) -> str:
    """records_persons: the people of records_people matched to the registry (match_person)."""
    # match_person: same CCCD in the registry, then the same date of birth, then the same name
    # folded (accents, case, spaces), the exact name tried first as it is the usual case
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
FROM records_people p LEFT JOIN records_registry c ON c.cccd = p.cccd AND p.verdict IS NULL"""


def checked_sql(kind: StagedType, json_rows: bool, source: str, today: date) -> str:
    """records_checked: each row's verdict (the first failing rule), its cleaned values, digest."""
    q = Rules(json_rows)
    names = [n for n in kind.fields if n != "owners" and (kind.record_type == LAND or n not in PERSON_FIELDS)]
    extra = []
    if json_rows:
        extra.append(f"{unknown_keys('s.doc', kind.fields)} AS unknown")
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
    raw_select = f"SELECT s.*, {dirty_check(f'r_{n}' for n in data)} AS dirty FROM ({raw_select} OFFSET 0) s"
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


def write_sql(kind: StagedType, source: str, now: str) -> list[str]:
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


COUNTS = """SELECT count(*) FILTER (WHERE stored_id IS NULL), count(*) FILTER (WHERE stored_hash <> row_hash),
    count(*) FILTER (WHERE stored_hash = row_hash) FROM records_checked WHERE verdict IS NULL"""
# The report's source_id: as the row gave it, or the cleaned one for the rules that come after
# cleaning (service._import_batch does the same).
REJECTS = """SELECT line, CASE WHEN verdict[1] IN ('citizen_not_found', 'birth_date_mismatch', 'name_mismatch',
    'duplicate_row') THEN source_id ELSE raw_source_id END, verdict[1], verdict[3], verdict[2]
    FROM records_checked WHERE verdict IS NOT NULL ORDER BY line"""
