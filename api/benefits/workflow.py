"""The benefits domain's two status machines, each one table of moves (api/state_machine.py).

A beneficiary moves on an officer's decision; a new decision for an ended enrolment re-enrols
the same row (its payments keep pointing at it):

    active ─suspend→ suspended ─resume→ active;   active, suspended ─end→ ended ─re_enrol→ active

A month's payment is settled by its channel's answer, or cancelled unsent when the enrolment
ended before the month; a re-enrolment that covers the month schedules it again:

    scheduled ─pay→ paid ─return→ returned;   scheduled ─fail→ failed
    scheduled ─cancel→ cancelled ─reschedule→ scheduled

The services ask these tables and apply each move with a compare-and-set on the status
(`machine.from_condition`), so of two racing decisions or settlements exactly one wins.
"""

from __future__ import annotations

from api.benefits.models import (
    ACTIVE,
    BENEFICIARY_STATUSES,
    CANCELLED,
    ENDED,
    FAILED,
    PAID,
    PAYMENT_STATUSES,
    RETURNED,
    SCHEDULED,
    SUSPENDED,
)
from api.state_machine import StateMachine, move

BENEFICIARIES = StateMachine(
    BENEFICIARY_STATUSES,
    [
        move("suspend", "officer", {ACTIVE}, SUSPENDED, label="Tạm dừng hưởng"),
        move("resume", "officer", {SUSPENDED}, ACTIVE, label="Hưởng lại sau tạm dừng"),
        move("end", "officer", {ACTIVE, SUSPENDED}, ENDED, label="Thôi hưởng"),
        # Not a status decision (`change_beneficiary_status`): a new enrolment decision (`enrol`).
        move("re_enrol", "officer", {ENDED}, ACTIVE, label="Hưởng lại theo quyết định mới"),
    ],
)
# The decision an officer takes to bring a beneficiary to each status (change_beneficiary_status).
DECISIONS = {SUSPENDED: "suspend", ACTIVE: "resume", ENDED: "end"}

PAYMENTS = StateMachine(
    PAYMENT_STATUSES,
    [
        move("pay", "channel", {SCHEDULED}, PAID, label="Đã chi trả"),
        move("fail", "channel", {SCHEDULED}, FAILED, label="Chi trả không thành công"),
        # Money paid may come back (the account closed, cash not collected in time).
        move("return", "channel", {PAID}, RETURNED, label="Bị hoàn trả"),
        move("cancel", "system", {SCHEDULED}, CANCELLED, label="Đã huỷ: thôi hưởng trước kỳ chi trả"),
        move(
            "reschedule",
            "officer",
            {SCHEDULED, CANCELLED},
            SCHEDULED,
            label="Chi trả lại theo quyết định mới",
        ),
    ],
    final={FAILED, RETURNED},
)
# The channel's answer (settle_payment) for each status it may report: a payment is paid or fails once.
SETTLEMENTS = {PAID: "pay", FAILED: "fail", RETURNED: "return"}
