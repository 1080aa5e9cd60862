"""Uploads served safely: downloads that no browser renders as a page, polyglots refused at the
door, bodies measured before they are read, and PDFs never inflated on the server."""

from __future__ import annotations

import io
import json
import struct
import time
import tracemalloc
import zlib
from urllib.parse import unquote
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.core import body_limit
from motcua.core.errors import ValidationFailed
from motcua.documents.models import Document
from motcua.documents.services import add_document
from tests.documents import test_documents
from tests.documents.test_documents import (
    jpeg_bytes,
    nothing_written,
    pdf_bytes,
    png_bytes,
    receive,
    upload,
)

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024
media = test_documents.media  # the fixture: files go to a throwaway directory


@pytest.fixture
def dossier(counter_officer):
    return receive(counter_officer)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- downloads ----------------------------------------------------------------------------


def test_a_document_is_downloaded_under_a_made_name_and_never_rendered(
    media, dossier, counter_officer
) -> None:
    document = add_document(
        dossier=dossier,
        by=counter_officer,
        uploaded_file=upload(pdf_bytes(), 'Tờ khai "đăng ký"; bản 1.html'),
        kind="other",
    )
    response = as_user(counter_officer).get(f"/quay/ho-so/{dossier.code}/tai-lieu/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    disposition = response["Content-Disposition"]
    ascii_part, utf8_part = disposition.split("; filename*=UTF-8''")
    # the sender's ".html" is not kept: the name ends in the detected type's extension
    assert ascii_part == 'attachment; filename="to-khai-dang-ky-ban-1.pdf"'
    assert unquote(utf8_part) == 'Tờ khai "đăng ký"; bản 1.pdf'
    assert disposition.isascii() and "\n" not in disposition
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_name_with_nothing_ascii_left_gets_a_generic_one(media, dossier, counter_officer):
    document = add_document(
        dossier=dossier, by=counter_officer, uploaded_file=upload(png_bytes(), "证件.png"),
        kind="other",
    )  # fmt: skip
    assert document.ascii_download_name == f"tai-lieu-{document.pk}.png"
    assert document.download_name == "证件.png"


# --- polyglots ----------------------------------------------------------------------------


def _png_with_text(text: bytes) -> bytes:
    """A valid PNG with a tEXt chunk right after IHDR."""
    png = png_bytes()
    body = b"Comment\x00" + text
    crc = struct.pack(">I", zlib.crc32(b"tEXt" + body))
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + crc
    ihdr_end = 8 + 25
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def _jpeg_with_comment(text: bytes) -> bytes:
    jpeg = jpeg_bytes()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + jpeg[2:]


PDF = pdf_bytes()
POLYGLOTS = {
    "pdf-html-after-header": PDF[:15] + b"%<html><body><script>alert(1)</script>\n" + PDF[15:],
    "pdf-script-in-a-comment": PDF[:15] + b"% <SCRIPT src=//x.invalid/a.js></SCRIPT>\n" + PDF[15:],
    "pdf-iframe-near-the-end": PDF[:-6] + b"%<iframe src=x>\n" + PDF[-6:],
    "png-svg-in-text": _png_with_text(b"<svg onload=alert(1)>"),
    "jpeg-html-comment": _jpeg_with_comment(b"<!DOCTYPE html><html><img src=x onerror=alert(1)>"),
}


@pytest.mark.parametrize("data", POLYGLOTS.values(), ids=POLYGLOTS.keys())
def test_a_file_that_is_also_a_web_page_is_refused(media, dossier, counter_officer, data) -> None:
    with pytest.raises(ValidationFailed) as caught:
        add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(data), kind="component"
        )
    assert caught.value.code == "document_carries_markup"
    assert "HTML" in caught.value.message
    assert nothing_written(media)


def test_a_web_page_named_pdf_is_refused(media, dossier, counter_officer) -> None:
    page = b"<html><body>%PDF-1.4 ... %%EOF</body></html>\n%%EOF"
    with pytest.raises(ValidationFailed) as caught:
        add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(page, "to-khai.pdf"),
            kind="component",
        )  # fmt: skip
    assert caught.value.code == "document_type_not_allowed"
    assert nothing_written(media)


def test_ordinary_pdf_syntax_is_not_taken_for_markup(media, dossier, counter_officer) -> None:
    """Dictionaries, hex strings and XMP metadata all use angle brackets."""
    xmp = b'%<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><dc:title>T</dc:title></rdf:RDF>\n'
    data = PDF[:15] + b"%<feedface0123> << /Title <4d6f74> >>\n" + xmp + PDF[15:]
    document = add_document(
        dossier=dossier, by=counter_officer, uploaded_file=upload(data), kind="component"
    )
    assert document.content_type == "application/pdf"


def test_the_desk_says_why_a_polyglot_is_refused(media, dossier, counter_officer) -> None:
    response = as_user(counter_officer).post(
        f"/quay/ho-so/{dossier.code}/tai-lieu/",
        {"file": SimpleUploadedFile("a.pdf", POLYGLOTS["pdf-html-after-header"]), "kind": "other"},
        follow=True,
    )
    assert "mã trang web (HTML)" in response.content.decode()
    assert nothing_written(media)


# --- bodies measured before they are read --------------------------------------------------


