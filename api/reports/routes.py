"""Report endpoints: the public catalogue and tracking, the citizen's reports, the desk's triage.

Thin: parse, authorise (`@allow`), build the actor, call api/reports/service.py, serialise.
"""

from __future__ import annotations

import io
import uuid

from flask import request, send_file, url_for
from flask.views import MethodView

from api import storage
from api.auth import service as auth
from api.auth import tokens
from api.citizens import service as citizens
from api.documents.files import missing_file
from api.errors import ApiError
from api.http import MULTIPART_MIME, Blueprint, PublicLookupView, SelectPage, accepts, download, max_body
from api.policy import PUBLIC, Citizen, Service, Staff, allow, require_principal
from api.reports import service
from api.reports.schemas import (
    AssigneeSchema,
    ChatReportInSchema,
    ReportActionSchema,
    ReportCategorySchema,
    ReportCommentInSchema,
    ReportCommentSchema,
    ReporterIdentityReadSchema,
    ReporterIdentitySchema,
    ReportInSchema,
    ReportListQuerySchema,
    ReportMediaSchema,
    ReportMediaUploadSchema,
    ReportMergeSchema,
    ReportQueueItemSchema,
    ReportQueueQuerySchema,
    ReportRatingSchema,
    ReportSchema,
    ReportStaffCommentInSchema,
    ReportStaffCommentSchema,
    ReportStatisticsSchema,
    ReportWardSchema,
    StaffReportSchema,
    SubmittedSchema,
    TrackedSchema,
)
from api.reports.workflow import CITIZEN, STAFF

public_blp = Blueprint(
    "report_public",
    __name__,
    url_prefix="/reports",
    description="Lĩnh vực phản ánh, theo dõi tố giác ẩn danh",
)
citizen_blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/me/reports",
    description="Phản ánh hiện trường và tố giác tội phạm của tôi (mô hình 29, Đề án 06)",
)
staff_blp = Blueprint(
    "report_desk",
    __name__,
    url_prefix="/staff/reports",
    description="Công an, cán bộ phường xã: tiếp nhận, phân loại và xử lý phản ánh",
)

chat_blp = Blueprint(
    "report_chat",
    __name__,
    url_prefix="/service/reports",
    description="Máy chủ hành động của chatbot gửi phản ánh, tố giác thay công dân",
)
# The holder named in the chat's delegated tokens (api/chat/service.py: _chat_token).
CHATBOT = "chatbot"

# Media live in the configured storage; a bad identity key stops the start-up.
citizen_blp.record_once(lambda state: storage.init_app(state.app))
citizen_blp.record_once(lambda state: service.check_identity_key(state.app))

DESK = Staff("officer", "police", "admin")
POLICE = Staff("police")


def _citizen_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


def _staff_actor() -> service.Actor:
    user = auth.get_staff(uuid.UUID(require_principal().id))
    if user is None:
        raise ApiError(401, "account_disabled", "Tài khoản không còn tồn tại.")
    return service.Actor(STAFF, user.id, user.role, user.ward_code)


def _upload(report, uploaded_by: str):
    upload = request.files.get("file")
    if upload is None:
        raise missing_file()
    return service.add_media(
        report,
        uploaded_by=uploaded_by,
        filename=upload.filename,
        data=upload.read(),
        declared_type=upload.mimetype,
    )


def _send(item):
    response = send_file(
        io.BytesIO(service.read_media(item)),
        mimetype=item.content_type,
        as_attachment=False,
        etag=False,
        conditional=False,
    )
    # Evidence of a report: never sniffed into something else, never kept by a shared cache.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


_media_download = download("image/jpeg", "image/png", "video/mp4", description="Ảnh hoặc video")


# ---- public ---------------------------------------------------------------------------------


@public_blp.route("/categories")
class Categories(PublicLookupView):
    @allow(PUBLIC)
    @public_blp.response(200, ReportCategorySchema(many=True))
    def get(self):
        """Lĩnh vực phản ánh: đơn vị xử lý, thời hạn (ngày làm việc), số khẩn cấp cần gọi."""
        return list(service.categories())


