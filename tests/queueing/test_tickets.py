"""Drawing, calling and ending tickets: the rules of docs/domain/hall.md."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections

from motcua.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from motcua.queueing import services
from motcua.queueing.models import (
    Appointment,
    CounterEvent,
    CounterStatus,
    Outcome,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tests.conftest import on_postgres, vn
from tests.queueing.conftest import counter, group

MORNING = vn(2026, 12, 7, 8, 0)


def key() -> str:
    return uuid.uuid4().hex


def draw(hall, code="A", *, at=MORNING, priority="", request_key=None):
    return services.issue_ticket(
        hall=hall,
        group=group(hall, code),
        request_key=key() if request_key is None else request_key,
        priority=priority,
        at=at,
    )


def opened(hall, officer, number="1", codes=("A",)):
    return services.open_counter(
        counter=counter(hall, number),
        by=officer,
        groups=[group(hall, code) for code in codes],
        at=MORNING,
    )


def test_numbers_run_per_group_and_day(hall) -> None:
    a = [draw(hall, "A", at=MORNING + timedelta(minutes=i)) for i in range(3)]
    b = draw(hall, "B")
    tomorrow = draw(hall, "A", at=MORNING + timedelta(days=1))
    assert [t.number for t in a] == [1, 2, 3]
    assert [t.label for t in a] == ["A001", "A002", "A003"]
    assert (b.number, b.label) == (1, "B001")
    assert (tomorrow.number, tomorrow.day) == (1, (MORNING + timedelta(days=1)).date())


def test_a_repeated_request_gets_the_same_ticket(hall) -> None:
    request_key = key()
    first = draw(hall, request_key=request_key)
    again = draw(hall, request_key=request_key, at=MORNING + timedelta(seconds=5))
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.filter(type="issued").count() == 1
    assert draw(hall).number == 2  # the repeat took no number


@pytest.mark.parametrize("bad", ["", "short", "x" * 65, "has space in it"])
def test_a_malformed_request_key_is_refused(hall, bad) -> None:
    with pytest.raises(ValidationFailed) as refused:
        draw(hall, request_key=bad)
    assert refused.value.code == "invalid_request_key"
    assert not Ticket.objects.exists()


def test_a_priority_the_site_does_not_offer_is_refused(hall) -> None:
    with pytest.raises(ValidationFailed) as refused:
        draw(hall, priority="pregnant")
    assert refused.value.code == "unknown_priority"
    assert not Ticket.objects.exists()


def test_priority_goes_first_but_not_past_someone_who_waited_longer(hall, counter_officer) -> None:
    """Head start 15 minutes: a priority ticket passes those who drew less than 15 minutes
    before it, never those who have waited longer."""
    early = draw(hall, at=MORNING)
    recent = draw(hall, at=MORNING + timedelta(minutes=20))
    elderly = draw(hall, at=MORNING + timedelta(minutes=25), priority="elderly")
    opened(hall, counter_officer)
    order = []
    for minute in (30, 31, 32):
        called = services.call_next(
            counter=counter(hall, "1"), by=counter_officer, at=MORNING + timedelta(minutes=minute)
        )
        assert called is not None
        order.append(called.pk)
        services.finish_guidance(ticket=called, by=counter_officer, procedure_code="1.004222")
    assert order == [early.pk, elderly.pk, recent.pk]


def test_no_one_waits_forever_behind_priority_tickets(hall, counter_officer) -> None:
    """A stream of priority tickets passes a plain ticket only for the head start: once the
    plain one has waited longer than that before a priority ticket arrived, it is called."""
    plain = draw(hall, at=MORNING)
    for minute in range(1, 40, 2):
        draw(hall, at=MORNING + timedelta(minutes=minute), priority="disabled")
    opened(hall, counter_officer)
    called_before = 0
    while True:
        ticket = services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING)
        assert ticket is not None
        services.finish_guidance(ticket=ticket, by=counter_officer, procedure_code="1.004222")
        if ticket.pk == plain.pk:
            break
        called_before += 1
    head_start = hall.priority_head_start
    assert called_before == len(range(1, head_start, 2))


def test_calling_shows_the_number_and_logs_who(hall, counter_officer) -> None:
    ticket = draw(hall)
    opened(hall, counter_officer, "2")
    called = services.call_next(counter=counter(hall, "2"), by=counter_officer, at=MORNING)
    assert called is not None and called.pk == ticket.pk
    assert called.status == TicketStatus.CALLED and called.counter.number == "2"
    event = TicketEvent.objects.get(ticket=ticket, type="called")
    assert (event.actor, event.counter.number, event.data["number"]) == (
        counter_officer,
        "2",
        "A001",
    )
    assert services.last_calls(hall, ticket.day)[0].pk == event.pk


def test_a_counter_calls_only_its_groups(hall, counter_officer) -> None:
    draw(hall, "B")
    opened(hall, counter_officer, codes=("A",))
    assert services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING) is None


def test_one_ticket_at_a_time(hall, counter_officer) -> None:
    draw(hall)
    draw(hall)
    opened(hall, counter_officer)
    services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING)
    with pytest.raises(Conflict) as refused:
        services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING)
    assert refused.value.code == "ticket_in_service"
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 1


def test_recall_and_absent(hall, counter_officer) -> None:
    draw(hall)
    opened(hall, counter_officer)
    ticket = services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING)
    assert ticket is not None
    services.recall(ticket=ticket, by=counter_officer)
    services.mark_absent(ticket=ticket, by=counter_officer)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome, ticket.finished_at) == (
        TicketStatus.NO_SHOW,
        Outcome.NO_SHOW,
        None,
    )
    types = list(TicketEvent.objects.filter(ticket=ticket).values_list("type", flat=True))
    assert types == ["issued", "called", "recalled", "no_show"]
    with pytest.raises(Conflict):
        services.recall(ticket=ticket, by=counter_officer)


def test_transfer_to_a_group_keeps_the_number_and_the_place(
    hall, counter_officer, second_officer
) -> None:
    first = draw(hall, "A", at=MORNING)
    later_b = draw(hall, "B", at=MORNING + timedelta(minutes=5))
    opened(hall, counter_officer, "1", ("A",))
    opened(hall, second_officer, "2", ("B",))
    called = services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING)
    assert called is not None and called.pk == first.pk
    services.transfer(
        ticket=called, by=counter_officer, to_group=group(hall, "B"), reason="hồ sơ đất đai"
    )
    again = services.call_next(counter=counter(hall, "2"), by=second_officer, at=MORNING)
    assert again is not None and again.pk == first.pk and again.label == "A001"
    assert Ticket.objects.get(pk=later_b.pk).status == TicketStatus.WAITING
    event = TicketEvent.objects.get(type="transferred")
    assert (event.reason, event.data["to_group"], event.actor) == (
        "hồ sơ đất đai",
        "B",
        counter_officer,
    )


def test_transfer_to_a_counter_reaches_only_that_counter(
    hall, counter_officer, second_officer
) -> None:
    draw(hall, "A")
    opened(hall, counter_officer, "1", ("A",))
    opened(hall, second_officer, "2", ("B",))
    called = services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING)
    assert called is not None
    services.transfer(ticket=called, by=counter_officer, to_counter=counter(hall, "2"))
    assert services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING) is None
    assert (
        services.call_next(counter=counter(hall, "2"), by=second_officer, at=MORNING).pk
        == called.pk
    )  # type: ignore[union-attr]


def test_pause_needs_a_reason_and_an_idle_counter(hall, counter_officer) -> None:
    draw(hall)
    desk = opened(hall, counter_officer)
    with pytest.raises(ValidationFailed):
        services.pause_counter(counter=desk, by=counter_officer, reason="  ")
    ticket = services.call_next(counter=desk, by=counter_officer, at=MORNING)
    with pytest.raises(Conflict):
        services.pause_counter(counter=desk, by=counter_officer, reason="nghỉ trưa")
    services.finish_guidance(ticket=ticket, by=counter_officer, procedure_code="1.004222")  # type: ignore[arg-type]
    services.pause_counter(counter=desk, by=counter_officer, reason="nghỉ trưa")
    desk.refresh_from_db()
    assert (desk.status, desk.pause_reason) == (CounterStatus.PAUSED, "nghỉ trưa")
    draw(hall)
    with pytest.raises(Conflict) as refused:
        services.call_next(counter=desk, by=counter_officer, at=MORNING)
    assert refused.value.code == "counter_paused"
    services.resume_counter(counter=desk, by=counter_officer)
    services.close_counter(counter=desk, by=counter_officer)
    desk.refresh_from_db()
    assert (desk.status, desk.officer, list(desk.serving.all())) == (CounterStatus.CLOSED, None, [])
    assert list(CounterEvent.objects.values_list("type", flat=True)) == [
        "opened",
        "paused",
        "resumed",
        "closed",
    ]


def test_someone_elses_counter_is_refused(
    hall, counter_officer, second_officer, commune_officer
) -> None:
    opened(hall, counter_officer)
    with pytest.raises(Conflict) as taken:
        opened(hall, second_officer)
    assert taken.value.code == "counter_taken"
    with pytest.raises(PermissionRefused):
        opened(hall, commune_officer, "2")  # a counter officer of another unit
    with pytest.raises(Conflict):
        services.call_next(counter=counter(hall, "1"), by=second_officer, at=MORNING)


def test_identity_is_hidden_until_called(hall, counter_officer, second_officer) -> None:
    appointment = services.book_appointment(
        hall=hall,
        group=group(hall, "A"),
        starts_at=MORNING + timedelta(hours=1),
        name="Nguyễn Văn An",
        id_number="001099012345",
        at=MORNING - timedelta(days=1),
    )
    ticket = services.check_in(
        hall=hall,
        code_or_id="001 099 012 345",
        request_key=key(),
        at=MORNING + timedelta(minutes=50),
    )
    assert Appointment.objects.get(pk=appointment.pk).ticket == ticket
    assert services.identity_for(ticket, counter_officer) is None
    opened(hall, counter_officer)
    called = services.call_next(counter=counter(hall, "1"), by=counter_officer, at=MORNING)
    assert called is not None
    shown = services.identity_for(called, counter_officer)
    assert shown is not None and shown.name == "Nguyễn Văn An"
    assert services.identity_for(called, second_officer) is None


def test_an_appointment_on_time_ranks_at_its_slot(hall) -> None:
    slot = MORNING + timedelta(hours=1)
    services.book_appointment(
        hall=hall,
        group=group(hall, "A"),
        starts_at=slot,
        name="Lê Thị Bình",
        id_number="001099012346",
        at=MORNING,
    )
    booked = services.check_in(
        hall=hall,
        code_or_id=Appointment.objects.get().code,
        request_key=key(),
        at=slot - timedelta(minutes=30),
    )
    assert booked.rank_at == slot - hall.head_start
    with pytest.raises(NotFound) as again:
        services.check_in(
            hall=hall, code_or_id=Appointment.objects.get().code, request_key=key(), at=slot
        )
    assert again.value.code == "appointment_not_found"


def test_a_full_slot_is_refused(hall) -> None:
    slot = MORNING + timedelta(hours=2)
    for i in range(hall.appointments_per_slot):
        services.book_appointment(
            hall=hall,
            group=group(hall, "A"),
            starts_at=slot,
            name=f"Người {i}",
            id_number=f"00109901234{i}",
            at=MORNING,
        )
    with pytest.raises(Conflict) as full:
        services.book_appointment(
            hall=hall,
            group=group(hall, "A"),
            starts_at=slot,
            name="Người cuối",
            id_number="001099012399",
            at=MORNING,
        )
    assert full.value.code == "slot_full"
    assert Appointment.objects.count() == hall.appointments_per_slot


def test_the_log_is_append_only(hall) -> None:
    from django.db import IntegrityError, InternalError, transaction
    from django.db.utils import DatabaseError

    draw(hall)
    event = TicketEvent.objects.get()
    with pytest.raises((IntegrityError, InternalError, DatabaseError)), transaction.atomic():
        TicketEvent.objects.filter(pk=event.pk).update(reason="sửa")
    with pytest.raises((IntegrityError, InternalError, DatabaseError)), transaction.atomic():
        TicketEvent.objects.filter(pk=event.pk).delete()


def test_waiting_position_and_estimate(hall, counter_officer) -> None:
    tickets = [draw(hall, at=MORNING + timedelta(minutes=i)) for i in range(4)]
    where = services.position(tickets[3])
    assert where is not None
    assert where.ahead == 3
    assert where.minutes == 4 * hall.service_minutes


@pytest.mark.django_db(transaction=True)
def test_two_officers_calling_at_once_get_different_tickets(
    hall, counter_officer, second_officer
) -> None:
    """Two real connections: the first caller holds its candidate row locked (transaction open);
    the second skips it and takes the next ticket at once instead of waiting or taking it too."""
    if not on_postgres():
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); real concurrency is PostgreSQL's")
    first, second = draw(hall, at=MORNING), draw(hall, at=MORNING + timedelta(minutes=1))
    opened(hall, counter_officer, "1")
    opened(hall, second_officer, "2")
    called: dict[str, int] = {}
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def officer(name, user, number, *, hold) -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                ticket = services.call_next(counter=counter(hall, number), by=user, at=MORNING)
                called[name] = ticket.pk if ticket else 0
                if hold:
                    holding.set()
                    release.wait(timeout=10)
        except BaseException as error:  # pragma: no cover — reported below
            failures.append(error)
            holding.set()
        finally:
            connections.close_all()

    one = threading.Thread(
        target=officer, args=("one", counter_officer, "1"), kwargs={"hold": True}
    )
    one.start()
    holding.wait(timeout=10)
    two = threading.Thread(
        target=officer, args=("two", second_officer, "2"), kwargs={"hold": False}
    )
    two.start()
    two.join(timeout=10)
    finished_while_first_held = not two.is_alive()
    release.set()
    one.join()
    two.join()
    connection.close()
    assert not failures, failures
    assert finished_while_first_held
    assert called == {"one": first.pk, "two": second.pk}
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 2
