"""Open311 GeoReport v2 endpoints under /open311/v2, each as `.xml`, `.json` or bare (XML).

Thin: parse, call open311/service.py, render with formats.py. Every route is public at the
policy level (open data); POST requests checks its `api_key` in the service. All of them are
rate-limited per client address like the other public lookups. Every error under /open311
leaves in the standard's format (registered below with api.errors.register_error_format).
"""

from __future__ import annotations

import functools

from flask import current_app, g, request

from api.errors import register_error_format
from api.http import Blueprint, PublicLookupView, accepts
from api.openapi import document_paths
from api.policy import PUBLIC, allow
from api.reports.open311 import docs, formats, service
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
blp.record_once(lambda state: document_paths(state.app, ERROR_PREFIX, docs.document))


def formatted(path: str):
    """Route `path.json`, `path.xml` and the bare `path` (XML, the standard's required format).

    Three routes, not one with a `{fmt}` argument: each answers one media type, and so the
    document can say which (docs.document), and clients generated from it parse each answer.
    """

    def decorator(view):
        for suffix, fmt in ((".json", formats.JSON), (".xml", formats.XML), ("", formats.XML)):
            endpoint = view.__name__ + suffix.replace(".", "_")
            blp.route(f"{path}{suffix}", defaults={"fmt": fmt}, endpoint=endpoint)(view)
        return view

    return decorator


def api_key_checked(view):
    """Check the client's `api_key` before its form is parsed and judged (see the service)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        g.open311_client = service.client_for_api_key(request.form.get("api_key"))
        return view(*args, **kwargs)

    return checked


def _doc(description: str, root: str, schema, *, many: bool = False, status: int = 200) -> dict:
    return {"responses": {str(status): docs.response(description, root, schema, many=many)}}


def _endpoint_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] + blp.url_prefix


@formatted("/discovery")
class Discovery(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Tệp khám phá dịch vụ (service discovery)", "discovery", docs.Open311DiscoverySchema))
    def get(self, fmt):
        """Khám phá: phiên bản, liên hệ, cách xin khóa API, địa chỉ và định dạng hỗ trợ."""
        return formats.respond(service.discovery(_endpoint_url()), fmt, "discovery")


@formatted("/services")
class Services(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Danh sách dịch vụ", "services", docs.Open311ServiceSchema, many=True))
    def get(self, fmt):
        """Dịch vụ: một lĩnh vực phản ánh hiện trường mỗi dịch vụ (không có tố giác tội phạm)."""
        return formats.respond(service.services(), fmt, "services")


@formatted("/services/<string:service_code>")
class ServiceDefinition(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Định nghĩa dịch vụ", "service_definition", docs.Open311ServiceDefinitionSchema))
    def get(self, service_code, fmt):
        """Định nghĩa dịch vụ: thuộc tính phường, xã (bắt buộc) và thời điểm xảy ra."""
        return formats.respond(service.service_definition(service_code), fmt, "service_definition")


@formatted("/requests")
class Requests(PublicLookupView):
    @allow(PUBLIC)
    @blp.arguments(RequestsQuerySchema, location="query")
    @blp.doc(
        **_doc(
            "Yêu cầu, mới nhất trước: tối đa 1000, hoặc mọi mã service_request_id đã nêu",
            "service_requests",
            docs.Open311RequestSchema,
            many=True,
        )
    )
    def get(self, filters, fmt):
        """Tìm yêu cầu: mặc định 90 ngày gần nhất; lọc theo mã, dịch vụ, trạng thái, thời gian."""
        return formats.respond(service.find_requests(filters), fmt, "service_requests")

    @allow(PUBLIC)
    @accepts(FORM_MIME)
    @api_key_checked
    @blp.arguments(RequestFormSchema, location="form")
    @blp.doc(
        **_doc(
            "Yêu cầu đã tạo: mã yêu cầu (dịch vụ realtime, không có token)",
            "service_requests",
            docs.Open311CreatedSchema,
            many=True,
            status=201,
        )
    )
    def post(self, form, fmt):
        """Gửi phản ánh (form-encoded, cần api_key có quyền open311:write)."""
        return formats.respond(service.create_request(g.open311_client, form), fmt, "service_requests", 201)


@formatted("/requests/<string:request_id>")
class ServiceRequest(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(
        **_doc(
            "Một yêu cầu (danh sách một phần tử)", "service_requests", docs.Open311RequestSchema, many=True
        )
    )
    def get(self, request_id, fmt):
        """Một yêu cầu theo mã (service_request_id)."""
        return formats.respond(service.get_request(request_id), fmt, "service_requests")


@formatted("/tokens/<string:token>")
class Token(PublicLookupView):
    @allow(PUBLIC)
    @blp.doc(**_doc("Mã yêu cầu của mã theo dõi", "service_requests", docs.Open311TokenSchema, many=True))
    def get(self, token, fmt):
        """Mã yêu cầu (service_request_id) ứng với mã theo dõi nhận khi gửi."""
        return formats.respond(service.token_lookup(token), fmt, "service_requests")
