"""Push campaigns: the comms staff's endpoints and the app's "opened" report. Thin: the rules
are in notifications/campaigns/service.py.

Comms officers compose, schedule and cancel; another comms officer or an admin approves (never
the author); comms and admins see the list with the figures. Citizens only report that they
opened a campaign that was sent to them.

A campaign's GET answers its ETag; an edit (PATCH), the approval and the scheduling need it back
as If-Match (428 without, 412 when the campaign changed since it was read). A cancel needs none:
it is allowed whatever the campaign became, and while sending its figures (and so its ETag)
change with every batch.
"""

from __future__ import annotations

import uuid

from flask.views import MethodView

from api.http import Blueprint, SelectPage, needs_if_match
from api.policy import Citizen, Staff, allow, require_principal
from notifications.campaigns import service
from notifications.campaigns.schemas import (
    AudiencePreviewInSchema,
    AudiencePreviewSchema,
    CampaignInSchema,
    CampaignOpenedSchema,
    CampaignPatchSchema,
    CampaignQuerySchema,
    CampaignScheduleSchema,
    CampaignSchema,
)

staff_blp = Blueprint(
    "campaigns",
    __name__,
    url_prefix="/comms/campaigns",
    description="Cán bộ truyền thông: soạn, duyệt, lên lịch chiến dịch thông báo đẩy và xem kết quả",
)
citizen_blp = Blueprint(
    "campaign_opens",
    __name__,
    url_prefix="/me/campaigns",
    description="Ứng dụng báo đã mở thông báo của chiến dịch (để đo hiệu quả tuyên truyền)",
)

COMMS = Staff("comms")
APPROVERS = Staff("comms", "admin")


def _actor() -> str:
    principal = require_principal()
    return f"{principal.kind}:{principal.id}"


@staff_blp.route("")
class Campaigns(MethodView):
    @allow(APPROVERS)
    @staff_blp.arguments(CampaignQuerySchema, location="query")
    @staff_blp.response(200, CampaignSchema(many=True))
    @staff_blp.paginate(SelectPage)
    def get(self, query):
        """Campaigns, newest first, with their figures: targeted, sent, failed, opened, read."""
        return service.list_campaigns(query.get("status"))

    @allow(COMMS)
    @staff_blp.arguments(CampaignInSchema)
    @staff_blp.response(201, CampaignSchema)
    def post(self, data):
        """Compose a campaign (a draft). Title ≤ 65 and body ≤ 240 characters (FCM). Audited."""
        return service.create_campaign(data, actor=_actor())


@staff_blp.route("/audience-preview")
class AudiencePreview(MethodView):
    @allow(APPROVERS)
    @staff_blp.arguments(AudiencePreviewInSchema)
    @staff_blp.response(200, AudiencePreviewSchema)
    def post(self, data):
        """How many citizens and devices an audience matches now (nothing is stored)."""
        return service.preview_audience(data["audience"])


def _checked(campaign_id: uuid.UUID):
    """The campaign as the caller read it (If-Match checked: 412 when it changed since)."""
    campaign = service.get_campaign(campaign_id)
    staff_blp.check_etag(campaign, CampaignSchema)
    return campaign


@staff_blp.route("/<uuid:campaign_id>")
@staff_blp.etag
class CampaignItem(MethodView):
    @allow(APPROVERS)
    @staff_blp.response(200, CampaignSchema)
    def get(self, campaign_id: uuid.UUID):
        """One campaign with its figures, and its ETag."""
        return service.get_campaign(campaign_id)

    @allow(COMMS)
    @staff_blp.arguments(CampaignPatchSchema(partial=True))
    @staff_blp.response(200, CampaignSchema)
    def patch(self, data, campaign_id: uuid.UUID):
        """Edit a draft (409 once approved). Needs If-Match. Audited."""
        _checked(campaign_id)
        return service.update_campaign(campaign_id, data, actor=_actor())


@staff_blp.route("/<uuid:campaign_id>/approve")
@staff_blp.etag
class Approve(MethodView):
    @allow(APPROVERS)
    @needs_if_match
    @staff_blp.response(200, CampaignSchema)
    def post(self, campaign_id: uuid.UUID):
        """Approve a draft: another comms officer or an admin, never its author (403
        `campaign_self_approval`), and only the content they read (If-Match: 412 after an edit,
        409 `campaign_changed` for an edit committed while approving); an audience matching
        nobody is refused (422 `audience_empty`). Audited."""
        campaign = _checked(campaign_id)
        return service.approve(campaign_id, version=campaign.version, actor=_actor())


@staff_blp.route("/<uuid:campaign_id>/schedule")
@staff_blp.etag
class ScheduleCampaign(MethodView):
    @allow(COMMS)
    @needs_if_match
    @staff_blp.arguments(CampaignScheduleSchema)
    @staff_blp.response(200, CampaignSchema)
    def post(self, data, campaign_id: uuid.UUID):
        """Set or move the send time of an approved campaign: in the future (422
        `schedule_in_past`), outside 22:00–06:00 unless urgent (422 `quiet_hours`). Needs
        If-Match. Audited."""
        _checked(campaign_id)
        return service.schedule(campaign_id, data["send_at"], actor=_actor())


@staff_blp.route("/<uuid:campaign_id>/cancel")
@staff_blp.etag
class CancelCampaign(MethodView):
    @allow(APPROVERS)
    @staff_blp.response(200, CampaignSchema)
    def post(self, campaign_id: uuid.UUID):
        """Cancel a campaign not yet sent, or stop one while sending. Audited."""
        return service.cancel(campaign_id, actor=_actor())


@citizen_blp.route("/<uuid:campaign_id>/opened")
class Opened(MethodView):
    @allow(Citizen())
    @citizen_blp.response(200, CampaignOpenedSchema)
    def post(self, campaign_id: uuid.UUID):
        """The app reports that the citizen opened this campaign's notification. Idempotent: the
        first time counts once. A campaign not sent to this citizen answers 404."""
        opened = service.record_open(campaign_id, uuid.UUID(require_principal().id))
        return {"campaign_id": opened.campaign_id, "opened_at": opened.opened_at}
