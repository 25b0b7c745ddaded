"""HTTP conventions shared by every blueprint: accepted body types and pagination."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_smorest import Page
from sqlalchemy import Select, func, select

from api.auth.policy import handler_for
from api.errors import ApiError

JSON_MIME = "application/json"
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def accepts(*mimetypes: str) -> Callable:
    """Let a view take bodies other than JSON (forms for the sign-in pages, uploads)."""

    def decorator(func: Callable) -> Callable:
        func.__accepts__ = frozenset(mimetypes)  # type: ignore[attr-defined]
        return func

    return decorator


def init_body_checks(app: Flask) -> None:
    @app.before_request
    def refuse_unexpected_media_type() -> None:
        if request.method not in BODY_METHODS or request.endpoint is None:
            return
        if not request.content_length and not request.headers.get("Transfer-Encoding"):
            return
        handler = handler_for(current_app, request.endpoint, request.method)
        allowed = getattr(handler, "__accepts__", frozenset({JSON_MIME}))
        if request.mimetype not in allowed:
            raise ApiError(
                415,
                "unsupported_media_type",
                f"Định dạng '{request.mimetype or 'không rõ'}' không được hỗ trợ; "
                f"hãy gửi {', '.join(sorted(allowed))}.",
            )


class SelectPage(Page):
    """flask-smorest pagination over a SQLAlchemy `select()`, run on the Flask-SQLAlchemy session.

    Views decorated with `@blp.paginate(SelectPage)` return a `select()`; the page is cut in
    SQL (LIMIT/OFFSET) and the total counted once, so the `X-Pagination` header is exact.
    """

    @property
    def items(self):
        from api.extensions import db

        statement: Select = self.collection
        return db.session.scalars(
            statement.limit(self.page_params.page_size).offset(self.page_params.first_item)
        ).all()

    @property
    def item_count(self) -> int:
        from api.extensions import db

        statement: Select = self.collection
        return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
