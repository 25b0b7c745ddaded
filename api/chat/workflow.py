"""A handoff's status machine: the citizen asks for a person, an agent takes the chat, it ends.

    waiting ──accept (agent)──► active ──close (agent)──► closed
       └───────────────close (agent, from the queue)──────────┘

closed is final: a new request for a person opens a new handoff. Replying to a waiting chat takes
it first (`accept`); only the agent who took a chat replies to it or closes it. The service applies
each move with a compare-and-set on `status`, so of two agents clicking at once exactly one wins.
"""

from __future__ import annotations

from api.state_machine import StateMachine, move

WAITING, ACTIVE, CLOSED = "waiting", "active", "closed"
# Still the call centre's: listed in the queue, "waiting" sorting before "active".
OPEN_STATUSES = (WAITING, ACTIVE)
AGENT = "agent"

HANDOFFS = StateMachine(
    (WAITING, ACTIVE, CLOSED),
    [
        move("accept", AGENT, {WAITING}, ACTIVE, label="Tổng đài viên đã nhận cuộc trò chuyện"),
        move("close", AGENT, {WAITING, ACTIVE}, CLOSED, label="Tổng đài viên đã kết thúc phiên hỗ trợ"),
    ],
    final={CLOSED},
)
