"""Policy content: articles (tuyên truyền) with their versions, audience and readers; FAQ entries.

An article's row holds its current content and state; every change (creation, edit, each step
of the workflow) adds a row to `content_article_versions` with the whole content as it then
was, who made the change and when. `version` on the article is the number of the latest of
those rows, and is what an edit must name (optimistic concurrency).

Readers are counted once per citizen and day (`content_article_reads`, its primary key makes
the count exact under concurrent requests); anonymous app users, who have no id to count
once, are tallied per day (`content_article_anonymous_views`).

FAQ entries are the chatbot's `faq/<key>` source (`flask content faq-export`, content/cli.py with
the writer in content/service.py, puts them into the Rasa training data); they are versioned the
same way.

`version` is also the row's optimistic lock (`version_id_col`): every UPDATE says `WHERE version =
<the version this session read>`, so of two edits made on the same version the second fails
(StaleDataError, answered 409 `version_conflict`) instead of colliding on the versions table's key.
The service numbers versions itself (version_id_generator=False): the number is the one its
version row records.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

# ---- categories: a fixed list, shared by articles and FAQ entries -----------------------------

CATEGORIES: dict[str, str] = {
    "de-an-06": "Đề án 06",
    "vneid": "VNeID và định danh điện tử",
    "dich-vu-cong": "Dịch vụ công trực tuyến",
    "an-sinh-xa-hoi": "An sinh xã hội",
    "thanh-toan-khong-dung-tien-mat": "Thanh toán không dùng tiền mặt",
    "giao-thong": "Giao thông",
    "y-te": "Y tế",
    "giao-duc": "Giáo dục",
    "dat-dai": "Đất đai",
    "an-ninh-trat-tu": "An ninh, trật tự",
    "bao-ve-du-lieu-ca-nhan": "Bảo vệ dữ liệu cá nhân",
    "chuyen-doi-so": "Chuyển đổi số",
    "khac": "Khác",
}

# ---- article workflow -------------------------------------------------------------------------

DRAFT = "draft"
REVIEW = "review"
PUBLISHED = "published"
UNPUBLISHED = "unpublished"
ARCHIVED = "archived"
STATUSES = (DRAFT, REVIEW, PUBLISHED, UNPUBLISHED, ARCHIVED)
STATUS_NAMES = {
    DRAFT: "Bản nháp",
    REVIEW: "Chờ duyệt",
    PUBLISHED: "Đã đăng",
    UNPUBLISHED: "Đã gỡ",
    ARCHIVED: "Lưu trữ",
}

# Audience scopes: everyone, one province, a list of wards. An age band narrows any of them.
AUDIENCE_ALL = "all"
AUDIENCE_PROVINCE = "province"
AUDIENCE_WARDS = "wards"
AUDIENCE_SCOPES = (AUDIENCE_ALL, AUDIENCE_PROVINCE, AUDIENCE_WARDS)


class Article(db.Model):
    __tablename__ = "content_articles"
    __table_args__ = (
        # The citizens' list: published articles of a category, newest first.
        Index("ix_content_articles_public", "status", "category", "published_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    body_html: Mapped[str] = mapped_column(Text)  # sanitised on the way in (content/sanitize.py)
    category: Mapped[str] = mapped_column(String(40))
    cover_image_url: Mapped[str | None] = mapped_column(String(500))
    # Folded (accent-free, lower-case) title, summary, body text and category name: what search
    # compares, so "de an 06" finds "Đề án 06" with a plain LIKE on SQLite and PostgreSQL alike.
    search_text: Mapped[str] = mapped_column(Text)

    audience_scope: Mapped[str] = mapped_column(String(10), default=AUDIENCE_ALL)
    audience_province_code: Mapped[str | None] = mapped_column(String(2))
    audience_age_min: Mapped[int | None] = mapped_column(SmallInteger)
    audience_age_max: Mapped[int | None] = mapped_column(SmallInteger)

    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))  # "staff:<uuid>"
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str | None] = mapped_column(String(64))  # who sent it to review
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(64))  # the reviewer who published it
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    wards: Mapped[list[ArticleWard]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleWard.ward_code", lazy="selectin"
    )

    @property
    def ward_codes(self) -> list[str]:
        return [w.ward_code for w in self.wards]


class ArticleWard(db.Model):
    """One ward of an article whose audience is a list of wards."""

    __tablename__ = "content_article_wards"
    __table_args__ = (Index("ix_content_article_wards_ward", "ward_code"),)

    article_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("content_articles.id", ondelete="CASCADE"), primary_key=True
    )
    ward_code: Mapped[str] = mapped_column(String(5), primary_key=True)


class ArticleVersion(db.Model):
    __tablename__ = "content_article_versions"

    article_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("content_articles.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    # "created", "edited", or the workflow action ("submit", "publish", ...).
    change: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(1000))
    # The whole content as it was: title, summary, body_html, category, cover, audience.
    content: Mapped[dict] = mapped_column(JSON)


class ArticleRead(db.Model):
    """A citizen read the article on that day (Vietnam's date): one row, however many times."""

    __tablename__ = "content_article_reads"

    article_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("content_articles.id", ondelete="CASCADE"), primary_key=True
    )
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class ArticleAnonymousViews(db.Model):
    """Views by app users who are not signed in, per article and day."""

    __tablename__ = "content_article_anonymous_views"

    article_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("content_articles.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(Integer, default=0)


# ---- FAQ --------------------------------------------------------------------------------------


class FaqEntry(db.Model):
    __tablename__ = "content_faq_entries"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    # The chatbot's sub-intent: faq/<key> in the NLU data, utter_faq/<key> in the domain.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # The ways citizens ask it (Rasa's training examples), in the order staff wrote them.
    questions: Mapped[list] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)  # plain text; line breaks are kept
    category: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class FaqVersion(db.Model):
    __tablename__ = "content_faq_versions"

    entry_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("content_faq_entries.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    change: Mapped[str] = mapped_column(String(16))  # "created" | "edited" | "imported"
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(64))
    # questions, answer, category, active as they were
    content: Mapped[dict] = mapped_column(JSON)


