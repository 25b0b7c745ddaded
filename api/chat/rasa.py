"""The API's one door to the chatbot: Rasa's REST channel and its HTTP API, over httpx.

Rasa runs as its own process (Python 3.10, `make run` starts it). Every failure to reach it,
time out, or read its answer becomes `RasaUnavailable`, which the chat service turns into the
hotline message while keeping the citizen's words.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from flask import current_app

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """The chatbot could not be reached or did not answer properly."""


def _request(method: str, path: str, **kwargs) -> httpx.Response:
    config = current_app.config
    params = {"token": config["RASA_TOKEN"]} if not path.startswith("/webhooks/") else None
    try:
        response = httpx.request(
            method,
            config["RASA_URL"] + path,
            params=params,
            timeout=config["RASA_TIMEOUT_SECONDS"],
            **kwargs,
        )
        response.raise_for_status()
        return response
    except httpx.HTTPError as exc:
        log.warning("chatbot unavailable: %s %s: %s", method, path, type(exc).__name__)
        raise RasaUnavailable(str(exc)) from exc


def send_message(sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The bot's replies to one message ([] while the conversation is paused for an agent)."""
    response = _request(
        "POST",
        "/webhooks/rest/webhook",
        json={"sender": sender_id, "message": text, "metadata": metadata},
    )
    try:
        replies = response.json()
    except ValueError as exc:
        raise RasaUnavailable("the chatbot's answer is not JSON") from exc
    if not isinstance(replies, list):
        raise RasaUnavailable("the chatbot's answer is not a list of messages")
    return replies


def transcript(sender_id: str) -> list[dict[str, Any]]:
    """What was said in the conversation, from Rasa's tracker: user and bot turns in order."""
    tracker = _request("GET", f"/conversations/{sender_id}/tracker").json()
    turns = []
    for event in tracker.get("events") or []:
        if event.get("event") in ("user", "bot") and event.get("text"):
            metadata = event.get("metadata") or {}
            sender = "citizen" if event["event"] == "user" else metadata.get("sender", "bot")
            turns.append({"sender": sender, "text": event["text"], "timestamp": event.get("timestamp")})
    return turns


def append_agent_message(sender_id: str, text: str, agent_name: str) -> None:
    """Write an agent's reply into Rasa's tracker, so the transcript there is complete."""
    _request(
        "POST",
        f"/conversations/{sender_id}/tracker/events",
        json=[{"event": "bot", "text": text, "metadata": {"sender": "agent", "agent": agent_name}}],
    )


def resume(sender_id: str) -> None:
    """Let the bot answer again after an agent closed the handoff.

    While paused, Rasa logged the citizen's messages without acting on them; the closing
    `action_listen` makes the conversation look, to the policies, like the bot waiting for the
    next message, so that message is understood on its own (not as a turn left unanswered).
    """
    _request(
        "POST",
        f"/conversations/{sender_id}/tracker/events",
        json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}],
    )


def readiness() -> tuple[str, str]:
    try:
        httpx.get(current_app.config["RASA_URL"] + "/", timeout=1.0).raise_for_status()
        return "ok", current_app.config["RASA_URL"]
    except httpx.HTTPError:
        return "down", "không kết nối được trợ lý ảo; tin nhắn được giữ lại và chuyển tổng đài viên"