@public_blp.route("/wards")
class ReportWards(PublicLookupView):
    @allow(PUBLIC)
    @public_blp.response(200, ReportWardSchema(many=True))
    def get(self):
        """Phường, xã, đặc khu nhận phản ánh (của tỉnh đang vận hành ứng dụng), xếp theo tên."""
        return service.report_wards()


@public_blp.route("/track/<string:token>")
class Tracked(PublicLookupView):
    @allow(PUBLIC)
    @public_blp.response(200, TrackedSchema)
    def get(self, token):
        """Theo dõi tố giác ẩn danh bằng mã theo dõi nhận được khi gửi (giới hạn tần suất)."""
        return service.tracked_report(token)


@public_blp.route("/track/<string:token>/media")
class TrackedMedia(PublicLookupView):
    @allow(Citizen())
    @accepts(MULTIPART_MIME)
    @max_body("REPORT_MEDIA_MAX_BYTES")
    @public_blp.arguments(ReportMediaUploadSchema, location="form", content_type=MULTIPART_MIME)
    @public_blp.response(201, ReportMediaSchema)
    def post(self, form, token):
        """Thêm ảnh, video cho tố giác ẩn danh (mã theo dõi thay cho quyền sở hữu)."""
        return _upload(service.tracked_report(token), CITIZEN)


# ---- citizens -------------------------------------------------------------------------------


@citizen_blp.route("")
class MyReports(MethodView):
    @allow(Citizen())
    @citizen_blp.arguments(ReportListQuerySchema, location="query")
    @citizen_blp.response(200, ReportSchema(many=True))
    @citizen_blp.paginate(SelectPage)
    def get(self, query):
        """Phản ánh của tôi, mới nhất trước (tố giác ẩn danh không nằm ở đây: dùng mã theo dõi)."""
        return service.citizen_reports(_citizen_id(), query.get("status"))

    @allow(Citizen())
    @citizen_blp.arguments(ReportInSchema)
    @citizen_blp.response(201, SubmittedSchema)
    def post(self, body):
        """Gửi phản ánh hoặc tố giác. Với lĩnh vực khẩn cấp, câu trả lời có số điện thoại cần gọi ngay."""
        citizen = citizens.require_citizen(_citizen_id())
        submitted = service.submit(citizen, body)
        headers = {}
        if not submitted.report.anonymous:
            headers["Location"] = url_for("reports.MyReport", report_id=submitted.report.id)
        return submitted, 201, headers


@citizen_blp.route("/<uuid:report_id>")
class MyReport(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, ReportSchema)
    def get(self, report_id):
        """Một phản ánh của tôi: trạng thái, hạn, lịch sử, bình luận, kết quả xử lý."""
        return service.citizen_report(_citizen_id(), report_id)


@citizen_blp.route("/<uuid:report_id>/media")
class MyReportMedia(MethodView):
    @allow(Citizen())
    @accepts(MULTIPART_MIME)
    @max_body("REPORT_MEDIA_MAX_BYTES")
    @citizen_blp.arguments(ReportMediaUploadSchema, location="form", content_type=MULTIPART_MIME)
    @citizen_blp.response(201, ReportMediaSchema)
    @citizen_blp.alt_response(413, description="`file_too_large`")
    @citizen_blp.alt_response(
        415, description="`unsupported_file_type`: không phải JPEG, PNG, MP4 hoặc bị đổi đuôi"
    )
    def post(self, form, report_id):
        """Thêm ảnh (JPEG, PNG) hoặc video (MP4); kiểu tệp xác định theo nội dung."""
        return _upload(service.citizen_report(_citizen_id(), report_id), CITIZEN)


