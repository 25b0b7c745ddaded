"""The records and benefits actions' own rules, without Rasa or the API: how the API's answers
are written for a citizen (areas, months, sources and sync dates, payments), which record a
`record_type` value asks for, and when a question is about someone else.

The actions against the real API are tested in the API's suite: tests/chat/test_records_actions.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from actions import texts
from actions.records import (
    LAND_LIST_LIMIT,
    about_someone_else,
    area_text,
    asked_month,
    describe_benefits,
    describe_health,
    describe_labour,
    describe_land,
    describe_payment,
    describe_summary,
    insurance_card_text,
    mentions_pension,
    months_text,
    period_text,
    provenance,
    record_views,
    records_guidance,
)

LAND_SOURCE = {
    "source": "land-registry",
    "source_name": "Văn phòng Đăng ký đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai)",
    "synced_at": "2026-11-20T09:15:00+07:00",
}
HEALTH_SOURCE = {
    "source": "health-book",
    "source_name": "Hệ thống Sổ sức khỏe điện tử (Bộ Y tế)",
    "synced_at": "2026-11-18T23:59:00+07:00",
}
VSSID = {
    "source": "vssid",
    "source_name": "Bảo hiểm xã hội Việt Nam (VssID)",
    "synced_at": "2026-11-01T06:00:00+07:00",
}


def certificate(number: int, **overrides) -> dict:
    """A certificate as GET /me/records/land shows it."""
    return {
        "certificate_number": f"CS {number:05d}",
        "parcel_number": str(100 + number),
        "map_sheet": "12",
        "area_m2": "120.50",
        "land_use_purpose": "Đất ở tại đô thị",
        "address": "45 Y Wang",
        "ward": {"code": "24133", "name": "Phường Buôn Ma Thuột", "province": None},
        "status": "valid",
        "status_name": "Còn hiệu lực",
        "issued_on": "2015-03-20",
        "owners": [{"full_name": "Nguyễn Thị Hoa", "is_me": True}],
        **LAND_SOURCE,
        **overrides,
    }


def payment(**overrides) -> dict:
    """A payment as GET /me/benefits lists it."""
    return {
        "id": "3c0d6a1e-0000-4000-8000-000000000001",
        "programme": {
            "code": "TCXH",
            "name": "Trợ cấp xã hội hằng tháng",
            "legal_basis": "Nghị định 20/2021/NĐ-CP",
        },
        "period": "2026-10",
        "amount_vnd": 500_000,
        "currency": "vnd",
        "planned_on": "2026-10-12",
        "status": "paid",
        "status_name": "Đã chi trả",
        "channel": "cash",
        "channel_name": "Tiền mặt tại điểm chi trả (bưu điện phường, xã)",
        "cashless": False,
        "sent_at": "2026-10-12T08:00:00+07:00",
        "paid_at": "2026-10-13T10:30:00+07:00",
        "failure_reason": None,
        "payout_id": None,
        **overrides,
    }


ENROLMENT = {
    "programme": {
        "code": "TCXH",
        "name": "Trợ cấp xã hội hằng tháng",
        "legal_basis": "Nghị định 20/2021/NĐ-CP",
    },
    "monthly_amount_vnd": 500_000,
    "currency": "vnd",
    "starts_on": "2025-01-01",
    "ends_on": None,
    "status": "active",
    "status_name": "Đang hưởng",
    "channel": "cash",
    "channel_name": "Tiền mặt tại điểm chi trả (bưu điện phường, xã)",
    "channel_detail": "Bưu điện Phường Buôn Ma Thuột",
}


# ---- which record, whose ------------------------------------------------------------------------


def test_social_insurance_is_read_from_the_labour_book_and_repeats_are_dropped():
    assert record_views(["social_insurance", "labour", "land", "unknown"]) == ["labour", "land"]
    assert record_views([]) == []


@pytest.mark.parametrize(
    "text",
    [
        "tháng này trợ cấp của mẹ tôi đã chuyển chưa",
        "tiền trợ cấp người cao tuổi của ba tôi chuyển vào tài khoản chưa",
        "mẹ tôi, căn cước 066165009876, đã nhận trợ cấp tháng này chưa",
        "tháng này bà nội nhận trợ cấp bằng tiền mặt hay chuyển khoản",
        "bác tui già yếu không đi rút được, trợ cấp tháng này đã chuyển khoản chưa",
        "tien tuat cua me toi thang nay nhan chua",
        "luong huu cua ong toi chuyen chua",
        "xem so suc khoe dien tu cua con toi o muc nao",
        "sổ đỏ của ba tôi có thế chấp ngân hàng không",
        "trợ cấp của em tôi về chưa",
        "trợ cấp cua me toi về chưa",  # half typed without diacritics
        "tro cap cua me mk ve chua",
        "kiểm tra khoản trợ cấp của cccd 066078002345",
    ],
)
def test_a_question_about_a_relative_or_a_cccd_is_about_someone_else(text):
    assert about_someone_else(text)


@pytest.mark.parametrize(
    "text",
    [
        "xem lịch sử chi trả trợ cấp của tôi",
        "tro cap that nghiep cua em bao gio duoc chi",  # "em": the citizen speaking of themselves
        "chị ơi trợ cấp người đơn thân nuôi con tháng này phát chưa",
        "chi toi cach xem so do voi",  # "chỉ tôi" typed without diacritics, not "chị tôi"
        "còn tôi thì sao, trợ cấp tháng này về chưa",
        "trợ cấp con toi thi sao",  # "còn tôi" half typed without diacritics
        "quyen su dung dat cua toi dung ten chung voi vo, xem o dau",
        "sao tài khoản chưa thấy tiền trợ cấp mà hàng xóm có rồi",
    ],
)
def test_a_question_about_ones_own_data_is_not_about_someone_else(text):
    assert not about_someone_else(text)


def test_a_cccd_entity_is_someone_else_even_without_the_number_in_the_text():
    assert about_someone_else("kiểm tra giúp số này", ["066078002345"])


def test_pensions_are_recognised_with_or_without_diacritics():
    assert mentions_pension("lương hưu tháng này về chưa ad")
    assert mentions_pension("tien TRO CAP THAT NGHIEP thang 2")
    assert not mentions_pension("tiền trợ cấp xã hội tháng này")


# ---- how values are written ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [("120.50", "120,5 m²"), ("1250.75", "1.250,75 m²"), ("300.00", "300 m²"), (95, "95 m²")],
)
def test_areas_are_written_the_vietnamese_way(value, written):
    assert area_text(value) == written


@pytest.mark.parametrize("value", [None, "", "abc", "-5", "0", "NaN"])
def test_an_unreadable_area_is_left_out(value):
    assert area_text(value) is None


def test_months_are_also_said_in_years():
    assert months_text(54) == "54 tháng (4 năm 6 tháng)"
    assert months_text(24) == "24 tháng (2 năm)"
    assert months_text(7) == "7 tháng"
    assert months_text(None) is None and months_text(True) is None


def test_provenance_names_each_source_and_its_sync_day():
    assert provenance([VSSID]) == "nguồn: Bảo hiểm xã hội Việt Nam (VssID), cập nhật ngày 01/11/2026"
    both = provenance([LAND_SOURCE, {"source": "other-feed", "synced_at": None}])
    assert both == (
        "nguồn: Văn phòng Đăng ký đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai), cập nhật ngày 20/11/2026; "
        "nguồn: other-feed"
    )
    assert provenance([]) is None and provenance(None) is None


def test_a_period_is_a_month():
    assert period_text("2026-06") == "tháng 06/2026"


# ---- records ---------------------------------------------------------------------------------------


def test_the_summary_lists_every_type_with_its_source_or_where_it_will_come_from():
    summary = [
        {
            "type": "land",
            "name": "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở",
            "count": 2,
            "last_synced_at": LAND_SOURCE["synced_at"],
            "sources": [{**LAND_SOURCE, "count": 2}],
        },
        {
            "type": "health",
            "name": "Sổ sức khỏe điện tử",
            "origin": HEALTH_SOURCE["source_name"],
            "count": 0,
            "last_synced_at": None,
            "sources": [],
        },
        {
            "type": "labour",
            "name": "Sổ lao động và bảo hiểm xã hội",
            "count": 3,
            "last_synced_at": VSSID["synced_at"],
            "sources": [{**VSSID, "count": 3}],
        },
    ]
    text = describe_summary(summary)
    lines = text.splitlines()
    assert lines[0] == texts.RECORDS_SUMMARY_HEADER
    assert lines[1] == (
        "• Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở: 2 giấy chứng nhận (nguồn: Văn phòng Đăng ký "
        "đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai), cập nhật ngày 20/11/2026)."
    )
    assert lines[2] == (
        "• Sổ sức khỏe điện tử: chưa có dữ liệu (dữ liệu lấy từ Hệ thống Sổ sức khỏe điện tử (Bộ Y tế))."
    )
    assert (
        "3 quá trình làm việc (nguồn: Bảo hiểm xã hội Việt Nam (VssID), cập nhật ngày 01/11/2026)" in lines[3]
    )
    assert "xem sổ đỏ" in lines[4]


def test_land_shows_up_to_three_certificates_and_counts_the_rest():
    view = {"certificates": [certificate(n) for n in range(1, 6)], "sources": [LAND_SOURCE]}
    text = describe_land(view)
    assert text.startswith("Bạn có 5 giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở:")
    assert "• GCN số CS 00001: 45 Y Wang, Phường Buôn Ma Thuột; diện tích 120,5 m²; Còn hiệu lực." in text
    assert "CS 00003" in text and "CS 00004" not in text and "CS 00005" not in text
    assert f"Còn {5 - LAND_LIST_LIMIT} giấy chứng nhận khác" in text
    assert text.endswith(
        "Nguồn: Văn phòng Đăng ký đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai), cập nhật ngày 20/11/2026."
    )


def test_no_land_says_so_and_where_the_data_comes_from():
    text = describe_land({"certificates": [], "sources": [], "origin": LAND_SOURCE["source_name"]})
    assert text.startswith("Chưa có giấy chứng nhận quyền sử dụng đất nào đứng tên bạn")
    assert "Dữ liệu này lấy từ Văn phòng Đăng ký đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai)" in text


def test_without_the_apis_origin_the_bot_still_says_something_true():
    text = describe_land({"certificates": [], "sources": []})
    assert f"Dữ liệu này lấy từ {texts.RECORD_ORIGIN_UNKNOWN}" in text


def test_health_shows_the_card_the_last_visit_and_vaccinations_but_no_diagnosis():
    view = {
        "insurance_card": {
            "card_number": "GD4660123456789",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "facility": "Trạm Y tế phường Tân Lập",
            "in_force": True,
            **HEALTH_SOURCE,
        },
        "chronic_conditions": [
            {"description": "Tăng huyết áp vô căn", "icd10_code": "I10", "on": "2019-01-10"}
        ],
        "visits": [
            {
                "on": "2026-06-02",
                "facility": "Bệnh viện Đa khoa vùng Tây Nguyên",
                "description": "Viêm họng cấp",
            },
            {"on": "2025-02-01", "facility": "Trạm Y tế phường Tân Lập", "description": "Cảm cúm"},
        ],
        "vaccinations": [
            {"on": "2021-09-15", "description": "COVID-19 (Pfizer)", "dose": 2},
            {"on": "2021-08-01", "description": "COVID-19 (Pfizer)", "dose": 1},
        ],
        "sources": [HEALTH_SOURCE],
    }
    text = describe_health(view)
    assert (
        "• Thẻ bảo hiểm y tế số GD4660123456789: còn hiệu lực đến 31/12/2026; nơi đăng ký khám chữa bệnh ban "
        "đầu: Trạm Y tế phường Tân Lập." in text
    )
    assert "• Lần khám gần nhất: ngày 02/06/2026 tại Bệnh viện Đa khoa vùng Tây Nguyên." in text
    assert "• Tiêm chủng: 2 mũi đã ghi nhận, gần nhất ngày 15/09/2021." in text
    assert "Nguồn: Hệ thống Sổ sức khỏe điện tử (Bộ Y tế), cập nhật ngày 18/11/2026." in text
    for private in ("Viêm họng", "Tăng huyết áp", "I10", "Cảm cúm"):
        assert private not in text


def test_an_expired_or_future_card_is_said_so():
    card = {"card_number": "X", "valid_from": "2024-01-01", "valid_to": "2024-12-31", "in_force": False}
    assert "đã hết hạn ngày 31/12/2024" in insurance_card_text(card, today=date(2026, 11, 22))
    future = {**card, "valid_from": "2027-01-01", "valid_to": "2027-12-31"}
    assert "chưa đến ngày hiệu lực (từ 01/01/2027)" in insurance_card_text(future, today=date(2026, 11, 22))
    assert insurance_card_text(None) == texts.HEALTH_NO_CARD


def test_an_empty_health_book_says_where_its_data_comes_from():
    text = describe_health(
        {
            "insurance_card": None,
            "chronic_conditions": [],
            "visits": [],
            "vaccinations": [],
            "origin": HEALTH_SOURCE["source_name"],
        }
    )
    assert text.startswith("Chưa có thông tin sổ sức khỏe điện tử nào đứng tên bạn")
    assert "Bộ Y tế" in text


def test_labour_shows_the_current_employer_and_the_months_paid():
    view = {
        "social_insurance_number": "6621234567",
        "current_employer": "Công ty Cổ phần Cà phê Tây Nguyên",
        "contribution_months": 87,
        "employment_periods": [
            {"employer": "Công ty Cổ phần Cà phê Tây Nguyên", "started_on": "2023-01-01", "ended_on": None},
            {
                "employer": "Công ty TNHH Cà phê Buôn Ma Thuột",
                "started_on": "2018-07-01",
                "ended_on": "2022-12-31",
            },
        ],
        "sources": [VSSID],
    }
    text = describe_labour(view)
    assert "• Nơi làm việc hiện tại: Công ty Cổ phần Cà phê Tây Nguyên (từ 01/01/2023)." in text
    assert "• Tổng thời gian đóng bảo hiểm xã hội: 87 tháng (7 năm 3 tháng)." in text
    assert "Nguồn: Bảo hiểm xã hội Việt Nam (VssID), cập nhật ngày 01/11/2026." in text


def test_labour_without_a_current_employer_and_without_any_period():
    ended = {
        "current_employer": None,
        "contribution_months": 54,
        "employment_periods": [{"employer": "A", "started_on": "2018-07-01", "ended_on": "2022-12-31"}],
        "sources": [VSSID],
    }
    assert texts.LABOUR_NO_CURRENT in describe_labour(ended)
    assert describe_labour({"employment_periods": [], "contribution_months": 0}).startswith(
        "Chưa có quá trình làm việc, đóng bảo hiểm xã hội nào đứng tên bạn"
    )


def test_anonymous_guidance_is_per_type_and_names_the_national_apps():
    health, sign_in = records_guidance(["health"])
    assert "Hồ sơ cá nhân" in health and "VNeID" in health and "mức 2" in health
    assert sign_in == texts.RECORDS_SIGN_IN_TO_ASK
    (labour, _) = records_guidance(["labour"])
    assert "VssID" in labour
    (general, _) = records_guidance([])
    assert general == texts.RECORDS_WHERE


# ---- benefits ------------------------------------------------------------------------------------


def test_a_paid_payment_says_the_day_and_the_channel_with_its_place():
    assert describe_payment(payment(), ENROLMENT) == (
        "Kỳ tháng 10/2026: 500.000 đồng – Đã chi trả ngày 13/10/2026, qua Tiền mặt tại điểm chi trả "
        "(bưu điện phường, xã) – Bưu điện Phường Buôn Ma Thuột."
    )


def test_a_failed_payment_says_why():
    failed = payment(
        status="failed",
        status_name="Chi trả không thành công",
        channel="bank",
        channel_name="Chuyển khoản vào tài khoản ngân hàng",
        paid_at=None,
        failure_reason="Tài khoản ngân hàng đã đóng.",
    )
    assert describe_payment(failed, ENROLMENT) == (
        "Kỳ tháng 10/2026: 500.000 đồng – Chi trả không thành công (Chuyển khoản vào tài khoản ngân hàng). "
        "Lý do: Tài khoản ngân hàng đã đóng."
    )


def test_a_scheduled_payment_says_when_it_is_planned():
    waiting = payment(
        status="scheduled", status_name="Chờ chi trả", sent_at=None, paid_at=None, period="2026-11"
    )
    assert (
        describe_payment(waiting)
        == "Kỳ tháng 11/2026: 500.000 đồng – Chờ chi trả, dự kiến chi ngày 12/10/2026."
    )


def test_a_cancelled_payment_says_why_and_promises_no_day():
    cancelled = payment(
        status="cancelled",
        status_name="Đã huỷ",
        paid_at=None,
        sent_at=None,
        failure_reason="Đã thôi hưởng từ ngày 01/10/2026 (Quyết định số 12/QĐ-UBND); kỳ này không được chi trả.",
    )
    assert describe_payment(cancelled, ENROLMENT) == (
        "Kỳ tháng 10/2026: 500.000 đồng – Đã huỷ. Lý do: Đã thôi hưởng từ ngày 01/10/2026 "
        "(Quyết định số 12/QĐ-UBND); kỳ này không được chi trả."
    )
    data = {"programmes": [ENROLMENT], "latest_payments": [cancelled], "e_payment_account_linked": True}
    assert texts.BENEFIT_FAILED_ADVICE in describe_benefits(data)


def test_a_status_the_bot_does_not_know_is_named_as_the_api_names_it():
    unknown = payment(status="on_hold", status_name="Tạm giữ", paid_at=None, sent_at=None)
    assert describe_payment(unknown) == "Kỳ tháng 10/2026: 500.000 đồng – Tạm giữ."
    nameless = payment(status="on_hold", status_name=None, paid_at=None, sent_at=None)
    assert describe_payment(nameless) == "Kỳ tháng 10/2026: 500.000 đồng – on_hold."


def test_benefits_list_each_programme_with_its_latest_payment_and_the_link_hint():
    data = {
        "programmes": [ENROLMENT],
        "latest_payments": [
            payment(
                status="scheduled", status_name="Chờ chi trả", period="2026-11", sent_at=None, paid_at=None
            ),
            payment(),
        ],
        "e_payment_account_linked": False,
        "cashless_hint": "Liên kết tài khoản thanh toán điện tử trên ứng dụng để nhận trợ cấp không dùng tiền mặt.",
    }
    text = describe_benefits(data)
    assert text.startswith(texts.BENEFITS_HEADER)
    assert "• Trợ cấp xã hội hằng tháng (Đang hưởng, mức hưởng 500.000 đồng/tháng):" in text
    assert "Kỳ tháng 11/2026: 500.000 đồng – Chờ chi trả" in text
    assert "tháng 10/2026" not in text  # only the latest payment of each programme
    assert data["cashless_hint"] in text and texts.BENEFIT_FAILED_ADVICE not in text


def test_a_failed_latest_payment_brings_advice_and_a_linked_account_no_hint():
    data = {
        "programmes": [ENROLMENT],
        "latest_payments": [
            payment(status="failed", status_name="Chi trả không thành công", failure_reason="X")
        ],
        "e_payment_account_linked": True,
        "cashless_hint": None,
    }
    text = describe_benefits(data)
    assert texts.BENEFIT_FAILED_ADVICE in text and texts.BENEFITS_LINKED in text
    assert texts.BENEFITS_LINK_HINT not in text


def test_no_programme_says_so_and_where_to_ask():
    text = describe_benefits({"programmes": [], "latest_payments": [], "e_payment_account_linked": False})
    assert text == texts.BENEFITS_NONE and "UBND phường, xã" in text


def test_a_programme_without_payments_yet():
    text = describe_benefits(
        {"programmes": [ENROLMENT], "latest_payments": [], "e_payment_account_linked": False}
    )
    assert texts.BENEFIT_NO_PAYMENT in text and texts.BENEFITS_LINK_HINT in text


def test_this_month_is_vietnams_month():
    # 20:00 UTC on 30 November is already 1 December in Vietnam.
    late = datetime(2026, 11, 30, 20, 0, tzinfo=timezone(timedelta(0)))  # UTC (datetime.UTC is 3.11+)
    assert asked_month("tháng này trợ cấp đã chuyển chưa", late) == "2026-12"
    assert asked_month("tien tro cap THANG NAY ve chua", late) == "2026-12"
    assert asked_month("trợ cấp tháng 10 chuyển chưa", late) is None


def test_asked_about_this_month_when_the_latest_payment_is_older():
    data = {"programmes": [ENROLMENT], "latest_payments": [payment()], "e_payment_account_linked": False}
    assert "Kỳ tháng 11/2026 chưa có trong danh sách chi trả." in describe_benefits(data, "2026-11")
    assert "chưa có trong danh sách chi trả" not in describe_benefits(data, "2026-10")
    assert "chưa có trong danh sách chi trả" not in describe_benefits(data)
