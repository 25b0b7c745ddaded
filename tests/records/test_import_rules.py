"""Every cleaning rule through the real import, one faulty row each: the same verdicts on SQLite
(rules in Python) and on PostgreSQL (rules in SQL, api/records/bulk.py). Run the suite with
TEST_DATABASE_URL set to check the second engine; each row names its expected reason and field."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from api.citizens import cccd as cccd_rules
from api.extensions import db
from api.records import bulk, cleaning, service
from api.records.connectors import CSV_COLUMNS, FileConnector, Row
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
)


def verdicts(path) -> list[tuple]:
    return [(r["line"], r["reason"], r["field"]) for r in rejects_of(path)]


def _raw(row: dict, **numbers: str) -> str:
    """A JSON line of `row` with some values written as raw JSON numbers ("1e3", "2E0") and
    non-ASCII characters escaped, as an export may write them (a lone surrogate only so)."""
    line = json.dumps(row)  # ensure_ascii: "\ud800" stays an escape
    for name, number in numbers.items():
        line = line.replace(f'"{name}": "@"', f'"{name}": {number}')
    return line


def test_land_rules_in_json_lines(app, make_citizen, tmp_path):
    owner = make_citizen()
    me = person(owner["cccd"])
    husband = make_citizen(full_name="Đặng Văn Đức", sex="male", date_of_birth=date(1985, 3, 4))
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    cases = [
        (land_row([me]), None),
        (land_row([me], extra="x", another=1), ("unknown_field", "another")),
        (land_row([me], status="bán rồi"), ("invalid_value", "status")),
        (land_row([me], status=None), ("missing_field", "status")),
        (land_row([]), ("missing_field", "owners")),
        (land_row([me] * 21), ("invalid_value", "owners")),
        (land_row(["không phải đối tượng"]), ("invalid_value", "owners.0")),
        (land_row([{**me, "phone": "0912"}]), ("unknown_field", "phone")),
        (land_row([{**me, "full_name": 7.5}]), ("invalid_value", "owners.0.full_name")),
        (land_row([{**me, "full_name": True}]), ("invalid_value", "owners.0.full_name")),
        (land_row([{**me, "full_name": "Hoa 2"}]), ("invalid_value", "owners.0.full_name")),
        (land_row([me, {**me, "date_of_birth": None}]), ("missing_field", "owners.1.date_of_birth")),
        (land_row([me, me]), ("invalid_value", "owners")),
        (land_row([me], certificate_number=["CS 1"]), ("invalid_value", "certificate_number")),
        (land_row([me], parcel_number="1" * 21), ("invalid_value", "parcel_number")),
        (land_row([me], map_sheet="Tờ\u200912"), None),  # a thin space is tidied, not refused
        (land_row([me], area_m2="12,25"), ("invalid_value", "area_m2")),
        (land_row([me], area_m2="-3"), ("invalid_value", "area_m2")),
        (land_row([me], area_m2="mười"), ("invalid_value", "area_m2")),
        (land_row([me], area_m2=True), ("invalid_value", "area_m2")),
        (land_row([me], area_m2=1e12), ("invalid_value", "area_m2")),
        (land_row([me], address="Thôn\x073"), ("broken_encoding", "address")),
        (land_row([me], address="Th\ufffdn 3"), ("broken_encoding", "address")),
        (land_row([me], address="Th\x00n 3"), ("broken_encoding", "address")),  # "\\u0000" in the file
        (land_row([me], address="Buôn Ma Thuá»™t"), ("broken_encoding", "address")),
        (land_row([me], ward_code="9999"), ("unknown_ward", "ward_code")),
        (land_row([me], issued_on="2015-3-20"), ("bad_date", "issued_on")),
        (land_row([me], issued_on="29/02/2023"), ("bad_date", "issued_on")),
        (land_row([me], issued_on=tomorrow), ("bad_date", "issued_on")),
        (land_row([me], issued_on=20150320), ("bad_date", "issued_on")),
        (land_row([me], source_id="gcn 1"), ("invalid_value", "source_id")),
        (land_row([me], source_id=None), ("missing_field", "source_id")),
        # the registry: the first owner it does not vouch for
        (
            land_row([me, person(husband["cccd"], "Đặng Văn Được", "1985-03-04")]),
            ("name_mismatch", "owners.1.full_name"),
        ),
        # the checks in clean_land's order: the status comes before the owners and the values
        (land_row([], status="?", ward_code="0"), ("invalid_value", "status")),
        (land_row([{**me, "cccd": "1"}], ward_code="0"), ("invalid_cccd", "owners.0.cccd")),
        (land_row([me], area_m2="0", ward_code="0", issued_on="x"), ("invalid_value", "area_m2")),
        (land_row([me], ward_code="0", issued_on="x", source_id="?"), ("unknown_ward", "ward_code")),
        (land_row([me], address=12), None),
    ]
    path = tmp_path / "gcn.jsonl"
    write_jsonl(path, [row for row, _ in cases] + ["[1, 2]", "", '{"source_id": NaN}'])
    result = run_import(app, "land", path)
    expected = [(line, *verdict) for line, (_, verdict) in enumerate(cases, start=1) if verdict]
    expected += [(len(cases) + 1, "bad_line", None), (len(cases) + 3, "bad_line", None)]
    assert verdicts(path) == expected
    accepted = sum(1 for _, verdict in cases if verdict is None)
    assert f"Đã đọc {len(cases) + 2} bản ghi: thêm mới {accepted}," in result.output
    with app.app_context():
        stored = {c.source_id: c for c in db.session.scalars(select(LandCertificate))}
        db.session.remove()
    tidy = stored[cases[15][0]["source_id"]]
    assert tidy.map_sheet == "Tờ 12"
    assert stored[cases[-1][0]["source_id"]].address == "12"  # a JSON number is text


def _cells(row: dict) -> list[str]:
    """A land row as CSV cells in the header's order, owners as "|"-separated parallel cells."""
    owners = {
        "owner_cccd": "|".join(o["cccd"] for o in row["owners"]),
        "owner_full_name": "|".join(o["full_name"] for o in row["owners"]),
        "owner_date_of_birth": "|".join(o["date_of_birth"] for o in row["owners"]),
    }
    return [owners.get(name, row.get(name, "")) for name in CSV_COLUMNS["land"]]


