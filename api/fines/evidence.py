"""Evidence photos of fine notices: where their bytes come from, and who may see them.

A notice's `evidence` keeps the references the police sent: keys of files in the app's storage
(api/storage.py: `flask fines import --evidence-dir` puts a camera export's photos there, the demo
seeds its own), or http(s) addresses in the police's camera system. Clients never see a
reference. Each photo is reached through the API by an opaque id (a digest of its reference)
under its notice, by the notice's owner (`/me/fines/<id>/evidence/<evidence id>`) and by the
police (`/police/fines/...`, audited): a photo of someone's car and plate is shown to nobody else,
and the police's internal addresses stay inside.

A remote photo is fetched on its first view, checked to be a whole JPEG or PNG and kept in
storage, so the camera system need not stay reachable and later views cost nothing. Only the
police and their feed write references (never a citizen); even so, redirects are not followed,
the size is bounded and nothing but a verified image is ever passed on.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from flask import current_app

from api.audit import record_audit
from api.documents.files import JPEG, PNG, detect, verify_image
from api.errors import ApiError
from api.fines import service
from api.fines.models import EVIDENCE_KEY_PREFIX, FineNotice, evidence_id
from api.storage import StorageError, StorageObjectMissing, get_storage

if TYPE_CHECKING:
    from api.citizens.models import Citizen

log = logging.getLogger(__name__)

IMAGE_TYPES = (JPEG, PNG)
EXTENSIONS = {JPEG: "jpg", PNG: "png"}
# Photos imported from files and remote photos fetched once are kept under these prefixes.
IMPORTED_PREFIX = f"{EVIDENCE_KEY_PREFIX}imported"
REMOTE_PREFIX = f"{EVIDENCE_KEY_PREFIX}remote"
FETCH_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class EvidencePhoto:
    content_type: str
    data: bytes


def image_type(data: bytes) -> str | None:
    """JPEG or PNG when these bytes are a whole image of that type, else None."""
    kind = detect(data)
    if kind not in IMAGE_TYPES:
        return None
    try:
        verify_image(data, kind)
    except ApiError:
        return None
    return kind


# ---- reading ----------------------------------------------------------------------------------


def _not_found() -> ApiError:
    return ApiError(404, "evidence_not_found", "Quyết định xử phạt này không có ảnh bằng chứng như vậy.")


def _missing() -> ApiError:
    return ApiError(
        404,
        "evidence_missing",
        "Ảnh bằng chứng này chưa được chuyển về hệ thống. Vui lòng liên hệ cơ quan công an đã ra quyết "
        "định xử phạt nếu cần xem ảnh.",
    )


def _unavailable() -> ApiError:
    return ApiError(
        503,
        "evidence_unavailable",
        "Tạm thời chưa lấy được ảnh bằng chứng. Vui lòng thử lại sau ít phút.",
        headers={"Retry-After": "60"},
    )


def _invalid() -> ApiError:
    return ApiError(
        502,
        "evidence_invalid",
        "Tệp bằng chứng của quyết định này không phải ảnh JPEG hoặc PNG hợp lệ nên không hiển thị được. "
        "Vui lòng liên hệ cơ quan công an đã ra quyết định xử phạt.",
    )


def _reference(fine: FineNotice, wanted: str) -> str:
    for reference in fine.evidence or ():
        if evidence_id(reference) == wanted:
            return reference
    raise _not_found()


def _fetch(url: str) -> bytes:
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    try:
        with httpx.stream("GET", url, timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False) as response:
            if response.status_code == 404:
                raise _missing()
            if response.status_code >= 500:
                raise _unavailable()
            if response.status_code != 200:  # a redirect, a refusal: not the photo
                raise _invalid()
            data = bytearray()
            for chunk in response.iter_bytes():
                data.extend(chunk)
                if len(data) > limit:
                    raise _invalid()
            return bytes(data)
    except httpx.HTTPError as exc:
        log.warning("fine evidence: fetching a remote photo failed: %s", type(exc).__name__)
        raise _unavailable() from exc


def _read(reference: str) -> EvidencePhoto:
    storage = get_storage()
    remote = reference.startswith(("http://", "https://"))
    if not remote and not reference.startswith(EVIDENCE_KEY_PREFIX):
        # Stored before the schema checked the prefix, or written around it: never served.
        log.warning("fine evidence: a reference outside %s is not served", EVIDENCE_KEY_PREFIX)
        raise _missing()
    key = f"{REMOTE_PREFIX}/{hashlib.sha256(reference.encode()).hexdigest()}" if remote else reference
    try:
        data = storage.get(key)
    except StorageObjectMissing:
        if not remote:
            raise _missing() from None
        data = None
    except StorageError:
        log.exception("fine evidence: reading storage failed")
        raise _unavailable() from None
    if data is None:  # a remote photo's first view
        data = _fetch(reference)
        kind = image_type(data)
        if kind is None:
            log.warning("fine evidence: a remote photo is not a JPEG or PNG image")
            raise _invalid()
        try:
            storage.put(key, data, kind)
        except StorageError:  # served anyway; the next view fetches it again
            log.warning("fine evidence: could not keep a fetched photo in storage")
        return EvidencePhoto(kind, data)
    kind = image_type(data)
    if kind is None:
        log.warning("fine evidence: stored file %s is not a JPEG or PNG image", key)
        raise _invalid()
    return EvidencePhoto(kind, data)


def owner_photo(citizen: Citizen, fine_id: uuid.UUID, wanted: str) -> EvidencePhoto:
    """A photo of one of the citizen's own notices; anyone else's notice answers 404."""
    fine = service.citizen_fine(citizen, fine_id)
    return _read(_reference(fine, wanted))


def police_photo(actor: str, fine_id: uuid.UUID, wanted: str) -> EvidencePhoto:
    """A photo of any notice, for the police; each view is on the audit log, like their searches."""
    fine = service.get_notice(fine_id)
    photo = _read(_reference(fine, wanted))
    record_audit("fine.evidence_read", actor=actor, target=f"fine:{fine.id}", evidence=wanted)
    return photo


# ---- storing (imports, demo) --------------------------------------------------------------------


class NotAnImage(ValueError):
    """The file is not a whole JPEG or PNG, or is larger than uploads may be."""


def store_photo(data: bytes) -> str:
    """Keep a photo in storage under a key made from its content (importing a file twice stores
    it once); returns the key, to be the notice's reference. Raises `NotAnImage`, `StorageError`."""
    if len(data) > current_app.config["UPLOAD_MAX_BYTES"]:
        raise NotAnImage("quá dung lượng cho phép")
    kind = image_type(data)
    if kind is None:
        raise NotAnImage("không phải ảnh JPEG hoặc PNG nguyên vẹn")
    key = f"{IMPORTED_PREFIX}/{hashlib.sha256(data).hexdigest()}.{EXTENSIONS[kind]}"
    storage = get_storage()
    if not storage.exists(key):
        storage.put(key, data, kind)
    return key


def store_photo_file(directory: Path, name: str) -> str:
    """Store the photo `name` (a path relative to `directory`, not leaving it); returns its key.
    Raises `FileNotFoundError`, `NotAnImage`, `StorageError`."""
    root = directory.resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        raise FileNotFoundError(name)
    return store_photo(path.read_bytes())