@citizen_blp.route("/<uuid:report_id>/media/<uuid:media_id>")
class MyReportMediaContent(MethodView):
    @allow(Citizen())
    @_media_download
    def get(self, report_id, media_id):
        """Nội dung một ảnh, video của phản ánh."""
        return _send(service.media_item(service.citizen_report(_citizen_id(), report_id), media_id))


@citizen_blp.route("/<uuid:report_id>/confirm")
class ConfirmMyReport(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, ReportSchema)
    def post(self, report_id):
        """Xác nhận đã được xử lý: phản ánh được đóng."""
        return service.confirm(_citizen_id(), report_id)


@citizen_blp.route("/<uuid:report_id>/rating")
class RateMyReport(MethodView):
    @allow(Citizen())
    @citizen_blp.arguments(ReportRatingSchema)
    @citizen_blp.response(200, ReportSchema)
    def post(self, body, report_id):
        """Đánh giá việc xử lý (1–5), sau khi đã xử lý xong."""
        return service.rate(_citizen_id(), report_id, body["score"], body.get("comment"))


@citizen_blp.route("/<uuid:report_id>/comments")
class MyReportComments(MethodView):
    @allow(Citizen())
    @citizen_blp.arguments(ReportCommentInSchema)
    @citizen_blp.response(201, ReportCommentSchema)
    def post(self, body, report_id):
        """Bổ sung thông tin, trao đổi với cán bộ xử lý."""
        report = service.citizen_report(_citizen_id(), report_id)
        return service.add_comment(
            report, author_kind=CITIZEN, author=CITIZEN, body=body["body"], internal=False
        )


# ---- the chatbot ----------------------------------------------------------------------------


@chat_blp.route("")
class ChatReports(MethodView):
    @allow(Service("reports:write"))
    @chat_blp.arguments(ChatReportInSchema)
    @chat_blp.response(201, SubmittedSchema)
    @chat_blp.alt_response(
        401,
        description="`delegated_token_expired`, `delegated_token_invalid`, `delegated_token_revoked`: "
        "mã ủy quyền của công dân không dùng được; `sign_in_required`: không có mã ủy quyền mà "
        "không phải tố giác ẩn danh",
    )
    def post(self, body):
        """Gửi phản ánh, tố giác qua trò chuyện: thay công dân đã đăng nhập (`on_behalf_of`), hoặc
        tố giác ẩn danh. Mã ủy quyền chỉ để xem nên không gửi được trực tiếp; máy chủ hành động
        gửi bằng tài khoản máy của mình, API tự kiểm tra mã của công dân."""
        token = body.pop("on_behalf_of", None)
        citizen = None
        if token is not None:
            kind, _, ident = tokens.delegated_subject(token, via=CHATBOT).partition(":")
            if kind != "citizen":
                raise ApiError(401, "delegated_token_invalid", "Mã ủy quyền của công dân không hợp lệ.")
            citizen = citizens.require_citizen(uuid.UUID(ident))
        return service.submit(citizen, body, channel=service.CHAT), 201


# ---- the desk -------------------------------------------------------------------------------


@staff_blp.route("")
class Queue(MethodView):
    @allow(DESK)
    @staff_blp.arguments(ReportQueueQuerySchema, location="query")
    @staff_blp.response(200, ReportQueueItemSchema(many=True))
    @staff_blp.paginate(SelectPage)
    def get(self, query):
        """Phản ánh của đơn vị tôi, hạn gần nhất trước; mặc định các phản ánh chưa xử lý xong."""
        return service.queue(
            _staff_actor(),
            status=query.get("status"),
            category=query.get("category"),
            overdue=query.get("overdue", False),
        )


@staff_blp.route("/statistics")
class Statistics(MethodView):
    @allow(DESK)
    @staff_blp.response(200, ReportStatisticsSchema)
    def get(self):
        """Thống kê theo trạng thái, lĩnh vực và phường, xã trong phạm vi của tôi."""
        return service.statistics(_staff_actor())


