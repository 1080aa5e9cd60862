"""`motcua openapi [--output FILE]`: the API's OpenAPI document, as committed in
docs/api/openapi.json (sorted keys, indent 2, UTF-8, trailing newline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from motcua.cli.base import MotcuaCommand


def openapi_text() -> str:
    from motcua.api.urls import api

    schema = api.get_openapi_schema()
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


class Command(MotcuaCommand):
    help = "Write the OpenAPI document of the JSON API (to stdout, or to --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="write to this file instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        text = openapi_text()
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
