"""Every change of a ticket or a counter: one named function each, one transaction, one event
appended to the ticket's (or counter's) append-only log with who, when, where and why.

Pages, the kiosk and the imports call these; nothing else writes a ticket. The rules (numbering,
who is called next, hidden identity) are in docs/domain/hall.md."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from motcua.accounts import access
from motcua.accounts.models import User
from motcua.calendars.services import calendar_for
from motcua.catalog.models import Procedure
from motcua.core.clock import local, now, site_zone
from motcua.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from motcua.core.identity import normalize_id_number
from motcua.core.text import clean_text
from motcua.dossiers.models import Dossier
from motcua.queueing.models import (
    Appointment,
    Counter,
    CounterEvent,
    CounterStatus,
    Device,
    GroupDay,
    Hall,
    Outcome,
    ServiceGroup,
    Ticket,
    TicketDossier,
    TicketEvent,
    TicketEventType,
    TicketStatus,
)

REQUEST_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
SLOT = timedelta(minutes=30)
# An appointment checked in no later than this after its slot keeps its slot's rank.
APPOINTMENT_GRACE = timedelta(minutes=10)


def hall_day(moment: datetime) -> date:
    """The day a ticket belongs to: the site's local date (numbering restarts each day)."""
    return local(moment).date()


# --- drawing tickets ------------------------------------------------------------------------


