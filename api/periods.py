"""A period of Vietnamese calendar days that a staff screen asks figures for (`?from=&to=`): the
leaders' dashboard, the call centre's figures. One reading everywhere: both ends included, by
default the last 30 days ending today (or ending `to`), at most 366 days, dates of this century.
"""

from __future__ import annotations

from datetime import date, timedelta

from marshmallow import Schema, fields, validate

from api.dbtypes import utcnow
from api.errors import ApiError
from api.workdays import local_date

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Past these the date arithmetic (a day after `to`, 30 days before) would leave Python's range.
_DAY = validate.Range(
    min=date(2000, 1, 1), max=date(2099, 12, 31), error="Ngày phải từ 01/01/2000 đến 31/12/2099."
)


class PeriodQuerySchema(Schema):
    period_from = fields.Date(
        data_key="from",
        validate=_DAY,
        metadata={"description": "từ ngày (YYYY-MM-DD, giờ Việt Nam); mặc định 29 ngày trước `to`"},
    )
    period_to = fields.Date(
        data_key="to",
        validate=_DAY,
        metadata={"description": "đến ngày, tính cả ngày này; mặc định hôm nay"},
    )


PERIOD_ERRORS = "`bad_period` (từ ngày sau đến ngày), `period_too_long` (quá 366 ngày)"


def today() -> date:
    return local_date(utcnow())


def resolve_period(
    period_from: date | None, period_to: date | None, *, on: date | None = None
) -> tuple[date, date]:
    """[from, to] as asked, by default the last 30 days ending today (`on`) or ending `to`."""
    period_to = period_to or (on or today())
    period_from = period_from or period_to - timedelta(days=DEFAULT_DAYS - 1)
    if period_from > period_to:
        raise ApiError(
            422,
            "bad_period",
            "Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.",
            errors={"from": ["Sau ngày kết thúc."]},
        )
    if (period_to - period_from).days + 1 > MAX_DAYS:
        raise ApiError(
            422,
            "period_too_long",
            f"Mỗi lần xem số liệu tối đa {MAX_DAYS} ngày; hãy chọn khoảng thời gian ngắn hơn.",
            errors={"to": [f"Quá {MAX_DAYS} ngày kể từ ngày bắt đầu."]},
        )
    return period_from, period_to
