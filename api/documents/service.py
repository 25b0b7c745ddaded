"""The personal document store's rules: store once, read back intact, delete only what is unused.

Plain functions on the Flask-SQLAlchemy session and the configured storage (api/storage.py);
no `flask.request`. Every lookup filters by the owner, so another citizen's document answers
exactly like a document that does not exist (404 `document_not_found`).

Order of writes when storing: the blob first, then the row. If the storage fails, nothing is
written to the database; if the database refuses the row (flushed in a savepoint), the blob just
written is removed. When deleting, the row goes first and the blob once the request's unit of
work has committed (api/unit_of_work.py): a failure in between leaves an orphan blob (harmless,
unreachable), never a row pointing at nothing.

Other domains call `get_owned` and `read_content` to attach and read documents, and plug their
"is this document in use?" question in with `register_usage_check`, so this package never
imports them.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from api.audit import record_audit
from api.documents.files import check_file
from api.documents.models import StoredDocument
from api.errors import ApiError
from api.extensions import db
from api.storage import StorageError, StorageObjectMissing, get_storage
from api.text import nfc
from api.unit_of_work import after_commit

log = logging.getLogger(__name__)

TITLE_MAX = 200

# Short categories the app offers when saving a document; the dossier forms match on them.
KINDS: dict[str, str] = {
    "cccd": "Thẻ căn cước / căn cước công dân",
    "giay_khai_sinh": "Giấy khai sinh",
    "so_ho_khau": "Sổ hộ khẩu (cũ)",
    "xac_nhan_cu_tru": "Giấy xác nhận thông tin cư trú",
    "giay_ket_hon": "Giấy chứng nhận kết hôn",
    "giay_phep_lai_xe": "Giấy phép lái xe",
    "the_bhyt": "Thẻ bảo hiểm y tế",
    "van_bang": "Văn bằng, chứng chỉ",
    "anh_chan_dung": "Ảnh chân dung",
    "khac": "Giấy tờ khác",
}

# (document id) -> True when some other domain still needs the document (e.g. it is attached
# to a dossier the officer has to read).
UsageCheck = Callable[[uuid.UUID], bool]
_usage_checks: list[UsageCheck] = []


def register_usage_check(check: UsageCheck) -> UsageCheck:
    """Let another domain veto deletion of documents it uses. Usable as a decorator; idempotent."""
    if check not in _usage_checks:
        _usage_checks.append(check)
    return check


def unregister_usage_check(check: UsageCheck) -> None:
    if check in _usage_checks:
        _usage_checks.remove(check)


def _not_found() -> ApiError:
    return ApiError(404, "document_not_found", "Không tìm thấy giấy tờ này trong kho giấy tờ của bạn.")


def _storage_unavailable() -> ApiError:
    return ApiError(
        503,
        "storage_unavailable",
        "Kho lưu trữ giấy tờ tạm thời không truy cập được. Vui lòng thử lại sau ít phút.",
    )


def storage_key(citizen_id: uuid.UUID, document_id: uuid.UUID) -> str:
    return f"documents/{citizen_id}/{document_id}"


def _check_fields(title: str | None, kind: str | None) -> tuple[str, str | None]:
    errors: dict[str, list[str]] = {}
    title = nfc(title or "")
    if not title:
        errors["title"] = ["Hãy đặt tên cho giấy tờ, ví dụ “CCCD mặt trước”."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"Tên giấy tờ dài tối đa {TITLE_MAX} ký tự."]
    kind = kind or None
    if kind is not None and kind not in KINDS:
        errors["kind"] = ["Loại giấy tờ không hợp lệ; các loại được nhận: " + ", ".join(KINDS) + "."]
    if errors:
        detail = "Một số trường dữ liệu không hợp lệ; xem danh sách `errors`."
        raise ApiError(422, "validation_failed", detail, errors=errors)
    return title, kind


def _find_by_hash(citizen_id: uuid.UUID, sha256: str) -> StoredDocument | None:
    return db.session.scalar(
        select(StoredDocument).where(StoredDocument.citizen_id == citizen_id, StoredDocument.sha256 == sha256)
    )


def save(
    citizen_id: uuid.UUID,
    *,
    title: str,
    kind: str | None = None,
    filename: str | None = None,
    data: bytes,
    declared_type: str | None = None,
) -> tuple[StoredDocument, bool]:
    """Check and store a file; returns (document, created).

    `created` is False when the citizen already stored these exact bytes: the existing document
    is returned unchanged (its title stays the one given first).
    """
    citizen_id = uuid.UUID(str(citizen_id))
    title, kind = _check_fields(title, kind)
    checked = check_file(
        data,
        filename=filename,
        declared_type=declared_type,
        max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
    )
    sha256 = hashlib.sha256(data).hexdigest()
    existing = _find_by_hash(citizen_id, sha256)
    if existing is not None:
        return existing, False

    document_id = uuid.uuid4()
    key = storage_key(citizen_id, document_id)
    storage = get_storage()
    try:
        storage.put(key, data, checked.content_type)
    except StorageError:
        log.exception("storing document failed")
        raise _storage_unavailable() from None

    document = StoredDocument(
        id=document_id,
        citizen_id=citizen_id,
        title=title,
        kind=kind,
        filename=checked.filename,
        content_type=checked.content_type,
        size_bytes=len(data),
        sha256=sha256,
        storage_key=key,
    )
    try:
        # A savepoint, flushed here: a refused row (the same bytes stored by a parallel request)
        # is undone alone, and its file removed at once. The request's unit of work commits the row.
        with db.session.begin_nested():
            db.session.add(document)
            record_audit(
                "document.upload",
                actor=f"citizen:{citizen_id}",
                target=f"document:{document_id}",
                kind=kind,
                content_type=checked.content_type,
                size_bytes=len(data),
                sha256=sha256,
            )
    except BaseException as exc:
        _delete_blob(storage, key)
        if isinstance(exc, IntegrityError):
            # The same bytes stored by a parallel request of this citizen won the race.
            winner = _find_by_hash(citizen_id, sha256)
            if winner is not None:
                return winner, False
        raise
    return document, True


def store(
    citizen_id: uuid.UUID,
    *,
    title: str,
    kind: str | None = None,
    filename: str | None = None,
    data: bytes,
    declared_type: str | None = None,
) -> StoredDocument:
    """`save` for callers that do not care whether the document was new."""
    document, _ = save(
        citizen_id, title=title, kind=kind, filename=filename, data=data, declared_type=declared_type
    )
    return document


def _delete_blob(storage, key: str) -> None:
    try:
        storage.delete(key)
    except StorageError:
        log.exception("could not remove blob %s; it is now an orphan", key)


def list_documents(citizen_id: uuid.UUID) -> Select:
    """The citizen's documents, newest first, as a select() for `SelectPage`."""
    return (
        select(StoredDocument)
        .where(StoredDocument.citizen_id == citizen_id)
        .order_by(StoredDocument.created_at.desc(), StoredDocument.id.desc())
    )


