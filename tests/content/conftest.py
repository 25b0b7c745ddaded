"""Fixtures of the content tests: two comms officers (a writer and a reviewer), articles, helpers."""

from __future__ import annotations

import pytest
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
    """Run a workflow action on the article as it was last seen (its version)."""
    body = {"action": action, "version": article["version"], **extra}
    return client.post(f"/staff/content/articles/{article['id']}/actions", headers=who["headers"], json=body)


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
