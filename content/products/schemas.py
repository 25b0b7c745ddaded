"""What the local-product endpoints take and give.

The public view of a product names its seller's business, ward and contact phone, never the
owner's CCCD or account; the staff view of a seller carries the owner's name and CCCD from the
registry (an audited read). Unknown fields are refused (flask-smorest's RAISE); the rules that
need the database or each other (OCOP, wards in the province, the registration number) are the
service's, with their own stable codes.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from marshmallow.validate import Length, OneOf, Range

from api.citizens import service as citizens
from api.citizens.schemas import WardRefSchema
from api.fields import AmountVnd, VietnamDateTime, computed
from api.text import format_vnd
from content.products import service
from content.products.catalogue import CATEGORIES, CATEGORY_BY_CODE, KIND_BY_CODE, UNITS
from content.products.models import (
    PRODUCT_STATUS_NAMES,
    PRODUCT_STATUSES,
    SELLER_STATUS_NAMES,
    SELLER_STATUSES,
)

_WARD_CODE = validate.Regexp(r"^\d{5}$", error="Mã phường/xã gồm 5 chữ số.")


class StrictInteger(fields.Integer):
    """A JSON integer: "4" as a string, 4.0 or true is a client bug."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


# ---- in -----------------------------------------------------------------------------------------


class SellerInSchema(Schema):
    """Register a household business. The owner's CCCD is the signed-in citizen's own."""

    business_name = fields.String(
        required=True, validate=Length(max=200), metadata={"example": "Hộ kinh doanh Cà phê Ea Tam"}
    )
    registration_number = fields.String(
        required=True,
        validate=Length(max=30),
        metadata={
            "description": "mã số thuế của hộ (10 hoặc 13 chữ số), số định danh cá nhân của chủ hộ, "
            "hoặc số giấy chứng nhận đăng ký hộ kinh doanh cũ",
            "example": "6001234566",
        },
    )
    ward_code = fields.String(required=True, validate=_WARD_CODE, metadata={"example": "24133"})
    phone = fields.String(required=True, validate=Length(max=20), metadata={"example": "0912345678"})


class SellerPatchSchema(Schema):
    business_name = fields.String(validate=Length(max=200))
    registration_number = fields.String(validate=Length(max=30))
    ward_code = fields.String(validate=_WARD_CODE)
    phone = fields.String(validate=Length(max=20))


class ProductInSchema(Schema):
    name = fields.String(required=True, validate=Length(max=service.NAME_MAX))
    description = fields.String(required=True, validate=Length(max=service.DESCRIPTION_MAX))
    category = fields.String(
        required=True,
        validate=Length(max=30),
        metadata={"description": "nhóm sản phẩm: " + ", ".join(c.code for c in CATEGORIES)},
    )
    kind = fields.String(
        allow_none=True,
        validate=Length(max=20),
        metadata={"description": "loại sản phẩm (để trống: nhận ra từ tên): " + ", ".join(KIND_BY_CODE)},
    )
    # The service checks the stars and the year, with codes of their own; their bounds are documented.
    ocop_stars = StrictInteger(
        allow_none=True,
        metadata={
            "description": "hạng OCOP 3–5 sao; để trống khi chưa được chứng nhận",
            "minimum": min(service.OCOP_STARS),
            "maximum": max(service.OCOP_STARS),
        },
    )
    ocop_certificate_number = fields.String(allow_none=True, validate=Length(max=60))
    ocop_year = StrictInteger(
        allow_none=True,
        metadata={
            "description": "năm được chứng nhận OCOP, đến năm nay",
            "minimum": service.OCOP_FIRST_YEAR,
            "maximum": 9999,
        },
    )
    price_vnd = AmountVnd(required=True, metadata={"description": "giá một đơn vị bán, đồng"})
    unit = fields.String(required=True, validate=Length(max=10), metadata={"description": ", ".join(UNITS)})
    ward_code = fields.String(
        allow_none=True,
        validate=_WARD_CODE,
        metadata={"description": "nơi sản xuất; mặc định phường, xã của người bán"},
    )
    contact_phone = fields.String(
        allow_none=True,
        validate=Length(max=20),
        metadata={"description": "số liên hệ mua hàng; mặc định số của người bán"},
    )


