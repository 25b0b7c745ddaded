"""Open311 GeoReport v2 over the reports domain: what the standard's clients may see and send.

Open311 is an open-data interface: anyone may read it, and what it publishes ends up in other
systems for good. So it publishes field reports only, and only what a passer-by could see:
- crime reports (`is_crime`) never appear, not even by id or tracking token: their existence
  and place could point at the informant;
- no personal data: no name, CCCD, phone, e-mail, citizen id, reporter key, identity,
  tracking token, internal comment or assignee; citizens' photos are not published;
- a citizen's own words (description, address) are published only for requests an Open311
  client sent here, which it publishes itself (contacts in them still redacted,
  api.text.redact_contacts). A report made in the app or the chat shows its service, ward,
  place on the map, times and status: its reporter wrote to the city, not to the public;
- requests come in through `api.reports.service.submit`, the same rules as the app's, from a
  machine account holding `open311:write` (its `api_key` is `<client_id>:<secret>`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select

from api.auth import service as auth
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.reports import service as reports
from api.reports.categories import CATEGORIES, POLICE, Category, get_category
from api.reports.models import Report
from api.reports.workflow import MERGED, OPEN_STATUSES, REJECTED, RESOLVED, STATUS_NAMES, STATUSES
from api.text import fold, nfc, redact_contacts
from api.units import service as units
from api.workdays import VIETNAM

if TYPE_CHECKING:
    from api.auth.models import ServiceAccount

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this interface last changed in a way a client would notice (discovery's `changeset`).
CHANGESET = "2026-11-22T00:00:00+07:00"
CONTACT = "Tổng đài Công dân số 1900 0368"
KEY_SERVICE = (
    "Khóa API (api_key) dạng <client_id>:<secret> là tài khoản hệ thống có quyền open311:write, "
    "do quản trị viên cấp; liên hệ tổng đài 1900 0368. Đọc dữ liệu không cần khóa."
)
WRITE_SCOPE = "open311:write"

OPEN, CLOSED = "open", "closed"
STATUS_GROUPS = {OPEN: OPEN_STATUSES, CLOSED: tuple(s for s in STATUSES if s not in OPEN_STATUSES)}
# The standard's defaults for GET requests.
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
# GET requests by id answers every id it is given, up to this many. FixMyStreet syncs statuses
# with one GET naming every report it ever sent us that it still shows, open or closed
# (perllib/Open311/GetUpdates.pm): 10,000 is years of one client's reports in a province, and
# keeps the request line (about 390 KB, gunicorn.conf.py) and the SQL `IN` list (one bound
# parameter per id; SQLite takes 32,766, PostgreSQL 65,535) well within what serves them.
MAX_IDS = 10_000

# "Công an phường Buôn Ma Thuột", "Ủy ban nhân dân xã Hòa Phú": the unit's name as written.
_AGENCY_KINDS = {POLICE: "Công an"}
_WARD_COMMITTEE = "Ủy ban nhân dân"


# ---- errors ---------------------------------------------------------------------------------


def service_not_found(code: str) -> ApiError:
    # A crime category answers like an unknown one: this interface does not take crime reports.
    return ApiError(
        404,
        "service_not_found",
        f"Không có dịch vụ '{code}'. Tố giác tội phạm chỉ gửi qua ứng dụng Công dân số hoặc số 113.",
    )


def request_not_found() -> ApiError:
    return ApiError(404, "request_not_found", "Không tìm thấy yêu cầu (service_request_id) này.")


def _bad_api_key() -> ApiError:
    return ApiError(
        403, "invalid_api_key", "api_key không hợp lệ hoặc không có quyền gửi phản ánh (open311:write)."
    )


def _bad_request(code: str, detail: str) -> ApiError:
    return ApiError(400, code, detail)


# ---- services -------------------------------------------------------------------------------


def discovery(endpoint_url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def public_category(code: str | None) -> Category:
    category = get_category(code)
    if category is None or category.is_crime:
        raise service_not_found(code or "")
    return category


def services() -> list[dict]:
    return [_service(category) for category in CATEGORIES if not category.is_crime]


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": (
            f"{category.description or category.name}. Đơn vị xử lý: {category.unit_name}; "
            f"thời hạn trả lời {category.response_days} ngày làm việc."
        ),
        "metadata": True,  # every service has the ward attribute
        "type": "realtime",
        # Without diacritics too: many clients search as people type on a phone.
        "keywords": ", ".join((fold(category.name), fold(category.group_name))),
        "group": category.group_name,
    }


def service_definition(code: str) -> dict:
    category = public_category(code)
    wards = units.search_wards(province_code=current_app.config["HOME_PROVINCE_CODE"])
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "ward_code",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "Mã phường, xã, đặc khu (5 chữ số) trong danh sách.",
                "order": 1,
                "description": "Phường, xã nơi xảy ra sự việc",
                "values": [{"key": ward.code, "name": ward.name} for ward in wards],
            },
            {
                "variable": True,
                "code": "incident_at",
                "datatype": "datetime",
                "required": False,
                "datatype_description": "Thời điểm W3C, ví dụ 2026-07-01T08:30:00+07:00; mặc định lúc gửi.",
                "order": 2,
                "description": "Thời điểm xảy ra sự việc",
            },
        ],
    }


# ---- reading requests -----------------------------------------------------------------------


def _w3c(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def _agency(report: Report) -> str:
    ward = units.get_ward(report.unit_ward_code)
    place = f"{ward.type_name.lower()} {ward.short_name}" if ward else report.unit_ward_code
    return f"{_AGENCY_KINDS.get(report.unit_kind, _WARD_COMMITTEE)} {place}"


def _status_notes(report: Report) -> str:
    name = STATUS_NAMES[report.status]
    if report.status == RESOLVED and report.resolution_note:
        return redact_contacts(f"{name}: {report.resolution_note}")
    if report.status == REJECTED and report.reject_reason:
        return redact_contacts(f"{name}: {report.reject_reason}")
    if report.status == MERGED and report.merged_into_id:
        return f"{name} (service_request_id {report.merged_into_id})."
    return name


def _published_words(report: Report) -> bool:
    """Whether the reporter's own words may be published: only what an Open311 client sent."""
    return report.channel == reports.OPEN311


