"""The FAQ the chatbot answers from (its `faq/*` retrieval intents): editing entries (versions,
text the chatbot's YAML can carry, no question another entry already asks), and moving entries
between the table and the chatbot's files: `import_faq` loads them, `export_items` gives the
active ones to write. The files themselves are read and written by content/faq_files.py.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.audit import record_audit
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.imports import ImportReport
from api.text import fold, nfc
from api.unit_of_work import rollback
from content.faq_files import FaqFileError, FaqItem
from content.models import FaqEntry, FaqVersion
from content.versioning import check_version, current_version, version_conflict

# ---- editing ----------------------------------------------------------------------------------

FAQ_KEY_PATTERN = r"^[a-z][a-z0-9_]{1,62}$"
_LINE_SPACES = re.compile(r"[^\S\n]+")

# Characters the chatbot's YAML files cannot carry as written (control and format characters,
# lone surrogates, YAML's own line breaks U+2028/U+2029, the two non-characters): one of them in
# a question or an answer would make `faq-export` write a file that Rasa cannot load.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_UNSAFE_EXTRA = frozenset("\ufffe\uffff")
# Line breaks and tabs in an answer are kept or turned into spaces by normalise_answer.
_ANSWER_WHITESPACE = frozenset("\n\r\t")


def unsafe_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character of `text` the FAQ cannot hold, as "U+0007", or None."""
    for char in text:
        if multiline and char in _ANSWER_WHITESPACE:
            continue
        if char in _UNSAFE_EXTRA or unicodedata.category(char) in _UNSAFE_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None


def unsafe_character_message(what: str, code_point: str) -> str:
    return (
        f"{what} chứa ký tự điều khiển hoặc ký tự ẩn không hiển thị được ({code_point}), thường do "
        "sao chép từ văn bản khác: hãy xóa ký tự đó rồi gửi lại."
    )


