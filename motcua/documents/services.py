"""Attaching files to a dossier and reading them back, with the checks in one place.

`add_document` stores the file first, outside any lock, under a name no other upload can have;
then, in one transaction holding the dossier's row, it writes the Document and appends the
`document_added` event. If that transaction fails, the stored file is removed again; if storing
fails, nothing is written. Web pages, the API and commands all call these functions."""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.core.clock import now
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import clean_text
from motcua.documents import sniffing
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers.actions import append_event
from motcua.dossiers.models import Dossier, EventType
from motcua.workflow.states import TERMINAL

logger = logging.getLogger(__name__)

MEBIBYTE = 1024 * 1024
TYPE_NOT_ALLOWED = "Chỉ nhận tệp PDF, JPEG hoặc PNG."
CARRIES_MARKUP = (
    "Tệp có chứa mã trang web (HTML) nên không được nhận. "
    "Hãy quét lại hoặc in lại thành PDF rồi tải lên."
)


def add_document(
    *,
    dossier: Dossier,
    by: User,
    uploaded_file: File[Any],
    kind: DocumentKind | str,
    title: str = "",
    component_name: str = "",
) -> Document:
    """Attach a PDF, JPEG or PNG to a dossier and record the `document_added` event.

    The same bytes attached twice to the same dossier give back the first Document (and no
    second event). `uploaded_file` is any Django File: an UploadedFile from a form or the API,
    or `File(open(path, "rb"))` from a command."""
    document = stage_document(
        dossier=dossier,
        by=by,
        uploaded_file=uploaded_file,
        kind=kind,
        title=title,
        component_name=component_name,
    )
    if document.pk is not None:
        return document
    try:
        with transaction.atomic():
            _lock_open_dossier(dossier)
            record_document(document)
    except BaseException as error:
        discard_staged(document)
        if isinstance(error, IntegrityError):
            # The same bytes were attached at the same moment by another request: theirs won.
            winner = Document.objects.filter(dossier=dossier, sha256=document.sha256).first()
            if winner is not None:
                return winner
        raise
    return document


def stage_document(
    *,
    dossier: Dossier,
    by: User,
    uploaded_file: File[Any],
    kind: DocumentKind | str,
    title: str = "",
    component_name: str = "",
    only: tuple[sniffing.FileType, ...] = sniffing.ALLOWED,
    connector: bool = False,
) -> Document:
    """The checks of `add_document`, and the file stored under its final name: an unsaved
    Document, for `record_document` to write inside the caller's transaction (or the saved
    Document already holding the same bytes). `only` narrows the accepted types.

    Stored before any transaction: a slow upload to object storage holds no database lock. If
    this raises, nothing has been written; once it returns, the caller records the document
    or calls `discard_staged`. `connector`: `by` is the account of a connector that brings
    the applicant's own files (a portal's), which sees no dossier: only the closed check."""
    if connector:
        _refuse_if_closed(dossier)
    else:
        _check_may_attach(by=by, dossier=dossier)
    kind = _checked_kind(kind)
    component_name = _checked_component(dossier, kind=kind, component_name=component_name)
    original_name = _display_name(uploaded_file.name)
    title = clean_text(title) or component_name or original_name or str(kind.label)

    size, sha256 = _measure(uploaded_file)
    detected = _checked_type(uploaded_file, size)
    if detected not in only:
        names = ", ".join(sorted(t.extension.upper() for t in only))
        raise ValidationFailed(f"Chỉ nhận tệp {names}.", code="document_type_not_allowed")

    existing = _existing(dossier, sha256)
    if existing is not None:
        return existing

    document = Document(
        dossier=dossier,
        kind=kind,
        title=title[: Document._meta.get_field("title").max_length],
        component_name=component_name,
        original_name=original_name,
        content_type=detected.content_type,
        size=size,
        sha256=sha256,
        uploaded_by=by,
        uploaded_at=now(),
    )
    document.file.save(f"upload.{detected.extension}", uploaded_file, save=False)
    return document


def record_document(document: Document, *, at: datetime | None = None) -> Document:
    """Write a staged Document and its `document_added` event; the caller holds the
    transaction and the dossier's row lock."""
    if at is not None:
        document.uploaded_at = at
    document.save(force_insert=True)
    append_event(
        document.dossier,
        type=EventType.DOCUMENT_ADDED,
        at=document.uploaded_at,
        by=document.uploaded_by,
        data={
            "document_id": document.pk,
            "sha256": document.sha256,
            "kind": str(document.kind),
            "title": document.title,
        },
    )
    return document


def discard_staged(document: Document | None) -> None:
    """Remove the stored file of a staged Document whose recording failed (never saved, or
    saved in a transaction that was rolled back); a Document that is in the database keeps
    its file."""
    if document is None:
        return
    if document.pk is None or not Document.objects.filter(pk=document.pk).exists():
        _remove_stored(document)


def open_document(document: Document, *, by: User) -> File[Any]:
    """The document's file, opened for reading, for a view to stream (FileResponse).

    Send it with `download_headers(document)`; the caller closes it (FileResponse does)."""
    if not access.may_open_document(by, document):
        raise _not_found(document.dossier)
    if not document.file.name:
        raise NotFound("Tài liệu không có tệp.", code="document_file_missing")
    return document.file.storage.open(document.file.name, "rb")


@dataclass(frozen=True)
class CheckedUpload:
    """What the checks of an upload found: its size, SHA-256, true type and display name."""

    size: int
    sha256: str
    type: sniffing.FileType
    display_name: str


