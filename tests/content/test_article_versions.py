"""Every edit is a version; a stale edit is refused with 409 and changes nothing."""

from __future__ import annotations

from content.models import ArticleVersion
from tests.content.conftest import act, audit_count, if_match, rows


def _edit(client, who, article_id, version=None, **body):
    """Edit the article as read at `version` (If-Match: that version's ETag; none without)."""
    url = f"/staff/content/articles/{article_id}"
    headers = who["headers"] if version is None else if_match(who["headers"], url, version)
    return client.patch(url, headers=headers, json=body)


def test_each_edit_records_a_version_with_who_when_and_the_content(
    app, client, writer, reviewer, create_article
):
    article = create_article()
    edited = _edit(client, reviewer, article["id"], title="Đề án 06: sáu điều cần biết", version=1)
    assert edited.status_code == 200, edited.json
    assert edited.json["version"] == 2 and edited.json["updated_by"] == reviewer["actor"]
    read = client.get(f"/staff/content/articles/{article['id']}", headers=writer["headers"])
    assert edited.headers["ETag"] == read.headers["ETag"]  # the article's, whoever reads it

    versions = client.get(f"/staff/content/articles/{article['id']}/versions", headers=writer["headers"])
    assert versions.status_code == 200
    assert [(v["version"], v["change"], v["by"]) for v in versions.json] == [
        (2, "edited", reviewer["actor"]),
        (1, "created", writer["actor"]),
    ]
    assert versions.json[0]["content"]["title"] == "Đề án 06: sáu điều cần biết"
    assert versions.json[1]["content"]["title"] == "Đề án 06: năm điều người dân cần biết"
    assert versions.json[0]["at"].endswith("+07:00")

    one = client.get(f"/staff/content/articles/{article['id']}/versions/1", headers=writer["headers"])
    assert one.json["content"]["body_html"] == article["body_html"]
    assert (
        client.get(
            f"/staff/content/articles/{article['id']}/versions/9", headers=writer["headers"]
        ).status_code
        == 404
    )
    assert audit_count(app, "content.article_edited") == 1


def test_a_stale_edit_is_refused_with_412_and_changes_nothing(app, client, writer, reviewer, create_article):
    article = create_article()
    assert _edit(client, writer, article["id"], title="Bản sửa của người viết", version=1).status_code == 200
    stale = _edit(client, reviewer, article["id"], title="Bản sửa của người duyệt", version=1)
    assert stale.status_code == 412
    assert stale.json["code"] == "precondition_failed"
    current = client.get(f"/staff/content/articles/{article['id']}", headers=writer["headers"]).json
    assert current["title"] == "Bản sửa của người viết" and current["version"] == 2
    assert rows(app, ArticleVersion) == 2

    # A workflow action on a stale copy is refused the same way.
    assert act(client, writer, {**current, "version": 1}, "submit").status_code == 412


def test_if_match_names_the_version_edited(client, writer, create_article):
    article = create_article()
    url = f"/staff/content/articles/{article['id']}"
    etag = client.get(url, headers=writer["headers"]).headers["ETag"]
    ok = client.patch(
        url, headers={**writer["headers"], "If-Match": etag}, json={"title": "Tiêu đề theo ETag"}
    )
    assert ok.status_code == 200 and ok.json["version"] == 2
    stale = client.patch(url, headers={**writer["headers"], "If-Match": etag}, json={"title": "Lần hai"})
    assert stale.status_code == 412 and stale.json["code"] == "precondition_failed"
    missing = client.patch(url, headers=writer["headers"], json={"title": "Không có phiên bản"})
    assert missing.status_code == 428


def test_an_edit_in_review_goes_back_to_draft_and_a_published_article_is_unpublished_first(
    client, writer, create_article, publish
):
    article = create_article()
    submitted = act(client, writer, article, "submit").json
    edited = _edit(
        client,
        writer,
        article["id"],
        summary="Tóm tắt đã sửa khi đang chờ duyệt.",
        version=submitted["version"],
    )
    assert edited.json["status"] == "draft"

    published = publish(edited.json)
    refused = _edit(client, writer, article["id"], title="Sửa khi đang đăng", version=published["version"])
    assert refused.status_code == 409 and refused.json["code"] == "article_not_editable"


def test_an_edit_that_changes_nothing_adds_no_version(app, client, writer, create_article):
    article = create_article()
    same = _edit(client, writer, article["id"], title=article["title"], version=1)
    assert same.status_code == 200 and same.json["version"] == 1
    assert rows(app, ArticleVersion) == 1
    empty = _edit(client, writer, article["id"], version=1)
    assert empty.status_code == 422
