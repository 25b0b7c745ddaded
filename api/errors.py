"""RFC 9457 problem details: the one place every error of the API is shaped.

Every error leaves the API as `application/problem+json` with `type`, `title`, `status`,
`detail`, a stable machine-readable `code` and, for validation failures, `errors` with the
path of each field. Titles and details are Vietnamese: they are shown to citizens as they are.
Internals (exception text, stack traces) never reach the client; they go to the log with the
request id, which the problem carries so a call-centre agent can find the log line.

One exception: a standard with an error format of its own (Open311 GeoReport v2) registers a
renderer for its URL prefix (`register_error_format`), and every error under that prefix, the
routing's 404 and 405 and the hooks' refusals included, leaves in that format instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app, g, has_request_context, jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from api.fields import SOMETIMES_SENT

log = logging.getLogger(__name__)

PROBLEM_MIME = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:congdanso:problem:"

# Default code and Vietnamese title for each HTTP status the API answers with.
STATUS_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ"),
    401: ("unauthorized", "Chưa đăng nhập hoặc phiên đăng nhập không hợp lệ"),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này"),
    404: ("not_found", "Không tìm thấy"),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ"),
    409: ("conflict", "Xung đột dữ liệu"),
    412: ("precondition_failed", "Dữ liệu đã bị thay đổi bởi một thao tác khác"),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn"),
    414: ("uri_too_long", "Địa chỉ yêu cầu quá dài"),  # from gunicorn.conf.py's worker
    415: ("unsupported_media_type", "Định dạng dữ liệu không được hỗ trợ"),
    422: ("validation_failed", "Dữ liệu không hợp lệ"),
    428: ("precondition_required", "Thiếu điều kiện If-Match cho thao tác sửa đổi"),
    429: ("rate_limited", "Bạn thao tác quá nhiều lần, vui lòng thử lại sau"),
    500: ("internal_error", "Hệ thống gặp sự cố, vui lòng thử lại sau"),
    503: ("service_unavailable", "Dịch vụ tạm thời không khả dụng"),
}

DEFAULT_DETAILS: dict[int, str] = {
    404: "Tài nguyên bạn yêu cầu không tồn tại hoặc bạn không có quyền xem.",
    405: "Đường dẫn này không hỗ trợ phương thức đã dùng.",
    413: "Kích thước dữ liệu vượt quá giới hạn cho phép.",
    415: "Vui lòng gửi dữ liệu dạng application/json.",
    428: "Hãy gửi kèm tiêu đề If-Match với ETag bạn đã nhận.",
    412: "Tài nguyên đã thay đổi kể từ lần bạn tải về; hãy tải lại rồi thử lại.",
    429: "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút.",
    500: "Đã có lỗi xảy ra. Vui lòng thử lại sau; nếu lỗi lặp lại, hãy gọi tổng đài 1900 0368.",
}

# marshmallow and webargs speak English; citizens read Vietnamese. Known messages are
# translated here, once; messages our own validators raise are already Vietnamese.
MESSAGE_TRANSLATIONS: dict[str, str] = {
    "Missing data for required field.": "Trường này là bắt buộc.",
    "Unknown field.": "Trường này không được phép.",
    "Field may not be null.": "Trường này không được để trống.",
    "Not a valid string.": "Giá trị phải là chuỗi ký tự.",
    "Not a valid integer.": "Giá trị phải là số nguyên.",
    "Not a valid number.": "Giá trị phải là số.",
    "Not a valid boolean.": "Giá trị phải là true hoặc false.",
    "Not a valid date.": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "Not a valid datetime.": "Thời điểm không hợp lệ (định dạng ISO 8601).",
    "Not a valid UUID.": "Mã định danh không hợp lệ.",
    "Not a valid email address.": "Địa chỉ email không hợp lệ.",
    "Not a valid list.": "Giá trị phải là một danh sách.",
    "Not a valid mapping type.": "Giá trị phải là một đối tượng.",
    "Invalid input type.": "Kiểu dữ liệu không hợp lệ.",
    "Invalid JSON body.": "Nội dung JSON không đọc được.",
    "Invalid value.": "Giá trị không hợp lệ.",
    "Shorter than minimum length {min}.": "Quá ngắn.",
}


class ApiError(Exception):
    """An expected failure a service reports to its caller, with a stable code.

    Services raise it; the handler below turns it into a problem response. `errors` holds
    per-field problems as {field path: [messages]}.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: Mapping[str, Iterable[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})
        self.extra = extra


