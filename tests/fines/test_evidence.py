"""Evidence photos of a fine: served to the notice's owner and to the police, nobody else.

Two citizens (the owner and a stranger), the police, another officer and an anonymous caller
ask for the same photo; the photos are real JPEGs in the app's storage, on a camera server of the
test's own, or in a folder imported with the notices.
"""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import select

from api.audit import AuditEntry
from api.extensions import db
from api.fines.models import FineNotice
from api.storage import get_storage
from tests.conftest import LoopbackHTTP
from tests.fines.conftest import assert_problem, notice_body
from tests.fines.test_cli import write_csv


def jpeg(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


def stored(app, data: bytes, content_type: str = "image/jpeg") -> str:
    """A file in the app's storage under a key of this test's own; the key."""
    key = f"fines/evidence/test-{uuid.uuid4().hex}.jpg"
    with app.app_context():
        get_storage().put(key, data, content_type)
    return key


class CameraServer(LoopbackHTTP):
    """The police's camera system: serves photos by path, counts requests, can be stopped."""

    def __init__(self, photos: dict[str, bytes]) -> None:
        self.photos = photos
        super().__init__(
            lambda path: (200, photos[path], "image/jpeg") if path in photos else (404, b"", "image/jpeg")
        )


@pytest.fixture
def camera():
    server = CameraServer({"/anh/1.jpg": jpeg((20, 120, 200))})
    yield server
    server.stop()


def get_photo(client, url: str, headers=None):
    return client.get(url, headers=headers or {})


def test_the_owner_and_the_police_see_the_photo_and_nobody_else(
    app, client, owner, stranger, police, staff_headers, issue
):
    photo = jpeg()
    key = stored(app, photo)
    fine = issue(evidence=[key])

    mine = client.get(f"/me/fines/{fine['id']}", headers=owner["headers"]).json
    assert [item["url"] for item in mine["evidence"]] == [
        f"/me/fines/{fine['id']}/evidence/{mine['evidence'][0]['id']}"
    ]
    assert key not in str(mine)  # the storage key stays inside
    url = mine["evidence"][0]["url"]

    shown = get_photo(client, url, owner["headers"])
    assert shown.status_code == 200
    assert shown.mimetype == "image/jpeg" and shown.data == photo
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"

    # Another citizen: the same 404 as a notice that does not exist.
    assert_problem(get_photo(client, url, stranger["headers"]), 404, "fine_not_found")
    assert_problem(get_photo(client, url), 401, "token_missing")
    officer, _ = staff_headers("officer")
    assert_problem(get_photo(client, url, officer), 403, "forbidden")
    police_url = url.replace("/me/fines/", "/police/fines/")
    assert_problem(get_photo(client, police_url, officer), 403, "forbidden")
    assert_problem(get_photo(client, police_url, stranger["headers"]), 403, "forbidden")

    # The police reach it from their own view of the notice, and each view is audited.
    police_view = client.get(f"/police/fines?plate={fine['plate']}", headers=police).json[0]
    assert police_view["evidence"] == [{"id": mine["evidence"][0]["id"], "url": police_url}]
    assert police_view["evidence_sources"] == [key]
    seen = get_photo(client, police_url, police)
    assert seen.status_code == 200 and seen.data == photo
    with app.app_context():
        reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "fine.evidence_read")).all()
        assert [(entry.target, entry.detail["evidence"]) for entry in reads] == [
            (f"fine:{fine['id']}", mine["evidence"][0]["id"])
        ]


def test_an_unknown_photo_id_is_404(client, owner, issue, app):
    fine = issue(evidence=[stored(app, jpeg())])
    response = get_photo(client, f"/me/fines/{fine['id']}/evidence/0123456789abcdef", owner["headers"])
    assert_problem(response, 404, "evidence_not_found")


def test_a_photo_on_the_camera_system_is_fetched_once_and_kept(app, client, owner, issue, camera):
    fine = issue(evidence=[f"{camera.url}/anh/1.jpg"])
    [item] = client.get(f"/me/fines/{fine['id']}", headers=owner["headers"]).json["evidence"]
    assert camera.url not in item["url"]

    first = get_photo(client, item["url"], owner["headers"])
    assert first.status_code == 200 and first.data == camera.photos["/anh/1.jpg"]
    camera.stop()  # the police's system may go away: the photo was kept
    again = get_photo(client, item["url"], owner["headers"])
    assert again.status_code == 200 and again.data == first.data
    assert camera.requests == 1


