"""The staff's dossier API: receive, read, list, and one POST per action of
`motcua.dossiers.actions`. Each endpoint parses, finds what the caller may see, calls one
action or selector, and renders; the domain decides who may do what.

(No `from __future__ import annotations` here: the POST endpoints are wrapped by
`idempotent`, and ninja reads their parameter types from the wrapped function.)"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from motcua.accounts.models import User
from motcua.api import queries
from motcua.api.auth import STAFF, caller
from motcua.api.idempotency import OPENAPI as IDEMPOTENT
from motcua.api.idempotency import idempotent
from motcua.api.schemas import (
    ActionIn,
    ApproveIn,
    AssignIn,
    Code,
    DeliverIn,
    DossierFilters,
    DossierOut,
    DossierPageOut,
    ErrorOut,
    ExtendIn,
    NoteIn,
    OpinionIn,
    ReasonIn,
    ReceiveIn,
    SupplementRequestIn,
    dossier_out,
    summary_out,
)
from motcua.catalog.models import Procedure, ProcedureVersion, Unit
from motcua.core.clock import local, now
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier

router = Router(tags=["dossiers"], auth=STAFF)

ERRORS: dict[int, Any] = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)
DossierCode = Path[Code]


def post(path: str, *, summary: str, status: int = 200) -> Callable[[Callable[..., Any]], Any]:
    """Register an idempotent POST (the `Idempotency-Key` header is required)."""

    def register(view: Callable[..., Any]) -> Any:
        return router.post(
            path,
            response={status: DossierOut, **ERRORS},
            summary=summary,
            operation_id=view.__name__,
            openapi_extra=IDEMPOTENT,
        )(idempotent(view))

    return register


def render(user: User, dossier: Dossier, status: int = 200) -> Status[DossierOut]:
    return Status(
        status, dossier_out(dossier, allowed_actions=queries.actions_open_to(user, dossier))
    )


# --- reads -------------------------------------------------------------------------------


@router.get(
    "/dossiers",
    response={200: DossierPageOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="List the dossiers the caller may see, soonest due first",
    operation_id="list_dossiers",
)
def list_dossiers(request: HttpRequest, filters: Query[DossierFilters]) -> DossierPageOut:
    found = queries.search(caller(request), **filters.model_dump(exclude={"limit", "offset"}))
    page = found[filters.offset : filters.offset + filters.limit]
    moment = now()
    return DossierPageOut(
        count=found.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[summary_out(dossier, at=moment) for dossier in page],
    )


@router.get(
    "/dossiers/{code}",
    response={200: DossierOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A dossier with its clock, steps, timeline and the caller's actions",
    operation_id="get_dossier",
)
def get_dossier(request: HttpRequest, code: DossierCode) -> Status[DossierOut]:
    user = caller(request)
    return render(user, queries.dossier_for(user, code))


# --- receiving ---------------------------------------------------------------------------


@post("/dossiers", summary="Receive a dossier at a counter", status=201)
def receive(request: HttpRequest, payload: ReceiveIn) -> Status[DossierOut]:
    user = caller(request)
    moment = payload.received_at or now()
    unit = _unit(payload.unit, "unknown_unit")
    dossier = actions.receive_dossier(
        by=user,
        unit=unit,
        version=_version_in_force(payload.procedure, moment),
        applicant=actions.Applicant(**payload.applicant.model_dump()),
        channel=payload.channel,
        components=payload.components,
        sets_count=payload.sets_count,
        agency=_unit(payload.agency, "unknown_agency") if payload.agency else None,
        return_channel=payload.return_channel,
        postal_address=payload.postal_address,
        received_at=moment,
    )
    return render(user, dossier, 201)


def _unit(code: str, error_code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound(f"Không có đơn vị {code}.", code=error_code)
    return unit


def _version_in_force(code: str, moment: Any) -> ProcedureVersion:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise NotFound(f"Không có thủ tục {code}.", code="unknown_procedure")
    version = procedure.current_version(on=local(moment).date())
    if version is None:
        raise ValidationFailed(
            "Thủ tục không có phiên bản hiệu lực vào ngày tiếp nhận.",
            code="procedure_version_not_in_force",
        )
    return version


# --- the actions -------------------------------------------------------------------------


def act(
    request: HttpRequest, code: str, payload: ActionIn, action: Callable[..., Dossier], **data: Any
) -> Status[DossierOut]:
    """Call one action of `motcua.dossiers.actions` on the dossier, as the caller."""
    user = caller(request)
    dossier = queries.dossier_for(user, code, seen_version=payload.version)
    return render(user, action(dossier=dossier, by=user, at=payload.at, **data))


@post("/dossiers/{code}/transfer", summary="Send the dossier to the deciding agency")
def transfer(request: HttpRequest, code: DossierCode, payload: NoteIn) -> Status[DossierOut]:
    return act(request, code, payload, actions.transfer_dossier, note=payload.note)


@post("/dossiers/{code}/assign", summary="Give the dossier to a specialist of the agency")
def assign(request: HttpRequest, code: DossierCode, payload: AssignIn) -> Status[DossierOut]:
    specialist = User.objects.filter(username=payload.specialist).first()
    if specialist is None:
        raise ValidationFailed(
            f"Không có người dùng {payload.specialist}.", code="unknown_specialist"
        )
    return act(request, code, payload, actions.assign_dossier, specialist=specialist)


@post("/dossiers/{code}/appraise", summary="Record the appraisal opinion")
def appraise(request: HttpRequest, code: DossierCode, payload: OpinionIn) -> Status[DossierOut]:
    return act(request, code, payload, actions.appraise_dossier, opinion=payload.opinion)


@post("/dossiers/{code}/submit-for-approval", summary="Submit the draft result for signature")
def submit_for_approval(
    request: HttpRequest, code: DossierCode, payload: NoteIn
) -> Status[DossierOut]:
    return act(request, code, payload, actions.submit_for_approval, note=payload.note)


@post("/dossiers/{code}/send-back", summary="Send the draft back to the specialist")
def send_back(request: HttpRequest, code: DossierCode, payload: ReasonIn) -> Status[DossierOut]:
    return act(request, code, payload, actions.send_back, reason=payload.reason)


@post("/dossiers/{code}/approve", summary="Sign the result (granted)")
def approve(request: HttpRequest, code: DossierCode, payload: ApproveIn) -> Status[DossierOut]:
    return act(request, code, payload, actions.approve_dossier, result_number=payload.result_number)


@post("/dossiers/{code}/refuse", summary="Sign a written refusal")
def refuse(request: HttpRequest, code: DossierCode, payload: ReasonIn) -> Status[DossierOut]:
    return act(request, code, payload, actions.refuse_dossier, reason=payload.reason)


@post("/dossiers/{code}/return-result", summary="Hand the result back to the one-stop")
def return_result(request: HttpRequest, code: DossierCode, payload: ActionIn) -> Status[DossierOut]:
    return act(request, code, payload, actions.return_result)


@post("/dossiers/{code}/deliver", summary="Deliver the result to the applicant")
def deliver(request: HttpRequest, code: DossierCode, payload: DeliverIn) -> Status[DossierOut]:
    return act(
        request,
        code,
        payload,
        actions.deliver_result,
        via=payload.via,
        postal_item=payload.postal_item,
        recipient=payload.recipient,
    )


@post("/dossiers/{code}/mark-uncollected", summary="Record that the result was not collected")
def mark_uncollected(
    request: HttpRequest, code: DossierCode, payload: ActionIn
) -> Status[DossierOut]:
    return act(request, code, payload, actions.mark_uncollected)


@post("/dossiers/{code}/request-supplement", summary="Ask the applicant for more papers")
def request_supplement(
    request: HttpRequest, code: DossierCode, payload: SupplementRequestIn
) -> Status[DossierOut]:
    return act(
        request,
        code,
        payload,
        actions.request_supplement,
        reason=payload.reason,
        items=payload.items,
    )


@post("/dossiers/{code}/receive-supplement", summary="Record the papers brought; clock resumes")
def receive_supplement(
    request: HttpRequest, code: DossierCode, payload: NoteIn
) -> Status[DossierOut]:
    return act(request, code, payload, actions.receive_supplement, note=payload.note)


@post("/dossiers/{code}/withdraw", summary="Stop at the applicant's request")
def withdraw(request: HttpRequest, code: DossierCode, payload: ReasonIn) -> Status[DossierOut]:
    return act(request, code, payload, actions.withdraw_dossier, reason=payload.reason)


@post("/dossiers/{code}/return-unresolved", summary="Return the dossier unresolved")
def return_unresolved(
    request: HttpRequest, code: DossierCode, payload: ReasonIn
) -> Status[DossierOut]:
    return act(request, code, payload, actions.return_unresolved, reason=payload.reason)


@post("/dossiers/{code}/extend", summary="Apologise and set a later appointment (once)")
def extend(request: HttpRequest, code: DossierCode, payload: ExtendIn) -> Status[DossierOut]:
    return act(
        request,
        code,
        payload,
        actions.apologise_and_extend,
        new_due_at=payload.new_due_at,
        reason=payload.reason,
    )


@post("/dossiers/{code}/steps/{key}/complete", summary="Answer an inter-agency step")
def complete_step(
    request: HttpRequest, code: DossierCode, key: Path[Code], payload: OpinionIn
) -> Status[DossierOut]:
    return act(
        request,
        code,
        payload,
        actions.complete_inter_agency_step,
        step_key=key,
        opinion=payload.opinion,
    )
