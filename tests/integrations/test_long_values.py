"""An import line with a value longer than its field allows (as sent, or once normalised) is
rejected with its line number and the run goes on to its summary; a value the database
refuses anyway rolls back that line alone (a savepoint per line), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DataError

from motcua.catalog.models import Procedure, Unit
from motcua.dossiers.models import Dossier
from motcua.feedback.models import Rating
from motcua.integrations import dossiers as dossier_import
from motcua.integrations.catalogue import export_catalogue
from tests.conftest import on_postgres
from tests.integrations.helpers import code, dossier_line, run_import, write_lines

pytestmark = pytest.mark.django_db

QA = "\u0958"  # NFC: two characters


def reported(err: str) -> dict[int, str]:
    return {
        int(row.split(":", 1)[0].split()[1]): row
        for row in err.splitlines()
        if row.strip().startswith("line ")
    }


def test_dossier_lines_too_long_once_normalised_are_rejected(catalogue, tmp_path, capsys) -> None:
    lines = [
        dossier_line(1),
        dossier_line(2, applicant={"name": QA * 200}),
        dossier_line(3, applicant={"name": "An", "id_number": "ß" * 20}),
        dossier_line(4, applicant={"name": "B" * 201}),
        dossier_line(5, applicant={"name": "An", "address": "x" * 301}),
        dossier_line(6, applicant={"name": "An", "email": "no-at-sign"}),
        dossier_line(7),
    ]
    summary, err = run_import("dossiers", write_lines(tmp_path / "d.jsonl", lines), capsys)
    rows = reported(err)
    assert sorted(rows) == [2, 3, 4, 5, 6]
    assert "applicant.name" in rows[2] and "text_too_long" in rows[2]
    assert "applicant.id_number" in rows[3]
    assert "applicant.name" in rows[4]
    assert "applicant.address" in rows[5]
    assert "invalid_email" in rows[6]
    assert (summary["imported"], summary["rejected"], summary["lines_read"]) == (2, 5, 7)
    assert set(Dossier.objects.values_list("code", flat=True)) == {code(number=1), code(number=7)}


def test_a_line_the_database_refuses_is_undone_alone(catalogue, tmp_path, capsys) -> None:
    """Whatever slips past the checks: the database's refusal rolls back that line only (on
    PostgreSQL a failed statement would otherwise poison every later line), and it is
    reported with its number."""
    real_run = dossier_import._Replay.run

    def run_then_fail(self, **kwargs):
        dossier = real_run(self, **kwargs)
        if dossier.code == code(number=2):
            raise DataError("value too long for type character varying(200)")
        return dossier

    lines = [dossier_line(1), dossier_line(2), dossier_line(3)]
    with mock.patch.object(dossier_import._Replay, "run", run_then_fail):
        summary, err = run_import("dossiers", write_lines(tmp_path / "d.jsonl", lines), capsys)
    rows = reported(err)
    assert list(rows) == [2] and "database refused the line" in rows[2]
    assert (summary["imported"], summary["rejected"]) == (2, 1)
    assert set(Dossier.objects.values_list("code", flat=True)) == {code(number=1), code(number=3)}


def test_strict_mode_still_keeps_nothing(catalogue, tmp_path, capsys) -> None:
    lines = [dossier_line(1), dossier_line(2, applicant={"name": QA * 200})]
    with pytest.raises(CommandError) as caught:
        call_command(
            "import", "dossiers", str(write_lines(tmp_path / "d.jsonl", lines)), "--strict"
        )
    assert caught.value.returncode == 2
    assert "line 2" in str(caught.value)
    assert not Dossier.objects.exists()


def test_rating_ids_too_long_are_rejected(catalogue, tmp_path, capsys) -> None:
    def rating(**fields):
        return {
            "unit": "AH",
            "at": "2021-04-20T09:30:00+07:00",
            "channel": "kiosk",
            "answers": {"overall": "very_satisfied"},
            **fields,
        }

    lines = [
        rating(id="a"),
        rating(id=int("9" * 300)),  # 300 digits as text: longer than an id may be
        rating(id="x" * 201),
        json.dumps(rating(id=0))[:-1] + ', "n": ' + "9" * 5000 + "}",  # Python refuses it
        "[" * 100_000,
        rating(id="b"),
    ]
    summary, err = run_import("ratings", write_lines(tmp_path / "r.jsonl", lines), capsys)
    rows = reported(err)
    assert sorted(rows) == [2, 3, 4, 5]
    assert "id is longer than 200 characters" in rows[2] and "200" in rows[3]
    assert (summary["imported"], summary["rejected"]) == (2, 4)
    assert Rating.objects.count() == 2


def _catalogue_with(tmp_path, unit_name: str, procedure_name: str, step_name: str):
    document = export_catalogue()
    document["units"][0]["name"] = unit_name
    procedure = document["procedures"][0]
    procedure["name"] = procedure_name
    procedure["process"] = [
        {**step, "name": step_name if step["kind"] == "appraisal" else step["name"]}
        for step in (procedure.get("process") or _default_process())
    ]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _default_process():
    from motcua.catalog.process import DEFAULT_PROCESS

    return DEFAULT_PROCESS


def test_catalogue_values_too_long_are_named_with_their_lines(catalogue, tmp_path, capsys) -> None:
    before = (Unit.objects.count(), Procedure.objects.count())
    path = _catalogue_with(tmp_path, QA * 300, "P" * 601, "S" * 301)
    with pytest.raises(CommandError) as caught:
        call_command("import", "catalogue", str(path))
    assert caught.value.returncode == 2 and str(caught.value).startswith("invalid_catalogue")
    err = capsys.readouterr().err
    problems = [row for row in err.splitlines() if "dài quá" in row]
    assert len(problems) == 3, err
    assert all(row.strip().startswith("line ") for row in problems), problems
    assert any(row.strip().startswith("line ") and "name: dài quá 300" in row for row in problems)
    assert any("name: dài quá 600" in row for row in problems)
    assert any("step appraisal: name: dài quá 300" in row for row in problems)
    assert (Unit.objects.count(), Procedure.objects.count()) == before


@pytest.mark.skipif(not on_postgres(), reason="SQLite does not enforce a column's length")
def test_a_real_data_error_on_postgresql_undoes_its_line_alone(catalogue, tmp_path, capsys) -> None:
    """With the length check out of the way, PostgreSQL itself refuses the value: the line's
    savepoint is rolled back and the lines after it are imported in the same run."""
    lines = [dossier_line(1), dossier_line(2, applicant={"name": "B" * 201}), dossier_line(3)]
    with mock.patch("motcua.dossiers.actions.column_length", return_value=10_000):
        summary, err = run_import("dossiers", write_lines(tmp_path / "d.jsonl", lines), capsys)
    rows = reported(err)
    assert list(rows) == [2] and "DataError" in rows[2]
    assert (summary["imported"], summary["rejected"]) == (2, 1)
    assert set(Dossier.objects.values_list("code", flat=True)) == {code(number=1), code(number=3)}
