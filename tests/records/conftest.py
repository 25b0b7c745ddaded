"""Fixtures of the records tests: a verified owner, files as the national systems export them."""

from __future__ import annotations

import csv
import itertools
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.records.connectors import CSV_COLUMNS
from api.records.models import HealthRecord, LabourRecord, LandCertificate, LandCertificateOwner
from tests.conftest import (
    DEMO_WARD,
    assert_problem,  # noqa: F401 (the package's tests import it from here)
)

_ids = itertools.count(1)
OWNER_NAME = "Nguyễn Thị Hoa"  # tests/conftest.py: make_citizen's default person
OWNER_BORN = "1990-05-17"


def land_row(owners: list[dict], **overrides) -> dict:
    """A certificate as the land registry exports it (JSON Lines shape)."""
    number = next(_ids)
    row = {
        "source_id": f"gcn-{number:06d}",
        "certificate_number": f"CS {number:05d}",
        "parcel_number": str(100 + number),
        "map_sheet": "12",
        "area_m2": "120.5",
        "land_use_purpose": "Đất ở tại đô thị",
        "address": "45 Y Wang",
        "ward_code": DEMO_WARD,
        "status": "valid",
        "issued_on": "2015-03-20",
        "owners": owners,
    }
    row.update(overrides)
    return row


def person(cccd: str, full_name: str = OWNER_NAME, date_of_birth: str = OWNER_BORN) -> dict:
    return {"cccd": cccd, "full_name": full_name, "date_of_birth": date_of_birth}


def health_row(cccd: str, kind: str = "visit", **overrides) -> dict:
    number = next(_ids)
    row = {"source_id": f"skdt-{number:06d}", "kind": kind, **person(cccd)}
    row.update(
        {
            "visit": {
                "on": "2025-06-02",
                "facility": "Bệnh viện Đa khoa vùng Tây Nguyên",
                "description": "Viêm họng cấp",
                "icd10_code": "J02.9",
            },
            "vaccination": {
                "on": "2021-09-15",
                "facility": "Trạm Y tế phường Buôn Ma Thuột",
                "description": "COVID-19 (Pfizer)",
                "dose": "2",
            },
            "condition": {"description": "Tăng huyết áp vô căn", "icd10_code": "I10", "on": "2019-01-10"},
            "insurance_card": {
                "card_number": "GD4660123456789",
                "valid_from": "2025-01-01",
                "valid_to": "2099-12-31",
                "facility": "Trạm Y tế phường Tân Lập",
            },
        }[kind]
    )
    row.update(overrides)
    return row


def labour_row(cccd: str, **overrides) -> dict:
    number = next(_ids)
    row = {
        "source_id": f"bhxh-{number:06d}",
        **person(cccd),
        "social_insurance_number": "6621234567",
        "employer": "Công ty TNHH Cà phê Buôn Ma Thuột",
        "employer_tax_code": "6000123456",
        "position": "Kế toán",
        "started_on": "2018-07-01",
        "ended_on": "2022-12-31",
        "contribution_months": "54",
    }
    row.update(overrides)
    return row


def write_jsonl(path, rows) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")


def write_land_csv(path, rows) -> None:
    """Land rows as a CSV: owners as parallel cells separated by "|"."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS["land"])
        writer.writeheader()
        for row in rows:
            flat = {key: value for key, value in row.items() if key != "owners"}
            for column, key in (
                ("owner_cccd", "cccd"),
                ("owner_full_name", "full_name"),
                ("owner_date_of_birth", "date_of_birth"),
            ):
                flat[column] = "|".join(owner[key] for owner in row["owners"])
            writer.writerow(flat)


def run_import(app, record_type, path, *args):
    return app.test_cli_runner().invoke(
        args=["records", "import", "--type", record_type, str(path), *map(str, args)]
    )


def rejects_of(path) -> list[dict]:
    report = path.with_name(path.name + ".rejects.jsonl")
    if not report.exists():
        return []
    return [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]


def counts(app) -> dict[str, int]:
    with app.app_context():
        result = {
            table.__tablename__: db.session.scalar(select(func.count()).select_from(table))
            for table in (LandCertificate, LandCertificateOwner, HealthRecord, LabourRecord)
        }
        db.session.remove()
        return result


@pytest.fixture
def owner(citizen):
    """The records' owner: the signed-in, level-2 citizen of tests/conftest.py."""
    return citizen


@pytest.fixture
def stranger(citizen_headers):
    headers, person_, _ = citizen_headers(
        full_name="Trần Văn Bình", sex="male", date_of_birth=date(1985, 2, 1)
    )
    return {"headers": headers, **person_}
