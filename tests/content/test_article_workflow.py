"""Articles: draft -> review -> published by a second comms user; roles; citizens never see drafts."""

from __future__ import annotations

from content.models import ArticleVersion
from tests.content.conftest import ARTICLE, act, audit_count, if_match, rows


def test_a_draft_is_reviewed_and_published_by_a_second_comms_user(
    app, client, writer, reviewer, create_article, citizen_headers
):
    citizen, _, _ = citizen_headers()
    draft = create_article()
    assert draft["status"] == "draft" and draft["version"] == 1
    assert draft["slug"] == "de-an-06-nam-dieu-nguoi-dan-can-biet"
    assert draft["created_by"] == writer["actor"]

    # Nobody outside the comms desk sees it: not the citizen, not anonymous readers.
    assert client.get(f"/content/articles/{draft['slug']}", headers=citizen).status_code == 404
    assert client.get(f"/content/articles/{draft['id']}").status_code == 404
    assert client.get("/content/articles", headers=citizen).json == []

    submitted = act(client, writer, draft, "submit")
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "review" and submitted.json["submitted_by"] == writer["actor"]
    assert client.get(f"/content/articles/{draft['slug']}", headers=citizen).status_code == 404

    # The writer cannot publish their own article: four eyes.
    own = act(client, writer, submitted.json, "publish")
    assert own.status_code == 403
    assert own.json["code"] == "second_reviewer_required"

    published = act(client, reviewer, submitted.json, "publish")
    assert published.status_code == 200, published.json
    assert published.json["status"] == "published"
    assert published.json["published_by"] == reviewer["actor"]

    shown = client.get(f"/content/articles/{draft['slug']}", headers=citizen)
    assert shown.status_code == 200
    assert shown.json["title"] == ARTICLE["title"]
    assert "<strong>làm thủ tục</strong>" in shown.json["body_html"]
    assert [a["id"] for a in client.get("/content/articles", headers=citizen).json] == [draft["id"]]
    assert [a["id"] for a in client.get("/content/articles").json] == [draft["id"]]

    # Unpublished, it is gone again for readers.
    unpublished = act(client, reviewer, published.json, "unpublish")
    assert unpublished.json["status"] == "unpublished"
    assert client.get(f"/content/articles/{draft['slug']}", headers=citizen).status_code == 404

    assert audit_count(app, "content.article_created") == 1
    assert audit_count(app, "content.article_submit") == 1
    assert audit_count(app, "content.article_publish") == 1
    assert audit_count(app, "content.article_unpublish") == 1
    # the refused self-publication changed nothing and recorded no version
    assert rows(app, ArticleVersion) == 4


def test_the_last_editor_cannot_publish_either(client, writer, reviewer, create_article):
    draft = create_article()
    submitted = act(client, writer, draft, "submit").json
    # The reviewer edits it (it goes back to draft), so the reviewer is now an author.
    edited = client.patch(
        f"/staff/content/articles/{draft['id']}",
        headers=if_match(reviewer["headers"], f"/staff/content/articles/{draft['id']}", submitted["version"]),
        json={"summary": "Tóm tắt mới của bài viết về Đề án 06."},
    )
    assert edited.status_code == 200 and edited.json["status"] == "draft"
    resubmitted = act(client, writer, edited.json, "submit").json
    refused = act(client, reviewer, resubmitted, "publish")
    assert refused.status_code == 403 and refused.json["code"] == "second_reviewer_required"


def test_returning_needs_a_reason_and_goes_back_to_draft(client, writer, reviewer, create_article):
    submitted = act(client, writer, create_article(), "submit").json
    no_note = act(client, reviewer, submitted, "return")
    assert no_note.status_code == 422 and no_note.json["code"] == "note_required"
    returned = act(client, reviewer, submitted, "return", note="Thiếu nguồn trích dẫn văn bản.")
    assert returned.status_code == 200 and returned.json["status"] == "draft"


def test_an_action_that_does_not_fit_the_state_is_refused(client, reviewer, create_article):
    draft = create_article()
    refused = act(client, reviewer, draft, "publish")
    assert refused.status_code == 409
    assert refused.json["code"] == "illegal_transition"
    assert refused.json["status_code"] == "draft"
    assert act(client, reviewer, draft, "dance").status_code == 422


