"""`motcua export catalogue [--on DATE] [--output FILE]`,
`motcua export dossiers|ratings|visits [--unit CODE] [--from DATE] [--to DATE] [--output FILE]`.

Dossiers and ratings are streamed as JSON Lines, oldest first; written to --output through a
temporary file renamed at the end, so a failed export never leaves a truncated file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.core.clock import day_in_supported_range
from motcua.core.errors import ValidationFailed
from motcua.integrations.catalogue import export_catalogue
from motcua.integrations.dossiers import FORMAT as DOSSIERS_FORMAT
from motcua.integrations.dossiers import export_dossiers
from motcua.integrations.ratings import FORMAT as RATINGS_FORMAT
from motcua.integrations.ratings import export_ratings
from motcua.integrations.visits import FORMAT as VISITS_FORMAT
from motcua.integrations.visits import export_visits

LINE_EXPORTS: dict[str, tuple[str, Callable[..., int]]] = {
    "dossiers": (DOSSIERS_FORMAT, export_dossiers),
    "ratings": (RATINGS_FORMAT, export_ratings),
    "visits": (VISITS_FORMAT, export_visits),
}


class Command(MotcuaCommand):
    help = "Export data in the motcua interchange formats (catalogue, dossiers, ratings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["catalogue", "dossiers", "ratings", "visits"])
        parser.add_argument("--on", help="catalogue: versions in force on this date (YYYY-MM-DD)")
        parser.add_argument("--unit", help="dossiers, ratings: this unit and the units under it")
        parser.add_argument("--from", dest="since", help="dossiers, ratings: from this date")
        parser.add_argument("--to", dest="until", help="dossiers, ratings: to this date")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind == "catalogue":
            if options["unit"] or options["since"] or options["until"]:
                raise ValidationFailed(
                    "--unit, --from, --to chỉ dùng cho dossiers, ratings, visits.",
                    code="invalid_option",
                )
            on = _date(options["on"], "--on") if options["on"] else None
            text = json.dumps(export_catalogue(on=on), ensure_ascii=False, indent=2) + "\n"
            if options["output"]:
                Path(options["output"]).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        if options["on"]:
            raise ValidationFailed("--on chỉ dùng cho catalogue.", code="invalid_option")
        fmt, export = LINE_EXPORTS[kind]
        filters = {
            "unit": options["unit"],
            "since": _date(options["since"], "--from") if options["since"] else None,
            "until": _date(options["until"], "--to") if options["until"] else None,
        }
        if not options["output"]:
            export(lambda text: self.stdout.write(text, ending=""), **filters)
            return
        target = Path(options["output"])
        partial = target.with_name(target.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as out:
                count = export(out.write, **filters)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        self.write_json({"exported": kind, "format": fmt, "lines": count, "file": str(target)})


def _date(raw: str, option: str) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            f"{option} must be YYYY-MM-DD, got {raw!r}", code="invalid_date"
        ) from None
    return day_in_supported_range(day, option)
