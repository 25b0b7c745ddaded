"""The dashboard's figures on data made through each domain's own services, and how the period
and the ward change them. Days are Vietnam days relative to today (`days_ago`); the period most
tests ask for is the last ten days, [today - 9, today]."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.benefits import service as benefits
from api.chat import service as chat
from api.chat.models import Handoff
from api.citizens.service import get_citizen
from api.extensions import db
from api.fines import service as fines
from api.reports import service as reports
from api.reports.models import Report
from notifications.campaigns import service as campaigns
from tests.dashboard.conftest import DEMO_WARD, OTHER_WARD, days_ago, today
from tests.documents.samples import png
from tests.fcm_server import fcm  # noqa: F401 (fixture: the campaign job's push phase)
from tests.notifications.campaigns.conftest import campaign_body, if_match, tomorrow_at


def last_ten_days():
    return today() - timedelta(days=9), today()


# ---- dossiers ---------------------------------------------------------------------------------


def test_dossier_figures_by_period_and_ward(dashboard, file_dossier, make_citizen):
    applicant = make_citizen()["id"]
    # On time: accepted and completed the same day, well before its due date.
    file_dossier(
        applicant,
        "khai-sinh",
        days_ago(5),
        steps=[("accept", days_ago(5, 10)), ("start", days_ago(5, 10, 10)), ("complete", days_ago(5, 15))],
    )
    # Late: received 40 days ago at the counter, a one-day procedure completed two days ago.
    file_dossier(
        applicant,
        "khai-sinh",
        days_ago(40),
        online=False,
        steps=[("accept", days_ago(40, 10)), ("start", days_ago(40, 11)), ("complete", days_ago(2))],
    )
    # At the counter at 00:30 on the first day of the period (the previous day in UTC): in it.
    stay_due = file_dossier(applicant, "tam-tru", days_ago(9, 0, 30), online=False)
    # Another ward's, online, still open.
    other_due = file_dossier(applicant, "khai-sinh", days_ago(4), ward=OTHER_WARD)
    # Before the period: 23:30 on the day before it, and twenty days ago.
    file_dossier(applicant, "tam-tru", days_ago(10, 23, 30))
    file_dossier(applicant, "khai-sinh", days_ago(20))

    first, last = last_ten_days()
    figures = dashboard(first, last)["dossiers"]
    assert {key: figures[key] for key in ("received", "finished", "finished_on_time", "online")} == {
        "received": 3,
        "finished": 2,
        "finished_on_time": 1,
        "online": 2,
    }
    assert figures["on_time_ratio"] == 0.5
    assert figures["online_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["overdue_open"] == (stay_due < today()) + (other_due < today())
    assert figures["by_procedure"] == [
        {
            "code": "khai-sinh",
            "name": "Đăng ký khai sinh",
            "received": 2,
            "finished": 2,
            "on_time_ratio": 0.5,
        },
        {"code": "tam-tru", "name": "Đăng ký tạm trú", "received": 1, "finished": 0, "on_time_ratio": None},
    ]
    assert figures["by_ward"] == [
        {
            "ward_code": DEMO_WARD,
            "ward_name": "Phường Buôn Ma Thuột",
            "received": 2,
            "finished": 2,
            "on_time_ratio": 0.5,
        },
        {
            "ward_code": OTHER_WARD,
            "ward_name": "Phường Tân Lập",
            "received": 1,
            "finished": 0,
            "on_time_ratio": None,
        },
    ]
    by_day = {row["date"]: (row["received"], row["finished"]) for row in figures["by_day"]}
    assert len(by_day) == 10
    expected = {
        (today() - timedelta(days=n)).isoformat(): counts
        for n, counts in {9: (1, 0), 5: (1, 1), 4: (1, 0), 2: (0, 1)}.items()
    }
    assert {day: counts for day, counts in by_day.items() if counts != (0, 0)} == expected

    # One ward: only what its own authority received and finished.
    ward = dashboard(first, last, OTHER_WARD)["dossiers"]
    assert (ward["received"], ward["finished"], ward["online"], ward["online_share"]) == (1, 0, 1, 1.0)
    assert ward["on_time_ratio"] is None
    assert [row["ward_code"] for row in ward["by_ward"]] == [OTHER_WARD]
    assert ward["by_procedure"] == [
        {
            "code": "khai-sinh",
            "name": "Đăng ký khai sinh",
            "received": 1,
            "finished": 0,
            "on_time_ratio": None,
        }
    ]

    # Another period: the late dossier's reception, at the counter.
    earlier = dashboard(today() - timedelta(days=45), today() - timedelta(days=30))["dossiers"]
    assert (earlier["received"], earlier["finished"], earlier["online"], earlier["online_share"]) == (
        1,
        0,
        0,
        0.0,
    )


# ---- reports ----------------------------------------------------------------------------------


def test_report_figures_by_period_and_ward(app, dashboard, make_citizen, make_staff):
    officer = reports.Actor("staff", make_staff("officer", ward_code=DEMO_WARD)["id"], "officer", DEMO_WARD)
    reporter = make_citizen()["id"]
    now = datetime.now(UTC)

    def submit(category, ward, at):
        with app.app_context():
            submitted = reports.submit(
                get_citizen(reporter),
                {
                    "category": category,
                    "description": "Sự việc kéo dài nhiều ngày, đề nghị xử lý sớm.",
                    "address": "12 Lê Duẩn",
                    "ward_code": ward,
                },
                now=at,
            )
            report_id = submitted.report.id
            db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
            db.session.remove()
            return report_id

    lamp = submit("den-duong-hong", DEMO_WARD, now - timedelta(hours=5))
    rubbish = submit("rac-thai", DEMO_WARD, now - timedelta(hours=3))
    submit("rac-thai", OTHER_WARD, now - timedelta(hours=1))
    submit("rac-thai", DEMO_WARD, days_ago(20))

    with app.app_context():
        # The lamp: answered (assigned) and fixed right now, five hours after it was sent.
        reports.act(officer, lamp, "assign")
        reports.act(officer, lamp, "start")
        photo = reports.add_media(
            db.session.get(Report, lamp),
            uploaded_by="staff",
            filename="da-sua.png",
            data=png(),
            declared_type="image/png",
        )
        reports.act(officer, lamp, "resolve", note="Đã thay bóng đèn.", evidence_media_id=photo.id)
        # The rubbish: assigned now, three hours after it was sent, not yet resolved.
        reports.act(officer, rubbish, "assign")
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
        db.session.remove()

    first, last = last_ten_days()
    figures = dashboard(first, last)["reports"]
    assert (figures["received"], figures["resolved"], figures["open"]) == (3, 1, 2)
    assert figures["median_first_response_hours"] == pytest.approx(4.0, abs=0.01)  # of 5 h and 3 h
    assert figures["median_resolution_hours"] == pytest.approx(5.0, abs=0.01)
    assert figures["by_category"] == [
        {"code": "rac-thai", "name": "Rác thải, đổ trộm phế thải", "count": 2},
        {"code": "den-duong-hong", "name": "Đèn đường hỏng", "count": 1},
    ]
    assert figures["by_ward"] == [
        {"ward_code": DEMO_WARD, "ward_name": "Phường Buôn Ma Thuột", "count": 2},
        {"ward_code": OTHER_WARD, "ward_name": "Phường Tân Lập", "count": 1},
    ]

    ward = dashboard(first, last, OTHER_WARD)["reports"]
    assert (ward["received"], ward["resolved"], ward["open"]) == (1, 0, 1)
    assert ward["median_first_response_hours"] is None and ward["median_resolution_hours"] is None
    assert ward["by_category"] == [{"code": "rac-thai", "name": "Rác thải, đổ trộm phế thải", "count": 1}]

    earlier = dashboard(today() - timedelta(days=25), today() - timedelta(days=15))["reports"]
    assert (earlier["received"], earlier["resolved"], earlier["open"]) == (1, 0, 1)


# ---- fines ------------------------------------------------------------------------------------

_notice_numbers = itertools.count(1)


def test_fine_figures_by_period_and_ward(app, dashboard, make_citizen):
    owner = make_citizen()
    now = datetime.now(UTC)

    def issue(ward, decided_at, then=None):
        number = next(_notice_numbers)
        notice = {
            "notice_number": f"{number:05d}/QĐ-XPVPHC",
            "source_ref": f"dashboard-test-{uuid.uuid4().hex[:12]}",
            "plate": "47A-123.45",
            "violation_code": "oto-vuot-den-do",
            "amount_vnd": 18_000_000,
            "owner_cccd": owner["cccd"],
            "violated_at": (decided_at - timedelta(hours=2)).isoformat(),
            "decided_at": decided_at.isoformat(),
            "place": "Ngã tư Lê Duẩn - Phan Chu Trinh",
            "ward_code": ward,
        }
        with app.app_context():
            fine, outcome = fines.issue_notice(fines.validate_row(notice), actor="service:dashboard-tests")
            assert outcome == "created"
            if then == "pay":  # what the wallet calls when the owner's payment succeeds
                fines.mark_fine_paid(str(fine.id), uuid.uuid4())
                db.session.commit()
            elif then == "cancel":
                fines.cancel("staff:police", fine.id, "Nhầm biển số xe")
            db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
            db.session.remove()

    issue(DEMO_WARD, now - timedelta(days=1), then="pay")
    issue(DEMO_WARD, now - timedelta(days=2))
    issue(OTHER_WARD, now - timedelta(days=3))
    issue(DEMO_WARD, now - timedelta(days=1), then="cancel")  # a cancelled decision counts nowhere
    issue(DEMO_WARD, now - timedelta(days=30), then="pay")

    first, last = last_ten_days()
    assert dashboard(first, last)["fines"] == {
        "issued": 3,
        "paid": 1,
        "paid_share": pytest.approx(1 / 3, abs=1e-4),
        "amount_issued_vnd": 54_000_000,
        "amount_paid_vnd": 18_000_000,
        "paid_online_share": 1.0,
    }
    assert dashboard(first, last, OTHER_WARD)["fines"] == {
        "issued": 1,
        "paid": 0,
        "paid_share": 0.0,
        "amount_issued_vnd": 18_000_000,
        "amount_paid_vnd": 0,
        "paid_online_share": None,
    }
    earlier = dashboard(today() - timedelta(days=35), today() - timedelta(days=25))["fines"]
    assert (earlier["issued"], earlier["paid"], earlier["paid_share"]) == (1, 1, 1.0)


# ---- benefits ---------------------------------------------------------------------------------


def test_benefit_figures_cashless_against_cash(app, dashboard, make_citizen):
    by_bank = make_citizen(full_name="Y Bhăm Niê")
    in_cash = make_citizen(full_name="H'Hen Mlô")
    elsewhere = make_citizen(full_name="Trần Văn Bình", sex="male", ward_code=OTHER_WARD)
    period = f"{today():%Y-%m}"
    with app.app_context():
        benefits.seed_programmes()
        for person, channel in ((by_bank, "bank"), (in_cash, "cash"), (elsewhere, "cash")):
            benefits.enrol(
                {
                    "programme": "TCXH",
                    "cccd": person["cccd"],
                    "channel": channel,
                    "channel_detail": "Bưu điện",
                },
                actor="staff:officer",
            )
        benefits.generate_schedule(period, actor="staff:officer")
        benefits.pay_period(period, actor="staff:officer")
        planned_on = None
        for person in (by_bank, in_cash):  # the channel says both were paid; the third is not yet
            payment = db.session.scalars(benefits.my_payments(person["id"])).first()
            planned_on = payment.planned_on
            benefits.settle_payment(payment.id, status="paid", actor="staff:officer")
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
        db.session.remove()

    first, last = last_ten_days()
    paid = dashboard(first, last)["benefits"]
    assert {key: paid[key] for key in ("paid", "cashless", "cashless_share", "amount_paid_vnd")} == {
        "paid": 2,
        "cashless": 1,
        "cashless_share": 0.5,
        "amount_paid_vnd": 1_000_000,
    }
    ward = dashboard(first, last, OTHER_WARD)["benefits"]
    assert (ward["paid"], ward["cashless"], ward["cashless_share"], ward["amount_paid_vnd"]) == (
        0,
        0,
        None,
        0,
    )

    # `payments` counts what was planned for the period's days: the month's payment day.
    on_the_day = dashboard(planned_on, planned_on)["benefits"]
    assert on_the_day["payments"] == 3
    assert dashboard(planned_on, planned_on, OTHER_WARD)["benefits"]["payments"] == 1
    day_before = planned_on - timedelta(days=1)
    assert dashboard(day_before, day_before)["benefits"]["payments"] == 0


# ---- the call centre --------------------------------------------------------------------------


def test_call_centre_figures_wait_handling_and_satisfaction(
    app, client, dashboard, citizen_headers, make_staff
):
    agent_id = make_staff("agent")["id"]
    mai, _, _ = citizen_headers(full_name="Lê Thị Mai")
    binh, _, _ = citizen_headers(full_name="Trần Văn Bình", sex="male", ward_code=OTHER_WARD)

    def chat_with_the_bot_down(headers) -> uuid.UUID:
        asked = client.post(
            "/chat", json={"message": "Tôi muốn hỏi thủ tục đăng ký tạm trú"}, headers=headers
        )
        assert asked.status_code == 202, asked.json
        return uuid.UUID(asked.json["conversation_id"])

    answered = chat_with_the_bot_down(mai)
    chat_with_the_bot_down(binh)  # still waiting for an agent

    with app.app_context():
        handoff_id = chat.open_handoff(answered).id
        chat.accept(handoff_id, agent_id)
        chat.close(handoff_id, agent_id)
        # It waited 90 s for an agent, who then talked with the citizen for 60 s. The moments are
        # set from the close, not moved back from the clock: a loaded machine must not add seconds.
        handoff = db.session.get(Handoff, handoff_id)
        handoff.accepted_at = handoff.closed_at - timedelta(seconds=60)
        handoff.requested_at = handoff.accepted_at - timedelta(seconds=90)
        db.session.commit()
        db.session.remove()
    rated = client.post(f"/chat/conversations/{answered}/rating", json={"rating": 4}, headers=mai)
    assert rated.status_code == 200, rated.json

    first, last = last_ten_days()
    assert dashboard(first, last)["call_centre"] == {
        "conversations": 2,
        "handoffs": 2,
        "handoff_share": 1.0,
        "median_wait_seconds": 90,
        "median_handling_seconds": 60,
        "satisfaction_average": 4.0,
        "satisfaction_responses": 1,
    }
    assert dashboard(first, last, OTHER_WARD)["call_centre"] == {
        "conversations": 1,
        "handoffs": 1,
        "handoff_share": 1.0,
        "median_wait_seconds": None,
        "median_handling_seconds": None,
        "satisfaction_average": None,
        "satisfaction_responses": 0,
    }
    before = dashboard(today() - timedelta(days=20), today() - timedelta(days=10))["call_centre"]
    assert (before["conversations"], before["handoffs"], before["handoff_share"]) == (0, 0, None)


# ---- campaigns --------------------------------------------------------------------------------


def test_campaign_reach(app, client, dashboard, fcm, make_citizen, staff_headers):  # noqa: F811
    reader = make_citizen()
    make_citizen(full_name="Lê Văn Cường", sex="male")
    make_citizen(full_name="Trần Văn Bình", sex="male", ward_code=OTHER_WARD)
    comms, _ = staff_headers("comms")
    approver, _ = staff_headers("comms")
    composed = client.post("/comms/campaigns", headers=comms, json=campaign_body())
    assert composed.status_code == 201, composed.json
    campaign_id = composed.json["id"]
    approved = client.post(
        f"/comms/campaigns/{campaign_id}/approve", headers=if_match(client, campaign_id, approver)
    )
    assert approved.status_code == 200, approved.json
    scheduled = client.post(
        f"/comms/campaigns/{campaign_id}/schedule",
        json={"send_at": tomorrow_at(9).isoformat()},
        headers=if_match(client, campaign_id, comms),
    )
    assert scheduled.status_code == 200, scheduled.json

    first, last = last_ten_days()
    assert dashboard(first, last)["campaigns"]["sent"] == 0  # scheduled is not sent
    with app.app_context():
        campaigns.run_due_campaigns(tomorrow_at(9, 1))
        campaigns.record_open(uuid.UUID(campaign_id), reader["id"])
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
        db.session.remove()

    assert dashboard(first, last)["campaigns"] == {
        "sent": 1,
        "recipients": 3,
        "delivered": 3,
        "opened": 1,
        "delivery_share": 1.0,
        "open_share": pytest.approx(1 / 3, abs=1e-4),
    }
    assert dashboard(first, last, OTHER_WARD)["campaigns"] == {
        "sent": 1,
        "recipients": 1,
        "delivered": 1,
        "opened": 0,
        "delivery_share": 1.0,
        "open_share": 0.0,
    }
    before = dashboard(today() - timedelta(days=20), today() - timedelta(days=10))["campaigns"]
    assert (before["sent"], before["recipients"], before["open_share"]) == (0, 0, None)


def test_staff_reports_handled_by_the_police_count_too(app, dashboard, make_citizen):
    """A crime report (informant protected) is counted by category and ward like any other;
    nothing of the reporter is needed to count it."""
    reporter = make_citizen()["id"]
    with app.app_context():
        reports.submit(
            get_citizen(reporter),
            {
                "category": "trom-cap",
                "description": "Mất trộm xe máy trước cổng chợ lúc chiều tối.",
                "address": "Chợ Buôn Ma Thuột",
                "ward_code": DEMO_WARD,
            },
        )
        assert db.session.scalar(select(Report.citizen_id)) is None
        db.session.commit()  # the test is the edge of this unit of work (api/unit_of_work.py)
        db.session.remove()
    figures = dashboard(*last_ten_days())["reports"]
    assert figures["by_category"] == [{"code": "trom-cap", "name": "Trộm cắp, cướp giật tài sản", "count": 1}]
