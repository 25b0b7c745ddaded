"""Demo data for `make run`: an Đắk Lắk demo city with citizens, staff and a machine account, and
what gives every role work and every citizen screen something to show (records, dossiers, fines,
benefits, reports, articles, campaigns, chats, inbox messages), filed by each domain's demo.py.

Idempotent: citizens are keyed by CCCD, staff by username, machine accounts by client id, and
each domain's demo skips what it finds; running it again adds nothing and changes nothing.
Generated from fixed random seeds (a citizen's records, plates and parcel from their CCCD), so
every machine gets the same people. Never runs in production.
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
    ("lanhdao", "Võ Thị Thanh", "leader", None),
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


# ---- what the national systems know about each demo citizen --------------------------------------

# Streets of each demo ward, for home addresses, land parcels, business premises.
_STREETS = {
    "24133": ("Lê Duẩn", "Phan Chu Trinh", "Nguyễn Tất Thành", "Hùng Vương", "Quang Trung", "Y Jút"),
    "24163": ("Mai Hắc Đế", "Nguyễn Văn Cừ", "Trần Quý Cáp", "Y Wang"),
    "24121": ("Phan Bội Châu", "Lý Thường Kiệt", "Ngô Quyền", "Hai Bà Trưng"),
    "24154": ("Nguyễn Công Trứ", "Trần Phú", "Đinh Tiên Hoàng", "Ama Khê"),
    "24169": ("Võ Văn Kiệt", "Nguyễn Thị Định", "Buôn Kô Tam", "Tôn Đức Thắng"),
    "24175": ("Thôn 1", "Thôn 3", "Thôn 5", "Buôn Ea Mar"),
    "24305": ("Hùng Vương", "Nguyễn Tất Thành", "Lê Hồng Phong", "Buôn Drao"),
    "22015": ("Trần Hưng Đạo", "Lê Thánh Tôn", "Độc Lập", "Nguyễn Huệ"),
}
# Employers of the demo city (name, tax code, positions held there).
_EMPLOYERS = (
    ("Công ty TNHH Cà phê Tây Nguyên Xanh", "6001234567", ("Công nhân chế biến", "Tổ trưởng sản xuất")),
    ("Công ty Cổ phần Cao su Ea Kao", "6000345678", ("Công nhân khai thác", "Kỹ thuật viên")),
    ("Bệnh viện Đa khoa vùng Tây Nguyên", "6000456789", ("Điều dưỡng", "Kỹ thuật viên xét nghiệm")),
    ("Trường THPT Buôn Ma Thuột", "6000567890", ("Giáo viên", "Nhân viên văn phòng")),
    ("Công ty TNHH Xây dựng Hòa Phú", "6001678901", ("Thợ xây", "Kỹ sư công trường")),
    ("Chi nhánh Ngân hàng Nông nghiệp Đắk Lắk", "0100686174-123", ("Giao dịch viên", "Cán bộ tín dụng")),
    ("Công ty TNHH Thương mại Ban Mê", "6001789012", ("Nhân viên bán hàng", "Kế toán")),
    ("Hợp tác xã Nông nghiệp Ea Tu", "6001890123", ("Xã viên", "Kế toán")),
)
# Plate series of Đắk Lắk (47) and of the former Phú Yên (78), whose vehicles keep their plates.
_MOTORBIKE_SERIES = ("B1", "C1", "D1", "E1", "F1", "G1", "H1", "K1")


@dataclass(frozen=True)
class DemoProfile:
    """A demo citizen and what the national systems hold about them, drawn from their CCCD so that
    every domain's demo data tells one story: the parcel of their land certificate is the one of
    their building-permit dossier, the employer of their labour book the one of their claim."""

    person: DemoCitizen
    index: int  # position among the demo citizens: spreads procedures and statuses
    street: str  # home address in their ward
    social_insurance_number: str  # mã số BHXH, 10 digits
    plates: tuple[str, ...]  # a motorbike; some a car too
    land: dict  # one land-use right certificate (a row of the land registry's feed)
    jobs: tuple[dict, ...]  # employment periods, oldest first (rows of the BHXH feed)

    @property
    def age(self) -> int:
        today = date.today()
        born = self.person.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _profile(index: int, person: DemoCitizen, *, printed: bool) -> DemoProfile:
    rng = random.Random(person.cccd)
    ward = person.ward_code
    street = f"{rng.randrange(2, 240)} {rng.choice(_STREETS[ward])}"
    province = "78" if ward == "22015" else "47"
    plates = (f"{province}{rng.choice(_MOTORBIKE_SERIES)}-{rng.randrange(100, 999)}.{rng.randrange(10, 99)}",)
    if printed:
        plates = DEMO_PLATES  # the citizen `make run` prints, with the notices it prints
    elif rng.random() < 0.35:
        plates += (f"{province}A-{rng.randrange(100, 999)}.{rng.randrange(10, 99)}",)
    issued = date(rng.randrange(1995, 2023), rng.randrange(1, 13), rng.randrange(1, 29))
    land = {
        "certificate_number": f"{rng.choice(('CS', 'CH', 'DA', 'DK'))} {rng.randrange(10_000, 999_999):06d}",
        "parcel_number": str(rng.randrange(12, 980)),
        "map_sheet": str(rng.randrange(1, 65)),
        "area_m2": f"{rng.randrange(600, 4_800) / 10:.1f}",
        "land_use_purpose": "Đất ở tại đô thị" if ward != "24175" else "Đất ở tại nông thôn",
        "address": f"{rng.randrange(2, 240)} {rng.choice(_STREETS[ward])}",
        "ward_code": ward,
        "status": "Đang thế chấp" if rng.random() < 0.2 else "Còn hiệu lực",
        "issued_on": issued.isoformat(),
    }
    # Working life: from 20 (or 1995, when social insurance began for most) to 60 or today.
    born = person.date_of_birth
    start = max(date(born.year + 20, rng.randrange(1, 13), 1), date(1995, 1, 1))
    retire = date(born.year + 60, born.month, 1)
    jobs = []
    employers = rng.sample(_EMPLOYERS, 3)
    while start < min(retire, date.today()) and len(jobs) < 3:
        name, tax_code, positions = employers[len(jobs)]
        end = date(start.year + rng.randrange(3, 16), rng.randrange(1, 13), 1)
        current = end >= date.today() and retire > date.today()
        end = None if current else min(end, retire, date.today().replace(day=1))
        months = ((end or date.today()).year - start.year) * 12 + (end or date.today()).month - start.month
        jobs.append(
            {
                "employer": name,
                "employer_tax_code": tax_code,
                "position": rng.choice(positions),
                "started_on": start.isoformat(),
                "ended_on": end.isoformat() if end else None,
                "contribution_months": max(months, 1),
            }
        )
        if end is None:
            break
        start = date(end.year, end.month, 1) + timedelta(days=rng.randrange(31, 200))
        start = start.replace(day=1)
    return DemoProfile(
        person=person,
        index=index,
        street=street,
        social_insurance_number=f"66{person.cccd[-8:]}",
        plates=plates,
        land=land,
        jobs=tuple(jobs),
    )


def demo_profiles() -> list[DemoProfile]:
    printed = demo_level2_citizen()
    return [
        _profile(index, person, printed=person == printed) for index, person in enumerate(demo_citizens())
    ]


def seed_demo() -> dict:
    """Create what is missing; returns counts of what was added.

    Beyond the people and accounts, every role gets work to see and every citizen screen something
    to show: each domain's demo module files its data through that domain's own service (records
    through the records import, dossiers through the routing and the workflow...), then the events
    they wrote are delivered to the citizens' inboxes as the scheduler's dispatcher would.
    """
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

    from api.benefits.demo import seed_demo_benefits
    from api.chat.demo import seed_demo_answered_chat, seed_demo_handoffs
    from api.dashboard.service import make_periodic_reports
    from api.dossiers.demo import seed_demo_dossiers
    from api.records.demo import seed_demo_records
    from api.reports.demo import seed_demo_reports
    from content.demo import seed_demo_announcements, seed_demo_articles
    from content.products.demo import seed_demo_products
    from notifications.campaigns.demo import seed_demo_campaigns

    profiles = demo_profiles()
    registered = {
        c.cccd: c
        for c in db.session.scalars(select(Citizen).where(Citizen.cccd.in_(p.person.cccd for p in profiles)))
    }
    staff = {
        u.username: u
        for u in db.session.scalars(
            select(StaffUser).where(StaffUser.username.in_(u for u, *_ in DEMO_STAFF))
        )
    }
    officer, police, admin = staff["canbo.motcua"], staff["congan.phuong"], staff["quantri"]
    verified = [registered[p.person.cccd] for p in profiles if p.person.identity_level == 2]

    added["records"] = seed_demo_records(profiles)
    added["dossiers"] = _seed_demo_dossiers() + seed_demo_dossiers(
        profiles,
        registered,
        {
            officer.ward_code: _dossier_actor(officer),
            None: _dossier_actor(admin),  # province bodies and wards without a demo officer
        },
    )
    added["fines"] = _seed_demo_fines() + _seed_citizen_fines(profiles, police)
    added["benefits"] = seed_demo_benefits(demo_benefit_plan(profiles))
    # Local sellers: the verified demo citizens after the first (who has the demo dossier).
    added["products"] = seed_demo_products([c.cccd for c in verified][1:])
    added["reports"] = seed_demo_reports(
        # The printed citizen first: their app shows a report of theirs.
        verified + [registered[p.person.cccd] for p in profiles if p.person.identity_level == 1],
        {
            "police": _report_actor(police),
            "ward": _report_actor(officer),
            "admin": _report_actor(admin),
        },
    )
    added["articles"] = seed_demo_articles(
        writer=f"staff:{staff['truyenthong'].id}", reviewer=f"staff:{admin.id}"
    )
    added["campaigns"] = seed_demo_campaigns(
        {"comms": f"staff:{staff['truyenthong'].id}", "admin": f"staff:{admin.id}"}
    )
    # Two verified citizens of working age ask the call centre; a third was answered, and rated it.
    callers = [registered[p.person.cccd].id for p in profiles if p.person.identity_level == 2 and p.age < 60]
    added["handoffs"] = seed_demo_handoffs(callers[:2]) + seed_demo_answered_chat(
        callers[2], staff["tongdaivien"].id
    )
    added["announcements"] = seed_demo_announcements(staff["truyenthong"].id)
    added["inbox"] = _deliver_inbox()
    # Last week's and last month's reports for `lanhdao`, over what was just filed (the scheduler
    # would make them within the hour; seeding makes them at once, and only once).
    added["leader_reports"] = make_periodic_reports()
    return added


def _dossier_actor(user: StaffUser):
    from api.dossiers.service import Actor

    return Actor("staff", user.id, user.role, user.ward_code)


def _report_actor(user: StaffUser):
    from api.reports.service import Actor

    return Actor("staff", user.id, user.role, user.ward_code)


def demo_benefit_plan(profiles: list[DemoProfile]) -> list[tuple[str, tuple[dict, ...]]]:
    """Who receives what: the printed citizen's two programmes; the elderly allowance from 75 at the
    ward's post office; one household's electricity support and one disability allowance."""
    from api.benefits.demo import PRINTED_CITIZEN_ENROLMENTS
    from api.benefits.models import BANK, CASH
    from api.units.service import get_ward

    printed = demo_level2_citizen()
    plan: list[tuple[str, tuple[dict, ...]]] = [(printed.cccd, PRINTED_CITIZEN_ENROLMENTS)]
    younger = [p for p in profiles if p.person != printed and p.age < 75]
    for profile in profiles:
        person = profile.person
        if person != printed and profile.age >= 75:
            post_office = f"Bưu điện {get_ward(person.ward_code).name}"
            plan.append(
                (person.cccd, ({"programme": "NCT", "channel": CASH, "channel_detail": post_office},))
            )
    plan.append((younger[3].person.cccd, ({"programme": "HN", "channel": CASH},)))
    plan.append(
        (
            younger[7].person.cccd,
            (
                {
                    "programme": "NKT",
                    "channel": BANK,
                    "channel_detail": f"Agribank Đắk Lắk ****{younger[7].person.cccd[-4:]}",
                },
            ),
        )
    )
    return plan


# Fines of the other demo citizens: one per vehicle, from the traffic cameras or issued on the road
# by the ward police (`congan.phuong`), some already confirmed by their owner.
_CAMERA_PLACES = (
    ("Đường Nguyễn Tất Thành, trước số 120", "24133"),
    ("Ngã tư Lê Duẩn – Phan Chu Trinh", "24133"),
    ("Đường Võ Văn Kiệt, gần cầu Ea Tam", "24169"),
    ("Đường Hùng Vương, thị xã Buôn Hồ", "24305"),
    ("Đường Hùng Vương, gần Tháp Nhạn", "22015"),
)
_ROAD_CHECKS = ("Đường Phan Chu Trinh, chốt kiểm tra nồng độ cồn", "Đường Y Jút, trước chợ Buôn Ma Thuột")
_VIOLATIONS = {
    # vehicle: (camera violations, violations found at a road check)
    "motorbike": (
        ("xe-may-vuot-den-do", "xe-may-qua-toc-do-10-20"),
        ("xe-may-khong-doi-mu-bao-hiem", "xe-may-nong-do-con-muc-1"),
    ),
    "car": (("oto-qua-toc-do-5-10", "oto-do-xe-noi-cam"), ("oto-khong-that-day-an-toan", "oto-dien-thoai")),
}


def _citizen_fine_rows(profile: DemoProfile) -> list[tuple[bool, bool, int, dict]]:
    """(issued by the ward police?, confirmed?, days ago, notice) for each of a citizen's plates."""
    from api.fines import plates as plate_rules

    rng = random.Random(f"fines:{profile.person.cccd}")
    rows = []
    for number, plate in enumerate(profile.plates, start=1):
        kind = plate_rules.parse(plate).kind
        by_police = (profile.index + number) % 3 == 0
        code = rng.choice(_VIOLATIONS[kind][by_police])
        ref = f"demo:{'police' if by_police else 'camera'}-{profile.person.cccd}-{number}"
        place, ward = (_ROAD_CHECKS[number % 2], "24133") if by_police else rng.choice(_CAMERA_PLACES)
        row = {
            "source": "police" if by_police else "camera",
            "source_ref": ref,
            "notice_number": f"DEMO-{profile.person.cccd[-6:]}{number}/QĐ-XPVPHC",
            "plate": plate,
            "violation_code": code,
            "place": place,
            "ward_code": ward,
        }
        if not by_police:
            row["evidence"] = [f"fines/evidence/{ref.replace(':', '-')}-1.jpg"]
        rows.append((by_police, (profile.index + number) % 4 == 1, rng.randrange(1, 9), row))
    return rows


