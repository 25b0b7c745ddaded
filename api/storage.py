"""File storage: where uploaded files (personal documents, later dossier results) keep their bytes.

The database holds metadata and a storage key; the bytes live behind the small `Storage`
interface, so a single server keeps them on its own disk (`LocalDiskStorage`, the default for
`make run`) and a production deployment with several API processes puts them in an
S3-compatible object store (`S3Storage`: MinIO, Ceph, Viettel/VNPT/FPT object storage, AWS).

Keys are made by the server (`documents/<citizen uuid>/<document uuid>`), never taken from a
user's file name; both backends still refuse keys that could climb out of their root, so a
future caller that forgets this cannot turn a key into a path traversal.

`get_storage()` builds the configured backend once per app (cached in `app.extensions`);
`init_app` does so at start-up, so a wrong STORAGE_BACKEND stops the app instead of the first
upload, and registers the readiness check shown at `/ready`.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

from flask import Flask, current_app

from api.config import ConfigurationError

log = logging.getLogger(__name__)

EXTENSION_KEY = "storage"

# Segments of letters, digits, dot, dash and underscore, joined by "/"; no segment may be "." or
# "..", start with a dot, or be empty. UUID-based keys always match; anything else is a bug.
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}){0,7}")


class StorageError(Exception):
    """The storage backend failed (unreachable, full, refused): the caller answers 503."""


class StorageObjectMissing(StorageError):
    """No object under this key."""


class InvalidStorageKey(ValueError):
    """A key that is not one the server makes (empty, absolute, `..`, odd characters)."""


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > 512:
        raise InvalidStorageKey(f"invalid storage key: {key!r}")
    return key


class Storage(ABC):
    """Bytes by key. Implementations raise `StorageError` for any backend failure."""

    name = "storage"

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there; all or nothing."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes under `key`; `StorageObjectMissing` when there are none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; removing a missing object is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def readiness(self) -> tuple[str, str]:
        """("ok" | "down", Vietnamese detail) for `/ready`; must not raise."""


class LocalDiskStorage(Storage):
    """Files under one directory on this machine's disk.

    Writes go to a temporary file in the target directory and are renamed into place with
    `os.replace`, which is atomic on POSIX: a reader never sees half a file, and a crash
    mid-write leaves at most a stray temporary file, never a truncated document.
    """

    name = "local"

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        check_key(key)
        path = (self.root / key).resolve()
        # The key pattern already excludes "..", but resolve() also follows symlinks: this is
        # the check that actually holds the line.
        if os.path.commonpath([self.root, path]) != str(self.root) or path == self.root:
            raise InvalidStorageKey(f"storage key escapes the storage root: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        temporary = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".upload-", delete=False) as handle:
                temporary = handle.name
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())  # the rename must not land before the bytes do
            os.replace(temporary, path)
            temporary = None
        except OSError as exc:
            raise StorageError(f"cannot write {key}: {exc.strerror or exc}") from exc
        finally:
            if temporary is not None:
                _remove_quietly(temporary)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise StorageObjectMissing(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror or exc}") from exc

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {key}: {exc.strerror or exc}") from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def readiness(self) -> tuple[str, str]:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError:
            return "down", "không tạo được thư mục lưu tệp"
        if not os.access(self.root, os.W_OK | os.X_OK):
            return "down", "thư mục lưu tệp không ghi được"
        return "ok", "đĩa cục bộ"


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        log.warning("could not remove temporary upload file %s", path)


class S3Storage(Storage):
    """Objects in one bucket of an S3-compatible store, through boto3.

    With an endpoint URL (MinIO, a Vietnamese cloud's object storage, a local test server)
    path-style addressing is used: those endpoints rarely have a wildcard DNS name per bucket.
    Timeouts are short and retries few: an upload request waits on this, and the readiness
    check must answer quickly when the store is down.
    """

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str | None = None,
    ) -> None:
        import boto3
        from botocore.config import Config

        if not bucket:
            raise ConfigurationError("S3_BUCKET is required when STORAGE_BACKEND=s3")
        self.bucket = bucket
        self.endpoint_url = endpoint_url or None
        config = Config(
            connect_timeout=3,
            read_timeout=20,
            retries={"max_attempts": 2, "mode": "standard"},
            signature_version="s3v4",
            s3={"addressing_style": "path" if self.endpoint_url else "auto"},
        )
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            region_name=region or None,
            config=config,
        )

    def _fail(self, action: str, key: str, exc: Exception) -> StorageError:
        return StorageError(f"S3 {action} {self.bucket}/{key} failed: {type(exc).__name__}")

    def put(self, key: str, data: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        check_key(key)
        try:
            # A single PUT is atomic in S3: the object appears whole or not at all.
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("put", key, exc) from exc

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        check_key(key)
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
            return response["Body"].read()
        except ClientError as exc:
            if _error_code(exc) in ("NoSuchKey", "404", "NotFound"):
                raise StorageObjectMissing(key) from exc
            raise self._fail("get", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("get", key, exc) from exc

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        check_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)  # no error when absent
        except (BotoCoreError, ClientError) as exc:
            raise self._fail("delete", key, exc) from exc

    def exists(self, key: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        check_key(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._fail("head", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("head", key, exc) from exc

    def readiness(self) -> tuple[str, str]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
            return "ok", f"S3: {self.bucket}"
        except (BotoCoreError, ClientError) as exc:
            log.warning("object storage not reachable: %s", type(exc).__name__)
            return "down", "không truy cập được kho lưu trữ tệp (S3)"


def _error_code(exc) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


BACKENDS = ("local", "s3")


def build_storage(config, instance_path: str) -> Storage:
    """The backend the configuration asks for."""
    backend = (config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "local":
        root = config.get("STORAGE_LOCAL_ROOT") or os.path.join(instance_path, "files")
        return LocalDiskStorage(root)
    if backend == "s3":
        return S3Storage(
            config.get("S3_BUCKET") or "",
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            access_key_id=config.get("S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            region=config.get("S3_REGION"),
        )
    raise ConfigurationError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}")


def get_storage(app: Flask | None = None) -> Storage:
    """The app's storage backend, built on first use and kept for the app's lifetime."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    storage = app.extensions.get(EXTENSION_KEY)
    if storage is None:
        storage = app.extensions[EXTENSION_KEY] = build_storage(app.config, app.instance_path)
    return storage


def init_app(app: Flask) -> None:
    """Build the backend now (bad settings fail at start-up) and report it at `/ready`.

    Idempotent: every domain that stores files may call it.
    """
    from api.health import register_readiness_check

    get_storage(app)
    register_readiness_check(app, "storage", lambda: get_storage(app).readiness())
