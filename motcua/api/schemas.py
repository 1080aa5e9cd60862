"""What the dossier API reads and writes. Inputs are bounded (lengths, no control characters,
timestamps with an offset within a sane range) so that nothing malformed reaches the domain or
the database; the domain still checks every rule. `dossier_out` is the one place a dossier
becomes JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    StringConstraints,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError

from motcua.accounts.models import User
from motcua.core.clock import in_supported_range, local, now
from motcua.core.text import TextTooLong, clean_lower, clean_text, clean_upper, fitted, is_email
from motcua.dossiers import clock, derived, lookup_codes
from motcua.dossiers.actions import VOCABULARIES
from motcua.dossiers.models import Channel, Dossier, ReturnChannel
from motcua.workflow.actions import Action, Kind
from motcua.workflow.actions import Field as ActionField
from motcua.workflow.states import Status

# Any text a person types: no control characters other than tab and line breaks.
PRINTABLE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def _fits(max_length: int, normalise: Callable[[str | None], str]) -> AfterValidator:
    """The length a field allows, measured on the text as it will be stored (core/text.py):
    a text that grows when normalised is refused here (`text_too_long`, the field in `loc`),
    not by the database."""

    def check(value: str) -> str:
        try:
            fitted(value, max_length=max_length, field="", normalise=normalise)
        except TextTooLong as error:
            raise PydanticCustomError(
                "text_too_long",
                "Text longer than {max_length} characters once normalised ({length})",
                {"max_length": max_length, "length": error.detail["length"]},
            ) from None
        return value

    return AfterValidator(check)


@dataclass(frozen=True)
class _Text(GroupedMetadata):
    max_length: int
    min_length: int
    normalise: Callable[[str | None], str]

    def __iter__(self) -> Iterator[Any]:
        yield StringConstraints(
            min_length=self.min_length or None, max_length=self.max_length, pattern=PRINTABLE
        )
        yield _fits(self.max_length, self.normalise)


def text(
    max_length: int, *, min_length: int = 0, normalise: Callable[[str | None], str] = clean_text
) -> Any:
    """Text a person types: printable, at most `max_length` characters both as sent and once
    normalised (Unicode NFC, spaces folded; `normalise` adds casing for some fields)."""
    return _Text(max_length, min_length, normalise)


def _email(value: str) -> str:
    if value and not is_email(clean_lower(value)):
        raise PydanticCustomError("invalid_email", "Not an e-mail address")
    return value


# An e-mail address as the intake page accepts it, or "" for none.
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=PRINTABLE),
    _fits(254, clean_lower),
    AfterValidator(_email),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "email", "maxLength": 254},
                {"type": "string", "maxLength": 0},
            ]
        }
    ),
]

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CODE)]
Username = Annotated[str, StringConstraints(min_length=1, max_length=150, pattern=PRINTABLE)]
ShortText = Annotated[str, text(300)]


def _within_range(moment: datetime) -> datetime:
    if not in_supported_range(moment):
        raise ValueError("timestamp out of range (1970–2200)")
    return moment


def _written(kind: str) -> Callable[[Any], Any]:
    """Dates and times come written as ISO 8601 text, as the document says: pydantic alone
    would also take a number (seconds since 1970) for either."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and value[:4].isdigit() and value[4:5] == "-":
            return value
        raise PydanticCustomError(f"{kind}_type", f"Expected an ISO 8601 {kind} text")

    return check


# ISO 8601 with an offset ("2025-05-05T09:00:00+07:00"): a local time without one is refused.
Moment = Annotated[
    AwareDatetime, BeforeValidator(_written("datetime")), AfterValidator(_within_range)
]
# A local date, YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(_written("date"))]


class ErrorOut(Schema):
    """Every error: a stable `code` for programs, a Vietnamese `message` for people, and
    `detail` (for invalid input, `detail.errors[*].loc` names the field)."""

    code: str
    message: str
    detail: dict[str, Any]


# --- inputs ------------------------------------------------------------------------------


