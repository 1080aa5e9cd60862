"""What every background job of motcua shares: queueing a task with the transaction that calls
for it, and the growing wait between failed attempts. Used by the notifications and the outbox.

django-tasks has no retries of its own: a job that failed records the failure on its own row
and queues itself again with `run_after` (see `enqueue_on_commit`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend

logger = logging.getLogger(__name__)


def backoff(attempts: int, *, first: timedelta, factor: int, longest: timedelta) -> timedelta:
    """The wait after `attempts` failed attempts: first, first·factor, first·factor²…, at most
    `longest`."""
    return min(first * factor ** max(attempts - 1, 0), longest)


def enqueue_on_commit(task: Task[Any, Any], *args: Any, run_after: datetime | None = None) -> None:
    """Queue `task(*args)` so that it exists if and only if the current transaction commits.
    On the database queue the task row is written in that transaction (a process killed right
    after the commit loses nothing); any other backend (the tests' immediate one) is called
    once it commits, and a refusal then is logged, not raised, since the caller has
    committed. `run_after` is ignored by a backend that cannot defer (it runs at once)."""
    if isinstance(task.get_backend(), DatabaseBackend):
        _enqueue(task, args, run_after)
    else:
        transaction.on_commit(partial(_enqueue, task, args, run_after), robust=True)


def _enqueue(task: Task[Any, Any], args: tuple[Any, ...], run_after: datetime | None) -> None:
    queued = task
    if run_after is not None and queued.get_backend().supports_defer:
        queued = queued.using(run_after=run_after)
    queued.enqueue(*args)
