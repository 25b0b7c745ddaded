"""Personal records (M33, M34): the import from connectors, the citizen's views, who looked.

Plain functions, no `flask.request`. The rules:

- A citizen reads only their own records, found by their id from the access token; no record id
  ever appears in a citizen's URL. Their own reads are not logged as accesses.
- Anyone else's read (staff, a service, a connector-driven process) names a purpose, is written
  to `record_accesses` (the citizen's "ai đã xem dữ liệu của tôi") and, for staff, to the audit log.
- Imports are idempotent: a record is keyed by (source, source_id); sending the same file again
  changes no content and reports every row as unchanged. `synced_at` is when the source last
  confirmed a row (every valid row of an import gets the import's time), `row_hash` changes
  only when the source changed the row. A row is written whole or not at all: a
  certificate and its owners go in the same batch transaction, and a row that fails a cleaning
  rule writes nothing.
- Imports stream: rows are cleaned, matched and written `batch_size` at a time with bulk
  statements on one connection, committed per batch; nothing accumulates but the counts.
- Duplicates within a file: the first valid row with a source_id wins; later rows with it are
  rejected as `duplicate_row`, naming the line that won. First rather than last, because only
  "first" can be decided while streaming (the winner is known when it is written), and it keeps
  a re-import of the same file unchanged. The source_ids seen so far are kept in a temporary
  table on the import's connection, so memory stays flat whatever the file size.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from api.audit import record_audit
from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.imports import ImportReport
from api.records import bulk, cleaning
from api.records.cleaning import CleanRow, RegistryEntry, Rejection
from api.records.connectors import DEFAULT_SOURCE, Connector, FileFormatError, Row, source_name
from api.records.import_report import Rejected
from api.records.models import (
    CONDITION,
    HEALTH,
    INSURANCE_CARD,
    LABOUR,
    LAND,
    LAND_STATUS_NAMES,
    RECORD_TYPE_NAMES,
    RECORD_TYPES,
    VACCINATION,
    VISIT,
    HealthRecord,
    LabourRecord,
    LandCertificate,
    LandCertificateOwner,
    RecordAccess,
)
from api.text import nfc
from api.unit_of_work import checkpoint, rollback

if TYPE_CHECKING:
    from api.citizens.models import Citizen

IMPORT_BATCH_SIZE = 1000  # SQLite: rows cleaned in Python, a batch at a time
# ... and at most this many: a batch's lookups are IN lists of bound values (up to 20 owners a
# row), and SQLite takes 32,766 values a statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
SQLITE_MAX_BATCH_SIZE = 1000
BULK_BATCH_SIZE = 100_000  # PostgreSQL: rows checked by set-based SQL (bulk.py), per transaction
MIN_PURPOSE_LENGTH = 10
ALL = "all"

# On the Python path record ids are derived, not drawn: the same (type, source, source_id) always
# gives the same id, so a certificate's owners can be written in the same statement batch as it.
_RECORD_NAMESPACE = uuid.UUID("6f1f7a52-3c1e-4a7b-9d55-2f0c8f6e5b10")


def record_id(record_type: str, source: str, source_id: str) -> uuid.UUID:
    return uuid.uuid5(_RECORD_NAMESPACE, f"{record_type}\x1f{source}\x1f{source_id}")


# ---- the import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    table: Table
    # A certificate's owners: with children, the matched citizens go on them, not on the parent.
    children: Table | None = None


_TARGETS = {
    LAND: _Target(LandCertificate.__table__, LandCertificateOwner.__table__),
    HEALTH: _Target(HealthRecord.__table__),
    LABOUR: _Target(LabourRecord.__table__),
}


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert(connection: Connection, table: Table):
    """INSERT for the connection's database, with ON CONFLICT (PostgreSQL and SQLite share it)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


