"""`flask records import`: cleaning, idempotent upserts by (source, source_id), the reject report."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, text

from api.audit import AuditEntry
from api.citizens import cccd as cccd_rules
from api.extensions import db
from api.records import bulk, service
from api.records.connectors import FileConnector, Row
from api.records.models import HealthRecord, LabourRecord, LandCertificate, LandCertificateOwner
from tests.records.conftest import (
    counts,
    health_row,
    labour_row,
    land_row,
    person,
    rejects_of,
    run_import,
    write_jsonl,
    write_land_csv,
)


def certificates(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(
                LandCertificate.source_id,
                LandCertificate.area_m2,
                LandCertificate.status,
                LandCertificate.synced_at,
                LandCertificate.row_hash,
            ).order_by(LandCertificate.source_id)
        ).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def test_a_land_csv_with_co_owners_is_imported_then_reimported_without_change(app, make_citizen, tmp_path):
    wife = make_citizen()
    husband = make_citizen(full_name="Lê Văn Nam", sex="male", date_of_birth=date(1988, 1, 2))
    rows = [
        land_row([person(wife["cccd"]), person(husband["cccd"], "LE VAN NAM", "02/01/1988")]),
        land_row([person(wife["cccd"], "nguyễn thị hoa")], area_m2="85,0", status="Đang thế chấp"),
    ]
    path = tmp_path / "so-dia-chinh.csv"
    write_land_csv(path, rows)

    first = run_import(app, "land", path)
    assert first.exit_code == 0, first.output
    assert "Đã đọc 2 bản ghi: thêm mới 2, cập nhật 0, không đổi 0, từ chối 0." in first.output
    assert not path.with_name(path.name + ".rejects.jsonl").exists()
    assert counts(app)["land_certificate_owners"] == 3
    with app.app_context():
        owners = db.session.execute(
            select(LandCertificateOwner.citizen_id, LandCertificateOwner.full_name)
        ).all()
        assert {o.citizen_id for o in owners} == {wife["id"], husband["id"]}
        # The registry's spelling is not imposed: the source's name is kept, NFC.
        assert "LE VAN NAM" in {o.full_name for o in owners}
        db.session.remove()
    before = certificates(app)
    assert {(r[1], r[2]) for r in before} == {(before[0][1], "valid"), (before[1][1], "mortgaged")}

    again = run_import(app, "land", path)
    assert again.exit_code == 0
    assert "thêm mới 0, cập nhật 0, không đổi 2, từ chối 0" in again.output
    after = certificates(app)
    # The content and its digest are untouched; synced_at says the source confirmed them again.
    assert [(r[0], r[1], r[2], r[4]) for r in after] == [(r[0], r[1], r[2], r[4]) for r in before]
    assert all(a[3] > b[3] for a, b in zip(after, before, strict=True))
    assert counts(app)["land_certificate_owners"] == 3
    with app.app_context():
        audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "records.import")).all()
        assert sorted((a.detail["created"], a.detail["unchanged"]) for a in audits) == [(0, 2), (2, 0)]
        db.session.remove()


def test_a_changed_row_updates_the_record_and_replaces_its_owners(app, make_citizen, tmp_path):
    wife = make_citizen()
    husband = make_citizen(full_name="Lê Văn Nam", sex="male", date_of_birth=date(1988, 1, 2))
    row = land_row([person(wife["cccd"]), person(husband["cccd"], "Lê Văn Nam", "1988-01-02")])
    path = tmp_path / "gcn.jsonl"
    write_jsonl(path, [row])
    assert run_import(app, "land", path).exit_code == 0
    before = certificates(app)

    # The husband sold his share: the registry now lists the wife alone, and the parcel was re-measured.
    write_jsonl(path, [{**row, "owners": [person(wife["cccd"])], "area_m2": "121.0"}])
    result = run_import(app, "land", path)
    assert "thêm mới 0, cập nhật 1, không đổi 0" in result.output
    after = certificates(app)
    assert after[0][1] == after[0][1].__class__("121.0")
    assert after[0][3] > before[0][3]
    with app.app_context():
        assert db.session.scalars(select(LandCertificateOwner.citizen_id)).all() == [wife["id"]]
        db.session.remove()


def test_each_cleaning_rule_rejects_its_row_and_the_report_says_why(app, make_citizen, tmp_path):
    owner = make_citizen()
    other_born = date(1990, 5, 17)
    unknown = cccd_rules.build("066", "female", other_born, 999_999)
    good = land_row([person(owner["cccd"])])
    rows = [
        good,  # line 1
        land_row([person("12345")]),  # invalid CCCD
        land_row([person(owner["cccd"], date_of_birth="1991-05-17")]),  # CCCD says 1990
        land_row([person(owner["cccd"], full_name="Nguyễn Thị Hồng")]),  # not the registry's name
        land_row([person(owner["cccd"], date_of_birth="18/05/1990")]),  # same year, other day
        land_row([person(unknown)]),  # nobody in the registry
        land_row([person(owner["cccd"])], ward_code="99999"),
        land_row([person(owner["cccd"], full_name="Nguyá»…n Thá»‹ Hoa")]),  # mojibake
        land_row([person(owner["cccd"])], issued_on="2015-02-30"),
        {**good, "area_m2": "999.9"},  # same source_id as line 1: the first wins
        "{ không phải json",
    ]
    path = tmp_path / "gcn.jsonl"
    write_jsonl(path, rows)
    result = run_import(app, "land", path)
    assert result.exit_code == 1
    assert "Đã đọc 11 bản ghi: thêm mới 1, cập nhật 0, không đổi 0, từ chối 10." in result.output
    rejects = rejects_of(path)
    assert [(r["line"], r["reason"]) for r in rejects] == [
        (2, "invalid_cccd"),
        (3, "cccd_birth_mismatch"),
        (4, "name_mismatch"),
        (5, "birth_date_mismatch"),
        (6, "citizen_not_found"),
        (7, "unknown_ward"),
        (8, "broken_encoding"),
        (9, "bad_date"),
        (10, "duplicate_row"),
        (11, "bad_line"),
    ]
    assert rejects[2]["source_id"] == rows[3]["source_id"] and rejects[2]["field"] == "owners.0.full_name"
    assert "dòng 1" in rejects[8]["message"]
    assert all(r["message"] for r in rejects)
    assert unknown not in path.with_name(path.name + ".rejects.jsonl").read_text(encoding="utf-8")
    # Nothing half-written: one certificate, one owner, the first version of the duplicate.
    assert counts(app)["land_certificates"] == 1 and counts(app)["land_certificate_owners"] == 1
    assert str(certificates(app)[0][1]) == "120.5"

    # Re-importing the same file: the same verdicts, nothing changes.
    again = run_import(app, "land", path, "--rejects", tmp_path / "lan-2.jsonl")
    assert "thêm mới 0, cập nhật 0, không đổi 1, từ chối 10." in again.output
    assert len((tmp_path / "lan-2.jsonl").read_text(encoding="utf-8").splitlines()) == 10


def test_a_row_with_one_bad_owner_writes_nothing_of_it(app, make_citizen, tmp_path):
    owner = make_citizen()
    stranger = cccd_rules.build("066", "male", date(1980, 1, 1), 424_242)
    path = tmp_path / "gcn.jsonl"
    write_jsonl(path, [land_row([person(owner["cccd"]), person(stranger, "Võ Văn Tám", "1980-01-01")])])
    result = run_import(app, "land", path)
    assert result.exit_code == 1
    assert [r["reason"] for r in rejects_of(path)] == ["citizen_not_found"]
    assert rejects_of(path)[0]["field"] == "owners.1.cccd"
    assert counts(app) == {
        "land_certificates": 0,
        "land_certificate_owners": 0,
        "health_records": 0,
        "labour_records": 0,
    }


def test_duplicates_across_batches_keep_the_first(app, make_citizen, tmp_path):
    owner = make_citizen()
    first = land_row([person(owner["cccd"])])
    rows = [first, land_row([person(owner["cccd"])]), {**first, "status": "revoked"}]
    path = tmp_path / "gcn.jsonl"
    write_jsonl(path, rows)
    result = run_import(app, "land", path, "--batch-size", 1)
    assert "thêm mới 2, cập nhật 0, không đổi 0, từ chối 1." in result.output
    assert rejects_of(path)[0] == {
        "line": 3,
        "source_id": first["source_id"],
        "reason": "duplicate_row",
        "message": rejects_of(path)[0]["message"],
        "field": "source_id",
    }
    assert {r[2] for r in certificates(app)} == {"valid"}


def test_invalid_utf8_bytes_reject_their_line_only(app, make_citizen, tmp_path):
    owner = make_citizen()
    path = tmp_path / "gcn.jsonl"
    good = json.dumps(land_row([person(owner["cccd"])]), ensure_ascii=False).encode()
    utf8 = json.dumps(land_row([person(owner["cccd"])], address="Thôn 3"), ensure_ascii=False).encode()
    latin = utf8.replace("Thôn".encode(), "Thôn".encode("latin-1"))  # one cell saved in Latin-1
    path.write_bytes(good + b"\n" + latin + b"\n")
    result = run_import(app, "land", path)
    assert "thêm mới 1, cập nhật 0, không đổi 0, từ chối 1." in result.output
    assert [(r["line"], r["reason"], r["field"]) for r in rejects_of(path)] == [
        (2, "broken_encoding", "address")
    ]


def test_health_and_labour_files(app, make_citizen, tmp_path):
    owner = make_citizen()
    health = tmp_path / "suc-khoe.jsonl"
    write_jsonl(
        health,
        [health_row(owner["cccd"], kind) for kind in ("visit", "vaccination", "condition", "insurance_card")],
    )
    assert run_import(app, "health", health).exit_code == 0
    labour = tmp_path / "bhxh.jsonl"
    write_jsonl(
        labour,
        [
            labour_row(owner["cccd"]),
            labour_row(owner["cccd"], started_on="2023-01-01", ended_on=None, contribution_months="30"),
        ],
    )
    result = run_import(app, "labour", labour, "--source", "vssid-daklak")
    assert "thêm mới 2" in result.output
    with app.app_context():
        assert sorted(db.session.scalars(select(HealthRecord.kind))) == [
            "condition",
            "insurance_card",
            "vaccination",
            "visit",
        ]
        assert set(db.session.scalars(select(LabourRecord.source))) == {"vssid-daklak"}
        assert set(db.session.scalars(select(HealthRecord.citizen_id))) == {owner["id"]}
        db.session.remove()


def test_a_file_larger_than_a_batch_streams_through(app, make_citizen, tmp_path):
    """Generated on the fly, several batches: every row is counted once, the last batch partial."""
    owner = make_citizen()
    total, batch = 2_537, 500
    path = tmp_path / "lon.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number in range(total):
            row = land_row([person(owner["cccd"])], source_id=f"big-{number:06d}")
            if number % 1000 == 999:
                row["ward_code"] = "00000"  # a few bad rows among them
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    result = run_import(app, "land", path, "--batch-size", batch)
    assert (
        f"Đã đọc {total} bản ghi: thêm mới {total - 2}, cập nhật 0, không đổi 0, từ chối 2." in result.output
    )
    assert counts(app)["land_certificates"] == total - 2
    again = run_import(app, "land", path, "--batch-size", 700)
    assert f"không đổi {total - 2}, từ chối 2." in again.output


def test_files_the_importer_cannot_read(app, tmp_path):
    unknown = tmp_path / "gcn.xlsx"
    unknown.write_bytes(b"PK\x03\x04")
    assert "Không nhận ra định dạng" in run_import(app, "land", unknown).output
    wrong = tmp_path / "gcn.csv"
    wrong.write_text("source_id,so_thua\n1,2\n", encoding="utf-8")
    result = run_import(app, "land", wrong)
    assert result.exit_code != 0 and "cột không được phép: so_thua" in result.output
    assert counts(app)["land_certificates"] == 0


@dataclass
class _BreakingConnector:
    """A source that gives `rows` then fails (an API that drops the connection mid-export)."""

    rows_: list
    name: str = "vssid"
    record_type: str = "labour"
    pulled: int = 0

    def rows(self):
        for line, data in enumerate(self.rows_, start=1):
            self.pulled += 1
            yield Row(line, data)
        raise ConnectionError("the source dropped the connection")


def test_an_import_that_fails_halfway_is_audited_with_what_it_wrote(app, make_citizen):
    number = make_citizen()["cccd"]
    connector = _BreakingConnector([labour_row(number) for _ in range(3)])
    with app.app_context(), pytest.raises(ConnectionError):
        service.import_records(connector, actor="staff:test", batch_size=2)
    assert counts(app)["labour_records"] == 2  # the first batch was committed
    with app.app_context():
        [audit] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "records.import")).all()
        db.session.remove()
    assert audit.actor == "staff:test" and audit.target == "source:vssid"
    assert audit.detail["interrupted"] is True
    assert (audit.detail["created"], audit.detail["rejected"]) == (2, 0)


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's limit on bound values")
def test_on_sqlite_a_batch_is_capped_whatever_size_is_asked(app, make_citizen):
    """A batch's lookups are IN lists of bound values, which SQLite limits: --batch-size 1000000
    would fail with "too many SQL variables" on a large file. Batches are capped instead: the
    first is committed before the rows after it are read."""
    number = make_citizen()["cccd"]
    committed_when_read: dict[int, int] = {}

    class Watching(_BreakingConnector):
        def rows(self):
            for line in range(1, service.SQLITE_MAX_BATCH_SIZE + 11):
                if line == service.SQLITE_MAX_BATCH_SIZE + 10:
                    committed_when_read[line] = counts(app)["labour_records"]
                yield Row(line, labour_row(number))

    with app.app_context():
        report = service.import_records(Watching([]), actor="staff:test", batch_size=1_000_000)
        db.session.remove()
    assert report.created == service.SQLITE_MAX_BATCH_SIZE + 10
    assert committed_when_read == {service.SQLITE_MAX_BATCH_SIZE + 10: service.SQLITE_MAX_BATCH_SIZE}


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL's advisory locks")
def test_on_postgresql_a_second_import_of_a_source_waits_for_the_first(app, make_citizen, tmp_path):
    """Imports of one source are serialised by an advisory lock: one that starts while another
    holds it waits, then finds the rows the first wrote (unchanged, not created twice)."""
    number = make_citizen()["cccd"]
    path = tmp_path / "bhxh.jsonl"
    write_jsonl(path, [labour_row(number) for _ in range(5)])
    reports: list = []

    def run():
        with app.app_context():
            connector = FileConnector.open(path, "labour")
            reports.append(service.import_records(connector, actor="staff:test"))
            db.session.remove()

    with app.app_context():
        holder = db.engine.connect()  # plays the import already running
        key = bulk.lock_key("vssid")
        holder.execute(text("SELECT pg_advisory_lock(hashtext(:key))"), {"key": key})
        waiting = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND objid = (hashtext(:key)::bigint & 4294967295)::oid"
        )
        second = threading.Thread(target=run)
        second.start()
        try:
            for _ in range(600):  # until the second import is seen queued on the lock
                if holder.execute(waiting, {"key": key}).scalar():
                    break
                second.join(0.05)
            else:
                pytest.fail("the second import never waited for the lock")
            assert counts(app)["labour_records"] == 0 and not reports  # it waits, writing nothing
            # another source has a lock of its own: its import is not held up
            other = run_import(app, "labour", path, "--source", "vssid-test")
            assert "thêm mới 5," in other.output, other.output
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": key})
            holder.commit()
            holder.close()
        second.join(60)
    assert not second.is_alive()
    assert [r.created for r in reports] == [5]
    again = run_import(app, "labour", path)
    assert "thêm mới 0, cập nhật 0, không đổi 5," in again.output, again.output
