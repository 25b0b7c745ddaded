"""The violations a notice may name: a small catalogue of the most common ones, in code.

Each entry cites the point, clause and article of Nghị định 168/2024/NĐ-CP that sets its fine
(Điều 6: ô tô; Điều 7: xe mô tô, xe gắn máy), the range of the fine in VND, and the points taken
off the driving licence (Điều 6 khoản 16, Điều 7 khoản 13). Every reference, range and point
count below was checked against the decree's text. A notice's amount must lie within its
violation's range; the police choose the amount inside it.

The codes are stable identifiers shared with the police's violation feed and the chatbot; add new
entries, never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.text import format_vnd

DECREE = "Nghị định 168/2024/NĐ-CP"
CAR, MOTORBIKE = "car", "motorbike"
VEHICLE_KINDS = (CAR, MOTORBIKE)
VEHICLE_KIND_NAMES = {CAR: "Ô tô", MOTORBIKE: "Xe mô tô, xe gắn máy"}


@dataclass(frozen=True)
class Violation:
    code: str
    description: str  # Vietnamese, as shown to the citizen
    vehicle_kind: str  # "car" | "motorbike"
    point: str | None  # "b" in "Điểm b khoản 9 Điều 6"
    clause: int
    article: int
    min_vnd: int
    max_vnd: int
    licence_points: int | None = None  # điểm giấy phép lái xe bị trừ
    additional_penalty: str | None = None

    @property
    def legal_reference(self) -> str:
        prefix = f"Điểm {self.point} khoản {self.clause}" if self.point else f"Khoản {self.clause}"
        return f"{prefix} Điều {self.article} {DECREE}"

    def allows(self, amount_vnd: int) -> bool:
        return self.min_vnd <= amount_vnd <= self.max_vnd

    @property
    def range_text(self) -> str:
        return f"từ {format_vnd(self.min_vnd)} đến {format_vnd(self.max_vnd)}"


_ALCOHOL_1 = "chưa vượt quá 50 miligam/100 mililít máu hoặc chưa vượt quá 0,25 miligam/1 lít khí thở"
_ALCOHOL_2 = (
    "vượt quá 50 miligam đến 80 miligam/100 mililít máu hoặc vượt quá 0,25 miligam đến 0,4 miligam/1 lít "
    "khí thở"
)
_ALCOHOL_3 = "vượt quá 80 miligam/100 mililít máu hoặc vượt quá 0,4 miligam/1 lít khí thở"
_PHONE = (
    "Dùng tay cầm và sử dụng điện thoại hoặc các thiết bị điện tử khác khi điều khiển phương tiện "
    "đang di chuyển trên đường bộ"
)
_NO_PARKING = "Đỗ xe tại nơi có biển “Cấm đỗ xe” hoặc biển “Cấm dừng xe và đỗ xe”"
_WRONG_LANE = "Đi không đúng phần đường hoặc làn đường quy định (làn cùng chiều hoặc làn ngược chiều)"


def _revoked(article: int, clause: int, point: str) -> str:
    return (
        "Tước quyền sử dụng giấy phép lái xe từ 22 tháng đến 24 tháng "
        f"(điểm {point} khoản {clause} Điều {article} {DECREE})"
    )


CATALOGUE: tuple[Violation, ...] = (
    # ---- ô tô: Điều 6 ----
    Violation(
        "oto-vuot-den-do",
        "Không chấp hành hiệu lệnh của đèn tín hiệu giao thông (vượt đèn đỏ)",
        CAR, "b", 9, 6, 18_000_000, 20_000_000, 4,
    ),
    Violation(
        "oto-qua-toc-do-5-10",
        "Chạy quá tốc độ quy định từ 05 km/h đến dưới 10 km/h",
        CAR, "a", 3, 6, 800_000, 1_000_000,
    ),
    Violation(
        "oto-qua-toc-do-10-20",
        "Chạy quá tốc độ quy định từ 10 km/h đến 20 km/h",
        CAR, "đ", 5, 6, 4_000_000, 6_000_000, 2,
    ),
    Violation(
        "oto-qua-toc-do-20-35",
        "Chạy quá tốc độ quy định trên 20 km/h đến 35 km/h",
        CAR, "a", 6, 6, 6_000_000, 8_000_000, 4,
    ),
    Violation(
        "oto-qua-toc-do-tren-35",
        "Chạy quá tốc độ quy định trên 35 km/h",
        CAR, "a", 7, 6, 12_000_000, 14_000_000, 6,
    ),
    Violation(
        "oto-nong-do-con-muc-1",
        f"Điều khiển xe mà trong máu hoặc hơi thở có nồng độ cồn {_ALCOHOL_1}",
        CAR, "c", 6, 6, 6_000_000, 8_000_000, 4,
    ),
    Violation(
        "oto-nong-do-con-muc-2",
        f"Điều khiển xe mà trong máu hoặc hơi thở có nồng độ cồn {_ALCOHOL_2}",
        CAR, "a", 9, 6, 18_000_000, 20_000_000, 10,
    ),
    Violation(
        "oto-nong-do-con-muc-3",
        f"Điều khiển xe mà trong máu hoặc hơi thở có nồng độ cồn {_ALCOHOL_3}",
        CAR, "a", 11, 6, 30_000_000, 40_000_000,
        additional_penalty=_revoked(6, 15, "c"),
    ),
    Violation("oto-dien-thoai", _PHONE, CAR, "h", 5, 6, 4_000_000, 6_000_000, 4),
    Violation("oto-sai-lan", _WRONG_LANE, CAR, "b", 5, 6, 4_000_000, 6_000_000, 2),
    Violation("oto-do-xe-noi-cam", _NO_PARKING, CAR, "e", 3, 6, 800_000, 1_000_000),
    Violation(
        "oto-khong-that-day-an-toan",
        "Không thắt dây đai an toàn khi điều khiển xe chạy trên đường",
        CAR, "k", 3, 6, 800_000, 1_000_000,
    ),
    # ---- xe mô tô, xe gắn máy: Điều 7 ----
    Violation(
        "xe-may-vuot-den-do",
        "Không chấp hành hiệu lệnh của đèn tín hiệu giao thông (vượt đèn đỏ)",
        MOTORBIKE, "c", 7, 7, 4_000_000, 6_000_000, 4,
    ),
    Violation(
        "xe-may-qua-toc-do-5-10",
        "Chạy quá tốc độ quy định từ 05 km/h đến dưới 10 km/h",
        MOTORBIKE, "b", 2, 7, 400_000, 600_000,
    ),
    Violation(
        "xe-may-qua-toc-do-10-20",
        "Chạy quá tốc độ quy định từ 10 km/h đến 20 km/h",
        MOTORBIKE, "a", 4, 7, 800_000, 1_000_000,
    ),
    Violation(
        "xe-may-qua-toc-do-tren-20",
        "Chạy quá tốc độ quy định trên 20 km/h",
        MOTORBIKE, "a", 8, 7, 6_000_000, 8_000_000, 4,
    ),
    Violation(
        "xe-may-nong-do-con-muc-1",
        f"Điều khiển xe mà trong máu hoặc hơi thở có nồng độ cồn {_ALCOHOL_1}",
        MOTORBIKE, "a", 6, 7, 2_000_000, 3_000_000, 4,
    ),
    Violation(
        "xe-may-nong-do-con-muc-2",
        f"Điều khiển xe mà trong máu hoặc hơi thở có nồng độ cồn {_ALCOHOL_2}",
        MOTORBIKE, "b", 8, 7, 6_000_000, 8_000_000, 10,
    ),
    Violation(
        "xe-may-nong-do-con-muc-3",
        f"Điều khiển xe mà trong máu hoặc hơi thở có nồng độ cồn {_ALCOHOL_3}",
        MOTORBIKE, "d", 9, 7, 8_000_000, 10_000_000,
        additional_penalty=_revoked(7, 12, "c"),
    ),
    Violation(
        "xe-may-dien-thoai",
        "Dùng tay cầm và sử dụng điện thoại hoặc các thiết bị điện tử khác khi đang điều khiển xe",
        MOTORBIKE, "đ", 4, 7, 800_000, 1_000_000, 4,
    ),
    Violation("xe-may-sai-lan", _WRONG_LANE, MOTORBIKE, "d", 3, 7, 600_000, 800_000),
    Violation("xe-may-do-xe-noi-cam", _NO_PARKING, MOTORBIKE, "e", 2, 7, 400_000, 600_000),
    Violation(
        "xe-may-khong-doi-mu-bao-hiem",
        "Không đội “mũ bảo hiểm cho người đi mô tô, xe máy” hoặc đội mũ bảo hiểm không cài quai "
        "đúng quy cách khi điều khiển xe tham gia giao thông",
        MOTORBIKE, "h", 2, 7, 400_000, 600_000,
    ),
)  # fmt: skip

VIOLATIONS: dict[str, Violation] = {violation.code: violation for violation in CATALOGUE}


def get_violation(code: str | None) -> Violation | None:
    return VIOLATIONS.get((code or "").strip().lower())
