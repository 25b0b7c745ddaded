"""Public look-ups of the procedure catalogue; thin over api/dossiers/catalogue/service.py."""

from __future__ import annotations

from flask_smorest import Page

from api.dossiers.catalogue import service
from api.dossiers.catalogue.schemas import (
    EssentialServiceSchema,
    ProcedureGroupSchema,
    ProcedureQuerySchema,
    ProcedureSchema,
    ProcedureSummarySchema,
)
from api.http import Blueprint, PublicLookupView
from api.policy import PUBLIC, allow

blp = Blueprint(
    "procedures",
    __name__,
    description="Danh mục thủ tục hành chính và nhóm thủ tục liên thông",
)


@blp.route("/procedures")
class Procedures(PublicLookupView):
    @allow(PUBLIC)
    @blp.arguments(ProcedureQuerySchema, location="query")
    @blp.response(200, ProcedureSummarySchema(many=True))
    @blp.paginate(Page, page_size=20)
    def get(self, query):
        """Thủ tục đang áp dụng; `q` tìm không dấu theo tên và cách gọi thường dùng, lọc theo lĩnh
        vực, mức trực tuyến, cấp giải quyết."""
        return service.search_procedures(
            query.get("q"), query.get("field"), query.get("online"), query.get("authority")
        )


@blp.route("/procedures/<code>")
class ProcedureByCode(PublicLookupView):
    @allow(PUBLIC)
    @blp.response(200, ProcedureSchema)
    def get(self, code):
        """Một thủ tục: giấy tờ, tờ khai (JSON Schema), lệ phí, thời hạn, cơ quan, căn cứ pháp lý."""
        return service.require_procedure(code)


@blp.route("/procedure-groups")
class ProcedureGroups(PublicLookupView):
    @allow(PUBLIC)
    @blp.response(200, ProcedureGroupSchema(many=True))
    def get(self):
        """Các nhóm thủ tục liên thông (Nghị định 63/2024/NĐ-CP)."""
        return service.list_groups()


@blp.route("/procedure-groups/<code>")
class ProcedureGroupByCode(PublicLookupView):
    @allow(PUBLIC)
    @blp.response(200, ProcedureGroupSchema)
    def get(self, code):
        """Một nhóm thủ tục liên thông và các thủ tục thành viên theo thứ tự giải quyết."""
        return service.require_group(code)


@blp.route("/essential-services")
class EssentialServices(PublicLookupView):
    @allow(PUBLIC)
    @blp.response(200, EssentialServiceSchema(many=True))
    def get(self):
        """53 dịch vụ công thiết yếu (Đề án 06): dịch vụ ứng dụng nhận hồ sơ trỏ tới thủ tục hoặc nhóm
        liên thông; các dịch vụ khác chỉ là thông tin tham khảo (`offered_online` false), kèm lưu ý."""
        return service.essential_services()