def test_land_csv_owner_cells_and_the_python_pass(app, make_citizen, tmp_path):
    owner = make_citizen()
    husband = make_citizen(full_name="Đặng Văn Đức", sex="male", date_of_birth=date(1985, 3, 4))
    me, him = person(owner["cccd"]), person(husband["cccd"], "DANG VAN DUC", "04/03/1985")
    spaced = land_row([me, him], status=" Đã thu hồi ", address="  Thôn   3\u00a0Ea Tu ")
    unequal = _cells(land_row([me]))
    unequal[CSV_COLUMNS["land"].index("owner_full_name")] += "|Lê Văn Nam"  # two names, one CCCD
    path = tmp_path / "gcn.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")  # Excel's byte-order mark
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS["land"])  # line 1
        writer.writerow(_cells(spaced))  # line 2
        writer.writerow(_cells(land_row([me], area_m2="85,0")))  # line 3
        writer.writerow([*_cells(land_row([me])), "ô thừa"])  # line 4: one cell too many
        handle.write("\n")  # line 5: blank, skipped
        writer.writerow(unequal)  # line 6
        writer.writerow(_cells(land_row([me], source_id="gcn-multi", address="Thôn 3\nEa Tu")))  # lines 7-8
        writer.writerow(_cells(land_row([me], map_sheet="1\x002")))  # line 9
        writer.writerow(_cells(land_row([me], ward_code="4")))  # line 10: "00004" is a ward of Hà Nội
    result = run_import(app, "land", path)
    assert verdicts(path) == [
        (4, "bad_line", None),
        (6, "missing_field", "owners.1.date_of_birth"),  # clean_person: name, birth date, CCCD
        (9, "broken_encoding", "map_sheet"),
    ], result.output
    assert "Đã đọc 7 bản ghi: thêm mới 4," in result.output
    with app.app_context():
        stored = {c.source_id: c for c in db.session.scalars(select(LandCertificate))}
        names = set(db.session.scalars(select(LandCertificateOwner.full_name)))
        db.session.remove()
    first = stored[spaced["source_id"]]
    assert (first.status, first.address) == ("revoked", "Thôn 3 Ea Tu")
    assert "DANG VAN DUC" in names  # đ/Đ fold to d: the registry's "Đặng Văn Đức"
    assert stored["gcn-multi"].address == "Thôn 3 Ea Tu"
    assert Decimal("85.0") in {c.area_m2 for c in stored.values()}


