"""The report status machine: every move is a row of `ACTIONS`, anything else is refused.

    received ─assign→ assigned ─start→ in_progress ─resolve→ resolved ─confirm / auto_close→ closed
       │  ▲               │                │
       │  └─ reassign ────┴────────────────┘   (another unit; the report starts again there)
       ├─ reject (any open status, reason required) → rejected
       └─ merge (any open status, into another report) → merged

closed, rejected and merged are final. Staff actions are the desk's; `confirm` is the citizen's;
`auto_close` is the scheduler's (service.close_resolved_reports).
"""

from __future__ import annotations

from dataclasses import dataclass

RECEIVED, ASSIGNED, IN_PROGRESS = "received", "assigned", "in_progress"
RESOLVED, CLOSED, REJECTED, MERGED = "resolved", "closed", "rejected", "merged"
STATUSES = (RECEIVED, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED, REJECTED, MERGED)
STATUS_NAMES = {
    RECEIVED: "Đã tiếp nhận",
    ASSIGNED: "Đã phân công xử lý",
    IN_PROGRESS: "Đang xử lý",
    RESOLVED: "Đã xử lý xong, chờ xác nhận",
    CLOSED: "Đã đóng",
    REJECTED: "Không xử lý",
    MERGED: "Đã gộp vào phản ánh khác",
}
# Still waiting on the authority: these can be overdue, and are offered as duplicates.
OPEN_STATUSES = (RECEIVED, ASSIGNED, IN_PROGRESS)
FINAL_STATUSES = (CLOSED, REJECTED, MERGED)

STAFF, CITIZEN, SYSTEM = "staff", "citizen", "system"


@dataclass(frozen=True)
class Action:
    name: str
    actor: str
    from_statuses: tuple[str, ...]
    to_status: str
    note_required: bool
    label: str  # what the citizen reads in the history
    note_public: bool = False  # the note is the citizen's to read (a rejection's reason, a resolution)


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("assign", STAFF, (RECEIVED, ASSIGNED), ASSIGNED, False, "Đã phân công cán bộ xử lý"),
        Action("start", STAFF, (ASSIGNED,), IN_PROGRESS, False, "Cán bộ bắt đầu xử lý"),
        Action("resolve", STAFF, (IN_PROGRESS,), RESOLVED, True, "Đã xử lý xong", note_public=True),
        Action("reject", STAFF, OPEN_STATUSES, REJECTED, True, "Không xử lý phản ánh", note_public=True),
        Action("reassign", STAFF, OPEN_STATUSES, RECEIVED, True, "Chuyển đơn vị khác xử lý"),
        Action("merge", STAFF, OPEN_STATUSES, MERGED, False, "Gộp với phản ánh cùng nội dung"),
        Action("confirm", CITIZEN, (RESOLVED,), CLOSED, False, "Người phản ánh xác nhận đã xử lý"),
        Action("auto_close", SYSTEM, (RESOLVED,), CLOSED, False, "Tự động đóng sau thời hạn xác nhận"),
    )
}
# What the desk sends to POST /staff/reports/<id>/actions (merge has its own endpoint).
DESK_ACTIONS = ("assign", "start", "resolve", "reject", "reassign")
