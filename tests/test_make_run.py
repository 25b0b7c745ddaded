"""`make run`'s processes: the real Procfile under the real honcho, dependencies killed on purpose.

honcho stops every process when one exits. Each dependency runs under api/devrun/supervise.py,
so killing localstripe, the scheduler or Rasa restarts it while the API keeps answering (with
Rasa down, POST /chat gives the hotline and keeps the message), and Ctrl-C still stops everything,
leaving no process behind. The processes run on free loopback ports, on a SQLite database of the
test's own. The test with Rasa loads the trained model twice (about 3 minutes): it is marked e2e.

The banner `make run` prints is checked against the README's table of addresses.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
HONCHO = ROOT / ".venv" / "bin" / "honcho"
STARTUP_SECONDS = 120  # the API, localstripe and the scheduler on a busy 2-core machine
RASA_SECONDS = 300  # Rasa loads its model in 70–90 s when the machine is not busy


def processes_in_groups(groups: set[int]) -> list[int]:
    """Live processes (not zombies) whose process group is one of `groups`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses.
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) in groups and state != "Z":
            found.append(int(entry.name))
    return found


class MakeRun:
    """honcho started as `make run` starts it (the repository's Procfile, some of its processes),
    its output collected line by line."""

    def __init__(self, tmp_path: Path, processes: list[str], **env: str) -> None:
        self.api_url = f"http://127.0.0.1:{free_port()}"
        self.rasa_url = f"http://127.0.0.1:{free_port()}"
        actions_port = free_port()
        self.env = {
            **os.environ,
            "CDS_ENV": "development",
            "API_HOST": "127.0.0.1",
            "API_PORT": self.api_url.rsplit(":", 1)[1],
            "RASA_PORT": self.rasa_url.rsplit(":", 1)[1],
            "ACTIONS_PORT": str(actions_port),
            # What the Makefile's `run` recipe sets before starting honcho.
            "PUBLIC_BASE_URL": self.api_url,
            "RASA_URL": self.rasa_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "CDS_API_URL": self.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'make-run.db'}",
            "CDS_INSTANCE_PATH": str(tmp_path),
            "RASA_TRACKER_DB": str(tmp_path / "rasa-tracker.db"),
            "PAYMENT_API_URL": f"http://127.0.0.1:{free_port()}",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 (the project's own honcho)
            [str(HONCHO), "start", "-f", "Procfile", *processes],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # like a terminal's Ctrl-C, the test signals honcho alone
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self, after: int = 0) -> str:
        return "\n".join(self.lines[after:])

    def wait_for_line(self, pattern: str, *, after: int = 0, timeout: float = STARTUP_SECONDS) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                found = re.search(pattern, line)
                if found:
                    return found
            if self.process.poll() is not None:
                pytest.fail(f"honcho stopped while waiting for {pattern!r}:\n{self.output()[-4000:]}")
            time.sleep(0.2)
        pytest.fail(f"no line matching {pattern!r} in {timeout:.0f} s:\n{self.output()[-4000:]}")

    def ready(self) -> dict:
        try:
            return httpx.get(f"{self.api_url}/ready", timeout=5).json()["dependencies"]
        except (httpx.HTTPError, ValueError):
            return {}

    def wait_for_state(self, name: str, state: str, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready().get(name, {}).get("state") == state:
                return
            if self.process.poll() is not None:
                pytest.fail(f"honcho stopped:\n{self.output()[-4000:]}")
            time.sleep(1)
        pytest.fail(f"{name} not {state} in {timeout:.0f} s:\n{self.output()[-4000:]}")

    def supervised_pid(self, name: str, *, after: int = 0) -> int:
        """The pid of the dependency's command, as its supervisor last started it."""
        self.wait_for_line(rf"{name}: đã khởi động \(pid \d+\)", after=after)
        pids = re.findall(rf"{name}: đã khởi động \(pid (\d+)\)", self.output(after))
        return int(pids[-1])

    def groups(self) -> set[int]:
        """Every process group honcho and the supervisors made: honcho's processes lead one each,
        each supervised command another."""
        text = self.output()
        return {int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", text)} | {
            int(pid) for pid in re.findall(r"đã khởi động \(pid (\d+)\)", text)
        }

    def interrupt(self) -> int:
        """Ctrl-C: honcho stops its processes; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.reader.join(timeout=5)


def assert_api_answers(run: MakeRun) -> None:
    assert httpx.get(f"{run.api_url}/health", timeout=5).status_code == 200
    ready = httpx.get(f"{run.api_url}/ready", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def kill_and_see_it_restarted(run: MakeRun, name: str) -> None:
    """SIGKILL the dependency's command (a crash); its supervisor logs it and starts a new one."""
    mark = len(run.lines)
    pid = run.supervised_pid(name)
    os.kill(pid, signal.SIGKILL)
    run.wait_for_line(rf"{name}: đã dừng \(bị dừng bởi tín hiệu SIGKILL\)", after=mark)
    assert_api_answers(run)
    assert run.supervised_pid(name, after=mark) != pid


def stop_and_check_nothing_is_left(run: MakeRun) -> None:
    groups = run.groups()
    assert run.interrupt() is not None
    leftover = processes_in_groups(groups)
    assert leftover == [], f"processes left after Ctrl-C: {leftover}\n{run.output()[-3000:]}"
    assert "stopped (rc=" in run.output()


def test_a_crashed_dependency_is_restarted_and_the_api_keeps_answering(tmp_path):
    run = MakeRun(tmp_path, ["api", "payments", "scheduler", "status"])
    try:
        run.wait_for_state("payments", "ok")
        run.wait_for_state("scheduler", "ok")
        api_pid = int(run.wait_for_line(r"api\.1 started \(pid=(\d+)\)").group(1))
        # The terminal says what is still loading (here Rasa, which this test does not start).
        run.wait_for_line(r"status\.1 .*đang chờ trợ lý ảo \(Rasa\) đang nạp mô hình")

        kill_and_see_it_restarted(run, "payments")
        run.wait_for_state("payments", "ok")  # localstripe is back on its port
        kill_and_see_it_restarted(run, "scheduler")

        # Nobody stopped the API: the same process answered all along, and honcho still runs.
        assert run.process.poll() is None
        os.kill(api_pid, 0)
        assert "sending SIGTERM" not in run.output()
        assert_api_answers(run)
    finally:
        stop_and_check_nothing_is_left(run)


def test_make_run_prints_every_address_the_readme_lists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("`make run` prints the URLs", 1)[1].split("\n\n", 2)[1]
    addresses = set(re.findall(r"http://127\.0\.0\.1:\d+[^\s|,)`]*", table))
    addresses |= {f"http://127.0.0.1:8000{path}" for path in re.findall(r"`(/[a-z]+)`", table)}
    assert "http://127.0.0.1:8000/workspace/comms" in addresses

    banner = subprocess.run(
        ["make", "-s", "--no-print-directory", "banner"],  # noqa: S607 (make from PATH, as a developer runs it)
        cwd=ROOT,
        env={**os.environ, "API_HOST": "127.0.0.1", "API_PORT": "8000", "PAYMENT_API_URL": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    missing = sorted(address for address in addresses if address not in banner)
    assert missing == [], f"the banner does not print {missing}:\n{banner}"
    # Honest about Rasa, as measured: it is not ready in 30 s.
    assert "30 giây" not in banner and "70–90 giây" in banner


# ---- with Rasa ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_rasa_crashing_under_make_run_gives_the_hotline_then_comes_back(tmp_path):
    from api import create_app
    from api.auth import service as auth
    from api.extensions import db
    from tests.chat.conftest import require_built

    require_built(ROOT / ".venv-bot" / "bin" / "rasa", "the chatbot's environment (.venv-bot)")
    require_built(ROOT / "chatbot" / "models" / "current.tar.gz", "the trained chatbot")
    # The database `make run` would have migrated and seeded: the tables, and an agent on duty.
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'make-run.db'}", "INSTANCE_PATH": str(tmp_path)}
    )
    with app.app_context():
        db.create_all()
        auth.create_staff_user("tongdaivien-thu", "Tổng đài viên", "agent", "Mat-khau-2025-an-toan", None)
        db.session.commit()
        db.engine.dispose()

    run = MakeRun(
        tmp_path,
        ["api", "rasa", "actions", "payments", "scheduler", "status"],
        CHAT_AGENT_HOURS="00:00-24:00",
        CHAT_AGENT_WORKING_DAYS_ONLY="0",
    )
    try:
        run.wait_for_line(r"status\.1 .*Mọi thành phần đã sẵn sàng", timeout=RASA_SECONDS)
        chat = httpx.post(f"{run.api_url}/chat", json={"message": "xin chào"}, timeout=30)
        assert chat.status_code == 200 and chat.json()["bot_available"] is True, chat.text

        token = httpx.post(
            f"{run.api_url}/auth/staff/login",
            json={"username": "tongdaivien-thu", "password": "Mat-khau-2025-an-toan"},
        ).json()["access_token"]
        agent = {"Authorization": f"Bearer {token}"}
        on_duty = httpx.put(f"{run.api_url}/agent/presence", json={"on_duty": True}, headers=agent)
        assert on_duty.status_code == 200

        # Rasa crashes. The API stays up; the citizen gets the hotline; the message waits.
        mark = len(run.lines)
        kill_and_see_it_restarted(run, "rasa")
        run.wait_for_state("chatbot", "down", timeout=30)
        kept = httpx.post(
            f"{run.api_url}/chat", json={"message": "làm lại căn cước cần giấy tờ gì"}, timeout=30
        )
        assert kept.status_code == 202, kept.text
        assert kept.json()["bot_available"] is False
        assert "1900 0368" in kept.json()["replies"][0]["text"]
        [queued] = httpx.get(f"{run.api_url}/agent/handoffs", headers=agent).json()
        assert queued["conversation_id"] == kept.json()["conversation_id"]
        assert queued["reason"] == "bot_unavailable"
        assert queued["last_message"] == "làm lại căn cước cần giấy tờ gì"
        run.wait_for_line(r"status\.1 .*trợ lý ảo \(Rasa\): không hoạt động", after=mark)

        # It comes back by itself, and the bot answers again.
        run.wait_for_state("chatbot", "ok", timeout=RASA_SECONDS)
        run.wait_for_line(r"status\.1 .*trợ lý ảo \(Rasa\): sẵn sàng", after=mark)
        again = httpx.post(f"{run.api_url}/chat", json={"message": "xin chào"}, timeout=30)
        assert again.status_code == 200 and again.json()["bot_available"] is True, again.text
        assert run.process.poll() is None and "sending SIGTERM" not in run.output()
    finally:
        stop_and_check_nothing_is_left(run)
