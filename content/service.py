"""Policy content: the rules for articles, their readers, and the FAQ (the chatbot's `faq/*`).

Articles
    draft ──submit──► review ──publish──► published ──unpublish──► unpublished ──submit──► review
      ▲                  │
      └─────return───────┘            archive: from any state but archived; restore: back to draft
Publishing is a second comms user's decision: whoever sent the article to review, and whoever
last changed its content, cannot publish it (four eyes: a policy message goes out in the
province's name). Content can be edited in draft, review and unpublished; an edit puts the
article back to draft, so what is published is always what a reviewer saw. A published article
is unpublished first to be edited (its readers never see a half-reviewed correction).

Every change names the version it was made on (`expected_version`); a stale one is refused with
409 `version_conflict`, so two comms officers editing at once never silently overwrite each
other. Every change adds a version row with the whole content, and an audit entry.

Readers: a citizen sees a published article when they are in its audience (everyone, their
province, their ward, and their age band); anonymous app users see the articles meant for
everyone. Anything else, drafts included, answers 404 exactly like an article that does not
exist. A citizen's read is counted once per day.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.audit import record_audit
from api.citizens.models import Citizen
from api.citizens.service import audience_conditions
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.text import fold, nfc
from api.units import service as units
from api.workdays import local_date
from content.models import (
    ARCHIVED,
    AUDIENCE_ALL,
    AUDIENCE_PROVINCE,
    AUDIENCE_WARDS,
    CATEGORIES,
    DRAFT,
    PUBLISHED,
    REVIEW,
    STATUS_NAMES,
    UNPUBLISHED,
    Article,
    ArticleAnonymousViews,
    ArticleRead,
    ArticleVersion,
    ArticleWard,
    FaqEntry,
    FaqVersion,
)
from content.sanitize import clean_html, has_content, plain_text

# ---- shared -----------------------------------------------------------------------------------


def categories() -> list[dict[str, str]]:
    return [{"slug": slug, "name": name} for slug, name in CATEGORIES.items()]


def check_version(current: int, expected: int | None, what: str) -> None:
    """The caller must name the version it edits; a stale one is refused (optimistic concurrency)."""
    if expected is None:
        raise ApiError(
            428,
            "precondition_required",
            f"Hãy gửi kèm phiên bản {what} bạn đang sửa (trường `version` hoặc tiêu đề If-Match).",
        )
    if expected != current:
        raise _conflict(what, current)


def _conflict(what: str, current: int | None) -> ApiError:
    return ApiError(
        409,
        "version_conflict",
        f"{what.capitalize()} đã được người khác thay đổi"
        + (f" (phiên bản hiện tại là {current})" if current is not None else "")
        + ". Hãy tải lại, xem thay đổi rồi sửa lại.",
        current_version=current,
    )


def _current_version(model, row_id: uuid.UUID) -> int | None:
    return db.session.scalar(select(model.version).where(model.id == row_id))


def _like_terms(column, q: str | None) -> list:
    """Every folded word of the query must appear in the folded column (accent-insensitive)."""
    words = fold(q or "").split()
    escaped = (w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words)
    return [column.like(f"%{w}%", escape="\\") for w in escaped]


# ---- articles: staff --------------------------------------------------------------------------

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 80


def slugify(title: str) -> str:
    """ "Đề án 06: 5 điều cần biết" -> "de-an-06-5-dieu-can-biet" (at most 80 characters)."""
    slug = _SLUG_JUNK.sub("-", fold(title)).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] or slug[:SLUG_MAX]
    return slug or "bai-viet"


def _slug_taken(slug: str, except_id: uuid.UUID | None = None) -> bool:
    statement = select(Article.id).where(Article.slug == slug)
    if except_id is not None:
        statement = statement.where(Article.id != except_id)
    return db.session.scalar(statement) is not None


def _slug_taken_error(slug: str) -> ApiError:
    message = f"Đường dẫn '{slug}' đã được bài viết khác dùng."
    return ApiError(409, "slug_taken", message, errors={"slug": [message]})


def _free_slug(base: str) -> str:
    slug, n = base, 1
    while _slug_taken(slug):
        n += 1
        suffix = f"-{n}"
        slug = base[: SLUG_MAX - len(suffix)] + suffix
    return slug


def _search_text(article: Article) -> str:
    parts = (article.title, article.summary, plain_text(article.body_html), CATEGORIES[article.category])
    return fold(" ".join(parts))


def article_content(article: Article) -> dict[str, Any]:
    """The content a version records: everything an editor can change."""
    return {
        "slug": article.slug,
        "title": article.title,
        "summary": article.summary,
        "body_html": article.body_html,
        "category": article.category,
        "cover_image_url": article.cover_image_url,
        "audience": audience_of(article),
    }


def audience_of(article: Article) -> dict[str, Any]:
    return {
        "scope": article.audience_scope,
        "province_code": article.audience_province_code,
        "ward_codes": article.ward_codes,
        "age_min": article.audience_age_min,
        "age_max": article.audience_age_max,
    }


def _add_version(article: Article, change: str, actor: str, note: str | None = None) -> ArticleVersion:
    db.session.flush()  # the wards relationship must be loaded as stored
    row = ArticleVersion(
        article_id=article.id,
        version=article.version,
        change=change,
        status=article.status,
        at=utcnow(),
        by=actor,
        note=note,
        content=article_content(article),
    )
    db.session.add(row)
    return row


def _body(raw: str) -> str:
    body = clean_html(raw)
    if not has_content(body):
        message = "Nội dung bài viết trống sau khi loại bỏ mã không được phép (script, style...)."
        raise ApiError(422, "empty_body", message, errors={"body_html": [message]})
    return body


def _apply_audience(article: Article, audience: Mapping[str, Any]) -> None:
    scope = audience["scope"]
    province_code = audience.get("province_code")
    ward_codes = list(dict.fromkeys(audience.get("ward_codes") or ()))
    if scope == AUDIENCE_PROVINCE:
        if units.get_province(province_code) is None:
            message = f"Mã tỉnh/thành phố '{province_code}' không tồn tại sau ngày 01/7/2025."
            raise ApiError(422, "unknown_province", message, errors={"audience.province_code": [message]})
        province_code = units.get_province(province_code).code
    for code in ward_codes:
        units.validate_ward_code(code, field="audience.ward_codes")
    article.audience_scope = scope
    article.audience_province_code = province_code if scope == AUDIENCE_PROVINCE else None
    wanted = sorted(ward_codes) if scope == AUDIENCE_WARDS else []
    if article.ward_codes != wanted:
        article.wards = [ArticleWard(ward_code=code) for code in wanted]
    article.audience_age_min = audience.get("age_min")
    article.audience_age_max = audience.get("age_max")


def _apply_content(article: Article, data: Mapping[str, Any]) -> None:
    for name in ("title", "summary", "category", "cover_image_url"):
        if name in data:
            setattr(article, name, data[name])
    if "body_html" in data:
        article.body_html = _body(data["body_html"])
    if "audience" in data:
        _apply_audience(article, data["audience"])
    if "slug" in data and data["slug"] != article.slug:
        if article.first_published_at is not None:
            message = (
                "Không đổi được đường dẫn của bài đã từng đăng: người đọc có thể đã lưu hoặc chia sẻ nó."
            )
            raise ApiError(409, "slug_locked", message, errors={"slug": [message]})
        if _slug_taken(data["slug"], article.id):
            raise _slug_taken_error(data["slug"])
        article.slug = data["slug"]
    article.search_text = _search_text(article)


def create_article(data: Mapping[str, Any], actor: str) -> Article:
    now = utcnow()
    if data.get("slug") and _slug_taken(data["slug"]):
        raise _slug_taken_error(data["slug"])
    article = Article(
        id=uuid.uuid4(),
        slug=data.get("slug") or _free_slug(slugify(data["title"])),
        status=DRAFT,
        version=1,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
        audience_scope=AUDIENCE_ALL,
    )
    slug = article.slug
    try:
        db.session.add(article)
        _apply_content(article, {**data, "audience": data.get("audience") or {"scope": AUDIENCE_ALL}})
        _add_version(article, "created", actor)
        record_audit(
            "content.article_created", actor=actor, target=f"article:{article.id}", title=article.title
        )
        db.session.commit()
    except IntegrityError:
        # Two creations with the same slug at once: the check above passed for both, the unique
        # key let one through. The other learns it the way a sequential one would.
        db.session.rollback()
        raise _slug_taken_error(slug) from None
    return article


def _lost_race(article_id: uuid.UUID, error: Exception, slug: str | None = None) -> ApiError:
    """Another comms officer's change on the same version was committed first (the session is
    rolled back): the UPDATE's `WHERE version = ...` matched nothing, or, for a new slug, the
    unique key refused it."""
    if isinstance(error, IntegrityError) and slug and _slug_taken(slug, article_id):
        return _slug_taken_error(slug)
    return _conflict("bài viết", _current_version(Article, article_id))


def get_article(article_id: uuid.UUID) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        raise ApiError(404, "article_not_found", "Không tìm thấy bài viết này.")
    return article


EDITABLE = (DRAFT, REVIEW, UNPUBLISHED)


def edit_article(
    article: Article, data: Mapping[str, Any], actor: str, expected_version: int | None
) -> Article:
    check_version(article.version, expected_version, "bài viết")
    article_id = article.id
    try:
        return _edit_article(article, data, actor)
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        raise _lost_race(article_id, error, data.get("slug")) from None


def _edit_article(article: Article, data: Mapping[str, Any], actor: str) -> Article:
    if article.status not in EDITABLE:
        raise ApiError(
            409,
            "article_not_editable",
            f"Bài viết đang ở trạng thái '{STATUS_NAMES[article.status]}': "
            + (
                "hãy gỡ bài trước khi sửa, rồi gửi duyệt lại."
                if article.status == PUBLISHED
                else "hãy khôi phục bài viết trước khi sửa."
            ),
            status_code=article.status,
        )
    before = article_content(article)
    _apply_content(article, data)
    db.session.flush()
    if article_content(article) == before:
        db.session.rollback()
        return article  # nothing changed: no new version, the caller's copy is still current
    article.status = DRAFT  # what a reviewer approves is what gets published
    article.version += 1
    article.updated_at, article.updated_by = utcnow(), actor
    _add_version(article, "edited", actor)
    record_audit(
        "content.article_edited",
        actor=actor,
        target=f"article:{article.id}",
        version=article.version,
        fields=sorted(k for k in data if before.get(k) != article_content(article).get(k)),
    )
    db.session.commit()
    return article


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    note_required: bool = False


ACTIONS = {
    a.name: a
    for a in (
        Action("submit", "Gửi duyệt", (DRAFT, UNPUBLISHED), REVIEW),
        Action("return", "Trả lại để sửa", (REVIEW,), DRAFT, note_required=True),
        Action("publish", "Duyệt và đăng", (REVIEW,), PUBLISHED),
        Action("unpublish", "Gỡ bài", (PUBLISHED,), UNPUBLISHED),
        Action("archive", "Lưu trữ", (DRAFT, REVIEW, PUBLISHED, UNPUBLISHED), ARCHIVED),
        Action("restore", "Khôi phục thành bản nháp", (ARCHIVED,), DRAFT),
    )
}


def _last_content_editor(article: Article) -> str | None:
    return db.session.scalar(
        select(ArticleVersion.by)
        .where(ArticleVersion.article_id == article.id, ArticleVersion.change.in_(("created", "edited")))
        .order_by(ArticleVersion.version.desc())
        .limit(1)
    )


def _may_publish(article: Article, actor: str) -> bool:
    """Four eyes: neither who sent the article to review nor who last changed its content."""
    return actor not in (article.submitted_by, _last_content_editor(article))


def allowed_actions(article: Article, actor: str) -> list[str]:
    """What `actor` may do with the article now, by the rules below (the console offers only
    these): "edit" in the editable states, each action from its source states, "publish" only
    for a second comms user."""
    allowed = ["edit"] if article.status in EDITABLE else []
    for action in ACTIONS.values():
        if article.status in action.sources and (action.name != "publish" or _may_publish(article, actor)):
            allowed.append(action.name)
    return allowed


def transition(
    article: Article, action_name: str, actor: str, expected_version: int | None, note: str | None = None
) -> Article:
    action = ACTIONS[action_name]  # the schema admits only known actions
    check_version(article.version, expected_version, "bài viết")
    article_id = article.id
    try:
        return _transition(article, action, actor, note)
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        raise _lost_race(article_id, error) from None


def _transition(article: Article, action: Action, actor: str, note: str | None) -> Article:
    if article.status not in action.sources:
        raise ApiError(
            409,
            "illegal_transition",
            f"Không thể '{action.label.lower()}' khi bài viết đang ở trạng thái "
            f"'{STATUS_NAMES[article.status]}'.",
            status_code=article.status,
            status_name=STATUS_NAMES[article.status],
        )
    note = (note or "").strip() or None
    if action.note_required and not note:
        message = "Hãy ghi rõ lý do trả lại để người viết biết cần sửa gì."
        raise ApiError(422, "note_required", message, errors={"note": [message]})
    if action.name == "publish" and not _may_publish(article, actor):
        raise ApiError(
            403,
            "second_reviewer_required",
            "Bài viết phải do một cán bộ truyền thông khác duyệt và đăng: người viết hoặc người gửi "
            "duyệt không tự đăng bài của mình.",
        )
    now = utcnow()
    from_status = article.status
    article.status = action.target
    if action.name == "submit":
        article.submitted_by = actor
    if action.name == "publish":
        article.published_at, article.published_by = now, actor
        article.first_published_at = article.first_published_at or now
    article.version += 1
    article.updated_at, article.updated_by = now, actor
    _add_version(article, action.name, actor, note)
    record_audit(
        f"content.article_{action.name}",
        actor=actor,
        target=f"article:{article.id}",
        from_status=from_status,
        to_status=article.status,
        version=article.version,
        note=note,
    )
    db.session.commit()
    return article


def staff_articles(status: str | None = None, category: str | None = None, q: str | None = None) -> Select:
    statement = select(Article).order_by(Article.updated_at.desc(), Article.id)
    if status:
        statement = statement.where(Article.status == status)
    if category:
        statement = statement.where(Article.category == category)
    return statement.where(*_like_terms(Article.search_text, q))


def article_versions(article: Article) -> Select:
    return (
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article.id)
        .order_by(ArticleVersion.version.desc())
    )


def article_version(article: Article, version: int) -> ArticleVersion:
    row = db.session.get(ArticleVersion, (article.id, version))
    if row is None:
        raise ApiError(404, "version_not_found", f"Bài viết không có phiên bản {version}.")
    return row


# ---- articles: readers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Who reads: a signed-in citizen (with where they live and their age) or nobody known."""

    citizen_id: uuid.UUID | None = None
    ward_code: str | None = None
    province_code: str | None = None
    age: int | None = None


