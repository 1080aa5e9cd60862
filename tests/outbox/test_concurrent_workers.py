"""Several task workers on real PostgreSQL connections deliver the outbox together: each
message reaches the receiver exactly once (no two workers ever send the same one, though the
queue holds duplicate tasks for most messages: its own and the one its predecessor queues),
and each dossier's messages arrive in order. (SQLite has one writer: nothing to race.)"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from motcua.dossiers.actions import append_event
from motcua.dossiers.models import EventType
from motcua.notifications.worker import Worker
from motcua.outbox.models import MessageStatus, OutboxMessage
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"
    ),
]

WORKERS = 4
DOSSIERS = 6
EVENTS_EACH = 5  # after the receipt


def run_worker(worker_id: str, failures: list[BaseException]) -> None:
    try:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()
    except BaseException as error:  # reported by the test
        failures.append(error)
    finally:
        connection.close()


def test_four_workers_deliver_each_message_once_and_in_order(
    counter_officer: Any, receiver: Any, database_queue: None
) -> None:
    dossiers = []
    for n in range(DOSSIERS):
        dossier = receive(counter_officer, received_at=vn(2025, 4, 24, 10, n))
        for _ in range(EVENTS_EACH):
            with transaction.atomic():
                append_event(dossier, type=EventType.APPRAISED, at=vn(2025, 5, 5, 9), by=None)
        dossiers.append(dossier)
    messages = list(OutboxMessage.objects.filter(destination="webhook"))
    assert len(messages) == DOSSIERS * (EVENTS_EACH + 1)

    failures: list[BaseException] = []
    threads = [
        threading.Thread(target=run_worker, args=(f"w-{n}", failures)) for n in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == [] and not any(thread.is_alive() for thread in threads)

    webhook = OutboxMessage.objects.filter(destination="webhook")
    assert set(webhook.values_list("status", flat=True)) == {MessageStatus.DELIVERED}
    # every request the receiver saw was a different message: none was sent twice
    assert sorted(receiver.keys_seen) == sorted(m.idempotency_key for m in messages)
    assert set(webhook.values_list("attempts", flat=True)) == {1}
    for dossier in dossiers:
        got = [
            item.payload["sequence"]
            for item in receiver.accepted
            if item.payload["dossier"] == dossier.code
        ]
        assert got == list(range(1, EVENTS_EACH + 2))
