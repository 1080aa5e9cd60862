"""A served visit at counter 1 of the provincial centre's hall, a tablet facing that counter,
and dossiers at the states the ratings need."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from motcua.accounts.models import User
from motcua.dossiers.actions import Applicant
from motcua.dossiers.models import Dossier
from motcua.feedback.models import RatingDevice
from motcua.queueing import services as hall_services
from motcua.queueing.models import Hall, Ticket
from tests.conftest import version_of, vn
from tests.dossiers.test_receive_dossier import CRIMINAL_RECORD
from tests.queueing.conftest import counter, group, hall, second_officer  # noqa: F401  (fixtures)

MORNING = vn(2026, 12, 1, 8, 0)  # a Tuesday, in the past
SERVED_AT = MORNING + timedelta(minutes=20)


@pytest.fixture
def tablet(hall: Hall) -> RatingDevice:  # noqa: F811
    return RatingDevice.objects.create(counter=counter(hall, "1"), name="Máy đánh giá quầy 1")


def serve(
    hall: Hall,  # noqa: F811
    officer: User,
    *,
    code: str = "A",
    drawn: datetime = MORNING,
    called: datetime = MORNING + timedelta(minutes=10),
    finished: datetime = SERVED_AT,
    number: str = "1",
    intake: bool = True,
) -> tuple[Ticket, Dossier | None]:
    """Draw a ticket, call it at counter `number`, receive a dossier from it (or give guidance
    only) and finish the visit."""
    from tests.queueing.test_tickets import key

    desk = counter(hall, number)
    hall_services.open_counter(counter=desk, by=officer, groups=[group(hall, code)], at=drawn)
    ticket = hall_services.issue_ticket(
        hall=hall, group=group(hall, code), request_key=key(), at=drawn
    )
    called_ticket = hall_services.call_next(counter=desk, by=officer, at=called)
    assert called_ticket is not None and called_ticket.pk == ticket.pk
    dossier = None
    if intake:
        version = version_of(CRIMINAL_RECORD)
        dossier = hall_services.receive_from_ticket(
            ticket=called_ticket,
            by=officer,
            unit=hall.unit,
            version=version,
            applicant=Applicant(name="Trần Thị Bình", phone="0912 345 678"),
            channel="counter",
            components=version.component_names()[:1],
            received_at=called + timedelta(minutes=5),
        )
        done = hall_services.finish_intake(ticket=called_ticket, by=officer, at=finished)
    else:
        done = hall_services.finish_guidance(
            ticket=called_ticket, by=officer, procedure_code=CRIMINAL_RECORD, at=finished
        )
    return done, dossier


@pytest.fixture
def builtin_scales() -> None:
    """The built-in scales as the data migrations make them: a test on a live server runs after
    others have flushed the database, migrations' rows included."""
    from importlib import import_module

    from django.apps import apps

    for migration in ("0002_builtin_scales", "0005_one_stop_criteria"):
        import_module(f"motcua.feedback.migrations.{migration}").load(apps, None)
