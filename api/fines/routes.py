"""Fine endpoints: the public plate lookup, the citizen's own fines, and the police's desk and feed.

Thin: parse, authorise (`@allow`), call api/fines/service.py, serialise. Paying goes through
the wallet, which asks this domain how much is owed (service.fine_payable).
"""

from __future__ import annotations

import io
import uuid

from flask import send_file
from flask.views import MethodView
from marshmallow import INCLUDE, Schema

from api.citizens import service as citizens
from api.fines import evidence, plates, service, violations
from api.fines.models import CAMERA, POLICE
from api.fines.schemas import (
    CancelSchema,
    CitizenFineSchema,
    ImportReportSchema,
    LookupQuerySchema,
    LookupResultSchema,
    NoticeInSchema,
    PoliceQuerySchema,
    StaffFineSchema,
    ViolationSchema,
)
from api.http import Blueprint, PublicLookupView, SelectPage, download
from api.policy import PUBLIC, Citizen, Service, Staff, allow, require_principal

lookup_blp = Blueprint(
    "fine_lookup", __name__, url_prefix="/fines", description="Tra cứu vi phạm giao thông theo biển số"
)
citizen_blp = Blueprint(
    "fines",
    __name__,
    url_prefix="/me/fines",
    description="Vi phạm giao thông của tôi: xác nhận, nộp phạt (M18)",
)
police_blp = Blueprint(
    "fine_police",
    __name__,
    url_prefix="/police/fines",
    description="Công an: lập, nhập từ camera, tra cứu và huỷ quyết định xử phạt",
)

POLICE_STAFF = Staff("police")
FEED = Service("fines:ingest")  # the camera / IOC violation feed


def _actor() -> str:
    principal = require_principal()
    return f"{principal.kind}:{principal.id}"


def _default_source() -> str:
    return CAMERA if require_principal().kind == "service" else POLICE


def _citizen():
    return citizens.require_citizen(uuid.UUID(require_principal().id))


def _send_photo(photo: evidence.EvidencePhoto):
    response = send_file(io.BytesIO(photo.data), mimetype=photo.content_type, etag=False, conditional=False)
    # A photo of someone's car and plate: never sniffed into something else, never kept by a
    # shared cache.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


_photo_download = download(*evidence.IMAGE_TYPES, description="Ảnh bằng chứng")


class RawNoticeSchema(Schema):
    """One element of a batch, taken as it is: each is validated on its own (NoticeInSchema), so a
    bad row is reported without refusing the others."""

    class Meta:
        unknown = INCLUDE


# ---- public ---------------------------------------------------------------------------------


@lookup_blp.route("/lookup")
class Lookup(PublicLookupView):
    @allow(PUBLIC)
    @lookup_blp.arguments(LookupQuerySchema, location="query")
    @lookup_blp.response(200, LookupResultSchema)
    def get(self, query):
        """Unpaid and paid violations of a plate, without personal details (rate-limited)."""
        try:
            return service.public_lookup(query["plate"])
        except plates.InvalidPlate as error:
            raise service.invalid_plate(error) from error


@lookup_blp.route("/violations")
class Violations(PublicLookupView):
    @allow(PUBLIC)
    @lookup_blp.response(200, ViolationSchema(many=True))
    def get(self):
        """The catalogue of violations: description, legal reference (Nghị định 168/2024/NĐ-CP),
        fine range and licence points."""
        return list(violations.catalogue())  # the ranges in force today


# ---- citizens -------------------------------------------------------------------------------


@citizen_blp.route("")
class MyFines(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, CitizenFineSchema(many=True))
    def get(self):
        """My fines: unpaid first (earliest deadline first), then paid and cancelled ones."""
        return service.citizen_fines(_citizen())


@citizen_blp.route("/<uuid:fine_id>")
class MyFine(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, CitizenFineSchema)
    def get(self, fine_id):
        """One of my fines with evidence, legal reference, deadline and what I can do next."""
        return service.citizen_fine(_citizen(), fine_id)