def _seed_citizen_fines(profiles: list[DemoProfile], police: StaffUser) -> int:
    from api.dbtypes import utcnow
    from api.fines import service as fines
    from api.fines.demo import seed_demo_evidence
    from api.fines.models import FineNotice
    from api.fines.violations import committed_on, get_violation

    printed = demo_level2_citizen()
    planned = [(p, row) for p in profiles if p.person != printed for row in _citizen_fine_rows(p)]
    refs = [row["source_ref"] for _, (*_, row) in planned]
    there = set(db.session.scalars(select(FineNotice.source_ref).where(FineNotice.source_ref.in_(refs))))
    now = utcnow()
    added = 0
    for profile, (by_police, confirmed, days_ago, row) in planned:
        if row["source_ref"] in there:
            continue
        violated_at = now - timedelta(days=days_ago, hours=3)
        violation = get_violation(row["violation_code"], on=committed_on(violated_at))  # that day's range
        notice = fines.validate_row(
            {
                **row,
                "owner_cccd": profile.person.cccd,
                "amount_vnd": violation.min_vnd,
                "violated_at": violated_at.isoformat(),
                "decided_at": (now - timedelta(days=max(days_ago - 2, 0), hours=1)).isoformat(),
            }
        )
        actor = f"staff:{police.id}" if by_police else "demo"
        fine, _ = fines.issue_notice(notice, actor=actor, default_source="police")
        if confirmed:
            fines.confirm(citizens.citizen_by_cccd(profile.person.cccd), fine.id)
        added += 1
    seed_demo_evidence(refs)
    return added


def _deliver_inbox() -> int:
    """Deliver the demo's events to the citizens' inboxes now, as the scheduler's dispatcher does
    a few seconds after `make run` starts it; how many messages were delivered."""
    from notifications.dispatcher import dispatch

    delivered = 0
    while True:
        report = dispatch()
        delivered += report.delivered
        if report.events == 0:
            return delivered


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
    # Their camera photos, drawn into storage (also for notices seeded before photos were served).
    from api.fines.demo import seed_demo_evidence

    seed_demo_evidence(row["source_ref"] for *_, row in _DEMO_FINES)
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
    from api.units.service import get_ward

    # Which ward's queues the ward-level staff work: the demo's dossiers and reports are there.
    lines += [
        f"  {role:<8} {username}" + (f"  ({get_ward(ward).name})" if ward else "")
        for username, _, role, ward in DEMO_STAFF
    ]
    lines.append(f"Máy chủ hành động chatbot: client_id {DEMO_CHATBOT_CLIENT_ID} / {DEMO_CHATBOT_SECRET}")
    return "\n".join(lines)
