"""File storage backends: local disk and S3-compatible object storage (a real HTTP S3 endpoint)."""

from __future__ import annotations

import os
import socket
import uuid

import boto3
import pytest

from api.config import ConfigurationError
from api.storage import (
    InvalidStorageKey,
    LocalDiskStorage,
    S3Storage,
    StorageError,
    StorageObjectMissing,
    get_storage,
)
from tests.documents import samples
from tests.documents.conftest import upload

# ---- local disk -----------------------------------------------------------------------------------


def test_local_round_trip(tmp_path):
    storage = LocalDiskStorage(tmp_path)
    key = f"documents/{uuid.uuid4()}/{uuid.uuid4()}"
    assert not storage.exists(key)

    storage.put(key, b"%PDF-1.4 first", "application/pdf")
    storage.put(key, b"%PDF-1.4 second", "application/pdf")  # replaces

    assert storage.exists(key)
    assert storage.get(key) == b"%PDF-1.4 second"
    # Only the file itself: the temporary file of each write was renamed into place.
    assert [p.name for p in (tmp_path / key).parent.iterdir()] == [key.rsplit("/", 1)[1]]

    storage.delete(key)
    storage.delete(key)  # deleting twice is not an error
    assert not storage.exists(key)
    with pytest.raises(StorageObjectMissing):
        storage.get(key)


@pytest.mark.parametrize(
    "key",
    [
        "../outside",
        "documents/../../outside",
        "/etc/passwd",
        "documents//x",
        "documents/./x",
        ".hidden",
        "documents\\..\\x",
        "",
        "documents/x/",
        "tài-liệu",
    ],
)
def test_local_refuses_keys_that_could_escape(tmp_path, key):
    root = tmp_path / "files"
    storage = LocalDiskStorage(root)
    for operation in (
        lambda: storage.put(key, b"x", "application/pdf"),
        lambda: storage.get(key),
        lambda: storage.exists(key),
        lambda: storage.delete(key),
    ):
        with pytest.raises(InvalidStorageKey):
            operation()
    assert not (tmp_path / "outside").exists()


def test_local_refuses_a_symlink_out_of_the_root(tmp_path):
    root = tmp_path / "files"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "documents").symlink_to(outside)
    storage = LocalDiskStorage(root)
    with pytest.raises(InvalidStorageKey):
        storage.put("documents/x", b"x", "application/pdf")
    assert list(outside.iterdir()) == []


def test_local_write_failure_mid_write_removes_the_temporary_file(tmp_path, monkeypatch):
    storage = LocalDiskStorage(tmp_path)

    def no_space(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StorageError):
        storage.put("documents/x", b"x" * 1000, "application/pdf")
    assert list((tmp_path / "documents").iterdir()) == []


def test_default_local_root_is_in_the_instance_path(make_app):
    app = make_app()
    storage = get_storage(app)
    assert isinstance(storage, LocalDiskStorage)
    assert str(storage.root) == os.path.realpath(os.path.join(app.instance_path, "files"))
    assert get_storage(app) is storage  # one per app


def test_configured_local_root(make_app, tmp_path):
    app = make_app(STORAGE_LOCAL_ROOT=str(tmp_path / "giay-to"))
    assert get_storage(app).root == (tmp_path / "giay-to").resolve()


def test_local_storage_is_on_the_readiness_page(client):
    storage = client.get("/ready").json["dependencies"]["storage"]
    assert storage == {"state": "ok", "detail": "đĩa cục bộ", "required": False}


