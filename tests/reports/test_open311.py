"""Open311 GeoReport v2: what a standard client reads and sends, in XML and JSON.

Public field reports only: no crime report, no personal data; requests created with a
machine account's api_key land on the desk like the app's; every error in the standard's format.
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from api.auth import service as auth
from api.auth.models import ServiceAccount
from api.extensions import db
from api.reports.categories import CATEGORIES
from api.reports.models import Report
from api.text import REDACTED, redact_contacts
from api.units import service as units
from tests.conftest import DEMO_WARD
from tests.reports.conftest import LAT, LON, act, audit_entries, headers_of, login, report_body, snapshot

BASE = "/open311/v2"
FIELD_CODES = [c.code for c in CATEGORIES if not c.is_crime]
CRIME_CODES = [c.code for c in CATEGORIES if c.is_crime]
HANOI_WARD = units.search_wards(province_code="01")[0].code
CRIME = {"category": "ma-tuy", "description": "Có người bán ma tuý ở quán nước đầu hẻm vào buổi tối."}
REQUEST_ELEMENTS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


# ---- helpers --------------------------------------------------------------------------------


def parsed_xml(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8", response.get_data(as_text=True)
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)  # noqa: S314 (our own server's answer)


def parsed_json(response):
    assert response.content_type == "application/json; charset=utf-8", response.get_data(as_text=True)
    return json.loads(response.data)


def assert_open311_error(response, status: int, fmt: str = "xml") -> str:
    """The standard's error list, with one error at least; returns the descriptions."""
    assert response.status_code == status, response.get_data(as_text=True)
    if fmt == "xml":
        root = parsed_xml(response)
        assert root.tag == "errors"
        errors = root.findall("error")
        assert errors and all(e.find("code").text == str(status) for e in errors)
        descriptions = [e.find("description").text for e in errors]
    else:
        body = parsed_json(response)
        assert isinstance(body, list) and body
        assert all(e["code"] == status and set(e) == {"code", "description"} for e in body)
        descriptions = [e["description"] for e in body]
    assert all(descriptions)
    return " ".join(descriptions)


def make_key(app, scopes=("open311:write",), active=True, client_id=None) -> str:
    client_id = client_id or f"o311-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        account, secret = auth.create_service_account(client_id, "Ứng dụng phản ánh đô thị", list(scopes))
        account.active = active
        db.session.commit()
    return f"{client_id}:{secret}"


@pytest.fixture
def api_key(app):
    return make_key(app)


