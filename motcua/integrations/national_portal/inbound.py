"""Dossiers submitted on the national portal become SUBMITTED dossiers here, waiting for the
reception check (dossiers/reception.py), whether the portal pushes them
(POST /api/v1/portal/dossiers) or we pull them (`motcua portal pull`).

One message is one dossier: it is read (`mapping.incoming`), its files are decoded or
downloaded before anything is written, then the dossier, its files (checked as every upload
is, documents/services.py) and the portal's facts are written in one transaction. A dossier
the counter sent back for completion (NEEDS_COMPLETION_AT_RECEPTION) that comes again under
the same MaHoSo is the applicant's resubmission (`reception.resubmit`, with its new files);
any other repeat of a MaHoSo is refused (`duplicate_external_code`). A refused message writes
nothing but a `RefusedMessage` with its stable code (the administrator's list) and a log
line; a stored file of a refused message is removed again."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, Unit
from motcua.core.clock import now
from motcua.core.errors import MotcuaError, NotFound, ValidationFailed
from motcua.documents.models import Document, DocumentKind
from motcua.documents.services import discard_staged, record_document, stage_document
from motcua.dossiers.actions import Applicant
from motcua.dossiers.models import Dossier, Source
from motcua.dossiers.reception import DuplicateExternalCode, resubmit, submit_online
from motcua.integrations.national_portal import mapping
from motcua.integrations.national_portal.client import PortalClient, PortalUnavailable
from motcua.integrations.national_portal.models import PortalDossier, RefusedMessage
from motcua.workflow.states import Status

logger = logging.getLogger(__name__)

SOURCE = Source.NATIONAL_PORTAL
CONNECTOR_USERNAME = "cong-dvc-quoc-gia"


def connector_account() -> User:
    """The account the portal's files are recorded under (it can sign in nowhere)."""
    user, created = User.objects.get_or_create(
        username=CONNECTOR_USERNAME,
        defaults={"full_name": "Cổng Dịch vụ công quốc gia", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def receive(body: Any, *, via: str, client: PortalClient | None = None) -> Dossier:
    """Take one dossier message; raises `MotcuaError` (recorded as refused) when it cannot,
    and `PortalUnavailable` (nothing recorded: try again later) when a file could not be
    fetched because the portal is down."""
    try:
        return _receive(body, via=via, client=client)
    except PortalUnavailable:
        raise
    except MotcuaError as error:
        refuse(body, error, via=via)
        raise


def refuse(body: Any, error: MotcuaError, *, via: str) -> RefusedMessage:
    known = body if isinstance(body, dict) else {}
    logger.warning(
        "national portal message refused (%s, via %s): %s %s",
        error.code,
        via,
        known.get("MaHoSo", ""),
        error.message,
    )
    return RefusedMessage.objects.create(
        received_at=now(),
        received_via=via,
        code=error.code,
        reason=error.message,
        external_code=str(known.get("MaHoSo") or "")[:64],
        procedure_code=str(known.get("MaTTHC") or "")[:64],
        body=mapping.without_contents(body),
    )


def _receive(body: Any, *, via: str, client: PortalClient | None) -> Dossier:
    message = mapping.incoming(body)
    existing = Dossier.objects.filter(source=SOURCE, external_code=message.code).first()
    if existing is not None and existing.status != Status.NEEDS_COMPLETION_AT_RECEPTION:
        raise DuplicateExternalCode(
            f"Hồ sơ mã {message.code} từ Cổng đã được nhận.", external_code=message.code
        )
    if not Procedure.objects.filter(code=message.procedure).exists():
        raise NotFound(f"Không có thủ tục {message.procedure}.", code="unknown_procedure")
    unit = _unit(message.unit)
    contents = [_content(item, client) for item in message.files]
    account = connector_account()
    staged: list[Document] = []
    try:
        with transaction.atomic():
            if existing is None:
                dossier = submit_online(
                    procedure=message.procedure,
                    unit=unit,
                    applicant=Applicant(**message.applicant),
                    components=message.components,
                    source=SOURCE,
                    external_code=message.code,
                    submitted_at=message.submitted_at,
                    return_channel=message.return_channel,
                    postal_address=message.postal_address,
                )
            else:  # the applicant completed it on the portal: the same code, sent again
                dossier = resubmit(
                    dossier=existing,
                    submitted_at=message.submitted_at,
                    components=message.components or None,
                )
            files = []
            for item, content in zip(message.files, contents, strict=True):
                document = stage_document(
                    dossier=dossier,
                    by=account,
                    uploaded_file=ContentFile(content, name=item.name),
                    kind=DocumentKind.COMPONENT if item.component else DocumentKind.OTHER,
                    title=item.name,
                    component_name=item.component,
                    connector=True,
                )
                if document.pk is None:
                    staged.append(document)
                    record_document(document, at=message.submitted_at)
                files.append(
                    {
                        "component": item.component,
                        "name": item.name,
                        "document_id": document.pk,
                        "digitised": item.digitised,
                        "from_national_store": item.from_national_store,
                    }
                )
            _keep_facts(dossier, message, files, via=via)
    except BaseException:
        for document in staged:
            discard_staged(document)
        raise
    logger.info("national portal dossier %s received as %s", message.code, dossier.code)
    return dossier


def _keep_facts(
    dossier: Dossier, message: mapping.IncomingDossier, files: list[dict[str, Any]], *, via: str
) -> None:
    """The portal's facts, as of its latest submission (a resubmission adds its files)."""
    facts = PortalDossier.objects.filter(dossier=dossier).first() or PortalDossier(
        dossier=dossier, external_code=message.code
    )
    known = {item["document_id"] for item in facts.files or []}
    facts.files = [*(facts.files or []), *(f for f in files if f["document_id"] not in known)]
    facts.vneid_verified = message.vneid_verified
    facts.paid_online = message.paid_online
    facts.fees = message.fees
    facts.received_via = via
    facts.received_at = now()
    facts.save()


def _unit(code: str) -> Unit:
    wanted = code or settings.NATIONAL_PORTAL_UNIT
    found = None
    if wanted:
        found = Unit.objects.filter(Q(code=wanted) | Q(identity_code=wanted)).first()
    if found is None:
        raise ValidationFailed(
            f"Không có đơn vị tiếp nhận {wanted or '(trống)'}.", code="unknown_unit", unit=wanted
        )
    return found


def _content(item: mapping.IncomingFile, client: PortalClient | None) -> bytes:
    if item.content is not None:
        return item.content
    return (client or PortalClient()).download(item.url, limit=settings.DOCUMENT_MAX_BYTES)


@dataclass
class PullSummary:
    received: list[str] = field(default_factory=list)  # our codes
    refused: list[tuple[str, str]] = field(default_factory=list)  # (MaHoSo, code)

    def as_dict(self) -> dict[str, Any]:
        return {"received": self.received, "refused": [list(item) for item in self.refused]}


def pull(client: PortalClient | None = None) -> PullSummary:
    """Take every dossier the portal offers, acknowledging each one (taken or refused). A
    portal down mid-way stops the run: what was taken stays, the rest is taken next time."""
    client = client or PortalClient()
    summary = PullSummary()
    for body in client.pending_dossiers():
        code = str(body.get("MaHoSo") or "") if isinstance(body, dict) else ""
        try:
            dossier = receive(body, via="pull", client=client)
        except PortalUnavailable:
            raise
        except MotcuaError as error:
            summary.refused.append((code, error.code))
            if code:
                client.acknowledge(code, refused=error.code)
            continue
        summary.received.append(dossier.code)
        client.acknowledge(code, ours=dossier.code)
    return summary