def test_unwritable_local_root_is_down_but_the_api_stays_ready(make_app, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    app = make_app(STORAGE_LOCAL_ROOT=str(blocker / "files"))  # a directory under a file: impossible
    response = app.test_client().get("/ready")
    assert response.status_code == 200
    assert response.json["dependencies"]["storage"]["state"] == "down"


def test_unknown_backend_stops_the_start(make_app):
    with pytest.raises(ConfigurationError, match="STORAGE_BACKEND"):
        make_app(STORAGE_BACKEND="ftp")


def test_s3_without_bucket_stops_the_start(make_app):
    with pytest.raises(ConfigurationError, match="S3_BUCKET"):
        make_app(STORAGE_BACKEND="s3", S3_BUCKET="")


# ---- S3: boto3's own code over HTTP against a local S3 endpoint ----------------------------------


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


S3_CREDENTIALS = {"access_key_id": "kiem-thu", "secret_access_key": "kiem-thu-bi-mat", "region": "us-east-1"}


@pytest.fixture
def s3_bucket(s3_endpoint):
    name = f"giay-to-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=S3_CREDENTIALS["access_key_id"],
        aws_secret_access_key=S3_CREDENTIALS["secret_access_key"],
        region_name=S3_CREDENTIALS["region"],
    ).create_bucket(Bucket=name)
    return name


def test_s3_round_trip(s3_endpoint, s3_bucket):
    storage = S3Storage(s3_bucket, endpoint_url=s3_endpoint, **S3_CREDENTIALS)
    key = f"documents/{uuid.uuid4()}/{uuid.uuid4()}"
    data = samples.png()

    assert not storage.exists(key)
    storage.put(key, data, "image/png")
    assert storage.exists(key)
    assert storage.get(key) == data
    head = storage.client.head_object(Bucket=s3_bucket, Key=key)
    assert head["ContentType"] == "image/png"
    assert head["ContentLength"] == len(data)

    storage.delete(key)
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(StorageObjectMissing):
        storage.get(key)
    assert storage.readiness() == ("ok", f"S3: {s3_bucket}")


def test_s3_refuses_keys_that_are_not_ours(s3_endpoint, s3_bucket):
    storage = S3Storage(s3_bucket, endpoint_url=s3_endpoint, **S3_CREDENTIALS)
    with pytest.raises(InvalidStorageKey):
        storage.put("../x", b"x", "application/pdf")


def test_s3_missing_bucket_is_down_and_a_storage_error(s3_endpoint):
    storage = S3Storage("khong-co-bucket-nay", endpoint_url=s3_endpoint, **S3_CREDENTIALS)
    assert storage.readiness()[0] == "down"
    with pytest.raises(StorageError):
        storage.put("documents/x", b"x", "application/pdf")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_s3_unreachable_is_down(make_app):
    app = make_app(
        STORAGE_BACKEND="s3",
        S3_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}",
        S3_BUCKET="giay-to",
        S3_ACCESS_KEY_ID="kiem-thu",
        S3_SECRET_ACCESS_KEY="kiem-thu-bi-mat",
        S3_REGION="us-east-1",
    )
    response = app.test_client().get("/ready")
    assert response.status_code == 200  # storage is not required for readiness
    storage = response.json["dependencies"]["storage"]
    assert storage["state"] == "down"
    assert "127.0.0.1" not in storage["detail"]


def test_documents_stored_in_s3_through_the_api(make_app, citizen_headers, s3_endpoint, s3_bucket):
    app = make_app(
        STORAGE_BACKEND="s3",
        S3_ENDPOINT_URL=s3_endpoint,
        S3_BUCKET=s3_bucket,
        S3_ACCESS_KEY_ID=S3_CREDENTIALS["access_key_id"],
        S3_SECRET_ACCESS_KEY=S3_CREDENTIALS["secret_access_key"],
        S3_REGION=S3_CREDENTIALS["region"],
    )
    client = app.test_client()
    headers, person, _ = citizen_headers()
    data = samples.jpeg()

    created = upload(client, headers, data, filename="anh-the.jpg", kind="anh_chan_dung")
    assert created.status_code == 201, created.json
    key = f"documents/{person['id']}/{created.json['id']}"
    storage = get_storage(app)
    assert isinstance(storage, S3Storage)
    assert storage.exists(key)

    content = client.get(f"/me/documents/{created.json['id']}/content", headers=headers)
    assert content.data == data
    assert content.mimetype == "image/jpeg"
    assert client.get("/ready").json["dependencies"]["storage"]["state"] == "ok"

    assert client.delete(f"/me/documents/{created.json['id']}", headers=headers).status_code == 204
    assert not storage.exists(key)
