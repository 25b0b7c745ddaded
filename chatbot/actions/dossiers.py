"""Where is my application (hồ sơ)? The lookup form and `action_check_dossier_status`.

A signed-in citizen (the message carries their token) sees their own dossiers, and only those:
the API answers `/me/dossiers` for the token's owner. An anonymous citizen gives the dossier's
code and the last four digits of the applicant's CCCD, and gets the public tracking view
(status and dates, nothing personal). One form, `dossier_lookup_form`, serves both: for a
signed-in citizen it asks nothing, so the same rules run for everyone.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.api_client import ApiRefused, ApiUnavailable, NotFound, SignInRequired, api
from actions.conversation import AnonymousOnlyForm, citizen_token

log = logging.getLogger(__name__)

FORM = "dossier_lookup_form"
# 66.24133-261122-0007: province . receiving ward (00000: a province department) - YYMMDD -
# that authority's sequence for the day. Citizens read it aloud and type it back with spaces
# around the separators, other dashes, or a comma for the dot.
_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{2})\s*[.,]\s*(\d{5})\s*-\s*(\d{6})\s*-\s*(\d{4,6})(?!\d)")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
_DIGIT_RUN = re.compile(r"\d+")
# The statuses in which the citizen has something to do (supplement, payment).
SUPPLEMENT_REQUESTED = 5
PAYMENT_REQUESTED = 6
# "4 số cuối là 0368 ạ": an answer to the question asked, not another request.
MAX_WORDS_AROUND_DIGITS = 5
# Dossiers listed in one answer; the rest are in the app.
LIST_LIMIT = 5


def normalise_dossier_code(text: str | None) -> str | None:
    """The dossier code a message contains, in its canonical form, or None."""
    match = _CODE_IN_TEXT.search((text or "").translate(_DASHES))
    if not match:
        return None
    province, ward, day, sequence = match.groups()
    return f"{province}.{ward}-{day}-{sequence}"


def cccd_last4(text: str | None) -> str | None:
    """The last four CCCD digits a message gives: exactly one run of four digits (other numbers,
    such as the "4" of "4 số cuối là 0368", aside), or a whole 12-digit CCCD typed instead."""
    text = text or ""
    runs = _DIGIT_RUN.findall(text)
    whole = [run for run in runs if len(run) == 12]
    if len(whole) == 1 and all(len(run) < 4 for run in runs if run != whole[0]):
        return whole[0][-4:]
    fours = _FOUR_DIGITS.findall(text)
    if len(fours) == 1 and all(len(run) < 4 or run == fours[0] for run in runs):
        return fours[0]
    return None


# ---- the form ---------------------------------------------------------------------------------


class ValidateDossierLookupForm(AnonymousOnlyForm):
    def name(self) -> str:
        return "validate_dossier_lookup_form"

    async def extract_cccd_last4(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A short reply carrying the four digits fills the slot whatever intent the NLU read in
        it: to the classifier a bare "0368" looks like the hotline question, not an answer."""
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot("requested_slot") != "cccd_last4" or cccd_last4(text) is None:
            return {}
        words_besides_digits = _DIGIT_RUN.sub(" ", text).split()
        return {"cccd_last4": text} if len(words_besides_digits) <= MAX_WORDS_AROUND_DIGITS else {}

    def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = normalise_dossier_code(value if isinstance(value, str) else None)
        if code is None:
            shown = str(value or "").strip()[:40]
            dispatcher.utter_message(text=texts.DOSSIER_CODE_INVALID.format(value=shown))
        return {"dossier_code": code}

    def validate_cccd_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        digits = cccd_last4(value if isinstance(value, str) else None)
        if digits is None:
            dispatcher.utter_message(text=texts.CCCD_LAST4_INVALID)
        return {"cccd_last4": digits}


# ---- the answer ---------------------------------------------------------------------------------


