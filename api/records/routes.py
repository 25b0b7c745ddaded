"""Personal records endpoints: the citizen's own (identity level 2), and staff reads with a purpose.

Thin: parse, authorise (`@allow`), call api/records/service.py, serialise. The citizen's views
take no ids: whose records they show comes from the access token alone. A level-1 citizen is
refused by the policy itself (`Citizen(min_level=2)`: 403 `identity_level_required`, with how
to reach level 2).

Staff read with POST and a body rather than `GET /staff/records/<cccd>`: a CCCD in a URL ends up
in access logs, proxies and browser history, and the purpose is a sentence, not a query string.
"""

from __future__ import annotations

import uuid

from flask.views import MethodView

from api.auth import service as auth
from api.http import Blueprint, SelectPage
from api.policy import Citizen, Service, Staff, allow, require_principal
from api.records import service
from api.records.schemas import (
    HealthBookSchema,
    LabourBookSchema,
    LandRecordsSchema,
    RecordAccessSchema,
    RecordSummarySchema,
    StaffReadSchema,
    StaffRecordsSchema,
)

citizen_blp = Blueprint(
    "records",
    __name__,
    url_prefix="/me/records",
    description="Hồ sơ cá nhân của tôi: đất đai, sổ sức khỏe, sổ lao động và BHXH (M33, M34); ai đã xem",
)
staff_blp = Blueprint(
    "staff_records",
    __name__,
    url_prefix="/staff/records",
    description="Cán bộ xem hồ sơ cá nhân của công dân, có ghi mục đích (được ghi nhật ký, công dân xem được)",
)

OWNER = Citizen(min_level=2)
READERS = (Staff("officer", "admin"), Service("records:read"))


def _me() -> uuid.UUID:
    return service.require_owner(uuid.UUID(require_principal().id)).id


@citizen_blp.route("")
class MyRecords(MethodView):
    @allow(OWNER)
    @citizen_blp.response(200, RecordSummarySchema(many=True))
    def get(self):
        """What the national systems hold about me, per type: how many, from where, synced when."""
        return service.summary(_me())


@citizen_blp.route("/land")
class MyLand(MethodView):
    @allow(OWNER)
    @citizen_blp.response(200, LandRecordsSchema)
    def get(self):
        """My land-use right certificates (as owner or co-owner)."""
        return service.land_view(_me())


@citizen_blp.route("/health")
class MyHealth(MethodView):
    @allow(OWNER)
    @citizen_blp.response(200, HealthBookSchema)
    def get(self):
        """My electronic health book: insurance card, chronic conditions, visits, vaccinations."""
        return service.health_view(_me())


@citizen_blp.route("/labour")
class MyLabour(MethodView):
    @allow(OWNER)
    @citizen_blp.response(200, LabourBookSchema)
    def get(self):
        """My labour book and social insurance: employment periods, current employer, months paid."""
        return service.labour_view(_me())


@citizen_blp.route("/access-log")
class MyAccessLog(MethodView):
    @allow(OWNER)
    @citizen_blp.response(200, RecordAccessSchema(many=True))
    @citizen_blp.paginate(SelectPage)
    def get(self):
        """Who has looked at my records, why and when (ai đã xem dữ liệu của tôi), newest first."""
        return service.access_log(_me())


def _reader_name() -> str:
    principal = require_principal()
    if principal.kind == "staff":
        staff = auth.get_staff(uuid.UUID(principal.id))
        return f"Cán bộ {staff.full_name}" if staff else "Cán bộ"
    return f"Hệ thống kết nối ({principal.id})"


@staff_blp.route("/search")
class StaffRecords(MethodView):
    @allow(*READERS)
    @staff_blp.arguments(StaffReadSchema)
    @staff_blp.response(200, StaffRecordsSchema)
    def post(self, body):
        """A citizen's records by CCCD, for a stated purpose; the read is shown to the citizen and audited."""
        principal = require_principal()
        return service.staff_read(
            body["cccd"],
            purpose=body.get("purpose"),
            record_types=body.get("record_types"),
            accessor=f"{principal.kind}:{principal.id}",
            accessor_name=_reader_name(),
        )
