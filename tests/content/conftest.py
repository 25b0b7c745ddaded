"""Fixtures of the content tests: two comms officers (a writer and a reviewer), articles, helpers."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.extensions import db

OTHER_WARD_SAME_PROVINCE = "22045"  # Phường Bình Kiến, Đắk Lắk (province 66)
WARD_IN_HANOI = "00004"  # Phường Ba Đình, Hà Nội (province 01)

ARTICLE = {
    "title": "Đề án 06: năm điều người dân cần biết",
    "summary": "Những lợi ích của Đề án 06 với người dân Đắk Lắk khi làm thủ tục hành chính.",
    "body_html": "<p>Đề án 06 giúp người dân <strong>làm thủ tục</strong> nhanh hơn.</p>",
    "category": "de-an-06",
}


# The ETag every response gave for (resource path, version): what a console that read that
# version sends back as If-Match. Recorded by the test client below.
ETAGS: dict[tuple[str, int], str] = {}
_STAFF_RESOURCE = re.compile(r"^(/staff/content/(?:articles|faq))(?:/([^/]+))?(?:/actions)?$")


class RecordingClient(FlaskClient):
    """The test client, noting the ETag of every article or FAQ entry it is answered."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        body = response.get_json(silent=True)
        etag = response.headers.get("ETag")
        match = _STAFF_RESOURCE.match(response.request.path)
        if etag and match and isinstance(body, dict) and "version" in body:
            ident = match.group(2) or body.get("id") or body.get("key")
            ETAGS[(f"{match.group(1)}/{ident}", body["version"])] = etag
        return response


_CLIENTS: list[FlaskClient] = []


@pytest.fixture
def client(app):
    saved = app.test_client_class
    app.test_client_class = RecordingClient
    try:
        _CLIENTS.append(app.test_client())
        yield _CLIENTS[-1]
    finally:
        app.test_client_class = saved
        _CLIENTS.clear()
        ETAGS.clear()


def if_match(headers: dict, path: str, version: int, client: FlaskClient | None = None) -> dict:
    """`headers` with If-Match: the ETag this test was answered for `path` at `version`, as the
    console sends back what it read (read now, with `client`, if this test never asked; a tag
    that matches nothing if the resource has moved past `version`)."""
    path = path.removesuffix("/actions")
    etag = ETAGS.get((path, version))
    reader = client or (_CLIENTS[-1] if _CLIENTS else None)
    if etag is None and reader is not None:
        now = reader.get(path, headers=headers)
        if now.status_code == 200 and now.json.get("version") == version:
            etag = now.headers["ETag"]
    return {**headers, "If-Match": etag or '"never-seen"'}


@pytest.fixture
def writer(staff_headers):
    """A comms officer who writes articles."""
    headers, user = staff_headers("comms")
    return {"headers": headers, "actor": f"staff:{user['id']}"}


@pytest.fixture
def reviewer(staff_headers):
    """A second comms officer, who reviews and publishes."""
    headers, user = staff_headers("comms")
    return {"headers": headers, "actor": f"staff:{user['id']}"}


@pytest.fixture
def create_article(client, writer):
    def create(**fields):
        response = client.post(
            "/staff/content/articles", headers=writer["headers"], json={**ARTICLE, **fields}
        )
        assert response.status_code == 201, response.json
        return response.json

    return create


def act(client, who, article, action, **extra):
    """Run a workflow action on the article as it was last seen (If-Match: that version's ETag)."""
    path = f"/staff/content/articles/{article['id']}"
    headers = if_match(who["headers"], path, article["version"], client)
    return client.post(f"{path}/actions", headers=headers, json={"action": action, **extra})


@pytest.fixture
def publish(client, writer, reviewer):
    """Submit as the writer, publish as the reviewer; returns the published article."""

    def publish(article):
        submitted = act(client, writer, article, "submit")
        assert submitted.status_code == 200, submitted.json
        published = act(client, reviewer, submitted.json, "publish")
        assert published.status_code == 200, published.json
        return published.json

    return publish


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))
