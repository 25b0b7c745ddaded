"""The desk: staff reading, moving and counting the reports of their unit.

Staff reach only their unit's reports: police the `police` unit of their ward, ward officers the
`ward` unit (province-level staff every ward's unit of their kind); admins everything. Anything
else answers 404, like a report that does not exist. Each move goes through transitions.move;
each read of a citizen's report, and of a crime reporter's identity, is on the audit log.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, and_, false, func, select, true

from api.audit import record_audit
from api.auth import service as auth
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.reports.categories import POLICE, WARD, get_category
from api.reports.identity import decrypt_identity
from api.reports.models import Report
from api.reports.transitions import Actor, check_allowed, get_report, invalid, move, report_not_found
from api.reports.workflow import ACTIONS, DESK_ACTIONS, OPEN_STATUSES, STAFF, STATUS_NAMES, STATUSES
from api.text import nfc
from api.units import service as units
from api.workdays import local_date

# Which staff role handles which kind of unit.
UNIT_ROLES = {POLICE: "police", WARD: "officer"}


def _jurisdiction(actor: Actor):
    """The reports a staff member may see and act on."""
    if actor.role == "admin":
        return true()
    kind = {role: unit for unit, role in UNIT_ROLES.items()}.get(actor.role or "")
    if kind is None:
        return false()
    if actor.ward_code is None:  # province level: every ward's unit of this kind
        return Report.unit_kind == kind
    return and_(Report.unit_kind == kind, Report.unit_ward_code == actor.ward_code)


def staff_report(actor: Actor, report_id: uuid.UUID | str) -> Report:
    report = get_report(report_id)
    if report is None or not db.session.scalar(
        select(func.count()).select_from(Report).where(Report.id == report.id, _jurisdiction(actor))
    ):
        raise report_not_found()
    return report


def staff_read(actor: Actor, report_id: uuid.UUID | str) -> Report:
    """The desk's view of one report; reading a citizen's report is on the record."""
    report = staff_report(actor, report_id)
    record_audit("report.read", actor=actor.ref, target=f"report:{report.id}")
    return report


def assignees(actor: Actor, report_id: uuid.UUID | str) -> list:
    """Who the report may be given to: the active staff of the unit that handles it."""
    report = staff_report(actor, report_id)
    return auth.active_staff(UNIT_ROLES[report.unit_kind], report.unit_ward_code)


# ---- the desk's moves -------------------------------------------------------------------------


def act(
    actor: Actor,
    report_id: uuid.UUID,
    action_name: str,
    *,
    note: str | None = None,
    assignee: uuid.UUID | None = None,
    unit_kind: str | None = None,
    ward_code: str | None = None,
    evidence_media_id: uuid.UUID | None = None,
) -> Report:
    """One of the desk's moves (DESK_ACTIONS) on a report of the actor's unit."""
    report = staff_report(actor, report_id)
    action = ACTIONS.get(action_name)
    if action is None or action.name not in DESK_ACTIONS:
        raise invalid("unknown_action", "action", "Thao tác không hợp lệ: " + ", ".join(DESK_ACTIONS) + ".")
    # The status first: "not allowed now" is the answer, whatever else the request lacks.
    check_allowed(report, action)
    note = nfc(note or "") or None
    if action.note_required and not note:
        raise invalid(
            "note_required",
            "note",
            "Hãy ghi rõ lý do từ chối." if action.name == "reject" else "Thao tác này cần ghi rõ nội dung.",
        )
    values: dict[str, Any] = {}
    if action.name == "assign":
        if assignee is not None and assignee not in {person.id for person in assignees(actor, report.id)}:
            raise invalid(
                "unknown_assignee",
                "assignee",
                "Chỉ giao được cho cán bộ đang làm việc của đơn vị xử lý phản ánh này.",
            )
        values["assignee"] = f"staff:{assignee or actor.id}"
    elif action.name == "start" and report.assignee is None:
        values["assignee"] = actor.ref
    elif action.name == "resolve":
        evidence = next(
            (m for m in report.media if m.id == evidence_media_id and m.uploaded_by == STAFF), None
        )
        if evidence is None or not evidence.content_type.startswith("image/"):
            raise invalid(
                "evidence_required",
                "evidence_media_id",
                "Hãy tải lên ảnh kết quả xử lý (POST /staff/reports/<id>/media) rồi gửi kèm mã ảnh.",
            )
        values.update(resolution_note=note, resolution_media_id=evidence.id, resolved_at=utcnow())
    elif action.name == "reject":
        values["reject_reason"] = note
    elif action.name == "reassign":
        if unit_kind not in UNIT_ROLES:
            raise invalid("unit_required", "unit_kind", "Hãy chọn đơn vị nhận: police hoặc ward.")
        target_ward = units.validate_ward_code(ward_code or report.unit_ward_code).code
        if (unit_kind, target_ward) == (report.unit_kind, report.unit_ward_code):
            raise invalid("same_unit", "unit_kind", "Phản ánh đang do chính đơn vị này xử lý.")
        values.update(unit_kind=unit_kind, unit_ward_code=target_ward, assignee=None)
    return move(report, action, actor.ref, note=note, **values)


def merge(actor: Actor, report_id: uuid.UUID, into_id: uuid.UUID, note: str | None) -> Report:
    """Fold a duplicate into the report the desk keeps; the kept one counts its people."""
    report = staff_report(actor, report_id)
    target = get_report(into_id)
    if (
        target is None
        or target.id == report.id
        or not db.session.scalar(
            select(func.count()).select_from(Report).where(Report.id == target.id, _jurisdiction(actor))
        )
    ):
        raise invalid("merge_target_not_found", "into", "Không tìm thấy phản ánh chính để gộp vào.")
    if report.is_crime or target.is_crime:
        raise invalid(
            "merge_not_allowed", "into", "Không gộp tố giác tội phạm; mỗi tố giác được xử lý riêng."
        )
    if target.category_code != report.category_code:
        raise invalid("merge_not_allowed", "into", "Chỉ gộp các phản ánh cùng lĩnh vực.")
    if target.status not in OPEN_STATUSES:
        raise invalid("merge_not_allowed", "into", "Phản ánh chính đã kết thúc; không gộp vào được.")
    check_allowed(report, ACTIONS["merge"])
    target.affected_count = target.affected_count + report.affected_count
    return move(report, ACTIONS["merge"], actor.ref, note=nfc(note or "") or None, merged_into_id=target.id)


# ---- identity -------------------------------------------------------------------------------


def read_identity(actor: Actor, report_id: uuid.UUID, reason: str) -> dict:
    """The reporter of a crime report, for the police: every read is on the audit log."""
    reason = nfc(reason or "")
    if len(reason) < 10:
        raise invalid(
            "reason_required", "reason", "Hãy ghi rõ mục đích xem thông tin người tố giác (ít nhất 10 ký tự)."
        )
    report = staff_report(actor, report_id)
    identity = decrypt_identity(report)
    if identity is None:
        raise ApiError(
            404,
            "identity_not_available",
            "Phản ánh này không lưu thông tin người gửi (ẩn danh hoặc phản ánh hiện trường).",
        )
    record_audit("report.identity_read", actor=actor.ref, target=f"report:{report.id}", reason=reason)
    return {
        "report_id": report.id,
        "full_name": identity.get("full_name"),
        "cccd": identity.get("cccd"),
        "phone": identity.get("phone"),
        "email": identity.get("email"),
    }


# ---- the desk's queue and statistics ----------------------------------------------------------


def queue(
    actor: Actor, *, status: str | None = None, category: str | None = None, overdue: bool = False
) -> Select:
    statement = select(Report).where(_jurisdiction(actor))
    if status:
        statement = statement.where(Report.status == status)
    else:
        statement = statement.where(Report.status.in_(OPEN_STATUSES))
    if category:
        statement = statement.where(Report.category_code == category)
    if overdue:
        statement = statement.where(Report.status.in_(OPEN_STATUSES), Report.deadline < local_date(utcnow()))
    return statement.order_by(Report.deadline, Report.submitted_at, Report.id)


def statistics(actor: Actor) -> dict:
    scope = _jurisdiction(actor)

    def counted(column):
        return dict(db.session.execute(select(column, func.count()).where(scope).group_by(column)).all())

    by_status = counted(Report.status)
    by_category = counted(Report.category_code)
    by_ward = counted(Report.ward_code)
    overdue = db.session.scalar(
        select(func.count()).where(
            scope, Report.status.in_(OPEN_STATUSES), Report.deadline < local_date(utcnow())
        )
    )
    average_rating = db.session.scalar(
        select(func.avg(Report.rating)).where(scope, Report.rating.is_not(None))
    )
    return {
        "total": sum(by_status.values()),
        "overdue_open": overdue or 0,
        "average_rating": round(float(average_rating), 2) if average_rating is not None else None,
        "by_status": [
            {"status": status, "status_name": STATUS_NAMES[status], "count": by_status.get(status, 0)}
            for status in STATUSES
        ],
        "by_category": [
            {
                "category": code,
                "name": category.name if (category := get_category(code)) else code,
                "count": count,
            }
            for code, count in sorted(by_category.items())
        ],
        "by_ward": [
            {"ward_code": code, "name": ward.name if (ward := units.get_ward(code)) else code, "count": count}
            for code, count in sorted(by_ward.items())
        ],
    }