# ---- internal announcements to staff ----------------------------------------------------------

# Importance: an important announcement stands out as a banner in the workspace until opened.
NORMAL = "normal"
IMPORTANT = "important"
IMPORTANCES = (NORMAL, IMPORTANT)
IMPORTANCE_NAMES = {NORMAL: "Bình thường", IMPORTANT: "Quan trọng"}


class Announcement(db.Model):
    """A notice from the comms team (or an admin) to staff, published when written.

    The audience (every staff role, or some; optionally one ward) is resolved into recipients
    when it is published (`AnnouncementRecipient`): who was addressed is then a fact, like the
    recipients of a letter, so "read by 7 of 9" keeps its meaning when accounts later change role
    or ward, and "addressed to me" is one indexed lookup.
    """

    __tablename__ = "content_announcements"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # plain text; line breaks kept
    # None: every staff role; otherwise the roles addressed (api/policy.py STAFF_ROLES).
    audience_roles: Mapped[list | None] = mapped_column(JSON)
    audience_ward_code: Mapped[str | None] = mapped_column(String(5))  # None: every unit
    importance: Mapped[str] = mapped_column(String(10), default=NORMAL)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(64))  # "staff:<uuid>"


class AnnouncementRecipient(db.Model):
    """One staff member an announcement was addressed to, and when they opened it."""

    __tablename__ = "content_announcement_recipients"
    __table_args__ = (
        # "Addressed to me, newest first" and "how many have I not read".
        Index("ix_content_announcement_recipients_staff", "staff_id", "read_at"),
    )

    announcement_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("content_announcements.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    announcement: Mapped[Announcement] = relationship(lazy="joined")


# How many were addressed and how many have opened it: counted in SQL with the announcement (the
# comms list asks for them with `undefer`), loaded on access otherwise.
Announcement.recipient_count = column_property(
    select(func.count())
    .where(AnnouncementRecipient.announcement_id == Announcement.id)
    .correlate_except(AnnouncementRecipient)
    .scalar_subquery(),
    deferred=True,
)
Announcement.read_count = column_property(
    select(func.count())
    .where(
        AnnouncementRecipient.announcement_id == Announcement.id,
        AnnouncementRecipient.read_at.is_not(None),
    )
    .correlate_except(AnnouncementRecipient)
    .scalar_subquery(),
    deferred=True,
)
