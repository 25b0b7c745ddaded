"""What the leaders' dashboard endpoints take and return (docs/contract: dashboard-contract).

In: the period (`from`, `to`: Vietnam dates), a ward, an export format. Out: the dashboard's
figures (ratios 0..1 or null when nothing to divide by, money in whole đồng), the periodic
reports' list and one report with its frozen figures. Dates inside the figures are ISO text,
since a report keeps them as JSON.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.dashboard.export import FORMATS
from api.dashboard.models import KINDS
from api.fields import VietnamDateTime
from api.periods import PeriodQuerySchema

_WARD = validate.Regexp(r"^\d{5}$", error="Mã phường, xã gồm 5 chữ số.")
# Figures exist from the app's first year to far ahead; outside, a date is a typo (and year 1 or
# 9999 would overflow the day arithmetic of the period).


def _date_text(description: str, **kwargs) -> fields.String:
    return fields.String(metadata={"format": "date", "description": description}, **kwargs)


def _ratio(description: str) -> fields.Float:
    return fields.Float(
        allow_none=True, metadata={"description": f"{description}; 0..1, null khi chưa có mẫu số"}
    )


def _count(description: str) -> fields.Integer:
    return fields.Integer(metadata={"description": description})


# ---- in ---------------------------------------------------------------------------------------


class DashboardQuerySchema(PeriodQuerySchema):
    ward = fields.String(
        validate=_WARD,
        metadata={
            "description": "mã phường, xã (5 chữ số); bỏ trống: toàn tỉnh. Lãnh đạo cấp xã chỉ xem phường, xã của mình"
        },
    )


class ExportQuerySchema(DashboardQuerySchema):
    # Checked by the service, so an unknown format answers `bad_format`, as the contract says.
    format = fields.String(
        load_default="csv", metadata={"enum": list(FORMATS), "description": "csv (UTF-8 có BOM) hoặc xlsx"}
    )


class ReportExportQuerySchema(Schema):
    format = fields.String(
        load_default="csv", metadata={"enum": list(FORMATS), "description": "csv (UTF-8 có BOM) hoặc xlsx"}
    )


# ---- out: the dashboard -----------------------------------------------------------------------


class DashboardPeriodSchema(Schema):
    period_from = _date_text("từ ngày", data_key="from", attribute="from")
    period_to = _date_text("đến ngày", data_key="to", attribute="to")
    ward_code = fields.String(allow_none=True, metadata={"description": "null: toàn tỉnh"})
    ward_name = fields.String(allow_none=True)


class DashboardProcedureSchema(Schema):
    code = fields.String()
    name = fields.String()
    received = _count("hồ sơ tiếp nhận trong kỳ")
    finished = _count("hồ sơ giải quyết xong trong kỳ")
    on_time_ratio = _ratio("tỉ lệ giải quyết đúng hạn")


class DashboardDossierWardSchema(Schema):
    ward_code = fields.String()
    ward_name = fields.String()
    received = _count("hồ sơ tiếp nhận trong kỳ")
    finished = _count("hồ sơ giải quyết xong trong kỳ")
    on_time_ratio = _ratio("tỉ lệ giải quyết đúng hạn")


class DashboardDaySchema(Schema):
    date = _date_text("ngày")
    received = fields.Integer()
    finished = fields.Integer()


class DashboardDossiersSchema(Schema):
    received = _count("nộp trong kỳ")
    finished = _count("giải quyết xong (trạng thái 9, 10) trong kỳ")
    finished_on_time = _count("trong số đó, xong trước hoặc đúng hạn")
    on_time_ratio = _ratio("finished_on_time / finished")
    online = _count("trong số hồ sơ tiếp nhận, nộp trực tuyến")
    online_share = _ratio("online / received")
    overdue_open = _count("trong số hồ sơ tiếp nhận, còn chờ xử lý và đã quá hạn hôm nay")
    by_procedure = fields.List(
        fields.Nested(DashboardProcedureSchema), metadata={"description": "10 thủ tục nhiều hồ sơ nhất"}
    )
    by_ward = fields.List(fields.Nested(DashboardDossierWardSchema))
    by_day = fields.List(fields.Nested(DashboardDaySchema), metadata={"description": "mọi ngày trong kỳ"})


class DashboardCategorySchema(Schema):
    code = fields.String()
    name = fields.String()
    count = fields.Integer()


class DashboardReportWardSchema(Schema):
    ward_code = fields.String()
    ward_name = fields.String()
    count = fields.Integer()


class DashboardReportsSchema(Schema):
    received = _count("gửi trong kỳ")
    resolved = _count("xử lý xong trong kỳ")
    open = _count("trong số phản ánh tiếp nhận, còn đang xử lý")
    median_first_response_hours = fields.Float(
        allow_none=True, metadata={"description": "trung vị giờ từ lúc gửi đến thao tác đầu tiên của cán bộ"}
    )
    median_resolution_hours = fields.Float(
        allow_none=True, metadata={"description": "trung vị giờ từ lúc gửi đến lúc xử lý xong"}
    )
    by_category = fields.List(fields.Nested(DashboardCategorySchema))
    by_ward = fields.List(fields.Nested(DashboardReportWardSchema))


class DashboardFinesSchema(Schema):
    issued = _count("quyết định xử phạt trong kỳ (không tính quyết định đã huỷ)")
    paid = _count("trong số đó, đã nộp phạt")
    paid_share = _ratio("paid / issued")
    amount_issued_vnd = _count("tổng tiền phạt (đồng)")
    amount_paid_vnd = _count("tổng tiền đã nộp (đồng)")
    paid_online_share = _ratio("nộp trực tuyến / paid")


class DashboardBenefitsSchema(Schema):
    payments = _count("khoản chi trả dự kiến trong kỳ")
    paid = _count("khoản đã chi trả trong kỳ")
    cashless = _count("trong số đó, không dùng tiền mặt")
    cashless_share = _ratio("cashless / paid")
    amount_paid_vnd = _count("tổng tiền đã chi trả (đồng)")


class DashboardCallCentreSchema(Schema):
    conversations = _count("cuộc trò chuyện bắt đầu trong kỳ")
    handoffs = _count("yêu cầu gặp tổng đài viên trong kỳ")
    handoff_share = _ratio("cuộc trò chuyện được chuyển tổng đài viên / conversations")
    median_wait_seconds = fields.Integer(
        allow_none=True, metadata={"description": "trung vị giây chờ tiếp nhận"}
    )
    median_handling_seconds = fields.Integer(allow_none=True, metadata={"description": "trung vị giây xử lý"})
    satisfaction_average = fields.Float(
        allow_none=True, metadata={"description": "điểm hài lòng trung bình, 1..5"}
    )
    satisfaction_responses = _count("lượt đánh giá")


class DashboardCampaignsSchema(Schema):
    sent = _count("chiến dịch gửi xong trong kỳ")
    recipients = _count("công dân nhận")
    delivered = _count("thông báo đã vào hộp thư")
    opened = _count("công dân đã mở")
    delivery_share = _ratio("delivered / recipients")
    open_share = _ratio("opened / recipients")


class DashboardSchema(Schema):
    period = fields.Nested(DashboardPeriodSchema)
    dossiers = fields.Nested(DashboardDossiersSchema)
    reports = fields.Nested(DashboardReportsSchema)
    fines = fields.Nested(DashboardFinesSchema)
    benefits = fields.Nested(DashboardBenefitsSchema)
    call_centre = fields.Nested(DashboardCallCentreSchema)
    campaigns = fields.Nested(DashboardCampaignsSchema)


# ---- out: periodic reports --------------------------------------------------------------------


class LeaderReportSchema(Schema):
    id = fields.UUID()
    kind = fields.String(metadata={"enum": list(KINDS), "description": "weekly: tuần; monthly: tháng"})
    title = fields.String()
    period_from = fields.Date()
    period_to = fields.Date()
    generated_at = VietnamDateTime()
    read = fields.Boolean(metadata={"description": "bạn đã mở báo cáo này"})


class LeaderReportDetailSchema(LeaderReportSchema):
    figures = fields.Nested(DashboardSchema, metadata={"description": "số liệu cố định tại thời điểm lập"})


class LeaderReportsUnreadSchema(Schema):
    unread = fields.Integer()
