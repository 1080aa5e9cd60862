"""Public lookup of a dossier by its code, the JSON twin of the lookup page."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from motcua.api.schemas import ErrorOut
from motcua.core import ratelimit
from motcua.core.errors import MotcuaError, NotFound
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier

router = Router(tags=["lookup"])


class RateLimited(MotcuaError):
    code = "rate_limited"
    http_status = 429


class TimelineEntry(Schema):
    type: str
    label: str = Field(description="The step in the applicant's words (workflow/citizen.py).")
    at: datetime


class NextStepOut(Schema):
    kind: str = Field(
        description="wait_receipt, complete, wait, supplement, extended, collect, posted, "
        "online, delivered or ended."
    )
    title: str
    lines: list[str]
    items: list[str] = Field(description="The papers to bring (with the lookup code only).")


class ApplicantOut(Schema):
    name: str
    phone_masked: str
    address: str
    components: list[str]
    return_channel: str
    postal_address: str


class LookupOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    receiving_unit: str
    agency: str
    status: str
    status_label: str = Field(description="The state in the applicant's words.")
    channel: str
    received_at: datetime
    due_at: datetime
    ended: bool = Field(description="Processing has ended: `due_at` is no longer a promise.")
    explanation: list[str]
    next_step: NextStepOut
    access: str = Field(
        description="public (the code only), progress (the phone digits: `timeline` added) "
        "or full (the lookup code: `applicant` and the officers' texts added)."
    )
    timeline: list[TimelineEntry] | None = None
    applicant: ApplicantOut | None = None
    second_factor: str  # "not_given" | "accepted" | "rejected" | "locked"


@router.get(
    "/lookup/{code}",
    response={200: LookupOut, 404: ErrorOut, 429: ErrorOut},
    summary="Look a dossier up by its code",
)
def lookup(
    request: HttpRequest,
    code: str,
    lookup_code: str = Query("", description="The lookup code printed on Form 01 (8 characters)."),
    phone_last4: str = Query("", description="The last 4 digits of the applicant's phone."),
    lang: str = "vi",
) -> LookupOut:
    """Anyone may read the state, the appointment and what happens next. `phone_last4` adds
    the steps with their dates; `lookup_code` (on the receipt slip and in its QR) adds the
    applicant's data and the officers' texts (papers to bring, reasons). Wrong digits, and
    wrong lookup codes, each lock that proof for the dossier for an hour after a few tries."""
    verdict = ratelimit.lookup_window(request)
    if not verdict.allowed:
        raise RateLimited(
            "Quá nhiều lượt tra cứu, vui lòng thử lại sau.",
            retry_after=verdict.retry_after,
        )
    dossier = selectors.find_by_code(code)
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.", code="dossier_not_found")
    language = "en" if lang == "en" else "vi"
    unlocked = selectors.unlock(dossier, lookup_code=lookup_code, phone_last4=phone_last4)
    public = selectors.public_view(dossier, unlocked.access, language)
    step = public.next_step
    return LookupOut(
        code=public.code,
        procedure_code=public.procedure_code,
        procedure_name=public.procedure_name,
        receiving_unit=public.receiving_unit,
        agency=public.agency,
        status=public.status,
        status_label=public.status_label,
        channel=dossier.channel,
        received_at=public.received_at,
        due_at=public.due_at,
        ended=public.ended,
        explanation=public.explanation_en if language == "en" else public.explanation,
        next_step=NextStepOut(
            kind=str(step.kind), title=step.title, lines=step.lines, items=step.items
        ),
        access=str(unlocked.access),
        timeline=[TimelineEntry(**entry) for entry in public.steps]
        if unlocked.access != selectors.Access.PUBLIC
        else None,
        applicant=_applicant(dossier) if unlocked.access == selectors.Access.FULL else None,
        second_factor=unlocked.verdict,
    )


def _applicant(dossier: Dossier) -> ApplicantOut:
    private = selectors.private_view(dossier)
    return ApplicantOut(
        name=private.applicant_name,
        phone_masked=private.applicant_phone_masked,
        address=private.applicant_address,
        components=private.components,
        return_channel=dossier.return_channel,
        postal_address=private.postal_address,
    )
