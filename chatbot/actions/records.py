"""Personal records (M33, M34) and social benefits (M36): `action_ask_records` and
`action_check_benefit_payment`, answered from the API's live data.

Both are personal data behind identity level 2 (api/records/routes.py, api/benefits/routes.py:
`Citizen(min_level=2)`), so who sees what is the API's decision, made on the citizen's delegated,
read-only token (`cds_token` in the latest message's metadata):

- anonymous chat: no data, only where and how to see it (the app's Hồ sơ cá nhân / An sinh xã
  hội after signing in with VNeID level 2; the national apps where they hold the same data);
- signed in at level 2: a short summary of their own records (`GET /me/records`, or the view of
  the type asked, `/me/records/land|health|labour`; social insurance is the labour view), each
  with the source and the sync date the API gives; their own programmes and latest payments
  (`GET /me/benefits`);
- signed in at level 1: the API answers 403 `identity_level_required` with how to reach level 2,
  and that explanation is what the citizen reads.

A question about someone else's record or payment ("trợ cấp của mẹ tôi", a CCCD number) is
answered with what the bot can do: only the signed-in citizen's own data, said politely before
it. Health details (diagnoses, conditions) stay in the app: a chat may be handed to an agent.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.api_client import ApiRefused, ApiUnavailable, SignInRequired, api
from actions.conversation import citizen_token, entity_values
from components.vietnamese_text import fold, normalise_with_map, strip_diacritics

log = logging.getLogger(__name__)

RECORD_TYPE = "record_type"  # the entity (CHATBOT.md): land, health, labour, social_insurance
LAND, HEALTH, LABOUR = "land", "health", "labour"
# Which of the API's views answers each entity value: social insurance is in the labour book.
VIEW_OF = {LAND: LAND, HEALTH: HEALTH, LABOUR: LABOUR, "social_insurance": LABOUR}
VIEWS = (LAND, HEALTH, LABOUR)
LEVEL_REQUIRED = "identity_level_required"  # the API's problem code for a level-1 account
LAND_LIST_LIMIT = 3
SUMMARY_UNITS = {LAND: "giấy chứng nhận", HEALTH: "mục", LABOUR: "quá trình làm việc"}

# ---- who the question is about ----------------------------------------------------------------

# Kin who are always someone else: "của mẹ", "mẹ tôi", "bà nội". Written with and without
# diacritics; the plain forms are matched only in a message typed without any, where words like
# "chỉ" / "chị" or "còn" / "con" cannot be told apart, so the ambiguous ones are left out.
_KIN = r"mẹ|má|bố|ba|cha|ông|bà|con|vợ|chồng|bác|dì|cậu|mợ|thím|dượng|cháu|người thân|người nhà"
# Also forms of address for oneself or the bot ("của em", "chị ơi"): kin only with "tôi" after.
_KIN_WITH_PRONOUN = r"anh|chị|em|cô|chú"
_ME = r"tôi|tui|mình|tớ|mk"
_SOMEONE_ELSE = re.compile(
    rf"\bcủa\s+(?:{_KIN})\b|\b(?:{_KIN})\s+(?:{_ME}|em)\b|\b(?:{_KIN_WITH_PRONOUN})\s+(?:{_ME})\b"
    r"|\b(?:ông|bà)\s+(?:nội|ngoại)\b"
)
_PLAIN_KIN = r"me|bo|ba|cha|ong|vo|chong|bac|thim|chau|nguoi than|nguoi nha"
_SOMEONE_ELSE_PLAIN = re.compile(
    rf"\bcua\s+(?:{_PLAIN_KIN}|con|ma|di|cau|mo)\b|\b(?:{_PLAIN_KIN}|anh|em|chu)\s+(?:toi|tui|minh|mk)\b"
    r"|\b(?:ong|ba)\s+(?:noi|ngoai)\b"
)
_CCCD_IN_TEXT = re.compile(r"(?<!\d)\d{12}(?!\d)")
_PENSION = re.compile(r"\bluong\s+huu\b|\btro\s+cap\s+that\s+nghiep\b")
_THIS_MONTH = re.compile(r"\bthang\s+nay\b")
# Vietnam's time (no daylight saving): which month "tháng này" is.
VIETNAM = timezone(timedelta(hours=7))


def about_someone_else(text: str | None, cccd_values: list[str] | None = None) -> bool:
    """Whether a message asks about another person's data: a relative, or a CCCD number."""
    text = text or ""
    if cccd_values or _CCCD_IN_TEXT.search(text):
        return True
    normalised = normalise_with_map(text)[0].lower()
    # The words typed without diacritics, the others blanked: "trợ cấp cua me toi" -> "_ _ cua me
    # toi". Those are read with the plain, unambiguous forms only.
    plain = " ".join(word if strip_diacritics(word) == word else "_" for word in normalised.split())
    if _SOMEONE_ELSE_PLAIN.search(plain):
        return True
    # Accented forms only where there are accents: in plain text "con" may be "còn".
    return strip_diacritics(normalised) != normalised and bool(_SOMEONE_ELSE.search(normalised))


