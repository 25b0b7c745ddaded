"""The scheduler job sends campaigns through firebase-admin to a local FCM endpoint, and the
figures follow: targeted, sent, failed, tokens removed, inbox, opened, read.

Interruptions (a run cut off after some batches, FCM unavailable, a cancel, quiet hours) resume
on the next run without sending anything twice: the local endpoint records every request.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from api.extensions import db
from notifications.campaigns.models import CampaignRetry
from notifications.models import Device, InboxMessage
from tests.notifications.campaigns.conftest import (
    OTHER_WARD,
    assert_problem,
    audit_actions,
    if_match,
    stored,
    tomorrow_at,
)


def retry_set(app, campaign_id):
    with app.app_context():
        return db.session.scalars(
            select(CampaignRetry.device_id).where(CampaignRetry.campaign_id == uuid.UUID(str(campaign_id)))
        ).all()


def device_tokens(app):
    with app.app_context():
        return set(db.session.scalars(select(Device.token)))


def inbox_of(app, citizen_id):
    with app.app_context():
        return db.session.scalars(select(InboxMessage).where(InboxMessage.citizen_id == citizen_id)).all()


def test_compose_approve_schedule_send_and_the_figures(
    app, client, fcm, comms, comms2, compose, make_citizen, citizen_headers, add_devices, run_job
):
    headers, reader, _ = citizen_headers()
    _other_headers, other, _ = citizen_headers(full_name="Lê Văn Cường", sex="male")
    outsider_headers, outsider, _ = citizen_headers(ward_code=OTHER_WARD)
    reader_tokens = add_devices(reader["id"], 2)
    other_tokens = add_devices(other["id"], 1)
    gone = add_devices(other["id"], 1, prefix="uninstalled")[0]
    add_devices(outsider["id"], 1, prefix="outside")
    fcm.script(gone, "unregistered")

    # compose -> approve (another officer) -> schedule, as the console does
    campaign = compose(
        audience={"kind": "ward", "ward_codes": ["24133"]},
        image_url="https://congdanso.daklak.gov.vn/anh/tiem-chung.jpg",
    )
    approve = client.post(
        f"/comms/campaigns/{campaign['id']}/approve",
        headers=if_match(client, campaign["id"], comms2["headers"]),
    )
    assert approve.status_code == 200 and approve.json["figures"]["targeted_devices"] == 4
    send_at = tomorrow_at(9)
    schedule = client.post(
        f"/comms/campaigns/{campaign['id']}/schedule",
        headers=if_match(client, campaign["id"], comms["headers"]),
        json={"send_at": send_at.isoformat()},
    )
    assert schedule.status_code == 200 and schedule.json["status"] == "scheduled"

    # not yet due: nothing happens
    early = run_job(now=send_at - timedelta(minutes=5))
    assert early["campaigns"] == 0 and fcm.received == []
    assert stored(app, campaign["id"]).status == "scheduled"

    report = run_job(now=send_at + timedelta(minutes=1))
    assert report["finished"] == [campaign["id"]]

    # what FCM received: the ward's devices once each, with the deep link and image
    assert sorted(fcm.delivered_tokens()) == sorted(reader_tokens + other_tokens)
    assert [m["outcome"] for m in fcm.received if m["token"] == gone] == ["unregistered"]
    message = fcm.delivered[0]["message"]
    assert message["notification"]["title"] == "Tiêm chủng mở rộng tháng 11"
    assert message["notification"]["image"] == "https://congdanso.daklak.gov.vn/anh/tiem-chung.jpg"
    assert message["data"] == {
        "kind": "campaign",
        "campaign_id": campaign["id"],
        "deep_link": "congdanso://news/tiem-chung-thang-11",
    }
    assert gone not in device_tokens(app)  # FCM said the app is uninstalled: token deleted

    # the inbox of each targeted citizen (and only theirs) has the message
    assert [m.title for m in inbox_of(app, reader["id"])] == ["Tiêm chủng mở rộng tháng 11"]
    assert len(inbox_of(app, other["id"])) == 1 and inbox_of(app, outsider["id"]) == []

    # the app reports opens; the citizen reads the inbox
    opened = client.post(f"/me/campaigns/{campaign['id']}/opened", headers=headers)
    assert opened.status_code == 200 and opened.json["campaign_id"] == campaign["id"]
    again = client.post(f"/me/campaigns/{campaign['id']}/opened", headers=headers)
    assert again.json["opened_at"] == opened.json["opened_at"]  # idempotent: the first time kept
    assert_problem(
        client.post(f"/me/campaigns/{campaign['id']}/opened", headers=outsider_headers),
        404,
        "campaign_not_found",
    )
    [inbox_message] = client.get("/me/inbox", headers=headers).json
    assert inbox_message["category"] == "campaign"
    assert client.post(f"/me/inbox/{inbox_message['id']}/read", headers=headers).status_code == 200

    listed = client.get("/comms/campaigns", headers=comms["headers"])
    [row] = listed.json
    assert row["status"] == "sent" and row["status_name"] == "Đã gửi" and row["finished_at"]
    assert row["figures"] == {
        "targeted_citizens": 2,
        "targeted_devices": 4,
        "sent": 3,
        "failed": 1,
        "tokens_removed": 1,
        "failure_codes": {"UNREGISTERED": 1},
        "inbox_delivered": 2,
        "inbox_read": 1,
        "opened": 1,
    }
    assert audit_actions(app, campaign["id"])[-1] == ("campaign.sent", "system:scheduler", "success")

    # a second run finds nothing more to send
    run_job(now=send_at + timedelta(minutes=5))
    assert len(fcm.received) == 4


def test_opens_are_only_for_campaigns_that_went_out(client, scheduled, citizen_headers, make_citizen):
    headers, _, _ = citizen_headers()
    campaign, _ = scheduled()
    response = client.post(f"/me/campaigns/{campaign['id']}/opened", headers=headers)
    assert_problem(response, 404, "campaign_not_found")
    unknown = client.post(f"/me/campaigns/{uuid.uuid4()}/opened", headers=headers)
    assert_problem(unknown, 404, "campaign_not_found")


def test_a_send_cut_off_mid_way_resumes_without_duplicates(
    app, fcm, scheduled, make_citizen, add_devices, run_job
):
    tokens = []
    for _ in range(4):
        person = make_citizen()
        tokens += add_devices(person["id"], 3)
    campaign, send_at = scheduled()
    settings = {"batch_size": 2, "concurrency": 2, "inbox_batch_size": 3}

    first = run_job(now=send_at + timedelta(minutes=1), max_batches=2, **settings)
    assert first["paused"] == {campaign["id"]: "batch_limit"}
    after_first = stored(app, campaign["id"])
    assert after_first.status == "sending" and after_first.sent_count == 4
    assert len(fcm.received) == 4

    second = run_job(now=send_at + timedelta(minutes=2), max_batches=3, **settings)
    assert second["paused"] == {campaign["id"]: "batch_limit"} and len(fcm.received) == 10

    run_job(now=send_at + timedelta(minutes=3), **settings)
    final = stored(app, campaign["id"])
    assert final.status == "sent" and final.sent_count == 12 and final.inbox_delivered == 4
    # every device exactly once, across three runs
    assert Counter(fcm.delivered_tokens()) == Counter(tokens)
    with app.app_context():
        per_citizen = db.session.execute(
            select(InboxMessage.citizen_id, func.count()).group_by(InboxMessage.citizen_id)
        ).all()
    assert len(per_citizen) == 4 and {count for _, count in per_citizen} == {1}


def test_a_time_budget_spent_in_the_inbox_phase_resumes_there(
    app, fcm, scheduled, make_citizen, add_devices, run_job
):
    for _ in range(5):
        add_devices(make_citizen()["id"], 1)
    campaign, send_at = scheduled()
    paused = run_job(now=send_at + timedelta(minutes=1), time_budget=0)
    assert paused["paused"] == {campaign["id"]: "time_budget"} and fcm.received == []
    run_job(now=send_at + timedelta(minutes=2), inbox_batch_size=2)
    final = stored(app, campaign["id"])
    assert final.status == "sent" and final.inbox_delivered == 5 and final.sent_count == 5


def test_fcm_unavailable_pauses_and_the_next_run_sends_each_device_once(
    app, fcm, scheduled, make_citizen, add_devices, run_job
):
    tokens = []
    for _ in range(3):
        tokens += add_devices(make_citizen()["id"], 2)
    campaign, send_at = scheduled(keep_in_inbox=False)
    fcm.default = "unavailable"
    paused = run_job(now=send_at + timedelta(minutes=1), batch_size=2, concurrency=1)
    assert paused["paused"] == {campaign["id"]: "fcm_unavailable"}
    during = stored(app, campaign["id"])
    assert during.status == "sending" and during.sent_count == 0 and during.failed_count == 0
    assert len(retry_set(app, campaign["id"])) == 2  # only the batch in flight waits; nothing more was tried

    fcm.default = "ok"
    run_job(now=send_at + timedelta(minutes=10), batch_size=2, concurrency=1)
    final = stored(app, campaign["id"])
    assert final.status == "sent" and final.sent_count == 6 and final.failed_count == 0
    assert Counter(fcm.delivered_tokens()) == Counter(tokens)


def test_quota_errors_are_retried_and_a_lasting_one_ends_as_failed(
    app, fcm, scheduled, make_citizen, add_devices, run_job
):
    person = make_citizen()
    tokens = add_devices(person["id"], 3)
    fcm.fail_next(1, "quota")  # one throttled answer: retried within the batch
    fcm.script(tokens[2], "internal")  # this one keeps failing with a server error
    campaign, send_at = scheduled(keep_in_inbox=False)
    # Runs every 30 s for most of an hour: still waiting for FCM, nobody counted as failed.
    for seconds in range(60, 59 * 60, 30 * 7):
        run_job(now=send_at + timedelta(seconds=seconds))
    waiting = stored(app, campaign["id"])
    assert waiting.status == "sending" and waiting.failed_count == 0 and waiting.sent_count == 2
    # CAMPAIGN_RETRY_GIVE_UP_SECONDS (an hour) without one send of the retry set succeeding.
    run_job(now=send_at + timedelta(minutes=62))  # given up; FCM still refuses: no new batch now
    run_job(now=send_at + timedelta(minutes=62, seconds=30))  # nothing left: the campaign ends
    final = stored(app, campaign["id"])
    assert final.status == "sent"
    assert final.sent_count == 2 and final.failed_count == 1
    assert final.failure_codes == {"RETRIES_EXHAUSTED": 1}
    assert Counter(fcm.delivered_tokens()) == Counter(tokens[:2])
    assert tokens[2] in device_tokens(app)  # a server error is not a dead token


def test_cancel_while_sending_stops_the_job(
    app, client, fcm, comms, scheduled, make_citizen, add_devices, run_job
):
    for _ in range(3):
        add_devices(make_citizen()["id"], 2)
    campaign, send_at = scheduled(keep_in_inbox=False)
    run_job(now=send_at + timedelta(minutes=1), batch_size=2, concurrency=1, max_batches=1)
    assert len(fcm.received) == 2
    response = client.post(f"/comms/campaigns/{campaign['id']}/cancel", headers=comms["headers"])
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    run_job(now=send_at + timedelta(minutes=2), batch_size=2, concurrency=1)
    assert len(fcm.received) == 2
    final = stored(app, campaign["id"])
    assert final.status == "cancelled" and final.sent_count == 2


def test_quiet_hours_hold_a_normal_campaign_but_not_an_urgent_one(
    app, fcm, scheduled, make_citizen, add_devices, run_job
):
    add_devices(make_citizen()["id"], 1)
    normal, _send_at = scheduled(send_at=tomorrow_at(21, 50), keep_in_inbox=False)
    urgent, _ = scheduled(send_at=tomorrow_at(21, 50), urgent=True, keep_in_inbox=False)
    # The scheduler was down and comes back at 22:10: the warning goes, the news waits.
    report = run_job(now=tomorrow_at(22, 10))
    assert report["finished"] == [urgent["id"]]
    assert report["paused"] == {normal["id"]: "quiet_hours"}
    assert stored(app, normal["id"]).sent_count == 0
    run_job(now=tomorrow_at(6, 0) + timedelta(days=1))
    assert stored(app, normal["id"]).status == "sent" and len(fcm.delivered) == 2


def test_without_push_configured_the_inbox_still_delivers(app, scheduled, make_citizen, add_devices, run_job):
    person = make_citizen()
    add_devices(person["id"], 2)
    campaign, send_at = scheduled()
    report = run_job(now=send_at + timedelta(minutes=1))
    assert report["finished"] == [campaign["id"]]
    final = stored(app, campaign["id"])
    assert final.inbox_delivered == 1 and final.sent_count == 0
    assert final.failure_codes == {"PUSH_OFF": 2}
    assert len(inbox_of(app, person["id"])) == 1


def test_the_scheduler_runs_the_campaign_job():
    from api.scheduler import JOBS_BY_NAME

    job = JOBS_BY_NAME["campaigns.send"]
    assert job.function == "notifications.campaigns.service:run_due_campaigns"
    assert job.every_seconds <= 60


def test_sender_processes_send_each_device_once(app, fcm, scheduled, make_citizen, add_devices, run_job):
    # CAMPAIGN_SEND_PROCESSES: batches go out from worker processes (their own GIL), results are
    # still committed in order by the job.
    tokens = []
    for _ in range(3):
        tokens += add_devices(make_citizen()["id"], 3)
    campaign, send_at = scheduled(keep_in_inbox=False)
    run_job(now=send_at + timedelta(minutes=1), processes=2, batch_size=2, concurrency=3)
    final = stored(app, campaign["id"])
    assert final.status == "sent" and final.sent_count == 9
    assert Counter(fcm.delivered_tokens()) == Counter(tokens)