ANONYMOUS = Reader()


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def reader_for_citizen(citizen_id: uuid.UUID) -> Reader:
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        return ANONYMOUS
    ward = units.get_ward(citizen.ward_code)
    return Reader(
        citizen_id=citizen.id,
        ward_code=ward.code if ward else None,
        province_code=ward.province.code if ward else None,
        age=age_on(citizen.date_of_birth, local_date(utcnow())),
    )


def _audience_condition(reader: Reader):
    if reader.citizen_id is None:
        # Nobody known: only what is meant for everyone, of every age.
        return and_(
            Article.audience_scope == AUDIENCE_ALL,
            Article.audience_age_min.is_(None),
            Article.audience_age_max.is_(None),
        )
    place = [Article.audience_scope == AUDIENCE_ALL]
    if reader.province_code:
        place.append(
            and_(
                Article.audience_scope == AUDIENCE_PROVINCE,
                Article.audience_province_code == reader.province_code,
            )
        )
    if reader.ward_code:
        place.append(
            and_(
                Article.audience_scope == AUDIENCE_WARDS,
                exists().where(
                    ArticleWard.article_id == Article.id, ArticleWard.ward_code == reader.ward_code
                ),
            )
        )
    return and_(
        or_(*place),
        or_(Article.audience_age_min.is_(None), Article.audience_age_min <= reader.age),
        or_(Article.audience_age_max.is_(None), Article.audience_age_max >= reader.age),
    )


