"""The report actions' own rules, without Rasa or the API: reading a time, a category, a stop
or a yes in what a Vietnamese types, with or without diacritics; the incident_type mapping; what
is sent and what is said. The actions against the real API: tests/chat/test_report_actions.py.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, report_api, texts
from actions.api_client import ApiClient, Settings
from actions.report_api import best_ward, category_named
from actions.report_messages import describe_mine, describe_submitted
from actions.report_slots import CATEGORY, CONFIRMED, CRIME, ISSUE, OTHER_CRIME, UNKNOWN
from actions.report_time import VIETNAM, FutureTime, parse_incident_time
from actions.report_words import (
    INCIDENT_CATEGORIES,
    describes_something,
    incident_category,
    is_question,
    is_stop,
    is_unknown,
    keyword_category,
    tracking_token_in,
    wants_anonymity,
    yes_or_no,
)
from actions.reports import AskReportCategory, ValidateReportForm

# The categories as GET /reports/categories publishes them: the keywords live in the API's data
# file (api/law/data/report_categories.yaml), which the chatbot reads only through the API; the
# test reads the same file so that it checks the words the API really sends.
LAW_DATA = Path(__file__).resolve().parents[2] / "api" / "law" / "data" / "report_categories.yaml"


def _published(entry: dict) -> dict:
    keywords = entry["keywords"]
    return {
        "code": entry["code"],
        "name": entry["name"],
        "is_crime": entry["is_crime"],
        "keywords": {
            "precedence": keywords["precedence"],
            "phrases": keywords["phrases"],
            "accented_only": keywords.get("accented_only", []),
        },
    }


API_CATEGORIES = [
    _published(entry) for entry in yaml.safe_load(LAW_DATA.read_text(encoding="utf-8"))["categories"]
]


# Saturday 14 June 2025, 10:30 in Vietnam.
NOW = datetime(2025, 6, 14, 10, 30, tzinfo=VIETNAM)


def at(day: int, hour: int, minute: int = 0, month: int = 6, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


# ---- time ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("bây giờ", at(14, 10, 30)),
        ("vừa xong", at(14, 10, 30)),
        ("vua nay", at(14, 10, 30)),
        ("sáng nay", at(14, 8)),
        ("sang nay luc 7h", at(14, 7)),
        ("tối qua", at(13, 20)),
        ("toi qua", at(13, 20)),
        ("đêm qua", at(13, 22)),
        ("hôm qua", at(13, 12)),
        ("chiều hôm qua", at(13, 15)),
        ("9h tối hôm qua", at(13, 21)),
        ("hôm kia", at(12, 12)),
        ("3 ngày trước", at(11, 12)),
        ("ba ngay truoc", at(11, 12)),
        ("2 tiếng trước", at(14, 8, 30)),
        ("tuần trước", at(7, 12)),
        ("15/5", at(15, 12, month=5)),
        ("ngày 10/06/2025 lúc 21h30", at(10, 21, 30)),
        ("10-6-25", at(10, 12)),
        ("khoảng 9h tối", at(13, 21)),  # said in the morning: last night
        ("tối nay", at(14, 10, 30)),  # not yet evening: now
    ],
)
def test_vietnamese_times_become_a_vietnam_datetime(said, expected):
    assert parse_incident_time(said, NOW) == expected


@pytest.mark.parametrize("said", ["không nhớ", "khong nho ro", "ko biết nữa", "không rõ"])
def test_not_remembering_is_unknown(said):
    assert parse_incident_time(said, NOW) == UNKNOWN


@pytest.mark.parametrize("said", ["20/6", "20/06/2025", "ngày 1/1/2026"])
def test_a_future_time_is_refused(said):
    with pytest.raises(FutureTime):
        parse_incident_time(said, NOW)


def test_words_that_fold_into_a_part_of_the_day_are_not_one():
    assert parse_incident_time("hôm qua tôi thấy họ", NOW) == at(13, 12)  # "tôi" is not "tối"
    assert parse_incident_time("tối hôm qua tôi thấy họ", NOW) == at(13, 20)


@pytest.mark.parametrize(
    "said", ["có người tụ tập", "lâu lắm rồi", "32/13/2025", "đèn hỏng mấy hôm nay, tối đi sợ"]
)
def test_no_time_in_the_message(said):
    assert parse_incident_time(said, NOW) is None


def test_the_iso_form_carries_vietnams_offset():
    assert parse_incident_time("tối qua", NOW).isoformat() == "2025-06-13T20:00:00+07:00"


# ---- categories ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("đèn đường hỏng mấy hôm nay", "den-duong-hong"),
        ("den duong hong o Ea Kao ca tuan nay", "den-duong-hong"),
        ("đèn tín hiệu giao thông ngã tư không hoạt động", "den-tin-hieu-hong"),
        ("den giao thong o nga ba bi hong", "den-tin-hieu-hong"),
        ("đường Lê Duẩn có ổ gà to lắm", "o-ga"),
        ("o ga giua duong", "o-ga"),
        ("rác thải bốc mùi ở đầu hẻm", "rac-thai"),
        ("mưa xong là ngập cả đoạn đường", "ngap-ung"),
        ("karaoke hàng xóm hát tới 12h đêm", "tieng-on"),
        ("nhà bên mở nhạc ồn quá", "tieng-on"),
        ("quán nhậu lấn chiếm hết vỉa hè", "lan-chiem-via-he"),
        ("vỉa hè bị vỡ gạch", "via-he-hu-hong"),
        ("xưởng gỗ gây ô nhiễm khói bụi", "o-nhiem"),
        ("thanh niên đua xe lạng lách mỗi tối", "dua-xe-trai-phep"),
        ("có tai nạn ở ngã tư", "tai-nan-giao-thong"),
        ("kho hàng bị cháy", "chay-no"),
    ],
)
def test_field_report_categories_from_the_words(said, code):
    assert keyword_category(said, ISSUE, API_CATEGORIES) == code


@pytest.mark.parametrize(
    "said",
    [
        "xe chạy quá nhanh trong hẻm",  # "chạy" is not "cháy"
        "tình hình ổn rồi",  # "ổn" is not "ồn"
        "tôi muốn phản ánh hiện trường",
    ],
)
def test_words_that_only_look_alike_without_diacritics_name_nothing(said):
    assert keyword_category(said, ISSUE, API_CATEGORIES) is None


def test_crime_categories_from_the_words():
    assert keyword_category("có người bán ma túy trong hẻm", CRIME, API_CATEGORIES) == "ma-tuy"
    assert keyword_category("to giac duong day ca do", CRIME, API_CATEGORIES) == "co-bac"
    assert keyword_category("bị lừa đảo qua mạng", CRIME, API_CATEGORIES) == "lua-dao"
    assert keyword_category("tố giác tội phạm", CRIME, API_CATEGORIES) is None


def test_the_keywords_are_the_apis_and_its_precedence_decides():
    # Without the API's categories no word names a category: the form asks.
    assert keyword_category("đường Lê Duẩn có ổ gà to lắm", ISSUE, []) is None
    # The order the API lists the categories in does not matter, their precedence does:
    # "lấn chiếm vỉa hè" is an encroachment, not a broken pavement.
    backwards = list(reversed(API_CATEGORIES))
    assert keyword_category("quán nhậu lấn chiếm hết vỉa hè", ISSUE, backwards) == "lan-chiem-via-he"
    assert keyword_category("den giao thong o nga ba bi hong", ISSUE, backwards) == "den-tin-hieu-hong"
    # A crime's words do not name a field report's category, and the other way round.
    assert keyword_category("có người bán ma túy", ISSUE, API_CATEGORIES) is None
    assert keyword_category("đường có ổ gà", CRIME, API_CATEGORIES) is None
    # Categories from an older API without keywords: nothing found, nothing breaks.
    assert keyword_category("ổ gà", ISSUE, [{"code": "o-ga", "name": "Ổ gà", "is_crime": False}]) is None


def test_the_incident_type_entity_maps_to_the_apis_categories():
    assert incident_category(["gambling"], CRIME) == "co-bac"
    assert incident_category(["drugs"], CRIME) == "ma-tuy"
    assert incident_category(["robbery"], CRIME) == incident_category(["theft"], CRIME) == "trom-cap"
    assert incident_category(["assault"], CRIME) == "co-y-gay-thuong-tich"
    for other in ("loan_sharking", "extortion", "illegal_logging", "human_trafficking", "smuggling"):
        assert incident_category([other], CRIME) == OTHER_CRIME
    assert incident_category(["something_new"], CRIME) == OTHER_CRIME
    assert incident_category(["fire"], ISSUE) == "chay-no"
    assert incident_category(["gambling"], ISSUE) is None
    assert incident_category([], CRIME) is None
    assert set(INCIDENT_CATEGORIES.values()) <= {
        "co-bac",
        "ma-tuy",
        "trom-cap",
        "lua-dao",
        "co-y-gay-thuong-tich",
        OTHER_CRIME,
    }


CATALOGUE = [
    {"code": "ma-tuy", "name": "Tội phạm về ma tuý", "is_crime": True},
    {"code": "co-bac", "name": "Đánh bạc, tổ chức đánh bạc", "is_crime": True},
    {"code": "den-duong-hong", "name": "Đèn đường hỏng", "is_crime": False},
    {"code": "o-ga", "name": "Ổ gà, hư hỏng mặt đường", "is_crime": False},
]


def test_an_answer_to_the_numbered_list():
    assert category_named("1", ISSUE, CATALOGUE) == "den-duong-hong"
    assert category_named("số 2", ISSUE, CATALOGUE) == "o-ga"
    assert category_named("2", CRIME, CATALOGUE) == "co-bac"
    assert category_named("9", ISSUE, CATALOGUE) is None
    assert category_named("Đèn đường hỏng", ISSUE, CATALOGUE) == "den-duong-hong"
    assert category_named("o ga", ISSUE, CATALOGUE) == "o-ga"
    assert category_named("đánh bạc", CRIME, CATALOGUE) == "co-bac"
    assert category_named("ma tuý", ISSUE, CATALOGUE) is None  # not a field report's category
    assert category_named("cái gì đó", ISSUE, CATALOGUE) is None


# ---- answers ---------------------------------------------------------------------------------------


def test_stops_answers_and_unknowns():
    assert is_stop("thôi khỏi") and is_stop("thoi") and is_stop("không gửi nữa") and is_stop("huy")
    assert not is_stop("thời gian không nhớ") and not is_stop("không")
    assert is_unknown("không rõ") and is_unknown("ko biet") and not is_unknown("số 5 Lê Duẩn")
    assert yes_or_no("gửi đi", None) is True and yes_or_no("không", None) is False
    assert yes_or_no("ừ", "affirm") is True and yes_or_no("abc", None) is None
    assert wants_anonymity("ẩn danh", None) is True and wants_anonymity("để lại tên", None) is False
    assert (
        wants_anonymity("giấu tên giúp tôi", None) is True and wants_anonymity("dung ten toi", None) is False
    )
    # "ẩn danh hay để lại tên?" is not a yes/no question: asked again.
    assert wants_anonymity("có", "affirm") is None and wants_anonymity("không", "deny") is None


def test_a_question_is_not_an_address():
    assert is_question("định danh mức 2 là gì") and is_question("tổng đài mấy giờ làm việc?")
    assert not is_question("trước số 12 Lê Duẩn") and not is_question("hẻm 45 Y Jút, gần chợ")


def test_a_first_message_serves_as_description_only_when_it_says_something():
    assert describes_something("đèn đường hỏng mấy hôm nay, tối đi rất nguy hiểm")
    assert not describes_something("tôi muốn phản ánh hiện trường")
    assert not describes_something("tố giác tội phạm")
    assert not describes_something("làm sao gửi đơn tố giác")


def test_the_ward_the_citizen_means():
    tan_an = [
        {"code": "1", "name": "Phường Tân An", "short_name": "Tân An"},
        {"code": "2", "name": "Xã Tân An", "short_name": "Tân An"},
    ]
    assert best_ward("Tân An", tan_an) is None  # two of them: asked again with the list
    assert best_ward("phường Tân An", tan_an)["code"] == "1"
    assert best_ward("xa tan an", tan_an)["code"] == "2"
    assert best_ward("tan", tan_an[:1])["code"] == "1"


def test_a_tracking_token_in_a_message():
    token = "Xk3v9QmZ1pLr7TnB2wYc5HdJ8uFe0aGs"  # noqa: S105 (a made-up tracking token)
    assert tracking_token_in(f"mã của tôi là {token} nhé") == token
    assert tracking_token_in("mã là 12345") is None


# ---- what is said ---------------------------------------------------------------------------------


def test_an_anonymous_crime_report_is_answered_with_its_token_and_the_emergency_number():
    messages = describe_submitted(
        {
            "report": {
                "category": {"name": "Tội phạm về ma tuý", "is_crime": True},
                "ward": {"name": "Phường Buôn Ma Thuột"},
                "unit_name": "Công an phường, xã",
                "status_name": "Đã tiếp nhận",
                "deadline": "2025-06-18",
            },
            "tracking_token": "Xk3v9QmZ1pLr7TnB2wYc5HdJ8uFe0aGs",
            "emergency": {"message": "Nếu đang nguy hiểm, hãy gọi ngay 113 (Cảnh sát)."},
        }
    )
    assert "Đã tiếp nhận" in messages[0] and "18/06/2025" in messages[0]
    assert "Xk3v9QmZ1pLr7TnB2wYc5HdJ8uFe0aGs" in messages[1] and "một lần" in messages[1]
    assert "113" in messages[-1]


def test_my_reports_are_listed_with_deadlines_and_overdue_flagged():
    listing = describe_mine(
        [
            {
                "category": {"name": "Đèn đường hỏng"},
                "status": "received",
                "status_name": "Đã tiếp nhận",
                "deadline": "2025-06-20",
                "overdue": False,
                "submitted_at": "2025-06-13T10:00:00+07:00",
            },
            {
                "category": {"name": "Ổ gà"},
                "status": "in_progress",
                "status_name": "Đang xử lý",
                "deadline": "2025-06-01",
                "overdue": True,
                "submitted_at": "2025-05-20T10:00:00+07:00",
            },
        ],
        total=7,
    )
    assert listing.startswith(texts.REPORTS_MINE_HEADER.format(count=7))
    assert "Đèn đường hỏng, gửi ngày 13/06/2025: Đã tiếp nhận; hạn phản hồi 20/06/2025." in listing
    assert "hạn phản hồi 01/06/2025 (đã quá hạn)" in listing
    assert "Còn 2 phản ánh khác" in listing


# ---- the form with the API up and down -------------------------------------------------------------

SETTINGS = Settings("http://api.test", "chatbot-actions", "secret", timeout=1.0)


def serve(monkeypatch, routes) -> None:
    monkeypatch.setattr(api_client, "_shared", ApiClient(SETTINGS, transport=httpx.MockTransport(routes)))
    monkeypatch.setattr(report_api, "_categories_cache", None)


@pytest.fixture
def api_up(monkeypatch):
    def routes(request):
        if request.url.path == "/auth/service/token":
            return httpx.Response(200, json={"access_token": "machine", "expires_in": 900})
        if request.url.path == "/reports/categories":
            return httpx.Response(200, json=API_CATEGORIES)
        return httpx.Response(404, json={"status": 404, "code": "not_found"})

    serve(monkeypatch, routes)


@pytest.fixture
def api_down(monkeypatch):
    def routes(request):
        raise httpx.ConnectError("connection refused")

    serve(monkeypatch, routes)


def issue_tracker(text: str, slots: dict | None = None) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": "report_issue"},
        "entities": [],
        "metadata": {"cds_token": "t"},
    }
    return Tracker(
        "c0ffee00-0000-4000-8000-000000000000", slots or {}, latest, [], False, None, {}, "action_listen"
    )


def test_the_first_message_names_the_category_by_the_apis_keywords(api_up):
    found = asyncio.run(
        ValidateReportForm().extract_report_category(
            CollectingDispatcher(), issue_tracker("đường Lê Duẩn có ổ gà to lắm"), {}
        )
    )
    assert found == {CATEGORY: "o-ga"}


def test_with_the_api_down_no_keyword_names_the_category_and_the_form_asks(api_down):
    said = issue_tracker("đường Lê Duẩn có ổ gà to lắm")
    assert asyncio.run(ValidateReportForm().extract_report_category(CollectingDispatcher(), said, {})) == {}
    dispatcher = CollectingDispatcher()
    asyncio.run(AskReportCategory().run(dispatcher, said, {}))
    assert [m["text"] for m in dispatcher.messages] == [texts.REPORT_ASK_CATEGORY_NO_LIST]
    # An answer that is not a category's code cannot be checked without the API: nothing is sent.
    dispatcher = CollectingDispatcher()
    answer = asyncio.run(
        ValidateReportForm().validate_report_category(
            "ổ gà", dispatcher, issue_tracker("ổ gà", {"requested_slot": CATEGORY}), {}
        )
    )
    assert answer == {CATEGORY: None, CONFIRMED: False}
    assert [m["text"] for m in dispatcher.messages] == [texts.API_UNAVAILABLE]
    # A category's code is kept: the API checks it when the report is sent.
    kept = asyncio.run(
        ValidateReportForm().validate_report_category(
            "o-ga", CollectingDispatcher(), issue_tracker("o-ga", {"requested_slot": CATEGORY}), {}
        )
    )
    assert kept == {CATEGORY: "o-ga"}
