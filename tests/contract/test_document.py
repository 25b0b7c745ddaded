"""The OpenAPI document's shape: one test for each kind of defect clients met, so none comes back.

Mobile teams generate their clients from `/openapi.json` (openapi-python-client,
openapi-typescript). These tests read the document the app serves and check what those
generators and a client following the document rely on. What the API actually answers is
checked against the document by tests/contract/test_schemathesis.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

PROBLEM_MIME = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
OPEN311 = "/open311/"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# What a generator can read a body as: JSON, bytes or text.
PARSEABLE = re.compile(
    r"^(application/json|application/[\w.+-]+\+json|application/octet-stream|text/[\w.+-]+)$"
)


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    return response.json


def operations(document) -> Iterator[tuple[str, str, dict]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(document, node):
    while isinstance(node, dict) and "$ref" in node:
        _, section, kind, name = node["$ref"].split("/")
        node = document[section][kind][name]
    return node


def responses(document, operation) -> Iterator[tuple[str, dict]]:
    for status, response in operation["responses"].items():
        yield status, resolve(document, response)


def parameters(document, path, operation) -> list[dict]:
    shared = document["paths"][path].get("parameters", [])
    return [resolve(document, p) for p in [*shared, *operation.get("parameters", [])]]


def is_error(status: str) -> bool:
    return status == "default" or int(status) >= 400


def schemas_in(node, where: str) -> Iterator[tuple[str, dict]]:
    """Every schema object under `node` (properties, items, compositions), with where it is."""
    if not isinstance(node, dict):
        return
    yield where, node
    for name, prop in (node.get("properties") or {}).items():
        yield from schemas_in(prop, f"{where}.{name}")
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            yield from schemas_in(node[key], f"{where}[{key}]")
    for key in ("allOf", "anyOf", "oneOf"):
        for index, sub in enumerate(node.get(key) or []):
            yield from schemas_in(sub, f"{where}.{key}[{index}]")


def every_schema(document) -> Iterator[tuple[str, dict]]:
    for name, schema in document["components"]["schemas"].items():
        yield from schemas_in(schema, name)
    for path, method, operation in operations(document):
        label = f"{method.upper()} {path}"
        for parameter in parameters(document, path, operation):
            yield from schemas_in(parameter.get("schema"), f"{label} {parameter['name']}")
        body = resolve(document, operation.get("requestBody", {}))
        for media, content in body.get("content", {}).items():
            yield from schemas_in(content.get("schema"), f"{label} body {media}")
        for status, response in responses(document, operation):
            for media, content in response.get("content", {}).items():
                yield from schemas_in(content.get("schema"), f"{label} {status} {media}")


# ---- errors ----------------------------------------------------------------------------------


def test_every_error_is_documented_as_the_problem_the_api_sends(document):
    wrong = []
    for path, method, operation in operations(document):
        if path.startswith(OPEN311) or (path, method) == ("/ready", "get"):
            continue  # their own formats, checked below
        assert "default" in operation["responses"], (method, path)
        for status, response in responses(document, operation):
            if is_error(status) and status != "304":
                content = response.get("content")
                if content != {PROBLEM_MIME: {"schema": {"$ref": PROBLEM_REF}}}:
                    wrong.append((method.upper(), path, status, content))
    assert wrong == []


def test_the_problem_schema_is_what_problem_response_sends(document):
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    types = {name: prop.get("type") for name, prop in problem["properties"].items()}
    assert types == {
        "type": "string",
        "title": "string",
        "status": "integer",
        "detail": "string",
        "code": "string",
        "request_id": "string",
        "errors": "array",
    }
    field_error = resolve(document, problem["properties"]["errors"]["items"])
    assert set(field_error["required"]) == {"field", "messages"}
    assert problem["additionalProperties"] is True  # codes may add members (`max_bytes`...)


def test_open311_documents_its_own_formats(document):
    """GeoReport v2: `.json` answers JSON arrays and objects, `.xml` and the bare path XML, and
    errors are the standard's list of {code, description} in the same format."""
    seen = 0
    for path, method, operation in operations(document):
        if not path.startswith(OPEN311):
            continue
        seen += 1
        expected = "application/json" if path.endswith(".json") else "text/xml"
        for status, response in responses(document, operation):
            content = response.get("content", {})
            assert list(content) == [expected], (method, path, status)
            schema = resolve(document, content[expected]["schema"])
            if expected == "application/json":
                assert schema["type"] in ("array", "object"), (method, path, status)
            if is_error(status):
                errors = resolve(document, content[expected]["schema"])
                assert errors["type"] == "array"
                item = resolve(document, errors["items"])
                assert set(item["required"]) == {"code", "description"}
    assert seen >= 21  # 7 operations, each as .json, .xml and bare


