"""Optimistic concurrency for what comms officers edit (articles and FAQ entries): every change
is made on the version it was read at. Over HTTP the caller names it with If-Match (the routes
check the ETag: 412 when stale); the service then applies the change at that version
(`version_id_col`), so of two changes racing on one version the second is refused with 409
`version_conflict`, and two officers editing at once never silently overwrite each other."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from api.errors import ApiError
from api.extensions import db


def check_version(current: int, expected: int | None, what: str) -> None:
    """The caller must name the version it edits; a stale one is refused (optimistic concurrency)."""
    if expected is None:
        raise ApiError(
            428,
            "precondition_required",
            f"Hãy gửi kèm tiêu đề If-Match với ETag của {what} bạn đang sửa.",
        )
    if expected != current:
        raise version_conflict(what, current)


def version_conflict(what: str, current: int | None) -> ApiError:
    return ApiError(
        409,
        "version_conflict",
        f"{what.capitalize()} đã được người khác thay đổi"
        + (f" (phiên bản hiện tại là {current})" if current is not None else "")
        + ". Hãy tải lại, xem thay đổi rồi sửa lại.",
        current_version=current,
    )


def current_version(model, row_id: uuid.UUID) -> int | None:
    return db.session.scalar(select(model.version).where(model.id == row_id))
