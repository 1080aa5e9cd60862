"""Each derived state has one Python definition and one SQL twin (motcua/dossiers/derived.py):
for a table of dossiers in many states, read at many moments, the two always agree. Run it
on PostgreSQL too (DATABASE_URL=postgres://…).

The moments include the awkward ones: exactly when a dossier ends, when a pause starts and
ends, a due instant, and midnight after a due day (day rule and timestamp rule disagree)."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.calendars.services import calendar_for, calendar_groups
from motcua.catalog.models import Unit
from motcua.dossiers import derived
from motcua.dossiers.derived import OverdueRule
from motcua.dossiers.models import Dossier
from motcua.integrations.catalogue import import_catalogue
from tests.conftest import vn
from tests.reports.history import History, people

pytestmark = pytest.mark.django_db

RESTARTING = "9.000001"  # a procedure whose clock restarts after a supplement (test catalogue)


def restarting_procedure() -> None:
    import_catalogue(
        '{"format": "motcua.catalogue/1", "units": [], "procedures": [{"code": "'
        + RESTARTING
        + '", "name": "Thủ tục thử, tính lại thời hạn", "agency": "AH-CAT-PV06", '
        '"duration": {"value": 5, "unit": "working_days"}, "pause_rule": "restart"}]}'
    )


@pytest.fixture
def table(counter_officer, commune_officer, agency_leader) -> History:
    """Dossiers in every state the clock knows (comments: the state on 2 June 2025)."""
    restarting_procedure()
    h = people(counter_officer, commune_officer, agency_leader)
    h.receive("running", vn(2025, 5, 26, 9))  # due 9 Jun 09:00
    h.receive("overdue", vn(2025, 5, 5, 9))  # due 19 May 09:00
    h.receive("paused", vn(2025, 5, 26, 9))
    h.ask_supplement("paused", vn(2025, 5, 28, 9))  # before the due: not overdue
    h.receive("paused_late", vn(2025, 5, 5, 9))
    h.ask_supplement("paused_late", vn(2025, 5, 21, 9))  # after the due: overdue while waiting
    h.receive("resumed", vn(2025, 5, 12, 9))  # due 26 May, +3 days paused: 29 May 09:00
    h.ask_supplement("resumed", vn(2025, 5, 13, 9))
    h.supplement_arrives("resumed", vn(2025, 5, 16, 9))
    h.receive("restarted", vn(2025, 5, 19, 9), procedure=RESTARTING)
    h.ask_supplement("restarted", vn(2025, 5, 20, 9))
    h.supplement_arrives("restarted", vn(2025, 5, 27, 10))  # 5 days again: 3 Jun 10:00
    h.receive("extended", vn(2025, 5, 12, 9))  # due 26 May 09:00
    h.extend("extended", vn(2025, 6, 4, 17), at=vn(2025, 5, 22, 9))
    h.receive("early", vn(2025, 5, 5, 9))
    h.resolve("early", vn(2025, 5, 9, 10))
    h.receive("late", vn(2025, 5, 5, 9))
    h.resolve("late", vn(2025, 5, 20, 10))
    h.receive("late_same_day", vn(2025, 5, 5, 9))  # due 19 May 09:00
    h.resolve("late_same_day", vn(2025, 5, 19, 16))  # late by the timestamp, on time by day
    h.receive("due_today", vn(2025, 5, 19, 9))  # due 2 Jun 09:00
    h.receive("same_day", vn(2025, 6, 2, 16), procedure="3.000465")  # due 3 Jun 17:00
    h.receive("withdrawn", vn(2025, 5, 26, 9))
    h.withdraw("withdrawn", vn(2025, 5, 27, 9))
    h.receive("commune", vn(2025, 5, 23, 9), unit="AH-X01", procedure="1.004222")  # 3 Jun
    return h


MOMENTS = [
    vn(2025, 5, 19, 9, 0),  # a due instant
    vn(2025, 5, 19, 16, 0),  # the moment "late_same_day" ends
    vn(2025, 5, 21, 9, 0),  # the moment "paused_late" starts waiting
    vn(2025, 5, 27, 10, 0),  # the moment "restarted" resumes
    vn(2025, 6, 2, 0, 0),  # midnight: 1 June is the day before
    vn(2025, 6, 2, 10, 0),  # an hour after "due_today" is due: late by timestamp only
    vn(2025, 6, 3, 0, 0),  # the next midnight: just before it is still 2 June
    vn(2025, 6, 3, 0, 1),  # a minute later: late by the day rule too
    vn(2025, 6, 3, 15, 0),
    vn(2025, 7, 1, 9, 0),
]


def python_and_sql(python, sql) -> tuple[set[str], set[str]]:
    """The codes of the dossiers each definition selects."""
    dossiers = Dossier.objects.prefetch_related("pauses").select_related("receiving_unit")
    return (
        {d.code for d in dossiers if python(d)},
        set(Dossier.objects.filter(sql).values_list("code", flat=True)),
    )


def test_paused_and_running_agree_with_their_sql_twins(table) -> None:
    for at in MOMENTS:
        python, sql = python_and_sql(
            lambda d, at=at: derived.is_paused(d, at), derived.paused_q(at)
        )
        assert python == sql, at
        python, sql = python_and_sql(
            lambda d, at=at: derived.is_running(d, at), derived.running_q(at)
        )
        assert python == sql, at


@pytest.mark.parametrize("rule", list(OverdueRule))
@pytest.mark.parametrize("reporting", [False, True], ids=["current due", "reporting due"])
def test_overdue_agrees_with_its_sql_twin(table, rule, reporting) -> None:
    for at in MOMENTS:
        python, sql = python_and_sql(
            lambda d, at=at: derived.is_overdue(d, at=at, rule=rule, reporting=reporting),
            derived.overdue_q(at=at, rule=rule, reporting=reporting),
        )
        assert python == sql, at


def test_the_table_holds_the_cases_each_rule_decides(table) -> None:
    """The table is worth testing: the cases where the definitions differ are in it."""
    code = {name: table.fresh(name).code for name in table.d}

    def overdue(at: datetime, rule: OverdueRule, reporting: bool = False) -> set[str]:
        found = Dossier.objects.filter(derived.overdue_q(at=at, rule=rule, reporting=reporting))
        return set(found.values_list("code", flat=True))

    stamp = overdue(vn(2025, 6, 2, 10), OverdueRule.TIMESTAMP)
    day = overdue(vn(2025, 6, 2, 10), OverdueRule.DAY)
    assert code["due_today"] in stamp and code["due_today"] not in day
    assert code["late_same_day"] in stamp and code["late_same_day"] not in day
    assert code["paused_late"] in stamp and code["paused"] not in stamp
    assert code["overdue"] in stamp and code["late"] in stamp and code["early"] not in stamp
    assert code["resumed"] in stamp and code["restarted"] not in stamp
    # the apology moved "extended" to 4 June; the reports still count its original due
    assert code["extended"] not in stamp
    assert code["extended"] in overdue(vn(2025, 6, 2, 10), OverdueRule.DAY, reporting=True)
    assert code["due_today"] not in overdue(vn(2025, 6, 3), OverdueRule.DAY)  # as a report to 2/6
    assert code["due_today"] in overdue(vn(2025, 6, 3, 0, 1), OverdueRule.DAY)


def test_little_time_left_agrees_with_its_sql_twin(table) -> None:
    units = Unit.objects.filter(path__startswith="AH/").values_list("pk", flat=True)
    groups = calendar_groups(units)
    by_unit = {unit: calendar for calendar, ids in groups for unit in ids}
    for at in MOMENTS:
        for minutes in (None, 60, 3 * 480):
            python, sql = python_and_sql(
                lambda d, at=at, m=minutes: derived.has_little_time_left(
                    d, at, by_unit[d.receiving_unit_id], m
                ),
                derived.little_time_left_q(at, groups, minutes),
            )
            assert python == sql, (at, minutes)


def test_time_left_is_counted_on_the_unit_calendar_and_stands_still_while_paused(table) -> None:
    paused = table.fresh("paused")
    calendar = calendar_for(paused.receiving_unit)
    monday, tuesday = vn(2025, 6, 2, 9), vn(2025, 6, 3, 9)
    assert derived.time_left(paused, monday, calendar) == derived.time_left(
        paused, tuesday, calendar
    )
    running = table.fresh("running")
    assert (
        derived.time_left(running, monday, calendar) - derived.time_left(running, tuesday, calendar)
        == calendar.day_minutes
    )


def test_time_used_agrees_with_the_recorded_working_days_used(table) -> None:
    ended = Dossier.objects.filter(ended_at__isnull=False).prefetch_related("pauses")
    recorded = dict(
        Dossier.objects.filter(ended_at__isnull=False)
        .annotate(used=derived.working_days_used_expression())
        .values_list("code", "used")
    )
    assert len(recorded) == 4
    for dossier in ended:
        assert derived.working_days_used(dossier, vn(2025, 7, 1)) == recorded[dossier.code]
