"""The leaders' dashboard endpoints (/leader): figures, exports, weekly and monthly reports.

Thin: parse, authorise (`@allow`: leaders and admins), call api/dashboard/service.py, serialise.
"""

from __future__ import annotations

import uuid

from flask import Response
from flask.views import MethodView

from api.dashboard import service
from api.dashboard.export import MEDIA_TYPES
from api.dashboard.schemas import (
    DashboardQuerySchema,
    DashboardSchema,
    ExportQuerySchema,
    LeaderReportDetailSchema,
    LeaderReportSchema,
    LeaderReportsUnreadSchema,
    ReportExportQuerySchema,
)
from api.http import Blueprint, SelectPage, download
from api.policy import Staff, allow, require_principal

blp = Blueprint(
    "leader_dashboard",
    __name__,
    url_prefix="/leader",
    description="Lãnh đạo: bảng số liệu điều hành, xuất CSV/XLSX, báo cáo tuần và tháng",
)

LEADERS = Staff("leader", "admin")
_WARD_FORBIDDEN = "`ward_forbidden`: lãnh đạo cấp xã chỉ xem số liệu phường, xã của mình"
_BAD_PERIOD = (
    "`bad_period` (từ ngày sau đến ngày), `period_too_long` (quá 366 ngày), `unknown_ward`, "
    "`ward_outside_province`"
)
_REPORT_FORBIDDEN = "`ward_forbidden`: báo cáo toàn tỉnh, lãnh đạo cấp xã không xem"
_REPORT_NOT_FOUND = "`report_not_found`: không có báo cáo này"


def _viewer() -> service.Viewer:
    return service.viewer(uuid.UUID(require_principal().id))


def _file(exported: service.ExportFile) -> Response:
    response = Response(exported.content, mimetype=exported.media_type)
    if exported.media_type == MEDIA_TYPES["csv"]:
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


_export = download(*MEDIA_TYPES.values(), description="Tệp CSV (UTF-8 có BOM) hoặc XLSX")


class _ReportsPage(SelectPage):
    """A page of reports, each with `read` for the signed-in leader."""

    @property
    def items(self):
        return service.with_read_flags(_viewer(), super().items)


@blp.route("/dashboard")
class Dashboard(MethodView):
    @allow(LEADERS)
    @blp.arguments(DashboardQuerySchema, location="query")
    @blp.response(200, DashboardSchema)
    @blp.alt_response(403, description=_WARD_FORBIDDEN)
    @blp.alt_response(422, description=_BAD_PERIOD)
    def get(self, query):
        """Figures of every domain for a period (default: the last 30 days) and a ward (default:
        the whole province; a ward-bound leader always sees their ward)."""
        return service.dashboard(
            _viewer(), query.get("period_from"), query.get("period_to"), query.get("ward")
        )


@blp.route("/dashboard/export")
class DashboardExport(MethodView):
    @allow(LEADERS)
    @blp.arguments(ExportQuerySchema, location="query")
    @_export
    @blp.alt_response(403, description=_WARD_FORBIDDEN)
    @blp.alt_response(422, description="`bad_format` (không phải csv, xlsx), " + _BAD_PERIOD)
    def get(self, query):
        """The dashboard's figures as a CSV or XLSX file. Audited."""
        return _file(
            service.export_dashboard(
                _viewer(),
                query.get("period_from"),
                query.get("period_to"),
                query.get("ward"),
                query["format"],
            )
        )


@blp.route("/reports")
class Reports(MethodView):
    @allow(LEADERS)
    @blp.response(200, LeaderReportSchema(many=True))
    @blp.paginate(_ReportsPage)
    def get(self):
        """The weekly and monthly reports, newest first, with whether I have read each."""
        return service.reports_for(_viewer())


@blp.route("/reports/unread")
class UnreadReports(MethodView):
    @allow(LEADERS)
    @blp.response(200, LeaderReportsUnreadSchema)
    def get(self):
        """How many reports delivered to me I have not opened yet."""
        return {"unread": service.unread_count(_viewer())}


@blp.route("/reports/<uuid:report_id>")
class ReportDetail(MethodView):
    @allow(LEADERS)
    @blp.response(200, LeaderReportDetailSchema)
    @blp.alt_response(403, description=_REPORT_FORBIDDEN)
    @blp.alt_response(404, description=_REPORT_NOT_FOUND)
    def get(self, report_id):
        """One report with its figures as they were when it was made; opening it marks it read."""
        return service.open_report(_viewer(), report_id)


@blp.route("/reports/<uuid:report_id>/export")
class ReportExport(MethodView):
    @allow(LEADERS)
    @blp.arguments(ReportExportQuerySchema, location="query")
    @_export
    @blp.alt_response(403, description=_REPORT_FORBIDDEN)
    @blp.alt_response(404, description=_REPORT_NOT_FOUND)
    @blp.alt_response(422, description="`bad_format`: không phải csv, xlsx")
    def get(self, query, report_id):
        """A report's frozen figures as a CSV or XLSX file. Audited."""
        return _file(service.export_report(_viewer(), report_id, query["format"]))
