"""The records import at 1,000,000 land rows on PostgreSQL, next to a plain COPY of the same file.

Reproduce (PostgreSQL on 127.0.0.1; works in a schema of its own, dropped at the end):

    .venv/bin/python bench/records_import_bench.py
    BENCH_PG=postgresql://postgres@127.0.0.1:5432/test ROWS=1000000 CITIZENS=100000 .venv/bin/python bench/records_import_bench.py

Prepared, not timed: 100,000 citizens COPYed into the registry (valid CCCDs, names, birth dates),
and a CSV of ROWS land certificates written to a temporary file (one owner each, every tenth with
a co-owner; names typed upper-case without accents on every fifth row, as exports do). Then,
timed:

1. `service.import_records` with the file connector: the real `flask records import` path
   (cleaning, registry matching, duplicate check, upsert by (source, source_id), owners); on
   PostgreSQL that is api/records/bulk.py (COPY into staging, the rules as set-based SQL),
   batches of BULK_BATCH_SIZE rows;
2. the same file again (every row unchanged: the idempotent path);
3. `COPY ... FROM STDIN (FORMAT csv)` of the same file into a bare table with the same columns,
   no index, no constraint: the physical limit of getting these bytes into PostgreSQL.

Peak memory is the process's RSS high-water mark (VmHWM) before and after the import.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
ROWS = int(os.environ.get("ROWS", "1000000"))
CITIZENS = int(os.environ.get("CITIZENS", "100000"))
WARDS = ("24133", "24163", "24121", "24154", "24169", "24175", "24305", "22015")
PURPOSES = ("Đất ở tại đô thị", "Đất trồng cây lâu năm", "Đất ở tại nông thôn", "Đất trồng lúa")


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_people(count: int, rng: random.Random) -> list[tuple[str, str, date, str]]:
    from api.citizens import cccd
    from api.demo import kinh_name

    people = []
    for sequence in range(count):
        sex = "male" if sequence % 2 else "female"
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        name = kinh_name(rng, sex)
        people.append((cccd.build("066", sex, born, sequence), name, born, sex))
    return people


def copy_citizens(connection, people) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY citizens (id, cccd, full_name, date_of_birth, sex, ward_code, identity_level, created_at, updated_at)"
            " FROM STDIN"
        ) as copy,
    ):
        for number, name, born, sex in people:
            copy.write_row((uuid.uuid4(), number, name, born, sex, WARDS[0], 2, "now()", "now()"))


def write_land_file(path: Path, people, rng: random.Random) -> None:
    from api.records.connectors import CSV_COLUMNS
    from api.text import fold

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS["land"])
        for number in range(ROWS):
            owners = [people[rng.randrange(len(people))]]
            if number % 10 == 0:
                co_owner = people[rng.randrange(len(people))]
                if co_owner[0] != owners[0][0]:
                    owners.append(co_owner)
            names = [fold(o[1]).upper() if number % 5 == 0 else o[1] for o in owners]
            writer.writerow(
                (
                    f"dk-{number:08d}",
                    f"CS {number:07d}",
                    str(rng.randrange(1, 900)),
                    str(rng.randrange(1, 80)),
                    f"{rng.randrange(40, 5000)}.{rng.randrange(10)}",
                    rng.choice(PURPOSES),
                    f"{rng.randrange(1, 300)} Đường Y Wang",
                    rng.choice(WARDS),
                    "valid" if number % 7 else "mortgaged",
                    (date(2000, 1, 1) + timedelta(days=rng.randrange(0, 9000))).isoformat(),
                    "|".join(o[0] for o in owners),
                    "|".join(names),
                    "|".join(o[2].isoformat() for o in owners),
                )
            )


def main() -> None:
    import psycopg
    import sqlalchemy as sa

    from api.config import normalise_database_url

    schema = f"records_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(normalise_database_url(BASE_URL))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = normalise_database_url(f"{BASE_URL}?options=-csearch_path%3D{schema}")
    workdir = Path(tempfile.mkdtemp(prefix="records-bench-"))
    try:
        os.environ.update(DATABASE_URL=url, CDS_INSTANCE_PATH=str(workdir / "instance"), LOG_LEVEL="WARNING")
        from api import create_app
        from api.extensions import db
        from api.records import service
        from api.records.connectors import CSV_COLUMNS, FileConnector

        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        rng = random.Random(6)  # noqa: S311 (reproducible data, not secrets)
        with app.app_context():
            db.create_all()
        people = make_people(CITIZENS, rng)
        plain_url = BASE_URL
        with psycopg.connect(plain_url, options=f"-csearch_path={schema}") as connection:
            copy_citizens(connection, people)
            connection.execute("ANALYZE citizens")
        path = workdir / "land.csv"
        write_land_file(path, people, rng)
        del people
        size_mb = path.stat().st_size / 1e6
        print(f"{ROWS:,} land rows, {size_mb:.0f} MB CSV; {CITIZENS:,} citizens", flush=True)

        with app.app_context():
            hwm_before = vm_hwm_mb()
            started = time.perf_counter()
            report = service.import_records(FileConnector.open(path, "land"), actor="bench")
            first = time.perf_counter() - started
            hwm_after = vm_hwm_mb()
            print(
                f"import: {first:.1f} s, {ROWS / first:,.0f} rows/s; created {report.created:,}, "
                f"rejected {report.rejected:,} {report.reasons}; VmHWM {hwm_before:.0f} -> {hwm_after:.0f} MB",
                flush=True,
            )
            started = time.perf_counter()
            again = service.import_records(FileConnector.open(path, "land"), actor="bench")
            second = time.perf_counter() - started
            print(
                f"re-import: {second:.1f} s, {ROWS / second:,.0f} rows/s; unchanged {again.unchanged:,}; "
                f"VmHWM {vm_hwm_mb():.0f} MB",
                flush=True,
            )

        with app.app_context():
            db.engine.dispose()
        columns = ", ".join(f"{name} text" for name in CSV_COLUMNS["land"])
        with psycopg.connect(plain_url, options=f"-csearch_path={schema}") as connection:
            connection.execute(f"CREATE TABLE land_copy ({columns})")
            connection.commit()
            started = time.perf_counter()
            with (
                connection.cursor() as cursor,
                cursor.copy("COPY land_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            connection.commit()
            copy_seconds = time.perf_counter() - started
        print(
            f"COPY: {copy_seconds:.1f} s, {ROWS / copy_seconds:,.0f} rows/s; "
            f"import / COPY time ratio {first / copy_seconds:.1f}x",
            flush=True,
        )
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        for child in sorted(workdir.rglob("*"), reverse=True):
            child.unlink() if child.is_file() else child.rmdir()
        workdir.rmdir()


if __name__ == "__main__":
    main()
