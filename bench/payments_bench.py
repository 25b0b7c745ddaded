"""Payments on PostgreSQL: fines paid per second through the API against a real localstripe,
provider webhooks processed per second (new events and a replayed burst), and the latency of the
public fine lookup by plate at a small table and at 1,000,000 notices.

Reproduce (PostgreSQL on 127.0.0.1; the database named here is dropped and recreated):

    .venv/bin/python bench/payments_bench.py
    BENCH_DATABASE=cds_payments_bench PAYMENTS=500 WEBHOOK_EVENTS=2000 TOTAL_NOTICES=1000000 .venv/bin/python bench/payments_bench.py

The API runs as `make run` serves it (gunicorn, gthread, 2 workers x 4 threads) on loopback,
paying against localstripe started from scratch; the load comes from 8 client threads in this
process, on the same 2 cores. The payables are traffic fines: notices from the camera feed
(`api.fines.service.import_notices`), confirmed by their owners (the 50 demo citizens), each
paid once with a fresh `Idempotency-Key` and the owner's card. Webhooks are
`payment_intent.succeeded` events for those payments, each intent as localstripe returns it,
signed with the API's `PAYMENT_WEBHOOK_SECRET`, every event id distinct; the same events are then
sent again (answered "duplicate"). The lookup is then measured on the small table, and again
after bulk-loading notices in SQL up to 1,000,000 (plates over provinces 11-99, car and
motorbike series, 70 % of plates seen once, the rest repeat offenders) and `VACUUM ANALYZE`.

localstripe runs as the tests run it (`wallet.localstripe_server`: loopback, its store in a file
of this run's own instead of the shared /tmp/localstripe.pickle), started `--from-scratch`. It
pickles its whole store on every write (six times per payment), so it slows as the store grows:
compare runs of the same size only.
"""

from __future__ import annotations

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import gunicorn_command  # noqa: E402 (after the path is set)

SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "cds_payments_bench")
PAYMENTS = int(os.environ.get("PAYMENTS", "500"))
WEBHOOK_EVENTS = int(os.environ.get("WEBHOOK_EVENTS", "2000"))
TOTAL_NOTICES = int(os.environ.get("TOTAL_NOTICES", "1000000"))
PORT = int(os.environ.get("PORT", "8767"))
STRIPE_PORT = int(os.environ.get("STRIPE_PORT", "8421"))
THREADS = 8
SAMPLES = 400  # lookups of existing plates
MISSING = 100  # lookups of plates with no notice
BASE = f"http://127.0.0.1:{PORT}"
STRIPE = f"http://127.0.0.1:{STRIPE_PORT}"
SECRET_KEY = "sk_test_payments_bench"  # noqa: S105 - any key opens localstripe
WEBHOOK_SECRET = "whsec_payments_bench"  # noqa: S105 - this run's own, given to the API
SERIES_LETTERS = "ABCDEFGHKLMNPRSTUVXYZ"  # api/fines/plates.py


def recreate_database() -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{SERVER}/{DATABASE}"


def check_free(port: int, variable: str) -> None:
    """Refuse to measure someone else's server (a `make run`, a test) listening there already."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is in use: choose another with {variable}=...")


def start_localstripe(workdir: str) -> subprocess.Popen:
    check_free(STRIPE_PORT, "STRIPE_PORT")
    process = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
        [
            sys.executable,
            "-m",
            "wallet.localstripe_server",
            "--port",
            str(STRIPE_PORT),
            "--store",
            str(Path(workdir) / "localstripe.pickle"),
            "--from-scratch",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            httpx.get(f"{STRIPE}/v1/customers", auth=(SECRET_KEY, ""), timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("localstripe did not start")


def make_card() -> str:
    """A card payment method, as the app's card form would create it."""
    created = httpx.post(
        f"{STRIPE}/v1/payment_methods",
        auth=(SECRET_KEY, ""),
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
        },
    )
    created.raise_for_status()
    return created.json()["id"]


