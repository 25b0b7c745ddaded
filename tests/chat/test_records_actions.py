"""The chatbot's records and benefits actions (M33, M34, M36), run by the real action server
against the real API.

What a citizen notices: signed in with a level-2 account, they get a short summary of their own
land, health and labour records, each with the source and the day it was synced, and their own
programmes and latest payments (paid with the day and the channel, failed with the reason), and
never another citizen's, not even when they ask about their mother; with a level-1 account they
are told how to reach level 2; anonymous, they learn where and how to see them and no data; with
the API down they get the hotline. Records are imported with the records CLI (as the national
systems' files arrive) and payments made by an officer through the benefits API.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from api.benefits.service import current_period
from tests.benefits.conftest import (  # noqa: F401 (fixtures)
    enrol,
    officer,
    pay,
    payments_of,
    programme,
    schedule,
    settle,
)
from tests.chat.conftest import chat_token, entity, said
from tests.records.conftest import health_row, labour_row, land_row, person, run_import, write_jsonl
from tests.wallet.conftest import card, localstripe, make_card, payments  # noqa: F401 (fixtures)

OTHER_NAME = "Trần Văn Bình"
MOTHER_NAME = "Nguyễn Thị Mai"
HOTLINE = "1900 0368"


def _import(app, tmp_path, record_type, rows):
    path = tmp_path / f"{record_type}-{len(list(tmp_path.iterdir()))}.jsonl"
    write_jsonl(path, rows)
    result = run_import(app, record_type, path)
    assert result.exit_code == 0, result.output


def _today_in_vietnam() -> str:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")


@pytest.fixture
def two_with_records(app, tmp_path, citizen_headers):
    """Two level-2 citizens with land, health and labour records each: (me, my token, them)."""
    _, me, pair = citizen_headers()
    _, them, _ = citizen_headers(full_name=OTHER_NAME, sex="male")
    me_, them_ = person(me["cccd"]), person(them["cccd"], OTHER_NAME)
    _import(
        app,
        tmp_path,
        "land",
        [
            land_row([me_], certificate_number="CH 00123", address="45 Y Wang", area_m2="120.5"),
            land_row(
                [me_],
                certificate_number="CS 04567",
                address="Thôn 3, đường Nguyễn Văn Cừ",
                area_m2="1250.7",
                land_use_purpose="Đất trồng cây lâu năm",
                status="mortgaged",
                issued_on="2019-08-01",
            ),
            land_row([them_], certificate_number="CS 09999", address="12 Phan Bội Châu", area_m2="300"),
        ],
    )
    _import(
        app,
        tmp_path,
        "health",
        [
            health_row(me["cccd"], "insurance_card", card_number="GD4660123456789"),
            health_row(me["cccd"], "visit", on="2026-06-02"),
            health_row(
                me["cccd"],
                "visit",
                on="2024-01-05",
                facility="Trạm Y tế phường Tân Lập",
                description="Cảm cúm",
                icd10_code="J11",
            ),
            health_row(me["cccd"], "vaccination"),
            health_row(me["cccd"], "vaccination", on="2021-08-01", dose="1"),
            health_row(me["cccd"], "condition"),
            {
                **health_row(them["cccd"], "visit", on="2026-10-10", facility="Bệnh viện Thiện Hạnh"),
                "full_name": OTHER_NAME,
            },
            {
                **health_row(them["cccd"], "insurance_card", card_number="DN4669999999999"),
                "full_name": OTHER_NAME,
            },
        ],
    )
    _import(
        app,
        tmp_path,
        "labour",
        [
            labour_row(me["cccd"]),  # Công ty TNHH Cà phê Buôn Ma Thuột, 2018–2022, 54 months
            labour_row(
                me["cccd"],
                employer="Sở Y tế tỉnh Đắk Lắk",
                started_on="2023-01-01",
                ended_on=None,
                contribution_months="30",
            ),
            {
                **labour_row(
                    them["cccd"],
                    employer="Công ty Cổ phần Cà phê Tây Nguyên",
                    social_insurance_number="6629876543",
                    started_on="2020-01-01",
                    ended_on=None,
                    contribution_months="70",
                ),
                "full_name": OTHER_NAME,
            },
        ],
    )
    return me, chat_token(app, pair), them


def ask_records(actions, text, *record_types, token=None, **extra):
    return said(
        actions.run(
            "action_ask_records",
            text=text,
            intent="ask_records",
            entities=[entity("record_type", value) for value in record_types],
            metadata={"cds_token": token} if token else None,
            **extra,
        )
    )


# ---- records: a level-2 citizen's own ---------------------------------------------------------------


def test_land_is_summarised_from_the_citizens_own_certificates(actions, two_with_records):
    me, token, them = two_with_records

    answer = ask_records(actions, "tra sổ đỏ nhà mình trên app được không", "land", token=token)

    assert answer.startswith("Bạn có 2 giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở:")
    assert "• GCN số CH 00123: 45 Y Wang, Phường Buôn Ma Thuột; diện tích 120,5 m²; Còn hiệu lực." in answer
    assert (
        "• GCN số CS 04567: Thôn 3, đường Nguyễn Văn Cừ, Phường Buôn Ma Thuột; diện tích 1.250,7 m²" in answer
    )
    assert "Đang thế chấp" in answer
    assert (
        "Nguồn: Văn phòng Đăng ký đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai), "
        f"cập nhật ngày {_today_in_vietnam()}." in answer
    )
    # The other citizen's certificate, and nobody's CCCD.
    assert "CS 09999" not in answer and "12 Phan Bội Châu" not in answer and "300 m²" not in answer
    assert me["cccd"] not in answer and them["cccd"] not in answer


def test_health_gives_the_card_the_last_visit_and_vaccinations_not_diagnoses(actions, two_with_records):
    _, token, _ = two_with_records

    answer = ask_records(actions, "xem sổ sức khỏe điện tử của tôi", "health", token=token)

    assert answer.startswith("Sổ sức khỏe điện tử của bạn:")
    assert "Thẻ bảo hiểm y tế số GD4660123456789: còn hiệu lực đến 31/12/2099" in answer
    assert "nơi đăng ký khám chữa bệnh ban đầu: Trạm Y tế phường Tân Lập" in answer
    assert "• Lần khám gần nhất: ngày 02/06/2026 tại Bệnh viện Đa khoa vùng Tây Nguyên." in answer
    assert "• Tiêm chủng: 2 mũi đã ghi nhận, gần nhất ngày 15/09/2021." in answer
    assert f"Nguồn: Hệ thống Sổ sức khỏe điện tử (Bộ Y tế), cập nhật ngày {_today_in_vietnam()}." in answer
    # Diagnoses stay in the app; the other citizen's book is not here.
    for private in ("Viêm họng", "Tăng huyết áp", "Cảm cúm", "J02.9", "I10"):
        assert private not in answer
    assert "Bệnh viện Thiện Hạnh" not in answer and "DN4669999999999" not in answer


def test_social_insurance_is_answered_from_the_labour_book(actions, two_with_records):
    _, token, _ = two_with_records

    answer = ask_records(actions, "xem quá trình đóng bhxh của tôi", "social_insurance", token=token)

    assert answer.startswith("Sổ lao động và bảo hiểm xã hội của bạn:")
    assert "• Nơi làm việc hiện tại: Sở Y tế tỉnh Đắk Lắk (từ 01/01/2023)." in answer
    assert "• Tổng thời gian đóng bảo hiểm xã hội: 84 tháng (7 năm)." in answer
    assert f"Nguồn: Bảo hiểm xã hội Việt Nam (VssID), cập nhật ngày {_today_in_vietnam()}." in answer
    assert "Tây Nguyên" not in answer and "70 tháng" not in answer and "6629876543" not in answer


def test_two_record_types_in_one_question_get_both(actions, two_with_records):
    _, token, _ = two_with_records
    result = actions.run(
        "action_ask_records",
        text="app có xem được sổ hồng với sổ bhxh không",
        intent="ask_records",
        entities=[entity("record_type", "land"), entity("record_type", "social_insurance")],
        metadata={"cds_token": token},
    )
    land, labour = (reply["text"] for reply in result["responses"])
    assert land.startswith("Bạn có 2 giấy chứng nhận") and labour.startswith("Sổ lao động và bảo hiểm xã hội")


def test_no_record_type_gives_the_summary_of_every_type(actions, two_with_records):
    _, token, _ = two_with_records

    answer = ask_records(actions, "hồ sơ cá nhân của tôi có những loại sổ nào", token=token)

    today = _today_in_vietnam()
    assert answer.startswith("Hồ sơ cá nhân của bạn trên ứng dụng Công dân số:")
    assert (
        "• Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở: 2 giấy chứng nhận (nguồn: Văn phòng Đăng ký "
        f"đất đai tỉnh Đắk Lắk (cơ sở dữ liệu đất đai), cập nhật ngày {today})." in answer
    )
    assert (
        "• Sổ sức khỏe điện tử: 6 mục (nguồn: Hệ thống Sổ sức khỏe điện tử (Bộ Y tế), "
        f"cập nhật ngày {today})." in answer
    )
    assert (
        "• Sổ lao động và bảo hiểm xã hội: 2 quá trình làm việc (nguồn: Bảo hiểm xã hội Việt Nam (VssID), "
        f"cập nhật ngày {today})." in answer
    )


def test_a_type_without_data_says_so_and_where_the_data_comes_from(
    actions, app, citizen_headers, two_with_records
):
    _, _, pair = citizen_headers(full_name="Lê Thị Lan")
    token = chat_token(app, pair)

    land = ask_records(actions, "cho xem dữ liệu đất đai của tôi", "land", token=token)
    summary = ask_records(actions, "hồ sơ cá nhân của tôi", token=token)

    assert land.startswith("Chưa có giấy chứng nhận quyền sử dụng đất nào đứng tên bạn")
    assert "Văn phòng Đăng ký đất đai tỉnh Đắk Lắk" in land
    assert "CH 00123" not in land and "CS 09999" not in land
    assert (
        "• Sổ sức khỏe điện tử: chưa có dữ liệu (dữ liệu lấy từ Hệ thống Sổ sức khỏe điện tử (Bộ Y tế))."
        in summary
    )


def test_asking_for_a_relatives_record_shows_only_ones_own(actions, two_with_records):
    me, token, them = two_with_records
    answer = ask_records(actions, "xem sổ đỏ của ba tôi", "land", token=token)
    assert answer.startswith("Tôi chỉ xem được hồ sơ của chính người đang đăng nhập")
    assert "CH 00123" in answer and "CS 09999" not in answer
    assert me["cccd"] not in answer and them["cccd"] not in answer


# ---- records: level 1, anonymous, sign-in trouble -----------------------------------------------------


def test_a_level_one_account_is_told_how_to_reach_level_two(actions, app, citizen_headers, two_with_records):
    _, _, pair = citizen_headers(identity_level=1)
    token = chat_token(app, pair)

    for record_types in ((), ("health",)):
        answer = ask_records(actions, "xem sổ sức khỏe của tôi", *record_types, token=token)
        # The API's own explanation: level 2, where to get it.
        assert answer.startswith("Thông tin này chỉ dành cho tài khoản định danh điện tử mức 2.")
        assert "Công an cấp xã" in answer and "VNeID" in answer
        assert "Thẻ bảo hiểm y tế" not in answer and "nguồn:" not in answer


def test_an_anonymous_chat_gets_where_and_how_and_no_data(actions, two_with_records):
    health = ask_records(actions, "xem sổ sức khỏe điện tử ở đâu", "health")
    labour = ask_records(actions, "xem quá trình đóng bhxh", "social_insurance")
    anything = ask_records(actions, "hồ sơ cá nhân xem ở đâu")

    assert "Hồ sơ cá nhân" in health and "VNeID định danh điện tử mức 2" in health
    assert "ứng dụng VNeID" in health
    assert "VssID" in labour
    assert "giấy chứng nhận quyền sử dụng đất, sổ sức khỏe điện tử, sổ lao động" in anything.lower()
    for answer in (health, labour, anything):
        assert "chỉ tóm tắt khi bạn trò chuyện lúc đã đăng nhập" in answer
        for data in ("GD4660123456789", "Bệnh viện", "Sở Y tế", "tháng (", "CH 00123", "m²", "cập nhật ngày"):
            assert data not in answer


@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"])
def test_a_forged_sign_in_gets_sign_in_again_and_no_records(actions, two_with_records, token):
    answer = ask_records(actions, "xem sổ đỏ của tôi", "land", token=token)
    assert "đăng nhập lại" in answer and "CH 00123" not in answer


# ---- benefits -----------------------------------------------------------------------------------------


def _period(months_back: int) -> str:
    return str(current_period().plus(-months_back))


def _label(period: str) -> str:
    return f"tháng {period[5:]}/{period[:4]}"


@pytest.fixture
def benefit_history(app, client, officer, programme, enrol, citizen_headers):  # noqa: F811
    """Me and my mother on the monthly allowance: two months ago both paid; last month mine paid
    in cash at the post office, hers by bank failed. (me, my token, mother, her token)."""
    _, me, my_pair = citizen_headers()
    _, mother, her_pair = citizen_headers(full_name=MOTHER_NAME, date_of_birth=date(1950, 3, 3))
    enrol(me["cccd"], channel="cash", channel_detail="Bưu điện Phường Buôn Ma Thuột")
    enrol(mother["cccd"], channel="bank", channel_detail="Agribank ****6789", monthly_amount_vnd=750_000)
    for period in (_period(2), _period(1)):
        assert schedule(client, officer, period).status_code == 200
        assert pay(client, officer, period).status_code == 200
    for payment in payments_of(app):
        if payment.period == _period(1) and payment.citizen_id == mother["id"]:
            reason = "Tài khoản ngân hàng của người hưởng đã bị đóng."
            response = settle(client, officer, payment.id, "failed", reason=reason)
        else:
            response = settle(client, officer, payment.id, "paid")
        assert response.status_code == 200, response.json
    return me, chat_token(app, my_pair), mother, chat_token(app, her_pair)


def check_benefits(actions, text, token=None, **extra):
    return said(
        actions.run(
            "action_check_benefit_payment",
            text=text,
            intent="check_benefit_payment",
            metadata={"cds_token": token} if token else None,
            **extra,
        )
    )


def test_a_paid_benefit_is_shown_with_its_day_and_channel(actions, benefit_history):
    me, token, mother, _ = benefit_history

    answer = check_benefits(actions, "tiền trợ cấp tháng này về chưa", token)

    assert answer.startswith("Trợ cấp của bạn theo dữ liệu an sinh xã hội của tỉnh:")
    assert "• Trợ cấp xã hội hằng tháng (Đang hưởng, mức hưởng 500.000 đồng/tháng):" in answer
    assert f"Kỳ {_label(_period(1))}: 500.000 đồng – Đã chi trả ngày {_today_in_vietnam()}" in answer
    assert "qua Tiền mặt tại điểm chi trả (bưu điện phường, xã) – Bưu điện Phường Buôn Ma Thuột." in answer
    assert _label(_period(2)) not in answer  # the latest payment only
    assert f"Kỳ {_label(_period(0))} chưa có trong danh sách chi trả." in answer  # asked "tháng này"
    # Not linked to an e-payment account: the API's hint.
    assert "Liên kết tài khoản thanh toán điện tử trên ứng dụng để nhận trợ cấp không dùng tiền mặt" in answer
    # Nothing of the mother's.
    assert "750.000" not in answer and "Agribank" not in answer and "đã bị đóng" not in answer
    assert me["cccd"] not in answer and mother["cccd"] not in answer


def test_a_failed_payment_is_shown_with_the_reason(actions, benefit_history):
    _, _, _, her_token = benefit_history

    answer = check_benefits(actions, "sao tháng này chưa nhận được tiền trợ cấp", her_token)

    assert (
        f"Kỳ {_label(_period(1))}: 750.000 đồng – Chi trả không thành công (Chuyển khoản vào tài khoản ngân "
        "hàng – Agribank ****6789). Lý do: Tài khoản ngân hàng của người hưởng đã bị đóng." in answer
    )
    assert "liên hệ UBND phường, xã" in answer
    assert "500.000 đồng/tháng" not in answer and "Bưu điện Phường Buôn Ma Thuột" not in answer


def test_asking_about_ones_mother_is_answered_with_ones_own_payments_only(actions, benefit_history):
    _, token, _, _ = benefit_history

    result = actions.run(
        "action_check_benefit_payment",
        text="tháng này trợ cấp của mẹ tôi đã chuyển chưa",
        intent="check_benefit_payment",
        metadata={"cds_token": token},
    )

    polite, own, answer = (reply["text"] for reply in result["responses"])
    assert polite.startswith("Tôi chỉ xem được trợ cấp của chính người đang đăng nhập")
    assert own == "Dưới đây là trợ cấp của chính bạn."
    assert "500.000 đồng – Đã chi trả" in answer
    assert "750.000" not in answer and "Agribank" not in answer and "không thành công" not in answer


def test_an_anonymous_chat_learns_it_needs_signing_in_and_how_payments_are_made(actions, benefit_history):
    answer = check_benefits(actions, "tháng này trợ cấp của mẹ tôi đã chuyển chưa")

    assert "Tôi chỉ xem được trợ cấp của chính người đang đăng nhập" in answer
    assert "dữ liệu cá nhân" in answer and "VNeID định danh điện tử mức 2" in answer
    assert "tài khoản thanh toán điện tử" in answer and "bưu điện phường, xã" in answer
    for data in ("đồng", "Đã chi trả", "Agribank", "Bưu điện Phường Buôn Ma Thuột", "không thành công"):
        assert data not in answer


def test_a_citizen_on_no_programme_is_told_so_and_where_to_ask(
    actions, app, citizen_headers, benefit_history
):
    _, _, pair = citizen_headers(full_name="Lê Thị Lan")
    answer = check_benefits(actions, "lương hưu tháng này về chưa ad", chat_token(app, pair))
    assert answer.startswith(
        "Theo dữ liệu an sinh xã hội của tỉnh, bạn hiện không có tên trong chế độ trợ cấp nào."
    )
    assert "UBND phường, xã nơi bạn cư trú" in answer
    assert "VssID" in answer  # a pension is social insurance's
    assert "đồng" not in answer


def test_a_level_one_account_asking_about_benefits_is_told_how_to_reach_level_two(
    actions, app, citizen_headers, benefit_history
):
    _, _, pair = citizen_headers(identity_level=1)
    answer = check_benefits(actions, "trợ cấp tháng này của tôi chuyển chưa", chat_token(app, pair))
    assert answer.startswith("Thông tin này chỉ dành cho tài khoản định danh điện tử mức 2.")
    assert "đồng" not in answer


@pytest.fixture
def linked_and_paid(app, client, officer, programme, enrol, citizen_headers, payments, card):  # noqa: F811
    """A citizen who linked an e-payment account, on the allowance, last month sent to it: their token."""
    headers, me, pair = citizen_headers()
    response = client.put("/me/payment-account", headers=headers, json={"payment_method": card})
    assert response.status_code == 200, response.json
    enrol(me["cccd"], channel="cash")
    assert schedule(client, officer, _period(1)).status_code == 200
    assert pay(client, officer, _period(1)).status_code == 200
    return chat_token(app, pair)


def test_with_a_linked_account_there_is_no_link_hint(actions, linked_and_paid):
    answer = check_benefits(actions, "trợ cấp của tôi chuyển chưa", linked_and_paid)

    assert "Tài khoản thanh toán điện tử đã liên kết trên ứng dụng" in answer  # the channel used
    assert "Bạn đã liên kết tài khoản thanh toán điện tử" in answer
    assert "Liên kết tài khoản thanh toán điện tử trên ứng dụng để nhận" not in answer


# ---- the API down: the hotline ---------------------------------------------------------------------------


def test_with_the_api_down_records_and_benefits_give_the_hotline(actions_without_api):
    token = {"cds_token": "a-token-of-a-signed-in-citizen"}
    records = said(
        actions_without_api.run(
            "action_ask_records",
            text="xem sổ đỏ của tôi",
            intent="ask_records",
            entities=[entity("record_type", "land")],
            metadata=token,
        )
    )
    summary = said(
        actions_without_api.run(
            "action_ask_records", text="hồ sơ của tôi", intent="ask_records", metadata=token
        )
    )
    benefits = said(
        actions_without_api.run(
            "action_check_benefit_payment",
            text="trợ cấp về chưa",
            intent="check_benefit_payment",
            metadata=token,
        )
    )
    for answer in (records, summary, benefits):
        assert "tạm gián đoạn" in answer and HOTLINE in answer
        assert "đồng" not in answer and "m²" not in answer


def test_with_the_api_down_an_anonymous_chat_still_gets_guidance(actions_without_api):
    answer = said(
        actions_without_api.run(
            "action_check_benefit_payment",
            text="tra cứu chi trả trợ cấp xã hội",
            intent="check_benefit_payment",
        )
    )
    assert "VNeID" in answer and HOTLINE not in answer
