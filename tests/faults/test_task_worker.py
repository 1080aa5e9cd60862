"""The task worker is killed while sending, or loses its database; each notification still
reaches the SMTP server once, and stranded work runs again without anyone's help.

Real `motcua db_worker` processes (heartbeat 1 s, dead after 2 s of silence) send to a real
SMTP server on 127.0.0.1 that can hold a session before anything is handed over (EHLO) or
once the message has arrived, before it answers (DATA)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from motcua.dossiers.actions import Applicant
from motcua.notifications.models import Notification, NotificationStatus, TaskWorker
from tests.dossiers.test_receive_dossier import receive
from tests.faults.processes import (
    Process,
    connections_refused,
    running,
    task_worker,
    terminate,
    wait_for,
)
from tests.notifications.smtp import SmtpSink, smtp_server

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "an.nguyen@example.vn"


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_server() as server:
        yield server


def worker(var_dir: Path, worker_id: str, sink: SmtpSink) -> Process:
    return task_worker(var_dir, worker_id, MOTCUA_EMAIL_PORT=str(sink.port))


def an_email_to_send(officer: Any) -> Notification:
    """A dossier received with only an e-mail address: one notification, its task queued."""
    dossier = receive(officer, applicant=Applicant(name="Nguyễn Văn An", email=EMAIL))
    return Notification.objects.get(dossier=dossier)


def the_task() -> DBTaskResult:
    return DBTaskResult.objects.get()


def fresh(notification: Notification) -> Notification:
    notification.refresh_from_db()
    return notification


def test_killed_once_the_message_arrived_it_is_not_sent_again(
    counter_officer: Any, sink: SmtpSink, tmp_path: Path
) -> None:
    sink.hold_at = "DATA"
    email = an_email_to_send(counter_officer)
    with running(worker(tmp_path, "w-first", sink)) as first:
        wait_for("the message to reach the SMTP server", sink.holding.is_set, timeout=40)
        first.kill()
    held = fresh(email)
    assert held.status == NotificationStatus.PENDING and held.claimed_by == "w-first"
    assert held.handed_over_at is not None and the_task().status == "RUNNING"
    sink.release.set()

    with running(worker(tmp_path, "w-second", sink)):
        wait_for("the stranded task to run again", lambda: the_task().status == "SUCCESSFUL")
    task = the_task()
    assert task.worker_ids == ["w-first", "w-second"] and task.return_value == "already unknown"
    assert sink.message_ids() == [email.message_id]  # delivered once
    assert fresh(email).status == NotificationStatus.UNKNOWN
    assert not TaskWorker.objects.exists()


def test_killed_before_handing_over_it_is_sent_once_by_the_next_worker(
    counter_officer: Any, sink: SmtpSink, tmp_path: Path
) -> None:
    sink.hold_at = "EHLO"
    email = an_email_to_send(counter_officer)
    with running(worker(tmp_path, "w-first", sink)) as first:
        wait_for("the worker to greet the SMTP server", sink.holding.is_set, timeout=40)
        first.kill()
    assert fresh(email).claimed_by == "w-first" and fresh(email).handed_over_at is None
    sink.hold_at = ""
    sink.release.set()

    started = time.monotonic()
    with running(worker(tmp_path, "w-second", sink)):
        wait_for("the stranded task to run again", lambda: the_task().status == "SUCCESSFUL")
    assert time.monotonic() - started < 60  # reclaimed within a minute, without an operator
    task = the_task()
    assert task.worker_ids == ["w-first", "w-second"] and task.return_value == "sent"
    sent = fresh(email)
    assert sent.status == NotificationStatus.SENT and sent.attempts == 2
    assert sink.message_ids() == [sent.message_id]


def test_the_worker_waits_out_a_lost_database_and_goes_on(
    counter_officer: Any, sink: SmtpSink, tmp_path: Path, db_outside: psycopg.Connection[Any]
) -> None:
    with running(worker(tmp_path, "w-patient", sink)) as patient:
        wait_for("the worker to start", lambda: TaskWorker.objects.filter(pk="w-patient").exists())
        with connections_refused(connection.settings_dict["NAME"]):
            assert terminate(db_outside) >= 1  # its sessions are cut, and it cannot reconnect
            time.sleep(3)
            assert patient.alive()
        email = an_email_to_send(counter_officer)
        wait_for("the e-mail to arrive", lambda: sink.received)
        assert patient.alive()
    assert the_task().worker_ids == ["w-patient"]
    assert sink.message_ids() == [fresh(email).message_id]
