"""When it happened, from what a Vietnamese says ("tối qua", "9h tối hôm qua", "3 ngày trước",
"15/6"), and how the report's summary says it."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from actions.report_slots import UNKNOWN
from actions.report_words import has_diacritics, is_unknown, words
from components.vietnamese_text import fold

VIETNAM = timezone(timedelta(hours=7))  # no daylight saving time
CLOCK_SKEW = timedelta(minutes=5)


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
