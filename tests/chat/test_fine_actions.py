"""The chatbot's fine actions (M18), run by the real action server against the real API.

What a citizen notices: signed in, they see their own unpaid fines (amounts, deadlines, what is
overdue, what they must confirm first) and never anyone else's; anonymous, they give a plate
and get the public lookup's limited detail (masked decision number, the day and the ward, no
owner) with the advice to sign in with VNeID; a plate the API refuses is explained and asked
again; paying is explained, and a signed-in citizen is told what they can pay now; with the API
down they get the hotline. Notices are made with api.fines.service (conftest: issue_fine).
"""

from __future__ import annotations

import pytest

from tests.chat.conftest import (
    chat_token,
    said,
)

FORM = "fine_lookup_form"


@pytest.fixture
def two_owners(app, citizen_headers, issue_fine):
    """A citizen with four fines (one to confirm, one confirmed, one overdue, one paid) and
    another citizen with one fine on another car: (me, my token, my fines, them, their fine)."""
    _, me, pair = citizen_headers()
    _, them, _ = citizen_headers(full_name="Trần Văn Bình", sex="male")
    mine = {
        "to_confirm": issue_fine(me),  # 47A-123.45, vượt đèn đỏ, 18.000.000 đồng
        "confirmed": issue_fine(
            me,
            then="confirm",
            plate="47B1-234.56",
            violation_code="xe-may-khong-doi-mu-bao-hiem",
            amount_vnd=400_000,
            place="Đường Hùng Vương",
        ),
        "overdue": issue_fine(
            me,
            violation_code="oto-do-xe-noi-cam",
            amount_vnd=900_000,
            decided_days_ago=15,
            place="Đường Y Jút",
        ),
        "paid": issue_fine(
            me,
            then="pay",
            violation_code="oto-khong-that-day-an-toan",
            amount_vnd=800_000,
            place="Quốc lộ 14",
        ),
    }
    theirs = issue_fine(
        them,
        plate="47C-246.80",
        violation_code="oto-dien-thoai",
        amount_vnd=5_000_000,
        place="Đường Phan Bội Châu, trước số 99",
    )
    return me, chat_token(app, pair), mine, them, theirs


def slot_values(result: dict, name: str) -> list:
    return [event.get("value") for event in result["events"] if event.get("name") == name]


# ---- a signed-in citizen: their own fines, nobody else's --------------------------------------------


def test_a_signed_in_citizen_sees_their_own_unpaid_fines_only(actions, two_owners):
    me, token, _, them, theirs = two_owners

    result = actions.run(
        "action_check_fines",
        text="tôi có bị phạt nguội không",
        intent="check_fines",
        metadata={"cds_token": token},
    )

    answer = said(result)
    assert answer.startswith("Bạn có 3 vi phạm chưa nộp phạt, tổng số tiền 19.300.000 đồng:")
    assert (
        "• 47A-123.45 – Không chấp hành hiệu lệnh của đèn tín hiệu giao thông (vượt đèn đỏ): 18.000.000 đồng."
        in (answer)
    )
    assert "Chờ xác nhận: bạn cần xác nhận hành vi vi phạm trước khi nộp phạt." in answer
    assert "• 47B1-234.56 – Không đội “mũ bảo hiểm" in answer and ": 400.000 đồng." in answer
    assert "Đã xác nhận vi phạm: bạn có thể nộp phạt ngay." in answer
    assert "tại Đường Y Jút." in answer and "đã quá hạn 5 ngày" in answer
    assert "còn 10 ngày" in answer
    # Paid: not in the list of what is owed.
    assert "Không thắt dây đai an toàn" not in answer and "Quốc lộ 14" not in answer
    # Another citizen's fine never appears, nor anyone's CCCD.
    assert theirs["plate"] not in answer and theirs["place"] not in answer and "5.000.000 đồng" not in answer
    assert me["cccd"] not in answer and them["cccd"] not in answer
    assert slot_values(result, "license_plate") == [None]


def test_a_signed_in_citizen_naming_their_plate_gets_that_plates_fines(actions, two_owners):
    _, token, _, _, _ = two_owners

    answer = said(
        actions.run(
            "action_check_fines",
            text="xe 47b1 234 56 có bị phạt không",
            intent="check_fines",
            slots={"license_plate": "47B1-234.56"},
            metadata={"cds_token": token},
        )
    )

    assert answer.startswith(
        "Biển số 47B1-234.56: bạn có 1 vi phạm chưa nộp phạt, tổng số tiền 400.000 đồng:"
    )
    assert "47A-123.45" not in answer