def _description(report: Report, category: Category | None) -> str:
    if _published_words(report):
        return redact_contacts(report.description)
    name = category.name if category else report.category_code
    return f"{name}: phản ánh qua ứng dụng Công dân số (nội dung người dân viết không được công khai)."


def _address(report: Report) -> str:
    ward = units.get_ward(report.ward_code)
    own = redact_contacts(report.address) if report.address and _published_words(report) else None
    parts = [own, ward.full_name if ward else None]
    return ", ".join(part for part in parts if part)


def _service_notice(category: Category) -> str:
    notice = f"Thời hạn trả lời: {category.response_days} ngày làm việc kể từ khi tiếp nhận."
    emergency = category.emergency
    return f"{notice} {emergency['message']}" if emergency else notice


def request_view(report: Report) -> dict:
    """One report as a GeoReport v2 request: public fields only (see the module's docstring)."""
    category = get_category(report.category_code)
    return {
        "service_request_id": str(report.id),
        "status": OPEN if report.status in OPEN_STATUSES else CLOSED,
        "status_notes": _status_notes(report),
        "service_name": category.name if category else report.category_code,
        "service_code": report.category_code,
        "description": _description(report, category),
        "agency_responsible": _agency(report),
        "service_notice": _service_notice(category) if category else "",
        "requested_datetime": _w3c(report.submitted_at),
        "updated_datetime": _w3c(report.updated_at),
        # The deadline is a working day: the request is due by the end of it.
        "expected_datetime": _w3c(datetime.combine(report.deadline, time(23, 59, 59), VIETNAM)),
        "address": _address(report),
        "address_id": "",  # the standard's id in a city's address register: we have none
        "zipcode": "",  # Việt Nam's postcodes are not collected with reports
        "lat": report.latitude,
        "long": report.longitude,
        # Present but empty: citizens' photos may show faces and number plates; not published.
        "media_url": "",
    }


