"""The chatbot's report actions, run by the real action server against the real API.

What a citizen notices: a report made in the chat really exists afterwards (in their list in
the app, or followed with the tracking token they were given once); the answer says its status,
its deadline and whom to call when the category has an emergency number; a field report from an
anonymous chat is explained, not filed; nothing is filed when they say no, when their sign-in
has ended, or when the API is down (then they get the hotline). The form reads what the first
message already says and checks the ward with the API's ward search. And they can ask where
their reports are.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.chat.conftest import (
    chat_token,
    said,
)
from tests.conftest import DEMO_WARD

FORM = "report_form"
STATUS_FORM = "report_status_form"
TOKEN_LENGTH = 32
WHEN = (datetime.now(UTC) - timedelta(hours=3)).astimezone().isoformat()

ISSUE_SLOTS = {
    "report_kind": "issue",
    "report_category": "den-duong-hong",
    "report_ward": DEMO_WARD,
    "report_ward_name": "Phường Buôn Ma Thuột",
    "report_address": "Trước số 12 Lê Duẩn",
    "report_time": WHEN,
    "report_description": "Đèn đường trước số 12 Lê Duẩn hỏng ba hôm nay, tối rất tối.",
    "report_confirmed": True,
}
CRIME_SLOTS = {
    "report_kind": "crime",
    "report_category": "ma-tuy",
    "report_ward": DEMO_WARD,
    "report_ward_name": "Phường Buôn Ma Thuột",
    "report_address": "không rõ",
    "report_time": "không rõ",
    "report_description": "Tối nào cũng có người bán ma tuý ở quán nước đầu hẻm 45 Y Jút.",
    "report_confirmed": True,
}


@pytest.fixture
def signed_in(app, citizen_headers):
    """(app headers, the chat's delegated token) of a signed-in citizen."""
    headers, _, pair = citizen_headers()
    return headers, chat_token(app, pair)


def slot_values(result: dict, name: str) -> list:
    return [event.get("value") for event in result["events"] if event.get("name") == name]


def reports_in_db(app) -> int:
    from api.extensions import db
    from api.reports.models import Report

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Report))
        db.session.remove()
        return count


# ---- filing ---------------------------------------------------------------------------------------


def test_a_signed_in_citizens_field_report_is_filed_and_in_their_list(actions, client, signed_in):
    headers, token = signed_in

    result = actions.run(
        "action_submit_report",
        text="gửi đi",
        intent="affirm",
        slots=ISSUE_SLOTS,
        metadata={"cds_token": token},
    )

    answer = said(result)
    [mine] = client.get("/me/reports", headers=headers).json
    assert mine["category"]["code"] == "den-duong-hong" and mine["ward"]["code"] == DEMO_WARD
    assert mine["description"] == ISSUE_SLOTS["report_description"]
    assert mine["address"] == "Trước số 12 Lê Duẩn"
    deadline = datetime.fromisoformat(mine["deadline"]).strftime("%d/%m/%Y")
    assert (
        f'Đã gửi phản ánh "Đèn đường hỏng" tại Phường Buôn Ma Thuột, Tỉnh Đắk Lắk. Trạng thái: {mine["status_name"]}.'
        in answer
    )
    assert deadline in answer
    assert "Mã theo dõi" not in answer and "mục Phản ánh – Tố giác" in answer
    # The form's slots are emptied for the next report.
    assert slot_values(result, "report_category") == [None]


def test_an_anonymous_crime_report_gets_its_token_once_and_the_emergency_number(actions, app, client):
    result = actions.run("action_submit_report", text="đồng ý", intent="affirm", slots=CRIME_SLOTS)

    messages = [reply["text"] for reply in result["responses"]]
    assert messages[0].startswith('Đã gửi tố giác "Tội phạm về ma tuý" tới Công an phường, xã')
    token_message = messages[1]
    token = next(word for word in token_message.split() if len(word) == TOKEN_LENGTH)
    assert "chỉ nói một lần" in token_message
    assert "113" in messages[-1]  # the category's emergency number
    tracked = client.get(f"/reports/track/{token}")
    assert tracked.status_code == 200
    assert tracked.json["anonymous"] is True and tracked.json["category"]["code"] == "ma-tuy"
    assert tracked.json["address"].startswith("Không rõ địa chỉ cụ thể")
    assert reports_in_db(app) == 1


def test_a_signed_in_citizen_who_chose_anonymity_is_not_in_the_report(actions, client, signed_in):
    headers, token = signed_in
    slots = {**CRIME_SLOTS, "report_anonymous": True}

    answer = said(
        actions.run(
            "action_submit_report", text="gửi", intent="affirm", slots=slots, metadata={"cds_token": token}
        )
    )

    assert "Mã theo dõi" in answer
    assert client.get("/me/reports", headers=headers).json == []


