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
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.api_client import ApiRefused, ApiUnavailable, NotFound, SignInRequired, api
from actions.conversation import AnonymousOnlyForm, citizen_token, entity_values
from components.vietnamese_text import fold

log = logging.getLogger(__name__)

FORM = "report_form"
STATUS_FORM = "report_status_form"
CRIME, ISSUE = "crime", "issue"

KIND = "report_kind"
CATEGORY = "report_category"
WARD = "report_ward"
WARD_NAME = "report_ward_name"
ADDRESS = "report_address"
TIME = "report_time"
DESCRIPTION = "report_description"
ANONYMOUS = "report_anonymous"
CONFIRMED = "report_confirmed"
TRACKING_TOKEN = "report_tracking_token"  # noqa: S105 (a slot name)
REPORT_SLOTS = (KIND, CATEGORY, WARD, WARD_NAME, ADDRESS, TIME, DESCRIPTION, ANONYMOUS, CONFIRMED)

# The address and the time may be unknown: these values say so (the slot cannot stay empty,
# or the form would ask again).
UNKNOWN = "không rõ"
# The API needs a place: the ward, and an address or coordinates. The chat has no map.
ADDRESS_WHEN_UNKNOWN = "Không rõ địa chỉ cụ thể (báo qua trợ lý ảo)"
MIN_DESCRIPTION = 10  # the API's own minimum (api/reports/service.py)
# A message that started the form serves as the description when it says this much beyond
# "tôi muốn phản ánh".
MIN_DESCRIPTION_FROM_FIRST_MESSAGE = 12
DESCRIPTION_MAX = 4000
ADDRESS_MAX = 300
WARD_CHOICES = 5
LIST_LIMIT = 5
OTHER_CRIME = "toi-pham-khac"
VIETNAM = timezone(timedelta(hours=7))  # no daylight saving time
CLOCK_SKEW = timedelta(minutes=5)
CATEGORIES_TTL_SECONDS = 600
# An anonymous report's tracking token (secrets.token_urlsafe(24) in api/reports/service.py).
_TRACKING_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])")

# ---- words ----------------------------------------------------------------------------------------

# The incident_type entity's values (nlu_data/reports.yml, CHATBOT.md) -> the API's categories.
INCIDENT_CATEGORIES = {
    "gambling": "co-bac",
    "drugs": "ma-tuy",
    "theft": "trom-cap",
    "robbery": "trom-cap",
    "fraud": "lua-dao",
    "assault": "co-y-gay-thuong-tich",
    "loan_sharking": OTHER_CRIME,
    "extortion": OTHER_CRIME,
    "illegal_logging": OTHER_CRIME,
    "human_trafficking": OTHER_CRIME,
    "smuggling": OTHER_CRIME,
    "kidnapping": OTHER_CRIME,
}
# incident_type values that name a field report's category (emergency words in an issue).
INCIDENT_ISSUES = {"accident": "tai-nan-giao-thong", "fire": "chay-no"}


# Keywords of a message -> a category. Each entry: (category, phrases). Phrases are written with
# diacritics and matched on the message's words; on a message typed without diacritics they are
# matched folded, except the `accented_only` ones, which fold into other words ("cháy" and
# "chạy", "ồn" and "ổn", "rác" and "các").
@dataclass(frozen=True)
class Keywords:
    category: str
    phrases: tuple[str, ...]
    accented_only: tuple[str, ...] = ()


