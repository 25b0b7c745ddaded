"""Demo push campaigns for `flask seed-demo`: drafts in the comms console from the first `make run`.

One was composed by the admin and waits for the comms officer's approval (a campaign needs a
second person to approve it), one is the comms officer's own draft waiting for the admin's.
Through the service (audit included); idempotent by title.
"""

from __future__ import annotations

from sqlalchemy import select

from api.extensions import db
from notifications.campaigns import service
from notifications.campaigns.models import Campaign

CAMPAIGNS = (
    (
        "admin",
        {
            "title": "Nộp hồ sơ tạm trú trực tuyến, 03 ngày có kết quả",
            "body": "Người thuê trọ đăng ký tạm trú ngay trên ứng dụng: hồ sơ tự gửi về Công an phường, xã "
            "nơi bạn ở, lệ phí 7.000 đồng.",
            "deep_link": "congdanso://procedures/tam-tru",
            "audience": {"kind": "province", "province_code": "66"},
            "urgent": False,
            "keep_in_inbox": True,
        },
    ),
    (
        "comms",
        {
            "title": "Cảnh giác lừa đảo giả danh công an",
            "body": "Công an không yêu cầu chuyển tiền qua điện thoại. Gặp cuộc gọi như vậy, hãy dập máy và "
            "tố giác trong mục Phản ánh hoặc gọi 113.",
            "deep_link": "congdanso://reports/new",
            "audience": {"kind": "ward", "ward_codes": ["24133", "24163"]},
            "urgent": False,
            "keep_in_inbox": True,
        },
    ),
)


def seed_demo_campaigns(actors: dict[str, str]) -> int:
    """The demo campaigns whose title is not there yet; `actors` maps "admin" and "comms" to
    `staff:<id>`. Returns how many were added."""
    titles = [data["title"] for _, data in CAMPAIGNS]
    there = set(db.session.scalars(select(Campaign.title).where(Campaign.title.in_(titles))))
    added = 0
    for author, data in CAMPAIGNS:
        if data["title"] not in there:
            service.create_campaign(dict(data), actor=actors[author])
            added += 1
    return added