def test_health_and_labour_rules(app, make_citizen, tmp_path):
    owner = make_citizen()
    number = owner["cccd"]
    health = [
        (health_row(number, "visit", icd10_code="j06.9"), None),
        ({**health_row(number), "kind": "xray"}, ("invalid_value", "kind")),
        ({**health_row(number), "cccd": "12345"}, ("invalid_cccd", "cccd")),
        ({**health_row(number), "date_of_birth": "1991-05-17"}, ("cccd_birth_mismatch", "cccd")),
        ({**health_row(number), "full_name": "Nguyễn Thị Hồng"}, ("name_mismatch", "full_name")),
        (health_row(number, "visit", icd10_code="viêm"), ("invalid_value", "icd10_code")),
        (health_row(number, "visit", description=None), ("missing_field", "description")),
        (health_row(number, "vaccination", dose="11"), ("invalid_value", "dose")),
        (health_row(number, "vaccination", dose=2.5), ("invalid_value", "dose")),
        (health_row(number, "vaccination", dose=3), None),
        (health_row(number, "condition", on=None, icd10_code=None), None),
        (
            health_row(number, "insurance_card", card_number="GD466012345678"),
            ("invalid_value", "card_number"),
        ),
        (health_row(number, "insurance_card", valid_to="2024-12-31"), ("invalid_value", "valid_to")),
        (health_row(number, "insurance_card", valid_to="31/02/2030"), ("bad_date", "valid_to")),
        (health_row(number, "insurance_card", on="hôm qua"), None),  # not a field of a card: ignored
    ]
    path = tmp_path / "skdt.jsonl"
    write_jsonl(path, [row for row, _ in health])
    run_import(app, "health", path)
    assert verdicts(path) == [(line, *v) for line, (_, v) in enumerate(health, start=1) if v]
    labour = [
        (labour_row(number, ended_on=None, employer_tax_code=None, position=None), None),
        (labour_row(number, ended_on="2017-01-01"), ("invalid_value", "ended_on")),
        (labour_row(number, social_insurance_number="12"), ("invalid_value", "social_insurance_number")),
        (labour_row(number, employer_tax_code="6000123456-1"), ("invalid_value", "employer_tax_code")),
        (labour_row(number, contribution_months="601"), ("invalid_value", "contribution_months")),
        (labour_row(number, contribution_months="-1"), ("invalid_value", "contribution_months")),
        (labour_row(number, started_on=None), ("missing_field", "started_on")),
        (
            {**labour_row(number), "cccd": cccd_rules.build("066", "female", date(1990, 5, 17), 777_777)},
            ("citizen_not_found", "cccd"),
        ),
    ]
    path = tmp_path / "bhxh.jsonl"
    write_jsonl(path, [row for row, _ in labour])
    run_import(app, "labour", path)
    assert verdicts(path) == [(line, *v) for line, (_, v) in enumerate(labour, start=1) if v]
    with app.app_context():
        visit = db.session.scalars(select(HealthRecord).where(HealthRecord.kind == "visit")).one()
        assert visit.icd10_code == "J06.9" and visit.card_number is None
        period = db.session.scalars(select(LabourRecord)).one()
        assert (period.ended_on, period.employer_tax_code, period.position) == (None, None, None)
        db.session.remove()


def test_the_stored_digest_is_the_python_digest_and_a_reimport_confirms(app, make_citizen, tmp_path):
    """Both engines compute row_hash alike: the stored digest is CleanRow.digest()."""
    owner = make_citizen()
    row = land_row([person(owner["cccd"], "NGUYEN THI HOA")], area_m2="120,5", status="Đang thế chấp")
    path = tmp_path / "gcn.jsonl"
    write_jsonl(path, [row])
    assert run_import(app, "land", path).exit_code == 0

    def stored():
        with app.app_context():
            certificate = db.session.scalars(select(LandCertificate)).one()
            db.session.remove()
            return certificate

    first = stored()
    assert first.row_hash == cleaning.clean_row("land", json.loads(json.dumps(row))).digest()
    assert run_import(app, "land", path).exit_code == 0
    again = stored()
    assert (again.row_hash, again.area_m2, again.id) == (first.row_hash, first.area_m2, first.id)
    assert again.synced_at > first.synced_at
    assert counts(app)["land_certificate_owners"] == 1


