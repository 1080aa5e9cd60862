"""Reception of dossiers before they are received (docs/domain/lifecycle.md#online-reception).

An online dossier arrives from a portal (`submit_online`) and waits in SUBMITTED for the
counter officer of its receiving one-stop, who checks it against the procedure's published
list and either accepts it (`accept_dossier`: RECEIVED, the legal clock starts, Form 01), asks
the applicant to complete it (`ask_to_complete`: NEEDS_COMPLETION_AT_RECEPTION, Form 02, the
clock does not start) or refuses it (`refuse_at_reception`: REFUSED_AT_RECEPTION, Form 03,
final). A dossier sent back for completion comes back under the same code (`resubmit`). A
paper dossier refused at the counter is recorded too (`refuse_paper_at_counter`), so that its
Form 03 can be printed and the refusal counted.

Callers: the portals' connectors (`submit_online`, `resubmit`, `find_online`), the desk and the
API (the three actions, through `actions.PERFORMERS`), the counter's intake page
(`refuse_paper_at_counter`). Every function checks everything before writing, writes the
dossier and its event in one transaction, and raises `core.errors` with a stable code."""

from __future__ import annotations

import operator
from datetime import datetime
from functools import reduce

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.catalog.models import OnlineMode, Procedure, ProcedureVersion, Unit
from motcua.core.clock import local, now
from motcua.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from motcua.core.text import clean_text, column_length, fitted
from motcua.dossiers import actions, clock, steps
from motcua.dossiers.actions import (
    CLOCK_SKEW,
    Applicant,
    TransitionNotAllowed,
    _check_applicant,
    _check_moment,
    _check_receipt,
    _checked_components,
    _checked_postal,
    _competent_agency,
    _listed_items,
    _lock,
    _require_text,
    _transition,
    append_event,
    new_dossier,
)
from motcua.dossiers.codes import issue_code
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    EventType,
    ReturnChannel,
    Source,
)
from motcua.workflow.states import Role, Status

# The states in which a dossier waits at reception (the counter's queue).
WAITING = (Status.SUBMITTED,)


class DuplicateExternalCode(Conflict):
    code = "duplicate_external_code"


