"""What a file really is, from its own bytes: PDF, JPEG or PNG, nothing else.

The name and the content type a browser declares are whatever the sender's machine says (a
scanner's `scan.png` may hold a PDF, a web page may be called `to-khai.pdf`), so they are
ignored. Only the head and the tail of the file are read, never the whole file, and each type
is also checked to be minimally whole: a PDF ends with `%%EOF`, a PNG opens with its IHDR
chunk, a JPEG ends with its EOI marker. This is a gate, not a validator: a file that passes may
still be damaged inside, but a file that fails is certainly not what the counter expects.

Nothing here decompresses anything: a PDF's streams are never inflated on the server, so a
small file that would inflate to gigabytes costs what its own bytes cost (tests/documents).

A file can be two things at once: a PDF or an image whose first bytes also hold a web page
(a polyglot). A browser that guesses the type from the content would run that page's scripts
in motcua's origin, so such files are refused even though they are valid PDFs or images
(`carries_markup`)."""

from __future__ import annotations

import re
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

# The head read: enough for each type's magic and for the bytes browsers look at when they
# guess a type from content (the HTML sniffing rules read the first 1445 bytes; older browsers
# read up to 4 KiB).
HEAD_BYTES = 4096
TAIL_BYTES = max(PDF_EOF_WINDOW, JPEG_TRAILING_LIMIT + len(JPEG_EOI))


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str


@dataclass(frozen=True)
class Sniffed:
    """What the ends of a file say: its type (None if not acceptable), and whether they also
    hold HTML a browser would recognise."""

    type: FileType | None
    markup: bool


PDF = FileType("application/pdf", "pdf")
JPEG = FileType("image/jpeg", "jpg")
PNG = FileType("image/png", "png")
ALLOWED = (PDF, JPEG, PNG)


# Tags that make browsers take bytes for a web page, or that run or load something once they
# do (WHATWG MIME sniffing, "HTML" patterns, plus the active ones), followed by a space, a
# slash or the end of the tag. Case-insensitive, anywhere in the bytes read: long enough that
# compressed image or PDF data practically never spells one by chance.
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frame|frameset|object|embed|applet"
    rb"|svg|math|img|title|style|meta|link|base|form|!--)[\s/>]",
    re.IGNORECASE,
)


def detect(stream: IO[bytes], size: int | None = None) -> FileType | None:
    """The type of a seekable binary stream, or None if it is not an acceptable file."""
    return sniff(stream, size).type


def sniff(stream: IO[bytes], size: int | None = None) -> Sniffed:
    """The type of a seekable binary stream and whether it carries markup.

    Reads at most HEAD_BYTES + TAIL_BYTES bytes; leaves the stream at its start."""
    if size is None:
        stream.seek(0, 2)
        size = stream.tell()
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(max(size - TAIL_BYTES, 0))
    tail = stream.read(TAIL_BYTES)
    stream.seek(0)
    return Sniffed(classify(head, tail), carries_markup(head, tail))


def detect_bytes(data: bytes) -> FileType | None:
    return classify(data[:HEAD_BYTES], data[-TAIL_BYTES:])


def carries_markup(head: bytes, tail: bytes) -> bool:
    """True if the first or last bytes of a file hold an HTML tag a browser would act on."""
    return bool(_MARKUP.search(head) or _MARKUP.search(tail))


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
