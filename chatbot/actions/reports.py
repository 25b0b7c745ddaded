"""Reports (model 29): crime reports and field reports filed in the chat, and their status.

One form, `report_form`, for both kinds: `report_crime` and `report_issue` start it, and the
message that started it sets `report_kind` (crime | issue), which decides the categories
offered and whether anonymity is asked. It collects the category, the ward and the address,
the time of the incident and a description, for a signed-in crime report whether to stay
anonymous, then shows a summary and asks for confirmation. `action_submit_report` files the
report through the API (`POST /service/reports`, as the machine account, with the citizen's
delegated token as `on_behalf_of`: that token only reads) and says what happened: the status,
the deadline, the emergency number of the category, and for an anonymous report its tracking
token, once, with how to follow it.

Who may file what (the API decides, the bot explains it first):
- signed in: any report, in their name (a crime report may be anonymous if they wish);
- anonymous chat: a crime report only, and anonymously: the form says so and asks nothing
  about it; a field report needs a reporter, so the form asks nothing and the answer explains
  signing in to the app with VNeID.

What the first message already says is used: the `incident_type` entity or keywords give the
category, the `ward` entity the ward, "tối qua" the time, and a long enough message the
description. A "no" stops the form (rules), except where "không rõ" / "không nhớ" is an answer
(address, time) or "không" answers the question (anonymity, confirmation): there the
validator tells a stop ("thôi, không gửi nữa") from an answer, and a stop ends the form with
`report_confirmed` False, so that nothing is sent.

`check_report_status` runs `report_status_form` (an anonymous citizen is asked for the tracking
token) and `action_check_report_status`: a signed-in citizen's latest reports, or the one a
tracking token follows.

This module holds the forms and actions; what they read and say lives beside it: report_slots
(names, limits), report_words (what a message says: keywords, stop, yes/no), report_time (when it
happened), report_api (the API's categories with their keywords, wards, reports),
report_messages (what the citizen reads). The category keywords are the API's own, published
with GET /reports/categories from api/law/data/report_categories.yaml.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.api_client import ApiRefused, ApiUnavailable, NotFound, SignInRequired, api
from actions.conversation import AnonymousOnlyForm, citizen_token, entity_values
from actions.report_api import (
    best_ward,
    categories_or_empty,
    category_named,
    find_wards,
    my_reports,
    tracked,
    ward_query,
)
from actions.report_messages import category_list, describe_mine, describe_report, describe_submitted, summary
from actions.report_slots import (
    ADDRESS,
    ADDRESS_MAX,
    ADDRESS_WHEN_UNKNOWN,
    ANONYMOUS,
    CATEGORY,
    CONFIRMED,
    CRIME,
    DESCRIPTION,
    DESCRIPTION_MAX,
    ISSUE,
    KIND,
    MIN_DESCRIPTION,
    REPORT_SLOTS,
    TIME,
    TRACKING_TOKEN,
    UNKNOWN,
    WARD,
    WARD_CHOICES,
    WARD_NAME,
)
from actions.report_time import FutureTime, parse_incident_time
from actions.report_words import (
    categories_of,
    describes_something,
    incident_category,
    is_question,
    is_stop,
    is_unknown,
    keyword_category,
    tracking_token_in,
    wants_anonymity,
    yes_or_no,
)

log = logging.getLogger(__name__)

# ---- the form ------------------------------------------------------------------------------------


def kind_of(tracker: Tracker) -> str:
    """crime | issue: the slot, or at the form's start the intent of the message that started it."""
    kind = tracker.get_slot(KIND)
    if kind in (CRIME, ISSUE):
        return kind
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return CRIME if intent == "report_crime" else ISSUE


def _latest_text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "").strip()


def _intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _starting(tracker: Tracker) -> bool:
    """The form is being activated: nothing has been asked yet."""
    return tracker.get_slot("requested_slot") is None


