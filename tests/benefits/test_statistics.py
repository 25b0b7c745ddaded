"""Officers' statistics per programme and month, and the cashless ratio, with known numbers."""

from __future__ import annotations

from tests.benefits.conftest import PROGRAMME, link_account, pay, payments_of, schedule, settle

PERIOD = "2026-06"


def test_statistics_and_the_cashless_ratio(
    app, client, officer, programme, enrol, citizen_headers, payments, make_card
):
    client.post(
        "/staff/benefits/programmes",
        headers=officer,
        json={**PROGRAMME, "code": "NCC", "name": "Người có công", "monthly_amount_vnd": 2_789_000},
    )
    people = [citizen_headers() for _ in range(6)]
    # TCXH: two with a linked account (e-wallet), one by bank, two in cash; NCC: one in cash.
    for headers, _, _ in people[:2]:
        link_account(client, headers, make_card())
    enrol(people[0][1]["cccd"], monthly_amount_vnd=1_000_000)
    enrol(people[1][1]["cccd"])
    enrol(people[2][1]["cccd"], channel="bank")
    enrol(people[3][1]["cccd"], channel="cash")
    enrol(people[4][1]["cccd"], channel="cash")
    enrol(people[5][1]["cccd"], programme="NCC", channel="cash")
    schedule(client, officer, PERIOD)
    pay(client, officer, PERIOD)
    by_person = {p.citizen_id: p for p in payments_of(app)}

    def payment_of(index):
        return by_person[people[index][1]["id"]].id

    for index in (0, 2, 3):  # e-wallet 1.000.000, bank 500.000, cash 500.000: paid
        assert settle(client, officer, payment_of(index), "paid").status_code == 200
    settle(client, officer, payment_of(1), "failed", reason="Ví bị khoá")
    # person 4 (cash) still waiting; person 5 (NCC, cash) paid then returned.
    settle(client, officer, payment_of(5), "paid")
    settle(client, officer, payment_of(5), "returned", reason="Người hưởng đã chuyển đi nơi khác")

    response = client.get(f"/staff/benefits/statistics?period={PERIOD}", headers=officer)
    assert response.status_code == 200, response.json
    stats = {row["programme_code"]: row for row in response.json["programmes"]}
    tcxh = stats["TCXH"]
    assert tcxh["beneficiaries"] == 5 and tcxh["active_beneficiaries"] == 5
    assert tcxh["scheduled"] == {"count": 5, "amount_vnd": 3_000_000}
    assert tcxh["paid"] == {"count": 3, "amount_vnd": 2_000_000}
    assert tcxh["failed"] == {"count": 1, "amount_vnd": 500_000}
    assert tcxh["waiting"] == {"count": 1, "amount_vnd": 500_000}
    assert tcxh["returned"] == {"count": 0, "amount_vnd": 0}
    assert tcxh["cashless_paid"] == {"count": 2, "amount_vnd": 1_500_000}
    assert tcxh["paid_by_channel"] == {
        "e_wallet": {"count": 1, "amount_vnd": 1_000_000},
        "bank": {"count": 1, "amount_vnd": 500_000},
        "cash": {"count": 1, "amount_vnd": 500_000},
    }
    assert tcxh["cashless_ratio_by_count"] == 0.6667  # 2 of 3
    assert tcxh["cashless_ratio_by_amount"] == 0.75  # 1.500.000 of 2.000.000

    ncc = stats["NCC"]
    assert ncc["returned"] == {"count": 1, "amount_vnd": 2_789_000}
    assert ncc["paid"]["count"] == 0
    assert ncc["cashless_ratio_by_count"] is None and ncc["cashless_ratio_by_amount"] is None

    total = response.json["total"]
    assert total["beneficiaries"] == 6
    assert total["scheduled"] == {"count": 6, "amount_vnd": 5_789_000}
    assert total["cashless_ratio_by_count"] == 0.6667

    one = client.get(f"/staff/benefits/statistics?period={PERIOD}&programme=ncc", headers=officer).json
    assert [row["programme_code"] for row in one["programmes"]] == ["NCC"]
    empty = client.get("/staff/benefits/statistics?period=2026-05", headers=officer).json
    assert empty["total"]["scheduled"] == {"count": 0, "amount_vnd": 0}
    assert empty["total"]["active_beneficiaries"] == 6
