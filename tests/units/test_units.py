"""Administrative units after 1 July 2025: look-ups, accent-insensitive search, former names."""

from __future__ import annotations

import json

import pytest
from vietnam_provinces import Ward

from api.citizens.cccd import PROVINCE_CODES
from api.errors import ApiError
from api.units import service
from api.units.former_names import FORMER_PROVINCES, FORMER_WARDS

PROBLEM = "application/problem+json"


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [unit["name"] for unit in response.json]


# ---- provinces ----------------------------------------------------------------------------------


def test_lists_the_34_provinces_in_code_order(client):
    response = client.get("/units/provinces")
    assert response.status_code == 200
    codes = [p["code"] for p in response.json]
    assert len(codes) == 34
    assert codes == sorted(codes)
    assert codes[0] == "01" and response.json[0]["name"] == "Thành phố Hà Nội"
    assert sum(p["ward_count"] for p in response.json) == len(list(Ward.iter_all()))


@pytest.mark.parametrize(
    "query", ["dak lak", "Đắk Lắk", "DAK LAK", "tinh dak lak", "Tỉnh Đắk Lắk", "đắk  lắk", "lak"]
)
def test_province_search_ignores_accents_case_spaces_and_type_word(client, query):
    assert "Tỉnh Đắk Lắk" in names(client.get("/units/provinces", query_string={"q": query}))


@pytest.mark.parametrize(
    ("former", "current"),
    [
        ("Phú Yên", "Tỉnh Đắk Lắk"),
        ("Bình Dương", "Thành phố Hồ Chí Minh"),
        ("ba ria vung tau", "Thành phố Hồ Chí Minh"),
        ("Quảng Nam", "Thành phố Đà Nẵng"),
        ("Hà Giang", "Tỉnh Tuyên Quang"),
        ("Kon Tum", "Tỉnh Quảng Ngãi"),
        ("Bình Định", "Tỉnh Gia Lai"),
        ("Đắk Nông", "Tỉnh Lâm Đồng"),
        ("Bình Thuận", "Tỉnh Lâm Đồng"),
        ("Yên Bái", "Tỉnh Lào Cai"),
        ("Bắc Kạn", "Tỉnh Thái Nguyên"),
        ("Hòa Bình", "Tỉnh Phú Thọ"),
        ("Nam Định", "Tỉnh Ninh Bình"),
        ("Quảng Bình", "Tỉnh Quảng Trị"),
        ("Kiên Giang", "Tỉnh An Giang"),
        ("Bạc Liêu", "Tỉnh Cà Mau"),
        ("Sóc Trăng", "Thành phố Cần Thơ"),
        ("tra vinh", "Tỉnh Vĩnh Long"),
        ("Long An", "Tỉnh Tây Ninh"),
        ("Tiền Giang", "Tỉnh Đồng Tháp"),
        ("Bình Phước", "Tỉnh Đồng Nai"),
    ],
)
def test_former_province_names_find_the_current_province(client, former, current):
    response = client.get("/units/provinces", query_string={"q": former})
    assert names(response)[0] == current
    assert response.json[0]["note"].startswith("trước 01/7/2025: tỉnh ")


def test_former_name_note_and_list_on_the_province(client):
    hit = client.get("/units/provinces", query_string={"q": "phu yen"}).json[0]
    assert hit["code"] == "66"
    assert hit["note"] == "trước 01/7/2025: tỉnh Phú Yên"
    assert [f["name"] for f in hit["former_names"]] == ["tỉnh Phú Yên"]
    # Searching the current name says nothing about the past.
    assert client.get("/units/provinces", query_string={"q": "dak lak"}).json[0]["note"] is None


def test_hue_was_renamed_before_the_merger(client):
    hit = client.get("/units/provinces", query_string={"q": "thua thien hue"}).json[0]
    assert hit["name"] == "Thành phố Huế"
    assert hit["note"] == "trước 01/01/2025: tỉnh Thừa Thiên Huế"


def test_ho_chi_minh_city_by_its_usual_abbreviations(client):
    for query in ("tp hcm", "TP.HCM", "tphcm"):
        assert names(client.get("/units/provinces", query_string={"q": query})) == ["Thành phố Hồ Chí Minh"]


