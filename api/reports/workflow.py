"""The report status machine: every move is a row of `ACTIONS` (an `api.state_machine` table),
anything else is refused.

    received ─assign→ assigned ─start→ in_progress ─resolve→ resolved ─confirm / auto_close→ closed
       │  ▲               │                │
       │  └─ reassign ────┴────────────────┘   (another unit; the report starts again there)
       ├─ reject (any open status, reason required) → rejected
       └─ merge (any open status, into another report) → merged

closed, rejected and merged are final. Staff actions are the desk's; `confirm` is the citizen's;
`auto_close` is the scheduler's (service.close_resolved_reports).
"""

from __future__ import annotations

from api.state_machine import StateMachine, Transition, move

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

# `note_public`: the move's note is the citizen's to read (a rejection's reason, a resolution);
# any other note stays with the desk.
ACTIONS = StateMachine(
    STATUSES,
    [
        move("assign", STAFF, (RECEIVED, ASSIGNED), ASSIGNED, label="Đã phân công cán bộ xử lý"),
        move("start", STAFF, (ASSIGNED,), IN_PROGRESS, label="Cán bộ bắt đầu xử lý"),
        move(
            "resolve",
            STAFF,
            (IN_PROGRESS,),
            RESOLVED,
            note_required=True,
            label="Đã xử lý xong",
            note_public=True,
        ),
        move(
            "reject",
            STAFF,
            OPEN_STATUSES,
            REJECTED,
            note_required=True,
            label="Không xử lý phản ánh",
            note_public=True,
        ),
        move(
            "reassign", STAFF, OPEN_STATUSES, RECEIVED, note_required=True, label="Chuyển đơn vị khác xử lý"
        ),
        move("merge", STAFF, OPEN_STATUSES, MERGED, label="Gộp với phản ánh cùng nội dung"),
        move("confirm", CITIZEN, (RESOLVED,), CLOSED, label="Người phản ánh xác nhận đã xử lý"),
        move("auto_close", SYSTEM, (RESOLVED,), CLOSED, label="Tự động đóng sau thời hạn xác nhận"),
    ],
    final=FINAL_STATUSES,
)
# What the desk sends to POST /staff/reports/<id>/actions (merge has its own endpoint).
DESK_ACTIONS = tuple(name for name in ACTIONS.names(STAFF) if name != "merge")


def note_is_public(action: Transition) -> bool:
    """Whether the citizen reads the note of this move (a row without the column: no)."""
    return getattr(action, "note_public", False)