# ---- successes -------------------------------------------------------------------------------


def test_health_and_readiness_document_their_answers(document):
    health = document["paths"]["/health"]["get"]["responses"]["200"]
    assert resolve(document, health["content"]["application/json"]["schema"])["required"] == ["status"]
    ready = document["paths"]["/ready"]["get"]["responses"]
    for status in ("200", "503"):
        schema = resolve(document, ready[status]["content"]["application/json"]["schema"])
        assert set(schema["required"]) == {"status", "dependencies"}


def test_every_body_can_be_read_by_a_generated_client(document):
    """A response or request whose media types a generator cannot read is dropped from clients
    (downloads used to list only image/jpeg, image/png...)."""
    unreadable = []
    for path, method, operation in operations(document):
        bodies = [("request", resolve(document, operation.get("requestBody", {})))]
        bodies += list(responses(document, operation))
        for status, body in bodies:
            media = list(body.get("content", {}))
            forms = ("multipart/form-data", "application/x-www-form-urlencoded")
            if media and not any(PARSEABLE.match(m) or m in forms for m in media):
                unreadable.append((method.upper(), path, status, media))
    assert unreadable == []


def test_every_property_has_a_type(document):
    """An untyped property comes out as `Any` / `unknown` in generated clients (131 of them did:
    `procedure_name`, `status_name`, `overdue`...). Free-form maps (a form's answers, an audit
    entry's detail) say so with an empty `additionalProperties`: their values are any JSON."""
    untyped = [
        where
        for where, schema in every_schema(document)
        if where.count(".") or "[items]" in where  # properties and items; a whole body may be free
        if not (where.endswith("[additionalProperties]") and schema == {})
        if not any(key in schema for key in ("type", "$ref", "allOf", "anyOf", "oneOf", "const", "enum"))
    ]
    assert untyped == []


def test_inline_objects_do_not_collide_with_named_schemas(document):
    """A generator names an inline object property `<Schema><Property>`: `Campaign.audience`, a
    free-form object, became `CampaignAudience`, the name of a real schema, and
    openapi-python-client dropped `Campaign` (and the types of 7 campaign operations)."""
    schemas = document["components"]["schemas"]
    collisions = [
        f"{name}.{prop}"
        for name, schema in schemas.items()
        for prop, value in (schema.get("properties") or {}).items()
        if "$ref" not in value and _object(value)
        if name + "".join(word.capitalize() for word in prop.split("_")) in schemas
    ]
    assert collisions == []


def _object(schema: dict) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def test_fields_always_sent_are_required(document):
    """Fields the API always sends are required in the response schema, so clients do not
    type every one of them as optional. Samples of each kind: stored, computed, nested."""
    schemas = document["components"]["schemas"]
    expected = {
        "DossierSummary": {"code", "procedure_name", "status_name", "overdue", "due_date"},
        "Dossier": {"history", "attachments", "linked", "parent_code", "form_data"},
        "Step": {"status_name", "by", "at"},
        "ProcedureSummary": {"code", "name"},
        "Tracking": {"status_name", "overdue"},
        "TokenPair": {"access_token", "refresh_token"},
        "Payment": {"id", "status", "amount_vnd"},
    }
    missing = {
        name: sorted(fields - set(schemas[name].get("required", [])))
        for name, fields in expected.items()
        if fields - set(schemas[name].get("required", []))
    }
    assert missing == {}
    # A schema also read from requests keeps the `required` of its fields: one procedure or a
    # group (checked by the API), a payment method that may be left out.
    assert "required" not in schemas["Application"]
    assert "payment_method" not in schemas["PayRequest"].get("required", [])
    # A field some answers leave out is not required: the problem's field errors.
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail", "code"}


# ---- operations and parameters ---------------------------------------------------------------


def test_every_operation_has_a_unique_operation_id(document):
    ids = [operation.get("operationId") for _, _, operation in operations(document)]
    assert None not in ids
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", operation_id) for operation_id in ids)


