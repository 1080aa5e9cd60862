"""Reads of dossiers for the public lookup and the counter: what may be shown to whom."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from motcua.core.clock import local
from motcua.core.text import clean_text, digits_only
from motcua.dossiers import clock
from motcua.dossiers.models import Dossier


def find_by_code(code: str) -> Dossier | None:
    code = clean_text(code).upper()
    if not code:
        return None
    return (
        Dossier.objects.select_related("procedure_version", "receiving_unit", "agency")
        .filter(code=code)
        .first()
    )


def second_factor_matches(dossier: Dossier, last_digits: str) -> bool:
    """The applicant proves it is them with the last 4 digits of the phone on the slip."""
    given = digits_only(last_digits)
    phone = dossier.applicant_phone
    if len(given) != 4 or len(phone) < 4:
        return False
    return hmac.compare_digest(phone[-4:], given)


@dataclass(frozen=True)
class PublicDossier:
    """What anyone holding the code may see: nothing that identifies the applicant."""

    code: str
    procedure_code: str
    procedure_name: str
    receiving_unit: str
    agency: str
    status: str
    status_label: str
    channel_label: str
    received_at: Any
    due_at: Any
    explanation: list[str]
    explanation_en: list[str]


@dataclass(frozen=True)
class PrivateDossier:
    """Added for the applicant (second factor given) and for entitled staff."""

    applicant_name: str
    applicant_phone_masked: str
    applicant_address: str
    components: list[str]
    return_channel_label: str
    postal_address: str
    timeline: list[dict[str, Any]]


def public_view(dossier: Dossier) -> PublicDossier:
    deadline = clock.current_deadline(dossier)
    return PublicDossier(
        code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_version.name,
        receiving_unit=dossier.receiving_unit.name,
        agency=dossier.agency.name,
        status=dossier.status,
        status_label=dossier.status_label,
        channel_label=dossier.get_channel_display(),
        received_at=local(dossier.received_at),
        due_at=local(deadline.due_at),
        explanation=deadline.explanation,
        explanation_en=deadline.explanation_en,
    )


def private_view(dossier: Dossier) -> PrivateDossier:
    phone = dossier.applicant_phone
    return PrivateDossier(
        applicant_name=dossier.applicant_name,
        applicant_phone_masked=("*" * (len(phone) - 4) + phone[-4:]) if phone else "",
        applicant_address=dossier.applicant_address,
        components=list(dossier.components),
        return_channel_label=dossier.get_return_channel_display(),
        postal_address=dossier.postal_address,
        timeline=[
            {"type": event.type, "label": event.get_type_display(), "at": local(event.at)}
            for event in dossier.events.order_by("sequence")
        ],
    )