def random_plate(rng: random.Random) -> str:
    """A canonical plate: 1 car in 3 (`47A-123.45`), the rest motorbikes (`47B1-123.45`)."""
    series = rng.choice(SERIES_LETTERS) + ("" if rng.random() < 1 / 3 else str(rng.randint(1, 9)))
    number = f"{rng.randrange(100000):05d}"
    return f"{rng.randint(11, 99)}{series}-{number[:3]}.{number[3:]}"


def missing_plates(count: int) -> list[str]:
    """Valid plates no notice has: two-letter car series (`29LD-…`) are never generated here."""
    rng = random.Random(404)  # noqa: S311 - seeded on purpose: the same plates every run
    return [
        f"{rng.randint(11, 99)}LD-{rng.randrange(100, 1000)}.{rng.randrange(10, 100)}" for _ in range(count)
    ]


def prepare(url: str, instance: str) -> tuple[dict[str, str], list[dict]]:
    """Migrate, seed the demo city, import `PAYMENTS` notices for the demo citizens and confirm them
    as their owners; return each citizen's access token and the fines to pay."""
    os.environ.update(DATABASE_URL=url, CDS_INSTANCE_PATH=instance, LOG_LEVEL="WARNING")
    from flask_migrate import upgrade
    from sqlalchemy import inspect, select

    from api import create_app
    from api.auth import service as auth
    from api.citizens.models import Citizen
    from api.demo import seed_demo
    from api.extensions import db
    from api.fines import service as fines
    from api.fines.models import FineNotice
    from api.fines.violations import CATALOGUE

    app = create_app()
    with app.app_context():
        upgrade()
        missing = {"payments", "fine_notices"} - set(inspect(db.engine).get_table_names())
        if missing:
            print(f"the migrations do not create {sorted(missing)} yet: db.create_all() instead")
            db.create_all()
        seed_demo()
        people = list(db.session.scalars(select(Citizen).order_by(Citizen.cccd)))
        rng = random.Random(2026)  # noqa: S311 - seeded on purpose: the same notices every run
        by_kind: dict[str, list] = {"car": [], "motorbike": []}
        for violation in CATALOGUE:
            by_kind[violation.vehicle_kind].append(violation)
        plates: set[str] = set()
        rows = []
        while len(rows) < PAYMENTS:
            plate = random_plate(rng)
            if plate in plates:
                continue
            plates.add(plate)
            violation = rng.choice(by_kind["car" if plate.index("-") == 3 else "motorbike"])
            rows.append(
                {
                    "source_ref": f"bench-pay:{len(rows):06d}",
                    "notice_number": f"BP-{len(rows):06d}/QĐ-XPVPHC",
                    "plate": plate,
                    "violation_code": violation.code,
                    "amount_vnd": violation.min_vnd,
                    "owner_cccd": people[len(rows) % len(people)].cccd,
                    "violated_at": (datetime.now(UTC) - timedelta(days=rng.randint(1, 8))).isoformat(),
                    "place": "Quốc lộ 14, đoạn qua phường Buôn Ma Thuột",
                    "ward_code": "24133",
                    "evidence": [f"fines/evidence/bench-pay-{len(rows):06d}.jpg"],
                }
            )
        report = fines.import_notices(rows, actor="bench")
        if report.created != PAYMENTS:
            raise RuntimeError(f"notices not imported: {report.rejects[:3]}")
        owners = {person.cccd: person for person in people}
        to_pay = []
        for fine in db.session.scalars(
            select(FineNotice)
            .where(FineNotice.source_ref.like("bench-pay:%"))
            .order_by(FineNotice.source_ref)
        ).all():
            owner = owners[fine.owner_cccd]
            fines.confirm(owner, fine.id)
            to_pay.append(
                {"id": str(fine.id), "citizen": str(owner.id), "amount": fine.amount_vnd, "plate": fine.plate}
            )
    tokens = {}
    with app.test_request_context():
        for citizen in db.session.scalars(select(Citizen)):
            tokens[str(citizen.id)] = auth.sign_in_citizen(citizen)["access_token"]
    return tokens, to_pay


