"""What the Open311 endpoints take: the GET requests filters and the POST requests form.

Field names are the standard's (`lat`, `long`, `attribute[ward_code]`), so a client's field
error names the field it sent. What the endpoints give is rendered by formats.py from the dicts
service.py builds: XML has no schema for marshmallow to dump into.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_load
from marshmallow.validate import Length, Range

from api.reports.service import DESCRIPTION_MAX
from api.workdays import VIETNAM

_LIST_MAX = 2000  # a comma-separated filter longer than this is not a real client's


def _not_supported(value: str) -> None:
    raise ValidationError(
        "Hệ thống không dùng mã địa chỉ (address_id); hãy gửi vị trí bằng lat và long hoặc address_string."
    )


class RequestsQuerySchema(Schema):
    """GET requests: every filter optional; unknown query parameters are ignored (webargs)."""

    service_request_id = fields.String(
        validate=Length(max=_LIST_MAX),
        metadata={"description": "mã yêu cầu, cách nhau bởi dấu phẩy; có thì bỏ qua các bộ lọc khác"},
    )
    service_code = fields.String(
        validate=Length(max=_LIST_MAX), metadata={"description": "mã dịch vụ, cách nhau bởi dấu phẩy"}
    )
    start_date = fields.AwareDateTime(
        default_timezone=VIETNAM, metadata={"description": "từ thời điểm (W3C), mặc định 90 ngày trước"}
    )
    end_date = fields.AwareDateTime(
        default_timezone=VIETNAM, metadata={"description": "đến thời điểm (W3C), mặc định bây giờ"}
    )
    status = fields.String(validate=Length(max=50), metadata={"description": "open, closed hoặc open,closed"})
    jurisdiction_id = fields.String(validate=Length(max=100), metadata={"description": "không dùng"})


class RequestFormSchema(Schema):
    """POST requests, form-encoded. Unknown fields are refused (flask-smorest's default RAISE)."""

    api_key = fields.String(
        required=True, validate=Length(max=200), metadata={"description": "client_id:secret"}
    )
    jurisdiction_id = fields.String(validate=Length(max=100), metadata={"description": "không dùng"})
    service_code = fields.String(required=True, validate=Length(max=40))
    lat = fields.Float(allow_nan=False, validate=Range(-90, 90))
    long = fields.Float(allow_nan=False, validate=Range(-180, 180))
    address_string = fields.String(validate=Length(max=300))
    address_id = fields.String(validate=_not_supported, metadata={"description": "không hỗ trợ"})
    ward_code = fields.String(
        data_key="attribute[ward_code]",
        validate=Length(max=10),
        metadata={"description": "bắt buộc: phường, xã nơi xảy ra sự việc (xem định nghĩa dịch vụ)"},
    )
    incident_at = fields.AwareDateTime(
        data_key="attribute[incident_at]",
        default_timezone=VIETNAM,
        metadata={"description": "thời điểm xảy ra"},
    )
    description = fields.String(validate=Length(max=DESCRIPTION_MAX))
    email = fields.Email(validate=Length(max=254))
    first_name = fields.String(validate=Length(max=100))
    last_name = fields.String(validate=Length(max=100))
    phone = fields.String(validate=Length(max=20))
    device_id = fields.String(validate=Length(max=100), metadata={"description": "không lưu"})
    account_id = fields.String(validate=Length(max=100), metadata={"description": "trả lại nguyên văn"})
    # Accepted and ignored: fetching a URL the client names would have this server download
    # arbitrary files (and reach addresses inside its own network) on a stranger's say-so;
    # photos come in through the app, where they are checked by content.
    media_url = fields.String(validate=Length(max=2000), metadata={"description": "bỏ qua"})

    @pre_load
    def drop_empty(self, data, **kwargs):
        """Form clients send every field, empty ones as "": an empty field is an absent one."""
        return {key: value for key, value in data.items() if value != ""}
