"""Dossiers at scale on PostgreSQL: applications per second through the API, and the latency of
public tracking and of the officers' queue at a small table and at 100,000 dossiers.

Reproduce (PostgreSQL on 127.0.0.1; the database named here is dropped and recreated):

    .venv/bin/python bench/dossiers_bench.py
    BENCH_DATABASE=cds_bench API_APPLICATIONS=2000 TOTAL_DOSSIERS=100000 .venv/bin/python bench/dossiers_bench.py

The API runs as `make run` serves it (gunicorn, gthread, 2 workers x 4 threads) on loopback;
the load comes from 8 client threads in this process, on the same 2 cores. Applications go
through the real route (JSON Schema validation, code allocation, history, outbox event). The
rest of the 100,000 are bulk-inserted in SQL with realistic spread over wards, statuses and due
dates, then tracking and the queue are measured again: with the indexes, their latency should
not grow with the table.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import gunicorn_command  # noqa: E402 (after the path is set)

SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "cds_bench")
API_APPLICATIONS = int(os.environ.get("API_APPLICATIONS", "2000"))
TOTAL = int(os.environ.get("TOTAL_DOSSIERS", "100000"))
PORT = int(os.environ.get("PORT", "8766"))
THREADS = 8
SAMPLES = 400
BASE = f"http://127.0.0.1:{PORT}"

TAM_TRU_FORM = {
    "persons": [
        {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "relationship_to_head": "Chủ hộ"}
    ],
    "address": "45 Y Wang",
    "ward_code": "24133",
    "residence_basis": "Thuê, mượn, ở nhờ có sự đồng ý của chủ sở hữu",
    "from_date": "2025-09-01",
    "duration_months": 12,
    "owner_full_name": "Lê Văn Bình",
    "owner_personal_id": "066088012346",
    "owner_consent": True,
}


def recreate_database() -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{SERVER}/{DATABASE}"


def prepare(url: str, instance: str) -> tuple[list[tuple[str, str]], str]:
    """Migrate, seed the demo city; return (access token, CCCD) of demo citizens and an officer token."""
    os.environ.update(DATABASE_URL=url, CDS_INSTANCE_PATH=instance, LOG_LEVEL="WARNING")
    from flask_migrate import upgrade

    from api import create_app
    from api.auth import service as auth
    from api.citizens.models import Citizen
    from api.demo import DEMO_STAFF_PASSWORD, seed_demo
    from api.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        seed_demo()
    citizens = []
    with app.test_request_context():
        for citizen in db.session.scalars(db.select(Citizen)):
            citizens.append((auth.sign_in_citizen(citizen)["access_token"], citizen.cccd))
        officer = auth.sign_in_staff("canbo.motcua", DEMO_STAFF_PASSWORD, None)["access_token"]
    return citizens, officer


def start_api(env: dict) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
        gunicorn_command(PORT),
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if httpx.get(f"{BASE}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the API did not start")


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49] * 1000:6.1f} ms   p95 {cuts[94] * 1000:6.1f} ms"


def apply_through_api(citizens) -> tuple[float, list[float], list[tuple[str, str]]]:
    created: list[tuple[str, str]] = []
    latencies: list[float] = []
    local = threading.local()  # one keep-alive connection per client thread, like a real app

    def one(index: int):
        token, cccd = citizens[index % len(citizens)]
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=BASE, timeout=30)
        started = time.perf_counter()
        response = local.client.post(
            "/me/dossiers",
            headers={"Authorization": f"Bearer {token}"},
            json={"procedure_code": "tam-tru", "form": TAM_TRU_FORM, "ward_code": "24133"},
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"application failed: {response.status_code} {response.text[:200]}")
        return elapsed, (response.json()["code"], cccd[-4:])

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        for elapsed, pair in pool.map(one, range(API_APPLICATIONS)):
            latencies.append(elapsed)
            created.append(pair)
    return API_APPLICATIONS / (time.perf_counter() - started), latencies, created


def measure_reads(created, officer: str) -> tuple[list[float], list[float]]:
    tracking, queue = [], []
    with httpx.Client(base_url=BASE, timeout=30) as client:
        for code, last4 in random.sample(created, min(SAMPLES, len(created))):
            started = time.perf_counter()
            response = client.get(f"/tracking/dossiers/{code}", params={"cccd_last4": last4})
            tracking.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
        for page in range(1, SAMPLES // 4 + 1):
            started = time.perf_counter()
            response = client.get(
                "/staff/dossiers",
                params={"page": page % 5 + 1, "page_size": 20},
                headers={"Authorization": f"Bearer {officer}"},
            )
            queue.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return tracking, queue


BULK_INSERT = """
INSERT INTO dossiers (id, code, procedure_code, citizen_id, authority, province_code, ward_code, status,
                      payment_status, fee_vnd, form_data, submitted_online, submitted_at, due_date, updated_at, version)
SELECT gen_random_uuid(),
       '66.' || w.ward || '-990101-' || lpad(n::text, 6, '0'),
       'tam-tru',
       (SELECT id FROM citizens ORDER BY id OFFSET (n %% 50) LIMIT 1),
       'ward', '66', w.ward,
       (ARRAY[1, 2, 4, 5, 6, 9, 10, 10, 10, 3])[1 + n %% 10],
       0, 15000, '{}', true,
       now() - (n %% 400) * interval '1 day',
       (current_date - 200 + (n %% 260)),
       now(), 1
FROM generate_series(1, %(count)s) AS n
CROSS JOIN LATERAL (SELECT (ARRAY['24133','24163','24121','24154','24169','24175','24305','22015'])[1 + n %% 8] AS ward) w
"""


def main() -> None:
    url = recreate_database()
    with tempfile.TemporaryDirectory() as instance:
        citizens, officer = prepare(url, instance)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CDS_INSTANCE_PATH": instance,
            "LOG_LEVEL": "WARNING",
            "RATELIMIT_PUBLIC_LOOKUP": "1000000 per minute",
        }
        api = start_api(env)
        try:
            rate, latencies, created = apply_through_api(citizens)
            print(f"cores {os.cpu_count()}, {THREADS} client threads, PostgreSQL database {DATABASE}")
            print(
                f"applications through the API: {API_APPLICATIONS} at {rate:6.1f}/s   {percentiles(latencies)}"
            )
            tracking, queue = measure_reads(created, officer)
            print(f"at {API_APPLICATIONS:>7,} dossiers  tracking by code: {percentiles(tracking)}")
            print(f"at {API_APPLICATIONS:>7,} dossiers  officer queue:    {percentiles(queue)}")
            with psycopg.connect(url, autocommit=True) as connection:
                started = time.perf_counter()
                connection.execute(BULK_INSERT, {"count": TOTAL - API_APPLICATIONS})
                connection.execute("VACUUM ANALYZE dossiers")  # what autovacuum does after a load
                print(
                    f"bulk-loaded {TOTAL - API_APPLICATIONS:,} more in {time.perf_counter() - started:.1f} s"
                )
            tracking, queue = measure_reads(created, officer)
            print(f"at {TOTAL:>7,} dossiers  tracking by code: {percentiles(tracking)}")
            print(f"at {TOTAL:>7,} dossiers  officer queue:    {percentiles(queue)}")
        finally:
            api.terminate()
            api.wait(timeout=10)


if __name__ == "__main__":
    main()
