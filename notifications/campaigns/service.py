"""Push campaigns, as the rest of the system sees them: the console's routes, the scheduler's
`campaigns.send` job (`notifications.campaigns.service:run_due_campaigns`), the demo seeding.

The rules live in three modules, each with one responsibility:

- notifications/campaigns/workflow.py: composing, the four-eyes approval, scheduling and quiet
  hours, cancelling, opens reported by the app (the campaign's states);
- notifications/campaigns/audience.py: who a campaign is for, its size, whether it reached a
  citizen (through the citizens domain's service, never its table);
- notifications/campaigns/sending.py: the sending engine (claiming due campaigns, leases, the
  inbox and push phases in keyset-paginated batches, the sender threads or processes).
"""

from __future__ import annotations

from notifications.campaigns.audience import audience_size, check_audience
from notifications.campaigns.sending import RunReport, run_due_campaigns
from notifications.campaigns.workflow import (
    approve,
    cancel,
    create_campaign,
    get_campaign,
    in_quiet_hours,
    list_campaigns,
    preview_audience,
    record_open,
    schedule,
    update_campaign,
)

__all__ = [
    "RunReport",
    "approve",
    "audience_size",
    "cancel",
    "check_audience",
    "create_campaign",
    "get_campaign",
    "in_quiet_hours",
    "list_campaigns",
    "preview_audience",
    "record_open",
    "run_due_campaigns",
    "schedule",
    "update_campaign",
]
