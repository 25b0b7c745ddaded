"""Helpers for the personal document store's tests."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from api.storage import get_storage


def upload(
    client, headers, data: bytes, *, filename="giay-to.pdf", content_type=None, title="Giấy tờ", **fields
):
    form = {"title": title, **fields}
    form["file"] = (
        (io.BytesIO(data), filename, content_type) if content_type else (io.BytesIO(data), filename)
    )
    return client.post("/me/documents", data=form, headers=headers, content_type="multipart/form-data")


@pytest.fixture
def stored_files(app):
    """The files in the (local) storage of the session's app, as a set of relative paths."""

    def listing() -> set[str]:
        root = Path(get_storage(app).root)
        return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}

    return listing
