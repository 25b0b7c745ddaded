"""Social-benefit programmes, their beneficiaries and the monthly payments (M36).

A programme (chế độ trợ cấp) is set by law with a reference monthly amount. A beneficiary (đối
tượng hưởng) is a citizen of the registry, found by CCCD, enrolled in one programme from a month
on, with the channel they asked to be paid through. Each month the schedule (danh sách chi trả)
gives every active beneficiary one payment; executing it pays cashless through the wallet when
the citizen has linked an e-payment account, otherwise through their own channel (cash at the
ward's post office, most often). The channel then reports back:

    scheduled (chờ chi trả) ─settle→ paid (đã chi trả) ─settle→ returned (bị hoàn trả)
        ├────────────────────settle→ failed (chi trả không thành công)
        └─pay, the beneficiary ended before the month→ cancelled (đã huỷ)

Money is whole đồng in integers.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

# ---- beneficiaries --------------------------------------------------------------------------

ACTIVE, SUSPENDED, ENDED = "active", "suspended", "ended"
BENEFICIARY_STATUSES = (ACTIVE, SUSPENDED, ENDED)
BENEFICIARY_STATUS_NAMES = {ACTIVE: "Đang hưởng", SUSPENDED: "Tạm dừng hưởng", ENDED: "Thôi hưởng"}
# How a beneficiary moves between them: api/benefits/workflow.py.

# ---- channels -------------------------------------------------------------------------------

E_WALLET, BANK, TELECOM_MONEY, CASH = "e_wallet", "bank", "telecom_money", "cash"
CHANNELS = (E_WALLET, BANK, TELECOM_MONEY, CASH)
# Thanh toán không dùng tiền mặt (M36): the e-payment account, a bank account or Mobile Money.
CASHLESS_CHANNELS = (E_WALLET, BANK, TELECOM_MONEY)
CHANNEL_NAMES = {
    E_WALLET: "Tài khoản thanh toán điện tử đã liên kết trên ứng dụng",
    BANK: "Chuyển khoản vào tài khoản ngân hàng",
    TELECOM_MONEY: "Tài khoản Mobile Money (viễn thông)",
    CASH: "Tiền mặt tại điểm chi trả (bưu điện phường, xã)",
}

# ---- payments -------------------------------------------------------------------------------

SCHEDULED, PAID, FAILED, RETURNED = "scheduled", "paid", "failed", "returned"
# Never sent: the beneficiary's enrolment ended before the month (service.pay_period), the
# reason in failure_reason. Fits status's String(10).
CANCELLED = "cancelled"
PAYMENT_STATUSES = (SCHEDULED, PAID, FAILED, RETURNED, CANCELLED)
PAYMENT_STATUS_NAMES = {
    SCHEDULED: "Chờ chi trả",
    PAID: "Đã chi trả",
    FAILED: "Chi trả không thành công",
    RETURNED: "Bị hoàn trả",
    CANCELLED: "Đã huỷ",
}
# How a payment moves between them: api/benefits/workflow.py.

# The kind of payout a benefit is to the wallet (wallet.service.record_payout).
PAYOUT_PURPOSE = "benefit"


class BenefitProgramme(db.Model):
    __tablename__ = "benefit_programmes"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    # "TCXH", "NCC": the short code officers and the statistics use.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(300))  # "Nghị định 20/2021/NĐ-CP"
    # The reference amount; a beneficiary's own amount (hệ số × mức chuẩn) may differ.
    monthly_amount_vnd: Mapped[int] = mapped_column(BigInteger)
    # Day of the month the payment is planned for (moved to the next working day).
    payment_day: Mapped[int] = mapped_column(SmallInteger, default=10)
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Beneficiary(db.Model):
    __tablename__ = "benefit_beneficiaries"
    __table_args__ = (UniqueConstraint("programme_id", "citizen_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    programme_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("benefit_programmes.id"), index=True)
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    # The key of the social-assistance database, kept so the officers' list needs no other table.
    cccd: Mapped[str] = mapped_column(String(12), index=True)
    monthly_amount_vnd: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)  # first day of the first month paid
    ends_on: Mapped[date | None] = mapped_column(Date)  # last day covered; None: open-ended
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE)
    channel: Mapped[str] = mapped_column(String(16), default=CASH)  # preferred when no account is linked
    # Where, for people: "Bưu điện Phường Buôn Ma Thuột", "Vietcombank ****1234".
    channel_detail: Mapped[str | None] = mapped_column(String(200))
    enrolled_by: Mapped[str] = mapped_column(String(64))
    # Why the last suspension, resumption or end happened (the decision's number and ground):
    # the citizen is told, and the next officer must not have to ask.
    status_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programme: Mapped[BenefitProgramme] = relationship(lazy="joined")


class BenefitSchedule(db.Model):
    """The month's payment list of one programme (danh sách chi trả tháng)."""

    __tablename__ = "benefit_schedules"
    __table_args__ = (UniqueConstraint("programme_id", "period"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    programme_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("benefit_programmes.id"))
    period: Mapped[str] = mapped_column(String(7))  # "2025-11"
    planned_on: Mapped[date] = mapped_column(Date)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by: Mapped[str] = mapped_column(String(64))
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    executed_by: Mapped[str | None] = mapped_column(String(64))


class BenefitPayment(db.Model):
    __tablename__ = "benefit_payments"
    __table_args__ = (
        # Once per beneficiary and month, however often the schedule is generated.
        UniqueConstraint("beneficiary_id", "period"),
        # The statistics' and the payment run's query.
        Index("ix_benefit_payments_period_programme", "period", "programme_id"),
    )

    # Opaque: the citizen reaches a payment by id in URLs.
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    schedule_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("benefit_schedules.id"), index=True)
    beneficiary_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("benefit_beneficiaries.id"))
    programme_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("benefit_programmes.id"))
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    planned_on: Mapped[date] = mapped_column(Date)
    # The beneficiary's channel when scheduled; the one actually used once sent.
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10), default=SCHEDULED)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # handed to the channel
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure_reason: Mapped[str | None] = mapped_column(Text)  # why it failed, came back or was cancelled
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_by: Mapped[str | None] = mapped_column(String(64))
    # The wallet's payout when paid cashless (no foreign key: the wallet owns its tables).
    payout_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programme: Mapped[BenefitProgramme] = relationship(lazy="joined")
