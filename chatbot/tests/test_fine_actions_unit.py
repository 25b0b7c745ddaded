"""The fine actions' own rules, without Rasa or the API: finding a plate in a message, how sums,
deadlines and fines are written, which branch answers whom. httpx's MockTransport plays the API.

The actions against the real API are tested in the API's suite: tests/chat/test_fine_actions.py.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import api_client, texts
from actions.api_client import ApiClient, Settings
from actions.fines import (
    LIST_LIMIT,
    ActionCheckFines,
    ActionPayFine,
    ValidateFineLookupForm,
    deadline_text,
    describe_mine,
    describe_payable,
    describe_public,
    plate_in_text,
    plate_key,
)

SETTINGS = Settings("http://api.test", "chatbot-actions", "secret", timeout=1.0)
CITIZEN = {"cds_token": "citizen-token"}
RED_LIGHT = {
    "description": "Không chấp hành hiệu lệnh của đèn tín hiệu giao thông",
    "legal_reference": "Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP",
}


def own_fine(**overrides) -> dict:
    """One fine as GET /me/fines shows it to its owner."""
    fine = {
        "id": "6f1c2a9e-0000-4000-8000-000000000001",
        "notice_number": "00001/QĐ-XPVPHC",
        "plate": "47A-123.45",
        "violation": RED_LIGHT,
        "violated_at": "2025-06-03T08:30:00+07:00",
        "place": "Ngã tư Lê Duẩn - Phan Chu Trinh",
        "amount_vnd": 18_000_000,
        "deadline": "2025-06-15",
        "days_left": 3,
        "overdue": False,
        "status": "issued",
        "status_name": "Chờ xác nhận",
        "can_confirm": True,
        "can_pay": False,
    }
    return {**fine, **overrides}


CONFIRMED = {
    "status": "confirmed",
    "status_name": "Đã xác nhận vi phạm",
    "can_confirm": False,
    "can_pay": True,
}
PAID = {
    "status": "paid",
    "status_name": "Đã nộp phạt",
    "can_confirm": False,
    "can_pay": False,
    "days_left": None,
}


def public_fine(**overrides) -> dict:
    """One fine as the public lookup shows it: no owner, no place, a masked notice number."""
    fine = {
        "notice_number": "***01/QĐ-XPVPHC",
        "plate": "47A-123.45",
        "vehicle_kind_name": "Ô tô",
        "violation": RED_LIGHT["description"],
        "violated_on": "2025-06-03",
        "area": "Phường Buôn Ma Thuột, Tỉnh Đắk Lắk",
        "amount_vnd": 18_000_000,
        "status": "issued",
        "status_name": "Chờ xác nhận",
        "deadline": "2025-06-15",
        "overdue": False,
    }
    return {**fine, **overrides}


# ---- a plate in a message -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("47A-123.45", "47A-123.45"),
        ("47a12345", "47a12345"),
        ("xe tôi biển 47A 123 45 nhé", "47A 123 45"),
        ("biển số 47B1-234.56 ạ", "47B1-234.56"),
        ("47-B1 12345", "47-B1 12345"),
        ("47 G1 135 79", "47 G1 135 79"),
        ("xe cũ 47L-1234", "47L-1234"),
        ("47b155566", "47b155566"),
    ],
)
def test_a_plate_is_found_in_a_message_as_it_was_typed(text, found):
    assert plate_in_text(text) == found


@pytest.mark.parametrize(
    "text", ["", None, "không nhớ biển số", "066090012345", "0912345678", "66.24133-261122-0007", "4A-123.45"]
)
def test_no_plate_in_anything_else(text):
    assert plate_in_text(text) is None


def test_plates_compare_by_letters_and_digits():
    assert plate_key("47a 123.45") == plate_key("47A-123.45") == "47A12345"


# ---- sums, days, deadlines ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (1_500_000, "1.500.000 đồng"),
        (800_000, "800.000 đồng"),
        (18_000_000, "18.000.000 đồng"),
        (500, "500 đồng"),
    ],
)
def test_sums_are_written_as_vietnamese_documents_do(amount, written):
    assert texts.vnd(amount) == written


@pytest.mark.parametrize("amount", [None, "1500000", 1.5, True])
def test_what_is_no_sum_is_not_written(amount):
    assert texts.vnd(amount) is None


def test_days_are_written_day_first():
    assert texts.day("2025-06-15") == "15/06/2025"
    assert texts.day("2025-06-03T23:30:00+07:00") == "03/06/2025"  # Vietnam's day, as the API gives it
    assert texts.day("not a date") is None and texts.day(None) is None


@pytest.mark.parametrize(
    ("fine", "expected"),
    [
        ({"deadline": "2025-06-15", "days_left": 3, "overdue": False}, "hạn nộp 15/06/2025, còn 3 ngày"),
        (
            {"deadline": "2025-06-15", "days_left": 0, "overdue": False},
            "hạn nộp 15/06/2025, hôm nay là ngày cuối",
        ),
        (
            {"deadline": "2025-06-15", "days_left": -2, "overdue": True},
            "hạn nộp 15/06/2025, đã quá hạn 2 ngày",
        ),
        ({"deadline": "2025-06-15", "overdue": True}, "hạn nộp 15/06/2025, đã quá hạn"),  # the public view
        ({"deadline": "2025-06-15", "overdue": False}, "hạn nộp 15/06/2025"),
        ({"overdue": False}, None),
    ],
)
def test_deadlines(fine, expected):
    assert deadline_text(fine) == expected


# ---- what the citizen reads -------------------------------------------------------------------------


def test_own_fines_show_plate_violation_amount_deadline_and_what_to_do():
    answer = describe_mine(
        [
            own_fine(),
            own_fine(
                plate="47B1-234.56",
                violation={"description": "Không đội mũ bảo hiểm"},
                amount_vnd=500_000,
                days_left=-2,
                overdue=True,
                **CONFIRMED,
            ),
        ]
    )
    assert answer.startswith("Bạn có 2 vi phạm chưa nộp phạt, tổng số tiền 18.500.000 đồng:")
    assert "• 47A-123.45 – Không chấp hành hiệu lệnh của đèn tín hiệu giao thông: 18.000.000 đồng." in answer
    assert "Vi phạm ngày 03/06/2025 tại Ngã tư Lê Duẩn - Phan Chu Trinh." in answer
    assert "Hạn nộp 15/06/2025, còn 3 ngày." in answer
    assert "Chờ xác nhận: bạn cần xác nhận hành vi vi phạm trước khi nộp phạt." in answer
    assert "• 47B1-234.56 – Không đội mũ bảo hiểm: 500.000 đồng." in answer
    assert "Hạn nộp 15/06/2025, đã quá hạn 2 ngày." in answer
    assert "Đã xác nhận vi phạm: bạn có thể nộp phạt ngay." in answer
    assert answer.endswith(texts.FINES_MINE_FOOTER)


def test_a_long_list_shows_the_first_and_points_to_the_app():
    answer = describe_mine([own_fine(notice_number=f"{n:05d}/QĐ") for n in range(LIST_LIMIT + 2)])
    assert answer.count("• 47A-123.45") == LIST_LIMIT
    assert "Còn 2 vi phạm khác trong mục Vi phạm giao thông của ứng dụng." in answer
    assert f"tổng số tiền {texts.vnd(18_000_000 * (LIST_LIMIT + 2))}" in answer


def test_the_public_view_is_limited_and_points_to_signing_in():
    lookup = {
        "plate": "47A-123.45",
        "count": 3,
        "fines": [public_fine(), public_fine(overdue=True, amount_vnd=20_000_000), public_fine(**PAID)],
    }
    answer = describe_public(lookup, signed_in=False)
    assert answer.startswith("Biển số 47A-123.45 có 2 vi phạm chưa nộp phạt (thông tin tra cứu công khai")
    assert (
        "• Ngày 03/06/2025 tại Phường Buôn Ma Thuột, Tỉnh Đắk Lắk: Không chấp hành hiệu lệnh của đèn tín hiệu "
        "giao thông – 18.000.000 đồng; Chờ xác nhận; hạn nộp 15/06/2025. (Quyết định số ***01/QĐ-XPVPHC)"
    ) in answer
    assert "20.000.000 đồng; Chờ xác nhận; hạn nộp 15/06/2025, đã quá hạn." in answer
    assert texts.FINES_PUBLIC_PAID.format(count=1) in answer
    assert texts.FINES_PUBLIC_SIGN_IN in answer and "VNeID" in answer


def test_the_public_view_with_nothing_unpaid_warns_of_scams():
    answer = describe_public({"plate": "47A-123.45", "count": 0, "fines": []}, signed_in=False)
    assert answer.startswith("Hiện chưa có vi phạm nào chưa nộp phạt của biển số 47A-123.45")
    assert texts.FINES_SCAM_WARNING in answer and texts.FINES_PUBLIC_SIGN_IN in answer


def test_a_signed_in_citizen_reading_another_plate_is_told_it_is_not_theirs():
    answer = describe_public({"plate": "47A-123.45", "fines": [public_fine()]}, signed_in=True)
    assert texts.FINES_PUBLIC_NOT_YOURS in answer
    assert texts.FINES_PUBLIC_SIGN_IN not in answer


def test_payable_fines_are_split_into_pay_now_and_confirm_first():
    answer = describe_payable(
        [
            own_fine(plate="47B1-234.56", amount_vnd=800_000, **CONFIRMED),
            own_fine(),
            own_fine(plate="47A-999.99", amount_vnd=1_500_000, **PAID),
            own_fine(plate="47A-888.88", status="cancelled", can_confirm=False, can_pay=False),
        ]
    )
    now, first = answer.index(texts.PAYABLE_NOW), answer.index(texts.PAYABLE_CONFIRM_FIRST)
    assert answer.startswith("Các khoản phạt chưa nộp của bạn, tổng số tiền 18.800.000 đồng:")
    assert now < answer.index("47B1-234.56") < first < answer.index("• 47A-123.45")
    assert "• 47B1-234.56 – Không chấp hành hiệu lệnh của đèn tín hiệu giao thông: 800.000 đồng" in answer
    assert "47A-999.99" not in answer and "47A-888.88" not in answer


def test_nothing_payable():
    assert describe_payable([own_fine(**PAID)]) == texts.PAYABLE_NONE
    assert describe_payable([]) == texts.PAYABLE_NONE


# ---- the actions, with httpx's MockTransport as the API ------------------------------------------------


class FakeApi:
    """Plays the API: a machine token, /me/fines for `citizen-token`, /fines/lookup, or down."""

    def __init__(self, mine=(), lookup=None, down=False, citizen_status=200):
        self.mine, self.lookup, self.down, self.citizen_status = list(mine), lookup, down, citizen_status
        self.calls: list[tuple[str, dict, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        path, auth = request.url.path, request.headers.get("Authorization")
        self.calls.append((path, dict(request.url.params), auth))
        if path == "/auth/service/token":
            return httpx.Response(200, json={"access_token": "machine", "expires_in": 900})
        if path == "/me/fines":
            if auth != "Bearer citizen-token" or self.citizen_status == 401:
                return httpx.Response(401, json={"code": "token_expired"})
            return httpx.Response(200, json=self.mine)
        if path == "/fines/lookup":
            assert auth == "Bearer machine"  # public look-ups go as the machine account
            plate = request.url.params["plate"]
            if self.lookup is None or plate_key(plate) != "47A12345":
                detail = (
                    f"Biển số '{plate}' không đúng dạng, ví dụ 47A-123.45 (ô tô) hoặc 47B1-123.45 (xe máy)."
                )
                return httpx.Response(422, json={"code": "invalid_plate", "detail": detail})
            return httpx.Response(200, json=self.lookup)
        return httpx.Response(404, json={"code": "not_found"})


@pytest.fixture
def fake_api(monkeypatch):
    def install(**kwargs) -> FakeApi:
        fake = FakeApi(**kwargs)
        monkeypatch.setattr(api_client, "_shared", ApiClient(SETTINGS, transport=httpx.MockTransport(fake)))
        return fake

    return install


def tracker(metadata=None, slots=None, text="", intent="check_fines") -> Tracker:
    latest = {"text": text, "intent": {"name": intent}, "entities": [], "metadata": metadata}
    return Tracker("c0ffee00-0000-4000-8000-000000000000", dict(slots or {}), latest, [], False, None, {}, "")


def run(action, tracker_) -> tuple[str, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), events


LOOKUP = {"plate": "47A-123.45", "count": 1, "fines": [public_fine()], "note": "…"}


def test_a_signed_in_citizen_gets_their_unpaid_fines_and_the_plate_is_forgotten(fake_api):
    fake = fake_api(mine=[own_fine(), own_fine(plate="47A-999.99", **PAID)])
    answer, events = run(ActionCheckFines(), tracker(CITIZEN))
    assert answer.startswith("Bạn có 1 vi phạm chưa nộp phạt, tổng số tiền 18.000.000 đồng:")
    assert "47A-999.99" not in answer
    assert events == [{"event": "slot", "timestamp": None, "name": "license_plate", "value": None}]
    assert [path for path, _, _ in fake.calls] == ["/me/fines"]


def test_a_signed_in_citizen_with_nothing_unpaid_is_told_so(fake_api):
    fake_api(mine=[own_fine(**PAID)])
    assert run(ActionCheckFines(), tracker(CITIZEN))[0] == texts.FINES_NONE_MINE


def test_a_signed_in_citizen_naming_their_plate_gets_its_fines_in_full(fake_api):
    fake = fake_api(mine=[own_fine(), own_fine(plate="47B1-234.56")], lookup=LOOKUP)
    answer, _ = run(ActionCheckFines(), tracker(CITIZEN, {"license_plate": "47a 123 45"}))
    assert answer.startswith("Biển số 47A-123.45: bạn có 1 vi phạm chưa nộp phạt")
    assert "47B1-234.56" not in answer
    assert "/fines/lookup" not in [path for path, _, _ in fake.calls]


def test_a_signed_in_citizen_naming_another_plate_gets_the_public_view(fake_api):
    fake_api(mine=[own_fine(plate="47B1-234.56")], lookup=LOOKUP)
    answer, _ = run(ActionCheckFines(), tracker(CITIZEN, {"license_plate": "47A-123.45"}))
    assert answer.startswith(texts.FINES_NONE_MINE_FOR_PLATE.format(plate="47A-123.45"))
    assert "thông tin tra cứu công khai" in answer and texts.FINES_PUBLIC_NOT_YOURS in answer


def test_an_anonymous_citizen_with_a_plate_gets_the_public_lookup(fake_api):
    fake = fake_api(lookup=LOOKUP)
    answer, _ = run(ActionCheckFines(), tracker(slots={"license_plate": "47A-123.45"}))
    assert "Biển số 47A-123.45 có 1 vi phạm chưa nộp phạt" in answer
    assert texts.FINES_PUBLIC_SIGN_IN in answer
    assert [path for path, _, _ in fake.calls] == ["/auth/service/token", "/fines/lookup"]


def test_an_anonymous_citizen_without_a_plate_is_told_what_is_needed(fake_api):
    fake = fake_api()
    assert run(ActionCheckFines(), tracker())[0] == texts.FINE_LOOKUP_NEEDS_PLATE
    assert fake.calls == []


def test_an_invalid_plate_is_explained_with_an_example(fake_api):
    fake_api(lookup=LOOKUP)
    answer, _ = run(ActionCheckFines(), tracker(slots={"license_plate": "47O-123.45"}))
    assert "không đúng dạng" in answer and answer.endswith(texts.PLATE_TRY_AGAIN)


@pytest.mark.parametrize("metadata", [None, CITIZEN])
def test_with_the_api_down_the_citizen_gets_the_hotline(fake_api, metadata):
    fake_api(down=True)
    answer, _ = run(ActionCheckFines(), tracker(metadata, {"license_plate": "47A-123.45"}))
    assert answer == texts.API_UNAVAILABLE and "1900 0368" in answer


def test_an_expired_sign_in_is_asked_to_sign_in_again(fake_api):
    fake_api(citizen_status=401)
    assert run(ActionCheckFines(), tracker(CITIZEN))[0] == texts.SIGN_IN_AGAIN


def test_paying_anonymously_is_explained_without_asking_the_api(fake_api):
    fake = fake_api()
    answer, _ = run(ActionPayFine(), tracker(intent="pay_fine"))
    assert answer == f"{texts.PAY_FINE_HOW}\n{texts.PAY_FINE_SIGN_IN_TO_LIST}"
    for step in ("VNeID", "Vi phạm giao thông", "Xác nhận hành vi vi phạm", "Nộp phạt", "biên lai điện tử"):
        assert step in answer
    assert "10 ngày" in answer and "Nghị định 168/2024/NĐ-CP" in answer
    assert "không bao giờ hỏi số thẻ" in answer
    assert fake.calls == []


def test_paying_signed_in_lists_what_is_payable_then_how(fake_api):
    fake_api(mine=[own_fine(**CONFIRMED), own_fine(plate="47B1-234.56", amount_vnd=800_000)])
    answer, _ = run(ActionPayFine(), tracker(CITIZEN, intent="pay_fine"))
    assert answer.startswith("Các khoản phạt chưa nộp của bạn, tổng số tiền 18.800.000 đồng:")
    assert answer.endswith(texts.PAY_FINE_HOW)


def test_paying_signed_in_with_the_api_down_still_explains_how(fake_api):
    fake_api(down=True)
    answer, _ = run(ActionPayFine(), tracker(CITIZEN, intent="pay_fine"))
    assert answer == f"{texts.API_UNAVAILABLE}\n{texts.PAY_FINE_HOW}"


# ---- the form ---------------------------------------------------------------------------------------


def validate(value) -> tuple[dict, str]:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateFineLookupForm().validate_license_plate(value, dispatcher, tracker(), {}))
    return result, "\n".join(m.get("text") or "" for m in dispatcher.messages)


def test_the_form_takes_the_plate_as_the_api_reads_it(fake_api):
    fake = fake_api(lookup=LOOKUP)
    assert validate("xe tôi biển 47a 123 45 nhé") == ({"license_plate": "47A-123.45"}, "")
    assert fake.calls[-1][1] == {"plate": "47a 123 45"}


def test_the_form_says_what_the_api_refused_and_asks_again(fake_api):
    fake_api(lookup=LOOKUP)
    result, said = validate("47O-123.45")
    assert result == {"license_plate": None}
    assert said.startswith("Biển số '47O-123.45' không đúng dạng")


def test_a_short_answer_that_is_no_plate_is_still_checked_by_the_api(fake_api):
    fake = fake_api(lookup=LOOKUP)
    result, said = validate("4A-12345")
    assert result == {"license_plate": None} and "không đúng dạng" in said
    assert fake.calls[-1][1] == {"plate": "4A-12345"}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("không nhớ nữa", texts.PLATE_NOT_IN_ANSWER), ("066090012345", texts.FINES_BY_CCCD_NEED_SIGN_IN)],
)
def test_an_answer_without_a_plate_is_asked_again_without_the_api(fake_api, answer, expected):
    fake = fake_api(lookup=LOOKUP)
    assert validate(answer) == ({"license_plate": None}, expected)
    assert fake.calls == []


def test_with_the_api_down_the_form_keeps_the_plate_for_the_answer_to_explain(fake_api):
    fake_api(down=True)
    assert validate("47A-123.45") == ({"license_plate": "47A-123.45"}, "")


def test_the_form_asks_a_signed_in_citizen_nothing():
    slots = asyncio.run(
        ValidateFineLookupForm().required_slots(
            ["license_plate"], CollectingDispatcher(), tracker(CITIZEN), {}
        )
    )
    assert slots == []
    anonymous = asyncio.run(
        ValidateFineLookupForm().required_slots(["license_plate"], CollectingDispatcher(), tracker(), {})
    )
    assert anonymous == ["license_plate"]
