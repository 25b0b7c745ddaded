"""Demo records for `flask seed-demo`: every demo citizen's land certificate, health book and
labour book, brought in the way real ones are. The rows are what the three national systems would
send (land registry, health book, VssID); they go through a connector and the records import, so
they are cleaned and matched against the population registry like any feed, and the app shows the
real source and sync time of each record.

Idempotent: rows a source already sent are not sent again, so seeding twice changes nothing, not
even the "last confirmed" time a re-import would move.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from api.extensions import db
from api.records import service
from api.records.connectors import DEFAULT_SOURCE, Row
from api.records.models import HEALTH, LABOUR, LAND, HealthRecord, LabourRecord, LandCertificate
from api.unit_of_work import checkpoint

ACTOR = "demo"
_MODELS = {LAND: LandCertificate, HEALTH: HealthRecord, LABOUR: LabourRecord}


class Person(Protocol):
    """What the demo knows of a citizen (api/demo.py's DemoProfile)."""

    person: Any  # cccd, full_name, date_of_birth, ward_code
    social_insurance_number: str
    land: dict
    jobs: tuple[dict, ...]
    age: int


@dataclass
class FeedConnector:
    """A national system's feed held in memory: the demo's stand-in for a live connector."""

    name: str
    record_type: str
    data: list[dict[str, Any]]

    def rows(self) -> Iterator[Row]:
        for line, row in enumerate(self.data, start=1):
            yield Row(line, row)


def _who(profile: Person) -> dict[str, str]:
    person = profile.person
    return {
        "cccd": person.cccd,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
    }


def land_rows(profile: Person) -> list[dict]:
    return [{"source_id": f"DEMO-GCN-{profile.person.cccd}", **profile.land, "owners": [_who(profile)]}]


_FACILITIES = {
    "22015": ("Bệnh viện Đa khoa tỉnh Phú Yên", "Trạm Y tế phường Tuy Hòa"),
    "24305": ("Trung tâm Y tế thị xã Buôn Hồ", "Trạm Y tế phường Buôn Hồ"),
}
_CITY = ("Bệnh viện Đa khoa vùng Tây Nguyên", "Trung tâm Y tế thành phố Buôn Ma Thuột")
_VISITS = (
    ("Viêm họng cấp", "J02.9"),
    ("Viêm phế quản cấp", "J20.9"),
    ("Viêm dạ dày", "K29.7"),
    ("Đau lưng", "M54.5"),
    ("Khám sức khỏe định kỳ", "Z00.0"),
)
_CONDITIONS = (
    ("Tăng huyết áp vô căn", "I10"),
    ("Đái tháo đường type 2", "E11"),
    ("Thoái hóa khớp gối", "M17"),
)


def health_rows(profile: Person) -> list[dict]:
    """The insurance card in force, two visits, vaccinations, a chronic condition after 50."""
    person = profile.person
    rng = random.Random(f"health:{person.cccd}")
    today = date.today()
    hospital, clinic = _FACILITIES.get(person.ward_code, _CITY)
    who = _who(profile)
    group = (
        "HT" if profile.age >= 60 else ("DN" if any(j["ended_on"] is None for j in profile.jobs) else "GD")
    )
    start = date(today.year, 1, 1)
    rows = [
        {
            "source_id": f"DEMO-BHYT-{person.cccd}-{today.year}",
            "kind": "insurance_card",
            **who,
            "card_number": f"{group}{3 if group == 'HT' else 4}{profile.social_insurance_number[:2]}"
            f"{profile.social_insurance_number}",
            "valid_from": start.isoformat(),
            "valid_to": date(today.year, 12, 31).isoformat(),
            "facility": clinic,
        }
    ]
    for number, (description, icd10) in enumerate(rng.sample(_VISITS, 2), start=1):
        rows.append(
            {
                "source_id": f"DEMO-KCB-{person.cccd}-{number}",
                "kind": "visit",
                **who,
                "on": (today - timedelta(days=rng.randrange(20, 700))).isoformat(),
                "facility": rng.choice((hospital, clinic)),
                "description": description,
                "icd10_code": icd10,
            }
        )
    for dose in range(1, 3):
        rows.append(
            {
                "source_id": f"DEMO-TC-{person.cccd}-covid-{dose}",
                "kind": "vaccination",
                **who,
                "on": date(2021, 8 + dose * 2, rng.randrange(1, 28)).isoformat(),
                "facility": clinic,
                "description": "Vắc xin phòng COVID-19",
                "dose": dose,
            }
        )
    if profile.age >= 50:
        description, icd10 = rng.choice(_CONDITIONS)
        rows.append(
            {
                "source_id": f"DEMO-BM-{person.cccd}",
                "kind": "condition",
                **who,
                "on": date(today.year - rng.randrange(1, 12), rng.randrange(1, 13), 1).isoformat(),
                "description": description,
                "icd10_code": icd10,
            }
        )
    return rows


def labour_rows(profile: Person) -> list[dict]:
    return [
        {
            "source_id": f"DEMO-QTDB-{profile.person.cccd}-{number}",
            **_who(profile),
            "social_insurance_number": profile.social_insurance_number,
            **{key: value for key, value in job.items() if value is not None},
        }
        for number, job in enumerate(profile.jobs, start=1)
    ]


def seed_demo_records(profiles: Iterable[Person]) -> int:
    """Import the rows of the three feeds the sources have not sent yet; how many were added.

    Raises RuntimeError when the import rejects a demo row: the demo's data is wrong, and a
    citizen would silently miss a record."""
    profiles = list(profiles)
    feeds = {
        LAND: [row for p in profiles for row in land_rows(p)],
        HEALTH: [row for p in profiles for row in health_rows(p)],
        LABOUR: [row for p in profiles for row in labour_rows(p)],
    }
    added = 0
    for record_type, rows in feeds.items():
        source, model = DEFAULT_SOURCE[record_type], _MODELS[record_type]
        sent = set(
            db.session.scalars(
                select(model.source_id).where(
                    model.source == source, model.source_id.in_([row["source_id"] for row in rows])
                )
            )
        )
        missing = [row for row in rows if row["source_id"] not in sent]
        if not missing:
            continue
        # (and on SQLite, where one connection writes at a time, it would wait for this one)
        checkpoint("the records import reads the seeded citizens on a connection of its own")
        rejected = []
        report = service.import_records(
            FeedConnector(source, record_type, missing), actor=ACTOR, on_reject=rejected.append
        )
        if rejected:
            raise RuntimeError(f"demo {record_type} rows rejected: {[r.as_dict() for r in rejected[:3]]}")
        added += report.created
    return added
