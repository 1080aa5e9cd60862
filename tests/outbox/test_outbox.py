"""The transactional outbox: every dossier event becomes one message per destination that wants
it, written in the event's transaction, numbered per dossier and destination, delivered in that
order by the task workers with back-off, dead-lettered after OUTBOX_MAX_ATTEMPTS, replayed from
the CLI or the admin; the webhook destination against a real receiver on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.accounts.models import User
from motcua.core.clock import now
from motcua.dossiers.actions import Applicant, append_event, replaying_history
from motcua.dossiers.models import Dossier, DossierEvent, EventType
from motcua.notifications.models import Notification
from motcua.outbox import registry
from motcua.outbox.models import MessageStatus, OutboxMessage, idempotency_key
from motcua.outbox.tasks import deliver_message, retry_delay
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive
from tests.notifications.smtp import free_port
from tests.notifications.test_notifications import run_ready_tasks
from tests.outbox.conftest import SECRET, use_webhook
from tests.outbox.receiver import receiver_running

pytestmark = pytest.mark.django_db

PENDING, DELIVERED, DEAD = MessageStatus.PENDING, MessageStatus.DELIVERED, MessageStatus.DEAD


def later_event(dossier: Dossier, by: User, type: EventType = EventType.APPRAISED) -> DossierEvent:
    with transaction.atomic():
        return append_event(dossier, type=type, at=vn(2025, 5, 5, 9, 0), by=by, reason="ý kiến")


def to_webhook(dossier: Dossier | None = None) -> list[OutboxMessage]:
    rows = OutboxMessage.objects.filter(destination="webhook").order_by("dossier_id", "sequence")
    return list(rows.filter(dossier=dossier) if dossier else rows)


def fresh(message: OutboxMessage) -> OutboxMessage:
    message.refresh_from_db()
    return message


def make_ready() -> None:
    """Time passes: the retries waiting for their back-off are due."""
    DBTaskResult.objects.filter(status="READY").update(run_after=now())


# --- written with the event ------------------------------------------------------------------


def test_each_event_is_one_message_per_destination_in_its_transaction(
    counter_officer, receiver, database_queue
) -> None:
    dossier = receive(
        counter_officer, applicant=Applicant(name="Nguyễn Văn An", phone="0912345678")
    )
    appraised = later_event(dossier, counter_officer)
    received = dossier.events.get(type=EventType.RECEIVED)
    hooks = to_webhook(dossier)
    assert [(m.event_id, m.sequence) for m in hooks] == [(received.pk, 1), (appraised.pk, 2)]
    assert hooks[0].idempotency_key == idempotency_key(received.pk, "webhook")
    assert hooks[0].payload["event"]["type"] == "received"
    assert hooks[0].payload["dossier"] == dossier.code and hooks[0].status == PENDING
    # the applicant's notifications are the local destination: written and delivered at once,
    # and only for the events that concern the applicant
    (note,) = OutboxMessage.objects.filter(destination="notifications")
    assert note.event_id == received.pk and note.status == DELIVERED and note.attempts == 1
    assert Notification.objects.filter(event=received).count() == 1
    # each webhook message's delivery is queued in the same transaction
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_message").count() == 2


def test_a_rolled_back_action_leaves_no_message(counter_officer, receiver, database_queue) -> None:
    dossier = receive(counter_officer)
    before = OutboxMessage.objects.count()
    written: list[int] = []

    def failing_action() -> None:
        with transaction.atomic():
            later_event(dossier, counter_officer, EventType.SUPPLEMENT_REQUESTED)
            written.append(OutboxMessage.objects.count() - before)
            raise RuntimeError("the action fails after appending its event")

    with pytest.raises(RuntimeError):
        failing_action()
    assert written == [2]  # webhook and notifications, inside the transaction
    assert OutboxMessage.objects.count() == before
    assert not Notification.objects.filter(event__type=EventType.SUPPLEMENT_REQUESTED).exists()


def test_replayed_history_writes_no_message(counter_officer, receiver) -> None:
    with replaying_history():
        receive(counter_officer, received_at=vn(2021, 4, 5, 8, 10))
    assert not OutboxMessage.objects.exists()


def test_another_module_registers_a_destination_with_its_own_filter(
    counter_officer, settings
) -> None:
    got: list[str] = []
    registry.register(
        registry.Destination(
            name="ledger",
            deliver=lambda message: got.append(message.event_type),
            wants=lambda event: event.type == EventType.APPRAISED,
            local=True,
        )
    )
    settings.OUTBOX_DESTINATIONS = ["ledger"]
    try:
        dossier = receive(counter_officer)
        later_event(dossier, counter_officer)
    finally:
        registry.unregister("ledger")
    assert got == ["appraised"]
    assert [m.event_type for m in OutboxMessage.objects.all()] == ["appraised"]


def test_a_destination_in_use_must_be_registered_and_configured(settings) -> None:
    from motcua.outbox.checks import destinations_configured

    settings.OUTBOX_DESTINATIONS = ["notifications", "webhook", "no_such_receiver"]
    settings.OUTBOX_WEBHOOK_URL = ""
    settings.OUTBOX_WEBHOOK_SECRET = ""
    settings.OUTBOX_MAX_ATTEMPTS = 0
    ids = sorted(error.id for error in destinations_configured())
    assert ids == ["outbox.E001", "outbox.E002", "outbox.E002", "outbox.E003"]
    settings.OUTBOX_DESTINATIONS = ["notifications"]
    settings.OUTBOX_MAX_ATTEMPTS = 8
    assert destinations_configured() == []


# --- delivered in order, retried, dead-lettered ------------------------------------------------


def test_delivered_to_a_real_receiver_signed_with_a_stable_key(
    counter_officer, receiver, database_queue
) -> None:
    dossier = receive(counter_officer)
    later_event(dossier, counter_officer)
    run_ready_tasks()
    hooks = to_webhook(dossier)
    assert [fresh(m).status for m in hooks] == [DELIVERED, DELIVERED]
    assert receiver.delivered_keys() == [m.idempotency_key for m in hooks]
    assert [item.payload["sequence"] for item in receiver.accepted] == [1, 2]
    assert receiver.bad_signatures == 0


def test_a_wrong_secret_is_refused_by_the_receiver(
    counter_officer, receiver, database_queue, settings
):
    settings.OUTBOX_WEBHOOK_SECRET = "not-the-receivers-secret"
    receive(counter_officer)
    run_ready_tasks()
    (message,) = to_webhook()
    assert fresh(message).status == PENDING and "HTTP 401" in message.last_error
    assert receiver.bad_signatures == 1 and receiver.accepted == []


def test_a_later_message_waits_while_an_earlier_one_fails(
    counter_officer, receiver, database_queue
) -> None:
    dossier = receive(counter_officer)
    later_event(dossier, counter_officer)
    first, second = to_webhook(dossier)
    receiver.refuse[first.idempotency_key] = 503
    run_ready_tasks()
    assert fresh(first).status == PENDING and first.attempts == 1
    assert fresh(second).status == PENDING and second.attempts == 0  # never tried: it waits
    assert second.waiting  # for the delivery of the first to queue it again
    assert receiver.accepted == []
    assert deliver_message.call(second.pk) == "waiting"

    del receiver.refuse[first.idempotency_key]
    make_ready()
    run_ready_tasks()  # the retry delivers the first, which queues the second
    assert [fresh(m).status for m in (first, second)] == [DELIVERED, DELIVERED]
    assert receiver.delivered_keys() == [first.idempotency_key, second.idempotency_key]
    # the same key on every attempt
    assert receiver.keys_seen == [first.idempotency_key] * 2 + [second.idempotency_key]


def test_other_dossiers_are_not_held_up(counter_officer, receiver, database_queue) -> None:
    stuck = receive(counter_officer)
    other = receive(counter_officer, received_at=vn(2025, 4, 24, 10, 30))
    (blocked,) = to_webhook(stuck)
    receiver.refuse[blocked.idempotency_key] = 500
    run_ready_tasks()
    assert receiver.delivered_keys() == [to_webhook(other)[0].idempotency_key]


def test_retries_wait_longer_each_time_then_the_message_is_dead(
    counter_officer, receiver, database_queue, settings
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 4
    settings.OUTBOX_FIRST_RETRY = 30
    dossier = receive(counter_officer)
    later_event(dossier, counter_officer)
    first, second = to_webhook(dossier)
    receiver.refuse[first.idempotency_key] = 500
    waits = []
    for _ in range(settings.OUTBOX_MAX_ATTEMPTS):
        run_ready_tasks()
        message = fresh(first)
        if message.next_attempt_at:
            retry = DBTaskResult.objects.get(status="READY", args_kwargs__args=[first.pk])
            assert retry.run_after == message.next_attempt_at
            waits.append(message.next_attempt_at - message.last_attempt_at)
        make_ready()
    # counted from the failure, which came within the webhook's timeout of the attempt
    timeout = timedelta(seconds=settings.OUTBOX_WEBHOOK_TIMEOUT)
    expected = [timedelta(seconds=30 * 4**n) for n in range(3)]
    assert expected == [retry_delay(n) for n in (1, 2, 3)]
    assert all(want <= wait < want + timeout for wait, want in zip(waits, expected, strict=True))
    assert fresh(first).status == DEAD and first.attempts == 4 and "HTTP 500" in first.last_error
    assert not DBTaskResult.objects.filter(status="READY").exists()  # nothing more queued
    assert fresh(second).status == PENDING and receiver.accepted == []  # the order is kept


# --- the dead-letter list: CLI and admin -------------------------------------------------------


@pytest.fixture
def dead_letter(counter_officer, receiver, database_queue, settings) -> tuple[Any, ...]:
    """A dossier whose first webhook message died, and its second waiting behind it."""
    settings.OUTBOX_MAX_ATTEMPTS = 1
    dossier = receive(counter_officer)
    later_event(dossier, counter_officer)
    first, second = to_webhook(dossier)
    receiver.refuse[first.idempotency_key] = 500
    run_ready_tasks()
    assert fresh(first).status == DEAD
    del receiver.refuse[first.idempotency_key]
    return first, second, receiver


def test_the_cli_lists_dead_letters_and_replays_them(dead_letter, capsys) -> None:
    first, second, receiver = dead_letter
    call_command("outbox", "list", "--dead")
    out = capsys.readouterr().out
    assert f"{first.pk}\tdead\twebhook" in out and "messages: 1" in out and "HTTP 500" in out
    call_command("outbox", "list", "--json", "--destination", "webhook")
    listed = json.loads(capsys.readouterr().out)
    assert [(row["id"], row["status"], row["sequence"]) for row in listed] == [
        (second.pk, "pending", 2),
        (first.pk, "dead", 1),
    ]
    assert listed[1]["idempotency_key"] == first.idempotency_key
    call_command("outbox", "replay", str(first.pk))
    assert "replayed: 1" in capsys.readouterr().out
    run_ready_tasks()
    assert [fresh(m).status for m in (first, second)] == [DELIVERED, DELIVERED]
    assert receiver.delivered_keys() == [first.idempotency_key, second.idempotency_key]


def test_the_cli_replays_all_dead_letters(dead_letter, capsys) -> None:
    _, second, _ = dead_letter
    call_command("outbox", "replay", "--all-dead")
    assert "replayed: 1" in capsys.readouterr().out
    run_ready_tasks()
    assert fresh(second).status == DELIVERED


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (["999999"], "not_found"),
        (["--all-dead", "1"], "usage"),
        ([], "usage"),
    ],
)
def test_the_cli_refuses_a_wrong_replay_with_a_stable_code(dead_letter, arguments, code) -> None:
    first, *_ = dead_letter
    with pytest.raises(CommandError) as refused:
        call_command("outbox", "replay", *arguments)
    assert refused.value.returncode == 2 and str(refused.value).startswith(code)
    assert fresh(first).status == DEAD  # nothing half done


def test_the_cli_refuses_to_replay_a_message_that_is_not_dead(dead_letter) -> None:
    first, second, _ = dead_letter
    with pytest.raises(CommandError) as refused:
        call_command("outbox", "replay", str(first.pk), str(second.pk))
    assert refused.value.returncode == 2 and str(refused.value).startswith("not_dead")
    assert fresh(first).status == DEAD


def test_the_admin_lists_and_replays_dead_letters(dead_letter, admin_client) -> None:
    first, second, receiver = dead_letter
    page = admin_client.get("/quan-tri/outbox/outboxmessage/", {"status__exact": "dead"})
    assert page.status_code == 200 and first.idempotency_key not in page.content.decode()
    assert f"/quan-tri/outbox/outboxmessage/{first.pk}/change/" in page.content.decode()
    detail = admin_client.get(f"/quan-tri/outbox/outboxmessage/{first.pk}/change/")
    assert detail.status_code == 200 and "HTTP 500" in detail.content.decode()
    answer = admin_client.post(
        "/quan-tri/outbox/outboxmessage/",
        {"action": "replay", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert "Đã đưa 1 thư vào hàng đợi chuyển lại." in answer.content.decode()
    run_ready_tasks()
    assert receiver.delivered_keys() == [first.idempotency_key, second.idempotency_key]


# --- batches ------------------------------------------------------------------------------------


def test_one_run_delivers_the_ready_backlog_in_batches_in_order_on_one_connection(
    counter_officer, receiver, database_queue, settings
) -> None:
    settings.OUTBOX_BATCH_SIZE = 2  # several batches, each at most one message per dossier
    dossiers = [receive(counter_officer, received_at=vn(2025, 4, 24, 10, n)) for n in range(3)]
    for dossier in dossiers:
        later_event(dossier, counter_officer)
        later_event(dossier, counter_officer, EventType.SUBMITTED_FOR_APPROVAL)
    hooks = to_webhook()
    head = hooks[0]
    assert deliver_message.call(head.pk) == "delivered"  # one run, outside the queue
    assert {fresh(m).status for m in hooks} == {DELIVERED}
    assert all(fresh(m).attempts == 1 for m in hooks)
    assert sorted(receiver.keys_seen) == sorted(m.idempotency_key for m in hooks)  # once each
    for dossier in dossiers:
        got = [
            i.payload["sequence"] for i in receiver.accepted if i.payload["dossier"] == dossier.code
        ]
        assert got == [1, 2, 3]
    assert receiver.connections == 1  # kept open between messages
    # the other messages' tasks are settled; the head's own (not run through the queue) waits
    tasks = DBTaskResult.objects.filter(task_path=deliver_message.module_path)
    states = {task.args_kwargs["args"][0]: task.status for task in tasks}
    assert states.pop(head.pk) == "READY"
    assert set(states) == {m.pk for m in hooks[1:]} and set(states.values()) == {"SUCCESSFUL"}
    run_ready_tasks()
    assert receiver.keys_seen.count(head.idempotency_key) == 1  # its task finds it delivered


def test_a_failure_in_a_batch_stops_it_and_frees_the_rest(
    counter_officer, receiver, database_queue, settings
) -> None:
    settings.OUTBOX_BATCH_SIZE = 5
    dossiers = [receive(counter_officer, received_at=vn(2025, 4, 24, 10, n)) for n in range(3)]
    for dossier in dossiers:
        later_event(dossier, counter_officer)
    hooks = to_webhook()  # by dossier: [d0 #1, d0 #2, d1 #1, d1 #2, d2 #1, d2 #2]
    receiver.refuse[hooks[2].idempotency_key] = 503  # d1 #1
    assert deliver_message.call(hooks[0].pk) == "delivered"
    statuses = [(fresh(m).status, m.attempts) for m in hooks]
    # the batch after d0 #1 is [d1 #1, d2 #1, d0 #2] by id: d1 #1 fails, the rest is freed untried
    assert statuses[0] == (DELIVERED, 1) and statuses[2] == (PENDING, 1)
    assert statuses[3] == (PENDING, 0)  # waits behind d1 #1
    assert {statuses[1], statuses[4]} <= {(PENDING, 0)}
    assert all(not fresh(m).claimed_by for m in hooks)
    del receiver.refuse[hooks[2].idempotency_key]
    make_ready()
    run_ready_tasks()
    assert {fresh(m).status for m in hooks} == {DELIVERED}
    assert receiver.keys_seen.count(hooks[2].idempotency_key) == 2


# --- a receiver down for a while ----------------------------------------------------------------


def test_a_receiver_down_for_a_while_loses_nothing_and_gets_all_in_order(
    counter_officer, database_queue, settings
) -> None:
    port = free_port()
    use_webhook(settings, f"http://127.0.0.1:{port}/hook")  # nothing listens there yet
    dossiers = [receive(counter_officer, received_at=vn(2025, 4, 24, 10, n)) for n in range(3)]
    for dossier in dossiers:
        later_event(dossier, counter_officer)
        later_event(dossier, counter_officer, EventType.SUBMITTED_FOR_APPROVAL)
    run_ready_tasks()
    hooks = to_webhook()
    assert len(hooks) == 9
    assert sorted(fresh(m).attempts for m in hooks) == [0] * 6 + [1] * 3  # heads tried once
    assert all("Connection refused" in m.last_error for m in hooks if m.attempts)

    with receiver_running(SECRET, port) as receiver:
        make_ready()
        run_ready_tasks()
    assert {fresh(m).status for m in hooks} == {DELIVERED}
    assert sorted(receiver.keys_seen) == sorted(m.idempotency_key for m in hooks)  # once each
    for dossier in dossiers:
        got = [
            item.payload["sequence"]
            for item in receiver.accepted
            if item.payload["dossier"] == dossier.code
        ]
        assert got == [1, 2, 3]


# --- a dead worker's claims -------------------------------------------------------------------


def test_a_dead_workers_claim_is_freed_and_the_message_delivered_once(
    counter_officer, receiver, database_queue, settings
) -> None:
    from motcua.notifications.models import TaskWorker
    from motcua.notifications.worker import reclaim_from_dead_workers

    receive(counter_officer)
    (message,) = to_webhook()
    gone = now() - timedelta(seconds=settings.TASK_WORKER_TIMEOUT + 1)
    TaskWorker.objects.create(
        worker_id="w-dead", host="elsewhere", pid=1, started_at=gone, seen_at=gone
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_by="w-dead", locked_until=now() + timedelta(minutes=5), attempts=1
    )
    assert deliver_message.call(message.pk) == "in flight"  # held by the (silent) worker
    assert reclaim_from_dead_workers() == ["w-dead"]
    assert fresh(message).claimed_by == "" and message.locked_until is None
    run_ready_tasks()
    assert fresh(message).status == DELIVERED and message.attempts == 2
    assert receiver.keys_seen == [message.idempotency_key]


def test_a_local_destination_that_fails_does_not_stop_the_action(
    counter_officer, database_queue, settings
) -> None:
    """Delivered in the event's transaction when it can be; when it fails, the action still
    commits and the workers retry it, the later messages of the dossier waiting behind it."""
    got: list[int] = []
    broken = [True]

    def deliver(message: OutboxMessage) -> None:
        if broken[0]:
            raise ConnectionError("the ledger is not ready")
        got.append(message.sequence)

    registry.register(registry.Destination(name="ledger", deliver=deliver, local=True))
    settings.OUTBOX_DESTINATIONS = ["ledger"]
    try:
        dossier = receive(counter_officer)
        broken[0] = False
        later_event(dossier, counter_officer)  # not delivered at once: the first waits
        first, second = OutboxMessage.objects.order_by("sequence")
        assert (first.status, first.attempts, second.status) == (PENDING, 1, PENDING)
        assert "ConnectionError" in first.last_error and got == []
        assert first.next_attempt_at == first.last_attempt_at + retry_delay(1)
        make_ready()
        run_ready_tasks()
    finally:
        registry.unregister("ledger")
    assert got == [1, 2] and {fresh(m).status for m in (first, second)} == {DELIVERED}


def test_a_message_whose_task_was_lost_is_requeued_and_delivered_once(
    counter_officer, receiver, database_queue, capsys
) -> None:
    receive(counter_officer)
    (message,) = to_webhook()
    DBTaskResult.objects.all().delete()  # the task is lost
    call_command("outbox", "requeue")
    assert "requeued: 0" in capsys.readouterr().out  # too recent to be called lost
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=message.created_at - timedelta(hours=1)
    )
    call_command("outbox", "requeue")
    assert "requeued: 1" in capsys.readouterr().out
    run_ready_tasks()
    call_command("outbox", "requeue")
    assert "requeued: 0" in capsys.readouterr().out
    assert fresh(message).status == DELIVERED
    assert receiver.keys_seen == [message.idempotency_key]