def issue_ticket(
    *,
    hall: Hall,
    group: ServiceGroup,
    request_key: str,
    priority: str = "",
    kiosk: Device | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Issue the next number of `group` today (lấy số). Idempotent: a request repeated with the
    same `request_key` (the kiosk retries after a lost answer) gets the ticket the first one
    made, never a second one."""
    moment = at or now()
    _check_request_key(request_key)
    if group.hall_id != hall.pk or not group.is_active:
        raise ValidationFailed("Nhóm dịch vụ không có tại sảnh này.", code="unknown_group")
    if priority and priority not in hall.priority_kinds:
        raise ValidationFailed("Đối tượng ưu tiên không hợp lệ.", code="unknown_priority")
    rank_at = moment - hall.head_start if priority else moment
    return _issue(
        hall=hall,
        group=group,
        request_key=request_key,
        moment=moment,
        rank_at=rank_at,
        fields={"priority": priority, "kiosk": kiosk},
        event=TicketEventType.ISSUED,
        data={"priority": priority, "kiosk": kiosk.name if kiosk else ""},
    )


def check_in(
    *,
    hall: Hall,
    code_or_id: str,
    request_key: str,
    kiosk: Device | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Check in today's appointment found by its code or the applicant's ID number: a ticket
    of its group, ranked at its slot when on time (docs/domain/hall.md#appointments)."""
    moment = at or now()
    _check_request_key(request_key)
    existing = Ticket.objects.filter(hall=hall, request_key=request_key).first()
    if existing is not None:
        return existing
    appointment = _appointment_today(hall, code_or_id, moment)
    on_time = moment <= appointment.starts_at + APPOINTMENT_GRACE
    rank_at = appointment.starts_at - hall.head_start if on_time else moment
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.ticket_id is not None:
            raise Conflict("Lịch hẹn này đã được xác nhận.", code="already_checked_in")
        ticket = _issue(
            hall=hall,
            group=appointment.group,
            request_key=request_key,
            moment=moment,
            rank_at=rank_at,
            fields={
                "kiosk": kiosk,
                "applicant_name": appointment.applicant_name,
                "applicant_id_number": appointment.applicant_id_number,
            },
            event=TicketEventType.CHECKED_IN,
            data={"appointment": appointment.code, "on_time": on_time},
        )
        locked.ticket = ticket
        locked.save(update_fields=["ticket"])
    return ticket


def _appointment_today(hall: Hall, code_or_id: str, moment: datetime) -> Appointment:
    typed = clean_text(code_or_id).upper().replace(" ", "")
    day = hall_day(moment)
    found = Appointment.objects.filter(hall=hall, ticket__isnull=True).select_related("group")
    found = found.filter(starts_at__date__gte=day - timedelta(days=1))
    matches = list(found.filter(Q(code=typed) | Q(applicant_id_number=typed)))
    today = sorted((a for a in matches if hall_day(a.starts_at) == day), key=lambda a: a.starts_at)
    if not today:
        raise NotFound("Không tìm thấy lịch hẹn hôm nay.", code="appointment_not_found")
    return today[0]


def _issue(
    *,
    hall: Hall,
    group: ServiceGroup,
    request_key: str,
    moment: datetime,
    rank_at: datetime,
    fields: dict[str, Any],
    event: TicketEventType,
    data: dict[str, Any],
) -> Ticket:
    day = hall_day(moment)
    try:
        with transaction.atomic():
            counter, _ = GroupDay.objects.get_or_create(group=group, day=day)
            counter = GroupDay.objects.select_for_update().get(pk=counter.pk)
            # Checked under the group's lock: a repeat that waited for it finds the first one.
            existing = Ticket.objects.filter(hall=hall, request_key=request_key).first()
            if existing is not None:
                return existing
            counter.last_number += 1
            counter.save(update_fields=["last_number"])
            ticket = Ticket.objects.create(
                hall=hall,
                group=group,
                queue=group,
                day=day,
                number=counter.last_number,
                issued_at=moment,
                rank_at=rank_at,
                request_key=request_key,
                **fields,
            )
            _record(ticket, event, at=moment, by=None, data={"number": ticket.label, **data})
            return ticket
    except IntegrityError:
        # The same key in another group, committed meanwhile: that request's ticket.
        existing = Ticket.objects.filter(hall=hall, request_key=request_key).first()
        if existing is None:
            raise
        return existing


def _check_request_key(key: str) -> None:
    if not REQUEST_KEY.fullmatch(key or ""):
        raise ValidationFailed("Mã yêu cầu không hợp lệ.", code="invalid_request_key")


def book_appointment(
    *,
    hall: Hall,
    group: ServiceGroup,
    starts_at: datetime,
    name: str,
    id_number: str,
    phone: str = "",
    at: datetime | None = None,
) -> Appointment:
    """Book a 30-minute slot online; a slot takes `hall.appointments_per_slot` per group."""
    moment = at or now()
    name = clean_text(name)[:200]
    id_number = normalize_id_number(id_number)
    if not name or not id_number:
        raise ValidationFailed("Cần họ tên và số định danh.", code="applicant_required")
    if group.hall_id != hall.pk or not group.is_active:
        raise ValidationFailed("Nhóm dịch vụ không có tại sảnh này.", code="unknown_group")
    if starts_at not in slots_of_day(hall, hall_day(starts_at)) or starts_at <= moment:
        raise ValidationFailed("Khung giờ không hợp lệ.", code="invalid_slot")
    with transaction.atomic():
        GroupDay.objects.get_or_create(group=group, day=hall_day(starts_at))
        GroupDay.objects.select_for_update().get(group=group, day=hall_day(starts_at))
        taken = Appointment.objects.filter(group=group, starts_at=starts_at).count()
        if taken >= hall.appointments_per_slot:
            raise Conflict("Khung giờ này đã kín lịch.", code="slot_full")
        return Appointment.objects.create(
            hall=hall,
            group=group,
            starts_at=starts_at,
            code=_appointment_code(),
            applicant_name=name,
            applicant_id_number=id_number,
            applicant_phone=clean_text(phone)[:20],
            booked_at=moment,
        )


def slots_of_day(hall: Hall, day: date) -> list[datetime]:
    """The 30-minute slots of a working day of the site, inside its sessions."""
    calendar = calendar_for(hall.unit)
    if not calendar.is_working_day(day):
        return []
    zone = site_zone()
    slots = []
    for session in calendar.sessions:
        start = datetime.combine(day, session.start, tzinfo=zone)
        end = datetime.combine(day, session.end, tzinfo=zone)
        while start + SLOT <= end:
            slots.append(start)
            start += SLOT
    return slots


def open_slots(
    hall: Hall, group: ServiceGroup, *, after: datetime, days: int = 7
) -> list[datetime]:
    """The slots of the next `days` days after `after` that still take an appointment."""
    first = hall_day(after)
    slots = [
        slot
        for offset in range(days)
        for slot in slots_of_day(hall, first + timedelta(days=offset))
        if slot > after
    ]
    if not slots:
        return []
    taken = Appointment.objects.filter(group=group, starts_at__gte=slots[0])
    counts: dict[datetime, int] = {}
    for starts_at in taken.values_list("starts_at", flat=True):
        counts[starts_at] = counts.get(starts_at, 0) + 1
    return [slot for slot in slots if counts.get(slot, 0) < hall.appointments_per_slot]


def _appointment_code() -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(6))
        if not Appointment.objects.filter(code=code).exists():
            return code


