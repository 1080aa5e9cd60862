"""`motcua report` prints motcua.report/1 (exactly the contract's keys); bad input exits 2 with
a stable code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.reports.history import History
from tests.reports.test_figures import EXPECTED_AH, NINE_CRITERIA_UNANSWERED, without_sections

pytestmark = pytest.mark.django_db

MARCH = ["--unit", "AH", "--from", "2025-03-01", "--to", "2025-03-31"]

# The example of docs/interchange/report.md#example, keys only.
CONTRACT = {
    "format": None, "unit": None, "include_subunits": None, "scope": None, "from": None,
    "to": None,
    "carried_over": None,
    "received": {"total": None, "counter": None, "online": None, "postal": None},
    "received_online": {"national_portal": None, "own_portal": None, "counter_assisted": None,
                        "unrecorded": None},
    "to_process": None,
    "resolved": {"total": None, "early": None, "on_time": None, "late": None},
    "returned": {"total": None, "unresolved": None, "withdrawn": None},
    "pending": {"total": None, "within_time": None, "overdue": None, "awaiting_supplement": None},
    "balanced": None,
    "results_by_post": None,
    "online_service": {
        "resolved": {"total": None, "early": None, "on_time": None, "late": None},
        "resolved_submitted_online": None,
    },
    "five_on_spot": {"resolved": {"total": None, "early": None, "on_time": None, "late": None}},
    "ratings": {"total": None, "overall": None, "attitude": None,
                **dict.fromkeys(NINE_CRITERIA_UNANSWERED)},
    "ratings_positive": None,
    "ratings_by_unit": None,
    "visits": {"tickets": None, "served": None, "no_show": None, "guidance_only": None,
               "to_dossier": None, "collect_result": None,
               "waiting_minutes": {"count": None, "median": None, "p90": None},
               "service_minutes": {"count": None, "median": None, "p90": None},
               "by_day": None, "by_hour": None, "by_group": None, "by_counter": None},
    "rows": None,
}  # fmt: skip


def shape(data: object, template: object) -> object:
    """`data` reduced to its keys where `template` has nested keys."""
    if isinstance(template, dict) and isinstance(data, dict):
        return {k: shape(v, template.get(k)) for k, v in data.items()}
    return None


def run(capsys, *args: str) -> dict:
    call_command("report", *args)
    return json.loads(capsys.readouterr().out)


def test_the_json_has_exactly_the_contracts_keys(march: History, capsys) -> None:
    data = run(capsys, *MARCH)
    contract = CONTRACT | {"ratings": CONTRACT["ratings"] | {"waiting": None}}
    assert shape(data, contract) == contract
    assert list(data) == list(CONTRACT)  # in the contract's order
    assert without_sections(data) == EXPECTED_AH
    assert set(data["ratings"]["overall"]) == {
        "very_satisfied", "satisfied", "neutral", "dissatisfied"
    }  # fmt: skip


def test_options_rows_rule_and_output_file(march: History, capsys, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    args = [*MARCH, "--by", "procedure", "--rule", "timestamp", "--no-subunits"]
    call_command("report", *args, "--output", str(out), "--format", "json")
    assert capsys.readouterr().out == ""
    text = out.read_text(encoding="utf-8")
    assert "Cấp Phiếu" in text  # ensure_ascii=False: Vietnamese stays readable
    data = json.loads(text)
    assert data["include_subunits"] is False
    # F1 (same day, due 17:00, ended 11:00) is on time under the timestamp rule
    assert data["resolved"] == {"total": 11, "early": 6, "on_time": 1, "late": 4}
    assert [row["key"] for row in data["rows"]] == ["3.000333", "3.000465"]
    head = {"format", "unit", "include_subunits", "scope", "from", "to", "ratings"}
    head |= {"ratings_positive", "ratings_by_unit", "visits"}
    row_keys = set(CONTRACT) - head
    assert set(data["rows"][0]) == row_keys - {"rows"} | {"key", "name"}


def test_refusals_as_returned(march: History, capsys) -> None:
    data = run(capsys, *MARCH, "--denied-as-returned")
    assert data["returned"]["unresolved"] == 2


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--unit", "AH", "--from", "2025-04-01", "--to", "2025-03-31"], "invalid_period"),
        (["--unit", "NOPE", "--from", "2025-03-01", "--to", "2025-03-31"], "unknown_unit"),
        (["--unit", "AH", "--from", "2025-02-30", "--to", "2025-03-31"], "invalid_date"),
        (["--unit", "AH", "--from", "01/03/2025", "--to", "2025-03-31"], "invalid_date"),
        (["--unit", "AH", "--from", "2025-03-01", "--to", "20250331"], "invalid_date"),
        (["--unit", "AH", "--from", "2025-03-01"], "period_missing"),
        (["--unit", "AH", "--period", "2025-03", "--from", "2025-03-01"], "period_twice"),
        (["--unit", "AH", "--period", "2025-13"], "invalid_period"),
        (["--unit", "AH", "--period", "2025-Q5"], "invalid_period"),
        (["--unit", "AH", "--period", "March"], "invalid_period"),
    ],
)
def test_bad_input_exits_with_a_code(catalogue, capsys, args, code) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("report", *args)
    assert str(caught.value).startswith(f"{code}:")
    assert caught.value.returncode == 2
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("period", "convention", "dates"),
    [
        ("2025-03", "calendar", ("2025-03-01", "2025-03-31")),
        ("2025-03", "day15", ("2025-02-15", "2025-03-14")),
        ("2025-Q1", "calendar", ("2025-01-01", "2025-03-31")),
        ("2025-H2", "calendar", ("2025-07-01", "2025-12-31")),
        ("2025-9M", "calendar", ("2025-01-01", "2025-09-30")),
        ("2025", "day15", ("2024-12-15", "2025-12-14")),
    ],
)
def test_a_named_period_under_either_convention(
    catalogue, capsys, period: str, convention: str, dates: tuple[str, str]
) -> None:
    data = run(capsys, "--unit", "AH", "--period", period, "--convention", convention)
    assert (data["from"], data["to"]) == dates


def test_the_march_period_is_the_march_dates(march: History, capsys) -> None:
    assert without_sections(run(capsys, "--unit", "AH", "--period", "2025-03")) == EXPECTED_AH


def test_an_agency_reports_what_it_decides_as_the_dashboard_does(march: History, capsys) -> None:
    """An agency has no counter: its report is the dossiers it decides (the dashboard's and
    the downloads' scope), and the document says which scope it used."""
    data = run(capsys, "--unit", "AH-CAT-PV06", "--period", "2025-03")
    assert data["scope"] == "decided"
    assert data["received"]["total"] == 14 and data["carried_over"] == 4
    assert data["resolved"] == {"total": 10, "early": 6, "on_time": 2, "late": 2}
    assert data["balanced"] is True
    commune = run(capsys, "--unit", "AH-X01", "--period", "2025-03")
    assert commune["scope"] == "received" and commune["received"]["total"] == 2
