"""What the Open311 paths answer, for the OpenAPI document (api/openapi.py).

Each route is served three ways: `.json` answers JSON, `.xml` and the bare path XML (the
standard's required format), errors included, in GeoReport v2's own error list rather than
problem details. These schemas describe the plain data service.py hands to formats.py; the XML
is the same data, its elements named as `formats.ITEM_NAMES` says (the `xml` keywords below).
They only document: nothing is dumped with them.
"""

from __future__ import annotations

from marshmallow import INCLUDE, fields
from marshmallow import Schema as _Schema

from api.fields import SOMETIMES_SENT
from api.reports.open311 import formats


class Schema(_Schema):
    class Meta:
        # GeoReport v2 clients take members they do not know: the standard has extensions.
        unknown = INCLUDE


class Open311EndpointSchema(Schema):
    specification = fields.String()
    url = fields.String()
    changeset = fields.String()
    type = fields.String()
    formats = fields.List(fields.String())


class Open311DiscoverySchema(Schema):
    changeset = fields.String()
    contact = fields.String()
    key_service = fields.String()
    endpoints = fields.List(fields.Nested(Open311EndpointSchema))


class Open311ServiceSchema(Schema):
    service_code = fields.String()
    service_name = fields.String()
    description = fields.String()
    metadata = fields.Boolean()
    type = fields.String()
    keywords = fields.String()
    group = fields.String()


class Open311AttributeValueSchema(Schema):
    key = fields.String()
    name = fields.String()


class Open311AttributeSchema(Schema):
    variable = fields.Boolean()
    code = fields.String()
    datatype = fields.String()
    required = fields.Boolean()
    datatype_description = fields.String()
    order = fields.Integer()
    description = fields.String()
    values = fields.List(
        fields.Nested(Open311AttributeValueSchema),
        metadata={"description": "chỉ với singlevaluelist", SOMETIMES_SENT: True},
    )


class Open311ServiceDefinitionSchema(Schema):
    service_code = fields.String()
    attributes = fields.List(fields.Nested(Open311AttributeSchema))


class Open311RequestSchema(Schema):
    service_request_id = fields.String()
    status = fields.String(metadata={"description": "open | closed"})
    status_notes = fields.String(allow_none=True)
    service_name = fields.String()
    service_code = fields.String()
    description = fields.String(allow_none=True)
    agency_responsible = fields.String(allow_none=True)
    service_notice = fields.String(allow_none=True)
    requested_datetime = fields.String(metadata={"description": "W3C"})
    updated_datetime = fields.String(allow_none=True, metadata={"description": "W3C"})
    expected_datetime = fields.String(allow_none=True, metadata={"description": "W3C"})
    address = fields.String(allow_none=True)
    address_id = fields.String(allow_none=True, metadata={"description": "luôn rỗng: chưa có sổ địa chỉ"})
    zipcode = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    long = fields.Float(allow_none=True)
    media_url = fields.String(
        allow_none=True, metadata={"description": "luôn rỗng: ảnh của người dân không được công khai"}
    )


class Open311CreatedSchema(Schema):
    service_request_id = fields.String()
    service_notice = fields.String(allow_none=True)
    account_id = fields.String(allow_none=True)


class Open311TokenSchema(Schema):
    service_request_id = fields.String()
    token = fields.String()


class Open311ErrorSchema(Schema):
    code = fields.Integer(metadata={"description": "mã trạng thái HTTP"})
    description = fields.String(metadata={"description": "thông báo tiếng Việt"})


def _list_of(schema, root: str) -> dict:
    """A list, as JSON and as the XML root element `root` holding one element per item."""
    return {"type": "array", "items": schema, "xml": {"name": root, "wrapped": True}}


def response(description: str, root: str, schema, *, many: bool = False) -> dict:
    """A success answer in both formats, for `blp.doc(responses=...)`; `document` keeps the one
    each path answers. `root` is the XML root element (formats.respond's)."""
    body = _list_of(schema, root) if many else schema
    return {
        "description": description,
        "content": {mime: {"schema": body} for mime in formats.MIMETYPES.values()},
    }


def document(rule, operations: dict[str, dict], ref) -> None:
    """Complete the operations of one Open311 path (registered with api.openapi.document_paths):
    the path's one media type for every answer, and the standard's error list for errors. 415
    and 422 are answered as 400 (formats.error_response)."""
    mime = formats.MIMETYPES[rule.defaults["fmt"]]
    errors = {"schema": _list_of(ref(Open311ErrorSchema), "errors")}
    for operation in operations.values():
        responses = operation.setdefault("responses", {})
        for status in list(responses):
            if str(status) in ("415", "422"):
                del responses[status]
        for answer in responses.values():
            if isinstance(answer, dict) and answer.get("content"):
                answer["content"] = {mime: answer["content"][mime]}
        responses["400"] = {"description": "Yêu cầu không hợp lệ", "content": {mime: errors}}
        responses["default"] = {
            "description": "Lỗi theo định dạng của GeoReport v2",
            "content": {mime: errors},
        }
