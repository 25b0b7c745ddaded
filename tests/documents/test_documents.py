"""The personal document store over HTTP: a citizen stores papers once and reads them back intact."""

from __future__ import annotations

import hashlib
import io
import json
import uuid

import pytest
from sqlalchemy import func, select

from api.audit import AuditEntry
from api.documents import service
from api.documents.models import StoredDocument
from api.errors import ApiError
from api.extensions import db
from api.storage import LocalDiskStorage, StorageError, get_storage
from tests.documents import samples
from tests.documents.conftest import upload

MB = 1024 * 1024


def _count_documents(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredDocument))


@pytest.mark.parametrize(
    ("maker", "filename", "content_type"),
    [
        (lambda: samples.MINIMAL_PDF, "Giấy khai sinh.pdf", "application/pdf"),
        (samples.png, "cccd-mat-truoc.png", "image/png"),
        (samples.jpeg, "anh the.JPG", "image/jpeg"),
    ],
)
def test_upload_then_download_returns_the_same_bytes(
    app, client, citizen_headers, stored_files, maker, filename, content_type
):
    headers, person, _ = citizen_headers()
    data = maker()

    response = upload(client, headers, data, filename=filename, title="  CCCD   mặt trước ", kind="cccd")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["title"] == "CCCD mặt trước"  # NFC, spaces collapsed
    assert body["kind"] == "cccd"
    assert body["content_type"] == content_type
    assert body["size_bytes"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["filename"] == filename
    assert body["created_at"].endswith("+07:00")
    assert response.headers["Location"].endswith(f"/me/documents/{body['id']}")
    # The blob's key comes from the ids, never from the citizen's file name.
    assert stored_files() >= {f"documents/{person['id']}/{body['id']}"}

    metadata = client.get(f"/me/documents/{body['id']}", headers=headers)
    assert metadata.status_code == 200
    assert metadata.json == body

    content = client.get(f"/me/documents/{body['id']}/content", headers=headers)
    assert content.status_code == 200
    assert content.data == data
    assert content.mimetype == content_type
    assert content.headers["Content-Disposition"].startswith("attachment")
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in content.headers["Cache-Control"]


def test_vietnamese_file_name_survives_in_the_download(client, citizen_headers):
    headers, _, _ = citizen_headers()
    created = upload(client, headers, samples.MINIMAL_PDF, filename="Giấy khai sinh.pdf").json
    disposition = client.get(f"/me/documents/{created['id']}/content", headers=headers).headers[
        "Content-Disposition"
    ]
    # RFC 6266: an ASCII fallback and the UTF-8 name, percent-encoded.
    assert "filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf" in disposition


def test_file_without_extension_is_named_after_its_content(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = upload(
        client, headers, samples.png(), filename="anh-chup", content_type="application/octet-stream"
    )
    assert response.status_code == 201, response.json
    assert response.json["filename"] == "anh-chup.png"
    assert response.json["content_type"] == "image/png"


def test_path_in_the_file_name_is_dropped(client, citizen_headers, stored_files):
    headers, person, _ = citizen_headers()
    response = upload(client, headers, samples.MINIMAL_PDF, filename="../../../etc/giay-to.pdf")
    assert response.status_code == 201, response.json
    assert response.json["filename"] == "giay-to.pdf"
    assert stored_files() >= {f"documents/{person['id']}/{response.json['id']}"}


# ---- refusals: nothing is written -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "status", "code"),
    [
        pytest.param(
            samples.HTML_PAGE,
            "giay-to.pdf",
            "application/pdf",
            415,
            "unsupported_file_type",
            id="html-as-pdf",
        ),
        pytest.param(
            samples.WINDOWS_EXE, "anh.jpg", "image/jpeg", 415, "unsupported_file_type", id="exe-as-jpeg"
        ),
        pytest.param(
            samples.PNG_HEADER_THEN_GARBAGE, "anh.png", "image/png", 422, "file_corrupt", id="png-garbage"
        ),
        pytest.param(
            samples.png(), "giay-to.pdf", "application/pdf", 415, "unsupported_file_type", id="png-as-pdf"
        ),
        pytest.param(samples.MINIMAL_PDF, "giay-to.exe", None, 415, "unsupported_file_type", id="pdf-as-exe"),
        pytest.param(samples.MINIMAL_PDF[:-8], "giay-to.pdf", None, 422, "file_corrupt", id="truncated-pdf"),
        pytest.param(samples.jpeg()[:-300], "anh.jpg", None, 422, "file_corrupt", id="truncated-jpeg"),
        pytest.param(
            samples.MINIMAL_PDF, "giay-to.pdf", "text/html", 415, "unsupported_file_type", id="declared-html"
        ),
        pytest.param(b"", "giay-to.pdf", None, 422, "file_missing", id="empty"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    app, client, citizen_headers, stored_files, data, filename, content_type, status, code
):
    headers, _, _ = citizen_headers()
    before = stored_files()

    response = upload(client, headers, data, filename=filename, content_type=content_type)

    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code
    assert response.json["detail"]  # Vietnamese text for the citizen
    assert stored_files() == before
    assert _count_documents(app) == 0
    assert client.get("/me/documents", headers=headers).json == []


def test_missing_file_field(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.post(
        "/me/documents", data={"title": "CCCD"}, headers=headers, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert response.json["code"] == "file_missing"


def test_missing_title_and_unknown_kind_are_field_errors(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.post(
        "/me/documents",
        data={"kind": "ho_chieu_gia", "file": (io.BytesIO(samples.MINIMAL_PDF), "a.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    fields = {error["field"]: error["messages"] for error in response.json["errors"]}
    assert fields["title"] == ["Trường này là bắt buộc."]
    assert "Loại giấy tờ không hợp lệ" in fields["kind"][0]


def test_empty_kind_means_none(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = upload(client, headers, samples.MINIMAL_PDF, kind="")
    assert response.status_code == 201, response.json
    assert response.json["kind"] is None


def test_blank_title_is_refused(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = upload(client, headers, samples.MINIMAL_PDF, title="   ")
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "title"


def test_json_body_to_the_upload_route_is_415(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = client.post("/me/documents", json={"title": "CCCD", "file": "JVBERi0xLjQ="}, headers=headers)
    assert response.status_code == 415
    assert response.json["code"] == "unsupported_media_type"
    assert "multipart/form-data" in response.json["detail"]


# ---- size limits ----------------------------------------------------------------------------------


def test_exactly_the_limit_is_accepted(client, citizen_headers):
    headers, _, _ = citizen_headers()
    data = samples.pdf_of_size(10 * MB)
    response = upload(client, headers, data)
    assert response.status_code == 201, response.json
    assert response.json["size_bytes"] == 10 * MB


def test_one_byte_over_the_limit_is_413(app, client, citizen_headers, stored_files):
    headers, _, _ = citizen_headers()
    before = stored_files()
    response = upload(client, headers, samples.pdf_of_size(10 * MB + 1))
    assert response.status_code == 413
    assert response.json["code"] == "file_too_large"
    assert "10 MB" in response.json["detail"]
    assert stored_files() == before
    assert _count_documents(app) == 0


def test_a_body_far_over_the_limit_is_refused_before_reading(client, citizen_headers):
    headers, _, _ = citizen_headers()
    response = upload(client, headers, b"\0" * (11 * MB))
    assert response.status_code == 413
    assert response.json["code"] == "file_too_large"


def test_json_routes_keep_their_1_mb_limit(client):
    response = client.post("/auth/staff/login", json={"username": "a" * (1 * MB + 10), "password": "x"})
    assert response.status_code == 413
    assert response.json["code"] == "payload_too_large"


def test_upload_limit_is_configurable(make_app, citizen_headers):
    client = make_app(UPLOAD_MAX_BYTES=2048).test_client()
    headers, _, _ = citizen_headers()
    response = upload(client, headers, samples.pdf_of_size(2049))
    assert response.status_code == 413
    assert response.json["code"] == "file_too_large"
    assert "2 KB" in response.json["detail"]
    assert upload(client, headers, samples.pdf_of_size(2048)).status_code == 201


# ---- store once -----------------------------------------------------------------------------------


def test_same_content_twice_is_one_document(app, client, citizen_headers):
    headers, _, _ = citizen_headers()
    first = upload(client, headers, samples.MINIMAL_PDF, title="Giấy khai sinh", filename="gks.pdf")
    again = upload(client, headers, samples.MINIMAL_PDF, title="Giấy khai sinh (bản 2)", filename="khac.pdf")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json == first.json  # the first title and name stay
    assert _count_documents(app) == 1

    other_headers, _, _ = citizen_headers()
    theirs = upload(client, other_headers, samples.MINIMAL_PDF)
    assert theirs.status_code == 201  # another citizen's store is their own
    assert theirs.json["id"] != first.json["id"]


def test_list_is_newest_first_and_paginated(client, citizen_headers):
    headers, _, _ = citizen_headers()
    ids = [
        upload(client, headers, samples.png(color=(index, 0, 0)), filename=f"{index}.png").json["id"]
        for index in range(3)
    ]
    other_headers, _, _ = citizen_headers()
    upload(client, other_headers, samples.MINIMAL_PDF)

    response = client.get("/me/documents?page=1&page_size=2", headers=headers)
    assert response.status_code == 200
    assert [d["id"] for d in response.json] == [ids[2], ids[1]]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    assert [d["id"] for d in client.get("/me/documents?page=2&page_size=2", headers=headers).json] == [ids[0]]


# ---- ownership and roles --------------------------------------------------------------------------


def test_another_citizens_document_is_not_found(app, client, citizen_headers, stored_files):
    headers, _, _ = citizen_headers()
    owner_headers, owner, _ = citizen_headers()
    theirs = upload(client, owner_headers, samples.MINIMAL_PDF, title="Giấy chứng nhận kết hôn").json
    missing = uuid.uuid4()

    for suffix, method in (("", "get"), ("/content", "get"), ("", "delete")):
        foreign = getattr(client, method)(f"/me/documents/{theirs['id']}{suffix}", headers=headers)
        absent = getattr(client, method)(f"/me/documents/{missing}{suffix}", headers=headers)
        assert foreign.status_code == absent.status_code == 404
        assert foreign.json == {**absent.json, "request_id": foreign.json["request_id"]}
        assert foreign.json["code"] == "document_not_found"
        assert "kết hôn" not in foreign.get_data(as_text=True)

    assert client.get(f"/me/documents/{theirs['id']}", headers=owner_headers).status_code == 200
    assert f"documents/{owner['id']}/{theirs['id']}" in stored_files()


def test_staff_and_anonymous_callers_are_refused(client, citizen_headers, staff_headers):
    headers, _, _ = citizen_headers()
    created = upload(client, headers, samples.MINIMAL_PDF).json
    officer, _ = staff_headers("officer")

    assert client.get("/me/documents", headers=officer).status_code == 403
    assert client.get(f"/me/documents/{created['id']}/content", headers=officer).status_code == 403
    assert upload(client, officer, samples.MINIMAL_PDF).status_code == 403
    assert client.get("/me/documents").status_code == 401


# ---- delete ---------------------------------------------------------------------------------------


def test_delete_removes_row_and_file_and_is_audited(app, client, citizen_headers, stored_files):
    headers, person, _ = citizen_headers()
    created = upload(client, headers, samples.jpeg(), filename="anh.jpg").json
    key = f"documents/{person['id']}/{created['id']}"
    assert key in stored_files()

    response = client.delete(f"/me/documents/{created['id']}", headers=headers)
    assert response.status_code == 204
    assert key not in stored_files()
    assert client.get(f"/me/documents/{created['id']}", headers=headers).status_code == 404
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == f"document:{created['id']}")
        ).all()
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.upload")).all()
    assert sorted(actions) == ["document.delete", "document.upload"]
    assert entries[0].actor == f"citizen:{person['id']}"
    assert entries[0].detail["sha256"] == created["sha256"]
    # Stored again after deleting: a new document.
    assert upload(client, headers, samples.jpeg(), filename="anh.jpg").status_code == 201


@pytest.fixture
def usage_check():
    """Register a usage check (as the dossiers domain does) for the test's duration."""
    registered = []

    def register(check):
        service.register_usage_check(check)
        registered.append(check)

    yield register
    for check in registered:
        service.unregister_usage_check(check)


def test_a_document_in_use_cannot_be_deleted(app, client, citizen_headers, stored_files, usage_check):
    headers, _, _ = citizen_headers()
    used = upload(client, headers, samples.MINIMAL_PDF).json
    unused = upload(client, headers, samples.png(), filename="anh.png").json
    seen = []

    def in_a_dossier(document_id):
        seen.append(document_id)
        return str(document_id) == used["id"]

    usage_check(in_a_dossier)

    response = client.delete(f"/me/documents/{used['id']}", headers=headers)
    assert response.status_code == 409
    assert response.json["code"] == "document_in_use"
    assert "hồ sơ" in response.json["detail"]
    assert isinstance(seen[0], uuid.UUID)
    assert client.get(f"/me/documents/{used['id']}/content", headers=headers).data == samples.MINIMAL_PDF

    assert client.delete(f"/me/documents/{unused['id']}", headers=headers).status_code == 204


# ---- storage failures -----------------------------------------------------------------------------


class BrokenDiskStorage(LocalDiskStorage):
    def put(self, key, data, content_type):
        raise StorageError("disk full")


def test_storage_failure_writes_nothing_to_the_database(app, make_app, citizen_headers, tmp_path):
    broken_app = make_app()
    broken_app.extensions["storage"] = BrokenDiskStorage(tmp_path)
    client = broken_app.test_client()
    headers, _, _ = citizen_headers()

    response = upload(client, headers, samples.MINIMAL_PDF)

    assert response.status_code == 503
    assert response.json["code"] == "storage_unavailable"
    assert _count_documents(app) == 0
    with app.app_context():
        assert (
            db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("document.%"))).all()
            == []
        )
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_database_failure_removes_the_stored_file(app, stored_files):
    before = stored_files()
    with app.app_context():
        # No such citizen: the foreign key fails at commit, after the blob was written.
        with pytest.raises(Exception, match=r"(?i)foreign key"):
            service.store(uuid.uuid4(), title="CCCD", filename="cccd.pdf", data=samples.MINIMAL_PDF)
        db.session.rollback()
    assert stored_files() == before
    assert _count_documents(app) == 0


def test_damaged_or_lost_file_is_an_error_not_wrong_bytes(app, client, citizen_headers):
    headers, person, _ = citizen_headers()
    created = upload(client, headers, samples.MINIMAL_PDF).json
    key = f"documents/{person['id']}/{created['id']}"
    storage = get_storage(app)

    storage.put(key, samples.MINIMAL_PDF.replace(b"595", b"600"), "application/pdf")
    damaged = client.get(f"/me/documents/{created['id']}/content", headers=headers)
    assert damaged.status_code == 500
    assert damaged.json["code"] == "document_content_unavailable"

    storage.delete(key)
    lost = client.get(f"/me/documents/{created['id']}/content", headers=headers)
    assert lost.status_code == 500
    assert lost.json["code"] == "document_content_unavailable"


def test_service_api_for_other_domains(app, citizen_headers):
    """What the dossiers domain uses: get_owned and read_content, 404 for someone else's."""
    _, person, _ = citizen_headers()
    _, other, _ = citizen_headers()
    with app.app_context():
        document = service.store(person["id"], title="Sổ hộ khẩu", kind="so_ho_khau", data=samples.png())
        assert document.filename == "giay-to.png"
        found = service.get_owned(person["id"], document.id)
        assert service.read_content(found) == samples.png()
        with pytest.raises(ApiError) as refused:
            service.get_owned(other["id"], document.id)
        assert refused.value.status == 404
        assert refused.value.code == "document_not_found"