ISSUE_KEYWORDS: tuple[Keywords, ...] = (
    Keywords("den-tin-hieu-hong", ("đèn tín hiệu", "đèn giao thông", "đèn xanh đèn đỏ", "đèn đỏ")),
    Keywords("den-duong-hong", ("đèn đường", "đèn chiếu sáng", "bóng đèn", "cột đèn", "không có đèn")),
    Keywords("tai-nan-giao-thong", ("tai nạn", "va chạm", "đâm xe", "tông xe")),
    Keywords("dua-xe-trai-phep", ("đua xe", "lạng lách", "bốc đầu", "bão đường")),
    Keywords("chay-no", ("đám cháy", "hỏa hoạn", "hoả hoạn", "phát nổ", "cháy nổ"), ("cháy", "nổ")),
    Keywords("lan-chiem-via-he", ("lấn chiếm", "chiếm vỉa hè", "chiếm lòng đường", "hàng rong", "bày bán")),
    Keywords("via-he-hu-hong", ("vỉa hè",)),
    Keywords("o-ga", ("ổ gà", "ổ voi", "mặt đường", "sụt lún", "lún", "sạt lở", "hư hỏng đường", "lầy lội")),
    Keywords(
        "ngap-ung",
        ("ngập", "thoát nước", "tắc cống", "cống bị tắc", "cống tắc", "nước tràn", "mương"),
    ),
    Keywords("rac-thai", ("rác", "phế thải", "xà bần", "đổ trộm")),
    Keywords("o-nhiem", ("ô nhiễm", "mùi hôi", "bốc mùi", "khói bụi", "nước thải", "hôi thối", "khói")),
    Keywords(
        "tieng-on",
        ("tiếng ồn", "ồn ào", "karaoke", "loa kẹo kéo", "mở nhạc", "hát karaoke", "ầm ĩ"),
        ("ồn",),
    ),
)
CRIME_KEYWORDS: tuple[Keywords, ...] = (
    Keywords("ma-tuy", ("ma túy", "ma tuý", "chích hút", "thuốc lắc", "heroin")),
    Keywords("co-bac", ("cờ bạc", "đánh bạc", "cá độ", "lô đề", "bài bạc", "sòng bạc")),
    Keywords("trom-cap", ("trộm", "cướp", "giật", "móc túi")),
    Keywords("lua-dao", ("lừa đảo", "bị lừa", "chiếm đoạt", "giả danh")),
    Keywords("co-y-gay-thuong-tich", ("đánh nhau", "hành hung", "đánh người", "gây thương tích", "đâm chém")),
)

_STOP_ACCENTED = re.compile(r"^(thôi|hủy|huỷ|dừng|khỏi)\b|không (muốn )?(gửi|báo|phản ánh|tố giác)( nữa)?\b")
_STOP_PLAIN = re.compile(r"^(thoi|huy|dung lai|khoi)\b|khong (muon )?(gui|bao|phan anh|to giac) nua\b")
_UNKNOWN = re.compile(r"\b(khong|chua) (ro|biet|nho|co|chac)\b|^(bo qua|khong)$")
_AFFIRM_WORDS = re.compile(
    r"\b(co|dung( roi)?|dong y|ok|oke|okay|uh|u|vang|da|gui( di| luon)?|xac nhan|chinh xac)\b"
)
_DENY_WORDS = re.compile(r"^(khong|sai|chua dung|nham)\b")
_ANONYMOUS_YES = re.compile(r"\b(an danh|giau ten|giau danh tinh|khong (de lai|ghi|can|muon de lai) ten)\b")
_ANONYMOUS_NO = re.compile(r"\b(de lai (ten|danh tinh|thong tin)|cong khai|ghi ten|co ten|dung ten)\b")
_ABBREVIATIONS = {"ko": "khong", "k": "khong", "kh": "khong", "hok": "khong", "hem": "khong", "kg": "khong"}
# Words a first message says without describing anything: "tôi muốn phản ánh hiện trường".
_GENERIC_WORDS = set(
    [
        "toi",
        "em",
        "minh",
        "chung",
        "anh",
        "chi",
        "ad",
        "oi",
        "a",
        "muon",
        "can",
        "xin",
        "cho",
        "giup",
        "voi",
        "hoi",
        "lam",
        "sao",
        "the",
        "nao",
        "nhu",
        "nao",
        "o",
        "dau",
        "gui",
        "bao",
        "bao",
        "cao",
        "trinh",
        "to",
        "giac",
        "cao",
        "phan",
        "anh",
        "hien",
        "truong",
        "toi",
        "pham",
        "don",
        "tin",
        "cong",
        "an",
        "chinh",
        "quyen",
        "ve",
        "viec",
        "mot",
        "vu",
        "co",
        "nguoi",
        "ai",
        "biet",
        "thi",
        "duoc",
        "khong",
        "nhe",
        "nha",
        "ak",
        "a",
    ]
)


def words(text: str | None) -> str:
    """Folded, teencode expanded, punctuation as spaces: how keywords are matched."""
    folded = re.sub(r"[^\w]+", " ", fold(text or "")).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in folded)


def _accented(text: str | None) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", unicodedata.normalize("NFC", text or "").lower()).split())


def has_diacritics(text: str) -> bool:
    return fold(text) != (text or "").lower().replace("đ", "d")


