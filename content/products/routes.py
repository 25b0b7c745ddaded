"""Local-product endpoints (M22): public search, the seller's own business and products, the
staff's verification and moderation queues.

Thin: parse, authorise (`@allow`), call content/products/service.py, serialise.

Selling needs identity level 2: a seller's identity (their CCCD in the registry) is what buyers
trust, and only an in-person-verified account vouches for it. A level-1 account is told how to
get level 2 (api/policy.py: Citizen.refusal).
"""

from __future__ import annotations

import io
import uuid

from flask import request, send_file, url_for
from flask.views import MethodView

from api import storage
from api.citizens import service as citizens
from api.documents.files import missing_file
from api.http import (
    MULTIPART_MIME,
    Blueprint,
    PublicLookupView,
    SelectPage,
    accepts,
    download,
    max_body,
    needs_if_match,
)
from api.policy import PUBLIC, Citizen, Staff, allow, require_principal
from content.products import service
from content.products.schemas import (
    CatalogueSchema,
    ImageSchema,
    ImageUploadSchema,
    MyProductSchema,
    MyProductsQuerySchema,
    ProductDecisionSchema,
    ProductInSchema,
    ProductPatchSchema,
    ProductQueueQuerySchema,
    ProductSchema,
    SearchQuerySchema,
    SellerDecisionSchema,
    SellerInSchema,
    SellerPatchSchema,
    SellerQueueItemSchema,
    SellerQueueQuerySchema,
    SellerSchema,
    StaffProductSchema,
    StaffSellerDecisionSchema,
    StaffSellerSchema,
)

public_blp = Blueprint(
    "products",
    __name__,
    url_prefix="/products",
    description="Sản phẩm địa phương, đặc sản, OCOP của tỉnh (mô hình 22, Đề án 06)",
)
seller_blp = Blueprint(
    "my_seller",
    __name__,
    url_prefix="/me/seller",
    description="Hộ kinh doanh của tôi: đăng ký bán hàng, đăng và sửa sản phẩm",
)
staff_blp = Blueprint(
    "product_staff",
    __name__,
    url_prefix="/staff/products",
    description="Cán bộ: xác minh người bán, duyệt sản phẩm địa phương",
)

# Product photos live in the configured storage.
seller_blp.record_once(lambda state: storage.init_app(state.app))

SELLER = Citizen(min_level=2)
MODERATORS = Staff("officer", "comms", "admin")


def _citizen_id() -> uuid.UUID:
    return uuid.UUID(require_principal().id)


def _staff() -> str:
    principal = require_principal()
    return f"{principal.kind}:{principal.id}"