def _is_iso(text: str) -> bool:
    try:
        return "T" in text and datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _stopped() -> dict[str, Any]:
    return {CONFIRMED: False}


class ValidateReportForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot(CONFIRMED) is False:
            return []  # stopped: action_submit_report says nothing was sent
        kind, signed_in = kind_of(tracker), citizen_token(tracker) is not None
        if kind == ISSUE and not signed_in:
            return []  # a field report needs a reporter: action_submit_report explains signing in
        return [slot for slot in domain_slots if slot != ANONYMOUS or (kind == CRIME and signed_in)]

    # -- what the first message already says (extract_*: run on each turn, act only at the start)

    async def extract_report_kind(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(KIND) in (CRIME, ISSUE):
            return {}
        kind = kind_of(tracker)
        if kind == CRIME and citizen_token(tracker) is None:
            dispatcher.utter_message(text=texts.REPORT_CRIME_ANONYMOUS_ONLY)
        elif kind == CRIME:
            dispatcher.utter_message(text=texts.REPORT_CRIME_START)
        elif citizen_token(tracker) is not None:
            dispatcher.utter_message(text=texts.REPORT_ISSUE_START)
        return {KIND: kind}

    async def extract_report_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or tracker.get_slot(CATEGORY):
            return {}
        kind = kind_of(tracker)
        code = incident_category(entity_values(tracker, "incident_type"), kind)
        if code is None:
            # The keywords come with the API's categories: with the API down none is found here,
            # and the form asks for the category.
            code = keyword_category(_latest_text(tracker), kind, await categories_or_empty())
        return {CATEGORY: code} if code else {}

    async def extract_report_ward(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or tracker.get_slot(WARD):
            return {}
        named = entity_values(tracker, "ward")
        return {WARD: named[0]} if named else {}

    async def extract_report_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or tracker.get_slot(TIME):
            return {}
        try:
            when = parse_incident_time(_latest_text(tracker))
        except FutureTime:
            return {}
        return {TIME: when.isoformat()} if isinstance(when, datetime) else {}

    async def extract_report_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or tracker.get_slot(DESCRIPTION):
            return {}
        text = _latest_text(tracker)
        return {DESCRIPTION: text[:DESCRIPTION_MAX]} if describes_something(text) else {}

    # -- the answers

    async def validate_report_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else ""
        kind = kind_of(tracker)
        catalogue = await categories_or_empty()
        if not catalogue:
            # The list (and the keywords with it) cannot be fetched: keep an answer that is a
            # category's code, the API checks it on sending; anything else cannot be understood.
            code = text if re.fullmatch(r"[a-z-]{3,40}", text) else None
            if code:
                return {CATEGORY: code}
            dispatcher.utter_message(text=texts.API_UNAVAILABLE)
            return {CATEGORY: None, **_stopped()}
        if any(c["code"] == text for c in categories_of(kind, catalogue)):
            return {CATEGORY: text}
        code = category_named(text, kind, catalogue)
        if code is None:
            dispatcher.utter_message(text=texts.REPORT_CATEGORY_NOT_UNDERSTOOD)
        return {CATEGORY: code}

    async def validate_report_ward(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else ""
        if not text or len(text) > 100:
            dispatcher.utter_message(text=texts.REPORT_WARD_TOO_LONG)
            return {WARD: None}
        try:
            wards = await find_wards(ward_query(text))
        except ApiUnavailable:
            dispatcher.utter_message(text=texts.API_UNAVAILABLE)
            return {WARD: None, **_stopped()}
        except ApiRefused as exc:
            log.warning("ward search refused: %s", exc)
            wards = []
        if not wards:
            dispatcher.utter_message(text=texts.REPORT_WARD_NOT_FOUND.format(value=text[:60]))
            return {WARD: None}
        ward = best_ward(text, wards)
        if ward is None:
            names = "\n".join(f"• {w.get('name')}" for w in wards[:WARD_CHOICES])
            dispatcher.utter_message(text=texts.REPORT_WARD_WHICH.format(value=text[:60], names=names))
            return {WARD: None}
        return {WARD: ward["code"], WARD_NAME: ward.get("name") or ward["code"]}

    async def validate_report_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else ""
        if is_stop(text):
            return {ADDRESS: UNKNOWN, **_stopped()}
        if is_unknown(text) or _intent(tracker) == "deny":
            return {ADDRESS: UNKNOWN}
        if len(text) < 3:
            dispatcher.utter_message(text=texts.REPORT_ADDRESS_TOO_SHORT)
            return {ADDRESS: None}
        if is_question(text):
            dispatcher.utter_message(text=texts.REPORT_ADDRESS_IS_A_QUESTION)
            return {ADDRESS: None}
        return {ADDRESS: text[:ADDRESS_MAX]}

    async def validate_report_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else ""
        if is_stop(text):
            return {TIME: UNKNOWN, **_stopped()}
        if _is_iso(text):
            return {TIME: text}  # found in the first message, already read
        try:
            when = parse_incident_time(text)
        except FutureTime:
            dispatcher.utter_message(text=texts.REPORT_TIME_IN_FUTURE)
            return {TIME: None}
        if when is None and _intent(tracker) == "deny":
            when = UNKNOWN
        if when is None:
            dispatcher.utter_message(text=texts.REPORT_TIME_NOT_UNDERSTOOD)
            return {TIME: None}
        return {TIME: when if isinstance(when, str) else when.isoformat()}

    async def validate_report_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else ""
        if len(text) < MIN_DESCRIPTION:
            dispatcher.utter_message(text=texts.REPORT_DESCRIPTION_TOO_SHORT.format(minimum=MIN_DESCRIPTION))
            return {DESCRIPTION: None}
        return {DESCRIPTION: text[:DESCRIPTION_MAX]}

    async def validate_report_anonymous(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value if isinstance(value, str) else ""
        if isinstance(value, bool):
            return {ANONYMOUS: value}
        if is_stop(text):
            return {ANONYMOUS: False, **_stopped()}
        answer = wants_anonymity(text, _intent(tracker))
        if answer is None:
            dispatcher.utter_message(text=texts.REPORT_ANONYMOUS_NOT_UNDERSTOOD)
        return {ANONYMOUS: answer}

    async def validate_report_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {CONFIRMED: value}
        text = value if isinstance(value, str) else ""
        answer = False if is_stop(text) else yes_or_no(text, _intent(tracker))
        if answer is None:
            dispatcher.utter_message(text=texts.REPORT_CONFIRM_NOT_UNDERSTOOD)
        return {CONFIRMED: answer}


class AskReportCategory(Action):
    """The numbered list of the categories of this kind of report, from the API."""

    def name(self) -> str:
        return "action_ask_report_category"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        kind = kind_of(tracker)
        listing = category_list(kind, await categories_or_empty())
        question = texts.REPORT_ASK_CATEGORY_CRIME if kind == CRIME else texts.REPORT_ASK_CATEGORY_ISSUE
        dispatcher.utter_message(
            text=f"{question}\n{listing}" if listing else texts.REPORT_ASK_CATEGORY_NO_LIST
        )
        return []


class AskReportConfirmed(Action):
    """The summary of what will be sent, and the question."""

    def name(self) -> str:
        return "action_ask_report_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        catalogue = await categories_or_empty()
        slots = {name: tracker.get_slot(name) for name in REPORT_SLOTS}
        dispatcher.utter_message(text=summary(slots, catalogue, signed_in=citizen_token(tracker) is not None))
        return []


# ---- the answer ----------------------------------------------------------------------------------


def report_body(tracker: Tracker) -> dict[str, Any]:
    """What the API is sent (api/reports/schemas.py: ChatReportInSchema)."""
    token = citizen_token(tracker)
    address = tracker.get_slot(ADDRESS)
    body: dict[str, Any] = {
        "category": tracker.get_slot(CATEGORY),
        "description": tracker.get_slot(DESCRIPTION),
        "ward_code": tracker.get_slot(WARD),
        "address": address if address and address != UNKNOWN else ADDRESS_WHEN_UNKNOWN,
        "anonymous": kind_of(tracker) == CRIME and (token is None or tracker.get_slot(ANONYMOUS) is True),
    }
    when = tracker.get_slot(TIME)
    if isinstance(when, str) and when != UNKNOWN:
        body["incident_at"] = when
    if token:
        body["on_behalf_of"] = token
    return body


class ActionSubmitReport(Action):
    def name(self) -> str:
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        kind, token = kind_of(tracker), citizen_token(tracker)
        reset = [SlotSet(name, None) for name in REPORT_SLOTS]
        if kind == ISSUE and token is None:
            dispatcher.utter_message(text=texts.REPORT_ISSUE_NEEDS_SIGN_IN)
            return reset
        if tracker.get_slot(CONFIRMED) is not True:
            dispatcher.utter_message(text=texts.REPORT_STOPPED)
            return reset
        try:
            submitted = (await api().post_as_service("/service/reports", report_body(tracker))).data
            messages = describe_submitted(submitted if isinstance(submitted, dict) else {})
        except SignInRequired:
            messages = [texts.REPORT_SIGN_IN_AGAIN]
        except ApiUnavailable:
            messages = [texts.REPORT_NOT_SENT_API_DOWN]
        except ApiRefused as exc:
            log.warning("report refused: %s", exc)
            messages = [texts.REPORT_REFUSED.format(reason=exc.detail or "thông tin chưa hợp lệ")]
        for message in messages:
            dispatcher.utter_message(text=message)
        return reset


# ---- status of one's reports ---------------------------------------------------------------------


class ValidateReportStatusForm(AnonymousOnlyForm):
    def name(self) -> str:
        return "validate_report_status_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracking_token_in(_latest_text(tracker)) and _starting(tracker):
            return domain_slots  # extracted below, not asked
        return await super().required_slots(domain_slots, dispatcher, tracker, domain)

    async def extract_report_tracking_token(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _starting(tracker) or tracker.get_slot(TRACKING_TOKEN):
            return {}
        token = tracking_token_in(_latest_text(tracker))
        return {TRACKING_TOKEN: token} if token else {}

    async def validate_report_tracking_token(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        token = tracking_token_in(value if isinstance(value, str) else "")
        if token is None:
            dispatcher.utter_message(text=texts.REPORT_TOKEN_NOT_IN_ANSWER)
        return {TRACKING_TOKEN: token}


class ActionCheckReportStatus(Action):
    def name(self) -> str:
        return "action_check_report_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        token = citizen_token(tracker)
        tracking = tracker.get_slot(TRACKING_TOKEN) or tracking_token_in(_latest_text(tracker))
        try:
            if tracking:
                report = await tracked(tracking)
                messages = [texts.REPORT_TRACKED_HEADER, describe_report(report)]
            elif token:
                reports, total = await my_reports(token)
                messages = [describe_mine(reports, total) if reports else texts.REPORTS_NONE_MINE]
            else:
                messages = [texts.REPORT_STATUS_NEEDS_TOKEN]
        except NotFound:
            messages = [texts.REPORT_TOKEN_UNKNOWN]
        except SignInRequired:
            messages = [texts.SIGN_IN_AGAIN]
        except ApiUnavailable:
            messages = [texts.API_UNAVAILABLE]
        except ApiRefused as exc:
            log.warning("report status refused: %s", exc)
            messages = [texts.NOT_ALLOWED]
        for message in messages:
            dispatcher.utter_message(text=message)
        return [SlotSet(TRACKING_TOKEN, None)]
