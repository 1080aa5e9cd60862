"""What a citizen does on the portal, each a named function with its checks: start an
application for a procedure in force, fill it in, attach or reuse a file per component, submit
it (the dossier is made by `dossiers.reception.submit_online` and waits for the reception check
at the counter), answer a supplement request online (`dossiers.actions.receive_supplement_online`:
the clock resumes at that moment). Files are checked by the documents' own checks
(`documents/services.py`): a file that lies about its type is refused here as anywhere.

Every function takes the citizen as `by` and finds what it acts on through
`accounts.access` (their own only); it raises `core.errors` with a stable code and writes
nothing when it refuses."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.catalog import published
from motcua.catalog.models import OnlineMode, ProcedureVersion, Unit
from motcua.citizens.models import Application, ApplicationFile
from motcua.core import identity
from motcua.core.clock import local, now
from motcua.core.errors import NotFound, PermissionRefused, ValidationFailed
from motcua.core.text import clean_lower, clean_text, fitted
from motcua.documents import services as documents
from motcua.documents.models import Document, DocumentKind
from motcua.dossiers import actions, reception
from motcua.dossiers.models import Dossier, EventType, ReturnChannel, Source
from motcua.workflow.states import Status

# A component is optional when the catalogue says so (`{"name": …, "required": false}`) or
# when its name states the case it applies to ("(nếu có)", "(trường hợp …)", "(khi …)").
_CONDITIONAL = re.compile(r"\((?:[^)]*\b)?(nếu|trường hợp|khi|trừ)\b", re.IGNORECASE)


def required_components(version: ProcedureVersion) -> list[str]:
    """The components a citizen must give a file for before submitting."""
    names = []
    for component in version.components:
        if isinstance(component, dict):
            if component.get("required", True):
                names.append(str(component.get("name", "")))
        elif not _CONDITIONAL.search(str(component)):
            names.append(str(component))
    return [name for name in names if name]


def _citizen(by: User) -> User:
    if not access.is_citizen(by):
        raise PermissionRefused(
            "Chỉ tài khoản công dân mới nộp hồ sơ tại đây.", code="not_a_citizen"
        )
    return by


def offered_version(code: str) -> ProcedureVersion:
    """The version of procedure `code` in force today, if it is offered online."""
    version = published.in_force(code, day=local(now()).date())
    if version is None:
        raise NotFound("Không tìm thấy thủ tục.", code="procedure_not_found")
    if version.online == OnlineMode.NONE:
        raise ValidationFailed(
            "Thủ tục này không được cung cấp trực tuyến.", code="procedure_not_online"
        )
    return version


def start_application(*, by: User, procedure_code: str, unit_code: str) -> Application:
    """A new draft for the procedure's version in force, at one of its receiving points."""
    _citizen(by)
    version = offered_version(procedure_code)
    unit = next((u for u in published.receiving_points(version) if u.code == unit_code), None)
    if unit is None:
        raise ValidationFailed(
            "Nơi tiếp nhận không nhận hồ sơ của thủ tục này.", code="not_a_receiving_unit"
        )
    return Application.objects.create(owner=by, procedure_version=version, unit=unit)


def _draft(by: User, key: str) -> Application:
    application = access.own_application_for(_citizen(by), key)
    if not application.is_draft:
        raise ValidationFailed("Hồ sơ đã nộp, không sửa được bản nháp.", code="already_submitted")
    return application


def save_details(
    *,
    by: User,
    key: str,
    phone: str = "",
    email: str = "",
    address: str = "",
    return_channel: str = ReturnChannel.ONLINE,
    postal_address: str = "",
) -> Application:
    """The applicant's contact details and how they want the result (a draft, saved as is)."""
    application = _draft(by, key)
    if return_channel not in ReturnChannel.values:
        raise ValidationFailed("Hình thức nhận kết quả không hợp lệ.", code="unknown_channel")
    application.phone = identity.normalize_phone(phone)
    application.email = fitted(email, max_length=254, field="email", normalise=clean_lower)
    application.address = fitted(address, max_length=300, field="address")
    application.return_channel = return_channel
    application.postal_address = fitted(postal_address, max_length=300, field="postal_address")
    application.save()
    return application


