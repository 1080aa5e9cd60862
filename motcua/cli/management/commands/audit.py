"""`motcua audit verify [--code CODE]`: check the sealed event log (dossiers/audit.py) and
report every event, chain head, serial number, dossier code or cached column that is not
what was written. Exit status 1 when anything is wrong.

On success it prints the log head (its last serial number and seal): kept outside the
database (a log file, a ticket, a printed report), it lets a later run show that the log
was not rolled back past it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier, DossierEvent, EventLogHead


class Command(MotcuaCommand):
    help = "Verify the sealed event log of the dossiers and the columns derived from it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify"])
        parser.add_argument("--code", help="only this dossier (skips the log-wide checks)")

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = None
        if options["code"]:
            dossiers = Dossier.objects.filter(code=options["code"])
        breaks = 0
        for found in audit.verify(dossiers):
            breaks += 1
            self.stdout.write(f"{found.where}: {found.problem}")
        checked = (dossiers if dossiers is not None else Dossier.objects.all()).count()
        if breaks:
            raise CommandError(
                f"audit_failed: {breaks} problem(s) in the log of {checked} dossier(s)",
                returncode=1,
            )
        events = DossierEvent.objects.filter(dossier__in=dossiers) if dossiers else None
        count = (events if events is not None else DossierEvent.objects.all()).count()
        head = EventLogHead.objects.filter(pk=audit.LOG_HEAD_ID).first()
        shown = f"log head #{head.last_serial} {head.mac}" if head else "no log head yet"
        self.stdout.write(
            f"ok: {checked} dossier(s), {count} event(s), every chain, head and cached "
            f"column intact; {shown}"
        )
