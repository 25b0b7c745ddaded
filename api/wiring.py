"""What the domains offer each other, connected in one place.

The domains do not know each other's insides; some offer a hook to the others instead: the
wallet collects what other domains say is owed (payables), the document store asks before
deleting whether another domain still needs a document (usage checks), the digital-citizen
profile shows assets other domains keep (asset providers), and the scheduler runs every domain's
periodic jobs. Each of those registrations is made here, by `connect_domains()`, which
`create_app` calls (the scheduler process is built on `create_app`, so it sees the same), and
never as a side effect of importing a module: what the product is made of can be read in this
one file, and a test or a tool importing one domain does not half-wire the others.

Registering twice is harmless (each registry keys by name), so every app the tests build is
wired the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from api.citizens import service as citizens
from api.documents import service as documents
from api.dossiers import service as dossiers
from api.fines import service as fines
from wallet import service as wallet
from wallet.payables import register_payable


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    function: str  # "module:function", imported when the job runs
    every_seconds: int
    purpose: str
    executor: str = "default"  # the APScheduler executor (worker) the job runs on

    def resolve(self):
        module_name, _, function_name = self.function.partition(":")
        return getattr(import_module(module_name), function_name)


# Each domain's periodic jobs. The scheduler stores them by name and imports the function when a
# job runs; `connect_domains` resolves every one at start, so a function moved or renamed stops
# the app at once instead of failing hours later in the scheduler's log.
JOBS = (
    ScheduledJob(
        "wallet.reconcile", "wallet.service:reconcile", 60, "settle payments and refunds left pending"
    ),
    ScheduledJob(
        "wallet.expire", "wallet.service:expire_stale", 300, "expire payments unfinished after 90 minutes"
    ),
    ScheduledJob(
        "fines.reminders", "api.fines.service:send_deadline_reminders", 3600, "remind owners of deadlines"
    ),
    ScheduledJob(
        "reports.auto_close",
        "api.reports.service:close_resolved_reports",
        3600,
        "close resolved reports the citizen did not confirm in time",
    ),
    ScheduledJob(
        "benefits.schedule",
        "api.benefits.service:schedule_current_month",
        86400,
        "this month's benefit payments for every active beneficiary, once each",
    ),
    ScheduledJob(
        "notifications.dispatch",
        "notifications.dispatcher:dispatch",
        5,
        "outbox events into inbox messages and pushes, with retries",
    ),
    ScheduledJob(
        "notifications.stale_devices",
        "notifications.service:drop_stale_devices",
        86400,
        "drop push tokens not seen for 30 days; send topic subscriptions FCM has not confirmed",
    ),
    ScheduledJob(
        "notifications.purge",
        "notifications.dispatcher:purge",
        86400,
        "forget settled push deliveries and dispatched outbox events after 30 days",
    ),
    ScheduledJob(
        "idempotency.purge", "api.idempotency:purge_expired", 3600, "forget idempotency keys after 24 h"
    ),
    ScheduledJob(
        "campaigns.send",
        "notifications.campaigns.service:run_due_campaigns",
        30,
        "start due push campaigns and resume those sending (bounded by CAMPAIGN_RUN_SECONDS)",
        executor="campaigns",
    ),
    ScheduledJob(
        "catalogue.refresh",
        "api.dossiers.catalogue.service:refresh_in_force_job",
        3600,
        "the procedures' fees and time limits in force today (the law's dated data files)",
    ),
    ScheduledJob(
        "dashboard.periodic_reports",
        "api.dashboard.service:make_periodic_reports",
        3600,
        "last week's and last month's reports for leaders, once each",
    ),
)
JOBS_BY_NAME = {job.name: job for job in JOBS}


def connect_domains() -> None:
    """Register what each domain offers the others (see the module's docstring)."""
    # What a citizen can pay for: the wallet charges the amount the owing domain computes.
    register_payable(
        dossiers.FEE_PURPOSE,
        label=dossiers.FEE_LABEL,
        resolve=dossiers.fee_payable,
        on_succeeded=dossiers.mark_fee_paid,
    )
    register_payable(
        fines.PAYMENT_PURPOSE,
        label=fines.PAYMENT_LABEL,
        resolve=fines.fine_payable,
        on_succeeded=fines.mark_fine_paid,
    )
    # A document attached to a dossier cannot be deleted from the citizen's store.
    documents.register_usage_check(dossiers.document_in_use)
    # The profile's e-payment account is the one linked in the wallet.
    citizens.register_asset_provider("e_payment_account", wallet.e_payment_account_asset)
    for job in JOBS:
        job.resolve()
