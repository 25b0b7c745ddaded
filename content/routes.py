"""Policy content endpoints: the comms staff's articles and FAQ, and what citizens read.

Thin: parse, authorise (`@allow`), call the content modules (articles, readers, faq), serialise.

Staff (`comms`, and `admin`) under /staff/content: every change names what it edits with
If-Match, the ETag the GET returned (428 without, 412 when the article or entry changed since);
of two changes racing on the same version, the second answers 409 `version_conflict`. Readers under /content: public, tailored to a signed-in citizen's audience.
"""

from __future__ import annotations

import uuid

from flask import Blueprint as FlaskBlueprint
from flask import redirect
from flask.views import MethodView

from api.fields import MAX_INT32
from api.http import Blueprint, PublicLookupView, SelectPage, needs_if_match
from api.policy import PUBLIC, Staff, allow, current_principal, require_principal
from content import announcements, articles, faq, readers
from content.schemas import (
    AnnouncementInSchema,
    AnnouncementQuerySchema,
    ArticleActionSchema,
    ArticleCreateSchema,
    ArticleEditSchema,
    ArticleStatisticsSchema,
    ArticleVersionSchema,
    CategorySchema,
    FaqCreateSchema,
    FaqEditSchema,
    FaqQuerySchema,
    FaqSchema,
    FaqVersionSchema,
    PublicArticleQuerySchema,
    PublicArticleSchema,
    PublicArticleSummarySchema,
    PublicFaqQuerySchema,
    PublicFaqSchema,
    ReceivedAnnouncementSchema,
    SentAnnouncementSchema,
    StaffArticleDetailSchema,
    StaffArticleQuerySchema,
    StaffArticleSchema,
    UnreadAnnouncementsSchema,
)

staff_blp = Blueprint(
    "content_staff",
    __name__,
    url_prefix="/staff/content",
    description="Cán bộ truyền thông: bài viết tuyên truyền (soạn, duyệt, đăng, phiên bản, thống kê) và hỏi đáp",
)
public_blp = Blueprint(
    "content",
    __name__,
    url_prefix="/content",
    description="Bài viết tuyên truyền, chủ đề và hỏi đáp cho người dân",
)

comms_announcements_blp = Blueprint(
    "announcements_comms",
    __name__,
    url_prefix="/comms/announcements",
    description="Cán bộ truyền thông: thông báo nội bộ tới cán bộ (gửi, xem bao nhiêu người đã đọc)",
)
staff_announcements_blp = Blueprint(
    "announcements_staff",
    __name__,
    url_prefix="/staff/announcements",
    description="Mọi cán bộ: thông báo nội bộ gửi tới mình (đọc, đánh dấu đã đọc, số chưa đọc)",
)

# The comms console moved into the staff workspace (/workspace/comms); its old addresses, kept
# in bookmarks, lead there.
console = FlaskBlueprint("comms_console", __name__)

COMMS = Staff("comms", "admin")


def _actor() -> str:
    principal = require_principal()
    return f"{principal.kind}:{principal.id}"


def _reader() -> readers.Reader:
    principal = current_principal()
    if principal is not None and principal.kind == "citizen":
        return readers.reader_for_citizen(uuid.UUID(principal.id))
    return readers.ANONYMOUS


# ---- staff: articles --------------------------------------------------------------------------


@staff_blp.route("/articles")
@staff_blp.etag
class Articles(MethodView):
    @allow(COMMS)
    @staff_blp.arguments(StaffArticleQuerySchema, location="query")
    @staff_blp.response(200, StaffArticleSchema(many=True))
    @staff_blp.paginate(SelectPage)
    def get(self, query):
        """Every article, last changed first; by status, category, accent-insensitive `q`."""
        return articles.staff_articles(query.get("status"), query.get("category"), query.get("q"))

    @allow(COMMS)
    @staff_blp.arguments(ArticleCreateSchema)
    @staff_blp.response(201, StaffArticleDetailSchema)
    def post(self, data):
        """Write an article: a draft (version 1), answered with its ETag. The body's HTML is
        sanitised. Audited."""
        return _tagged(articles.create_article(data, _actor()))


# An article's ETag is that of the article itself (StaffArticleSchema), not of the detail a
# caller reads: its `allowed_actions` differ from one comms user to another, the article does not.
def _tagged(article):
    staff_blp.set_etag(article, StaffArticleSchema)
    return article


def _article_as_read(article_id):
    """The article, If-Match checked against it (412 when it changed since it was read)."""
    article = articles.get_article(article_id)
    staff_blp.check_etag(article, StaffArticleSchema)
    return article