@citizen_blp.route("/<uuid:fine_id>/confirm")
class ConfirmMyFine(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, CitizenFineSchema)
    def post(self, fine_id):
        """Confirm the violation (xác nhận hành vi vi phạm); the fine can then be paid in the wallet."""
        return service.confirm(_citizen(), fine_id)


@citizen_blp.route("/<uuid:fine_id>/evidence/<string:evidence_id>")
class MyFineEvidence(MethodView):
    @allow(Citizen())
    @_photo_download
    def get(self, fine_id, evidence_id):
        """A photo of my fine's evidence (the `url` of one of its `evidence`); only the owner's."""
        return _send_photo(evidence.owner_photo(_citizen(), fine_id, evidence_id))


# ---- police ---------------------------------------------------------------------------------


@police_blp.route("")
class PoliceFines(MethodView):
    @allow(POLICE_STAFF)
    @police_blp.arguments(PoliceQuerySchema, location="query")
    @police_blp.response(200, StaffFineSchema(many=True))
    @police_blp.paginate(SelectPage)
    def get(self, query):
        """Notices, newest decision first, by plate (typed any way), status or source. Audited."""
        try:
            return service.police_search(
                _actor(), plate=query.get("plate"), status=query.get("status"), source=query.get("source")
            )
        except plates.InvalidPlate as error:
            raise service.invalid_plate(error) from error

    @allow(POLICE_STAFF, FEED)
    @police_blp.arguments(NoticeInSchema)
    @police_blp.response(201, StaffFineSchema)
    def post(self, notice):
        """Issue one notice (an officer) or send one record of the camera feed. Sending the same
        `source_ref` again answers 200 with the notice, updated while the citizen has not acted."""
        fine, outcome = service.issue_notice(notice, actor=_actor(), default_source=_default_source())
        return fine, 201 if outcome == "created" else 200


@police_blp.route("/batch")
class PoliceFineBatch(MethodView):
    @allow(POLICE_STAFF, FEED)
    @police_blp.arguments(RawNoticeSchema(many=True))
    @police_blp.doc(
        requestBody={
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "maxItems": service.MAX_BATCH_ROWS,
                        "items": {"$ref": "#/components/schemas/NoticeIn"},
                    }
                }
            }
        }
    )
    @police_blp.response(200, ImportReportSchema)
    def post(self, rows):
        """The feed's ingest: a JSON list of notices (at most 1000). Idempotent by `source_ref`;
        each bad row is rejected with the reason, the others are stored."""
        service.check_batch_size(rows)
        return service.import_notices(rows, actor=_actor(), default_source=_default_source())


@police_blp.route("/<uuid:fine_id>")
class PoliceFine(MethodView):
    @allow(POLICE_STAFF)
    @police_blp.response(200, StaffFineSchema)
    @police_blp.alt_response(404, description="`fine_not_found`")
    def get(self, fine_id):
        """One notice with its owner, evidence and provenance. Audited."""
        return service.police_read(_actor(), fine_id)


@police_blp.route("/<uuid:fine_id>/cancel")
class CancelFine(MethodView):
    @allow(POLICE_STAFF)
    @police_blp.arguments(CancelSchema)
    @police_blp.response(200, StaffFineSchema)
    def post(self, body, fine_id):
        """Cancel an unpaid notice; the reason is required and sent to the citizen."""
        return service.cancel(_actor(), fine_id, body.get("reason"))


@police_blp.route("/<uuid:fine_id>/evidence/<string:evidence_id>")
class FineEvidence(MethodView):
    @allow(POLICE_STAFF)
    @_photo_download
    def get(self, fine_id, evidence_id):
        """A photo of a notice's evidence. Audited, as every read of an owner's data by the police."""
        return _send_photo(evidence.police_photo(_actor(), fine_id, evidence_id))
