"""Small real files for upload tests, made on the spot (Pillow for images, a literal PDF)."""

from __future__ import annotations

import io

from PIL import Image

# One page, no content: the smallest PDF readers open. Offsets in an xref are not needed for
# the checks (header and %%EOF), and readers rebuild them anyway.
MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)


def pdf_of_size(size: int) -> bytes:
    """A valid PDF of exactly `size` bytes: the minimal one with a comment line of filler."""
    head, tail = MINIMAL_PDF.split(b"trailer")
    filler = size - len(MINIMAL_PDF) - 2  # "%" and "\n" around the filler
    assert filler >= 0
    return head + b"%" + b"x" * filler + b"\n" + b"trailer" + tail


def png(width: int = 40, height: int = 30, color=(200, 30, 30), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color if mode != "1" else 1).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48, color=(20, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    # A gradient, so the compressed stream is long enough to be cut in the middle.
    for x in range(width):
        for y in range(height):
            image.putpixel((x, y), ((x * 4) % 256, (y * 5) % 256, (x * y) % 256))
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
# The start of a Windows program: "MZ", the DOS stub message, then padding.
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode"
    + b"\x00" * 200
)
# A PNG signature followed by bytes that are not PNG chunks.
PNG_HEADER_THEN_GARBAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
