"""Every change of a dossier's state, one named function each.

Each action takes keyword arguments, `by=` the acting user, checks what it is allowed to do,
writes the dossier and appends its events in one transaction, and defers side effects to
`transaction.on_commit`. Web pages, the API, commands and imports all call these; nothing else
writes a dossier's state."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.db import transaction

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.calendars.services import calendar_for
from motcua.catalog.models import ProcedureVersion, Unit
from motcua.core import identity
from motcua.core.clock import local, now
from motcua.core.errors import Conflict, PermissionRefused, ValidationFailed
from motcua.core.text import (
    clean_lower,
    clean_text,
    clean_upper,
    column_length,
    fitted,
    is_email,
    search_key,
)
from motcua.dossiers import audit, clock, derived, steps
from motcua.dossiers.codes import is_valid_code, issue_code, record_code
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    DossierMove,
    EventType,
    MovedField,
    Outcome,
    ReturnChannel,
    SupplementPause,
)
from motcua.workflow.actions import ACTIONS, PREVIOUS, TRANSITIONS, Action, target_of
from motcua.workflow.calendar import WorkingCalendar
from motcua.workflow.deadlines import FixedDue, FixedKind, Floor, Pause
from motcua.workflow.explain import ExplanationLine, LineKind
from motcua.workflow.states import NOT_RECEIVED, TERMINAL, Role, Status

if TYPE_CHECKING:
    from motcua.documents.models import Document

_REPLAYING: ContextVar[bool] = ContextVar("motcua_replaying_history", default=False)


@contextmanager
def replaying_history() -> Iterator[None]:
    """Imports of history replay old events through these actions: nobody is told about them
    again (no outbox message, hence no e-mail or SMS for a dossier finished years ago)."""
    token = _REPLAYING.set(True)
    try:
        yield
    finally:
        _REPLAYING.reset(token)


# A receipt stamped a little ahead of the server clock (a counter PC's clock) is tolerated.
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class Applicant:
    """The person or organisation submitting the dossier (tổ chức, cá nhân nộp hồ sơ)."""

    name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    id_number: str = ""

    def cleaned(self) -> Applicant:
        """As stored: normalised, each text no longer than its column once normalised
        (TextTooLong names the field, e.g. `applicant.name`), and a phone or identity number
        of the wrong shape refused (`core.identity`, shared with the intake form)."""
        return Applicant(
            name=_fitted(self.name, "name"),
            phone=identity.normalize_phone(self.phone),
            email=_fitted(self.email, "email", clean_lower),
            address=_fitted(self.address, "address"),
            id_number=identity.normalize_id_number(
                _fitted(self.id_number, "id_number", clean_upper)
            ),
        )


def _fitted(value: str, name: str, normalise: Callable[[str | None], str] = clean_text) -> str:
    limit = column_length(Dossier, f"applicant_{name}")
    return fitted(value, max_length=limit, field=f"applicant.{name}", normalise=normalise)


def receive_dossier(
    *,
    by: User,
    unit: Unit,
    version: ProcedureVersion,
    applicant: Applicant,
    channel: Channel | str,
    components: list[str],
    sets_count: int = 1,
    agency: Unit | None = None,
    return_channel: ReturnChannel | str = ReturnChannel.COUNTER,
    postal_address: str = "",
    received_at: datetime | None = None,
    code: str = "",
    recorded_due_at: datetime | None = None,
    require_components: bool = True,
) -> Dossier:
    """Receive a complete dossier (tiếp nhận hồ sơ): issue its code, start the legal clock,
    compute the appointment, and record the `received` event.

    `received_at` defaults to now; a postal dossier's is the signing of the hand-over record.
    Imports of history pass the dossier's own `code`, the appointment it was given
    (`recorded_due_at`, kept as is) and may not know which papers were handed in."""
    moment = received_at or now()
    applicant = applicant.cleaned()
    _check_receipt(by=by, unit=unit, version=version, channel=channel, moment=moment)
    agency = _competent_agency(version=version, unit=unit, chosen=agency)
    received = _checked_components(version, components, required=require_components)
    code = _checked_code(code)
    _check_applicant(applicant, sets_count=sets_count)
    postal_address = _checked_postal(return_channel, postal_address)
    if recorded_due_at is not None and recorded_due_at.tzinfo is None:
        raise ValidationFailed("Ngày hẹn trả phải có múi giờ.", code="timestamp_without_offset")
    deadline = clock.due_at_receipt(
        version=version,
        unit=unit,
        received_at=moment,
        channel=str(channel),
        recorded_due=recorded_due_at,
    )
    due_at = deadline.due_at
    with transaction.atomic():
        dossier = new_dossier(
            code=record_code(code) if code else issue_code(unit, local(moment).date()),
            version=version,
            unit=unit,
            agency=agency,
            channel=channel,
            status=Status.RECEIVED,
            applicant=applicant,
            components=received,
            sets_count=sets_count,
            return_channel=return_channel,
            postal_address=postal_address,
            received_at=moment,
            clock_started_at=deadline.started_at,
            due_at=due_at,
            received_by=by,
        )
        steps.open_steps(dossier, "reception", at=moment)
        append_event(
            dossier,
            type=EventType.RECEIVED,
            at=moment,
            by=by,
            data={
                **clock.due_record(deadline),
                "due_recorded": recorded_due_at is not None,
                # issued by the unit's counter, or brought by an import (audit.verify_codes)
                "code_issued": not code,
                **(
                    {"fixed_minutes": clock.fixed_minutes(unit, moment, recorded_due_at)}
                    if recorded_due_at is not None
                    else {}
                ),
                "clock_started_at": deadline.started_at.isoformat(),
                "procedure_version": version.number,
            },
        )
    return dossier


def new_dossier(
    *,
    code: str,
    version: ProcedureVersion,
    unit: Unit,
    agency: Unit,
    channel: Channel | str,
    status: Status,
    applicant: Applicant,
    components: list[str],
    sets_count: int,
    return_channel: ReturnChannel | str,
    postal_address: str,
    received_at: datetime,
    clock_started_at: datetime,
    due_at: datetime,
    received_by: User | None,
    **more: Any,
) -> Dossier:
    """Write a new dossier's row, the norms of its clock copied from `version` for its
    channel; the caller holds the transaction, has checked every value and appends the
    dossier's first event. Shared by receipt here and online intake (`dossiers/reception.py`)."""
    duration_value, duration_unit = version.duration_for(str(channel))
    return Dossier.objects.create(
        code=code,
        province_code=unit.province_code,
        procedure_version=version,
        procedure_code=version.procedure.code,
        receiving_unit=unit,
        agency=agency,
        channel=Channel(channel),
        status=status,
        five_on_spot=version.five_on_spot,
        applicant_name=applicant.name,
        applicant_name_folded=search_key(applicant.name),
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        applicant_id_number=applicant.id_number,
        components=components,
        sets_count=sets_count,
        return_channel=ReturnChannel(return_channel),
        postal_address=postal_address,
        duration_value=duration_value,
        duration_unit=duration_unit,
        convention=version.convention,
        pause_rule=version.pause_rule,
        same_day_cutoff=version.same_day_cutoff,
        received_at=received_at,
        clock_started_at=clock_started_at,
        due_at=due_at,
        received_by=received_by,
        **more,
    )


