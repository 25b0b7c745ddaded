"""`action_ask_procedure`: how to do a procedure, answered from the API's catalogue, never from memory.

The catalogue search (`GET /procedures?q=`) is the API's: accent-insensitive, by name, keyword
and code, best match first. This module only decides what to ask it (the `procedure` entity NLU
found, else the question without its question words) and words the answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.api_client import ApiClient, ApiRefused, ApiUnavailable, api
from actions.conversation import entity_values
from components.vietnamese_text import fold

log = logging.getLogger(__name__)

# Searches one question may cost: each is a round trip to the API while the citizen waits.
MAX_SEARCHES = 3
# A question with no procedure entity that matches more procedures than this names none of them.
MAX_MATCHES_FROM_TEXT = 3
# Examples offered when no procedure matches (the catalogue's first three if these are gone).
# Codes, not names: the names shown come from the catalogue.
EXAMPLE_CODES = ("khai-sinh", "thuong-tru", "tam-tru")

_WORD = re.compile(r"[0-9a-z]+")
# Folded phrases that ask about a procedure without naming it, removed before searching; each
# before the shorter phrases it contains ("mat bao lau" before "bao lau").
_QUESTION_PHRASES = (
    "co duoc khong",
    "duoc khong",
    "can nhung gi",
    "can nhung giay to gi",
    "nhung giay to gi",
    "giay to gi",
    "giay to",
    "nhung gi",
    "can gi",
    "nhu the nao",
    "the nao",
    "nhu nao",
    "lam sao",
    "o dau",
    "bao nhieu tien",
    "bao nhieu",
    "mat bao lau",
    "bao lau",
    "mat may ngay",
    "may ngay",
    "le phi",
    "chi phi",
    "thu tuc",
    "ho so",
    "tren app",
    "ung dung",
    "truc tuyen",
    "cho toi hoi",
    "cho minh hoi",
    "cho em hoi",
    "cho hoi",
    "xin hoi",
)
# Folded words that never name the procedure.
_QUESTION_VOCABULARY = (
    "a ad admin ah ak anh ba bac bi can cho chua co cua dau de di duoc dc em gi giup gium gom ha hay "
    "hoac hoi j k khong ko la lam minh mang mot muon nao nay ne neu nhe nhi nhieu nhung nop ntn oi "
    "online phai ra roi sao the thi toi va vay ve voi vs xin"
)
_QUESTION_WORDS = frozenset(_QUESTION_VOCABULARY.split())


def question_words_removed(text: str) -> list[str]:
    """The folded words of a question that may name a procedure."""
    folded = " ".join(_WORD.findall(fold(text)))
    for phrase in _QUESTION_PHRASES:
        folded = re.sub(rf"(?<!\S){phrase}(?!\S)", " ", folded)
    return [word for word in folded.split() if word not in _QUESTION_WORDS]


def search_queries(entities: Iterable[str], text: str) -> list[tuple[str, bool]]:
    """What to search for, best first, each with whether it came from NLU's `procedure` entity.

    A procedure NLU recognised is searched as it is (its synonym-normalised value): if the
    catalogue does not have it, the answer says so rather than guessing from the other words.
    Without one, the question minus its question words, then its longest runs of words.
    """
    queries: list[tuple[str, bool]] = [(value, True) for value in entities]
    if not queries:
        words = question_words_removed(text)
        candidates = [" ".join(words)] if words else []
        for size in range(len(words) - 1, 1, -1):
            candidates += [" ".join(words[start : start + size]) for start in range(len(words) - size + 1)]
        queries = [(query, False) for query in dict.fromkeys(candidates)]
    return queries[:MAX_SEARCHES]


def closest_to_question(matches: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The API's matches, those sharing most words with the rest of the question first.

    "thẻ BHYT" matches both health-insurance procedures; "thẻ BHYT cho bé dưới 6 tuổi" shares
    "dưới 6 tuổi" with one of them. Equal overlaps keep the API's order.
    """
    words = set(question_words_removed(text))
    overlap = [-len(words & set(_WORD.findall(fold(match.get("name") or "")))) for match in matches]
    order = sorted(range(len(matches)), key=lambda index: (overlap[index], index))
    return [matches[index] for index in order]


# ---- the answer ---------------------------------------------------------------------------------


def _sentence(text: str | None) -> str:
    text = (text or "").strip()
    return text if not text or text[-1] in ".!?…" else f"{text}."


def _document_line(document: dict[str, Any]) -> str:
    line = f"• {document.get('name', '').strip()}"
    if not document.get("required", True):
        line += " (tùy trường hợp)"  # the catalogue's `required` means "in every case"
    note = (document.get("note") or "").strip()
    return f"{line}: {note}" if note else line


def _online_line(procedure: dict[str, Any]) -> str:
    if procedure.get("online_level") == "full":
        return (
            "• Nộp trực tuyến: được, toàn trình (nộp hồ sơ và nhận kết quả trực tuyến) trong mục "
            "Dịch vụ công của ứng dụng."
        )
    if procedure.get("online_level") == "partial":
        return (
            "• Nộp trực tuyến: một phần. Bạn nộp hồ sơ trong mục Dịch vụ công của ứng dụng, nhưng có "
            "bước phải làm trực tiếp tại cơ quan giải quyết."
        )
    return f"• Hình thức nộp: {procedure.get('online_level_name') or 'xem trong mục Dịch vụ công'}."


