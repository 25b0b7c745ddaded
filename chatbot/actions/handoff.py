"""A citizen can always reach a human: `action_handoff`, and `action_fallback` after two misses.

The API decides whether an agent can take the conversation (hours, agents on duty) and words
the answer; the bot says it, and stays silent (`ConversationPaused`) only when the conversation
really is in the agents' queue: the agent's console resumes it when the handoff closes.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.api_client import ApiRefused, ApiUnavailable, api
from actions.conversation import consecutive_failed_turns

log = logging.getLogger(__name__)

# Failed turns in a row after which the bot stops asking to rephrase and hands over.
FAILURES_BEFORE_HANDOFF = 2


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[dict[str, Any]]:
    """Ask the API to queue the conversation for an agent; say what it answered."""
    try:
        response = await api().post_as_service(
            "/chat/handoffs", {"conversation_id": tracker.sender_id, "reason": reason}
        )
    except ApiRefused as exc:
        # 404: a conversation the API does not know (someone talking to Rasa directly); 422: a
        # sender id that is not one of the API's conversation ids. Either way: the hotline.
        log.info("handoff refused for this conversation: %s", exc)
        dispatcher.utter_message(text=texts.HANDOFF_UNAVAILABLE)
        return []
    except ApiUnavailable:
        dispatcher.utter_message(text=texts.HANDOFF_UNAVAILABLE)
        return []
    decision = response.data if isinstance(response.data, dict) else {}
    dispatcher.utter_message(text=decision.get("message") or texts.HANDOFF_UNAVAILABLE)
    if decision.get("queued") is True:
        return [ConversationPaused()]
    return []


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return await hand_over(dispatcher, tracker, "request_human")


class ActionFallback(Action):
    """Two-stage fallback: the first miss in a row asks to rephrase, the second hands over."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if consecutive_failed_turns(tracker.events) < FAILURES_BEFORE_HANDOFF:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        return await hand_over(dispatcher, tracker, "fallback")
