"""Open311 GeoReport v2 endpoints under /open311/v2, each as `.xml`, `.json` or bare (XML).

Thin: parse, call open311/service.py, render with formats.py. Every route is public at the
policy level (open data); POST requests checks its `api_key` in the service. All of them are
rate-limited per client address like the other public lookups. Every error under /open311
leaves in the standard's format (registered below with api.errors.register_error_format).
"""

from __future__ import annotations

import functools

from flask import current_app, g, request

from api.auth.policy import PUBLIC, allow
from api.errors import register_error_format
from api.http import Blueprint, PublicLookupView, accepts
from api.reports.open311 import formats, service
from api.reports.open311.schemas import RequestFormSchema, RequestsQuerySchema

FORM_MIME = "application/x-www-form-urlencoded"
ERROR_PREFIX = "/open311"

blp = Blueprint(
    "open311",
    __name__,
    url_prefix="/open311/v2",
    description="Open311 GeoReport v2: phản ánh hiện trường cho ứng dụng bên ngoài (XML, JSON); "
    "không có tố giác tội phạm, không có thông tin cá nhân",
)
blp.record_once(lambda state: register_error_format(state.app, ERROR_PREFIX, formats.error_response))


def formatted(path: str):
    """Route `path.xml`, `path.json` and the bare `path` (XML, the standard's required format)."""

    def decorator(view):
        blp.route(f"{path}.<any(xml, json):fmt>")(view)
        blp.route(path, defaults={"fmt": formats.XML})(view)
        return view

    return decorator


def api_key_checked(view):
    """Check the client's `api_key` before its form is parsed and judged (see the service)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        g.open311_client = service.client_for_api_key(request.form.get("api_key"))
        return view(*args, **kwargs)

    return checked


def _doc(description: str, status: int = 200) -> dict:
    content = {mime: {"schema": {"type": "string"}} for mime in formats.MIMETYPES.values()}
    return {"responses": {str(status): {"description": description, "content": content}}}


def _endpoint_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] + blp.url_prefix


@formatted("/discovery")
class Discovery(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Tệp khám phá dịch vụ (service discovery)"))
    def get(self, fmt):
        """Khám phá: phiên bản, liên hệ, cách xin khóa API, địa chỉ và định dạng hỗ trợ."""
        return formats.respond(service.discovery(_endpoint_url()), fmt, "discovery")


@formatted("/services")
class Services(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Danh sách dịch vụ"))
    def get(self, fmt):
        """Dịch vụ: một lĩnh vực phản ánh hiện trường mỗi dịch vụ (không có tố giác tội phạm)."""
        return formats.respond(service.services(), fmt, "services")


@formatted("/services/<string:service_code>")
class ServiceDefinition(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Định nghĩa dịch vụ"))
    def get(self, service_code, fmt):
        """Định nghĩa dịch vụ: thuộc tính phường, xã (bắt buộc) và thời điểm xảy ra."""
        return formats.respond(service.service_definition(service_code), fmt, "service_definition")


@formatted("/requests")
class Requests(PublicLookupView):
    @allow(PUBLIC)
    @blp.arguments(RequestsQuerySchema, location="query")
    @blp.doc(**_doc("Yêu cầu, mới nhất trước, tối đa 1000"))
    def get(self, filters, fmt):
        """Tìm yêu cầu: mặc định 90 ngày gần nhất; lọc theo mã, dịch vụ, trạng thái, thời gian."""
        return formats.respond(service.find_requests(filters), fmt, "service_requests")

    @allow(PUBLIC)
    @accepts(FORM_MIME)
    @api_key_checked
    @blp.arguments(RequestFormSchema, location="form")
    @blp.doc(**_doc("Yêu cầu đã tạo: mã yêu cầu và mã theo dõi", 201))
    def post(self, form, fmt):
        """Gửi phản ánh (form-encoded, cần api_key có quyền open311:write)."""
        return formats.respond(service.create_request(g.open311_client, form), fmt, "service_requests", 201)


@formatted("/requests/<string:request_id>")
class ServiceRequest(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Một yêu cầu (danh sách một phần tử)"))
    def get(self, request_id, fmt):
        """Một yêu cầu theo mã (service_request_id)."""
        return formats.respond(service.get_request(request_id), fmt, "service_requests")


@formatted("/tokens/<string:token>")
class Token(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Mã yêu cầu của mã theo dõi"))
    def get(self, token, fmt):
        """Mã yêu cầu (service_request_id) ứng với mã theo dõi nhận khi gửi."""
        return formats.respond(service.token_lookup(token), fmt, "service_requests")