# --- counters -------------------------------------------------------------------------------


def open_counter(
    *, counter: Counter, by: User, groups: list[ServiceGroup], at: datetime | None = None
) -> Counter:
    """An officer opens (or re-opens for other groups) a counter of their unit."""
    moment = at or now()
    _check_may_serve(by, counter)
    chosen = [g for g in groups if g.hall_id == counter.hall_id and g.is_active]
    if not chosen:
        raise ValidationFailed("Chọn ít nhất một nhóm dịch vụ.", code="groups_required")
    with transaction.atomic():
        locked = _lock_counter(counter)
        if locked.status != CounterStatus.CLOSED and locked.officer_id != by.pk:
            raise Conflict(f"Quầy đang do {locked.officer} phục vụ.", code="counter_taken")
        locked.status = CounterStatus.OPEN
        locked.officer = by
        locked.pause_reason = ""
        locked.changed_at = moment
        locked.save()
        locked.serving.set(chosen)
        _record_counter(locked, "opened", by, moment, data={"groups": [g.code for g in chosen]})
    return locked


def pause_counter(*, counter: Counter, by: User, reason: str, at: datetime | None = None) -> None:
    reason = clean_text(reason)[:200]
    if not reason:
        raise ValidationFailed("Cần ghi lý do tạm dừng.", code="reason_required")
    _change_counter(counter, by, at, CounterStatus.PAUSED, "paused", reason)


def resume_counter(*, counter: Counter, by: User, at: datetime | None = None) -> None:
    _change_counter(counter, by, at, CounterStatus.OPEN, "resumed", "")


def close_counter(*, counter: Counter, by: User, at: datetime | None = None) -> None:
    _change_counter(counter, by, at, CounterStatus.CLOSED, "closed", "")


def _change_counter(
    counter: Counter, by: User, at: datetime | None, status: str, event: str, reason: str
) -> None:
    moment = at or now()
    with transaction.atomic():
        locked = _own_counter(counter, by)
        if current_ticket(locked) is not None:
            raise Conflict("Hãy kết thúc lượt đang phục vụ trước.", code="ticket_in_service")
        if event == "resumed" and locked.status != CounterStatus.PAUSED:
            raise Conflict("Quầy không tạm dừng.", code="counter_not_paused")
        locked.status = status
        locked.pause_reason = reason
        locked.changed_at = moment
        if status == CounterStatus.CLOSED:
            locked.officer = None
            locked.serving.clear()
        locked.save()
        _record_counter(locked, event, by, moment, reason=reason)


def _lock_counter(counter: Counter) -> Counter:
    # Only the counter's row: every counter of the hall shares its hall's row.
    found = Counter.objects.select_for_update(of=("self",)).select_related("hall__unit")
    return found.get(pk=counter.pk)


def _own_counter(counter: Counter, by: User) -> Counter:
    """The counter locked, if `by` is its officer now."""
    _check_may_serve(by, counter)
    locked = _lock_counter(counter)
    if locked.status == CounterStatus.CLOSED or locked.officer_id != by.pk:
        raise Conflict("Bạn chưa mở quầy này.", code="counter_not_yours")
    return locked