def submit_online(
    *,
    procedure: ProcedureVersion | str,
    unit: Unit,
    applicant: Applicant,
    components: list[str],
    source: Source | str,
    submitted_at: datetime,
    external_code: str = "",
    return_channel: ReturnChannel | str = ReturnChannel.ONLINE,
    postal_address: str = "",
    agency: Unit | None = None,
    sets_count: int = 1,
    by: User | None = None,
) -> Dossier:
    """Record a dossier submitted online (nộp hồ sơ trực tuyến), waiting for reception.

    - `procedure`: the procedure version, or the procedure's code (its version in force on the
      day of `submitted_at`); the procedure must be offered online.
    - `unit`: the receiving one-stop (an active receiving point) whose counter checks it.
    - `applicant`, `components` (names from the procedure's published list, at least one when
      it has a list), `sets_count`, `return_channel`, `postal_address` (required when the
      result goes by post), `agency` (else the procedure's own, as at a counter): as
      `actions.receive_dossier` checks them.
    - `source`: `Source` (national_portal, own_portal, counter_assisted); `external_code`:
      that portal's code of the dossier, unique per source: a second submission with the same
      code raises `duplicate_external_code` (409) and writes nothing.
    - `submitted_at`: when the applicant submitted, with its UTC offset, not in the future.
    - `by`: the officer who submitted it for the applicant (counter_assisted; a counter officer
      of `unit`), or None for a portal.

    The dossier gets its motcua code now and keeps it for life (Decree 45/2020/NĐ-CP art. 12);
    the legal clock does not start until it is accepted. Appends a `submitted` event."""
    moment = _checked_instant(submitted_at)
    if source not in Source.values:
        raise ValidationFailed("Nguồn hồ sơ không hợp lệ.", code="unknown_source")
    version = _version(procedure, moment)
    if not unit.is_receiving_point or not unit.is_active:
        raise ValidationFailed(
            f"Đơn vị {unit.code} không phải nơi tiếp nhận hồ sơ.", code="not_a_receiving_unit"
        )
    if by is not None and not access.may_receive_at(by, unit):
        raise PermissionRefused(
            f"Bạn không có quyền tiếp nhận hồ sơ tại {unit.name}.", code="not_counter_officer"
        )
    if version.online == OnlineMode.NONE:
        raise ValidationFailed(
            "Thủ tục này không được cung cấp trực tuyến.", code="procedure_not_online"
        )
    applicant = applicant.cleaned()
    _check_applicant(applicant, sets_count=sets_count)
    chosen_agency = _competent_agency(version=version, unit=unit, chosen=agency)
    listed = _checked_components(version, components)
    postal = _checked_postal(return_channel, postal_address)
    if return_channel not in ReturnChannel.values:
        raise ValidationFailed("Hình thức nhận kết quả không hợp lệ.", code="unknown_channel")
    external = fitted(
        external_code,
        max_length=column_length(Dossier, "external_code"),
        field="external_code",
    )
    if external and Dossier.objects.filter(source=source, external_code=external).exists():
        raise _duplicate(source, external)
    provisional = clock.due_at_receipt(
        version=version, unit=unit, received_at=moment, channel=Channel.ONLINE
    )
    try:
        with transaction.atomic():
            dossier = new_dossier(
                code=issue_code(unit, local(moment).date()),
                version=version,
                unit=unit,
                agency=chosen_agency,
                channel=Channel.ONLINE,
                status=Status.SUBMITTED,
                applicant=applicant,
                components=listed,
                sets_count=sets_count,
                return_channel=return_channel,
                postal_address=postal,
                received_at=moment,
                clock_started_at=moment,
                due_at=provisional.due_at,
                received_by=None,
                source=Source(source),
                external_code=external,
                submitted_at=moment,
            )
            append_event(
                dossier,
                type=EventType.SUBMITTED,
                at=moment,
                by=by,
                data={
                    "source": str(source),
                    "external_code": external,
                    "components": listed,
                    "procedure_version": version.number,
                    **_provisional(moment, provisional.due_at),
                },
            )
    except IntegrityError as error:  # the same portal code submitted twice at once
        if external and Dossier.objects.filter(source=source, external_code=external).exists():
            raise _duplicate(source, external) from error
        raise
    return dossier


def resubmit(
    *,
    dossier: Dossier,
    submitted_at: datetime,
    components: list[str] | None = None,
    note: str = "",
    by: User | None = None,
) -> Dossier:
    """The applicant resubmits a dossier sent back for completion at reception (nộp lại hồ sơ
    đã bổ sung): it keeps its code and history (Decree 45/2020/NĐ-CP art. 12) and waits for
    reception again (SUBMITTED), with a `resubmitted` event. `components`, when given, is the
    full list of papers now submitted (replacing the former one); `note` what the applicant
    says. Only from NEEDS_COMPLETION_AT_RECEPTION (`transition_not_allowed` otherwise);
    `by`: the officer who resubmitted it for the applicant, or None for a portal."""
    moment = _checked_instant(submitted_at)
    with transaction.atomic():
        locked = _lock(dossier)
        if locked.status != Status.NEEDS_COMPLETION_AT_RECEPTION:
            raise TransitionNotAllowed(
                "Chỉ nộp lại được hồ sơ đang chờ bổ sung theo hướng dẫn tại tiếp nhận.",
                action="resubmit",
                status=locked.status,
            )
        if by is not None and not access.may_receive_at(by, locked.receiving_unit):
            raise PermissionRefused(
                f"Bạn không có quyền tiếp nhận hồ sơ tại {locked.receiving_unit.name}.",
                code="not_counter_officer",
            )
        _check_moment(locked, moment)
        if components is not None:
            locked.components = _checked_components(locked.procedure_version, components)
        provisional = clock.due_at_receipt(
            version=locked.procedure_version,
            unit=locked.receiving_unit,
            received_at=moment,
            channel=locked.channel,
        )
        locked.status = Status.SUBMITTED
        locked.submitted_at = locked.received_at = locked.clock_started_at = moment
        locked.due_at = provisional.due_at
        locked.version += 1
        locked.save()
        append_event(
            locked,
            type=EventType.RESUBMITTED,
            at=moment,
            by=by,
            reason=note,
            data={
                "components": list(locked.components),
                **_provisional(moment, provisional.due_at),
            },
        )
    return locked


