"""The app's reports (issue 16 §5): phản ánh hiện trường and tố giác, as a citizen sees them.

A citizen files a field report with a photo and the phone's position (moved on the map), sees
it in their reports, and follows it until the ward's answer, which they confirm and rate; a
similar report nearby is pointed out without showing its author's words. An informant's
anonymous report works without a position (address instead), gives a tracking token shown once,
and anyone holding that token can follow the report. An emergency category shows its number
before anything else. Another citizen's report is not found.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from api.workdays import VIETNAM
from tests.app.conftest import PHONE, sign_in
from tests.browser import UI_TIMEOUT_MS, assert_accessible, screenshot, watch_errors
from tests.conftest import DEMO_WARD, STAFF_PASSWORD, LoopbackHTTP, serving
from tests.reports.conftest import jpeg_bytes, report_body

# Phường Buôn Ma Thuột, Đắk Lắk.
HERE = {"latitude": 12.6667, "longitude": 108.05, "accuracy": 15}
NEIGHBOUR_WORDS = "Ổ gà sâu trước nhà tôi, tối qua có người ngã xe."
UUID_PATH = re.compile(r".*/app/reports/[0-9a-f-]{36}$")


def _tile() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (222, 236, 214)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def map_app_url(make_app):
    """The app with a map: tiles from a tile server of the test's own on loopback."""
    tile = _tile()
    tiles = LoopbackHTTP(lambda path: (200, tile, "image/png"))
    try:
        with serving(
            make_app,
            MAP_TILES_URL=tiles.url + "/{z}/{x}/{y}.png",
            MAP_TILES_ATTRIBUTION="Bản đồ thử nghiệm",
        ) as base_url:
            yield base_url, tiles
    finally:
        tiles.stop()


def _desk(base_url: str, make_staff, role: str) -> httpx.Client:
    """A staff member of the demo ward at the served API (its storage is the one the app reads)."""
    user = make_staff(role)
    signed_in = httpx.post(
        base_url + "/auth/staff/login", json={"username": user["username"], "password": STAFF_PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=20)


def _photo(name: str, color=(200, 30, 30)) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes(color=color)}


def _loaded(page: Page, alt: str) -> None:
    """The image is on screen with its pixels, not a broken picture."""
    image = page.get_by_role("img", name=alt)
    expect(image).to_be_visible()
    page.wait_for_function(
        "(alt) => [...document.images].some((i) => i.alt === alt && i.complete && i.naturalWidth > 0)",
        arg=alt,
    )


def _coordinates(page: Page) -> tuple[float, float]:
    text = page.locator("#chosen-point").inner_text()
    found = re.search(r"Vĩ độ ([\d.]+), kinh độ ([\d.]+)", text)
    assert found, text
    return float(found[1]), float(found[2])


