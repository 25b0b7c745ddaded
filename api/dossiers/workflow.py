"""The dossier status machine on the National Public Service Portal's ten status codes.

Every change of status goes through `ACTIONS`: who may take an action, from which statuses, to
which status, and whether a note is required. Anything not listed is refused, so a dossier can
never jump (for example) from "Mới đăng ký" straight to "Đã trả kết quả".

    1 Mới đăng ký ──accept──► 2 Được tiếp nhận ──start──► 4 Đang xử lý ──complete──► 9 ──return_result──► 10
      │ refuse ► 3                  │                        │  ▲
      │                             ├─ request_supplement ─► 5 ─┘ supply_supplement (citizen)
      │                             └─ request_payment ────► 6 ─┘ confirm_payment (paid)
      └ withdraw (citizen, from 1, 2, 4, 5, 6) ► 7        stop (officer, from 2, 4, 5, 6) ► 8

3, 7, 8 and 10 are final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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


@dataclass(frozen=True)
class Action:
    name: str
    actor: str  # "citizen" | "officer"
    from_statuses: frozenset[int]
    to_status: int
    note_required: bool
    label: str  # what the citizen reads in the history


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("accept", "officer", frozenset({1}), 2, False, "Cán bộ một cửa đã tiếp nhận hồ sơ"),
        Action("refuse", "officer", frozenset({1}), 3, True, "Hồ sơ không được tiếp nhận"),
        Action("start", "officer", frozenset({2}), 4, False, "Hồ sơ được chuyển xử lý"),
        Action("request_supplement", "officer", frozenset({2, 4}), 5, True, "Cần bổ sung giấy tờ"),
        Action(
            "request_payment",
            "officer",
            frozenset({2, 4}),
            6,
            False,
            "Cần nộp phí, lệ phí",
        ),
        Action("confirm_payment", "officer", frozenset({6}), 4, False, "Đã ghi nhận nộp phí, lệ phí"),
        Action("stop", "officer", frozenset({2, 4, 5, 6}), 8, True, "Dừng xử lý hồ sơ"),
        Action("complete", "officer", frozenset({4}), 9, False, "Đã xử lý xong, chờ trả kết quả"),
        Action("return_result", "officer", frozenset({9}), 10, False, "Đã trả kết quả"),
        Action("supply_supplement", "citizen", frozenset({5}), 4, False, "Công dân đã bổ sung giấy tờ"),
        Action("withdraw", "citizen", frozenset({1, 2, 4, 5, 6}), 7, False, "Công dân rút hồ sơ"),
    )
}
CITIZEN_ACTIONS = tuple(name for name, action in ACTIONS.items() if action.actor == "citizen")
OFFICER_ACTIONS = tuple(name for name, action in ACTIONS.items() if action.actor == "officer")


class IllegalTransition(Exception):
    def __init__(self, action: Action, status: int) -> None:
        super().__init__(f"{action.name} not allowed from status {status}")
        self.action = action
        self.status = status


def next_status(action: Action, current: int) -> int:
    """The status `action` leads to from `current`, or IllegalTransition."""
    if current not in action.from_statuses:
        raise IllegalTransition(action, current)
    return action.to_status


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
    allowed = [
        name
        for name, action in ACTIONS.items()
        if action.actor == "citizen" and dossier.status in action.from_statuses
    ]
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
