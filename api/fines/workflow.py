"""The fine notice's status machine: every move is a row of `FINES`, anything else is refused.

    issued (chờ xác nhận) ─confirm (citizen)→ confirmed (đã xác nhận) ─pay (citizen)→ paid
      │  ▲                                       │
      │  └ amend (police, feed: a re-sent record) │
      ├──────────── settle (wallet) ─────────────┴──→ paid
      └──────────── cancel (police, reason) ─────┴──→ cancelled

paid and cancelled are final. `pay` is what a citizen may start (the wallet asks before it
charges: only a confirmed notice); `settle` is the wallet telling that money was collected, which
marks any open notice paid (money that was collected cannot be refused: paying is accepting).
The service applies each move with a compare-and-set on `status` (`FINES.from_condition`), so of
two racing requests (confirm and cancel, a payment and a cancellation) exactly one wins.
"""

from __future__ import annotations

from api.fines.models import CANCELLED, CONFIRMED, ISSUED, OPEN_STATUSES, PAID, STATUSES
from api.state_machine import StateMachine, move

CITIZEN, POLICE, WALLET = "citizen", "police", "wallet"

FINES = StateMachine(
    STATUSES,
    [
        # The police or the camera feed send a record again with other data: it is updated while
        # the citizen has not acted on it; after that, only cancelling and issuing anew.
        move("amend", POLICE, (ISSUED,), ISSUED, label="Cập nhật theo dữ liệu mới của cơ quan công an"),
        move("confirm", CITIZEN, (ISSUED,), CONFIRMED, label="Người vi phạm đã xác nhận hành vi vi phạm"),
        move("pay", CITIZEN, (CONFIRMED,), PAID, label="Nộp phạt trực tuyến"),
        move("settle", WALLET, OPEN_STATUSES, PAID, label="Đã nộp phạt"),
        move(
            "cancel", POLICE, OPEN_STATUSES, CANCELLED, note_required=True, label="Quyết định xử phạt bị huỷ"
        ),
    ],
    final=(PAID, CANCELLED),
)
