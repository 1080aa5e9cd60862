"""`motcua export catalogue [--on DATE] [--output FILE]`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.core.errors import ValidationFailed
from motcua.integrations.catalogue import export_catalogue


class Command(MotcuaCommand):
    help = "Export data in the motcua interchange formats (catalogue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["catalogue"])
        parser.add_argument("--on", help="versions in force on this date (YYYY-MM-DD)")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        on = _date(options["on"]) if options["on"] else None
        text = json.dumps(export_catalogue(on=on), ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            f"--on must be YYYY-MM-DD, got {raw!r}", code="invalid_date"
        ) from None
