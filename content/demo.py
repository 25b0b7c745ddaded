"""Demo policy articles for `flask seed-demo`: news for the citizens' app and work for the comms
console from the first `make run`.

Three articles are published (written and sent to review by the comms officer, approved by the
admin: publishing needs a second person), one written by the admin waits for the comms officer's
review, and one is the comms officer's own draft. Through the service, so versions, audit and the
four-eyes rule are the real ones. Idempotent by slug.
"""

from __future__ import annotations

from sqlalchemy import select

from api.extensions import db
from content import announcements, service
from content.models import Announcement, Article

PUBLISHED, REVIEW, DRAFT = "published", "review", "draft"

ARTICLES = (
    (
        PUBLISHED,
        {
            "slug": "tam-tru-nop-o-dau",
            "title": "Đăng ký tạm trú trực tuyến: hồ sơ gửi về Công an phường, xã nơi bạn ở trọ",
            "summary": "Người thuê trọ đăng ký tạm trú với Công an cấp xã nơi có chỗ ở, không phải nơi thường "
            "trú. Ứng dụng tự gửi hồ sơ về đúng phường, xã ghi trong tờ khai.",
            "category": "dich-vu-cong",
            "body_html": "<p>Theo Điều 28 Luật Cư trú 2020, người đăng ký tạm trú nộp hồ sơ đến cơ quan đăng ký "
            "cư trú <strong>nơi mình dự kiến tạm trú</strong>.</p><p>Trên ứng dụng Công dân số, bạn chỉ cần "
            "chọn phường, xã nơi có chỗ ở trong tờ khai: hồ sơ được chuyển thẳng cho Công an phường, xã đó "
            "xử lý trong 03 ngày làm việc. Lệ phí nộp trực tuyến 7.000 đồng.</p>",
            "audience": {"scope": "province", "province_code": "66"},
        },
    ),
    (
        PUBLISHED,
        {
            "slug": "kich-hoat-vneid-muc-2",
            "title": "Vì sao nên nâng tài khoản định danh điện tử lên mức 2?",
            "summary": "Tài khoản VNeID mức 2 cho phép xem hồ sơ đất đai, sổ sức khỏe, sổ lao động và tình trạng "
            "chi trả trợ cấp ngay trên ứng dụng.",
            "category": "vneid",
            "body_html": "<p>Tài khoản mức 2 được xác thực trực tiếp tại Công an phường, xã bằng sinh trắc học "
            "(Nghị định 59/2022/NĐ-CP).</p><ul><li>Xem Giấy chứng nhận quyền sử dụng đất của mình</li>"
            "<li>Sổ sức khỏe điện tử, sổ bảo hiểm xã hội</li><li>Tình trạng chi trả trợ cấp xã hội</li></ul>",
            "audience": {"scope": "all"},
        },
    ),
    (
        PUBLISHED,
        {
            "slug": "nop-phat-giao-thong-truc-tuyen",
            "title": "Nộp phạt vi phạm giao thông trực tuyến trong 10 ngày",
            "summary": "Xác nhận hành vi vi phạm và nộp phạt ngay trên ứng dụng Công dân số, không phải đến trụ "
            "sở Công an.",
            "category": "giao-thong",
            "body_html": "<p>Quyết định xử phạt theo Nghị định 168/2024/NĐ-CP phải được chấp hành trong "
            "<strong>10 ngày</strong>. Mở mục Vi phạm giao thông, xem ảnh bằng chứng, xác nhận và thanh "
            "toán bằng thẻ hoặc ví điện tử.</p>",
            "audience": {"scope": "all"},
        },
    ),
    (
        REVIEW,
        {
            "slug": "tro-cap-nguoi-cao-tuoi-2025",
            "title": "Trợ cấp người cao tuổi: ai được hưởng và nộp hồ sơ ở đâu",
            "summary": "Người từ đủ 75 tuổi không có lương hưu, trợ cấp bảo hiểm xã hội hằng tháng được xem xét "
            "hưởng trợ cấp xã hội tại UBND phường, xã nơi cư trú.",
            "category": "an-sinh-xa-hoi",
            "body_html": "<p>Mức chuẩn trợ giúp xã hội từ 01/7/2024 là 500.000 đồng/tháng (Nghị định "
            "76/2024/NĐ-CP). Hồ sơ nộp tại UBND phường, xã nơi cư trú; tiền được chi qua bưu điện hoặc "
            "tài khoản.</p>",
            "audience": {"scope": "province", "province_code": "66", "age_min": 60},
        },
    ),
    (
        DRAFT,
        {
            "slug": "canh-giac-lua-dao-qua-dien-thoai",
            "title": "Cảnh giác cuộc gọi giả danh công an yêu cầu chuyển tiền",
            "summary": "Công an không làm việc qua điện thoại và không bao giờ yêu cầu chuyển tiền để xác minh "
            "tài khoản.",
            "category": "an-ninh-trat-tu",
            "body_html": "<p>Nếu nhận cuộc gọi như vậy, hãy dập máy và tố giác qua mục Phản ánh của ứng "
            "dụng, hoặc gọi 113.</p>",
            "audience": {"scope": "all"},
        },
    ),
)


def seed_demo_articles(writer: str, reviewer: str) -> int:
    """The demo articles whose slug is free; `writer` is the comms officer, `reviewer` the admin
    (actors as `staff:<id>`). Returns how many were added."""
    taken = set(
        db.session.scalars(select(Article.slug).where(Article.slug.in_([a["slug"] for _, a in ARTICLES])))
    )
    added = 0
    for status, data in ARTICLES:
        if data["slug"] in taken:
            continue
        author = reviewer if status == REVIEW else writer
        article = service.create_article(data, author)
        if status in (PUBLISHED, REVIEW):
            article = service.transition(article, "submit", author, article.version)
        if status == PUBLISHED:
            service.transition(article, "publish", reviewer, article.version)
        added += 1
    return added


# What the comms team tells colleagues on the first day: every staff role sees it as a banner
# until they open it, and comms see who has.
ANNOUNCEMENT = {
    "title": "Từ nay làm việc trên Không gian làm việc chung",
    "body": "Kính gửi các đồng chí,\n\nBảng điều khiển tổng đài và truyền thông đã chuyển vào Không gian làm "
    "việc (/workspace/). Mỗi người đăng nhập một lần, thấy các chức năng của vai trò mình, và nhận "
    'thông báo nội bộ tại mục "Thông báo nội bộ".\n\nCần hỗ trợ tài khoản, liên hệ quản trị viên.',
    "importance": "important",
}


def seed_demo_announcements(author_id) -> int:
    """The first-day announcement to every staff member, once."""
    if db.session.scalar(select(Announcement.id).where(Announcement.title == ANNOUNCEMENT["title"]).limit(1)):
        return 0
    announcements.publish(ANNOUNCEMENT, author_id)
    return 1
