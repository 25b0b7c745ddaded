"""The OpenAPI document (`/openapi.json`): the one place that makes it say what the API does.

Mobile teams generate their clients from it, so it must be true. flask-smorest and apispec build
it from the routes' decorators and the marshmallow schemas; `DocumentPlugin`, an apispec plugin
that `ProblemApi` installs, completes each operation with what they cannot see:

- an `operationId` made from the endpoint's name (stable and unique), so generated functions have
  names;
- every error answer as `application/problem+json` with the `Problem` schema (api/errors.py), or,
  under a prefix that answers a standard's own error format (Open311), what that standard's
  module documents for its paths (`document_paths`);
- the request headers a view reads (`request_header`; `@idempotent`'s), required when it cannot do without;
- the `X-Pagination` header as the JSON it is;
- values computed when dumping (`api.fields.computed`) typed as the field they return,
  `fields.Constant` as its constant, and a `Decimal` sent as a string as a string;
- in schemas only ever sent (never read), every property marked required, since marshmallow dumps
  every field of a schema (`settle`); a field that may be left out says so with `SOMETIMES_SENT`.

`tests/contract/` checks the result: the document's shape, schemathesis against the live app, and
a client generated from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from apispec import BasePlugin
from marshmallow import fields

from api.errors import PROBLEM_MIME, ProblemApi, ProblemSchema
from api.fields import RETURNS, SOMETIMES_SENT
from api.policy import handler_for

if TYPE_CHECKING:
    from werkzeug.routing import Rule

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

_REQUEST_HEADERS = "__request_headers__"
_PATH_DOCUMENTERS = "cds_path_documenters"

# adjust(rule, operations, ref): completes the operations of one path under a registered prefix;
# `ref(schema)` is the reference to a marshmallow schema, registered in the document's components.
PathDocumenter = Callable[["Rule", dict[str, dict], Callable[[Any], dict]], None]


def request_header(
    name: str, description: str, *, required: bool = True, schema: Mapping[str, Any] | None = None
) -> Callable:
    """Declare a request header the view reads; `required` when it refuses to work without it.

    The view (or a decorator of it, like `@idempotent`) still checks the header itself: this only
    says so in the document, so that a client that follows the document is not refused.
    """
    parameter = {
        "in": "header",
        "name": name,
        "required": required,
        "description": description,
        "schema": dict(schema or {"type": "string", "minLength": 1}),
    }

    def decorator(func: Callable) -> Callable:
        setattr(func, _REQUEST_HEADERS, (*getattr(func, _REQUEST_HEADERS, ()), parameter))
        return func

    return decorator


def document_paths(app, prefix: str, adjust: PathDocumenter) -> None:
    """Let the module that owns the paths under `prefix` document them itself, errors included
    (a standard with formats of its own: Open311). Called for each path after the defaults."""
    app.extensions.setdefault(_PATH_DOCUMENTERS, {})[prefix.rstrip("/")] = adjust


def operation_id(endpoint: str, method: str) -> str:
    """`dossiers.MyDossierAction` + POST -> `post_dossiers_my_dossier_action`."""
    words = [_snake(part) for part in endpoint.split(".")]
    return "_".join([method.lower(), *words])


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


class DocumentPlugin(BasePlugin):
    """Completes every operation of the document (see the module's docstring)."""

    def __init__(self, api: ProblemApi) -> None:
        self.api = api
        self._declared_required: dict[str, list[str]] = {}

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        self.spec = spec
        converter = self.api.ma_plugin.converter
        converter.add_attribute_function(_computed2properties)
        converter.add_attribute_function(_constant2properties)
        converter.add_attribute_function(_decimal2properties)

    # ---- components ------------------------------------------------------------------------

    def register_pagination_header(self) -> None:
        # The header's value is JSON, not OpenAPI's default `simple` style: say so with `content`.
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Phân trang (JSON): tổng số mục, số trang, trang trước và sau",
                "required": True,
                "content": {"application/json": {"schema": self._ref(PaginationMetadataSchema)}},
            },
            lazy=True,
        )

    def _ref(self, schema) -> dict:
        return self.api.ma_plugin.resolver.resolve_schema_dict(schema)

    # ---- operations ------------------------------------------------------------------------

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        if rule is None or operations is None:
            return
        app = self.api._app
        documenter = _documenter_for(app, path)
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            operation.setdefault("operationId", operation_id(rule.endpoint, method))
            self._declare_headers(operation, handler_for(app, rule.endpoint, method.upper()))
            if documenter is None:
                self._document_problems(operation)
        if documenter is not None:
            documenter(rule, operations, self._ref)

    @staticmethod
    def _declare_headers(operation: dict, handler: Callable | None) -> None:
        parameters = operation.setdefault("parameters", [])
        if getattr(handler, "__put_may_create__", False) and "IF_MATCH" in parameters:
            # flask-smorest documents If-Match as required on every PUT; this one creates the
            # resource without it (api.http.put_may_create) and needs it only to replace.
            parameters[parameters.index("IF_MATCH")] = {
                "in": "header",
                "name": "If-Match",
                "required": False,
                "description": "ETag đã nhận; bắt buộc khi thay thế, không gửi khi tạo mới",
                "schema": {"type": "string"},
            }
        if getattr(handler, "__needs_if_match__", False) and "IF_MATCH" not in parameters:
            # a POST on an existing resource (api.http.needs_if_match): flask-smorest documents
            # If-Match only for PUT, PATCH and DELETE
            parameters.append("IF_MATCH")
            responses = operation.setdefault("responses", {})
            for status in (HTTPStatus.PRECONDITION_FAILED, HTTPStatus.PRECONDITION_REQUIRED):
                if str(status.value) not in responses and status.value not in responses:
                    responses[str(status.value)] = status.name  # flask-smorest's own component
        declared = {_parameter_name(p) for p in parameters}
        for parameter in getattr(handler, _REQUEST_HEADERS, ()):
            if parameter["name"].lower() not in declared:
                parameters.append(dict(parameter))
        if not parameters:
            del operation["parameters"]

    def _document_problems(self, operation: dict) -> None:
        problem = {PROBLEM_MIME: {"schema": self._ref(ProblemSchema)}}
        responses = operation.setdefault("responses", {})
        for status, response in responses.items():
            if isinstance(response, dict) and _is_error(status) and not response.get("content"):
                response["content"] = dict(problem)

    # ---- required response fields -----------------------------------------------------------

    def settle(self) -> None:
        """Mark required every property of the schemas that are only sent, never read.

        marshmallow dumps every field a schema declares, so what a response schema lists is
        what the client gets; generated clients then type those fields as always there. A schema
        also read from requests keeps the `required` its fields declare. Run after each
        blueprint: the set of schemas only sent can only be known from the whole document.
        """
        schemas = self.spec.components.schemas
        requests, responses = set(), set()
        component_responses = self.spec.components.responses
        for path_item in self.spec._paths.values():
            for method, operation in path_item.items():
                if method not in HTTP_METHODS:
                    continue
                for parameter in operation.get("parameters", []):
                    requests |= _refs(parameter)
                requests |= _refs(operation.get("requestBody", {}))
                for response in operation.get("responses", {}).values():
                    if isinstance(response, dict) and "$ref" in response:  # flask-smorest's own
                        response = response["$ref"].rsplit("/", 1)[1]
                    if isinstance(response, str):
                        response = component_responses.get(response, {})
                    responses |= _refs(response)
        requests, responses = _closure(requests, schemas), _closure(responses, schemas)
        marshmallow_schemas = {name: schema for schema, name in self._schema_names()}
        for name in responses:
            definition = schemas[name]
            declared = self._declared_required.setdefault(name, list(definition.get("required", [])))
            required = list(declared)
            if name not in requests:
                schema = marshmallow_schemas.get(name)
                by_key = {f.data_key or n: f for n, f in schema.fields.items()} if schema is not None else {}
                for prop, value in definition.get("properties", {}).items():
                    field = by_key.get(prop)
                    sometimes = field is not None and field.metadata.get(SOMETIMES_SENT)
                    if prop not in required and not value.get("writeOnly") and not sometimes:
                        required.append(prop)
            if required:
                definition["required"] = required
            else:
                definition.pop("required", None)

    def _schema_names(self) -> Iterator[tuple[Any, str]]:
        from apispec.ext.marshmallow.common import resolve_schema_instance

        for key, name in self.api.ma_plugin.converter.refs.items():
            yield resolve_schema_instance(key[0]), name


