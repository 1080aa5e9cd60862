"""The dossier history format `motcua.dossiers/1` (docs/interchange/dossiers.md): import and export.

Import: a JSON Lines file, one dossier per line, streamed. Each line is checked for shape (no
database), then its events are REPLAYED through the same actions as live work
(`motcua.dossiers.actions`), acting as a system user and inside `replaying_history()` so that
no applicant is told about events years old. A line is one transaction: a refused event rolls
the whole line back, and the line is reported with its number and reason.

A line whose code is already here is compared with the stored history, so that nothing in it
is dropped unseen: every event of the line already stored → skipped as already imported (a
re-import); the stored history followed by later events (a newer export of a dossier that
was still open) → those events are replayed and the line counts as `extended`; anything else
(another receipt, an event missing in the middle) → the line is rejected with the first event
that differs.

Export: the dossiers in receipt order, each with the events of the format (motcua's finer
steps — assignment, appraisal, approval… — are not part of it and are left out)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from motcua.accounts import access
from motcua.accounts.models import Membership, Role, User
from motcua.catalog.models import Procedure, ProcedureVersion, Unit
from motcua.core.clock import local
from motcua.core.errors import MotcuaError, ValidationFailed
from motcua.core.text import clean_text
from motcua.dossiers import actions
from motcua.dossiers.codes import is_valid_code
from motcua.dossiers.models import Channel, Dossier, DossierEvent, EventType, ReturnChannel
from motcua.integrations.jsonl import (
    ALREADY_IMPORTED,
    EXTENDED,
    IMPORTED,
    LineRejected,
    Progress,
    Rejection,
    RunSummary,
    Source,
    dump_line,
    format_moment,
    parse_moment,
    run_lines,
    start_of_day,
)
from motcua.workflow.actions import ACTIONS, Kind
from motcua.workflow.actions import Field as ActionField
from motcua.workflow.states import NOT_RECEIVED, Status

FORMAT = "motcua.dossiers/1"
SYSTEM_USERNAME = "system.import"
# What the domain requires and old systems did not always record. Exports leave a reason out
# when it is this placeholder, so what came in without a reason goes out without one.
NO_REASON = "Không có lý do trong dữ liệu nhập"
NO_ITEMS = "Giấy tờ theo yêu cầu"

# The format's event vocabulary, in the order of docs/interchange/dossiers.md#events.
FORMAT_EVENTS = (
    EventType.RECEIVED,
    EventType.TRANSFERRED,
    EventType.SUPPLEMENT_REQUESTED,
    EventType.SUPPLEMENT_RECEIVED,
    EventType.EXTENDED,
    EventType.RESOLVED,
    EventType.RETURNED_UNRESOLVED,
    EventType.WITHDRAWN,
    EventType.RESULT_DELIVERED,
)
APPLICANT_FIELDS = ("name", "phone", "email", "address", "id_number")
# Each event of the format and the action that replays it (`transferred` aside: see
# `_Replay.transfer`).
REPLAYED = {
    action.event: action
    for action in ACTIONS.values()
    if action.replays and action.event != EventType.TRANSFERRED
}
OUTCOMES = ("granted", "denied")


# --- one line, checked for shape (no database) --------------------------------------------


@dataclass(frozen=True)
class Event:
    index: int
    type: str
    at: datetime
    fields: dict[str, Any]

    def where(self) -> str:
        return f"events[{self.index}] ({self.type} at {self.fields['_raw_at']})"


@dataclass(frozen=True)
class DossierLine:
    code: str
    procedure: str
    received_by: str
    channel: str
    agency: str | None
    five_on_spot: bool | None
    applicant: actions.Applicant
    events: list[Event] = field(default_factory=list)

    @property
    def received_at(self) -> datetime:
        return self.events[0].at


def check_line(item: dict[str, Any]) -> DossierLine:
    """The line's shape: everything that can be said without the database. Once the code
    is known to be valid, a reason is led by it."""
    code = _text(item, "code")
    if not is_valid_code(code):
        raise LineRejected(
            f"invalid dossier code {item.get('code')!r} (expected <identity code>-YYMMDD-NNNN)"
        )
    try:
        return _checked(item, code)
    except LineRejected as error:
        raise LineRejected(f"{code}: {error.message}") from None


def _checked(item: dict[str, Any], code: str) -> DossierLine:
    procedure, received_by = _text(item, "procedure"), _text(item, "received_by")
    channel = item.get("channel")
    if channel not in Channel.values:
        raise LineRejected(f"channel must be one of {Channel.values}, got {channel!r}")
    agency = item.get("agency")
    if agency is not None and (not isinstance(agency, str) or not agency):
        raise LineRejected(f"agency must be a unit code, got {agency!r}")
    five_on_spot = item.get("five_on_spot")
    if five_on_spot is not None and not isinstance(five_on_spot, bool):
        raise LineRejected(f"five_on_spot must be true or false, got {five_on_spot!r}")
    return DossierLine(
        code=code,
        procedure=procedure,
        received_by=received_by,
        channel=channel,
        agency=agency,
        five_on_spot=five_on_spot,
        applicant=_applicant(item.get("applicant")),
        events=_events(item.get("events")),
    )


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not clean_text(value):
        raise LineRejected(f"{key} is required (a string), got {value!r}")
    return clean_text(value)


def _applicant(raw: Any) -> actions.Applicant:
    if not isinstance(raw, dict):
        raise LineRejected("applicant must be an object with at least a name")
    values = {}
    for key in APPLICANT_FIELDS:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise LineRejected(f"applicant.{key} must be a string, got {value!r}")
        values[key] = value or ""
    if not clean_text(values["name"]):
        raise LineRejected("applicant.name is required")
    return actions.Applicant(**values)


def _events(raw: Any) -> list[Event]:
    if not isinstance(raw, list) or not raw:
        raise LineRejected("events must be a non-empty list")
    events: list[Event] = []
    for index, entry in enumerate(raw):
        event = _event(entry, index)
        if index == 0 and event.type != EventType.RECEIVED:
            raise LineRejected(f"the first event must be 'received', got {event.type!r}")
        if index > 0 and event.type == EventType.RECEIVED:
            raise LineRejected(f"{event.where()}: a dossier is received only once")
        if events and event.at < events[-1].at:
            raise LineRejected(
                f"{event.where()}: earlier than the event before it "
                f"({events[-1].fields['_raw_at']})"
            )
        events.append(event)
    return events


def _event(entry: Any, index: int) -> Event:
    if not isinstance(entry, dict):
        raise LineRejected(f"events[{index}] must be an object")
    kind = entry.get("type")
    if kind not in FORMAT_EVENTS:
        raise LineRejected(f"events[{index}]: unknown event type {kind!r}")
    where = f"events[{index}] ({kind})"
    fields: dict[str, Any] = {"_raw_at": entry.get("at")}
    at = parse_moment(entry.get("at"), f"{where}: at")
    reason = entry.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise LineRejected(f"{where}: reason must be a string")
    fields["reason"] = clean_text(reason)
    if kind == EventType.RECEIVED and entry.get("due_at") is not None:
        fields["due_at"] = parse_moment(entry["due_at"], f"{where}: due_at")
    elif kind == EventType.TRANSFERRED:
        to = entry.get("to")
        if to is not None and (not isinstance(to, str) or not to):
            raise LineRejected(f"{where}: to must be a unit code, got {to!r}")
        fields["to"] = to
    elif kind == EventType.EXTENDED:
        fields["new_due_at"] = parse_moment(entry.get("new_due_at"), f"{where}: new_due_at")
    elif kind == EventType.RESOLVED:
        outcome = entry.get("outcome", "granted")
        if outcome not in OUTCOMES:
            raise LineRejected(f"{where}: outcome must be granted or denied, got {outcome!r}")
        fields["outcome"] = outcome
    elif kind == EventType.RESULT_DELIVERED:
        via = entry.get("via")
        if via not in ReturnChannel.values:
            raise LineRejected(f"{where}: via must be one of {ReturnChannel.values}, got {via!r}")
        fields["via"] = via
    return Event(index=index, type=kind, at=at, fields=fields)


# --- the importer -------------------------------------------------------------------------


class DossierImporter:
    """Imports lines one by one; holds the look-ups (units, procedure versions, the acting
    user's memberships), which are bounded by the catalogue, never by the file."""

    def __init__(self, *, acting: User | None = None) -> None:
        self._acting = acting
        self._units: dict[str, Unit | None] = {}
        self._versions: dict[str, list[ProcedureVersion]] = {}
        self._roots_granted: set[str] = set()
        self._system: User | None = None

    # the acting user ----------------------------------------------------------------

    def _user_for(self, units: list[Unit]) -> User:
        if self._acting is not None:
            return self._acting
        user = self._system_user()
        for unit in units:
            root = unit.province_code
            if root in self._roots_granted:
                continue
            root_unit = self._unit(root)
            assert root_unit is not None  # every unit's root is a unit
            Membership.objects.update_or_create(
                user=user, unit=root_unit, role=Role.SYSTEM, defaults={"is_active": True}
            )
            self._roots_granted.add(root)
        return user

    def _system_user(self) -> User:
        if self._system is not None:
            return self._system
        user, created = User.objects.get_or_create(
            username=SYSTEM_USERNAME,
            defaults={"full_name": "Nhập dữ liệu lịch sử (hệ thống)", "is_active": True},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if not user.is_active:
            raise ValidationFailed(
                f"Tài khoản {SYSTEM_USERNAME} đã bị khóa; mở lại hoặc dùng --as.",
                code="system_user_inactive",
            )
        self._system = user
        return user

    # look-ups -----------------------------------------------------------------------

    def _unit(self, code: str) -> Unit | None:
        if code not in self._units:
            self._units[code] = Unit.objects.filter(code=code).first()
        return self._units[code]

    def _known_unit(self, code: str, what: str) -> Unit:
        unit = self._unit(code)
        if unit is None:
            raise LineRejected(f"unknown {what} unit {code!r}")
        return unit

    def _version(self, procedure: str, day: date) -> ProcedureVersion:
        if procedure not in self._versions:
            self._versions[procedure] = list(
                ProcedureVersion.objects.filter(procedure__code=procedure)
                .select_related("procedure", "agency")
                .prefetch_related("other_agencies")
                .order_by("-number")
            )
        versions = self._versions[procedure]
        if not versions and not Procedure.objects.filter(code=procedure).exists():
            raise LineRejected(f"unknown procedure {procedure!r}")
        for version in versions:
            if version.is_in_force(day):
                return version
        raise LineRejected(f"procedure {procedure!r} has no version in force on {day}")

    # one line -----------------------------------------------------------------------

    def handle(self, item: dict[str, Any]) -> str:
        """IMPORTED, EXTENDED or ALREADY_IMPORTED, or LineRejected (its reason led by the
        dossier's code)."""
        line = check_line(item)
        try:
            return self._handle(line)
        except LineRejected as error:
            raise LineRejected(f"{line.code}: {error.message}") from None

    def _handle(self, line: DossierLine) -> str:
        existing = Dossier.objects.filter(code=line.code).select_related("agency").first()
        if existing is not None:
            return self._already_here(line, existing)
        unit = self._known_unit(line.received_by, "receiving")
        agency = self._known_unit(line.agency, "agency") if line.agency else None
        version = self._version(line.procedure, local(line.received_at).date())
        if line.five_on_spot is not None and line.five_on_spot != version.five_on_spot:
            # receive_dossier copies the version's flag and takes no override (yet).
            raise LineRejected(
                f"five_on_spot={str(line.five_on_spot).lower()} differs from the "
                f"procedure's flag; overriding it is not supported yet"
            )
        targets = self._targets(line.events)
        user = self._user_for([unit, agency or version.agency, *targets.values()])
        try:
            with transaction.atomic(), actions.replaying_history():
                _Replay(line, user, targets).run(unit=unit, agency=agency, version=version)
        except IntegrityError:
            # another import or a live intake wrote the same code meanwhile: a skip if it is
            # this dossier, a refusal if it is another one
            existing = Dossier.objects.filter(code=line.code).select_related("agency").first()
            if existing is None:
                raise
            return self._already_here(line, existing)
        return IMPORTED

    def _targets(self, events: list[Event]) -> dict[str, Unit]:
        return {
            event.fields["to"]: self._known_unit(event.fields["to"], "transfer")
            for event in events
            if event.fields.get("to")
        }

    def _already_here(self, line: DossierLine, dossier: Dossier) -> str:
        """The same dossier (same procedure, same receipt) with the same history: skipped; with
        a history that goes on: the later events replayed. A different dossier under the same
        code, or a history that differs from the stored one, is refused, never merged."""
        if dossier.procedure_code != line.procedure or dossier.received_at != line.received_at:
            raise LineRejected(
                f"this code already belongs to another dossier (procedure "
                f"{dossier.procedure_code}, received {format_moment(dossier.received_at)})"
            )
        stored = list(
            dossier.events.filter(type__in=FORMAT_EVENTS)
            .order_by("sequence")
            .values_list("type", "at")
        )
        known = _stored_prefix(line.events, stored)
        if known == len(line.events):
            return ALREADY_IMPORTED
        later = line.events[known:]
        last_at = max(at for _, at in stored)
        if later[0].at < last_at:
            raise LineRejected(
                f"{later[0].where()}: not in this dossier's stored history and earlier than "
                f"its last stored event ({format_moment(last_at)}); the histories differ"
            )
        targets = self._targets(later)
        user = self._user_for([dossier.receiving_unit, dossier.agency, *targets.values()])
        with transaction.atomic(), actions.replaying_history():
            _Replay(line, user, targets).continue_with(dossier, later)
        return EXTENDED


def _stored_prefix(events: list[Event], stored: list[tuple[str, datetime]]) -> int:
    """How many of the line's first events are in the stored history, in order (the stored
    one may hold more: the `transferred` events the actions wrote by themselves)."""
    position = 0
    for count, event in enumerate(events):
        while position < len(stored) and stored[position] != (event.type, event.at):
            position += 1
        if position == len(stored):
            return count
        position += 1
    return len(events)


class _Replay:
    """The events of one line, applied in order through the actions."""

    def __init__(self, line: DossierLine, user: User, targets: dict[str, Unit]) -> None:
        self.line, self.user, self.targets = line, user, targets
        # `transferred` events the actions wrote by themselves (transfer_dossier announces
        # each inter-agency step it opens): the file may list them too, as motcua exports do.
        self.echoes: list[tuple[str, datetime]] = []

    def run(self, *, unit: Unit, agency: Unit | None, version: ProcedureVersion) -> Dossier:
        line, first = self.line, self.line.events[0]
        try:
            dossier = actions.receive_dossier(
                by=self.user,
                unit=unit,
                version=version,
                applicant=line.applicant,
                channel=line.channel,
                components=[],
                agency=agency,
                received_at=first.at,
                code=line.code,
                recorded_due_at=first.fields.get("due_at"),
                require_components=False,
            )
        except MotcuaError as error:
            raise _refused(line, first, error) from None
        return self.continue_with(dossier, line.events[1:])

    def continue_with(self, dossier: Dossier, events: list[Event]) -> Dossier:
        for event in events:
            try:
                dossier = self.apply(dossier, event)
            except MotcuaError as error:
                raise _refused(self.line, event, error) from None
        return dossier

    def apply(self, dossier: Dossier, event: Event) -> Dossier:
        """Replay one event through the action its record names (`workflow.actions`, those
        that `replays`); a `transferred` event is a transfer or a hand-over, by where the file
        is (`transfer` below)."""
        if event.type == EventType.TRANSFERRED:
            return self.transfer(dossier, event)
        action = REPLAYED.get(event.type)
        if action is None:
            raise LineRejected(f"unknown event type {event.type!r}")  # check_line let none through
        values = {field.name: _replayed_value(field, event) for field in action.fields}
        present = {name: value for name, value in values.items() if value is not None}
        return actions.perform(action.name, dossier=dossier, by=self.user, at=event.at, **present)

    def transfer(self, dossier: Dossier, event: Event) -> Dossier:
        """At the one-stop: chuyển xử lý (transfer_dossier), then a hand-over if the file names
        another unit than the deciding agency. Already at an agency: a hand-over between
        units (hand_over), the state unchanged. A `transferred` that the replay has already
        written (same unit, same moment) is not written twice."""
        to = event.fields.get("to") or dossier.agency.code
        if (to, event.at) in self.echoes:
            self.echoes.remove((to, event.at))
            return dossier
        if dossier.status == Status.RECEIVED:
            before = dossier.events.count()
            dossier = actions.transfer_dossier(dossier=dossier, by=self.user, at=event.at)
            written = [
                (data.get("to"), at)
                for data, at in dossier.events.filter(
                    sequence__gt=before, type=EventType.TRANSFERRED
                ).values_list("data", "at")
            ]
            if (to, event.at) in written:
                written.remove((to, event.at))
                self.echoes.extend(written)
                return dossier
            self.echoes.extend(written)
        return actions.hand_over(dossier=dossier, by=self.user, to=self.targets[to], at=event.at)


def _replayed_value(field: ActionField, event: Event) -> Any:
    """The value of an action's field from a history event: the format's field of the same
    name, or for prose its reason. What the domain requires and the old system did not record
    gets a placeholder: a reason, and a list of papers asked for (the reason, if any). None:
    the action's own default."""
    reason = event.fields.get("reason") or ""
    if field.kind == Kind.LINES:
        return [reason] if reason else [NO_ITEMS]
    if field.kind == Kind.PARAGRAPH:
        return reason or (NO_REASON if field.required else None)
    return event.fields.get(field.name)


def _refused(line: DossierLine, event: Event, error: MotcuaError) -> LineRejected:
    reason = error.message if isinstance(error, LineRejected) else f"{error.code}: {error.message}"
    return LineRejected(f"{event.where()}: {reason}")


def import_dossiers(
    source: Source,
    *,
    strict: bool = False,
    acting: User | None = None,
    on_rejected: Rejection,
    progress: Progress | None = None,
) -> RunSummary:
    importer = DossierImporter(acting=acting)
    return run_lines(
        source,
        importer.handle,
        summary=RunSummary(format=FORMAT, strict=strict),
        on_rejected=on_rejected,
        progress=progress,
    )


def acting_user(username: str) -> User:
    """`--as USERNAME`: an existing, active account that holds the system role somewhere.
    Memberships are never granted to a named account: an administrator does that."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed(f"Không có tài khoản {username}.", code="user_not_found")
    if not access.holds_anywhere(user, Role.SYSTEM):
        raise ValidationFailed(
            f"Tài khoản {username} không có vai trò hệ thống (system) đang hoạt động.",
            code="not_a_system_user",
        )
    return user


# --- export -------------------------------------------------------------------------------


def export_dossiers(
    write: Callable[[str], object],
    *,
    unit: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    """Write `motcua.dossiers/1` lines for the dossiers received by `unit` (and the units
    under it) between `since` and `until` (local dates, inclusive), oldest first. Returns how
    many were written. Streams: memory does not grow with the number of dossiers."""
    count = 0
    for line in dossier_lines(unit=unit, since=since, until=until):
        write(dump_line(line))
        count += 1
    return count


def dossier_lines(
    *, unit: str | None = None, since: date | None = None, until: date | None = None
) -> Iterator[dict[str, Any]]:
    # a dossier never received (online, waiting or refused at reception) has no history the
    # format can say: it begins with `received`
    dossiers = Dossier.objects.select_related("receiving_unit", "agency").exclude(
        status__in=sorted(NOT_RECEIVED)
    )
    if unit is not None:
        root = Unit.objects.filter(code=unit).first()
        if root is None:
            raise ValidationFailed(f"Không có đơn vị {unit}.", code="unknown_unit")
        dossiers = dossiers.filter(receiving_unit__path__startswith=root.path)
    if since is not None:
        dossiers = dossiers.filter(received_at__gte=start_of_day(since))
    if until is not None:
        dossiers = dossiers.filter(received_at__lt=start_of_day(until + timedelta(days=1)))
    events = DossierEvent.objects.filter(type__in=FORMAT_EVENTS).order_by("sequence")
    dossiers = dossiers.prefetch_related(
        Prefetch("events", queryset=events, to_attr="format_events")
    )
    for dossier in dossiers.order_by("received_at", "code").iterator(chunk_size=500):
        yield dossier_entry(dossier)


def dossier_entry(dossier: Dossier) -> dict[str, Any]:
    applicant = {"name": dossier.applicant_name}
    for key in APPLICANT_FIELDS[1:]:
        value = getattr(dossier, f"applicant_{key}")
        if value:
            applicant[key] = value
    events = getattr(dossier, "format_events", None)
    if events is None:
        events = list(dossier.events.filter(type__in=FORMAT_EVENTS).order_by("sequence"))
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_code,
        "received_by": dossier.receiving_unit.code,
        "agency": dossier.agency.code,
        "channel": dossier.channel,
        "five_on_spot": dossier.five_on_spot,
        "applicant": applicant,
        "events": [event_entry(event) for event in events],
    }


def event_entry(event: DossierEvent) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": event.type, "at": format_moment(event.at)}
    data = event.data or {}
    kind = event.type
    if kind == EventType.RECEIVED and data.get("due_at"):
        entry["due_at"] = format_moment(datetime.fromisoformat(data["due_at"]))
    elif kind == EventType.TRANSFERRED and data.get("to"):
        entry["to"] = data["to"]
    elif kind == EventType.EXTENDED:
        entry["new_due_at"] = format_moment(datetime.fromisoformat(data["new_due_at"]))
    elif kind == EventType.RESOLVED:
        entry["outcome"] = data.get("outcome") or "granted"
    elif kind == EventType.RESULT_DELIVERED:
        entry["via"] = data.get("via") or "counter"
    if (
        kind
        in (
            EventType.SUPPLEMENT_REQUESTED,
            EventType.EXTENDED,
            EventType.RETURNED_UNRESOLVED,
            EventType.WITHDRAWN,
        )
        and event.reason
        and event.reason != NO_REASON
    ):
        entry["reason"] = event.reason
    return entry
