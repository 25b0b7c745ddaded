"""The leaders' dashboard: who sees which ward, the period asked for, exports, periodic reports.

A leader whose staff account names a ward sees only that ward: the ward is forced to theirs and
asking for another is refused (403 `ward_forbidden`). Province-level leaders and admins choose
any ward of the province, or none (the whole province). Periods are Vietnam calendar days,
both ends included, at most 366 days.

The scheduler's job (`make_periodic_reports`, hourly) makes the last full week (Monday to
Sunday) and the last full calendar month once each, province-wide, with their figures frozen,
and delivers each new report, unread, to every active province-level leader. Ward-bound
leaders get no province-wide report: they would otherwise read other wards' figures.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, false, func, select, update
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.auth import service as auth
from api.dashboard import export, figures
from api.dashboard.models import MONTHLY, WEEKLY, LeaderReport, LeaderReportDelivery
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.periods import resolve_period, today
from api.units import service as units
from api.workdays import local_date

LEADER = "leader"
SCHEDULER = "system:scheduler"


@dataclass(frozen=True)
class Viewer:
    """The staff member looking: a leader (maybe bound to a ward) or an admin."""

    id: uuid.UUID
    role: str
    ward_code: str | None

    @property
    def ward_bound(self) -> bool:
        return self.role == LEADER and self.ward_code is not None

    @property
    def ref(self) -> str:
        return f"staff:{self.id}"


def viewer(staff_id: uuid.UUID) -> Viewer:
    user = auth.get_staff(staff_id)
    if user is None or not user.active:
        raise ApiError(401, "account_disabled", "Tài khoản không còn hoạt động.")
    return Viewer(user.id, user.role, user.ward_code)


def _ward_forbidden(viewer: Viewer) -> ApiError:
    return ApiError(
        403,
        "ward_forbidden",
        f"Tài khoản của bạn chỉ xem được số liệu của {figures.ward_name(viewer.ward_code)}.",
        ward_code=viewer.ward_code,
    )


# ---- the period and the ward ------------------------------------------------------------------


def resolve_ward(viewer: Viewer, ward_code: str | None) -> str | None:
    """The ward the figures are for: the leader's own when bound to one, else the one asked for
    (a ward of this province), else None for the whole province."""
    if viewer.ward_bound:
        if ward_code not in (None, "", viewer.ward_code):
            raise _ward_forbidden(viewer)
        return viewer.ward_code
    if not ward_code:
        return None
    ward = units.validate_ward_code(ward_code, field="ward")
    if ward.province.code != current_app.config["HOME_PROVINCE_CODE"]:
        message = f"{ward.name} không thuộc tỉnh đang vận hành ứng dụng."
        raise ApiError(422, "ward_outside_province", message, errors={"ward": [message]})
    return ward.code


# ---- the dashboard and its export -------------------------------------------------------------


def dashboard(
    viewer: Viewer, period_from: date | None, period_to: date | None, ward_code: str | None
) -> dict:
    on = today()
    period_from, period_to = resolve_period(period_from, period_to, on=on)
    return figures.dashboard(period_from, period_to, resolve_ward(viewer, ward_code), today=on)


def check_format(file_format: str | None) -> str:
    file_format = (file_format or "").strip().lower()
    if file_format not in export.FORMATS:
        raise ApiError(
            422,
            "bad_format",
            "Định dạng tệp xuất phải là csv hoặc xlsx.",
            errors={"format": ["Chọn csv hoặc xlsx."]},
        )
    return file_format


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def export_figures(viewer: Viewer, data: dict, file_format: str, *, source: str) -> ExportFile:
    """The figures as a file; audited, since the figures leave the system with it."""
    file_format = check_format(file_format)
    content = export.WRITERS[file_format](data)
    period = data["period"]
    record_audit(
        "dashboard.export",
        actor=viewer.ref,
        target=source,
        format=file_format,
        period_from=period["from"],
        period_to=period["to"],
        ward_code=period.get("ward_code"),
    )
    return ExportFile(content, export.MEDIA_TYPES[file_format], export.filename(data, file_format))


def export_dashboard(
    viewer: Viewer,
    period_from: date | None,
    period_to: date | None,
    ward_code: str | None,
    file_format: str | None,
) -> ExportFile:
    file_format = check_format(file_format)  # before counting anything
    data = dashboard(viewer, period_from, period_to, ward_code)
    return export_figures(viewer, data, file_format, source="dashboard")


# ---- periodic reports: making them ------------------------------------------------------------


def last_full_week(on: date) -> tuple[date, date]:
    """Monday to Sunday of the last week that has ended before `on`."""
    sunday = on - timedelta(days=on.weekday() + 1)
    return sunday - timedelta(days=6), sunday


def last_full_month(on: date) -> tuple[date, date]:
    last_day = on.replace(day=1) - timedelta(days=1)
    return last_day.replace(day=1), last_day


def title_of(kind: str, period_from: date, period_to: date) -> str:
    if kind == MONTHLY:
        return f"Báo cáo tháng {period_from:%m/%Y}"
    start = f"{period_from:%d/%m}" if period_from.year == period_to.year else f"{period_from:%d/%m/%Y}"
    return f"Báo cáo tuần {start}–{period_to:%d/%m/%Y}"


def _exists(kind: str, period_from: date) -> bool:
    return (
        db.session.scalar(
            select(LeaderReport.id).where(LeaderReport.kind == kind, LeaderReport.period_from == period_from)
        )
        is not None
    )


def _make_report(kind: str, period_from: date, period_to: date, now: datetime) -> LeaderReport | None:
    """Make one report and deliver it; None when it exists (made by another run). In a savepoint of
    its own: a report another scheduler made a moment ago undoes only this one."""
    if _exists(kind, period_from):
        return None
    data = figures.dashboard(period_from, period_to, None, today=local_date(now))
    report = LeaderReport(
        id=uuid.uuid4(),
        kind=kind,
        title=title_of(kind, period_from, period_to),
        period_from=period_from,
        period_to=period_to,
        figures=data,
        generated_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:  # another scheduler made it a moment ago: (kind, period_from) is unique
        return None
    for leader in auth.active_staff(LEADER, None):
        db.session.add(LeaderReportDelivery(report_id=report.id, staff_id=leader.id, delivered_at=now))
    record_audit(
        "dashboard.report_made",
        actor=SCHEDULER,
        target=f"leader_report:{report.id}",
        kind=kind,
        period_from=period_from.isoformat(),
        period_to=period_to.isoformat(),
    )
    return report


def make_periodic_reports(now: datetime | None = None) -> int:
    """The scheduler's job: last week's and last month's reports, each made once. Returns how
    many were made by this run."""
    now = now or utcnow()
    on = local_date(now)
    made = 0
    for kind, (period_from, period_to) in ((WEEKLY, last_full_week(on)), (MONTHLY, last_full_month(on))):
        if _make_report(kind, period_from, period_to, now) is not None:
            made += 1
    return made


# ---- periodic reports: reading them -----------------------------------------------------------


def _report_not_found() -> ApiError:
    return ApiError(404, "report_not_found", "Không tìm thấy báo cáo này.")


def reports_for(viewer: Viewer) -> Select:
    """The reports a viewer may read, newest period first. Reports are province-wide: a leader
    bound to a ward has none."""
    statement = select(LeaderReport)
    if viewer.ward_bound:
        statement = statement.where(false())
    return statement.order_by(
        LeaderReport.period_to.desc(), LeaderReport.kind, LeaderReport.generated_at.desc()
    )


def _unread_ids(viewer: Viewer, report_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = list(report_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(LeaderReportDelivery.report_id).where(
                LeaderReportDelivery.staff_id == viewer.id,
                LeaderReportDelivery.report_id.in_(ids),
                LeaderReportDelivery.read_at.is_(None),
            )
        )
    )


def _item(report: LeaderReport, read: bool) -> dict:
    return {
        "id": report.id,
        "kind": report.kind,
        "title": report.title,
        "period_from": report.period_from,
        "period_to": report.period_to,
        "generated_at": report.generated_at,
        "read": read,
    }


def with_read_flags(viewer: Viewer, reports: list[LeaderReport]) -> list[dict]:
    """List items with `read` for this viewer: unread only while delivered to them and not
    opened (a report made before they became a leader was never theirs to read)."""
    unread = _unread_ids(viewer, (report.id for report in reports))
    return [_item(report, report.id not in unread) for report in reports]


def _readable(viewer: Viewer, report_id: uuid.UUID) -> LeaderReport:
    report = db.session.get(LeaderReport, report_id)
    if report is None:
        raise _report_not_found()
    if viewer.ward_bound:
        raise _ward_forbidden(viewer)
    return report


def open_report(viewer: Viewer, report_id: uuid.UUID) -> dict:
    """One report with its frozen figures; opening it marks it read for this viewer."""
    report = _readable(viewer, report_id)
    db.session.execute(
        update(LeaderReportDelivery)
        .where(
            LeaderReportDelivery.report_id == report.id,
            LeaderReportDelivery.staff_id == viewer.id,
            LeaderReportDelivery.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return {**_item(report, True), "figures": report.figures}


def export_report(viewer: Viewer, report_id: uuid.UUID, file_format: str | None) -> ExportFile:
    file_format = check_format(file_format)
    report = _readable(viewer, report_id)
    return export_figures(viewer, report.figures, file_format, source=f"leader_report:{report.id}")


def unread_count(viewer: Viewer) -> int:
    if viewer.ward_bound:
        return 0
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LeaderReportDelivery)
            .where(LeaderReportDelivery.staff_id == viewer.id, LeaderReportDelivery.read_at.is_(None))
        )
        or 0
    )
