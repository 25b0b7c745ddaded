"""What the personal document store's endpoints take and give."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, pre_load, validate

from api.documents.service import KINDS, TITLE_MAX
from api.fields import VietnamDateTime

_KIND_LIST = "; ".join(f"{kind}: {name}" for kind, name in KINDS.items())


class DocumentUploadSchema(Schema):
    """The multipart/form-data body of an upload.

    `file` is read from the request's file parts by the view (webargs reads one location per
    schema); it is declared here so the OpenAPI document shows the whole form.
    """

    file = Upload(
        metadata={"description": "tệp PDF, JPEG hoặc PNG, tối đa 10 MB; kiểu tệp xác định theo nội dung"}
    )
    title = fields.String(
        required=True,
        validate=validate.Length(max=TITLE_MAX, error=f"Tên giấy tờ dài tối đa {TITLE_MAX} ký tự."),
        metadata={"description": "tên giấy tờ do công dân đặt", "example": "CCCD mặt trước"},
    )
    kind = fields.String(
        load_default=None,
        validate=validate.OneOf(
            list(KINDS), error="Loại giấy tờ không hợp lệ; các loại được nhận: " + ", ".join(KINDS) + "."
        ),
        metadata={"description": "loại giấy tờ (không bắt buộc): " + _KIND_LIST},
    )

    @pre_load
    def _empty_kind_is_none(self, data, **kwargs):
        # An HTML form or app picker left on "no choice" sends `kind=`; that means no kind.
        if data.get("kind") == "":
            data = {key: data.get(key) for key in data if key != "kind"}
        return data


class DocumentSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True, metadata={"example": "CCCD mặt trước"})
    kind = fields.String(allow_none=True, metadata={"description": "loại giấy tờ, ví dụ cccd"})
    filename = fields.String(required=True, metadata={"description": "tên tệp gốc (đã làm sạch)"})
    content_type = fields.String(
        required=True, metadata={"description": "application/pdf, image/jpeg hoặc image/png (theo nội dung)"}
    )
    size_bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True, metadata={"description": "mã băm SHA-256 của nội dung"})
    created_at = VietnamDateTime(required=True, metadata={"description": "thời điểm tải lên (giờ Việt Nam)"})
