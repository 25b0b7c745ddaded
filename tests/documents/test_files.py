"""Upload checking: the type comes from the bytes; names and declared types may only disagree and fail."""

from __future__ import annotations

import pytest

from api.documents.files import check_file, sanitise_filename
from api.errors import ApiError
from tests.documents import samples

LIMIT = 10 * 1024 * 1024


def _refusal(data, filename="tep", declared=None, max_bytes=LIMIT) -> ApiError:
    with pytest.raises(ApiError) as caught:
        check_file(data, filename=filename, declared_type=declared, max_bytes=max_bytes)
    return caught.value


@pytest.mark.parametrize(
    ("data", "filename", "declared", "content_type"),
    [
        (samples.MINIMAL_PDF, "a.PDF", "application/pdf", "application/pdf"),
        (samples.MINIMAL_PDF, "a.pdf", "application/x-pdf", "application/pdf"),
        (samples.png(), "a.png", "image/png", "image/png"),
        (samples.jpeg(), "a.jpeg", "image/jpg", "image/jpeg"),
        (samples.jpeg(), "a.jpg", "image/jpeg; charset=binary", "image/jpeg"),
        (samples.jpeg(), None, None, "image/jpeg"),
        (samples.png(), "scan", "application/octet-stream", "image/png"),
    ],
)
def test_accepted_files(data, filename, declared, content_type):
    checked = check_file(data, filename=filename, declared_type=declared, max_bytes=LIMIT)
    assert checked.content_type == content_type


def test_the_name_never_decides_the_type():
    # A JPEG named .png is refused rather than served as a PNG.
    refusal = _refusal(samples.jpeg(), filename="anh.png", declared="image/png")
    assert refusal.status == 415 and refusal.code == "unsupported_file_type"
    assert ".png" in refusal.detail and "JPEG" in refusal.detail


def test_jpeg_magic_followed_by_garbage_is_corrupt():
    refusal = _refusal(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 100, filename="anh.jpg")
    assert (refusal.status, refusal.code) == (422, "file_corrupt")


def test_png_with_a_broken_chunk_is_corrupt():
    data = bytearray(samples.png())
    data[40] ^= 0xFF  # inside the first chunks: their CRC no longer matches
    refusal = _refusal(bytes(data), filename="anh.png")
    assert (refusal.status, refusal.code) == (422, "file_corrupt")


def test_decompression_bomb_is_refused_before_decoding():
    # 9,000 × 9,000 one-bit pixels: a few KB of PNG that would unpack to hundreds of MB in RGB.
    bomb = samples.png(9000, 9000, mode="1")
    assert len(bomb) < 100_000
    refusal = _refusal(bomb, filename="anh.png")
    assert (refusal.status, refusal.code) == (422, "file_corrupt")
    assert "9000×9000" in refusal.detail


def test_pdf_must_end_with_its_trailer():
    refusal = _refusal(samples.MINIMAL_PDF + b"\0" * 4096, filename="a.pdf")
    assert (refusal.status, refusal.code) == (422, "file_corrupt")
    assert "PDF" in refusal.detail


def test_pdf_header_later_in_the_file_is_not_a_pdf():
    refusal = _refusal(b"<html>" + samples.MINIMAL_PDF, filename="a.pdf", declared="application/pdf")
    assert (refusal.status, refusal.code) == (415, "unsupported_file_type")
    assert refusal.extra["accepted"] == ["JPEG", "PDF", "PNG"]


def test_size_limits():
    assert _refusal(b"", filename="a.pdf").code == "file_missing"
    too_big = _refusal(samples.pdf_of_size(2049), filename="a.pdf", max_bytes=2048)
    assert (too_big.status, too_big.code) == (413, "file_too_large")
    assert check_file(samples.pdf_of_size(2048), filename="a.pdf", declared_type=None, max_bytes=2048)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
        ("C:\\Users\\lan\\Desktop\\cccd.jpg", "cccd.jpg"),
        ("../../etc/passwd", "passwd"),
        ('a"b<c>\r\nd.pdf', "a_b_c___d.pdf"),
        ("  .hidden.png  ", "hidden.png"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
        (None, ""),
    ],
)
def test_file_names_are_cleaned(given, kept):
    assert sanitise_filename(given) == kept


def test_decomposed_vietnamese_name_is_stored_composed():
    decomposed = "Gia\u0301y.pdf"  # "á" as a + combining acute, as macOS file names come
    assert sanitise_filename(decomposed) == "Giáy.pdf"
