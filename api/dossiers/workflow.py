"""The dossier status machine on the National Public Service Portal's ten status codes.

Every change of status goes through `WORKFLOW`, one table of moves (api/state_machine.py): who
may take an action, from which statuses, to which status, and whether a note is required. Anything not listed is refused, so a dossier can
never jump (for example) from "Mới đăng ký" straight to "Đã trả kết quả".

    1 Mới đăng ký ──accept──► 2 Được tiếp nhận ──start──► 4 Đang xử lý ──complete──► 9 ──return_result──► 10
      │ refuse ► 3                  │                        │  ▲
      │                             ├─ request_supplement ─► 5 ─┘ supply_supplement (citizen)
      │                             └─ request_payment ────► 6 ─┘ confirm_payment (paid)
      └ withdraw (citizen, from 1, 2, 4, 5, 6) ► 7        stop (officer, from 2, 4, 5, 6) ► 8

3, 7, 8 and 10 are final.
"""

from __future__ import annotations

from datetime import date, datetime

# IllegalTransition is what callers of `next_status` catch: the machine's own.
from api.state_machine import IllegalTransition as IllegalTransition
from api.state_machine import StateMachine, Transition, move
from api.workdays import local_date

STATUS_NAMES: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
FINAL_STATUSES = frozenset({3, 7, 8, 10})
# Dossiers an officer still has to act on; their due date can be missed.
OPEN_STATUSES = frozenset({1, 2, 4, 5, 6})
DONE_STATUSES = frozenset({9, 10})


# Every move of a dossier, one row each: who takes it, from which statuses, to which status,
# whether a note is required, and what the citizen reads in the history.
WORKFLOW = StateMachine(
    STATUS_NAMES,
    [
        move("accept", "officer", {1}, 2, label="Cán bộ một cửa đã tiếp nhận hồ sơ"),
        move("refuse", "officer", {1}, 3, note_required=True, label="Hồ sơ không được tiếp nhận"),
        move("start", "officer", {2}, 4, label="Hồ sơ được chuyển xử lý"),
        move("request_supplement", "officer", {2, 4}, 5, note_required=True, label="Cần bổ sung giấy tờ"),
        move("request_payment", "officer", {2, 4}, 6, label="Cần nộp phí, lệ phí"),
        move("confirm_payment", "officer", {6}, 4, label="Đã ghi nhận nộp phí, lệ phí"),
        move("stop", "officer", {2, 4, 5, 6}, 8, note_required=True, label="Dừng xử lý hồ sơ"),
        move("complete", "officer", {4}, 9, label="Đã xử lý xong, chờ trả kết quả"),
        move("return_result", "officer", {9}, 10, label="Đã trả kết quả"),
        move("supply_supplement", "citizen", {5}, 4, label="Công dân đã bổ sung giấy tờ"),
        move("withdraw", "citizen", {1, 2, 4, 5, 6}, 7, label="Công dân rút hồ sơ"),
    ],
    final=FINAL_STATUSES,
)
# The names other modules (and tests) have always read: the machine is a mapping of its moves.
ACTIONS = WORKFLOW
Action = Transition
CITIZEN_ACTIONS = WORKFLOW.names("citizen")
OFFICER_ACTIONS = WORKFLOW.names("officer")


def next_status(action: Transition | str, current: int) -> int:
    """The status `action` leads to from `current`, or IllegalTransition."""
    return WORKFLOW.next_status(action, current)


def today() -> date:
    """Today in Vietnam, the day deadlines are judged by."""
    return local_date(datetime.now().astimezone())


# How the history names the first step, which is no workflow action.
SUBMIT_LABEL = "Công dân nộp hồ sơ trực tuyến"
PAY_FEE = "pay_fee"  # not a workflow action: the citizen pays through the wallet (status 6 → 4)
RATE = "rate"


def fee_due(dossier) -> bool:
    """An officer asked for a fee (status 6) that has not been paid yet."""
    return dossier.status == 6 and dossier.payment_status != 1 and bool(dossier.fee_vnd)


def can_rate(dossier) -> bool:
    """The result is returned and the citizen has not rated the service yet."""
    return dossier.status == 10 and dossier.rating is None


def citizen_actions(dossier) -> list[str]:
    """What the applicant can do now, so the app offers exactly these and no others: the citizen
    workflow actions the status allows, `pay_fee` while a fee is due, `rate` once returned."""
    allowed = WORKFLOW.allowed(dossier.status, "citizen")
    if fee_due(dossier):
        allowed.append(PAY_FEE)
    if can_rate(dossier):
        allowed.append(RATE)
    return allowed


def step_label(action_name: str) -> str:
    """What a citizen reads for a step of the history."""
    action = ACTIONS.get(action_name)
    return action.label if action else SUBMIT_LABEL


def is_overdue(dossier, on: date | None = None) -> bool:
    """Still waiting on the authority and past its due date."""
    return dossier.status in OPEN_STATUSES and dossier.due_date < (on or today())
