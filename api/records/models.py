"""Personal records (M33, M34): copies of the national systems' data, and who has looked at them.

The app never becomes a second source of truth (Đề án 06): every row here is a copy brought in
by a connector (api/records/connectors.py), keyed by the sending system's own id so that a
re-sent feed updates the copy instead of doubling it, and stamped with when it was synced.

    land_certificates ──< land_certificate_owners     giấy chứng nhận quyền sử dụng đất (M34)
    health_records                                     sổ sức khỏe điện tử (M33): one row per
                                                       visit, vaccination, chronic condition or
                                                       health-insurance card, told apart by `kind`
    labour_records                                     sổ lao động / bảo hiểm xã hội (M33): one
                                                       row per employment period
    record_accesses                                    who read a citizen's records, shown to them

Every record row carries `source` (the connector's name), `source_id` (unique per source),
`synced_at`, `row_hash` (a digest of the synced values: an import compares it to tell an
unchanged row from a changed one without reading the row back) and the matched `citizen_id`;
a certificate has several owners, so its citizens are on `land_certificate_owners`.

The import's Python path (SQLite) derives a record's primary key from (record type, source,
source_id) (service.record_id), so it writes a certificate and its owners without reading ids
back; the set-based path (PostgreSQL, bulk.py) draws them and joins owners to certificates by
(source, source_id) in SQL. Nothing relies on an id's value, and citizens never see ids: their
views have none.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

LAND, HEALTH, LABOUR = "land", "health", "labour"
RECORD_TYPES = (LAND, HEALTH, LABOUR)
RECORD_TYPE_NAMES = {
    LAND: "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở",
    HEALTH: "Sổ sức khỏe điện tử",
    LABOUR: "Sổ lao động và bảo hiểm xã hội",
}

# Land certificate statuses as the land registry reports them.
LAND_VALID, LAND_MORTGAGED, LAND_REVOKED = "valid", "mortgaged", "revoked"
LAND_STATUSES = (LAND_VALID, LAND_MORTGAGED, LAND_REVOKED)
LAND_STATUS_NAMES = {
    LAND_VALID: "Còn hiệu lực",
    LAND_MORTGAGED: "Đang thế chấp",
    LAND_REVOKED: "Đã thu hồi",
}

# The kinds of entry in the health book.
VISIT, VACCINATION, CONDITION, INSURANCE_CARD = "visit", "vaccination", "condition", "insurance_card"
HEALTH_KINDS = (VISIT, VACCINATION, CONDITION, INSURANCE_CARD)


class LandCertificate(db.Model):
    __tablename__ = "land_certificates"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_land_certificates_source"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(80))
    # Số vào sổ cấp GCN / số phát hành, as printed on the certificate ("CS 01234", "DA 123456").
    certificate_number: Mapped[str] = mapped_column(String(40))
    parcel_number: Mapped[str] = mapped_column(String(20))  # thửa đất số
    map_sheet: Mapped[str] = mapped_column(String(20))  # tờ bản đồ số
    area_m2: Mapped[Decimal] = mapped_column(Numeric(12, 1))  # the registry records tenths of m²
    land_use_purpose: Mapped[str] = mapped_column(String(200))  # mục đích sử dụng, "Đất ở tại đô thị"
    address: Mapped[str] = mapped_column(String(300))
    ward_code: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10))  # LAND_STATUSES
    issued_on: Mapped[date] = mapped_column(Date)
    row_hash: Mapped[str] = mapped_column(String(32))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LandCertificateOwner(db.Model):
    """One owner of a certificate (husband and wife, heirs...), matched to the registry by CCCD."""

    __tablename__ = "land_certificate_owners"

    certificate_id: Mapped[uuid.UUID] = mapped_column(
        UUID, ForeignKey("land_certificates.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # order on the certificate
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))  # as the registry spells it, NFC


class HealthRecord(db.Model):
    """One entry of the electronic health book; the columns a kind does not use stay empty.

    visit:          on (date), facility, description (diagnosis), icd10_code (optional)
    vaccination:    on, facility (place), description (vaccine), dose
    condition:      on (diagnosed, optional), description, icd10_code (optional)
    insurance_card: card_number, valid_from, valid_to, facility (registered facility, KCB ban đầu)
    """

    __tablename__ = "health_records"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_health_records_source"),
        Index("ix_health_records_citizen_kind", "citizen_id", "kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(80))
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"))
    kind: Mapped[str] = mapped_column(String(16))  # HEALTH_KINDS
    on: Mapped[date | None] = mapped_column(Date)
    facility: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    icd10_code: Mapped[str | None] = mapped_column(String(8))
    dose: Mapped[int | None] = mapped_column(SmallInteger)
    card_number: Mapped[str | None] = mapped_column(String(15))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    row_hash: Mapped[str] = mapped_column(String(32))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LabourRecord(db.Model):
    """One employment period from the social-insurance database (BHXH), with the months paid in it.

    The current employer is the period without an end; the social-insurance book number (mã số
    BHXH) is the person's, repeated on each period as the source sends it.
    """

    __tablename__ = "labour_records"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_labour_records_source"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(80))
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), index=True)
    social_insurance_number: Mapped[str] = mapped_column(String(10))
    employer: Mapped[str] = mapped_column(String(200))
    employer_tax_code: Mapped[str | None] = mapped_column(String(14))
    position: Mapped[str | None] = mapped_column(String(120))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    contribution_months: Mapped[int] = mapped_column(SmallInteger, default=0)
    row_hash: Mapped[str] = mapped_column(String(32))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecordAccess(db.Model):
    """Someone other than the citizen read their records ("ai đã xem dữ liệu của tôi")."""

    __tablename__ = "record_accesses"
    __table_args__ = (Index("ix_record_accesses_citizen_at", "citizen_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"))
    # "staff:<uuid>", "service:<uuid>", "connector:<name>"
    accessor: Mapped[str] = mapped_column(String(64))
    accessor_name: Mapped[str] = mapped_column(String(120))  # what the citizen reads: a person, a system
    purpose: Mapped[str] = mapped_column(Text)
    record_type: Mapped[str] = mapped_column(String(10))  # one of RECORD_TYPES, or "all"
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
