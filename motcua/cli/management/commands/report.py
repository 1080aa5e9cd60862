"""`motcua report`: the periodic statistical report of a unit (motcua.report/1)."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from motcua.catalog.models import Unit
from motcua.cli.base import MotcuaCommand
from motcua.core.clock import day_in_supported_range
from motcua.core.errors import NotFound, ValidationFailed
from motcua.reports import periods
from motcua.reports.figures import ReportSpec
from motcua.reports.formats import RENDERERS, render
from motcua.reports.periods import PeriodConvention
from motcua.reports.report import build_report
from motcua.reports.rows import Grouping
from motcua.workflow.classification import ClassificationRule

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>\d{1,2}|Q\d|H\d|9M))?$")


class Command(MotcuaCommand):
    help = "Print the report of a unit for the dates --from..--to (both inclusive)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code, e.g. AH")
        parser.add_argument("--from", dest="start", help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", help="YYYY-MM-DD (inclusive)")
        parser.add_argument(
            "--period",
            help="instead of --from/--to: YYYY-MM (month), YYYY-Qn (quarter), YYYY-Hn "
            "(half-year), YYYY-9M (nine months) or YYYY (year), cut off by --convention",
        )
        parser.add_argument(
            "--convention",
            choices=[c.value for c in PeriodConvention],
            default=PeriodConvention.CALENDAR.value,
            help="calendar months, or day15: the 15th of the month before to the 14th",
        )
        parser.add_argument(
            "--no-subunits", action="store_true", help="only the unit itself, not those under it"
        )
        parser.add_argument("--by", choices=[g.value for g in Grouping])
        parser.add_argument(
            "--rule",
            choices=[r.value for r in ClassificationRule],
            default=ClassificationRule.DAY.value,
            help="early / on time / late rule (docs/domain/legal-clock.md#classification)",
        )
        parser.add_argument(
            "--denied-as-returned",
            action="store_true",
            help="count written refusals as returned unresolved instead of resolved",
        )
        parser.add_argument(
            "--officers",
            action="store_true",
            help="add ratings_by_officer (for the centre's directors)",
        )
        parser.add_argument("--format", choices=sorted(RENDERERS), default="json")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _dates(options)
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise NotFound(f"Không có đơn vị {options['unit']}.", code="unknown_unit")
        spec = ReportSpec(
            unit=unit,
            start=start,
            end=end,
            include_subunits=not options["no_subunits"],
            rule=ClassificationRule(options["rule"]),
            count_denied_as_resolved=not options["denied_as_returned"],
        )
        renderer = RENDERERS[options["format"]]
        if renderer.binary and not options["output"]:
            raise ValidationFailed(
                f"Định dạng {options['format']} cần --output FILE.", code="output_required"
            )
        by = options["by"] or renderer.default_by
        content = render(build_report(spec, by, officers=options["officers"]), options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        else:
            sys.stdout.write(content.decode("utf-8"))


def _dates(options: dict[str, Any]) -> tuple[date, date]:
    """--from/--to, or --period under --convention: exactly one of the two ways."""
    if options["period"]:
        if options["start"] or options["end"]:
            raise ValidationFailed(
                "Chọn kỳ bằng --period hoặc bằng --from/--to, không dùng cả hai.",
                code="period_twice",
            )
        first, last = _period(options["period"], options["convention"])
        return day_in_supported_range(first, "--period"), day_in_supported_range(last, "--period")
    if not (options["start"] and options["end"]):
        raise ValidationFailed(
            "Cần --from và --to (YYYY-MM-DD), hoặc --period.", code="period_missing"
        )
    return _date(options["start"], "--from"), _date(options["end"], "--to")


def _period(raw: str, convention: str) -> tuple[date, date]:
    text = raw.strip().upper()
    found = PERIOD.match(text)
    if found is None:
        raise ValidationFailed(
            f"--period: viết YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY-9M hoặc YYYY, nhận được {raw!r}.",
            code="invalid_period",
        )
    year, part = int(found["year"]), found["part"] or ""
    try:
        if not part:
            return periods.year(year, convention)
        if part == "9M":
            return periods.nine_months(year, convention)
        if part[0] == "Q":
            return periods.quarter(year, int(part[1:]), convention)
        if part[0] == "H":
            return periods.half_year(year, int(part[1:]), convention)
        return periods.month(year, int(part), convention)
    except ValueError:
        raise ValidationFailed(f"--period: không có kỳ {raw!r}.", code="invalid_period") from None


def _date(raw: str, flag: str) -> date:
    text = raw.strip()
    try:
        if not DATE.match(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{flag}: ngày phải viết YYYY-MM-DD, nhận được {raw!r}.", code="invalid_date"
        ) from None
    return day_in_supported_range(day, flag)
