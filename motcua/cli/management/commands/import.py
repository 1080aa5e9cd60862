"""`motcua import catalogue FILE`, `motcua import dossiers FILE.jsonl [--strict] [--as USER]`,
`motcua import ratings|visits FILE.jsonl [--strict]`: bring data in, in the interchange formats.

Dossiers and ratings are JSON Lines, streamed: a progress display on standard error, each
rejected line there as `line N: reason`, and a JSON summary on standard output. Without
--strict the good lines are imported and the status is 0; with --strict the first bad line
rolls the whole file back and the status is 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.core.errors import ValidationFailed
from motcua.integrations.catalogue import import_catalogue
from motcua.integrations.dossiers import acting_user, import_dossiers
from motcua.integrations.jsonl import Progress, RunSummary, Source, open_source
from motcua.integrations.ratings import import_ratings
from motcua.integrations.visits import import_visits


class Command(MotcuaCommand):
    help = "Import data in the motcua interchange formats (catalogue, dossiers, ratings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["catalogue", "dossiers", "ratings", "visits"])
        parser.add_argument("file", help="path of the file, or - for standard input")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="stop at the first bad line and keep nothing of the file (dossiers, ratings)",
        )
        parser.add_argument(
            "--as",
            dest="acting",
            metavar="USERNAME",
            help="replay the history as this system user (dossiers; default: system.import)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind == "catalogue":
            if options["strict"] or options["acting"]:
                raise ValidationFailed(
                    "--strict và --as chỉ dùng cho dossiers, ratings.", code="invalid_option"
                )
            text = _read(options["file"])
            summary = import_catalogue(text, filename=options["file"])
            self.write_json({"imported": kind, **summary.as_dict()})
            return
        if options["acting"] and kind != "dossiers":
            raise ValidationFailed("--as chỉ dùng cho dossiers.", code="invalid_option")
        source = open_source(options["file"])
        try:
            self._import_lines(kind, source, options)
        finally:
            source.close()

    def _import_lines(self, kind: str, source: Source, options: Any) -> None:
        progress = Progress(self._progress_write, tty=self.stderr.isatty(), source=source)
        common: dict[str, Any] = {
            "strict": options["strict"],
            "on_rejected": self._rejected,
            "progress": progress,
        }
        try:
            summary: RunSummary
            if kind == "dossiers":
                acting = acting_user(options["acting"]) if options["acting"] else None
                summary = import_dossiers(source, acting=acting, **common)
            elif kind == "visits":
                summary = import_visits(source, **common)
            else:
                summary = import_ratings(source, **common)
        except ValidationFailed as error:
            if "summary" in error.detail:  # strict: the run's figures, then the refusal
                self.write_json(error.detail["summary"])
            raise
        self.write_json(summary.as_dict())

    def _rejected(self, number: int, reason: str) -> None:
        self.stderr.write(f"  line {number}: {reason}")

    def _progress_write(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()


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
