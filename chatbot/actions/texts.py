"""What the actions say when they cannot answer from data: one place, so the wording stays consistent.

Procedure facts, statuses and the handoff answer come from the API; these are only the words
around them and the answers for when the API cannot be asked.
"""

from __future__ import annotations

HOTLINE = "1900 0368"

API_UNAVAILABLE = (
    "Xin lỗi, hệ thống tra cứu đang tạm gián đoạn nên tôi chưa lấy được thông tin. "
    f"Bạn vui lòng thử lại sau ít phút, hoặc gọi tổng đài {HOTLINE} (giờ hành chính) để được hỗ trợ."
)

SIGN_IN_AGAIN = (
    "Tôi chưa xác nhận được phiên đăng nhập của bạn (có thể phiên đã hết hạn) nên chưa xem được thông tin "
    "của bạn. Bạn vui lòng đăng nhập lại bằng VNeID trên ứng dụng rồi hỏi lại tôi nhé."
)

NOT_ALLOWED = (
    "Tài khoản của bạn chưa được xem thông tin này trên ứng dụng. "
    f"Bạn có thể gọi tổng đài {HOTLINE} (giờ hành chính) để được hướng dẫn."
)

HANDOFF_UNAVAILABLE = (
    "Xin lỗi, hiện tôi chưa chuyển được cuộc trò chuyện tới tổng đài viên. "
    f"Bạn vui lòng gọi tổng đài {HOTLINE} trong giờ hành chính để được hỗ trợ trực tiếp. "
    "Trường hợp khẩn cấp, hãy gọi ngay 113 (Công an), 114 (Cứu hỏa), 115 (Cấp cứu)."
)

# ---- procedures ---------------------------------------------------------------------------------

# {examples}: "Đăng ký khai sinh", "Đăng ký thường trú"… from the catalogue (empty when it has none).
PROCEDURE_NOT_FOUND = (
    "Tôi chưa tìm thấy thủ tục {asked} trong danh mục thủ tục hành chính trên ứng dụng Công dân số. "
    "Bạn có thể nói rõ tên thủ tục{examples}."
)
PROCEDURE_NOT_FOUND_EXAMPLES = ", ví dụ: {names}"
PROCEDURE_WHICH_ONE = (
    "Bạn muốn hỏi thủ tục nào ạ?{examples} Danh sách đầy đủ có trong mục Dịch vụ công của ứng dụng."
)
PROCEDURE_WHICH_ONE_EXAMPLES = " Ví dụ: {names}."
PROCEDURE_CATALOGUE_UNAVAILABLE = (
    "Xin lỗi, tôi chưa tra được danh mục thủ tục lúc này. Bạn có thể xem thành phần hồ sơ, lệ phí và "
    "thời hạn trong mục Dịch vụ công của ứng dụng, hoặc gọi tổng đài "
    f"{HOTLINE} (giờ hành chính)."
)

# ---- dossiers -----------------------------------------------------------------------------------

DOSSIER_CODE_INVALID = (
    'Mã hồ sơ "{value}" chưa đúng dạng. Mã hồ sơ in trên giấy biên nhận, có dạng 66.24133-261122-0007.'
)
CCCD_LAST4_INVALID = "Bạn chỉ cần nhập đúng 4 chữ số cuối của số căn cước người nộp hồ sơ, ví dụ 0368."
DOSSIER_NOT_FOUND_PUBLIC = (
    "Không tìm thấy hồ sơ {code} với 4 số cuối căn cước đã nhập. Bạn vui lòng kiểm tra lại mã hồ sơ "
    "(in trên giấy biên nhận) và 4 số cuối căn cước của người nộp, rồi tra cứu lại."
)
DOSSIER_NOT_FOUND_MINE = (
    "Tôi không thấy hồ sơ {code} trong các hồ sơ của bạn. Bạn vui lòng kiểm tra lại mã hồ sơ "
    "(in trên giấy biên nhận). Hồ sơ do người khác đứng tên thì tra cứu trong mục Tra cứu hồ sơ của "
    "ứng dụng, bằng mã hồ sơ và 4 số cuối căn cước của người nộp."
)
NO_DOSSIERS = (
    "Tôi chưa thấy hồ sơ dịch vụ công nào đứng tên bạn. Nếu bạn có giấy biên nhận, hãy tra cứu trong "
    "mục Tra cứu hồ sơ của ứng dụng bằng mã hồ sơ và 4 số cuối căn cước của người nộp."
)
DOSSIER_LOOKUP_NEEDS_CODE = (
    "Để tra cứu, tôi cần mã hồ sơ (in trên giấy biên nhận) và 4 số cuối căn cước của người nộp. "
    'Bạn cứ nhắn "tra cứu hồ sơ" khi sẵn sàng nhé.'
)