def test_every_integer_read_from_a_request_is_bounded(document):
    """An integer without a maximum reached the database: `?page=10000000000000000000` was a 500
    (SQLite overflow; PostgreSQL's bigint out of range)."""
    unbounded = []
    for path, method, operation in operations(document):
        label = f"{method.upper()} {path}"
        for parameter in parameters(document, path, operation):
            for where, schema in schemas_in(parameter.get("schema"), f"{label} {parameter['name']}"):
                if _integer(schema) and not _bounded(schema):
                    unbounded.append(where)
        body = resolve(document, operation.get("requestBody", {}))
        for media, content in body.get("content", {}).items():
            for where, schema in _resolved_schemas(document, content.get("schema"), f"{label} {media}"):
                if _integer(schema) and not _bounded(schema) and not schema.get("readOnly"):
                    unbounded.append(where)
    assert unbounded == []


def _integer(schema: dict) -> bool:
    kind = schema.get("type")
    return kind == "integer" or (isinstance(kind, list) and "integer" in kind)


def _bounded(schema: dict) -> bool:
    return "maximum" in schema or "enum" in schema or "const" in schema


def _resolved_schemas(document, node, where, seen=frozenset()) -> Iterator[tuple[str, dict]]:
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        if node["$ref"] in seen:
            return
        seen = seen | {node["$ref"]}
        node = resolve(document, node)
    yield where, node
    for name, prop in (node.get("properties") or {}).items():
        yield from _resolved_schemas(document, prop, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _resolved_schemas(document, node[key], f"{where}[]", seen)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(key) or []:
            yield from _resolved_schemas(document, sub, where, seen)


REQUIRED_HEADERS = {
    ("post", "/me/payments"): "Idempotency-Key",
    ("post", "/me/dossiers/{code}/actions"): "If-Match",
    ("post", "/staff/dossiers/{code}/actions"): "If-Match",
    ("post", "/staff/payments/{payment_id}/refunds"): "If-Match",
    ("post", "/payments/webhook"): "Stripe-Signature",
    ("post", "/staff/content/articles/{article_id}/actions"): "If-Match",
    ("patch", "/staff/content/articles/{article_id}"): "If-Match",
    ("patch", "/staff/content/faq/{key}"): "If-Match",
    ("patch", "/comms/campaigns/{campaign_id}"): "If-Match",
    ("post", "/comms/campaigns/{campaign_id}/approve"): "If-Match",
    ("post", "/comms/campaigns/{campaign_id}/schedule"): "If-Match",
    ("post", "/staff/products/sellers/{seller_id}/decision"): "If-Match",
    ("post", "/staff/products/{product_id}/decision"): "If-Match",
}


@pytest.mark.parametrize(("method", "path", "header"), [(m, p, h) for (m, p), h in REQUIRED_HEADERS.items()])
def test_required_headers_are_declared(document, method, path, header):
    """A request that follows the document is not refused for a header it never mentioned."""
    operation = document["paths"][path][method]
    declared = {p["name"]: p for p in parameters(document, path, operation) if p["in"] == "header"}
    assert declared[header]["required"] is True


def test_a_put_that_creates_documents_if_match_as_optional(document):
    """A PUT that creates needs no If-Match, replacing needs it: documented, not as required."""
    operation = document["paths"]["/me/digital-address"]["put"]
    declared = {
        p["name"]: p for p in parameters(document, "/me/digital-address", operation) if p["in"] == "header"
    }
    assert declared["If-Match"]["required"] is False


@pytest.mark.parametrize(
    ("method", "path"), [(m, p) for (m, p), h in REQUIRED_HEADERS.items() if h == "If-Match"]
)
def test_a_change_that_needs_if_match_documents_428_and_412(document, method, path):
    """The one ETag mechanism (api.http.Blueprint): a client learns from the document that a
    stale copy is refused (412) and a missing If-Match too (428), both as problem+json."""
    responses = document["paths"][path][method]["responses"]
    for status in ("412", "428"):
        response = resolve(document, responses[status])
        assert "application/problem+json" in response["content"], (path, status)


def test_paginated_lists_describe_x_pagination(document):
    lists = 0
    for path, _, operation in operations(document):
        names = {p["name"] for p in parameters(document, path, operation) if p["in"] == "query"}
        if "page" not in names:
            continue
        lists += 1
        header = resolve(document, operation["responses"]["200"]["headers"]["X-Pagination"])
        assert header["required"] is True
        schema = resolve(document, header["content"]["application/json"]["schema"])
        assert set(schema["required"]) == {"total", "total_pages"}, path
    assert lists >= 17


def test_the_title_makes_a_valid_package_name(document):
    """Generators name the client package after the title; it must be ASCII."""
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", document["info"]["title"])
