"""The March 2025 report of the demo province, every figure known in advance
(tests/reports/history.py says what each dossier must count as)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.calendars.services import calendar_for
from motcua.catalog.models import Unit
from motcua.core.errors import ValidationFailed
from motcua.reports import drilldown
from motcua.reports.figures import FIGURES, KEYS, Figures, ReportSpec, Scope, compute, scope_for
from motcua.reports.report import build_report
from motcua.reports.rows import Grouping
from motcua.workflow.classification import ClassificationRule, classify
from tests.conftest import vn
from tests.reports.history import History, people

pytestmark = pytest.mark.django_db

MARCH = (date(2025, 3, 1), date(2025, 3, 31))
DAY, HALF, STAMP = (
    ClassificationRule.DAY,
    ClassificationRule.HALF_SESSION,
    ClassificationRule.TIMESTAMP,
)


def spec(unit: str = "AH", period: tuple[date, date] = MARCH, **options) -> ReportSpec:
    return ReportSpec(Unit.objects.get(code=unit), *period, **options)


def split(total: int, early: int, on_time: int, late: int) -> dict[str, int]:
    return {"total": total, "early": early, "on_time": on_time, "late": late}


# the built-in nine criteria (feedback/migrations/0005), every answer listed with its zero
NINE_CRITERIA_UNANSWERED = {
    f"one_stop.{code}": {"2": 0, "1": 0, "0": 0}
    for code in (
        "c1_total_time", "c2_agency_time", "c3_contacts", "c4_agencies", "c5_one_stop",
        "c6_attitude", "c7_publicity", "c8_feedback", "c9_online",
    )
}  # fmt: skip
# the sections added beside the figures and the ratings' counts (tested in tests/feedback)
SECTIONS = ("ratings_positive", "ratings_by_unit", "ratings_by_officer", "visits")


def without_sections(report: dict) -> dict:
    return {key: value for key, value in report.items() if key not in SECTIONS}


EXPECTED_AH = {
    "format": "motcua.report/1",
    "unit": "AH",
    "include_subunits": True,
    "scope": "received",
    "from": "2025-03-01",
    "to": "2025-03-31",
    # C1, C2, C3, X3, B0
    "carried_over": 5,
    "received": {"total": 17, "counter": 13, "online": 3, "postal": 1},
    # R7 from the national portal, R11 from the province's own, B2 with no source recorded
    "received_online": {
        "national_portal": 1,
        "own_portal": 1,
        "counter_assisted": 0,
        "unrecorded": 1,
    },
    "to_process": 22,
    # early: C2 R1 R8 R11 R12 B2 X1; on time: C1 R2 F1 X2 (same-day, resolved that day);
    # late: X3 R3 R4
    "resolved": split(14, 7, 4, 3),
    "returned": {"total": 3, "unresolved": 1, "withdrawn": 2},  # R5; R6, B0
    # within: R10, B1; overdue: C3; awaiting: R7, R9
    "pending": {"total": 5, "within_time": 2, "overdue": 1, "awaiting_supplement": 2},
    "balanced": True,
    "results_by_post": 2,  # C4 (resolved in February), R1
    "online_service": {"resolved": split(13, 7, 3, 3), "resolved_submitted_online": 2},
    "five_on_spot": {"resolved": split(2, 0, 2, 0)},  # F1, X2
    "ratings": {
        "total": 5,
        "overall": {"very_satisfied": 2, "satisfied": 1, "neutral": 1, "dissatisfied": 1},
        "attitude": {"very_polite": 2, "normal": 2, "unfriendly": 1},
        **NINE_CRITERIA_UNANSWERED,
        "waiting": {"short": 1, "long": 0},
    },
    "rows": [],
}


def test_every_figure_of_the_march_report(march: History) -> None:
    assert without_sections(build_report(spec()).as_dict()) == EXPECTED_AH


def test_without_subunits_the_commune_is_left_out(march: History) -> None:
    report = build_report(spec(include_subunits=False)).as_dict()
    assert report["include_subunits"] is False
    assert report["carried_over"] == 4  # X3 is the commune's
    assert report["received"] == {"total": 15, "counter": 11, "online": 3, "postal": 1}
    assert report["to_process"] == 19
    assert report["resolved"] == split(11, 6, 3, 2)
    assert report["returned"] == EXPECTED_AH["returned"]
    assert report["pending"] == EXPECTED_AH["pending"]
    assert report["balanced"] is True
    assert report["online_service"] == {
        "resolved": split(11, 6, 3, 2),
        "resolved_submitted_online": 2,
    }
    assert report["five_on_spot"] == {"resolved": split(1, 0, 1, 0)}
    assert report["ratings"] == {
        "total": 3,
        "overall": {"very_satisfied": 2, "satisfied": 1, "neutral": 0, "dissatisfied": 0},
        "attitude": {"very_polite": 2, "normal": 1, "unfriendly": 0},
        **NINE_CRITERIA_UNANSWERED,
        "waiting": {"short": 1, "long": 0},
    }


def test_the_commune_alone(march: History) -> None:
    report = build_report(spec("AH-X01")).as_dict()
    assert report["carried_over"] == 1
    assert report["received"] == {"total": 2, "counter": 2, "online": 0, "postal": 0}
    assert report["resolved"] == split(3, 1, 1, 1)
    assert report["pending"]["total"] == 0 and report["balanced"] is True
    assert report["online_service"]["resolved"] == split(2, 1, 0, 1)  # X2 has no online service
    assert report["ratings"]["total"] == 1
    assert report["ratings"]["overall"]["dissatisfied"] == 1


def test_a_written_refusal_may_count_as_returned(march: History) -> None:
    report = build_report(spec(count_denied_as_resolved=False)).as_dict()
    assert report["resolved"] == split(13, 6, 4, 3)  # R12 leaves the early ones
    assert report["returned"] == {"total": 4, "unresolved": 2, "withdrawn": 2}
    assert report["online_service"]["resolved"] == split(12, 6, 3, 3)
    assert report["balanced"] is True


@pytest.mark.parametrize(
    ("rule", "resolved"),
    [
        (DAY, split(14, 7, 4, 3)),
        # C1 (due 3 Mar 09:00, ended 10:00) and R2 (due 17 Mar 10:00, ended 16:00) are late
        (STAMP, split(14, 7, 2, 5)),
        # F1 and X2 (due 17:00, ended in the morning) are early by the half-session rule
        (HALF, split(14, 9, 0, 5)),
    ],
)
def test_the_rule_changes_only_the_classification(march: History, rule, resolved) -> None:
    report = build_report(spec(rule=rule)).as_dict()
    assert report["resolved"] == resolved
    assert report["to_process"] == 22 and report["balanced"] is True


@pytest.mark.parametrize("rule", list(ClassificationRule))
def test_sql_classification_agrees_with_classify(march: History, rule) -> None:
    chosen = spec(rule=rule)
    for kind in ("early", "on_time", "late"):
        for dossier in drilldown.dossiers(chosen, f"resolved.{kind}").select_related(
            "receiving_unit"
        ):
            assert kind == classify(
                ended_at=dossier.ended_at,
                due_at=dossier.due_at_original or dossier.due_at,
                rule=rule,
                calendar=calendar_for(dossier.receiving_unit),
            ), dossier.code


def test_the_original_due_is_used_after_an_apology(march: History) -> None:
    r4 = march.fresh("R4")
    assert r4.due_at == vn(2025, 3, 26, 17) and r4.due_at_original == vn(2025, 3, 19, 9)
    late = drilldown.dossiers(spec(), "resolved.late")
    assert r4 in late


def test_a_supplement_moves_the_due_and_is_seen_at_period_end(march: History) -> None:
    assert march.fresh("R8").due_at == vn(2025, 3, 26, 10)
    assert march.fresh("R8") in drilldown.dossiers(spec(), "resolved.early")
    waiting = set(drilldown.dossiers(spec(), "pending.awaiting_supplement"))
    assert waiting == {march.fresh("R7"), march.fresh("R9")}  # R9's papers came on 2 April
    april = spec(period=(date(2025, 4, 1), date(2025, 4, 30)))
    assert set(drilldown.dossiers(april, "pending.awaiting_supplement")) == {march.fresh("R7")}


# --- docs/domain/legal-clock.md#classification: due 16 May 2025 15:30 ------------------


@pytest.fixture
def e8(counter_officer, commune_officer, agency_leader) -> History:
    from tests.reports.history import people

    history = people(counter_officer, commune_officer, agency_leader)
    ends = {
        "day_before": vn(2025, 5, 15, 10),
        "due_day_morning": vn(2025, 5, 16, 9),
        "due_day_16_40": vn(2025, 5, 16, 16, 40),
        "next_working_day": vn(2025, 5, 19, 8),
    }
    for name, ended in ends.items():
        history.receive(name, vn(2025, 4, 29, 15, 30))  # E2: due 16 May 2025 15:30
        assert history.d[name].due_at == vn(2025, 5, 16, 15, 30)
        history.resolve(name, ended)
    return history


@pytest.mark.parametrize(
    ("rule", "resolved"),
    [
        (DAY, split(4, 1, 2, 1)),  # 16:40 on the due day is on time by day
        (STAMP, split(4, 1, 1, 2)),  # …and late by the timestamp (766)
        (HALF, split(4, 2, 0, 2)),  # the morning of the due day is before its session
    ],
)
def test_e8_under_each_rule(e8: History, rule, resolved) -> None:
    may = spec(period=(date(2025, 5, 1), date(2025, 5, 31)), rule=rule)
    assert build_report(may).as_dict()["resolved"] == resolved
    by_name = {d.pk: name for name, d in e8.d.items()}
    for kind in ("early", "on_time", "late"):
        for dossier in drilldown.dossiers(may, f"resolved.{kind}"):
            expected = classify(
                ended_at=dossier.ended_at,
                due_at=dossier.due_at,
                rule=rule,
                calendar=calendar_for(dossier.receiving_unit),
            )
            assert kind == expected, by_name[dossier.pk]
    late_16_40 = e8.fresh("due_day_16_40")
    assert (late_16_40 in drilldown.dossiers(may, "resolved.late")) is (rule != DAY)


def test_half_session_follows_the_units_own_sessions(e8: History) -> None:
    # With a single all-day session the due (15:30) belongs to the session starting 07:30:
    # 09:00 is no longer before it.
    Unit.objects.filter(code="AH").update(sessions="07:30-16:30")
    may = spec(period=(date(2025, 5, 1), date(2025, 5, 31)), rule=HALF)
    assert build_report(may).as_dict()["resolved"] == split(4, 1, 1, 2)


# --- traceability and rows -----------------------------------------------------------------

SPECS = [
    {},
    {"include_subunits": False},
    {"rule": STAMP},
    {"rule": HALF},
    {"count_denied_as_resolved": False},
]


@pytest.mark.parametrize("options", SPECS)
def test_every_figure_equals_its_drilldown(march: History, options) -> None:
    chosen = spec(**options)
    figures = compute(chosen)
    assert set(figures.counts) == set(KEYS)
    for key in KEYS:
        assert drilldown.dossiers(chosen, key).count() == figures[key], key


@pytest.mark.parametrize("by", list(Grouping))
def test_rows_add_up_to_the_totals_and_to_their_drilldowns(march: History, by) -> None:
    chosen = spec()
    report = build_report(chosen, by)
    assert report.rows and report.balanced
    # the totals come from the same GROUP BY: equal to the one aggregate without groups
    assert report.figures.counts == compute(chosen).counts
    for key in FIGURES:
        assert sum(row.figures[key] for row in report.rows) == report.figures[key], key
    for row in report.rows:
        for key in FIGURES:
            count = drilldown.dossiers(chosen, key, by=by, group=row.key).count()
            assert count == row.figures[key], (row.key, key)


def test_the_rows_by_agency_unit_and_procedure(march: History) -> None:
    keys = {
        by: [row.key for row in build_report(spec(), by).rows]
        for by in ("agency", "unit", "procedure")
    }
    assert keys == {
        "agency": ["AH-CAT-PV06", "AH-SGDDT", "AH-X01-CA", "AH-X01-UBND"],
        "unit": ["AH", "AH-X01"],
        "procedure": ["1.004222", "2.000815", "3.000333", "3.000465"],
    }
    unit_rows = build_report(spec(), "unit").as_dict()["rows"]
    assert unit_rows[1]["key"] == "AH-X01" and unit_rows[1]["name"].startswith("Trung tâm")
    assert unit_rows[1]["resolved"] == split(3, 1, 1, 1)
    assert "ratings" not in unit_rows[1]


def selects(queries: CaptureQueriesContext) -> int:
    # a server-side cursor (PostgreSQL, `.iterator()`) reads with DECLARE … FOR SELECT
    return sum(
        1 for q in queries.captured_queries if q["sql"].lstrip().startswith(("SELECT", "DECLARE"))
    )


def test_one_query_for_the_figures(march: History) -> None:
    chosen = spec()
    with CaptureQueriesContext(connection) as queries:
        compute(chosen)
    # the units in scope and whether a merge moved dossiers since the period (each read once
    # per spec), the aggregate
    assert selects(queries) == 3
    with CaptureQueriesContext(connection) as queries:
        compute(chosen)
    assert selects(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        build_report(chosen, "agency")
    # rows with the totals, row names, scales, ratings, ratings by unit, the hall's tickets
    assert selects(queries) == 6
    half = spec(rule=HALF)
    with CaptureQueriesContext(connection) as queries:
        build_report(half, "procedure")
    assert selects(queries) == 9  # a new spec: + its unit ids, + moves, + the units' sessions


def test_unknown_figure_and_bad_period(march: History) -> None:
    with pytest.raises(ValidationFailed) as caught:
        drilldown.dossiers(spec(), "resolved.soon")
    assert caught.value.code == "unknown_figure"
    with pytest.raises(ValidationFailed) as caught:
        spec(period=(date(2025, 4, 1), date(2025, 3, 1)))
    assert caught.value.code == "invalid_period"


def test_a_report_that_does_not_add_up_says_which_figure_is_off() -> None:
    counts = dict.fromkeys(KEYS, 0) | {
        "carried_over": 1,
        "received.total": 2,
        "received.counter": 2,
        "to_process": 3,
        "resolved.total": 1,
        "resolved.on_time": 1,
        "pending.total": 1,
        "pending.within_time": 1,
        "ended_unclassified": 1,  # a dossier ended in a state that is no outcome
    }
    data = Figures(counts).as_dict()
    assert data["balanced"] is False
    assert data["imbalance"] == [
        {
            "figure": "to_process",
            "value": 3,
            "expected": 2,
            "difference": 1,
            "expected_from": "resolved.total + returned.total + pending.total",
            "ended_unclassified": 1,
        }
    ]


# --- an agency's own view: the dossiers it decides ----------------------------------------


@pytest.mark.parametrize(
    ("code", "scope"),
    [
        ("AH", Scope.RECEIVED),  # the province's centre
        ("AH-X01", Scope.RECEIVED),  # a commune's centre
        ("AH-CAT-PV06", Scope.DECIDED),  # a department's office
        ("AH-CAT", Scope.DECIDED),  # a department
        ("AH-X01-UBND", Scope.DECIDED),  # the commune's people's committee
    ],
)
def test_a_centre_reports_what_it_receives_and_an_agency_what_it_decides(
    catalogue, code: str, scope: Scope
) -> None:
    unit = Unit.objects.get(code=code)
    assert scope_for(unit) == scope
    assert spec(code).scope == scope  # unless a caller asks for the other one
    other = Scope.RECEIVED if scope == Scope.DECIDED else Scope.DECIDED
    assert spec(code, scope=other).scope == other


def test_an_agency_reports_what_it_decides_wherever_received(march: History) -> None:
    received_there = compute(spec("AH-CAT-PV06", scope=Scope.RECEIVED))
    assert received_there["received.total"] == 0  # an agency has no counter of its own
    decided = build_report(spec("AH-CAT-PV06"))
    assert decided.as_dict()["scope"] == "decided"
    # the criminal-record dossiers: B2 R1-R12 B1 received in March; C1 C2 C3 B0 carried
    assert decided.figures["received.total"] == 14 and decided.figures["carried_over"] == 4
    assert decided.balanced
    # exactly the agency's row of the centre's report
    row = next(r for r in build_report(spec(), "agency").rows if r.key == "AH-CAT-PV06")
    assert decided.figures.counts == row.figures.counts
    listed = drilldown.dossiers(spec("AH-CAT-PV06"), "received.total")
    assert listed.count() == 14 and {d.agency.code for d in listed} == {"AH-CAT-PV06"}
    commune_police = compute(spec("AH-X01-CA"))
    assert commune_police["received.total"] == 1 and commune_police["carried_over"] == 1  # X1; X3
    # ratings count through the rated dossier's agency (the March forms name no dossier)
    assert decided.ratings.total == 0


def test_a_supplement_asked_after_the_period_does_not_hide_an_overdue_dossier(
    counter_officer, commune_officer, agency_leader
) -> None:
    """Reports classify pending dossiers against today's due. That is the due they had at
    the end of any past period because a pause only moves a due it began before: a pause
    begun after the period began after a due that was already past (it moves nothing) or
    before a due still ahead (within time then, and later)."""
    h = people(counter_officer, commune_officer, agency_leader)
    h.receive("L", vn(2025, 3, 3, 9))  # due 17 March 09:00, still open on 31 March: overdue
    h.ask_supplement("L", vn(2025, 4, 2, 9))  # stopping the clock of an overdue dossier
    h.supplement_arrives("L", vn(2025, 4, 28, 9))
    assert h.d["L"].due_at == vn(2025, 3, 17, 9)  # a pause after the due moves nothing
    march = compute(spec())
    assert (march["pending.overdue"], march["pending.within_time"]) == (1, 0)
    assert [d.code for d in drilldown.dossiers(spec(), "pending.overdue")] == [h.d["L"].code]
    april = compute(spec(period=(date(2025, 4, 1), date(2025, 4, 30))))
    assert april["carried_over"] == 1 and april["pending.overdue"] == 1


@pytest.mark.parametrize("period", [MARCH, (date(2025, 2, 1), date(2025, 2, 28))])
@pytest.mark.parametrize("rule", [DAY, HALF, STAMP])
def test_counting_a_few_figures_gives_the_same_as_counting_them_all(
    march: History, period: tuple[date, date], rule: ClassificationRule
) -> None:
    from motcua.reports.figures import counts

    chosen = spec(period=period, rule=rule)
    everything = compute(chosen)
    few = ("received.total", "resolved.late", "pending.total", "received.postal")
    assert counts(chosen, few) == {key: everything[key] for key in few}
    assert counts(chosen) == {key: everything[key] for key in KEYS}


def test_dossiers_refused_or_waiting_at_reception_are_never_received(march: History) -> None:
    """carried over + received = resolved + returned + pending holds with dossiers refused at
    reception (on paper at the counter, or online) and online ones still waiting or sent back
    for completion: none of them was received, so none is counted; an online dossier accepted
    in the period is received online and pending."""
    from motcua.dossiers.actions import Applicant
    from motcua.dossiers.models import Source
    from motcua.dossiers.reception import (
        accept_dossier,
        ask_to_complete,
        refuse_at_reception,
        refuse_paper_at_counter,
        submit_online,
    )
    from tests.conftest import version_of

    before = compute(spec())
    unit, version = Unit.objects.get(code="AH"), version_of("3.000333")
    applicant = Applicant(name="Phạm Thị Dung")
    paper = refuse_paper_at_counter(
        by=march.counter, unit=unit, version=version, applicant=applicant,
        reason="Không thuộc thẩm quyền", at=vn(2025, 3, 12, 9, 0),
    )  # fmt: skip

    def online(day: int):  # type: ignore[no-untyped-def]
        return submit_online(
            procedure=version, unit=unit, applicant=applicant, source=Source.OWN_PORTAL,
            components=version.component_names()[:1], submitted_at=vn(2025, 3, day, 20, 0),
        )  # fmt: skip

    refused = refuse_at_reception(
        dossier=online(10), by=march.counter, reason="Trùng hồ sơ", at=vn(2025, 3, 11, 8, 0)
    )
    online(13)  # still waiting at the end of March
    ask_to_complete(
        dossier=online(14), by=march.counter, reason="Thiếu", items=["Tờ khai"],
        at=vn(2025, 3, 17, 8, 0),
    )  # fmt: skip
    accepted = accept_dossier(dossier=online(18), by=march.counter, at=vn(2025, 3, 19, 8, 0))
    after = compute(spec())
    assert after.balanced
    changed = {key: after[key] - before[key] for key in KEYS if after[key] != before[key]}
    assert changed == {
        "received.total": 1,
        "received.online": 1,
        "received_online.own_portal": 1,
        "to_process": 1,
        "pending.total": 1,
        "pending.within_time": 1,
    }
    assert drilldown.dossiers(spec(), "received.online").filter(pk=accepted.pk).exists()
    for key in KEYS:
        listed = drilldown.dossiers(spec(), key)
        assert not listed.filter(pk__in=[paper.pk, refused.pk]).exists(), key
        assert listed.count() == after[key], key


def test_online_dossiers_are_split_by_where_they_came_from(march: History) -> None:
    chosen = spec()
    figures = compute(chosen)
    listed = {
        source: sorted(d.code for d in drilldown.dossiers(chosen, f"received_online.{source}"))
        for source in ("national_portal", "own_portal", "counter_assisted", "unrecorded")
    }
    assert listed == {
        "national_portal": [march.d["R7"].code],
        "own_portal": [march.d["R11"].code],
        "counter_assisted": [],
        "unrecorded": [march.d["B2"].code],
    }
    # a split that does not add up to the online figure is reported, like every identity
    broken = Figures({**figures.counts, "received_online.unrecorded": 0})
    (imbalance,) = broken.imbalances()
    assert (imbalance.figure, imbalance.value, imbalance.expected) == ("received.online", 3, 2)
    assert broken.as_dict()["balanced"] is False
