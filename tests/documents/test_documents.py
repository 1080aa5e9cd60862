"""Documents attached to a dossier (thành phần hồ sơ, kết quả): real bytes, real storage.

Every refusal is checked to leave nothing behind: no Document row, no `document_added` event,
and no file in the storage directory."""

from __future__ import annotations

import hashlib
import io
import struct
import threading
import zlib
from pathlib import Path

import boto3
import pytest
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from moto import mock_aws

from motcua.accounts.models import User
from motcua.catalog.models import Unit
from motcua.core.clock import local
from motcua.core.errors import NotFound, ValidationFailed
from motcua.documents import services, sniffing
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import add_document, open_document
from motcua.dossiers.actions import Applicant, receive_dossier
from motcua.dossiers.models import Dossier, DossierEvent, EventType
from motcua.workflow.states import TERMINAL, Status
from tests.conftest import on_postgres, version_of, vn

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD = "3.000333"  # Cấp Phiếu lý lịch tư pháp: received at AH, decided by PV06


# --- real files, made from bytes ---------------------------------------------------------


def pdf_bytes(text: str = "motcua") -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG: signature, IHDR, one zlib-compressed IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        sniffing.PNG_MAGIC
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes(padding: int = 0) -> bytes:
    """SOI, a JFIF APP0 segment, a comment, EOI (and optional trailing padding)."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    comment = b"motcua scan"
    return (
        b"\xff\xd8"
        + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
        + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
        + b"\xff\xd9"
        + b"\x00" * padding
    )  # fmt: skip


def upload(data: bytes, name: str = "scan.pdf", declared: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=declared)


# --- the cast ----------------------------------------------------------------------------


@pytest.fixture
def media(tmp_path: Path):
    """Files go to a throwaway directory on the filesystem, whatever MOTCUA_STORAGE says."""
    root = tmp_path / "media"
    root.mkdir()
    filesystem = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(MEDIA_ROOT=str(root), STORAGES=filesystem):
        yield root


def receive(by: User, **overrides) -> Dossier:
    version = version_of(CRIMINAL_RECORD)
    arguments = {
        "by": by,
        "unit": Unit.objects.get(code="AH"),
        "version": version,
        "applicant": Applicant(name="Nguyễn Văn An", phone="0912 345 678"),
        "channel": "counter",
        "components": version.component_names()[:1],
        "received_at": vn(2025, 4, 24, 10, 0),
    }
    arguments.update(overrides)
    return receive_dossier(**arguments)


@pytest.fixture
def dossier(counter_officer: User) -> Dossier:
    return receive(counter_officer)


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def nothing_written(root: Path) -> bool:
    return (
        not Document.objects.exists()
        and not DossierEvent.objects.filter(type=EventType.DOCUMENT_ADDED).exists()
        and stored_files(root) == []
    )


# --- attaching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type", "extension"),
    [
        (pdf_bytes(), "Tờ khai.pdf", "application/pdf", "pdf"),
        (png_bytes(), "anh-the.png", "image/png", "png"),
        (jpeg_bytes(), "cccd.jpeg", "image/jpeg", "jpg"),
    ],
)
def test_an_upload_is_stored_with_its_hash_type_size_and_event(
    media, dossier, counter_officer, data, name, content_type, extension
) -> None:
    document = add_document(
        dossier=dossier,
        by=counter_officer,
        uploaded_file=upload(data, name, declared="application/octet-stream"),
        kind="component",
        title="Tờ khai",
    )
    document.refresh_from_db()
    digest = hashlib.sha256(data).hexdigest()
    assert document.sha256 == digest
    assert document.content_type == content_type
    assert document.size == len(data)
    assert document.original_name == name
    assert document.uploaded_by == counter_officer
    assert document.kind == DocumentKind.COMPONENT
    # Stored under a name motcua chose: province, date, hash; never the sender's name.
    assert document.file.name.startswith(f"documents/AH/{local(document.uploaded_at):%Y/%m/%d}/")
    assert f"/{digest}-" in document.file.name and document.file.name.endswith(f".{extension}")
    [stored] = stored_files(media)
    assert stored.read_bytes() == data
    assert stored == media / document.file.name
    event = dossier.events.get(type=EventType.DOCUMENT_ADDED)
    assert event.actor == counter_officer and event.sequence == 2
    assert event.at == document.uploaded_at
    assert event.data == {
        "document_id": document.pk,
        "sha256": digest,
        "kind": "component",
        "title": "Tờ khai",
    }


def test_the_same_bytes_twice_give_one_document(media, dossier, counter_officer) -> None:
    data = pdf_bytes()
    first = add_document(
        dossier=dossier, by=counter_officer, uploaded_file=upload(data, "a.pdf"), kind="component"
    )
    again = add_document(
        dossier=dossier, by=counter_officer, uploaded_file=upload(data, "b.pdf"), kind="other"
    )
    assert again.pk == first.pk and again.original_name == "a.pdf"
    assert Document.objects.count() == 1
    assert dossier.events.filter(type=EventType.DOCUMENT_ADDED).count() == 1
    assert len(stored_files(media)) == 1


def test_the_same_bytes_in_two_dossiers_are_two_documents(media, counter_officer) -> None:
    data = png_bytes()
    one, two = receive(counter_officer), receive(counter_officer)
    first = add_document(
        dossier=one, by=counter_officer, uploaded_file=upload(data, "x.png"), kind="other"
    )
    second = add_document(
        dossier=two, by=counter_officer, uploaded_file=upload(data, "x.png"), kind="other"
    )
    assert first.pk != second.pk and first.sha256 == second.sha256
    assert first.file.name != second.file.name
    assert len(stored_files(media)) == 2


def test_a_pdf_named_png_is_stored_as_a_pdf(media, dossier, counter_officer) -> None:
    document = add_document(
        dossier=dossier,
        by=counter_officer,
        uploaded_file=upload(pdf_bytes(), "scan.png", declared="image/png"),
        kind="component",
    )
    assert document.content_type == "application/pdf"
    assert document.file.name.endswith(".pdf")
    assert document.original_name == "scan.png"
    assert document.download_name == "scan.pdf"


def test_names_and_titles_are_cleaned(media, dossier, counter_officer) -> None:
    nfd = "Gia\u0302\u0301y khai sinh"
    document = add_document(
        dossier=dossier,
        by=counter_officer,
        uploaded_file=upload(pdf_bytes(), f"C:\\fakepath\\..\\../{nfd}\x00\n.pdf"),
        kind="other",
        title=f"  {nfd}   bản  sao ",
    )
    assert document.title == "Giấy khai sinh bản sao"
    assert document.original_name == "Giấy khai sinh.pdf"
    assert "khai" not in document.file.name and ".." not in document.file.name


def test_a_component_scan_names_a_published_component(media, dossier, counter_officer) -> None:
    published = dossier.procedure_version.component_names()[0]
    document = add_document(
        dossier=dossier,
        by=counter_officer,
        uploaded_file=upload(pdf_bytes()),
        kind=DocumentKind.COMPONENT,
        component_name=f" {published} ",
    )
    assert document.component_name == published and document.title == published
    with pytest.raises(ValidationFailed) as caught:
        add_document(
            dossier=dossier,
            by=counter_officer,
            uploaded_file=upload(png_bytes()),
            kind="component",
            component_name="Giấy không có trong danh mục",
        )
    assert caught.value.code == "unknown_component"
    with pytest.raises(ValidationFailed) as caught:
        add_document(
            dossier=dossier,
            by=counter_officer,
            uploaded_file=upload(png_bytes()),
            kind="result",
            component_name=published,
        )
    assert caught.value.code == "component_name_not_for_kind"
    with pytest.raises(ValidationFailed) as caught:
        add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(png_bytes()), kind="memo"
        )
    assert caught.value.code == "unknown_document_kind"
    assert Document.objects.count() == 1 and len(stored_files(media)) == 1


def test_the_agency_attaches_its_result(media, dossier, specialist) -> None:
    document = add_document(
        dossier=dossier, by=specialist, uploaded_file=upload(pdf_bytes()), kind="result"
    )
    assert document.kind == DocumentKind.RESULT and document.title == "scan.pdf"


# --- refusals that write nothing ---------------------------------------------------------


TRUNCATED_PDF = pdf_bytes()[:-200]
PDF_WITH_EOF_FAR_FROM_END = pdf_bytes() + b"%" + b"x" * 2000 + b"\n"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"<!DOCTYPE html><html><body>%PDF-1.4</body></html>", "x.pdf",
         "document_type_not_allowed"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100, "x.pdf",
         "document_type_not_allowed"),
        (b"", "empty.pdf", "document_empty"),
        (TRUNCATED_PDF, "cut.pdf", "document_type_not_allowed"),
        (PDF_WITH_EOF_FAR_FROM_END, "tail.pdf", "document_type_not_allowed"),
        (sniffing.PNG_MAGIC + b"\x00\x00\x00\x0dIDAT" + b"\x00" * 40, "x.png",
         "document_type_not_allowed"),
        (jpeg_bytes()[:-2], "cut.jpg", "document_type_not_allowed"),
        (jpeg_bytes(padding=sniffing.JPEG_TRAILING_LIMIT + 1), "padded.jpg",
         "document_type_not_allowed"),
        (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 30, "x.gif", "document_type_not_allowed"),
    ],
    ids=["html", "exe", "empty", "truncated-pdf", "pdf-eof-far", "png-no-ihdr", "jpeg-no-eoi",
         "jpeg-long-tail", "gif"],
)  # fmt: skip
def test_files_that_are_not_what_we_accept_are_refused(
    media, dossier, counter_officer, data, name, code
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(data, name), kind="component"
        )
    assert caught.value.code == code
    if code == "document_type_not_allowed":
        assert caught.value.message == "Chỉ nhận tệp PDF, JPEG hoặc PNG."
    assert nothing_written(media)


def test_jpeg_padding_within_the_limit_is_accepted() -> None:
    assert sniffing.detect_bytes(jpeg_bytes(padding=sniffing.JPEG_TRAILING_LIMIT)) == sniffing.JPEG


@override_settings(DOCUMENT_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused(media, dossier, counter_officer) -> None:
    big = pdf_bytes("x" * 2000)
    with pytest.raises(ValidationFailed) as caught:
        add_document(dossier=dossier, by=counter_officer, uploaded_file=upload(big), kind="other")
    assert caught.value.code == "document_too_large"
    assert "MB" in caught.value.message and caught.value.detail["max_bytes"] == 1000
    # A file whose declared size is wrong is measured while it is read.
    lying = upload(big)
    lying.size = 10
    with pytest.raises(ValidationFailed) as caught:
        add_document(dossier=dossier, by=counter_officer, uploaded_file=lying, kind="other")
    assert caught.value.code == "document_too_large"
    assert nothing_written(media)


def test_the_limit_is_stated_in_megabytes(media, dossier, counter_officer) -> None:
    assert services._megabytes(20 * 1024 * 1024) == "20"
    assert services._megabytes(int(2.5 * 1024 * 1024)) == "2,5"


def test_staff_of_another_unit_may_not_attach(media, dossier, commune_officer, outsider) -> None:
    for person in (commune_officer, outsider):
        with pytest.raises(NotFound) as caught:
            add_document(
                dossier=dossier, by=person, uploaded_file=upload(pdf_bytes()), kind="other"
            )
        assert caught.value.code == "dossier_not_found"
    assert nothing_written(media)


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_a_closed_dossier_takes_no_documents(media, dossier, counter_officer, status) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(status=status)
    dossier.refresh_from_db()
    with pytest.raises(ValidationFailed) as caught:
        add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(pdf_bytes()), kind="other"
        )
    assert caught.value.code == "dossier_closed"
    assert nothing_written(media)


def test_a_dossier_closed_while_the_file_was_stored_is_refused_and_the_file_removed(
    media, dossier, counter_officer
) -> None:
    """The caller's copy still says RECEIVED; the locked row says STOPPED."""
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.STOPPED)
    assert dossier.status == Status.RECEIVED
    with pytest.raises(ValidationFailed) as caught:
        add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(pdf_bytes()), kind="other"
        )
    assert caught.value.code == "dossier_closed"
    assert nothing_written(media)


