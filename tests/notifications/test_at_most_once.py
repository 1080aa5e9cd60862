"""A notification goes out at most once per channel, whatever dies: the sending run, its worker,
or the server's answer. Each attempt carries the notification's stable Message-ID (e-mail) or
reference (SMS), so the rare duplicate an officer causes by resending is recognisable.

(Killing real worker processes is in tests/faults/test_task_worker.py.)"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from motcua.core.clock import now
from motcua.notifications.models import Notification, NotificationStatus, TaskWorker
from motcua.notifications.services import resend_failed
from motcua.notifications.sms import SmsError
from motcua.notifications.tasks import send_notification
from motcua.notifications.worker import Worker, reclaim_from_dead_workers
from tests.notifications.smtp import SmtpSink, free_port, smtp_server
from tests.notifications.test_notifications import (
    EMAIL,
    EMAIL_CHANNEL,
    PHONE,
    SMS_CHANNEL,
    one,
    queued_tasks,
    received_and_scheduled,
    run_ready_tasks,
    use_smtp,
)

pytestmark = pytest.mark.django_db

PENDING, SENT, UNKNOWN = (
    NotificationStatus.PENDING,
    NotificationStatus.SENT,
    NotificationStatus.UNKNOWN,
)


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def scheduled_email(counter_officer, django_capture_on_commit_callbacks, database_queue):
    """An e-mail notification waiting in the database queue, nothing sent yet."""
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, email=EMAIL
    )
    return one(dossier, EMAIL_CHANNEL)


@contextmanager
def sink_at(settings: Any, **behaviour: Any) -> Iterator[SmtpSink]:
    with smtp_server(**behaviour) as sink:
        use_smtp(settings, sink.port)
        yield sink


def a_worker(worker_id: str = "w-test") -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def fresh(notification: Notification) -> Notification:
    notification.refresh_from_db()
    return notification


# --- the stable name of a notification ---------------------------------------------------------


def test_every_attempt_carries_the_same_message_id(
    scheduled_email, settings, django_capture_on_commit_callbacks
) -> None:
    port = free_port()
    use_smtp(settings, port)  # nothing listens yet: the first attempt fails before hand-over
    with django_capture_on_commit_callbacks(execute=True):
        run_ready_tasks()
    email = fresh(scheduled_email)
    assert email.status == PENDING and email.attempts == 1 and email.handed_over_at is None

    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=now())
    with smtp_server(port) as server, django_capture_on_commit_callbacks(execute=True):
        run_ready_tasks()
    email = fresh(email)
    assert email.status == SENT and email.attempts == 2
    stamp = email.created_at.strftime("%Y%m%d%H%M%S")
    assert email.message_id == f"<motcua-{email.pk}-{stamp}@motcua.invalid>"
    assert server.message_ids() == [email.message_id] == [email.provider_message_id]


class FlakyProvider:
    """Refuses the first message (a temporary error), accepts the next; keeps references."""

    references: ClassVar[list[str]] = []

    def send(self, phone: str, text: str, *, reference: str) -> str:
        FlakyProvider.references.append(reference)
        if len(FlakyProvider.references) == 1:
            raise SmsError("gateway busy")
        return f"gw-{len(FlakyProvider.references)}"


def test_the_sms_provider_gets_the_same_reference_on_every_attempt(
    counter_officer, django_capture_on_commit_callbacks, settings
) -> None:
    settings.SMS_PROVIDER = f"{__name__}.FlakyProvider"
    FlakyProvider.references.clear()
    dossier = received_and_scheduled(
        counter_officer, django_capture_on_commit_callbacks, phone=PHONE
    )
    sms = one(dossier, SMS_CHANNEL)
    assert sms.status == SENT and sms.attempts == 2 and sms.provider_message_id == "gw-2"
    assert FlakyProvider.references == [sms.reference, sms.reference]
    assert re.fullmatch(rf"motcua-{sms.pk}-\d{{14}}", sms.reference)


# --- what the server says, or does not say -----------------------------------------------------


def test_a_refusal_after_the_hand_over_is_an_ordinary_failure_retried_later(
    scheduled_email, settings, django_capture_on_commit_callbacks
) -> None:
    with sink_at(settings, reply="451 4.3.0 Try again later") as sink:
        with django_capture_on_commit_callbacks(execute=True):
            run_ready_tasks()
        assert sink.received == []
    email = fresh(scheduled_email)
    assert email.status == PENDING and email.attempts == 1 and email.handed_over_at is None
    assert email.last_error.startswith("SMTPDataError") and email.next_attempt_at is not None
    assert [task.status for task in queued_tasks()] == ["SUCCESSFUL", "READY"]


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ({"recipient_reply": "550 5.1.1 Mailbox unavailable"}, "SMTPRecipientsRefused"),
        ({"hang_up_at_recipient": True}, "SMTPServerDisconnected"),
    ],
)
def test_before_the_message_itself_a_lost_server_is_an_ordinary_failure(
    scheduled_email, settings, django_capture_on_commit_callbacks, behaviour, error
) -> None:
    with sink_at(settings, **behaviour) as sink:
        with django_capture_on_commit_callbacks(execute=True):
            run_ready_tasks()
        assert sink.received == []
    email = fresh(scheduled_email)
    assert email.status == PENDING and email.handed_over_at is None  # retried, not unknown
    assert email.last_error.startswith(error) and email.next_attempt_at is not None


def test_a_lost_answer_leaves_the_outcome_unknown_and_it_is_not_sent_again(
    scheduled_email, settings, django_capture_on_commit_callbacks
) -> None:
    with sink_at(settings, hold_at="DATA") as sink:
        settings.EMAIL_TIMEOUT = 1  # the server holds the message and never answers in time
        with django_capture_on_commit_callbacks(execute=True):
            run_ready_tasks()
        sink.release.set()  # it did take the message in the end
        email = fresh(scheduled_email)
        assert email.status == UNKNOWN and email.attempts == 1
        assert email.last_error.startswith("Chưa rõ đã gửi được chưa")
        assert [task.return_value for task in queued_tasks()] == ["unknown"]  # no retry queued

        assert send_notification.call(email.pk) == "already unknown"
        # An officer who resends it knowingly: the duplicate carries the same Message-ID.
        with django_capture_on_commit_callbacks(execute=True):
            assert resend_failed(Notification.objects.filter(pk=email.pk)) == 1
        sink.hold_at = ""
        with django_capture_on_commit_callbacks(execute=True):
            run_ready_tasks()
        assert sink.message_ids() == [email.message_id, email.message_id]
    assert fresh(email).status == SENT


class ReclaimedWhileConnecting(EmailBackend):
    """While this run connects, the other workers judge its worker dead and free its claim."""

    def open(self) -> bool:
        Notification.objects.update(claimed_by="", locked_until=None)
        return super().open()


def test_a_run_whose_claim_was_taken_over_sends_nothing(scheduled_email, settings) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.ReclaimedWhileConnecting"
    assert send_notification.call(scheduled_email.pk) == "claim lost"
    assert mail.outbox == []
    email = fresh(scheduled_email)
    assert email.status == PENDING and email.handed_over_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_notification.call(email.pk) == "sent" and len(mail.outbox) == 1


# --- dead workers ------------------------------------------------------------------------------


def died_while_sending(notification: Notification, settings: Any, *, handed_over: bool) -> str:
    """Leave things as a worker killed while sending `notification` leaves them."""
    task = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    task.claim("w-dead")
    moment = now()
    long_ago = moment - timedelta(seconds=settings.TASK_WORKER_TIMEOUT + 1)
    TaskWorker.objects.create(
        worker_id="w-dead", host="h", pid=1, started_at=long_ago, seen_at=long_ago, task_id=task.pk
    )
    Notification.objects.filter(pk=notification.pk).update(
        attempts=1,
        claimed_by="w-dead",
        locked_until=moment + timedelta(minutes=10),
        handed_over_at=moment if handed_over else None,
    )
    return str(task.pk)


def test_a_dead_workers_task_runs_again_and_sends_once(
    scheduled_email, settings, django_capture_on_commit_callbacks
) -> None:
    task_id = died_while_sending(scheduled_email, settings, handed_over=False)
    assert reclaim_from_dead_workers() == ["w-dead"]
    assert not TaskWorker.objects.exists()
    assert DBTaskResult.objects.get(pk=task_id).status == "READY"
    with django_capture_on_commit_callbacks(execute=True):
        run_ready_tasks()
    email = fresh(scheduled_email)
    assert email.status == SENT and email.attempts == 2 and len(mail.outbox) == 1
    assert DBTaskResult.objects.get(pk=task_id).worker_ids == ["w-dead", "test-worker"]


def test_a_dead_worker_that_had_handed_the_message_over_leaves_it_unknown(
    scheduled_email, settings
) -> None:
    died_while_sending(scheduled_email, settings, handed_over=True)
    assert reclaim_from_dead_workers() == ["w-dead"]
    run_ready_tasks()
    email = fresh(scheduled_email)
    assert email.status == UNKNOWN and mail.outbox == []
    assert "không tự gửi lại" in email.last_error
    assert [task.return_value for task in queued_tasks()] == ["already unknown"]


def test_a_worker_that_still_beats_keeps_its_work(scheduled_email, settings) -> None:
    died_while_sending(scheduled_email, settings, handed_over=False)
    TaskWorker.objects.update(seen_at=now() - timedelta(seconds=settings.TASK_WORKER_TIMEOUT - 2))
    assert reclaim_from_dead_workers() == []
    assert DBTaskResult.objects.get().status == "RUNNING"
    assert fresh(scheduled_email).claimed_by == "w-dead"


# --- the worker's own bookkeeping --------------------------------------------------------------


def test_the_worker_names_the_task_it_runs_and_signs_off(scheduled_email) -> None:
    worker = a_worker()
    task = worker.claim_next()
    assert task is not None
    assert TaskWorker.objects.get(pk="w-test").task_id == task.pk
    worker.run_claimed(task)
    assert TaskWorker.objects.get(pk="w-test").task_id is None
    assert fresh(scheduled_email).status == SENT and len(mail.outbox) == 1
    worker.sign_off()
    assert not TaskWorker.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker drops the connection it thinks is lost
def test_a_task_whose_end_was_not_recorded_runs_again_once_the_database_is_back(
    scheduled_email, monkeypatch
) -> None:
    worker = a_worker()

    def database_gone(self: DBTaskResult, *args: Any) -> None:
        raise OperationalError("the connection is lost")

    monkeypatch.setattr(DBTaskResult, "set_successful", database_gone)
    monkeypatch.setattr(DBTaskResult, "set_failed", database_gone)
    assert worker.step() is True  # the e-mail went out; recording the task's end failed
    task = DBTaskResult.objects.get()
    assert task.status == "RUNNING" and worker.stranded == task.pk
    assert fresh(scheduled_email).status == SENT

    monkeypatch.undo()
    assert worker.step() is True  # the database is back: released, claimed, run again
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.return_value == "already sent"
    assert worker.stranded is None and len(mail.outbox) == 1


def test_a_worker_restarted_under_the_same_id_first_releases_what_it_held(
    scheduled_email, settings
) -> None:
    task_id = died_while_sending(scheduled_email, settings, handed_over=False)
    TaskWorker.objects.update(seen_at=now())  # died a moment ago, restarted at once
    worker = a_worker("w-dead")
    worker.register()
    assert DBTaskResult.objects.get(pk=task_id).status == "READY"
    registered = TaskWorker.objects.get(pk="w-dead")
    assert registered.task_id is None and registered.pid == os.getpid()  # not the dead one's
    assert fresh(scheduled_email).claimed_by == ""
