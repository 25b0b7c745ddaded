"""Citizens: accounts keyed by CCCD, and their digital address (M23)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db


class Citizen(db.Model):
    __tablename__ = "citizens"

    # Opaque id for URLs and tokens; the CCCD is personal data and never appears in a URL.
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    cccd: Mapped[str] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))  # "male" | "female"
    phone: Mapped[str | None] = mapped_column(String(15))
    # Ward of permanent residence (5-digit code of a post-2025 ward); may be unknown for an
    # account first created by single sign-on until the citizen sets it.
    ward_code: Mapped[str | None] = mapped_column(String(5), index=True)
    identity_level: Mapped[int] = mapped_column(SmallInteger, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    digital_address: Mapped[DigitalAddress | None] = relationship(
        back_populates="citizen", uselist=False, cascade="all, delete-orphan"
    )


class DigitalAddress(db.Model):
    """The citizen's digital address: a street address tied to a post-2025 ward (M23)."""

    __tablename__ = "digital_addresses"

    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), primary_key=True)
    ward_code: Mapped[str] = mapped_column(String(5))
    street: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    citizen: Mapped[Citizen] = relationship(back_populates="digital_address")