def _component(application: Application, component_name: str) -> str:
    name = clean_text(component_name)
    if name not in application.procedure_version.component_names():
        raise ValidationFailed(
            "Thành phần hồ sơ không có trong danh mục của thủ tục.",
            code="unknown_component",
            components=[name],
        )
    return name


def attach_file(
    *, by: User, key: str, component_name: str, uploaded_file: File[Any]
) -> ApplicationFile:
    """A file for one component of a draft, checked as any document (size, real type, no web
    page inside); it replaces the component's former file."""
    application = _draft(by, key)
    name = _component(application, component_name)
    checked = documents.check_upload(uploaded_file)
    entry = ApplicationFile(
        application=application,
        component_name=name,
        original_name=checked.display_name,
        content_type=checked.type.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_at=now(),
    )
    entry.file.save(f"upload.{checked.type.extension}", uploaded_file, save=False)
    return _replace(application, entry)


def reusable_documents(by: User) -> QuerySet[Document]:
    """The citizen's e-data store: the papers of their earlier dossiers, and the results
    already delivered to them (a result not yet downloaded goes out only through its
    delivery)."""
    delivered = Q(kind=DocumentKind.RESULT, dossier__delivered_at__isnull=False)
    return (
        Document.objects.filter(dossier__in=access.own_dossiers(by), file__gt="")
        .filter(~Q(kind=DocumentKind.RESULT) | delivered)
        .exclude(reused_from__isnull=False)
        .select_related("dossier")
        .order_by("-uploaded_at", "-id")
    )


def reuse_document(*, by: User, key: str, component_name: str, document_id: int) -> ApplicationFile:
    """An earlier document of the citizen's own chosen for a component instead of an upload."""
    application = _draft(by, key)
    name = _component(application, component_name)
    document = reusable_documents(by).filter(pk=document_id).first()
    if document is None:
        raise NotFound("Không tìm thấy tài liệu.", code="document_not_found")
    entry = ApplicationFile(
        application=application,
        component_name=name,
        original_name=document.download_name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        reused_from=document,
        uploaded_at=now(),
    )
    return _replace(application, entry)


def _replace(application: Application, entry: ApplicationFile) -> ApplicationFile:
    with transaction.atomic():
        former = list(application.files.filter(component_name=entry.component_name))
        for old in former:
            old.delete()
        entry.save()
        application.save(update_fields=["updated_at"])
    for old in former:
        if old.file.name:
            old.file.storage.delete(old.file.name)
    return entry


def remove_file(*, by: User, key: str, component_name: str) -> None:
    application = _draft(by, key)
    for old in list(application.files.filter(component_name=clean_text(component_name))):
        old.delete()
        if old.file.name:
            old.file.storage.delete(old.file.name)


