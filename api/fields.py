"""marshmallow fields shared by every domain's schemas."""

from __future__ import annotations

from marshmallow import fields

from api.workdays import VIETNAM


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
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        if value <= 0:
            raise self.make_error("not_positive")
        if value > self.MAXIMUM:
            raise self.make_error("too_large")
        return value