@dataclass
class _ListConnector:
    """A connector that is not a file (an API paging through a national system)."""

    rows_: list
    name: str = "land-registry"
    record_type: str = "land"

    def rows(self):
        return iter(self.rows_)


def test_any_connector_goes_through_the_same_rules(app, make_citizen):
    owner = make_citizen()
    good = land_row([person(owner["cccd"])])
    connector = _ListConnector(
        [
            Row(1, good),
            Row(2, None, cleaning.Rejection("bad_line", "Bản ghi không đọc được.")),
            Row(3, land_row([person(owner["cccd"])], ward_code="99999")),
            Row(4, ["không", "phải", "đối tượng"]),
        ]
    )
    seen: list = []
    with app.app_context():
        report = service.import_records(connector, actor="test", on_reject=seen.append)
        db.session.remove()
    assert (report.received, report.created, report.rejected) == (4, 1, 3)
    assert [(r.line, r.code) for r in seen] == [(2, "bad_line"), (3, "unknown_ward"), (4, "bad_line")]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="compares the two paths on PostgreSQL")
def test_on_postgresql_the_sql_rules_and_the_python_rules_agree(app, make_citizen, tmp_path):
    """The same file through bulk.py and through the Python rules (service._import_rows):
    the same rejects, line by line, with the same reasons, fields and messages."""
    owner = make_citizen()
    me = person(owner["cccd"])
    rows = [
        land_row([me]),
        land_row([me, {**me, "full_name": "Hoa 2"}]),
        land_row([me], status="thu hồi", area_m2="1e3"),
        land_row([{**me, "date_of_birth": "31/04/1990"}]),
        land_row([me], issued_on="1899-12-31"),
        land_row([me], address="x" * 301),
        land_row([me], source_id="gcn/1:ok"),
        land_row([{**me, "cccd": "003190001234"}]),
        land_row([{**me, "full_name": "NGUYỄN  THỊ  HOA"}], address=" Thôn\t3 "),
        '{"source_id": ',
        land_row([me], zeta=1, alpha=2),
        land_row([me], area_m2=True, map_sheet=12.5),
        land_row([me], issued_on="2015/03/20"),
        land_row([me], ward_code="Buôn Ma Thuột"),
        land_row([{**me, "cccd": cccd_rules.build("066", "female", date(1990, 5, 17), 4242)}]),
        land_row([{**me, "date_of_birth": "18/05/1990"}]),
        land_row([me], address="Thôn 3 Ea Tu Ã©"),
        # values that are not text, quoted in messages as PostgreSQL prints them: true, ["x"]
        land_row([me], issued_on=True),
        land_row([me], issued_on=["x", 1]),
        land_row([me], issued_on={"bb": 1, "a": [2]}),
        land_row([me], source_id=True),
        # JSON fractions and exponents are floats, as Python's json reads them
        _raw(land_row([me], issued_on="@"), issued_on="1e3"),
        _raw(land_row([me], address="@"), address="1e3"),
        _raw(land_row([{**me, "full_name": "@"}]), full_name="7.5e0"),
        _raw(land_row([{**me, "date_of_birth": "@"}]), date_of_birth="1990.0"),
        _raw(land_row([me], area_m2="@"), area_m2="1.20E2"),
        _raw(land_row([me], area_m2="@"), area_m2="120.50"),
        _raw(land_row([me], area_m2="@"), area_m2="1e-5"),
        _raw(land_row([me], area_m2="@"), area_m2="1e999"),
        # numbers as PostgreSQL reads them, ASCII digits only
        land_row([me], area_m2="NaN"),
        land_row([me], area_m2="Infinity"),
        land_row([me], area_m2="1_000"),
        land_row([me], area_m2="1e99999"),
        land_row([me], area_m2="١٢٠"),
        land_row([{**me, "full_name": "Nguyễn Thị Hoa ²"}]),
        land_row([{**me, "cccd": "０" + me["cccd"][1:]}]),
        land_row([me], issued_on="２０１５-０３-２０"),
        land_row([me], ward_code="２４１３３"),
        land_row([me], ward_code="²"),
        land_row([me], ward_code="0024133"),
        # characters neither UTF-8 nor PostgreSQL text can hold, refused in their field
        _raw(land_row([me], address="Th\ud800n 3")),
        _raw(land_row([me], address="Th\u0000n 3")),
        _raw({**land_row([me]), "gh\udc00i": 1}),
    ]
    path = tmp_path / "gcn.jsonl"
    write_jsonl(path, rows)
    results = {}
    for name in ("sql", "python"):
        found: list = []
        with app.app_context():
            connector = FileConnector.open(path, "land", name=f"land-{name}")
            if name == "sql":
                report = bulk.import_records(connector, batch_size=4, on_reject=found.append)
            else:
                report = service._import_rows(connector, 4, found.append)
            stored = db.session.execute(
                select(
                    LandCertificate.source_id,
                    LandCertificate.address,
                    LandCertificate.status,
                    LandCertificate.area_m2,
                    LandCertificate.row_hash,
                )
                .where(LandCertificate.source == f"land-{name}")
                .order_by(LandCertificate.source_id)
            ).all()
            db.session.remove()
        results[name] = (
            report.created,
            report.rejected,
            [r.as_dict() for r in found],
            [tuple(r) for r in stored],
        )
    assert results["sql"] == results["python"]
    assert results["sql"][0] == 6 and results["sql"][1] == 13 + 24


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="compares the two paths on PostgreSQL")
def test_on_postgresql_health_and_labour_agree_too(app, make_citizen, tmp_path):
    number = make_citizen()["cccd"]
    files = {
        "health": [
            health_row(number, "visit", icd10_code="j06.9"),
            {**health_row(number), "kind": "X-quang"},
            health_row(number, "vaccination", dose="0"),
            health_row(number, "vaccination", dose=True),
            health_row(number, "condition", on="", description="Đái tháo đường"),
            health_row(number, "insurance_card", valid_to="2020-01-01"),
            health_row(number, "insurance_card", card_number="gd4660123456789"),
            {**health_row(number), "full_name": ["Nguyễn Thị Hoa"]},
            {**health_row(number), "note": "x"},
            _raw(health_row(number, "vaccination", dose="@"), dose="2E0"),
            health_row(number, "vaccination", dose="²"),
            health_row(number, "vaccination", dose="0000000002"),
            health_row(number, "vaccination", dose="000000002"),
            health_row(number, "visit", on=False),
            health_row(number, "visit", on="０２/０６/２０２５"),
        ],
        "labour": [
            labour_row(number),
            labour_row(number, contribution_months=12.0),
            labour_row(number, contribution_months=" 7 "),
            labour_row(number, ended_on="30/06/2017"),
            labour_row(number, employer_tax_code="6000123456-001", position="  "),
            {**labour_row(number), "date_of_birth": "1990-5-17"},
            labour_row(number, contribution_months="0000000000012"),
            labour_row(number, contribution_months="1_2"),
            _raw(labour_row(number, contribution_months="@"), contribution_months="1.2e1"),
        ],
    }
    for record_type, rows in files.items():
        path = tmp_path / f"{record_type}.jsonl"
        write_jsonl(path, rows)
        results = []
        for name, run in (("sql", bulk.import_records), ("python", None)):
            found: list = []
            with app.app_context():
                connector = FileConnector.open(path, record_type, name=f"{record_type}-{name}")
                if run:
                    report = run(connector, batch_size=100, on_reject=found.append)
                else:
                    report = service._import_rows(connector, 100, found.append)
                db.session.remove()
            results.append((report.created, [r.as_dict() for r in found]))
        assert results[0] == results[1], record_type
        assert results[0][0] >= 3