def mentions_pension(text: str | None) -> bool:
    """Pensions and unemployment allowances are social insurance's, not the province's programmes."""
    return bool(_PENSION.search(fold(text or "")))


def asked_month(text: str | None, now: datetime | None = None) -> str | None:
    """`2026-11` when the message asks about this month ("tháng này"), else None."""
    if not _THIS_MONTH.search(fold(text or "")):
        return None
    return (now or datetime.now(VIETNAM)).astimezone(VIETNAM).strftime("%Y-%m")


def record_views(values: list[str]) -> list[str]:
    """The API views that answer the `record_type` values named, in order, without repeats."""
    views: list[str] = []
    for value in values:
        view = VIEW_OF.get(value)
        if view and view not in views:
            views.append(view)
    return views


# ---- how the API's values are written ---------------------------------------------------------


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def area_text(value: Any) -> str | None:
    """`"1250.50"` -> `1.250,5 m²`: a decimal area as Vietnamese writes it."""
    try:
        area = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not area.is_finite() or area <= 0:
        return None
    whole, _, fraction = f"{area:f}".partition(".")
    fraction = fraction.rstrip("0")
    whole = f"{int(whole):,}".replace(",", ".")
    return f"{whole},{fraction} m²" if fraction else f"{whole} m²"


def months_text(months: Any) -> str | None:
    """`54` -> `54 tháng (4 năm 6 tháng)`."""
    months = _int(months)
    if months is None or months < 0:
        return None
    years, rest = divmod(months, 12)
    if years == 0:
        return f"{months} tháng"
    spelled = f"{years} năm" + (f" {rest} tháng" if rest else "")
    return f"{months} tháng ({spelled})"


def provenance(sources: Any) -> str | None:
    """`nguồn: Bảo hiểm xã hội Việt Nam (VssID), cập nhật ngày 20/11/2026`: where the data comes
    from and when it was last synced, as the API reports them (several sources joined by `;`)."""
    parts = []
    for source in sources or []:
        if not isinstance(source, dict):
            continue
        name = source.get("source_name") or source.get("source")
        if not name:
            continue
        synced = texts.day(source.get("synced_at"))
        parts.append(texts.RECORD_SOURCE.format(source=name, day=synced) if synced else f"nguồn: {name}")
    return "; ".join(parts) or None


def _with_provenance(lines: list[str], sources: Any) -> list[str]:
    where = provenance(sources)
    return [*lines, _sentence(where) + "."] if where else lines


# ---- records: what the citizen reads ------------------------------------------------------------


def records_guidance(views: list[str]) -> list[str]:
    """Anonymous: where and how to see the records asked about (or all of them), no data."""
    where = [texts.RECORDS_WHERE_BY_TYPE[view] for view in views] or [texts.RECORDS_WHERE]
    return [*where, texts.RECORDS_SIGN_IN_TO_ASK]


def describe_summary(summary: Any) -> str:
    """`GET /me/records`: per type, how many records, from where, synced when; or none yet."""
    by_type = {item.get("type"): item for item in summary or [] if isinstance(item, dict)}
    lines = [texts.RECORDS_SUMMARY_HEADER]
    for view in VIEWS:
        item = by_type.get(view) or {}
        name = item.get("name") or texts.RECORD_NAMES[view]
        count = _int(item.get("count")) or 0
        if count:
            where = provenance(item.get("sources"))
            line = f"• {name}: {count} {SUMMARY_UNITS[view]}" + (f" ({where})." if where else ".")
        else:
            line = f"• {name}: " + texts.RECORDS_SUMMARY_NONE.format(origin=_origin(item)) + "."
        lines.append(line)
    lines.append(texts.RECORDS_SUMMARY_FOOTER)
    return "\n".join(lines)


