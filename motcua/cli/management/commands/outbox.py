"""`motcua outbox list [--dead] [--destination NAME] [--limit N] [--json]`: the outbox's
messages, newest first (only the dead letters with --dead).
`motcua outbox replay ID… | --all-dead`: give dead messages a fresh round of attempts. An id
that names no message (`not_found`) or a message that is not dead (`not_dead`) stops the
command with exit status 2, replaying nothing.
`motcua outbox requeue [--older-than MINUTES]`: queue again the pending messages whose task
was lost (run by the maintenance timer; a fallback, since the task is written with the
event)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.core.errors import ValidationFailed
from motcua.outbox.models import MessageStatus, OutboxMessage
from motcua.outbox.services import replay, requeue_stuck


class Command(MotcuaCommand):
    help = "List the outbox's messages, or replay dead ones."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="List messages, newest first.")
        listing.add_argument("--dead", action="store_true", help="Only the dead letters.")
        listing.add_argument("--destination", default="")
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument("--json", action="store_true")
        replaying = actions.add_parser("replay", help="Replay dead messages.")
        replaying.add_argument("ids", nargs="*", type=int, metavar="ID")
        replaying.add_argument("--all-dead", action="store_true")
        requeue = actions.add_parser("requeue", help="Queue again messages whose task was lost.")
        requeue.add_argument("--older-than", type=int, default=15, metavar="MINUTES")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self.show(options)
        elif options["action"] == "requeue":
            count = requeue_stuck(older_than=timedelta(minutes=options["older_than"]))
            self.stdout.write(f"requeued: {count}")
        else:
            self.replay(options)

    def show(self, options: dict[str, Any]) -> None:
        rows = OutboxMessage.objects.select_related("dossier").order_by("-id")
        if options["dead"]:
            rows = rows.filter(status=MessageStatus.DEAD)
        if options["destination"]:
            rows = rows.filter(destination=options["destination"])
        found = [_row(message) for message in rows[: max(options["limit"], 0)]]
        if options["json"]:
            self.write_json(found)
            return
        for row in found:
            self.stdout.write(
                f"{row['id']}\t{row['status']}\t{row['destination']}\t{row['dossier']}"
                f"#{row['sequence']}\t{row['event_type']}\tattempts={row['attempts']}"
                + (f"\t{row['last_error']}" if row["last_error"] else "")
            )
        self.stdout.write(f"messages: {len(found)}")

    def replay(self, options: dict[str, Any]) -> None:
        if bool(options["ids"]) == bool(options["all_dead"]):
            raise ValidationFailed("give message ids or --all-dead (not both)", code="usage")
        replayed = replay(options["ids"], all_dead=options["all_dead"])
        self.stdout.write(f"replayed: {len(replayed)}")


def _row(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "status": message.status,
        "destination": message.destination,
        "dossier": message.dossier.code,
        "sequence": message.sequence,
        "event_type": message.event_type,
        "idempotency_key": message.idempotency_key,
        "attempts": message.attempts,
        "next_attempt_at": message.next_attempt_at,
        "last_error": message.last_error.splitlines()[0] if message.last_error else "",
    }
