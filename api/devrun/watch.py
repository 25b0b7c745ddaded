"""Say in `make run`'s terminal when each part is ready, and when one goes down or comes back.

    python api/devrun/watch.py        (the Procfile's `status`; by path, so it runs even when the
                                       app does not import)

It asks the API's `/ready` every 2 s while parts are starting, every 10 s after (the same checks
as the home page). While the chatbot is
loading its model it says so every 15 s with the time spent, then once everything the API talks
to is ready, it prints the home page's address. Afterwards it reports each change of state
("trợ lý ảo: không hoạt động", then "sẵn sàng" when the supervisor has restarted it). It never
exits on its own: honcho would stop every other process if it did.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import httpx

POLL_SECONDS = 2.0
POLL_WHEN_READY_SECONDS = 10.0
LOADING_REPORT_SECONDS = 15.0
NAMES = {
    "database": "cơ sở dữ liệu",
    "chatbot": "trợ lý ảo (Rasa)",
    "payments": "cổng thanh toán (localstripe)",
    "scheduler": "bộ lập lịch",
    "push": "thông báo đẩy",
    "storage": "lưu trữ tệp",
    "identity_provider": "đăng nhập VNeID",
    "redis": "Redis",
}
STATES = {"ok": "sẵn sàng", "off": "không bật", "down": "không hoạt động"}
# What `make run` starts: the first time all of these are ready, the terminal says so.
STARTED_BY_MAKE_RUN = ("database", "chatbot", "payments", "scheduler")


def say(text: str) -> None:
    print(text, flush=True)  # honcho puts the time and the process in front


class Watch:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.started = time.monotonic()
        self.states: dict[str, str] = {}
        self.api_up: bool | None = None
        self.all_ready = False
        self.last_loading_report = 0.0

    def elapsed(self) -> int:
        return int(time.monotonic() - self.started)

    def _poll(self) -> dict[str, dict] | None:
        try:
            return httpx.get(f"{self.base_url}/ready", timeout=5).json()["dependencies"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return None

    def step(self) -> None:
        dependencies = self._poll()
        if dependencies is None:
            if self.api_up:
                say(f"API không trả lời tại {self.base_url}")
            self.api_up = False
            return
        if not self.api_up:
            say(f"API trả lời tại {self.base_url}/ (sau {self.elapsed()} giây)")
        self.api_up = True
        for name, dependency in dependencies.items():
            state, before = dependency["state"], self.states.get(name)
            self.states[name] = state
            # While starting, parts not up yet are expected: only their arrival is news.
            if state == before or (not self.all_ready and state != "ok"):
                continue
            if before is None and name not in STARTED_BY_MAKE_RUN:
                continue  # Redis, push, storage as configured: the home page lists them
            detail = "" if state == "ok" else f" — {dependency.get('detail', '')}"
            say(f"{NAMES.get(name, name)}: {STATES.get(state, state)}{detail} (sau {self.elapsed()} giây)")
        if self.all_ready:
            return
        waiting = [name for name in STARTED_BY_MAKE_RUN if self.states.get(name) != "ok"]
        if not waiting:
            self.all_ready = True
            say(f"Mọi thành phần đã sẵn sàng sau {self.elapsed()} giây: mở {self.base_url}/")
            return
        now = time.monotonic()
        if now - self.last_loading_report >= LOADING_REPORT_SECONDS:
            self.last_loading_report = now
            parts = [
                NAMES[name] + (" đang nạp mô hình, thường mất khoảng 70–90 giây" if name == "chatbot" else "")
                for name in waiting
            ]
            say(
                f"đang chờ {'; '.join(parts)} — đã {self.elapsed()} giây. Trong lúc chờ, POST /chat trả số "
                "tổng đài và giữ tin nhắn cho tổng đài viên."
                if "chatbot" in waiting
                else f"đang chờ {'; '.join(parts)} — đã {self.elapsed()} giây."
            )

    def run(self) -> int:
        while True:
            try:
                self.step()
            except Exception as exc:  # a bug here must not stop `make run`
                say(f"theo dõi tình trạng gặp lỗi: {exc!r}")
            time.sleep(POLL_WHEN_READY_SECONDS if self.all_ready else POLL_SECONDS)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    host = os.environ.get("API_HOST", "127.0.0.1")
    port = os.environ.get("API_PORT", "8000")
    try:
        return Watch(f"http://{host}:{port}").run()
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
