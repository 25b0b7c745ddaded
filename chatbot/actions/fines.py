"""Traffic fines (M18): `action_check_fines` with its plate form, and `action_pay_fine`.

A signed-in citizen (the message carries their delegated, read-only token) sees their own unpaid
fines from `GET /me/fines`, and only those: the API answers for the token's owner. An anonymous
citizen gives a plate, and gets the public lookup (`GET /fines/lookup`, asked as the machine
account): limited detail, never the owner; the rest needs signing in to the app with VNeID.
One form, `fine_lookup_form`, asks an anonymous citizen for the plate and checks it with the API
(an `invalid_plate` answer is said and the plate asked again); for a signed-in citizen it asks
nothing, so the same rules run for everyone.

Paying happens in the app, never in the chat: `action_pay_fine` explains the steps (confirm the
violation, then pay by card or the linked e-payment account, receipt in the app) and, for a
signed-in citizen, lists what can be paid now and what must be confirmed first.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.api_client import ApiRefused, ApiUnavailable, SignInRequired, api
from actions.conversation import AnonymousOnlyForm, citizen_token

log = logging.getLogger(__name__)

FORM = "fine_lookup_form"
PLATE = "license_plate"  # the slot, named like the entity that fills it (CHATBOT.md)
INVALID_PLATE = "invalid_plate"  # the API's problem code for text that is not a plate
# A notice in these statuses still has to be paid (api/fines/models.py: OPEN_STATUSES).
UNPAID = ("issued", "confirmed")
PAID = "paid"
# Fines listed in one answer; the rest are in the app.
LIST_LIMIT = 5
# A plate somewhere in a message, typed the usual ways (nlu_data/regexes.yml: license_plate):
# 47A-123.45, 47a12345, 47A 123 45, 47B1-123.45, 47-B1 12345, 47 G1 135 79, old 47L-1234. The
# API reads it (and says why it is not a plate); this only finds it in a sentence.
_PLATE_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])\d{2}\s?[-–—]?\s?[A-Za-z]{1,2}\d?\s?[-.–—]?\s?(?:\d{3}\s?\.?\s?\d{2}|\d{4})(?![0-9A-Za-z])"
)
_CCCD_IN_TEXT = re.compile(r"(?<!\d)\d{12}(?!\d)")
# A short answer with a digit in it that is no recognisable plate ("47O-12345", "4A-12345") goes
# to the API as it is, so that the citizen learns what is wrong with it.
MAX_UNRECOGNISED_PLATE_LENGTH = 20


def plate_in_text(text: str | None) -> str | None:
    """The plate a message contains, as typed (the API reads it), or None."""
    match = _PLATE_IN_TEXT.search(text or "")
    return match.group(0).strip() if match else None


def plate_key(plate: Any) -> str:
    """`47A12345` for `47A-123.45`: how the API compares plates (letters and digits only)."""
    return re.sub(r"[^0-9A-Z]", "", str(plate or "").upper())


def is_unpaid(fine: dict[str, Any]) -> bool:
    return fine.get("status") in UNPAID


def _amount(fine: dict[str, Any]) -> int:
    amount = fine.get("amount_vnd")
    return amount if isinstance(amount, int) and not isinstance(amount, bool) else 0


def _violation(fine: dict[str, Any]) -> str:
    """The violation's description: a string in the public view, an object in the owner's."""
    violation = fine.get("violation")
    if isinstance(violation, dict):
        violation = violation.get("description")
    return violation if isinstance(violation, str) and violation else "Vi phạm giao thông"


def deadline_text(fine: dict[str, Any]) -> str | None:
    """`hạn nộp 15/06/2025, còn 3 ngày`, `…, đã quá hạn 2 ngày`: when the fine must be paid by."""
    due = texts.day(fine.get("deadline"))
    if not due:
        return None
    days_left = fine.get("days_left")
    days_left = days_left if isinstance(days_left, int) and not isinstance(days_left, bool) else None
    if fine.get("overdue"):
        late = f"đã quá hạn {-days_left} ngày" if days_left is not None and days_left < 0 else "đã quá hạn"
        return f"hạn nộp {due}, {late}"
    if days_left == 0:
        return f"hạn nộp {due}, hôm nay là ngày cuối"
    if days_left is not None and days_left > 0:
        return f"hạn nộp {due}, còn {days_left} ngày"
    return f"hạn nộp {due}"


def _what_next(fine: dict[str, Any]) -> str | None:
    name = fine.get("status_name") or ""
    if fine.get("can_confirm"):
        return f"{name}: {texts.FINE_MUST_CONFIRM}" if name else texts.FINE_MUST_CONFIRM
    if fine.get("can_pay"):
        return f"{name}: {texts.FINE_CAN_PAY}" if name else texts.FINE_CAN_PAY
    return name or None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- what the citizen reads -----------------------------------------------------------------------


def describe_own_fine(fine: dict[str, Any]) -> str:
    """One of the citizen's own fines, in full: what, how much, when and where, the deadline, and
    whether they must confirm it before paying."""
    amount = texts.vnd(_amount(fine))
    lines = [f"• {fine.get('plate')} – {_violation(fine)}: {amount}."]
    details = []
    when, where = texts.day(fine.get("violated_at")), fine.get("place")
    if when:
        details.append(f"Vi phạm ngày {when}" + (f" tại {where}." if where else "."))
    deadline = deadline_text(fine)
    if deadline:
        details.append(_sentence(deadline) + ".")
    what_next = _what_next(fine)
    if what_next:
        details.append(what_next + ".")
    if details:
        lines.append("  " + " ".join(details))
    return "\n".join(lines)


def describe_mine(fines: list[dict[str, Any]], plate: str | None = None) -> str:
    """The citizen's unpaid fines (all, or those of one plate), with the total owed."""
    total = texts.vnd(sum(_amount(fine) for fine in fines))
    if plate:
        header = texts.FINES_MINE_FOR_PLATE_HEADER.format(plate=plate, count=len(fines), total=total)
    else:
        header = texts.FINES_MINE_HEADER.format(count=len(fines), total=total)
    lines = [header, *(describe_own_fine(fine) for fine in fines[:LIST_LIMIT])]
    if len(fines) > LIST_LIMIT:
        lines.append(texts.FINES_MINE_MORE.format(more=len(fines) - LIST_LIMIT))
    lines.append(texts.FINES_MINE_FOOTER)
    return "\n".join(lines)


