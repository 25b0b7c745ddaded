"""Campaign sending when things go wrong: an FCM outage of minutes, partial throttling, two
runners at once, a broken credentials file; and opens reported by citizens it never reached.

Every send goes through firebase-admin to tests/fcm_server.py, which records each request.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from api.extensions import db
from notifications.campaigns.models import Campaign, CampaignRetry
from notifications.models import Device, InboxMessage
from tests.notifications.campaigns.conftest import assert_problem, stored


def retry_set(app, campaign_id):
    with app.app_context():
        return db.session.scalars(
            select(CampaignRetry.device_id).where(CampaignRetry.campaign_id == uuid.UUID(str(campaign_id)))
        ).all()


def people_with_devices(make_citizen, add_devices, people=3, each=2):
    tokens = []
    for _ in range(people):
        tokens += add_devices(make_citizen()["id"], each)
    return tokens


def test_a_four_minute_fcm_outage_delays_the_campaign_and_fails_nobody(
    app, fcm, scheduled, make_citizen, add_devices, run_job
):
    tokens = people_with_devices(make_citizen, add_devices)
    campaign, send_at = scheduled(keep_in_inbox=False)
    settings = {"batch_size": 2, "concurrency": 1}
    fcm.default = "unavailable"
    # The job runs every 30 s through the outage: eight runs in four minutes.
    for step in range(8):
        report = run_job(now=send_at + timedelta(seconds=60 + 30 * step), **settings)
        assert report["paused"] == {campaign["id"]: "fcm_unavailable"}
    during = stored(app, campaign["id"])
    assert during.status == "sending" and during.failed_count == 0 and during.sent_count == 0
    # No new batch while FCM refuses everything: only the first batch was ever tried.
    assert len({m["token"] for m in fcm.received}) == 2

    fcm.default = "ok"
    run_job(now=send_at + timedelta(minutes=5, seconds=30), **settings)
    final = stored(app, campaign["id"])
    assert final.status == "sent" and final.sent_count == 6 and final.failed_count == 0
    assert Counter(fcm.delivered_tokens()) == Counter(tokens)
    assert retry_set(app, campaign["id"]) == []


def test_retries_are_sent_in_committed_batches_and_stop_when_fcm_refuses_again(
    app, fcm, scheduled, make_citizen, add_devices, run_job
):
    people_with_devices(make_citizen, add_devices, people=4, each=2)
    campaign, send_at = scheduled(keep_in_inbox=False)
    settings = {"batch_size": 2, "concurrency": 1, "attempts": 1}
    with app.app_context():  # the order the job walks devices in
        walk = db.session.execute(select(Device.id, Device.token).order_by(Device.id)).all()
    token_of = dict(walk)
    # Partial throttling: in every batch one device is refused "try later", the other goes.
    for _device_id, token in walk[1::2]:
        fcm.script(token, "quota")
    run_job(now=send_at + timedelta(minutes=1), **settings)
    first = stored(app, campaign["id"])
    assert first.sent_count == 4 and len(retry_set(app, campaign["id"])) == 4
    assert first.status == "sending" and first.failed_count == 0  # the retry set is not done

    # FCM now takes the first retry batch (2 devices) and refuses the second as a whole.
    fcm.reset()
    retried = sorted(retry_set(app, campaign["id"]))
    for device_id in retried[2:]:
        fcm.script(token_of[device_id], "unavailable")
    report = run_job(now=send_at + timedelta(minutes=2), **settings)
    assert report["paused"] == {campaign["id"]: "fcm_unavailable"}
    after = stored(app, campaign["id"])
    # The first retry batch was committed on its own; the refused one waits; nothing else sent.
    assert after.sent_count == 6 and after.failed_count == 0
    assert sorted(retry_set(app, campaign["id"])) == retried[2:]
    assert sorted(m["token"] for m in fcm.received) == sorted(token_of[i] for i in retried)

    fcm.reset()
    run_job(now=send_at + timedelta(minutes=3), **settings)
    final = stored(app, campaign["id"])
    assert final.status == "sent" and final.sent_count == 8 and final.failed_count == 0


def test_a_second_runner_leaves_a_leased_campaign_alone(
    app, fcm, scheduled, make_citizen, add_devices, run_job
):
    tokens = people_with_devices(make_citizen, add_devices)
    campaign, send_at = scheduled()
    settings = {"batch_size": 2, "concurrency": 1}
    held = sorted(tokens)[0]
    fcm.hold(held)  # the first runner waits on FCM mid-campaign, lease in hand
    first: dict = {}
    runner = threading.Thread(
        target=lambda: first.update(run_job(now=send_at + timedelta(minutes=1), **settings))
    )
    runner.start()
    try:
        for _ in range(300):  # until the held request has reached FCM
            if any(m["token"] == held for m in fcm.received):
                break
            threading.Event().wait(0.05)
        second = run_job(now=send_at + timedelta(minutes=1), **settings)
        assert second["paused"] == {campaign["id"]: "leased"} and second["inbox"] == 0
    finally:
        fcm.release()
        runner.join(timeout=60)
    assert first["finished"] == [campaign["id"]]
    final = stored(app, campaign["id"])
    assert final.status == "sent" and final.sent_count == 6 and final.lease_owner is None
    # Each device pushed once, each citizen one inbox message.
    assert Counter(m["token"] for m in fcm.received) == Counter(tokens)
    with app.app_context():
        counts = db.session.execute(
            select(InboxMessage.citizen_id, func.count()).group_by(InboxMessage.citizen_id)
        ).all()
    assert len(counts) == 3 and {count for _, count in counts} == {1}


def test_an_expired_lease_is_taken_over(app, fcm, scheduled, make_citizen, add_devices, run_job):
    people_with_devices(make_citizen, add_devices, people=1, each=1)
    campaign, send_at = scheduled()
    run_job(now=send_at + timedelta(minutes=1), max_batches=0, time_budget=0)  # claimed, not sent
    with app.app_context():
        db.session.execute(
            update(Campaign)
            .where(Campaign.id == uuid.UUID(campaign["id"]))
            .values(lease_owner="dead-host:1:x", lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    report = run_job(now=send_at + timedelta(minutes=2))
    assert report["finished"] == [campaign["id"]]


def test_the_inbox_holds_one_message_per_citizen_and_campaign(app, scheduled, make_citizen, run_job):
    person = make_citizen()
    campaign, send_at = scheduled()
    run_job(now=send_at + timedelta(minutes=1))
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            insert(InboxMessage).values(
                id=uuid.uuid4(),
                citizen_id=person["id"],
                title="Bản sao",
                body="Bản sao",
                category="campaign",
                campaign_id=uuid.UUID(campaign["id"]),
            )
        )
        db.session.commit()
    with app.app_context():
        # Messages outside campaigns are not concerned by the index.
        for _ in range(2):
            db.session.execute(
                insert(InboxMessage).values(
                    id=uuid.uuid4(), citizen_id=person["id"], title="Hồ sơ", body="Hồ sơ", category="dossier"
                )
            )
        db.session.commit()


def test_only_citizens_the_campaign_reached_can_report_an_open(
    client, scheduled, citizen_headers, add_devices, run_job
):
    reached_headers, _reached, _ = citizen_headers()
    campaign, send_at = scheduled()
    run_job(now=send_at + timedelta(minutes=1))
    # Registered after the campaign went out: in the audience ("all") but never reached.
    newcomer_headers, _, _ = citizen_headers()
    assert_problem(
        client.post(f"/me/campaigns/{campaign['id']}/opened", headers=newcomer_headers),
        404,
        "campaign_not_found",
    )
    assert client.post(f"/me/campaigns/{campaign['id']}/opened", headers=reached_headers).status_code == 200


def test_a_push_only_campaign_counts_opens_from_devices_it_went_through(
    client, fcm, scheduled, citizen_headers, add_devices, run_job
):
    reached_headers, reached, _ = citizen_headers()
    add_devices(reached["id"], 1)
    campaign, send_at = scheduled(keep_in_inbox=False)
    run_job(now=send_at + timedelta(minutes=1))
    late_headers, late, _ = citizen_headers()
    add_devices(late["id"], 1)  # a phone registered after the campaign finished
    assert client.post(f"/me/campaigns/{campaign['id']}/opened", headers=reached_headers).status_code == 200
    assert_problem(
        client.post(f"/me/campaigns/{campaign['id']}/opened", headers=late_headers), 404, "campaign_not_found"
    )


def test_broken_credentials_pause_the_campaign_without_failing_anyone(
    app, fcm, scheduled, make_citizen, add_devices, run_job, tmp_path
):
    tokens = people_with_devices(make_citizen, add_devices, people=2, each=1)
    campaign, send_at = scheduled()
    bad = tmp_path / "service-account.json"
    bad.write_text('{"type": "service_account", "project_id": "x"}')  # no key: unusable
    app.config["GOOGLE_APPLICATION_CREDENTIALS"] = str(bad)
    try:
        report = run_job(now=send_at + timedelta(minutes=1))  # does not raise
        assert report["paused"] == {campaign["id"]: "fcm_credentials"}
        again = run_job(now=send_at + timedelta(minutes=2))
        assert again["paused"] == {campaign["id"]: "fcm_credentials"}
    finally:
        app.config["GOOGLE_APPLICATION_CREDENTIALS"] = ""
    paused = stored(app, campaign["id"])
    assert paused.status == "sending" and paused.inbox_delivered == 2  # the inbox went out
    assert paused.failed_count == 0 and paused.sent_count == 0 and fcm.received == []
    run_job(now=send_at + timedelta(minutes=3))
    final = stored(app, campaign["id"])
    assert final.status == "sent" and Counter(fcm.delivered_tokens()) == Counter(tokens)
