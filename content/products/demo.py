"""Demo local products, so the app's Sản phẩm địa phương and the chatbot have something to find
from the first `make run`: four verified household businesses of the demo city (level-2 demo
citizens) with approved coffee, honey, macadamia, brocade, a community-tourism tour and rice
paper from the former Phú Yên.

Runs through the service, as a seller and staff would, with "demo" as the deciding actor.
Idempotent: a demo citizen who already sells is left as they are.
"""

from __future__ import annotations

from api.citizens import service as citizens
from content.products import service

ACTOR = "demo"

# (business name, 9 first digits of its tax code, ward, phone, products)
_SELLERS = (
    (
        "Hộ kinh doanh Cà phê Thành Nhất",
        "600123456",
        "24154",
        "0905111222",
        (
            {
                "name": "Cà phê Robusta Buôn Ma Thuột rang mộc",
                "description": "Cà phê Robusta hái chín từ vườn nhà ở Buôn Ma Thuột, phơi giàn, rang mộc "
                "không tẩm hương liệu. Gói 500 g, xay sẵn hoặc để nguyên hạt.",
                "category": "thuc_pham_che_bien",
                "ocop_stars": 4,
                "ocop_certificate_number": "1024/QĐ-UBND",
                "ocop_year": 2023,
                "price_vnd": 180_000,
                "unit": "gói",
            },
            {
                "name": "Cà phê Arabica Cư M'gar túi 1 kg",
                "description": "Arabica trồng xen sầu riêng, sơ chế ướt, rang vừa; chua thanh, hậu ngọt. "
                "Phù hợp pha máy cho quán.",
                "category": "thuc_pham_che_bien",
                "price_vnd": 420_000,
                "unit": "túi",
            },
        ),
    ),
    (
        "Hợp tác xã Mật ong Ea Kao",
        "600234567",
        "24169",
        "0914333444",
        (
            {
                "name": "Mật ong hoa cà phê nguyên chất",
                "description": "Mật ong lấy từ hoa cà phê mùa xuân ở Ea Kao, không pha đường, chai thủy "
                "tinh 500 ml có tem truy xuất nguồn gốc.",
                "category": "nong_san",
                "ocop_stars": 3,
                "ocop_certificate_number": "2210/QĐ-UBND",
                "ocop_year": 2022,
                "price_vnd": 220_000,
                "unit": "chai",
            },
            {
                "name": "Hạt mắc ca sấy nứt vỏ",
                "description": "Mắc ca trồng tại Đắk Lắk, sấy khô tự nhiên, nứt vỏ sẵn kèm dụng cụ tách. "
                "Túi zip 1 kg.",
                "category": "nong_san",
                "price_vnd": 350_000,
                "unit": "kg",
            },
        ),
    ),
    (
        "Hộ kinh doanh Thổ cẩm Buôn Hồ",
        "600345678",
        "24305",
        "0935555666",
        (
            {
                "name": "Khăn thổ cẩm Ê Đê dệt tay",
                "description": "Khăn choàng thổ cẩm do phụ nữ Ê Đê dệt tay trên khung dệt truyền thống, "
                "hoa văn đỏ đen, dài 1,8 m.",
                "category": "det_may_tho_cam",
                "price_vnd": 450_000,
                "unit": "chiếc",
            },
            {
                "name": "Tour du lịch cộng đồng buôn Ê Đê một ngày",
                "description": "Tham quan nhà dài, xem dệt thổ cẩm, thưởng thức cơm lam, gà nướng và rượu "
                "cần, nghe cồng chiêng. Đón tại Buôn Hồ, tối thiểu 4 khách.",
                "category": "du_lich_cong_dong",
                "price_vnd": 650_000,
                "unit": "người",
            },
        ),
    ),
    (
        "Hộ kinh doanh Bánh tráng Hòa Đa",
        "600456789",
        "22015",
        "0977777888",
        (
            {
                "name": "Bánh tráng Hòa Đa nướng mè đen",
                "description": "Bánh tráng nướng mè đen làm thủ công theo cách làng nghề Hòa Đa (Phú Yên "
                "cũ), giòn thơm; gói 10 chiếc.",
                "category": "dac_san",
                "ocop_stars": 3,
                "ocop_certificate_number": "845/QĐ-UBND",
                "ocop_year": 2021,
                "price_vnd": 45_000,
                "unit": "gói",
            },
        ),
    ),
)


def _tax_code(first_nine: str) -> str:
    from content.products.registration import tax_code_check_digit

    digit = tax_code_check_digit(first_nine)
    if digit is None:  # never issued: take the next number
        return _tax_code(f"{int(first_nine) + 1:09d}")
    return first_nine + str(digit)


def seed_demo_products(owner_cccds: list[str]) -> int:
    """Sellers for the first demo citizens in `owner_cccds` (level 2), with their products
    approved; returns the number of products added."""
    added = 0
    for cccd, (name, tax_prefix, ward_code, phone, products) in zip(owner_cccds, _SELLERS, strict=False):
        citizen = citizens.citizen_by_cccd(cccd)
        if citizen is None or service.seller_of(citizen.id) is not None:
            continue
        seller = service.register_seller(
            citizen,
            {
                "business_name": name,
                "registration_number": _tax_code(tax_prefix),
                "ward_code": ward_code,
                "phone": phone,
            },
        )
        service.decide_seller(seller.id, ACTOR, "verify", seller.version, None)
        for fields in products:
            product = service.create_product(citizen.id, fields)
            service.decide_product(product.id, ACTOR, "approve", product.version, None)
            added += 1
    return added
