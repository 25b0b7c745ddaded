"""The call centre's figures for a period: what the leaders' dashboard shows of the chats (its
public reporting interface; the dashboard never reads the chat tables itself).

Counted in the database (COUNT, AVG), the same SQL on SQLite and PostgreSQL; a median reads only
the one or two middle values of the sorted durations. `conversations` were begun in the period,
`handed` of those were handed to an agent; `handoffs` were requested in the period, their wait
(request to acceptance), handling (acceptance to close) and the citizens' ratings. The ward is
the citizen's residence, which the citizens' registry knows (anonymous chats have none).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, select, true

from api.aggregates import median, seconds_between
from api.chat.models import Conversation, Handoff
from api.citizens import service as citizens
from api.extensions import db


def for_period(start: datetime, end: datetime, ward_code: str | None) -> dict:
    """The chats of [start, end) of the ward's residents (None: everyone, anonymous included):
    counts, the median wait and handling in seconds and the ratings' average (None when there
    is nothing to measure). Called by the leaders' dashboard (api.dashboard.figures)."""
    of_ward = true() if ward_code is None else Conversation.citizen_id.in_(citizens.resident_ids(ward_code))
    begun = and_(Conversation.created_at >= start, Conversation.created_at < end, of_ward)
    conversations = db.session.scalar(select(func.count()).where(begun)) or 0
    handed = (
        db.session.scalar(
            select(func.count()).where(begun, exists().where(Handoff.conversation_id == Conversation.id))
        )
        or 0
    )

    handoff_of_ward = (
        true() if ward_code is None else Handoff.conversation_id.in_(select(Conversation.id).where(of_ward))
    )
    requested = and_(Handoff.requested_at >= start, Handoff.requested_at < end, handoff_of_ward)
    handoffs = db.session.scalar(select(func.count()).where(requested)) or 0
    wait = median(
        select(seconds_between(Handoff.requested_at, Handoff.accepted_at)).where(
            requested, Handoff.accepted_at.is_not(None)
        )
    )
    handling = median(
        select(seconds_between(Handoff.accepted_at, Handoff.closed_at)).where(
            requested, Handoff.accepted_at.is_not(None), Handoff.closed_at.is_not(None)
        )
    )
    average, responses = db.session.execute(
        select(func.avg(Handoff.rating), func.count(Handoff.rating)).where(
            requested, Handoff.rating.is_not(None)
        )
    ).one()
    return {
        "conversations": int(conversations),
        "handed": int(handed),
        "handoffs": int(handoffs),
        "median_wait_seconds": wait,
        "median_handling_seconds": handling,
        "satisfaction_average": float(average) if average is not None else None,
        "satisfaction_responses": int(responses or 0),
    }
