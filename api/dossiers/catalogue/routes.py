"""Public look-ups of the procedure catalogue; thin over api/dossiers/catalogue/service.py."""

from __future__ import annotations

from flask_smorest import Page

from api.auth.policy import PUBLIC, allow
from api.dossiers.catalogue import service
from api.dossiers.catalogue.cli import seed_command
from api.dossiers.catalogue.schemas import (
    ProcedureGroupSchema,
    ProcedureQuerySchema,
    ProcedureSchema,
    ProcedureSummarySchema,
)
from api.http import Blueprint, PublicLookupView

blp = Blueprint(
    "procedures",
    __name__,
    description="Danh mục thủ tục hành chính và nhóm thủ tục liên thông",
    cli_group="catalogue",
)
# Registered with the app together with the routes: `flask catalogue seed`.
blp.cli.add_command(seed_command)


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
