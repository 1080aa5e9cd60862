"""Electronic results (kết quả điện tử): the agency's result file, stamped with the dossier's
lookup QR and signed, then delivered online (docs/domain/e-results.md).

`stage_result` is called by the approval (`dossiers.actions.approve_dossier`) before its
transaction: it checks the file, stamps and signs it and stores the signed copy; the approval
then records it with its own events. `sign_component` signs a scanned copy made at reception
the same way. `result_for_download` is what the public lookup hands to the holder of the
lookup code."""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction

from motcua.accounts.models import User
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import clean_text
from motcua.documents import signing, sniffing
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import (
    _check_may_attach,
    _checked_type,
    _measure,
    discard_staged,
    record_document,
    stage_document,
)
from motcua.dossiers.lookup_codes import lookup_url
from motcua.dossiers.models import Dossier
from motcua.workflow.states import Status

# States in which the result has reached the one-stop and may be downloaded by the applicant.
DOWNLOADABLE = frozenset({Status.RESOLVED, Status.RETURNED})


def stage_result(
    *, dossier: Dossier, by: User, uploaded_file: File[Any], result_number: str = ""
) -> Document:
    """The result file, checked (a real PDF: a file whose bytes say otherwise is refused),
    stamped with the dossier's lookup QR and signed, and stored: an unsaved Document for the
    approval to record (or `signing.not_configured()` refused before anything is stored)."""
    _check_may_attach(by=by, dossier=dossier)
    size, _digest = _measure(uploaded_file)
    # the same refusals, with the same codes, as any document (a file lying about its type)
    if _checked_type(uploaded_file, size) != sniffing.PDF:
        raise ValidationFailed("Kết quả điện tử phải là tệp PDF.", code="result_must_be_pdf")
    if not signing.is_configured():
        raise signing.not_configured()
    uploaded_file.seek(0)
    original = uploaded_file.read()
    number = clean_text(result_number)
    signed = signing.stamp_and_sign(
        original,
        url=lookup_url(dossier),
        caption=f"Ho so {dossier.code}" + (f" - So {number}" if number else ""),
        reason=f"Kết quả giải quyết hồ sơ {dossier.code}" + (f", số {number}" if number else ""),
        location=dossier.agency.name,
    )
    title = "Kết quả giải quyết" + (f" số {number}" if number else "")
    name = (getattr(uploaded_file, "name", "") or "ket-qua.pdf").replace("\\", "/")
    return stage_document(
        dossier=dossier,
        by=by,
        uploaded_file=ContentFile(signed, name=name.rsplit("/", 1)[-1]),
        kind=DocumentKind.RESULT,
        title=title,
        only=(sniffing.PDF,),
    )


def sign_component(*, document: Document, by: User) -> Document:
    """A signed copy of a component's scanned PDF (Decree 107: a digitised copy carries the
    receiving body's signature), attached to the same dossier beside the scan. Signing the
    same scan twice gives back a new signed copy each time (a signature holds its moment)."""
    dossier = document.dossier
    _check_may_attach(by=by, dossier=dossier)
    if document.kind != DocumentKind.COMPONENT:
        raise ValidationFailed("Chỉ ký số bản quét thành phần hồ sơ.", code="not_a_component_scan")
    if document.content_type != sniffing.PDF.content_type:
        raise ValidationFailed("Chỉ ký số được tệp PDF.", code="result_must_be_pdf")
    if not signing.is_configured():
        raise signing.not_configured()
    with document.file.storage.open(document.file.name or "", "rb") as handle:
        original = handle.read()
    signed = signing.stamp_and_sign(
        original,
        url=lookup_url(dossier),
        caption=f"Ho so {dossier.code} - ban so hoa",
        reason=f"Bản sao điện tử từ bản quét thành phần hồ sơ {dossier.code}",
        location=dossier.receiving_unit.name,
    )
    staged = stage_document(
        dossier=dossier,
        by=by,
        uploaded_file=ContentFile(signed, name=document.download_name),
        kind=DocumentKind.COMPONENT,
        title=f"{document.title} (bản ký số)",
        component_name=document.component_name,
        only=(sniffing.PDF,),
    )
    if staged.pk is not None:
        return staged
    try:
        with transaction.atomic():
            Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
            record_document(staged)
    except BaseException:
        discard_staged(staged)
        raise
    return staged


def latest_result(dossier: Dossier) -> Document | None:
    return (
        Document.objects.filter(dossier=dossier, kind=DocumentKind.RESULT)
        .order_by("-uploaded_at", "-id")
        .first()
    )


def result_for_download(dossier: Dossier) -> Document:
    """The signed result the applicant may download now: an e-result procedure's, once the
    result has reached the one-stop."""
    found = latest_result(dossier) if dossier.status in DOWNLOADABLE else None
    if found is None or not found.file.name:
        raise NotFound("Hồ sơ chưa có kết quả điện tử.", code="result_not_available")
    return found
