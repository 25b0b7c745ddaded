"""The one way a report changes status, and what every part of the reports domain shares.

Every status change goes through `move`: the status machine (workflow.py) says whether it is
allowed; the report's version column makes the write a compare-and-set, so of two officers acting
at once exactly one wins and the other gets 409 `report_changed`; each move writes one history
row, one outbox event and, for staff, one audit entry in the caller's unit of work (the request
or the job commits them together). The citizen's confirmation (service.py), the desk's moves
(desk.py) and the scheduler's auto-close all use it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from api.audit import record_audit
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.reports.categories import get_category
from api.reports.identity import recipient
from api.reports.models import Report, ReportTransition
from api.reports.workflow import ACTIONS, STATUS_NAMES, note_is_public
from api.state_machine import IllegalTransition, Transition

EVENTS = {
    "assign": "report.assigned",
    "start": "report.in_progress",
    "resolve": "report.resolved",
    "reject": "report.rejected",
    "reassign": "report.reassigned",
    "merge": "report.merged",
    "confirm": "report.closed",
    "auto_close": "report.closed",
}
EVENT_RECEIVED = "report.received"
EVENT_COMMENTED = "report.commented"


@dataclass(frozen=True)
class Actor:
    kind: str  # "citizen" | "staff"
    id: uuid.UUID
    role: str | None = None
    ward_code: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


# ---- errors ---------------------------------------------------------------------------------


def report_not_found() -> ApiError:
    return ApiError(404, "report_not_found", "Không tìm thấy phản ánh này.")


def invalid(code: str, field_name: str, message: str) -> ApiError:
    """A 422 naming the one field at fault."""
    return ApiError(422, code, message, errors={field_name: [message]})


def conflict() -> ApiError:
    return ApiError(
        409,
        "report_changed",
        "Phản ánh vừa được người khác xử lý. Hãy tải lại để xem trạng thái mới nhất rồi thử lại.",
    )


# ---- finding, telling, moving ---------------------------------------------------------------


def get_report(report_id: uuid.UUID | str) -> Report | None:
    """The report with this id, or None (a malformed id included); no ownership check."""
    try:
        key = report_id if isinstance(report_id, uuid.UUID) else uuid.UUID(str(report_id))
    except ValueError:
        return None
    return db.session.get(Report, key)


def report_event(event_type: str, report: Report, **extra: Any) -> None:
    """The outbox event of a report's change, addressed to its reporter when known."""
    category = get_category(report.category_code)
    record_event(
        event_type,
        aggregate_type="report",
        aggregate_id=report.id,
        recipient=recipient(report),
        # No description and no place: a notification of a crime report must not tell whoever
        # glances at the reporter's phone what was reported.
        payload={
            "report_id": str(report.id),
            "category_code": report.category_code,
            "category": category.name if category else report.category_code,
            "status": report.status,
            "status_name": STATUS_NAMES[report.status],
            "deadline": report.deadline.isoformat(),
            **extra,
        },
    )


def check_allowed(report: Report, action: Transition) -> None:
    """409 `illegal_transition` unless the status machine allows `action` from the report's status."""
    try:
        ACTIONS.next_status(action, report.status)
    except IllegalTransition:
        raise ApiError(
            409,
            "illegal_transition",
            f"Không thể thực hiện '{action.label.lower()}' khi phản ánh đang ở trạng thái "
            f"'{STATUS_NAMES[report.status]}'.",
            report_status=report.status,
            status_name=STATUS_NAMES[report.status],
        ) from None


def move(
    report: Report, action: Transition, actor_ref: str, *, note: str | None = None, **values: Any
) -> Report:
    """Apply `action` with a compare-and-set on the version, with its history row, event and audit
    entry (not committed: the caller's unit of work is)."""
    check_allowed(report, action)
    from_status = report.status
    public = note_is_public(action)
    try:
        # A savepoint: a move that loses the race is undone alone, and the unit goes on (the
        # auto-close job moves on to the next report; a request answers 409). No flush before
        # the savepoint's own: that flush is the compare-and-set, and must be the one that meets
        # another transaction's change.
        with db.session.begin_nested(), db.session.no_autoflush:
            report.status = ACTIONS.next_status(action, from_status)
            for name, value in values.items():
                setattr(report, name, value)
            report.history.append(
                ReportTransition(
                    action=action.name,
                    from_status=from_status,
                    to_status=report.status,
                    actor=actor_ref,
                    note=note,
                    note_public=public,
                )
            )
    except StaleDataError:
        raise conflict() from None
    report_event(EVENTS[action.name], report, action=action.name, **({"note": note} if public else {}))
    if actor_ref.startswith("staff:"):
        record_audit(f"report.{action.name}", actor=actor_ref, target=f"report:{report.id}")
    return report
