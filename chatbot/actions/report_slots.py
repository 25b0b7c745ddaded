"""The report forms' names and limits, shared by the modules of the report actions
(reports.py: the forms and actions; report_words, report_time, report_api, report_messages)."""

from __future__ import annotations

FORM = "report_form"
STATUS_FORM = "report_status_form"
CRIME, ISSUE = "crime", "issue"

KIND = "report_kind"
CATEGORY = "report_category"
WARD = "report_ward"
WARD_NAME = "report_ward_name"
ADDRESS = "report_address"
TIME = "report_time"
DESCRIPTION = "report_description"
ANONYMOUS = "report_anonymous"
CONFIRMED = "report_confirmed"
TRACKING_TOKEN = "report_tracking_token"  # noqa: S105 (a slot name)
REPORT_SLOTS = (KIND, CATEGORY, WARD, WARD_NAME, ADDRESS, TIME, DESCRIPTION, ANONYMOUS, CONFIRMED)

# The address and the time may be unknown: these values say so (the slot cannot stay empty,
# or the form would ask again).
UNKNOWN = "không rõ"
# The API needs a place: the ward, and an address or coordinates. The chat has no map.
ADDRESS_WHEN_UNKNOWN = "Không rõ địa chỉ cụ thể (báo qua trợ lý ảo)"
MIN_DESCRIPTION = 10  # the API's own minimum (api/reports/service.py)
# A message that started the form serves as the description when it says this much beyond
# "tôi muốn phản ánh".
MIN_DESCRIPTION_FROM_FIRST_MESSAGE = 12
DESCRIPTION_MAX = 4000
ADDRESS_MAX = 300
WARD_CHOICES = 5
LIST_LIMIT = 5
OTHER_CRIME = "toi-pham-khac"
