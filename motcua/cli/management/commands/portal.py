"""`motcua portal pull`: take the dossiers submitted on the national portal.
`motcua portal sync-catalogue`: import the national procedure database into our catalogue.
`motcua portal reconcile --date YYYY-MM-DD [--resend] [--json]`: the dossiers whose status on
the portal differs from ours, and with --resend a new outbox message of the current status.
Errors print a stable code (portal_unavailable, portal_refused, portal_not_configured, …) and
exit with status 2 (docs/integrations/national-portal.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.core.errors import ValidationFailed
from motcua.integrations.national_portal import catalogue_sync, inbound, reconcile


class Command(MotcuaCommand):
    help = "The national public service portal: pull dossiers, sync the catalogue, reconcile."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        pulling = actions.add_parser("pull", help="Take the dossiers submitted on the portal.")
        pulling.add_argument("--json", action="store_true")
        syncing = actions.add_parser("sync-catalogue", help="Import the national procedures.")
        syncing.add_argument("--json", action="store_true")
        checking = actions.add_parser("reconcile", help="Statuses that differ from the portal's.")
        checking.add_argument("--date", required=True, help="YYYY-MM-DD")
        checking.add_argument("--resend", action="store_true")
        checking.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "pull":
            summary = inbound.pull()
            if options["json"]:
                self.write_json(summary.as_dict())
                return
            for code in summary.received:
                self.stdout.write(f"received\t{code}")
            for external, code in summary.refused:
                self.stdout.write(f"refused\t{external}\t{code}")
            self.stdout.write(f"received: {len(summary.received)}, refused: {len(summary.refused)}")
        elif action == "sync-catalogue":
            result = catalogue_sync.sync().as_dict()
            if options["json"]:
                self.write_json(result)
                return
            self.stdout.write(", ".join(f"{key}: {value}" for key, value in result.items()))
        else:
            self.reconcile(options)

    def reconcile(self, options: dict[str, Any]) -> None:
        try:
            day = date.fromisoformat(options["date"])
        except ValueError:
            raise ValidationFailed("--date must be YYYY-MM-DD", code="bad_date") from None
        found = reconcile.differences(day, resend=options["resend"])
        if options["json"]:
            self.write_json([item.as_dict() for item in found])
            return
        for item in found:
            self.stdout.write(
                f"{item.dossier}\t{item.portal_code}\tours={item.ours}\tportal={item.remote or '-'}"
                + (f"\tresent={item.resent}" if item.resent else "")
            )
        self.stdout.write(f"differences: {len(found)}")