class ApplicantIn(Schema):
    """Lengths are counted on the stored text (Unicode NFC; `id_number` upper-cased, `email`
    lower-cased): a text that grows when normalised past them is refused, `text_too_long`."""

    name: Annotated[str, text(200, min_length=1)]
    phone: Annotated[str, text(32)] = ""
    email: Email = ""
    address: Annotated[str, text(300)] = ""
    id_number: Annotated[str, text(20, normalise=clean_upper)] = ""


class ReceiveIn(Schema):
    """A complete dossier received at a counter (tiếp nhận hồ sơ)."""

    unit: Code = Field(description="Code of the receiving unit (its counter).")
    procedure: Code = Field(
        description="Procedure code; the version in force on the receipt date applies."
    )
    applicant: ApplicantIn
    channel: Channel
    components: list[ShortText] = Field(default_factory=list, max_length=100)
    # The range is the domain's (its refusal keeps its code, `invalid_sets_count`).
    sets_count: int = Field(1, json_schema_extra={"minimum": 1, "maximum": 50})
    agency: Code | None = Field(None, description="Deciding agency, if not the procedure's own.")
    return_channel: ReturnChannel = ReturnChannel.COUNTER
    postal_address: Annotated[str, text(300)] = ""
    received_at: Moment | None = Field(None, description="Defaults to now; ISO 8601 with offset.")


class ActionIn(Schema):
    """Common to every action: the version of the dossier the client acted on (409
    `stale_dossier` if it changed since), and when it happened if not now."""

    version: int | None = Field(None, ge=1, le=2_147_483_647)
    at: Moment | None = None


def _field(field: ActionField) -> tuple[Any, Any]:
    """The type and default of one field of an action's body, from its declaration."""
    description = field.help or None
    if field.kind == Kind.LINES:
        item: Any = Annotated[str, text(field.max_length or 300)]
        return list[item], Field(..., max_length=field.max_items, description=description)
    if field.kind == Kind.FILE:
        # base64 of at most the documents' size limit (the body's own limit applies too)
        encoded = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/=\s]*$")]
        return encoded, Field("", description=description)
    kinds: dict[Kind, Any] = {
        Kind.MOMENT: Moment,
        Kind.USER: Username,
        Kind.CHOICE: VOCABULARIES.get(field.vocabulary),
    }
    kind = kinds.get(field.kind) or Annotated[str, text(field.max_length or 2000)]
    default: Any = ... if field.required else ""
    return kind, Field(default, description=description) if description else default


def body_of(action: Action) -> type[ActionIn]:
    """The JSON body of `action`'s endpoint, `<OperationId>In`: what every action takes
    (`ActionIn`) and the action's own fields, as `workflow/actions.py` declares them (a step's
    key comes from the path)."""
    name = "".join(part.title() for part in action.operation_id.split("_")) + "In"
    fields = {f.name: _field(f) for f in action.fields if f.kind != Kind.STEP}
    return create_model(name, __base__=ActionIn, **fields)  # type: ignore[call-overload]


class DossierFilters(Schema):
    status: Status | None = None
    unit: Code | None = Field(None, description="Receiving unit, with the units under it.")
    agency: Code | None = Field(None, description="Deciding agency, with the units under it.")
    procedure: Code | None = None
    overdue: bool | None = None
    received_from: Day | None = Field(None, description="Received on or after (local date).")
    received_to: Day | None = Field(None, description="Received on or before (local date).")
    q: Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9.-]*$")] | None = Field(
        None, description="Start of the dossier code."
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


# --- outputs -----------------------------------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str


class ProcedureOut(Schema):
    code: str
    name: str
    version: int


class ApplicantOut(Schema):
    name: str
    phone: str
    email: str
    address: str
    id_number: str


