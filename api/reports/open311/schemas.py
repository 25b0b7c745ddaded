"""What the Open311 endpoints take: the GET requests filters and the POST requests form.

Field names are the standard's (`lat`, `long`, `attribute[ward_code]`), so a client's field
error names the field it sent. What the endpoints give is rendered by formats.py from the dicts
service.py builds: XML has no schema for marshmallow to dump into.

Both follow what real clients send: an empty argument is an absent one (form clients and some
GET clients send every argument, empty ones as `start_date=`), and the form ignores the
`attribute[...]` fields the service definition does not name (FixMyStreet sends every extra
field its own category has, and `attribute[uprn]`).
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, pre_load
from marshmallow.validate import Length, Range

from api.reports.open311.service import MAX_IDS, split_list
from api.reports.service import DESCRIPTION_MAX
from api.workdays import VIETNAM

_LIST_MAX = 2000  # a list of service codes longer than this is not a real client's
# A UUID is 36 characters; room for a space after each comma. Checked before the list is split.
_ID_LIST_MAX = MAX_IDS * 38
_ATTRIBUTE = re.compile(r"attribute\[(.*)\]\Z", re.DOTALL)


_MOST_IDS = f"{MAX_IDS:,}".replace(",", ".")  # "10.000": Vietnamese groups thousands with dots


def _id_list(value: str) -> None:
    if len(value) > _ID_LIST_MAX or len(split_list(value)) > MAX_IDS:
        raise ValidationError(
            f"Tối đa {_MOST_IDS} mã service_request_id mỗi lần gọi; hãy chia danh sách thành nhiều lần."
        )


def _not_supported(value: str) -> None:
    raise ValidationError(
        "Hệ thống không dùng mã địa chỉ (address_id); hãy gửi vị trí bằng lat và long hoặc address_string."
    )


class _EmptyIsAbsent(Schema):
    @pre_load
    def drop_empty(self, data, **kwargs):
        """Clients send every argument, empty ones as "": an empty argument is an absent one."""
        return {key: value for key, value in data.items() if value != ""}


class RequestsQuerySchema(_EmptyIsAbsent):
    """GET requests: every filter optional; unknown query parameters are ignored (webargs)."""

    service_request_id = fields.String(
        validate=_id_list,
        metadata={
            "description": f"mã yêu cầu, cách nhau bởi dấu phẩy, tối đa {_MOST_IDS} mã, trả về tất cả; "
            "có thì bỏ qua các bộ lọc khác"
        },
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


class RequestFormSchema(_EmptyIsAbsent):
    """POST requests, form-encoded. Unknown fields are refused (flask-smorest's default RAISE),
    except `attribute[...]` fields the service definition does not name: ignored."""

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
    # FixMyStreet's name for device_id (Open311.pm, `use_service_as_deviceid`): not kept either.
    deviceid = fields.String(validate=Length(max=100), metadata={"description": "như device_id; không lưu"})
    account_id = fields.String(validate=Length(max=100), metadata={"description": "trả lại nguyên văn"})
    # Accepted and ignored: fetching a URL the client names would have this server download
    # arbitrary files (and reach addresses inside its own network) on a stranger's say-so;
    # photos come in through the app, where they are checked by content.
    media_url = fields.String(validate=Length(max=2000), metadata={"description": "bỏ qua"})

    @pre_load
    def drop_unknown_attributes(self, data, **kwargs):
        """Clients send the attributes of their own categories (FixMyStreet: every extra field,
        and `attribute[uprn]`); an attribute our service definition does not name means nothing
        here, so it is ignored rather than refused."""
        named = {field.data_key for field in self.fields.values() if field.data_key}
        return {key: value for key, value in data.items() if key in named or not _ATTRIBUTE.match(key)}