_SEEN = Table(
    "records_import_seen",
    MetaData(),
    Column("source_id", String(80), primary_key=True),
    Column("line", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


def import_records(
    connector: Connector,
    *,
    actor: str,
    batch_size: int | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
) -> ImportReport:
    """Clean, match and upsert every row of `connector`, each `batch_size` rows a transaction.

    Rejected rows are handed to `on_reject` as soon as they are found, in line order (the CLI
    streams them to its report file). Returns the counts; the import itself is audited.

    On PostgreSQL (production) the rows are staged with COPY and the rules run as set-based SQL
    (api/records/bulk.py, default batches of BULK_BATCH_SIZE; imports of one source run one at a
    time); on SQLite (`make run`) each row goes through cleaning.py in Python (batches of
    IMPORT_BATCH_SIZE, at most SQLITE_MAX_BATCH_SIZE). Both give the same verdicts with the same
    reason codes and messages: tests/records runs on both engines.

    An import that fails halfway (the database goes away, a connector breaks) has committed the
    batches before: it is audited with what they wrote and `interrupted`, then the error goes on.
    """
    report = ImportReport()
    try:
        if db.engine.dialect.name == "postgresql":
            bulk.import_records(
                connector, batch_size=batch_size or BULK_BATCH_SIZE, on_reject=on_reject, report=report
            )
        else:
            size = min(batch_size or IMPORT_BATCH_SIZE, SQLITE_MAX_BATCH_SIZE)
            _import_rows(connector, size, on_reject, report)
    except FileFormatError:
        raise  # the file as a whole was refused before anything was written: nothing to audit
    except Exception:
        rollback()  # the session may be broken with the import (the database went away)
        _audit_import(connector, actor, report, interrupted=True)
        checkpoint(
            "an interrupted import's batches are committed: its audit entry says so, although it fails"
        )
        raise
    _audit_import(connector, actor, report)
    return report


def _audit_import(
    connector: Connector, actor: str, report: ImportReport, *, interrupted: bool = False
) -> None:
    record_audit(
        "records.import",
        actor=actor,
        target=f"source:{connector.name}",
        record_type=connector.record_type,
        received=report.received,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        interrupted=interrupted,
    )


def _import_rows(
    connector: Connector,
    batch_size: int,
    on_reject: Callable[[Rejected], None] | None,
    report: ImportReport | None = None,
) -> ImportReport:
    """The row-by-row import: every rule of cleaning.py applied in Python (SQLite).

    Plain SQLAlchemy, so it runs on PostgreSQL too: the tests that check the two engines agree
    (tests/records/test_import_rules.py) import one file through it and through bulk.py there.
    Production on PostgreSQL uses bulk.py only.
    """
    report = report if report is not None else ImportReport()
    target = _TARGETS[connector.record_type]
    # The import's own connection, one transaction per batch (`with connection.begin()`), so a
    # huge file never holds one transaction; the caller's unit of work only audits it.
    with db.engine.connect() as connection:
        with connection.begin():
            _SEEN.create(connection)
        try:
            for batch in _batches(connector.rows(), batch_size):
                counted = ImportReport()
                with connection.begin():
                    rejects = _import_batch(connection, connector, target, batch, counted)
                # counted and reported once committed: a failed batch wrote nothing
                report.add(counted)
                for rejected in rejects:
                    if on_reject is not None:
                        on_reject(rejected)
        finally:
            connection.rollback()
            with connection.begin():
                _SEEN.drop(connection)
    return report


def _raw_source_id(row: Row) -> str | None:
    """The row's source_id as the SQL import reports it: JSON text for a value that is not text."""
    value = row.data.get("source_id") if isinstance(row.data, dict) else None
    return cleaning.as_text(value)[:80] if value is not None else None


def _import_batch(
    connection: Connection,
    connector: Connector,
    target: _Target,
    batch: list[Row],
    report: ImportReport,
) -> list[Rejected]:
    """Clean, match and write one batch; returns its rejects in line order (counted in `report`)."""
    rejects: list[Rejected] = []

    def reject(row: Row, problem: Rejection, source_id: str | None = None) -> None:
        rejects.append(
            Rejected(row.line, source_id or _raw_source_id(row), problem.code, problem.message, problem.field)
        )

    # 1. The rules that need nothing but the row.
    cleaned: list[tuple[Row, CleanRow]] = []
    for row in batch:
        report.received += 1
        if row.problem is not None:
            reject(row, row.problem)
            continue
        try:
            cleaned.append((row, cleaning.clean_row(connector.record_type, row.data)))
        except Rejection as problem:
            reject(row, problem)

    # 2. The people they name, against the population registry, in one query.
    numbers = {person.cccd for _, clean in cleaned for person in clean.people}
    registry = {
        entry.cccd: RegistryEntry(entry.id, entry.full_name, entry.date_of_birth)
        for entry in citizens.registry_rows(numbers, connection)
    }
    matched: list[tuple[Row, CleanRow, list[uuid.UUID]]] = []
    for row, clean in cleaned:
        try:
            matched.append((row, clean, cleaning.match_people(clean, registry)))
        except Rejection as problem:
            reject(row, problem, clean.source_id)

    # 3. Duplicates: the first valid row with a source_id wins, in this batch or an earlier one.
    first_line: dict[str, int] = {}
    earlier = dict(
        connection.execute(
            select(_SEEN.c.source_id, _SEEN.c.line).where(
                _SEEN.c.source_id.in_({c.source_id for _, c, _ in matched})
            )
        ).all()
    )
    unique: list[tuple[Row, CleanRow, list[uuid.UUID]]] = []
    for row, clean, citizen_ids in matched:
        winner = earlier.get(clean.source_id) or first_line.get(clean.source_id)
        if winner is not None:
            reject(
                row,
                Rejection(
                    "duplicate_row",
                    f"Trùng source_id '{clean.source_id}' với dòng {winner}; dòng {winner} được giữ.",
                    "source_id",
                ),
                clean.source_id,
            )
            continue
        first_line[clean.source_id] = row.line
        unique.append((row, clean, citizen_ids))
    if first_line:
        connection.execute(
            _SEEN.insert().returning(_SEEN.c.line),
            [{"source_id": s, "line": n} for s, n in first_line.items()],
        )
    if unique:
        _write(connection, connector, target, unique, report)
    # Reported in the file's order, whichever rule caught them.
    rejects.sort(key=lambda r: r.line)
    for rejected in rejects:
        report.reject(rejected.code)
    return rejects


def _write(
    connection: Connection,
    connector: Connector,
    target: _Target,
    rows: list[tuple[Row, CleanRow, list[uuid.UUID]]],
    report: ImportReport,
) -> None:
    """Upsert the batch's new and changed rows (and replace the owners of changed certificates)."""
    table = target.table
    stored = dict(
        connection.execute(
            select(table.c.source_id, table.c.row_hash).where(
                table.c.source == connector.name,
                table.c.source_id.in_([clean.source_id for _, clean, _ in rows]),
            )
        ).all()
    )
    now = utcnow()
    parents: list[dict[str, Any]] = []
    children: list[dict[str, Any]] = []
    changed_ids: list[uuid.UUID] = []
    confirmed: list[str] = []
    for _, clean, citizen_ids in rows:
        digest = clean.digest()
        known = stored.get(clean.source_id)
        if known == digest:
            report.unchanged += 1
            confirmed.append(clean.source_id)
            continue
        ident = record_id(connector.record_type, connector.name, clean.source_id)
        if known is None:
            report.created += 1
        else:
            report.updated += 1
            changed_ids.append(ident)
        parent = {
            "id": ident,
            "source": connector.name,
            "source_id": clean.source_id,
            "row_hash": digest,
            "synced_at": now,
            **clean.values,
        }
        if target.children is None:
            parent["citizen_id"] = citizen_ids[0]
        else:
            children.extend(
                {**child, "certificate_id": ident, "citizen_id": citizen_id}
                for child, citizen_id in zip(clean.children, citizen_ids, strict=True)
            )
        parents.append(parent)
    if confirmed:
        # `synced_at` is when the source last confirmed the row: an unchanged row was confirmed now.
        connection.execute(
            update(table)
            .where(table.c.source == connector.name, table.c.source_id.in_(confirmed))
            .values(synced_at=now)
        )
    if not parents:
        return
    _upsert(connection, table, parents)
    if target.children is not None:
        if changed_ids:
            connection.execute(
                delete(target.children).where(target.children.c.certificate_id.in_(changed_ids))
            )
        _upsert(connection, target.children, children)


def _upsert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, updating those whose (source, source_id) is already stored (ON CONFLICT)."""
    insert = _insert(connection, table)
    if "source_id" in table.c:
        updated = {
            name: insert.excluded[name] for name in rows[0] if name not in ("id", "source", "source_id")
        }
        insert = insert.on_conflict_do_update(index_elements=["source", "source_id"], set_=updated)
    # RETURNING makes SQLAlchemy send multi-row INSERTs ("insertmanyvalues"), not one per row.
    connection.execute(insert.returning(*table.primary_key.columns), rows)


# ---- accesses by others ------------------------------------------------------------------------


def check_purpose(purpose: str | None) -> str:
    """Why someone reads a citizen's records, in words the citizen will read (≥ 10 characters)."""
    text = nfc(purpose or "")
    if len(text) < MIN_PURPOSE_LENGTH:
        message = (
            f"Hãy ghi rõ mục đích xem hồ sơ (ít nhất {MIN_PURPOSE_LENGTH} ký tự), ví dụ "
            "'Giải quyết hồ sơ cấp đổi GCN số 12/2025'; công dân sẽ đọc được mục đích này."
        )
        raise ApiError(422, "purpose_required", message, errors={"purpose": [message]})
    return text[:500]


def log_access(
    citizen_id: uuid.UUID, *, accessor: str, accessor_name: str, purpose: str, record_type: str = ALL
) -> RecordAccess:
    """Note that someone other than the citizen read their records (not committed).

    Every process that reads a citizen's records on someone else's behalf calls it: the staff
    route, and connector-driven processes (accessor "connector:<name>").
    """
    access = RecordAccess(
        citizen_id=citizen_id,
        accessor=accessor,
        accessor_name=accessor_name[:120],
        purpose=check_purpose(purpose),
        record_type=record_type,
    )
    db.session.add(access)
    return access


def access_log(citizen_id: uuid.UUID):
    """The citizen's "ai đã xem dữ liệu của tôi": newest first (a select, for pagination)."""
    return (
        select(RecordAccess)
        .where(RecordAccess.citizen_id == citizen_id)
        .order_by(RecordAccess.at.desc(), RecordAccess.id)
    )


def staff_read(
    cccd: str, *, purpose: str, record_types: Iterable[str] | None, accessor: str, accessor_name: str
) -> dict[str, Any]:
    """An officer (or a service) reads a citizen's records for a stated purpose: logged and audited."""
    purpose = check_purpose(purpose)
    types = tuple(record_types or RECORD_TYPES)
    citizen = citizens.citizen_by_cccd(cccd)
    if citizen is None:
        record_audit(
            "records.read",
            actor=accessor,
            target=f"cccd:{cleaning.mask_cccd(cccd)}",
            outcome="not_found",
            purpose=purpose,
        )
        checkpoint("a staff read of an unknown CCCD is audited although it answers 404")
        raise ApiError(
            404, "citizen_not_found", "Không có công dân mang số căn cước này trong cơ sở dữ liệu dân cư."
        )
    for record_type in types:
        log_access(
            citizen.id,
            accessor=accessor,
            accessor_name=accessor_name,
            purpose=purpose,
            record_type=record_type,
        )
    record_audit(
        "records.read",
        actor=accessor,
        target=f"citizen:{citizen.id}",
        purpose=purpose,
        record_types=list(types),
    )
    views = {LAND: land_view, HEALTH: health_view, LABOUR: labour_view}
    return {
        "citizen": {
            "full_name": citizen.full_name,
            "cccd": citizen.cccd,
            "date_of_birth": citizen.date_of_birth,
        },
        "purpose": purpose,
        **{record_type: views[record_type](citizen.id) for record_type in types},
    }


# ---- the citizen's views ----------------------------------------------------------------------


def origin(record_type: str) -> str:
    """Where a record type comes from, named even when the citizen has none of it yet."""
    return source_name(DEFAULT_SOURCE[record_type])


def _provenance(source: str, synced_at: datetime) -> dict[str, Any]:
    return {"source": source, "source_name": source_name(source), "synced_at": synced_at}


def _sources(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Each source of a list of records with its latest sync, most recent first."""
    latest: dict[str, datetime] = {}
    for row in rows:
        if row.source not in latest or row.synced_at > latest[row.source]:
            latest[row.source] = row.synced_at
    return [_provenance(s, at) for s, at in sorted(latest.items(), key=lambda item: item[1], reverse=True)]


def summary(citizen_id: uuid.UUID) -> list[dict[str, Any]]:
    """Per record type: how many records, from which sources, synced when."""
    queries = {
        LAND: select(LandCertificate.source, func.count(), func.max(LandCertificate.synced_at))
        .join(LandCertificateOwner, LandCertificateOwner.certificate_id == LandCertificate.id)
        .where(LandCertificateOwner.citizen_id == citizen_id)
        .group_by(LandCertificate.source),
        HEALTH: select(HealthRecord.source, func.count(), func.max(HealthRecord.synced_at))
        .where(HealthRecord.citizen_id == citizen_id)
        .group_by(HealthRecord.source),
        LABOUR: select(LabourRecord.source, func.count(), func.max(LabourRecord.synced_at))
        .where(LabourRecord.citizen_id == citizen_id)
        .group_by(LabourRecord.source),
    }
    result = []
    for record_type, statement in queries.items():
        rows = db.session.execute(statement).all()
        sources = sorted(
            ({**_provenance(source, synced_at), "count": count} for source, count, synced_at in rows),
            key=lambda s: s["synced_at"],
            reverse=True,
        )
        result.append(
            {
                "type": record_type,
                "name": RECORD_TYPE_NAMES[record_type],
                "origin": origin(record_type),
                "count": sum(s["count"] for s in sources),
                "last_synced_at": sources[0]["synced_at"] if sources else None,
                "sources": sources,
            }
        )
    return result


def land_view(citizen_id: uuid.UUID) -> dict[str, Any]:
    """The certificates the citizen owns or co-owns, newest first, with every owner's name."""
    certificates = db.session.scalars(
        select(LandCertificate)
        .join(LandCertificateOwner, LandCertificateOwner.certificate_id == LandCertificate.id)
        .where(LandCertificateOwner.citizen_id == citizen_id)
        .order_by(LandCertificate.issued_on.desc(), LandCertificate.certificate_number)
    ).all()
    owners: dict[uuid.UUID, list[LandCertificateOwner]] = {}
    if certificates:
        for owner in db.session.scalars(
            select(LandCertificateOwner)
            .where(LandCertificateOwner.certificate_id.in_([c.id for c in certificates]))
            .order_by(LandCertificateOwner.certificate_id, LandCertificateOwner.position)
        ):
            owners.setdefault(owner.certificate_id, []).append(owner)
    items = []
    for certificate in certificates:
        items.append(
            {
                "certificate_number": certificate.certificate_number,
                "parcel_number": certificate.parcel_number,
                "map_sheet": certificate.map_sheet,
                "area_m2": certificate.area_m2,
                "land_use_purpose": certificate.land_use_purpose,
                "address": certificate.address,
                "ward": citizens.ward_summary(certificate.ward_code),
                "status": certificate.status,
                "status_name": LAND_STATUS_NAMES.get(certificate.status, certificate.status),
                "issued_on": certificate.issued_on,
                # Co-owners are shown by name only: their CCCD is theirs.
                "owners": [
                    {"full_name": o.full_name, "is_me": o.citizen_id == citizen_id}
                    for o in owners.get(certificate.id, [])
                ],
                **_provenance(certificate.source, certificate.synced_at),
            }
        )
    return {"certificates": items, "sources": _sources(certificates), "origin": origin(LAND)}


def _health_entry(record: HealthRecord, *names: str) -> dict[str, Any]:
    return {**{name: getattr(record, name) for name in names}, **_provenance(record.source, record.synced_at)}


def health_view(citizen_id: uuid.UUID) -> dict[str, Any]:
    """The health book: the insurance card in force, chronic conditions, visits, vaccinations."""
    records = db.session.scalars(
        select(HealthRecord)
        .where(HealthRecord.citizen_id == citizen_id)
        .order_by(HealthRecord.on.desc().nulls_last(), HealthRecord.source_id)
    ).all()
    by_kind: dict[str, list[HealthRecord]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    cards = sorted(by_kind.get(INSURANCE_CARD, []), key=lambda r: r.valid_to, reverse=True)
    card = cards[0] if cards else None
    return {
        "insurance_card": _health_entry(card, "card_number", "valid_from", "valid_to", "facility")
        | {"in_force": card.valid_from <= date.today() <= card.valid_to}
        if card
        else None,
        "chronic_conditions": [
            _health_entry(r, "description", "icd10_code", "on") for r in by_kind.get(CONDITION, [])
        ],
        "visits": [
            _health_entry(r, "on", "facility", "description", "icd10_code") for r in by_kind.get(VISIT, [])
        ],
        "vaccinations": [
            _health_entry(r, "on", "description", "dose", "facility") for r in by_kind.get(VACCINATION, [])
        ],
        "sources": _sources(records),
        "origin": origin(HEALTH),
    }


def labour_view(citizen_id: uuid.UUID) -> dict[str, Any]:
    """The labour book and social insurance: periods newest first, the current employer, the months paid."""
    periods = db.session.scalars(
        select(LabourRecord)
        .where(LabourRecord.citizen_id == citizen_id)
        .order_by(LabourRecord.started_on.desc(), LabourRecord.source_id)
    ).all()
    current = next((p for p in periods if p.ended_on is None), None)
    return {
        "social_insurance_number": periods[0].social_insurance_number if periods else None,
        "current_employer": current.employer if current else None,
        "contribution_months": sum(p.contribution_months for p in periods),
        "employment_periods": [
            {
                "employer": p.employer,
                "employer_tax_code": p.employer_tax_code,
                "position": p.position,
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "contribution_months": p.contribution_months,
                **_provenance(p.source, p.synced_at),
            }
            for p in periods
        ],
        "sources": _sources(periods),
        "origin": origin(LABOUR),
    }


def require_owner(citizen_id: uuid.UUID) -> Citizen:
    return citizens.require_citizen(citizen_id)