def _contains(haystack: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", haystack) is not None


def keyword_category(text: str | None, kind: str) -> str | None:
    """The category a message names by its words (accent-insensitive), or None."""
    table = CRIME_KEYWORDS if kind == CRIME else ISSUE_KEYWORDS
    accented = has_diacritics(text or "")
    haystack = _accented(text) if accented else words(text)
    for entry in table:
        phrases = entry.phrases + (entry.accented_only if accented else ())
        for phrase in phrases:
            needle = _accented(phrase) if accented else words(phrase)
            if _contains(haystack, needle):
                return entry.category
    return None


def incident_category(values: list[str], kind: str) -> str | None:
    """The category of the first incident_type value that names one for this kind of report."""
    for value in values:
        if kind == CRIME:
            return INCIDENT_CATEGORIES.get(value, OTHER_CRIME)
        if value in INCIDENT_ISSUES:
            return INCIDENT_ISSUES[value]
    return None


def is_stop(text: str | None) -> bool:
    """ "thôi", "hủy", "không gửi nữa": the citizen stops, whatever the question was."""
    raw = (text or "").strip()
    if has_diacritics(raw):
        return _STOP_ACCENTED.search(_accented(raw)) is not None
    return _STOP_PLAIN.search(words(raw)) is not None


_QUESTION = re.compile(
    r"\b(la gi|the nao|nhu nao|bao nhieu|may gio|lam sao|tai sao|vi sao|khong a|duoc khong)\b"
)


def is_question(text: str | None) -> bool:
    """ "định danh mức 2 là gì?": a question asked in the middle, not an answer."""
    return (text or "").strip().endswith("?") or _QUESTION.search(words(text)) is not None


def is_unknown(text: str | None) -> bool:
    """ "không rõ", "không nhớ", "ko biết": an answer saying the citizen does not know."""
    return _UNKNOWN.search(words(text)) is not None


def yes_or_no(text: str | None, intent: str | None) -> bool | None:
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    said = words(text)
    if _DENY_WORDS.search(said):
        return False
    if _AFFIRM_WORDS.search(said):
        return True
    return None


def wants_anonymity(text: str | None, intent: str | None) -> bool | None:
    said = words(text)
    if _ANONYMOUS_YES.search(said):
        return True
    if _ANONYMOUS_NO.search(said):
        return False
    return None  # "có" / "không" do not answer "ẩn danh hay để lại tên?": asked again


def describes_something(text: str | None) -> bool:
    """Whether a first message says what happened, beyond "tôi muốn tố giác tội phạm"."""
    rest = [word for word in words(text).split() if word not in _GENERIC_WORDS]
    return (
        len((text or "").strip()) >= MIN_DESCRIPTION
        and len(" ".join(rest)) >= MIN_DESCRIPTION_FROM_FIRST_MESSAGE
    )


# ---- time ----------------------------------------------------------------------------------------


class FutureTime(ValueError):
    """The citizen named a time that has not come yet."""


_PARTS_OF_DAY = (("sang", 8), ("trua", 12), ("chieu", 15), ("toi", 20), ("dem", 22))
_CLOCK = re.compile(
    r"\b(\d{1,2})\s*(?:h|g|gio|:)\s*(\d{1,2})?\b(?:\s*(?:phut|p))?(?:\s*(sang|trua|chieu|toi|dem))?"
)
_DATE = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2,4}))?\b")
_AGO = re.compile(
    r"\b(\d{1,3}|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)\s*(phut|tieng|gio|ngay|hom|tuan|thang)\s*(truoc|qua)\b"
)
_NUMBERS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
_NOW = re.compile(r"\b(bay gio|bay h|vua xong|vua nay|vua moi|luc nay|hien tai|ngay luc nay|dang dien ra)\b")


# Words that fold into a part of the day: "tôi" (I) into "tối", "đem" (bring) into "đêm",
# "sang" (go over) into "sáng". In a message typed with diacritics they are told apart first.
_LOOKALIKE_WORDS = (
    (re.compile(r"(?<!\w)tôi(?!\w)"), "ta"),
    (re.compile(r"(?<!\w)đem(?!\w)"), "mang"),
    (re.compile(r"(?<!\w)sang(?!\w)"), "ghe"),
)
_FEW_DAYS = re.compile(r"\b(may|vai|nhung|hai ba|ba bon) (hom|ngay|tuan|thang) (nay|qua|lien)\b")


