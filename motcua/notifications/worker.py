"""The task worker (`motcua db_worker`): django-tasks-db's worker, made to outlive its database
and to leave no work stranded when it dies. Its tasks send notifications and deliver the
outbox's messages (motcua/outbox/); each kind of work that claims rows for the running worker
registers how to free them (`release_claims_with`), and every rule below applies to all.

- It registers a `TaskWorker` row and a thread beats it every `TASK_WORKER_HEARTBEAT` seconds.
  The task it claims is written on that row in the claim's own transaction.
- Every beat, the loop also looks for workers silent for `TASK_WORKER_TIMEOUT` seconds (killed,
  their machine gone) and releases their work: the task goes back to the queue, their
  notification claims are freed — or marked `unknown` when the message was already handed
  over, so that it is never sent twice — and the row is deleted. With the defaults (5 s,
  30 s), a task left RUNNING by a killed worker runs again within about 35 seconds.
- A lost database is waited out (retrying with backoff up to `MAX_PAUSE`), not a crash; a task
  whose end could not be recorded then is released by the worker itself. Should the process
  exit anyway, systemd restarts it (deploy/systemd/motcua-worker.service)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    close_old_connections,
    connection,
    transaction,
)
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as QueueWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from motcua.core.clock import now
from motcua.notifications.models import Notification, NotificationStatus, TaskWorker

logger = logging.getLogger(__name__)

MAX_PAUSE = 5.0  # seconds between attempts to reach a lost database
UNKNOWN_AFTER_DEATH = (
    "Tiến trình gửi dừng đột ngột sau khi đã bàn giao thông báo; chưa rõ người nhận đã nhận "
    "được chưa, nên không tự gửi lại."
)
# Per thread: a process normally runs one worker, but the specifications run several as
# threads, and each run must claim under its own worker's id.
_running = threading.local()


def current_worker_id() -> str:
    """The id of the task worker running in this process ("" outside one)."""
    return getattr(_running, "worker_id", "")


def dead_before() -> datetime:
    """A worker whose last beat is older than this is dead."""
    return now() - timedelta(seconds=settings.TASK_WORKER_TIMEOUT)


def reclaim_from_dead_workers() -> list[str]:
    """Release the work of every dead worker (module docs); returns their ids."""
    reclaimed = []
    for worker_id in TaskWorker.objects.filter(seen_at__lt=dead_before()).values_list(
        "worker_id", flat=True
    ):
        with transaction.atomic():
            dead = (
                TaskWorker.objects.select_for_update(skip_locked=True)
                .filter(pk=worker_id, seen_at__lt=dead_before())
                .first()
            )
            if dead is None:  # it beat again, or another worker is reclaiming it
                continue
            release_work_of(dead.worker_id, task_id=dead.task_id)
            dead.delete()
        logger.warning("Task worker %s is dead; its work was released", worker_id)
        reclaimed.append(worker_id)
    return reclaimed


_releases: list[Callable[[str], None]] = []


def release_claims_with(release: Callable[[str], None]) -> None:
    """Register how to free the rows a worker claimed (called with its id, inside the
    transaction that releases it) for one kind of work."""
    if release not in _releases:
        _releases.append(release)


def release_work_of(worker_id: str, *, task_id: uuid.UUID | None) -> None:
    """Put the worker's running task back in the queue and free every claim it holds."""
    if task_id is not None:
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
    for release in _releases:
        release(worker_id)


def _release_notifications(worker_id: str) -> None:
    held = Notification.objects.filter(status=NotificationStatus.PENDING, claimed_by=worker_id)
    held.filter(handed_over_at__isnull=True).update(locked_until=None, claimed_by="")
    held.filter(handed_over_at__isnull=False).update(
        status=NotificationStatus.UNKNOWN,
        locked_until=None,
        claimed_by="",
        last_error=UNKNOWN_AFTER_DEATH,
    )


release_claims_with(_release_notifications)