def test_digits_numbers_and_escapes_are_judged_alike_on_both_engines(app, make_citizen, tmp_path):
    """ASCII digits only, numbers as PostgreSQL reads them, JSON floats as Python reads them, and
    a lone surrogate refused in its field: no row stops the import (they once raised)."""
    owner = make_citizen()
    me = person(owner["cccd"])
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in owner["cccd"])
    cases = [
        (_raw(land_row([me], address="Th\ud800n 3")), ("broken_encoding", "address")),
        (_raw(land_row([me], map_sheet="@")), None),  # placeholder replaced below: a float
        (land_row([{**me, "full_name": "Nguyễn Thị Hoa ²"}]), ("name_mismatch", "owners.0.full_name")),
        (land_row([{**me, "cccd": full_width}]), ("invalid_cccd", "owners.0.cccd")),
        (land_row([me], issued_on="２０１５-０３-２０"), ("bad_date", "issued_on")),
        (land_row([me], ward_code="²"), ("unknown_ward", "ward_code")),
        (land_row([me], ward_code="２４１３３"), ("unknown_ward", "ward_code")),
        (land_row([me], area_m2="1_000"), ("invalid_value", "area_m2")),
        (land_row([me], area_m2="NaN"), ("invalid_value", "area_m2")),
        (land_row([me], area_m2="١٢٠"), ("invalid_value", "area_m2")),
        (_raw(land_row([me], address="@"), address="1e3"), ("invalid_value", "address")),
        (_raw(land_row([me], area_m2="@"), area_m2="1.20E2"), None),  # 120.0 m²
        (_raw(land_row([me], area_m2="@"), area_m2="120.50"), None),  # 120.5 m²
    ]
    cases[1] = (_raw(land_row([me], map_sheet="@"), map_sheet="12.0"), ("invalid_value", "map_sheet"))
    path = tmp_path / "gcn.jsonl"
    write_jsonl(path, [row for row, _ in cases])
    result = run_import(app, "land", path)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    expected = [(line, *verdict) for line, (_, verdict) in enumerate(cases, start=1) if verdict]
    assert verdicts(path) == expected
    assert "thêm mới 2," in result.output
    with app.app_context():
        areas = sorted(db.session.scalars(select(LandCertificate.area_m2)))
        db.session.remove()
    assert areas == [Decimal("120.0"), Decimal("120.5")]

    number = owner["cccd"]
    health = [
        (_raw(health_row(number, "vaccination", dose="@"), dose="2E0"), ("invalid_value", "dose")),
        (health_row(number, "vaccination", dose="²"), ("invalid_value", "dose")),
        (health_row(number, "vaccination", dose="١"), ("invalid_value", "dose")),
        (health_row(number, "vaccination", dose="0000000002"), ("invalid_value", "dose")),
        (health_row(number, "vaccination", dose="000000002"), None),
        (health_row(number, "visit", on="０２/０６/２０２５"), ("bad_date", "on")),
    ]
    path = tmp_path / "skdt.jsonl"
    write_jsonl(path, [row for row, _ in health])
    run_import(app, "health", path)
    assert verdicts(path) == [(line, *v) for line, (_, v) in enumerate(health, start=1) if v]
    labour = [
        (labour_row(number, contribution_months="0000000000012"), ("invalid_value", "contribution_months")),
        (labour_row(number, contribution_months="1_2"), ("invalid_value", "contribution_months")),
        (
            _raw(labour_row(number, contribution_months="@"), contribution_months="1.2e1"),
            ("invalid_value", "contribution_months"),
        ),
        (labour_row(number, contribution_months="０１２"), ("invalid_value", "contribution_months")),
    ]
    path = tmp_path / "bhxh.jsonl"
    write_jsonl(path, [row for row, _ in labour])
    run_import(app, "labour", path)
    assert verdicts(path) == [(line, *v) for line, (_, v) in enumerate(labour, start=1) if v]


