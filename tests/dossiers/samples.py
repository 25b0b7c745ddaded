"""Catalogue facts and complete, realistic application forms, shared by the dossier tests."""

from __future__ import annotations

from api.dossiers.catalogue import data

LISTED = {
    "khai-sinh": "Đăng ký khai sinh",
    "thuong-tru": "Đăng ký thường trú",
    "tam-tru": "Đăng ký tạm trú",
    "tam-vang": "Khai báo tạm vắng",
    "khai-tu": "Đăng ký khai tử",
    "ket-hon": "Đăng ký kết hôn",
    "ly-lich-tu-phap": "Cấp Phiếu lý lịch tư pháp",
    "doi-gplx": "Cấp đổi giấy phép lái xe",
    "dang-ky-xe": "Đăng ký xe lần đầu (cấp chứng nhận đăng ký, biển số xe)",
    "bhyt-ho-gia-dinh": "Cấp, gia hạn thẻ bảo hiểm y tế theo hộ gia đình",
    "bhyt-tre-duoi-6": "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
    "xoa-thuong-tru": "Xóa đăng ký thường trú",
    "ho-tro-mai-tang": "Hỗ trợ chi phí mai táng (trợ cấp mai táng) cho đối tượng bảo trợ xã hội",
    "tro-cap-that-nghiep": "Giải quyết hưởng trợ cấp thất nghiệp",
    "ho-kinh-doanh": "Đăng ký thành lập hộ kinh doanh",
    "gpxd-nha-o": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "bien-dong-dat-dai": "Đăng ký biến động đất đai, tài sản gắn liền với đất",
}
GROUP_MEMBERS = {
    "lien-thong-khai-sinh": ["khai-sinh", "thuong-tru", "bhyt-tre-duoi-6"],
    "lien-thong-khai-tu": ["khai-tu", "xoa-thuong-tru", "ho-tro-mai-tang"],
}

