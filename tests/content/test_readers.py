"""What citizens read: audience filtering, accent-insensitive search, reads and reach."""

from __future__ import annotations

from datetime import date

from tests.conftest import DEMO_WARD, assert_problem
from tests.content.conftest import OTHER_WARD_SAME_PROVINCE, WARD_IN_HANOI, act


def _ids(response):
    assert response.status_code == 200, response.json
    return {a["id"] for a in response.json}


def test_a_ward_only_article_reaches_that_ward_only(client, citizen_headers, create_article, publish):
    ward_article = publish(create_article(audience={"scope": "wards", "ward_codes": [DEMO_WARD]}))
    for_all = publish(create_article(title="Lịch tiếp công dân tháng này"))
    here, _, _ = citizen_headers(ward_code=DEMO_WARD)
    elsewhere, _, _ = citizen_headers(ward_code=OTHER_WARD_SAME_PROVINCE)

    assert _ids(client.get("/content/articles", headers=here)) == {ward_article["id"], for_all["id"]}
    assert _ids(client.get("/content/articles", headers=elsewhere)) == {for_all["id"]}
    assert _ids(client.get("/content/articles")) == {for_all["id"]}  # anonymous: for everyone only
    assert client.get(f"/content/articles/{ward_article['slug']}", headers=elsewhere).status_code == 404
    assert client.get(f"/content/articles/{ward_article['slug']}").status_code == 404
    assert client.get(f"/content/articles/{ward_article['slug']}", headers=here).status_code == 200


def test_province_and_age_band(client, citizen_headers, create_article, publish):
    province = publish(create_article(audience={"scope": "province", "province_code": "66"}))
    elders = publish(
        create_article(title="Chi trả trợ cấp tuổi cao", audience={"scope": "all", "age_min": 60})
    )
    daklak_young, _, _ = citizen_headers(ward_code=OTHER_WARD_SAME_PROVINCE, date_of_birth=date(2000, 1, 1))
    hanoi_old, _, _ = citizen_headers(ward_code=WARD_IN_HANOI, date_of_birth=date(1950, 1, 1))
    assert _ids(client.get("/content/articles", headers=daklak_young)) == {province["id"]}
    assert _ids(client.get("/content/articles", headers=hanoi_old)) == {elders["id"]}


def test_search_ignores_accents_and_filters_by_category(client, create_article, publish):
    de_an = publish(create_article())
    vneid = publish(
        create_article(
            title="Cách kích hoạt tài khoản định danh",
            summary="Hướng dẫn từng bước kích hoạt VNeID mức 2.",
            body_html="<p>Mở ứng dụng VNeID và làm theo hướng dẫn.</p>",
            category="vneid",
        )
    )
    assert _ids(client.get("/content/articles?q=de an 06")) == {de_an["id"]}
    assert _ids(client.get("/content/articles?q=ĐỀ ÁN")) == {de_an["id"]}
    assert _ids(client.get("/content/articles?q=kich hoat")) == {vneid["id"]}
    assert _ids(client.get("/content/articles?q=100%")) == set()
    assert _ids(client.get("/content/articles?category=vneid")) == {vneid["id"]}
    bad = client.get("/content/articles?category=khong-co")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    cats = client.get("/content/categories").json
    assert {"slug": "de-an-06", "name": "Đề án 06"} in cats


def test_statistics_count_unique_readers_per_day_and_the_reach(
    client, writer, make_citizen, citizen_headers, create_article, publish, staff_headers
):
    article = publish(create_article(audience={"scope": "wards", "ward_codes": [DEMO_WARD]}))
    reader, _, _ = citizen_headers(ward_code=DEMO_WARD)
    other_reader, _, _ = citizen_headers(ward_code=DEMO_WARD)
    citizen_headers(ward_code=OTHER_WARD_SAME_PROVINCE)  # not in the audience
    make_citizen(ward_code=DEMO_WARD)  # in the audience, never reads

    for _ in range(3):  # one reader, three times the same day: one read
        assert client.get(f"/content/articles/{article['slug']}", headers=reader).status_code == 200
    client.get(f"/content/articles/{article['id']}", headers=other_reader)
    admin, _ = staff_headers("admin")
    client.get(f"/content/articles/{article['id']}", headers=admin)  # a staff preview is not a read

    stats = client.get(f"/staff/content/articles/{article['id']}/statistics", headers=writer["headers"])
    assert stats.status_code == 200, stats.json
    assert stats.json["reach"] == 3
    assert stats.json["readers"] == 2 and stats.json["reads"] == 2
    assert stats.json["anonymous_views"] == 0
    assert stats.json["read_rate"] == round(2 / 3, 4)
    assert [d["reads"] for d in stats.json["by_day"]] == [2]


def test_anonymous_views_are_counted_apart(client, writer, citizen_headers, create_article, publish):
    article = publish(create_article())
    citizen_headers()
    client.get(f"/content/articles/{article['slug']}")
    client.get(f"/content/articles/{article['slug']}")
    stats = client.get(f"/staff/content/articles/{article['id']}/statistics", headers=writer["headers"]).json
    assert stats["anonymous_views"] == 2 and stats["readers"] == 0
    assert stats["reach"] == 1


def test_an_archived_article_disappears_for_readers(client, writer, create_article, publish):
    article = publish(create_article())
    act(client, writer, article, "archive")
    assert client.get(f"/content/articles/{article['slug']}").status_code == 404
    assert client.get("/content/articles").json == []


def test_anonymous_views_are_rate_limited_per_address(make_app, create_article, publish):
    """Each anonymous call adds a view: one address cannot inflate an article's figures."""
    article = publish(create_article())
    limited = make_app(RATELIMIT_PUBLIC_LOOKUP="3 per minute").test_client()
    url = f"/content/articles/{article['slug']}"
    assert [limited.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert_problem(limited.get(url), 429, "rate_limited")
    assert limited.get(url, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
