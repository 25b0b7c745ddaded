"""The citizen's in-app inbox: list, unread count, mark read. Thin: the rules are in service.py."""

from __future__ import annotations

import uuid

from flask.views import MethodView

from api.health import register_readiness_check
from api.http import Blueprint, SelectPage
from api.policy import Citizen, allow, require_principal
from notifications import fcm, service
from notifications.schemas import (
    DeviceInSchema,
    DeviceSchema,
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


devices_blp = Blueprint(
    "devices", __name__, url_prefix="/me/devices", description="Thiết bị nhận thông báo đẩy (FCM)"
)
# /ready lists push as "ok" or "off"; off never makes the API unready (the inbox still works).
devices_blp.record_once(lambda state: register_readiness_check(state.app, "push", fcm.push_status))


@devices_blp.route("")
class Devices(MethodView):
    @allow(Citizen())
    @devices_blp.response(200, DeviceSchema(many=True))
    @devices_blp.doc(summary="Thiết bị của tôi", description="Các thiết bị đang nhận thông báo đẩy.")
    def get(self):
        return service.list_devices(_citizen_id())

    @allow(Citizen())
    @devices_blp.arguments(DeviceInSchema)
    @devices_blp.response(200, DeviceSchema)
    @devices_blp.alt_response(201, schema=DeviceSchema, description="Thiết bị mới được đăng ký")
    @devices_blp.doc(
        summary="Đăng ký hoặc làm mới mã thiết bị",
        description=(
            "Ứng dụng gọi mỗi lần khởi động. Gọi lại với cùng mã không tạo bản ghi mới; "
            "mã đã đăng ký cho tài khoản khác được chuyển sang tài khoản đang đăng nhập."
        ),
    )
    def put(self, data):
        device, created = service.register_device(_citizen_id(), **data)
        return device, 201 if created else 200


@devices_blp.route("/<uuid:device_id>")
class DeviceItem(MethodView):
    @allow(Citizen())
    @devices_blp.response(204)
    @devices_blp.alt_response(404, description="Không có thiết bị này trong tài khoản của bạn")
    @devices_blp.doc(summary="Xoá thiết bị", description="Thiết bị không nhận thông báo đẩy nữa.")
    def delete(self, device_id: uuid.UUID):
        service.delete_device(_citizen_id(), device_id)