@staff_blp.route("/<uuid:report_id>")
class DeskReport(MethodView):
    @allow(DESK)
    @staff_blp.response(200, StaffReportSchema)
    def get(self, report_id):
        """Chi tiết một phản ánh, với ghi chú nội bộ (không có thông tin người tố giác). Được ghi nhật ký."""
        return service.staff_read(_staff_actor(), report_id)


@staff_blp.route("/<uuid:report_id>/assignees")
class DeskAssignees(MethodView):
    @allow(DESK)
    @staff_blp.response(200, AssigneeSchema(many=True))
    def get(self, report_id):
        """Cán bộ đang làm việc của đơn vị xử lý phản ánh: những người có thể được giao (thao tác assign)."""
        return service.assignees(_staff_actor(), report_id)


@staff_blp.route("/<uuid:report_id>/actions")
class DeskAction(MethodView):
    @allow(DESK)
    @staff_blp.arguments(ReportActionSchema)
    @staff_blp.response(200, StaffReportSchema)
    def post(self, body, report_id):
        """assign, start, resolve (cần note và evidence_media_id), reject (cần lý do), reassign."""
        return service.act(
            _staff_actor(),
            report_id,
            body["action"],
            note=body.get("note"),
            assignee=body.get("assignee"),
            unit_kind=body.get("unit_kind"),
            ward_code=body.get("ward_code"),
            evidence_media_id=body.get("evidence_media_id"),
        )


@staff_blp.route("/<uuid:report_id>/merge")
class DeskMerge(MethodView):
    @allow(DESK)
    @staff_blp.arguments(ReportMergeSchema)
    @staff_blp.response(200, StaffReportSchema)
    def post(self, body, report_id):
        """Gộp phản ánh trùng vào phản ánh chính; số người cùng phản ánh của phản ánh chính tăng."""
        return service.merge(_staff_actor(), report_id, body["into"], body.get("note"))


@staff_blp.route("/<uuid:report_id>/media")
class DeskMedia(MethodView):
    @allow(DESK)
    @accepts(MULTIPART_MIME)
    @max_body("REPORT_MEDIA_MAX_BYTES")
    @staff_blp.arguments(ReportMediaUploadSchema, location="form", content_type=MULTIPART_MIME)
    @staff_blp.response(201, ReportMediaSchema)
    def post(self, form, report_id):
        """Tải lên ảnh kết quả xử lý (dùng khi chuyển sang 'đã xử lý xong')."""
        return _upload(service.staff_report(_staff_actor(), report_id), STAFF)


@staff_blp.route("/<uuid:report_id>/media/<uuid:media_id>")
class DeskMediaContent(MethodView):
    @allow(DESK)
    @_media_download
    def get(self, report_id, media_id):
        """Nội dung một ảnh, video của phản ánh."""
        return _send(service.media_item(service.staff_report(_staff_actor(), report_id), media_id))


@staff_blp.route("/<uuid:report_id>/comments")
class DeskComments(MethodView):
    @allow(DESK)
    @staff_blp.arguments(ReportStaffCommentInSchema)
    @staff_blp.response(201, ReportStaffCommentSchema)
    def post(self, body, report_id):
        """Trả lời người phản ánh, hoặc ghi chú nội bộ (`internal: true`) mà người phản ánh không thấy."""
        actor = _staff_actor()
        report = service.staff_report(actor, report_id)
        return service.add_comment(
            report, author_kind=STAFF, author=actor.ref, body=body["body"], internal=body["internal"]
        )


@staff_blp.route("/<uuid:report_id>/identity")
class DeskIdentity(MethodView):
    @allow(POLICE)
    @staff_blp.arguments(ReporterIdentityReadSchema)
    @staff_blp.response(200, ReporterIdentitySchema)
    def post(self, body, report_id):
        """Công an xem thông tin người tố giác (đã mã hoá); bắt buộc ghi mục đích, mỗi lần xem được ghi nhật ký."""
        return service.read_identity(_staff_actor(), report_id, body["reason"])