class ProductPatchSchema(ProductInSchema):
    """Only what changes; the product as a whole is checked again."""

    name = fields.String(validate=Length(max=service.NAME_MAX))
    description = fields.String(validate=Length(max=service.DESCRIPTION_MAX))
    category = fields.String(validate=Length(max=30))
    price_vnd = AmountVnd()
    unit = fields.String(validate=Length(max=10))

    @validates_schema
    def something(self, data, **kwargs):
        # An empty edit would still send an approved product back to review, for nothing.
        if not data:
            raise ValidationError("Không có trường nào để sửa.", "_schema")


class ImageUploadSchema(Schema):
    """multipart/form-data with one `file` part (JPEG or PNG), read by the view."""


class SearchQuerySchema(Schema):
    q = fields.String(
        validate=Length(max=200),
        metadata={"description": "từ khóa, có dấu hoặc không dấu", "example": "ca phe buon ma thuot"},
    )
    ward_code = fields.String(validate=_WARD_CODE)
    category = fields.String(validate=OneOf([c.code for c in CATEGORIES]))
    kind = fields.String(validate=OneOf(list(KIND_BY_CODE)))
    ocop_min = fields.Integer(
        validate=Range(1, 5), metadata={"description": "chỉ sản phẩm OCOP từ số sao này"}
    )
    price_min = fields.Integer(validate=Range(min=0, max=AmountVnd.MAXIMUM))
    price_max = fields.Integer(validate=Range(min=0, max=AmountVnd.MAXIMUM))


class MyProductsQuerySchema(Schema):
    status = fields.String(validate=OneOf(PRODUCT_STATUSES))


class SellerQueueQuerySchema(Schema):
    status = fields.String(validate=OneOf(SELLER_STATUSES))


class ProductQueueQuerySchema(Schema):
    status = fields.String(validate=OneOf(PRODUCT_STATUSES))
    category = fields.String(validate=OneOf([c.code for c in CATEGORIES]))


# A decision is on the version the moderator read: it is sent as If-Match (the ETag of the
# staff view), not in the body.
class SellerDecisionSchema(Schema):
    decision = fields.String(required=True, validate=OneOf(service.STAFF_DECISIONS_SELLER))
    reason = fields.String(validate=Length(max=1000), metadata={"description": "bắt buộc khi từ chối"})


class ProductDecisionSchema(Schema):
    decision = fields.String(required=True, validate=OneOf(service.STAFF_DECISIONS_PRODUCT))
    reason = fields.String(validate=Length(max=1000), metadata={"description": "bắt buộc khi từ chối"})


# ---- out ----------------------------------------------------------------------------------------


class CodeNameSchema(Schema):
    code = fields.String()
    name = fields.String()


class CatalogueSchema(Schema):
    categories = fields.List(fields.Nested(CodeNameSchema))
    kinds = fields.List(fields.Nested(CodeNameSchema))
    units = fields.List(fields.String())
    ocop_stars = fields.List(fields.Integer())
    price_max_vnd = fields.Integer()


def _ward(code):
    return citizens.ward_summary(code)


_WARD = fields.Nested(WardRefSchema, allow_none=True)


class SellerSchema(Schema):
    """The seller as its owner sees it."""

    id = fields.UUID()
    business_name = fields.String()
    registration_number = fields.String()
    ward = computed(lambda s: _ward(s.ward_code), _WARD)
    phone = fields.String()
    status = fields.String()
    status_name = computed(lambda s: SELLER_STATUS_NAMES[s.status], fields.String())
    reject_reason = fields.String(allow_none=True)
    decided_at = VietnamDateTime(allow_none=True)
    created_at = VietnamDateTime()
    version = fields.Integer()


class SellerOwnerSchema(Schema):
    full_name = fields.String()
    cccd = fields.String()
    identity_level = fields.Integer()
    ward = computed(lambda c: _ward(c.ward_code), _WARD)


class StaffSellerSchema(SellerSchema):
    """The seller with its owner from the registry: for verification, an audited read."""

    owner = computed(
        lambda s: SellerOwnerSchema().dump(service.owner_of(s)), fields.Nested(SellerOwnerSchema)
    )
    decided_by = fields.String(allow_none=True)
    product_count = computed(lambda s: len(s.products), fields.Integer())


def _masked_cccd(cccd: str | None) -> str | None:
    return "********" + cccd[-4:] if cccd else cccd


class MaskedSellerOwnerSchema(SellerOwnerSchema):
    cccd = computed(lambda c: _masked_cccd(c.cccd), fields.String(allow_none=True))


