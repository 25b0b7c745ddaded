"""The citizen's in-app inbox: list, unread count, mark read. Thin: the rules are in service.py."""

from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth.policy import Citizen, allow, require_principal
from api.http import SelectPage
from notifications import service
from notifications.schemas import (
    InboxMessageSchema,
    InboxQuerySchema,
    ReadAllResultSchema,
    UnreadCountSchema,
)

blp = Blueprint("inbox", __name__, url_prefix="/me/inbox", description="Hộp thư trong ứng dụng")


def _citizen_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


@blp.route("")
class Inbox(MethodView):
    @allow(Citizen())
    @blp.arguments(InboxQuerySchema, location="query")
    @blp.response(200, InboxMessageSchema(many=True))
    @blp.paginate(SelectPage)
    @blp.doc(
        summary="Danh sách thông báo",
        description="Thông báo mới nhất trước; `unread=true` chỉ lấy thông báo chưa đọc.",
    )
    def get(self, query):
        return service.list_messages(_citizen_id(), unread_only=query["unread"])


@blp.route("/unread-count")
class UnreadCount(MethodView):
    @allow(Citizen())
    @blp.response(200, UnreadCountSchema)
    @blp.doc(summary="Số thông báo chưa đọc", description="Dùng cho huy hiệu trên biểu tượng chuông.")
    def get(self):
        return {"unread": service.unread_count(_citizen_id())}


@blp.route("/<uuid:message_id>/read")
class MessageRead(MethodView):
    @allow(Citizen())
    @blp.response(200, InboxMessageSchema)
    @blp.alt_response(404, description="Không có thông báo này trong hộp thư của bạn")
    @blp.doc(
        summary="Đánh dấu đã đọc", description="Gọi lại nhiều lần không thay đổi thời điểm đọc đầu tiên."
    )
    def post(self, message_id: uuid.UUID):
        return service.mark_read(_citizen_id(), message_id)


@blp.route("/read-all")
class ReadAll(MethodView):
    @allow(Citizen())
    @blp.response(200, ReadAllResultSchema)
    @blp.doc(summary="Đánh dấu tất cả đã đọc")
    def post(self):
        citizen_id = _citizen_id()
        return {"marked": service.mark_all_read(citizen_id), "unread": service.unread_count(citizen_id)}