def _check_may_serve(by: User, counter: Counter) -> None:
    if not access.may_serve_at(by, counter):
        raise PermissionRefused("Bạn không phải cán bộ một cửa của đơn vị này.", code="not_yours")


def _record_counter(
    counter: Counter, event: str, by: User, at: datetime, *, reason: str = "", data: Any = None
) -> None:
    CounterEvent.objects.create(
        counter=counter, type=event, at=at, actor=by, reason=reason, data=data or {}
    )


# --- calling --------------------------------------------------------------------------------


def current_ticket(counter: Counter) -> Ticket | None:
    """The ticket the counter has called and not finished."""
    found = Ticket.objects.filter(counter=counter, status=TicketStatus.CALLED)
    return found.select_related("group", "queue").first()


def waiting_for(counter: Counter, day: date) -> QuerySet[Ticket]:
    """The tickets `counter` may call, best first: those waiting in the groups it serves and
    those transferred to it, by rank (docs/domain/hall.md#who-is-called-next)."""
    served = list(counter.serving.values_list("pk", flat=True))
    return Ticket.objects.filter(
        Q(queue_id__in=served, for_counter__isnull=True) | Q(for_counter=counter),
        hall_id=counter.hall_id,
        day=day,
        status=TicketStatus.WAITING,
    ).order_by("rank_at", "id")


def call_next(*, counter: Counter, by: User, at: datetime | None = None) -> Ticket | None:
    """Call the best waiting ticket to `counter` (gọi số tiếp theo); None if nobody waits.

    Two counters calling at once each get a different ticket: the candidate row is locked
    with SKIP LOCKED, so the second caller takes the next one instead of waiting (PostgreSQL;
    SQLite runs writers one at a time)."""
    moment = at or now()
    with transaction.atomic():
        locked = _own_counter(counter, by)
        if locked.status != CounterStatus.OPEN:
            raise Conflict("Quầy đang tạm dừng.", code="counter_paused")
        if current_ticket(locked) is not None:
            raise Conflict("Hãy kết thúc lượt đang phục vụ trước.", code="ticket_in_service")
        candidates = waiting_for(locked, hall_day(moment)).select_for_update(skip_locked=True)
        ticket = candidates.first()
        if ticket is None:
            return None
        ticket.status = TicketStatus.CALLED
        ticket.counter = locked
        ticket.officer = by
        ticket.for_counter = None
        ticket.called_at = ticket.called_at or moment
        ticket.last_called_at = moment
        ticket.save()
        _record(ticket, TicketEventType.CALLED, at=moment, by=by, counter=locked)
    return ticket


def recall(*, ticket: Ticket, by: User, at: datetime | None = None) -> Ticket:
    """Call the counter's current ticket again (gọi lại)."""
    moment = at or now()
    with transaction.atomic():
        locked = _own_ticket(ticket, by)
        locked.last_called_at = moment
        locked.save(update_fields=["last_called_at"])
        _record(locked, TicketEventType.RECALLED, at=moment, by=by, counter=locked.counter)
    return locked


def mark_absent(*, ticket: Ticket, by: User, at: datetime | None = None) -> Ticket:
    """Nobody came to the call (vắng mặt): the ticket ends as a no-show."""
    moment = at or now()
    with transaction.atomic():
        locked = _own_ticket(ticket, by)
        locked.status = TicketStatus.NO_SHOW
        locked.outcome = Outcome.NO_SHOW
        locked.save(update_fields=["status", "outcome"])
        _record(locked, TicketEventType.NO_SHOW, at=moment, by=by, counter=locked.counter)
    return locked


