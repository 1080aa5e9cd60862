"""`motcua notifications requeue [--older-than MINUTES]`: queue again every pending notification
whose send task was lost (the process died between the commit and the enqueue, or the queue
refused it). Safe to run often from a scheduler: sending claims each row, so nothing goes out
twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandParser
from django.db.models import Q

from motcua.cli.base import MotcuaCommand
from motcua.core.clock import now
from motcua.notifications.models import Notification, NotificationStatus
from motcua.notifications.tasks import enqueue_send


class Command(MotcuaCommand):
    help = "Queue pending notifications again whose sending task was lost."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["requeue"])
        parser.add_argument("--older-than", type=int, default=15, metavar="MINUTES")

    def handle(self, *args: Any, **options: Any) -> None:
        moment = now()
        cutoff = moment - timedelta(minutes=options["older_than"])
        stuck = (
            Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lt=cutoff)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=moment))
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=cutoff))
        )
        count = 0
        for notification_id in stuck.values_list("pk", flat=True).iterator():
            enqueue_send(notification_id)
            count += 1
        self.stdout.write(f"requeued: {count}")