def _documenter_for(app, path: str | None) -> PathDocumenter | None:
    for prefix, adjust in app.extensions.get(_PATH_DOCUMENTERS, {}).items():
        if path and (path == prefix or path.startswith(prefix + "/")):
            return adjust
    return None


def _parameter_name(parameter: Any) -> str:
    if isinstance(parameter, str):  # a component reference: flask-smorest's IF_MATCH, IF_NONE_MATCH
        return {"IF_MATCH": "if-match", "IF_NONE_MATCH": "if-none-match"}.get(parameter, parameter.lower())
    return str(parameter.get("name", "")).lower()


def _is_error(status: Any) -> bool:
    return str(status) == "default" or (str(status).isdigit() and int(status) >= 400)


def _refs(node: Any) -> set[str]:
    """Names of the component schemas `node` refers to."""
    found: set[str] = set()
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list | tuple):
        for value in node:
            found |= _refs(value)
    return found


def _closure(names: set[str], schemas: Mapping[str, dict]) -> set[str]:
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_refs(schemas[name]))
    return seen


# ---- field types (apispec attribute functions) ---------------------------------------------


def _computed2properties(self, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
    """A `computed` value is documented as the field it returns."""
    returns = field.metadata.get(RETURNS)
    return self.field2property(returns) if returns is not None else {}


def _decimal2properties(self, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
    """`fields.Decimal(as_string=True)` sends a string ("275.0"), not a JSON number."""
    if isinstance(field, fields.Decimal) and field.as_string:
        nullable = ["string", "null"] if field.allow_none else "string"
        return {"type": nullable, "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}
    return {}


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def _constant2properties(self, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
    """`fields.Constant("vnd")` is always that value."""
    if not isinstance(field, fields.Constant):
        return {}
    for python_type, json_type in _JSON_TYPES:
        if isinstance(field.constant, python_type):
            return {"type": json_type, "const": field.constant}
    return {}


class PaginationMetadataSchema(ma.Schema):
    """The `X-Pagination` header of every list: JSON, with the total counted once."""

    total = ma.fields.Integer(required=True, metadata={"description": "tổng số mục"})
    total_pages = ma.fields.Integer(required=True, metadata={"description": "tổng số trang"})
    first_page = ma.fields.Integer()
    last_page = ma.fields.Integer()
    page = ma.fields.Integer(metadata={"description": "trang này (khi còn trong số trang)"})
    previous_page = ma.fields.Integer()
    next_page = ma.fields.Integer()


class DocumentedApi(ProblemApi):
    """The API's smorest `Api` (api/extensions.py): problem details (api/errors.py) and this
    module's plugin, which says what the document says beyond the problems (operation ids,
    required headers and fields, the pagination header...)."""

    def _init_spec(self, **kwargs):
        self.document = DocumentPlugin(self)
        kwargs["extra_plugins"] = [*kwargs.get("extra_plugins", ()), self.document]
        super()._init_spec(**kwargs)

    def _register_pagination_header(self):
        self.document.register_pagination_header()

    def register_blueprint(self, blp, **options):
        super().register_blueprint(blp, **options)
        self.document.settle()
