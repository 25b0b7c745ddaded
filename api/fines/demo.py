"""Evidence photos for the demo fines (`flask seed-demo`), so `make run` has real images to serve.

Each is drawn here (Pillow, a fixed picture per notice: no files in the repository, nothing
downloaded): a camera frame of a road with the vehicle, and the caption a traffic camera burns
into its pictures (camera, time, plate, place). The caption is ASCII, as camera overlays are.
Idempotent: a photo already in storage is left as it is.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from api.fines import service
from api.fines.models import FineNotice
from api.storage import get_storage
from api.text import fold
from api.workdays import VIETNAM

SIZE = (960, 540)


def _caption(fine: FineNotice, index: int) -> list[str]:
    moment = fine.violated_at.astimezone(VIETNAM)
    return [
        f"CAMERA {fine.source_ref.rsplit('-', 1)[-1]}  ANH {index}  {moment:%d/%m/%Y %H:%M:%S}",
        f"BIEN SO {fine.plate}  {fold(fine.violation_code).upper()}",
        fold(fine.place).upper()[:70],
    ]


def evidence_picture(fine: FineNotice, index: int) -> bytes:
    """A JPEG camera frame of this notice's vehicle."""
    width, height = SIZE
    image = Image.new("RGB", SIZE, (92, 96, 102))  # asphalt
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 150), fill=(158, 190, 214))  # sky
    for x in range(40 + index * 30, width, 160):  # lane markings
        draw.rectangle((x, 330, x + 80, 342), fill=(235, 235, 235))
    left = 300 + index * 40
    car = (left, 210, left + 340, 380)
    draw.rounded_rectangle(
        car, radius=28, fill=(180, 30, 36) if fine.vehicle_kind == "car" else (30, 70, 160)
    )
    draw.rectangle((left + 40, 230, left + 300, 290), fill=(40, 48, 60))  # windscreen
    draw.rectangle((left + 115, 330, left + 225, 362), fill=(245, 245, 245), outline=(0, 0, 0), width=2)
    draw.text((left + 170, 346), fine.plate, fill=(0, 0, 0), font=ImageFont.load_default(20), anchor="mm")
    draw.rectangle((0, height - 90, width, height), fill=(0, 0, 0))
    caption = ImageFont.load_default(20)
    for line, text in enumerate(_caption(fine, index)):
        draw.text((16, height - 84 + line * 27), text, fill=(255, 220, 0), font=caption)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def seed_demo_evidence(source_refs) -> int:
    """Draw and store the photos the demo notices reference that storage lacks; how many."""
    storage = get_storage()
    added = 0
    for source_ref in source_refs:
        fine = service.notice_by_source_ref(source_ref)
        if fine is None:
            continue
        for index, key in enumerate(fine.evidence or (), start=1):
            if key.startswith(("http://", "https://")) or storage.exists(key):
                continue
            storage.put(key, evidence_picture(fine, index), "image/jpeg")
            added += 1
    return added
