"""The dashboard's figures: each domain counts its own, this module only composes them.

Every figure is counted in the database by the domain that owns the table, through its public
reporting interface (`figures.py` of api.dossiers, api.reports, api.fines, api.benefits,
api.chat and notifications.campaigns), for the period's UTC moments and an optional ward; the
domains' modules say what each count means. Here the counts become the dashboard's JSON: ratios,
hours, names of procedures, categories and wards, and a row for every day of the period.

The period is one of Vietnam calendar days [from, to]; the ward is, per domain, where the thing
happened (dossiers: the receiving ward; reports, fines: the place) or the citizen's residence
(benefits, chats, campaigns).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from api.benefits import figures as benefit_figures
from api.chat import figures as chat_figures
from api.dossiers import figures as dossier_figures
from api.dossiers.catalogue import service as catalogue
from api.fines import figures as fine_figures
from api.reports import figures as report_figures
from api.reports.categories import get_category
from api.units import service as units
from api.workdays import moments_of
from notifications.campaigns import figures as campaign_figures

TOP_PROCEDURES = 10


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(seconds: float | None) -> float | None:
    return round(seconds / 3600, 2) if seconds is not None else None


def _seconds(seconds: float | None) -> int | None:
    return round(seconds) if seconds is not None else None


def ward_name(code: str | None) -> str | None:
    if code is None:
        return None
    ward = units.get_ward(code)
    return ward.name if ward else code


class Window:
    """The period as the UTC bounds [start, end) of its Vietnam days, and the ward."""

    def __init__(self, period_from: date, period_to: date, ward_code: str | None) -> None:
        self.period_from, self.period_to, self.ward_code = period_from, period_to, ward_code
        self.start, self.end = moments_of(period_from, period_to)

    @property
    def days(self) -> list[date]:
        return [
            self.period_from + timedelta(days=n) for n in range((self.period_to - self.period_from).days + 1)
        ]


# ---- the whole dashboard ------------------------------------------------------------------------


def dashboard(period_from: date, period_to: date, ward_code: str | None, *, today: date) -> dict:
    """The dashboard's JSON (dates as ISO text): what GET /leader/dashboard answers and a
    periodic report keeps. `today` is the day "overdue" is judged on."""
    window = Window(period_from, period_to, ward_code)
    return {
        "period": {
            "from": period_from.isoformat(),
            "to": period_to.isoformat(),
            "ward_code": ward_code,
            "ward_name": ward_name(ward_code),
        },
        "dossiers": dossiers(window, today),
        "reports": reports(window),
        "fines": fines(window),
        "benefits": benefits(window),
        "call_centre": call_centre(window),
        "campaigns": campaigns(window),
    }


# ---- each domain's section ----------------------------------------------------------------------


def dossiers(window: Window, today: date) -> dict:
    counts = dossier_figures.for_period(
        window.start,
        window.end,
        window.ward_code,
        province_code=current_app.config["HOME_PROVINCE_CODE"],
        today=today,
        top_procedures=TOP_PROCEDURES,
    )
    by_procedure = []
    for row in counts["by_procedure"]:
        procedure = catalogue.get_procedure(row["procedure_code"], include_inactive=True)
        by_procedure.append(
            {
                "code": row["procedure_code"],
                "name": procedure.name if procedure else row["procedure_code"],
                "received": row["received"],
                "finished": row["finished"],
                "on_time_ratio": _ratio(row["finished_on_time"], row["finished"]),
            }
        )
    by_ward = [
        {
            "ward_code": row["ward_code"],
            "ward_name": ward_name(row["ward_code"]),
            "received": row["received"],
            "finished": row["finished"],
            "on_time_ratio": _ratio(row["finished_on_time"], row["finished"]),
        }
        for row in counts["by_ward"]
    ]
    # Every day of the period has a row, a quiet one with zeros.
    per_day = {day: {"received": 0, "finished": 0} for day in window.days} | counts["by_day"]
    return {
        "received": counts["received"],
        "finished": counts["finished"],
        "finished_on_time": counts["finished_on_time"],
        "on_time_ratio": _ratio(counts["finished_on_time"], counts["finished"]),
        "online": counts["online"],
        "online_share": _ratio(counts["online"], counts["received"]),
        "overdue_open": counts["overdue_open"],
        "by_procedure": by_procedure,
        "by_ward": by_ward,
        "by_day": [{"date": day.isoformat(), **per_day[day]} for day in sorted(per_day)],
    }


def reports(window: Window) -> dict:
    counts = report_figures.for_period(window.start, window.end, window.ward_code)
    by_category = []
    for code, count in counts["by_category"]:
        category = get_category(code)
        by_category.append({"code": code, "name": category.name if category else code, "count": count})
    return {
        "received": counts["received"],
        "resolved": counts["resolved"],
        "open": counts["open"],
        "median_first_response_hours": _hours(counts["median_first_response_seconds"]),
        "median_resolution_hours": _hours(counts["median_resolution_seconds"]),
        "by_category": by_category,
        "by_ward": [
            {"ward_code": code, "ward_name": ward_name(code), "count": count}
            for code, count in counts["by_ward"]
        ],
    }


def fines(window: Window) -> dict:
    counts = fine_figures.for_period(window.start, window.end, window.ward_code)
    return {
        "issued": counts["issued"],
        "paid": counts["paid"],
        "paid_share": _ratio(counts["paid"], counts["issued"]),
        "amount_issued_vnd": counts["amount_issued_vnd"],
        "amount_paid_vnd": counts["amount_paid_vnd"],
        "paid_online_share": _ratio(counts["paid_online"], counts["paid"]),
    }


def benefits(window: Window) -> dict:
    counts = benefit_figures.for_period(window.start, window.end, window.ward_code)
    return {
        "payments": counts["payments"],
        "paid": counts["paid"],
        "cashless": counts["cashless"],
        "cashless_share": _ratio(counts["cashless"], counts["paid"]),
        "amount_paid_vnd": counts["amount_paid_vnd"],
    }


def call_centre(window: Window) -> dict:
    counts = chat_figures.for_period(window.start, window.end, window.ward_code)
    average = counts["satisfaction_average"]
    return {
        "conversations": counts["conversations"],
        "handoffs": counts["handoffs"],
        "handoff_share": _ratio(counts["handed"], counts["conversations"]),
        "median_wait_seconds": _seconds(counts["median_wait_seconds"]),
        "median_handling_seconds": _seconds(counts["median_handling_seconds"]),
        "satisfaction_average": round(average, 2) if average is not None else None,
        "satisfaction_responses": counts["satisfaction_responses"],
    }


def campaigns(window: Window) -> dict:
    counts = campaign_figures.for_period(window.start, window.end, window.ward_code)
    return {
        "sent": counts["sent"],
        "recipients": counts["recipients"],
        "delivered": counts["delivered"],
        "opened": counts["opened"],
        "delivery_share": _ratio(counts["delivered"], counts["recipients"]),
        "open_share": _ratio(counts["opened"], counts["recipients"]),
    }
