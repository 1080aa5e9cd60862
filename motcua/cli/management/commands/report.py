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
from motcua.core.errors import NotFound, ValidationFailed
from motcua.reports.figures import ReportSpec
from motcua.reports.formats import RENDERERS, render
from motcua.reports.report import build_report
from motcua.reports.rows import Grouping
from motcua.workflow.classification import ClassificationRule

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Command(MotcuaCommand):
    help = "Print the report of a unit for the dates --from..--to (both inclusive)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code, e.g. AH")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD (inclusive)")
        parser.add_argument(
            "--no-subunits", action="store_true", help="only the unit itself, not those under it"
        )
        parser.add_argument("--by", choices=[g.value for g in Grouping])
        parser.add_argument(
            "--rule",
            choices=[r.value for r in ClassificationRule],
            default=ClassificationRule.DAY.value,
            help="early / on time / late rule (domain.md §5.6)",
        )
        parser.add_argument(
            "--denied-as-returned",
            action="store_true",
            help="count written refusals as returned unresolved instead of resolved",
        )
        parser.add_argument("--format", choices=sorted(RENDERERS), default="json")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["start"], "--from")
        end = _date(options["end"], "--to")
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
        content = render(build_report(spec, by), options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        else:
            sys.stdout.write(content.decode("utf-8"))


def _date(raw: str, flag: str) -> date:
    text = raw.strip()
    try:
        if not DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{flag}: ngày phải viết YYYY-MM-DD, nhận được {raw!r}.", code="invalid_date"
        ) from None