def find_online(*, source: Source | str, external_code: str) -> Dossier:
    """The dossier a portal knows by its own code (`dossier_not_found` otherwise)."""
    found = Dossier.objects.filter(source=source, external_code=clean_text(external_code)).first()
    if found is None:
        raise NotFound(
            f"Không có hồ sơ mã {clean_text(external_code)} từ nguồn {source}.",
            code="dossier_not_found",
        )
    return found


# --- the counter officer's three actions (workflow/actions.py) ---------------------------


def accept_dossier(
    *, dossier: Dossier, by: User, note: str = "", at: datetime | None = None
) -> Dossier:
    """Tiếp nhận hồ sơ trực tuyến: the counter officer accepts a submitted dossier. It is
    received now (`received_at`, printed on Form 01) and the legal clock starts then, or at
    the next working instant when that moment is outside working time; since acceptance
    follows submission, a dossier submitted in the evening, on a weekend or a holiday never
    starts before the next working instant after its submission
    (docs/domain/legal-clock.md#start-of-the-clock). The appointment is computed as at a
    counter, with the channel's own limit; the applicant is told the code and the
    appointment (the `received` event)."""
    with _transition(dossier, "accept", by, at=at) as (locked, moment):
        deadline = clock.due_at_receipt(
            version=locked.procedure_version,
            unit=locked.receiving_unit,
            received_at=moment,
            channel=locked.channel,
        )
        locked.received_at = moment
        locked.clock_started_at = deadline.started_at
        locked.due_at = deadline.due_at
        locked.received_by = by
        steps.open_steps(locked, "reception", at=moment)
        append_event(
            locked,
            type=EventType.RECEIVED,
            at=moment,
            by=by,
            reason=note,
            data={
                **clock.due_record(deadline),
                "due_recorded": False,
                "code_issued": True,
                "clock_started_at": deadline.started_at.isoformat(),
                "procedure_version": locked.procedure_version.number,
                "submitted_at": local(locked.submitted_at or moment).isoformat(),
            },
        )
    return locked


def ask_to_complete(
    *, dossier: Dossier, by: User, reason: str, items: list[str], at: datetime | None = None
) -> Dossier:
    """Hướng dẫn bổ sung tại tiếp nhận: the submitted dossier is incomplete; the applicant is
    told what is missing (`items`, printed on Form 02 with `reason`) and may resubmit under the
    same code. The dossier is not received and the clock does not start."""
    _require_text(reason, "reason_required", "Cần ghi lý do hướng dẫn bổ sung.")
    wanted = _listed_items(items)
    with _transition(dossier, "ask_to_complete", by, at=at) as (locked, moment):
        count = locked.events.filter(type=EventType.COMPLETION_REQUESTED).count() + 1
        append_event(
            locked,
            type=EventType.COMPLETION_REQUESTED,
            at=moment,
            by=by,
            reason=reason,
            data={"items": wanted, "count": count},
        )
    return locked


def refuse_at_reception(
    *, dossier: Dossier, by: User, reason: str, at: datetime | None = None
) -> Dossier:
    """Từ chối tiếp nhận: the dossier may not be received (not this authority's, not eligible,
    …); the reason is printed on Form 03 and the dossier ends, never received."""
    _require_text(reason, "reason_required", "Cần ghi lý do từ chối tiếp nhận.")
    with _transition(dossier, "refuse_at_reception", by, at=at) as (locked, moment):
        locked.ended_at = moment
        append_event(locked, type=EventType.REFUSED_AT_RECEPTION, at=moment, by=by, reason=reason)
    return locked


