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
