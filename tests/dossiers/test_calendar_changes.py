"""Calendar changes reach open dossiers (docs/decisions/0005-calendar-changes.md): a new day
off moves the appointments whose window holds it, with an event (old due, new due, the day)
and a message to the applicant; a new worked day never brings a promised date earlier."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.calendars.models import DayOverride
from motcua.catalog.models import Unit
from motcua.dossiers import actions, clock
from motcua.dossiers.models import Dossier, DossierEvent, EventType
from motcua.notifications.models import Notification
from motcua.workflow.calendar import DayKind
from tests.conftest import vn
from tests.dossiers.test_receive_dossier import receive

pytestmark = pytest.mark.django_db

# 10 working days from Monday 9 June 2025 09:00 → due Monday 23 June 09:00.
RECEIVED, DUE = vn(2025, 6, 9, 9), vn(2025, 6, 23, 9)


@pytest.fixture
def admin_user(catalogue) -> User:
    return User.objects.create_superuser(username="quantri", password="pw-quantri")


@pytest.fixture
def dossier(counter_officer) -> Dossier:
    found = receive(counter_officer, received_at=RECEIVED)
    assert found.due_at == DUE
    return found


def close(day: date, unit: Unit | None = None) -> None:
    DayOverride.objects.create(unit=unit, day=day, kind=DayKind.CLOSURE, reason="Bão số 1")


def calendar_events() -> list[DossierEvent]:
    return list(DossierEvent.objects.filter(type=EventType.CALENDAR_CHANGED))


def test_a_new_day_off_moves_the_appointment_and_tells_the_applicant(dossier, admin_user) -> None:
    close(date(2025, 6, 17))
    changed = actions.apply_calendar_change(by=admin_user, day=date(2025, 6, 17))
    assert [d.pk for d in changed] == [dossier.pk]
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.due_at == vn(2025, 6, 24, 9)
    (event,) = calendar_events()
    assert event.data["day"] == "2025-06-17" and event.data["closed"] is True
    assert event.data["old_due_at"] == DUE.isoformat()
    assert event.data["due_at"] == vn(2025, 6, 24, 9).isoformat()
    assert event.data["kept"] is False and event.actor == admin_user
    deadline = clock.current_deadline(fresh)
    assert (
        "Bão số 1" in deadline.explanation[-2]
        and "dời từ 09:00 thứ Hai 23/06/2025" in (deadline.explanation[-2])
    )
    assert deadline.explanation[-1] == "Hẹn trả: 09:00 thứ Ba 24/06/2025."
    (sms,) = Notification.objects.filter(event=event)
    assert "09:00 ngay 24/06/2025" in sms.body


def test_a_new_worked_day_never_brings_the_promise_earlier(dossier, admin_user, counter_officer):
    DayOverride.objects.create(
        day=date(2025, 6, 14), kind=DayKind.SWAPPED_WORKING_DAY, reason="Làm bù"
    )
    changed = actions.apply_calendar_change(
        by=admin_user, day=date(2025, 6, 14), at=vn(2025, 6, 13, 9)
    )
    assert [d.pk for d in changed] == [dossier.pk]
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.due_at == DUE  # counted on the new calendar it would be Friday 20 June
    (event,) = calendar_events()
    assert event.data["kept"] is True and event.data["due_at"] == DUE.isoformat()
    assert not Notification.objects.filter(event=event).exists()  # nothing moved
    assert "không rút ngắn" in clock.current_deadline(fresh).explanation[-2]
    # a short pause later still does not bring it before the promised date
    fresh = actions.request_supplement(
        dossier=fresh, by=_system(), reason="Thiếu", items=["Tờ khai"], at=vn(2025, 6, 16, 9)
    )
    fresh = actions.receive_supplement(dossier=fresh, by=counter_officer, at=vn(2025, 6, 16, 10))
    assert fresh.due_at == DUE


def _system() -> User:
    from motcua.accounts.models import Role
    from tests.conftest import make_user

    return make_user("system", "AH", Role.SYSTEM)


def test_only_the_dossiers_whose_window_holds_the_day_are_touched(
    dossier, admin_user, counter_officer
) -> None:
    ended = receive(counter_officer, received_at=vn(2025, 6, 9, 10))
    actions.withdraw_dossier(dossier=ended, by=counter_officer, reason="Rút", at=vn(2025, 6, 10))
    close(date(2025, 6, 25))  # after the due
    assert actions.apply_calendar_change(by=admin_user, day=date(2025, 6, 25)) == []
    close(date(2025, 6, 16))
    assert [d.pk for d in actions.apply_calendar_change(by=admin_user, day=date(2025, 6, 16))] == [
        dossier.pk
    ]
    assert Dossier.objects.get(pk=ended.pk).due_at == ended.due_at  # ended: left alone


def test_a_closure_for_one_commune_moves_only_its_dossiers(dossier, admin_user, commune_officer):
    commune = receive(commune_officer, "AH-X01", "1.004222", received_at=RECEIVED)
    close(date(2025, 6, 12), Unit.objects.get(code="AH-X01"))
    changed = actions.apply_calendar_change(
        by=admin_user, day=date(2025, 6, 12), unit=Unit.objects.get(code="AH-X01")
    )
    assert [d.pk for d in changed] == [commune.pk]
    assert Dossier.objects.get(pk=dossier.pk).due_at == DUE


def test_an_apology_date_keeps_its_working_time(
    dossier, admin_user, counter_officer, agency_leader, specialist
) -> None:
    moved = actions.transfer_dossier(dossier=dossier, by=counter_officer, at=vn(2025, 6, 9, 10))
    moved = actions.assign_dossier(
        dossier=moved, by=agency_leader, specialist=specialist, at=vn(2025, 6, 9, 11)
    )
    extended = actions.apologise_and_extend(
        dossier=moved,
        by=agency_leader,
        new_due_at=vn(2025, 6, 27, 17),
        reason="Chờ xác minh",
        at=vn(2025, 6, 20, 9),
    )
    close(date(2025, 6, 26))
    actions.apply_calendar_change(by=admin_user, day=date(2025, 6, 26), at=vn(2025, 6, 23, 9))
    assert Dossier.objects.get(pk=extended.pk).due_at == vn(2025, 6, 30, 17)


def test_the_administrator_page_recomputes_on_save_and_on_delete(dossier, admin_user) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/quan-tri/calendars/dayoverride/add/",
        {"day": "2025-06-17", "kind": DayKind.CLOSURE, "reason": "Bão số 1", "legal_basis": ""},
    )
    assert response.status_code == 302, re.findall(
        r"errorlist[^<]*<li>([^<]*)", response.content.decode()
    )
    assert Dossier.objects.get(pk=dossier.pk).due_at == vn(2025, 6, 24, 9)
    row = DayOverride.objects.get(day=date(2025, 6, 17), unit__isnull=True)
    response = client.post(f"/quan-tri/calendars/dayoverride/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    # the day is a working day again: the promise of 24 June stands (never earlier)
    assert Dossier.objects.get(pk=dossier.pk).due_at == vn(2025, 6, 24, 9)
    assert [e.data["kept"] for e in calendar_events()] == [False, True]
