"""The catalogue of report categories: what a citizen can report, who handles it, how fast.

Kept in code like the violation catalogue of api/fines: it changes with a release, not at run
time, and every report stores its category's code, so the code of a category never changes.

- `unit` is the kind of unit that handles the report in the report's ward: `police` (Công an
  phường, xã) or `ward` (Ủy ban nhân dân phường, xã). Police staff handle the first, ward
  officers the second.
- `response_days` counts Vietnamese working days from submission (api/workdays.py).
- `emergency_number` is shown with the submission's answer: someone reporting a fight in
  progress must be told to call 113 rather than wait for a working-day deadline.
"""

from __future__ import annotations

from dataclasses import dataclass

POLICE, WARD = "police", "ward"
UNIT_NAMES = {POLICE: "Công an phường, xã", WARD: "Ủy ban nhân dân phường, xã"}

GROUPS: dict[str, str] = {
    "an_ninh": "An ninh, trật tự và tội phạm",
    "giao_thong": "An toàn giao thông",
    "moi_truong": "Môi trường",
    "ha_tang": "Hạ tầng đô thị",
    "trat_tu": "Trật tự công cộng",
}

EMERGENCY_NAMES = {"113": "Cảnh sát", "114": "Cứu nạn, cứu hộ", "115": "Cấp cứu y tế"}


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str
    is_crime: bool
    unit: str
    response_days: int
    emergency_number: str | None = None
    description: str = ""

    @property
    def group_name(self) -> str:
        return GROUPS[self.group]

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES[self.unit]

    @property
    def urgent(self) -> bool:
        return self.emergency_number is not None

    @property
    def emergency(self) -> dict | None:
        if self.emergency_number is None:
            return None
        number = self.emergency_number
        return {
            "number": number,
            "name": EMERGENCY_NAMES[number],
            "message": f"Nếu đang nguy hiểm, hãy gọi ngay {number} ({EMERGENCY_NAMES[number]}). "
            "Phản ánh qua ứng dụng không thay thế cuộc gọi khẩn cấp.",
        }


CATEGORIES: tuple[Category, ...] = (
    # Crime and security: handled by the ward police; the reporter may stay anonymous.
    Category(
        "ma-tuy",
        "Tội phạm về ma tuý",
        "an_ninh",
        True,
        POLICE,
        3,
        "113",
        "Mua bán, tàng trữ, tổ chức sử dụng trái phép chất ma tuý",
    ),
    Category(
        "co-bac",
        "Đánh bạc, tổ chức đánh bạc",
        "an_ninh",
        True,
        POLICE,
        5,
        None,
        "Đánh bạc, cá độ, tổ chức đánh bạc, kể cả qua mạng",
    ),
    Category(
        "trom-cap",
        "Trộm cắp, cướp giật tài sản",
        "an_ninh",
        True,
        POLICE,
        3,
        "113",
        "Trộm cắp, cướp giật, cướp tài sản",
    ),
    Category(
        "lua-dao",
        "Lừa đảo chiếm đoạt tài sản",
        "an_ninh",
        True,
        POLICE,
        5,
        None,
        "Lừa đảo qua điện thoại, mạng xã hội, giả danh cơ quan nhà nước",
    ),
    Category(
        "co-y-gay-thuong-tich",
        "Cố ý gây thương tích, đánh nhau",
        "an_ninh",
        True,
        POLICE,
        2,
        "113",
        "Đánh nhau, hành hung, cố ý gây thương tích",
    ),
    Category("toi-pham-khac", "Hành vi phạm tội khác", "an_ninh", True, POLICE, 5, "113"),
    # Traffic safety.
    Category(
        "tai-nan-giao-thong",
        "Tai nạn giao thông",
        "giao_thong",
        False,
        POLICE,
        1,
        "115",
        "Va chạm, tai nạn giao thông có người bị thương hoặc gây ách tắc",
    ),
    Category("dua-xe-trai-phep", "Đua xe, lạng lách trái phép", "giao_thong", False, POLICE, 2, "113"),
    Category("den-tin-hieu-hong", "Đèn tín hiệu giao thông hỏng", "giao_thong", False, WARD, 2),
    # Environment.
    Category("rac-thai", "Rác thải, đổ trộm phế thải", "moi_truong", False, WARD, 5),
    Category("o-nhiem", "Ô nhiễm không khí, nước, mùi hôi", "moi_truong", False, WARD, 7),
    Category("ngap-ung", "Ngập úng, tắc cống thoát nước", "moi_truong", False, WARD, 2),
    Category("chay-no", "Cháy, nổ", "moi_truong", False, POLICE, 1, "114"),
    # Infrastructure.
    Category("den-duong-hong", "Đèn đường hỏng", "ha_tang", False, WARD, 5),
    Category("o-ga", "Ổ gà, hư hỏng mặt đường", "ha_tang", False, WARD, 7),
    Category("via-he-hu-hong", "Vỉa hè hư hỏng", "ha_tang", False, WARD, 10),
    # Public order.
    Category("lan-chiem-via-he", "Lấn chiếm vỉa hè, lòng đường", "trat_tu", False, WARD, 5),
    Category("tieng-on", "Tiếng ồn gây mất trật tự", "trat_tu", False, WARD, 3),
)
_BY_CODE = {category.code: category for category in CATEGORIES}


def get_category(code: str | None) -> Category | None:
    return _BY_CODE.get((code or "").strip().lower())