def _without_lookalikes(text: str) -> str:
    if not has_diacritics(text):
        return text
    lowered = unicodedata.normalize("NFC", text).lower()
    for pattern, replacement in _LOOKALIKE_WORDS:
        lowered = pattern.sub(replacement, lowered)
    return lowered


def _part_of_day(said: str) -> int | None:
    for word, hour in _PARTS_OF_DAY:
        if re.search(rf"\b{word}\b", said):
            return hour
    return None


def _clock(said: str) -> tuple[int, int] | None:
    match = _CLOCK.search(said)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    part = match.group(3) or next((w for w, _ in _PARTS_OF_DAY if re.search(rf"\b{w}\b", said)), None)
    if part in ("chieu", "toi") and hour < 12:
        hour += 12
    if part == "dem" and 6 <= hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def parse_incident_time(text: str | None, now: datetime | None = None) -> datetime | str | None:
    """When it happened, from what a Vietnamese says: a Vietnam-time datetime, `UNKNOWN` for
    "không nhớ", or None when the message names no time. Raises FutureTime for a time ahead.

    bây giờ, vừa xong, sáng nay, tối qua, hôm qua, hôm kia, 3 ngày trước, 2 tiếng trước, tuần
    trước, 15/6, 15/06/2025, "9h tối hôm qua"; without diacritics too.
    """
    now = (now or datetime.now(VIETNAM)).astimezone(VIETNAM)
    said = words(_without_lookalikes(text or ""))
    if not said:
        return None
    if _FEW_DAYS.search(said):
        return UNKNOWN if is_unknown(text) else None  # "mấy hôm nay": since when is not said
    today = now.replace(second=0, microsecond=0)
    noon = today.replace(hour=12, minute=0)
    day: datetime | None = None
    if match := _DATE.search(fold(text or "")):
        dd, mm, yy = int(match.group(1)), int(match.group(2)), match.group(3)
        year = now.year if yy is None else (2000 + int(yy) if len(yy) == 2 else int(yy))
        try:
            day = noon.replace(year=year, month=mm, day=dd)
        except ValueError:
            return None
    elif match := _AGO.search(said):
        count = _NUMBERS.get(match.group(1)) or int(match.group(1))
        unit = match.group(2)
        if unit == "phut":
            return today - timedelta(minutes=count)
        if unit in ("tieng", "gio"):
            return today - timedelta(hours=count)
        day = noon - timedelta(days={"ngay": 1, "hom": 1, "tuan": 7, "thang": 30}[unit] * count)
    elif re.search(r"\bhom kia\b", said):
        day = noon - timedelta(days=2)
    elif re.search(r"\b(hom qua|(sang|trua|chieu|toi|dem) (hom )?qua)\b", said):
        day = noon - timedelta(days=1)
    elif re.search(r"\btuan truoc\b", said):
        day = noon - timedelta(days=7)
    elif re.search(r"\b(sang|trua|chieu|toi|dem) (hom )?nay\b", said):
        day = noon
    elif re.search(r"\bhom nay\b", said):
        day = today
    elif _NOW.search(said):
        return today
    exact = False
    clock = _clock(said)
    if clock is not None:
        base = day or today
        day = base.replace(hour=clock[0], minute=clock[1])
        exact = True
        if base is today and day > now + CLOCK_SKEW:
            day -= timedelta(days=1)  # "9h tối" said in the morning: last night
    elif day is not None and (hour := _part_of_day(said)) is not None:
        day = day.replace(hour=hour, minute=0)
    if day is None:
        return UNKNOWN if is_unknown(text) else None
    if day > now + CLOCK_SKEW:
        if not exact and day.date() == now.date():
            return today  # "tối nay" said before 20:00, "hôm nay": now
        raise FutureTime(text)
    return day


def time_text(value: Any) -> str:
    """How the summary says the time: 20:00 ngày 14/06/2025, or "không rõ"."""
    if not isinstance(value, str) or value == UNKNOWN:
        return "Không rõ (tính từ lúc gửi)"
    try:
        when = datetime.fromisoformat(value).astimezone(VIETNAM)
    except ValueError:
        return value
    return when.strftime("%H:%M ngày %d/%m/%Y")


# ---- talking to the API -------------------------------------------------------------------------

_categories_cache: tuple[float, list[dict[str, Any]]] | None = None