def test_a_signed_in_citizen_who_leaves_their_name_finds_the_crime_report_in_the_app(
    actions, client, signed_in
):
    headers, token = signed_in
    slots = {**CRIME_SLOTS, "report_anonymous": False}

    answer = said(
        actions.run(
            "action_submit_report", text="gửi", intent="affirm", slots=slots, metadata={"cds_token": token}
        )
    )

    assert "Mã theo dõi" not in answer
    [mine] = client.get("/me/reports", headers=headers).json
    assert mine["category"]["code"] == "ma-tuy" and mine["anonymous"] is False


def test_a_field_report_from_an_anonymous_chat_is_explained_not_filed(actions, app):
    validated = actions.run(
        "validate_report_form", text="đèn đường hỏng mấy hôm nay", intent="report_issue", active_loop=FORM
    )
    assert slot_values(validated, "requested_slot") == [None]  # nothing is asked

    answer = said(
        actions.run("action_submit_report", text="đèn đường hỏng mấy hôm nay", intent="report_issue")
    )

    assert "đăng nhập" in answer and "VNeID" in answer
    assert reports_in_db(app) == 0


def test_saying_no_at_the_confirmation_files_nothing(actions, app, signed_in):
    _, token = signed_in
    slots = {**ISSUE_SLOTS, "report_confirmed": False}

    answer = said(
        actions.run(
            "action_submit_report", text="không", intent="deny", slots=slots, metadata={"cds_token": token}
        )
    )

    assert "chưa gửi gì" in answer
    assert reports_in_db(app) == 0


def test_an_ended_sign_in_files_nothing_and_asks_to_sign_in_again(actions, app, client, citizen_headers):
    headers, _, pair = citizen_headers()
    token = chat_token(app, pair)
    assert client.post("/auth/logout", headers=headers).status_code == 204

    answer = said(
        actions.run(
            "action_submit_report",
            text="gửi",
            intent="affirm",
            slots=ISSUE_SLOTS,
            metadata={"cds_token": token},
        )
    )

    assert "đăng nhập lại" in answer and "CHƯA gửi" in answer
    assert reports_in_db(app) == 0


def test_a_report_the_api_refuses_is_explained(actions, app, signed_in):
    _, token = signed_in
    slots = {**ISSUE_SLOTS, "report_time": (datetime.now(UTC) + timedelta(days=2)).isoformat()}

    answer = said(
        actions.run(
            "action_submit_report", text="gửi", intent="affirm", slots=slots, metadata={"cds_token": token}
        )
    )

    assert answer.startswith("Tôi chưa gửi được: Thời điểm xảy ra sự việc không thể ở tương lai.")
    assert reports_in_db(app) == 0


# ---- the form ---------------------------------------------------------------------------------------


def test_the_first_message_fills_what_it_says(actions, signed_in):
    _, token = signed_in

    result = actions.run(
        "validate_report_form",
        text="đèn đường ở Buôn Ma Thuột hỏng từ tối qua, cả đoạn tối om rất nguy hiểm",
        intent="report_issue",
        entities=[{"entity": "ward", "value": "Buôn Ma Thuột", "start": 11, "end": 24}],
        metadata={"cds_token": token},
        active_loop=FORM,
    )

    assert slot_values(result, "report_kind") == ["issue"]
    assert slot_values(result, "report_category") == ["den-duong-hong"]
    assert slot_values(result, "report_ward") == [DEMO_WARD]
    assert slot_values(result, "report_ward_name") == ["Phường Buôn Ma Thuột"]
    assert slot_values(result, "report_time")[0].endswith("+07:00")
    assert slot_values(result, "report_description") == [
        "đèn đường ở Buôn Ma Thuột hỏng từ tối qua, cả đoạn tối om rất nguy hiểm"
    ]
    assert "phản ánh hiện trường" in said(result)


def test_an_anonymous_crime_report_is_told_it_will_be_anonymous_and_not_asked(actions):
    result = actions.run(
        "validate_report_form",
        text="tôi muốn tố giác đường dây cá độ",
        intent="report_crime",
        entities=[{"entity": "incident_type", "value": "gambling", "start": 26, "end": 32}],
        active_loop=FORM,
    )
    assert slot_values(result, "report_category") == ["co-bac"]
    assert "ẨN DANH" in said(result) and "113" in said(result)
    assert slot_values(result, "requested_slot") == ["report_ward"]


def test_the_category_question_lists_the_apis_categories(actions, signed_in):
    _, token = signed_in
    issue = said(
        actions.run(
            "action_ask_report_category",
            text="tôi muốn phản ánh",
            intent="report_issue",
            slots={"report_kind": "issue"},
            metadata={"cds_token": token},
        )
    )
    assert "1. Tai nạn giao thông" in issue and "Đèn đường hỏng" in issue
    assert "ma tuý" not in issue
    crime = said(
        actions.run("action_ask_report_category", slots={"report_kind": "crime"}, intent="report_crime")
    )
    assert "1. Tội phạm về ma tuý" in crime and "Đèn đường" not in crime


