"""HTTP conventions shared by every blueprint: accepted body types and sizes, conditional PUT, pagination."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from copy import deepcopy

import flask_smorest as smorest
import marshmallow as ma
from flask import Flask, current_app, request
from flask.views import MethodView
from flask_smorest import Page
from flask_smorest.exceptions import PreconditionFailed, PreconditionRequired
from flask_smorest.pagination import PaginationParameters
from flask_smorest.utils import unpack_tuple_response
from sqlalchemy import Select, func, select

from api.errors import ApiError
from api.extensions import db, limiter, public_lookup_limit
from api.policy import current_principal, handler_for

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


OCTET_STREAM = "application/octet-stream"
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def download(*media_types: str, description: str) -> Callable:
    """Mark a view that answers a stored file's bytes, in the media type the file was checked as.

    Documented with `application/octet-stream` first, then the file's possible types: generated
    clients read octet-stream as bytes, while a list of only image/jpeg, image/png... left them
    nothing to read. The octet-stream label is real: a client that prefers it (`Accept`) gets the
    same bytes labelled so; any other client gets the file's own type.
    """
    content = {OCTET_STREAM: _BINARY, **{media_type: _BINARY for media_type in media_types}}
    document = smorest.Blueprint.doc(responses={"200": {"description": description, "content": content}})

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            response = current_app.make_response(func(*args, **kwargs))
            offered = [response.mimetype, OCTET_STREAM]
            if response.status_code == 200 and request.accept_mimetypes.best_match(offered) == OCTET_STREAM:
                response.content_type = OCTET_STREAM
            return response

        return document(wrapper)

    return decorator


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


# `?page=&page_size=` of every list. The page is bounded like every integer the API reads: an
# unbounded one reached the database as an offset that overflows SQLite's integers and
# PostgreSQL's bigint (a 500); out of range it is a 422 `validation_failed` like any bad field.
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10


@functools.cache
def pagination_query(default_page_size: int = DEFAULT_PAGE_SIZE) -> type[ma.Schema]:
    """The one pagination parameters schema, with a list's default page size."""

    class PaginationQuerySchema(ma.Schema):
        class Meta:
            unknown = ma.EXCLUDE  # the list's own filters are read by its own schema

        page = ma.fields.Integer(
            load_default=1,
            validate=ma.validate.Range(min=1, max=MAX_PAGE),
            metadata={"description": "trang, từ 1"},
        )
        page_size = ma.fields.Integer(
            load_default=default_page_size,
            validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE),
            metadata={"description": "số mục mỗi trang"},
        )

        @ma.post_load
        def make_parameters(self, data, **kwargs):
            return PaginationParameters(**data)

    return PaginationQuerySchema


class SelectPage(Page):
    """flask-smorest pagination over a SQLAlchemy `select()`, run on the Flask-SQLAlchemy session.

    Views decorated with `@blp.paginate(SelectPage)` return a `select()`; the page is cut in
    SQL (LIMIT/OFFSET) and the total counted once, so the `X-Pagination` header is exact.
    """

    @property
    def items(self):
        statement: Select = self.collection
        return db.session.scalars(
            statement.limit(self.page_params.page_size).offset(self.page_params.first_item)
        ).all()

    @property
    def item_count(self) -> int:
        statement: Select = self.collection
        return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


class Blueprint(smorest.Blueprint):
    """flask-smorest's Blueprint, with bounded pagination, letting a PUT create a resource
    without If-Match. Every blueprint of the API is one of these.

    flask-smorest requires If-Match on every PUT; RFC 9110 §13.1.1 asks for it only when the
    client replaces a representation it has seen. A view marked `@put_may_create` checks the
    precondition itself with `check_replace_precondition`: none needed to create, If-Match
    required to replace, and If-Match on a missing resource fails as the RFC says.
    """

    def response(self, status_code, schema=None, **kwargs):
        """flask-smorest's `response`, flushing the unit of work before the answer is dumped: a
        service stages its rows and the edge commits after the view (api/unit_of_work.py), but
        what the answer shows (ids, defaults, timestamps) must exist first, and a constraint the
        database refuses must fail the request before an answer is made."""
        document = super().response(status_code, schema, **kwargs)

        def decorator(func):
            @functools.wraps(func)
            def flushed(*args, **kwargs):
                result = current_app.ensure_sync(func)(*args, **kwargs)
                db.session.flush()
                return result

            return document(flushed)

        return decorator

    def paginate(self, pager: type[Page], *, page_size: int = DEFAULT_PAGE_SIZE):
        """flask-smorest's `paginate` with a pager (`Page`, `SelectPage`), reading
        `pagination_query`: the same `X-Pagination` header, and `page` bounded (flask-smorest's
        has no maximum)."""
        schema = pagination_query(page_size)

        def decorator(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                page_params = self.PAGINATION_ARGUMENTS_PARSER.parse(schema, request, location="query")
                result, status, headers = unpack_tuple_response(
                    current_app.ensure_sync(func)(*args, **kwargs)
                )
                result = pager(result, page_params=page_params).items
                result, headers = self._set_pagination_metadata(page_params, result, headers)
                return result, status, headers

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
            wrapper._apidoc["pagination"] = {
                "parameters": {"in": "query", "schema": schema},
                "response": {422: "UNPROCESSABLE_ENTITY"},
            }
            return wrapper

        return decorator

    def _put_may_create(self) -> bool:
        handler = handler_for(current_app, request.endpoint, request.method)
        return request.method == "PUT" and getattr(handler, "__put_may_create__", False)

    @staticmethod
    def _post_needs_if_match() -> bool:
        handler = handler_for(current_app, request.endpoint, request.method)
        return request.method == "POST" and getattr(handler, "__needs_if_match__", False)

    def _check_precondition(self):
        if self._post_needs_if_match() and not request.if_match:
            raise PreconditionRequired
        if not self._put_may_create():
            super()._check_precondition()

    def _verify_check_etag(self):
        if self._post_needs_if_match():
            if not smorest.etag._get_etag_ctx().get("etag_checked"):
                raise RuntimeError(f"{request.endpoint}: a POST marked @needs_if_match must call check_etag")
            return
        if not self._put_may_create():
            super()._verify_check_etag()

    def check_etag(self, etag_data, etag_schema=None):
        """flask-smorest's check (412 when If-Match names another version), also for a POST
        marked `@needs_if_match`, which flask-smorest would only warn about."""
        if self._post_needs_if_match():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return super().check_etag(etag_data, etag_schema)
        return super().check_etag(etag_data, etag_schema)

    def check_replace_precondition(self, current_view, schema) -> None:
        """For a `@put_may_create` PUT: `current_view` is the resource as GET shows it, or None."""
        if current_view is None:
            if request.if_match:
                raise PreconditionFailed  # If-Match on nothing is false (RFC 9110 §13.1.1)
            return
        if not request.if_match:
            raise PreconditionRequired
        self.check_etag(current_view, schema)


def needs_if_match(func: Callable) -> Callable:
    """Mark a POST that acts on an existing resource (a dossier's next step, a refund, a
    campaign's approval): under the view's `@blp.etag` it needs If-Match like a PUT, PATCH or
    DELETE (428 without, 412 when stale), and the view must call `blp.check_etag`. This is the
    one ETag mechanism of the API; the service still applies the change with a conditional
    UPDATE on the version it was checked against (`api.concurrency.compare_and_set`)."""
    func.__needs_if_match__ = True
    return func


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
