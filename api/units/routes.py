"""Public look-ups of the post-2025 administrative units; thin over api/units/service.py."""

from __future__ import annotations

from flask_smorest import Page

from api.http import Blueprint, PublicLookupView
from api.policy import PUBLIC, allow
from api.units import service
from api.units.schemas import ProvinceQuerySchema, ProvinceSchema, WardQuerySchema, WardSchema

blp = Blueprint("units", __name__, url_prefix="/units", description="Đơn vị hành chính (sau 01/7/2025)")


@blp.route("/provinces")
class Provinces(PublicLookupView):
    @allow(PUBLIC)
    @blp.arguments(ProvinceQuerySchema, location="query")
    @blp.response(200, ProvinceSchema(many=True))
    def get(self, query):
        """The 34 provinces and cities; `q` searches current and former names without accents."""
        return service.search_provinces(query.get("q"))


@blp.route("/provinces/<code>")
class ProvinceByCode(PublicLookupView):
    @allow(PUBLIC)
    @blp.response(200, ProvinceSchema)
    def get(self, code):
        """One province or city by its 2-digit code."""
        province = service.get_province(code)
        if province is None:
            raise service.province_not_found(code)
        return province


@blp.route("/wards")
class Wards(PublicLookupView):
    @allow(PUBLIC)
    @blp.arguments(WardQuerySchema, location="query")
    @blp.response(200, WardSchema(many=True))
    @blp.paginate(Page, page_size=20)
    def get(self, query):
        """Wards, communes and special zones; search by name without accents, filter by province."""
        return service.search_wards(query.get("q"), query.get("province"))


@blp.route("/wards/<code>")
class WardByCode(PublicLookupView):
    @allow(PUBLIC)
    @blp.response(200, WardSchema)
    def get(self, code):
        """One ward, commune or special zone by its 5-digit code."""
        ward = service.get_ward(code)
        if ward is None:
            raise service.ward_not_found(code)
        return ward