def refuse_paper_at_counter(
    *,
    by: User,
    unit: Unit,
    version: ProcedureVersion,
    applicant: Applicant,
    reason: str,
    components: list[str] | None = None,
    channel: Channel | str = Channel.COUNTER,
    at: datetime | None = None,
) -> Dossier:
    """Từ chối tiếp nhận hồ sơ giấy: the counter officer refuses a paper dossier handed in at
    the counter (or by post). It is recorded received and refused at once: a code, its reason
    and a `refused_at_reception` event, no clock, no appointment; Form 03 can be printed.
    Reports do not count it as received."""
    _require_text(reason, "reason_required", "Cần ghi lý do từ chối tiếp nhận.")
    moment = at or now()
    applicant = applicant.cleaned()
    if channel == Channel.ONLINE:
        raise ValidationFailed(
            "Hồ sơ trực tuyến được từ chối từ hàng chờ tiếp nhận.", code="unknown_channel"
        )
    _check_receipt(by=by, unit=unit, version=version, channel=str(channel), moment=moment)
    _check_applicant(applicant, sets_count=1)
    chosen_agency = _competent_agency(version=version, unit=unit, chosen=None)
    listed = _checked_components(version, components or [], required=False)
    with transaction.atomic():
        dossier = new_dossier(
            code=issue_code(unit, local(moment).date()),
            version=version,
            unit=unit,
            agency=chosen_agency,
            channel=channel,
            status=Status.REFUSED_AT_RECEPTION,
            applicant=applicant,
            components=listed,
            sets_count=1,
            return_channel=ReturnChannel.COUNTER,
            postal_address="",
            received_at=moment,
            clock_started_at=moment,
            due_at=moment,
            received_by=by,
            ended_at=moment,
        )
        append_event(
            dossier,
            type=EventType.REFUSED_AT_RECEPTION,
            at=moment,
            by=by,
            reason=reason,
            data={"paper": True, "channel": str(channel), "components": listed},
        )
    return dossier


# --- the counter's queue -----------------------------------------------------------------


def waiting_for_reception(who: access.Who) -> QuerySet[Dossier]:
    """The online dossiers waiting for reception (SUBMITTED, resubmitted ones included) at the
    one-stops where `who` is a counter officer, and those under them (where they may take the
    three actions: `access.refusal_to_act`), oldest submission first; `resubmitted` says
    whether the applicant sent it again after a request to complete it."""
    paths = access.grants(who).paths(Role.COUNTER_OFFICER)
    if not paths:
        return Dossier.objects.none()
    units = reduce(operator.or_, (Q(receiving_unit__path__startswith=p) for p in paths))
    again = DossierEvent.objects.filter(dossier=OuterRef("pk"), type=EventType.RESUBMITTED)
    return (
        Dossier.objects.filter(units, status__in=WAITING)
        .select_related("procedure_version", "receiving_unit")
        .annotate(resubmitted=Exists(again))
        .order_by("submitted_at", "id")
    )


# --- helpers -------------------------------------------------------------------------------


def _checked_instant(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValidationFailed("Thời điểm nộp phải có múi giờ.", code="timestamp_without_offset")
    if moment > now() + CLOCK_SKEW:
        raise ValidationFailed(
            "Không ghi nhận hồ sơ nộp ở thời điểm trong tương lai.", code="submitted_in_future"
        )
    return moment


def _version(procedure: ProcedureVersion | str, moment: datetime) -> ProcedureVersion:
    day = local(moment).date()
    if isinstance(procedure, ProcedureVersion):
        version = procedure if procedure.is_in_force(day) else None
    else:
        found = Procedure.objects.filter(code=clean_text(procedure)).first()
        if found is None:
            raise NotFound(f"Không có thủ tục {clean_text(procedure)}.", code="unknown_procedure")
        version = found.current_version(on=day)
    if version is None:
        raise ValidationFailed(
            "Thủ tục không có phiên bản hiệu lực vào ngày nộp.",
            code="procedure_version_not_in_force",
        )
    return version


def _provisional(moment: datetime, due_at: datetime) -> dict[str, str]:
    """What a (re)submission writes in the clock columns until the dossier is received."""
    return {"clock_started_at": moment.isoformat(), "due_at": due_at.isoformat()}


def _duplicate(source: str, external: str) -> DuplicateExternalCode:
    return DuplicateExternalCode(
        f"Hồ sơ mã {external} từ nguồn {source} đã được nộp.",
        source=str(source),
        external_code=external,
    )


actions.PERFORMERS.update(
    {
        "accept": accept_dossier,
        "ask_to_complete": ask_to_complete,
        "refuse_at_reception": refuse_at_reception,
    }
)