def describe_procedure(procedure: dict[str, Any], others: list[dict[str, Any]] | None = None) -> list[str]:
    """The catalogue's entry as chat messages: what it is and the documents; fee, time, where,
    online, legal basis; then notes and related procedures."""
    heading = f"Thủ tục {procedure['name']}"
    if procedure.get("field"):
        heading += f" (lĩnh vực {procedure['field']})"
    first = [f"{heading}."]
    if procedure.get("description"):
        first.append(_sentence(procedure["description"]))
    documents = procedure.get("documents") or []
    if documents:
        first.append("Thành phần hồ sơ:")
        first += [_document_line(document) for document in documents]

    fee = f"• Lệ phí: {_sentence(procedure.get('fee_text'))}"
    if procedure.get("fee_note"):
        fee += f" {_sentence(procedure['fee_note'])}"
    time_limit = f"• Thời hạn giải quyết: {_sentence(procedure.get('processing_text'))}"
    if procedure.get("processing_note"):
        time_limit += f" {_sentence(procedure['processing_note'])}"
    where = f"• Nơi giải quyết: {procedure.get('authority_name')}"
    if procedure.get("authority_level_name"):
        where += f" ({procedure['authority_level_name'].lower()})"
    second = [fee, time_limit, _sentence(where), _online_line(procedure)]
    if procedure.get("legal_basis"):
        second.append(f"• Căn cứ pháp lý: {_sentence(procedure['legal_basis'])}")

    third = []
    if procedure.get("note"):
        third.append(f"Lưu ý: {_sentence(procedure['note'])}")
    group = procedure.get("group") or {}
    if group.get("name"):
        third.append(f"Thủ tục này có thể nộp liên thông cùng các thủ tục khác: {_sentence(group['name'])}")
    if others:
        names = "; ".join(other["name"] for other in others if other.get("name"))
        if names:
            third.append(f"Nếu bạn hỏi thủ tục khác, có thể là: {_sentence(names)}")
    return ["\n".join(part) for part in (first, second, third) if part]


def _example_names(procedures: list[dict[str, Any]]) -> str:
    """Up to three names of the catalogue, quoted, or "" when it has none."""
    named = [p for p in procedures if isinstance(p, dict) and p.get("name")]
    by_code = {p.get("code"): p for p in named}
    chosen = [by_code[code] for code in EXAMPLE_CODES if code in by_code] or named[:3]
    return ", ".join(f'"{p["name"]}"' for p in chosen[:3])


class ActionAskProcedure(Action):
    def name(self) -> str:
        return "action_ask_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        client = api()
        named = entity_values(tracker, "procedure")
        text = (tracker.latest_message or {}).get("text") or ""
        try:
            found = await self._find(client, search_queries(named, text), text)
            if found is None:
                await self._not_found(client, dispatcher, named)
                return []
            best, others = found
            detail = (await client.get_public(f"/procedures/{best.get('code')}")).data
            if not isinstance(detail, dict) or not detail.get("name"):
                raise ApiUnavailable("the catalogue answered without a procedure")
        except (ApiUnavailable, ApiRefused) as exc:
            log.warning("procedure look-up failed: %s", exc)
            dispatcher.utter_message(text=texts.PROCEDURE_CATALOGUE_UNAVAILABLE)
            return []
        for message in describe_procedure(detail, others):
            dispatcher.utter_message(text=message)
        return []

    @staticmethod
    async def _find(
        client: ApiClient, queries: list[tuple[str, bool]], text: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """The best match and up to two runners-up, or None."""
        for query, named_by_nlu in queries:
            matches = (await client.get_public("/procedures", {"q": query[:100], "page_size": 10})).data
            if not isinstance(matches, list) or not matches:
                continue
            if not named_by_nlu and len(matches) > MAX_MATCHES_FROM_TEXT:
                continue  # words common to many procedures name none of them
            matches = closest_to_question([m for m in matches if isinstance(m, dict) and m.get("code")], text)
            if matches:
                return matches[0], matches[1:3]
        return None

    @staticmethod
    async def _not_found(client: ApiClient, dispatcher: CollectingDispatcher, named: list[str]) -> None:
        catalogue = (await client.get_public("/procedures", {"page_size": 100})).data
        names = _example_names(catalogue if isinstance(catalogue, list) else [])
        if named:
            asked = ", ".join(f'"{value}"' for value in named)
            examples = texts.PROCEDURE_NOT_FOUND_EXAMPLES.format(names=names) if names else ""
            dispatcher.utter_message(text=texts.PROCEDURE_NOT_FOUND.format(asked=asked, examples=examples))
        else:
            examples = texts.PROCEDURE_WHICH_ONE_EXAMPLES.format(names=names) if names else ""
            dispatcher.utter_message(text=texts.PROCEDURE_WHICH_ONE.format(examples=examples))
