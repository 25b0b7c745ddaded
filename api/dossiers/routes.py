"""Dossier endpoints: the citizen's applications, the officers' desk, and public tracking.

Thin: parse, authorise (`@allow`), build the actor, call api/dossiers/service.py. A dossier's
GET answers its ETag (flask-smorest's, from the view the caller reads); every step of the
workflow needs it back as `If-Match` (428 without, 412 when the dossier changed since), so nobody
decides on a stale copy.
"""

from __future__ import annotations

import io
import uuid

from flask import send_file
from flask.views import MethodView

from api.auth import service as auth
from api.citizens import service as citizens
from api.dossiers import service
from api.dossiers.schemas import (
    ApplicationSchema,
    CitizenActionSchema,
    CitizenListQuerySchema,
    DossierSchema,
    DossierSummarySchema,
    OfficerActionSchema,
    QueueQuerySchema,
    RatingSchema,
    StaffDossierSchema,
    StatisticsQuerySchema,
    StatisticsSchema,
    TrackingQuerySchema,
    TrackingSchema,
)
from api.errors import ApiError
from api.http import Blueprint, PublicLookupView, SelectPage, download, needs_if_match
from api.policy import PUBLIC, Citizen, Staff, allow, require_principal

citizen_blp = Blueprint(
    "dossiers", __name__, url_prefix="/me/dossiers", description="Hồ sơ dịch vụ công của tôi"
)
desk_blp = Blueprint(
    "dossier_desk",
    __name__,
    url_prefix="/staff/dossiers",
    description="Bộ phận một cửa: tiếp nhận, xử lý hồ sơ",
)
tracking_blp = Blueprint(
    "dossier_tracking", __name__, url_prefix="/tracking/dossiers", description="Tra cứu hồ sơ công khai"
)

OFFICERS = Staff("officer", "admin")


def _citizen_actor() -> service.Actor:
    return service.Actor("citizen", uuid.UUID(require_principal().id))


def _staff_actor() -> service.Actor:
    user = auth.get_staff(uuid.UUID(require_principal().id))
    if user is None:
        raise ApiError(401, "account_disabled", "Tài khoản không còn tồn tại.")
    return service.Actor("staff", user.id, user.role, user.ward_code)


def _attachment_requests(items) -> list[service.AttachmentRequest]:
    return [service.AttachmentRequest(item["document_id"], item["requirement"]) for item in items]


# ---- citizens -------------------------------------------------------------------------------


@citizen_blp.route("")
class MyDossiers(MethodView):
    @allow(Citizen())
    @citizen_blp.arguments(CitizenListQuerySchema, location="query")
    @citizen_blp.response(200, DossierSummarySchema(many=True))
    @citizen_blp.paginate(SelectPage)
    def get(self, query):
        """My dossiers, newest first."""
        return service.citizen_dossiers(_citizen_actor().id, query.get("status"))

    @allow(Citizen())
    @citizen_blp.etag
    @citizen_blp.arguments(ApplicationSchema)
    @citizen_blp.response(201, DossierSchema)
    def post(self, body):
        """Apply online for a procedure, or for a group of interconnected procedures (liên thông)."""
        citizen = citizens.require_citizen(_citizen_actor().id)
        attachments = _attachment_requests(body["attachments"])
        if "group_code" in body:
            dossier = service.submit_group(
                citizen,
                body["group_code"],
                body["forms"],
                ward_code=body.get("ward_code"),
                attachments=attachments,
            )
        else:
            dossier = service.submit(
                citizen,
                body["procedure_code"],
                body["form"],
                ward_code=body.get("ward_code"),
                attachments=attachments,
            )
        return dossier, 201


@citizen_blp.route("/<code>")
@citizen_blp.etag
class MyDossier(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, DossierSchema)
    def get(self, code):
        """One of my dossiers with its documents and every step so far."""
        return service.citizen_dossier(_citizen_actor().id, code)


@citizen_blp.route("/<code>/actions")
@citizen_blp.etag
class MyDossierAction(MethodView):
    @allow(Citizen())
    @needs_if_match
    @citizen_blp.arguments(CitizenActionSchema)
    @citizen_blp.response(200, DossierSchema)
    def post(self, body, code):
        """Supply the documents asked for (`supply_supplement`) or withdraw (`withdraw`). Needs If-Match."""
        actor = _citizen_actor()
        dossier = service.citizen_dossier(actor.id, code)
        citizen_blp.check_etag(dossier, DossierSchema)
        return service.transition(
            dossier,
            body["action"],
            actor,
            note=body.get("note"),
            attachments=_attachment_requests(body["attachments"]),
        )