class StaffSellerDecisionSchema(StaffSellerSchema):
    """The answer to a decision: what changed, not another read of the owner's identity (the
    CCCD is shown whole only on the audited detail view, GET /staff/products/sellers/<id>)."""

    owner = computed(
        lambda s: MaskedSellerOwnerSchema().dump(service.owner_of(s)), fields.Nested(MaskedSellerOwnerSchema)
    )
    registration_number = computed(
        lambda s: service.masked_registration_number(s.registration_number), fields.String()
    )


class SellerQueueItemSchema(SellerSchema):
    """A line of the verification queue: the CCCD only on the audited detail view."""

    owner_name = computed(
        lambda s: getattr(service.owner_of(s), "full_name", None), fields.String(allow_none=True)
    )
    # Since July 2025 the number may be the owner's CCCD: shown whole only on the audited detail.
    registration_number = computed(
        lambda s: service.masked_registration_number(s.registration_number), fields.String()
    )


class PublicSellerSchema(Schema):
    id = fields.UUID()
    business_name = fields.String()
    ward = computed(lambda s: _ward(s.ward_code), _WARD)
    phone = fields.String(
        allow_none=True, metadata={"description": "chỉ khi sản phẩm không có số liên hệ riêng"}
    )


def _public_seller(product) -> dict:
    """The seller as buyers see it. Their own phone only when the product gives no contact of
    its own: a seller who lists another number for a product has not published theirs."""
    seller = PublicSellerSchema().dump(product.seller)
    if product.contact_phone:
        seller["phone"] = None
    return seller


def _image_path(product, image, scope: str) -> str:
    prefix = {"public": "/products", "seller": "/me/seller/products", "staff": "/staff/products"}[scope]
    return f"{prefix}/{product.id}/images/{image.id}"


class ImageLinkSchema(Schema):
    id = fields.UUID()
    content_type = fields.String()
    size_bytes = fields.Integer()
    url = fields.String(metadata={"description": "đường dẫn tải ảnh trên API này"})


def _images(scope: str):
    return computed(
        lambda p: [
            {
                "id": str(image.id),
                "content_type": image.content_type,
                "size_bytes": image.size_bytes,
                "url": _image_path(p, image, scope),
            }
            for image in p.images
        ],
        fields.List(fields.Nested(ImageLinkSchema)),
    )


class OcopSchema(Schema):
    stars = fields.Integer()
    certificate_number = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)


def _ocop(product):
    if not product.ocop_stars:
        return None
    return {
        "stars": product.ocop_stars,
        "certificate_number": product.ocop_certificate_number,
        "year": product.ocop_year,
    }


class ProductSchema(Schema):
    """A product as anyone sees it once approved."""

    id = fields.UUID()
    name = fields.String()
    description = fields.String()
    category = computed(
        lambda p: {"code": p.category, "name": CATEGORY_BY_CODE[p.category].name},
        fields.Nested(CodeNameSchema),
    )
    kind = computed(
        lambda p: {"code": p.kind, "name": KIND_BY_CODE[p.kind].name} if p.kind in KIND_BY_CODE else None,
        fields.Nested(CodeNameSchema, allow_none=True),
    )
    ocop = computed(_ocop, fields.Nested(OcopSchema, allow_none=True))
    ocop_stars = fields.Integer(allow_none=True)
    price_vnd = fields.Integer()
    price_text = computed(lambda p: f"{format_vnd(p.price_vnd)}/{p.unit}", fields.String())
    unit = fields.String()
    ward = computed(lambda p: _ward(p.ward_code), _WARD)
    contact_phone = computed(lambda p: p.contact_phone or p.seller.phone, fields.String(allow_none=True))
    seller = computed(_public_seller, fields.Nested(PublicSellerSchema))
    images = _images("public")
    approved_at = VietnamDateTime(allow_none=True)


class MyProductSchema(ProductSchema):
    """The seller's own product, whatever its moderation status."""

    images = _images("seller")
    status = fields.String()
    status_name = computed(lambda p: PRODUCT_STATUS_NAMES[p.status], fields.String())
    reject_reason = fields.String(allow_none=True)
    created_at = VietnamDateTime()
    updated_at = VietnamDateTime()
    version = fields.Integer()


class StaffProductSchema(MyProductSchema):
    images = _images("staff")
    seller_status = computed(lambda p: p.seller.status, fields.String())
    decided_by = fields.String(allow_none=True)
    decided_at = VietnamDateTime(allow_none=True)


class ImageSchema(Schema):
    id = fields.UUID()
    content_type = fields.String()
    size_bytes = fields.Integer()
    product_status = computed(lambda i: i.product.status, fields.String())
