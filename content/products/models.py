"""Local products (M22): sellers (household businesses), their products and product images.

A seller is one citizen's household business: its identity comes from the citizen's account
(the CCCD in the registry), never typed, so the row keeps only `citizen_id`. Only a verified
seller's approved products are public.

Search is accent-insensitive on SQLite and PostgreSQL alike because it never relies on a
database's collation: `search_name` and `search_text` hold the folded words (api/text.fold,
punctuation as spaces) padded with a space on each side, and a query word matches the start of
a word (`LIKE '% ca%'`). Both are rewritten whenever what they are made of changes (the product,
its seller's name).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db

# Seller status
PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"
SELLER_STATUSES = (PENDING, VERIFIED, REJECTED)
SELLER_STATUS_NAMES = {PENDING: "Chờ xác minh", VERIFIED: "Đã xác minh", REJECTED: "Bị từ chối"}
# Product status (moderation)
APPROVED = "approved"
PRODUCT_STATUSES = (PENDING, APPROVED, REJECTED)
PRODUCT_STATUS_NAMES = {PENDING: "Chờ duyệt", APPROVED: "Đã duyệt, đang hiển thị", REJECTED: "Bị từ chối"}


class ProductSeller(db.Model):
    __tablename__ = "product_sellers"
    __table_args__ = (
        # One live claim per registration number: a rejected claim does not block the rightful
        # owner. The service checks first and answers 409; this holds the line under a race.
        Index(
            "uq_product_sellers_registration_live",
            "registration_number",
            unique=True,
            sqlite_where=text("status != 'rejected'"),
            postgresql_where=text("status != 'rejected'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    citizen_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("citizens.id"), unique=True)
    business_name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str] = mapped_column(String(20))
    ward_code: Mapped[str] = mapped_column(String(5), index=True)
    phone: Mapped[str] = mapped_column(String(15))
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))  # "staff:<uuid>"
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Staff decide on the version they read: an edit in between makes their decision fail (409).
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    products: Mapped[list[Product]] = relationship(back_populates="seller")


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        # The public list: approved products by category, best OCOP rating and newest first.
        Index("ix_products_public", "status", "category", "ocop_stars", "approved_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    seller_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("product_sellers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str | None] = mapped_column(String(20), index=True)
    # OCOP: 3-5 stars with the certificate's number and year, or all three empty.
    ocop_stars: Mapped[int | None] = mapped_column(SmallInteger)
    ocop_certificate_number: Mapped[str | None] = mapped_column(String(60))
    ocop_year: Mapped[int | None] = mapped_column(SmallInteger)
    price_vnd: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(10))
    ward_code: Mapped[str] = mapped_column(String(5), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(15))  # the seller's phone when empty
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    search_name: Mapped[str] = mapped_column(String(260), default=" ")
    search_text: Mapped[str] = mapped_column(Text, default=" ")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    seller: Mapped[ProductSeller] = relationship(back_populates="products")
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="ProductImage.created_at",
    )


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    product_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("products.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship(back_populates="images")
