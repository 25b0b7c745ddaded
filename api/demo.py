"""Demo data for `make run`: an Đắk Lắk demo city with citizens, staff and a machine account.

Idempotent: citizens are keyed by CCCD, staff by username, machine accounts by client id;
running it again adds nothing and changes nothing. Generated from a fixed random seed, so every
machine gets the same people. Never runs in production.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from api.auth import service as auth
from api.auth.models import ServiceAccount, StaffUser
from api.citizens import cccd
from api.citizens import service as citizens
from api.citizens.models import Citizen
from api.dossiers.catalogue import service as catalogue
from api.extensions import db

# Shown in the README and printed by `make run`. Development only: production refuses to seed.
DEMO_STAFF_PASSWORD = "CongDanSo@2025"  # noqa: S105
DEMO_CHATBOT_CLIENT_ID = "chatbot-actions"
DEMO_CHATBOT_SECRET = "dev-chatbot-secret-change-me"  # noqa: S105
DEMO_PROVINCE = "66"  # Đắk Lắk (merged with Phú Yên on 1 July 2025)

# Wards of the demo city: Buôn Ma Thuột's wards after the 2025 reform, and neighbours.
DEMO_WARDS = ("24133", "24163", "24121", "24154", "24169", "24175", "24305", "22015")

DEMO_STAFF = (
    # username, full name, role, ward (None: province level)
    ("canbo.motcua", "Trần Thị Mai", "officer", "24133"),
    ("congan.phuong", "Nguyễn Văn Hùng", "police", "24133"),
    ("truyenthong", "Lê Thu Hà", "comms", None),
    ("tongdaivien", "Phạm Minh Tuấn", "agent", None),
    ("quantri", "Hoàng Đức Long", "admin", None),
)

CHATBOT_SCOPES = ("catalogue:read", "dossiers:read", "reports:write", "fines:read", "chat:handoff")

_FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
)
_MIDDLE = {
    "male": ("Văn", "Minh", "Hữu", "Đức", "Quốc", "Thanh"),
    "female": ("Thị", "Ngọc", "Thu", "Thanh", "Kim"),
}
_GIVEN = {
    "male": (
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hùng",
        "Khoa",
        "Long",
        "Nam",
        "Phúc",
        "Quang",
        "Sơn",
        "Tuấn",
        "Việt",
    ),
    "female": (
        "Anh",
        "Chi",
        "Hà",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "Ngân",
        "Nhung",
        "Thảo",
        "Trang",
        "Vy",
    ),
}
# Đắk Lắk is home to the Ê Đê and M'nông peoples; their names follow other rules.
_EDE_NAMES = {
    "male": ("Y Bhin Êban", "Y Moan Ênuôl", "Y Khu Niê", "Y Jut Buôn Krông"),
    "female": ("H'Hen Niê", "H'Nơ Byă", "H'Linh Mlô", "H'Duyên Êban"),
}
# Most demo citizens were born in Đắk Lắk; some in Phú Yên (now part of it) and elsewhere.
_BIRTH_PROVINCES = ("066",) * 6 + ("054", "054", "038", "001")


def kinh_name(rng: random.Random, sex: str) -> str:
    """A plausible Kinh name (family, middle, given) for demo and benchmark data."""
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}"


@dataclass(frozen=True)
class DemoCitizen:
    cccd: str
    full_name: str
    date_of_birth: date
    sex: str
    phone: str
    ward_code: str
    identity_level: int


def demo_citizens(count: int = 50) -> list[DemoCitizen]:
    rng = random.Random(6606)
    people: list[DemoCitizen] = []
    numbers: set[str] = set()
    while len(people) < count:
        sex = rng.choice(("male", "female"))
        born = date(1945, 1, 1) + timedelta(days=rng.randrange(0, 365 * 62))
        name = rng.choice(_EDE_NAMES[sex]) if rng.random() < 0.12 else kinh_name(rng, sex)
        number = cccd.build(rng.choice(_BIRTH_PROVINCES), sex, born, rng.randrange(1, 999999))
        if number in numbers:
            continue
        numbers.add(number)
        people.append(
            DemoCitizen(
                cccd=number,
                full_name=name,
                date_of_birth=born,
                sex=sex,
                phone=f"0{rng.choice((3, 7, 8, 9))}{rng.randrange(10_000_000, 99_999_999)}",
                ward_code=rng.choice(DEMO_WARDS),
                # Two in three have been verified in person (level 2); the rest only registered.
                identity_level=2 if len(people) % 3 else 1,
            )
        )
    return people


def seed_demo() -> dict:
    """Create what is missing; returns counts of what was added."""
    added = {"citizens": 0, "staff": 0, "service_accounts": 0}
    existing = set(db.session.scalars(select(Citizen.cccd)))
    for person in demo_citizens():
        if person.cccd in existing:
            continue
        citizens.register_citizen(**person.__dict__)
        added["citizens"] += 1
    known_staff = set(db.session.scalars(select(StaffUser.username)))
    for username, full_name, role, ward in DEMO_STAFF:
        if username not in known_staff:
            auth.create_staff_user(username, full_name, role, DEMO_STAFF_PASSWORD, ward)
            added["staff"] += 1
    if (
        db.session.scalar(select(ServiceAccount).where(ServiceAccount.client_id == DEMO_CHATBOT_CLIENT_ID))
        is None
    ):
        auth.create_service_account(
            DEMO_CHATBOT_CLIENT_ID, "Máy chủ hành động của chatbot", list(CHATBOT_SCOPES), DEMO_CHATBOT_SECRET
        )
        added["service_accounts"] += 1
    added["procedures"] = catalogue.seed_catalogue()
    db.session.commit()
    added["dossiers"] = _seed_demo_dossiers()
    added["fines"] = _seed_demo_fines()
    from api.benefits.demo import seed_demo_benefits

    added["benefits"] = seed_demo_benefits(demo_level2_citizen().cccd)
    from content.products.demo import seed_demo_products

    # Local sellers: the verified demo citizens after the first (who has the demo dossier).
    added["products"] = seed_demo_products([p.cccd for p in demo_citizens() if p.identity_level == 2][1:])
    return added


# What the level-2 demo citizen has applied for, so the app and the chatbot have a dossier to
# follow ("hồ sơ của tôi đến đâu rồi") from the first `make run`.
_DEMO_APPLICATIONS = {
    "ly-lich-tu-phap": {
        "card_type": "Phiếu số 1",
        "purpose": "Bổ sung hồ sơ xin việc",
        "copies": 1,
        "place_of_birth": "Đắk Lắk",
        "receive_method": "Qua dịch vụ bưu chính",
        "delivery_address": "12 Lê Duẩn, Phường Buôn Ma Thuột, Tỉnh Đắk Lắk",
        "residence_history": [{"from_date": "2010-01-01", "address": "Phường Buôn Ma Thuột, Đắk Lắk"}],
    },
}


def _seed_demo_dossiers() -> int:
    from api.dossiers import service as dossiers

    person = demo_level2_citizen()
    citizen = citizens.citizen_by_cccd(person.cccd)
    if db.session.scalars(dossiers.citizen_dossiers(citizen.id).limit(1)).first() is not None:
        return 0
    for procedure_code, form in _DEMO_APPLICATIONS.items():
        dossiers.submit(citizen, procedure_code, form, ward_code=person.ward_code)
    return len(_DEMO_APPLICATIONS)


# The verified demo citizen's fines (M18), so the app and the chatbot have a violation to look up,
# confirm and pay from the first `make run`: a car and a motorbike registered in Đắk Lắk (47).
# (violated days ago, decided days ago, confirmed by the citizen?, the notice). Dates are set when
# first seeded; a notice already there is left as it is.
DEMO_PLATES = ("47A-567.89", "47B1-234.56")
_DEMO_FINES = (
    (
        5,
        3,
        False,
        {
            "source": "camera",
            "source_ref": "demo:camera-0001",
            "notice_number": "DEMO-0001/QĐ-XPVPHC",
            "plate": DEMO_PLATES[0],
            "violation_code": "oto-qua-toc-do-10-20",
            "amount_vnd": 5_000_000,
            "place": "Đường Nguyễn Tất Thành, đoạn trước số 120",
            "ward_code": "24133",
            "evidence": ["fines/evidence/demo-camera-0001-1.jpg", "fines/evidence/demo-camera-0001-2.jpg"],
        },
    ),
    (
        12,
        8,
        True,
        {
            "source": "camera",
            "source_ref": "demo:camera-0002",
            "notice_number": "DEMO-0002/QĐ-XPVPHC",
            "plate": DEMO_PLATES[0],
            "violation_code": "oto-do-xe-noi-cam",
            "amount_vnd": 900_000,
            "place": "Đường Phan Chu Trinh, gần ngã tư Lê Duẩn",
            "ward_code": "24133",
            "evidence": ["fines/evidence/demo-camera-0002-1.jpg"],
        },
    ),
    (
        1,
        1,
        False,
        {
            "source": "police",
            "source_ref": "demo:police-0003",
            "notice_number": "DEMO-0003/QĐ-XPVPHC",
            "plate": DEMO_PLATES[1],
            "violation_code": "xe-may-khong-doi-mu-bao-hiem",
            "amount_vnd": 400_000,
            "place": "Đường Hùng Vương",
            "ward_code": "24121",
        },
    ),
)


def _seed_demo_fines() -> int:
    from api.dbtypes import utcnow
    from api.fines import service as fines

    person = demo_level2_citizen()
    citizen = citizens.citizen_by_cccd(person.cccd)
    now = utcnow()
    added = 0
    for violated_days_ago, decided_days_ago, confirmed, row in _DEMO_FINES:
        if fines.notice_by_source_ref(row["source_ref"]) is not None:
            continue
        notice = fines.validate_row(
            {
                **row,
                "owner_cccd": person.cccd,
                "violated_at": (now - timedelta(days=violated_days_ago, hours=2)).isoformat(),
                "decided_at": (now - timedelta(days=decided_days_ago)).isoformat(),
            }
        )
        fine, _ = fines.issue_notice(notice, actor="demo")
        if confirmed:
            fines.confirm(citizen, fine.id)
        added += 1
    return added


def _demo_dossier_line(person: DemoCitizen) -> str:
    from api.dossiers import service as dossiers

    citizen = citizens.citizen_by_cccd(person.cccd)
    dossier = citizen and db.session.scalars(dossiers.citizen_dossiers(citizen.id).limit(1)).first()
    return f"  (hồ sơ mẫu {dossier.code})" if dossier else ""


def demo_level2_citizen() -> DemoCitizen:
    """The verified demo citizen `make run` prints, who owns the demo dossier."""
    return next(p for p in demo_citizens() if p.identity_level == 2)


def credentials_summary() -> str:
    """What `make run` prints: how to sign in as each kind of demo user."""
    people = demo_citizens()
    level2 = demo_level2_citizen()
    level1 = next(p for p in people if p.identity_level == 1)
    lines = [
        f"Công dân (VNeID phát triển, passcode {current_app.config.get('DEV_IDP_PASSCODE', '123456')}):",
        f"  mức 2: {level2.cccd}  {level2.full_name}{_demo_dossier_line(level2)}",
        f"  mức 1: {level1.cccd}  {level1.full_name}",
        f"  vi phạm giao thông mẫu (của công dân mức 2): biển số {', '.join(DEMO_PLATES)}",
        f"Cán bộ (mật khẩu {DEMO_STAFF_PASSWORD}):",
    ]
    lines += [f"  {role:<8} {username}" for username, _, role, _ in DEMO_STAFF]
    lines.append(f"Máy chủ hành động chatbot: client_id {DEMO_CHATBOT_CLIENT_ID} / {DEMO_CHATBOT_SECRET}")
    return "\n".join(lines)