def check_upload(uploaded_file: File[Any]) -> CheckedUpload:
    """The checks every document passes (not empty, not too large, a PDF, JPEG or PNG by its
    bytes whatever its name says, no web page inside), for a file kept elsewhere before it is
    a document (the citizen portal's drafts); the file is rewound for storing."""
    size, sha256 = _measure(uploaded_file)
    detected = _checked_type(uploaded_file, size)
    uploaded_file.seek(0)
    return CheckedUpload(size, sha256, detected, _display_name(uploaded_file.name))


def _checked_type(uploaded_file: File[Any], size: int) -> sniffing.FileType:
    """The file's own type; a PDF or an image that also holds a web page (a polyglot) is
    refused like a file of another type, with a code of its own."""
    sniffed = sniffing.sniff(uploaded_file, size)
    if sniffed.type is None:
        raise ValidationFailed(TYPE_NOT_ALLOWED, code="document_type_not_allowed")
    if sniffed.markup:
        raise ValidationFailed(CARRIES_MARKUP, code="document_carries_markup")
    return sniffed.type


def download_headers(document: Document) -> dict[str, str]:
    """The headers a document is sent with, whoever sends it.

    Always a download, never shown in the page (`attachment`), under a name motcua makes:
    an ASCII slug, and the sender's Vietnamese name in UTF-8 (RFC 6266 / RFC 5987) for the
    browsers that read it. The browser must take the declared type (the one detected at
    upload) as is (`nosniff`), and should it still render the file, the sandbox gives it no
    scripts, no origin and nothing to load."""
    utf8_name = quote(document.download_name, safe="")
    return {
        "Content-Type": document.content_type,
        "Content-Disposition": (
            f"attachment; filename=\"{document.ascii_download_name}\"; filename*=UTF-8''{utf8_name}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, no-store",
    }


def _existing(dossier: Dossier, sha256: str) -> Document | None:
    return Document.objects.filter(dossier=dossier, sha256=sha256).first()


def _check_may_attach(*, by: User, dossier: Dossier) -> None:
    if not access.may_add_documents(by, dossier):
        raise _not_found(dossier)
    _refuse_if_closed(dossier)


def _not_found(dossier: Dossier) -> NotFound:
    """Someone who may not see a dossier learns nothing of it, its documents included: the
    same answer as for a dossier that does not exist (`accounts.access`)."""
    return NotFound(f"Không tìm thấy hồ sơ {dossier.code}.", code="dossier_not_found")


def _refuse_if_closed(dossier: Dossier) -> None:
    if dossier.status in TERMINAL:
        raise ValidationFailed(
            f"Hồ sơ {dossier.code} đã kết thúc, không thể thêm tài liệu.", code="dossier_closed"
        )


def _lock_open_dossier(dossier: Dossier) -> None:
    """Hold the dossier's row for the transaction (event sequence numbers are taken one at a
    time) and look at its status again: it may have been closed while the file was stored."""
    current = Dossier.objects.select_for_update().only("status", "code").get(pk=dossier.pk)
    _refuse_if_closed(current)


def _checked_kind(kind: DocumentKind | str) -> DocumentKind:
    if kind not in DocumentKind.values:
        raise ValidationFailed("Loại tài liệu không hợp lệ.", code="unknown_document_kind")
    return DocumentKind(kind)


def _checked_component(dossier: Dossier, *, kind: DocumentKind, component_name: str) -> str:
    """A component name must be one the procedure publishes, and only for a component scan."""
    name = clean_text(component_name)[: Document._meta.get_field("component_name").max_length]
    if not name:
        return ""
    if kind != DocumentKind.COMPONENT:
        raise ValidationFailed(
            "Chỉ bản quét thành phần hồ sơ mới ghi tên thành phần.",
            code="component_name_not_for_kind",
        )
    published = dossier.procedure_version.component_names()
    if published and name not in [clean_text(item) for item in published]:
        raise ValidationFailed(
            "Thành phần hồ sơ không có trong danh mục của thủ tục.",
            code="unknown_component",
            components=[name],
        )
    return name


def _measure(uploaded_file: File[Any]) -> tuple[int, str]:
    """The size and SHA-256 of the content, read chunk by chunk, refusing early when empty or
    over `settings.DOCUMENT_MAX_BYTES` (the declared size first, then the bytes read)."""
    limit = settings.DOCUMENT_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared == 0:
        raise ValidationFailed("Tệp rỗng.", code="document_empty")
    if declared is not None and declared > limit:
        raise _too_large(limit)
    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded_file.chunks():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        digest.update(chunk)
    if size == 0:
        raise ValidationFailed("Tệp rỗng.", code="document_empty")
    return size, digest.hexdigest()


def _too_large(limit: int) -> ValidationFailed:
    return ValidationFailed(
        f"Tệp quá lớn: mỗi tệp tối đa {_megabytes(limit)} MB.",
        code="document_too_large",
        max_bytes=limit,
    )


def _megabytes(count: int) -> str:
    """In MiB, as people read "MB", with the Vietnamese decimal comma: 20971520 → "20",
    2621440 → "2,5"."""
    value = count / MEBIBYTE
    text = f"{value:.2f}" if value >= 0.01 else f"{value:.3g}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _display_name(name: str | None) -> str:
    """The sender's file name, for display only: the last path part, NFC, no control chars."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return clean_text(printable)[:255]


def _remove_stored(document: Document) -> None:
    name = document.file.name
    if not name:
        return
    try:
        document.file.storage.delete(name)
    except Exception:  # the original error matters more than a leftover file
        logger.exception("could not remove the stored file %s of a failed upload", name)
