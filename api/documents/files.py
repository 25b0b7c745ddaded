"""Checking an uploaded file: what it really is, whether it is whole, and what to call it.

The type is decided by the bytes alone: the first bytes (magic numbers) pick PDF, PNG or JPEG,
then the file is parsed enough to know it is what it claims (Pillow for images, the header and
end-of-file marker for PDF). The file name and the Content-Type the client sent are never used
to decide; they may only *disagree*, and then the file is refused: an HTML page or a program
renamed `giay-to.pdf` is the classic way to get a script served to another user or an officer.

Every refusal is an `ApiError` with a stable code and a Vietnamese detail:
415 `unsupported_file_type`, 422 `file_corrupt`, 413 `file_too_large`, 422 `file_missing`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from api.errors import ApiError
from api.http import file_too_large

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

ACCEPTED_LABEL = "PDF, JPEG hoặc PNG"

# Extension -> the only content type a file with that extension may hold.
EXTENSIONS = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "jpe": JPEG,
    "jfif": JPEG,
}
CANONICAL_EXTENSION = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}

# Content types clients send for these files; "application/octet-stream" (and none at all)
# means "the client does not know", which is no disagreement.
DECLARED_ALIASES = {
    PDF: {PDF, "application/x-pdf"},
    PNG: {PNG, "image/x-png"},
    JPEG: {JPEG, "image/jpg", "image/pjpeg"},
}
UNDECLARED = {"", "application/octet-stream", "binary/octet-stream"}

TYPE_NAMES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG"}

# The PDF trailer's %%EOF must be near the end; writers may add a newline or a few bytes after.
PDF_EOF_WINDOW = 1024
# A 10 MB image can still unpack to gigabytes (a decompression bomb). Photos of papers from a
# phone are well below this; anything larger is refused before it is decoded.
MAX_IMAGE_PIXELS = 80_000_000


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    filename: str  # sanitised, with an extension that matches the content


def _refuse_type(detail: str) -> ApiError:
    return ApiError(415, "unsupported_file_type", detail, accepted=sorted(TYPE_NAMES.values()))


def _corrupt(kind: str) -> ApiError:
    return ApiError(
        422,
        "file_corrupt",
        f"Tệp có phần đầu của tệp {TYPE_NAMES[kind]} nhưng nội dung bị hỏng hoặc không đầy đủ. "
        "Vui lòng chụp hoặc quét lại giấy tờ rồi tải lên lại.",
    )


def missing_file() -> ApiError:
    return ApiError(422, "file_missing", "Bạn chưa chọn tệp giấy tờ để tải lên (trường `file`).")


def check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise ApiError(422, "file_missing", "Tệp bạn chọn không có nội dung (0 byte).")
    if len(data) > max_bytes:
        raise file_too_large(max_bytes)


def detect(data: bytes) -> str | None:
    """The accepted type these bytes start like, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def _verify_pdf(data: bytes) -> None:
    # No PDF parser here on purpose: a full parser is a large attack surface for little gain.
    # Header and trailer catch truncated uploads and files that merely start like a PDF.
    if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
        raise _corrupt(PDF)


def verify_image(data: bytes, kind: str) -> None:
    from PIL import Image, UnidentifiedImageError

    pillow_format = "PNG" if kind == PNG else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # `formats` stops Pillow from trying other decoders on bytes we matched as this type.
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _corrupt_dimensions(width, height)
                # PNG: verify() walks every chunk and checks its CRC.
                image.verify()
            if kind == JPEG:
                # verify() does nothing for JPEG. Decoding at 1/8 scale (draft mode) still reads
                # the whole compressed stream, so truncation shows, at a fraction of the memory.
                with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except ApiError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _corrupt(kind) from exc
    except Image.DecompressionBombWarning as exc:
        raise _corrupt(kind) from exc


def _corrupt_dimensions(width: int, height: int) -> ApiError:
    return ApiError(
        422,
        "file_corrupt",
        f"Ảnh có kích thước {width}×{height} điểm ảnh, quá lớn để xử lý. "
        "Vui lòng chụp lại ở độ phân giải thấp hơn.",
    )


_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def sanitise_filename(filename: str | None) -> str:
    """The last path component, NFC, without control or reserved characters, at most 120 chars.

    Used only for the download's Content-Disposition; storage keys never derive from it.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > 120:
        match = _EXTENSION.search(name)
        extension = match.group(0) if match else ""
        name = name[: 120 - len(extension)].rstrip(" .") + extension
    return name


def extension_of(filename: str) -> str | None:
    match = _EXTENSION.search(filename)
    return match.group(1).lower() if match else None


def check_claims(
    kind: str,
    name: str,
    declared_type: str | None,
    *,
    extensions: dict[str, str],
    declared_aliases: dict[str, set[str]],
    type_names: dict[str, str],
    accepted_label: str,
    refuse: Callable[[str], ApiError],
) -> str | None:
    """What the file's name and declared type claim may only agree with its content (`kind`).

    Valid content under a name or type that says otherwise is refused rather than guessed at:
    a disguised file is never stored. Returns the name's extension, None when it has none.
    """
    extension = extension_of(name)
    if extension is not None and extensions.get(extension) != kind:
        raise refuse(
            f"Tên tệp có đuôi .{extension} nhưng nội dung là tệp {type_names[kind]}. "
            f"Vui lòng gửi đúng tệp {accepted_label} với đuôi tên tương ứng."
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in UNDECLARED and declared not in declared_aliases[kind]:
        raise refuse(
            f"Kiểu tệp khai báo ({declared}) không khớp với nội dung tệp ({type_names[kind]}). "
            f"Chỉ nhận tệp {accepted_label}."
        )
    return extension


def check_file(
    data: bytes, *, filename: str | None, declared_type: str | None, max_bytes: int
) -> CheckedFile:
    """Check an upload; return its real content type and a safe file name, or raise ApiError."""
    check_size(data, max_bytes)
    kind = detect(data)
    if kind is None:
        raise _refuse_type(
            f"Chỉ nhận tệp {ACCEPTED_LABEL}. Nội dung tệp bạn gửi không thuộc các định dạng này."
        )
    if kind == PDF:
        _verify_pdf(data)
    else:
        verify_image(data, kind)

    name = sanitise_filename(filename)
    extension = check_claims(
        kind,
        name,
        declared_type,
        extensions=EXTENSIONS,
        declared_aliases=DECLARED_ALIASES,
        type_names=TYPE_NAMES,
        accepted_label=ACCEPTED_LABEL,
        refuse=_refuse_type,
    )
    if extension is None:
        name = (name or "giay-to") + CANONICAL_EXTENSION[kind]
    return CheckedFile(content_type=kind, filename=name)
