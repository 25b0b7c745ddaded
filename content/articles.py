"""Policy articles, the comms staff's side: composing, the review workflow, versions, lists.

The moves between statuses are one table, content/workflow.py (`MACHINE`); this module asks it.
Publishing is a second comms user's decision: whoever sent the article to review, and whoever
last changed its content, cannot publish it (four eyes: a policy message goes out in the
province's name). Content can be edited in draft, review and unpublished; an edit puts the
article back to draft, so what is published is always what a reviewer saw. A published article
is unpublished first to be edited (its readers never see a half-reviewed correction).

Every change names the version it was made on (`expected_version`, content/versioning.py: the
routes check If-Match first), and adds a version row with the whole content, and an audit entry. What citizens read is in
content/readers.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.audit import record_audit
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.state_machine import IllegalTransition, Transition
from api.text import fold
from api.unit_of_work import rollback
from api.units import service as units
from content.models import (
    AUDIENCE_ALL,
    AUDIENCE_PROVINCE,
    AUDIENCE_WARDS,
    CATEGORIES,
    DRAFT,
    PUBLISHED,
    STATUS_NAMES,
    Article,
    ArticleVersion,
    ArticleWard,
)
from content.sanitize import clean_html, has_content, plain_text
from content.versioning import check_version, current_version, version_conflict
from content.workflow import ACTIONS, EDIT, MACHINE


def categories() -> list[dict[str, str]]:
    return [{"slug": slug, "name": name} for slug, name in CATEGORIES.items()]


def like_terms(column, q: str | None) -> list:
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
        db.session.flush()
    except IntegrityError:
        # Two creations with the same slug at once: the check above passed for both, the unique
        # key let one through. The other learns it the way a sequential one would (the request
        # is rolled back).
        raise _slug_taken_error(slug) from None
    return article


def _lost_race(article_id: uuid.UUID, error: Exception, slug: str | None = None) -> ApiError:
    """Another comms officer's change on the same version was committed first (the session is
    rolled back): the UPDATE's `WHERE version = ...` matched nothing, or, for a new slug, the
    unique key refused it."""
    if isinstance(error, IntegrityError) and slug and _slug_taken(slug, article_id):
        return _slug_taken_error(slug)
    return version_conflict("bài viết", current_version(Article, article_id))


def get_article(article_id: uuid.UUID) -> Article:
    article = db.session.get(Article, article_id)
    if article is None:
        raise ApiError(404, "article_not_found", "Không tìm thấy bài viết này.")
    return article


def edit_article(
    article: Article, data: Mapping[str, Any], actor: str, expected_version: int | None
) -> Article:
    check_version(article.version, expected_version, "bài viết")
    article_id = article.id
    try:
        edited = _edit_article(article, data, actor)
        db.session.flush()
        return edited
    except (StaleDataError, IntegrityError) as error:
        rollback()  # the failed flush left the session unusable; the request fails anyway
        raise _lost_race(article_id, error, data.get("slug")) from None


def _edit_article(article: Article, data: Mapping[str, Any], actor: str) -> Article:
    if not MACHINE.can(EDIT, article.status):
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
        return article  # nothing changed: no new version, the caller's copy is still current
    article.status = MACHINE.next_status(EDIT, article.status)  # what a reviewer approves is published
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
    return article


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
    """What `actor` may do with the article now, as the machine says (the console offers only
    these): "edit" in the editable states, each action from its source states, "publish" only
    for a second comms user."""
    return [
        name for name in MACHINE.allowed(article.status) if name != "publish" or _may_publish(article, actor)
    ]


def transition(
    article: Article, action_name: str, actor: str, expected_version: int | None, note: str | None = None
) -> Article:
    action = ACTIONS[action_name]  # the schema admits only the actions (no edit)
    check_version(article.version, expected_version, "bài viết")
    article_id = article.id
    try:
        moved = _transition(article, action, actor, note)
        db.session.flush()
        return moved
    except (StaleDataError, IntegrityError) as error:
        rollback()  # the failed flush left the session unusable; the request fails anyway
        raise _lost_race(article_id, error) from None


def _transition(article: Article, action: Transition, actor: str, note: str | None) -> Article:
    try:
        to_status = MACHINE.next_status(action, article.status)
    except IllegalTransition:
        raise ApiError(
            409,
            "illegal_transition",
            f"Không thể '{action.label.lower()}' khi bài viết đang ở trạng thái "
            f"'{STATUS_NAMES[article.status]}'.",
            status_code=article.status,
            status_name=STATUS_NAMES[article.status],
        ) from None
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
    article.status = to_status
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
    return article


def staff_articles(status: str | None = None, category: str | None = None, q: str | None = None) -> Select:
    statement = select(Article).order_by(Article.updated_at.desc(), Article.id)
    if status:
        statement = statement.where(Article.status == status)
    if category:
        statement = statement.where(Article.category == category)
    return statement.where(*like_terms(Article.search_text, q))


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