def start_api(env: dict, log_path: Path) -> subprocess.Popen:
    check_free(PORT, "PORT")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
            gunicorn_command(PORT),
            cwd=ROOT,
            env=env,
            stderr=log,
        )
    for _ in range(100):
        try:
            if httpx.get(f"{BASE}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the API did not start")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (gunicorn's workers) so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = [int(c) for f in Path(f"/proc/{pid}/task").glob("*/children") for c in f.read_text().split()]
    return own + sum(cpu_seconds(child) for child in children)


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49] * 1000:6.1f} ms   p95 {cuts[94] * 1000:6.1f} ms"


def in_parallel(send, count: int) -> tuple[float, list[float], Counter, list[float]]:
    """Run `send(client, index)` for every index from 8 keep-alive client threads; it returns an
    outcome to tally. Returns (per second, latencies, outcomes, when each finished)."""
    local = threading.local()  # one keep-alive connection per client thread, like a real app
    started = time.perf_counter()

    def one(index: int):
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=BASE, timeout=60)
        sent = time.perf_counter()
        outcome = send(local.client, index)
        finished = time.perf_counter()
        return finished - sent, outcome, finished - started

    latencies: list[float] = []
    outcomes: Counter = Counter()
    finishes: list[float] = []
    with ThreadPoolExecutor(THREADS) as pool:
        for elapsed, outcome, finished in pool.map(one, range(count)):
            latencies.append(elapsed)
            outcomes[outcome] += 1
            finishes.append(finished)
    return count / (time.perf_counter() - started), latencies, outcomes, sorted(finishes)


def pay_through_api(tokens: dict[str, str], to_pay: list[dict], cards: dict[str, str]):
    def send(client: httpx.Client, index: int):
        fine = to_pay[index]
        response = client.post(
            "/me/payments",
            headers={
                "Authorization": f"Bearer {tokens[fine['citizen']]}",
                "Idempotency-Key": str(uuid.uuid4()),
            },
            json={
                "purpose": "fine",
                "reference": fine["id"],
                "amount_vnd": fine["amount"],
                "payment_method": cards[fine["citizen"]],
            },
        )
        if response.status_code == 201:
            return response.json()["status"]
        return f"{response.status_code} {response.json().get('code')}"

    return in_parallel(send, len(to_pay))


def deliver_webhooks(bodies: list[bytes]):
    from wallet.webhooks import sign

    # Signed as the provider sends them, before the clock starts.
    signed = [(body, sign(body, WEBHOOK_SECRET)) for body in bodies]

    def send(client: httpx.Client, index: int):
        body, signature = signed[index]
        response = client.post(
            "/payments/webhook",
            content=body,
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        )
        if response.status_code == 200:
            return response.json()["outcome"]
        return f"{response.status_code} {response.json().get('code')}"

    return in_parallel(send, len(bodies))


def webhook_events(url: str) -> list[bytes]:
    """`WEBHOOK_EVENTS` distinct `payment_intent.succeeded` events, round-robin over the payments."""
    with psycopg.connect(url) as connection:
        intent_ids = [
            row[0]
            for row in connection.execute(
                "SELECT provider_payment_id FROM payments WHERE provider_payment_id IS NOT NULL ORDER BY created_at"
            )
        ]
    with httpx.Client(base_url=f"{STRIPE}/v1", auth=(SECRET_KEY, "")) as stripe:
        intents = [stripe.get(f"/payment_intents/{intent_id}").json() for intent_id in intent_ids]
    return [
        json.dumps(
            {
                "id": f"evt_bench_{uuid.uuid4().hex[:20]}",
                "object": "event",
                "type": "payment_intent.succeeded",
                "created": int(time.time()),
                "data": {"object": intents[index % len(intents)]},
            }
        ).encode()
        for index in range(WEBHOOK_EVENTS)
    ]