def test_a_field_report_with_photo_and_place_is_followed_to_a_confirmed_rated_answer(
    phone: Page, map_app_url, make_citizen, client, make_staff, other_citizen
):
    base_url, tiles = map_app_url
    # A neighbour reported the same pothole an hour ago, through the API.
    neighbour = client.post(
        "/me/reports",
        headers=other_citizen["headers"],
        json=report_body(description=NEIGHBOUR_WORDS, latitude=HERE["latitude"], longitude=HERE["longitude"]),
    )
    assert neighbour.status_code == 201, neighbour.json
    neighbour_id = neighbour.json["report"]["id"]

    citizen = make_citizen(full_name="Lê Thị Mai")
    phone.context.grant_permissions(["geolocation"], origin=base_url)
    phone.context.set_geolocation(HERE)
    sign_in(phone, base_url, citizen["cccd"], start="/app/reports")

    # No reports yet: the screen says what to do.
    expect(phone).to_have_url(base_url + "/app/reports")
    expect(phone.get_by_text("Bạn chưa gửi phản ánh nào.", exact=False)).to_be_visible()
    assert_accessible(phone, "my reports, empty")
    phone.get_by_role("link", name="Gửi phản ánh mới").click()

    expect(phone.get_by_role("heading", name="Phản ánh, tố giác")).to_be_visible()
    phone.get_by_label("Lĩnh vực").select_option("o-ga")
    expect(
        phone.get_by_text("Ủy ban nhân dân phường, xã xử lý, trả lời trong 7 ngày làm việc.")
    ).to_be_visible()
    expect(phone.get_by_role("alert").filter(has_text="Gọi ngay")).to_have_count(0)  # not an emergency
    expect(phone.get_by_label("Gửi ẩn danh", exact=False)).to_be_hidden()  # only crime reports
    phone.get_by_label("Mô tả sự việc").fill(
        "Ổ gà rộng khoảng một mét giữa làn xe máy, rất nguy hiểm khi trời tối."
    )
    # The citizen's own ward is offered first.
    expect(phone.get_by_label("Phường, xã")).to_have_value(DEMO_WARD)

    # The phone's position, on a map of the configured tiles; a tap moves the point.
    phone.get_by_role("button", name="Dùng vị trí hiện tại").click()
    expect(phone.get_by_text("Đã lấy vị trí hiện tại", exact=False)).to_be_visible()
    expect(phone.locator("#chosen-point")).to_have_text("Vĩ độ 12.66670, kinh độ 108.05000")
    the_map = phone.get_by_role("application", name=re.compile("Bản đồ vị trí"))
    expect(the_map).to_be_visible()
    phone.wait_for_function(
        "() => [...document.querySelectorAll('.map-tile')].some((t) => t.naturalWidth > 0)"
    )
    assert tiles.requests > 0
    box = the_map.bounding_box()
    the_map.click(position={"x": box["width"] / 2 + 20, "y": box["height"] / 2})
    lat, lon = _coordinates(phone)
    assert lon > HERE["longitude"] and abs(lat - HERE["latitude"]) < 0.0002  # about 23 m east

    phone.get_by_label("Ảnh hiện trường (không bắt buộc)").set_input_files(_photo("o-ga.jpg"))
    _loaded(phone, "Ảnh 1 sẽ gửi kèm")
    assert_accessible(phone, "new report, filled in with a map and a photo")
    screenshot(phone, "reports-new-filled")

    phone.get_by_role("button", name="Gửi phản ánh").click()
    phone.wait_for_url(UUID_PATH)
    report_id = phone.url.rsplit("/", 1)[-1]
    expect(phone.get_by_text("Đã gửi phản ánh.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Ổ gà, hư hỏng mặt đường", level=2)).to_be_visible()
    expect(phone.get_by_text("Đã tiếp nhận", exact=True).first).to_be_visible()
    _loaded(phone, "Ảnh hiện trường 1")
    # The neighbour's report is pointed out, with only what anyone passing by could know.
    expect(phone.get_by_role("heading", name="Có thể đã có người phản ánh việc này")).to_be_visible()
    expect(phone.get_by_text(re.compile(r"Cách khoảng \d+ m · 1 người phản ánh"))).to_be_visible()
    expect(phone.get_by_text(NEIGHBOUR_WORDS)).to_have_count(0)
    assert_accessible(phone, "report just sent, with a similar report nearby")
    screenshot(phone, "reports-sent")

    # In "Phản ánh của tôi", from the tab bar.
    phone.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Phản ánh").click()
    row = phone.get_by_role("link", name=re.compile("Ổ gà, hư hỏng mặt đường"))
    expect(row).to_be_visible()
    expect(row).to_contain_text("Đã tiếp nhận")
    assert_accessible(phone, "my reports, one report")
    screenshot(phone, "reports-list")

    # The ward's officer handles it through the desk's API, with a photo of the fix and a reply.
    with _desk(base_url, make_staff, "officer") as officer:
        for action in ("assign", "start"):
            moved = officer.post(f"/staff/reports/{report_id}/actions", json={"action": action})
            assert moved.status_code == 200, moved.text
        evidence = officer.post(
            f"/staff/reports/{report_id}/media",
            files={"file": ("da-va.jpg", jpeg_bytes(color=(0, 160, 0)), "image/jpeg")},
        )
        assert evidence.status_code == 201, evidence.text
        resolved = officer.post(
            f"/staff/reports/{report_id}/actions",
            json={
                "action": "resolve",
                "note": "Đã vá ổ gà bằng bê tông nhựa ngày hôm nay.",
                "evidence_media_id": evidence.json()["id"],
            },
        )
        assert resolved.status_code == 200, resolved.text
        reply = officer.post(
            f"/staff/reports/{report_id}/comments",
            json={"body": "Đội duy tu đã tới hiện trường và xử lý xong."},
        )
        assert reply.status_code == 201, reply.text

    row.click()
    expect(phone.get_by_role("heading", name="Kết quả xử lý")).to_be_visible()
    expect(phone.get_by_text("Đã vá ổ gà bằng bê tông nhựa ngày hôm nay.").first).to_be_visible()
    _loaded(phone, "Ảnh kết quả xử lý do cán bộ gửi")
    expect(phone.get_by_text("Đội duy tu đã tới hiện trường và xử lý xong.")).to_be_visible()
    expect(phone.get_by_text("Đã xử lý xong, chờ xác nhận").first).to_be_visible()
    expect(phone.get_by_role("list").filter(has_text="Cán bộ bắt đầu xử lý")).to_be_visible()  # the history

    phone.get_by_label("Bổ sung thông tin, hỏi cán bộ xử lý").fill("Cảm ơn, mặt đường đã phẳng.")
    phone.get_by_role("button", name="Gửi", exact=True).click()
    expect(phone.get_by_text("Cảm ơn, mặt đường đã phẳng.")).to_be_visible()
    assert_accessible(phone, "report answered by the ward")
    screenshot(phone, "reports-answered")

    phone.get_by_role("button", name="Xác nhận đã xử lý xong").click()
    expect(phone.get_by_text("Đã đóng", exact=True).first).to_be_visible()
    expect(phone.get_by_role("button", name="Xác nhận đã xử lý xong")).to_have_count(0)
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_text("Hãy chọn một mức đánh giá từ 1 đến 5.")).to_be_visible()
    phone.get_by_label("5 – Rất hài lòng").check()
    phone.get_by_label("Góp ý thêm (không bắt buộc)").fill("Xử lý nhanh.")
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.get_by_text("Bạn đã đánh giá: 5/5 – Rất hài lòng.")).to_be_visible()
    assert_accessible(phone, "report closed and rated")
    screenshot(phone, "reports-rated")

    # The neighbour's report, by its id: not found, and nothing of it shown.
    phone.goto(f"{base_url}/app/reports/{neighbour_id}")
    expect(phone.get_by_text("Không tìm thấy phản ánh này.")).to_be_visible()
    expect(phone.get_by_text(NEIGHBOUR_WORDS)).to_have_count(0)
    assert_accessible(phone, "another citizen's report")


