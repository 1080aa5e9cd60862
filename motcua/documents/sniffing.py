"""What a file really is, from its own bytes: PDF, JPEG or PNG, nothing else.

The name and the content type a browser declares are whatever the sender's machine says (a
scanner's `scan.png` may hold a PDF, a web page may be called `to-khai.pdf`), so they are
ignored. Only the head and the tail of the file are read, never the whole file, and each type
is also checked to be minimally whole: a PDF ends with `%%EOF`, a PNG opens with its IHDR
chunk, a JPEG ends with its EOI marker. This is a gate, not a validator: a file that passes may
still be damaged inside, but a file that fails is certainly not what the counter expects."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_EOI = b"\xff\xd9"
PDF_EOF = b"%%EOF"

# %%EOF must be among the last bytes (readers look for it in the last 1024, as Acrobat does).
PDF_EOF_WINDOW = 1024
# Some cameras and scanners write a little padding or a trailer after the JPEG's end marker.
JPEG_TRAILING_LIMIT = 4096

HEAD_BYTES = 64
TAIL_BYTES = max(PDF_EOF_WINDOW, JPEG_TRAILING_LIMIT + len(JPEG_EOI))


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str


PDF = FileType("application/pdf", "pdf")
JPEG = FileType("image/jpeg", "jpg")
PNG = FileType("image/png", "png")
ALLOWED = (PDF, JPEG, PNG)


def detect(stream: IO[bytes], size: int | None = None) -> FileType | None:
    """The type of a seekable binary stream, or None if it is not an acceptable file.

    Reads at most HEAD_BYTES + TAIL_BYTES bytes; leaves the stream at its start."""
    if size is None:
        stream.seek(0, 2)
        size = stream.tell()
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(max(size - TAIL_BYTES, 0))
    tail = stream.read(TAIL_BYTES)
    stream.seek(0)
    return classify(head, tail)


def detect_bytes(data: bytes) -> FileType | None:
    return classify(data[:HEAD_BYTES], data[-TAIL_BYTES:])


def classify(head: bytes, tail: bytes) -> FileType | None:
    """The type from the first bytes of a file and its last bytes (the two may overlap)."""
    if head.startswith(PDF_MAGIC):
        return PDF if PDF_EOF in tail[-PDF_EOF_WINDOW:] else None
    if head.startswith(PNG_MAGIC):
        return PNG if _has_ihdr(head) else None
    if head.startswith(JPEG_MAGIC):
        end = tail.rfind(JPEG_EOI)
        if end == -1:
            return None
        return JPEG if len(tail) - end - len(JPEG_EOI) <= JPEG_TRAILING_LIMIT else None
    return None


def _has_ihdr(head: bytes) -> bool:
    """The PNG's first chunk is IHDR: 13 bytes of data with a non-zero width and height."""
    chunk = head[len(PNG_MAGIC) : len(PNG_MAGIC) + 16]
    if len(chunk) < 16:
        return False
    length, kind, width, height = struct.unpack(">I4sII", chunk)
    return length == 13 and kind == b"IHDR" and width > 0 and height > 0