def test_a_number_from_the_list_is_a_category(actions, signed_in):
    _, token = signed_in
    result = actions.run(
        "validate_report_form",
        text="2",
        intent="nlu_fallback",
        slots={"report_kind": "crime", "requested_slot": "report_category", "report_category": "2"},
        metadata={"cds_token": token},
        active_loop=FORM,
    )
    assert slot_values(result, "report_category")[-1] == "co-bac"


@pytest.mark.parametrize(
    ("typed", "code", "told"),
    [
        ("ở phường Tân Lập ạ", "24121", ""),
        ("buon ma thuot", DEMO_WARD, ""),
        ("Krông", None, "Xã Krông Búk"),  # several: the list, asked again
        ("Phường Không Có Thật", None, "không tìm thấy"),
    ],
)
def test_the_ward_is_checked_with_the_apis_ward_search(actions, signed_in, typed, code, told):
    _, token = signed_in
    result = actions.run(
        "validate_report_form",
        text=typed,
        intent="nlu_fallback",
        slots={"report_kind": "issue", "requested_slot": "report_ward", "report_ward": typed},
        metadata={"cds_token": token},
        active_loop=FORM,
    )
    assert slot_values(result, "report_ward")[-1] == code
    assert told in said(result)


def test_a_time_in_the_future_is_refused_and_asked_again(actions, signed_in):
    _, token = signed_in
    future = (datetime.now(UTC) + timedelta(days=40)).strftime("%d/%m/%Y")
    result = actions.run(
        "validate_report_form",
        text=future,
        intent="nlu_fallback",
        slots={"report_kind": "issue", "requested_slot": "report_time", "report_time": future},
        metadata={"cds_token": token},
        active_loop=FORM,
    )
    assert slot_values(result, "report_time")[-1] is None
    assert "tương lai" in said(result)


def test_the_summary_shows_what_will_be_sent(actions, signed_in):
    _, token = signed_in
    answer = said(
        actions.run(
            "action_ask_report_confirmed",
            slots={**ISSUE_SLOTS, "report_confirmed": None},
            metadata={"cds_token": token},
        )
    )
    assert "Lĩnh vực: Đèn đường hỏng" in answer and "Trước số 12 Lê Duẩn, Phường Buôn Ma Thuột" in answer
    assert ISSUE_SLOTS["report_description"] in answer and "xác nhận gửi" in answer


# ---- status ----------------------------------------------------------------------------------------------


def test_a_signed_in_citizen_sees_their_reports_status_and_deadline(actions, client, signed_in):
    headers, token = signed_in
    actions.run("action_submit_report", slots=ISSUE_SLOTS, intent="affirm", metadata={"cds_token": token})
    [mine] = client.get("/me/reports", headers=headers).json

    answer = said(
        actions.run(
            "action_check_report_status",
            text="phản ánh của tôi xử lý tới đâu rồi",
            intent="check_report_status",
            metadata={"cds_token": token},
        )
    )

    deadline = datetime.fromisoformat(mine["deadline"]).strftime("%d/%m/%Y")
    assert answer.startswith("Bạn có 1 phản ánh, tố giác có danh tính")
    assert "• Đèn đường hỏng, gửi ngày" in answer
    assert f"{mine['status_name']}; hạn phản hồi {deadline}." in answer


def test_an_anonymous_citizen_follows_a_crime_report_with_its_token(actions):
    sent = actions.run("action_submit_report", slots=CRIME_SLOTS, intent="affirm")
    token = next(w for r in sent["responses"] for w in (r["text"] or "").split() if len(w) == TOKEN_LENGTH)

    asked = actions.run(
        "validate_report_status_form",
        text=token,
        intent="nlu_fallback",
        slots={"requested_slot": "report_tracking_token", "report_tracking_token": token},
        active_loop=STATUS_FORM,
    )
    assert slot_values(asked, "report_tracking_token")[-1] == token
    answer = said(
        actions.run(
            "action_check_report_status",
            text=token,
            intent="nlu_fallback",
            slots={"report_tracking_token": token},
        )
    )
    assert answer.startswith("Tố giác ẩn danh theo mã bạn gửi:")
    assert "Tội phạm về ma tuý" in answer and "hạn phản hồi" in answer
    wrong = said(
        actions.run(
            "action_check_report_status",
            text="x" * TOKEN_LENGTH,
            intent="nlu_fallback",
            slots={"report_tracking_token": "x" * TOKEN_LENGTH},
        )
    )
    assert "Mã theo dõi không đúng" in wrong


# ---- the API down: the hotline, nothing claimed as sent -----------------------------------------------


def test_with_the_api_down_nothing_is_claimed_as_sent(actions_without_api):
    answer = said(actions_without_api.run("action_submit_report", slots=CRIME_SLOTS, intent="affirm"))
    assert "CHƯA gửi" in answer and "1900 0368" in answer and "113" in answer
    assert "Đã gửi" not in answer and "Mã theo dõi" not in answer
