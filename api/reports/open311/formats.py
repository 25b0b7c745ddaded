"""Open311's two wire formats: the same plain data rendered as XML (required) or JSON.

The service layer hands over dicts and lists of plain values; this module only decides how
they look on the wire. GeoReport v2 names a list's elements after what they hold
(`<services><service>…`), so `ITEM_NAMES` says what each list's children are called.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from flask import Response, request

XML, JSON = "xml", "json"
FORMATS = (XML, JSON)
MIMETYPES = {XML: "text/xml", JSON: "application/json"}
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}

# Characters XML 1.0 cannot carry at all, even escaped. A description a citizen typed with a
# stray control character must not make the whole feed unreadable for every client.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def format_of_path(path: str) -> str:
    """The format a path asks for: `.json` is JSON; anything else XML, the standard's default."""
    return JSON if path.endswith(".json") else XML


def respond(data: Any, fmt: str, root: str, status: int = 200, headers: Mapping[str, str] | None = None):
    """`data` rendered in `fmt`; `root` names the XML root element (JSON has none)."""
    body = json.dumps(data, ensure_ascii=False).encode() if fmt == JSON else to_xml(root, data)
    response = Response(body, status=status, content_type=f"{MIMETYPES[fmt]}; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        child_name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, child_name), item)
    elif value is not None:
        element.text = _NOT_XML.sub("", _text(value))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def error_response(status: int, messages: list[str], headers: dict[str, str]):
    """The standard's error list, in the format the failed path asked for.

    Registered for the `/open311` prefix with api.errors.register_error_format: every error
    there, from a view, a hook or the routing, comes out through here. GeoReport v2 speaks of
    400 for any request it cannot process, so our 415 (not a form) and 422 (a field refused)
    are 400 here.
    """
    status = {415: 400, 422: 400}.get(status, status)
    errors = [{"code": status, "description": message} for message in messages]
    return respond(errors, format_of_path(request.path), "errors", status, headers)