def _origin(item: dict[str, Any]) -> str:
    """The source the API names for a record type (api/records/connectors.py is the one list)."""
    origin = item.get("origin")
    return origin if isinstance(origin, str) and origin.strip() else texts.RECORD_ORIGIN_UNKNOWN


def _none_of(view: str, item: dict[str, Any]) -> str:
    return texts.RECORD_NONE.format(what=texts.RECORD_NONE_WHAT[view], origin=_origin(item))


def describe_certificate(certificate: dict[str, Any]) -> str:
    """`• GCN số CS 00001: 45 Y Wang, Phường Buôn Ma Thuột; diện tích 120,5 m²; Còn hiệu lực.`"""
    ward = certificate.get("ward") if isinstance(certificate.get("ward"), dict) else {}
    address = ", ".join(part for part in (certificate.get("address"), ward.get("name")) if part)
    facts = [address] if address else []
    area = area_text(certificate.get("area_m2"))
    if area:
        facts.append(f"diện tích {area}")
    if certificate.get("status_name"):
        facts.append(str(certificate["status_name"]))
    number = certificate.get("certificate_number") or "(chưa rõ số)"
    return f"• GCN số {number}: " + "; ".join(facts) + "."


def describe_land(view: Any) -> str:
    certificates = [c for c in (view or {}).get("certificates") or [] if isinstance(c, dict)]
    if not certificates:
        return _none_of(LAND, view or {})
    lines = [texts.LAND_HEADER.format(count=len(certificates))]
    lines.extend(describe_certificate(c) for c in certificates[:LAND_LIST_LIMIT])
    if len(certificates) > LAND_LIST_LIMIT:
        lines.append(texts.LAND_MORE.format(more=len(certificates) - LAND_LIST_LIMIT))
    return "\n".join(_with_provenance(lines, view.get("sources")))


def insurance_card_text(card: Any, today: date | None = None) -> str:
    """The health insurance card: in force until when, or expired, and the registered facility."""
    if not isinstance(card, dict):
        return texts.HEALTH_NO_CARD
    today = today or date.today()
    valid_from, valid_to = _date(card.get("valid_from")), _date(card.get("valid_to"))
    until = texts.day(card.get("valid_to"))
    if card.get("in_force"):
        validity = f"còn hiệu lực đến {until}" if until else "còn hiệu lực"
    elif valid_from and valid_from > today:
        validity = f"chưa đến ngày hiệu lực (từ {texts.day(card.get('valid_from'))})"
    elif valid_to and valid_to < today:
        validity = f"đã hết hạn ngày {until}"
    else:
        validity = "không còn hiệu lực"
    number = f" số {card['card_number']}" if card.get("card_number") else ""
    line = f"• Thẻ bảo hiểm y tế{number}: {validity}"
    if card.get("facility"):
        line += f"; nơi đăng ký khám chữa bệnh ban đầu: {card['facility']}"
    return line + "."


def describe_health(view: Any, today: date | None = None) -> str:
    view = view or {}
    card = view.get("insurance_card")
    visits = [v for v in view.get("visits") or [] if isinstance(v, dict)]
    vaccinations = [v for v in view.get("vaccinations") or [] if isinstance(v, dict)]
    conditions = [c for c in view.get("chronic_conditions") or [] if isinstance(c, dict)]
    if not card and not visits and not vaccinations and not conditions:
        return _none_of(HEALTH, view)
    lines = [texts.HEALTH_HEADER, insurance_card_text(card, today)]
    if visits:
        # Newest first (the API's order); where and when, not the diagnosis.
        last = visits[0]
        when, where = texts.day(last.get("on")), last.get("facility")
        line = "• Lần khám gần nhất: " + (f"ngày {when}" if when else "không rõ ngày")
        lines.append(line + (f" tại {where}." if where else "."))
    else:
        lines.append(texts.HEALTH_NO_VISIT)
    if vaccinations:
        latest = texts.day(vaccinations[0].get("on"))
        line = f"• Tiêm chủng: {len(vaccinations)} mũi đã ghi nhận"
        lines.append(line + (f", gần nhất ngày {latest}." if latest else "."))
    else:
        lines.append(texts.HEALTH_NO_VACCINATION)
    return "\n".join([*_with_provenance(lines, view.get("sources")), texts.HEALTH_FOOTER])


