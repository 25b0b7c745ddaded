"""Social benefits (M36): programmes, enrolment, the monthly schedule, paying and settling.

Plain functions on the Flask-SQLAlchemy session, no `flask.request`. The rules:

- A beneficiary is a citizen of the registry, found by a valid CCCD; one enrolment per citizen
  and programme. A new decision for a citizen whose enrolment ended re-enrols that row.
- The month's schedule gives each active beneficiary one payment, whose amount is the
  beneficiary's monthly amount. Generating it again (the daily job, an officer) adds only the
  payments still missing: a (beneficiary, period) pair is unique in the database too.
- Paying a period sends each scheduled payment once (compare-and-set on `sent_at`, claimed only
  while the beneficiary may be paid for the month, checked in the same statement): cashless
  through the wallet when the citizen has linked an e-payment account, otherwise through the
  beneficiary's own channel, and cash at the ward's post office when that channel was the
  e-wallet but no account is linked (any more). A suspended beneficiary's payments are held;
  an ended one's are sent for the months up to the last day covered and cancelled after it.
- A settlement moves a payment only along `SETTLEMENTS`, with a compare-and-set on `status`, so
  of two racing settlements exactly one wins; it settles the wallet payout of a cashless payment
  in the same transaction and writes one outbox event for the citizen.
- A citizen reaches only their own payments; another's id answers 404 like an unknown one.
"""

from __future__ import annotations

import calendar
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.benefits.models import (
    ACTIVE,
    BENEFICIARY_MOVES,
    BENEFICIARY_STATUS_NAMES,
    CANCELLED,
    CASH,
    CASHLESS_CHANNELS,
    CHANNEL_NAMES,
    E_WALLET,
    ENDED,
    FAILED,
    PAID,
    PAYMENT_STATUS_NAMES,
    PAYMENT_STATUSES,
    PAYOUT_PURPOSE,
    RETURNED,
    SCHEDULED,
    SETTLEMENTS,
    SUSPENDED,
    Beneficiary,
    BenefitPayment,
    BenefitProgramme,
    BenefitSchedule,
)
from api.citizens import service as citizens
from api.concurrency import compare_and_set
from api.dbtypes import utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.text import format_vnd, nfc
from api.workdays import add_working_days, local_date
from wallet import service as wallet

EVENT_PAID = "benefit.payment_paid"
EVENT_FAILED = "benefit.payment_failed"
EVENT_RETURNED = "benefit.payment_returned"
EVENTS = {PAID: EVENT_PAID, FAILED: EVENT_FAILED, RETURNED: EVENT_RETURNED}
EVENT_BENEFICIARY_STATUS = "benefit.beneficiary_status_changed"
MIN_REASON_LENGTH = 10

LATEST_PAYMENTS = 6  # shown with the citizen's programmes
# Lists are prepared ahead of the month, never further: a later month's beneficiaries and
# amounts are not known yet.
MONTHS_AHEAD = 1
EARLIEST_YEAR = 2000
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


# ---- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def plus(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)


def current_period(now: datetime | None = None) -> Period:
    """The month it is in Vietnam."""
    return Period.of(local_date(now or utcnow()))


def parse_period(text: Any, *, now: datetime | None = None, field_name: str = "period") -> Period:
    """`"2025-11"` as a Period; 422 for anything else, or a month too far ahead to schedule."""
    match = _PERIOD.match(text) if isinstance(text, str) else None
    month = int(match.group(2)) if match else 0
    if not match or not 1 <= month <= 12 or int(match.group(1)) < EARLIEST_YEAR:
        raise ApiError(
            422,
            "invalid_period",
            "Kỳ chi trả phải có dạng YYYY-MM, ví dụ 2025-11.",
            errors={field_name: ["Kỳ chi trả không hợp lệ (YYYY-MM)."]},
        )
    period = Period(int(match.group(1)), month)
    latest = current_period(now).plus(MONTHS_AHEAD)
    if period > latest:
        raise ApiError(
            422,
            "period_too_far",
            f"Chỉ lập và chi trả được đến kỳ {latest.label}; kỳ {period.label} còn quá xa.",
            errors={field_name: [f"Muộn nhất là {latest}."]},
        )
    return period


# ---- errors -----------------------------------------------------------------------------------


def payment_not_found() -> ApiError:
    return ApiError(404, "benefit_payment_not_found", "Không tìm thấy khoản chi trả trợ cấp này.")


def _programme_not_found(code: str, field_name: str = "programme") -> ApiError:
    return ApiError(
        422,
        "programme_not_found",
        f"Không có chế độ trợ cấp mã '{code}'.",
        errors={field_name: ["Mã chế độ không tồn tại."]},
    )


# ---- programmes -------------------------------------------------------------------------------


def programmes() -> list[BenefitProgramme]:
    return list(db.session.scalars(select(BenefitProgramme).order_by(BenefitProgramme.code)))


def programme_by_code(code: str) -> BenefitProgramme | None:
    return db.session.scalar(select(BenefitProgramme).where(BenefitProgramme.code == code.upper()))