def problem_response(
    status: int,
    code: str | None = None,
    detail: str | None = None,
    *,
    errors: Mapping[str, Iterable[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
):
    """Build an `application/problem+json` response; under a prefix registered with
    `register_error_format`, that standard's own error format instead."""
    default_code, title = STATUS_PROBLEMS.get(status, ("error", "Lỗi"))
    render = _error_format_of_request()
    if render is not None:
        messages = [
            f"{field}: {translate(m)}" for field, msgs in sorted((errors or {}).items()) for m in msgs
        ]
        return render(status, messages or [detail or DEFAULT_DETAILS.get(status, title)], dict(headers or {}))
    code = code or default_code
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail or DEFAULT_DETAILS.get(status, title),
        "code": code,
    }
    if errors:
        body["errors"] = [
            {"field": field, "messages": [translate(m) for m in messages]}
            for field, messages in sorted(errors.items())
        ]
    request_id = g.get("request_id") if g else None
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIME
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# render(status, messages, headers) -> the response, in the standard's own error format.
ErrorRenderer = Callable[[int, list[str], dict[str, str]], Response]
_ERROR_FORMATS = "cds_error_formats"


def register_error_format(app: Flask, prefix: str, render: ErrorRenderer) -> None:
    """Render every error of the paths under `prefix` with `render` instead of problem details."""
    app.extensions.setdefault(_ERROR_FORMATS, {})[prefix.rstrip("/")] = render


def _error_format_of_request() -> ErrorRenderer | None:
    if not has_request_context():
        return None
    path = request.path
    for prefix, render in current_app.extensions.get(_ERROR_FORMATS, {}).items():
        if path == prefix or path.startswith(prefix + "/"):
            return render
    return None


def translate(message: Any) -> str:
    text = str(message)
    return MESSAGE_TRANSLATIONS.get(text, text)


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested {field: {sub: [msg]}} into {"field.sub": [msg]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, path))
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list | tuple):
        for index, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def _validation_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors from webargs, keyed by location-less path (`json.cccd` -> `cccd`)."""
    messages = data.get("errors") or data.get("messages") or {}
    flat: dict[str, list[str]] = {}
    for location, per_location in messages.items():
        for path, msgs in flatten_messages(per_location).items():
            key = path if location in ("json", "form", "files") else f"{location}.{path}"
            flat[key] = msgs
    return flat


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(
        required=True, metadata={"description": "đường dẫn của trường, ví dụ `attachments.0.document_id`"}
    )
    messages = ma.fields.List(ma.fields.String(), required=True)


class ProblemSchema(ma.Schema):
    """What `problem_response` sends: the OpenAPI document's schema of every error (RFC 9457)."""

    class Meta:
        # A problem may carry more members for its code (`max_bytes`, `required_level`...).
        unknown = ma.INCLUDE

    type = ma.fields.String(required=True, metadata={"example": PROBLEM_TYPE_BASE + "validation_failed"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True, validate=ma.validate.Range(min=400, max=599))
    detail = ma.fields.String(required=True, metadata={"description": "thông báo tiếng Việt cho người dùng"})
    code = ma.fields.String(
        required=True, metadata={"description": "mã lỗi ổn định, ví dụ `validation_failed`"}
    )
    request_id = ma.fields.String(
        metadata={"description": "mã yêu cầu, để tổng đài tìm dòng nhật ký", SOMETIMES_SENT: True}
    )
    errors = ma.fields.List(
        ma.fields.Nested(FieldErrorSchema),
        metadata={"description": "lỗi theo từng trường (422)", SOMETIMES_SENT: True},
    )


class ProblemApi(Api):
    """flask-smorest's Api, answering every error as problem details, and documenting them so.
    What the document says beyond the problems is api/openapi.py's `DocumentedApi`."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        # flask-smorest documents its error responses (`UNPROCESSABLE_ENTITY`, `DEFAULT_ERROR`...)
        # in its default content type; ours leave as problem+json.
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_MIME
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE

    def _register_error_handlers(self):
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(ApiError, handle_api_error)
        self._app.register_error_handler(Exception, handle_unexpected_error)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        status = error.code or 500
        headers = dict(data.get("headers") or {})
        # Keep the headers the exception's own response carries: `Allow` on a 405 (RFC 9110
        # requires it), `Retry-After` and the rate-limit headers flask-limiter attaches to a 429,
        # `WWW-Authenticate`... Only the body (and so its type and length) is ours.
        for name, value in error.get_response().headers.items():
            if name.lower() not in ("content-type", "content-length"):
                headers.setdefault(name, value)
        if status == 400 and data.get("messages") == {"json": ["Invalid JSON body."]}:
            return problem_response(
                400, "malformed_json", "Nội dung gửi lên không phải JSON hợp lệ.", headers=headers
            )
        if status == 422:
            return problem_response(
                422,
                detail="Một số trường dữ liệu không hợp lệ; xem danh sách `errors`.",
                errors=_validation_errors(data),
                headers=headers,
            )
        if status >= 500:
            log.error("server error %s: %s", status, error)
        return problem_response(status, data.get("code"), data.get("message"), headers=headers)


def handle_api_error(error: ApiError):
    return problem_response(
        error.status, error.code, error.detail, errors=error.errors, headers=error.headers, **error.extra
    )


def handle_unexpected_error(error: Exception):
    if isinstance(error, HTTPException):  # pragma: no cover - routed to the HTTP handler first
        raise error
    log.exception("unhandled error")
    return problem_response(500)
