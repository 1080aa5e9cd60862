"""`motcua audit verify [--code CODE]`: recompute every dossier's event chain and report any
event changed, removed or inserted after it was written. Exit status 1 when the log is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier


class Command(MotcuaCommand):
    help = "Verify the hash chains of the dossiers' event logs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify"])
        parser.add_argument("--code", help="only this dossier")

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = Dossier.objects.all()
        if options["code"]:
            dossiers = dossiers.filter(code=options["code"])
        breaks = 0
        for found in audit.verify(dossiers):
            breaks += 1
            self.stdout.write(f"{found.dossier_code} #{found.sequence}: {found.problem}")
        checked = dossiers.count()
        if breaks:
            raise CommandError(
                f"audit_failed: {breaks} break(s) in {checked} dossier(s)", returncode=1
            )
        self.stdout.write(f"ok: {checked} dossier(s), every event chain intact")
