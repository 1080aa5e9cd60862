"""Ended periods' figures are kept while nothing can have changed them (reports/settled.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.calendars.models import DayOverride
from motcua.catalog.models import Unit
from motcua.catalog.units import move_unit
from motcua.core.clock import local, now
from motcua.dossiers.models import DossierEvent, EventType
from motcua.reports import settled
from motcua.reports.figures import ReportSpec, counts
from motcua.workflow.calendar import DayKind
from tests.conftest import vn
from tests.reports.history import History

KEYS = ("received.total", "resolved.total", "resolved.late", "pending.total")


def months() -> list[ReportSpec]:
    unit = Unit.objects.get(code="AH")
    return [
        ReportSpec(unit, date(2025, 2, 1), date(2025, 2, 28)),
        ReportSpec(unit, date(2025, 3, 1), date(2025, 3, 31)),
    ]


def counted_dossiers(queries: CaptureQueriesContext) -> int:
    """Aggregates over the dossiers table (what keeping the figures saves)."""
    return sum(
        'FROM "dossiers_dossier"' in q["sql"] and "COUNT(" in q["sql"].upper()
        for q in queries.captured_queries
    )


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_kept_figures_equal_a_fresh_count_and_are_not_counted_again(march: History) -> None:
    specs = months()
    fresh = [counts(spec, KEYS) for spec in specs]
    with CaptureQueriesContext(connection) as first:
        assert settled.period_counts(specs, KEYS) == fresh
    assert counted_dossiers(first) == 2
    with CaptureQueriesContext(connection) as second:
        assert settled.period_counts(specs, KEYS) == fresh
    assert counted_dossiers(second) == 0
    assert fresh[1]["received.total"] > 0  # the March history is there to be counted


def test_an_event_dated_inside_an_ended_period_counts_it_again(march: History) -> None:
    specs = months()
    before = settled.period_counts(specs, KEYS)
    # History recorded late: a dossier received (and its event dated) in March 2025.
    march.receive("LATE", vn(2025, 3, 20, 9))
    with CaptureQueriesContext(connection) as again:
        after = settled.period_counts(specs, KEYS)
    assert after[1]["received.total"] == before[1]["received.total"] + 1
    assert after[0] == before[0]  # February's figures are unchanged, though counted afresh
    assert after == [counts(spec, KEYS) for spec in specs]
    assert counted_dossiers(again) == 1  # March only: the event is dated after February
    # and kept again from then on
    with CaptureQueriesContext(connection) as third:
        assert settled.period_counts(specs, KEYS) == after
    assert counted_dossiers(third) == 0


def test_an_event_dated_after_the_period_keeps_it(march: History) -> None:
    specs = months()
    before = settled.period_counts(specs, KEYS)
    march.resolve("C3", vn(2025, 4, 15, 9))  # C3 was pending at the end of March
    with CaptureQueriesContext(connection) as again:
        assert settled.period_counts(specs, KEYS) == before
    assert counted_dossiers(again) == 0
    assert before == [counts(spec, KEYS) for spec in specs]  # and rightly so


def test_a_reshaping_event_or_a_moved_unit_counts_every_period_again(
    march: History, admin_user
) -> None:
    specs = months()
    settled.period_counts(specs, KEYS)
    # a calendar change today moves the due of open dossiers: written through the log like any
    # event, dated today, and yet it reshapes what was overdue when
    from motcua.dossiers import actions

    open_now = march.receive("NOW", now())
    due_day = local(open_now.due_at).date()
    DayOverride.objects.create(unit=None, day=due_day, kind=DayKind.CLOSURE, reason="Bão")
    actions.apply_calendar_change(by=admin_user, day=due_day)
    assert DossierEvent.objects.filter(type=EventType.CALENDAR_CHANGED).exists()
    with CaptureQueriesContext(connection) as again:
        settled.period_counts(specs, KEYS)
    assert counted_dossiers(again) == 2

    settled.period_counts(specs, KEYS)
    commune = Unit.objects.get(code="AH-X01")
    move_unit(commune, parent=None, by=admin_user, reason="Sắp xếp lại")
    with CaptureQueriesContext(connection) as moved:
        settled.period_counts(specs, KEYS)
    assert counted_dossiers(moved) == 2


def test_a_period_not_yet_ended_is_always_counted(march: History) -> None:
    unit = Unit.objects.get(code="AH")
    today = date.today()
    current = ReportSpec(unit, today.replace(day=1), today)
    settled.period_counts([current], KEYS)
    with CaptureQueriesContext(connection) as again:
        settled.period_counts([current], KEYS)
    assert counted_dossiers(again) == 1


def test_figures_a_later_event_can_change_are_never_kept(march: History) -> None:
    with pytest.raises(ValueError, match=r"pending\.overdue"):
        settled.period_counts(months(), ("received.total", "pending.overdue"))