def test_a_signed_in_citizen_asking_about_someone_elses_car_gets_only_the_public_view(actions, two_owners):
    me, token, _, them, theirs = two_owners

    answer = said(
        actions.run(
            "action_check_fines",
            text="xe 47C-246.80 có bị phạt nguội không",
            intent="check_fines",
            slots={"license_plate": "47C-246.80"},
            metadata={"cds_token": token},
        )
    )

    assert answer.startswith("Không có vi phạm chưa nộp phạt nào đứng tên bạn với biển số 47C-246.80.")
    assert (
        "Biển số 47C-246.80 có 1 vi phạm chưa nộp phạt (thông tin tra cứu công khai, đã rút gọn):" in answer
    )
    assert "5.000.000 đồng" in answer and "không đứng tên bạn" in answer
    # The public view: a masked decision number, the ward, no place, no owner.
    assert theirs["notice_number"] not in answer and "***" in answer
    assert "Phường Buôn Ma Thuột" in answer and theirs["place"] not in answer
    assert them["cccd"] not in answer and "Trần Văn Bình" not in answer and me["cccd"] not in answer


def test_the_form_asks_a_signed_in_citizen_nothing(actions, two_owners):
    _, token, _, _, _ = two_owners
    result = actions.run(
        "validate_fine_lookup_form",
        text="tra phạt nguội",
        intent="check_fines",
        metadata={"cds_token": token},
        active_loop=FORM,
    )
    assert slot_values(result, "requested_slot") == [None]
    assert said(result) == ""


def test_a_signed_in_citizen_with_no_fines_is_told_so(actions, app, citizen_headers, two_owners):
    _, _, pair = citizen_headers(full_name="Lê Thị Lan")
    answer = said(
        actions.run(
            "action_check_fines",
            text="tôi có bị phạt nguội không",
            intent="check_fines",
            metadata={"cds_token": chat_token(app, pair)},
        )
    )
    assert answer.startswith("Hiện không có vi phạm giao thông nào chưa nộp phạt đứng tên bạn.")


@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"])
def test_a_forged_sign_in_gets_sign_in_again_and_no_fines(actions, two_owners, token):
    answer = said(
        actions.run(
            "action_check_fines",
            text="tôi có bị phạt không",
            intent="check_fines",
            metadata={"cds_token": token},
        )
    )
    assert "đăng nhập lại" in answer
    assert "đồng" not in answer and "47A-123.45" not in answer


# ---- anonymous: a plate, the public lookup ------------------------------------------------------------


def test_an_anonymous_plate_lookup_shows_limited_detail_and_no_cccd(actions, two_owners):
    me, _, mine, them, _ = two_owners

    answer = said(
        actions.run(
            "action_check_fines",
            text="xe 47A-123.45 có bị phạt nguội không",
            intent="check_fines",
            slots={"license_plate": "47A-123.45"},
        )
    )

    assert answer.startswith(
        "Biển số 47A-123.45 có 2 vi phạm chưa nộp phạt (thông tin tra cứu công khai, đã rút gọn):"
    )
    assert (
        "Không chấp hành hiệu lệnh của đèn tín hiệu giao thông (vượt đèn đỏ) – 18.000.000 đồng; Chờ xác nhận"
        in (answer)
    )
    assert "900.000 đồng" in answer and "đã quá hạn" in answer
    assert "tại Phường Buôn Ma Thuột" in answer
    assert "Ngoài ra có 1 vi phạm của biển số này đã nộp phạt." in answer
    assert "đăng nhập ứng dụng Công dân số bằng tài khoản VNeID" in answer
    # Limited: no owner, no CCCD, no exact place, no full decision number.
    for fine in mine.values():
        assert fine["notice_number"] not in answer
        assert fine["place"] not in answer
    assert me["cccd"] not in answer and "Nguyễn Thị Hoa" not in answer
    assert them["cccd"] not in answer and "47C-246.80" not in answer


def test_an_anonymous_plate_with_no_fines(actions, two_owners):
    answer = said(
        actions.run(
            "action_check_fines",
            text="47H1-246.13",
            intent="check_fines",
            slots={"license_plate": "47H1-246.13"},
        )
    )
    assert answer.startswith("Hiện chưa có vi phạm nào chưa nộp phạt của biển số 47H1-246.13 trên hệ thống.")
    assert "cảnh giác" in answer and "VNeID" in answer


def test_the_form_reads_a_plate_typed_in_a_sentence_as_the_api_does(actions, two_owners):
    result = actions.run(
        "validate_fine_lookup_form",
        text="biển xe tôi là 47a 123 45 nhé",
        intent="check_fines",
        slots={"license_plate": "biển xe tôi là 47a 123 45 nhé"},
        active_loop=FORM,
    )
    assert slot_values(result, "license_plate") == ["47A-123.45"]
    assert said(result) == ""


