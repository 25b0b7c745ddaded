"""Duplicate detection: the same problem reported again by someone else nearby.

A new field report is compared with the open ones of its category filed in the last week within
50 m; the citizen is shown them (as a public hint, service.submit) and the desk may merge.
Crime reports are never compared: each is handled on its own.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select

from api.extensions import db
from api.reports.models import Report
from api.reports.workflow import OPEN_STATUSES

DUPLICATE_RADIUS_M = 50.0
DUPLICATE_WINDOW = timedelta(days=7)
EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): ample precision at 50 m."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def find_duplicates(report: Report) -> list[dict]:
    """Open field reports of the same category within 50 m, submitted in the last 7 days."""
    if report.is_crime or report.latitude is None or report.longitude is None:
        return []
    # The box is a little larger than the circle; the exact distance decides.
    dlat = DUPLICATE_RADIUS_M / 111_000 * 1.1
    dlon = dlat / max(math.cos(math.radians(report.latitude)), 0.01)
    candidates = db.session.scalars(
        select(Report).where(
            Report.category_code == report.category_code,
            Report.is_crime.is_(False),
            Report.status.in_(OPEN_STATUSES),
            Report.submitted_at >= report.submitted_at - DUPLICATE_WINDOW,
            Report.latitude.between(report.latitude - dlat, report.latitude + dlat),
            Report.longitude.between(report.longitude - dlon, report.longitude + dlon),
            Report.id != report.id,
        )
    )
    found = []
    for other in candidates:
        distance = distance_m(report.latitude, report.longitude, other.latitude, other.longitude)
        if distance <= DUPLICATE_RADIUS_M:
            found.append({"report": other, "distance_m": round(distance, 1)})
    return sorted(found, key=lambda item: item["distance_m"])