def test_an_anonymous_crime_report_gives_a_token_once_that_anyone_can_follow(
    phone: Page, browser: Browser, app_url, make_citizen, client, make_staff
):
    citizen = make_citizen()
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    sign_in(phone, app_url, citizen["cccd"], start="/app/reports/new")

    # An emergency category shows the number to call, above everything else.
    category = phone.get_by_label("Lĩnh vực")
    category.select_option("chay-no")
    call = phone.get_by_role("link", name="Gọi ngay 114 (Cứu nạn, cứu hộ)")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:114")
    assert (
        call.bounding_box()["y"] < phone.get_by_role("heading", name="Phản ánh, tố giác").bounding_box()["y"]
    )
    assert_accessible(phone, "new report, emergency category")
    screenshot(phone, "reports-emergency")

    category.select_option("lua-dao")
    expect(call).to_have_count(0)
    phone.get_by_label("Gửi ẩn danh", exact=False).check()
    phone.get_by_label("Mô tả sự việc").fill(
        "Có người gọi điện giả danh công an, yêu cầu chuyển tiền vào tài khoản lạ để 'xác minh'."
    )

    # No permission to use the position: the app says so and the address is the way.
    phone.get_by_role("button", name="Dùng vị trí hiện tại").click()
    expect(phone.get_by_text("Bạn chưa cho phép ứng dụng dùng vị trí.", exact=False)).to_be_visible()
    phone.get_by_role("button", name="Gửi phản ánh").click()
    address = phone.get_by_label("Địa chỉ (số nhà, đường, thôn, tổ dân phố)")
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(phone.get_by_text("Hãy cho biết vị trí: chọn trên bản đồ", exact=False).first).to_be_visible()
    address.fill("Chợ Buôn Ma Thuột, đường Phan Bội Châu")
    yesterday = datetime.now(VIETNAM) - timedelta(days=1)
    phone.get_by_label("Thời điểm xảy ra (không bắt buộc)").fill(yesterday.strftime("%Y-%m-%dT08:30"))
    phone.get_by_label("Ảnh hiện trường (không bắt buộc)").set_input_files(_photo("tin-nhan.jpg"))
    _loaded(phone, "Ảnh 1 sẽ gửi kèm")
    assert_accessible(phone, "new anonymous report, position refused")
    phone.get_by_role("button", name="Gửi phản ánh").click()

    # The token, once, with a copy button and the warning.
    expect(phone.get_by_role("heading", name="Đã gửi tố giác ẩn danh")).to_be_visible()
    expect(phone.get_by_text("Mã này chỉ hiện một lần duy nhất.")).to_be_visible()
    expect(phone.get_by_text("Đã gửi kèm 1 ảnh.")).to_be_visible()
    token = phone.locator("#tracking-token").inner_text().strip()
    assert len(token) >= 24
    phone.get_by_role("button", name="Sao chép mã").click()
    expect(phone.get_by_text("Đã sao chép mã theo dõi.", exact=False)).to_be_visible()
    assert phone.evaluate("() => navigator.clipboard.readText()") == token
    assert_accessible(phone, "anonymous report sent, tracking token")
    screenshot(phone, "reports-token")
    # The phone keeps no copy of it.
    assert token not in phone.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")

    # The police answer through the desk's API.
    with _desk(app_url, make_staff, "police") as police:
        queue = police.get("/staff/reports").json()
        [tracked_id] = [item["id"] for item in queue if item["category"] == "lua-dao"]
        answer = police.post(
            f"/staff/reports/{tracked_id}/comments",
            json={"body": "Công an phường đã tiếp nhận và đang xác minh số điện thoại."},
        )
        assert answer.status_code == 201, answer.text

    phone.get_by_role("link", name="Tôi đã lưu mã: mở trang theo dõi").click()
    expect(phone.get_by_role("heading", name="Theo dõi tố giác ẩn danh")).to_be_visible()
    phone.go_back()
    expect(phone.get_by_role("heading", name="Phản ánh, tố giác")).to_be_visible()
    expect(phone.get_by_text(token)).to_have_count(0)  # not shown again
    # Anonymous means not in "Phản ánh của tôi" either.
    phone.goto(app_url + "/app/reports")
    expect(phone.get_by_text("Bạn chưa gửi phản ánh nào.", exact=False)).to_be_visible()

    # Anyone with the token follows it: here someone on another phone, not signed in.
    context = browser.new_context(**PHONE)
    context.set_default_timeout(UI_TIMEOUT_MS)
    errors: list[str] = []
    try:
        stranger = context.new_page()
        watch_errors(stranger, errors)
        stranger.goto(app_url + "/app/reports/track")
        field = stranger.get_by_label("Mã theo dõi")
        field.fill("khong-phai-ma-that")
        stranger.get_by_role("button", name="Xem tình trạng").click()
        expect(stranger.get_by_text("Mã theo dõi không đúng.", exact=False)).to_be_visible()
        expect(field).to_have_attribute("aria-invalid", "true")
        field.fill(token)
        stranger.get_by_role("button", name="Xem tình trạng").click()
        expect(stranger.get_by_role("heading", name="Lừa đảo chiếm đoạt tài sản")).to_be_visible()
        expect(stranger.get_by_text("Đã tiếp nhận", exact=True).first).to_be_visible()
        expect(stranger.get_by_text("Đã gửi 1 ảnh, video.")).to_be_visible()
        expect(stranger.get_by_text(yesterday.strftime("08:30 %d/%m/%Y"))).to_be_visible()
        expect(
            stranger.get_by_text("Công an phường đã tiếp nhận và đang xác minh số điện thoại.")
        ).to_be_visible()
        expect(stranger.get_by_role("link", name="đăng nhập bằng VNeID")).to_be_visible()
        assert_accessible(stranger, "tracking an anonymous report, signed out")
        screenshot(stranger, "reports-tracked")
    finally:
        context.close()
    assert errors == [], errors

    # The informant, signed in, adds a photo by the token.
    phone.goto(app_url + "/app/reports/track")
    phone.get_by_label("Mã theo dõi").fill(token)
    phone.get_by_role("button", name="Xem tình trạng").click()
    expect(phone.get_by_text("Đã gửi 1 ảnh, video.")).to_be_visible()
    phone.get_by_label("Thêm ảnh").set_input_files(_photo("them.jpg", color=(20, 20, 200)))
    _loaded(phone, "Ảnh 1 sẽ gửi kèm")
    phone.get_by_role("button", name="Gửi ảnh").click()
    expect(phone.get_by_text("Đã gửi 2 ảnh, video.")).to_be_visible()
    assert len(client.get(f"/reports/track/{token}").json["media"]) == 2