def measure_lookups(plates: list[str]) -> tuple[list[float], list[float]]:
    found, missing = [], []
    with httpx.Client(base_url=BASE, timeout=30) as client:
        for plate in plates:
            started = time.perf_counter()
            response = client.get("/fines/lookup", params={"plate": plate})
            found.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
        for plate in missing_plates(MISSING):
            started = time.perf_counter()
            response = client.get("/fines/lookup", params={"plate": plate})
            missing.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.json()["count"] == 0, response.text
    return found, missing


# Plate `v.id` (70 % of notices: a plate of its own; 30 %: one of `repeat` repeat offenders): the
# province (11-99) and the 5-digit number (scrambled) together decode the id, so distinct ids are
# distinct plates; 1 in 3 is a car (`47A-123.45`), the rest motorbikes (`47B1-123.45`).
BULK_INSERT = """
INSERT INTO fine_notices (id, notice_number, source, source_ref, plate, plate_key, vehicle_kind, owner_cccd,
                          violated_at, place, violation_code, amount_vnd, evidence, decided_at, deadline, status,
                          confirmed_at, paid_at, cancelled_at, cancelled_by, cancel_reason, issued_by,
                          created_at, synced_at, updated_at)
SELECT gen_random_uuid(),
       'B-' || lpad(n::text, 7, '0') || '/QĐ-XPVPHC',
       CASE WHEN n %% 5 = 0 THEN 'police' ELSE 'camera' END,
       'bench:' || n,
       p.province || p.series || '-' || left(p.number, 3) || '.' || right(p.number, 2),
       p.province || p.series || p.number,
       p.kind,
       '0' || lpad((1 + v.id %% 96)::text, 2, '0') || (v.id %% 4)::text
           || lpad(((v.id * 104729) %% 100000000)::text, 8, '0'),
       t.violated_at,
       (ARRAY['Quốc lộ 14', 'Quốc lộ 26', 'Đường Lê Duẩn', 'Đường Nguyễn Tất Thành', 'Đường Hùng Vương'])[1 + n %% 5]
           || ', km ' || (n %% 300),
       CASE WHEN p.kind = 'car' THEN (%(car_codes)s::text[])[1 + n %% %(cars)s]
            ELSE (%(bike_codes)s::text[])[1 + n %% %(bikes)s] END,
       CASE WHEN p.kind = 'car' THEN (%(car_amounts)s::int[])[1 + n %% %(cars)s]
            ELSE (%(bike_amounts)s::int[])[1 + n %% %(bikes)s] END,
       CASE WHEN n %% 5 = 0 THEN '[]'::json ELSE json_build_array('fines/evidence/bench-' || n || '.jpg') END,
       t.decided_at,
       (t.decided_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 10,
       s.status,
       CASE WHEN s.status IN ('confirmed', 'paid') THEN t.decided_at + interval '1 day' END,
       CASE WHEN s.status = 'paid' THEN t.decided_at + interval '2 days' END,
       CASE WHEN s.status = 'cancelled' THEN t.decided_at + interval '3 days' END,
       CASE WHEN s.status = 'cancelled' THEN 'staff:bench' END,
       CASE WHEN s.status = 'cancelled' THEN 'Ảnh chụp không rõ biển số' END,
       'bench', t.decided_at, t.decided_at, now()
FROM (SELECT n, random() AS r1, random() AS r2, random() AS r3 FROM generate_series(1, %(count)s) AS n) g
CROSS JOIN LATERAL (SELECT CASE WHEN n %% 10 < 7 THEN n ELSE %(count)s + 1 + floor(g.r1 * %(repeat)s)::int END::bigint AS id) v
CROSS JOIN LATERAL (SELECT CASE WHEN v.id %% 3 = 0 THEN 'car' ELSE 'motorbike' END AS kind) k
CROSS JOIN LATERAL (
    SELECT k.kind,
           (11 + v.id %% 89)::text AS province,
           substr('ABCDEFGHKLMNPRSTUVXYZ', (1 + (v.id / 7) %% 21)::int, 1)
               || CASE WHEN k.kind = 'motorbike' THEN (1 + (v.id / 11) %% 9)::text ELSE '' END AS series,
           lpad((((v.id / 89) * 7919 + 12345) %% 100000)::text, 5, '0') AS number) p
CROSS JOIN LATERAL (SELECT now() - (3 + g.r2 * 727) * interval '1 day' AS violated_at) w
CROSS JOIN LATERAL (SELECT w.violated_at, w.violated_at + (n %% 3) * interval '1 day' AS decided_at) t
CROSS JOIN LATERAL (SELECT CASE WHEN g.r3 < 0.60 THEN 'paid' WHEN g.r3 < 0.75 THEN 'confirmed'
                                WHEN g.r3 < 0.95 THEN 'issued' ELSE 'cancelled' END AS status) s
"""

