"""What a Vietnamese types in the report forms, read: the category a message names (by the
keywords the API publishes with its categories), a stop, a yes or a no, "không rõ", a question,
wanting to stay anonymous, a tracking token. With or without diacritics.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from actions.report_slots import CRIME, MIN_DESCRIPTION, MIN_DESCRIPTION_FROM_FIRST_MESSAGE, OTHER_CRIME
from components.vietnamese_text import fold

# An anonymous report's tracking token (secrets.token_urlsafe(24) in api/reports/service.py).
_TRACKING_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])")

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


def categories_of(kind: str, catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The categories of this kind of report (crime | issue), in the API's order."""
    return [c for c in catalogue if bool(c.get("is_crime")) == (kind == CRIME)]


def _phrases(category: dict[str, Any], *, accented: bool) -> list[str]:
    keywords = category.get("keywords") if isinstance(category.get("keywords"), dict) else {}
    found = [p for p in keywords.get("phrases") or [] if isinstance(p, str)]
    if accented:
        found += [p for p in keywords.get("accented_only") or [] if isinstance(p, str)]
    return found


def _precedence(category: dict[str, Any]) -> float:
    keywords = category.get("keywords") if isinstance(category.get("keywords"), dict) else {}
    precedence = keywords.get("precedence")
    return precedence if isinstance(precedence, int) else math.inf


def keyword_category(text: str | None, kind: str, catalogue: list[dict[str, Any]]) -> str | None:
    """The category a message names by its words (accent-insensitive), or None.

    The keywords are the API's (GET /reports/categories, api/law/data/report_categories.yaml):
    phrases written with diacritics, matched on the message's words; on a message typed without
    diacritics matched folded, except the `accented_only` ones, which fold into other words
    ("cháy" and "chạy", "ồn" and "ổn", "rác" and "các"). Of several categories named, the one of
    lowest `precedence` wins. Without the catalogue (the API unreachable) nothing is found.
    """
    accented = has_diacritics(text or "")
    haystack = _accented(text) if accented else words(text)
    for category in sorted(categories_of(kind, catalogue), key=_precedence):
        for phrase in _phrases(category, accented=accented):
            needle = _accented(phrase) if accented else words(phrase)
            if needle and _contains(haystack, needle):
                return category.get("code")
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


def tracking_token_in(text: str | None) -> str | None:
    match = _TRACKING_TOKEN.search(text or "")
    return match.group(0) if match else None
