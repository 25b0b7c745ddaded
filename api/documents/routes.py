"""The citizen's personal document store, /me/documents. Thin: the rules are in service.py."""

from __future__ import annotations

import io
import uuid

from flask import request, send_file, url_for
from flask.views import MethodView

from api import storage
from api.documents import service
from api.documents.files import missing_file
from api.documents.schemas import DocumentSchema, DocumentUploadSchema
from api.http import MULTIPART_MIME, Blueprint, SelectPage, accepts, download, max_body
from api.policy import Citizen, allow, require_principal

blp = Blueprint(
    "documents",
    __name__,
    url_prefix="/me/documents",
    description="Kho giấy tờ cá nhân: lưu một lần, dùng lại khi nộp hồ sơ (mô hình 4, Đề án 06)",
)

# The store's files need the storage backend: build it (bad settings stop the start-up) and
# put it on /ready whenever this blueprint is served.
blp.record_once(lambda state: storage.init_app(state.app))


def _citizen_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


@blp.route("")
class Documents(MethodView):
    @allow(Citizen())
    @blp.response(200, DocumentSchema(many=True))
    @blp.paginate(SelectPage)
    @blp.doc(summary="Danh sách giấy tờ đã lưu", description="Giấy tờ mới nhất trước.")
    def get(self):
        return service.list_documents(_citizen_id())

    @allow(Citizen())
    @accepts(MULTIPART_MIME)
    @max_body("UPLOAD_MAX_BYTES")
    @blp.arguments(DocumentUploadSchema, location="form", content_type=MULTIPART_MIME)
    @blp.response(201, DocumentSchema)
    @blp.alt_response(200, schema=DocumentSchema, description="Tệp này đã có trong kho: trả về giấy tờ cũ")
    @blp.alt_response(413, description="`file_too_large`: tệp quá 10 MB")
    @blp.alt_response(415, description="`unsupported_file_type`: không phải PDF, JPEG, PNG hoặc bị đổi đuôi")
    @blp.doc(
        summary="Tải lên giấy tờ",
        description="Gửi multipart/form-data với `file`, `title` và `kind` (không bắt buộc). Kiểu tệp được "
        "xác định theo nội dung; tệp có đuôi hoặc kiểu khai báo không khớp nội dung bị từ chối.",
    )
    def post(self, form):
        upload = request.files.get("file")
        if upload is None:
            raise missing_file()
        document, created = service.save(
            _citizen_id(),
            title=form["title"],
            kind=form["kind"],
            filename=upload.filename,
            data=upload.read(),
            declared_type=upload.mimetype,
        )
        if not created:
            return document, 200
        return document, 201, {"Location": url_for("documents.Document", document_id=document.id)}


@blp.route("/<uuid:document_id>")
class Document(MethodView):
    @allow(Citizen())
    @blp.response(200, DocumentSchema)
    @blp.alt_response(404, description="Không có giấy tờ này trong kho của bạn")
    @blp.doc(summary="Thông tin một giấy tờ")
    def get(self, document_id: uuid.UUID):
        return service.get_owned(_citizen_id(), document_id)

    @allow(Citizen())
    @blp.response(204)
    @blp.alt_response(409, description="`document_in_use`: giấy tờ đang đính kèm trong hồ sơ")
    @blp.doc(summary="Xóa giấy tờ")
    def delete(self, document_id: uuid.UUID):
        service.delete(_citizen_id(), document_id)


@blp.route("/<uuid:document_id>/content")
class DocumentContent(MethodView):
    @allow(Citizen())
    @download(
        "application/pdf",
        "image/jpeg",
        "image/png",
        description="Nội dung tệp với kiểu đã xác định khi tải lên",
    )
    @blp.doc(
        summary="Tải nội dung giấy tờ",
        responses={"404": {"description": "Không có giấy tờ này trong kho của bạn"}},
    )
    def get(self, document_id: uuid.UUID):
        document = service.get_owned(_citizen_id(), document_id)
        response = send_file(
            io.BytesIO(service.read_content(document)),
            mimetype=document.content_type,
            as_attachment=True,
            download_name=document.filename,
            etag=False,
            conditional=False,
        )
        # Personal papers: never sniffed into something executable, never rendered as a page,
        # never kept by a shared cache.
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["Cache-Control"] = "private, no-store"
        return response
