"""Run one dependency of `make run` and restart it when it dies, with back-off.

    python api/devrun/supervise.py NAME -- COMMAND [ARG...]

(Run by its path, not as `-m api.devrun.supervise`: it needs only the standard library, and must
keep working when the app itself does not import.)

honcho stops every process of the Procfile as soon as one of them exits, so when Rasa, the
action server, localstripe or the scheduler crashed, the API went down with it, and "Rasa down →
the hotline and the message kept" could never be seen under `make run`. This wrapper never exits
on its own: when its command dies it logs how (exit code or signal, after how long), waits 1 s,
then 2, 4, … up to 60 s between attempts (back to 1 s once a run lasted a minute), and starts it
again. A dependency that cannot start at all is retried every minute, loudly, and the API keeps
serving meanwhile.

Stopping stays clean. The command runs in a process group of its own, so whatever it started
(localstripe's server under its wrapper, Rasa's helpers) is stopped with it: after a crash, what
is left of the group is killed before the restart. Ctrl-C makes honcho send SIGTERM to this
wrapper's group; the wrapper passes it to the command's group, waits `STOP_SECONDS` (less than
honcho's 5 s before it kills everything) and then kills what remains, so nothing is orphaned.
Linux also kills the command if this wrapper is killed outright (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 60.0
# A run this long was not a crash loop: the next restart waits FIRST_DELAY_SECONDS again.
STABLE_SECONDS = 60.0
# honcho kills every process group 5 s after asking them to stop (its KILL_WAIT).
STOP_SECONDS = 4.0
_PR_SET_PDEATHSIG = 1


def say(name: str, text: str) -> None:
    print(f"{name}: {text}", flush=True)  # honcho puts the time and the process in front


def describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"bị dừng bởi tín hiệu {signal.Signals(-returncode).name}"
        except ValueError:
            return f"bị dừng bởi tín hiệu {-returncode}"
    return f"thoát với mã {returncode}"


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    # Not Linux (no prctl): the process group still cleans up.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(pgid, signum)


class Supervisor:
    def __init__(self, name: str, command: list[str]) -> None:
        self.name = name
        self.command = command
        self.stopping = False
        self.child: subprocess.Popen | None = None

    def stop(self, signum: int, _frame) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            _signal_group(self.child.pid, signal.SIGTERM)

    def _start(self) -> subprocess.Popen | None:
        try:
            child = subprocess.Popen(  # noqa: S603 (the Procfile's own command)
                self.command, process_group=0, preexec_fn=_die_with_parent
            )
        except OSError as exc:
            say(self.name, f"không khởi động được {self.command[0]}: {exc.strerror or exc}")
            return None
        say(self.name, f"đã khởi động (pid {child.pid})")
        return child

    def _wait_for_exit(self, child: subprocess.Popen) -> int | None:
        """The command's exit code, or None as soon as this wrapper is asked to stop."""
        while True:
            try:
                return child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if self.stopping:
                    return None

    def _wait(self, seconds: float) -> None:
        """Sleep, but wake up at once when asked to stop (a signal does not cut time.sleep short)."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, deadline - time.monotonic()))

    def _finish(self) -> None:
        """Stop the command's whole group: politely, then for good."""
        child = self.child
        if child is None:
            return
        _signal_group(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            say(self.name, f"chưa dừng sau {STOP_SECONDS:.0f} giây: buộc dừng")
        _signal_group(child.pid, signal.SIGKILL)
        child.wait()

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        delay = FIRST_DELAY_SECONDS
        restarts = 0
        while not self.stopping:
            started = time.monotonic()
            self.child = self._start()
            if self.child is not None:
                returncode = self._wait_for_exit(self.child)
                if returncode is None or self.stopping:  # asked to stop (it may have stopped already)
                    break
                # Whatever it started and left behind goes too, before a new one takes its port.
                _signal_group(self.child.pid, signal.SIGKILL)
                ran = time.monotonic() - started
                if ran >= STABLE_SECONDS:
                    delay = FIRST_DELAY_SECONDS
                restarts += 1
                say(
                    self.name,
                    f"đã dừng ({describe(returncode)}) sau {ran:.0f} giây; khởi động lại lần {restarts} "
                    f"sau {delay:.0f} giây. Các tiến trình khác, cả API, vẫn chạy.",
                )
            self._wait(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
        self._finish()
        say(self.name, "đã dừng theo yêu cầu")
        return 0


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("cách dùng: python api/devrun/supervise.py TÊN -- LỆNH [THAM SỐ...]", file=sys.stderr)
        return 2
    return Supervisor(argv[0], argv[2:]).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