def append_event(
    dossier: Dossier,
    *,
    type: EventType,
    at: datetime,
    by: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """Append one event, numbered and sealed by `audit.append` with the one before it; the
    caller holds the transaction (and the dossier's row lock) that also changes the dossier."""
    event = DossierEvent(
        dossier=dossier,
        type=type,
        at=at,
        actor=by,
        actor_name=str(by) if by else "",
        reason=clean_text(reason),
        data=data or {},
    )
    audit.append(event, dossier_code=dossier.code)
    if not _REPLAYING.get():
        from motcua.outbox.services import record_event

        # one outbox message per destination that wants it (the applicant's notifications
        # among them), written in this transaction
        record_event(event, dossier=dossier)
    return event


def _check_receipt(
    *, by: User, unit: Unit, version: ProcedureVersion, channel: str, moment: datetime
) -> None:
    if moment.tzinfo is None:
        raise ValidationFailed(
            "Thời điểm tiếp nhận phải có múi giờ.", code="timestamp_without_offset"
        )
    if moment > now() + CLOCK_SKEW:
        raise ValidationFailed(
            "Không thể tiếp nhận hồ sơ ở thời điểm trong tương lai.", code="received_in_future"
        )
    if channel not in Channel.values:
        raise ValidationFailed("Kênh nộp hồ sơ không hợp lệ.", code="unknown_channel")
    if not unit.is_receiving_point or not unit.is_active:
        raise ValidationFailed(
            f"Đơn vị {unit.code} không phải nơi tiếp nhận hồ sơ.", code="not_a_receiving_unit"
        )
    if not access.may_receive_at(by, unit):
        raise PermissionRefused(
            f"Bạn không có quyền tiếp nhận hồ sơ tại {unit.name}.", code="not_counter_officer"
        )
    day = local(moment).date()
    if not version.is_in_force(day):
        raise ValidationFailed(
            "Phiên bản thủ tục không còn hiệu lực vào ngày tiếp nhận.",
            code="procedure_version_not_in_force",
        )


def _competent_agency(*, version: ProcedureVersion, unit: Unit, chosen: Unit | None) -> Unit:
    """The deciding agency: the one chosen at the counter if it may handle this procedure,
    else the procedure's own, preferring one under the receiving centre (commune procedures
    are handled by the commune that received them)."""
    candidates = [version.agency, *version.other_agencies.all()]
    if chosen is not None:
        if chosen not in candidates:
            raise ValidationFailed(
                f"{chosen.name} không giải quyết thủ tục này.", code="agency_not_competent"
            )
        return chosen
    local_ones = [agency for agency in candidates if agency.is_within(unit)]
    return local_ones[0] if local_ones else version.agency


def _checked_code(code: str) -> str:
    code = clean_text(code)
    if not code:
        return ""
    if not is_valid_code(code):
        raise ValidationFailed(f"Mã hồ sơ {code} không đúng định dạng.", code="invalid_code")
    if Dossier.objects.filter(code=code).exists():
        raise Conflict(f"Đã có hồ sơ mã {code}.", code="duplicate_code")
    return code


def _checked_components(
    version: ProcedureVersion, components: list[str], *, required: bool = True
) -> list[str]:
    published = version.component_names()
    received = [clean_text(name) for name in components if clean_text(name)]
    if published and not received and required:
        raise ValidationFailed("Chưa đánh dấu thành phần hồ sơ nào đã nhận.", code="no_components")
    unknown = [name for name in received if name not in published]
    if published and unknown:
        raise ValidationFailed(
            "Thành phần hồ sơ không có trong danh mục của thủ tục.",
            code="unknown_component",
            components=unknown,
        )
    return [name for name in published if name in received] if published else received


def _checked_postal(return_channel: ReturnChannel | str, postal_address: str) -> str:
    """The postal address as stored; required when the result goes back by post."""
    postal_address = fitted(
        postal_address,
        max_length=column_length(Dossier, "postal_address"),
        field="postal_address",
    )
    if return_channel == ReturnChannel.POSTAL and not postal_address:
        raise ValidationFailed(
            "Cần địa chỉ nhận kết quả qua bưu chính.", code="postal_address_required"
        )
    return postal_address


def _listed_items(items: list[str]) -> list[str]:
    """The papers asked for, one per item, blank ones dropped; at least one."""
    wanted = [clean_text(item) for item in items if clean_text(item)]
    if not wanted:
        raise ValidationFailed("Cần liệt kê giấy tờ phải bổ sung.", code="items_required")
    return wanted


def _check_applicant(applicant: Applicant, *, sets_count: int) -> None:
    if not applicant.name:
        raise ValidationFailed("Cần nhập họ tên người nộp hồ sơ.", code="applicant_name_required")
    if applicant.email and not is_email(applicant.email):
        raise ValidationFailed(
            "Địa chỉ thư điện tử không hợp lệ.", code="invalid_email", field="applicant.email"
        )
    if not 1 <= sets_count <= 50:
        raise ValidationFailed("Số bộ hồ sơ phải từ 1 đến 50.", code="invalid_sets_count")


# --- the agencies' work and the exceptional paths ---------------------------------------
#
# Each action below: lock the dossier's row, check that nothing changed since the caller read
# it, that the transition is in the table and that `by` holds one of its roles at the right
# unit; then write the new state, append the events, and move the process steps — all in one
# transaction. A refusal raises before anything is written.


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class StaleDossier(Conflict):
    code = "stale_dossier"


def transfer_dossier(
    *, dossier: Dossier, by: User, note: str = "", at: datetime | None = None
) -> Dossier:
    """Chuyển hồ sơ: the one-stop sends the dossier to the deciding agency (and opens the
    inter-agency steps, which run alongside the appraisal)."""
    with _transition(dossier, "transfer", by, at=at) as (locked, moment):
        steps.complete_open(locked, "reception", at=moment, by=by, note=note)
        steps.open_steps(locked, "appraisal", at=moment)
        for opened in steps.open_steps(locked, "inter_agency", at=moment):
            append_event(
                locked,
                type=EventType.TRANSFERRED,
                at=moment,
                by=by,
                data={"to": opened.unit.code, "step": opened.key},
            )
        append_event(
            locked,
            type=EventType.TRANSFERRED,
            at=moment,
            by=by,
            reason=note,
            data={"to": locked.agency.code, "step": "appraisal"},
        )
    return locked


def assign_dossier(
    *, dossier: Dossier, by: User, specialist: User, at: datetime | None = None
) -> Dossier:
    """Phân công: the agency's leader gives the dossier to one of its specialists."""
    with _transition(dossier, "assign", by, at=at) as (locked, moment):
        if not access.holds_role_at(specialist, Role.SPECIALIST, locked.agency):
            raise PermissionRefused(
                f"{specialist} không phải chuyên viên của {locked.agency.name}.",
                code="not_a_specialist_here",
            )
        locked.assignee = specialist
        append_event(
            locked,
            type=EventType.ASSIGNED,
            at=moment,
            by=by,
            data={"assignee": specialist.username, "assignee_name": str(specialist)},
        )
    return locked


def appraise_dossier(
    *, dossier: Dossier, by: User, opinion: str, at: datetime | None = None
) -> Dossier:
    """Thẩm định: the assigned specialist records the appraisal opinion."""
    _require_text(opinion, "opinion_required", "Cần ghi ý kiến thẩm định.")
    with _transition(dossier, "appraise", by, at=at) as (locked, moment):
        append_event(locked, type=EventType.APPRAISED, at=moment, by=by, reason=opinion)
    return locked


def submit_for_approval(
    *, dossier: Dossier, by: User, note: str = "", at: datetime | None = None
) -> Dossier:
    """Trình phê duyệt: only once every inter-agency step has answered."""
    with _transition(dossier, "submit_for_approval", by, at=at) as (locked, moment):
        waiting = steps.pending_inter_agency(locked)
        if waiting:
            raise ValidationFailed(
                "Còn chờ cơ quan phối hợp: " + ", ".join(s.unit.name for s in waiting),
                code="inter_agency_pending",
                steps=[s.key for s in waiting],
            )
        steps.complete_open(locked, "appraisal", at=moment, by=by, note=note)
        steps.open_steps(locked, "approval", at=moment)
        append_event(locked, type=EventType.SUBMITTED_FOR_APPROVAL, at=moment, by=by, reason=note)
    return locked


def send_back(*, dossier: Dossier, by: User, reason: str, at: datetime | None = None) -> Dossier:
    """Trả lại bước trước: the leader returns the draft to the specialist for rework."""
    _require_text(reason, "reason_required", "Cần ghi lý do trả lại.")
    with _transition(dossier, "send_back", by, at=at) as (locked, moment):
        steps.complete_open(locked, "approval", at=moment, by=by, note=reason)
        steps.open_steps(locked, "appraisal", at=moment)
        append_event(locked, type=EventType.SENT_BACK, at=moment, by=by, reason=reason)
    return locked


def approve_dossier(
    *,
    dossier: Dossier,
    by: User,
    result_number: str = "",
    result_file: File[Any] | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Phê duyệt, ký: the leader signs the result (granted). With `result_file`, the result
    itself: a PDF that motcua stamps with the lookup QR, signs and keeps as the dossier's
    result document (`documents/results.py`); a procedure that issues electronic results
    (`ProcedureVersion.e_result`) requires it. Everything is checked, and the signed file
    stored, before the transaction; a refusal leaves nothing behind."""
    from motcua.documents import results, services

    current = _precheck(dossier, by, "approve")
    if result_file is None and current.procedure_version.e_result:
        raise ValidationFailed(
            "Thủ tục này cấp kết quả điện tử: cần đính kèm tệp kết quả (PDF) khi phê duyệt.",
            code="result_file_required",
        )
    staged = None
    if result_file is not None:
        staged = results.stage_result(
            dossier=current, by=by, uploaded_file=result_file, result_number=result_number
        )
    try:
        return _decide(
            dossier,
            by,
            "approve",
            reason="",
            result_number=result_number,
            at=at,
            result=staged,
        )
    except BaseException:
        services.discard_staged(staged)
        raise


def _precheck(dossier: Dossier, by: User, action: str) -> Dossier:
    """The dossier as it is now, refused early (the same checks `_transition` makes again
    under the lock) when `action` may not be taken: before a file is signed and stored."""
    current = Dossier.objects.select_related("receiving_unit", "agency", "procedure_version").get(
        pk=dossier.pk
    )
    record = TRANSITIONS[action]
    if Status(current.status) not in record.sources:
        raise TransitionNotAllowed(
            f"Không thể “{record.label}” khi hồ sơ đang ở trạng thái “{current.status_label}”.",
            action=action,
            status=current.status,
        )
    refusal = access.refusal_to_act(by, current, record)
    if refusal is not None:
        raise refusal
    return current


def refuse_dossier(
    *, dossier: Dossier, by: User, reason: str, at: datetime | None = None
) -> Dossier:
    """Từ chối giải quyết: the leader signs a written refusal with its reason; it is delivered
    like a result and counts as resolved."""
    _require_text(reason, "reason_required", "Cần ghi lý do từ chối.")
    return _decide(dossier, by, "refuse", reason=reason, result_number="", at=at)


def _decide(
    dossier: Dossier,
    by: User,
    action: str,
    *,
    reason: str,
    result_number: str,
    at: datetime | None,
    result: Document | None = None,
) -> Dossier:
    """Sign the decision; its outcome (granted or denied) is the action's own. A staged
    `result` document is recorded in the same transaction."""
    outcome = ACTIONS[action].outcome
    with _transition(dossier, action, by, at=at) as (locked, moment):
        locked.outcome = outcome
        steps.complete_open(locked, "approval", at=moment, by=by, note=reason)
        steps.open_steps(locked, "return", at=moment)
        data: dict[str, Any] = {"outcome": outcome, "result_number": clean_text(result_number)}
        if result is not None:
            from motcua.documents.services import record_document

            result.dossier = locked
            record_document(result, at=moment)
            data["result_document_id"] = result.pk
            data["result_sha256"] = result.sha256
        append_event(
            locked,
            type=EventType.APPROVED,
            at=moment,
            by=by,
            reason=reason,
            data=data,
        )
    return locked


def return_result(*, dossier: Dossier, by: User, at: datetime | None = None) -> Dossier:
    """Chuyển kết quả về Bộ phận một cửa: processing ends here (ended_at), early, on time or
    late against the appointment."""
    with _transition(dossier, "return_result", by, at=at) as (locked, moment):
        locked.ended_at = moment
        locked.working_days_used = derived.working_days_used(locked, moment)
        steps.complete_open(locked, "return", at=moment, by=by)
        append_event(
            locked,
            type=EventType.RESOLVED,
            at=moment,
            by=by,
            data={"outcome": locked.outcome or "granted"},
        )
    return locked


def hand_over(
    *, dossier: Dossier, by: User, to: Unit, note: str = "", at: datetime | None = None
) -> Dossier:
    """Chuyển tiếp: the file moves to another unit (a co-ordinating agency, a branch) while its
    state stays; recorded as `transferred` with the receiving unit."""
    with _transition(dossier, "hand_over", by, at=at) as (locked, moment):
        append_event(
            locked,
            type=EventType.TRANSFERRED,
            at=moment,
            by=by,
            reason=note,
            data={"to": to.code, "step": "hand_over"},
        )
    return locked


def record_resolution(
    *, dossier: Dossier, by: User, outcome: str = "granted", at: datetime | None = None
) -> Dossier:
    """Imported history that only says "resolved" (đã xử lý xong): the system records the end
    of processing from whichever step the dossier was at."""
    if outcome not in ("granted", "denied"):
        raise ValidationFailed("Kết quả phải là granted hoặc denied.", code="invalid_outcome")
    with _transition(dossier, "record_resolution", by, at=at) as (locked, moment):
        locked.outcome = outcome
        _end(locked, moment, by, "")
        append_event(locked, type=EventType.RESOLVED, at=moment, by=by, data={"outcome": outcome})
    return locked


def deliver_result(
    *,
    dossier: Dossier,
    by: User,
    via: ReturnChannel | str,
    postal_item: str = "",
    recipient: str = "",
    recipient_id_number: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Trả kết quả: at the counter, by public post, or online; who received it (their name
    and identity number, checked by `core.identity`) goes into the event."""
    if via not in ReturnChannel.values:
        raise ValidationFailed("Hình thức trả kết quả không hợp lệ.", code="unknown_channel")
    id_number = identity.normalize_id_number(recipient_id_number)
    with _transition(dossier, "deliver", by, at=at) as (locked, moment):
        locked.delivered_at = moment
        locked.delivered_via = ReturnChannel(via)
        locked.uncollected = False
        append_event(
            locked,
            type=EventType.RESULT_DELIVERED,
            at=moment,
            by=by,
            data={
                "via": str(via),
                "postal_item": clean_text(postal_item),
                "recipient": clean_text(recipient),
                "recipient_id_number": id_number,
            },
        )
    return locked


# The account the public lookup acts as when the applicant downloads an electronic result.
PORTAL_USERNAME = "system.portal"
ONLINE_RECIPIENT = "Người nộp hồ sơ (tải kết quả điện tử bằng mã tra cứu)"


def deliver_online(*, dossier: Dossier, at: datetime | None = None) -> bool:
    """The applicant downloaded the electronic result from the public lookup with the lookup
    code: the result is delivered online (`deliver`, via online), once. The log records the
    moment, the public lookup as the actor and the applicant as the recipient. True if this
    call recorded the delivery; False if it had already been recorded (a second download, or
    two at once: the dossier's row lock lets one through)."""
    current = Dossier.objects.select_related("receiving_unit").get(pk=dossier.pk)
    if current.status != Status.RESOLVED:
        return False
    try:
        deliver_result(
            dossier=current,
            by=_portal_user(current.receiving_unit),
            via=ReturnChannel.ONLINE,
            recipient=ONLINE_RECIPIENT,
            at=at,
        )
    except (TransitionNotAllowed, StaleDossier):
        return False  # delivered by someone else in the meantime
    return True


def receive_supplement_online(
    *, dossier: Dossier, note: str = "", at: datetime | None = None
) -> Dossier:
    """The applicant sent the supplement asked for through the citizen portal: its reception
    is recorded now (`receive_supplement`, the clock resumes) with the portal as the actor,
    as `deliver_online` records an online delivery. The caller has attached the papers."""
    current = Dossier.objects.select_related("receiving_unit").get(pk=dossier.pk)
    return receive_supplement(
        dossier=current, by=_portal_user(current.receiving_unit), note=note, at=at
    )


def _portal_user(unit: Unit) -> User:
    """The public lookup's account, holding the system role at `unit` (and nothing else)."""
    from motcua.accounts.models import Membership

    user, created = User.objects.get_or_create(
        username=PORTAL_USERNAME,
        defaults={"full_name": "Cổng tra cứu hồ sơ (hệ thống)", "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.update_or_create(
        user=user, unit=unit, role=Role.SYSTEM, defaults={"is_active": True}
    )
    return user


def mark_uncollected(*, dossier: Dossier, by: User, at: datetime | None = None) -> Dossier:
    """Chưa nhận kết quả: the appointment has passed and the applicant has not come."""
    with _transition(dossier, "mark_uncollected", by, at=at) as (locked, moment):
        if moment <= locked.due_at:
            raise ValidationFailed("Chưa đến ngày hẹn trả.", code="appointment_not_passed")
        locked.uncollected = True
        append_event(locked, type=EventType.MARKED_UNCOLLECTED, at=moment, by=by)
    return locked


def request_supplement(
    *, dossier: Dossier, by: User, reason: str, items: list[str], at: datetime | None = None
) -> Dossier:
    """Yêu cầu bổ sung, hoàn thiện: the clock pauses (or, per procedure, will restart) until
    the applicant brings the papers. A second request is allowed but flagged: Decision 766
    counts such a dossier as overdue."""
    _require_text(reason, "reason_required", "Cần ghi lý do yêu cầu bổ sung.")
    wanted = _listed_items(items)
    with _transition(dossier, "request_supplement", by, at=at) as (
        locked,
        moment,
    ):
        locked.resume_status = locked.status
        locked.paused_at = moment
        locked.supplement_count += 1
        SupplementPause.objects.create(dossier=locked, started_at=moment)
        append_event(
            locked,
            type=EventType.SUPPLEMENT_REQUESTED,
            at=moment,
            by=by,
            reason=reason,
            data={
                "items": wanted,
                "count": locked.supplement_count,
                "second_request": locked.supplement_count > 1,
            },
        )
    return locked


def receive_supplement(
    *, dossier: Dossier, by: User, note: str = "", at: datetime | None = None
) -> Dossier:
    """Xác nhận bổ sung: the clock resumes; the due date moves by the working time the pause
    covered (or the full duration counts again from now, if the procedure says restart)."""
    with _transition(dossier, "receive_supplement", by, at=at) as (locked, moment):
        paused_since = locked.paused_at or moment
        SupplementPause.objects.filter(dossier=locked, ended_at__isnull=True).update(
            ended_at=moment
        )
        deadline = clock.recompute(locked, closing=Pause(start=paused_since, end=moment))
        locked.paused_at = None
        locked.due_at = deadline.due_at
        steps.push_open_steps(locked, pause_start=paused_since, pause_end=moment)
        append_event(
            locked,
            type=EventType.SUPPLEMENT_RECEIVED,
            at=moment,
            by=by,
            reason=note,
            data=clock.due_record(deadline),
        )
    return locked


def withdraw_dossier(
    *, dossier: Dossier, by: User, reason: str, at: datetime | None = None
) -> Dossier:
    """Rút hồ sơ / dừng xử lý at the applicant's request, only before the result is decided."""
    _require_text(reason, "reason_required", "Cần ghi lý do dừng xử lý.")
    with _transition(dossier, "withdraw", by, at=at) as (locked, moment):
        _end(locked, moment, by, reason)
        append_event(locked, type=EventType.WITHDRAWN, at=moment, by=by, reason=reason)
    return locked


def return_unresolved(
    *, dossier: Dossier, by: User, reason: str, at: datetime | None = None
) -> Dossier:
    """Trả lại hồ sơ: not eligible, or must be corrected — the dossier ends unresolved."""
    _require_text(reason, "reason_required", "Cần ghi lý do trả lại hồ sơ.")
    with _transition(dossier, "return_unresolved", by, at=at) as (locked, moment):
        _end(locked, moment, by, reason)
        append_event(locked, type=EventType.RETURNED_UNRESOLVED, at=moment, by=by, reason=reason)
    return locked


def apologise_and_extend(
    *, dossier: Dossier, by: User, new_due_at: datetime, reason: str, at: datetime | None = None
) -> Dossier:
    """Xin lỗi và hẹn lại (form 04): once per dossier, a later appointment with the reason for
    the delay. The new appointment is a working instant of the receiving unit's calendar,
    after the current one and after the moment the apology is decided (now, or the event's
    time in imported history). The original appointment is kept for reporting."""
    _require_text(reason, "reason_required", "Cần ghi lý do chậm giải quyết.")
    if new_due_at.tzinfo is None:
        raise ValidationFailed("Ngày hẹn mới phải có múi giờ.", code="timestamp_without_offset")
    with _transition(dossier, "apologise_and_extend", by, at=at) as (locked, moment):
        if locked.due_at_original is not None:
            raise ValidationFailed(
                "Hồ sơ đã được xin lỗi và hẹn lại một lần.", code="already_extended"
            )
        calendar = calendar_for(locked.receiving_unit)
        _check_new_appointment(new_due_at, current=locked.due_at, moment=moment, calendar=calendar)
        # Decree 61: the apology goes out no later than one working day before the due date;
        # a later one is still recorded, and flagged.
        days_ahead = calendar.working_days_between(
            local(moment).date(), local(locked.due_at).date()
        )
        fixed = FixedDue.on(
            calendar, kind=FixedKind.EXTENDED, at=moment, due=new_due_at, reason=clean_text(reason)
        )
        deadline = clock.recompute(locked, adding=fixed)
        locked.due_at_original = locked.due_at
        locked.due_at = deadline.due_at
        append_event(
            locked,
            type=EventType.EXTENDED,
            at=moment,
            by=by,
            reason=reason,
            data={
                "new_due_at": new_due_at.isoformat(),
                "original_due_at": locked.due_at_original.isoformat(),
                "late_notice": days_ahead < 1,
                "fixed_minutes": fixed.minutes,
                **clock.due_record(deadline),
            },
        )
    return locked


def _check_new_appointment(
    new_due_at: datetime, *, current: datetime, moment: datetime, calendar: WorkingCalendar
) -> None:
    """A new appointment the applicant can keep: later than now (or the event's time), on a
    working day, within working hours, and after the current appointment."""
    shown = local(new_due_at).strftime("%H:%M %d/%m/%Y")
    if new_due_at <= moment:
        raise ValidationFailed(
            f"Ngày hẹn mới ({shown}) đã qua: phải sau thời điểm xin lỗi và hẹn lại.",
            code="new_due_in_past",
        )
    if not calendar.is_working_day(local(new_due_at).date()):
        label = calendar.day_label(local(new_due_at).date()) or ""
        raise ValidationFailed(
            f"Ngày hẹn mới ({shown}) là ngày nghỉ{f' ({label})' if label else ''}: "
            "hãy chọn một ngày làm việc.",
            code="new_due_not_working_day",
        )
    if not calendar.is_working_instant(new_due_at):
        raise ValidationFailed(
            f"Giờ hẹn mới ({shown}) ngoài giờ làm việc: hãy chọn một giờ trong buổi làm việc.",
            code="new_due_outside_working_hours",
        )
    if new_due_at <= current:
        raise ValidationFailed(
            f"Ngày hẹn mới ({shown}) phải sau ngày hẹn hiện tại "
            f"({local(current).strftime('%H:%M %d/%m/%Y')}).",
            code="new_due_not_later",
        )


def apply_calendar_change(
    *, by: User, day: date, unit: Unit | None = None, at: datetime | None = None
) -> list[Dossier]:
    """A day became a day off or a working day (an administrator's calendar change, for
    `unit` and the units under it, or everywhere): every open dossier whose appointment
    window holds that day is recomputed on the new calendar. A later appointment is
    recorded and the applicant told; an earlier one is not given — the promised date stays
    (docs/decisions/0005-calendar-changes.md). Returns the dossiers whose appointment was
    moved or kept, each with a `calendar_changed` event (old due, new due, the day)."""
    moment = at or now()
    zone = local(moment).tzinfo
    day_start = datetime.combine(day, time.min, tzinfo=zone)
    candidates = Dossier.objects.filter(
        ended_at__isnull=True,
        received_at__lt=day_start + timedelta(days=1),
        due_at__gte=day_start,
    ).exclude(status__in=sorted(NOT_RECEIVED))
    if unit is not None:
        candidates = candidates.filter(receiving_unit__path__startswith=unit.path)
    changed = []
    for dossier in candidates.order_by("pk").iterator():
        recomputed = _recompute_for_calendar(dossier, by=by, day=day, moment=moment)
        if recomputed is not None:
            changed.append(recomputed)
    return changed


def _recompute_for_calendar(
    dossier: Dossier, *, by: User, day: date, moment: datetime
) -> Dossier | None:
    with transaction.atomic():
        locked = _lock(dossier)
        _check_moment(locked, moment)
        deadline = clock.recompute(locked)
        old = locked.due_at
        if deadline.due_at == old:
            return None
        calendar = calendar_for(locked.receiving_unit)
        closed, label = not calendar.is_working_day(day), calendar.day_label(day) or ""
        kept = deadline.due_at < old
        if kept:
            deadline = clock.recompute(locked, floor=Floor(due=old, day=day, label=label))
            record = clock.due_record(deadline)
        else:
            note = ExplanationLine(
                LineKind.CALENDAR_CHANGE,
                day,
                {
                    "previous": local(old).isoformat(),
                    "due": local(deadline.due_at).isoformat(),
                    "closed": closed,
                    "label": label,
                },
            )
            record = clock.due_record(deadline, note=note)
        locked.due_at = deadline.due_at
        locked.version += 1
        locked.save(update_fields=["due_at", "version"])
        append_event(
            locked,
            type=EventType.CALENDAR_CHANGED,
            at=moment,
            by=by,
            data={
                "day": day.isoformat(),
                "closed": closed,
                "label": label,
                "old_due_at": local(old).isoformat(),
                "kept": kept,
                **record,
            },
        )
    return locked


def complete_inter_agency_step(
    *, dossier: Dossier, by: User, step_key: str, opinion: str, at: datetime | None = None
) -> Dossier:
    """A co-ordinating agency (liên thông) answers its part; the dossier's state is unchanged."""
    _require_text(opinion, "opinion_required", "Cần ghi ý kiến của cơ quan phối hợp.")
    moment = at or now()
    with transaction.atomic():
        locked = _lock(dossier)
        _check_moment(locked, moment)
        step = (
            locked.steps.filter(key=step_key, kind="inter_agency", completed_at__isnull=True)
            .select_related("unit")
            .first()
        )
        if step is None:
            raise TransitionNotAllowed("Bước liên thông này không chờ xử lý.", code="step_not_open")
        if not access.may_answer_step(by, step):
            raise PermissionRefused(f"Bạn không thuộc {step.unit.name}.", code="not_your_unit")
        steps.complete(step, at=moment, by=by, note=opinion)
        locked.version += 1
        locked.save(update_fields=["version"])
        append_event(
            locked,
            type=EventType.STEP_COMPLETED,
            at=moment,
            by=by,
            reason=opinion,
            data={"step": step.key, "unit": step.unit.code, "late": step.late},
        )
    return locked


def move_for_merge(
    *, dossier: Dossier, old: Unit, into: Unit, by: User | None, at: datetime, reason: str = ""
) -> Dossier:
    """Sáp nhập: the open work of `old` on this dossier passes to `into` — its receiving unit
    while the result is not yet handed over, its deciding agency while processing goes on,
    and the steps `old` holds. The state and the clock are unchanged. Recorded as one
    `unit_merged` event, at `at` or just after the dossier's last event (the log never goes
    back in time), and as `DossierMove` rows for the reports of past periods. Called by
    `catalog.units.merge_unit` for every open dossier of the merged unit."""
    with transaction.atomic():
        locked = _lock(dossier)
        last = locked.events.order_by("-sequence").values_list("at", flat=True).first()
        moment = max(at, last) if last is not None else at
        fields = []
        if locked.receiving_unit_id == old.pk and Status(locked.status) not in TERMINAL:
            fields.append(MovedField.RECEIVING_UNIT)
            locked.receiving_unit = into
        if locked.agency_id == old.pk and locked.ended_at is None:
            fields.append(MovedField.AGENCY)
            locked.agency = into
        note = clean_text(reason) or f"Sáp nhập {old.code} vào {into.code}"
        held = list(locked.steps.filter(unit=old, completed_at__isnull=True))
        for step in held:
            steps.hand_to(step, into, at=moment, by=by, note=note)
        if not fields and not held:
            return locked
        for field in fields:
            DossierMove.objects.create(
                dossier=locked, field=field, from_unit=old, to_unit=into, at=moment
            )
        locked.version += 1
        locked.save(update_fields=["receiving_unit", "agency", "version"])
        append_event(
            locked,
            type=EventType.UNIT_MERGED,
            at=moment,
            by=by,
            reason=note,
            data={
                "from": old.code,
                "to": into.code,
                "fields": [str(field) for field in fields],
                "steps": [step.key for step in held],
            },
        )
    return locked


# --- the machinery ----------------------------------------------------------------------


class _transition:
    """Context manager: lock, check, yield (locked dossier, moment), then save the new state."""

    def __init__(
        self,
        dossier: Dossier,
        action: str,
        by: User,
        *,
        at: datetime | None = None,
    ) -> None:
        self.dossier, self.action, self.by = dossier, action, by
        self.at = at
        self.atomic = transaction.atomic()

    def __enter__(self) -> tuple[Dossier, datetime]:
        self.atomic.__enter__()
        try:
            locked = _lock(self.dossier)
            current = Status(locked.status)
            record = TRANSITIONS[self.action]
            if current not in record.sources:
                raise TransitionNotAllowed(
                    f"Không thể “{record.label}” khi hồ sơ đang ở trạng thái "
                    f"“{locked.status_label}”.",
                    action=self.action,
                    status=current.value,
                )
            refusal = access.refusal_to_act(self.by, locked, record)
            if refusal is not None:
                raise refusal
            if record.at_most_once and performed(locked, record):
                raise ValidationFailed(
                    f"Mỗi hồ sơ chỉ được “{record.label}” một lần.", code=f"already_{record.event}"
                )
            moment = self.at or now()
            _check_moment(locked, moment)
            self.locked, self.previous = locked, current
            return locked, moment
        except BaseException:
            self.atomic.__exit__(*sys.exc_info())
            raise

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> bool | None:
        if error is None:
            locked = self.locked
            resume = Status(locked.resume_status) if locked.resume_status else None
            target = target_of(self.action, self.previous, resume)
            if TRANSITIONS[self.action].target == PREVIOUS:
                locked.resume_status = ""
            locked.status = target
            locked.version += 1
            locked.save()
        self.atomic.__exit__(kind, error, trace)  # type: ignore[arg-type]
        return None


def _lock(dossier: Dossier) -> Dossier:
    """The dossier's row, locked until the transaction ends; refused if someone else changed
    it since the caller read it (the caller's `version` is what it saw)."""
    locked = (
        # Lock the dossier's row only: locking the joined unit and version rows too would make
        # concurrent intakes and transitions (which key-share them) deadlock on PostgreSQL.
        Dossier.objects.select_for_update(of=("self",))
        .select_related("receiving_unit", "agency", "procedure_version")
        .get(pk=dossier.pk)
    )
    if locked.version != dossier.version:
        raise StaleDossier(
            "Hồ sơ vừa được người khác xử lý. Vui lòng tải lại trang để xem trạng thái mới.",
            seen_version=dossier.version,
            current_version=locked.version,
        )
    return locked


def _check_moment(dossier: Dossier, moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValidationFailed("Thời điểm phải có múi giờ.", code="timestamp_without_offset")
    if moment > now() + CLOCK_SKEW:
        raise ValidationFailed(
            "Không ghi nhận việc xảy ra trong tương lai.", code="event_in_future"
        )
    last = dossier.events.order_by("-sequence").values_list("at", flat=True).first()
    if last is not None and moment < last:
        raise ValidationFailed(
            "Thời điểm sớm hơn sự kiện trước của hồ sơ.", code="event_out_of_order"
        )


def _end(dossier: Dossier, moment: datetime, by: User, note: str) -> None:
    dossier.ended_at = moment
    dossier.working_days_used = derived.working_days_used(dossier, moment)
    dossier.paused_at = None
    SupplementPause.objects.filter(dossier=dossier, ended_at__isnull=True).update(ended_at=moment)
    for kind in ("reception", "appraisal", "inter_agency", "approval", "return"):
        steps.complete_open(dossier, kind, at=moment, by=by, note=note)


def _require_text(value: str, code: str, message: str) -> None:
    if not clean_text(value):
        raise ValidationFailed(message, code=code)


def performed(dossier: Dossier, action: Action) -> bool:
    """Has `action` been taken on `dossier`: its event (with its outcome, where two actions
    write the same event) is in the dossier's log."""
    events = dossier.events.filter(type=action.event)
    if action.outcome:
        events = events.filter(data__outcome=action.outcome)
    return events.exists()


def permitted_actions(user: access.Who, dossier: Dossier) -> list[str]:
    """The transitions `user` may take on `dossier` now: the checks the actions make (the
    state, the role at the place, the assignee, once only), in the table's order."""
    grants = access.grants(user)
    status = Status(dossier.status)
    return [
        name
        for name, action in TRANSITIONS.items()
        if status in action.sources
        and access.may_act(grants, dossier, action)
        and not (action.at_most_once and performed(dossier, action))
    ]


# Each action of `workflow/actions.py` and the function that takes it; the records' field
# names are these functions' keyword arguments.
PERFORMERS: dict[str, Callable[..., Dossier]] = {
    "transfer": transfer_dossier,
    "assign": assign_dossier,
    "appraise": appraise_dossier,
    "submit_for_approval": submit_for_approval,
    "send_back": send_back,
    "approve": approve_dossier,
    "refuse": refuse_dossier,
    "return_result": return_result,
    "deliver": deliver_result,
    "mark_uncollected": mark_uncollected,
    "request_supplement": request_supplement,
    "receive_supplement": receive_supplement,
    "withdraw": withdraw_dossier,
    "return_unresolved": return_unresolved,
    "apologise_and_extend": apologise_and_extend,
    "hand_over": hand_over,
    "record_resolution": record_resolution,
    "complete_step": complete_inter_agency_step,
}

# The named value lists that the records' CHOICE fields draw from.
VOCABULARIES: dict[str, type[ReturnChannel] | type[Outcome]] = {
    "return_channel": ReturnChannel,
    "outcome": Outcome,
}


def perform(
    action: str, *, dossier: Dossier, by: User, at: datetime | None = None, **values: Any
) -> Dossier:
    """Take `action` on `dossier` as `by`, with the values of its fields (by field name)."""
    return PERFORMERS[action](dossier=dossier, by=by, at=at, **values)


# Reception before receipt (online dossiers, refusals at the counter) lives beside this module
# and adds its three actions to PERFORMERS when imported: importing it here keeps the table
# complete for every caller of `perform`.
from motcua.dossiers import reception as _reception  # noqa: E402, F401