async def categories() -> list[dict[str, Any]]:
    """The API's report categories (GET /reports/categories), kept a few minutes: they change
    with a release of the API, not during a conversation."""
    global _categories_cache
    if _categories_cache and time.monotonic() - _categories_cache[0] < CATEGORIES_TTL_SECONDS:
        return _categories_cache[1]
    data = (await api().get_public("/reports/categories")).data
    found = [c for c in data if isinstance(c, dict) and c.get("code")] if isinstance(data, list) else []
    if found:
        _categories_cache = (time.monotonic(), found)
    return found


def categories_of(kind: str, catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in catalogue if bool(c.get("is_crime")) == (kind == CRIME)]


def category_named(text: str | None, kind: str, catalogue: list[dict[str, Any]]) -> str | None:
    """The citizen's answer to the numbered list: a number, a code, a name, or keywords."""
    offered = categories_of(kind, catalogue)
    said = words(text)
    if re.fullmatch(r"(so )?\d{1,2}", said):
        index = int(said.split()[-1]) - 1
        return offered[index]["code"] if 0 <= index < len(offered) else None
    for category in offered:
        if said in (words(category["code"]), words(category.get("name"))):
            return category["code"]
    if (code := keyword_category(text, kind)) and any(c["code"] == code for c in offered):
        return code
    matches = [c["code"] for c in offered if said and len(said) >= 3 and said in words(c.get("name"))]
    return matches[0] if len(matches) == 1 else None


def home_province() -> str:
    """The province whose wards reports may name: the API's HOME_PROVINCE_CODE (same variable)."""
    return os.environ.get("HOME_PROVINCE_CODE") or "66"


async def find_wards(query: str) -> list[dict[str, Any]]:
    data = (
        await api().get_public(
            "/units/wards", {"q": query[:100], "province": home_province(), "page_size": 20}
        )
    ).data
    return [w for w in data if isinstance(w, dict) and w.get("code")] if isinstance(data, list) else []


_WARD_FILLERS = re.compile(r"^(o|tai|thuoc|khu vuc|dia ban|ben|gan)\s+")
_WARD_TAIL = re.compile(r"(\s+(a|nhe|nha|ad|oi|day|do|a oi))+$")
_WARD_TYPES = re.compile(r"^(phuong|xa|dac khu|thi tran|p|x)\s+")


def ward_query(text: str) -> str:
    """ "ở phường Tân Lập ạ" -> "phuong tan lap": what the API's ward search is asked."""
    return _WARD_TAIL.sub("", _WARD_FILLERS.sub("", words(text))).strip()