def describe_labour(view: Any) -> str:
    view = view or {}
    periods = [p for p in view.get("employment_periods") or [] if isinstance(p, dict)]
    if not periods:
        return _none_of(LABOUR, view)
    lines = [texts.LABOUR_HEADER]
    employer = view.get("current_employer")
    if employer:
        current = next((p for p in periods if p.get("employer") == employer and not p.get("ended_on")), {})
        since = texts.day(current.get("started_on"))
        lines.append(f"• Nơi làm việc hiện tại: {employer}" + (f" (từ {since})." if since else "."))
    else:
        lines.append(texts.LABOUR_NO_CURRENT)
    months = months_text(view.get("contribution_months"))
    if months:
        lines.append(f"• Tổng thời gian đóng bảo hiểm xã hội: {months}.")
    lines.append(f"• Số quá trình làm việc đã ghi nhận: {len(periods)}.")
    return "\n".join([*_with_provenance(lines, view.get("sources")), texts.RECORDS_FOOTER])


DESCRIBE = {LAND: describe_land, HEALTH: describe_health, LABOUR: describe_labour}


def describe_record(view: str, data: Any) -> str:
    return DESCRIBE[view](data if isinstance(data, dict) else {})


# ---- benefits: what the citizen reads ------------------------------------------------------------


def period_text(period: Any) -> str:
    """`2026-06` -> `tháng 06/2026`."""
    if isinstance(period, str) and re.fullmatch(r"\d{4}-\d{2}", period):
        return f"tháng {period[5:]}/{period[:4]}"
    return f"kỳ {period}" if period else "kỳ chưa rõ"


def _programme_code(item: dict[str, Any]) -> str | None:
    programme = item.get("programme")
    return programme.get("code") if isinstance(programme, dict) else None


def describe_payment(payment: dict[str, Any], enrolment: dict[str, Any] | None = None) -> str:
    """One payment: the month, the amount, its status, the channel, the day paid or why it failed
    (or was cancelled). A status this version does not know is named as the API names it, with
    its reason if any, and no promise of a payment day."""
    amount = texts.vnd(payment.get("amount_vnd")) or "chưa rõ số tiền"
    status = payment.get("status")
    name = payment.get("status_name") or status or "chưa rõ trạng thái"
    channel = payment.get("channel_name") or ""
    if (
        channel
        and enrolment
        and enrolment.get("channel_detail")
        and payment.get("channel") == enrolment.get("channel")
    ):
        channel += f" – {enrolment['channel_detail']}"
    head = f"Kỳ {period_text(payment.get('period'))}: {amount} – {name}"
    if status == "paid":
        paid = texts.day(payment.get("paid_at"))
        text = head + (f" ngày {paid}" if paid else "") + (f", qua {channel}" if channel else "")
    elif status in ("failed", "returned"):
        text = head + (f" ({channel})" if channel else "")
        reason = (payment.get("failure_reason") or "").strip().rstrip(".")
        if reason:
            text += f". Lý do: {reason}"
    elif status not in (None, "scheduled"):  # cancelled, or a status added after this version
        text = head
        reason = (payment.get("failure_reason") or "").strip().rstrip(".")
        if reason:
            text += f". Lý do: {reason}"
    else:
        sent = texts.day(payment.get("sent_at"))
        planned = texts.day(payment.get("planned_on"))
        if sent:
            text = head + f", đã chuyển cho kênh chi trả ngày {sent}" + (f" ({channel})" if channel else "")
        else:
            text = head + (f", dự kiến chi ngày {planned}" if planned else "")
    return text + "."