def get_owned(citizen_id: uuid.UUID, document_id: uuid.UUID) -> StoredDocument:
    """The citizen's document; 404 `document_not_found` for a missing id or anyone else's."""
    try:
        citizen_id, document_id = uuid.UUID(str(citizen_id)), uuid.UUID(str(document_id))
    except ValueError:
        raise _not_found() from None
    document = db.session.scalar(
        select(StoredDocument).where(
            StoredDocument.id == document_id, StoredDocument.citizen_id == citizen_id
        )
    )
    if document is None:
        raise _not_found()
    return document


def read_content(document: StoredDocument) -> bytes:
    """The document's bytes, checked against the hash taken at upload."""
    try:
        data = get_storage().get(document.storage_key)
    except StorageObjectMissing:
        log.error("blob of document %s is missing from storage", document.id)
        raise _content_lost() from None
    except StorageError:
        log.exception("reading document %s failed", document.id)
        raise _storage_unavailable() from None
    # Cheap next to the transfer, and it turns silent corruption or tampering in the store into
    # a loud error instead of a wrong paper in someone's dossier.
    if hashlib.sha256(data).hexdigest() != document.sha256:
        log.error("blob of document %s does not match its sha256", document.id)
        raise _content_lost()
    return data


def _content_lost() -> ApiError:
    return ApiError(
        500,
        "document_content_unavailable",
        "Không đọc được nội dung giấy tờ này. Vui lòng tải lên lại; "
        "nếu cần hỗ trợ, hãy gọi tổng đài 1900 0368.",
    )


def _in_use() -> ApiError:
    return ApiError(
        409,
        "document_in_use",
        "Giấy tờ này đang được đính kèm trong hồ sơ dịch vụ công nên không thể xóa.",
    )


def delete(citizen_id: uuid.UUID, document_id: uuid.UUID) -> None:
    """Delete the citizen's document and its file; 409 `document_in_use` while another domain uses it."""
    document = get_owned(citizen_id, document_id)
    if any(check(document.id) for check in _usage_checks):
        raise _in_use()
    key = document.storage_key
    citizen_ref, document_ref, sha256 = (
        f"citizen:{document.citizen_id}",
        f"document:{document.id}",
        document.sha256,
    )
    try:
        with db.session.begin_nested():  # a savepoint, flushed here: the database's last word on use
            db.session.delete(document)
    except IntegrityError:
        # A foreign key from a row attached between the check and the delete: still in use.
        raise _in_use() from None
    record_audit("document.delete", actor=citizen_ref, target=document_ref, sha256=sha256)
    _delete_blob_after_commit(key)


def _delete_blob_after_commit(key: str) -> None:
    """Remove the blob once the unit of work commits the row's delete; never if it rolls back."""
    after_commit(lambda: _delete_blob(get_storage(), key))
