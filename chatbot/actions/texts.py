"""What the actions say when they cannot answer from data: one place, so the wording stays consistent.

Procedure facts, statuses, fines and the handoff answer come from the API; these are only the
words around them, the answers for when the API cannot be asked, and the two ways the API's
values are written for a citizen: days (`day`) and sums of money (`vnd`).
"""

from __future__ import annotations

from datetime import date, datetime

HOTLINE = "1900 0368"


def day(value: str | None) -> str | None:
    """An API date or date-time (ISO 8601) as a Vietnamese reads it, `15/06/2025`; None when
    missing or unreadable. A date-time keeps its own offset: the API gives Vietnam's time."""
    if not value or not isinstance(value, str):
        return None
    try:
        if "T" in value:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%d/%m/%Y")
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return None


def vnd(amount: object) -> str | None:
    """`1500000` -> `1.500.000 đồng`, as Vietnamese documents write sums; None when not a sum."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        return None
    return f"{amount:,}".replace(",", ".") + " đồng"


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

# ---- fines (M18) ----------------------------------------------------------------------------------

PLATE_EXAMPLES = "47A-123.45 (ô tô) hoặc 47B1-123.45 (xe máy)"
FINES_SECTION = "mục Vi phạm giao thông của ứng dụng"

# The form re-asks for the plate (utter_ask_license_plate, with an example) after each of these.
PLATE_NOT_IN_ANSWER = "Tôi chưa thấy biển số xe trong tin nhắn của bạn."
# When the API refuses a plate (invalid_plate), its own explanation is said: what is wrong with it.
PLATE_REFUSED_NO_REASON = 'Biển số "{value}" chưa đúng dạng.'
FINES_BY_CCCD_NEED_SIGN_IN = (
    "Để bảo vệ dữ liệu cá nhân, tôi không tra cứu vi phạm theo số căn cước khi bạn chưa đăng nhập. "
    "Đăng nhập ứng dụng bằng tài khoản VNeID, bạn xem được mọi vi phạm đứng tên mình; còn tra cứu "
    "công khai thì cần biển số xe."
)
FINE_LOOKUP_NEEDS_PLATE = (
    f"Để tra cứu phạt nguội, tôi cần biển số xe, ví dụ {PLATE_EXAMPLES}. "
    'Bạn cứ nhắn "tra phạt nguội" kèm biển số khi sẵn sàng nhé.'
)
# After the API's explanation, outside the form (which asks again by itself).
PLATE_TRY_AGAIN = f'Bạn nhắn lại "tra phạt nguội" kèm biển số đúng, ví dụ {PLATE_EXAMPLES}.'

# The citizen's own fines (signed in).
FINES_NONE_MINE = (
    "Hiện không có vi phạm giao thông nào chưa nộp phạt đứng tên bạn. Các vi phạm đã nộp phạt (nếu có) "
    f"vẫn xem được trong {FINES_SECTION}."
)
FINES_NONE_MINE_FOR_PLATE = "Không có vi phạm chưa nộp phạt nào đứng tên bạn với biển số {plate}."
FINES_MINE_HEADER = "Bạn có {count} vi phạm chưa nộp phạt, tổng số tiền {total}:"
FINES_MINE_FOR_PLATE_HEADER = "Biển số {plate}: bạn có {count} vi phạm chưa nộp phạt, tổng số tiền {total}:"
FINES_MINE_MORE = f"Còn {{more}} vi phạm khác trong {FINES_SECTION}."
FINES_MINE_FOOTER = (
    f"Chi tiết, ảnh bằng chứng, xác nhận hành vi vi phạm và nộp phạt: trong {FINES_SECTION}. "
    'Bạn nhắn "nộp phạt thế nào" nếu cần hướng dẫn.'
)
FINE_MUST_CONFIRM = "bạn cần xác nhận hành vi vi phạm trước khi nộp phạt"
FINE_CAN_PAY = "bạn có thể nộp phạt ngay"

# The public lookup by plate (anyone): limited detail, never the owner.
FINES_PUBLIC_HEADER = (
    "Biển số {plate} có {count} vi phạm chưa nộp phạt (thông tin tra cứu công khai, đã rút gọn):"
)
FINES_PUBLIC_NONE = "Hiện chưa có vi phạm nào chưa nộp phạt của biển số {plate} trên hệ thống."
FINES_PUBLIC_PAID = "Ngoài ra có {count} vi phạm của biển số này đã nộp phạt."
FINES_PUBLIC_MORE = f"Còn {{more}} vi phạm khác, xem đủ khi tra cứu biển số trong {FINES_SECTION}."
FINES_PUBLIC_SIGN_IN = (
    "Để xem chi tiết, ảnh bằng chứng, xác nhận hành vi vi phạm và nộp phạt trực tuyến, người có tên trên "
    "quyết định xử phạt đăng nhập ứng dụng Công dân số bằng tài khoản VNeID, vào mục Vi phạm giao thông."
)
FINES_PUBLIC_NOT_YOURS = (
    "Các vi phạm trên không đứng tên bạn: chỉ người có tên trên quyết định xử phạt mới xem chi tiết, "
    "xác nhận và nộp phạt được."
)
FINES_SCAM_WARNING = (
    "Lưu ý: hãy cảnh giác với tin nhắn, cuộc gọi báo phạt nguội rồi yêu cầu chuyển tiền hoặc bấm vào "
    "đường link lạ; hãy tra cứu và nộp phạt trên ứng dụng Công dân số."
)

# Paying (model M18): in the app, never in the chat.
PAY_FINE_HOW = (
    "Nộp phạt trực tuyến trên ứng dụng Công dân số:\n"
    "1. Đăng nhập ứng dụng bằng tài khoản VNeID của người có tên trên quyết định xử phạt.\n"
    "2. Vào mục Vi phạm giao thông, chọn quyết định xử phạt, xem lại hành vi và ảnh bằng chứng rồi bấm "
    "Xác nhận hành vi vi phạm.\n"
    "3. Bấm Nộp phạt, thanh toán bằng thẻ ngân hàng hoặc tài khoản thanh toán điện tử đã liên kết.\n"
    "4. Nộp xong, biên lai điện tử được lưu ngay trong ứng dụng.\n"
    "Tiền phạt phải nộp trong 10 ngày kể từ ngày nhận quyết định xử phạt (Điều 73 Luật Xử lý vi phạm "
    "hành chính; mức phạt theo Nghị định 168/2024/NĐ-CP); hạn nộp của từng quyết định có trong ứng dụng.\n"
    "Tôi không bao giờ hỏi số thẻ, mã OTP hay mật khẩu: bạn chỉ nhập thông tin thanh toán trong màn hình "
    "Nộp phạt của ứng dụng."
)
PAY_FINE_SIGN_IN_TO_LIST = (
    "Khi bạn trò chuyện với tôi lúc đã đăng nhập ứng dụng, tôi liệt kê được các khoản phạt đang chờ nộp "
    "của bạn."
)
PAYABLE_NONE = "Hiện bạn không có khoản phạt nào cần nộp."
PAYABLE_HEADER = "Các khoản phạt chưa nộp của bạn, tổng số tiền {total}:"
PAYABLE_NOW = "Nộp được ngay:"
PAYABLE_CONFIRM_FIRST = "Cần xác nhận hành vi vi phạm trước khi nộp:"

# ---- reports (model 29): report_form, action_submit_report, action_check_report_status ----------

REPORTS_SECTION = "mục Phản ánh – Tố giác của ứng dụng"
EMERGENCY_REMINDER = "Nếu sự việc đang diễn ra hoặc có người gặp nguy hiểm, hãy gọi ngay 113 (Công an), 114 (Cứu hỏa), 115 (Cấp cứu)."

REPORT_CRIME_START = (
    "Tôi sẽ giúp bạn gửi tố giác tới Công an phường, xã nơi xảy ra sự việc. Thông tin người tố giác được "
    f"mã hóa, chỉ lực lượng công an xem được. {EMERGENCY_REMINDER}"
)
REPORT_CRIME_ANONYMOUS_ONLY = (
    "Bạn chưa đăng nhập nên tố giác sẽ được gửi ẨN DANH: không ai biết người gửi, và bạn nhận một mã theo "
    "dõi để xem kết quả xử lý. Muốn gửi có danh tính, hãy đăng nhập ứng dụng bằng VNeID. "
    f"{EMERGENCY_REMINDER}"
)
REPORT_ISSUE_START = (
    "Tôi sẽ giúp bạn gửi phản ánh hiện trường tới đơn vị phụ trách. Bạn trả lời vài câu hỏi ngắn nhé "
    '(nhắn "thôi" bất cứ lúc nào để dừng).'
)
REPORT_ISSUE_NEEDS_SIGN_IN = (
    "Phản ánh hiện trường cần có người phản ánh để cán bộ liên hệ khi xử lý, nên bạn cần đăng nhập ứng dụng "
    "Công dân số bằng tài khoản VNeID rồi gửi lại trong trò chuyện này hoặc trong "
    f"{REPORTS_SECTION} (kèm ảnh và vị trí trên bản đồ). Tố giác tội phạm thì gửi ẩn danh được, không cần "
    f"đăng nhập. {EMERGENCY_REMINDER}"
)
REPORT_ASK_CATEGORY_CRIME = "Sự việc bạn muốn tố giác thuộc loại nào? Bạn nhắn số thứ tự hoặc tên:"
REPORT_ASK_CATEGORY_ISSUE = "Phản ánh của bạn thuộc lĩnh vực nào? Bạn nhắn số thứ tự hoặc tên:"
REPORT_ASK_CATEGORY_NO_LIST = (
    "Sự việc thuộc lĩnh vực nào ạ (ví dụ: đèn đường hỏng, ổ gà, rác thải, ngập úng, tiếng ồn, lấn chiếm vỉa "
    "hè; với tố giác: ma túy, cờ bạc, trộm cắp, lừa đảo, đánh nhau)?"
)
REPORT_CATEGORY_NOT_UNDERSTOOD = "Tôi chưa rõ lĩnh vực bạn chọn."
REPORT_WARD_NOT_FOUND = 'Tôi không tìm thấy phường, xã "{value}" trong tỉnh.'
REPORT_WARD_WHICH = 'Có nhiều phường, xã tên "{value}". Bạn nhắn đúng tên đầy đủ giúp tôi, ví dụ:\n{names}'
REPORT_WARD_TOO_LONG = "Bạn chỉ cần nhắn tên phường, xã, ví dụ: Phường Buôn Ma Thuột."
REPORT_ADDRESS_TOO_SHORT = (
    'Bạn nhắn rõ hơn địa chỉ giúp tôi (số nhà, tên đường, thôn, buôn), hoặc "không rõ".'
)
REPORT_TIME_IN_FUTURE = "Thời điểm xảy ra sự việc không thể ở tương lai."
REPORT_TIME_NOT_UNDERSTOOD = "Tôi chưa hiểu thời gian bạn nhắn."
REPORT_DESCRIPTION_TOO_SHORT = "Nội dung hơi ngắn: bạn mô tả thêm sự việc giúp tôi (ít nhất {minimum} ký tự)."
REPORT_ANONYMOUS_NOT_UNDERSTOOD = (
    'Bạn nhắn "ẩn danh" để giấu tên, hoặc "để lại tên" nếu đồng ý để lại danh tính.'
)
REPORT_CONFIRM_NOT_UNDERSTOOD = 'Bạn nhắn "gửi" để gửi, hoặc "không" để hủy.'
REPORT_SUMMARY_HEADER_CRIME = "Tôi sẽ gửi tố giác sau tới Công an phường, xã:"
REPORT_SUMMARY_HEADER_ISSUE = "Tôi sẽ gửi phản ánh sau:"
REPORT_CONFIRM_QUESTION = (
    'Bạn xác nhận gửi chứ? (nhắn "gửi" hoặc "đồng ý"; nhắn "không" để hủy, chưa có gì được gửi)'
)
REPORT_STOPPED = (
    "Vâng, tôi đã dừng lại, chưa gửi gì cả. Khi cần, bạn cứ nhắn lại cho tôi hoặc gửi trong "
    f"{REPORTS_SECTION}."
)
# {category} {ward} {unit} {status} {deadline}: from the API's answer.
REPORT_ISSUE_SENT = (
    'Đã gửi phản ánh "{category}" tại {ward}. Trạng thái: {status}. {unit} phụ trách sẽ phản hồi '
    "trước ngày {deadline}."
)
REPORT_CRIME_SENT = (
    'Đã gửi tố giác "{category}" tới {unit} ({ward}). Trạng thái: {status}. Hạn phản hồi: {deadline}. '
    "Cảm ơn bạn đã cung cấp thông tin."
)
REPORT_FOLLOW_ANONYMOUS = (
    "Mã theo dõi tố giác ẩn danh của bạn (tôi chỉ nói một lần, hãy lưu lại, đừng chia sẻ cho ai):\n{token}\n"
    'Để xem kết quả, bạn nhắn cho tôi "tố giác của tôi đến đâu rồi" rồi gửi mã này, hoặc nhập mã ở mục '
    "Theo dõi tố giác của ứng dụng. Mất mã thì không xem lại được."
)
REPORT_FOLLOW_IN_APP = (
    f"Bạn theo dõi từng bước xử lý, bổ sung ảnh, video trong {REPORTS_SECTION}, hoặc nhắn cho tôi "
    '"phản ánh của tôi xử lý tới đâu rồi".'
)
REPORT_POSSIBLE_DUPLICATES = (
    "Gần đó đã có {count} phản ánh cùng lĩnh vực trong 7 ngày qua; cán bộ sẽ xem và gộp nếu trùng."
)
REPORT_SIGN_IN_AGAIN = (
    "Phiên đăng nhập của bạn đã hết hạn nên tôi CHƯA gửi được. Bạn vui lòng đăng nhập lại bằng VNeID trên "
    "ứng dụng rồi nhắn lại cho tôi nhé."
)
REPORT_NOT_SENT_API_DOWN = (
    "Xin lỗi, hệ thống tiếp nhận đang tạm gián đoạn nên tôi CHƯA gửi được. Bạn vui lòng thử lại sau ít phút, "
    f"hoặc gọi tổng đài {HOTLINE} (giờ hành chính). {EMERGENCY_REMINDER}"
)
REPORT_REFUSED = "Tôi chưa gửi được: {reason} Bạn vui lòng nhắn lại để gửi từ đầu."

# Status of one's reports.
REPORTS_MINE_HEADER = "Bạn có {count} phản ánh, tố giác có danh tính (mới nhất trước):"
REPORTS_MINE_MORE = f"Còn {{more}} phản ánh khác trong {REPORTS_SECTION}."
REPORTS_OVERDUE_NOTE = (
    f"Phản ánh đã quá hạn phản hồi: bạn có thể bình luận nhắc trong ứng dụng, hoặc gọi tổng đài {HOTLINE}."
)
REPORTS_MINE_FOOTER = (
    f"Chi tiết, bình luận và kết quả xử lý xem trong {REPORTS_SECTION}. Tố giác ẩn danh không nằm ở đây: "
    "nhắn cho tôi mã theo dõi của tố giác để xem."
)
REPORTS_NONE_MINE = (
    "Tôi chưa thấy phản ánh nào đứng tên bạn. Tố giác ẩn danh thì nhắn cho tôi mã theo dõi nhận được khi gửi."
)
REPORT_TRACKED_HEADER = "Tố giác ẩn danh theo mã bạn gửi:"
REPORT_TOKEN_NOT_IN_ANSWER = "Tôi chưa thấy mã theo dõi trong tin nhắn (mã gồm 32 ký tự chữ và số)."  # noqa: S105
REPORT_TOKEN_UNKNOWN = "Mã theo dõi không đúng. Bạn kiểm tra lại mã đã lưu khi gửi tố giác nhé."  # noqa: S105
REPORT_STATUS_NEEDS_TOKEN = (
    "Để xem tố giác ẩn danh, tôi cần mã theo dõi nhận được khi gửi. Phản ánh có danh tính thì bạn đăng nhập "
    f"ứng dụng bằng VNeID rồi hỏi lại tôi, hoặc xem trong {REPORTS_SECTION}."
)
REPORT_ADDRESS_IS_A_QUESTION = (
    "Câu hỏi đó tôi xin trả lời sau khi gửi xong phản ánh. Bây giờ bạn cho tôi địa chỉ nơi xảy ra sự việc "
    '(số nhà, tên đường, thôn, buôn), hoặc nhắn "không rõ".'
)

# ---- personal records (M33, M34): action_ask_records --------------------------------------------

RECORDS_SECTION = "mục Hồ sơ cá nhân của ứng dụng"
# When the API does not say where a record type comes from (an older API): still a true sentence.
RECORD_ORIGIN_UNKNOWN = "cơ quan quản lý dữ liệu chuyên ngành"
RECORD_NAMES = {
    "land": "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở",
    "health": "Sổ sức khỏe điện tử",
    "labour": "Sổ lao động và bảo hiểm xã hội",
}

# Anonymous: where and how, no data.
RECORDS_WHERE = (
    "Giấy chứng nhận quyền sử dụng đất, sổ sức khỏe điện tử, sổ lao động và bảo hiểm xã hội của bạn xem "
    f"được trong {RECORDS_SECTION} Công dân số, sau khi đăng nhập bằng tài khoản VNeID định danh điện tử "
    "mức 2. Mỗi thông tin đều ghi rõ nguồn dữ liệu và ngày cập nhật."
)
RECORDS_WHERE_BY_TYPE = {
    "land": (
        "Giấy chứng nhận quyền sử dụng đất (sổ đỏ, sổ hồng) đứng tên bạn, kể cả khi đồng sở hữu, xem được trong "
        f"{RECORDS_SECTION} Công dân số sau khi đăng nhập bằng tài khoản VNeID định danh điện tử mức 2: số "
        "giấy chứng nhận, thửa đất, địa chỉ, diện tích, tình trạng. Dữ liệu lấy từ cơ sở dữ liệu đất đai do "
        "Văn phòng Đăng ký đất đai của tỉnh quản lý."
    ),
    "health": (
        f"Sổ sức khỏe điện tử (thẻ bảo hiểm y tế, các lần khám, tiêm chủng) xem được trong {RECORDS_SECTION} "
        "Công dân số sau khi đăng nhập bằng tài khoản VNeID định danh điện tử mức 2; dữ liệu lấy từ hệ thống "
        "Sổ sức khỏe điện tử của Bộ Y tế. Bạn cũng có thể xem sổ sức khỏe điện tử và thẻ bảo hiểm y tế trên ứng "
        "dụng VNeID của Bộ Công an, khi cơ sở y tế đã cập nhật dữ liệu."
    ),
    "labour": (
        "Sổ lao động và quá trình đóng bảo hiểm xã hội (nơi làm việc, số tháng đã đóng) xem được trong "
        f"{RECORDS_SECTION} Công dân số sau khi đăng nhập bằng tài khoản VNeID định danh điện tử mức 2; dữ liệu "
        "lấy từ Bảo hiểm xã hội Việt Nam. Quá trình đóng bảo hiểm xã hội cũng tra cứu được trên ứng dụng VssID "
        "của Bảo hiểm xã hội Việt Nam."
    ),
}
RECORDS_SIGN_IN_TO_ASK = (
    "Đây là dữ liệu cá nhân nên tôi chỉ tóm tắt khi bạn trò chuyện lúc đã đăng nhập ứng dụng, và chỉ hồ sơ "
    "của chính bạn."
)

# Signed in, level 2: summaries from the API, each with its source and sync date.
RECORD_SOURCE = "nguồn: {source}, cập nhật ngày {day}"
RECORDS_SUMMARY_HEADER = "Hồ sơ cá nhân của bạn trên ứng dụng Công dân số:"
RECORDS_SUMMARY_NONE = "chưa có dữ liệu (dữ liệu lấy từ {origin})"
RECORDS_SUMMARY_FOOTER = (
    'Bạn nhắn "xem sổ đỏ", "xem sổ sức khỏe" hoặc "xem quá trình đóng bảo hiểm xã hội" để tôi tóm tắt từng '
    f"loại; chi tiết đầy đủ trong {RECORDS_SECTION}."
)
RECORD_NONE = (
    "Chưa có {what} nào đứng tên bạn trong dữ liệu của ứng dụng. Dữ liệu này lấy từ {origin} và được đồng bộ "
    "định kỳ; nếu bạn thấy thiếu, hãy liên hệ cơ quan quản lý dữ liệu đó."
)
RECORD_NONE_WHAT = {
    "land": "giấy chứng nhận quyền sử dụng đất",
    "health": "thông tin sổ sức khỏe điện tử",
    "labour": "quá trình làm việc, đóng bảo hiểm xã hội",
}
LAND_HEADER = "Bạn có {count} giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở:"
LAND_MORE = f"Còn {{more}} giấy chứng nhận khác trong {RECORDS_SECTION}."
HEALTH_HEADER = "Sổ sức khỏe điện tử của bạn:"
HEALTH_NO_CARD = "• Chưa có thông tin thẻ bảo hiểm y tế."
HEALTH_NO_VISIT = "• Chưa có lần khám nào được ghi nhận."
HEALTH_NO_VACCINATION = "• Chưa có mũi tiêm chủng nào được ghi nhận."
HEALTH_FOOTER = (
    f"Chẩn đoán, bệnh mạn tính và kết quả khám xem đầy đủ trong {RECORDS_SECTION} (tôi không nhắc lại trong "
    "trò chuyện)."
)
LABOUR_HEADER = "Sổ lao động và bảo hiểm xã hội của bạn:"
LABOUR_NO_CURRENT = "• Hiện chưa ghi nhận nơi làm việc đang đóng bảo hiểm xã hội."
RECORDS_FOOTER = f"Chi tiết xem trong {RECORDS_SECTION}."

# A question about someone else's record or payment: only the signed-in citizen's own are shown.
ONLY_YOUR_OWN_RECORDS = (
    "Tôi chỉ xem được hồ sơ của chính người đang đăng nhập, nên không xem được hồ sơ của người thân hay của "
    "người khác. Người đó có thể tự đăng nhập ứng dụng Công dân số bằng tài khoản VNeID của mình để xem."
)

# ---- social benefits (M36): action_check_benefit_payment ---------------------------------------

BENEFITS_SECTION = "mục An sinh xã hội của ứng dụng"
BENEFITS_NEED_SIGN_IN = (
    "Thông tin chi trả trợ cấp là dữ liệu cá nhân, nên tôi chỉ xem được khi bạn trò chuyện lúc đã đăng nhập "
    "ứng dụng Công dân số bằng tài khoản VNeID định danh điện tử mức 2, và chỉ trợ cấp của chính bạn. Khi đó "
    f"bạn hỏi lại tôi, hoặc xem trong {BENEFITS_SECTION}: chế độ đang hưởng, từng kỳ chi trả và tình trạng."
)
BENEFITS_HOW_PAID = (
    "Cách chi trả: nếu người hưởng đã liên kết tài khoản thanh toán điện tử trên ứng dụng, trợ cấp được chuyển "
    "vào tài khoản đó, không dùng tiền mặt; nếu chưa liên kết, trợ cấp được chi qua kênh đã đăng ký với chế độ "
    "(chuyển khoản ngân hàng, Mobile Money, hoặc tiền mặt tại điểm chi trả như bưu điện phường, xã)."
)
ONLY_YOUR_OWN_BENEFITS = (
    "Tôi chỉ xem được trợ cấp của chính người đang đăng nhập, nên không xem được trợ cấp của người thân hay "
    "của người khác (kể cả theo số căn cước). Người hưởng có thể tự đăng nhập ứng dụng Công dân số bằng tài "
    "khoản VNeID của mình để xem, hoặc hỏi UBND phường, xã nơi người hưởng cư trú."
)
ONLY_YOUR_OWN_BENEFITS_SHOWN = "Dưới đây là trợ cấp của chính bạn."
BENEFITS_NONE = (
    "Theo dữ liệu an sinh xã hội của tỉnh, bạn hiện không có tên trong chế độ trợ cấp nào. Nếu bạn thuộc diện "
    "được hưởng hoặc đã có quyết định hưởng mà chưa thấy ở đây, hãy liên hệ UBND phường, xã nơi bạn cư trú."
)
BENEFITS_HEADER = "Trợ cấp của bạn theo dữ liệu an sinh xã hội của tỉnh:"
BENEFIT_NO_PAYMENT = "  Chưa có kỳ chi trả nào."
BENEFIT_NOT_THIS_MONTH = "Kỳ {month} chưa có trong danh sách chi trả."
BENEFIT_FAILED_ADVICE = "Bạn có thể liên hệ UBND phường, xã nơi cư trú để được hướng dẫn."
BENEFITS_LINK_HINT = (
    "Liên kết tài khoản thanh toán điện tử trên ứng dụng để nhận trợ cấp không dùng tiền mặt, "
    "không phải đến điểm chi trả."
)
BENEFITS_LINKED = (
    "Bạn đã liên kết tài khoản thanh toán điện tử: các kỳ chi trả tiếp theo được chuyển vào tài khoản này."
)
BENEFITS_FOOTER = f"Lịch sử chi trả đầy đủ xem trong {BENEFITS_SECTION}."
# Pensions and unemployment allowances are paid by social insurance, not by the province's programmes.
BENEFITS_PENSION_NOTE = (
    "Lương hưu và trợ cấp thất nghiệp do cơ quan Bảo hiểm xã hội chi trả, không nằm trong dữ liệu trợ cấp của "
    "tỉnh; bạn tra cứu trên ứng dụng VssID của Bảo hiểm xã hội Việt Nam."
)

# Signed in at level 1: the API's own explanation; this only when it gives none.
IDENTITY_LEVEL_2_REQUIRED = (
    "Thông tin này chỉ dành cho tài khoản định danh điện tử mức 2. Bạn có thể nâng cấp tại Công an cấp xã nơi "
    "cư trú, sau đó đăng nhập lại bằng VNeID."
)