def form(api_key: str | None, **overrides) -> dict:
    body = {
        "api_key": api_key,
        "service_code": "o-ga",
        "lat": str(LAT),
        "long": str(LON),
        "address_string": "Trước số 12 Lê Duẩn",
        "attribute[ward_code]": DEMO_WARD,
        "description": "Ổ gà sâu giữa đường Lê Duẩn, xe máy dễ ngã vào buổi tối.",
        "first_name": "Lê",
        "last_name": "Văn Tâm",
        "email": "le.van.tam@example.vn",
        "phone": "0987654321",
        "account_id": "acc-42",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def post_request(client, api_key, fmt="json", **overrides):
    return client.post(f"{BASE}/requests.{fmt}", data=form(api_key, **overrides))


def file_report(client, reporter, **overrides) -> str:
    response = client.post("/me/reports", headers=reporter["headers"], json=report_body(**overrides))
    assert response.status_code == 201, response.json
    return response.json["report"]["id"]


def listed_ids(client, query: str = "") -> list[str]:
    response = client.get(f"{BASE}/requests.json{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["service_request_id"] for item in parsed_json(response)]


def set_submitted_at(app, report_id: str, moment: datetime) -> None:
    with app.app_context():
        db.session.execute(
            update(Report).where(Report.id == uuid.UUID(report_id)).values(submitted_at=moment)
        )
        db.session.commit()
        db.session.remove()


def clone_reports(app, report_id: str, count: int) -> list[str]:
    """`count` more field reports like `report_id`, written straight to the table: volume for the
    long-list tests, where filing each through the API would only make them slow."""
    table = Report.__table__
    with app.app_context():
        row = dict(
            db.session.execute(select(table).where(table.c.id == uuid.UUID(report_id))).mappings().one()
        )
        copies = [
            {
                **row,
                "id": uuid.uuid4(),
                "tracking_token_hash": None,
                "submitted_at": row["submitted_at"] - timedelta(minutes=n + 1),
            }
            for n in range(count)
        ]
        db.session.execute(table.insert(), copies)
        db.session.commit()
        db.session.remove()
    return [str(copy["id"]) for copy in copies]


# What FixMyStreet's Open311 client sends for a report (perllib/Open311.pm,
# `_populate_service_request_params` and `_request`, with its defaults: extended description,
# lat/long always): title, detail and link on lines of their own; the name split in two; every
# extra field of its category as `attribute[...]` (ours, which it read from the service
# definition, and its own, such as `uprn`); `deviceid` where the body uses the report's source
# as one; `jurisdiction_id` and `api_key`.
FIXMYSTREET_DESCRIPTION = (
    "Ổ gà sâu trước số 12 Lê Duẩn\n\n"
    "Nước đọng cả tuần, tối qua một xe máy ngã.\n\n"
    "https://fixmystreet.example.vn/report/4242\n"
)


def fixmystreet_form(api_key: str, **overrides) -> dict:
    body = {
        "description": FIXMYSTREET_DESCRIPTION,
        "service_code": "o-ga",
        "first_name": "Lê",
        "last_name": "Văn Tâm",
        "email": "le.van.tam@example.vn",
        "lat": "12.666700",
        "long": "108.038300",
        "media_url": "https://fixmystreet.example.vn/photo/4242.0.full.jpeg",
        "deviceid": "iOS app",
        "attribute[ward_code]": DEMO_WARD,
        "attribute[incident_at]": "",
        "attribute[uprn]": "100023336956",
        "attribute[closest_address]": "12 Lê Duẩn, Buôn Ma Thuột",
        "jurisdiction_id": "daklak.gov.vn",
        "api_key": api_key,
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def report_count(app) -> int:
    with app.app_context():
        count = len(db.session.scalars(select(Report.id)).all())
        db.session.remove()
        return count


# ---- discovery and services -----------------------------------------------------------------


def test_discovery_names_the_endpoint_the_specification_and_both_formats(client, app):
    body = parsed_json(client.get(f"{BASE}/discovery.json"))
    assert body["changeset"] and body["contact"] and "open311:write" in body["key_service"]
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == app.config["PUBLIC_BASE_URL"] + "/open311/v2"
    assert endpoint["type"] == "production" and endpoint["changeset"]
    assert endpoint["formats"] == ["text/xml", "application/json"]

    root = parsed_xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    [xml_endpoint] = root.find("endpoints").findall("endpoint")
    assert [f.text for f in xml_endpoint.find("formats").findall("format")] == endpoint["formats"]
    assert xml_endpoint.find("specification").text == endpoint["specification"]


def test_services_are_the_field_categories_and_never_a_crime_category(client):
    root = parsed_xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.find("service_code").text for s in services] == FIELD_CODES
    for service in services:
        assert {child.tag for child in service} == {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert service.find("metadata").text == "true" and service.find("type").text == "realtime"
    pothole = next(s for s in services if s.find("service_code").text == "o-ga")
    assert pothole.find("service_name").text == "Ổ gà, hư hỏng mặt đường"
    assert pothole.find("group").text == "Hạ tầng đô thị"
    assert "o ga" in pothole.find("keywords").text  # findable without diacritics

    as_json = parsed_json(client.get(f"{BASE}/services.json"))
    assert [s["service_code"] for s in as_json] == FIELD_CODES
    assert not set(CRIME_CODES) & {s["service_code"] for s in as_json}
    assert all(s["metadata"] is True for s in as_json)
    # Without an extension, the standard's required format.
    assert parsed_xml(client.get(f"{BASE}/services")).tag == "services"


def test_a_service_definition_offers_the_wards_of_the_home_province(client, app):
    root = parsed_xml(client.get(f"{BASE}/services/o-ga.xml"))
    assert root.tag == "service_definition"
    assert root.find("service_code").text == "o-ga"
    attributes = {a.find("code").text: a for a in root.find("attributes").findall("attribute")}
    ward = attributes["ward_code"]
    assert ward.find("datatype").text == "singlevaluelist" and ward.find("required").text == "true"
    assert ward.find("variable").text == "true" and ward.find("order").text == "1"
    values = {v.find("key").text: v.find("name").text for v in ward.find("values").findall("value")}
    with app.app_context():
        home = units.search_wards(province_code=app.config["HOME_PROVINCE_CODE"])
    assert set(values) == {w.code for w in home}
    assert values[DEMO_WARD] == "Phường Buôn Ma Thuột"
    assert HANOI_WARD not in values  # not ours to handle
    incident = attributes["incident_at"]
    assert incident.find("datatype").text == "datetime" and incident.find("required").text == "false"

    as_json = parsed_json(client.get(f"{BASE}/services/o-ga.json"))
    assert [a["code"] for a in as_json["attributes"]] == ["ward_code", "incident_at"]
    assert len(as_json["attributes"][0]["values"]) == len(home)


@pytest.mark.parametrize("code", ["ma-tuy", "lua-dao", "khong-co-dich-vu-nay"])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_crime_or_unknown_service_has_no_definition(client, code, fmt):
    description = assert_open311_error(client.get(f"{BASE}/services/{code}.{fmt}"), 404, fmt)
    assert code in description


# ---- reading requests -----------------------------------------------------------------------


def test_requests_are_listed_in_the_standards_xml_and_json_shapes(client, reporter):
    first = file_report(client, reporter)
    second = file_report(client, reporter, category="rac-thai", description="Rác đổ trộm ven kênh, bốc mùi.")

    root = parsed_xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert [r.find("service_request_id").text for r in requests] == [second, first]  # newest first
    for request in requests:
        assert {child.tag for child in request} == REQUEST_ELEMENTS
    assert [r["service_request_id"] for r in parsed_json(client.get(f"{BASE}/requests.json"))] == [
        second,
        first,
    ]
    assert parsed_xml(client.get(f"{BASE}/requests")).tag == "service_requests"


def test_a_request_carries_status_agency_deadline_and_place(client, reporter):
    report_id = file_report(client, reporter)
    desk_view = client.get(f"/me/reports/{report_id}", headers=reporter["headers"]).json
    [request] = parsed_json(client.get(f"{BASE}/requests/{report_id}.json"))
    assert request["status"] == "open" and request["status_notes"] == "Đã tiếp nhận"
    assert request["service_code"] == "o-ga" and request["service_name"] == "Ổ gà, hư hỏng mặt đường"
    assert request["agency_responsible"] == "Ủy ban nhân dân phường Buôn Ma Thuột"
    assert request["expected_datetime"] == f"{desk_view['deadline']}T23:59:59+07:00"
    assert request["requested_datetime"].endswith("+07:00")
    # Made in the app: the reporter's own words (description, address) stay with the city.
    assert request["address"] == "Phường Buôn Ma Thuột, Tỉnh Đắk Lắk"
    assert request["description"] == (
        "Ổ gà, hư hỏng mặt đường: phản ánh qua ứng dụng Công dân số (nội dung người dân viết không "
        "được công khai)."
    )
    assert (request["lat"], request["long"], request["zipcode"]) == (LAT, LON, "")
    assert "7 ngày làm việc" in request["service_notice"]
    # Every field of the standard's record is there; these two are empty: no address register,
    # and citizens' photos are not published.
    assert (request["address_id"], request["media_url"]) == ("", "")

    root = parsed_xml(client.get(f"{BASE}/requests/{report_id}.xml"))
    [only] = root.findall("request")
    assert root.tag == "service_requests" and only.find("service_request_id").text == report_id
    assert only.find("lat").text == str(LAT)


def test_closed_requests_say_why(client, reporter, officer):
    rejected = file_report(client, reporter)
    kept = file_report(client, reporter, description="Ổ gà thứ hai ngay cạnh, sâu hơn nhiều.")
    merged = file_report(client, reporter, description="Cũng ổ gà đó, xe tải đi qua rất nguy hiểm.")
    reason = "Đoạn đường do tỉnh quản lý, đã chuyển Sở Xây dựng (liên hệ 0262 3852 123)."
    assert act(client, officer, rejected, "reject", note=reason).status_code == 200
    assert (
        client.post(f"/staff/reports/{merged}/merge", headers=officer, json={"into": kept}).status_code == 200
    )

    by_id = {r["service_request_id"]: r for r in parsed_json(client.get(f"{BASE}/requests.json"))}
    assert by_id[kept]["status"] == "open"
    assert by_id[rejected]["status"] == "closed"
    assert by_id[rejected]["status_notes"].startswith("Không xử lý: Đoạn đường do tỉnh quản lý")
    assert "3852" not in by_id[rejected]["status_notes"]
    assert by_id[merged]["status"] == "closed" and kept in by_id[merged]["status_notes"]


def test_requests_filter_by_code_status_and_id(client, reporter, officer):
    pothole = file_report(client, reporter)
    rubbish = file_report(client, reporter, category="rac-thai", description="Rác đổ trộm ven kênh, bốc mùi.")
    noise = file_report(
        client, reporter, category="tieng-on", description="Karaoke ồn ào sau 23 giờ mỗi đêm."
    )
    assert act(client, officer, noise, "reject", note="Đã nhắc nhở hộ gia đình.").status_code == 200

    assert listed_ids(client, "?service_code=o-ga") == [pothole]
    assert set(listed_ids(client, "?service_code=o-ga,rac-thai")) == {pothole, rubbish}
    assert set(listed_ids(client, "?status=open")) == {pothole, rubbish}
    assert listed_ids(client, "?status=closed") == [noise]
    assert set(listed_ids(client, "?status=open,closed")) == {pothole, rubbish, noise}
    # Ids win over every other filter; a malformed one matches nothing.
    assert set(listed_ids(client, f"?service_request_id={pothole},{noise},khong-phai-ma&status=open")) == {
        pothole,
        noise,
    }
    assert_open311_error(client.get(f"{BASE}/requests.json?status=pending"), 400, "json")


def test_requests_default_to_the_last_90_days_and_filter_by_date(client, app, reporter):
    recent = file_report(client, reporter)
    old = file_report(client, reporter, description="Ổ gà cũ đã báo từ mùa mưa năm ngoái.")
    now = datetime.now(UTC)
    set_submitted_at(app, old, now - timedelta(days=100))

    assert listed_ids(client) == [recent]
    window = f"?start_date={(now - timedelta(days=110)):%Y-%m-%dT%H:%M:%SZ}&end_date={(now - timedelta(days=95)):%Y-%m-%dT%H:%M:%SZ}"
    assert listed_ids(client, window) == [old]
    assert listed_ids(client, f"?start_date={(now - timedelta(days=1)).isoformat()}".replace("+", "%2B")) == [
        recent
    ]
    assert listed_ids(client, f"?end_date={(now - timedelta(days=99)):%Y-%m-%dT%H:%M:%SZ}") == [old]
    # An id is found whatever its age.
    assert listed_ids(client, f"?service_request_id={old}") == [old]

    too_long = (
        f"?start_date={(now - timedelta(days=200)):%Y-%m-%dT%H:%M:%SZ}&end_date={now:%Y-%m-%dT%H:%M:%SZ}"
    )
    assert "90 ngày" in assert_open311_error(client.get(f"{BASE}/requests.xml{too_long}"), 400)
    backwards = (
        f"?start_date={now:%Y-%m-%dT%H:%M:%SZ}&end_date={(now - timedelta(days=1)):%Y-%m-%dT%H:%M:%SZ}"
    )
    assert_open311_error(client.get(f"{BASE}/requests.xml{backwards}"), 400)
    assert "start_date" in assert_open311_error(
        client.get(f"{BASE}/requests.json?start_date=hom-qua"), 400, "json"
    )


def test_empty_optional_arguments_count_as_absent(client, app, reporter):
    report_id = file_report(client, reporter)
    old = file_report(client, reporter, description="Ổ gà cũ đã báo từ mùa mưa năm ngoái.")
    set_submitted_at(app, old, datetime.now(UTC) - timedelta(days=100))

    empty = "?start_date=&end_date=&service_code=&status=&service_request_id=&jurisdiction_id="
    assert listed_ids(client, empty) == [report_id] == listed_ids(client)
    root = parsed_xml(client.get(f"{BASE}/requests.xml{empty}"))
    assert [r.find("service_request_id").text for r in root.findall("request")] == [report_id]
    # One end given, the other empty: the 90 days from the one given.
    start = f"{datetime.now(UTC) - timedelta(days=110):%Y-%m-%dT%H:%M:%SZ}"
    assert listed_ids(client, f"?start_date={start}&end_date=") == [old]


def test_every_id_of_a_long_list_is_answered(client, app, reporter):
    """FixMyStreet syncs statuses with one GET naming every request it filed with us (Open311.pm's
    `get_service_requests` joins them with commas): here 1,100 of them, which is more than the
    1,000 a search answers and far more than 2,000 characters, among 300 ids of nothing."""
    ids = [first := file_report(client, reporter), *clone_reports(app, first, 1_099)]
    unknown = [str(uuid.uuid4()) for _ in range(300)]
    asked = ",".join(unknown[:150] + ids[::-1] + unknown[150:])

    for fmt in ("xml", "json"):
        response = client.get(f"{BASE}/requests.{fmt}", query_string={"service_request_id": asked})
        if fmt == "xml":
            answered = [r.find("service_request_id").text for r in parsed_xml(response).findall("request")]
        else:
            answered = [r["service_request_id"] for r in parsed_json(response)]
        assert answered == ids  # all of them, newest first


def test_more_ids_than_the_bound_are_refused_in_the_standards_format(client, reporter):
    report_id = file_report(client, reporter)
    # The README's bound: 10,000 ids in one GET.
    most = [report_id, *(str(uuid.uuid4()) for _ in range(9_999))]
    answered = client.get(f"{BASE}/requests.json", query_string={"service_request_id": ",".join(most)})
    assert [r["service_request_id"] for r in parsed_json(answered)] == [report_id]

    too_many = ",".join([*most, str(uuid.uuid4())])
    refused = client.get(f"{BASE}/requests.xml", query_string={"service_request_id": too_many})
    assert "Tối đa 10.000 mã service_request_id" in assert_open311_error(refused, 400)


def test_a_crime_report_is_never_published(client, reporter):
    named = file_report(client, reporter, **CRIME)
    anonymous = client.post(
        "/me/reports", headers=reporter["headers"], json=report_body(anonymous=True, **CRIME)
    )
    assert anonymous.status_code == 201
    token = anonymous.json["tracking_token"]
    field = file_report(client, reporter)

    assert listed_ids(client) == [field]
    assert listed_ids(client, "?service_code=ma-tuy") == []
    assert listed_ids(client, f"?service_request_id={named},{anonymous.json['report']['id']}") == []
    for fmt in ("xml", "json"):
        assert_open311_error(client.get(f"{BASE}/requests/{named}.{fmt}"), 404, fmt)
        assert_open311_error(client.get(f"{BASE}/tokens/{token}.{fmt}"), 404, fmt)
    assert "ma tuý" not in client.get(f"{BASE}/requests.xml").get_data(as_text=True)


def test_no_personal_data_is_ever_published(client, app, api_key, citizen_headers, make_staff):
    """A request an Open311 client sent is published with its words, contacts redacted; one a
    citizen made in the app never shows what the citizen wrote."""
    officer_login = login(client, make_staff, "officer")
    officer = headers_of(officer_login)
    headers, person, _ = citizen_headers(full_name="Phạm Minh Khôi", phone="0934567890")
    reporter = {"headers": headers}
    sent = post_request(
        client,
        api_key,
        description="Ổ gà rất sâu, ai cần thêm thông tin gọi 0912 345 678 hoặc khoi.pham@gmail.com, "
        "CCCD 066090012345.",
        address_string="Hẻm 5 Lê Duẩn, nhà ông Khôi (0934567890)",
        first_name="Phạm",
        last_name="Minh Khôi",
        email="khoi.pham@gmail.com",
        phone="0934567890",
    )
    assert sent.status_code == 201, sent.get_data(as_text=True)
    report_id = parsed_json(sent)[0]["service_request_id"]
    in_the_app = file_report(
        client,
        reporter,
        description="Nhà tôi ở ngay ổ gà này, con tôi bị ngã hôm qua.",
        address="Nhà ông Khôi",
    )
    assert act(client, officer, report_id, "assign").status_code == 200
    internal = "Ghi chú nội bộ: người báo là họ hàng của cán bộ phường."
    comment = client.post(
        f"/staff/reports/{report_id}/comments", headers=officer, json={"body": internal, "internal": True}
    )
    assert comment.status_code == 201

    outputs = [
        client.get(f"{BASE}/requests.xml").get_data(as_text=True),
        client.get(f"{BASE}/requests.json").get_data(as_text=True),
        client.get(f"{BASE}/requests/{report_id}.xml").get_data(as_text=True),
        client.get(f"{BASE}/requests/{report_id}.json").get_data(as_text=True),
    ]
    with app.app_context():
        row = db.session.get(Report, uuid.UUID(report_id))
        secrets_of_row = [row.identity, row.tracking_token_hash, row.assignee.split(":")[1]]
        db.session.remove()
    forbidden = [
        "Phạm Minh Khôi",
        person["cccd"],
        str(person["id"]),
        "0934567890",
        "0912 345 678",
        "khoi.pham@gmail.com",
        "066090012345",
        internal,
        officer_login["id"],
        *secrets_of_row,
    ]
    forbidden += ["con tôi bị ngã", "Nhà ông Khôi", str(person["id"])]
    outputs += [
        client.get(f"{BASE}/requests/{in_the_app}.xml").get_data(as_text=True),
        client.get(f"{BASE}/requests/{in_the_app}.json").get_data(as_text=True),
    ]
    for output in outputs:
        assert (
            report_id in output and "Ổ gà rất sâu" in output and REDACTED in output
        ) or in_the_app in output
        leaked = [value for value in forbidden if value in output]
        assert leaked == [], leaked


@pytest.mark.parametrize(
    ("typed", "published"),
    [
        ("Gọi tôi 0912 345 678 nhé", f"Gọi tôi {REDACTED} nhé"),
        ("SĐT +84 912.345.678.", f"SĐT {REDACTED}."),
        ("(+84) 912345678", REDACTED),
        ("CCCD 066190012345, CMND 241234567", f"CCCD {REDACTED}, CMND {REDACTED}"),
        ("Bàn 0262-3852-123", f"Bàn {REDACTED}"),
        ("thư cho hoa.nguyen+pa@mail.gov.vn nhé", f"thư cho {REDACTED} nhé"),
        # What is not a contact stays: house numbers, amounts, dates, hotlines.
        ("Số 12 Lê Duẩn, phạt 1.500.000 đồng, gọi 113 hoặc 1900 0368", None),
        ("Ngày 01/07/2025 lúc 10:30", None),
    ],
)
def test_redact_contacts_hides_phones_ids_and_emails_only(typed, published):
    assert redact_contacts(typed) == (published if published is not None else typed)


def test_unknown_or_malformed_request_ids_answer_404(client):
    for path in (f"/requests/{uuid.uuid4()}", "/requests/khong-phai-uuid"):
        assert_open311_error(client.get(f"{BASE}{path}.xml"), 404, "xml")
        assert_open311_error(client.get(f"{BASE}{path}.json"), 404, "json")
        assert_open311_error(client.get(f"{BASE}{path}"), 404, "xml")


# ---- creating requests ----------------------------------------------------------------------


def test_a_request_posted_with_a_valid_key_reaches_the_desk(client, app, api_key, officer):
    response = post_request(client, api_key, fmt="xml")
    assert response.status_code == 201
    root = parsed_xml(response)
    assert root.tag == "service_requests"
    [created] = root.findall("request")
    # Every service is realtime: the id, and no token to wait on (the standard: one or the other).
    assert {child.tag for child in created} == {"service_request_id", "service_notice", "account_id"}
    report_id = created.find("service_request_id").text
    assert created.find("account_id").text == "acc-42"

    queue = client.get("/staff/reports", headers=officer)
    assert report_id in [item["id"] for item in queue.json]
    desk = client.get(f"/staff/reports/{report_id}", headers=officer).json
    assert desk["category"]["code"] == "o-ga" and desk["ward"]["code"] == DEMO_WARD
    with app.app_context():
        report = db.session.get(Report, uuid.UUID(report_id))
        assert report.channel == "open311" and report.citizen_id is None and report.media == []
        db.session.remove()
    [audit] = audit_entries(app, "report.open311_submit")
    assert audit.target == f"report:{report_id}" and audit.actor.startswith("service:")

    [listed] = parsed_json(client.get(f"{BASE}/requests/{report_id}.json"))
    assert listed["status"] == "open" and "le.van.tam" not in json.dumps(listed)


def test_the_clients_contact_is_stored_encrypted_and_only_what_was_sent(client, app, make_staff):
    response = post_request(
        client,
        make_key(app),
        service_code="dua-xe-trai-phep",
        description="Nhóm thanh niên đua xe mỗi tối thứ bảy.",
        phone=None,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    report_id = parsed_json(response)[0]["service_request_id"]

    with app.app_context():
        row = db.session.execute(text("SELECT * FROM reports")).mappings().one()
        db.session.remove()
    flat = " ".join(str(value) for value in row.values())
    for value in ("le.van.tam@example.vn", "Văn Tâm", "acc-42"):
        assert value not in flat
    assert str(row["identity"]).startswith("gAAAAA")  # a Fernet token

    # The police of the ward (this category is theirs) read it back through the audited route.
    police = headers_of(login(client, make_staff, "police"))
    identity = client.post(
        f"/staff/reports/{report_id}/identity", headers=police, json={"reason": "Liên hệ xác minh vụ đua xe"}
    )
    assert identity.status_code == 200, identity.json
    assert identity.json["full_name"] == "Lê Văn Tâm" and identity.json["email"] == "le.van.tam@example.vn"
    assert identity.json["phone"] is None and identity.json["cccd"] is None


def test_media_url_is_not_fetched_and_a_control_character_does_not_break_the_xml(client, app, api_key):
    response = post_request(
        client,
        api_key,
        media_url="http://127.0.0.1:9/anh.jpg",
        description="Ổ gà\x01 sâu, nước đọng\x07 cả tuần nay.",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    report_id = parsed_json(response)[0]["service_request_id"]
    with app.app_context():
        assert db.session.get(Report, uuid.UUID(report_id)).media == []
        db.session.remove()
    root = parsed_xml(client.get(f"{BASE}/requests.xml"))
    assert "nước đọng" in root.find("request").find("description").text


def test_a_request_without_a_description_or_with_a_short_one_is_taken(client, app, api_key, officer):
    """GeoReport v2 makes the description optional and sets no minimum: a service and a place
    are a field report. The desk gets it like any other."""
    bare = post_request(client, api_key, description=None)
    assert bare.status_code == 201, bare.get_data(as_text=True)
    bare_id = parsed_json(bare)[0]["service_request_id"]
    short = post_request(client, api_key, fmt="xml", description="Ổ gà")
    assert short.status_code == 201, short.get_data(as_text=True)
    short_id = parsed_xml(short).find("request").find("service_request_id").text

    desk = {item["id"]: item for item in client.get("/staff/reports", headers=officer).json}
    assert {bare_id, short_id} <= set(desk)
    bare_desk = client.get(f"/staff/reports/{bare_id}", headers=officer).json
    assert bare_desk["category"]["code"] == "o-ga" and bare_desk["ward"]["code"] == DEMO_WARD
    assert bare_desk["description"] == ""
    [published] = parsed_json(client.get(f"{BASE}/requests/{bare_id}.json"))
    assert published["description"] == "" and published["service_code"] == "o-ga"
    [published_short] = parsed_json(client.get(f"{BASE}/requests/{short_id}.json"))
    assert published_short["description"] == "Ổ gà"


def test_line_breaks_in_a_description_are_kept(client, api_key, officer, reporter):
    """FixMyStreet sends title, detail and link on lines of their own; they stay lines in the
    desk's view and in the standard's records, in XML and JSON. Other control characters go."""
    typed = "Ổ gà sâu trước số 12 Lê Duẩn\r\n\r\n\r\nNước đọng\x07 cả tuần,   gọi  0912 345 678.\r\nhttps://fms.example.vn/r/42\r\n"
    kept = f"Ổ gà sâu trước số 12 Lê Duẩn\n\nNước đọng cả tuần, gọi {REDACTED}.\nhttps://fms.example.vn/r/42"
    response = post_request(client, api_key, description=typed)
    assert response.status_code == 201, response.get_data(as_text=True)
    report_id = parsed_json(response)[0]["service_request_id"]

    desk = client.get(f"/staff/reports/{report_id}", headers=officer).json
    assert desk["description"] == kept.replace(REDACTED, "0912 345 678")  # the desk sees the number
    [as_json] = parsed_json(client.get(f"{BASE}/requests/{report_id}.json"))
    assert as_json["description"] == kept
    as_xml = parsed_xml(client.get(f"{BASE}/requests/{report_id}.xml"))
    assert as_xml.find("request").find("description").text == kept

    # A citizen's own line breaks in the app are kept the same way (for them and the desk: the
    # words of a report made in the app are not published).
    lines = "Ổ gà thứ hai, sâu hơn:\n- rộng khoảng 1 m\n- sâu 20 cm"
    app_report = file_report(client, reporter, description=lines)
    assert client.get(f"/me/reports/{app_report}", headers=reporter["headers"]).json["description"] == lines
    assert client.get(f"/staff/reports/{app_report}", headers=officer).json["description"] == lines


def test_attributes_the_service_does_not_name_and_deviceid_are_ignored(client, app, api_key, officer):
    response = client.post(f"{BASE}/requests.xml", data=fixmystreet_form(api_key))
    assert response.status_code == 201, response.get_data(as_text=True)
    [created] = parsed_xml(response).findall("request")
    report_id = created.find("service_request_id").text  # what FixMyStreet stores as external_id
    assert created.find("token") is None

    desk = client.get(f"/staff/reports/{report_id}", headers=officer).json
    assert desk["ward"]["code"] == DEMO_WARD and desk["category"]["code"] == "o-ga"
    assert desk["description"] == FIXMYSTREET_DESCRIPTION.strip()
    with app.app_context():
        row = db.session.execute(text("SELECT * FROM reports")).mappings().one()
        db.session.remove()
    flat = " ".join(str(value) for value in row.values())
    for ignored in ("100023336956", "12 Lê Duẩn, Buôn Ma Thuột", "iOS app", "daklak.gov.vn", "4242.0.full"):
        assert ignored not in flat
    # What the service definition names is still checked, and other unknown fields still refused.
    before = snapshot(app)
    wrong_ward = client.post(
        f"{BASE}/requests.xml", data=fixmystreet_form(api_key, **{"attribute[ward_code]": HANOI_WARD})
    )
    assert "không thuộc tỉnh" in assert_open311_error(wrong_ward, 400)
    typo = client.post(f"{BASE}/requests.xml", data=fixmystreet_form(api_key, adress_string="12 Lê Duẩn"))
    assert "adress_string" in assert_open311_error(typo, 400)
    assert snapshot(app) == before


@pytest.mark.parametrize("problem", ["forged", "unknown_client", "no_colon", "wrong_scope", "inactive"])
def test_a_request_with_a_bad_api_key_is_refused_and_nothing_is_written(client, app, api_key, problem):
    client_id, _, _ = api_key.partition(":")
    keys = {
        "forged": f"{client_id}:not-the-secret-at-all",
        "unknown_client": "ai-do:secret-of-nobody-1234",
        "no_colon": api_key.replace(":", ""),
        "wrong_scope": make_key(app, scopes=("catalogue:read",)),
        "inactive": make_key(app, active=False),
    }
    before = snapshot(app)
    response = post_request(client, keys[problem], fmt="xml")
    assert "api_key" in assert_open311_error(response, 403)
    assert snapshot(app) == before
    [failure] = audit_entries(app, "auth.api_key")
    assert failure.outcome == "denied"


def test_a_missing_api_key_is_refused_like_a_wrong_one(client, app):
    before = snapshot(app)
    assert "api_key" in assert_open311_error(post_request(client, None), 403, "json")
    assert snapshot(app) == before


def test_the_key_is_checked_before_the_form_so_a_stranger_learns_nothing_of_its_rules(client, app, api_key):
    client_id, _, _ = api_key.partition(":")
    response = post_request(client, f"{client_id}:wrong-secret", service_code="khong-co", lat="91")
    description = assert_open311_error(response, 403, "json")
    assert "api_key" in description and "khong-co" not in description


@pytest.mark.parametrize(
    ("overrides", "status", "says"),
    [
        ({"service_code": "khong-co"}, 404, "khong-co"),
        ({"service_code": "ma-tuy"}, 404, "113"),  # this interface takes no crime report
        ({"lat": "48.8566", "long": "2.3522"}, 400, "ngoài lãnh thổ Việt Nam"),
        ({"lat": None, "long": None, "address_string": None}, 400, "vị trí"),
        ({"lat": "12.6667", "long": None}, 400, "kinh độ"),
        ({"attribute[ward_code]": None}, 400, "phường, xã"),
        ({"attribute[ward_code]": HANOI_WARD}, 400, "không thuộc tỉnh"),
        ({"address_id": "A-123"}, 400, "address_id"),
        ({"attribute[incident_at]": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, 400, "tương lai"),
        ({"lat": "bac-nam"}, 400, "lat"),
        ({"colour": "red"}, 400, "colour"),
    ],
)
def test_a_bad_request_is_refused_in_the_standards_format_and_nothing_is_written(
    client, app, api_key, overrides, status, says
):
    before = snapshot(app)
    description = assert_open311_error(post_request(client, api_key, fmt="xml", **overrides), status)
    assert says in description
    assert snapshot(app) == before


def test_a_json_body_is_refused_as_a_bad_request(client, app, api_key):
    before = snapshot(app)
    response = client.post(f"{BASE}/requests.json", json=form(api_key))
    assert "application/x-www-form-urlencoded" in assert_open311_error(response, 400, "json")
    assert snapshot(app) == before


def test_a_huge_body_is_refused_before_anything_is_written(client, app, api_key):
    before = snapshot(app)
    huge = form(api_key, description="Ổ gà " * (app.config["MAX_CONTENT_LENGTH"] // 4))
    response = client.post(f"{BASE}/requests.xml", data=huge)
    assert_open311_error(response, 413)
    assert snapshot(app) == before
    assert report_count(app) == 0


def test_unknown_paths_and_methods_under_the_prefix_answer_in_the_standards_format(client):
    assert_open311_error(client.get(f"{BASE}/khong-co.json"), 404, "json")
    assert_open311_error(client.get(f"{BASE}/khong-co"), 404, "xml")
    assert_open311_error(client.get("/open311/v3/services.xml"), 404, "xml")
    refused = client.delete(f"{BASE}/requests.json")
    assert_open311_error(refused, 405, "json")
    assert "GET" in refused.headers["Allow"]
    assert_open311_error(client.post(f"{BASE}/services.xml"), 405, "xml")
    # Outside the prefix, problem details as everywhere else.
    assert client.get("/open311x").mimetype == "application/problem+json"


def test_unknown_tokens_answer_404(client):
    assert_open311_error(client.get(f"{BASE}/tokens/khong-phai-ma-theo-doi.json"), 404, "json")
    assert_open311_error(client.get(f"{BASE}/tokens/{'x' * 80}.xml"), 404, "xml")


def test_public_reads_are_rate_limited_per_address_in_the_standards_format(make_app):
    limited = make_app(RATELIMIT_PUBLIC_LOOKUP="2 per minute")
    client = limited.test_client()
    statuses = [client.get(f"{BASE}/services.json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get(f"{BASE}/services.json")
    assert_open311_error(refused, 429, "json")
    assert int(refused.headers["Retry-After"]) > 0


def test_service_accounts_keep_the_scope_they_were_given(app):
    key = make_key(app, scopes=("open311:write",))
    with app.app_context():
        account = db.session.scalar(
            select(ServiceAccount).where(ServiceAccount.client_id == key.split(":")[0])
        )
        assert auth.service_account_for_api_key(key, "open311:write").id == account.id
        assert auth.service_account_for_api_key(key, "chat:handoff") is None
        db.session.remove()
