"""Policy articles, the readers' side: what a reader may see, reads, reach and statistics.

A citizen sees a published article when they are in its audience (everyone, their province,
their ward, and their age band); anonymous app users see the articles meant for everyone.
Anything else, drafts included, answers 404 exactly like an article that does not exist. A
citizen's read is counted once per day. Who a citizen is comes from the citizens domain's
service, never its table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select

from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.units import service as units
from api.workdays import local_date
from content.articles import like_terms
from content.models import (
    AUDIENCE_ALL,
    AUDIENCE_PROVINCE,
    AUDIENCE_WARDS,
    PUBLISHED,
    Article,
    ArticleAnonymousViews,
    ArticleRead,
    ArticleWard,
)


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
    citizen = citizens.get_citizen(citizen_id)
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
        .where(Article.status == PUBLISHED, _audience_condition(reader), *like_terms(Article.search_text, q))
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


# ---- articles: statistics ---------------------------------------------------------------------


def reach(article: Article) -> int:
    """How many citizens of the registry the article targets now (its audience's size)."""
    audience = citizens.Audience(
        province_code=article.audience_province_code if article.audience_scope == AUDIENCE_PROVINCE else None,
        ward_codes=tuple(article.ward_codes or ()) if article.audience_scope == AUDIENCE_WARDS else None,
        min_age=article.audience_age_min,
        max_age=article.audience_age_max,
        today=local_date(utcnow()),
    )
    return citizens.count_audience(audience)


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
