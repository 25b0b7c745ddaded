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
2. `records_people`: the people each row names (a certificate's owners, split from the "|"
   cells or taken from the JSON array; the person of a health or labour row), each checked like
   cleaning.clean_person. Their CCCD numbers are looked up in the population registry with one
   call of the citizens service per batch (the citizens table is that domain's: no SQL here
   names it), the answers COPYed into `records_registry`; `records_persons` matches each person
   to them like cleaning.match_person.
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

The pieces: bulk_staging.py (the Python pass and COPY), bulk_rules.py (the rules as SQL),
bulk_statements.py (the statements of an import), this module (the session and the batches).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from heapq import merge

import psycopg
from sqlalchemy import Connection

from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.extensions import db
from api.imports import ImportReport
from api.records.bulk_rules import lit, session_functions
from api.records.bulk_staging import Stager
from api.records.bulk_statements import (
    COUNTS,
    REGISTRY_NUMBERS,
    REGISTRY_TABLE,
    REJECTS,
    STAGED_TYPES,
    StagedType,
    checked_sql,
    match_sql,
    people_sql,
    write_sql,
)
from api.records.connectors import CSV_COLUMNS, Connector
from api.records.import_report import Rejected


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


def _tables(kind: StagedType, stager: Stager, people: str, persons: str, checked: str) -> list[str]:
    if stager.json_rows:
        stage = "line int, doc jsonb, floats text[], nfc boolean"
    else:
        stage = (
            "line int, " + ", ".join(f'"{c}" text' for c in CSV_COLUMNS[kind.record_type]) + ", nfc boolean"
        )
    return [
        "DROP TABLE IF EXISTS records_stage, records_people, records_registry, records_persons,"
        " records_checked, records_seen",
        f"CREATE TEMP TABLE records_stage ({stage}) ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE records_seen (source_id text PRIMARY KEY, line int NOT NULL)",
        REGISTRY_TABLE,
        # the shapes of the statements' results, without running them
        f"CREATE TEMP TABLE records_people ON COMMIT DELETE ROWS AS {people.split(chr(10), 1)[1]} LIMIT 0",
        f"CREATE TEMP TABLE records_persons ON COMMIT DELETE ROWS AS {persons.split(chr(10), 1)[1]} LIMIT 0",
        f"CREATE TEMP TABLE records_checked ON COMMIT DELETE ROWS AS {checked.split(chr(10), 1)[1]} LIMIT 0",
    ]


def _load_registry(connection: Connection, cursor) -> None:
    """records_registry: the registry's entries for the CCCD numbers of records_people, found with
    one call of the citizens service for the whole batch, on the import's own connection (so in
    its transaction, as a join would read them), and COPYed in."""
    numbers = [number for (number,) in cursor.execute(REGISTRY_NUMBERS, prepare=False)]
    if not numbers:
        return
    entries = citizens.registry_rows_many(numbers, connection)
    with cursor.copy("COPY records_registry (id, cccd, full_name, date_of_birth) FROM STDIN") as copy:
        for entry in entries:
            copy.write_row((entry.id, entry.cccd, entry.full_name, entry.date_of_birth))


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
    """service.import_records on PostgreSQL: COPY a batch, check it in SQL, write it, in one transaction.

    Imports of one source run one at a time: the import session holds the advisory lock
    pg_advisory_lock(hashtext('records-import:' || source)) from its start to its end (the
    session is closed at the end, which releases it), and a second import of that source waits
    for it. Two at once would both find a new row absent, draw two ids, and the second one's
    owners would point at an id ON CONFLICT did not keep. `report` (counted as batches commit)
    lets the caller audit what an import that failed halfway had already written.
    """
    report = report if report is not None else ImportReport()
    kind = STAGED_TYPES[connector.record_type]
    stager = Stager(connector, connector.record_type)  # raises FileFormatError before any write
    now = f"TIMESTAMPTZ {lit(utcnow().isoformat())}"
    today = date.today()
    # One session for the whole import: psycopg's own API for COPY and the batches' statements,
    # SQLAlchemy's over the same connection for the citizens service's registry lookups. Its
    # transactions are its own, one per batch (`with connection.begin()`): a file of millions of
    # rows never holds one transaction, and the caller's unit of work only audits the import.
    connection = db.engine.connect()
    try:
        session = connection.connection.driver_connection
        with session.cursor() as cursor:
            with connection.begin():  # a session lock: held across the batches' transactions
                cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", (lock_key(connector.name),))
            # Temporary tables live in temp_buffers (8 MB by default): a batch's staging tables
            # would spill to disk. It can only be set before the session first used one.
            try:
                with connection.begin():
                    cursor.execute("SET temp_buffers = '512MB'")
            except psycopg.errors.InvalidParameterValue:
                pass  # a pooled session that had temporary tables: the import is only slower
            with connection.begin():
                unaccent = _unaccent(cursor)
                people = people_sql(kind, stager.json_rows, today)
                persons = match_sql(unaccent)
                checked = checked_sql(kind, stager.json_rows, connector.name, today)
                writes = write_sql(kind, connector.name, now)
                cursor.execute(session_functions(unaccent))
                for statement in _tables(kind, stager, people, persons, checked):
                    cursor.execute(statement)
                # The statements are planned afresh each batch; JIT compiling their long CASEs cost
                # more than it saved (1.5 s of a 2.7 s statement when the estimates ran high).
                cursor.execute("SET jit = off")
                cursor.execute("SET work_mem = '64MB'")
                # date::text is YYYY-MM-DD, as date.isoformat() in CleanRow.digest
                cursor.execute("SET DateStyle = ISO")
            while not stager.done:
                with connection.begin():
                    if not stager.stage(cursor, batch_size, report) and not stager.rejects:
                        break
                    # prepare=False: psycopg would prepare a statement run five times, and
                    # PostgreSQL may then keep a generic plan made while the tables were small
                    cursor.execute(people, prepare=False)
                    _load_registry(connection, cursor)
                    for statement in (persons, checked, *writes):
                        cursor.execute(statement, prepare=False)
                    created, updated, unchanged = cursor.execute(COUNTS, prepare=False).fetchone()
                    found = [Rejected(*row) for row in cursor.execute(REJECTS, prepare=False)]
                # counted once committed: an import that fails later is audited with what it wrote
                report.created += created
                report.updated += updated
                report.unchanged += unchanged
                # in the file's order, whichever pass caught them
                for rejected in merge(stager.rejects, found, key=lambda r: r.line):
                    report.reject(rejected.code)
                    if on_reject is not None:
                        on_reject(rejected)
    finally:
        # Not back to the pool: the session holds the import's temporary tables, functions and
        # settings, temp_buffers' memory and the advisory lock, all released as it closes. A batch
        # that failed is rolled back with it.
        connection.invalidate()
        connection.close()
    return report