def test_a_failed_database_write_removes_the_stored_file(
    media, dossier, counter_officer, monkeypatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "append_event", broken)
    with pytest.raises(RuntimeError):
        add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(png_bytes()), kind="other"
        )
    assert nothing_written(media)


def test_a_failed_store_writes_no_row(media, dossier, counter_officer, monkeypatch) -> None:
    def full_disk(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)
    with pytest.raises(OSError, match="No space left"):
        add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(png_bytes()), kind="other"
        )
    assert nothing_written(media)


def test_the_same_bytes_at_the_same_moment_give_the_first_document(
    media, dossier, counter_officer, monkeypatch
) -> None:
    """Both requests passed the duplicate check before either wrote; the unique constraint
    decides, the loser's file is removed and the winner's document returned."""
    data = pdf_bytes()
    winner = add_document(
        dossier=dossier, by=counter_officer, uploaded_file=upload(data), kind="other"
    )
    monkeypatch.setattr(services, "_existing", lambda dossier, sha256: None)
    loser = add_document(
        dossier=dossier, by=counter_officer, uploaded_file=upload(data), kind="other"
    )
    assert loser.pk == winner.pk
    assert stored_files(media) == [media / winner.file.name]
    assert dossier.events.filter(type=EventType.DOCUMENT_ADDED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_to_one_dossier(media, dossier, counter_officer) -> None:
    """Three requests with the same bytes and three with others, at once: one document per
    content, gap-free event sequence numbers, and no stray file."""
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    same = pdf_bytes("same")
    payloads = [same, same, same, pdf_bytes("a"), png_bytes(3, 1), jpeg_bytes(padding=7)]
    results: list[Document] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(payloads))

    def worker(data: bytes) -> None:
        try:
            barrier.wait()
            results.append(
                add_document(
                    dossier=dossier, by=counter_officer, uploaded_file=upload(data), kind="other"
                )
            )
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len({document.pk for document in results}) == 4
    assert Document.objects.count() == 4
    sequences = list(
        dossier.events.filter(type=EventType.DOCUMENT_ADDED).values_list("sequence", flat=True)
    )
    assert sorted(sequences) == [2, 3, 4, 5]
    assert stored_files(media) == sorted(
        media / name for name in Document.objects.values_list("file", flat=True)
    )


