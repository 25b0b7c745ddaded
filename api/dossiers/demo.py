"""Demo dossiers for `flask seed-demo`: a dossier or two for every demo citizen, filed over the past
weeks and moved through the workflow as the desk would have, so that every citizen has something
to follow and the one-stop officer's queue has work in every open status, some of it overdue.

Each dossier goes through the service: the procedure's own routing rule picks the receiving ward
(a tạm trú in Buôn Ma Thuột by someone living in Ea Kao lands in Buôn Ma Thuột's queue), codes,
due dates, history and outbox events are the real ones; `at` places each step in the past. The
paper the procedure requires (a lease, the licence, the birth certificate...) is a drawn scan kept
in the citizen's document store (M4) and attached. The steps of a ward's dossier are taken by that
ward's demo officer, the others by the demo admin.
Idempotent: a citizen who already has a dossier is left as they are.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from PIL import Image, ImageDraw
from sqlalchemy import select

from api.dbtypes import utcnow
from api.documents import service as documents
from api.dossiers import service
from api.dossiers.catalogue import data as catalogue_data
from api.dossiers.catalogue import service as catalogue
from api.dossiers.models import Dossier
from api.extensions import db
from api.text import fold
from api.workdays import VIETNAM, is_working_day, local_date


class Person(Protocol):
    """What the demo knows of a citizen (api/demo.py's DemoProfile)."""

    person: Any  # cccd, full_name, date_of_birth, sex, phone, ward_code
    index: int
    street: str
    social_insurance_number: str
    plates: tuple[str, ...]
    land: dict
    jobs: tuple[dict, ...]
    age: int


# ---- where in its life each dossier is ----------------------------------------------------------

# (action, working days after filing, note, fee). A script's last step is where the dossier stands.
Step = tuple[str, int, str | None, int | None]
SCRIPTS: dict[str, tuple[Step, ...]] = {
    "new": (),
    "accepted": (("accept", 1, None, None),),
    "processing": (("accept", 1, None, None), ("start", 1, None, None)),
    "supplement": (
        ("accept", 1, None, None),
        ("start", 1, None, None),
        (
            "request_supplement",
            2,
            "Đề nghị bổ sung bản chụp rõ nét giấy tờ còn thiếu theo thành phần hồ sơ của thủ tục.",
            None,
        ),
    ),
    "payment": (("accept", 1, None, None), ("start", 1, None, None), ("request_payment", 2, None, 150_000)),
    "done": (
        ("accept", 1, None, None),
        ("start", 1, None, None),
        ("complete", 2, None, None),
        ("return_result", 2, None, None),
    ),
    "refused": (
        (
            "refuse",
            1,
            "Giấy tờ đính kèm không đọc được và thông tin tờ khai không khớp; đề nghị nộp lại hồ sơ mới.",
            None,
        ),
    ),
}
# Filed this many working days ago: recent ones within their time limit, late ones past it.
RECENT, LATE = "recent", "late"


@dataclass(frozen=True)
class Application:
    procedure: str
    form: dict
    chosen_ward: str | None = None  # where the law lets the applicant choose


# ---- forms ---------------------------------------------------------------------------------------

# Wards of the demo city named in forms: the officer's ward receives what is filed for places in it.
DESK_WARD = "24133"  # Phường Buôn Ma Thuột
OTHER_WARD = "24163"  # Phường Tân An


def _elsewhere(profile: Person) -> str:
    """A ward of the demo city the citizen does not live in: the desk's ward when possible."""
    return DESK_WARD if profile.person.ward_code != DESK_WARD else OTHER_WARD


def _days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def _resident(profile: Person, relationship: str) -> dict:
    person = profile.person
    return {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "personal_id": person.cccd,
        "relationship_to_head": relationship,
    }


def _landlord(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(("Trần Văn Bảy", "Lê Thị Sen", "Nguyễn Hữu Phước", "H'Nơ Byă", "Phạm Thị Lài"))
    return name, f"066{rng.randrange(0, 4)}{rng.randrange(50, 99)}{rng.randrange(0, 999_999):06d}"


def tam_tru(profile: Person, rng: random.Random) -> dict:
    owner, owner_id = _landlord(rng)
    return {
        "persons": [_resident(profile, "Người thuê nhà")],
        "address": f"{rng.randrange(3, 199)} {rng.choice(('Lê Duẩn', 'Y Jút', 'Phan Chu Trinh', 'Mai Hắc Đế'))}",
        "ward_code": _elsewhere(profile),
        "residence_basis": catalogue_data.RESIDENCE_BASIS[2],
        "from_date": _days_ago(rng.randrange(5, 30)),
        "duration_months": rng.choice((6, 12, 24)),
        "reason": rng.choice(("Lao động", "Học tập", "Chăm sóc người thân")),
        "owner_full_name": owner,
        "owner_personal_id": owner_id,
        "owner_consent": True,
        "phone": profile.person.phone,
    }


def thuong_tru(profile: Person, rng: random.Random) -> dict:
    return {
        "persons": [_resident(profile, "Chủ hộ")],
        "address": profile.land["address"],
        "ward_code": profile.land["ward_code"],
        "residence_basis": catalogue_data.RESIDENCE_BASIS[0],
        "phone": profile.person.phone,
    }


def tam_vang(profile: Person, rng: random.Random) -> dict:
    return {
        "case": catalogue_data.TAM_VANG_CASES[4],
        "from_date": _days_ago(-3),
        "to_date": _days_ago(-180),
        "destination_address": rng.choice(
            ("Phường Sài Gòn, Thành phố Hồ Chí Minh", "Phường Hải Châu, Thành phố Đà Nẵng")
        ),
        "reason": "Đi làm ăn xa",
        "phone": profile.person.phone,
    }


def doi_gplx(profile: Person, rng: random.Random) -> dict:
    born = profile.person.date_of_birth
    issued = date(max(born.year + 20, 2012), rng.randrange(1, 13), rng.randrange(1, 28))
    return {
        "license_number": f"66{profile.person.cccd[-10:]}",
        "license_class": "B",
        "issued_on": issued.isoformat(),
        "expires_on": issued.replace(year=issued.year + 10).isoformat(),
        "reason": "Sắp hết hạn hoặc đã hết hạn",
        "receive_method": rng.choice(catalogue_data.RECEIVE),
        "delivery_address": f"{profile.street}, Tỉnh Đắk Lắk",
    }


def dang_ky_xe(profile: Person, rng: random.Random) -> dict:
    brand, model = rng.choice((("Honda", "Vision"), ("Honda", "Wave Alpha"), ("Yamaha", "Exciter")))
    serial = f"{rng.randrange(0, 999_999):06d}"
    return {
        "vehicle_type": "Xe mô tô",
        "brand": brand,
        "model_name": model,
        "color": rng.choice(("Đỏ", "Đen", "Trắng", "Xanh")),
        "engine_number": f"JF81E-{serial}",
        "chassis_number": f"RLHJF8100PY{serial}",
        "origin": "Sản xuất, lắp ráp trong nước",
        "purchase_date": _days_ago(rng.randrange(3, 20)),
        "receive_method": "Nhận trực tiếp",
    }


def bhyt_ho_gia_dinh(profile: Person, rng: random.Random) -> dict:
    person = profile.person
    return {
        "request_type": "Gia hạn",
        "members": [
            {
                "full_name": person.full_name,
                "personal_id": person.cccd,
                "social_insurance_number": profile.social_insurance_number,
            }
        ],
        "months": rng.choice((6, 12)),
        "initial_health_facility": "Trung tâm Y tế thành phố Buôn Ma Thuột",
        "phone": person.phone,
    }


def ly_lich_tu_phap(profile: Person, rng: random.Random) -> dict:
    return {
        "card_type": "Phiếu số 1",
        "purpose": rng.choice(("Bổ sung hồ sơ xin việc", "Bổ sung hồ sơ đi lao động nước ngoài")),
        "copies": 1,
        "place_of_birth": "Đắk Lắk",
        "receive_method": "Bản điện tử trên VNeID",
        "residence_history": [
            {"from_date": f"{profile.person.date_of_birth.year + 14}-01-01", "address": profile.street}
        ],
    }


def ho_kinh_doanh(profile: Person, rng: random.Random) -> dict:
    trade, line = rng.choice(
        (
            ("Cà phê", "Dịch vụ phục vụ đồ uống"),
            ("Tạp hóa", "Bán lẻ lương thực, thực phẩm, đồ uống"),
            ("Sửa xe", "Bảo dưỡng, sửa chữa mô tô, xe máy"),
        )
    )
    given = profile.person.full_name.split()[-1]
    return {
        "business_name": f"Hộ kinh doanh {trade} {given}",
        "address": f"{rng.randrange(3, 199)} {rng.choice(('Hùng Vương', 'Quang Trung', 'Lê Duẩn'))}",
        "ward_code": _elsewhere(profile) if profile.index % 2 else profile.person.ward_code,
        "business_lines": [line],
        "capital_vnd": rng.choice((50_000_000, 120_000_000, 300_000_000)),
        "employees": rng.randrange(0, 4),
        "registered_by": "Cá nhân",
        "phone": profile.person.phone,
    }


def gpxd_nha_o(profile: Person, rng: random.Random) -> dict:
    land = profile.land
    footprint = round(min(float(land["area_m2"]) * 0.7, 120.0), 1)
    floors = rng.choice((2, 3))
    return {
        "land_address": land["address"],
        "ward_code": land["ward_code"],
        "land_certificate_number": land["certificate_number"],
        "land_parcel_number": land["parcel_number"],
        "map_sheet_number": land["map_sheet"],
        "land_area_m2": float(land["area_m2"]),
        "building_footprint_m2": footprint,
        "total_floor_area_m2": round(footprint * floors, 1),
        "floors": floors,
        "phone": profile.person.phone,
    }


def bien_dong_dat_dai(profile: Person, rng: random.Random) -> dict:
    land = profile.land
    return {
        "change_type": "Thay đổi thông tin người sử dụng đất (họ tên, giấy tờ nhân thân, địa chỉ)",
        "certificate_serial": land["certificate_number"],
        "land_parcel_number": land["parcel_number"],
        "map_sheet_number": land["map_sheet"],
        "land_address": land["address"],
        "ward_code": land["ward_code"],
        "change_details": "Cập nhật số định danh cá nhân thay cho số chứng minh nhân dân 9 số ghi trên Giấy chứng nhận.",
    }


def tro_cap_that_nghiep(profile: Person, rng: random.Random) -> dict:
    job = profile.jobs[-1]
    person = profile.person
    return {
        "social_insurance_number": profile.social_insurance_number,
        "last_employer_name": job["employer"],
        "contract_type": "Hợp đồng lao động xác định thời hạn",
        "contract_end_date": _days_ago(rng.randrange(10, 40)),
        "termination_reason": "Hết hạn hợp đồng lao động, không được ký tiếp",
        "desired_job": job["position"] or "Lao động phổ thông",
        "payment_method": "Tài khoản ngân hàng",
        "bank_name": "Agribank Đắk Lắk",
        "bank_account_number": f"5200{person.cccd[-9:]}",
        "bank_account_holder": person.full_name,
        "phone": person.phone,
    }


def khai_sinh(profile: Person, rng: random.Random) -> dict:
    person = profile.person
    family = person.full_name.split()[0]
    sex = rng.choice(("Nam", "Nữ"))
    given = rng.choice(("Minh Khang", "Gia Bảo", "Anh Thư", "Bảo Ngọc", "Đức Anh"))
    other = rng.choice(("Trần Văn Nam", "Lê Thị Hồng", "Phạm Quốc Huy", "Võ Thị Thu"))
    other_id = f"0661{rng.randrange(85, 99)}{rng.randrange(0, 999_999):06d}"
    mother = person.sex == "female"
    form = {
        "applicant_relationship": "Mẹ" if mother else "Cha",
        "child_full_name": f"{family if not mother else other.split()[0]} {given}",
        "child_sex": sex,
        "child_date_of_birth": _days_ago(rng.randrange(5, 40)),
        "child_place_of_birth": "Bệnh viện Đa khoa vùng Tây Nguyên",
        "child_ethnicity": "Ê Đê" if person.full_name.startswith(("Y ", "H'")) else "Kinh",
        "mother_full_name": person.full_name if mother else other,
        "mother_personal_id": person.cccd if mother else other_id,
        "father_full_name": other if mother else person.full_name,
        "father_personal_id": other_id if mother else person.cccd,
        "extract_copies": 1,
    }
    return form


FORMS = {
    "tam-tru": tam_tru,
    "thuong-tru": thuong_tru,
    "tam-vang": tam_vang,
    "doi-gplx": doi_gplx,
    "dang-ky-xe": dang_ky_xe,
    "bhyt-ho-gia-dinh": bhyt_ho_gia_dinh,
    "ly-lich-tu-phap": ly_lich_tu_phap,
    "ho-kinh-doanh": ho_kinh_doanh,
    "gpxd-nha-o": gpxd_nha_o,
    "bien-dong-dat-dai": bien_dong_dat_dai,
    "tro-cap-that-nghiep": tro_cap_that_nghiep,
    "khai-sinh": khai_sinh,
}

# ---- who applies for what ------------------------------------------------------------------------

# Everyone's first application, by position among the demo citizens: every other one is a
# procedure whose form names a place (the desk's ward when the citizen lives elsewhere).
_FIRST = ("tam-tru", "doi-gplx", "ho-kinh-doanh", "bhyt-ho-gia-dinh", "gpxd-nha-o", "dang-ky-xe")
# The desk's scripts, in turn: its queue gets every open status, two of them overdue.
_DESK_SCRIPTS = (
    ("new", RECENT),
    ("processing", LATE),
    ("supplement", RECENT),
    ("accepted", RECENT),
    ("payment", RECENT),
    ("new", LATE),
    ("done", RECENT),
    ("processing", RECENT),
    ("refused", RECENT),
)
_OTHER_SCRIPTS = (("new", RECENT), ("accepted", RECENT), ("done", RECENT), ("processing", RECENT))


def applications_for(profile: Person) -> list[Application]:
    """One or two applications a citizen of this age and situation would make."""
    i, age = profile.index, profile.age
    first = _FIRST[i % len(_FIRST)]
    if first == "doi-gplx" and age > 70:
        first = "ly-lich-tu-phap" if age < 75 else "bhyt-ho-gia-dinh"
    codes = [first]
    if i % 2 == 0:
        if 22 <= age <= 40:
            codes.append("khai-sinh")
        elif age < 60 and profile.jobs and profile.jobs[-1]["ended_on"] is None:
            codes.append("tro-cap-that-nghiep" if i % 4 == 0 else "tam-vang")
        else:
            codes.append("bien-dong-dat-dai" if i % 4 == 0 else "thuong-tru")
    return [
        Application(code, FORMS[code](profile, random.Random(f"{code}:{profile.person.cccd}")))
        for code in codes
    ]


# ---- filing and moving --------------------------------------------------------------------------


def _working_days_back(days: int, today: date) -> date:
    day = today
    while days > 0 or not is_working_day(day):
        day -= timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def _moment(day: date, minutes: int, now: datetime) -> datetime:
    """`day` in office hours (08:00 plus `minutes`, Vietnam time), never after `now`."""
    moment = datetime.combine(day, time(8, 0), tzinfo=VIETNAM) + timedelta(minutes=minutes)
    return min(moment.astimezone(UTC), now - timedelta(minutes=30) + timedelta(seconds=minutes))


def _filing_day(script: tuple[Step, ...], timing: str, processing_days: int, today: date) -> date:
    steps = sum(offset for _, offset, _, _ in script)
    if timing == LATE:
        # Accepted the day after filing, so due `processing_days` later: a few days past that.
        return _working_days_back(steps + processing_days + 3, today)
    return _working_days_back(max(steps, 1) if script else 0, today)


def _scan(title: str, citizen) -> bytes:
    """A phone photo of a paper document, drawn here (no files in the repository). The default
    font has no Vietnamese letters: the caption is written without accents, as on a label."""
    image = Image.new("RGB", (640, 400), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 30, 600, 370), fill=(252, 251, 246), outline=(120, 120, 120))
    draw.text((60, 50), "CONG HOA XA HOI CHU NGHIA VIET NAM", fill=(0, 0, 0))
    draw.text((60, 90), fold(title).upper()[:60], fill=(150, 20, 20))
    draw.text((60, 130), f"{fold(citizen.full_name).upper()} - {citizen.cccd}", fill=(0, 0, 0))
    for line in range(170, 340, 18):
        draw.line((60, line, 560, line), fill=(170, 170, 170))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def _attachments(citizen, procedure_code: str) -> list[service.AttachmentRequest]:
    """The scan of the first paper document the procedure requires, kept in the citizen's store."""
    procedure = next(p for p in catalogue_data.PROCEDURES if p["code"] == procedure_code)
    paper = next(
        (
            d["name"]
            for d in procedure["documents"]
            if d["required"] and "trực tuyến" not in (d["note"] or "")
        ),
        None,
    )
    if paper is None:
        return []
    stored = documents.store(
        citizen.id,
        title=paper[:120],
        filename="ban-chup.jpg",
        data=_scan(paper, citizen),
        declared_type="image/jpeg",
    )
    return [service.AttachmentRequest(stored.id, paper)]


def _file(citizen, application: Application, script: tuple[Step, ...], timing: str, actors, now: datetime):
    procedure_days = _processing_days(application.procedure)
    day = _filing_day(script, timing, procedure_days, local_date(now))
    dossier = service.submit(
        citizen,
        application.procedure,
        application.form,
        ward_code=application.chosen_ward,
        attachments=_attachments(citizen, application.procedure),
        at=_moment(day, 30 + citizen_minutes(citizen), now),
    )
    actor = actors.get(dossier.ward_code) or actors[None]
    for number, (action, offset, note, fee) in enumerate(script, start=1):
        for _ in range(offset):
            day += timedelta(days=1)
            while not is_working_day(day):
                day += timedelta(days=1)
        fee = fee if fee is not None and not dossier.fee_vnd else None
        service.transition(
            dossier,
            action,
            actor,
            expected_version=dossier.version,
            note=note,
            fee_vnd=fee,
            at=_moment(day, 60 + number * 45, now),
        )
    if script and script[-1][0] == "return_result" and citizen_minutes(citizen) % 2 == 0:
        service.rate(dossier, 5, "Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn.")
    return dossier


def citizen_minutes(citizen) -> int:
    """A few minutes' spread between citizens, so their dossiers are not filed at one instant."""
    return int(citizen.cccd[-2:]) % 50


def _processing_days(code: str) -> int:
    return next(p["processing_days"] for p in catalogue_data.PROCEDURES if p["code"] == code)


def seed_demo_dossiers(
    profiles: Iterable[Person], citizens: dict[str, Any], actors: dict[str | None, service.Actor]
) -> int:
    """File the applications of the demo citizens who have no dossier yet; how many were filed.

    `citizens` maps CCCD to the registered Citizen; `actors` maps a ward code to its officer and
    None to who acts for the others (province-level bodies, wards without a demo officer)."""
    profiles = list(profiles)
    have = set(
        db.session.scalars(
            select(Dossier.citizen_id).where(Dossier.citizen_id.in_([c.id for c in citizens.values()]))
        )
    )
    now = utcnow()
    desk_turn = other_turn = 0
    filed = 0
    for profile in profiles:
        citizen = citizens[profile.person.cccd]
        if citizen.id in have:
            continue
        for application in applications_for(profile):
            # Where it will land decides whose scripts it follows: the desk's show every status.
            lands_at_desk = _lands_at(application, citizen) == DESK_WARD
            if lands_at_desk:
                name, timing = _DESK_SCRIPTS[desk_turn % len(_DESK_SCRIPTS)]
                desk_turn += 1
            else:
                name, timing = _OTHER_SCRIPTS[other_turn % len(_OTHER_SCRIPTS)]
                other_turn += 1
            script = SCRIPTS[name]
            if name == "payment" and not _charges(application.procedure):
                script = SCRIPTS["processing"]
            _file(citizen, application, script, timing, actors, now)
            filed += 1
    return filed


def _charges(code: str) -> bool:
    procedure = next(p for p in catalogue_data.PROCEDURES if p["code"] == code)
    return bool(procedure["fee_vnd"] or procedure["fee_varies"])


def _lands_at(application: Application, citizen) -> str | None:
    """The ward the procedure's own rule picks for this application (None: the province)."""
    procedure = catalogue.require_procedure(application.procedure)
    return service.receiving_authority(procedure, citizen, application.chosen_ward, application.form, "form")[
        1
    ]