def test_archive_and_restore(client, writer, create_article):
    draft = create_article()
    archived = act(client, writer, draft, "archive").json
    assert archived["status"] == "archived"
    restored = act(client, writer, archived, "restore").json
    assert restored["status"] == "draft"


def test_only_comms_staff_and_admins_manage_articles(client, staff_headers, citizen_headers, create_article):
    article = create_article()
    officer, _ = staff_headers("officer")
    citizen, _, _ = citizen_headers()
    for headers in (officer, citizen):
        assert client.post("/staff/content/articles", headers=headers, json=ARTICLE).status_code == 403
        assert client.get(f"/staff/content/articles/{article['id']}", headers=headers).status_code == 403
        assert client.get("/staff/content/articles", headers=headers).status_code == 403
    assert client.get("/staff/content/articles").status_code == 401
    admin, _ = staff_headers("admin")
    assert client.get(f"/staff/content/articles/{article['id']}", headers=admin).status_code == 200


def test_staff_list_filters_by_status_and_search(client, writer, create_article):
    create_article()
    other = create_article(title="Hướng dẫn kích hoạt VNeID", category="vneid")
    act(client, writer, other, "submit")
    listed = client.get("/staff/content/articles?status=review", headers=writer["headers"])
    assert [a["id"] for a in listed.json] == [other["id"]]
    found = client.get("/staff/content/articles?q=kich hoat vneid", headers=writer["headers"])
    assert [a["id"] for a in found.json] == [other["id"]]


def test_bad_input_is_refused_with_problem_details(app, client, writer):
    headers = writer["headers"]
    before = rows(app, ArticleVersion)
    cases = [
        ({**ARTICLE, "category": "thoi-tiet"}, "category"),
        ({**ARTICLE, "title": 42}, "title"),
        ({**ARTICLE, "extra": "x"}, "extra"),
        ({k: v for k, v in ARTICLE.items() if k != "summary"}, "summary"),
        ({**ARTICLE, "cover_image_url": "http://anh.example/a.jpg"}, "cover_image_url"),
        ({**ARTICLE, "audience": {"scope": "wards"}}, "audience.ward_codes"),
        ({**ARTICLE, "audience": {"scope": "all", "age_min": 60, "age_max": 18}}, "audience.age_max"),
        ({**ARTICLE, "slug": "Không Dấu"}, "slug"),
    ]
    for body, field in cases:
        response = client.post("/staff/content/articles", headers=headers, json=body)
        assert response.status_code == 422, (field, response.json)
        assert response.mimetype == "application/problem+json"
        assert field in [e["field"] for e in response.json["errors"]], response.json
    unknown_ward = client.post(
        "/staff/content/articles",
        headers=headers,
        json={**ARTICLE, "audience": {"scope": "wards", "ward_codes": ["99999"]}},
    )
    assert unknown_ward.status_code == 422 and unknown_ward.json["code"] == "unknown_ward"
    huge = client.post(
        "/staff/content/articles", headers=headers, json={**ARTICLE, "body_html": "x" * 1_100_000}
    )
    assert huge.status_code == 413
    assert rows(app, ArticleVersion) == before == 0


def test_slugs_are_unique_and_locked_once_published(client, writer, create_article, publish):
    first = create_article()
    second = create_article()
    assert second["slug"] == first["slug"] + "-2"
    taken = client.post(
        "/staff/content/articles", headers=writer["headers"], json={**ARTICLE, "slug": first["slug"]}
    )
    assert taken.status_code == 409 and taken.json["code"] == "slug_taken"
    published = publish(first)
    unpublished = act(client, writer, published, "unpublish").json
    locked = client.patch(
        f"/staff/content/articles/{first['id']}",
        headers=if_match(writer["headers"], f"/staff/content/articles/{first['id']}", unpublished["version"]),
        json={"slug": "duong-dan-moi"},
    )
    assert locked.status_code == 409 and locked.json["code"] == "slug_locked"