LOOKUP_SQL = """
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT * FROM fine_notices WHERE plate_key = %s AND status != 'cancelled'
ORDER BY violated_at DESC, id LIMIT 50
"""


def bulk_load(url: str) -> None:
    from api.fines.violations import CATALOGUE

    cars = [v for v in CATALOGUE if v.vehicle_kind == "car"]
    bikes = [v for v in CATALOGUE if v.vehicle_kind == "motorbike"]
    with psycopg.connect(url, autocommit=True) as connection:
        existing = connection.execute("SELECT count(*) FROM fine_notices").fetchone()[0]
        count = TOTAL_NOTICES - existing
        started = time.perf_counter()
        connection.execute("SELECT setseed(0.2026)")
        connection.execute(
            BULK_INSERT,
            {
                "count": count,
                "repeat": max(1, count // 20),  # 30 % of notices over count/20 plates: 6 each on average
                "car_codes": [v.code for v in cars],
                "car_amounts": [v.min_vnd for v in cars],
                "cars": len(cars),
                "bike_codes": [v.code for v in bikes],
                "bike_amounts": [v.min_vnd for v in bikes],
                "bikes": len(bikes),
            },
        )
        connection.execute("VACUUM ANALYZE fine_notices")  # what autovacuum does after a load
        connection.execute("CHECKPOINT")  # the load's writes are flushed now, not during the lookups
        plates, most = connection.execute(
            "SELECT count(*), max(c) FROM (SELECT count(*) AS c FROM fine_notices GROUP BY plate_key) x"
        ).fetchone()
        print(
            f"bulk-loaded {count:,} notices in {time.perf_counter() - started:.1f} s: "
            f"{existing + count:,} notices, {plates:,} plates, at most {most} on one plate"
        )


def sample_plates(url: str) -> list[str]:
    """The plates of `SAMPLES` random notices (so a repeat offender is asked for more often)."""
    with psycopg.connect(url) as connection:
        return [
            row[0]
            for row in connection.execute(
                "SELECT plate FROM fine_notices TABLESAMPLE BERNOULLI (1) REPEATABLE (7) ORDER BY random() LIMIT %s",
                (SAMPLES,),
            )
        ]


def explain_lookup(url: str) -> None:
    with psycopg.connect(url) as connection:
        busiest = connection.execute(
            "SELECT plate_key FROM fine_notices GROUP BY plate_key ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        print(f"plan of the lookup for the busiest plate ({busiest}):")
        for (line,) in connection.execute(LOOKUP_SQL, (busiest,)):
            print(f"    {line}")


def database_counts(url: str) -> dict[str, int]:
    queries = {
        "payments succeeded": "SELECT count(*) FROM payments WHERE status = 'succeeded'",
        "payments not succeeded": "SELECT count(*) FROM payments WHERE status != 'succeeded'",
        "receipts": "SELECT count(*) FROM receipts",
        "fines paid": "SELECT count(*) FROM fine_notices WHERE source_ref LIKE 'bench-pay:%%' AND status = 'paid'",
        "webhook events recorded": "SELECT count(*) FROM payment_provider_events",
    }
    with psycopg.connect(url) as connection:
        return {name: connection.execute(sql).fetchone()[0] for name, sql in queries.items()}


def main() -> None:
    url = recreate_database()
    with tempfile.TemporaryDirectory() as instance:
        stripe = start_localstripe(instance)
        api = None
        try:
            tokens, to_pay = prepare(url, instance)
            cards = {citizen: make_card() for citizen in tokens}
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "CDS_INSTANCE_PATH": instance,
                "LOG_LEVEL": "WARNING",
                "PAYMENT_API_URL": STRIPE,
                "PAYMENT_SECRET_KEY": SECRET_KEY,
                "PAYMENT_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "RATELIMIT_PUBLIC_LOOKUP": "1000000 per minute",
            }
            log_path = Path(instance) / "gunicorn.log"
            api = start_api(env, log_path)
            with psycopg.connect(url) as connection:
                version = connection.execute("SHOW server_version").fetchone()[0]
            print(
                f"cores {os.cpu_count()} (load average {os.getloadavg()[0]:.1f}), {THREADS} client threads, "
                f"PostgreSQL {version}, database {DATABASE}"
            )

            stripe_cpu, api_cpu = cpu_seconds(stripe.pid), cpu_seconds(api.pid)
            rate, latencies, outcomes, finishes = pay_through_api(tokens, to_pay, cards)
            stripe_cpu, api_cpu = cpu_seconds(stripe.pid) - stripe_cpu, cpu_seconds(api.pid) - api_cpu
            print(f"payments through the API: {PAYMENTS} at {rate:6.1f}/s   {percentiles(latencies)}")
            fifth = PAYMENTS // 5
            edges = [0.0] + [finishes[k * fifth - 1] for k in range(1, 6)]
            print(
                f"    by fifths ({fifth} each, as the provider's store grows): "
                + ", ".join(f"{fifth / (b - a):.1f}" for a, b in pairwise(edges))
                + " /s"
            )
            print(f"    answers: {dict(outcomes)}   in the database: {database_counts(url)}")
            pickled = (Path(instance) / "localstripe.pickle").stat().st_size
            print(
                f"    CPU in the {PAYMENTS / rate:.1f} s: API {api_cpu:.1f} s, localstripe {stripe_cpu:.1f} s "
                f"(its store now {pickled / 1e6:.1f} MB, pickled whole on every write)"
            )

            bodies = webhook_events(url)
            rate, latencies, outcomes, _ = deliver_webhooks(bodies)
            print(f"webhook events, new:      {len(bodies)} at {rate:6.1f}/s   {percentiles(latencies)}")
            print(f"    answers: {dict(outcomes)}")
            rate, latencies, outcomes, _ = deliver_webhooks(bodies)
            print(f"webhook events, replayed: {len(bodies)} at {rate:6.1f}/s   {percentiles(latencies)}")
            print(f"    answers: {dict(outcomes)}   in the database: {database_counts(url)}")

            small = len(to_pay) + 3  # and the demo citizen's three
            found, missing = measure_lookups(
                random.sample([f["plate"] for f in to_pay], min(SAMPLES, PAYMENTS))
            )
            print(f"at {small:>9,} notices  lookup, existing plate: {percentiles(found)}")
            print(f"at {small:>9,} notices  lookup, no notice:      {percentiles(missing)}")
            bulk_load(url)
            found, missing = measure_lookups(sample_plates(url))
            print(f"at {TOTAL_NOTICES:>9,} notices  lookup, existing plate: {percentiles(found)}")
            print(f"at {TOTAL_NOTICES:>9,} notices  lookup, no notice:      {percentiles(missing)}")
            explain_lookup(url)
        finally:
            for process in (api, stripe):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=10)
        if api is not None:
            problems = [
                line
                for line in log_path.read_text(errors="replace").splitlines()
                if "Traceback" in line or "ERROR" in line or "WARNING" in line
            ]
            print(f"server log: {len(problems)} warning or error lines")
            for line in problems[:5]:
                print(f"    {line[:300]}")


if __name__ == "__main__":
    main()