def create_programme(data: dict[str, Any], *, actor: str) -> BenefitProgramme:
    """A programme from validated data (schemas.ProgrammeInSchema); 409 when the code is taken."""
    if programme_by_code(data["code"]) is not None:
        raise ApiError(
            409,
            "programme_code_taken",
            f"Mã chế độ {data['code']} đã được dùng.",
            errors={"code": ["Mã đã tồn tại."]},
        )
    programme = BenefitProgramme(id=uuid.uuid4(), created_by=actor, **data)
    try:
        with db.session.begin_nested():
            db.session.add(programme)
    except IntegrityError:  # the same code created at the same moment
        raise ApiError(409, "programme_code_taken", f"Mã chế độ {data['code']} đã được dùng.") from None
    record_audit("benefit.programme_create", actor=actor, target=f"benefit_programme:{programme.code}")
    db.session.commit()
    return programme


# The province's usual programmes, with the amounts in force since 1 July 2024.
STANDARD_PROGRAMMES = (
    {
        "code": "TCXH",
        "name": "Trợ cấp xã hội hằng tháng",
        "legal_basis": "Nghị định 20/2021/NĐ-CP, sửa đổi bởi Nghị định 76/2024/NĐ-CP",
        "monthly_amount_vnd": 500_000,
        "description": "Mức chuẩn trợ giúp xã hội 500.000 đồng nhân hệ số của từng đối tượng.",
    },
    {
        "code": "NCC",
        "name": "Trợ cấp ưu đãi người có công với cách mạng",
        "legal_basis": "Nghị định 75/2021/NĐ-CP, sửa đổi bởi Nghị định 77/2024/NĐ-CP",
        "monthly_amount_vnd": 2_789_000,
        "description": "Mức chuẩn trợ cấp ưu đãi 2.789.000 đồng; mức hưởng theo từng diện người có công.",
    },
    {
        "code": "NCT",
        "name": "Trợ cấp xã hội người cao tuổi",
        "legal_basis": "Nghị định 20/2021/NĐ-CP, sửa đổi bởi Nghị định 76/2024/NĐ-CP",
        "monthly_amount_vnd": 500_000,
        "description": "Người cao tuổi không có lương hưu, trợ cấp bảo hiểm xã hội hằng tháng.",
    },
    {
        "code": "NKT",
        "name": "Trợ cấp xã hội người khuyết tật",
        "legal_basis": "Nghị định 20/2021/NĐ-CP, sửa đổi bởi Nghị định 76/2024/NĐ-CP",
        "monthly_amount_vnd": 750_000,
        "description": "Người khuyết tật nặng hệ số 1,5; đặc biệt nặng hệ số 2,0.",
    },
    {
        "code": "HN",
        "name": "Hỗ trợ tiền điện cho hộ nghèo, hộ chính sách xã hội",
        "legal_basis": "Quyết định 28/2014/QĐ-TTg",
        "monthly_amount_vnd": 59_520,
        "description": "30 kWh mỗi tháng theo giá bán lẻ điện bậc 1.",
    },
)


def seed_programmes(*, actor: str = "seed") -> int:
    """Create the standard programmes that are missing (demo data, a fresh province); commits."""
    added = 0
    for row in STANDARD_PROGRAMMES:
        if programme_by_code(row["code"]) is None:
            db.session.add(BenefitProgramme(id=uuid.uuid4(), created_by=actor, **row))
            added += 1
    db.session.commit()
    return added


# ---- beneficiaries ----------------------------------------------------------------------------


def enrol(data: dict[str, Any], *, actor: str) -> Beneficiary:
    """Enrol the citizen holding `data["cccd"]` (already checked as a CCCD) in a programme.

    422 when no citizen of the registry holds that CCCD or the programme is unknown; 409 when the
    citizen is enrolled in it and not ended (a suspension is lifted, not enrolled over). When that
    enrolment ended, the new decision re-enrols it (`_re_enrol`). Audited and committed.
    """
    programme = programme_by_code(data["programme"])
    if programme is None:
        raise _programme_not_found(data["programme"])
    citizen = citizens.citizen_by_cccd(data["cccd"])
    if citizen is None:
        raise ApiError(
            422,
            "citizen_not_found",
            "Không có công dân nào mang số căn cước này trong cơ sở dữ liệu dân cư của ứng dụng.",
            errors={"cccd": ["Không tìm thấy công dân."]},
        )
    starts_on = Period.of(data.get("starts_on") or local_date(utcnow())).first_day
    if data.get("ends_on") is not None and data["ends_on"] < starts_on:
        raise ApiError(
            422,
            "invalid_dates",
            "Ngày thôi hưởng không thể trước tháng bắt đầu hưởng.",
            errors={"ends_on": [f"Phải từ {starts_on.strftime('%d/%m/%Y')} trở đi."]},
        )
    existing = _enrolment(programme.id, citizen.id)
    if existing is not None:
        if existing.status != ENDED:
            raise _already_enrolled(programme)
        return _re_enrol(existing, data, starts_on=starts_on, actor=actor)
    beneficiary = Beneficiary(
        id=uuid.uuid4(),
        programme_id=programme.id,
        citizen_id=citizen.id,
        cccd=citizen.cccd,
        monthly_amount_vnd=data.get("monthly_amount_vnd") or programme.monthly_amount_vnd,
        # Benefits are paid by whole months: a start mid-month counts from that month.
        starts_on=starts_on,
        ends_on=data.get("ends_on"),
        status=ACTIVE,
        channel=data.get("channel") or CASH,
        channel_detail=data.get("channel_detail"),
        enrolled_by=actor,
    )
    try:
        with db.session.begin_nested():
            db.session.add(beneficiary)
    except IntegrityError:  # enrolled by another officer at the same moment
        raise _already_enrolled(programme) from None
    record_audit(
        "benefit.enrol",
        actor=actor,
        target=f"benefit_beneficiary:{beneficiary.id}",
        programme=programme.code,
        citizen_id=str(citizen.id),
    )
    db.session.commit()
    return beneficiary


