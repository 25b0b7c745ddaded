"""The seeded catalogue: real procedures, with their documents, fees, time limits and forms.

Written from the legal texts each procedure names and the National Public Service Portal's
published procedure sheets, as they stood after the two-level local government of 01/7/2025
(no more district level: its tasks went to the ward/commune or the province). Where public
information left a detail uncertain (fees a province sets, time limits of texts issued in 2025,
bodies renamed in 2025), the procedure's `note` says so to the citizen instead of guessing.

Form schemas are JSON Schema draft 2020-12. Every object closes with `additionalProperties:
false` (tests check it), and the applicant's own identity is not asked for: it comes from the
signed-in VNeID account. Two keywords of our own, ignored by other validators:
`x-not-future` (a date that cannot be after today, in Asia/Ho_Chi_Minh) is checked by
service.validate_form; and pattern error messages are looked up in PATTERN_MESSAGES.

Every procedure's `routing` says which body receives its dossier and why, from the law's own
words (the place of stay, the site, either parent's residence...): see routing.py.
"""

from __future__ import annotations

from typing import Any

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# ---- patterns, with the message a citizen reads when a value does not match -------------------

DIGITS_12 = r"^\d{12}$"  # số định danh cá nhân (CCCD); also the number of a GPLX
DIGITS_10 = r"^\d{10}$"  # mã số BHXH
WARD_CODE = r"^\d{5}$"  # mã phường, xã, đặc khu sau 01/7/2025
PHONE = r"^0\d{9}$"
CLOCK_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
VEHICLE_NUMBER = r"^[A-Za-z0-9-]{5,25}$"  # số khung, số máy
BANK_ACCOUNT = r"^\d{6,19}$"

PATTERN_MESSAGES: dict[str, str] = {
    DIGITS_12: "Phải gồm đúng 12 chữ số.",
    DIGITS_10: "Mã số bảo hiểm xã hội phải gồm đúng 10 chữ số.",
    WARD_CODE: "Mã phường/xã phải gồm đúng 5 chữ số (danh mục từ 01/7/2025).",
    PHONE: "Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0.",
    CLOCK_TIME: "Giờ không hợp lệ (định dạng HH:MM, ví dụ 08:30).",
    VEHICLE_NUMBER: "Chỉ gồm chữ cái không dấu, chữ số và dấu gạch ngang (5–25 ký tự).",
    BANK_ACCOUNT: "Số tài khoản chỉ gồm chữ số (6–19 chữ số).",
}

# ---- form-schema building blocks ----------------------------------------------------------------


def form(title: str, properties: dict[str, Any], required: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_DIALECT,
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        **extra,
    }