def public_articles(reader: Reader, category: str | None = None, q: str | None = None) -> Select:
    statement = (
        select(Article)
        .where(Article.status == PUBLISHED, _audience_condition(reader), *_like_terms(Article.search_text, q))
        .order_by(Article.published_at.desc(), Article.id)
    )
    if category:
        statement = statement.where(Article.category == category)
    return statement


def public_article(reader: Reader, ident: str) -> Article:
    """A published article for this reader, by slug or id; 404 for anything else, drafts included."""
    try:
        by = Article.id == uuid.UUID(ident)
    except ValueError:
        by = Article.slug == ident
    article = db.session.scalar(
        select(Article).where(by, Article.status == PUBLISHED, _audience_condition(reader))
    )
    if article is None:
        raise ApiError(404, "article_not_found", "Không tìm thấy bài viết này.")
    return article


def _upsert(model, values: dict, index: list[str], update: dict | None = None):
    """INSERT ... ON CONFLICT, in the dialect of the session's database (SQLite or PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(**values)
    if update is None:
        return statement.on_conflict_do_nothing(index_elements=index)
    return statement.on_conflict_do_update(index_elements=index, set_=update)


def record_read(article: Article, reader: Reader, *, counted: bool = True) -> None:
    """Count a read: once per citizen and day; anonymous views per day. Staff previews don't count."""
    if not counted:
        return
    day = local_date(utcnow())
    if reader.citizen_id is not None:
        db.session.execute(
            _upsert(
                ArticleRead,
                {"article_id": article.id, "citizen_id": reader.citizen_id, "day": day},
                ["article_id", "citizen_id", "day"],
            )
        )
    else:
        db.session.execute(
            _upsert(
                ArticleAnonymousViews,
                {"article_id": article.id, "day": day, "views": 1},
                ["article_id", "day"],
                {"views": ArticleAnonymousViews.views + 1},
            )
        )
    db.session.commit()


