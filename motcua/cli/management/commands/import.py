"""`motcua import catalogue FILE`: bring data in, in the interchange formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.core.errors import ValidationFailed
from motcua.integrations.catalogue import import_catalogue


class Command(MotcuaCommand):
    help = "Import data in the motcua interchange formats (catalogue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["catalogue"])
        parser.add_argument("file", help="path of the file, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        text = _read(options["file"])
        summary = import_catalogue(text, filename=options["file"])
        self.write_json({"imported": options["kind"], **summary.as_dict()})


def _read(name: str) -> str:
    import sys

    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    if not path.is_file():
        raise ValidationFailed(f"Không tìm thấy tệp {name}", code="file_not_found")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValidationFailed(
            f"Tệp {name} không phải UTF-8 (byte {error.start})", code="not_utf8"
        ) from None
