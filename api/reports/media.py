"""Checking a report's photo or video by its bytes: JPEG, PNG or MP4, whole, within the limit.

Photos are identified by their magic numbers and parsed by Pillow (api/documents/files.py:
verify_image). An MP4 is an ISO base-media file: a sequence of boxes (4-byte big-endian size,
4-byte type), starting with `ftyp` naming an MP4 brand and holding a `moov` box (the index
without which no player can show it). Walking the top-level boxes catches truncated uploads and
files that merely start like a video. The file name and declared type may only disagree with
the content, which refuses the file: a disguised file is never stored.
"""

from __future__ import annotations

import struct

from api.documents.files import (
    JPEG,
    PNG,
    check_claims,
    check_size,
    detect,
    sanitise_filename,
    verify_image,
)
from api.errors import ApiError

MP4 = "video/mp4"
TYPE_NAMES = {JPEG: "JPEG", PNG: "PNG", MP4: "MP4"}
ACCEPTED_LABEL = "ảnh JPEG, PNG hoặc video MP4"
EXTENSIONS = {"jpg": JPEG, "jpeg": JPEG, "jpe": JPEG, "jfif": JPEG, "png": PNG, "mp4": MP4, "m4v": MP4}
DECLARED = {
    JPEG: {JPEG, "image/jpg", "image/pjpeg"},
    PNG: {PNG, "image/x-png"},
    MP4: {MP4, "video/x-m4v"},
}
# Brands phones and encoders write for MP4 (ISO/IEC 14496-12 and -14). QuickTime's "qt  " is
# not among them: the app records MP4.
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"dash",
    b"mmp4",
}


def _refuse(detail: str) -> ApiError:
    return ApiError(415, "unsupported_file_type", detail, accepted=sorted(TYPE_NAMES.values()))


def _corrupt(kind: str) -> ApiError:
    return ApiError(
        422,
        "file_corrupt",
        f"Tệp có phần đầu của tệp {TYPE_NAMES[kind]} nhưng nội dung bị hỏng hoặc không đầy đủ. "
        "Vui lòng chụp hoặc quay lại rồi tải lên lại.",
    )


def is_mp4(data: bytes) -> bool:
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in MP4_BRANDS


def _verify_mp4(data: bytes) -> None:
    offset, seen = 0, set()
    while offset < len(data):
        if len(data) - offset < 8:
            raise _corrupt(MP4)
        size, box = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:  # a 64-bit size follows the type
            if len(data) - offset < 16:
                raise _corrupt(MP4)
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - offset
        if size < 8 or offset + size > len(data):
            raise _corrupt(MP4)
        seen.add(box)
        offset += size
    if b"moov" not in seen:
        raise _corrupt(MP4)


def check_media(data: bytes, *, filename: str | None, declared_type: str | None, max_bytes: int) -> str:
    """The content type of an acceptable upload, or an ApiError (415, 422, 413)."""
    check_size(data, max_bytes)
    kind = detect(data)
    if kind in (JPEG, PNG):
        verify_image(data, kind)
    elif is_mp4(data):
        kind = MP4
        _verify_mp4(data)
    else:
        raise _refuse(f"Chỉ nhận {ACCEPTED_LABEL}. Nội dung tệp bạn gửi không thuộc các định dạng này.")
    check_claims(
        kind,
        sanitise_filename(filename),
        declared_type,
        extensions=EXTENSIONS,
        declared_aliases=DECLARED,
        type_names=TYPE_NAMES,
        accepted_label=ACCEPTED_LABEL,
        refuse=_refuse,
    )
    return kind