# ---- articles: statistics ---------------------------------------------------------------------


def reach(article: Article) -> int:
    """How many citizens of the registry the article targets now (its audience's size)."""
    conditions = audience_conditions(
        today=local_date(utcnow()),
        province_code=article.audience_province_code if article.audience_scope == AUDIENCE_PROVINCE else None,
        ward_codes=(article.ward_codes or []) if article.audience_scope == AUDIENCE_WARDS else None,
        min_age=article.audience_age_min,
        max_age=article.audience_age_max,
    )
    return db.session.scalar(select(func.count(Citizen.id)).where(*conditions)) or 0


def statistics(article: Article) -> dict[str, Any]:
    readers = db.session.scalar(
        select(func.count(func.distinct(ArticleRead.citizen_id))).where(ArticleRead.article_id == article.id)
    )
    reads_by_day = dict(
        db.session.execute(
            select(ArticleRead.day, func.count())
            .where(ArticleRead.article_id == article.id)
            .group_by(ArticleRead.day)
        ).all()
    )
    anonymous_by_day = dict(
        db.session.execute(
            select(ArticleAnonymousViews.day, ArticleAnonymousViews.views).where(
                ArticleAnonymousViews.article_id == article.id
            )
        ).all()
    )
    audience_size = reach(article)
    return {
        "article_id": article.id,
        "status": article.status,
        "published_at": article.published_at,
        "reach": audience_size,
        "readers": readers or 0,
        "reads": sum(reads_by_day.values()),
        "anonymous_views": sum(anonymous_by_day.values()),
        "read_rate": round(readers / audience_size, 4) if audience_size else None,
        "by_day": [
            {"day": day, "reads": reads_by_day.get(day, 0), "anonymous_views": anonymous_by_day.get(day, 0)}
            for day in sorted(set(reads_by_day) | set(anonymous_by_day))
        ],
    }


