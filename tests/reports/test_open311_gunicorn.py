"""Open311 under the real server: the Procfile's gunicorn, and clients nobody on the team wrote.

FixMyStreet syncs statuses with one GET naming every request it filed with us, and the PyPI
`georeport` client sends what it is given the same way: the request line grows with the list.
These tests start gunicorn exactly as `make run` does (the Procfile's `api` line) on a loopback
port, on the test session's database, and talk to it over HTTP.
"""

from __future__ import annotations

import http.client
import os
import runpy
import signal
import socket
import subprocess
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from georeport import GeoReport

from tests.conftest import free_port
from tests.reports.test_open311 import clone_reports, file_report

ROOT = Path(__file__).resolve().parents[2]
BASE = "/open311/v2"
MAX_IDS = 10_000  # the README's bound on the ids of one GET requests


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        process, _, command = line.partition(":")
        if process.strip() == name:
            return command.strip()
    raise AssertionError(f"no '{name}' process in the Procfile")


@pytest.fixture(scope="module")
def server(app, database_url, tmp_path_factory):
    """The Procfile's API process on a free loopback port, for this module; yields its base URL."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "API_HOST": "127.0.0.1",
        "API_PORT": str(port),
        "DATABASE_URL": database_url,
        "CDS_INSTANCE_PATH": str(tmp_path),
        "PUBLIC_BASE_URL": base_url,
        "REDIS_URL": "",
        "RATELIMIT_PUBLIC_LOOKUP": "1000 per minute",
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    # `exec`: the shell becomes gunicorn's master, so the pid below is the server's.
    command = procfile_command("api").removeprefix("exec ")
    process = subprocess.Popen(  # noqa: S603 (the project's own Procfile)
        ["/bin/bash", "-c", f"exec {command}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def port_of(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


def get(base_url: str, target: str) -> http.client.HTTPResponse:
    """A plain HTTP/1.1 GET of `target` as given (http.client puts no cap on its length)."""
    connection = http.client.HTTPConnection("127.0.0.1", port_of(base_url), timeout=60)
    connection.request("GET", target)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def fixmystreet_query(ids: list[str]) -> str:
    # Open311.pm: `join ',', @report_ids`, then URI's query_form, which escapes the commas.
    return urllib.parse.urlencode({"service_request_id": ",".join(ids), "jurisdiction_id": "daklak.gov.vn"})


def answered_ids(response: http.client.HTTPResponse) -> list[str]:
    assert response.status == 200, response.body[:500]
    assert response.getheader("Content-Type") == "text/xml; charset=utf-8"
    root = ET.fromstring(response.body)  # noqa: S314 (our own server's answer)
    assert root.tag == "service_requests"
    return [request.find("service_request_id").text for request in root.findall("request")]


def test_a_fixmystreet_status_sync_of_a_thousand_ids_is_answered(server, client, app, reporter):
    filed = [first := file_report(client, reporter), *clone_reports(app, first, 2)]
    ids = [str(uuid.uuid4()) for _ in range(997)]
    ids[100:100] = filed[:1]
    ids[700:700] = filed[1:]
    target = f"{BASE}/requests.xml?{fixmystreet_query(ids)}"
    assert len(target) > 38_000  # gunicorn's default answers 414 past 4,094 bytes

    assert answered_ids(get(server, target)) == filed


def test_the_georeport_client_reads_a_long_list_in_xml_and_json(server, client, app, reporter):
    filed = [first := file_report(client, reporter), *clone_reports(app, first, 4)]
    ids = filed + [str(uuid.uuid4()) for _ in range(995)]
    for output_format in ("xml", "json"):
        georeport = GeoReport(f"{server}{BASE}", jurisdiction="daklak.gov.vn", output_format=output_format)
        requests = georeport.get_service_requests(service_request_id=",".join(ids))
        assert [request["service_request_id"] for request in requests] == filed
        assert {request["service_code"] for request in requests} == {"o-ga"}
        assert all(request["status"] == "open" and request["lat"] for request in requests)
    single = GeoReport(f"{server}{BASE}", output_format="xml").get_service_request(filed[0])
    assert single["service_request_id"] == filed[0] and single["description"].startswith("Ổ gà")


def test_the_most_ids_the_api_takes_fit_in_the_request_line(server, client, reporter):
    report_id = file_report(client, reporter)
    ids = [str(uuid.uuid4()) for _ in range(MAX_IDS - 1)] + [report_id]
    assert answered_ids(get(server, f"{BASE}/requests.xml?{fixmystreet_query(ids)}")) == [report_id]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (f"{BASE}/requests.xml", "text/xml; charset=utf-8"),
        (f"{BASE}/requests", "text/xml; charset=utf-8"),
        (f"{BASE}/requests.json", "application/json; charset=utf-8"),
        ("/health", "application/problem+json"),
    ],
)
def test_a_request_line_past_the_bound_is_answered_414_in_the_apis_formats(server, path, content_type):
    bound = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["REQUEST_LINE_MAX"]
    # Just past the bound and without an end of line: the server has read all of it when it
    # answers, so the answer is not lost to a reset.
    line = f"GET {path}?service_request_id=".encode()
    line += b"0" * (bound + 64 - len(line))
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=60) as connection:
        connection.sendall(line)
        response = http.client.HTTPResponse(connection)
        response.begin()
        body = response.read()
    assert response.status == 414
    assert response.getheader("Content-Type") == content_type
    text = body.decode()
    assert "<html" not in text.lower()
    assert f"tối đa {bound // 1024} KB" in text
    if content_type.startswith("text/xml"):
        root = ET.fromstring(body)  # noqa: S314 (our own server's answer)
        assert root.tag == "errors" and root.find("error").find("code").text == "414"
        assert "service_request_id" in root.find("error").find("description").text
    elif content_type.startswith("application/json"):
        assert "service_request_id" in text and text.startswith('[{"code": 414')
    else:
        assert '"code":"uri_too_long"' in text.replace(" ", "")
