"""Beneficiaries: enrolling a citizen in a programme (and re-enrolling one whose enrolment
ended), the officers' list, and suspending, resuming or ending an enrolment."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.benefits.models import (
    ACTIVE,
    BENEFICIARY_STATUS_NAMES,
    CASH,
    Beneficiary,
    BenefitPayment,
    BenefitProgramme,
)
from api.benefits.periods import Period
from api.benefits.programmes import programme_by_code, programme_not_found
from api.benefits.workflow import BENEFICIARIES, DECISIONS, PAYMENTS
from api.citizens import service as citizens
from api.concurrency import compare_and_set
from api.dbtypes import utcnow
from api.errors import ApiError
from api.events import record_event
from api.extensions import db
from api.text import nfc
from api.workdays import local_date

EVENT_BENEFICIARY_STATUS = "benefit.beneficiary_status_changed"
MIN_REASON_LENGTH = 10


def enrol(data: dict[str, Any], *, actor: str) -> Beneficiary:
    """Enrol the citizen holding `data["cccd"]` (already checked as a CCCD) in a programme.

    422 when no citizen of the registry holds that CCCD or the programme is unknown; 409 when the
    citizen is enrolled in it and not ended (a suspension is lifted, not enrolled over). When that
    enrolment ended, the new decision re-enrols it (`_re_enrol`). Audited.
    """
    programme = programme_by_code(data["programme"])
    if programme is None:
        raise programme_not_found(data["programme"])
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
        if "re_enrol" not in BENEFICIARIES.allowed(existing.status):  # enrolled, or suspended
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
    re_enrol = BENEFICIARIES["re_enrol"]
    moved = compare_and_set(
        beneficiary,
        BENEFICIARIES.from_condition(Beneficiary.status, re_enrol),
        status=re_enrol.to_status,
        status_reason=None,
        monthly_amount_vnd=amount,
        starts_on=starts_on,
        ends_on=ends_on,
        channel=channel,
        channel_detail=data.get("channel_detail"),
        enrolled_by=actor,
        updated_at=utcnow(),
    )
    if not moved:  # another officer re-enrolled the citizen at the same moment
        raise _already_enrolled(programme)
    rescheduled = cancelled = 0
    reason = cancel_reason(old_end, previous["status_reason"])
    leftovers = db.session.scalars(
        select(BenefitPayment).where(
            BenefitPayment.beneficiary_id == beneficiary.id,
            BenefitPayment.sent_at.is_(None),
            PAYMENTS.from_condition(BenefitPayment.status, "reschedule"),
            BenefitPayment.period > str(Period.of(old_end)),
        )
    ).all()
    for payment in leftovers:
        month = _period_of(payment.period)
        if month.first_day >= starts_on and (ends_on is None or month.first_day <= ends_on):
            payment.status = PAYMENTS.next_status("reschedule", payment.status)
            payment.amount_vnd, payment.channel = amount, channel
            payment.failure_reason = payment.settled_at = payment.settled_by = None
            rescheduled += 1
        elif "cancel" in PAYMENTS.allowed(payment.status):
            payment.status, payment.failure_reason = PAYMENTS.next_status("cancel", payment.status), reason
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
    return beneficiary


def _period_of(text: str) -> Period:
    return Period(int(text[:4]), int(text[5:7]))


def cancel_reason(ends_on: date, decision: str | None) -> str:
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
            raise programme_not_found(programme)
        statement = statement.where(Beneficiary.programme_id == found.id)
    if status:
        statement = statement.where(Beneficiary.status == status)
    record_audit("benefit.beneficiary_search", actor=actor, programme=programme, status=status)
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

    Only the decisions of `workflow.BENEFICIARIES` (409 otherwise); the decision's reason is required, since
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
    decision = BENEFICIARIES[DECISIONS[status]]
    if decision.name not in BENEFICIARIES.allowed(current):
        raise ApiError(
            409,
            "illegal_status_change",
            f"Người hưởng đang ở trạng thái '{BENEFICIARY_STATUS_NAMES[current]}', không thể chuyển sang "
            f"'{BENEFICIARY_STATUS_NAMES[status]}'.",
            beneficiary_status=current,
        )
    values: dict[str, Any] = {"status": status, "status_reason": reason, "updated_at": utcnow()}
    if decision.name == "end":
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
    return beneficiary
