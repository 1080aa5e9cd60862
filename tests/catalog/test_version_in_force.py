"""The version in force on a day: one rule, read in SQL (`in_force_on`) and in Python
(`ProcedureVersion.is_in_force`), by the counter, the API, the imports and the intake page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from motcua.catalog.models import ProcedureVersion, in_force_on
from tests.conftest import version_of

DAYS = [date(2024, 12, 31), date(2025, 1, 1), date(2025, 6, 30), date(2025, 7, 1), date(2030, 1, 1)]


@pytest.mark.usefixtures("catalogue")
def test_the_sql_twin_agrees_with_the_python_rule_on_every_boundary() -> None:
    first = version_of("1.001612")
    first.effective_from, first.effective_to = date(2025, 1, 1), date(2025, 6, 30)
    first.save(update_fields=["effective_from", "effective_to"])
    versions = list(ProcedureVersion.objects.all())
    for day in [*DAYS, first.effective_from - timedelta(days=1)]:
        in_sql = set(ProcedureVersion.objects.filter(in_force_on(day)).values_list("pk", flat=True))
        in_python = {v.pk for v in versions if v.is_in_force(day)}
        assert in_sql == in_python, day
    assert first.is_in_force(date(2025, 1, 1)) and first.is_in_force(date(2025, 6, 30))
    assert not first.is_in_force(date(2024, 12, 31)) and not first.is_in_force(date(2025, 7, 1))
    assert first.procedure.current_version(on=date(2025, 7, 1)) != first