def test_province_by_code(client):
    response = client.get("/units/provinces/66")
    assert response.status_code == 200
    body = response.json
    assert body["name"] == "Tỉnh Đắk Lắk" and body["short_name"] == "Đắk Lắk" and body["type"] == "tinh"
    assert client.get("/units/provinces/066").json["code"] == "66"


def test_unknown_province_code_is_404_and_a_former_code_points_to_the_current(client):
    response = client.get("/units/provinces/54")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.json["code"] == "province_not_found"
    assert response.json["current_code"] == "66"
    assert "Phú Yên" in response.json["detail"]
    assert client.get("/units/provinces/abc").json["code"] == "province_not_found"


# ---- wards --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["buon ma thuot", "Buôn Ma Thuột", "phuong buon ma thuot", "ma thuot"])
def test_ward_search_ignores_accents_and_type_word(client, query):
    response = client.get("/units/wards", query_string={"q": query})
    assert "Phường Buôn Ma Thuột" in names(response)
    ward = next(w for w in response.json if w["code"] == "24133")
    # The package writes "Phường  Buôn Ma Thuột" with two spaces; we never do.
    assert ward["name"] == "Phường Buôn Ma Thuột"
    assert ward["province"] == {"code": "66", "name": "Tỉnh Đắk Lắk"}


def test_type_word_puts_units_of_that_type_first(client):
    response = client.get("/units/wards", query_string={"q": "phuong tan an", "page_size": 100})
    found = response.json
    assert found[0]["name"] == "Phường Tân An"
    assert any(w["name"] == "Xã Tân An" for w in found), "other types are still found, later"


def test_wards_filtered_by_province(client):
    everywhere = client.get("/units/wards", query_string={"q": "tan an", "page_size": 100}).json
    response = client.get("/units/wards", query_string={"province": "66", "q": "tan an"})
    assert response.json
    assert all(w["province"]["code"] == "66" for w in response.json)
    assert len(response.json) < len(everywhere)


def test_unknown_province_filter_is_422(client):
    response = client.get("/units/wards", query_string={"province": "54"})
    assert response.status_code == 422
    assert response.json["code"] == "unknown_province"
    assert response.json["errors"][0]["field"] == "province"
    assert "Đắk Lắk" in response.json["detail"]