def transfer(
    *,
    ticket: Ticket,
    by: User,
    to_group: ServiceGroup | None = None,
    to_counter: Counter | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Ticket:
    """Send the called ticket to another group's line or to one counter (chuyển); it keeps
    its number and its place (its rank), so it is called before those who came after it."""
    moment = at or now()
    if (to_group is None) == (to_counter is None):
        raise ValidationFailed("Chọn một nhóm hoặc một quầy.", code="transfer_target")
    with transaction.atomic():
        locked = _own_ticket(ticket, by)
        target = to_group.hall_id if to_group else to_counter.hall_id  # type: ignore[union-attr]
        if target != locked.hall_id or to_counter == locked.counter:
            raise ValidationFailed("Không chuyển được đến nơi này.", code="transfer_target")
        from_counter = locked.counter
        data = {"from_group": locked.queue.code, "from_counter": from_counter.number}  # type: ignore[union-attr]
        if to_group is not None:
            locked.queue = to_group
            data["to_group"] = to_group.code
        else:
            locked.for_counter = to_counter
            data["to_counter"] = to_counter.number  # type: ignore[union-attr]
        locked.status = TicketStatus.WAITING
        locked.counter = None
        locked.officer = None
        locked.save()
        _record(
            locked,
            TicketEventType.TRANSFERRED,
            at=moment,
            by=by,
            counter=from_counter,
            reason=reason,
            data=data,
        )
    return locked


def _own_ticket(ticket: Ticket, by: User) -> Ticket:
    """The ticket locked, if it is called at a counter `by` holds now."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status != TicketStatus.CALLED or locked.officer_id != by.pk:
        raise Conflict("Vé không do bạn đang phục vụ.", code="ticket_not_yours")
    if locked.counter is None:
        raise Conflict("Vé không do bạn đang phục vụ.", code="ticket_not_yours")
    _check_may_serve(by, locked.counter)
    return Ticket.objects.select_related("group", "queue", "counter").get(pk=locked.pk)


# --- what a visit led to ----------------------------------------------------------------------


def receive_from_ticket(*, ticket: Ticket, by: User, **receive: Any) -> Dossier:
    """Receive a dossier (the normal receive path, `dossiers.actions.receive_dossier`) for the
    called ticket, and link the two, in one transaction."""
    from motcua.dossiers.actions import receive_dossier

    with transaction.atomic():
        locked = _own_ticket(ticket, by)
        dossier = receive_dossier(by=by, **receive)
        TicketDossier.objects.create(ticket=locked, dossier=dossier, kind=TicketDossier.RECEIVED)
        _record(
            locked,
            TicketEventType.DOSSIER_RECEIVED,
            at=dossier.received_at,
            by=by,
            counter=locked.counter,
            data={"dossier": dossier.code},
        )
    return dossier


def finish_intake(*, ticket: Ticket, by: User, at: datetime | None = None) -> Ticket:
    """End a visit from which one or more dossiers were received."""
    if not ticket.links.filter(kind=TicketDossier.RECEIVED).exists():
        raise ValidationFailed("Chưa tiếp nhận hồ sơ nào từ vé này.", code="no_dossier")
    return _finish(ticket, by, at, Outcome.TO_DOSSIER, {})


def finish_guidance(
    *, ticket: Ticket, by: User, procedure_code: str, at: datetime | None = None
) -> Ticket:
    """End a guidance-only visit (chỉ hướng dẫn), naming the procedure asked about."""
    code = clean_text(procedure_code)
    if not Procedure.objects.filter(code=code).exists():
        raise ValidationFailed("Không có thủ tục này.", code="unknown_procedure")
    return _finish(ticket, by, at, Outcome.GUIDANCE_ONLY, {"procedure_code": code})


def finish_collect(
    *, ticket: Ticket, by: User, dossier: Dossier, at: datetime | None = None
) -> Ticket:
    """End a visit to collect a result: the ticket is linked to the dossier handed over."""
    return _finish(ticket, by, at, Outcome.COLLECT_RESULT, {}, delivered=dossier)


def _finish(
    ticket: Ticket,
    by: User,
    at: datetime | None,
    outcome: str,
    fields: dict[str, str],
    delivered: Dossier | None = None,
) -> Ticket:
    moment = at or now()
    with transaction.atomic():
        locked = _own_ticket(ticket, by)
        locked.status = TicketStatus.DONE
        locked.outcome = outcome
        locked.finished_at = moment
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        data: dict[str, Any] = {"outcome": outcome, **fields}
        if delivered is not None:
            TicketDossier.objects.get_or_create(
                ticket=locked, dossier=delivered, defaults={"kind": TicketDossier.DELIVERED}
            )
            data["dossier"] = delivered.code
        _record(
            locked, TicketEventType.FINISHED, at=moment, by=by, counter=locked.counter, data=data
        )
    return locked


# --- the event log ----------------------------------------------------------------------------


def _record(
    ticket: Ticket,
    type: TicketEventType,
    *,
    at: datetime,
    by: User | None,
    counter: Counter | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    extra = dict(data or {})
    if counter is not None:
        extra.setdefault("counter", counter.number)
    extra.setdefault("number", ticket.label)
    return TicketEvent.objects.create(
        ticket=ticket,
        hall_id=ticket.hall_id,
        type=type,
        at=at,
        actor=by,
        actor_name=str(by) if by else "",
        counter=counter,
        reason=clean_text(reason)[:500],
        data=extra,
    )


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    name: str
    id_number: str


def identity_for(ticket: Ticket, who: User) -> Identity | None:
    """Who holds the ticket, for the officer who called it, once called; nobody sees it while
    it waits, so that staff cannot pick their citizens (docs/domain/hall.md#hidden-identity)."""
    if ticket.status == TicketStatus.WAITING or ticket.officer_id != who.pk:
        return None
    if not ticket.applicant_name and not ticket.applicant_id_number:
        return None
    return Identity(name=ticket.applicant_name, id_number=ticket.applicant_id_number)


@dataclass(frozen=True)
class Position:
    ahead: int  # tickets to be called before this one, in its line
    minutes: int  # the estimated wait


def position(ticket: Ticket) -> Position | None:
    """Where a waiting ticket stands in its line, and roughly how long it will wait: the
    tickets ranked before it, times the minutes a visit of its group took today (the hall's
    estimate before the first), shared among the counters open for its group."""
    if ticket.status != TicketStatus.WAITING:
        return None
    line = Ticket.objects.filter(
        queue_id=ticket.queue_id, day=ticket.day, status=TicketStatus.WAITING
    )
    ahead = line.filter(
        Q(rank_at__lt=ticket.rank_at) | Q(rank_at=ticket.rank_at, id__lt=ticket.pk)
    ).count()
    counters = Counter.objects.filter(
        serving=ticket.queue_id, status__in=[CounterStatus.OPEN, CounterStatus.PAUSED]
    ).count()
    minutes = (ahead + 1) * _visit_minutes(ticket) / max(1, counters)
    return Position(ahead=ahead, minutes=max(1, round(minutes)))


def _visit_minutes(ticket: Ticket) -> float:
    served = Ticket.objects.filter(
        queue_id=ticket.queue_id, day=ticket.day, status=TicketStatus.DONE
    ).values_list("called_at", "finished_at")[:50]
    spans = [(end - start).total_seconds() / 60 for start, end in served if start and end]
    if not spans:
        return float(ticket.hall.service_minutes)
    return sum(spans) / len(spans)


CALL_EVENTS = (TicketEventType.CALLED, TicketEventType.RECALLED)


def calls_since(hall: Hall, after_id: int, *, limit: int = 20) -> list[TicketEvent]:
    """The calls (first and repeated) of the hall after event `after_id`, oldest first."""
    found = TicketEvent.objects.filter(hall=hall, type__in=CALL_EVENTS, id__gt=after_id)
    return list(found.select_related("counter").order_by("id")[:limit])


def last_calls(hall: Hall, day: date, *, limit: int = 8) -> list[TicketEvent]:
    """The latest calls of the hall today, newest first."""
    found = TicketEvent.objects.filter(hall=hall, type__in=CALL_EVENTS, ticket__day=day)
    return list(found.select_related("counter").order_by("-id")[:limit])


def serving_now(hall: Hall) -> list[tuple[Counter, Ticket | None]]:
    """Each counter not closed, with the ticket it serves now."""
    counters = Counter.objects.filter(hall=hall).exclude(status=CounterStatus.CLOSED)
    serving = {
        t.counter_id: t
        for t in Ticket.objects.filter(hall=hall, status=TicketStatus.CALLED).select_related(
            "group"
        )
    }
    return [(counter, serving.get(counter.pk)) for counter in counters.order_by("number")]


# --- history from other queue systems -------------------------------------------------------


@dataclass(frozen=True)
class PastVisit:
    """A ticket of the past as `motcua.visits/1` carries it (docs/interchange/hall-tickets.md)."""

    source_id: str
    group: ServiceGroup
    number: int
    priority: str
    issued_at: datetime
    called_at: datetime | None
    finished_at: datetime | None
    counter: Counter | None
    officer: User | None
    officer_name: str
    outcome: str
    procedure_code: str
    dossiers: list[Dossier]


def record_past_visit(*, hall: Hall, visit: PastVisit) -> Ticket | None:
    """Record a visit served elsewhere (an old queue machine's history) with its events, as
    they happened; None if its `source_id` is already here. The group's count of the day is
    raised past its number, so that a live ticket never takes it."""
    key = "v-" + _digest(visit.source_id)
    if Ticket.objects.filter(hall=hall, request_key=key).exists():
        return None
    day = hall_day(visit.issued_at)
    status = {
        "": TicketStatus.CALLED if visit.called_at else TicketStatus.WAITING,
        Outcome.NO_SHOW: TicketStatus.NO_SHOW,
    }.get(visit.outcome, TicketStatus.DONE)
    with transaction.atomic():
        counter, _ = GroupDay.objects.get_or_create(group=visit.group, day=day)
        counter = GroupDay.objects.select_for_update().get(pk=counter.pk)
        if Ticket.objects.filter(group=visit.group, day=day, number=visit.number).exists():
            raise Conflict(
                f"Số {visit.number} của nhóm {visit.group.code} ngày {day} đã có.",
                code="number_taken",
            )
        counter.last_number = max(counter.last_number, visit.number)
        counter.save(update_fields=["last_number"])
        ticket = Ticket.objects.create(
            hall=hall,
            group=visit.group,
            queue=visit.group,
            day=day,
            number=visit.number,
            priority=visit.priority,
            status=status,
            issued_at=visit.issued_at,
            rank_at=visit.issued_at,
            request_key=key,
            source_id=visit.source_id,
            counter=visit.counter,
            officer=visit.officer,
            called_at=visit.called_at,
            last_called_at=visit.called_at,
            finished_at=visit.finished_at,
            outcome=visit.outcome,
            procedure_code=visit.procedure_code,
        )
        _record_history(ticket, visit)
    return ticket


def _record_history(ticket: Ticket, visit: PastVisit) -> None:
    imported: dict[str, Any] = {"imported": True}
    _record(ticket, TicketEventType.ISSUED, at=visit.issued_at, by=None, data=imported)
    events: list[tuple[TicketEventType, datetime, dict[str, Any]]] = []
    if visit.called_at:
        events.append((TicketEventType.CALLED, visit.called_at, {}))
    if visit.outcome == Outcome.NO_SHOW:
        events.append((TicketEventType.NO_SHOW, visit.called_at or visit.issued_at, {}))
    elif visit.outcome:
        moment = visit.finished_at or visit.called_at or visit.issued_at
        events.append((TicketEventType.FINISHED, moment, {"outcome": visit.outcome}))
    kind = TicketDossier.DELIVERED if visit.outcome == Outcome.COLLECT_RESULT else "received"
    for dossier in visit.dossiers:
        TicketDossier.objects.create(ticket=ticket, dossier=dossier, kind=kind)
    if visit.officer is None and visit.officer_name:
        imported["officer"] = visit.officer_name  # the old system's name, no user here
    for type, at, data in events:
        _record(ticket, type, at=at, by=visit.officer, counter=visit.counter, data=imported | data)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]