def test_photos_that_cannot_be_shown_say_why(app, client, owner, issue, camera):
    from tests.conftest import free_port

    fine = issue(
        evidence=[
            "fines/evidence/never-transferred.jpg",  # referenced, never stored
            stored(app, b"<html><script>alert(1)</script></html>", "text/html"),
            f"{camera.url}/anh/xoa.jpg",  # gone from the camera system
            f"http://127.0.0.1:{free_port()}/anh/2.jpg",  # the camera system is down
        ]
    )
    urls = [
        item["url"]
        for item in client.get(f"/me/fines/{fine['id']}", headers=owner["headers"]).json["evidence"]
    ]
    assert_problem(get_photo(client, urls[0], owner["headers"]), 404, "evidence_missing")
    refused = get_photo(client, urls[1], owner["headers"])
    assert_problem(refused, 502, "evidence_invalid")
    assert b"<script>" not in refused.data
    assert_problem(get_photo(client, urls[2], owner["headers"]), 404, "evidence_missing")
    assert_problem(get_photo(client, urls[3], owner["headers"]), 503, "evidence_unavailable")


def test_an_import_with_its_photo_folder_stores_the_photos(app, client, owner, tmp_path):
    folder = tmp_path / "anh"
    (folder / "cam7").mkdir(parents=True)
    photo = jpeg((10, 200, 10))
    (folder / "cam7" / "1.jpg").write_bytes(photo)
    (folder / "cam7" / "not-a-photo.jpg").write_text("<html></html>")
    (tmp_path / "outside.jpg").write_bytes(photo)
    rows = [
        notice_body(owner["cccd"], evidence=["cam7/1.jpg"]),
        notice_body(owner["cccd"], evidence=["cam7/missing.jpg"]),
        notice_body(owner["cccd"], evidence=["cam7/not-a-photo.jpg"]),
        notice_body(owner["cccd"], evidence=["../outside.jpg"]),
    ]
    table = tmp_path / "vi-pham.csv"
    write_csv(table, rows)

    result = app.test_cli_runner().invoke(
        args=["fines", "import", str(table), "--evidence-dir", str(folder)], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output  # rows were rejected
    assert "thêm mới 1" in result.output and "từ chối 3" in result.output
    assert "Không tìm thấy ảnh bằng chứng 'cam7/missing.jpg'" in result.output
    assert "'cam7/not-a-photo.jpg' không phải ảnh JPEG hoặc PNG nguyên vẹn" in result.output
    assert "Không tìm thấy ảnh bằng chứng '../outside.jpg'" in result.output
    with app.app_context():
        stored_refs = db.session.scalars(select(FineNotice.evidence)).all()
    assert len(stored_refs) == 1 and stored_refs[0][0].startswith("fines/evidence/imported/")

    [fine] = client.get("/me/fines", headers=owner["headers"]).json
    shown = get_photo(client, fine["evidence"][0]["url"], owner["headers"])
    assert shown.status_code == 200 and shown.data == photo


def test_a_notice_never_serves_a_file_stored_outside_the_evidence_photos(
    app, client, owner, stranger, police, issue
):
    """The storage also holds citizens' documents and report photos: a notice naming one (a feed's
    mistake, or a row written around the API's checks) serves nothing of it."""
    from tests.fines.conftest import notice_body

    someone_elses = jpeg((1, 2, 3))
    key = f"documents/{stranger['id']}/{uuid.uuid4()}"
    with app.app_context():
        get_storage().put(key, someone_elses, "image/jpeg")

    refused = client.post("/police/fines", headers=police, json=notice_body(owner["cccd"], evidence=[key]))
    assert_problem(refused, 422, "validation_failed")
    assert refused.json["errors"][0]["field"] == "evidence.0"

    fine = issue(evidence=[stored(app, jpeg())])
    with app.app_context():
        row = db.session.get(FineNotice, uuid.UUID(fine["id"]))
        row.evidence = [key]
        db.session.commit()
    [photo] = client.get(f"/me/fines/{fine['id']}", headers=owner["headers"]).json["evidence"]
    shown = get_photo(client, photo["url"], owner["headers"])
    assert_problem(shown, 404, "evidence_missing")
    assert someone_elses not in shown.data
    police_view = get_photo(client, photo["url"].replace("/me/fines/", "/police/fines/"), police)
    assert_problem(police_view, 404, "evidence_missing")