def describe_public_fine(fine: dict[str, Any]) -> str:
    """A fine as the public lookup shows it: the day and the ward, never the owner or the place."""
    when, area = texts.day(fine.get("violated_on")), fine.get("area")
    where = f"Ngày {when}" if when else "Không rõ ngày"
    if area:
        where += f" tại {area}"
    facts = [f"{_violation(fine)} – {texts.vnd(_amount(fine))}"]
    if fine.get("status_name"):
        facts.append(str(fine["status_name"]))
    deadline = deadline_text(fine)
    if deadline:
        facts.append(deadline)
    line = f"• {where}: " + "; ".join(facts) + "."
    if fine.get("notice_number"):
        line += f" (Quyết định số {fine['notice_number']})"
    return line


def describe_public(lookup: dict[str, Any], *, signed_in: bool) -> str:
    """The public lookup of a plate: its unpaid fines in limited detail, how many were paid, and
    where the rest is (signing in, for the person named on the decision)."""
    plate = lookup.get("plate")
    fines = [fine for fine in lookup.get("fines") or [] if isinstance(fine, dict)]
    unpaid = [fine for fine in fines if is_unpaid(fine)]
    paid = sum(1 for fine in fines if fine.get("status") == PAID)
    lines = []
    if unpaid:
        lines.append(texts.FINES_PUBLIC_HEADER.format(plate=plate, count=len(unpaid)))
        lines.extend(describe_public_fine(fine) for fine in unpaid[:LIST_LIMIT])
        if len(unpaid) > LIST_LIMIT:
            lines.append(texts.FINES_PUBLIC_MORE.format(more=len(unpaid) - LIST_LIMIT))
    else:
        lines.append(texts.FINES_PUBLIC_NONE.format(plate=plate))
    if paid:
        lines.append(texts.FINES_PUBLIC_PAID.format(count=paid))
    if signed_in:
        if unpaid:
            lines.append(texts.FINES_PUBLIC_NOT_YOURS)
    else:
        lines.append(texts.FINES_PUBLIC_SIGN_IN)
    if not unpaid:
        lines.append(texts.FINES_SCAM_WARNING)
    return "\n".join(lines)


def _payable_line(fine: dict[str, Any]) -> str:
    deadline = deadline_text(fine)
    when = f" ({deadline})" if deadline else ""
    return f"• {fine.get('plate')} – {_violation(fine)}: {texts.vnd(_amount(fine))}{when}."


def describe_payable(fines: list[dict[str, Any]]) -> str:
    """What the citizen can pay now, and what they must confirm first, with the total."""
    payable = [fine for fine in fines if fine.get("can_pay")]
    confirm_first = [fine for fine in fines if fine.get("can_confirm")]
    if not payable and not confirm_first:
        return texts.PAYABLE_NONE
    total = texts.vnd(sum(_amount(fine) for fine in payable + confirm_first))
    lines = [texts.PAYABLE_HEADER.format(total=total)]
    shown_payable = payable[:LIST_LIMIT]
    shown_confirm = confirm_first[: LIST_LIMIT - len(shown_payable)]
    if shown_payable:
        lines.append(texts.PAYABLE_NOW)
        lines.extend(_payable_line(fine) for fine in shown_payable)
    if shown_confirm:
        lines.append(texts.PAYABLE_CONFIRM_FIRST)
        lines.extend(_payable_line(fine) for fine in shown_confirm)
    more = len(payable) + len(confirm_first) - len(shown_payable) - len(shown_confirm)
    if more > 0:
        lines.append(texts.FINES_MINE_MORE.format(more=more))
    return "\n".join(lines)


# ---- talking to the API -----------------------------------------------------------------------------