class ClockOut(Schema):
    """The legal clock. Minutes are working minutes of the receiving unit's calendar."""

    received_at: datetime
    clock_started_at: datetime
    duration_value: int = Field(description="The legal limit for this dossier's channel.")
    duration_unit: str = Field(description="working_days or working_hours.")
    same_day_cutoff: str | None = Field(
        description="HH:MM of a same-day procedure: due that working day up to it, else the next."
    )
    due_at: datetime
    explanation: list[str] = Field(description="Why this due date (Vietnamese); ends on it.")
    explanation_en: list[str] = Field(description="The same in English.")
    due_at_original: datetime | None = Field(description="Before an apology (xin lỗi, hẹn lại).")
    ended_at: datetime | None
    paused_since: datetime | None = Field(description="Waiting for a supplement since.")
    used_minutes: int
    paused_minutes: int
    left_minutes: int = Field(description="Negative once overdue.")
    total_minutes: int
    running: bool
    overdue: bool
    in_words: str = Field(
        description="What is left or how late (running), or when it ended and whether early, "
        "on time or late (ended), in working days and hours (Vietnamese)."
    )
    in_words_en: str = Field(description="The same in English.")


class StepOut(Schema):
    key: str
    name: str
    kind: str
    unit: str
    opened_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    late: bool | None


class EventOut(Schema):
    sequence: int
    type: str
    label: str
    at: datetime
    actor_name: str
    reason: str
    data: dict[str, Any]


class FeeOptionOut(Schema):
    name: str
    amount: int = Field(description="In đồng.")
    per: str = Field(description='The unit the amount is per ("trang"); "" once per dossier.')


class ChargeOut(Schema):
    label: str
    amount: int | None = Field(description="Owed once; null while alternatives remain open.")
    text: str = Field(description="As the receipt slip prints it.")
    options: list[FeeOptionOut]


class FeesOut(Schema):
    """What the dossier owes for its channel (the receipt slip's item 7): alternatives are
    listed as options, never added up."""

    total: int | None = Field(description="In đồng; null unless every charge is decided.")
    summary: str
    charges: list[ChargeOut]


class DossierOut(Schema):
    code: str
    lookup_code: str = Field(
        description="The applicant's secret for the public lookup (printed on Form 01): give it "
        "to the applicant with the receipt; with it, GET /lookup/{code}?lookup_code= shows "
        "their full view."
    )
    version: int = Field(description="Send it back as `version` to act on this state only.")
    status: Status
    status_label: str
    procedure: ProcedureOut
    receiving_unit: UnitOut
    agency: UnitOut
    channel: str
    applicant: ApplicantOut
    components: list[str]
    sets_count: int
    return_channel: str
    postal_address: str
    assignee: str | None
    outcome: str
    supplement_count: int
    uncollected: bool
    delivered_at: datetime | None
    delivered_via: str
    clock: ClockOut
    fees: FeesOut
    steps: list[StepOut]
    timeline: list[EventOut]
    allowed_actions: list[str] = Field(
        description="Action endpoints (relative to the dossier) the caller may call now."
    )


class DossierSummaryOut(Schema):
    code: str
    version: int
    status: Status
    status_label: str
    procedure_code: str
    procedure_name: str
    receiving_unit: UnitOut
    agency: UnitOut
    applicant_name: str
    channel: str
    received_at: datetime
    due_at: datetime
    ended_at: datetime | None
    overdue: bool


class DossierPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[DossierSummaryOut]


# --- rendering ---------------------------------------------------------------------------


def _unit(unit: Any) -> UnitOut:
    return UnitOut(code=unit.code, name=unit.name)


def _fees(dossier: Dossier) -> FeesOut:
    due = dossier.procedure_version.fee_for(dossier.channel, case=None)
    return FeesOut(
        total=due.total,
        summary=due.summary,
        charges=[
            ChargeOut(
                label=charge.label,
                amount=charge.amount,
                text=charge.text,
                options=[
                    FeeOptionOut(name=line.name, amount=line.amount, per=line.per)
                    for line in charge.options
                ],
            )
            for charge in due.charges
        ],
    )


def _local(moment: datetime | None) -> datetime | None:
    return local(moment) if moment is not None else None