def obj(title: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def text(title: str, *, max_length: int = 200, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "title": title, "minLength": 1, "maxLength": max_length, **extra}


def pattern(title: str, regex: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "title": title, "pattern": regex, **extra}


def personal_id(title: str = "Số định danh cá nhân (số thẻ căn cước)") -> dict[str, Any]:
    return pattern(title, DIGITS_12, description="12 chữ số")


def day(title: str, *, not_future: bool = True, **extra: Any) -> dict[str, Any]:
    schema = {"type": "string", "format": "date", "title": title, **extra}
    if not_future:
        schema["x-not-future"] = True
    return schema


def choice(title: str, values: list[str], **extra: Any) -> dict[str, Any]:
    return {"type": "string", "title": title, "enum": values, **extra}


def integer(title: str, minimum: int, maximum: int | None = None, **extra: Any) -> dict[str, Any]:
    schema = {"type": "integer", "title": title, "minimum": minimum, **extra}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def number(title: str, **extra: Any) -> dict[str, Any]:
    return {"type": "number", "title": title, "exclusiveMinimum": 0, **extra}


def boolean(title: str, **extra: Any) -> dict[str, Any]:
    return {"type": "boolean", "title": title, **extra}


def array(title: str, items: dict[str, Any], *, min_items: int = 0, max_items: int = 20) -> dict[str, Any]:
    return {"type": "array", "title": title, "items": items, "minItems": min_items, "maxItems": max_items}


def when(
    field: str, values: list[Any], required: list[str], *, must_be_true: tuple[str, ...] = ()
) -> dict[str, Any]:
    """`required` fields become required when `field` is one of `values` (if/then); the
    `must_be_true` ones among them must also be ticked (a consent given as false is no consent)."""
    then: dict[str, Any] = {"required": required}
    if must_be_true:
        then["properties"] = {name: {"const": True} for name in must_be_true}
    return {"if": {"properties": {field: {"enum": values}}, "required": [field]}, "then": then}


def doc(name: str, note: str | None = None, *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "note": note, "required": required}


# Where a dossier goes (routing.py has the vocabulary and the checks made at load).
WARD_LEVEL, PROVINCE_LEVEL = "ward", "province"
CHOSEN, RESIDENCE = "chosen", "residence"


def routing(to: str, *ward_from: str, reason: str, check_in_province: tuple[str, ...] = ()) -> dict[str, Any]:
    """The receiving authority: its level, where its ward comes from (first source that gives
    one: "form.<field>", CHOSEN, RESIDENCE) and the legal reason for that place."""
    return {
        "to": to,
        "ward_from": list(ward_from),
        "check_in_province": list(check_in_province),
        "reason": reason,
    }


SEX = ["Nam", "Nữ"]
RECEIVE = ["Nhận trực tiếp", "Qua dịch vụ bưu chính"]
PAYMENT = ["Tài khoản ngân hàng", "Tiền mặt"]
ETHNICITY = text("Dân tộc", max_length=50, examples=["Kinh", "Ê Đê", "M'nông"])
ADDRESS = text("Địa chỉ (số nhà, đường, thôn/buôn/tổ dân phố)", max_length=250)
WARD = pattern("Mã phường/xã/đặc khu", WARD_CODE, description="5 chữ số, danh mục từ 01/7/2025")
BANK = {
    "bank_name": text("Tên ngân hàng", max_length=120),
    "bank_account_number": pattern("Số tài khoản", BANK_ACCOUNT),
    "bank_account_holder": text("Chủ tài khoản", max_length=100),
}
CCCD_SCAN = doc(
    "Giấy tờ tùy thân của người nộp",
    "Không phải nộp khi đăng nhập bằng tài khoản định danh điện tử VNeID: thông tin được lấy từ "
    "Cơ sở dữ liệu quốc gia về dân cư.",
    required=False,
)

# ---- the procedures -----------------------------------------------------------------------------

KHAI_SINH = {
    "code": "khai-sinh",
    "name": "Đăng ký khai sinh",
    "field": "Hộ tịch",
    "description": (
        "Đăng ký khai sinh cho trẻ em sinh ra tại Việt Nam có cha, mẹ là công dân Việt Nam. Cha, mẹ có "
        "trách nhiệm đăng ký trong 60 ngày kể từ ngày sinh. Kết quả: Giấy khai sinh (bản chính, có thể "
        "nhận bản điện tử) và số định danh cá nhân của trẻ."
    ),
    "online_level": "full",
    "documents": [
        doc("Tờ khai đăng ký khai sinh", "Điền trực tuyến trên ứng dụng."),
        doc(
            "Giấy chứng sinh",
            "Bản chính do cơ sở y tế cấp (bản chụp hoặc bản điện tử khi nộp trực tuyến). Sinh ngoài cơ sở "
            "y tế: văn bản xác nhận của người làm chứng; không có người làm chứng: giấy cam đoan về việc "
            "sinh. Trẻ bị bỏ rơi: biên bản xác nhận việc trẻ bị bỏ rơi.",
        ),
        doc(
            "Văn bản chứng minh việc mang thai hộ",
            "Chỉ khi trẻ được sinh ra do mang thai hộ.",
            required=False,
        ),
        doc(
            "Giấy chứng nhận kết hôn của cha, mẹ",
            "Chỉ xuất trình khi cha, mẹ đã đăng ký kết hôn và thông tin chưa có trong Cơ sở dữ liệu hộ "
            "tịch điện tử.",
            required=False,
        ),
        CCCD_SCAN,
    ],
    "form_schema": form(
        "Tờ khai đăng ký khai sinh",
        {
            "applicant_relationship": choice(
                "Quan hệ của người đi khai với trẻ", ["Cha", "Mẹ", "Ông", "Bà", "Người thân thích khác"]
            ),
            "child_full_name": text("Họ, chữ đệm và tên của trẻ", max_length=100),
            "child_sex": choice("Giới tính của trẻ", SEX),
            "child_date_of_birth": day("Ngày, tháng, năm sinh của trẻ"),
            "child_birth_time": pattern("Giờ sinh", CLOCK_TIME),
            "child_place_of_birth": text(
                "Nơi sinh", max_length=250, description="Tên cơ sở y tế hoặc địa chỉ nơi trẻ được sinh ra"
            ),
            "child_ethnicity": ETHNICITY,
            "birth_certificate_number": text("Số giấy chứng sinh", max_length=50),
            "mother_full_name": text("Họ, chữ đệm và tên người mẹ", max_length=100),
            "mother_personal_id": personal_id("Số định danh cá nhân của người mẹ"),
            "mother_date_of_birth": day("Ngày sinh của người mẹ"),
            "father_full_name": text("Họ, chữ đệm và tên người cha", max_length=100),
            "father_personal_id": personal_id("Số định danh cá nhân của người cha"),
            "father_date_of_birth": day("Ngày sinh của người cha"),
            "extract_copies": integer("Số bản sao trích lục đề nghị cấp", 0, 10),
        },
        [
            "applicant_relationship",
            "child_full_name",
            "child_sex",
            "child_date_of_birth",
            "child_place_of_birth",
            "child_ethnicity",
            "mother_full_name",
            "mother_personal_id",
        ],
        # Người cha có thể chưa xác định (the form leaves the father blank); when given, both
        # name and number are needed to link the record.
        dependentRequired={
            "father_full_name": ["father_personal_id"],
            "father_personal_id": ["father_full_name"],
        },
    ),
    "fee_vnd": None,
    "fee_varies": False,
    "fee_note": (
        "Miễn lệ phí khi đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh) cho công dân Việt Nam "
        "cư trú trong nước (Luật Hộ tịch, Điều 11). Đăng ký quá hạn: lệ phí do HĐND tỉnh quy định; cấp "
        "thêm bản sao trích lục: phí theo quy định của Bộ Tài chính."
    ),
    "processing_days": 1,
    "processing_note": (
        "Giải quyết ngay trong ngày nhận đủ hồ sơ; hồ sơ nhận sau 15 giờ mà không giải quyết kịp thì trả "
        "kết quả trong ngày làm việc tiếp theo."
    ),
    "authority": "ward",
    "authority_name": "UBND cấp xã nơi cư trú của cha hoặc mẹ",
    "routing": routing(
        WARD_LEVEL,
        CHOSEN,
        RESIDENCE,
        reason=(
            "Luật Hộ tịch 2014, Điều 13: UBND cấp xã nơi cư trú của người cha hoặc người mẹ đăng ký khai "
            "sinh (nơi sinh không quyết định nơi đăng ký). Mặc định là nơi cư trú của người nộp; đăng ký ở "
            "nơi cư trú của cha hoặc mẹ kia thì chọn phường, xã đó."
        ),
    ),
    "legal_basis": (
        "Luật Hộ tịch 2014 (Điều 13–16); Nghị định 123/2015/NĐ-CP; Nghị định 87/2020/NĐ-CP (đăng ký hộ "
        "tịch trực tuyến); Thông tư 04/2020/TT-BTP; Thông tư 85/2019/TT-BTC (lệ phí)."
    ),
    "keywords": [
        "làm giấy khai sinh",
        "giấy khai sinh",
        "khai sinh cho con",
        "làm khai sinh cho bé",
        "khai sinh online",
        "đăng ký giấy khai sinh",
    ],
    "note": (
        "Thủ tục này dành cho trẻ có cha, mẹ là công dân Việt Nam cư trú trong nước. Khai sinh có yếu tố "
        "nước ngoài, trẻ bị bỏ rơi hoặc không có giấy chứng sinh nên làm trực tiếp tại UBND cấp xã để được "
        "hướng dẫn. Nên nộp theo nhóm liên thông để cùng lúc đăng ký thường trú và cấp thẻ BHYT cho trẻ."
    ),
}

# Whose permanent residence is registered: the applicant, family members moving with them, or a
# newborn (whose personal number is assigned by the birth registration itself).
RESIDENT = obj(
    "Người đăng ký",
    {
        "full_name": text("Họ, chữ đệm và tên", max_length=100),
        "date_of_birth": day("Ngày sinh"),
        "personal_id": personal_id(),
        "relationship_to_head": text(
            "Quan hệ với chủ hộ", max_length=50, examples=["Chủ hộ", "Vợ", "Chồng", "Con"]
        ),
    },
    ["full_name", "date_of_birth", "relationship_to_head"],
)
RESIDENCE_BASIS = [
    "Chỗ ở hợp pháp thuộc quyền sở hữu của mình",
    "Về ở với người thân (vợ, chồng, cha, mẹ, con...) có sự đồng ý của chủ hộ, chủ sở hữu",
    "Thuê, mượn, ở nhờ có sự đồng ý của chủ sở hữu",
    "Cơ sở tín ngưỡng, tôn giáo, trợ giúp xã hội hoặc trường hợp khác theo Luật Cư trú",
]

THUONG_TRU = {
    "code": "thuong-tru",
    "name": "Đăng ký thường trú",
    "field": "Cư trú",
    "description": (
        "Đăng ký nơi thường trú mới khi chuyển đến chỗ ở hợp pháp, về ở với người thân, hoặc cho trẻ mới "
        "sinh. Kết quả: thông tin thường trú được cập nhật vào Cơ sở dữ liệu về cư trú (không còn sổ hộ khẩu)."
    ),
    "online_level": "full",
    "documents": [
        doc(
            "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
            "Điền trực tuyến. Người chưa thành niên: có ý kiến đồng ý của cha, mẹ hoặc người giám hộ.",
        ),
        doc(
            "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
            "Khi đăng ký vào chỗ ở thuộc sở hữu của mình, hoặc thuê, mượn, ở nhờ (kèm giấy tờ chứng minh "
            "đủ diện tích nhà ở tối thiểu theo quy định của HĐND tỉnh). Không cần nếu thông tin đã có "
            "trong cơ sở dữ liệu chuyên ngành.",
            required=False,
        ),
        doc(
            "Ý kiến đồng ý của chủ hộ, chủ sở hữu chỗ ở",
            "Khi về ở với người thân hoặc thuê, mượn, ở nhờ; chủ hộ có thể xác nhận trên VNeID.",
            required=False,
        ),
        doc(
            "Giấy tờ chứng minh quan hệ nhân thân với chủ hộ",
            "Khi về ở với người thân, trừ khi quan hệ đã có trong Cơ sở dữ liệu quốc gia về dân cư.",
            required=False,
        ),
    ],
    "form_schema": form(
        "Tờ khai thay đổi thông tin cư trú – đăng ký thường trú",
        {
            "persons": array("Người đăng ký thường trú", RESIDENT, min_items=1, max_items=15),
            "address": ADDRESS,
            "ward_code": WARD,
            "residence_basis": choice("Căn cứ đăng ký", RESIDENCE_BASIS),
            "head_of_household_full_name": text("Họ và tên chủ hộ", max_length=100),
            "head_of_household_personal_id": personal_id("Số định danh cá nhân của chủ hộ"),
            "owner_consent": boolean("Chủ hộ/chủ sở hữu đã đồng ý cho đăng ký thường trú"),
            "phone": pattern("Số điện thoại liên hệ", PHONE),
        },
        ["persons", "address", "ward_code", "residence_basis"],
        allOf=[
            when(
                "residence_basis",
                RESIDENCE_BASIS[1:3],
                ["head_of_household_full_name", "head_of_household_personal_id", "owner_consent"],
                must_be_true=("owner_consent",),
            )
        ],
    ),
    "fee_vnd": 10_000,
    "fee_varies": False,
    "fee_note": (
        "10.000 đồng/lần khi nộp trực tuyến; 20.000 đồng/lần khi nộp trực tiếp (Thông tư 75/2022/TT-BTC). "
        "Miễn cho một số đối tượng (trẻ em, người có công, hộ nghèo, người khuyết tật...) theo Thông tư này."
    ),
    "processing_days": 7,
    "processing_note": "Không quá 07 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "authority": "ward",
    "authority_name": "Công an cấp xã nơi đăng ký thường trú",
    "routing": routing(
        WARD_LEVEL,
        "form.ward_code",
        reason=(
            "Luật Cư trú 2020, Điều 22: người đăng ký thường trú nộp hồ sơ đến cơ quan đăng ký cư trú nơi "
            "mình cư trú, tức Công an cấp xã nơi có chỗ ở hợp pháp ghi trong tờ khai, không phải nơi "
            "thường trú cũ."
        ),
    ),
    "legal_basis": (
        "Luật Cư trú 2020 (Điều 20–22); Nghị định 154/2024/NĐ-CP; Thông tư 55/2021/TT-BCA (sửa đổi bởi "
        "Thông tư 66/2023/TT-BCA); Thông tư 75/2022/TT-BTC (lệ phí)."
    ),
    "keywords": [
        "nhập hộ khẩu",
        "đăng ký hộ khẩu",
        "chuyển hộ khẩu",
        "nhập khẩu",
        "thường trú cho con",
        "ĐKTT",
    ],
    "note": None,
}

TAM_TRU = {
    "code": "tam-tru",
    "name": "Đăng ký tạm trú",
    "field": "Cư trú",
    "description": (
        "Người đến sinh sống tại chỗ ở hợp pháp ngoài phường, xã nơi thường trú để lao động, học tập hoặc "
        "mục đích khác từ 30 ngày trở lên phải đăng ký tạm trú. Thời hạn tạm trú tối đa 02 năm, được gia hạn."
    ),
    "online_level": "full",
    "documents": [
        doc("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", "Điền trực tuyến."),
        doc(
            "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
            "Ví dụ hợp đồng thuê nhà, văn bản cho mượn, cho ở nhờ; không cần nếu thông tin đã có trong cơ "
            "sở dữ liệu chuyên ngành.",
        ),
    ],
    "form_schema": form(
        "Tờ khai thay đổi thông tin cư trú – đăng ký tạm trú",
        {
            "persons": array("Người đăng ký tạm trú", RESIDENT, min_items=1, max_items=15),
            "address": ADDRESS,
            "ward_code": WARD,
            "residence_basis": choice("Căn cứ đăng ký", RESIDENCE_BASIS),
            "from_date": day("Tạm trú từ ngày", not_future=False),
            "duration_months": integer("Thời hạn tạm trú (tháng)", 1, 24),
            "reason": text("Lý do tạm trú", max_length=250, examples=["Lao động", "Học tập"]),
            "owner_full_name": text("Họ và tên chủ hộ/chủ sở hữu chỗ ở", max_length=100),
            "owner_personal_id": personal_id("Số định danh cá nhân của chủ sở hữu"),
            "owner_consent": boolean("Chủ sở hữu chỗ ở đã đồng ý"),
            "phone": pattern("Số điện thoại liên hệ", PHONE),
        },
        ["persons", "address", "ward_code", "residence_basis", "from_date", "duration_months"],
        allOf=[
            when(
                "residence_basis",
                RESIDENCE_BASIS[1:3],
                ["owner_full_name", "owner_personal_id", "owner_consent"],
                must_be_true=("owner_consent",),
            )
        ],
    ),
    "fee_vnd": 7_000,
    "fee_varies": False,
    "fee_note": (
        "7.000 đồng/lần khi nộp trực tuyến; 15.000 đồng/lần khi nộp trực tiếp (Thông tư 75/2022/TT-BTC). "
        "Miễn cho một số đối tượng theo Thông tư này."
    ),
    "processing_days": 3,
    "processing_note": "Không quá 03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "authority": "ward",
    "authority_name": "Công an cấp xã nơi dự kiến tạm trú",
    "routing": routing(
        WARD_LEVEL,
        "form.ward_code",
        reason=(
            "Luật Cư trú 2020, Điều 28: người đăng ký tạm trú nộp hồ sơ đến cơ quan đăng ký cư trú nơi mình "
            "dự kiến tạm trú, tức Công an cấp xã nơi có chỗ ở ghi trong tờ khai, không phải nơi thường trú."
        ),
    ),
    "legal_basis": (
        "Luật Cư trú 2020 (Điều 27–28); Nghị định 154/2024/NĐ-CP; Thông tư 55/2021/TT-BCA; Thông tư "
        "75/2022/TT-BTC (lệ phí)."
    ),
    "keywords": ["tạm trú", "khai báo tạm trú", "làm tạm trú", "đăng ký tạm trú online", "KT3"],
    "note": "Gia hạn tạm trú là thủ tục riêng, nộp trong 15 ngày trước khi hết thời hạn tạm trú.",
}

TAM_VANG_CASES = [
    "Bị can, bị cáo tại ngoại; người bị kết án chưa chấp hành, được hoãn hoặc tạm đình chỉ, hưởng án "
    "treo, cải tạo không giam giữ, quản chế, tha tù trước thời hạn có điều kiện — đi khỏi xã nơi cư trú "
    "từ 01 ngày trở lên",
    "Người đang chấp hành biện pháp giáo dục tại xã, phường; người bị quản lý theo quy định pháp luật — "
    "đi khỏi xã nơi cư trú từ 01 ngày trở lên",
    "Người trong độ tuổi thực hiện nghĩa vụ quân sự hoặc đang phải thực hiện nghĩa vụ khác với Nhà nước "
    "— đi khỏi nơi cư trú từ 03 tháng liên tục trở lên",
    "Người đi khỏi xã nơi thường trú từ 12 tháng liên tục trở lên mà chưa đăng ký tạm trú nơi khác "
    "hoặc chưa xuất cảnh",
    "Tự nguyện khai báo",
]

TAM_VANG = {
    "code": "tam-vang",
    "name": "Khai báo tạm vắng",
    "field": "Cư trú",
    "description": (
        "Công dân vắng mặt khỏi nơi cư trú trong các trường hợp Luật Cư trú quy định phải khai báo tạm vắng "
        "với Công an cấp xã; người khác có thể tự nguyện khai báo."
    ),
    "online_level": "full",
    "documents": [
        doc("Đề nghị khai báo tạm vắng (theo mẫu của Bộ Công an)", "Điền trực tuyến."),
        doc(
            "Văn bản đồng ý của cơ quan có thẩm quyền giám sát, quản lý, giáo dục",
            "Chỉ với bị can, bị cáo tại ngoại, người bị kết án, người chấp hành biện pháp giáo dục tại xã.",
            required=False,
        ),
    ],
    "form_schema": form(
        "Đề nghị khai báo tạm vắng",
        {
            "case": choice("Trường hợp khai báo", TAM_VANG_CASES),
            "from_date": day("Tạm vắng từ ngày", not_future=False),
            "to_date": day("Đến ngày", not_future=False),
            "destination_address": text("Nơi đến (địa chỉ)", max_length=250),
            "reason": text("Lý do tạm vắng", max_length=250),
            "supervising_agency_consent": boolean("Đã có văn bản đồng ý của cơ quan giám sát, quản lý"),
            "phone": pattern("Số điện thoại liên hệ", PHONE),
        },
        ["case", "from_date", "to_date", "destination_address", "reason"],
        allOf=[
            when(
                "case",
                TAM_VANG_CASES[:2],
                ["supervising_agency_consent"],
                must_be_true=("supervising_agency_consent",),
            )
        ],
    ),
    "fee_vnd": None,
    "fee_varies": False,
    "fee_note": "Không thu lệ phí.",
    "processing_days": 1,
    "processing_note": (
        "Trong 01 ngày làm việc kể từ ngày nhận đủ hồ sơ; trường hợp phức tạp không quá 02 ngày làm việc."
    ),
    "authority": "ward",
    "authority_name": "Công an cấp xã nơi cư trú",
    "routing": routing(
        WARD_LEVEL,
        RESIDENCE,
        reason=(
            "Luật Cư trú 2020, Điều 31: khai báo tạm vắng tại cơ quan đăng ký cư trú nơi người đó đang cư "
            "trú, tức Công an cấp xã nơi cư trú của người nộp theo Cơ sở dữ liệu quốc gia về dân cư."
        ),
    ),
    "legal_basis": "Luật Cư trú 2020 (Điều 31); Nghị định 154/2024/NĐ-CP; Thông tư 55/2021/TT-BCA.",
    "keywords": ["tạm vắng", "báo tạm vắng", "khai tạm vắng", "đi làm ăn xa", "vắng mặt ở địa phương"],
    "note": (
        "Luật Cư trú 2020 nêu một trường hợp theo phạm vi “cấp huyện”; từ 01/7/2025 không còn cấp huyện — "
        "hãy hỏi Công an cấp xã nếu không chắc mình có phải khai báo hay không."
    ),
}

KHAI_TU = {
    "code": "khai-tu",
    "name": "Đăng ký khai tử",
    "field": "Hộ tịch",
    "description": (
        "Trong 15 ngày kể từ ngày có người chết, vợ, chồng, con, cha, mẹ hoặc người thân thích khác có trách "
        "nhiệm đăng ký khai tử. Kết quả: Trích lục khai tử."
    ),
    "online_level": "full",
    "documents": [
        doc("Tờ khai đăng ký khai tử", "Điền trực tuyến."),
        doc(
            "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử",
            "Do cơ sở y tế, cơ quan có thẩm quyền cấp (bản chụp hoặc bản điện tử khi nộp trực tuyến).",
        ),
        CCCD_SCAN,
    ],
    "form_schema": form(
        "Tờ khai đăng ký khai tử",
        {
            "applicant_relationship": choice(
                "Quan hệ với người đã chết",
                ["Vợ", "Chồng", "Con", "Cha", "Mẹ", "Người thân thích khác", "Đại diện cơ quan, tổ chức"],
            ),
            "deceased_full_name": text("Họ, chữ đệm và tên người đã chết", max_length=100),
            "deceased_personal_id": personal_id("Số định danh cá nhân của người đã chết"),
            "deceased_sex": choice("Giới tính", SEX),
            "deceased_date_of_birth": day("Ngày sinh"),
            "date_of_death": day("Ngày chết"),
            "time_of_death": pattern("Giờ chết", CLOCK_TIME),
            "place_of_death": text("Nơi chết", max_length=250),
            "cause_of_death": text("Nguyên nhân chết", max_length=250),
            "death_notice_number": text("Số giấy báo tử", max_length=50),
            "extract_copies": integer("Số bản sao trích lục đề nghị cấp", 0, 10),
        },
        [
            "applicant_relationship",
            "deceased_full_name",
            "deceased_personal_id",
            "deceased_sex",
            "date_of_death",
            "place_of_death",
        ],
    ),
    "fee_vnd": None,
    "fee_varies": False,
    "fee_note": (
        "Miễn lệ phí khi đăng ký khai tử đúng hạn (trong 15 ngày) cho công dân Việt Nam cư trú trong nước "
        "(Luật Hộ tịch, Điều 11). Đăng ký quá hạn: lệ phí do HĐND tỉnh quy định."
    ),
    "processing_days": 1,
    "processing_note": (
        "Giải quyết ngay trong ngày; hồ sơ nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo. Trường hợp "
        "cần xác minh: không quá 03 ngày làm việc."
    ),
    "authority": "ward",
    "authority_name": "UBND cấp xã nơi cư trú cuối cùng của người chết",
    "routing": routing(
        WARD_LEVEL,
        CHOSEN,
        RESIDENCE,
        reason=(
            "Luật Hộ tịch 2014, Điều 32: UBND cấp xã nơi cư trú cuối cùng của người chết đăng ký khai tử; "
            "không xác định được nơi đó thì nơi người đó chết hoặc nơi phát hiện thi thể. Mặc định là nơi "
            "cư trú của người nộp (thường là cùng gia đình); người chết cư trú nơi khác thì chọn phường, xã "
            "đó."
        ),
    ),
    "legal_basis": (
        "Luật Hộ tịch 2014 (Điều 32–34); Nghị định 123/2015/NĐ-CP; Thông tư 04/2020/TT-BTP; Thông tư "
        "85/2019/TT-BTC (lệ phí)."
    ),
    "keywords": ["giấy chứng tử", "làm giấy chứng tử", "báo tử", "khai tử", "trích lục khai tử"],
    "note": (
        "Không xác định được nơi cư trú cuối cùng thì đăng ký tại UBND cấp xã nơi người đó chết hoặc nơi "
        "phát hiện thi thể. Nên nộp theo nhóm liên thông để cùng lúc xóa đăng ký thường trú và đề nghị hỗ "
        "trợ chi phí mai táng."
    ),
}

MARITAL_STATUS = ["Chưa kết hôn lần nào", "Đã ly hôn", "Vợ/chồng đã chết"]

KET_HON = {
    "code": "ket-hon",
    "name": "Đăng ký kết hôn",
    "field": "Hộ tịch",
    "description": (
        "Đăng ký kết hôn giữa hai công dân Việt Nam cư trú trong nước. Điều kiện: nam từ đủ 20 tuổi, nữ từ đủ "
        "18 tuổi, tự nguyện, không mất năng lực hành vi dân sự và không thuộc trường hợp cấm kết hôn. Kết "
        "quả: Giấy chứng nhận kết hôn."
    ),
    "online_level": "partial",
    "documents": [
        doc("Tờ khai đăng ký kết hôn", "Điền trực tuyến; hai bên có thể dùng chung một tờ khai."),
        doc(
            "Giấy xác nhận tình trạng hôn nhân",
            "Khi một bên không cư trú tại xã nơi đăng ký kết hôn, trừ khi thông tin đã có trong Cơ sở dữ liệu "
            "hộ tịch điện tử hoặc Cơ sở dữ liệu quốc gia về dân cư.",
            required=False,
        ),
        doc(
            "Trích lục ghi chú ly hôn",
            "Khi đã ly hôn ở nước ngoài.",
            required=False,
        ),
        doc(
            "Giấy tờ tùy thân của hai bên",
            "Xuất trình khi hai bên có mặt để ký Giấy chứng nhận kết hôn.",
        ),
    ],
    "form_schema": form(
        "Tờ khai đăng ký kết hôn",
        {
            "wife_full_name": text("Họ, chữ đệm và tên bên nữ", max_length=100),
            "wife_personal_id": personal_id("Số định danh cá nhân bên nữ"),
            "wife_date_of_birth": day("Ngày sinh bên nữ"),
            "wife_ethnicity": ETHNICITY,
            "wife_marital_status": choice("Tình trạng hôn nhân bên nữ", MARITAL_STATUS),
            "husband_full_name": text("Họ, chữ đệm và tên bên nam", max_length=100),
            "husband_personal_id": personal_id("Số định danh cá nhân bên nam"),
            "husband_date_of_birth": day("Ngày sinh bên nam"),
            "husband_ethnicity": ETHNICITY,
            "husband_marital_status": choice("Tình trạng hôn nhân bên nam", MARITAL_STATUS),
            "preferred_date": day("Ngày mong muốn đến ký Giấy chứng nhận kết hôn", not_future=False),
            "phone": pattern("Số điện thoại liên hệ", PHONE),
        },
        [
            "wife_full_name",
            "wife_personal_id",
            "wife_date_of_birth",
            "wife_marital_status",
            "husband_full_name",
            "husband_personal_id",
            "husband_date_of_birth",
            "husband_marital_status",
        ],
    ),
    "fee_vnd": None,
    "fee_varies": False,
    "fee_note": "Miễn lệ phí đăng ký kết hôn của công dân Việt Nam cư trú trong nước (Luật Hộ tịch, Điều 11).",
    "processing_days": 1,
    "processing_note": (
        "Ngay sau khi nhận đủ giấy tờ, nếu đủ điều kiện thì đăng ký và hai bên cùng ký; cần xác minh điều "
        "kiện kết hôn thì không quá 05 ngày làm việc."
    ),
    "authority": "ward",
    "authority_name": "UBND cấp xã nơi cư trú của một trong hai bên",
    "routing": routing(
        WARD_LEVEL,
        CHOSEN,
        RESIDENCE,
        reason=(
            "Luật Hộ tịch 2014, Điều 17: UBND cấp xã nơi cư trú của một trong hai bên nam, nữ đăng ký kết "
            "hôn. Mặc định là nơi cư trú của người nộp; đăng ký ở nơi cư trú của bên kia thì chọn phường, "
            "xã đó."
        ),
    ),
    "legal_basis": (
        "Luật Hôn nhân và gia đình 2014 (Điều 8); Luật Hộ tịch 2014 (Điều 17–18); Nghị định 123/2015/NĐ-CP; "
        "Thông tư 04/2020/TT-BTP."
    ),
    "keywords": ["giấy đăng ký kết hôn", "làm giấy kết hôn", "giấy hôn thú", "đăng ký cưới", "kết hôn"],
    "note": (
        "Nộp hồ sơ trực tuyến, nhưng hai bên phải cùng có mặt tại UBND cấp xã để ký Giấy chứng nhận kết hôn. "
        "Điều kiện về tuổi được kiểm tra khi giải quyết hồ sơ. Quy định về nơi đăng ký theo nơi cư trú có thể "
        "đã được nới theo các văn bản năm 2025 — hãy hỏi UBND cấp xã nơi định nộp."
    ),
}

LY_LICH_TU_PHAP = {
    "code": "ly-lich-tu-phap",
    "name": "Cấp Phiếu lý lịch tư pháp",
    "field": "Tư pháp",
    "description": (
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam: Phiếu số 1 (theo yêu cầu cá nhân, cơ quan, tổ "
        "chức) hoặc Phiếu số 2 (ghi đầy đủ án tích, chỉ cấp cho chính người đó, không ủy quyền)."
    ),
    "online_level": "full",
    "documents": [
        doc("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Điền trực tuyến."),
        doc(
            "Giấy tờ tùy thân và giấy tờ chứng minh nơi cư trú",
            "Không phải nộp khi đăng nhập VNeID: thông tin lấy từ Cơ sở dữ liệu quốc gia về dân cư.",
            required=False,
        ),
        doc(
            "Giấy tờ chứng minh thuộc đối tượng được giảm, miễn phí",
            "Sinh viên, người có công, thân nhân liệt sĩ, người thuộc hộ nghèo, người khuyết tật...",
            required=False,
        ),
    ],
    "form_schema": form(
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
        {
            "card_type": choice("Loại phiếu", ["Phiếu số 1", "Phiếu số 2"]),
            "purpose": text("Mục đích sử dụng phiếu", max_length=250, examples=["Bổ sung hồ sơ xin việc"]),
            "copies": integer("Số lượng phiếu", 1, 10),
            "other_names": text("Tên gọi khác (nếu có)", max_length=100),
            "place_of_birth": text("Nơi sinh", max_length=250),
            "father_full_name": text("Họ và tên cha", max_length=100),
            "mother_full_name": text("Họ và tên mẹ", max_length=100),
            "spouse_full_name": text("Họ và tên vợ/chồng", max_length=100),
            "residence_history": array(
                "Quá trình cư trú (từ đủ 14 tuổi)",
                obj(
                    "Nơi cư trú",
                    {
                        "from_date": day("Từ ngày"),
                        "to_date": day("Đến ngày"),
                        "address": text("Nơi cư trú", max_length=250),
                        "occupation": text("Nghề nghiệp, nơi làm việc", max_length=200),
                    },
                    ["from_date", "address"],
                ),
                max_items=30,
            ),
            "receive_method": choice("Hình thức nhận phiếu", [*RECEIVE, "Bản điện tử trên VNeID"]),
            "delivery_address": text("Địa chỉ nhận qua bưu chính", max_length=250),
            "phone": pattern("Số điện thoại liên hệ", PHONE),
        },
        ["card_type", "purpose", "copies", "place_of_birth", "receive_method"],
        allOf=[when("receive_method", ["Qua dịch vụ bưu chính"], ["delivery_address"])],
    ),
    "fee_vnd": 200_000,
    "fee_varies": False,
    "fee_note": (
        "Phí cung cấp thông tin lý lịch tư pháp 200.000 đồng/lần/người; sinh viên, người có công, thân nhân "
        "liệt sĩ: 100.000 đồng; miễn cho trẻ em, người cao tuổi, người khuyết tật, người thuộc hộ nghèo, "
        "người cư trú ở xã đặc biệt khó khăn. Từ phiếu thứ 3 trở đi: 5.000 đồng/phiếu (Thông tư "
        "244/2016/TT-BTC). Mức giảm khi nộp trực tuyến (nếu có) áp dụng theo quy định hiện hành."
    ),
    "processing_days": 10,
    "processing_note": (
        "Không quá 10 ngày kể từ ngày nhận yêu cầu hợp lệ; người có thời gian cư trú ở nhiều tỉnh, ở nước "
        "ngoài hoặc cần xác minh: không quá 15 ngày (Luật Lý lịch tư pháp, Điều 48)."
    ),
    "authority": "province",
    "authority_name": "Sở Tư pháp nơi thường trú (hoặc nơi tạm trú)",
    "routing": routing(
        PROVINCE_LEVEL,
        reason=(
            "Luật Lý lịch tư pháp 2009, Điều 45: Sở Tư pháp nơi người yêu cầu thường trú (không có nơi "
            "thường trú thì nơi tạm trú) cấp phiếu; hồ sơ vào hàng đợi cấp tỉnh."
        ),
    ),
    "legal_basis": (
        "Luật Lý lịch tư pháp 2009 (Điều 41–48); Nghị định 111/2010/NĐ-CP; Thông tư 244/2016/TT-BTC (phí)."
    ),
    "keywords": [
        "lý lịch tư pháp",
        "LLTP",
        "xin lý lịch tư pháp",
        "phiếu LLTP",
        "giấy xác nhận không tiền án",
        "tiền án tiền sự",
    ],
    "note": (
        "Luật ghi thời hạn theo “ngày”, ứng dụng tính theo ngày làm việc để hẹn trả. Cơ quan cấp phiếu ghi theo "
        "Luật Lý lịch tư pháp 2009; nếu thẩm quyền được điều chỉnh trong năm 2025, hãy đối chiếu trên Cổng "
        "Dịch vụ công quốc gia."
    ),
}

GPLX_CLASSES = [
    # Classes of the Luật Trật tự, an toàn giao thông đường bộ 2024, then the older ones still on
    # licences being exchanged.
    "A1",
    "A",
    "B1",
    "B",
    "C1",
    "C",
    "D1",
    "D2",
    "D",
    "BE",
    "C1E",
    "CE",
    "D1E",
    "D2E",
    "DE",
    "A2",
    "A3",
    "A4",
    "B2",
    "E",
    "FB2",
    "FC",
    "FD",
    "FE",
]

DOI_GPLX = {
    "code": "doi-gplx",
    "name": "Cấp đổi giấy phép lái xe",
    "field": "Đường bộ",
    "description": (
        "Đổi giấy phép lái xe (GPLX) do ngành Giao thông vận tải hoặc Công an cấp khi sắp hết hạn, hết hạn, "
        "bị hỏng, có thay đổi thông tin, hoặc đổi sang mẫu mới."
    ),
    "online_level": "full",
    "documents": [
        doc("Đơn đề nghị đổi giấy phép lái xe (theo mẫu)", "Điền trực tuyến."),
        doc(
            "Giấy khám sức khỏe của người lái xe",
            "Bắt buộc với GPLX ô tô (hạng B trở lên). Nộp trực tuyến toàn trình cần giấy khám sức khỏe điện "
            "tử đã được cơ sở y tế liên thông lên hệ thống.",
            required=False,
        ),
        doc("Giấy phép lái xe đang sử dụng", "Bản chụp hai mặt; không cần nếu GPLX đã có trong hệ thống."),
    ],
    "form_schema": form(
        "Đơn đề nghị đổi giấy phép lái xe",
        {
            "license_number": pattern("Số giấy phép lái xe", DIGITS_12, description="12 chữ số"),
            "license_class": choice("Hạng giấy phép lái xe", GPLX_CLASSES),
            "issued_on": day("Ngày cấp"),
            "expires_on": day("Ngày hết hạn", not_future=False),
            "reason": choice(
                "Lý do đổi",
                [
                    "Sắp hết hạn hoặc đã hết hạn",
                    "Bị hỏng",
                    "Thay đổi thông tin trên giấy phép",
                    "Đổi sang mẫu giấy phép mới",
                ],
            ),
            "health_certificate_code": text("Mã giấy khám sức khỏe điện tử", max_length=50),
            "receive_method": choice("Hình thức nhận giấy phép", RECEIVE),
            "delivery_address": text("Địa chỉ nhận qua bưu chính", max_length=250),
        },
        ["license_number", "license_class", "issued_on", "reason", "receive_method"],
        allOf=[when("receive_method", ["Qua dịch vụ bưu chính"], ["delivery_address"])],
    ),
    "fee_vnd": 135_000,
    "fee_varies": False,
    "fee_note": (
        "Lệ phí cấp đổi GPLX 135.000 đồng/lần (Thông tư 37/2023/TT-BTC). Nộp trực tuyến có thể được áp dụng "
        "mức thấp hơn theo quy định của Bộ Tài chính; phí chuyển phát (nếu chọn) trả riêng."
    ),
    "processing_days": 5,
    "processing_note": "Không quá 05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "authority": "province",
    "authority_name": "Công an tỉnh (Phòng Cảnh sát giao thông)",
    "routing": routing(
        PROVINCE_LEVEL,
        reason=(
            "Thông tư 12/2025/TT-BCA: Phòng Cảnh sát giao thông Công an tỉnh đổi giấy phép lái xe, không "
            "phụ thuộc nơi cư trú; hồ sơ vào hàng đợi cấp tỉnh."
        ),
    ),
    "legal_basis": (
        "Luật Trật tự, an toàn giao thông đường bộ 2024; Thông tư 12/2025/TT-BCA (sát hạch, cấp giấy phép "
        "lái xe, áp dụng từ 01/3/2025 thay các quy định về cấp GPLX của Thông tư 35/2024/TT-BGTVT); Thông tư "
        "37/2023/TT-BTC (lệ phí)."
    ),
    "keywords": [
        "GPLX",
        "bằng lái xe",
        "đổi bằng lái",
        "đổi bằng lái xe",
        "đổi GPLX",
        "gia hạn bằng lái",
        "bằng lái hết hạn",
    ],
    "note": (
        "Từ 01/3/2025 việc cấp, đổi GPLX chuyển từ Sở Giao thông vận tải sang Công an tỉnh. Thời hạn 05 ngày "
        "làm việc ghi theo quy định trước đây; chưa đối chiếu được với Thông tư 12/2025/TT-BCA. GPLX mô tô "
        "hạng A1, A2 (mẫu cũ) không thời hạn: chỉ cần đổi khi hỏng hoặc có nhu cầu đổi mẫu mới."
    ),
}

DANG_KY_XE = {
    "code": "dang-ky-xe",
    "name": "Đăng ký xe lần đầu (cấp chứng nhận đăng ký, biển số xe)",
    "field": "Đường bộ",
    "description": (
        "Đăng ký xe mô tô, xe gắn máy, ô tô mới mua lần đầu để được cấp chứng nhận đăng ký xe và biển số định "
        "danh. Nộp lệ phí trước bạ trước khi đăng ký."
    ),
    "online_level": "partial",
    "documents": [
        doc("Giấy khai đăng ký xe (theo mẫu)", "Điền trực tuyến."),
        doc(
            "Chứng từ nguồn gốc xe",
            "Dữ liệu điện tử phiếu kiểm tra chất lượng xuất xưởng (xe sản xuất, lắp ráp trong nước) hoặc tờ "
            "khai hải quan (xe nhập khẩu).",
        ),
        doc("Chứng từ chuyển quyền sở hữu xe", "Hóa đơn điện tử bán hàng."),
        doc("Chứng từ nộp lệ phí trước bạ", "Dữ liệu điện tử hoặc biên lai."),
        CCCD_SCAN,
    ],
    "form_schema": form(
        "Giấy khai đăng ký xe",
        {
            "vehicle_type": choice(
                "Loại xe", ["Xe mô tô", "Xe gắn máy", "Xe máy điện", "Ô tô con", "Ô tô tải", "Ô tô khách"]
            ),
            "brand": text("Nhãn hiệu", max_length=60),
            "model_name": text("Số loại (tên thương mại)", max_length=60),
            "color": text("Màu sơn", max_length=40),
            "engine_number": pattern("Số máy", VEHICLE_NUMBER),
            "chassis_number": pattern("Số khung", VEHICLE_NUMBER),
            "origin": choice("Nguồn gốc", ["Sản xuất, lắp ráp trong nước", "Nhập khẩu"]),
            "invoice_number": text("Số hóa đơn bán hàng", max_length=50),
            "purchase_date": day("Ngày mua (ngày hóa đơn)"),
            "registration_fee_receipt": text("Mã hồ sơ/số chứng từ nộp lệ phí trước bạ", max_length=50),
            "receive_method": choice("Hình thức nhận chứng nhận đăng ký, biển số", RECEIVE),
            "delivery_address": text("Địa chỉ nhận qua bưu chính", max_length=250),
        },
        [
            "vehicle_type",
            "brand",
            "model_name",
            "color",
            "engine_number",
            "chassis_number",
            "origin",
            "purchase_date",
            "receive_method",
        ],
        allOf=[when("receive_method", ["Qua dịch vụ bưu chính"], ["delivery_address"])],
    ),
    "fee_vnd": None,
    "fee_varies": True,
    "fee_note": (
        "Lệ phí cấp chứng nhận đăng ký kèm biển số theo Thông tư 60/2023/TT-BTC, tùy loại xe, giá trị xe và "
        "khu vực (ví dụ xe mô tô ở khu vực III: 150.000 đồng). Lệ phí trước bạ nộp riêng, trước khi đăng ký. "
        "Cán bộ sẽ thông báo số tiền cần nộp."
    ),
    "processing_days": 2,
    "processing_note": (
        "Cấp biển số ngay khi hồ sơ hợp lệ; cấp chứng nhận đăng ký xe không quá 02 ngày làm việc."
    ),
    "authority": "ward",
    "authority_name": "Công an cấp xã (xe mô tô, xe gắn máy); ô tô: cơ quan đăng ký xe do Công an tỉnh phân công",
    "routing": routing(
        WARD_LEVEL,
        CHOSEN,
        RESIDENCE,
        reason=(
            "Thông tư 79/2024/TT-BCA: Công an cấp xã đăng ký xe mô tô, xe gắn máy của cá nhân cư trú tại "
            "địa phương; nơi cư trú gồm cả nơi tạm trú. Mặc định là nơi cư trú của người nộp; người đang "
            "tạm trú ở phường, xã khác thì chọn phường, xã đó."
        ),
    ),
    "legal_basis": (
        "Luật Trật tự, an toàn giao thông đường bộ 2024; Thông tư 79/2024/TT-BCA (cấp, thu hồi chứng nhận "
        "đăng ký, biển số xe); Thông tư 60/2023/TT-BTC (lệ phí); Nghị định 10/2022/NĐ-CP (lệ phí trước bạ)."
    ),
    "keywords": [
        "đăng ký xe máy",
        "đăng ký ô tô",
        "đăng ký xe mới",
        "cà vẹt",
        "biển số xe",
        "bấm biển số",
        "giấy đăng ký xe",
    ],
    "note": (
        "Toàn trình chỉ khi xe sản xuất, lắp ráp trong nước đã có dữ liệu điện tử; các trường hợp khác phải "
        "đưa xe đến cơ quan đăng ký để kiểm tra. Phân công đăng ký ô tô giữa Công an tỉnh và Công an cấp xã "
        "sau 01/7/2025 do Công an tỉnh quyết định — ứng dụng gửi hồ sơ về Công an cấp xã nơi cư trú người "
        "nộp chọn (mặc định nơi cư trú theo VNeID)."
    ),
}

HOUSEHOLD_MEMBER = obj(
    "Thành viên tham gia",
    {
        "full_name": text("Họ, chữ đệm và tên", max_length=100),
        "personal_id": personal_id(),
        "social_insurance_number": pattern("Mã số BHXH", DIGITS_10),
    },
    ["full_name", "personal_id"],
)

BHYT_HO_GIA_DINH = {
    "code": "bhyt-ho-gia-dinh",
    "name": "Cấp, gia hạn thẻ bảo hiểm y tế theo hộ gia đình",
    "field": "Bảo hiểm y tế",
    "description": (
        "Tham gia mới hoặc gia hạn bảo hiểm y tế cho thành viên hộ gia đình chưa có thẻ BHYT theo nhóm khác "
        "(người lao động, hưu trí, học sinh...). Kết quả: thẻ BHYT (dùng bản điện tử trên VssID hoặc VNeID)."
    ),
    "online_level": "full",
    "documents": [
        doc(
            "Tờ khai tham gia, điều chỉnh thông tin BHXH, BHYT (Mẫu TK1-TS)",
            "Chỉ khi tham gia lần đầu và chưa có mã số BHXH; gia hạn không cần nộp giấy tờ.",
            required=False,
        ),
    ],
    "form_schema": form(
        "Đề nghị cấp, gia hạn thẻ BHYT theo hộ gia đình",
        {
            "request_type": choice("Loại yêu cầu", ["Cấp mới", "Gia hạn"]),
            "members": array("Thành viên tham gia", HOUSEHOLD_MEMBER, min_items=1, max_items=20),
            "months": {"type": "integer", "title": "Số tháng đóng", "enum": [3, 6, 12]},
            "initial_health_facility": text("Nơi đăng ký khám bệnh, chữa bệnh ban đầu", max_length=200),
            "phone": pattern("Số điện thoại liên hệ", PHONE),
        },
        ["request_type", "members", "months", "initial_health_facility"],
    ),
    "fee_vnd": None,
    "fee_varies": True,
    "fee_note": (
        "Không thu lệ phí thủ tục. Mức đóng BHYT hộ gia đình: người thứ nhất 4,5% mức lương cơ sở (105.300 "
        "đồng/tháng với mức lương cơ sở 2.340.000 đồng); người thứ hai, ba, tư lần lượt 70%, 60%, 50% và từ "
        "người thứ năm 40% mức của người thứ nhất; đóng 3, 6 hoặc 12 tháng một lần."
    ),
    "processing_days": 5,
    "processing_note": "Thẻ được cấp sau khi đóng tiền; thời hạn ghi theo quy trình của BHXH Việt Nam.",
    "authority": "province",
    "authority_name": "Bảo hiểm xã hội cơ sở (thuộc Bảo hiểm xã hội khu vực)",
    "routing": routing(
        PROVINCE_LEVEL,
        reason=(
            "Luật Bảo hiểm y tế; Quyết định 595/QĐ-BHXH: Bảo hiểm xã hội cơ sở (thuộc Bảo hiểm xã hội "
            "khu vực) cấp thẻ, không phải UBND hay Công an cấp xã; hồ sơ vào hàng đợi cấp tỉnh."
        ),
    ),
    "legal_basis": (
        "Luật Bảo hiểm y tế 2008 (sửa đổi, bổ sung 2014 và 2024); Nghị định 146/2018/NĐ-CP; Quyết định "
        "595/QĐ-BHXH và các văn bản sửa đổi (quy trình thu, cấp thẻ)."
    ),
    "keywords": [
        "BHYT",
        "thẻ BHYT",
        "gia hạn BHYT",
        "mua bảo hiểm y tế",
        "gia hạn bảo hiểm y tế",
        "bảo hiểm y tế hộ gia đình",
    ],
    "note": (
        "Thời hạn 05 ngày làm việc là ước tính theo quy trình của BHXH, chưa đối chiếu với văn bản sau khi "
        "tổ chức lại BHXH (từ 01/3/2025 có BHXH khu vực và BHXH cơ sở). Mức lương cơ sở thay đổi thì mức "
        "đóng thay đổi theo."
    ),
}

BHYT_TRE_EM = {
    "code": "bhyt-tre-duoi-6",
    "name": "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
    "field": "Bảo hiểm y tế",
    "description": (
        "Trẻ em dưới 6 tuổi được ngân sách nhà nước đóng BHYT. Thẻ có giá trị đến khi trẻ đủ 72 tháng tuổi "
        "(nếu lúc đó chưa đến kỳ nhập học thì đến hết ngày 30/9 năm đó)."
    ),
    "online_level": "full",
    "documents": [
        doc(
            "Tờ khai tham gia, điều chỉnh thông tin BHXH, BHYT (Mẫu TK1-TS)",
            "Điền trực tuyến; khi nộp liên thông cùng đăng ký khai sinh thì dùng chung tờ khai điện tử.",
        ),
    ],
    "form_schema": form(
        "Đề nghị cấp thẻ BHYT cho trẻ em dưới 6 tuổi",
        {
            "child_full_name": text("Họ, chữ đệm và tên của trẻ", max_length=100),
            "child_date_of_birth": day("Ngày sinh của trẻ"),
            "child_sex": choice("Giới tính của trẻ", SEX),
            "child_personal_id": personal_id("Số định danh cá nhân của trẻ"),
            "initial_health_facility": text("Nơi đăng ký khám bệnh, chữa bệnh ban đầu", max_length=200),
            "address": ADDRESS,
        },
        ["child_full_name", "child_date_of_birth", "child_sex", "initial_health_facility"],
    ),
    "fee_vnd": None,
    "fee_varies": False,
    "fee_note": "Miễn phí: ngân sách nhà nước đóng BHYT cho trẻ em dưới 6 tuổi.",
    "processing_days": 5,
    "processing_note": (
        "Nộp riêng: thời hạn theo quy trình của BHXH. Nộp liên thông cùng đăng ký khai sinh và thường trú: cả "
        "nhóm không quá 03 ngày làm việc."
    ),
    "authority": "province",
    "authority_name": "Bảo hiểm xã hội cơ sở (thuộc Bảo hiểm xã hội khu vực)",
    "routing": routing(
        PROVINCE_LEVEL,
        reason=(
            "Luật Bảo hiểm y tế, Điều 12; Nghị định 63/2024/NĐ-CP: Bảo hiểm xã hội cơ sở cấp thẻ cho trẻ, "
            "không phải UBND hay Công an cấp xã; hồ sơ vào hàng đợi cấp tỉnh."
        ),
    ),
    "legal_basis": (
        "Luật Bảo hiểm y tế 2008 (sửa đổi, bổ sung 2014 và 2024), Điều 12; Nghị định 146/2018/NĐ-CP; Nghị định "
        "63/2024/NĐ-CP (liên thông điện tử)."
    ),
    "keywords": [
        "thẻ BHYT trẻ em",
        "BHYT cho con",
        "BHYT trẻ dưới 6 tuổi",
        "bảo hiểm y tế trẻ em",
        "thẻ bảo hiểm cho bé",
    ],
    "note": (
        "Số định danh cá nhân của trẻ có sau khi đăng ký khai sinh; khi nộp liên thông, hệ thống tự điền. "
        "Thời hạn khi nộp riêng (05 ngày làm việc) là ước tính, chưa đối chiếu văn bản."
    ),
}

XOA_THUONG_TRU_REASONS = [
    "Người đăng ký thường trú đã chết",
    "Có quyết định của Tòa án tuyên bố mất tích hoặc đã chết",
    "Ra nước ngoài để định cư",
    "Đã có quyết định hủy bỏ đăng ký thường trú",
    "Vắng mặt liên tục từ 12 tháng trở lên mà không đăng ký tạm trú nơi khác hoặc khai báo tạm vắng",
    "Đã được thôi quốc tịch Việt Nam, bị tước hoặc hủy bỏ quyết định cho nhập quốc tịch Việt Nam",
    "Trường hợp khác theo Điều 24 Luật Cư trú",
]

XOA_THUONG_TRU = {
    "code": "xoa-thuong-tru",
    "name": "Xóa đăng ký thường trú",
    "field": "Cư trú",
    "description": (
        "Xóa thông tin thường trú của người thuộc các trường hợp Điều 24 Luật Cư trú (người đã chết, ra nước "
        "ngoài định cư...). Hộ gia đình có trách nhiệm nộp hồ sơ trong 07 ngày kể từ ngày phát sinh."
    ),
    "online_level": "full",
    "documents": [
        doc("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", "Điền trực tuyến."),
        doc(
            "Giấy tờ, tài liệu chứng minh thuộc trường hợp xóa đăng ký thường trú",
            "Ví dụ trích lục khai tử; khi nộp liên thông cùng đăng ký khai tử thì không phải nộp.",
        ),
    ],
    "form_schema": form(
        "Tờ khai thay đổi thông tin cư trú – xóa đăng ký thường trú",
        {
            "person_full_name": text("Họ, chữ đệm và tên người bị xóa đăng ký thường trú", max_length=100),
            "person_personal_id": personal_id("Số định danh cá nhân của người đó"),
            "reason": choice("Trường hợp xóa đăng ký thường trú", XOA_THUONG_TRU_REASONS),
            "event_date": day("Ngày phát sinh (ngày chết, ngày xuất cảnh...)"),
            "applicant_relationship": text("Quan hệ của người nộp với người đó", max_length=50),
            "address": ADDRESS,
            "ward_code": WARD,
        },
        ["person_full_name", "person_personal_id", "reason", "event_date", "applicant_relationship"],
    ),
    "fee_vnd": None,
    "fee_varies": False,
    "fee_note": "Không thu lệ phí.",
    "processing_days": 1,
    "processing_note": "Trong 01 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "authority": "ward",
    "authority_name": "Công an cấp xã nơi thường trú",
    "routing": routing(
        WARD_LEVEL,
        "form.ward_code",
        CHOSEN,
        RESIDENCE,
        reason=(
            "Luật Cư trú 2020, Điều 24: xóa đăng ký thường trú tại cơ quan đăng ký cư trú nơi người đó "
            "thường trú: phường, xã ghi trong tờ khai; không ghi thì phường, xã đã chọn khi nộp (nộp liên "
            "thông: nơi đăng ký khai tử), cuối cùng là nơi cư trú của người nộp (cùng hộ gia đình)."
        ),
    ),
    "legal_basis": "Luật Cư trú 2020 (Điều 24); Nghị định 154/2024/NĐ-CP; Thông tư 55/2021/TT-BCA.",
    "keywords": ["xóa hộ khẩu", "cắt hộ khẩu", "cắt khẩu", "xóa tên khỏi hộ khẩu", "xóa thường trú"],
    "note": None,
}

MAI_TANG_CATEGORIES = [
    "Người đang hưởng trợ cấp xã hội hằng tháng",
    "Con của người đơn thân nghèo đang hưởng trợ cấp xã hội hằng tháng",
    "Người cao tuổi thuộc diện được hỗ trợ chi phí mai táng",
    "Trường hợp khác theo Nghị định 20/2021/NĐ-CP",
]

HO_TRO_MAI_TANG = {
    "code": "ho-tro-mai-tang",
    "name": "Hỗ trợ chi phí mai táng (trợ cấp mai táng) cho đối tượng bảo trợ xã hội",
    "field": "Bảo trợ xã hội",
    "description": (
        "Cơ quan, tổ chức, gia đình hoặc cá nhân đứng ra tổ chức mai táng cho người thuộc diện bảo trợ xã hội "
        "được hỗ trợ chi phí mai táng, tối thiểu bằng 20 lần mức chuẩn trợ giúp xã hội (mức chuẩn 500.000 "
        "đồng/tháng từ 01/7/2024, tức ít nhất 10.000.000 đồng); tỉnh có thể quy định mức cao hơn."
    ),
    "online_level": "full",
    "documents": [
        doc(
            "Tờ khai đề nghị hỗ trợ chi phí mai táng (Mẫu số 04, Nghị định 20/2021/NĐ-CP)", "Điền trực tuyến."
        ),
        doc(
            "Trích lục khai tử hoặc giấy báo tử",
            "Khi nộp liên thông cùng đăng ký khai tử thì không phải nộp.",
        ),
    ],
    "form_schema": form(
        "Tờ khai đề nghị hỗ trợ chi phí mai táng",
        {
            "deceased_full_name": text("Họ, chữ đệm và tên người đã chết", max_length=100),
            "deceased_personal_id": personal_id("Số định danh cá nhân của người đã chết"),
            "date_of_death": day("Ngày chết"),
            "burial_date": day("Ngày mai táng"),
            "deceased_category": choice("Người đã chết thuộc diện", MAI_TANG_CATEGORIES),
            "applicant_relationship": text("Quan hệ của người đứng ra mai táng", max_length=50),
            "payment_method": choice("Hình thức nhận tiền", PAYMENT),
            **BANK,
        },
        [
            "deceased_full_name",
            "deceased_personal_id",
            "date_of_death",
            "deceased_category",
            "applicant_relationship",
            "payment_method",
        ],
        allOf=[
            when(
                "payment_method",
                ["Tài khoản ngân hàng"],
                ["bank_name", "bank_account_number", "bank_account_holder"],
            )
        ],
    ),
    "fee_vnd": None,
    "fee_varies": False,
    "fee_note": "Không thu lệ phí.",
    "processing_days": 5,
    "processing_note": (
        "Thời hạn theo Nghị định 20/2021/NĐ-CP: UBND cấp xã xem xét trong 03 ngày làm việc, cấp quyết định "
        "trong 02 ngày làm việc."
    ),
    "authority": "ward",
    "authority_name": "Chủ tịch UBND cấp xã nơi người đã chết cư trú",
    "routing": routing(
        WARD_LEVEL,
        CHOSEN,
        RESIDENCE,
        reason=(
            "Nghị định 20/2021/NĐ-CP, Điều 11: UBND cấp xã nơi người đã chết cư trú và hưởng trợ cấp xã "
            "hội giải quyết. Mặc định là nơi cư trú của người nộp; người chết cư trú nơi khác thì chọn "
            "phường, xã đó."
        ),
    ),
    "legal_basis": (
        "Nghị định 20/2021/NĐ-CP (Điều 11), sửa đổi bởi Nghị định 76/2024/NĐ-CP; Nghị định 63/2024/NĐ-CP "
        "(liên thông điện tử)."
    ),
    "keywords": [
        "trợ cấp mai táng",
        "mai táng phí",
        "hỗ trợ mai táng",
        "tiền mai táng",
        "tiền ma chay",
        "chi phí mai táng",
    ],
    "note": (
        "Trước 01/7/2025 Chủ tịch UBND cấp huyện quyết định; nay thuộc UBND cấp xã, tổng thời hạn 05 ngày làm "
        "việc là suy ra từ quy trình cũ. Người đang hưởng lương hưu, trợ cấp BHXH hằng tháng được trợ cấp mai "
        "táng của BHXH; người có công được mai táng phí theo chế độ ưu đãi — đó là các thủ tục khác."
    ),
}

TRO_CAP_THAT_NGHIEP = {
    "code": "tro-cap-that-nghiep",
    "name": "Giải quyết hưởng trợ cấp thất nghiệp",
    "field": "Lao động - Việc làm",
    "description": (
        "Người lao động đã đóng bảo hiểm thất nghiệp từ đủ 12 tháng trong 24 tháng trước khi chấm dứt hợp "
        "đồng, nộp hồ sơ trong 03 tháng kể từ ngày chấm dứt. Mức hưởng hằng tháng 60% bình quân tiền lương "
        "đóng BHTN của 06 tháng liền kề (có mức trần); thời gian hưởng 03 tháng cho 12–36 tháng đóng, thêm 01 "
        "tháng cho mỗi 12 tháng đóng thêm, tối đa 12 tháng."
    ),
    "online_level": "partial",
    "documents": [
        doc("Đề nghị hưởng trợ cấp thất nghiệp (theo mẫu)", "Điền trực tuyến."),
        doc(
            "Giấy tờ xác nhận chấm dứt hợp đồng lao động hoặc hợp đồng làm việc",
            "Bản chính hoặc bản sao có chứng thực: hợp đồng đã hết hạn, quyết định thôi việc, quyết định sa "
            "thải, thông báo hoặc thỏa thuận chấm dứt hợp đồng...",
        ),
        doc(
            "Sổ bảo hiểm xã hội",
            "Có xác nhận thời gian đóng BHTN; không cần nếu cơ quan BHXH đã xác nhận điện tử.",
            required=False,
        ),
    ],
    "form_schema": form(
        "Đề nghị hưởng trợ cấp thất nghiệp",
        {
            "social_insurance_number": pattern("Mã số BHXH", DIGITS_10),
            "last_employer_name": text("Tên đơn vị làm việc trước khi thất nghiệp", max_length=200),
            "contract_type": choice(
                "Loại hợp đồng đã chấm dứt",
                [
                    "Hợp đồng lao động không xác định thời hạn",
                    "Hợp đồng lao động xác định thời hạn",
                    "Hợp đồng làm việc",
                    "Hợp đồng theo mùa vụ hoặc công việc nhất định (từ 03 đến dưới 12 tháng)",
                ],
            ),
            "contract_end_date": day("Ngày chấm dứt hợp đồng"),
            "termination_reason": text("Lý do chấm dứt hợp đồng", max_length=250),
            "wants_vocational_training": boolean("Có nhu cầu học nghề"),
            "desired_job": text("Công việc mong muốn tìm", max_length=200),
            "payment_method": choice("Hình thức nhận trợ cấp", PAYMENT),
            **BANK,
            "phone": pattern("Số điện thoại liên hệ", PHONE),
        },
        [
            "social_insurance_number",
            "last_employer_name",
            "contract_type",
            "contract_end_date",
            "termination_reason",
            "payment_method",
        ],
        allOf=[
            when(
                "payment_method",
                ["Tài khoản ngân hàng"],
                ["bank_name", "bank_account_number", "bank_account_holder"],
            )
        ],
    ),
    "fee_vnd": None,
    "fee_varies": False,
    "fee_note": "Không thu lệ phí.",
    "processing_days": 20,
    "processing_note": (
        "Trong 20 ngày làm việc kể từ ngày nhận đủ hồ sơ, Trung tâm Dịch vụ việc làm xem xét và trình quyết "
        "định. Hằng tháng người hưởng phải thông báo tìm kiếm việc làm."
    ),
    "authority": "province",
    "authority_name": "Trung tâm Dịch vụ việc làm tỉnh (quyết định: Giám đốc Sở Nội vụ)",
    "routing": routing(
        PROVINCE_LEVEL,
        reason=(
            "Luật Việc làm 2013, Điều 46: nộp tại Trung tâm Dịch vụ việc làm nơi người lao động muốn nhận "
            "trợ cấp, một đơn vị cấp tỉnh; hồ sơ vào hàng đợi cấp tỉnh."
        ),
    ),
    "legal_basis": (
        "Luật Việc làm 2025 (hiệu lực từ 01/01/2026) và văn bản hướng dẫn; trước đó: Luật Việc làm 2013 "
        "(Điều 46, 49, 50), Nghị định 28/2015/NĐ-CP sửa đổi bởi Nghị định 61/2020/NĐ-CP, Thông tư "
        "15/2023/TT-BLĐTBXH."
    ),
    "keywords": [
        "bảo hiểm thất nghiệp",
        "BHTN",
        "hưởng thất nghiệp",
        "lãnh thất nghiệp",
        "nhận tiền thất nghiệp",
        "mất việc",
    ],
    "note": (
        "Phải đến Trung tâm Dịch vụ việc làm nhận quyết định và thông báo tìm việc hằng tháng (có thể trực "
        "tuyến tùy nơi). Từ 01/3/2025 lĩnh vực lao động chuyển về Sở Nội vụ. Điều kiện, mức hưởng, hồ sơ và "
        "thời hạn ở đây ghi theo Luật Việc làm 2013; Luật Việc làm 2025 thay thế luật này từ 01/01/2026 và "
        "chưa được đối chiếu — hãy kiểm tra với Trung tâm Dịch vụ việc làm."
    ),
}

HO_KINH_DOANH = {
    "code": "ho-kinh-doanh",
    "name": "Đăng ký thành lập hộ kinh doanh",
    "field": "Thành lập và hoạt động của hộ kinh doanh",
    "description": (
        "Cá nhân hoặc thành viên hộ gia đình là công dân Việt Nam đăng ký hộ kinh doanh tại một địa điểm. "
        "Kết quả: Giấy chứng nhận đăng ký hộ kinh doanh."
    ),
    "online_level": "full",
    "documents": [
        doc("Giấy đề nghị đăng ký hộ kinh doanh (theo mẫu)", "Điền trực tuyến."),
        doc(
            "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh",
            "Bản sao; chỉ khi các thành viên hộ gia đình cùng đăng ký hộ kinh doanh.",
            required=False,
        ),
        doc(
            "Văn bản ủy quyền của thành viên hộ gia đình cho một thành viên làm chủ hộ kinh doanh",
            "Bản sao; nếu có.",
            required=False,
        ),
    ],
    "form_schema": form(
        "Giấy đề nghị đăng ký hộ kinh doanh",
        {
            "business_name": text(
                "Tên hộ kinh doanh", max_length=200, examples=["Hộ kinh doanh Cà phê Ban Mê"]
            ),
            "address": ADDRESS,
            "ward_code": WARD,
            "business_lines": array(
                "Ngành, nghề kinh doanh", text("Ngành, nghề", max_length=200), min_items=1, max_items=30
            ),
            "capital_vnd": integer("Vốn kinh doanh (đồng)", 0),
            "employees": integer("Số lao động", 0, 1000),
            "phone": pattern("Số điện thoại", PHONE),
            "email": {"type": "string", "format": "email", "title": "Thư điện tử", "maxLength": 120},
            "registered_by": choice("Người đăng ký", ["Cá nhân", "Các thành viên hộ gia đình"]),
            "household_members": array(
                "Thành viên hộ gia đình tham gia",
                obj(
                    "Thành viên",
                    {"full_name": text("Họ và tên", max_length=100), "personal_id": personal_id()},
                    ["full_name", "personal_id"],
                ),
                max_items=20,
            ),
        },
        ["business_name", "address", "ward_code", "business_lines", "capital_vnd", "registered_by"],
        allOf=[when("registered_by", ["Các thành viên hộ gia đình"], ["household_members"])],
    ),
    "fee_vnd": None,
    "fee_varies": True,
    "fee_note": (
        "Lệ phí đăng ký hộ kinh doanh do HĐND tỉnh quy định (Thông tư 85/2019/TT-BTC); nhiều tỉnh miễn hoặc "
        "giảm khi nộp trực tuyến. Cán bộ sẽ thông báo nếu phải nộp."
    ),
    "processing_days": 3,
    "processing_note": "Trong 03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "authority": "ward",
    "authority_name": "Cơ quan đăng ký kinh doanh cấp xã (UBND cấp xã nơi đặt địa điểm kinh doanh)",
    "routing": routing(
        WARD_LEVEL,
        "form.ward_code",
        reason=(
            "Nghị định 168/2025/NĐ-CP: cơ quan đăng ký kinh doanh cấp xã nơi hộ kinh doanh đặt địa điểm "
            "kinh doanh (ghi trong giấy đề nghị), không phải nơi cư trú của chủ hộ."
        ),
    ),
    "legal_basis": (
        "Nghị định 168/2025/NĐ-CP về đăng ký doanh nghiệp (thay Nghị định 01/2021/NĐ-CP từ 01/7/2025); "
        "Thông tư 85/2019/TT-BTC (lệ phí)."
    ),
    "keywords": [
        "giấy phép kinh doanh",
        "đăng ký kinh doanh",
        "hộ kinh doanh cá thể",
        "HKD",
        "mở cửa hàng",
        "mở quán",
        "giấy phép buôn bán",
    ],
    "note": (
        "Mức lệ phí cụ thể của tỉnh chưa được nạp vào danh mục. Hộ kinh doanh ngành nghề có điều kiện còn cần "
        "đáp ứng điều kiện kinh doanh của ngành đó."
    ),
}

GPXD_NHA_O = {
    "code": "gpxd-nha-o",
    "name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "field": "Xây dựng",
    "description": (
        "Cấp giấy phép xây dựng mới nhà ở riêng lẻ. Được miễn giấy phép: nhà ở riêng lẻ ở nông thôn dưới 7 "
        "tầng thuộc khu vực chưa có quy hoạch đô thị, quy hoạch xây dựng được duyệt (trừ khu bảo tồn, di "
        "tích), và một số trường hợp khác theo Điều 89 Luật Xây dựng."
    ),
    "online_level": "partial",
    "documents": [
        doc("Đơn đề nghị cấp giấy phép xây dựng (theo mẫu)", "Điền trực tuyến."),
        doc("Giấy tờ chứng minh quyền sử dụng đất", "Bản sao hoặc bản điện tử (Giấy chứng nhận...)."),
        doc(
            "Bản vẽ thiết kế xây dựng (02 bộ)",
            "Mặt bằng công trình trên lô đất kèm sơ đồ vị trí; mặt bằng các tầng, mặt đứng, mặt cắt chính; "
            "mặt bằng và mặt cắt móng; sơ đồ đấu nối hạ tầng kỹ thuật.",
        ),
        doc(
            "Văn bản cam kết bảo đảm an toàn đối với công trình liền kề",
            "Khi công trình có công trình liền kề.",
            required=False,
        ),
    ],
    "form_schema": form(
        "Đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ",
        {
            "land_address": text("Địa chỉ lô đất", max_length=250),
            "ward_code": WARD,
            "land_certificate_number": text("Số Giấy chứng nhận quyền sử dụng đất", max_length=50),
            "land_parcel_number": text("Thửa đất số", max_length=20),
            "map_sheet_number": text("Tờ bản đồ số", max_length=20),
            "land_area_m2": number("Diện tích lô đất (m²)"),
            "building_footprint_m2": number("Diện tích xây dựng tầng 1 (m²)"),
            "total_floor_area_m2": number("Tổng diện tích sàn (m²)"),
            "floors": integer("Số tầng", 1, 50),
            "height_m": number("Chiều cao công trình (m)"),
            "designer_name": text("Tổ chức, cá nhân thiết kế", max_length=200),
            "expected_completion_months": integer("Dự kiến thời gian hoàn thành (tháng)", 1, 120),
            "phone": pattern("Số điện thoại liên hệ", PHONE),
        },
        [
            "land_address",
            "ward_code",
            "land_certificate_number",
            "land_parcel_number",
            "map_sheet_number",
            "building_footprint_m2",
            "total_floor_area_m2",
            "floors",
        ],
    ),
    "fee_vnd": None,
    "fee_varies": True,
    "fee_note": "Lệ phí cấp giấy phép xây dựng do HĐND tỉnh quy định (Thông tư 85/2019/TT-BTC).",
    "processing_days": 15,
    "processing_note": (
        "Không quá 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ (Luật Xây dựng, Điều 102); thời gian bổ sung hồ sơ "
        "không tính."
    ),
    "authority": "ward",
    "authority_name": "UBND cấp xã nơi xây dựng",
    "routing": routing(
        WARD_LEVEL,
        "form.ward_code",
        reason=(
            "Luật Xây dựng 2014, Điều 103 (từ 01/7/2025 thẩm quyền của cấp huyện chuyển về cấp xã): UBND "
            "cấp xã nơi xây dựng cấp giấy phép, tức phường, xã của lô đất ghi trong đơn."
        ),
    ),
    "legal_basis": (
        "Luật Xây dựng 2014 (sửa đổi, bổ sung 2020), Điều 89, 93, 95, 102; Nghị định 175/2024/NĐ-CP; Thông tư "
        "85/2019/TT-BTC (lệ phí)."
    ),
    "keywords": [
        "giấy phép xây dựng",
        "GPXD",
        "xin phép xây nhà",
        "xin giấy phép xây nhà",
        "xây nhà",
        "phép xây dựng",
    ],
    "note": (
        "Trước 01/7/2025 do UBND cấp huyện cấp; nay UBND cấp xã cấp. Mức lệ phí cụ thể của tỉnh chưa được "
        "nạp vào danh mục. Thời hạn luật ghi theo “ngày”, ứng dụng tính theo ngày làm việc."
    ),
}

BIEN_DONG_DAT_DAI = {
    "code": "bien-dong-dat-dai",
    "name": "Đăng ký biến động đất đai, tài sản gắn liền với đất",
    "field": "Đất đai",
    "description": (
        "Đăng ký khi chuyển nhượng, tặng cho, thừa kế quyền sử dụng đất hoặc thay đổi thông tin trên Giấy "
        'chứng nhận ("sang tên sổ đỏ"). Phải đăng ký trong 30 ngày kể từ ngày có biến động.'
    ),
    "online_level": "partial",
    "documents": [
        doc("Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (theo mẫu)", "Điền trực tuyến."),
        doc("Giấy chứng nhận đã cấp", "Bản gốc, nộp trực tiếp hoặc qua bưu chính."),
        doc(
            "Hợp đồng, văn bản về chuyển nhượng, tặng cho, thừa kế",
            "Đã công chứng hoặc chứng thực; không cần khi chỉ thay đổi thông tin người sử dụng đất.",
            required=False,
        ),
        doc(
            "Giấy tờ chứng minh thay đổi thông tin hoặc được miễn, giảm nghĩa vụ tài chính",
            "Nếu có.",
            required=False,
        ),
    ],
    "form_schema": form(
        "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất",
        {
            "change_type": choice(
                "Nội dung biến động",
                [
                    "Chuyển nhượng quyền sử dụng đất",
                    "Tặng cho quyền sử dụng đất",
                    "Thừa kế quyền sử dụng đất",
                    "Thay đổi thông tin người sử dụng đất (họ tên, giấy tờ nhân thân, địa chỉ)",
                ],
            ),
            "certificate_serial": text("Số phát hành Giấy chứng nhận (số seri)", max_length=30),
            "certificate_entry_number": text("Số vào sổ cấp Giấy chứng nhận", max_length=30),
            "land_parcel_number": text("Thửa đất số", max_length=20),
            "map_sheet_number": text("Tờ bản đồ số", max_length=20),
            "land_address": text("Địa chỉ thửa đất", max_length=250),
            "ward_code": WARD,
            "transferee_full_name": text("Họ và tên bên nhận chuyển quyền", max_length=100),
            "transferee_personal_id": personal_id("Số định danh cá nhân bên nhận chuyển quyền"),
            "contract_date": day("Ngày công chứng, chứng thực hợp đồng/văn bản"),
            "new_certificate_requested": boolean("Đề nghị cấp Giấy chứng nhận mới"),
            "change_details": text("Nội dung thay đổi cụ thể", max_length=500),
        },
        [
            "change_type",
            "certificate_serial",
            "land_parcel_number",
            "map_sheet_number",
            "land_address",
            "ward_code",
        ],
        allOf=[
            when(
                "change_type",
                [
                    "Chuyển nhượng quyền sử dụng đất",
                    "Tặng cho quyền sử dụng đất",
                    "Thừa kế quyền sử dụng đất",
                ],
                ["transferee_full_name", "transferee_personal_id", "contract_date"],
            ),
            when(
                "change_type",
                ["Thay đổi thông tin người sử dụng đất (họ tên, giấy tờ nhân thân, địa chỉ)"],
                ["change_details"],
            ),
        ],
    ),
    "fee_vnd": None,
    "fee_varies": True,
    "fee_note": (
        "Lệ phí cấp Giấy chứng nhận và phí thẩm định hồ sơ do HĐND tỉnh quy định. Chuyển nhượng, tặng cho, "
        "thừa kế còn có lệ phí trước bạ (0,5%) và thuế thu nhập cá nhân (2% giá chuyển nhượng), được miễn "
        "trong một số trường hợp giữa người thân. Cán bộ sẽ thông báo nghĩa vụ tài chính."
    ),
    "processing_days": 10,
    "processing_note": (
        "Không quá 10 ngày làm việc, không kể thời gian thực hiện nghĩa vụ tài chính; xã miền núi, hải đảo, "
        "vùng khó khăn được cộng thêm thời gian theo Nghị định 101/2024/NĐ-CP."
    ),
    "authority": "province",
    "authority_name": "Văn phòng đăng ký đất đai (chi nhánh) thuộc Sở Nông nghiệp và Môi trường",
    "routing": routing(
        PROVINCE_LEVEL,
        check_in_province=("form.ward_code",),
        reason=(
            "Luật Đất đai 2024, Điều 133; Nghị định 101/2024/NĐ-CP: Văn phòng đăng ký đất đai (chi nhánh) "
            "nơi có đất đăng ký biến động. Thửa đất phải thuộc tỉnh đang vận hành ứng dụng; hồ sơ vào hàng "
            "đợi cấp tỉnh."
        ),
    ),
    "legal_basis": (
        "Luật Đất đai 2024 (Điều 133); Nghị định 101/2024/NĐ-CP (đăng ký, cấp Giấy chứng nhận); Nghị định "
        "151/2025/NĐ-CP (phân định thẩm quyền chính quyền địa phương hai cấp trong lĩnh vực đất đai)."
    ),
    "keywords": [
        "sang tên sổ đỏ",
        "sang tên sổ hồng",
        "sổ đỏ",
        "chuyển nhượng đất",
        "tặng cho đất",
        "thừa kế đất",
        "đăng ký biến động",
    ],
    "note": (
        "Thời hạn cụ thể tùy loại biến động; 10 ngày làm việc là mức chung thường áp dụng, cần đối chiếu Nghị "
        "định 101/2024/NĐ-CP cho từng trường hợp. Giấy chứng nhận bản gốc phải nộp trực tiếp hoặc qua bưu chính."
    ),
}

PROCEDURES: tuple[dict[str, Any], ...] = (
    KHAI_SINH,
    THUONG_TRU,
    TAM_TRU,
    TAM_VANG,
    KHAI_TU,
    KET_HON,
    LY_LICH_TU_PHAP,
    DOI_GPLX,
    DANG_KY_XE,
    BHYT_HO_GIA_DINH,
    BHYT_TRE_EM,
    XOA_THUONG_TRU,
    HO_TRO_MAI_TANG,
    TRO_CAP_THAT_NGHIEP,
    HO_KINH_DOANH,
    GPXD_NHA_O,
    BIEN_DONG_DAT_DAI,
)

# ---- interconnected groups (Nghị định 63/2024/NĐ-CP) -------------------------------------------

GROUPS: tuple[dict[str, Any], ...] = (
    {
        "code": "lien-thong-khai-sinh",
        "name": "Liên thông khai sinh – đăng ký thường trú – cấp thẻ BHYT cho trẻ dưới 6 tuổi",
        "description": (
            "Một lần nộp cho ba thủ tục của trẻ mới sinh: UBND cấp xã đăng ký khai sinh và cấp số định danh "
            "cá nhân, Công an cấp xã đăng ký thường trú, Bảo hiểm xã hội cấp thẻ BHYT. Kết quả được trả về "
            "tài khoản của người nộp."
        ),
        "legal_basis": (
            "Nghị định 63/2024/NĐ-CP về thực hiện liên thông điện tử hai nhóm thủ tục hành chính; Quyết định "
            "296/QĐ-VPCP (công bố quy trình)."
        ),
        "processing_days": 3,
        "note": "Thời hạn cả nhóm không quá 03 ngày làm việc theo quy trình liên thông điện tử đã công bố.",
        "procedure_codes": ["khai-sinh", "thuong-tru", "bhyt-tre-duoi-6"],
    },
    {
        "code": "lien-thong-khai-tu",
        "name": "Liên thông khai tử – xóa đăng ký thường trú – trợ cấp mai táng",
        "description": (
            "Một lần nộp cho ba thủ tục khi có người mất: UBND cấp xã đăng ký khai tử, Công an cấp xã xóa "
            "đăng ký thường trú, UBND cấp xã giải quyết hỗ trợ chi phí mai táng."
        ),
        "legal_basis": (
            "Nghị định 63/2024/NĐ-CP về thực hiện liên thông điện tử hai nhóm thủ tục hành chính; Quyết định "
            "296/QĐ-VPCP (công bố quy trình)."
        ),
        "processing_days": None,
        "note": (
            "Trên Cổng Dịch vụ công quốc gia có thể chọn liên thông 2, 3 hoặc 4 thủ tục (thêm trợ cấp tuất, "
            "mai táng phí BHXH hoặc người có công); ứng dụng hiện hỗ trợ nhóm 3 thủ tục với hỗ trợ chi phí "
            "mai táng của bảo trợ xã hội. Chưa có số liệu công bố về thời hạn của cả nhóm: mỗi thủ tục theo "
            "thời hạn riêng."
        ),
        "procedure_codes": ["khai-tu", "xoa-thuong-tru", "ho-tro-mai-tang"],
    },
)
