"""What the actions read from the conversation's tracker: who is asking, what failed before."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_fallback"


def citizen_token(tracker: Tracker) -> str | None:
    """The signed-in citizen's short-lived API token, from the LATEST message's metadata.

    The API adds `cds_token` to every message of a signed-in citizen and nothing to an anonymous
    one. Only the latest message counts: a citizen who signed out, or whose token expired, must
    not be served with a token an earlier message carried.
    """
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    token = metadata.get("cds_token") if isinstance(metadata, dict) else None
    return token if isinstance(token, str) and token.strip() else None


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """The latest message's values of one entity, in order, without repeats."""
    values: list[str] = []
    for found in (tracker.latest_message or {}).get("entities") or []:
        value = found.get("value")
        value = value.strip() if isinstance(value, str) else ""
        if found.get("entity") == entity and value and value not in values:
            values.append(value)
    return values


def consecutive_failed_turns(events: Iterable[dict[str, Any]]) -> int:
    """How many of the latest user turns in a row the bot failed to understand, this one included.

    A turn failed when NLU could not classify it (`nlu_fallback`) or when the bot answered it
    with the fallback (the dialogue policies could not decide either). Anything the bot handled
    in between resets the count, and so do a restart, a new session and an agent handing the
    conversation back. Reverted turns are not counted: they are not in the conversation any more.
    """
    turns: list[tuple[str | None, list[str]]] = []  # (intent, actions that answered it)
    for event in events:
        kind = event.get("event")
        if kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            turns.append((intent.get("name"), []))
        elif kind == "action" and turns:
            turns[-1][1].append(event.get("name"))
        elif kind == "undo" and turns and turns[-1][1]:
            turns[-1][1].pop()  # the last action was reverted
        elif kind == "rewind" and turns:
            turns.pop()  # the last user message was reverted
        elif kind in ("restart", "session_started", "resume"):
            # A new conversation, or one an agent handed back: earlier failures are settled.
            turns.clear()
    count = 0
    for index, (intent, actions) in enumerate(reversed(turns)):
        is_latest = index == 0
        # The latest turn is failing now: that is why the fallback action runs.
        if is_latest or intent == FALLBACK_INTENT or FALLBACK_ACTION in actions:
            count += 1
        else:
            break
    return count


class AnonymousOnlyForm(FormValidationAction):
    """A form that asks only anonymous citizens. A signed-in citizen is identified by their token:
    there is nothing to ask, the API shows them their own records (or the one they named).
    Abstract, so the action server does not register it as an action of its own."""

    @abstractmethod
    def name(self) -> str: ...

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if citizen_token(tracker):
            return []
        return domain_slots