def describe_benefits(data: Any, this_month: str | None = None) -> str:
    """`GET /me/benefits`: each programme with its latest payment, and the e-payment account hint.
    Asked about this month (`this_month`, `YYYY-MM`) when the latest payment is older: said so."""
    data = data if isinstance(data, dict) else {}
    enrolments = [e for e in data.get("programmes") or [] if isinstance(e, dict)]
    payments = [p for p in data.get("latest_payments") or [] if isinstance(p, dict)]
    if not enrolments:
        return texts.BENEFITS_NONE
    lines = [texts.BENEFITS_HEADER]
    failed = False
    for enrolment in enrolments:
        programme = enrolment.get("programme") if isinstance(enrolment.get("programme"), dict) else {}
        facts = [enrolment.get("status_name")] if enrolment.get("status_name") else []
        monthly = texts.vnd(enrolment.get("monthly_amount_vnd"))
        if monthly:
            facts.append(f"mức hưởng {monthly}/tháng")
        name = programme.get("name") or "Chế độ trợ cấp"
        lines.append(f"• {name}" + (f" ({', '.join(facts)})" if facts else "") + ":")
        # Newest first (the API's order): the first of this programme is the latest.
        latest = next((p for p in payments if _programme_code(p) == programme.get("code")), None)
        if latest is None:
            lines.append(texts.BENEFIT_NO_PAYMENT)
            continue
        lines.append("  " + describe_payment(latest, enrolment))
        failed = failed or latest.get("status") in ("failed", "returned", "cancelled")
        if this_month and str(latest.get("period") or "") < this_month:
            lines.append("  " + texts.BENEFIT_NOT_THIS_MONTH.format(month=period_text(this_month)))
    if failed:
        lines.append(texts.BENEFIT_FAILED_ADVICE)
    if data.get("e_payment_account_linked"):
        lines.append(texts.BENEFITS_LINKED)
    else:
        lines.append(data.get("cashless_hint") or texts.BENEFITS_LINK_HINT)
    lines.append(texts.BENEFITS_FOOTER)
    return "\n".join(lines)


def benefits_guidance() -> list[str]:
    """Anonymous: why signing in is needed, and how payments are made; no amounts."""
    return [texts.BENEFITS_NEED_SIGN_IN, texts.BENEFITS_HOW_PAID]


# ---- talking to the API -----------------------------------------------------------------------------


def refusal_text(exc: ApiRefused) -> str:
    """What a citizen the API refused reads: for a level-1 account, the API's own explanation of
    how to reach level 2."""
    if exc.code == LEVEL_REQUIRED:
        return exc.detail or texts.IDENTITY_LEVEL_2_REQUIRED
    log.warning("personal data refused: %s", exc)
    return texts.NOT_ALLOWED


async def _get(path: str, token: str) -> Any:
    return (await api().get_as_citizen(path, token)).data


def _latest_text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


# ---- the actions --------------------------------------------------------------------------------------


class ActionAskRecords(Action):
    def name(self) -> str:
        return "action_ask_records"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        views = record_views(entity_values(tracker, RECORD_TYPE))
        messages = []
        if about_someone_else(_latest_text(tracker), entity_values(tracker, "cccd")):
            messages.append(texts.ONLY_YOUR_OWN_RECORDS)
        token = citizen_token(tracker)
        if not token:
            messages.extend(records_guidance(views))
        else:
            messages.extend(await self._mine(token, views))
        for message in messages:
            dispatcher.utter_message(text=message)
        return []

    @staticmethod
    async def _mine(token: str, views: list[str]) -> list[str]:
        try:
            if not views:
                return [describe_summary(await _get("/me/records", token))]
            found = [(view, await _get(f"/me/records/{view}", token)) for view in views]
        except SignInRequired:
            return [texts.SIGN_IN_AGAIN]
        except ApiUnavailable:
            return [texts.API_UNAVAILABLE]
        except ApiRefused as exc:
            return [refusal_text(exc)]
        return [describe_record(view, data) for view, data in found]


class ActionCheckBenefitPayment(Action):
    def name(self) -> str:
        return "action_check_benefit_payment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = _latest_text(tracker)
        someone_else = about_someone_else(text, entity_values(tracker, "cccd"))
        messages = [texts.ONLY_YOUR_OWN_BENEFITS] if someone_else else []
        token = citizen_token(tracker)
        if not token:
            messages.extend(benefits_guidance())
        else:
            try:
                answer = describe_benefits(await _get("/me/benefits", token), asked_month(text))
            except SignInRequired:
                answer = texts.SIGN_IN_AGAIN
            except ApiUnavailable:
                answer = texts.API_UNAVAILABLE
            except ApiRefused as exc:
                answer = refusal_text(exc)
            else:
                if someone_else:
                    messages.append(texts.ONLY_YOUR_OWN_BENEFITS_SHOWN)
            messages.append(answer)
        if mentions_pension(text):
            messages.append(texts.BENEFITS_PENSION_NOTE)
        for message in messages:
            dispatcher.utter_message(text=message)
        return []