# ---- FAQ --------------------------------------------------------------------------------------

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


def create_faq(
    data: Mapping[str, Any], actor: str, *, change: str = "created", commit: bool = True
) -> FaqEntry:
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
        # lets one through; the other is told as if it had come second.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _faq_key_taken(data["key"]) from None
    _add_faq_version(entry, change, actor)
    record_audit(f"content.faq_{change}", actor=actor, target=f"faq:{entry.key}", version=1)
    if commit:
        db.session.commit()
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
    commit: bool = True,
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
        return _edit_faq(entry, data, actor, change=change, commit=commit)
    except (StaleDataError, IntegrityError):
        # Another edit of the same version was committed first: `WHERE version = ...` matched
        # nothing (or the version row's key was taken).
        db.session.rollback()
        raise _conflict("mục hỏi đáp", _current_version(FaqEntry, entry_id)) from None


def _edit_faq(entry: FaqEntry, data: Mapping[str, Any], actor: str, *, change: str, commit: bool) -> FaqEntry:
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
    if commit:
        db.session.commit()
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


# ---- FAQ as the chatbot's training data ---------------------------------------------------------
#
# nlu_data/faq.yml holds `faq/<key>` with its examples, chatbot/domain/faq.yml `utter_faq/<key>`
# with its answer. Both are generated from the table by `flask content faq-export`; what Rasa
# reads from them (keys, examples, answers) is exactly the table's active entries.

