"""The campaigns' figures for a period: what the leaders' dashboard shows of them (its public
reporting interface; the dashboard never reads the campaign or inbox tables itself).

Counted in the database (COUNT, SUM), the same SQL on SQLite and PostgreSQL. Campaigns sent
(finished) in the period: `recipients` the citizens targeted, `delivered` the messages left in
their inboxes, `opened` the citizens who opened it. For a ward only what the registry can tell
per citizen is counted: messages in that ward's residents' inboxes (both recipients and
delivered) and their opens.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select

from api.citizens import service as citizens
from api.extensions import db
from notifications.campaigns.models import SENT, Campaign, CampaignOpen
from notifications.models import InboxMessage


def for_period(start: datetime, end: datetime, ward_code: str | None) -> dict:
    """The campaigns sent in [start, end), for the ward's residents (None: everyone): how many,
    recipients, messages delivered to inboxes, and opens. Called by the leaders' dashboard
    (api.dashboard.figures)."""
    sent_in_period = and_(
        Campaign.status == SENT,
        Campaign.finished_at.is_not(None),
        Campaign.finished_at >= start,
        Campaign.finished_at < end,
    )
    sent_ids = select(Campaign.id).where(sent_in_period)
    if ward_code is None:
        sent, recipients, delivered = db.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(Campaign.targeted_citizens), 0),
                func.coalesce(func.sum(Campaign.inbox_delivered), 0),
            ).where(sent_in_period)
        ).one()
        opened = db.session.scalar(
            select(func.count()).select_from(CampaignOpen).where(CampaignOpen.campaign_id.in_(sent_ids))
        )
    else:
        residents = citizens.resident_ids(ward_code)
        sent, delivered = db.session.execute(
            select(func.count(func.distinct(InboxMessage.campaign_id)), func.count()).where(
                InboxMessage.campaign_id.in_(sent_ids), InboxMessage.citizen_id.in_(residents)
            )
        ).one()
        recipients = delivered
        opened = db.session.scalar(
            select(func.count())
            .select_from(CampaignOpen)
            .where(CampaignOpen.campaign_id.in_(sent_ids), CampaignOpen.citizen_id.in_(residents))
        )
    # int(): no rows sum to NULL, and PostgreSQL sums as NUMERIC.
    return {
        "sent": int(sent or 0),
        "recipients": int(recipients or 0),
        "delivered": int(delivered or 0),
        "opened": int(opened or 0),
    }
