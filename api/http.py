"""HTTP conventions shared by every blueprint: accepted body types and sizes, conditional PUT, pagination."""

from __future__ import annotations

from collections.abc import Callable

import flask_smorest as smorest
from flask import Flask, current_app, request
from flask.views import MethodView
from flask_smorest import Page
from flask_smorest.exceptions import PreconditionFailed, PreconditionRequired
from sqlalchemy import Select, func, select

from api.auth.policy import current_principal, handler_for
from api.errors import ApiError
from api.extensions import limiter, public_lookup_limit

JSON_MIME = "application/json"
MULTIPART_MIME = "multipart/form-data"  # what upload routes accept besides JSON
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def accepts(*mimetypes: str) -> Callable:
    """Let a view take bodies other than JSON (forms for the sign-in pages, uploads)."""

    def decorator(func: Callable) -> Callable:
        func.__accepts__ = frozenset(mimetypes)  # type: ignore[attr-defined]
        return func

    return decorator


# Room for what a multipart body carries besides the file: boundaries, part headers, the
# short text fields. The file itself is measured exactly by the view (`file_too_large`).
MULTIPART_OVERHEAD = 64 * 1024


def max_body(setting: str) -> Callable:
    """Let a view take bodies up to `app.config[setting]` bytes of file (uploads).

    Every other route keeps MAX_CONTENT_LENGTH (1 MB of JSON by default). The larger limit is
    applied per request (Flask's `request.max_content_length`) in `init_body_checks`, so it
    holds only for the marked view and is still enforced while the body streams in.
    """

    def decorator(func: Callable) -> Callable:
        func.__max_body__ = setting  # type: ignore[attr-defined]
        return func

    return decorator


def init_body_checks(app: Flask) -> None:
    @app.before_request
    def refuse_unexpected_media_type() -> None:
        if request.method not in BODY_METHODS or request.endpoint is None:
            return
        handler = handler_for(current_app, request.endpoint, request.method)
        setting = getattr(handler, "__max_body__", None)
        if setting is not None:
            _raise_body_limit(current_app.config[setting])
        if not request.content_length and not request.headers.get("Transfer-Encoding"):
            return
        allowed = getattr(handler, "__accepts__", frozenset({JSON_MIME}))
        if request.mimetype not in allowed:
            raise ApiError(
                415,
                "unsupported_media_type",
                f"Định dạng '{request.mimetype or 'không rõ'}' không được hỗ trợ; "
                f"hãy gửi {', '.join(sorted(allowed))}.",
            )


def _raise_body_limit(max_file_bytes: int) -> None:
    request.max_content_length = max_file_bytes + MULTIPART_OVERHEAD
    # A declared length over the limit is refused before a byte is read, and with the upload's
    # own code; a chunked body without a length is cut off by werkzeug while it streams
    # (413 `payload_too_large`).
    if request.content_length is not None and request.content_length > request.max_content_length:
        raise file_too_large(max_file_bytes)


def file_too_large(max_bytes: int) -> ApiError:
    """413 `file_too_large`: an upload over its limit, whether seen here or by the view."""
    megabyte = 1024 * 1024
    shown = f"{max_bytes / megabyte:g} MB" if max_bytes >= megabyte else f"{max_bytes / 1024:g} KB"
    return ApiError(
        413,
        "file_too_large",
        f"Tệp vượt quá dung lượng cho phép ({shown}). Hãy giảm độ phân giải ảnh "
        "hoặc nén tệp PDF rồi thử lại.",
        max_bytes=max_bytes,
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


class Blueprint(smorest.Blueprint):
    """flask-smorest's Blueprint, letting a PUT create a resource without If-Match.

    flask-smorest requires If-Match on every PUT; RFC 9110 §13.1.1 asks for it only when the
    client replaces a representation it has seen. A view marked `@put_may_create` checks the
    precondition itself with `check_replace_precondition`: none needed to create, If-Match
    required to replace, and If-Match on a missing resource fails as the RFC says.
    """

    def _put_may_create(self) -> bool:
        handler = handler_for(current_app, request.endpoint, request.method)
        return request.method == "PUT" and getattr(handler, "__put_may_create__", False)

    def _check_precondition(self):
        if not self._put_may_create():
            super()._check_precondition()

    def _verify_check_etag(self):
        if not self._put_may_create():
            super()._verify_check_etag()

    def check_replace_precondition(self, current_view, schema) -> None:
        """For a `@put_may_create` PUT: `current_view` is the resource as GET shows it, or None."""
        if current_view is None:
            if request.if_match:
                raise PreconditionFailed  # If-Match on nothing is false (RFC 9110 §13.1.1)
            return
        if not request.if_match:
            raise PreconditionRequired
        self.check_etag(current_view, schema)


def put_may_create(func: Callable) -> Callable:
    """Mark a PUT that creates the resource when absent (see `Blueprint`)."""
    func.__put_may_create__ = True
    return func


def _machine_account_calling() -> bool:
    """A machine account (the chatbot's action server) looks up for many citizens from one
    address: the per-address limit meant for the public would throttle them all. Machine
    accounts are issued by administrators and their own sign-in is rate-limited."""
    principal = current_principal()
    return principal is not None and principal.kind == "service"


class PublicLookupView(MethodView):
    """Base of the public lookup endpoints (catalogues, tracking): rate-limited per client address."""

    decorators = [limiter.limit(public_lookup_limit, exempt_when=_machine_account_calling)]
