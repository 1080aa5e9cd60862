"""The Decision 766 indicators mean what they say: no value (and no points) where there is
nothing to divide by, numbers rounded where they are shown, and behind every numerator and
denominator the list of the dossiers or ratings it counts (tests/reports/history.py)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from motcua.catalog.models import Unit
from motcua.reports import drilldown
from motcua.reports.figures import ReportSpec
from motcua.reports.formats import render
from motcua.reports.indicators import (
    Indicator,
    Term,
    compute_indicators,
    dossier_aggregates,
    texts,
)
from motcua.reports.pdf import context
from motcua.reports.report import Report, build_report
from tests.reports.history import History

pytestmark = pytest.mark.django_db

MARCH = (date(2025, 3, 1), date(2025, 3, 31))
EMPTY = (date(2024, 1, 1), date(2024, 1, 31))


def report(unit: str = "AH", period: tuple[date, date] = MARCH, by: str | None = None) -> Report:
    return build_report(ReportSpec(Unit.objects.get(code=unit), *period), by)


def indicators(unit: str = "AH", period: tuple[date, date] = MARCH) -> dict[str, Indicator]:
    return {i.id: i for i in compute_indicators(report(unit, period))}


# --- no denominator, no value ----------------------------------------------------------------


def test_satisfaction_without_any_rating_has_no_value_and_no_points(march: History) -> None:
    """The commune's committee decided X2 (on time, five on the spot) and nobody rated it:
    nothing says whether anyone was dissatisfied, so 5.4 is not 100 % and earns no points."""
    found = indicators("AH-X01-UBND")["5.4"]
    late, rated = found.ratios
    assert (late.numerator.value, late.denominator.value) == (0, 1)
    assert (rated.numerator.value, rated.denominator.value) == (0, 0)
    assert found.value is None and found.points is None
    shown = texts(found)
    assert shown["value_text"] == "—" and shown["points_text"] == "—"
    assert shown["reached"] is False


def test_an_empty_period_has_no_indicator_value(march: History) -> None:
    found = indicators(period=EMPTY)
    for indicator in found.values():
        assert indicator.value is None, indicator.id
        assert indicator.points is None, indicator.id
        if indicator.available:
            assert texts(indicator)["value_text"] == "—", indicator.id
    assert texts(found["5.4"])["points_text"] == "—"


# --- rounded where shown ---------------------------------------------------------------------


def test_the_average_time_is_shown_rounded(march: History) -> None:
    average = indicators()["2.2"]
    assert average.numerator == sum(
        drilldown.dossiers(report().spec, "indicator.timed").values_list(
            "working_days_used", flat=True
        )
    )
    shown = texts(average)
    assert re.fullmatch(r"\d+,\d\d", shown["numerator_text"]), shown["numerator_text"]
    assert shown["numerator_text"] == f"{average.numerator:.2f}".replace(".", ",")
    assert re.fullmatch(r"\d+,\d\d ngày", shown["value_text"]), shown["value_text"]


# --- every numerator and denominator has its list ---------------------------------------------


def listed(spec: ReportSpec, term: Term) -> int | Decimal:
    """What the list behind `term` adds up to: its size, or the sum it is made of."""
    if term.ratings:
        return drilldown.ratings(spec, term.key).count()
    found = drilldown.dossiers(spec, term.key)
    if term.sums:
        return sum(found.values_list(term.sums, flat=True))
    return found.count()


@pytest.mark.parametrize("unit", ["AH", "AH-X01", "AH-CAT-PV06"])
def test_each_indicator_lists_what_it_counts(march: History, unit: str) -> None:
    chosen = report(unit)
    found = compute_indicators(chosen)
    terms = [term for i in found for ratio in i.ratios for term in ratio]
    assert {i.id for i in found if i.ratios} == {
        "2.1",
        "2.2",
        "3.3",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "5.4",
    }
    for term in terms:
        assert listed(chosen.spec, term) == term.value, (unit, term.key)
    ratings = [term for term in terms if term.ratings]
    assert {term.key for term in ratings} == {"indicator.disliked", "indicator.rated"}


def test_the_dislikes_are_the_ratings_with_the_lowest_answers(march: History) -> None:
    spec = report().spec
    disliked = list(drilldown.ratings(spec, "indicator.disliked"))
    assert [rating.unit.code for rating in disliked] == ["AH-X01"]
    assert drilldown.ratings(spec, "indicator.rated").count() == 5


def test_an_unknown_list_is_refused(march: History) -> None:
    from motcua.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        drilldown.ratings(report().spec, "resolved.total")
    with pytest.raises(ValidationFailed):
        drilldown.dossiers(report().spec, "indicator.rated")


# --- the printed forms -------------------------------------------------------------------------


def test_the_workbook_and_the_pdf_show_no_value_as_a_dash(march: History) -> None:
    empty = report(period=EMPTY, by="agency")
    sheet = load_workbook(BytesIO(render(empty, "xlsx")))["Chỉ số 766"]
    rows = {sheet[f"A{row}"].value: row for row in range(4, 13)}
    assert sheet["A4"].value == "2.1" and sheet["F4"].value == '=IF(E4=0,"—",ROUND(D4/E4*100,2))'
    assert sheet[f"F{rows['5.4']}"].value == "—"
    assert sheet[f"J{rows['5.4']}"].value.endswith(',"—")')
    printed = {i["id"]: i for i in context(empty)["indicators"]}
    assert printed["2.1"]["value_text"] == "—" and printed["5.4"]["points_text"] == "—"
    assert "N/A" not in str(printed)


def test_the_workbook_and_the_pdf_show_the_rounded_numbers(march: History) -> None:
    chosen = report(by="agency")
    average = next(i for i in compute_indicators(chosen) if i.id == "2.2")
    sheet = load_workbook(BytesIO(render(chosen, "xlsx")))["Chỉ số 766"]
    assert sheet["A5"].value == "2.2"
    assert sheet["D5"].value == float(round(average.numerator, 2))
    printed = {i["id"]: i for i in context(chosen)["indicators"]}
    assert printed["2.2"]["numerator_text"] == texts(average)["numerator_text"]
    assert printed["5.4"]["value_text"] == "58,57 %" and printed["5.4"]["points_text"] == "3,90/6"


@pytest.mark.parametrize("by", [None, "agency", "unit", "procedure"])
def test_counts_carried_by_the_report_equal_their_own_aggregate(march: History, by) -> None:
    chosen = ReportSpec(Unit.objects.get(code="AH"), date(2025, 3, 1), date(2025, 3, 31))
    plain = build_report(chosen, by)
    carried = build_report(chosen, by, extra=dossier_aggregates(chosen))
    assert set(dossier_aggregates(chosen)) <= set(carried.extra) and not plain.extra
    with CaptureQueriesContext(connection) as queries:
        from_report = compute_indicators(carried)
    assert not any(
        'FROM "dossiers_dossier"' in q["sql"]
        and "COUNT(" in q["sql"].upper()
        and "procedure_code" not in q["sql"]  # 2.2's average per procedure is its own query
        for q in queries.captured_queries
    )
    assert [i.as_dict() for i in from_report] == [i.as_dict() for i in compute_indicators(plain)]
    assert any(i.value is not None for i in from_report)