def normalise_answer(text: str) -> str:
    """NFC, single spaces inside lines, no trailing spaces; line breaks (paragraphs) kept."""
    lines = [
        _LINE_SPACES.sub(" ", line).strip()
        for line in unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def faq_content(entry: FaqEntry) -> dict[str, Any]:
    return {
        "questions": list(entry.questions),
        "answer": entry.answer,
        "category": entry.category,
        "active": entry.active,
    }


def _check_questions(questions: list[str], entry_id: uuid.UUID | None) -> list[str]:
    """Distinct questions, none already asked by another entry (the bot could not tell them apart)."""
    questions = [nfc(q) for q in questions]
    seen: dict[str, int] = {}
    for index, question in enumerate(questions):
        key = fold(question)
        if key in seen:
            message = f"Câu hỏi trùng với câu số {seen[key] + 1} (không tính dấu)."
            raise ApiError(422, "duplicate_question", message, errors={f"questions.{index}": [message]})
        seen[key] = index
    others = db.session.scalars(
        select(FaqEntry).where(FaqEntry.id != entry_id) if entry_id else select(FaqEntry)
    )
    for other in others:
        for question in other.questions:
            if fold(question) in seen:
                index = seen[fold(question)]
                message = (
                    f"Câu hỏi này đã có trong mục hỏi đáp '{other.key}': trợ lý ảo sẽ không phân biệt "
                    "được hai mục. Hãy sửa hoặc bỏ một trong hai."
                )
                raise ApiError(
                    422,
                    "duplicate_question",
                    message,
                    errors={f"questions.{index}": [message]},
                    key=other.key,
                )
    return questions


def _add_faq_version(entry: FaqEntry, change: str, actor: str) -> None:
    db.session.add(
        FaqVersion(
            entry_id=entry.id,
            version=entry.version,
            change=change,
            at=utcnow(),
            by=actor,
            content=faq_content(entry),
        )
    )


def _faq_key_taken(key: str) -> ApiError:
    message = f"Đã có mục hỏi đáp với mã '{key}'."
    return ApiError(409, "faq_key_taken", message, errors={"key": [message]})


def create_faq(data: Mapping[str, Any], actor: str, *, change: str = "created") -> FaqEntry:
    if db.session.scalar(select(FaqEntry.id).where(FaqEntry.key == data["key"])) is not None:
        raise _faq_key_taken(data["key"])
    now = utcnow()
    entry = FaqEntry(
        id=uuid.uuid4(),
        key=data["key"],
        questions=_check_questions(list(data["questions"]), None),
        answer=normalise_answer(data["answer"]),
        category=data["category"],
        active=data.get("active", True),
        version=1,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    db.session.add(entry)
    try:
        # The same key created twice at once: the check above passed for both, the unique key
        # lets one through; the other is told as if it had come second (its unit is rolled back).
        db.session.flush()
    except IntegrityError:
        raise _faq_key_taken(data["key"]) from None
    _add_faq_version(entry, change, actor)
    record_audit(f"content.faq_{change}", actor=actor, target=f"faq:{entry.key}", version=1)
    return entry


def get_faq(key: str) -> FaqEntry:
    entry = db.session.scalar(select(FaqEntry).where(FaqEntry.key == key))
    if entry is None:
        raise ApiError(404, "faq_not_found", "Không tìm thấy mục hỏi đáp này.")
    return entry


def edit_faq(
    entry: FaqEntry,
    data: Mapping[str, Any],
    actor: str,
    expected_version: int | None,
    *,
    change: str = "edited",
) -> FaqEntry:
    check_version(entry.version, expected_version, "mục hỏi đáp")
    if data.get("active") is False and entry.key in REQUIRED_FAQ_KEYS:
        raise ApiError(
            409,
            "faq_key_required",
            f"Không thể ngừng dùng mục '{entry.key}': trợ lý ảo cần nó (các bài kiểm thử và dữ liệu "
            "đánh giá của trợ lý ảo hỏi đúng mục này). Hãy sửa câu hỏi hoặc câu trả lời thay vì "
            "ngừng dùng.",
            key=entry.key,
        )
    entry_id = entry.id
    try:
        edited = _edit_faq(entry, data, actor, change=change)
        db.session.flush()
        return edited
    except (StaleDataError, IntegrityError):
        # Another edit of the same version was committed first: `WHERE version = ...` matched
        # nothing (or the version row's key was taken). The failed flush left the session
        # unusable and the request fails anyway: roll back to read the version that won.
        rollback()
        raise version_conflict("mục hỏi đáp", current_version(FaqEntry, entry_id)) from None


def _edit_faq(entry: FaqEntry, data: Mapping[str, Any], actor: str, *, change: str) -> FaqEntry:
    before = faq_content(entry)
    if "questions" in data:
        entry.questions = _check_questions(list(data["questions"]), entry.id)
    if "answer" in data:
        entry.answer = normalise_answer(data["answer"])
    for name in ("category", "active"):
        if name in data:
            setattr(entry, name, data[name])
    after = faq_content(entry)
    if after == before:
        return entry
    entry.version += 1
    entry.updated_at, entry.updated_by = utcnow(), actor
    _add_faq_version(entry, change, actor)
    record_audit(
        f"content.faq_{change}",
        actor=actor,
        target=f"faq:{entry.key}",
        version=entry.version,
        fields=sorted(k for k in after if after[k] != before[k]),
    )
    return entry


def faq_entries(
    category: str | None = None, active: bool | None = None, q: str | None = None
) -> list[FaqEntry]:
    statement = select(FaqEntry).order_by(FaqEntry.key)
    if category:
        statement = statement.where(FaqEntry.category == category)
    if active is not None:
        statement = statement.where(FaqEntry.active.is_(active))
    entries = list(db.session.scalars(statement))
    words = fold(q or "").split()
    if not words:
        return entries
    # A few hundred entries at most: folding in Python searches questions and answers alike.
    return [e for e in entries if all(w in fold(" ".join([e.key, e.answer, *e.questions])) for w in words)]


def faq_versions(entry: FaqEntry) -> Select:
    return select(FaqVersion).where(FaqVersion.entry_id == entry.id).order_by(FaqVersion.version.desc())


# The keys the chatbot's own tests ask for: chatbot/tests/stories/test_stories.yml and the
# held-out NLU sets nlu_data/test/*.yml (tests/content/test_faq_files.py checks they are all
# here). Staff cannot deactivate them: the next export would drop them and break those tests.
# There is no way to delete an FAQ entry at all (deactivating is how one is retired).
REQUIRED_FAQ_KEYS = frozenset(
    {
        "vneid_activation",
        "identity_level_2",
        "chip_cccd",
        "digital_signature",
        "e_payment_account",
        "digital_address",
        "hotline_hours",
        "personal_data_protection",
    }
)

# ---- the table and the chatbot's files --------------------------------------------------------

# Categories of the FAQ keys that predate the table; any other imported key files under "khác".
IMPORT_CATEGORIES = {
    "vneid_activation": "vneid",
    "identity_level_2": "vneid",
    "chip_cccd": "de-an-06",
    "digital_signature": "chuyen-doi-so",
    "e_payment_account": "thanh-toan-khong-dung-tien-mat",
    "digital_address": "de-an-06",
    "hotline_hours": "khac",
    "personal_data_protection": "bao-ve-du-lieu-ca-nhan",
}


def export_items() -> list[FaqItem]:
    entries = db.session.scalars(select(FaqEntry).where(FaqEntry.active.is_(True)).order_by(FaqEntry.key))
    return [FaqItem(e.key, tuple(e.questions), e.answer) for e in entries]


# What an FAQ import reports is the product's one import report, naming the keys: "created",
# "updated", "unchanged"; refused as DIFFERENT (the table's entry differs from the file's, and
# the import was not asked to overwrite it); and, for keys the files no longer hold, DEACTIVATED
# (retired) or REQUIRED_KEPT (kept, the chatbot's tests need them).
DIFFERENT = "different"
DEACTIVATED = "deactivated"
REQUIRED_KEPT = "required_kept"


def import_faq(
    items: Mapping[str, FaqItem],
    actor: str,
    *,
    update: bool | Collection[str] = False,
    deactivate: Collection[str] = (),
) -> ImportReport[str]:
    """Load the files' FAQ into the table. Idempotent: a key already there is left as it is,
    unless `update` (True: every key; a collection: those keys) asks to overwrite it with the
    file's (a new version; an inactive entry the files hold is active again). `deactivate`: keys
    the files no longer hold, retired unless the chatbot's tests need them. All or nothing: a
    failure raises and the caller's unit of work (the command's transaction) keeps none of it."""
    report: ImportReport[str] = ImportReport(received=len(items))

    def overwrite(key: str) -> bool:
        return update if isinstance(update, bool) else key in update

    for key, item in items.items():
        if not re.match(FAQ_KEY_PATTERN, key):
            raise FaqFileError(f"Mã '{key}' không hợp lệ (chữ thường không dấu, số, dấu _).")
        if len(item.questions) < 2:
            raise FaqFileError(f"faq/{key}: cần ít nhất hai câu hỏi mẫu.")
        for what, text, multiline in (
            *((f"faq/{key}: câu hỏi '{q}'", q, False) for q in item.questions),
            (f"utter_faq/{key}: câu trả lời", item.answer, True),
        ):
            code_point = unsafe_character(text, multiline=multiline)
            if code_point:
                raise FaqFileError(unsafe_character_message(what, code_point))
        entry = db.session.scalar(select(FaqEntry).where(FaqEntry.key == key))
        if entry is None:
            create_faq(
                {
                    "key": key,
                    "questions": list(item.questions),
                    "answer": item.answer,
                    "category": IMPORT_CATEGORIES.get(key, "khac"),
                },
                actor,
                change="imported",
            )
            db.session.flush()
            report.count("created", name=key)
        elif (
            list(entry.questions) == list(item.questions)
            and entry.answer == normalise_answer(item.answer)
            and (entry.active or not overwrite(key))
        ):
            report.count("unchanged", name=key)
        elif overwrite(key):
            edit_faq(
                entry,
                {"questions": list(item.questions), "answer": item.answer, "active": True},
                actor,
                entry.version,
                change="imported",
            )
            db.session.flush()
            report.count("updated", name=key)
        else:
            report.reject(DIFFERENT, name=key)
    for key in sorted(set(deactivate) - set(items)):
        entry = db.session.scalar(select(FaqEntry).where(FaqEntry.key == key))
        if entry is None or not entry.active:
            continue
        if key in REQUIRED_FAQ_KEYS:
            report.note(REQUIRED_KEPT, key)
            continue
        edit_faq(entry, {"active": False}, actor, entry.version, change="imported")
        db.session.flush()
        report.note(DEACTIVATED, key)
    return report