# --- reading back ------------------------------------------------------------------------


def test_open_document_streams_the_bytes_to_those_who_may_see_them(
    media, dossier, counter_officer, specialist, commune_officer
) -> None:
    data = jpeg_bytes()
    document = add_document(
        dossier=dossier, by=counter_officer, uploaded_file=upload(data, "a.jpg"), kind="other"
    )
    for person in (counter_officer, specialist):
        with open_document(document, by=person) as stream:
            assert b"".join(stream.chunks()) == data
    with pytest.raises(NotFound) as caught:
        open_document(document, by=commune_officer)
    assert caught.value.code == "dossier_not_found"


def test_a_file_from_disk_can_be_attached(media, dossier, counter_officer, tmp_path) -> None:
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(pdf_bytes())
    with path.open("rb") as handle:
        document = add_document(
            dossier=dossier, by=counter_officer, uploaded_file=File(handle), kind="result"
        )
    assert document.original_name == "ket-qua.pdf" and document.size == path.stat().st_size


# --- sniffing reads the head and the tail only -------------------------------------------


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_sniffing_a_big_file_reads_only_its_ends() -> None:
    pdf = pdf_bytes()
    head, tail = pdf[:200], pdf[200:]
    big = head + b"%" + b"0" * (8 * 1024 * 1024) + b"\n" + tail
    stream = CountingStream(big)
    assert sniffing.detect(stream, len(big)) == sniffing.PDF
    assert stream.bytes_read <= sniffing.HEAD_BYTES + sniffing.TAIL_BYTES
    assert stream.tell() == 0


# --- object storage ----------------------------------------------------------------------


S3_STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "motcua-test",
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_documents_are_stored_on_s3(dossier, counter_officer, specialist, monkeypatch) -> None:
    for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(variable, raising=False)
    data = pdf_bytes("S3")
    with mock_aws(), override_settings(STORAGES=S3_STORAGES):
        s3 = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket="motcua-test")
        document = add_document(
            dossier=dossier, by=counter_officer, uploaded_file=upload(data), kind="component"
        )
        stored = s3.get_object(Bucket="motcua-test", Key=document.file.name)["Body"].read()
        assert stored == data
        assert hashlib.sha256(stored).hexdigest() == document.sha256
        with open_document(document, by=specialist) as stream:
            assert stream.read() == data

        # A refusal after storing removes the object again.
        Dossier.objects.filter(pk=dossier.pk).update(status=Status.STOPPED)
        with pytest.raises(ValidationFailed):
            add_document(
                dossier=dossier, by=counter_officer, uploaded_file=upload(png_bytes()), kind="other"
            )
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket="motcua-test")["Contents"]]
        assert keys == [document.file.name]