@pytest.mark.parametrize(
    ("typed", "explained"),
    [
        ("47O-123.45", "Có thể bạn đã gõ nhầm chữ O thành số 0"),  # the API's own explanation
        ("4A-12345", "ví dụ 47A-123.45 (ô tô) hoặc 47B1-123.45 (xe máy)"),
        ("05A-123.45", "mã tỉnh trên biển số từ 11 đến 99"),
    ],
)
def test_an_invalid_plate_is_explained_and_asked_again(actions, two_owners, typed, explained):
    result = actions.run(
        "validate_fine_lookup_form",
        text=typed,
        intent="nlu_fallback",
        slots={"license_plate": typed, "requested_slot": "license_plate"},
        active_loop=FORM,
    )
    assert slot_values(result, "license_plate") == [None]  # so the form asks again, with an example
    assert explained in said(result)


def test_a_cccd_instead_of_a_plate_is_not_looked_up(actions, two_owners):
    me, _, _, _, _ = two_owners
    result = actions.run(
        "validate_fine_lookup_form",
        text=me["cccd"],
        intent="check_fines",
        slots={"license_plate": me["cccd"], "requested_slot": "license_plate"},
        active_loop=FORM,
    )
    assert slot_values(result, "license_plate") == [None]
    assert "không tra cứu vi phạm theo số căn cước khi bạn chưa đăng nhập" in said(result)
    assert "đồng" not in said(result)


# ---- paying -----------------------------------------------------------------------------------------


def test_paying_signed_in_lists_what_is_payable_now_and_what_to_confirm_first(actions, two_owners):
    me, token, _, them, theirs = two_owners

    result = actions.run(
        "action_pay_fine", text="nộp phạt online thế nào", intent="pay_fine", metadata={"cds_token": token}
    )

    listing, how = (reply.get("text") or "" for reply in result["responses"])
    assert listing.startswith("Các khoản phạt chưa nộp của bạn, tổng số tiền 19.300.000 đồng:")
    now, first = listing.index("Nộp được ngay:"), listing.index("Cần xác nhận hành vi vi phạm trước khi nộp:")
    assert now < listing.index("• 47B1-234.56") < first < listing.index("• 47A-123.45")
    assert "400.000 đồng (hạn nộp" in listing and "18.000.000 đồng (hạn nộp" in listing
    assert "900.000 đồng (hạn nộp" in listing and "đã quá hạn 5 ngày" in listing
    assert "800.000 đồng" not in listing  # paid already
    assert theirs["plate"] not in listing and them["cccd"] not in listing and me["cccd"] not in listing
    assert "Xác nhận hành vi vi phạm" in how and "Nộp phạt" in how and "biên lai điện tử" in how
    assert "10 ngày" in how and "Nghị định 168/2024/NĐ-CP" in how
    assert "không bao giờ hỏi số thẻ" in how


def test_paying_anonymously_is_explained_and_points_to_signing_in(actions):
    answer = said(actions.run("action_pay_fine", text="nộp phạt ở đâu vậy ad", intent="pay_fine"))
    assert answer.startswith("Nộp phạt trực tuyến trên ứng dụng Công dân số:")
    assert "VNeID" in answer and "thẻ ngân hàng hoặc tài khoản thanh toán điện tử đã liên kết" in answer
    assert "đồng" not in answer


# ---- the API down: the hotline ------------------------------------------------------------------


@pytest.mark.parametrize("metadata", [None, {"cds_token": "a-token-of-a-signed-in-citizen"}])
def test_with_the_api_down_a_fine_lookup_gives_the_hotline(actions_without_api, metadata):
    answer = said(
        actions_without_api.run(
            "action_check_fines",
            text="xe 47A-123.45 có bị phạt nguội không",
            intent="check_fines",
            slots={"license_plate": "47A-123.45"},
            metadata=metadata,
        )
    )
    assert "tạm gián đoạn" in answer and "1900 0368" in answer
    assert "đồng" not in answer


def test_with_the_api_down_the_form_does_not_ask_again_for_a_plate_it_was_given(actions_without_api):
    result = actions_without_api.run(
        "validate_fine_lookup_form",
        text="47A-123.45",
        intent="check_fines",
        slots={"license_plate": "47A-123.45"},
        active_loop=FORM,
    )
    # The plate is kept: the answer (action_check_fines) then says the API is down, with the hotline.
    assert slot_values(result, "license_plate") == ["47A-123.45"]


def test_with_the_api_down_paying_is_still_explained_with_the_hotline(actions_without_api):
    answer = said(
        actions_without_api.run(
            "action_pay_fine",
            text="nộp phạt thế nào",
            intent="pay_fine",
            metadata={"cds_token": "a-token-of-a-signed-in-citizen"},
        )
    )
    assert "1900 0368" in answer and "Nộp phạt trực tuyến trên ứng dụng Công dân số:" in answer