class UnreadableBody(io.RawIOBase):
    """A request body that must not be read at all."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


class EndlessBody(io.RawIOBase):
    """An endless chunked body of zeros that counts what was taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else size
        self.taken += size
        return b"\0" * size


@pytest.mark.parametrize(
    ("path", "json_error"),
    [("/quay/ho-so/{code}/tai-lieu/", False), ("/api/v1/dossiers", True)],
)
def test_a_declared_length_over_the_limit_is_refused_unread(
    dossier, counter_officer, settings, path, json_error
) -> None:
    settings.REQUEST_BODY_MAX_BYTES = 10 * MIB
    response = as_user(counter_officer).generic(
        "POST",
        path.format(code=dossier.code),
        b"",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(1024 * MIB),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    if json_error:
        assert response["Content-Type"].startswith("application/json")
        assert json.loads(response.content) == {
            "code": "body_too_large",
            "message": "Nội dung gửi lên quá lớn: tối đa 10 MB mỗi lần gửi.",
            "detail": {"max_bytes": 10 * MIB},
        }
    else:
        assert "quá lớn" in response.content.decode()
    assert not Document.objects.exists()


def _wsgi_post(path: str, body: io.RawIOBase, **headers: str) -> tuple[str, bytes]:
    from motcua.config.wsgi import application

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/json",
        "wsgi.input": body,
        **headers,
    }
    setup_testing_defaults(environ)
    environ.pop("CONTENT_LENGTH", None)
    status: list[str] = []
    chunks = application(environ, lambda line, headers, exc_info=None: status.append(line))
    return status[0], b"".join(chunks)


def test_a_chunked_body_is_counted_while_read_and_cut_at_the_limit(settings) -> None:
    settings.REQUEST_BODY_MAX_BYTES = 2 * MIB
    endless = EndlessBody()
    started = time.monotonic()
    status, content = _wsgi_post(
        "/api/v1/dossiers", endless, HTTP_TRANSFER_ENCODING="chunked", HTTP_HOST="testserver"
    )
    assert status.startswith("413")
    assert json.loads(content)["code"] == "body_too_large"
    assert endless.taken <= 2 * MIB + body_limit.CHUNK
    assert time.monotonic() - started < 5


def test_a_chunked_body_within_the_limit_reaches_the_application(settings) -> None:
    settings.REQUEST_BODY_MAX_BYTES = 1000
    seen: dict[str, object] = {}

    def application(environ, start_response):
        seen["length"] = environ["CONTENT_LENGTH"]
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [])
        return [b""]

    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"x" * 1000)}
    setup_testing_defaults(environ)
    environ.pop("CONTENT_LENGTH", None)
    body_limit.limit_chunked_bodies(application)(environ, lambda *args: None)
    assert seen == {"length": "1000", "body": b"x" * 1000}


# --- PDFs are never inflated on the server -------------------------------------------------


def deflated_zeros(mebibytes: int) -> bytes:
    """A zlib stream that inflates to `mebibytes` MiB of zeros, built without holding them:
    one fully flushed deflate block of 1 MiB repeated, a final empty block, the checksum."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(b"\0" * MIB) + raw.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    size = mebibytes * MIB
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros: a stays 1, b counts the bytes
    return b"\x78\xda" + block * mebibytes + final + struct.pack(">I", adler)


def test_the_bomb_builder_makes_what_it_says() -> None:
    assert zlib.decompress(deflated_zeros(3)) == b"\0" * (3 * MIB)


def inflating_pdf(mebibytes: int) -> bytes:
    """A one-page PDF whose content stream is FlateDecode and inflates to `mebibytes` MiB."""
    stream = deflated_zeros(mebibytes)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_a_pdf_that_inflates_to_hundreds_of_megabytes_is_never_inflated(
    media, dossier, counter_officer, monkeypatch
) -> None:
    bomb = inflating_pdf(512)
    assert len(bomb) < 2 * MIB
    inflated = _count_inflated_bytes(monkeypatch)
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = as_user(counter_officer).post(
            f"/quay/ho-so/{dossier.code}/tai-lieu/",
            {"file": SimpleUploadedFile("bom.pdf", bomb, "application/pdf"), "kind": "other"},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 302
    document = dossier.documents.get()
    assert document.size == len(bomb) and document.content_type == "application/pdf"
    assert peak < 32 * MIB
    assert time.monotonic() - started < 10
    assert inflated["bytes"] < MIB  # the session cookie's few bytes; never the PDF's stream


def _count_inflated_bytes(monkeypatch) -> dict[str, int]:
    """Count every byte zlib inflates from now on (Django's signed session data uses it)."""
    inflated = {"bytes": 0}
    decompress, decompressobj = zlib.decompress, zlib.decompressobj

    def counting_decompress(*args, **kwargs):
        result = decompress(*args, **kwargs)
        inflated["bytes"] += len(result)
        return result

    class CountingInflater:
        def __init__(self, *args, **kwargs) -> None:
            self.inflater = decompressobj(*args, **kwargs)

        def decompress(self, *args, **kwargs) -> bytes:
            result = self.inflater.decompress(*args, **kwargs)
            inflated["bytes"] += len(result)
            return result

        def __getattr__(self, name: str):
            return getattr(self.inflater, name)

    monkeypatch.setattr(zlib, "decompress", counting_decompress)
    monkeypatch.setattr(zlib, "decompressobj", CountingInflater)
    return inflated