def test_a_report_with_characters_utf8_cannot_hold_is_still_written(app, make_citizen, tmp_path):
    """A lone surrogate (a JSON escape) in a value, a field name or a source_id: the rows are
    refused with U+FFFD in its place, and the reject report is written whole (it once raised
    UnicodeEncodeError halfway)."""
    owner = make_citizen()
    me = person(owner["cccd"])
    path = tmp_path / "gcn.jsonl"
    write_jsonl(
        path,
        [
            json.dumps(land_row([me], address="Th\ud800n 3")),
            json.dumps({**land_row([me]), "gh\udc00i_chu": "x"}),
            json.dumps(land_row([me], source_id="gcn-\ud83d")),
            json.dumps(land_row([me], address="Th\u0000n 3")),
            land_row([me]),
        ],
    )
    result = run_import(app, "land", path)
    assert result.exit_code == 1, result.output
    assert "thêm mới 1, cập nhật 0, không đổi 0, từ chối 4." in result.output
    rejects = rejects_of(path)
    assert [(r["line"], r["reason"], r["field"]) for r in rejects] == [
        (1, "broken_encoding", "address"),
        (2, "unknown_field", "gh\ufffdi_chu"),
        (3, "broken_encoding", "source_id"),
        (4, "broken_encoding", "address"),
    ]
    assert "'Th\ufffdn 3'" in rejects[0]["message"] and "'Th\ufffdn 3'" in rejects[3]["message"]
    assert rejects[2]["source_id"] == "gcn-\ufffd"