def _in_words(dossier: Dossier, moment: datetime, lang: str, reading: Any) -> str:
    words = derived.in_words(dossier, moment, lang, measured=reading)
    return words.finish or words.left


def dossier_out(dossier: Dossier, *, allowed_actions: list[str]) -> DossierOut:
    """The whole dossier as the staff see it: data, clock, steps and timeline."""
    moment = now()
    reading = derived.reading(dossier, moment)
    deadline = clock.current_deadline(dossier)
    return DossierOut(
        code=dossier.code,
        lookup_code=lookup_codes.display(dossier.lookup_code),
        version=dossier.version,
        status=Status(dossier.status),
        status_label=dossier.status_label,
        procedure=ProcedureOut(
            code=dossier.procedure_code,
            name=dossier.procedure_version.name,
            version=dossier.procedure_version.number,
        ),
        receiving_unit=_unit(dossier.receiving_unit),
        agency=_unit(dossier.agency),
        channel=dossier.channel,
        applicant=ApplicantOut(
            name=dossier.applicant_name,
            phone=dossier.applicant_phone,
            email=dossier.applicant_email,
            address=dossier.applicant_address,
            id_number=dossier.applicant_id_number,
        ),
        components=list(dossier.components),
        sets_count=dossier.sets_count,
        return_channel=dossier.return_channel,
        postal_address=dossier.postal_address,
        assignee=_username(dossier.assignee_id),
        outcome=dossier.outcome,
        supplement_count=dossier.supplement_count,
        uncollected=dossier.uncollected,
        delivered_at=_local(dossier.delivered_at),
        delivered_via=dossier.delivered_via,
        clock=ClockOut(
            received_at=local(dossier.received_at),
            clock_started_at=local(dossier.clock_started_at),
            duration_value=dossier.duration_value,
            duration_unit=dossier.duration_unit,
            same_day_cutoff=f"{dossier.same_day_cutoff:%H:%M}" if dossier.same_day_cutoff else None,
            due_at=local(deadline.due_at),
            explanation=deadline.explanation,
            explanation_en=deadline.explanation_en,
            due_at_original=_local(dossier.due_at_original),
            ended_at=_local(dossier.ended_at),
            paused_since=_local(dossier.paused_at),
            used_minutes=reading.used,
            paused_minutes=reading.paused,
            left_minutes=reading.left,
            total_minutes=reading.total,
            running=reading.running,
            overdue=reading.overdue,
            in_words=_in_words(dossier, moment, "vi", reading),
            in_words_en=_in_words(dossier, moment, "en", reading),
        ),
        fees=_fees(dossier),
        steps=[
            StepOut(
                key=step.key,
                name=step.name,
                kind=step.kind,
                unit=step.unit.code,
                opened_at=local(step.opened_at),
                due_at=_local(step.due_at),
                completed_at=_local(step.completed_at),
                late=step.late,
            )
            for step in dossier.steps.select_related("unit").order_by("opened_at", "id")
        ],
        timeline=[
            EventOut(
                sequence=event.sequence,
                type=event.type,
                label=event.get_type_display(),
                at=local(event.at),
                actor_name=event.actor_name,
                reason=event.reason,
                data=event.data,
            )
            for event in dossier.events.order_by("sequence")
        ],
        allowed_actions=allowed_actions,
    )


def _username(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id).values_list("username", flat=True).first()


def summary_out(dossier: Dossier, *, at: datetime) -> DossierSummaryOut:
    return DossierSummaryOut(
        code=dossier.code,
        version=dossier.version,
        status=Status(dossier.status),
        status_label=dossier.status_label,
        procedure_code=dossier.procedure_code,
        procedure_name=dossier.procedure_version.name,
        receiving_unit=_unit(dossier.receiving_unit),
        agency=_unit(dossier.agency),
        applicant_name=dossier.applicant_name,
        channel=dossier.channel,
        received_at=local(dossier.received_at),
        due_at=local(dossier.due_at),
        ended_at=_local(dossier.ended_at),
        overdue=derived.is_overdue(dossier, at=at),
    )