def describe_status(dossier: dict[str, Any], *, detailed: bool) -> str:
    """One dossier as the citizen reads it; `detailed` (their own dossier) adds what the officer
    last said, which the public tracking view never has."""
    lines = [f"Hồ sơ {dossier.get('code')} – {dossier.get('procedure_name')}:"]
    lines.append(f"• Trạng thái: {dossier.get('status_name')}.")
    submitted = texts.day(dossier.get("submitted_at"))
    if submitted:
        lines.append(f"• Ngày nộp: {submitted}.")
    due = texts.day(dossier.get("due_date"))
    if due:
        late = " Hồ sơ đã quá hạn giải quyết." if dossier.get("overdue") else ""
        lines.append(f"• Hạn giải quyết: {due}.{late}")
    status = dossier.get("status")
    if status == SUPPLEMENT_REQUESTED:
        lines.append("• Cơ quan giải quyết đề nghị bổ sung giấy tờ; bạn bổ sung trong mục Hồ sơ của tôi.")
    elif status == PAYMENT_REQUESTED and not dossier.get("payment_status"):
        lines.append("• Hồ sơ đang chờ nộp phí, lệ phí; bạn nộp trong mục Hồ sơ của tôi.")
    if detailed:
        notes = [
            step["note"]
            for step in dossier.get("history") or []
            if step.get("note") and step.get("by") == "staff"
        ]
        if notes:
            lines.append(f"• Ghi chú gần nhất của cơ quan giải quyết: {notes[-1]}")
    return "\n".join(lines)


def describe_list(dossiers: list[dict[str, Any]], total: int) -> str:
    if total > LIST_LIMIT:
        lines = [f"Bạn có {total} hồ sơ; đây là {LIST_LIMIT} hồ sơ nộp gần nhất:"]
    else:
        lines = [f"Bạn có {total} hồ sơ:"]
    for dossier in dossiers[:LIST_LIMIT]:
        due = texts.day(dossier.get("due_date"))
        late = ", đã quá hạn" if dossier.get("overdue") else ""
        when = f" (hạn {due}{late})" if due else ""
        lines.append(
            f"• {dossier.get('code')} – {dossier.get('procedure_name')}: {dossier.get('status_name')}{when}"
        )
    if total > LIST_LIMIT:
        lines.append("Các hồ sơ khác có trong mục Hồ sơ của tôi của ứng dụng.")
    lines.append("Muốn xem chi tiết một hồ sơ, bạn nhắn mã hồ sơ đó cho tôi.")
    return "\n".join(lines)


def _total(headers: Any, shown: int) -> int:
    """The number of dossiers in all pages (flask-smorest's X-Pagination header)."""
    try:
        return int(json.loads(headers.get("X-Pagination") or "{}").get("total", shown))
    except (ValueError, TypeError, AttributeError):
        return shown


class ActionCheckDossierStatus(Action):
    def name(self) -> str:
        return "action_check_dossier_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        code = normalise_dossier_code(tracker.get_slot("dossier_code"))
        token = citizen_token(tracker)
        try:
            if token:
                await self._mine(dispatcher, token, code)
            elif code and tracker.get_slot("cccd_last4"):
                await self._public(dispatcher, code, str(tracker.get_slot("cccd_last4")))
            else:
                dispatcher.utter_message(text=texts.DOSSIER_LOOKUP_NEEDS_CODE)
        except SignInRequired:
            dispatcher.utter_message(text=texts.SIGN_IN_AGAIN)
        except ApiUnavailable:
            dispatcher.utter_message(text=texts.API_UNAVAILABLE)
        except ApiRefused as exc:
            log.warning("dossier look-up refused: %s", exc)
            dispatcher.utter_message(text=texts.NOT_ALLOWED)
        # Each lookup starts afresh: the next question may be about another dossier.
        return [SlotSet("dossier_code", None), SlotSet("cccd_last4", None)]

    @staticmethod
    async def _mine(dispatcher: CollectingDispatcher, token: str, code: str | None) -> None:
        client = api()
        if code:
            try:
                dossier = (await client.get_as_citizen(f"/me/dossiers/{code}", token)).data
            except NotFound:
                dispatcher.utter_message(text=texts.DOSSIER_NOT_FOUND_MINE.format(code=code))
                return
            dispatcher.utter_message(text=describe_status(dossier, detailed=True))
            return
        response = await client.get_as_citizen("/me/dossiers", token, {"page_size": LIST_LIMIT})
        dossiers = response.data if isinstance(response.data, list) else []
        if not dossiers:
            dispatcher.utter_message(text=texts.NO_DOSSIERS)
            return
        dispatcher.utter_message(text=describe_list(dossiers, _total(response.headers, len(dossiers))))

    @staticmethod
    async def _public(dispatcher: CollectingDispatcher, code: str, last4: str) -> None:
        try:
            response = await api().get_public(f"/tracking/dossiers/{code}", {"cccd_last4": last4})
        except NotFound:
            dispatcher.utter_message(text=texts.DOSSIER_NOT_FOUND_PUBLIC.format(code=code))
            return
        dispatcher.utter_message(text=describe_status(response.data, detailed=False))
