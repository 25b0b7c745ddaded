"""Fixtures of the leaders' dashboard tests: leaders (province-level and ward-bound), Vietnam
days relative to today, and the dashboard asked for a period and a ward."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from api.citizens.service import get_citizen
from api.dossiers import service as dossiers
from api.extensions import db
from api.workdays import VIETNAM
from tests.conftest import DEMO_WARD, assert_problem  # noqa: F401 (the package's tests import it from here)
from tests.dossiers.samples import VALID_FORMS

OTHER_WARD = "24121"  # another ward of Đắk Lắk
OUTSIDE_WARD = "00004"  # Phường Ba Đình, Hà Nội: a real ward of another province


def today() -> date:
    return datetime.now(VIETNAM).date()


def days_ago(days: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment `days` Vietnam days before today, at hh:mm Vietnam time."""
    return datetime.combine(today() - timedelta(days=days), time(hour, minute), tzinfo=VIETNAM)


def sign_in(client, user) -> dict:
    response = client.post(
        "/auth/staff/login", json={"username": user["username"], "password": user["password"]}
    )
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture
def leader(client, make_staff):
    """A province-level leader (no ward): sees the whole province and any ward."""
    user = make_staff("leader", ward_code=None)
    return {**user, "headers": sign_in(client, user)}


@pytest.fixture
def ward_leader(client, make_staff):
    """A leader of the demo ward: sees only that ward."""
    user = make_staff("leader", ward_code=DEMO_WARD)
    return {**user, "headers": sign_in(client, user)}


@pytest.fixture
def dashboard(client, leader):
    """GET /leader/dashboard for a period (Vietnam dates) and a ward, as the province leader."""

    def get(period_from: date, period_to: date, ward: str | None = None, headers=None) -> dict:
        query = {"from": period_from.isoformat(), "to": period_to.isoformat()}
        if ward:
            query["ward"] = ward
        response = client.get("/leader/dashboard", query_string=query, headers=headers or leader["headers"])
        assert response.status_code == 200, response.get_json()
        return response.json

    return get


@pytest.fixture
def file_dossier(app, catalogue, make_staff):
    """File a dossier through the dossier service at a moment, then move it through the workflow
    (`steps`: (action, moment)) as an officer of its ward; returns its due date."""
    officers = {}

    def file(citizen_id, procedure, at, *, ward=DEMO_WARD, online=True, steps=()):
        if ward not in officers:
            officers[ward] = dossiers.Actor(
                "staff", make_staff("officer", ward_code=ward)["id"], "officer", ward
            )
        with app.app_context():
            form = dict(VALID_FORMS[procedure])
            if procedure == "tam-tru":
                form["ward_code"] = ward  # where one stays decides the ward (tạm trú)
            dossier = dossiers.submit(
                get_citizen(citizen_id),
                procedure,
                form,
                ward_code=ward if procedure == "khai-sinh" else None,
                at=at,
            )
            assert dossier.ward_code == ward
            if not online:
                # Filed at the one-stop desk: the API has no counter-intake service yet, so the
                # flag the desk would set is set here.
                dossier.submitted_online = False
                db.session.commit()
            for action, moment in steps:
                dossiers.transition(
                    dossier, action, officers[ward], expected_version=dossier.version, at=moment
                )
            due = dossier.due_date
            db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
            db.session.remove()
            return due

    return file