@staff_blp.route("/articles/<uuid:article_id>")
@staff_blp.etag
class StaffArticle(MethodView):
    @allow(COMMS)
    @staff_blp.response(200, StaffArticleDetailSchema)
    def get(self, article_id):
        """One article in any state, with its ETag."""
        return _tagged(articles.get_article(article_id))

    @allow(COMMS)
    @staff_blp.arguments(ArticleEditSchema)
    @staff_blp.response(200, StaffArticleDetailSchema)
    def patch(self, data, article_id):
        """Edit (draft, review or unpublished; it goes back to draft). Needs If-Match: 412 when
        stale, 409 `version_conflict` for a change committed meanwhile. A new version is
        recorded. Audited."""
        article = _article_as_read(article_id)
        return _tagged(articles.edit_article(article, data, _actor(), article.version))


@staff_blp.route("/articles/<uuid:article_id>/actions")
@staff_blp.etag
class ArticleAction(MethodView):
    @allow(COMMS)
    @needs_if_match
    @staff_blp.arguments(ArticleActionSchema)
    @staff_blp.response(200, StaffArticleDetailSchema)
    def post(self, data, article_id):
        """submit, return (with a note), publish (by another comms user than the author and the
        submitter), unpublish, archive, restore. Needs If-Match. Audited."""
        article = _article_as_read(article_id)
        return _tagged(
            articles.transition(article, data["action"], _actor(), article.version, data.get("note"))
        )


@staff_blp.route("/articles/<uuid:article_id>/versions")
class ArticleVersions(MethodView):
    @allow(COMMS)
    @staff_blp.response(200, ArticleVersionSchema(many=True))
    @staff_blp.paginate(SelectPage)
    def get(self, article_id):
        """Every version, newest first: number, change, who, when, the whole content."""
        return articles.article_versions(articles.get_article(article_id))


@staff_blp.route(f"/articles/<uuid:article_id>/versions/<int(min=1, max={MAX_INT32}):version>")
class ArticleVersionView(MethodView):
    @allow(COMMS)
    @staff_blp.response(200, ArticleVersionSchema)
    def get(self, article_id, version):
        """One version of an article."""
        return articles.article_version(articles.get_article(article_id), version)


@staff_blp.route("/articles/<uuid:article_id>/statistics")
class ArticleStatistics(MethodView):
    @allow(COMMS)
    @staff_blp.response(200, ArticleStatisticsSchema)
    def get(self, article_id):
        """Reach (the audience's size now), readers, reads (one per citizen and day), anonymous
        views, read rate, and the reads per day."""
        return readers.statistics(articles.get_article(article_id))


# ---- staff: FAQ -------------------------------------------------------------------------------


@staff_blp.route("/faq")
@staff_blp.etag
class FaqEntries(MethodView):
    @allow(COMMS)
    @staff_blp.arguments(FaqQuerySchema, location="query")
    @staff_blp.response(200, FaqSchema(many=True))
    def get(self, query):
        """Every FAQ entry, by key; by category, active, accent-insensitive `q`."""
        return faq.faq_entries(query.get("category"), query.get("active"), query.get("q"))

    @allow(COMMS)
    @staff_blp.arguments(FaqCreateSchema)
    @staff_blp.response(201, FaqSchema)
    def post(self, data):
        """Add an entry: key, at least two questions, the answer (answered with its ETag). The
        chatbot learns it at the next `flask content faq-export` and training. Audited."""
        return faq.create_faq(data, _actor())


@staff_blp.route("/faq/<string:key>")
@staff_blp.etag
class FaqEntryView(MethodView):
    @allow(COMMS)
    @staff_blp.response(200, FaqSchema)
    def get(self, key):
        """One entry with its ETag."""
        return faq.get_faq(key)

    @allow(COMMS)
    @staff_blp.arguments(FaqEditSchema)
    @staff_blp.response(200, FaqSchema)
    def patch(self, data, key):
        """Edit questions, answer, category or `active`. Needs If-Match: 412 when stale, 409
        `version_conflict` for a change committed meanwhile. A new version is recorded. Audited."""
        entry = faq.get_faq(key)
        staff_blp.check_etag(entry, FaqSchema)
        return faq.edit_faq(entry, data, _actor(), entry.version)


@staff_blp.route("/faq/<string:key>/versions")
class FaqVersions(MethodView):
    @allow(COMMS)
    @staff_blp.response(200, FaqVersionSchema(many=True))
    @staff_blp.paginate(SelectPage)
    def get(self, key):
        """Every version of an entry, newest first."""
        return faq.faq_versions(faq.get_faq(key))


# ---- readers ----------------------------------------------------------------------------------


@public_blp.route("/categories")
class Categories(MethodView):
    @allow(PUBLIC)
    @public_blp.response(200, CategorySchema(many=True))
    def get(self):
        """The topics articles and FAQ entries are filed under."""
        return articles.categories()