async def my_fines(token: str) -> list[dict[str, Any]]:
    """The signed-in citizen's fines (unpaid first, earliest deadline first), as the API orders them."""
    data = (await api().get_as_citizen("/me/fines", token)).data
    return [fine for fine in data if isinstance(fine, dict)] if isinstance(data, list) else []


async def public_lookup(plate: str) -> dict[str, Any]:
    """The public lookup of a plate; raises ApiRefused (`invalid_plate`) for text that is not one."""
    data = (await api().get_public("/fines/lookup", {"plate": plate})).data
    return data if isinstance(data, dict) else {}


def _refusal(exc: ApiRefused, value: str) -> str:
    if exc.code == INVALID_PLATE and exc.detail:
        return exc.detail
    return texts.PLATE_REFUSED_NO_REASON.format(value=value[:MAX_UNRECOGNISED_PLATE_LENGTH])


# ---- the form ---------------------------------------------------------------------------------


class ValidateFineLookupForm(AnonymousOnlyForm):
    def name(self) -> str:
        return "validate_fine_lookup_form"

    async def validate_license_plate(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The plate as the API reads it (`47A-123.45`), or None to ask again after saying why."""
        text = value.strip() if isinstance(value, str) else ""
        candidate = plate_in_text(text)
        if candidate is None:
            if _CCCD_IN_TEXT.search(text):
                dispatcher.utter_message(text=texts.FINES_BY_CCCD_NEED_SIGN_IN)
                return {PLATE: None}
            if len(text) > MAX_UNRECOGNISED_PLATE_LENGTH or not any(ch.isdigit() for ch in text):
                dispatcher.utter_message(text=texts.PLATE_NOT_IN_ANSWER)
                return {PLATE: None}
            candidate = text
        try:
            lookup = await public_lookup(candidate)
        except ApiUnavailable:
            # The answer cannot be given now either: action_check_fines tries once more and says
            # so, with the hotline, instead of asking for a plate the citizen already gave.
            return {PLATE: candidate}
        except ApiRefused as exc:
            if exc.code != INVALID_PLATE:
                log.warning("plate check refused: %s", exc)
            dispatcher.utter_message(text=_refusal(exc, candidate))
            return {PLATE: None}
        return {PLATE: lookup.get("plate") or candidate}


# ---- the answers --------------------------------------------------------------------------------


class ActionCheckFines(Action):
    def name(self) -> str:
        return "action_check_fines"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        plate = tracker.get_slot(PLATE)
        plate = plate.strip() if isinstance(plate, str) and plate.strip() else None
        token = citizen_token(tracker)
        try:
            if token:
                messages = await self._mine(token, plate)
            elif plate:
                messages = [describe_public(await public_lookup(plate), signed_in=False)]
            else:
                messages = [texts.FINE_LOOKUP_NEEDS_PLATE]
        except SignInRequired:
            messages = [texts.SIGN_IN_AGAIN]
        except ApiUnavailable:
            messages = [texts.API_UNAVAILABLE]
        except ApiRefused as exc:
            if exc.code == INVALID_PLATE:
                messages = [_refusal(exc, plate or ""), texts.PLATE_TRY_AGAIN]
            else:
                log.warning("fine look-up refused: %s", exc)
                messages = [texts.NOT_ALLOWED]
        for message in messages:
            dispatcher.utter_message(text=message)
        # Each lookup starts afresh: the next question may be about another vehicle.
        return [SlotSet(PLATE, None)]

    @staticmethod
    async def _mine(token: str, plate: str | None) -> list[str]:
        unpaid = [fine for fine in await my_fines(token) if is_unpaid(fine)]
        if not plate:
            return [describe_mine(unpaid)] if unpaid else [texts.FINES_NONE_MINE]
        on_plate = [fine for fine in unpaid if plate_key(fine.get("plate")) == plate_key(plate)]
        if on_plate:
            return [describe_mine(on_plate, plate=on_plate[0].get("plate") or plate)]
        # None of theirs: what anyone may know about that plate (a car they are about to buy…).
        lookup = await public_lookup(plate)
        shown = lookup.get("plate") or plate
        return [
            texts.FINES_NONE_MINE_FOR_PLATE.format(plate=shown),
            describe_public(lookup, signed_in=True),
        ]


class ActionPayFine(Action):
    def name(self) -> str:
        return "action_pay_fine"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        token = citizen_token(tracker)
        if not token:
            dispatcher.utter_message(text=texts.PAY_FINE_HOW)
            dispatcher.utter_message(text=texts.PAY_FINE_SIGN_IN_TO_LIST)
            return [SlotSet(PLATE, None)]
        try:
            listing = describe_payable(await my_fines(token))
        except SignInRequired:
            listing = texts.SIGN_IN_AGAIN
        except ApiUnavailable:
            listing = texts.API_UNAVAILABLE
        except ApiRefused as exc:
            log.warning("fine list refused: %s", exc)
            listing = texts.NOT_ALLOWED
        dispatcher.utter_message(text=listing)
        dispatcher.utter_message(text=texts.PAY_FINE_HOW)
        return [SlotSet(PLATE, None)]