def submit_application(*, by: User, key: str, at: datetime | None = None) -> Dossier:
    """Submit the draft: the dossier is made (SUBMITTED, waiting for the reception check at its
    one-stop, source `own_portal`, the application's key as the portal's code) and each file
    becomes a document of it, a reused one recording where it came from. Refused
    (`missing_components`) while a required component has no file, and
    (`procedure_changed`) when the draft's version is no longer the one in force."""
    application = _draft(by, key)
    version = application.procedure_version
    if published.in_force(version.code, day=local(at or now()).date()) != version:
        raise ValidationFailed(
            "Thủ tục đã thay đổi từ khi bắt đầu bản nháp này: hãy nộp hồ sơ mới theo quy "
            "định đang có hiệu lực.",
            code="procedure_changed",
        )
    files = list(application.files.select_related("reused_from"))
    given = {entry.component_name for entry in files}
    missing = [n for n in required_components(application.procedure_version) if n not in given]
    if missing:
        raise ValidationFailed(
            "Còn thành phần hồ sơ bắt buộc chưa có tệp.",
            code="missing_components",
            components=missing,
        )
    account = by.citizen
    applicant = actions.Applicant(
        name=by.full_name,
        phone=application.phone,
        email=application.email,
        address=application.address,
        id_number=account.id_number,
    )
    staged: list[Document] = []
    try:
        with transaction.atomic():
            dossier = reception.submit_online(
                procedure=application.procedure_version,
                unit=application.unit,
                applicant=applicant,
                components=sorted(given),
                source=Source.OWN_PORTAL,
                submitted_at=at or now(),
                external_code=application.key,
                return_channel=application.return_channel,
                postal_address=application.postal_address,
            )
            application.dossier = dossier
            application.save(update_fields=["dossier", "updated_at"])
            Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
            for entry in files:
                document = _stage(dossier, by, entry)
                if document.pk is None:
                    staged.append(document)
                    documents.record_document(document)
    except BaseException:
        for document in staged:
            documents.discard_staged(document)
        raise
    for entry in files:  # the draft's own copies are no longer needed
        if entry.file.name:
            entry.file.storage.delete(entry.file.name)
    return dossier


def _stage(dossier: Dossier, by: User, entry: ApplicationFile) -> Document:
    source = entry.reused_from.file if entry.reused_from is not None else entry.file
    with source.storage.open(source.name or "", "rb") as handle:
        document = documents.stage_document(
            dossier=dossier,
            by=by,
            uploaded_file=File(handle, name=entry.original_name or "tep"),
            kind=DocumentKind.COMPONENT,
            component_name=entry.component_name,
        )
    document.reused_from = entry.reused_from
    return document


# --- supplements answered online ----------------------------------------------------------


def supplement_items(dossier: Dossier) -> list[str]:
    """The papers the latest supplement request listed (what the citizen must send)."""
    event = dossier.events.filter(type=EventType.SUPPLEMENT_REQUESTED).order_by("-sequence").first()
    return list((event.data or {}).get("items", [])) if event else []


def answer_supplement(
    *, by: User, code: str, files: dict[str, File[Any]], note: str = "", at: datetime | None = None
) -> Dossier:
    """The citizen sends the papers asked for, one file per listed item: each becomes a
    document of the dossier (a component's scan when the item is a component of the
    procedure), then the supplement's reception is recorded (the clock resumes now)."""
    dossier = access.own_dossier_for(_citizen(by), code)
    if dossier.status != Status.AWAITING_SUPPLEMENT:
        raise ValidationFailed("Hồ sơ không chờ bổ sung.", code="no_supplement_asked")
    items = supplement_items(dossier)
    missing = [item for item in items if item not in files]
    if missing:
        raise ValidationFailed(
            "Cần tải lên tệp cho mỗi giấy tờ được yêu cầu.",
            code="supplement_incomplete",
            items=missing,
        )
    published_names = dossier.procedure_version.component_names()
    staged: list[Document] = []
    try:
        for item in items:
            is_component = item in published_names
            document = documents.stage_document(
                dossier=dossier,
                by=by,
                uploaded_file=files[item],
                kind=DocumentKind.COMPONENT if is_component else DocumentKind.OTHER,
                title=f"Bổ sung: {item}",
                component_name=item if is_component else "",
            )
            if document.pk is None:
                staged.append(document)
        with transaction.atomic():
            Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
            for document in staged:
                documents.record_document(document)
            done = actions.receive_supplement_online(
                dossier=dossier, note=clean_text(note) or "Bổ sung trực tuyến", at=at
            )
    except BaseException:
        for document in staged:
            documents.discard_staged(document)
        raise
    return done


def receiving_points(version: ProcedureVersion) -> list[Unit]:
    return published.receiving_points(version)
