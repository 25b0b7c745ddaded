"""marshmallow fields shared by every domain's schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import fields

from api.workdays import VIETNAM

# The largest value of an Integer column (PostgreSQL's `integer`): the bound of the versions and
# ids clients send back, so a larger one is refused (422) before it reaches SQL.
MAX_INT32 = 2**31 - 1


class VietnamDateTime(fields.AwareDateTime):
    """Stored in UTC, shown in Vietnam's time (ISO 8601 with +07:00), as the app displays it."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return super()._serialize(value.astimezone(VIETNAM), attr, obj, **kwargs)


class AmountVnd(fields.Integer):
    """An amount of money in whole đồng: a JSON integer > 0 (VND has no minor unit).

    Refuses what a lenient integer field would take: "100000" as a string, 100000.0 or 1.5 as
    floats, and true (a bool is an int in Python).
    """

    default_error_messages = {
        "invalid": "Số tiền phải là số nguyên đồng (VND), không có phần thập phân.",
        "not_positive": "Số tiền phải lớn hơn 0.",
        "too_large": "Số tiền quá lớn.",
    }
    MAXIMUM = 10**12  # a trillion đồng: far above any fee or fine, far below BigInteger's limit

    def __init__(self, **kwargs):
        # The bounds `_validated` enforces, for the OpenAPI document.
        metadata = {"minimum": 1, "maximum": self.MAXIMUM, **kwargs.pop("metadata", {})}
        super().__init__(strict=True, metadata=metadata, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        if value <= 0:
            raise self.make_error("not_positive")
        if value > self.MAXIMUM:
            raise self.make_error("too_large")
        return value


# Field metadata read by api/openapi.py: the field a computed value is documented as; and, on a
# response field, that some answers leave it out (otherwise a field of a schema that is only
# ever sent is documented as required: marshmallow dumps every field the object has).
RETURNS = "returns"
SOMETIMES_SENT = "sometimes_sent"


def computed(serialize: Callable[[Any], Any] | str, returns: fields.Field, **kwargs: Any) -> fields.Field:
    """A value computed when dumping: `serialize(obj)`, or the schema method named `serialize`.

    marshmallow's Function and Method fields carry no type, so the OpenAPI document would say
    nothing of them and generated clients would type them `Any`. `returns` is the field the value
    is documented as (`fields.String()`, `fields.List(fields.Nested(X))`, `allow_none=True` when
    it may be null); it is not used to dump.
    """
    metadata = {**kwargs.pop("metadata", {}), RETURNS: returns}
    if isinstance(serialize, str):
        return fields.Method(serialize, metadata=metadata, **kwargs)
    return fields.Function(serialize, metadata=metadata, **kwargs)