def split_list(value: str | None) -> list[str]:
    """A comma-separated argument's items (`service_request_id`, `service_code`, `status`)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue  # a malformed id matches nothing, like an unknown one
    return found


def _statuses(value: str | None) -> list[str]:
    wanted = [part.lower() for part in split_list(value)]
    unknown = sorted(set(wanted) - set(STATUS_GROUPS))
    if unknown:
        raise _bad_request("invalid_status", "status chỉ nhận open, closed (cách nhau bởi dấu phẩy).")
    return [status for group in wanted for status in STATUS_GROUPS[group]]


def _window(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The standard's rule: at most 90 days; the most recent 90 when neither end is given."""
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise _bad_request("invalid_date_range", "end_date phải sau start_date.")
    if end - start > WINDOW:
        raise _bad_request("date_range_too_long", "Khoảng start_date – end_date không được quá 90 ngày.")
    return start, end


def find_requests(filters: Mapping[str, Any], now: datetime | None = None) -> list[dict]:
    """GET requests, newest first. By ids (at most MAX_IDS, checked by the schema): every one of
    them, whatever the other filters say; otherwise at most MAX_RESULTS."""
    statement = select(Report).where(Report.is_crime.is_(False))
    if ids := split_list(filters.get("service_request_id")):
        statement = statement.where(Report.id.in_(_uuids(ids)))
    else:
        start, end = _window(filters.get("start_date"), filters.get("end_date"), now or utcnow())
        statement = statement.where(Report.submitted_at >= start, Report.submitted_at <= end)
        if codes := split_list(filters.get("service_code")):
            statement = statement.where(Report.category_code.in_([code.lower() for code in codes]))
        if statuses := _statuses(filters.get("status")):
            statement = statement.where(Report.status.in_(statuses))
        statement = statement.limit(MAX_RESULTS)
    statement = statement.order_by(Report.submitted_at.desc(), Report.id)
    return [request_view(report) for report in db.session.scalars(statement)]


def _public_report(request_id: str) -> Report:
    try:
        key = uuid.UUID(request_id)
    except ValueError:
        raise request_not_found() from None
    report = db.session.get(Report, key)
    if report is None or report.is_crime:
        raise request_not_found()
    return report


def get_request(request_id: str) -> list[dict]:
    """GET requests/<id>: the standard answers a list of one."""
    return [request_view(_public_report(request_id))]


def token_lookup(token: str) -> list[dict]:
    report = reports.tracked_report(token)
    if report.is_crime:
        raise request_not_found()
    return [{"service_request_id": str(report.id), "token": token}]


# ---- creating a request ---------------------------------------------------------------------


def _contact(form: Mapping[str, Any]) -> dict[str, str]:
    """Only what the client sent: stored encrypted with the report (see reports/models.py)."""
    full_name = nfc(" ".join(filter(None, (form.get("first_name"), form.get("last_name")))))
    contact = {"full_name": full_name, "email": form.get("email"), "phone": nfc(form.get("phone") or "")}
    return {key: value for key, value in contact.items() if value}


def client_for_api_key(api_key: str | None) -> ServiceAccount:
    """The machine account an `api_key` names, if it may send requests; checked before the
    form is, so a caller without a key learns nothing of how its form would be judged."""
    account = auth.service_account_for_api_key(api_key, WRITE_SCOPE) if api_key else None
    if account is None:
        raise _bad_api_key()
    return account


def create_request(account: ServiceAccount, form: Mapping[str, Any]) -> list[dict]:
    """POST requests from `account`: the same rules as a report from the app, except that the
    description is optional, as the standard says (reports.service.submit).

    `device_id` is not kept (it would identify a phone); `media_url` is ignored (schemas.py
    says why); `account_id` is only echoed back, as the standard's answer carries it. Every
    service is `realtime`: the answer carries the `service_request_id` and, as the standard
    says of that case, no `token` (a client given a token may wait to look the id up by it).
    """
    category = public_category(form.get("service_code"))
    data = {
        "category": category.code,
        "description": form.get("description"),
        "latitude": form.get("lat"),
        "longitude": form.get("long"),
        "address": form.get("address_string"),
        "ward_code": form.get("ward_code"),
        "incident_at": form.get("incident_at"),
    }
    try:
        submitted = reports.submit(
            None, data, channel=reports.OPEN311, contact=_contact(form), filed_by=f"service:{account.id}"
        )
    except ApiError as error:
        # The domain's messages are whole sentences; its field names are not the standard's.
        raise ApiError(error.status, error.code, error.detail) from None
    report = submitted.report
    return [
        {
            "service_request_id": str(report.id),
            "service_notice": _service_notice(category),
            "account_id": form.get("account_id"),
        }
    ]