def test_wards_are_paginated_with_a_header(client):
    response = client.get("/units/wards", query_string={"province": "66", "page": 2, "page_size": 25})
    assert response.status_code == 200
    meta = json.loads(response.headers["X-Pagination"])
    total = service.get_province("66").ward_count
    assert meta["total"] == total
    assert meta["page"] == 2 and meta["previous_page"] == 1
    assert meta["total_pages"] == -(-total // 25)
    assert len(response.json) == 25
    first_page = client.get("/units/wards", query_string={"province": "66", "page_size": 25}).json
    assert {w["code"] for w in first_page}.isdisjoint(w["code"] for w in response.json)


def test_page_size_is_bounded(client):
    response = client.get("/units/wards", query_string={"page_size": 1000})
    assert response.status_code == 422
    assert response.mimetype == PROBLEM


def test_ward_by_code(client):
    response = client.get("/units/wards/24133")
    assert response.status_code == 200
    assert response.json["name"] == "Phường Buôn Ma Thuột"
    assert response.json["short_name"] == "Buôn Ma Thuột"
    assert response.json["type"] == "phuong"
    assert response.json["full_name"] == "Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"


def test_ward_codes_are_zero_padded(client):
    lowest = min(int(w.code) for w in Ward.iter_all())
    response = client.get(f"/units/wards/{lowest:05d}")
    assert response.status_code == 200
    assert response.json["code"] == f"{lowest:05d}"


# "²" and full-width digits: str.isdigit() says yes, int() refuses or reads them (was a 500).
@pytest.mark.parametrize("code", ["99999", "abcde", "1234567", "²", "2413³", "２４１３３", "٢٤١٣٣"])
def test_unknown_ward_is_a_404_problem(client, code):
    response = client.get(f"/units/wards/{code}")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.json["code"] == "ward_not_found"


def test_special_zone_shows_the_district_it_was_made_from(client):
    response = client.get("/units/wards", query_string={"q": "huyen con dao"})
    zone = names(response)
    assert zone == ["Đặc khu Côn Đảo"]
    former = response.json[0]["former_names"]
    assert former[0]["name"] == "huyện Côn Đảo, tỉnh Bà Rịa - Vũng Tàu"
    assert response.json[0]["province"]["name"] == "Thành phố Hồ Chí Minh"


def test_lookups_are_public_and_rate_limited(make_app):
    client = make_app(RATELIMIT_PUBLIC_LOOKUP="2 per minute").test_client()
    assert client.get("/units/wards/24133").status_code == 200
    assert client.get("/units/wards/24133").status_code == 200
    response = client.get("/units/wards/24133")
    assert response.status_code == 429
    assert response.json["code"] == "rate_limited"


# ---- the service other domains call --------------------------------------------------------------


def test_validate_ward_code_returns_the_ward_or_raises_422():
    assert service.validate_ward_code("24133").name == "Phường Buôn Ma Thuột"
    assert service.get_ward(24133).code == "24133"
    with pytest.raises(ApiError) as raised:
        service.validate_ward_code("00000")
    error = raised.value
    assert (error.status, error.code) == (422, "unknown_ward")
    assert list(error.errors) == ["ward_code"]
    assert "01/7/2025" in error.detail


def test_codes_are_ascii_digits_only():
    for code in ("²", "２４１３３", "٢٤١٣٣", "24_133", " ６６ "):
        assert service.get_ward(code) is None and service.get_province(code) is None
    assert service.former_province("０５４") is None
    assert service.get_ward(" 24133 ").code == "24133"


def test_get_province_and_former_codes():
    assert service.get_province("66").name == "Tỉnh Đắk Lắk"
    assert service.get_province("54") is None
    assert service.province_for_former_code("054").name == "Tỉnh Đắk Lắk"  # as a CCCD carries it
    assert service.province_for_former_code("077").name == "Thành phố Hồ Chí Minh"


# ---- the former-names data ------------------------------------------------------------------------


def test_every_pre_2025_province_is_mapped_once_to_a_current_one():
    assert {f"0{f.code}" for f in FORMER_PROVINCES} == set(PROVINCE_CODES)
    assert len(FORMER_PROVINCES) == 63
    assert {f"0{f.code}": f.name for f in FORMER_PROVINCES} == PROVINCE_CODES
    current = {p.code for p in service.search_provinces()}
    assert {f.current_code for f in FORMER_PROVINCES} == current


def test_a_current_code_is_the_former_code_of_one_of_its_members():
    # So "66" means Đắk Lắk whether read as a current or a CCCD-era code.
    former_by_code = {f.code: f for f in FORMER_PROVINCES}
    for province in service.search_provinces():
        assert former_by_code[province.code].current_code == province.code


def test_merger_sizes_match_the_resolution():
    members: dict[str, int] = {}
    for former in FORMER_PROVINCES:
        members[former.current_code] = members.get(former.current_code, 0) + 1
    # Nghị quyết 202/2025/QH15: 11 unchanged, 6 from three provinces, 17 from two.
    assert sorted(members.values()).count(1) == 11
    assert sorted(members.values()).count(3) == 6
    assert sorted(members.values()).count(2) == 17


SPECIAL_ZONE_NAMES = {
    "06994": "Đặc khu Vân Đồn",
    "07192": "Đặc khu Cô Tô",
    "11914": "Đặc khu Cát Hải",
    "11948": "Đặc khu Bạch Long Vĩ",
    "19742": "Đặc khu Cồn Cỏ",
    "20333": "Đặc khu Hoàng Sa",
    "21548": "Đặc khu Lý Sơn",
    "22736": "Đặc khu Trường Sa",
    "23272": "Đặc khu Phú Quý",
    "26732": "Đặc khu Côn Đảo",
    "31078": "Đặc khu Phú Quốc",
    "31105": "Đặc khu Thổ Châu",
    "31108": "Đặc khu Kiên Hải",
}


def test_former_ward_names_are_attached_to_the_right_special_zones():
    assert {f.current_code: service.get_ward(f.current_code).name for f in FORMER_WARDS} == SPECIAL_ZONE_NAMES
    zones = {w.code for w in service.search_wards() if w.type == "dac_khu"}
    assert zones == set(SPECIAL_ZONE_NAMES)
