"""Public lookup of a dossier by its code, the JSON twin of the lookup page."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

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
    label: str
    at: datetime


class ApplicantOut(Schema):
    name: str
    phone_masked: str
    address: str
    components: list[str]
    return_channel: str
    postal_address: str
    timeline: list[TimelineEntry]


class LookupOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    receiving_unit: str
    agency: str
    status: str
    status_label: str
    channel: str
    received_at: datetime
    due_at: datetime
    explanation: list[str]
    applicant: ApplicantOut | None = None
    second_factor: str  # "not_given" | "accepted" | "rejected" | "locked"


@router.get(
    "/lookup/{code}",
    response={200: LookupOut, 404: ErrorOut, 429: ErrorOut},
    summary="Look a dossier up by its code",
)
def lookup(request: HttpRequest, code: str, phone_last4: str = "", lang: str = "vi") -> LookupOut:
    """Anyone may read the status and appointment; `phone_last4` (the last 4 digits of the
    applicant's phone) adds the applicant's data. Wrong digits lock the dossier's personal
    data for an hour after a few tries."""
    verdict = ratelimit.lookup_window(request)
    if not verdict.allowed:
        raise RateLimited(
            "Quá nhiều lượt tra cứu, vui lòng thử lại sau.",
            retry_after=verdict.retry_after,
        )
    dossier = selectors.find_by_code(code)
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.", code="dossier_not_found")
    public = selectors.public_view(dossier)
    out = LookupOut(
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
        explanation=public.explanation_en if lang == "en" else public.explanation,
        second_factor="not_given",
    )
    if phone_last4:
        out.second_factor, out.applicant = _applicant(dossier, phone_last4)
    return out


def _applicant(dossier: Dossier, digits: str) -> tuple[str, ApplicantOut | None]:
    lock = ratelimit.second_factor_lock()
    if not ratelimit.attempt(lock, dossier.code).allowed:
        return "locked", None
    if not selectors.second_factor_matches(dossier, digits):
        return "rejected", None
    ratelimit.succeeded(lock, dossier.code)
    private = selectors.private_view(dossier)
    return "accepted", ApplicantOut(
        name=private.applicant_name,
        phone_masked=private.applicant_phone_masked,
        address=private.applicant_address,
        components=private.components,
        return_channel=dossier.return_channel,
        postal_address=private.postal_address,
        timeline=[TimelineEntry(**entry) for entry in private.timeline],
    )