def _send(image, *, public: bool):
    response = send_file(
        io.BytesIO(service.read_image(image)),
        mimetype=image.content_type,
        as_attachment=False,
        etag=image.sha256,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # An approved product's photo may be cached by anyone; one under review only by its viewer.
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


_image_download = download("image/jpeg", "image/png", description="Ảnh sản phẩm")


# ---- public ---------------------------------------------------------------------------------------


@public_blp.route("")
class Search(PublicLookupView):
    @allow(PUBLIC)
    @public_blp.arguments(SearchQuerySchema, location="query")
    @public_blp.response(200, ProductSchema(many=True))
    @public_blp.paginate(SelectPage)
    def get(self, query):
        """Tìm sản phẩm đã duyệt của người bán đã xác minh: từ khóa có dấu hoặc không dấu, lọc theo
        phường/xã, nhóm, loại, số sao OCOP tối thiểu, khoảng giá. Phù hợp nhất, nhiều sao OCOP, mới
        duyệt trước."""
        service.check_search(query)
        return service.search(**query)


@public_blp.route("/categories")
class Catalogue(PublicLookupView):
    @allow(PUBLIC)
    @public_blp.response(200, CatalogueSchema)
    def get(self):
        """Nhóm sản phẩm, loại sản phẩm (như chatbot hiểu), đơn vị bán, hạng sao OCOP, giá tối đa."""
        return service.catalogue()


@public_blp.route("/<uuid:product_id>")
class PublicProduct(PublicLookupView):
    @allow(PUBLIC)
    @public_blp.response(200, ProductSchema)
    def get(self, product_id):
        """Một sản phẩm đã duyệt: giá, OCOP, người bán, số liên hệ, ảnh."""
        return service.public_product(product_id)


# Not rate-limited per address like the look-ups: a list page loads a photo per product, many
# buyers share a carrier's address, and the answer is cacheable (ETag, public max-age).
@public_blp.route("/<uuid:product_id>/images/<uuid:image_id>")
class PublicImage(MethodView):
    @allow(PUBLIC)
    @_image_download
    def get(self, product_id, image_id):
        """Ảnh của một sản phẩm đã duyệt."""
        return _send(service.image_of(service.public_product(product_id), image_id), public=True)


# ---- the seller ------------------------------------------------------------------------------------


@seller_blp.route("")
class MySeller(MethodView):
    @allow(SELLER)
    @seller_blp.response(200, SellerSchema)
    def get(self):
        """Hộ kinh doanh của tôi và trạng thái xác minh."""
        return service.my_seller(_citizen_id())

    @allow(SELLER)
    @seller_blp.arguments(SellerInSchema)
    @seller_blp.response(201, SellerSchema)
    @seller_blp.alt_response(409, description="`seller_exists`, `registration_number_taken`")
    def post(self, body):
        """Đăng ký bán hàng: tên hộ kinh doanh, số đăng ký (mã số thuế), phường/xã trong tỉnh, số điện
        thoại. Chủ hộ là chính người đăng nhập (số CCCD lấy từ tài khoản VNeID mức 2). Chờ cán bộ xác minh."""
        seller = service.register_seller(citizens.require_citizen(_citizen_id()), body)
        return seller, 201, {"Location": url_for("my_seller.MySeller")}

    @allow(SELLER)
    @seller_blp.arguments(SellerPatchSchema)
    @seller_blp.response(200, SellerSchema)
    def patch(self, body):
        """Sửa thông tin: đổi tên, số đăng ký hoặc phường/xã thì phải được xác minh lại."""
        return service.update_seller(citizens.require_citizen(_citizen_id()), body)


@seller_blp.route("/products")
class MyProducts(MethodView):
    @allow(SELLER)
    @seller_blp.arguments(MyProductsQuerySchema, location="query")
    @seller_blp.response(200, MyProductSchema(many=True))
    @seller_blp.paginate(SelectPage)
    def get(self, query):
        """Sản phẩm của tôi, mọi trạng thái duyệt, mới nhất trước."""
        return service.my_products(_citizen_id(), query.get("status"))

    @allow(SELLER)
    @seller_blp.arguments(ProductInSchema)
    @seller_blp.response(201, MyProductSchema)
    @seller_blp.alt_response(409, description="`seller_not_verified`: người bán chưa được xác minh")
    def post(self, body):
        """Đăng sản phẩm mới; hiển thị công khai sau khi cán bộ duyệt."""
        product = service.create_product(_citizen_id(), body)
        return product, 201, {"Location": url_for("my_seller.MyProduct", product_id=product.id)}


@seller_blp.route("/products/<uuid:product_id>")
class MyProduct(MethodView):
    @allow(SELLER)
    @seller_blp.response(200, MyProductSchema)
    def get(self, product_id):
        """Một sản phẩm của tôi."""
        return service.my_product(_citizen_id(), product_id)

    @allow(SELLER)
    @seller_blp.arguments(ProductPatchSchema)
    @seller_blp.response(200, MyProductSchema)
    def patch(self, body, product_id):
        """Sửa sản phẩm: sản phẩm chờ duyệt lại và tạm ẩn khỏi danh sách công khai."""
        return service.update_product(_citizen_id(), product_id, body)

    @allow(SELLER)
    @seller_blp.response(204)
    def delete(self, product_id):
        """Gỡ sản phẩm cùng ảnh của nó."""
        service.delete_product(_citizen_id(), product_id)


@seller_blp.route("/products/<uuid:product_id>/images")
class MyProductImages(MethodView):
    @allow(SELLER)
    @accepts(MULTIPART_MIME)
    @max_body("PRODUCT_IMAGE_MAX_BYTES")
    @seller_blp.arguments(ImageUploadSchema, location="form", content_type=MULTIPART_MIME)
    @seller_blp.response(201, ImageSchema)
    @seller_blp.alt_response(413, description="`file_too_large`")
    @seller_blp.alt_response(
        415, description="`unsupported_file_type`: không phải JPEG, PNG hoặc bị đổi đuôi"
    )
    def post(self, form, product_id):
        """Thêm ảnh JPEG hoặc PNG (kiểu tệp xác định theo nội dung); sản phẩm chờ duyệt lại."""
        upload = request.files.get("file")
        if upload is None:
            raise missing_file()
        return service.add_image(
            _citizen_id(),
            product_id,
            filename=upload.filename,
            data=upload.read(),
            declared_type=upload.mimetype,
        )


@seller_blp.route("/products/<uuid:product_id>/images/<uuid:image_id>")
class MyProductImage(MethodView):
    @allow(SELLER)
    @_image_download
    def get(self, product_id, image_id):
        """Một ảnh của sản phẩm của tôi (cả khi chưa duyệt)."""
        return _send(service.image_of(service.my_product(_citizen_id(), product_id), image_id), public=False)

    @allow(SELLER)
    @seller_blp.response(204)
    def delete(self, product_id, image_id):
        """Xóa một ảnh."""
        service.delete_image(_citizen_id(), product_id, image_id)


# ---- staff -----------------------------------------------------------------------------------------


@staff_blp.route("/sellers")
class SellerQueue(MethodView):
    @allow(MODERATORS)
    @staff_blp.arguments(SellerQueueQuerySchema, location="query")
    @staff_blp.response(200, SellerQueueItemSchema(many=True))
    @staff_blp.paginate(SelectPage)
    def get(self, query):
        """Người bán theo trạng thái (mặc định tất cả), chờ lâu nhất trước."""
        return service.seller_queue(query.get("status"))


@staff_blp.route("/sellers/<uuid:seller_id>")
@staff_blp.etag
class StaffSeller(MethodView):
    @allow(MODERATORS)
    @staff_blp.response(200, StaffSellerSchema)
    def get(self, seller_id):
        """Người bán với chủ hộ theo dữ liệu dân cư (họ tên, CCCD) để đối chiếu, và ETag của nó.
        Được ghi nhật ký."""
        return service.staff_seller(seller_id, _staff())


@staff_blp.route("/sellers/<uuid:seller_id>/decision")
@staff_blp.etag
class SellerDecision(MethodView):
    @allow(MODERATORS)
    @needs_if_match
    @staff_blp.arguments(SellerDecisionSchema)
    @staff_blp.response(200, StaffSellerDecisionSchema)
    @staff_blp.alt_response(409, description="`seller_changed`: người bán vừa sửa thông tin")
    def post(self, body, seller_id):
        """verify (xác minh) hoặc reject (từ chối, cần lý do) phiên bản người bán đã xem: If-Match
        là ETag của trang chi tiết (412 khi người bán đã sửa sau đó, 409 `seller_changed` khi họ
        sửa đúng lúc cán bộ quyết định)."""
        # Checked against the seller as the audited detail view shows it, without reading it
        # again through that view: the check shows nobody anything, so it writes no audit entry.
        seller = service.find_seller(seller_id)
        staff_blp.check_etag(seller, StaffSellerSchema)
        decided = service.decide_seller(
            seller.id, _staff(), body["decision"], seller.version, body.get("reason")
        )
        # The answer masks the CCCD; its ETag is still the detail view's, to decide again on it.
        staff_blp.set_etag(decided, StaffSellerSchema)
        return decided


@staff_blp.route("")
class ProductQueue(MethodView):
    @allow(MODERATORS)
    @staff_blp.arguments(ProductQueueQuerySchema, location="query")
    @staff_blp.response(200, StaffProductSchema(many=True))
    @staff_blp.paginate(SelectPage)
    def get(self, query):
        """Sản phẩm theo trạng thái duyệt và nhóm, chờ lâu nhất trước."""
        return service.product_queue(query.get("status"), query.get("category"))


@staff_blp.route("/<uuid:product_id>")
@staff_blp.etag
class StaffProduct(MethodView):
    @allow(MODERATORS)
    @staff_blp.response(200, StaffProductSchema)
    def get(self, product_id):
        """Một sản phẩm, mọi trạng thái, với ảnh chưa duyệt, và ETag của nó."""
        return service.staff_product(product_id)


@staff_blp.route("/<uuid:product_id>/decision")
@staff_blp.etag
class ProductDecision(MethodView):
    @allow(MODERATORS)
    @needs_if_match
    @staff_blp.arguments(ProductDecisionSchema)
    @staff_blp.response(200, StaffProductSchema)
    @staff_blp.alt_response(409, description="`product_changed`: người bán vừa sửa sản phẩm")
    def post(self, body, product_id):
        """approve (duyệt) hoặc reject (từ chối, cần lý do) phiên bản sản phẩm đã xem: If-Match là
        ETag của sản phẩm (412 khi người bán đã sửa sau đó, 409 `product_changed` khi họ sửa đúng
        lúc cán bộ quyết định)."""
        product = service.staff_product(product_id)
        staff_blp.check_etag(product, StaffProductSchema)
        return service.decide_product(
            product.id, _staff(), body["decision"], product.version, body.get("reason")
        )


@staff_blp.route("/<uuid:product_id>/images/<uuid:image_id>")
class StaffImage(MethodView):
    @allow(MODERATORS)
    @_image_download
    def get(self, product_id, image_id):
        """Một ảnh sản phẩm để duyệt."""
        return _send(service.image_of(service.staff_product(product_id), image_id), public=False)