def best_ward(query: str, wards: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The one ward the citizen means: the only one found, or the only one named exactly so."""
    if len(wards) == 1:
        return wards[0]
    said = ward_query(query)
    bare = _WARD_TYPES.sub("", said)
    exact = [
        w
        for w in wards
        if bare == words(w.get("short_name")) and (said == bare or said == words(w.get("name")))
    ]
    if len(exact) == 1:
        return exact[0]
    return None


async def my_reports(token: str) -> tuple[list[dict[str, Any]], int]:
    response = await api().get_as_citizen("/me/reports", token, {"page_size": LIST_LIMIT})
    data = response.data if isinstance(response.data, list) else []
    total = len(data)
    with contextlib.suppress(ValueError, AttributeError):
        total = int(json.loads(response.headers.get("X-Pagination") or "{}").get("total", total))
    return [r for r in data if isinstance(r, dict)], total


async def tracked(token: str) -> dict[str, Any]:
    data = (await api().get_public(f"/reports/track/{token}")).data
    return data if isinstance(data, dict) else {}


# ---- what the citizen reads -----------------------------------------------------------------------


def category_list(kind: str, catalogue: list[dict[str, Any]]) -> str:
    lines = [f"{number}. {c.get('name')}" for number, c in enumerate(categories_of(kind, catalogue), start=1)]
    return "\n".join(lines)


def category_name(code: str | None, catalogue: list[dict[str, Any]]) -> str:
    return next((c.get("name") for c in catalogue if c.get("code") == code), None) or str(code)


def summary(slots: dict[str, Any], catalogue: list[dict[str, Any]], *, signed_in: bool) -> str:
    kind = slots.get(KIND)
    address = slots.get(ADDRESS)
    lines = [
        texts.REPORT_SUMMARY_HEADER_CRIME if kind == CRIME else texts.REPORT_SUMMARY_HEADER_ISSUE,
        f"• Lĩnh vực: {category_name(slots.get(CATEGORY), catalogue)}",
        f"• Nơi xảy ra: {address if address and address != UNKNOWN else 'không rõ địa chỉ cụ thể'}, "
        f"{slots.get(WARD_NAME) or slots.get(WARD)}",
        f"• Thời gian: {time_text(slots.get(TIME))}",
        f"• Nội dung: {slots.get(DESCRIPTION)}",
    ]
    if kind == CRIME:
        anonymous = slots.get(ANONYMOUS) is True or not signed_in
        lines.append(
            f"• Người tố giác: {'ẩn danh' if anonymous else 'có danh tính (được mã hóa, chỉ công an xem)'}"
        )
    lines.append(texts.REPORT_CONFIRM_QUESTION)
    return "\n".join(lines)


def deadline_of(report: dict[str, Any]) -> str | None:
    due = texts.day(report.get("deadline"))
    if not due:
        return None
    return f"hạn phản hồi {due}" + (" (đã quá hạn)" if report.get("overdue") else "")


def describe_submitted(submitted: dict[str, Any]) -> list[str]:
    """What the citizen is told once the report is filed: one message each, the token alone."""
    report = submitted.get("report") or {}
    category = (report.get("category") or {}).get("name") or ""
    ward = (report.get("ward") or {}).get("name") or ""
    what = (
        texts.REPORT_CRIME_SENT if (report.get("category") or {}).get("is_crime") else texts.REPORT_ISSUE_SENT
    )
    first = what.format(
        category=category,
        ward=ward,
        unit=report.get("unit_name") or "",
        status=report.get("status_name") or "",
        deadline=texts.day(report.get("deadline")) or "",
    )
    messages = [first]
    token = submitted.get("tracking_token")
    if token:
        messages.append(texts.REPORT_FOLLOW_ANONYMOUS.format(token=token))
    else:
        messages.append(texts.REPORT_FOLLOW_IN_APP)
    duplicates = submitted.get("possible_duplicates") or []
    if duplicates:
        messages.append(texts.REPORT_POSSIBLE_DUPLICATES.format(count=len(duplicates)))
    emergency = submitted.get("emergency")
    if isinstance(emergency, dict) and emergency.get("message"):
        messages.append(emergency["message"])
    return messages


def describe_report(report: dict[str, Any]) -> str:
    category = (report.get("category") or {}).get("name") or "Phản ánh"
    sent = texts.day(report.get("submitted_at"))
    ward = (report.get("ward") or {}).get("name")
    head = f"• {category}" + (f", gửi ngày {sent}" if sent else "") + (f" ({ward})" if ward else "")
    facts = [report.get("status_name") or report.get("status") or ""]
    if report.get("status") in ("received", "assigned", "in_progress") or report.get("overdue"):
        deadline = deadline_of(report)
        if deadline:
            facts.append(deadline)
    if report.get("resolution_note"):
        facts.append(f"kết quả: {report['resolution_note']}")
    if report.get("reject_reason"):
        facts.append(f"lý do: {report['reject_reason']}")
    return f"{head}: " + "; ".join(fact for fact in facts if fact) + "."


def describe_mine(reports: list[dict[str, Any]], total: int) -> str:
    lines = [texts.REPORTS_MINE_HEADER.format(count=total)]
    lines.extend(describe_report(report) for report in reports[:LIST_LIMIT])
    if total > LIST_LIMIT:
        lines.append(texts.REPORTS_MINE_MORE.format(more=total - LIST_LIMIT))
    overdue = sum(1 for report in reports if report.get("overdue"))
    if overdue:
        lines.append(texts.REPORTS_OVERDUE_NOTE)
    lines.append(texts.REPORTS_MINE_FOOTER)
    return "\n".join(lines)


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
        code = incident_category(entity_values(tracker, "incident_type"), kind) or keyword_category(
            _latest_text(tracker), kind
        )
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
        try:
            catalogue = await categories()
        except ApiUnavailable:
            catalogue = []
        if not catalogue:
            # The list cannot be fetched: keep what the words say, the API checks it on sending.
            code = keyword_category(text, kind) or (text if re.fullmatch(r"[a-z-]{3,40}", text) else None)
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
        try:
            listing = category_list(kind, await categories())
        except ApiUnavailable:
            listing = ""
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
        try:
            catalogue = await categories()
        except ApiUnavailable:
            catalogue = []
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


def tracking_token_in(text: str | None) -> str | None:
    match = _TRACKING_TOKEN.search(text or "")
    return match.group(0) if match else None


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
