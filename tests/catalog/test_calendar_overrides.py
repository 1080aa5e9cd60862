"""The calendar's exceptions are data: shipped with the known swaps, edited by administrators,
per site, and used at once by every due-date computation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.calendars.models import DayOverride
from motcua.calendars.services import calendar_for
from motcua.catalog.models import Unit
from motcua.workflow.calendar import DayKind

pytestmark = pytest.mark.django_db


def test_the_known_swaps_are_shipped_in_the_database() -> None:
    shipped = {row.day: row.kind for row in DayOverride.objects.filter(unit__isnull=True)}
    assert shipped[date(2026, 1, 2)] == DayKind.SWAPPED_DAY_OFF
    assert shipped[date(2026, 1, 10)] == DayKind.SWAPPED_WORKING_DAY
    assert shipped[date(2025, 4, 26)] == DayKind.SWAPPED_WORKING_DAY


def test_an_administrator_closure_applies_to_the_unit_and_below_only(catalogue) -> None:
    assert calendar_for(Unit.objects.get(code="AH-X01")).is_working_day(date(2025, 6, 10))
    DayOverride.objects.create(
        unit=Unit.objects.get(code="AH-X01"),
        day=date(2025, 6, 10),
        kind=DayKind.CLOSURE,
        reason="Bão số 1: UBND xã cho nghỉ",
    )
    assert not calendar_for(Unit.objects.get(code="AH-X01")).is_working_day(date(2025, 6, 10))
    assert not calendar_for(Unit.objects.get(code="AH-X01-CA")).is_working_day(date(2025, 6, 10))
    assert calendar_for(Unit.objects.get(code="AH-P02")).is_working_day(date(2025, 6, 10))
    assert calendar_for(Unit.objects.get(code="AH")).is_working_day(date(2025, 6, 10))


def test_a_site_override_wins_over_the_province_wide_one(catalogue) -> None:
    commune = Unit.objects.get(code="AH-X01")
    DayOverride.objects.create(
        unit=commune,
        day=date(2026, 1, 2),
        kind=DayKind.WORKING_DAY,
        reason="Xã làm việc ngày 02/01/2026",
    )
    assert calendar_for(commune).is_working_day(date(2026, 1, 2))
    assert not calendar_for(Unit.objects.get(code="AH")).is_working_day(date(2026, 1, 2))


def test_site_sessions_are_inherited_down_the_tree(catalogue) -> None:
    Unit.objects.filter(code="AH-P02").update(sessions="07:30-12:00,13:00-16:30")
    calendar = calendar_for(Unit.objects.get(code="AH-P02-CA"))
    assert calendar.day_minutes == 480
    assert calendar.sessions[0].start.hour == 7 and calendar.sessions[0].start.minute == 30


def test_a_worked_weekday_is_refused_in_the_admin_form() -> None:
    row = DayOverride(day=date(2026, 3, 4), kind=DayKind.SWAPPED_WORKING_DAY, reason="sai")
    with pytest.raises(ValidationError):
        row.full_clean()
