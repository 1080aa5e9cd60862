"""Reads of dossiers for the public lookup and the counter: what may be shown to whom.

The public lookup has three levels (docs/decisions/0009-lookup-code.md): anyone with the
dossier code sees its state, appointment and what happens next, without officers' free texts;
the phone's last 4 digits add the steps with their dates (`PROGRESS`); the lookup code printed
on Form 01 adds the applicant's data and the officers' texts (`FULL`). Wrong digits and wrong
lookup codes each lock that kind of proof for the dossier (`core/ratelimit.py`)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from motcua.core import ratelimit
from motcua.core.clock import local
from motcua.core.text import clean_text, digits_only
from motcua.dossiers import clock, lookup_codes
from motcua.dossiers.models import Dossier, EventType
from motcua.workflow import citizen
from motcua.workflow.explain import Lang


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


class Access(StrEnum):
    PUBLIC = "public"  # the dossier code only
    PROGRESS = "progress"  # the phone's last 4 digits: steps and dates, nothing personal
    FULL = "full"  # the lookup code: everything the applicant gave and was told


@dataclass(frozen=True)
class Unlock:
    """The outcome of a proof: "not_given", "accepted", "rejected" or "locked"."""

    verdict: str
    access: Access
    retry_after: int = 0


def unlock(dossier: Dossier, *, lookup_code: str = "", phone_last4: str = "") -> Unlock:
    """Check what the visitor gave: the lookup code if any, else the phone digits. Each try
    counts against that proof's lock for this dossier before it is checked, whoever sends it
    and from wherever; a success forgives that proof's failures only (so the digits, which a
    neighbour may know, never reset the count of guessed lookup codes)."""
    if clean_text(lookup_code):
        lock, access = ratelimit.lookup_code_lock(), Access.FULL
    elif clean_text(phone_last4):
        lock, access = ratelimit.second_factor_lock(), Access.PROGRESS
    else:
        return Unlock("not_given", Access.PUBLIC)
    verdict = ratelimit.attempt(lock, dossier.code)
    if not verdict.allowed:
        return Unlock("locked", Access.PUBLIC, verdict.retry_after)
    if access == Access.FULL:
        proven = lookup_codes.matches(dossier.lookup_code, lookup_code)
    else:
        proven = second_factor_matches(dossier, phone_last4)
    if not proven:
        return Unlock("rejected", Access.PUBLIC)
    ratelimit.succeeded(lock, dossier.code)
    return Unlock("accepted", access)


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
    ended: bool  # finished: the appointment is history, not a promise
    next_step: citizen.NextStep
    steps: list[dict[str, Any]]  # with the phone digits or the lookup code


@dataclass(frozen=True)
class PrivateDossier:
    """Added for the applicant who holds the lookup code."""

    applicant_name: str
    applicant_phone_masked: str
    applicant_address: str
    components: list[str]
    return_channel_label: str
    postal_address: str


def public_view(
    dossier: Dossier,
    access: Access = Access.PUBLIC,
    lang: str | None = None,
    *,
    in_account: bool = False,
) -> PublicDossier:
    """What the lookup shows at `access`, in `lang` (default: the active language). The
    appointment, its explanation and the next step come from one reading of the clock.
    `in_account`: read by the applicant in their own account on the citizen portal (at the
    full level), where papers and the result are given on the page."""
    language = _lang(lang)
    deadline = clock.current_deadline(dossier)
    return PublicDossier(
        code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_version.name,
        receiving_unit=dossier.receiving_unit.name,
        agency=dossier.agency.name,
        status=dossier.status,
        status_label=citizen.state_label(dossier.status, language),
        channel_label=dossier.get_channel_display(),
        received_at=local(dossier.received_at),
        due_at=local(deadline.due_at),
        explanation=deadline.explanation,
        explanation_en=deadline.explanation_en,
        ended=dossier.ended_at is not None,
        next_step=citizen.next_step(
            replace(_facts(dossier, deadline, access), in_account=in_account), language
        ),
        steps=steps_of(dossier, language) if access != Access.PUBLIC else [],
    )


def steps_of(dossier: Dossier, lang: Lang) -> list[dict[str, Any]]:
    """The dossier's steps in the applicant's words, with their dates (staff-only ones left
    out)."""
    shown = []
    for event in dossier.events.order_by("sequence"):
        label = citizen.step_label(event.type, lang)
        if label is not None:
            shown.append({"type": event.type, "label": label, "at": local(event.at)})
    return shown


def _facts(dossier: Dossier, deadline: clock.CurrentDeadline, access: Access) -> citizen.Facts:
    """The next step's facts; officers' free texts only for the holder of the lookup code."""
    full = access == Access.FULL
    unit = dossier.receiving_unit
    place = ", ".join(part for part in (unit.name, unit.address) if part)
    latest = _latest_events(dossier)
    asked = latest.get(EventType.SUPPLEMENT_REQUESTED)
    extended = latest.get(EventType.EXTENDED)
    delivered = latest.get(EventType.RESULT_DELIVERED)
    ending = latest.get(EventType.WITHDRAWN) or latest.get(EventType.RETURNED_UNRESOLVED)
    waiting = dossier.status == "AWAITING_SUPPLEMENT"
    reason = ""
    if full and waiting and asked is not None:
        reason = asked.reason
    elif full and dossier.status in ("STOPPED", "RETURNED_NOT_RESOLVED") and ending is not None:
        reason = ending.reason
    elif full and extended is not None:
        reason = extended.reason
    return citizen.Facts(
        status=dossier.status,
        due_at=local(deadline.due_at),
        place=place,
        return_channel=dossier.return_channel,
        paused_since=local(dossier.paused_at) if waiting and dossier.paused_at else None,
        items=list((asked.data or {}).get("items", [])) if full and waiting and asked else [],
        reason=clean_text(reason),
        previous_due=local(dossier.due_at_original) if dossier.due_at_original else None,
        delivered_at=local(dossier.delivered_at) if dossier.delivered_at else None,
        delivered_via=dossier.delivered_via,
        e_result=dossier.status == "RESOLVED" and dossier.documents.filter(kind="result").exists(),
        postal_item=str((delivered.data or {}).get("postal_item", ""))
        if full and delivered is not None
        else "",
        ended_at=local(dossier.ended_at or (ending.at if ending else dossier.received_at)),
    )


def _latest_events(dossier: Dossier) -> dict[str, Any]:
    wanted = (
        EventType.SUPPLEMENT_REQUESTED,
        EventType.EXTENDED,
        EventType.RESULT_DELIVERED,
        EventType.WITHDRAWN,
        EventType.RETURNED_UNRESOLVED,
    )
    latest: dict[str, Any] = {}
    for event in dossier.events.filter(type__in=wanted).order_by("sequence"):
        latest[event.type] = event
    return latest


def _lang(lang: str | None) -> Lang:
    from django.utils.translation import get_language

    return "en" if (lang or get_language() or "vi").startswith("en") else "vi"


def private_view(dossier: Dossier) -> PrivateDossier:
    phone = dossier.applicant_phone
    return PrivateDossier(
        applicant_name=dossier.applicant_name,
        applicant_phone_masked=("*" * (len(phone) - 4) + phone[-4:]) if phone else "",
        applicant_address=dossier.applicant_address,
        components=list(dossier.components),
        return_channel_label=dossier.get_return_channel_display(),
        postal_address=dossier.postal_address,
    )
