"""The staff's dossier API: receive, read, list, and one POST per action of
`motcua.dossiers.actions`. Each endpoint parses, finds what the caller may see, calls one
action or selector, and renders; the domain decides who may do what.

(No `from __future__ import annotations` here: the POST endpoints are wrapped by
`idempotent`, and ninja reads their parameter types from the wrapped function; the action
endpoints' bodies are built at import time.)"""

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.api import queries
from motcua.api.auth import STAFF, caller
from motcua.api.idempotency import OPENAPI as IDEMPOTENT
from motcua.api.idempotency import idempotent
from motcua.api.schemas import (
    ActionIn,
    Code,
    DossierFilters,
    DossierOut,
    DossierPageOut,
    ErrorOut,
    ReceiveIn,
    body_of,
    dossier_out,
    summary_out,
)
from motcua.catalog.models import Procedure, ProcedureVersion, Unit
from motcua.core.clock import local, now
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers import actions
from motcua.dossiers.models import Dossier
from motcua.workflow.actions import ACTIONS, Action, Kind
from motcua.workflow.actions import Field as ActionField

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
    return render(user, access.dossier_for(user, code))


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
#
# One endpoint per action of `workflow/actions.py` that is not history-only, generated from
# its record: its path, summary, operation id and body (`schemas.body_of`).


def act(
    request: HttpRequest, code: str, payload: ActionIn, action: Action, **path: Any
) -> Status[DossierOut]:
    """Take `action` on the dossier, as the caller, with the body's values of its fields."""
    user = caller(request)
    dossier = access.dossier_for(user, code, seen_version=payload.version)
    values = {
        field.name: _value(field, getattr(payload, field.name))
        for field in action.fields
        if field.kind != Kind.STEP
    }
    done = actions.perform(action.name, dossier=dossier, by=user, at=payload.at, **values, **path)
    return render(user, done)


def _value(field: ActionField, value: Any) -> Any:
    """A field's value as the action takes it: a person is named by their username, a file
    comes as base64 text (none when empty)."""
    if field.kind == Kind.FILE:
        return _decoded_file(field, value)
    if field.kind != Kind.USER:
        return value
    person = User.objects.filter(username=value).first()
    if person is None:
        raise ValidationFailed(f"Không có người dùng {value}.", code=f"unknown_{field.name}")
    return person


def _decoded_file(field: ActionField, value: str) -> ContentFile[bytes] | None:
    if not value:
        return None
    try:
        content = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            f"{field.name}: không phải dữ liệu base64.", code="invalid_base64", field=field.name
        ) from None
    return ContentFile(content, name=f"{field.name}.pdf")


def _endpoint(action: Action) -> None:
    body = body_of(action)

    def on_step(
        request: HttpRequest,
        code: DossierCode,
        key: Path[Code],
        payload: body,  # type: ignore[valid-type]
    ) -> Status[DossierOut]:
        return act(request, code, payload, action, step_key=key)

    def on_dossier(
        request: HttpRequest,
        code: DossierCode,
        payload: body,  # type: ignore[valid-type]
    ) -> Status[DossierOut]:
        return act(request, code, payload, action)

    view = on_step if any(field.kind == Kind.STEP for field in action.fields) else on_dossier
    view.__name__ = view.__qualname__ = action.operation_id
    post(f"/dossiers/{{code}}/{action.endpoint}", summary=action.summary)(view)


for _action in ACTIONS.values():
    if not _action.history_only:
        _endpoint(_action)
