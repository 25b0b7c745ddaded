"""Two comms officers at once: the second of two edits of the same version, and the second of
two creations with the same slug or FAQ key, are told 409 with a stable code, never 500.

Each race is played out with two sessions in a fixed order: the first officer's request (the
test client, run in a thread of its own so it has its own app context and session) commits
between the moment the second one's session read the row or checked the slug/key, and the
moment it writes. That is exactly the window two simultaneous requests share.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import event

from api.errors import ApiError
from api.extensions import db
from content import articles, faq
from content.models import Article, ArticleVersion, FaqEntry, FaqVersion
from tests.content.conftest import ARTICLE, if_match, rows

FAQ = {
    "key": "tax_online",
    "questions": ["nộp thuế online thế nào", "nop thue tren app duoc khong"],
    "answer": "Vào Dịch vụ công, chọn Thuế.",
    "category": "dich-vu-cong",
}


def _refused(call) -> ApiError:
    with pytest.raises(ApiError) as refused:
        call()
    return refused.value


def elsewhere(request):
    """Send `request` (a function of no arguments) from another thread: another app context,
    another session, committed before this returns. Returns its response."""
    answer = {}
    thread = threading.Thread(target=lambda: answer.setdefault("response", request()))
    thread.start()
    thread.join()
    return answer["response"]


def _before_first_flush(do):
    """Run `do` (the other officer's request) just before this session's first write."""
    event.listen(db.session(), "before_flush", lambda *_: do(), once=True)


def test_the_second_of_two_edits_of_one_article_version_is_a_conflict(
    app, client, writer, reviewer, create_article
):
    article = create_article()
    url = f"/staff/content/articles/{article['id']}"
    with app.test_request_context():
        mine = articles.get_article(uuid.UUID(article["id"]))  # read at version 1
        first = client.patch(
            url, headers=if_match(reviewer["headers"], url, 1), json={"title": "Tiêu đề mới hơn"}
        )
        assert first.status_code == 200 and first.json["version"] == 2
        refused = _refused(
            lambda: articles.edit_article(mine, {"summary": "Tóm tắt khác hẳn, đủ dài."}, "x", 1)
        )
        db.session.remove()
    assert (refused.status, refused.code) == (409, "version_conflict")
    assert refused.extra["current_version"] == 2
    now = client.get(url, headers=writer["headers"]).json
    assert now["title"] == "Tiêu đề mới hơn" and now["summary"] == ARTICLE["summary"]
    assert rows(app, ArticleVersion) == 2


def test_the_second_of_two_workflow_steps_on_one_version_is_a_conflict(
    app, client, writer, reviewer, create_article
):
    article = create_article()
    with app.test_request_context():
        mine = articles.get_article(uuid.UUID(article["id"]))
        archived = elsewhere(
            lambda: client.post(
                f"/staff/content/articles/{article['id']}/actions",
                headers=if_match(reviewer["headers"], f"/staff/content/articles/{article['id']}/actions", 1),
                json={"action": "archive"},
            )
        )
        assert archived.status_code == 200
        refused = _refused(lambda: articles.transition(mine, "submit", writer["actor"], 1))
        db.session.remove()
    assert (refused.status, refused.code) == (409, "version_conflict")
    assert (
        client.get(f"/staff/content/articles/{article['id']}", headers=writer["headers"]).json["status"]
        == "archived"
    )


def test_the_second_of_two_faq_edits_of_one_version_is_a_conflict(app, client, writer, reviewer):
    assert client.post("/staff/content/faq", headers=writer["headers"], json=FAQ).status_code == 201
    with app.test_request_context():
        mine = faq.get_faq("tax_online")
        first = elsewhere(
            lambda: client.patch(
                "/staff/content/faq/tax_online",
                headers=if_match(reviewer["headers"], "/staff/content/faq/tax_online", 1),
                json={"answer": "Câu trả lời của người sửa trước."},
            )
        )
        assert first.status_code == 200
        refused = _refused(lambda: faq.edit_faq(mine, {"answer": "Của người sửa sau."}, "x", 1))
        db.session.remove()
    assert (refused.status, refused.code) == (409, "version_conflict")
    kept = client.get("/staff/content/faq/tax_online", headers=writer["headers"]).json
    assert kept["answer"] == "Câu trả lời của người sửa trước." and kept["version"] == 2
    assert rows(app, FaqVersion) == 2


def test_two_articles_created_with_one_slug_at_once(app, client, writer, reviewer):
    slug = "lich-tiep-cong-dan"

    def the_other_officer():
        other = elsewhere(
            lambda: client.post(
                "/staff/content/articles", headers=reviewer["headers"], json={**ARTICLE, "slug": slug}
            )
        )
        assert other.status_code == 201

    with app.test_request_context():
        _before_first_flush(the_other_officer)  # after this request checked the slug was free
        refused = _refused(lambda: articles.create_article({**ARTICLE, "slug": slug}, writer["actor"]))
        db.session.remove()
    assert (refused.status, refused.code) == (409, "slug_taken")
    assert rows(app, Article) == 1 and rows(app, ArticleVersion) == 1


def test_two_faq_entries_created_with_one_key_at_once(app, client, writer, reviewer):
    def the_other_officer():
        other = elsewhere(
            lambda: client.post(
                "/staff/content/faq",
                headers=reviewer["headers"],
                json={**FAQ, "questions": ["thuế điện tử là gì", "nộp thuế qua ngân hàng"]},
            )
        )
        assert other.status_code == 201

    with app.test_request_context():
        _before_first_flush(the_other_officer)
        refused = _refused(lambda: faq.create_faq(FAQ, writer["actor"]))
        db.session.remove()
    assert (refused.status, refused.code) == (409, "faq_key_taken")
    assert rows(app, FaqEntry) == 1 and rows(app, FaqVersion) == 1
