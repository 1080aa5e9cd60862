"""Reports on imported history: a motcua.dossiers/1 file whose April 2021 answers are known,
imported with `motcua import dossiers`, reported with `motcua report`. Carried-over, paused,
returned and withdrawn dossiers, dossiers of the sub-unit (counted with sub-units only) and
dossiers that ended before or arrived after the period (counted nowhere)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command

from tests.integrations.helpers import run_import, write_lines

pytestmark = pytest.mark.django_db

PROVINCE = "000.00.01.H99"  # AH's identity code
COMMUNE = "000.01.01.H99"  # AH-X01's
CRIMINAL_RECORD = "3.000333"  # received at AH, 10 working days
RESIDENCE = "1.004222"  # received at AH-X01, 7 working days


def at(day: str, time: str = "09:00") -> str:
    return f"2021-{day}T{time}:00+07:00"


def line(
    name: str, received: str, due: str, *events: dict[str, Any], unit: str = "AH", **extra: Any
) -> dict[str, Any]:
    prefix, procedure = (COMMUNE, RESIDENCE) if unit == "AH-X01" else (PROVINCE, CRIMINAL_RECORD)
    day = received[2:4] + received[5:7] + received[8:10]
    return {
        "code": f"{prefix}-{day}-{NUMBERS[name]:04d}",
        "procedure": procedure,
        "received_by": unit,
        "channel": extra.pop("channel", "counter"),
        "applicant": {"name": f"Người nộp {name}"},
        "events": [{"type": "received", "at": received, "due_at": due}, *events],
        **extra,
    }


NUMBERS = {name: i for i, name in enumerate("ABCDEFGHIX", start=1)}


def history() -> list[dict[str, Any]]:
    resolved = "resolved"
    return [
        # carried over from March, resolved early
        line("A", at("03-22"), at("04-05"), {"type": resolved, "at": at("04-02", "10:00")}),
        # carried over, asked for a supplement on 1 April that never came: awaiting supplement
        line(
            "B",
            at("03-29"),
            at("04-12"),
            {"type": "supplement_requested", "at": at("04-01"), "reason": "Thiếu tờ khai"},
        ),
        # received in April, returned unresolved
        line(
            "C",
            at("04-05"),
            at("04-19"),
            {"type": "returned_unresolved", "at": at("04-08"), "reason": "Không đủ điều kiện"},
        ),
        # online, resolved late, result by post
        line(
            "D",
            at("04-06"),
            at("04-20"),
            {"type": resolved, "at": at("04-22", "10:00")},
            {"type": "result_delivered", "at": at("04-23"), "via": "postal"},
            channel="online",
        ),
        # by post; paused 8-12 April, due moves by two working days (to 23 or 26 April),
        # still open on 30 April: pending overdue
        line(
            "E",
            at("04-07"),
            at("04-21"),
            {"type": "supplement_requested", "at": at("04-08"), "reason": "Thiếu ảnh"},
            {"type": "supplement_received", "at": at("04-12")},
            {"type": resolved, "at": at("05-05")},
            channel="postal",
        ),
        # open, due in May: pending within time
        line("F", at("04-28"), at("05-13")),
        # withdrawn the day it came
        line("G", at("04-09"), at("04-23"), {"type": "withdrawn", "at": at("04-09", "15:00")}),
        # ended in February: no figure
        line("H", at("02-01"), at("02-19"), {"type": resolved, "at": at("02-10")}),
        # received in May: no figure
        line("I", at("05-04"), at("05-18")),
        # the commune's, resolved on the due day: on time
        line(
            "X",
            at("04-06"),
            at("04-15"),
            {"type": resolved, "at": at("04-15", "16:00")},
            unit="AH-X01",
        ),
    ]


def report(capsys, unit: str, *options: str) -> dict[str, Any]:
    call_command("report", "--unit", unit, "--from", "2021-04-01", "--to", "2021-04-30", *options)
    return json.loads(capsys.readouterr().out)


def figures(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("carried_over", "received", "to_process", "resolved", "returned", "pending")
    return {key: data[key] for key in keys} | {"post": data["results_by_post"]}


def test_the_report_of_an_imported_history(catalogue, tmp_path, capsys) -> None:
    path = write_lines(tmp_path / "april.jsonl", history())
    summary, _ = run_import("dossiers", path, capsys, "--strict")
    assert summary["imported"] == 10 and summary["rejected"] == 0
    province = report(capsys, "AH")
    assert figures(province) == {
        "carried_over": 2,  # A, B
        "received": {"total": 6, "counter": 4, "online": 1, "postal": 1},  # C D E F G X
        "to_process": 8,
        "resolved": {"total": 3, "early": 1, "on_time": 1, "late": 1},  # A, X, D
        "returned": {"total": 2, "unresolved": 1, "withdrawn": 1},  # C, G
        "pending": {"total": 3, "within_time": 1, "overdue": 1, "awaiting_supplement": 1},
        "post": 1,  # D
    }
    assert province["balanced"] is True
    alone = report(capsys, "AH", "--no-subunits")  # without the commune's X
    assert alone["received"] == {"total": 5, "counter": 3, "online": 1, "postal": 1}
    assert alone["resolved"] == {"total": 2, "early": 1, "on_time": 0, "late": 1}
    assert alone["to_process"] == 7 and alone["balanced"] is True
    commune = report(capsys, "AH-X01")
    assert commune["carried_over"] == 0 and commune["received"]["total"] == 1
    assert commune["resolved"] == {"total": 1, "early": 0, "on_time": 1, "late": 0}
    # importing the same file again changes no figure
    again, _ = run_import("dossiers", path, capsys)
    assert again["imported"] == 0 and again["skipped"] == 10
    assert figures(report(capsys, "AH")) == figures(province)


def test_a_merge_leaves_the_reports_of_past_periods_as_they_were(catalogue, tmp_path, capsys):
    """AH-X01 merges into AH-P02 on 10 May 2021, after April. Its April dossiers — X, closed,
    and Y, received on 20 April and still open — keep counting under AH-X01 in April (the
    unit that did the work), with every report of April unchanged; from May, Y is the open
    work of AH-P02."""
    from datetime import date

    from motcua.catalog.models import Unit
    from motcua.catalog.units import merge_unit
    from motcua.dossiers.models import Dossier
    from motcua.reports.drilldown import dossiers
    from motcua.reports.figures import ReportSpec, Scope
    from motcua.reports.report import build_report

    transferred = {"type": "transferred", "at": at("04-20", "14:00")}
    open_y = line("X", at("04-20"), at("04-29"), transferred, unit="AH-X01")
    open_y |= {"code": f"{COMMUNE}-210420-0001", "applicant": {"name": "Người nộp Y"}}
    lines = [*history(), open_y]
    summary, err = run_import("dossiers", write_lines(tmp_path / "a.jsonl", lines), capsys)
    assert summary["imported"] == 11, err

    def reports(start: date, end: date) -> dict:
        found = {}
        for code in ("AH", "AH-X01", "AH-P02", "AH-X01-CA", "AH-P02-CA"):
            unit = Unit.objects.get(code=code)
            for scope in Scope:
                spec = ReportSpec(unit=unit, start=start, end=end, scope=scope)
                found[code, scope] = build_report(spec, by="unit").as_dict()
        return found

    april = (date(2021, 4, 1), date(2021, 4, 30))
    before = reports(*april)
    assert before["AH-X01", Scope.RECEIVED]["received"]["total"] == 2  # X and Y
    assert before["AH-X01", Scope.RECEIVED]["pending"]["total"] == 1  # Y

    for part in ("UBND", "CA", "QS"):
        merge_unit(
            Unit.objects.get(code=f"AH-X01-{part}"),
            into=Unit.objects.get(code=f"AH-P02-{part}"),
            by=None,
            on=date(2021, 5, 10),
        )
    merge_unit(
        Unit.objects.get(code="AH-X01"),
        into=Unit.objects.get(code="AH-P02"),
        by=None,
        on=date(2021, 5, 10),
    )
    moved = Dossier.objects.get(code=open_y["code"])
    assert (moved.receiving_unit.code, moved.agency.code) == ("AH-P02", "AH-P02-CA")

    assert reports(*april) == before  # totals and the rows by unit alike
    # and the dossiers behind April's figures are the same ones
    province = ReportSpec(unit=Unit.objects.get(code="AH"), start=april[0], end=april[1])
    pending = dossiers(province, "pending.total", by="unit", group="AH-X01")
    assert [d.code for d in pending] == [open_y["code"]]
    assert not dossiers(province, "pending.total", by="unit", group="AH-P02").exists()
    may = reports(date(2021, 5, 1), date(2021, 5, 31))
    assert may["AH-P02", Scope.RECEIVED]["carried_over"] == 1  # Y, now the survivor's to finish
    assert may["AH-X01", Scope.RECEIVED]["carried_over"] == 0
    assert may["AH-P02-CA", Scope.DECIDED]["pending"]["total"] == 1
