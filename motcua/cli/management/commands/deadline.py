"""`motcua deadline`: compute and explain a due date (ngày hẹn trả) from the command line."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import CommandParser
from django.db.utils import DatabaseError

from motcua.calendars.services import calendar_for
from motcua.catalog.models import Unit
from motcua.cli.base import MotcuaCommand
from motcua.core.clock import EARLIEST, LATEST, in_supported_range
from motcua.core.errors import NotFound, ValidationFailed
from motcua.workflow import deadlines
from motcua.workflow.explain import render_all


class Command(MotcuaCommand):
    help = "Compute a due date under the working-day calendar, with its explanation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--received", required=True, help="ISO 8601 with offset")
        parser.add_argument("--duration", required=True, help="e.g. 3d (working days), 16h")
        parser.add_argument("--convention", choices=["hours", "days"], default="hours")
        parser.add_argument("--pause", action="append", default=[], metavar="START/END")
        parser.add_argument(
            "--restart",
            action="store_true",
            help="count the full duration again after the last pause",
        )
        parser.add_argument(
            "--same-day-cutoff",
            default="",
            metavar="HH:MM",
            help="a same-day procedure: due that working day up to this time, else the next",
        )
        parser.add_argument("--sessions", default="", help="e.g. 07:00-11:30,13:30-17:00")
        parser.add_argument("--unit", help="use this unit's calendar and sessions")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument("--lang", choices=["vi", "en"], default="vi")

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = self._calendar(options)
        received = _instant(options["received"], "--received")
        duration = _parse(deadlines.Duration.parse, options["duration"], "invalid_duration")
        _check_reachable(received, duration)
        pauses = [_pause(raw) for raw in options["pause"]]
        cutoff = _cutoff(options["same_day_cutoff"])
        deadline = _parse(
            lambda _: deadlines.compute_due(
                calendar=calendar,
                received_at=received,
                duration=duration,
                convention=deadlines.Convention(options["convention"]),
                pauses=pauses,
                restart=options["restart"],
                same_day_cutoff=cutoff,
            ),
            "",
            "invalid_deadline_input",
        )
        if not in_supported_range(deadline.due_at):
            raise _out_of_range(f"the due date falls after {LATEST:%Y-%m-%d}")
        explanation = list(render_all(deadline.explanation, options["lang"]))
        if options["format"] == "text":
            self.stdout.write("\n".join(explanation))
            return
        self.write_json(
            {
                "received_at": deadline.received_at.isoformat(),
                "started_at": deadline.started_at.isoformat(),
                "due_at": deadline.due_at.isoformat(),
                "duration": {
                    "value": deadline.duration.value,
                    "unit": deadline.duration.unit.value,
                },
                "convention": deadline.convention.value,
                "paused_working_minutes": deadline.paused_minutes,
                "explanation": explanation,
            }
        )

    def _calendar(self, options: dict[str, Any]) -> Any:
        try:
            unit = None
            if options["unit"]:
                unit = Unit.objects.filter(code=options["unit"]).first()
                if unit is None:
                    raise NotFound(f"Không có đơn vị {options['unit']}", code="unknown_unit")
            return _parse(
                lambda s: calendar_for(unit, sessions=s), options["sessions"], "invalid_sessions"
            )
        except DatabaseError:
            raise ValidationFailed(
                "Cơ sở dữ liệu chưa được khởi tạo: chạy `motcua migrate` trước.",
                code="database_not_ready",
            ) from None


def _parse(parser: Any, raw: str, code: str) -> Any:
    try:
        return parser(raw)
    except OverflowError:  # a date past year 9999 or an integer C cannot hold
        raise _out_of_range(f"{raw!r} is out of range") from None
    except ValueError as error:
        raise ValidationFailed(str(error), code=code) from None


def _out_of_range(what: str) -> ValidationFailed:
    return ValidationFailed(
        f"{what} (times from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} only)",
        code="timestamp_out_of_range",
    )


def _check_reachable(received: datetime, duration: deadlines.Duration) -> None:
    """A limit longer than the whole time left before LATEST cannot end inside it: N working
    days take at least N days, N working hours at least N hours. Refused before computing, so
    no date arithmetic runs past year 9999."""
    hours = duration.unit == deadlines.DurationUnit.WORKING_HOURS
    if duration.value > (LATEST - received) / timedelta(hours=1 if hours else 24):
        raise _out_of_range(f"--duration {duration} ends after {LATEST:%Y-%m-%d}")


def _instant(raw: str, flag: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed(
            f"{flag}: not an ISO 8601 time: {raw!r}", code="invalid_timestamp"
        ) from None
    if moment.tzinfo is None:
        raise ValidationFailed(
            f"{flag}: {raw!r} has no UTC offset (write e.g. {raw}+07:00)",
            code="timestamp_without_offset",
        )
    if not in_supported_range(moment):
        raise _out_of_range(f"{flag}: {raw!r} is out of range")
    return moment


def _cutoff(raw: str) -> time | None:
    if not raw:
        return None
    try:
        if len(raw) == 5:
            return time.fromisoformat(raw)
    except ValueError:
        pass
    raise ValidationFailed(
        f"--same-day-cutoff must be HH:MM, got {raw!r}", code="invalid_same_day_cutoff"
    )


def _pause(raw: str) -> deadlines.Pause:
    start, sep, end = raw.partition("/")
    if not sep:
        raise ValidationFailed(f"--pause must be START/END, got {raw!r}", code="invalid_pause")
    return _parse(
        lambda _: deadlines.Pause(start=_instant(start, "--pause"), end=_instant(end, "--pause")),
        raw,
        "invalid_pause",
    )