GENERATED_HEADER = (
    "# Generated from the FAQ table (content_faq_entries) by `flask content faq-export`.\n"
    "# Do not edit by hand: change the FAQ in the comms console (or /staff/content/faq) and export\n"
    "# again; `flask content faq-import` loads this file into the table.\n"
)
NLU_COMMENT = (
    "# Retrieval intents, answered by the ResponseSelector with utter_faq/<key> from\n"
    "# chatbot/domain/faq.yml. Policy questions, not the citizen's own data.\n"
)
DOMAIN_COMMENT = "# Answers for the retrieval intent `faq` (ResponseSelector). Keys match nlu_data/faq.yml.\n"
_WRAP = 110

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


class FaqFileError(ValueError):
    """The training files cannot be read as FAQ data (the message says where and why)."""


@dataclass(frozen=True)
class FaqItem:
    key: str
    questions: tuple[str, ...]
    answer: str


def parse_faq_files(nlu_text: str, domain_text: str) -> dict[str, FaqItem]:
    """The FAQ as Rasa reads it from the two files: key -> examples and answer."""
    try:
        nlu = yaml.safe_load(nlu_text) or {}
        domain = yaml.safe_load(domain_text) or {}
    except yaml.YAMLError as exc:
        raise FaqFileError(f"YAML không hợp lệ: {exc}") from exc
    examples: dict[str, list[str]] = {}
    for item in nlu.get("nlu") or ():
        intent = str(item.get("intent", ""))
        if not intent.startswith("faq/"):
            continue
        lines = str(item.get("examples") or "").splitlines()
        examples[intent[4:]] = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
    answers: dict[str, str] = {}
    for name, variants in (domain.get("responses") or {}).items():
        if not str(name).startswith("utter_faq/"):
            continue
        texts = [v.get("text") for v in variants or () if isinstance(v, dict)]
        if len(texts) != 1 or not isinstance(texts[0], str) or len(variants[0]) != 1:
            raise FaqFileError(
                f"{name}: cần đúng một câu trả lời dạng text (bảng FAQ giữ một câu trả lời mỗi mục)."
            )
        answers[str(name)[len("utter_faq/") :]] = texts[0]
    missing_answer = sorted(set(examples) - set(answers))
    missing_examples = sorted(set(answers) - set(examples))
    if missing_answer or missing_examples:
        raise FaqFileError(
            "Hai tệp không khớp nhau: "
            + "; ".join(
                part
                for part in (
                    f"thiếu câu trả lời cho {', '.join(missing_answer)}" if missing_answer else "",
                    f"thiếu câu hỏi mẫu cho {', '.join(missing_examples)}" if missing_examples else "",
                )
                if part
            )
        )
    return {key: FaqItem(key, tuple(examples[key]), answers[key]) for key in sorted(examples)}


