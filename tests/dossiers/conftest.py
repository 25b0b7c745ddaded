"""Fixtures of the online-public-services tests."""

from __future__ import annotations

import pytest

from api.dossiers.catalogue import service
from api.extensions import db


@pytest.fixture
def catalogue(app):
    with app.app_context():
        service.seed_catalogue()
        db.session.commit()
        db.session.remove()