MOTHER = "066190012345"
FATHER = "066088012346"
PERSON = {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17", "relationship_to_head": "Chủ hộ"}
BANK = {
    "bank_name": "Agribank",
    "bank_account_number": "5200205123456",
    "bank_account_holder": "Nguyễn Văn An",
}

# A realistic, complete application for every procedure: each schema must accept one.
VALID_FORMS = {
    "khai-sinh": {
        "applicant_relationship": "Mẹ",
        "child_full_name": "Nguyễn Minh Khang",
        "child_sex": "Nam",
        "child_date_of_birth": "2025-08-01",
        "child_birth_time": "08:30",
        "child_place_of_birth": "Bệnh viện Đa khoa vùng Tây Nguyên",
        "child_ethnicity": "Kinh",
        "mother_full_name": "Trần Thị Hoa",
        "mother_personal_id": MOTHER,
        "father_full_name": "Nguyễn Văn Nam",
        "father_personal_id": FATHER,
        "extract_copies": 2,
    },
    "thuong-tru": {
        "persons": [PERSON],
        "address": "12 Lê Duẩn",
        "ward_code": "24133",
        "residence_basis": "Chỗ ở hợp pháp thuộc quyền sở hữu của mình",
    },
    "tam-tru": {
        "persons": [PERSON],
        "address": "45 Y Wang",
        "ward_code": "24133",
        "residence_basis": "Thuê, mượn, ở nhờ có sự đồng ý của chủ sở hữu",
        "from_date": "2025-09-01",
        "duration_months": 12,
        "owner_full_name": "Lê Văn Bình",
        "owner_personal_id": FATHER,
        "owner_consent": True,
    },
    "tam-vang": {
        "case": data.TAM_VANG_CASES[3],
        "from_date": "2025-09-01",
        "to_date": "2026-12-31",
        "destination_address": "Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "reason": "Đi làm ăn xa",
    },
    "khai-tu": {
        "applicant_relationship": "Con",
        "deceased_full_name": "Nguyễn Văn Tư",
        "deceased_personal_id": "066045001234",
        "deceased_sex": "Nam",
        "date_of_death": "2025-09-10",
        "place_of_death": "Bệnh viện Đa khoa tỉnh Đắk Lắk",
    },
    "ket-hon": {
        "wife_full_name": "Trần Thị Hoa",
        "wife_personal_id": MOTHER,
        "wife_date_of_birth": "1998-03-02",
        "wife_marital_status": "Chưa kết hôn lần nào",
        "husband_full_name": "Nguyễn Văn Nam",
        "husband_personal_id": FATHER,
        "husband_date_of_birth": "1996-07-20",
        "husband_marital_status": "Đã ly hôn",
    },
    "ly-lich-tu-phap": {
        "card_type": "Phiếu số 1",
        "purpose": "Bổ sung hồ sơ xin việc",
        "copies": 2,
        "place_of_birth": "Đắk Lắk",
        "receive_method": "Qua dịch vụ bưu chính",
        "delivery_address": "12 Lê Duẩn, Phường Buôn Ma Thuột, Tỉnh Đắk Lắk",
        "residence_history": [{"from_date": "2004-05-17", "address": "Phường Buôn Ma Thuột, Đắk Lắk"}],
    },
    "doi-gplx": {
        "license_number": "660123456789",
        "license_class": "B2",
        "issued_on": "2015-06-01",
        "expires_on": "2025-06-01",
        "reason": "Sắp hết hạn hoặc đã hết hạn",
        "receive_method": "Nhận trực tiếp",
    },
    "dang-ky-xe": {
        "vehicle_type": "Xe mô tô",
        "brand": "Honda",
        "model_name": "Vision",
        "color": "Đỏ",
        "engine_number": "JF81E-1234567",
        "chassis_number": "RLHJF8100PY123456",
        "origin": "Sản xuất, lắp ráp trong nước",
        "purchase_date": "2025-09-01",
        "receive_method": "Nhận trực tiếp",
    },
    "bhyt-ho-gia-dinh": {
        "request_type": "Gia hạn",
        "members": [
            {"full_name": "Nguyễn Văn An", "personal_id": FATHER, "social_insurance_number": "6601234567"}
        ],
        "months": 12,
        "initial_health_facility": "Trạm Y tế phường Buôn Ma Thuột",
    },
    "bhyt-tre-duoi-6": {
        "child_full_name": "Nguyễn Minh Khang",
        "child_date_of_birth": "2025-08-01",
        "child_sex": "Nam",
        "initial_health_facility": "Bệnh viện Nhi Đắk Lắk",
    },
    "xoa-thuong-tru": {
        "person_full_name": "Nguyễn Văn Tư",
        "person_personal_id": "066045001234",
        "reason": "Người đăng ký thường trú đã chết",
        "event_date": "2025-09-10",
        "applicant_relationship": "Con",
    },
    "ho-tro-mai-tang": {
        "deceased_full_name": "Nguyễn Văn Tư",
        "deceased_personal_id": "066045001234",
        "date_of_death": "2025-09-10",
        "deceased_category": "Người đang hưởng trợ cấp xã hội hằng tháng",
        "applicant_relationship": "Con",
        "payment_method": "Tài khoản ngân hàng",
        **BANK,
    },
    "tro-cap-that-nghiep": {
        "social_insurance_number": "6601234567",
        "last_employer_name": "Công ty TNHH Cà phê Tây Nguyên",
        "contract_type": "Hợp đồng lao động xác định thời hạn",
        "contract_end_date": "2025-08-31",
        "termination_reason": "Hết hạn hợp đồng",
        "payment_method": "Tài khoản ngân hàng",
        **BANK,
    },
    "ho-kinh-doanh": {
        "business_name": "Hộ kinh doanh Cà phê Ban Mê",
        "address": "30 Phan Bội Châu",
        "ward_code": "24133",
        "business_lines": ["Dịch vụ phục vụ đồ uống"],
        "capital_vnd": 150_000_000,
        "registered_by": "Cá nhân",
        "email": "caphe@example.vn",
    },
    "gpxd-nha-o": {
        "land_address": "Thôn 3",
        "ward_code": "24133",
        "land_certificate_number": "CS 123456",
        "land_parcel_number": "125",
        "map_sheet_number": "17",
        "building_footprint_m2": 80.5,
        "total_floor_area_m2": 241.5,
        "floors": 3,
    },
    "bien-dong-dat-dai": {
        "change_type": "Chuyển nhượng quyền sử dụng đất",
        "certificate_serial": "DA 123456",
        "land_parcel_number": "125",
        "map_sheet_number": "17",
        "land_address": "Thôn 3",
        "ward_code": "24133",
        "transferee_full_name": "Lê Văn Bình",
        "transferee_personal_id": FATHER,
        "contract_date": "2025-09-05",
    },
}