def _re_enrol(beneficiary: Beneficiary, data: dict[str, Any], *, starts_on: date, actor: str) -> Beneficiary:
    """A new decision for a citizen whose enrolment in the programme ended.

    The same row (one per citizen and programme; the payments keep pointing at it) takes the new
    decision's amount, dates and channel and is active again, from a month after the old end.
    Audited as a re-enrolment with what it replaced, the old decision's reason included. Payments
    the old enrolment left unsent after its end are settled now: one of a month the new decision
    covers is that month's payment again (at the new amount and channel; there is one payment
    per beneficiary and month), any other one is cancelled.
    """
    programme = beneficiary.programme
    old_end = beneficiary.ends_on or local_date(utcnow())
    if starts_on <= old_end:
        first = Period.of(old_end).plus(1).first_day
        raise ApiError(
            422,
            "invalid_dates",
            f"Lần hưởng trước của công dân này kéo dài đến hết ngày {old_end.strftime('%d/%m/%Y')}; lần hưởng "
            f"mới phải bắt đầu từ tháng {first.strftime('%m/%Y')} trở đi.",
            errors={"starts_on": [f"Phải từ {first.strftime('%d/%m/%Y')} trở đi."]},
        )
    previous = {
        "starts_on": beneficiary.starts_on.isoformat(),
        "ends_on": old_end.isoformat(),
        "monthly_amount_vnd": beneficiary.monthly_amount_vnd,
        "channel": beneficiary.channel,
        "status_reason": beneficiary.status_reason,
        "enrolled_by": beneficiary.enrolled_by,
    }
    amount = data.get("monthly_amount_vnd") or programme.monthly_amount_vnd
    channel = data.get("channel") or CASH
    ends_on = data.get("ends_on")
    moved = db.session.execute(
        update(Beneficiary)
        .where(Beneficiary.id == beneficiary.id, Beneficiary.status == ENDED)
        .values(
            status=ACTIVE,
            status_reason=None,
            monthly_amount_vnd=amount,
            starts_on=starts_on,
            ends_on=ends_on,
            channel=channel,
            channel_detail=data.get("channel_detail"),
            enrolled_by=actor,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:  # another officer re-enrolled the citizen at the same moment
        db.session.rollback()
        raise _already_enrolled(programme)
    rescheduled = cancelled = 0
    reason = _cancel_reason(old_end, previous["status_reason"])
    leftovers = db.session.scalars(
        select(BenefitPayment).where(
            BenefitPayment.beneficiary_id == beneficiary.id,
            BenefitPayment.sent_at.is_(None),
            BenefitPayment.status.in_((SCHEDULED, CANCELLED)),
            BenefitPayment.period > str(Period.of(old_end)),
        )
    ).all()
    for payment in leftovers:
        month = _period_of(payment.period)
        if month.first_day >= starts_on and (ends_on is None or month.first_day <= ends_on):
            payment.status, payment.amount_vnd, payment.channel = SCHEDULED, amount, channel
            payment.failure_reason = payment.settled_at = payment.settled_by = None
            rescheduled += 1
        elif payment.status == SCHEDULED:
            payment.status, payment.failure_reason = CANCELLED, reason
            payment.settled_at, payment.settled_by = utcnow(), actor
            cancelled += 1
    record_audit(
        "benefit.re_enrol",
        actor=actor,
        target=f"benefit_beneficiary:{beneficiary.id}",
        programme=programme.code,
        citizen_id=str(beneficiary.citizen_id),
        previous=previous,
        payments_rescheduled=rescheduled,
        payments_cancelled=cancelled,
    )
    db.session.commit()
    db.session.refresh(beneficiary)
    return beneficiary


def _period_of(text: str) -> Period:
    return Period(int(text[:4]), int(text[5:7]))


def _cancel_reason(ends_on: date, decision: str | None) -> str:
    """What a cancelled payment's citizen reads: from when the enrolment ended, and why."""
    text = f"Đã thôi hưởng từ ngày {(ends_on + timedelta(days=1)).strftime('%d/%m/%Y')}"
    return text + (f" ({decision})" if decision else "") + "; kỳ này không được chi trả."


def _enrolment(programme_id: uuid.UUID, citizen_id: uuid.UUID) -> Beneficiary | None:
    return db.session.scalar(
        select(Beneficiary).where(
            Beneficiary.programme_id == programme_id, Beneficiary.citizen_id == citizen_id
        )
    )


def _already_enrolled(programme: BenefitProgramme) -> ApiError:
    return ApiError(
        409,
        "already_enrolled",
        f"Công dân này đã có trong danh sách hưởng {programme.name}.",
        errors={"cccd": ["Đã được ghi danh vào chế độ này."]},
    )


def active_beneficiary_citizen_ids() -> Select:
    """The citizens paid by some programme now, as a select() of citizen ids: for other domains'
    audiences (push campaigns) to use as one subquery, without reading this domain's tables."""
    return select(Beneficiary.citizen_id).where(Beneficiary.status == ACTIVE)


def search_beneficiaries(actor: str, *, programme: str | None = None, status: str | None = None) -> Select:
    """Beneficiaries for the officers' list, newest first. Audited: it shows people's CCCD."""
    statement = select(Beneficiary)
    if programme:
        found = programme_by_code(programme)
        if found is None:
            raise _programme_not_found(programme)
        statement = statement.where(Beneficiary.programme_id == found.id)
    if status:
        statement = statement.where(Beneficiary.status == status)
    record_audit("benefit.beneficiary_search", actor=actor, programme=programme, status=status)
    db.session.commit()
    return statement.order_by(Beneficiary.created_at.desc(), Beneficiary.id)


def get_beneficiary(beneficiary_id: uuid.UUID) -> Beneficiary:
    beneficiary = db.session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
        raise ApiError(404, "beneficiary_not_found", "Không tìm thấy người hưởng này.")
    return beneficiary


def change_beneficiary_status(
    beneficiary_id: uuid.UUID,
    *,
    status: str,
    reason: str | None,
    actor: str,
    ends_on: date | None = None,
) -> Beneficiary:
    """Suspend, resume or end an enrolment on an officer's decision (tạm dừng / thôi hưởng).

    Only the moves of `BENEFICIARY_MOVES` (409 otherwise); the decision's reason is required, since
    the citizen is told it. A suspended or ended beneficiary gets no new schedule entry, and
    payments already scheduled but not sent are held by `pay_period`. Ending records the last day
    covered (`ends_on`, today by default). Compare-and-set on the status, audited, and one outbox
    event for the citizen, all in one transaction.
    """
    reason = nfc(reason or "")
    if len(reason) < MIN_REASON_LENGTH:
        raise ApiError(
            422,
            "reason_required",
            f"Hãy ghi lý do (số quyết định, căn cứ), ít nhất {MIN_REASON_LENGTH} ký tự; lý do được báo cho "
            "người hưởng.",
            errors={"reason": ["Bắt buộc, ít nhất 10 ký tự."]},
        )
    beneficiary = get_beneficiary(beneficiary_id)
    current = beneficiary.status
    if status not in BENEFICIARY_MOVES[current]:
        raise ApiError(
            409,
            "illegal_status_change",
            f"Người hưởng đang ở trạng thái '{BENEFICIARY_STATUS_NAMES[current]}', không thể chuyển sang "
            f"'{BENEFICIARY_STATUS_NAMES[status]}'.",
            beneficiary_status=current,
        )
    values: dict[str, Any] = {"status": status, "status_reason": reason, "updated_at": utcnow()}
    if status == ENDED:
        today = local_date(utcnow())
        last_day = ends_on or today
        # An end is recorded when it happens: with a later day the status would be "ended" now,
        # and the months owed before that day would never be scheduled.
        if last_day > today:
            raise ApiError(
                422,
                "ends_on_in_future",
                "Ngày thôi hưởng không thể sau hôm nay: người hưởng vẫn được chi trả đến ngày đó. Hãy ghi "
                "nhận thôi hưởng khi đến ngày đó.",
                errors={"ends_on": [f"Muộn nhất là {today.strftime('%d/%m/%Y')}."]},
            )
        if last_day < beneficiary.starts_on:
            raise ApiError(
                422,
                "invalid_dates",
                "Ngày thôi hưởng không thể trước tháng bắt đầu hưởng.",
                errors={"ends_on": [f"Phải từ {beneficiary.starts_on.strftime('%d/%m/%Y')} trở đi."]},
            )
        values["ends_on"] = last_day
    # False: another officer's decision came first.
    if not compare_and_set(beneficiary, Beneficiary.status == current, **values):
        raise ApiError(
            409,
            "beneficiary_changed",
            "Trạng thái người hưởng vừa được cán bộ khác thay đổi; hãy tải lại và xem lại.",
            beneficiary_status=beneficiary.status,
        )
    record_event(
        EVENT_BENEFICIARY_STATUS,
        aggregate_type="benefit_beneficiary",
        aggregate_id=beneficiary.id,
        recipient=beneficiary.citizen_id,
        payload={
            "programme_code": beneficiary.programme.code,
            "programme": beneficiary.programme.name,
            "status": status,
            "status_name": BENEFICIARY_STATUS_NAMES[status],
            "previous": current,
            "reason": reason,
            "ends_on": beneficiary.ends_on.isoformat() if beneficiary.ends_on else None,
        },
    )
    record_audit(
        "benefit.beneficiary_status",
        actor=actor,
        target=f"benefit_beneficiary:{beneficiary.id}",
        status=status,
        previous=current,
        reason=reason,
    )
    db.session.commit()
    return beneficiary


# ---- the monthly schedule ---------------------------------------------------------------------


@dataclass
class ScheduleReport:
    period: str
    created: int = 0
    already_scheduled: int = 0
    amount_vnd: int = 0  # of the payments created now
    by_programme: Counter = field(default_factory=Counter)


def _planned_on(programme: BenefitProgramme, period: Period) -> date:
    day = min(programme.payment_day or 10, calendar.monthrange(period.year, period.month)[1])
    return add_working_days(date(period.year, period.month, day), 0)


def _schedule_of(programme: BenefitProgramme, period: Period, actor: str) -> BenefitSchedule:
    def existing() -> BenefitSchedule | None:
        return db.session.scalar(
            select(BenefitSchedule).where(
                BenefitSchedule.programme_id == programme.id, BenefitSchedule.period == str(period)
            )
        )

    schedule = existing()
    if schedule is not None:
        return schedule
    schedule = BenefitSchedule(
        id=uuid.uuid4(),
        programme_id=programme.id,
        period=str(period),
        planned_on=_planned_on(programme, period),
        generated_at=utcnow(),
        generated_by=actor,
    )
    try:
        with db.session.begin_nested():
            db.session.add(schedule)
    except IntegrityError:  # another run created it first
        schedule = existing()
    return schedule


def due_beneficiaries(period: Period) -> list[Beneficiary]:
    """Active beneficiaries whose enrolment covers some of the month."""
    return list(
        db.session.scalars(
            select(Beneficiary)
            .where(
                Beneficiary.status == ACTIVE,
                Beneficiary.starts_on <= period.last_day,
                or_(Beneficiary.ends_on.is_(None), Beneficiary.ends_on >= period.first_day),
            )
            .order_by(Beneficiary.programme_id, Beneficiary.created_at, Beneficiary.id)
        )
    )


def generate_schedule(period_text: Any, *, actor: str, now: datetime | None = None) -> ScheduleReport:
    """One scheduled payment per active beneficiary for the month, once. Audited, committed."""
    period = parse_period(period_text, now=now)
    report = ScheduleReport(period=str(period))
    scheduled = set(
        db.session.scalars(select(BenefitPayment.beneficiary_id).where(BenefitPayment.period == str(period)))
    )
    schedules: dict[uuid.UUID, BenefitSchedule] = {}
    for beneficiary in due_beneficiaries(period):
        if beneficiary.id in scheduled:
            report.already_scheduled += 1
            continue
        programme = beneficiary.programme
        if programme.id not in schedules:
            schedules[programme.id] = _schedule_of(programme, period, actor)
        schedule = schedules[programme.id]
        payment = BenefitPayment(
            id=uuid.uuid4(),
            schedule_id=schedule.id,
            beneficiary_id=beneficiary.id,
            programme_id=programme.id,
            citizen_id=beneficiary.citizen_id,
            period=str(period),
            amount_vnd=beneficiary.monthly_amount_vnd,
            planned_on=schedule.planned_on,
            channel=beneficiary.channel,
            status=SCHEDULED,
        )
        try:
            with db.session.begin_nested():
                db.session.add(payment)
        except IntegrityError:  # a concurrent run scheduled this one
            report.already_scheduled += 1
            continue
        report.created += 1
        report.amount_vnd += payment.amount_vnd
        report.by_programme[programme.code] += 1
    record_audit(
        "benefit.schedule",
        actor=actor,
        target=f"benefit_period:{period}",
        created=report.created,
        already_scheduled=report.already_scheduled,
    )
    db.session.commit()
    return report


def schedule_current_month(now: datetime | None = None) -> ScheduleReport:
    """The scheduler's daily job: this month's schedule, including anyone enrolled since."""
    return generate_schedule(str(current_period(now)), actor="scheduler", now=now)


# ---- paying -----------------------------------------------------------------------------------


@dataclass
class PayReport:
    period: str
    sent: int = 0
    amount_vnd: int = 0
    by_channel: Counter = field(default_factory=Counter)
    # Scheduled, but the beneficiary was suspended since: kept for an officer to decide.
    held: int = 0
    # Scheduled, but the beneficiary's enrolment ended before the month: never to be sent.
    cancelled: int = 0


def _description(payment: BenefitPayment) -> str:
    month, year = payment.period[5:], payment.period[:4]
    return f"{payment.programme.name} tháng {month}/{year}"


def _send(payment: BenefitPayment, beneficiary: Beneficiary) -> str:
    """Hand one payment to its channel; returns the channel used. Not committed."""
    if wallet.account_of(payment.citizen_id) is not None:
        try:
            payout = wallet.record_payout(
                payment.citizen_id,
                amount_vnd=payment.amount_vnd,
                purpose=PAYOUT_PURPOSE,
                reference=str(payment.id),
                description=_description(payment),
            )
        except ApiError:
            payout = None  # unlinked at this very moment: paid through the beneficiary's channel
        if payout is not None:
            db.session.flush()
            payment.channel, payment.payout_id = E_WALLET, payout.id
            return E_WALLET
    # Without a linked account the e-wallet cannot be paid into: the post office pays in cash.
    payment.channel = beneficiary.channel if beneficiary.channel != E_WALLET else CASH
    return payment.channel


def pay_period(period_text: Any, *, actor: str, now: datetime | None = None) -> PayReport:
    """Send every scheduled, unsent payment of the month to its channel. Audited.

    Each payment is claimed, sent and committed on its own: one that cannot be sent (the wallet
    refuses, the database drops the connection) leaves the ones before it sent and itself unsent,
    and running the period again sends the rest, never one twice. A suspended beneficiary's
    payment is held; an ended one's is sent when the enrolment covered some of the month, and
    cancelled (with the reason) when it ended before. 409 when the month has no schedule yet.
    """
    period = parse_period(period_text, now=now)
    sent_at = now or utcnow()
    if (
        db.session.scalar(select(BenefitSchedule.id).where(BenefitSchedule.period == str(period)).limit(1))
        is None
    ):
        raise ApiError(
            409,
            "schedule_not_generated",
            f"Chưa lập danh sách chi trả kỳ {period.label}; hãy lập danh sách trước khi chi trả.",
        )
    report = PayReport(period=str(period))
    waiting = db.session.scalars(
        select(BenefitPayment.id)
        .where(
            BenefitPayment.period == str(period),
            BenefitPayment.status == SCHEDULED,
            BenefitPayment.sent_at.is_(None),
        )
        .order_by(BenefitPayment.programme_id, BenefitPayment.id)
    ).all()
    try:
        for payment_id in waiting:
            outcome, channel, amount = _pay_one(payment_id, period, sent_at, actor)
            db.session.commit()
            # counted once committed: an interrupted run's audit says what really went out
            if outcome == "sent":
                report.sent += 1
                report.amount_vnd += amount
                report.by_channel[channel] += 1
            elif outcome == "held":
                report.held += 1
            elif outcome == "cancelled":
                report.cancelled += 1
    except Exception:
        db.session.rollback()
        _audit_pay(period, actor, report, interrupted=True)
        db.session.commit()
        raise
    db.session.execute(
        update(BenefitSchedule)
        .where(BenefitSchedule.period == str(period))
        .values(executed_at=sent_at, executed_by=actor)
        .execution_options(synchronize_session=False)
    )
    _audit_pay(period, actor, report)
    db.session.commit()
    return report


def _beneficiary_is(condition) -> Any:
    """EXISTS, in an UPDATE of benefit_payments: the row's beneficiary, as committed when the
    statement runs, meets `condition`."""
    return exists().where(Beneficiary.id == BenefitPayment.beneficiary_id, condition)


def _pay_one(
    payment_id: uuid.UUID, period: Period, sent_at: datetime, actor: str
) -> tuple[str | None, str | None, int]:
    """Claim one payment and hand it to its channel, or cancel or hold it. Not committed.

    Returns the outcome ("sent", "held", "cancelled", or None when a concurrent run took it),
    the channel used and the amount. The beneficiary's status is checked inside the claiming
    UPDATE, not read before it: a suspension committed a moment before is seen, and the payment
    is not sent.
    """
    payment = db.session.get(BenefitPayment, payment_id)
    pending = (
        BenefitPayment.id == payment_id,
        BenefitPayment.sent_at.is_(None),
        BenefitPayment.status == SCHEDULED,
    )
    # active, or ended on or after the month's first day: the enrolment covered some of the month
    payable = or_(
        Beneficiary.status == ACTIVE,
        and_(Beneficiary.status == ENDED, Beneficiary.ends_on >= period.first_day),
    )
    claimed = db.session.execute(
        update(BenefitPayment)
        .where(*pending, _beneficiary_is(payable))
        .values(sent_at=sent_at, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        db.session.refresh(payment)
        channel = _send(payment, db.session.get(Beneficiary, payment.beneficiary_id))
        return "sent", channel, payment.amount_vnd
    status, ends_on, decision = db.session.execute(
        select(Beneficiary.status, Beneficiary.ends_on, Beneficiary.status_reason).where(
            Beneficiary.id == payment.beneficiary_id
        )
    ).one()
    if status == SUSPENDED:
        return "held", None, 0
    if status != ENDED:
        return None, None, 0  # sent by a concurrent run, or re-enrolled since the claim
    ended_before = and_(
        Beneficiary.status == ENDED,
        or_(Beneficiary.ends_on.is_(None), Beneficiary.ends_on < period.first_day),
    )
    now = utcnow()
    cancelled = db.session.execute(
        update(BenefitPayment)
        .where(*pending, _beneficiary_is(ended_before))
        .values(
            status=CANCELLED,
            failure_reason=_cancel_reason(ends_on or period.first_day - timedelta(days=1), decision),
            settled_at=now,
            settled_by=actor,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return ("cancelled" if cancelled else None), None, 0


def _audit_pay(period: Period, actor: str, report: PayReport, *, interrupted: bool = False) -> None:
    record_audit(
        "benefit.pay",
        actor=actor,
        target=f"benefit_period:{period}",
        sent=report.sent,
        held=report.held,
        cancelled=report.cancelled,
        by_channel=dict(report.by_channel),
        interrupted=interrupted,
    )


# ---- settling ---------------------------------------------------------------------------------


def get_payment(payment_id: uuid.UUID) -> BenefitPayment:
    payment = db.session.get(BenefitPayment, payment_id)
    if payment is None:
        raise payment_not_found()
    return payment


def _event(payment: BenefitPayment) -> None:
    record_event(
        EVENTS[payment.status],
        aggregate_type="benefit_payment",
        aggregate_id=payment.id,
        recipient=payment.citizen_id,
        payload={
            "payment_id": str(payment.id),
            "programme_code": payment.programme.code,
            "programme": payment.programme.name,
            "period": payment.period,
            "amount_vnd": payment.amount_vnd,
            "amount": format_vnd(payment.amount_vnd),
            "channel": payment.channel,
            "channel_name": CHANNEL_NAMES[payment.channel],
            "status": payment.status,
            "status_name": PAYMENT_STATUS_NAMES[payment.status],
            "reason": payment.failure_reason,
        },
    )


def settle_payment(
    payment_id: uuid.UUID,
    *,
    status: str,
    actor: str,
    reason: str | None = None,
    paid_at: datetime | None = None,
) -> BenefitPayment:
    """The channel's answer for one payment: paid, failed (with a reason) or returned (with one).

    409 for a payment already in that state, a move `SETTLEMENTS` does not allow, or a payment
    not yet sent. A cashless payment's wallet payout is settled in the same transaction.
    """
    if status not in PAYMENT_STATUSES or status in (SCHEDULED, CANCELLED):
        raise ValueError(f"not a settlement: {status!r}")
    reason = nfc(reason or "") or None
    if status in (FAILED, RETURNED) and not reason:
        raise ApiError(
            422,
            "reason_required",
            "Hãy ghi rõ lý do chi trả không thành công hoặc bị hoàn trả; lý do được báo cho công dân.",
            errors={"reason": ["Bắt buộc."]},
        )
    payment = get_payment(payment_id)
    current = payment.status
    if current == status:
        raise _already_settled(payment)
    if status not in SETTLEMENTS.get(current, ()):
        raise ApiError(
            409,
            "illegal_status_change",
            f"Khoản chi trả đang ở trạng thái '{PAYMENT_STATUS_NAMES[current]}', không thể chuyển sang "
            f"'{PAYMENT_STATUS_NAMES[status]}'.",
            payment_status=current,
            status_name=PAYMENT_STATUS_NAMES[current],
        )
    if current == SCHEDULED and payment.sent_at is None:
        raise ApiError(
            409,
            "payment_not_sent",
            f"Khoản chi trả kỳ {payment.period} chưa được chuyển cho kênh chi trả; hãy chi trả kỳ này trước.",
        )
    now = utcnow()
    values: dict[str, Any] = {"status": status, "settled_at": now, "settled_by": actor, "updated_at": now}
    if status == PAID:
        values.update(paid_at=paid_at or now, failure_reason=None)
    else:
        values["failure_reason"] = reason
    # False: another settlement won the race.
    if not compare_and_set(payment, BenefitPayment.status == current, **values):
        raise _already_settled(payment)
    if payment.payout_id is not None:
        payout = wallet.payout_by_id(payment.payout_id)
        if payout is not None:
            wallet.settle_payout(payout, status, reason)
    _event(payment)
    record_audit(
        "benefit.payment_settle",
        actor=actor,
        target=f"benefit_payment:{payment.id}",
        status=status,
        previous=current,
        reason=reason,
    )
    db.session.commit()
    return payment


def _already_settled(payment: BenefitPayment) -> ApiError:
    return ApiError(
        409,
        "payment_already_settled",
        f"Khoản chi trả kỳ {payment.period} đã ở trạng thái '{PAYMENT_STATUS_NAMES[payment.status]}'.",
        payment_status=payment.status,
        status_name=PAYMENT_STATUS_NAMES[payment.status],
    )


# ---- the citizen's own ------------------------------------------------------------------------


@dataclass(frozen=True)
class MyBenefits:
    enrolments: list[Beneficiary]
    latest_payments: list[BenefitPayment]
    e_payment_account_linked: bool

    @property
    def cashless_hint(self) -> str | None:
        if self.e_payment_account_linked or not self.enrolments:
            return None
        return (
            "Liên kết tài khoản thanh toán điện tử trên ứng dụng để nhận trợ cấp không dùng tiền mặt, "
            "không phải đến điểm chi trả."
        )


def my_benefits(citizen_id: uuid.UUID) -> MyBenefits:
    enrolments = db.session.scalars(
        select(Beneficiary).where(Beneficiary.citizen_id == citizen_id).order_by(Beneficiary.starts_on)
    ).all()
    latest = db.session.scalars(my_payments(citizen_id).limit(LATEST_PAYMENTS)).all()
    return MyBenefits(list(enrolments), list(latest), wallet.account_of(citizen_id) is not None)


def my_payments(citizen_id: uuid.UUID, period: Period | None = None) -> Select:
    """The citizen's payments, newest month first."""
    statement = select(BenefitPayment).where(BenefitPayment.citizen_id == citizen_id)
    if period is not None:
        statement = statement.where(BenefitPayment.period == str(period))
    return statement.order_by(
        BenefitPayment.period.desc(), BenefitPayment.planned_on.desc(), BenefitPayment.id
    )


def my_payment(citizen_id: uuid.UUID, payment_id: uuid.UUID) -> BenefitPayment:
    payment = db.session.get(BenefitPayment, payment_id)
    if payment is None or payment.citizen_id != citizen_id:
        raise payment_not_found()
    return payment


# ---- statistics -------------------------------------------------------------------------------


@dataclass
class Tally:
    count: int = 0
    amount_vnd: int = 0

    def add(self, count: int, amount: int) -> None:
        self.count += count
        self.amount_vnd += amount


@dataclass
class ProgrammeStatistics:
    programme_code: str
    programme_name: str
    period: str
    active_beneficiaries: int = 0
    scheduled: Tally = field(default_factory=Tally)  # every payment of the month, whatever its state
    waiting: Tally = field(default_factory=Tally)  # still `scheduled`
    paid: Tally = field(default_factory=Tally)
    failed: Tally = field(default_factory=Tally)
    returned: Tally = field(default_factory=Tally)
    cancelled: Tally = field(default_factory=Tally)  # never sent: the enrolment ended before the month
    cashless_paid: Tally = field(default_factory=Tally)
    paid_by_channel: dict[str, Tally] = field(default_factory=dict)

    @property
    def beneficiaries(self) -> int:
        """Beneficiaries on the month's schedule (one payment each)."""
        return self.scheduled.count

    @property
    def cashless_ratio_by_count(self) -> float | None:
        return _ratio(self.cashless_paid.count, self.paid.count)

    @property
    def cashless_ratio_by_amount(self) -> float | None:
        return _ratio(self.cashless_paid.amount_vnd, self.paid.amount_vnd)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Statistics:
    period: str
    programmes: list[ProgrammeStatistics]
    total: ProgrammeStatistics


def statistics(period: Period, *, programme: str | None = None) -> Statistics:
    """Per programme and in total for a month: beneficiaries, amounts scheduled, paid, failed and
    returned, and the cashless ratio (cashless paid / all paid, by count and by amount)."""
    chosen = programmes()
    if programme:
        found = programme_by_code(programme)
        if found is None:
            raise _programme_not_found(programme)
        chosen = [found]
    rows = {
        p.id: ProgrammeStatistics(programme_code=p.code, programme_name=p.name, period=str(period))
        for p in chosen
    }
    total = ProgrammeStatistics(programme_code="*", programme_name="Tất cả chế độ", period=str(period))
    grouped = db.session.execute(
        select(
            BenefitPayment.programme_id,
            BenefitPayment.status,
            BenefitPayment.channel,
            func.count(),
            func.coalesce(func.sum(BenefitPayment.amount_vnd), 0),
        )
        .where(BenefitPayment.period == str(period), BenefitPayment.programme_id.in_(list(rows)))
        .group_by(BenefitPayment.programme_id, BenefitPayment.status, BenefitPayment.channel)
    )
    for programme_id, status, channel, count, amount in grouped:
        amount = int(amount)  # PostgreSQL sums BIGINT as NUMERIC
        for stats in (rows[programme_id], total):
            stats.scheduled.add(count, amount)
            getattr(stats, "waiting" if status == SCHEDULED else status).add(count, amount)
            if status == PAID:
                stats.paid_by_channel.setdefault(channel, Tally()).add(count, amount)
                if channel in CASHLESS_CHANNELS:
                    stats.cashless_paid.add(count, amount)
    active = db.session.execute(
        select(Beneficiary.programme_id, func.count())
        .where(Beneficiary.status == ACTIVE, Beneficiary.programme_id.in_(list(rows)))
        .group_by(Beneficiary.programme_id)
    )
    for programme_id, count in active:
        rows[programme_id].active_beneficiaries = count
        total.active_beneficiaries += count
    return Statistics(period=str(period), programmes=list(rows.values()), total=total)