def beat(worker_id: str, **changes: Any) -> None:
    """Record that the worker is alive (registering it if its row is gone), with `changes`."""
    moment = now()
    if TaskWorker.objects.filter(pk=worker_id).update(seen_at=moment, **changes):
        return
    try:
        with transaction.atomic():
            TaskWorker.objects.create(
                worker_id=worker_id,
                host=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=moment,
                seen_at=moment,
                **changes,
            )
    except IntegrityError:  # the other thread registered it meanwhile
        TaskWorker.objects.filter(pk=worker_id).update(seen_at=moment, **changes)


class Heartbeat(threading.Thread):
    """Beats for the worker on its own connection, even while a task runs."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(settings.TASK_WORKER_HEARTBEAT):
            try:
                close_old_connections()
                beat(self.worker_id)
            except DatabaseError as error:
                logger.warning("Heartbeat of %s failed: %s", self.worker_id, error)
                _drop_connection()
        _drop_connection()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=settings.TASK_WORKER_HEARTBEAT + 1)


class Worker(QueueWorker):
    """django-tasks-db's worker with a heartbeat, reclaiming, and patience with the database."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.stranded: uuid.UUID | None = None  # our task whose end could not be recorded
        self.pause = 0.0
        self.next_reclaim = 0.0

    def run(self) -> None:
        _running.worker_id = self.worker_id
        logger.info("Starting task worker %s (pid %s)", self.worker_id, os.getpid())
        try:
            self.register()
        except DatabaseError as error:
            self.wait_for_database(error)
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        try:
            while self.running and self.step():
                pass
        finally:
            heartbeat.stop()
            self.sign_off()

    def register(self) -> None:
        """Beat for the first time. A row already under our id is an earlier life of this
        worker id (a fixed --worker-id, restarted) that died without signing off: its work
        is released first, since a fresh beat would otherwise hide it for good."""
        with transaction.atomic():
            previous = TaskWorker.objects.select_for_update().filter(pk=self.worker_id).first()
            if previous is not None:
                release_work_of(previous.worker_id, task_id=previous.task_id)
                previous.delete()
            beat(self.worker_id, task_id=None)

    def step(self) -> bool:
        """One turn of the loop; False when the worker is done (batch, max tasks)."""
        try:
            close_old_connections()
            self.tidy_up()
            task = self.claim_next()
        except DatabaseError as error:
            self.wait_for_database(error)
            return True
        self.pause = 0.0
        if task is None:
            if self.batch:
                return False
            time.sleep(self.interval)
            return True
        self.run_claimed(task)
        return self.max_tasks is None or self._run_tasks < self.max_tasks

    def tidy_up(self) -> None:
        if self.stranded is not None:
            with transaction.atomic():
                release_work_of(self.worker_id, task_id=self.stranded)
                beat(self.worker_id, task_id=None)
            self.stranded = None
        if time.monotonic() >= self.next_reclaim:
            reclaim_from_dead_workers()
            self.next_reclaim = time.monotonic() + settings.TASK_WORKER_HEARTBEAT

    def claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task = tasks.get_locked()
            if task is not None:
                task.claim(self.worker_id)
                beat(self.worker_id, task_id=task.pk)
        return task

    def run_claimed(self, task: DBTaskResult) -> None:
        self.stranded = task.pk
        try:
            self.run_task(task)
            if task.status == TaskResultStatus.FAILED:  # it crashed: free what it held
                release_work_of(self.worker_id, task_id=None)
            beat(self.worker_id, task_id=None)
        except DatabaseError as error:
            self.wait_for_database(error)
            return
        self.stranded = None

    def wait_for_database(self, error: DatabaseError) -> None:
        self.pause = min(max(self.pause * 2, 0.25), MAX_PAUSE)
        logger.warning("Database unavailable (%s); trying again in %.2f s", error, self.pause)
        _drop_connection()
        time.sleep(self.pause)

    def sign_off(self) -> None:
        """On the way out (a clean stop, or an interrupted task): release what we hold now,
        so that nothing waits for our heartbeat to time out."""
        try:
            with transaction.atomic():
                release_work_of(self.worker_id, task_id=self.stranded)
                TaskWorker.objects.filter(pk=self.worker_id).delete()
        except DatabaseError as error:
            logger.warning("Could not sign off task worker %s: %s", self.worker_id, error)


def _drop_connection() -> None:
    with contextlib.suppress(DatabaseError):
        connection.close()