@public_blp.route("/articles")
class PublicArticles(MethodView):
    @allow(PUBLIC)
    @public_blp.arguments(PublicArticleQuerySchema, location="query")
    @public_blp.response(200, PublicArticleSummarySchema(many=True))
    @public_blp.paginate(SelectPage)
    def get(self, query):
        """Published articles for me (my province, ward and age when signed in; otherwise those
        for everyone), newest first; by category and accent-insensitive `q`."""
        return readers.public_articles(_reader(), query.get("category"), query.get("q"))


# Rate-limited per address like the other public look-ups: each anonymous call adds a view, so
# without a limit one script could make any article look widely read.
@public_blp.route("/articles/<string:ident>")
class PublicArticle(PublicLookupView):
    @allow(PUBLIC)
    @public_blp.response(200, PublicArticleSchema)
    def get(self, ident):
        """One published article for me, by slug or id. Counts my read (once a day)."""
        reader = _reader()
        article = readers.public_article(reader, ident)
        principal = current_principal()
        readers.record_read(article, reader, counted=principal is None or principal.kind == "citizen")
        return article


@public_blp.route("/faq")
class PublicFaq(MethodView):
    @allow(PUBLIC)
    @public_blp.arguments(PublicFaqQuerySchema, location="query")
    @public_blp.response(200, PublicFaqSchema(many=True))
    def get(self, query):
        """Active FAQ entries (question and answer), by category and accent-insensitive `q`."""
        return faq.faq_entries(query.get("category"), True, query.get("q"))


# ---- internal announcements ------------------------------------------------------------------


def _staff_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


@comms_announcements_blp.route("")
class SentAnnouncements(MethodView):
    @allow(COMMS)
    @comms_announcements_blp.response(200, SentAnnouncementSchema(many=True))
    @comms_announcements_blp.paginate(SelectPage)
    def get(self):
        """Every announcement sent, newest first, with how many staff it was addressed to and how
        many have opened it."""
        return announcements.sent()

    @allow(COMMS)
    @comms_announcements_blp.arguments(AnnouncementInSchema)
    @comms_announcements_blp.response(201, SentAnnouncementSchema)
    @comms_announcements_blp.alt_response(
        422, description="`unknown_ward`: không có phường/xã này; `audience_empty`: không cán bộ nào nhận"
    )
    def post(self, data):
        """Publish an announcement to staff now: every role or some, optionally one ward's staff;
        important ones stand out in the workspace until opened. Audited."""
        return announcements.publish(data, _staff_id())


@comms_announcements_blp.route("/<uuid:announcement_id>")
class SentAnnouncement(MethodView):
    @allow(COMMS)
    @comms_announcements_blp.response(200, SentAnnouncementSchema)
    def get(self, announcement_id):
        """One announcement sent, with its read figures."""
        return announcements.get_sent(announcement_id)


@staff_announcements_blp.route("")
class ReceivedAnnouncements(MethodView):
    @allow(Staff())
    @staff_announcements_blp.arguments(AnnouncementQuerySchema, location="query")
    @staff_announcements_blp.response(200, ReceivedAnnouncementSchema(many=True))
    @staff_announcements_blp.paginate(SelectPage)
    def get(self, query):
        """The announcements addressed to me, newest first, each with whether I have read it."""
        return announcements.inbox(
            _staff_id(), unread=query.get("unread"), importance=query.get("importance")
        )


@staff_announcements_blp.route("/unread")
class UnreadAnnouncements(MethodView):
    @allow(Staff())
    @staff_announcements_blp.response(200, UnreadAnnouncementsSchema)
    def get(self):
        """How many announcements addressed to me I have not opened (and how many are important)."""
        return announcements.unread_counts(_staff_id())


@staff_announcements_blp.route("/<uuid:announcement_id>")
class ReceivedAnnouncement(MethodView):
    @allow(Staff())
    @staff_announcements_blp.response(200, ReceivedAnnouncementSchema)
    def get(self, announcement_id):
        """One announcement addressed to me (404 for any other). Reading it here does not mark it
        read: POST …/read does, when the person opens it."""
        return announcements.received(_staff_id(), announcement_id)


@staff_announcements_blp.route("/<uuid:announcement_id>/read")
class ReadAnnouncement(MethodView):
    @allow(Staff())
    @staff_announcements_blp.response(200, ReceivedAnnouncementSchema)
    def post(self, announcement_id):
        """I opened it: the first time is recorded (what comms sees as read); again changes nothing."""
        return announcements.mark_read(_staff_id(), announcement_id)


# ---- the old comms console --------------------------------------------------------------------


@console.get("/comms/console")
@console.get("/comms/console/")
@console.get("/comms/console/<path:filename>")
@allow(PUBLIC)
def console_moved(filename: str | None = None):
    """Moved for good (308, as /agent/console): the comms panels are in the staff workspace."""
    return redirect("/workspace/comms", code=308)
