"""A push campaign fanned out to 1,000,000 device tokens against the local FCM endpoint.

Reproduce (PostgreSQL on 127.0.0.1; works in a schema of its own, dropped at the end):

    .venv/bin/python bench/campaign_fanout_bench.py
    BENCH_PG=postgresql://postgres@127.0.0.1:5432/test DEVICES=100000 DEVICES_PER_CITIZEN=2 \
        PROCESSES=2 CONCURRENCY=4 INBOX=1 .venv/bin/python bench/campaign_fanout_bench.py

Prepared, not timed: DEVICES / DEVICES_PER_CITIZEN citizens and DEVICES device tokens COPYed
into PostgreSQL, then ANALYZE; the local FCM v1 endpoint (tests/fcm_server.py, counting only)
started as a separate process so it does not share the sender's GIL. A campaign to everybody is
composed, approved by a second officer and scheduled through the service, as the console does.

Timed: one run of the scheduler's job (`run_due_campaigns`) with no time budget, i.e. the
inbox phase (INBOX=1: one inbox message per citizen, batch inserts) and the push phase (keyset
pages of 500 devices from the database, `notifications.fcm.send_batch` = firebase-admin's
`send_each`, CONCURRENCY batches in flight). Messages per second = pushes FCM accepted / push
phase seconds. Memory and CPU: the job process AND its sender processes (PROCESSES > 0: the
forkserver and the workers it forks, i.e. every descendant but the local FCM endpoint), sampled
every 0.25 s during the run: RSS summed over them (an upper bound: pages the forked workers share
are counted once per process), CPU as the sum of each process's last sample, so a worker that
exits loses at most its last 0.25 s. With PROCESSES=0 this is the job process alone. The job
process's own high-water mark (VmHWM) is printed too; "flat" means the peak does not grow with
DEVICES.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
DEVICES = int(os.environ.get("DEVICES", "1000000"))
DEVICES_PER_CITIZEN = int(os.environ.get("DEVICES_PER_CITIZEN", "2"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "4"))
PROCESSES = int(os.environ.get("PROCESSES", "2"))
BATCH_SIZE = int(os.environ.get("BATCH_SIZE", "500"))
INBOX = os.environ.get("INBOX", "1") not in ("0", "false", "no")
WARDS = ("24133", "24163", "24121", "24154", "24169", "24175", "24305", "22015")


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process (this one by default), from /proc."""
    fields = Path(f"/proc/{pid or 'self'}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(field: str = "VmRSS", pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def descendants(root: int, exclude: set[int]) -> list[int]:
    """Every live process below `root` (children, grandchildren: forkserver's workers), without
    the subtrees of `exclude` (the local FCM endpoint, measured on its own)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # exited while we looked
        parents.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], list(parents.get(root, []))
    while queue:
        pid = queue.pop()
        if pid in exclude:
            continue
        found.append(pid)
        queue.extend(parents.get(pid, []))
    return found


class RssSampler(threading.Thread):
    """RSS of the job process plus its sender processes, and each one's CPU time, every 0.25 s."""

    def __init__(self, exclude: set[int]) -> None:
        super().__init__(daemon=True)
        self.exclude = exclude
        self.samples: list[tuple[float, float]] = []  # (seconds, MB summed over the processes)
        self.processes: set[int] = set()
        self.cpu_start: dict[int, float] = {}
        self.cpu_last: dict[int, float] = {}
        self.stopped = threading.Event()

    def _sample(self, start: float) -> None:
        total = 0.0
        for pid in [os.getpid(), *descendants(os.getpid(), self.exclude)]:
            try:
                mb, cpu = rss_mb(pid=pid), cpu_seconds(pid)
            except OSError:
                continue  # exited between the listing and the read
            total += mb
            self.processes.add(pid)
            self.cpu_start.setdefault(pid, cpu if pid == os.getpid() else 0.0)
            self.cpu_last[pid] = cpu
        self.samples.append((time.monotonic() - start, total))

    def cpu(self) -> float:
        """CPU seconds used during the run by the job process and its sender processes."""
        return sum(self.cpu_last[pid] - self.cpu_start[pid] for pid in self.cpu_last)

    def run(self) -> None:
        start = time.monotonic()
        while not self.stopped.is_set():
            self._sample(start)
            self.stopped.wait(0.25)
        self._sample(start)


def start_fcm_server() -> tuple[subprocess.Popen, str]:
    from tests.conftest import free_port

    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
        [sys.executable, "-m", "tests.fcm_server", "--port", str(port), "--no-record"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if "FCM endpoint" not in line:
        process.kill()
        raise SystemExit(f"the local FCM endpoint did not start: {line!r}")
    return process, f"http://127.0.0.1:{port}"


def device_row(columns, device_id, citizen_id, ward, index, now):
    """A row for the `devices` table, whatever optional columns it has."""
    known = {
        "id": device_id,
        "citizen_id": citizen_id,
        "token": f"bench-{index:09d}-{uuid.uuid4().hex}",
        "platform": "android" if index % 3 else "ios",
        "locale": "vi",
        "ward_code": ward,
        "province_code": "66",
        "app_version": "2.4.0",
        "topics": "[]",  # JSON: no topic subscriptions (campaigns do not use them)
    }
    return tuple(known.get(name, now) for name in columns)


def seed(engine, citizens: int, devices: int) -> None:
    from notifications.models import Device

    table = Device.__table__.name
    rng = random.Random(6)  # noqa: S311 - seeded on purpose: the same birth dates every run
    columns = []
    for column in Device.__table__.columns:
        if column.name in (
            "id",
            "citizen_id",
            "token",
            "platform",
            "locale",
            "ward_code",
            "province_code",
            "app_version",
        ):
            columns.append(column.name)
        elif not column.nullable or column.name.endswith("_at"):
            columns.append(column.name)  # timestamps: now
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        citizen_ids = []
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY citizens (id, cccd, full_name, date_of_birth, sex, ward_code, identity_level,"
                " created_at, updated_at) FROM STDIN"
            ) as copy,
        ):
            for sequence in range(citizens):
                citizen_id = uuid.uuid4()
                citizen_ids.append(citizen_id)
                born = date(1945, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
                ward = WARDS[sequence % len(WARDS)]
                copy.write_row(
                    (
                        citizen_id,
                        f"066{sequence:09d}",
                        "Nguyễn Văn An",
                        born,
                        "male",
                        ward,
                        2,
                        "now()",
                        "now()",
                    )
                )
        now = "now()"
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for index in range(devices):
                citizen_id = citizen_ids[index % citizens]
                ward = WARDS[(index % citizens) % len(WARDS)]
                copy.write_row(device_row(columns, uuid.uuid4(), citizen_id, ward, index, now))
        del citizen_ids
        connection.commit()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE citizens")
            cursor.execute(f"ANALYZE {table}")
        connection.commit()
    finally:
        raw.close()


def main() -> None:
    import sqlalchemy as sa

    from api import create_app
    from api.config import normalise_database_url
    from api.dbtypes import utcnow
    from api.extensions import db
    from notifications.campaigns import service
    from notifications.campaigns.models import Campaign

    schema = f"bench_campaign_{uuid.uuid4().hex[:8]}"
    admin_engine = sa.create_engine(normalise_database_url(BASE_URL))
    with admin_engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in BASE_URL else "?"
    url = normalise_database_url(f"{BASE_URL}{separator}options=-csearch_path%3D{schema}")
    fcm_process, fcm_url = start_fcm_server()
    citizens = max(1, DEVICES // DEVICES_PER_CITIZEN)
    try:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "LOG_LEVEL": "WARNING",
                "FCM_ENDPOINT": fcm_url,
                "FCM_PROJECT_ID": "congdanso-test",
                "CAMPAIGN_SEND_CONCURRENCY": CONCURRENCY,
                "CAMPAIGN_SEND_PROCESSES": PROCESSES,
                "CAMPAIGN_BATCH_SIZE": BATCH_SIZE,
            }
        )
        with app.app_context():
            db.create_all()
            started = time.monotonic()
            seed(db.engine, citizens, DEVICES)
            print(
                f"seeded {citizens:,} citizens and {DEVICES:,} devices in {time.monotonic() - started:.1f} s"
            )

            author, approver = f"staff:{uuid.uuid4()}", f"staff:{uuid.uuid4()}"
            campaign = service.create_campaign(
                {
                    "title": "Cảnh báo mưa lớn diện rộng",
                    "body": "Từ đêm nay đến hết ngày mai có mưa to đến rất to. Người dân hạn chế ra "
                    "đường, không qua ngầm tràn, theo dõi thông báo của chính quyền địa phương.",
                    "deep_link": "congdanso://news/canh-bao-mua-lon",
                    "image_url": None,
                    "audience": {"kind": "all"},
                    "urgent": True,  # a warning: not held by quiet hours whenever the bench runs
                    "keep_in_inbox": INBOX,
                },
                actor=author,
            )
            campaign_id = campaign.id
            service.approve(campaign_id, version=campaign.version, actor=approver)
            send_at = utcnow() + timedelta(seconds=1)
            service.schedule(campaign_id, send_at, actor=author)
            db.session.remove()

            hwm_before = rss_mb("VmHWM")
            sampler = RssSampler(exclude={fcm_process.pid})
            sampler.start()
            started = time.monotonic()
            cpu_before, fcm_cpu_before = cpu_seconds(), cpu_seconds(fcm_process.pid)
            report = service.run_due_campaigns(send_at + timedelta(seconds=1), time_budget=10**9)
            elapsed = time.monotonic() - started
            job_cpu, fcm_cpu = cpu_seconds() - cpu_before, cpu_seconds(fcm_process.pid) - fcm_cpu_before
            sampler.stopped.set()
            sampler.join()
            cpu = sampler.cpu()
            campaign = db.session.get(Campaign, campaign_id)
            phases = report.get("phase_seconds", {})
            push_seconds = phases.get("push", elapsed)
            samples = [mb for _, mb in sampler.samples]
            print(f"campaign status: {campaign.status}; job report: {report}")
            print(
                f"targeted {campaign.targeted_devices:,} devices of {campaign.targeted_citizens:,} citizens; "
                f"sent {campaign.sent_count:,}, failed {campaign.failed_count:,}, "
                f"inbox {campaign.inbox_delivered:,}"
            )
            if INBOX:
                inbox_seconds = phases.get("inbox", 0.0)
                rate = campaign.inbox_delivered / inbox_seconds if inbox_seconds else 0
                print(f"inbox phase: {inbox_seconds:.1f} s, {rate:,.0f} messages/s")
            print(
                f"push phase: {push_seconds:.1f} s, {campaign.sent_count / push_seconds:,.0f} messages/s "
                f"(sender processes {PROCESSES}, {CONCURRENCY} batches of {BATCH_SIZE} in flight); whole run {elapsed:.1f} s"
            )
            senders = len(sampler.processes) - 1
            print(
                f"CPU over the run: job process and {senders} sender/forkserver process(es) {cpu:.1f} s "
                f"({cpu / elapsed:.0%} of a core; the job process alone {job_cpu:.1f} s), "
                f"local FCM endpoint {fcm_cpu:.1f} s ({fcm_cpu / elapsed:.0%} of a core)"
            )
            print(
                f"RSS during the run, job process + sender processes: start {samples[0]:.0f} MB, "
                f"peak {max(samples):.0f} MB, end {samples[-1]:.0f} MB; "
                f"job process VmHWM {hwm_before:.0f} MB before, {rss_mb('VmHWM'):.0f} MB after"
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        fcm_process.terminate()
        fcm_process.wait(timeout=10)
        with admin_engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin_engine.dispose()


if __name__ == "__main__":
    main()
