"""Shared behaviour of motcua's own commands: domain errors become a stable code on stderr
and a non-zero exit status, never a traceback."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.core import changes
from motcua.core.errors import MotcuaError


class MotcuaCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        name = type(self).__module__.rsplit(".", 1)[-1]
        try:
            # changes to the reference data made by the command are logged as made by it
            with changes.acting(by=None, via=f"motcua {name}"):
                return super().execute(*args, **options)
        except MotcuaError as error:
            self.report(error)
            raise CommandError(f"{error.code}: {error.message}", returncode=2) from None

    def report(self, error: MotcuaError) -> None:
        for item in error.detail.get("errors", []):
            where = f"line {item['line']}" if item.get("line") else item.get("where", "")
            self.stderr.write(f"  {where}: {item['reason']}")
        if error.detail and "errors" not in error.detail:
            self.stderr.write("  " + json.dumps(error.detail, ensure_ascii=False, default=str))

    def write_json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
