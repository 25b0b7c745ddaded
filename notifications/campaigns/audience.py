"""Who a campaign is for: checking the audience, its size, and whether it reached a citizen.

A campaign's audience is stored as the console sent it (`{"kind": "ward", "ward_codes": [...]}`);
here it becomes an `api.citizens.service.Audience` (values the citizens domain turns into SQL
over its own table) and the devices it reaches. Both the sizes shown before approval and the
sending job read the audience through these functions, so what is counted is what is sent.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select

from api.benefits.service import active_beneficiary_citizen_ids
from api.citizens import service as citizens
from api.dbtypes import utcnow
from api.errors import ApiError
from api.extensions import db
from api.units.service import get_province, search_wards, validate_ward_code
from api.workdays import VIETNAM
from notifications.campaigns.models import ROLE_BENEFICIARY, ROLE_UNVERIFIED, ROLE_VERIFIED, Campaign
from notifications.models import Device, InboxMessage


def check_audience(audience: dict[str, Any]) -> dict[str, Any]:
    """The audience with its unit codes checked against the catalogue (422 `unknown_*`)."""
    audience = dict(audience)
    if audience["kind"] == "province" and get_province(audience["province_code"]) is None:
        search_wards(None, province_code=audience["province_code"])  # raises unknown_province
    if audience["kind"] == "ward":
        codes = list(dict.fromkeys(audience["ward_codes"]))  # keep order, drop repeats
        for index, code in enumerate(codes):
            validate_ward_code(code, field=f"audience.ward_codes.{index}")
        audience["ward_codes"] = codes
    if audience["kind"] == "age":
        audience.setdefault("min_age", None)
        audience.setdefault("max_age", None)
    return audience


def registry_audience(audience: dict[str, Any], today: date) -> citizens.Audience:
    """The campaign's audience as the citizens domain describes one (everybody by default)."""
    kind = audience["kind"]
    if kind == "province":
        return citizens.Audience(province_code=audience["province_code"])
    if kind == "ward":
        return citizens.Audience(ward_codes=tuple(audience["ward_codes"]))
    if kind == "role":
        role = audience["role"]
        if role == ROLE_VERIFIED:
            return citizens.Audience(identity_level_2=True)
        if role == ROLE_UNVERIFIED:
            return citizens.Audience(identity_level_2=False)
        if role == ROLE_BENEFICIARY:
            # The benefits domain's own list of who is paid now (one subquery).
            return citizens.Audience(among_ids=active_beneficiary_citizen_ids())
    if kind == "age":
        return citizens.Audience(
            min_age=audience.get("min_age"), max_age=audience.get("max_age"), today=today
        )
    return citizens.Audience()


def today_in_vietnam(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(VIETNAM).date()


def device_query(audience: citizens.Audience) -> Select:
    """(id, token) of the audience's devices. The citizens' SELECT of ids is joined as a
    subquery rather than used with IN: both databases then read devices in id order and look
    each owner up by primary key, so a keyset page of 500 devices costs the same at any size
    (SQLite answers `citizen_id IN (...)` by sorting every matching device for each page)."""
    statement = select(Device.id, Device.token)
    if audience.everybody:
        return statement
    members = citizens.audience_citizen_ids(audience).subquery()
    return statement.join(members, members.c.id == Device.citizen_id)


def audience_size(audience: dict[str, Any], now: datetime | None = None) -> dict[str, int]:
    """How many citizens, and how many of their devices, the audience matches now."""
    described = registry_audience(audience, today_in_vietnam(now))
    devices = db.session.scalar(select(func.count()).select_from(device_query(described).subquery()))
    return {"citizens": citizens.count_audience(described), "devices": devices or 0}


def require_reachable(campaign: Campaign, now: datetime | None = None) -> dict[str, int]:
    """The campaign's targeted figures; 422 `audience_empty` when it would reach nobody."""
    size = audience_size(campaign.audience, now)
    reachable = size["citizens"] if campaign.keep_in_inbox else size["devices"]
    if reachable == 0:
        detail = (
            "Nhóm người nhận không có công dân nào. Hãy chọn lại phường, xã, tỉnh, "
            "nhóm đối tượng hoặc độ tuổi."
            if size["citizens"] == 0
            else "Không công dân nào trong nhóm này đã đăng ký nhận thông báo đẩy trên thiết bị. "
            "Hãy bật 'lưu vào hộp thư' hoặc chọn nhóm khác."
        )
        raise ApiError(422, "audience_empty", detail, audience=campaign.audience)
    return {"targeted_citizens": size["citizens"], "targeted_devices": size["devices"]}


def cursor_id(value: str) -> uuid.UUID:
    """A stored cursor back to the key type of `push_devices.id` / `citizens.id`."""
    return uuid.UUID(value)


def reached(campaign: Campaign, citizen_id: uuid.UUID) -> bool:
    """Whether the campaign got to this citizen: its message is in their inbox, or one of their
    devices was among those the push phase went through (in the audience, registered before
    the campaign finished, at or before the push cursor)."""
    in_inbox = db.session.scalar(
        select(InboxMessage.id)
        .where(InboxMessage.campaign_id == campaign.id, InboxMessage.citizen_id == citizen_id)
        .limit(1)
    )
    if in_inbox is not None:
        return True
    if not campaign.push_cursor:  # the push phase has not sent anything yet
        return False
    device = db.session.scalar(
        device_query(registry_audience(campaign.audience, today_in_vietnam(campaign.started_at)))
        .where(
            Device.citizen_id == citizen_id,
            Device.id <= cursor_id(campaign.push_cursor),
            Device.created_at <= (campaign.finished_at or utcnow()),
        )
        .limit(1)
    )
    return device is not None
