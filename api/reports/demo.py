"""Demo reports for `flask seed-demo`: crime and field reports the demo citizens filed over the past
days, so that the ward police and the ward's one-stop officer have reports to triage (some past
their deadline) and citizens have reports to follow, one of them fixed and waiting for the
reporter's confirmation.

Filed and moved through the service as citizens and the desk would (`now` places a filing in the
past; the desk's moves are made when seeding). Idempotent: a report whose description is already
there is not filed again.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from api.dbtypes import utcnow
from api.extensions import db
from api.reports import service
from api.reports.models import Report
from api.reports.workflow import STAFF


@dataclass(frozen=True)
class DemoReport:
    reporter: int | None  # index into the reporters given to seed_demo_reports; None: anonymous
    category: str
    description: str
    address: str
    ward_code: str
    latitude: float
    longitude: float
    hours_ago: int
    moves: tuple[str, ...] = ()  # the desk's actions, in order ("resolve" attaches a photo)


DESK_WARD = "24133"
_RESOLUTION = "Đã vá ổ gà, lu lèn và hoàn trả mặt đường; đề nghị người phản ánh kiểm tra."

REPORTS = (
    # The ward police's: crimes (the reporter's identity sealed, one anonymous) and road safety.
    DemoReport(
        0,
        "trom-cap",
        "Xe máy Honda Vision màu đỏ để trước cửa nhà bị lấy trộm khoảng 2 giờ sáng, camera nhà bên có ghi hình.",
        "87 Phan Chu Trinh",
        DESK_WARD,
        12.6689,
        108.0412,
        20,
    ),
    DemoReport(
        None,
        "lua-dao",
        "Có người gọi điện xưng là công an yêu cầu chuyển tiền để 'xác minh tài khoản', tôi đã chuyển 15 triệu.",
        "Tổ dân phố 4",
        DESK_WARD,
        12.6702,
        108.0375,
        30,
    ),
    DemoReport(
        2,
        "dua-xe-trai-phep",
        "Nhóm thanh niên tụ tập đua xe, lạng lách trên đường Nguyễn Tất Thành sau 23 giờ các tối cuối tuần.",
        "Đường Nguyễn Tất Thành, đoạn gần Vòng xoay Km3",
        DESK_WARD,
        12.6751,
        108.0505,
        96,
        ("assign",),
    ),
    DemoReport(
        4,
        "tai-nan-giao-thong",
        "Va chạm giữa xe tải và xe máy tại ngã tư Lê Duẩn – Phan Chu Trinh, một người bị thương nhẹ.",
        "Ngã tư Lê Duẩn – Phan Chu Trinh",
        DESK_WARD,
        12.6667,
        108.0383,
        50,
        ("assign", "start"),
    ),
    DemoReport(
        6,
        "co-bac",
        "Một nhóm người thường tụ tập đánh bài ăn tiền trong quán nước cuối hẻm 12 Y Jút từ chiều đến khuya.",
        "Hẻm 12 Y Jút",
        DESK_WARD,
        12.6640,
        108.0350,
        140,
    ),
    # The ward committee's (the one-stop officer's desk).
    DemoReport(
        1,
        "o-ga",
        "Ổ gà sâu khoảng 20 cm giữa làn xe máy trước số 45 Hùng Vương, đã có người ngã xe khi trời mưa.",
        "45 Hùng Vương",
        DESK_WARD,
        12.6675,
        108.0398,
        260,
        ("assign", "start", "resolve"),
    ),
    DemoReport(
        3,
        "den-duong-hong",
        "Ba bóng đèn đường liên tiếp không sáng trên đường Quang Trung, đoạn từ số 100 đến 140, rất tối.",
        "100–140 Quang Trung",
        DESK_WARD,
        12.6712,
        108.0433,
        30,
    ),
    DemoReport(
        5,
        "rac-thai",
        "Bãi rác tự phát ở đầu hẻm 56 Lê Duẩn không được thu gom gần một tuần, bốc mùi và có ruồi nhặng.",
        "Hẻm 56 Lê Duẩn",
        DESK_WARD,
        12.6656,
        108.0421,
        # Three weeks: past its 5 working days whatever the weekday, hour or holidays (Tết).
        21 * 24,
        ("assign", "start"),
    ),
    DemoReport(
        7,
        "lan-chiem-via-he",
        "Quán ăn bày bàn ghế chiếm hết vỉa hè trước số 20 Y Jút, người đi bộ phải đi xuống lòng đường.",
        "20 Y Jút",
        DESK_WARD,
        12.6645,
        108.0361,
        8,
    ),
    # Elsewhere in the demo city.
    DemoReport(
        8,
        "ngap-ung",
        "Cống thoát nước trên đường Mai Hắc Đế bị tắc, mưa lớn là nước ngập qua bánh xe máy.",
        "Đường Mai Hắc Đế",
        "24163",
        12.6801,
        108.0552,
        70,
    ),
    DemoReport(
        9,
        "tieng-on",
        "Quán karaoke mở nhạc lớn đến 1 giờ sáng nhiều đêm liền, ảnh hưởng giấc ngủ của cả khu phố.",
        "Đường Võ Văn Kiệt",
        "24169",
        12.6901,
        108.0801,
        40,
        ("assign",),
    ),
)


def _photo() -> bytes:
    """The ward's photo of the repaired road, drawn here (no files in the repository)."""
    image = Image.new("RGB", (800, 450), (96, 100, 106))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 800, 140), fill=(160, 196, 222))
    draw.ellipse((300, 250, 520, 330), fill=(40, 40, 44))  # fresh asphalt patch
    draw.rectangle((0, 410, 800, 450), fill=(0, 0, 0))
    draw.text((12, 420), "UBND PHUONG BUON MA THUOT - DA XU LY O GA 45 HUNG VUONG", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def seed_demo_reports(reporters: list, desk: Mapping[str, service.Actor]) -> int:
    """File the demo reports not filed yet and move them as the desk did; how many were filed.

    `reporters` are registered Citizens; `desk` maps a unit kind ("police", "ward") to the staff
    actor who triages that unit's reports in the desk's ward, and "admin" to who acts elsewhere."""
    filed_already = set(
        db.session.scalars(
            select(Report.description).where(Report.description.in_([r.description for r in REPORTS]))
        )
    )
    now = utcnow()
    added = 0
    for demo in REPORTS:
        if demo.description in filed_already:
            continue
        citizen = reporters[demo.reporter % len(reporters)] if demo.reporter is not None else None
        data = {
            "category": demo.category,
            "description": demo.description,
            "address": demo.address,
            "ward_code": demo.ward_code,
            "latitude": demo.latitude,
            "longitude": demo.longitude,
            "incident_at": now - timedelta(hours=demo.hours_ago + 1),
            "anonymous": citizen is None,
        }
        report = service.submit(citizen, data, now=now - timedelta(hours=demo.hours_ago)).report
        _move(report, demo.moves, desk)
        added += 1
    return added


def _move(report: Report, moves: tuple[str, ...], desk: Mapping[str, service.Actor]) -> None:
    """The desk's moves, by the unit's demo staff in the desk's ward, by the demo admin elsewhere."""
    actor = desk.get(report.unit_kind) if report.unit_ward_code == DESK_WARD else None
    if actor is None:
        actor = desk["admin"]
    for action in moves:
        if action == "resolve":
            photo = service.add_media(
                report,
                uploaded_by=STAFF,
                filename="ket-qua-xu-ly.jpg",
                data=_photo(),
                declared_type="image/jpeg",
            )
            service.act(actor, report.id, "resolve", note=_RESOLUTION, evidence_media_id=photo.id)
        else:
            service.act(actor, report.id, action)
