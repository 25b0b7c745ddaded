"""The article's status machine: one table of moves (api/state_machine.py).

    draft ──submit──► review ──publish──► published ──unpublish──► unpublished ──submit──► review
      ▲                  │
      └─────return───────┘            archive: from any state but archived; restore: back to draft
    edit: draft, review or unpublished ──► draft (what a reviewer approves is what gets published)

`edit` is a move of the table (it sends the article back to draft) but is taken by PATCHing the
article, not through the actions endpoint: `ACTIONS` names the others. Publishing is a second
comms user's decision (four eyes, content/articles.py); the machine only says from where.
"""

from __future__ import annotations

from api.state_machine import StateMachine, Transition, move
from content.models import ARCHIVED, DRAFT, PUBLISHED, REVIEW, STATUSES, UNPUBLISHED

EDIT = "edit"

MACHINE = StateMachine(
    STATUSES,
    [
        move(EDIT, "comms", {DRAFT, REVIEW, UNPUBLISHED}, DRAFT, label="Sửa nội dung"),
        move("submit", "comms", {DRAFT, UNPUBLISHED}, REVIEW, label="Gửi duyệt"),
        move("return", "comms", {REVIEW}, DRAFT, note_required=True, label="Trả lại để sửa"),
        move("publish", "comms", {REVIEW}, PUBLISHED, label="Duyệt và đăng"),
        move("unpublish", "comms", {PUBLISHED}, UNPUBLISHED, label="Gỡ bài"),
        move("archive", "comms", {DRAFT, REVIEW, PUBLISHED, UNPUBLISHED}, ARCHIVED, label="Lưu trữ"),
        move("restore", "comms", {ARCHIVED}, DRAFT, label="Khôi phục thành bản nháp"),
    ],
)

# The moves taken through POST …/actions (every one but the edit), in table order.
ACTIONS: dict[str, Transition] = {name: MACHINE[name] for name in MACHINE if name != EDIT}
# Where content can be edited.
EDITABLE = tuple(sorted(MACHINE[EDIT].from_statuses))