def _block(text: str, indent: str) -> str:
    """`text` as a YAML block scalar that reads back exactly as `text`."""
    if "\n" in text:
        body = "\n".join(indent + line if line else "" for line in text.split("\n"))
        return "|-\n" + body
    lines, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > _WRAP:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return ">-\n" + "\n".join(indent + line for line in lines)


def _scalar(text: str, indent: str) -> str:
    """A block scalar when it reads back exactly; otherwise a double-quoted one (always exact)."""
    block = _block(text, indent)
    try:
        if yaml.safe_load("x: " + block) == {"x": text}:
            return block
    except yaml.YAMLError:
        pass
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=10**6).strip()


def render_faq_files(items: Iterable[FaqItem]) -> tuple[str, str]:
    """(nlu_data/faq.yml, chatbot/domain/faq.yml) for these entries, sorted by key."""
    items = sorted(items, key=lambda item: item.key)
    nlu = [GENERATED_HEADER, NLU_COMMENT, 'version: "3.1"\n\nnlu:\n']
    for index, item in enumerate(items):
        if index:
            nlu.append("\n")
        nlu.append(f"- intent: faq/{item.key}\n  examples: |\n")
        nlu.extend(f"    - {question}\n" for question in item.questions)
    domain = [GENERATED_HEADER, 'version: "3.1"\n\nintents:\n  - faq\n\n', DOMAIN_COMMENT, "responses:\n"]
    for index, item in enumerate(items):
        if index:
            domain.append("\n")
        domain.append(f"  utter_faq/{item.key}:\n  - text: {_scalar(item.answer, '      ')}\n")
    nlu_text, domain_text = "".join(nlu), "".join(domain)
    # The files must say exactly what the table says; refuse to write anything else.
    parsed = parse_faq_files(nlu_text, domain_text)
    if parsed != {item.key: item for item in items}:  # pragma: no cover - a bug in the writer
        raise FaqFileError("Tệp sinh ra không khớp với bảng FAQ.")
    return nlu_text, domain_text


def export_items() -> list[FaqItem]:
    entries = db.session.scalars(select(FaqEntry).where(FaqEntry.active.is_(True)).order_by(FaqEntry.key))
    return [FaqItem(e.key, tuple(e.questions), e.answer) for e in entries]


@dataclass
class ImportReport:
    added: list[str]
    unchanged: list[str]
    updated: list[str]
    different: list[str]  # differs from the table and left alone (without --update)
    deactivated: list[str] = field(default_factory=list)  # gone from the files (faq-sync)
    required_kept: list[str] = field(default_factory=list)  # gone from the files, but required


def import_faq(
    items: Mapping[str, FaqItem],
    actor: str,
    *,
    update: bool | Collection[str] = False,
    deactivate: Collection[str] = (),
) -> ImportReport:
    """Load the files' FAQ into the table. Idempotent: a key already there is left as it is,
    unless `update` (True: every key; a collection: those keys) asks to overwrite it with the
    file's (a new version; an inactive entry the files hold is active again). `deactivate`: keys
    the files no longer hold, retired unless the chatbot's tests need them. All or nothing."""
    report = ImportReport([], [], [], [])

    def overwrite(key: str) -> bool:
        return update if isinstance(update, bool) else key in update

    try:
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
                    commit=False,
                )
                db.session.flush()
                report.added.append(key)
            elif (
                list(entry.questions) == list(item.questions)
                and entry.answer == normalise_answer(item.answer)
                and (entry.active or not overwrite(key))
            ):
                report.unchanged.append(key)
            elif overwrite(key):
                edit_faq(
                    entry,
                    {"questions": list(item.questions), "answer": item.answer, "active": True},
                    actor,
                    entry.version,
                    change="imported",
                    commit=False,
                )
                db.session.flush()
                report.updated.append(key)
            else:
                report.different.append(key)
        for key in sorted(set(deactivate) - set(items)):
            entry = db.session.scalar(select(FaqEntry).where(FaqEntry.key == key))
            if entry is None or not entry.active:
                continue
            if key in REQUIRED_FAQ_KEYS:
                report.required_kept.append(key)
                continue
            edit_faq(entry, {"active": False}, actor, entry.version, change="imported", commit=False)
            db.session.flush()
            report.deactivated.append(key)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return report