@citizen_blp.route("/<code>/rating")
@citizen_blp.etag
class MyDossierRating(MethodView):
    @allow(Citizen())
    @citizen_blp.arguments(RatingSchema)
    @citizen_blp.response(200, DossierSchema)
    def post(self, body, code):
        """Rate the service once the result has been returned (1 to 5)."""
        dossier = service.citizen_dossier(_citizen_actor().id, code)
        return service.rate(dossier, body["score"], body.get("comment"))


# ---- the one-stop desk ----------------------------------------------------------------------


@desk_blp.route("")
class Queue(MethodView):
    @allow(OFFICERS)
    @desk_blp.arguments(QueueQuerySchema, location="query")
    @desk_blp.response(200, DossierSummarySchema(many=True))
    @desk_blp.paginate(SelectPage)
    def get(self, query):
        """Open dossiers of my authority, earliest due date first; `overdue` flags the late ones."""
        return service.queue(
            _staff_actor(),
            status=query.get("status"),
            overdue_only=query["overdue"],
            procedure_code=query.get("procedure"),
        )


@desk_blp.route("/statistics")
class Statistics(MethodView):
    @allow(OFFICERS)
    @desk_blp.arguments(StatisticsQuerySchema, location="query")
    @desk_blp.response(200, StatisticsSchema)
    def get(self, query):
        """Dossiers of my authority by status and procedure, on-time and online ratios, processing time."""
        return service.statistics(_staff_actor(), since=query.get("since"), until=query.get("until"))


@desk_blp.route("/<code>")
@desk_blp.etag
class DeskDossier(MethodView):
    @allow(OFFICERS)
    @desk_blp.response(200, StaffDossierSchema)
    def get(self, code):
        """A dossier of my authority with the applicant's details (the read is audited)."""
        return service.staff_dossier(_staff_actor(), code)


@desk_blp.route("/<code>/actions")
@desk_blp.etag
class DeskDossierAction(MethodView):
    @allow(OFFICERS)
    @needs_if_match
    @desk_blp.arguments(OfficerActionSchema)
    @desk_blp.response(200, StaffDossierSchema)
    def post(self, body, code):
        """Accept, refuse, start, request supplements or payment, confirm payment, stop, complete,
        return the result. Needs If-Match; refusing, stopping and asking for supplements need a note."""
        actor = _staff_actor()
        dossier = service.staff_dossier(actor, code)
        desk_blp.check_etag(dossier, StaffDossierSchema)
        return service.transition(
            dossier, body["action"], actor, note=body.get("note"), fee_vnd=body.get("fee_vnd")
        )


@desk_blp.route("/<code>/attachments/<uuid:document_id>/content")
class DeskAttachmentContent(MethodView):
    @allow(OFFICERS)
    @download(
        "application/pdf",
        "image/jpeg",
        "image/png",
        description="Nội dung giấy tờ công dân đính kèm hồ sơ, với kiểu đã xác định khi tải lên",
    )
    @desk_blp.doc(
        summary="Xem giấy tờ đính kèm hồ sơ",
        description="Cán bộ mở một giấy tờ đính kèm hồ sơ thuộc thẩm quyền của mình; lần đọc được ghi nhật ký.",
        responses={"404": {"description": "Không có hồ sơ này, hoặc hồ sơ không có giấy tờ đính kèm này"}},
    )
    def get(self, code, document_id: uuid.UUID):
        actor = _staff_actor()
        document, data = service.read_attachment(actor, service.staff_dossier(actor, code), document_id)
        response = send_file(
            io.BytesIO(data),
            mimetype=document.content_type,
            download_name=document.filename,
            etag=False,
            conditional=False,
        )
        # A citizen's papers: never sniffed into something executable, never rendered as a page
        # of ours, never kept by a shared cache.
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["Cache-Control"] = "private, no-store"
        return response


# ---- public tracking ------------------------------------------------------------------------


@tracking_blp.route("/<code>")
class Tracking(PublicLookupView):
    @allow(PUBLIC)
    @tracking_blp.arguments(TrackingQuerySchema, location="query")
    @tracking_blp.response(200, TrackingSchema)
    def get(self, query, code):
        """Where is this dossier? The code and the last 4 digits of the applicant's CCCD, no login."""
        return service.track(code, query["cccd_last4"])
